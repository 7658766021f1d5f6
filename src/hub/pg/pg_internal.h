/*
 * pg_internal.h — what the pg*.c files share and nobody else sees: the
 * migration steps, parameterised statements, and errors in one line.
 */
#ifndef HANDOFF_HUB_PG_INTERNAL_H
#define HANDOFF_HUB_PG_INTERNAL_H

#include "pg.h"

/* SQL text spells a few enum values as numbers (mode = 1, state = 0, …);
 * these pin them so a reordered enum fails to compile, not silently. */
_Static_assert(CHAT_MODE_AI == 0 && CHAT_MODE_AGENT == 1, "chat_mode values in SQL");
_Static_assert(RESPONDER_BOT == 0 && RESPONDER_AGENT == 1, "responder_type values in SQL");
_Static_assert(CHAT_STATE_RUNNING == 0, "chat_state value in SQL");
_Static_assert(SYSTEM_TYPE_NONE == 0, "system_type value in SQL");

/* Migration steps, in order (pg_schema.c): step i brings the schema from
 * version i to i + 1; there are PG_SCHEMA_VERSION of them. */
extern const char *const pg_migrations[];

/* Room for an int64_t as decimal text, sign and NUL included. */
#define PG_INT_LEN 21

/* The integer as the text a statement parameter takes; returns buf. */
const char *pg_int(int64_t v, char buf[PG_INT_LEN]);

/* The strings as the text an array parameter takes, each quoted
 * ({"a","b\"c"}), so any text goes through and a cast gives any element
 * type ('{"1","2"}'::bigint[]). malloc'd; NULL when out of memory. */
char *pg_text_array(const char *const *v, size_t n);

/* The ids as the text a uuid[] parameter takes ("{id,id}"), in their
 * order, NULL for one that is not a uuid: it matches no row (as in
 * SQLite, where any text is an id that matches none) and keeps the
 * others' places (array_position). malloc'd; NULL when out of memory. */
char *pg_uuid_array(const char *const *ids, size_t n);

/* The same, of ids held in an array of uuid_str (a page's chats). */
char *pg_uuid_array_of(const uuid_str *ids, size_t n);

/* Run one statement with `n` parameters as text (a NULL value is SQL
 * NULL): values are never spliced into SQL. Returns the result when the
 * statement succeeded (PQclear it), else NULL with `err` set. */
PGresult *pg_query(PGconn *conn, const char *sql, int n, const char *const *values,
		   const char *what, struct errbuf *err);

/* Fill err with "postgresql: WHAT: MESSAGE" on one line, MESSAGE being the
 * server's primary message when there is a result, else the connection's
 * (libpq's messages name host and database, never the password); returns
 * false. */
bool pg_fail(struct errbuf *err, const char *what, PGconn *conn, const PGresult *res);

/* ---- chats (pg_chats.c) -------------------------------------------------- */

/* Log a database error and report API_INTERNAL, as SQLite's back end does
 * (the client learns nothing of the database); returns false. */
bool pg_api_fail(struct api_error *err, const struct errbuf *why);

/* pg_query answering as the protocol does: a failure logged and reported
 * API_INTERNAL (pg_api_fail). */
PGresult *pg_api_query(PGconn *conn, const char *sql, int n, const char *const *values,
		       const char *what, struct api_error *err);

/* Column helpers for a row of text results: a heap copy (NULL for SQL
 * NULL; *ok false when out of memory), an integer, a timestamp (TS_NONE
 * for NULL) and an id ("" for NULL). */
char *pg_col_str(const PGresult *r, int row, int col, bool *ok);
int64_t pg_col_int(const PGresult *r, int row, int col);
int64_t pg_col_ts(const PGresult *r, int row, int col);
void pg_col_uuid(const PGresult *r, int row, int col, uuid_str out);

/* The chat as the protocol shows it, its row locked until the transaction
 * ends when `lock`; 404 when there is none. */
bool pg_chat_load(PGconn *conn, const char *chat_id, bool lock, struct chat *out,
		  struct api_error *err);

/* ---- messages (pg_ingest.c) --------------------------------------------- */

/* Append a system message by `me` ({null, "system"} when NULL) to the
 * chat, whose row the caller's transaction has locked, as SQLite's
 * system_message does: the thread, the previews and the version, then its
 * message.created event, its seq taken last. *chat (freed first) gets the
 * chat after. */
bool pg_system_message(PGconn *conn, const char *chat_id, enum system_type type,
		       const struct agent *me, const char *text, int64_t now, struct chat *chat,
		       struct api_error *err);

/* ---- changes of a chat (pg_ingest.c, pg_messages.c) ---------------------- */

/* The columns pg_message_from_row reads, in db_messages.c's order. */
#define PG_MESSAGE_COLUMNS                                                             \
	"id, chat_id, seq, created_at, role, system_type, author_id, author_name, text, " \
	"client_msg_id, external_message_id"

/* Row `row` of a SELECT of PG_MESSAGE_COLUMNS; false when out of memory. */
bool pg_message_from_row(const PGresult *r, int row, struct message *m);

/* The chat's side of message m, which the caller's transaction has just
 * stored in the thread of its locked chat (seq = message_count + 1): the
 * count, the previews and wait clock unless m is a note, the version, then
 * message.created (a note's marked as one) with its seq taken last. *chat
 * (freed first) gets the chat after. */
bool pg_message_added(PGconn *conn, const struct message *m, struct chat *chat,
		      struct api_error *err);

/* A change the caller's transaction made to the chat's row (locked), told
 * as SQLite's chat_changed tells it: version + 1, updated_at = now, and
 * one event of `type` with its seq taken last. *chat (freed first) gets
 * the chat after. */
bool pg_chat_changed(PGconn *conn, const char *chat_id, enum event_type type, int64_t now,
		     struct chat *chat, struct api_error *err);

/* ---- changes of a chat's holder (pg_chat_ops.c, pg_actions.c) -------------- */

/* A change of one chat, given it read with its row locked. */
typedef bool pg_chat_change_fn(PGconn *conn, void *arg, struct chat *c, int64_t now,
			       struct api_error *err);

/* One transaction: the chat read and locked, `change`, COMMIT; *out gets
 * the chat after (changed or not) only when everything committed. A
 * refusal or a failure leaves nothing behind. */
bool pg_chat_transaction(PGconn *conn, const char *chat_id, pg_chat_change_fn *change, void *arg,
			 struct chat *out, struct api_error *err);

/* What a takeover or a handback is asked: pg_take's arg. */
struct pg_action {
	const struct agent *me;
	bool force;
};

/* The takeover's steps, a pg_chat_change_fn whose arg is a struct
 * pg_action: handover.h decides, then pg_move_to and the system message. */
bool pg_take(PGconn *conn, void *arg, struct chat *c, int64_t now, struct api_error *err);

/* Give chat c, locked and read, to agent_id (its assigned_at dated now) if
 * its holder is still the one read, else 409 "the chat changed
 * meanwhile". */
bool pg_move_to(PGconn *conn, const struct chat *c, const char *agent_id, int64_t now,
		struct api_error *err);

/* Stop chat c, locked and read, on the same condition: nobody holds it
 * after, nothing waits, the escalation ends. */
bool pg_stop_held(PGconn *conn, const struct chat *c, struct api_error *err);
/* ---- the chat list's text rule (pg_schema.c, pg_list.c) ------------------ */

/* A column folded as SQLite's LIKE folds: ASCII letters only, whatever the
 * database's locale. The list's q compares FOLD(column) LIKE pattern, and
 * the trigram indexes are built on these very expressions, which is what
 * lets the planner use them: keep the two spellings one. */
#define PG_FOLD(col) \
	"translate(" col ", 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"

/* Every character and pair of characters of the three columns q looks in,
 * folded (migration step 3's chat_grams, linear since step 4): a q of one
 * or two characters, which has no trigram, is one of them. The gram index
 * is on this very expression. */
#define PG_CHAT_GRAMS "chat_grams(title, owner_name, latest_text)"

/* The plans (EXPLAIN, costs off) of the statements a page of q runs, one
 * "lookup|first|next|changed|count: line" each, into out: the tests hold
 * every filter to an index with them (pg_list.c). */
bool pg_chat_list_plans(PGconn *conn, const struct agent *me, const struct chat_query *q,
			char *out, size_t len, struct api_error *err);


/* The n chats ids names, into out[n] in that order, in one statement (a
 * page's, not a round trip each); 404 when one is missing. */
bool pg_chats_load(PGconn *conn, const uuid_str *ids, size_t n, struct chat *out,
		   struct api_error *err);

/* pg_chat_unread for n chats at once: out[i].unread for ids[i] (pg_reads.c). */
bool pg_chats_unread(PGconn *conn, const struct agent *me, const uuid_str *ids, size_t n,
		     struct chat *out, struct api_error *err);

#endif
