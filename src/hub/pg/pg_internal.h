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

/* The ids as the text a uuid[] parameter takes ("{id,id}"), in their
 * order, NULL for one that is not a uuid: it matches no row (as in
 * SQLite, where any text is an id that matches none) and keeps the
 * others' places (array_position). malloc'd; NULL when out of memory. */
char *pg_uuid_array(const char *const *ids, size_t n);

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

/* ---- changes of holder (pg_actions.c) ------------------------------------ */

/* An action's part once its chat is read and locked (in *c, which gets
 * the chat after). */
typedef bool pg_action_fn(PGconn *conn, const struct agent *me, bool force, struct chat *c,
			  int64_t now, struct api_error *err);

/* The whole operation: BEGIN, the chat read with its row locked (404 when
 * there is none), act, COMMIT; a refusal or a failure leaves nothing
 * behind. *out gets the chat after. */
bool pg_chat_transaction(PGconn *conn, const char *chat_id, pg_action_fn *act,
			 const struct agent *me, bool force, struct chat *out,
			 struct api_error *err);

/* The takeover's steps (pg_action_fn): handover.h decides, then the
 * holder's assigned_at, the conditional UPDATE and the system message. */
bool pg_take(PGconn *conn, const struct agent *me, bool force, struct chat *c, int64_t now,
	     struct api_error *err);

#endif
