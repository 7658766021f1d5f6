/*
 * db_internal.h — what the db*.c files share and nobody else sees: the
 * connection with its statement cache and pending events, typed statement
 * arguments, transactions, and the few helpers every operation is built of
 * (read a chat, record a change as an event, append a message).
 */
#ifndef HANDOFF_HUB_DB_INTERNAL_H
#define HANDOFF_HUB_DB_INTERNAL_H

#include <sqlite3.h>

#include "db.h"

/* SQL text spells a few enum values as numbers (state = 0, mode = 1, …);
 * these pin them so a reordered enum fails to compile, not silently. */
_Static_assert(CHAT_MODE_AI == 0 && CHAT_MODE_AGENT == 1, "chat_mode values in SQL");
_Static_assert(RESPONDER_BOT == 0 && RESPONDER_AGENT == 1 && RESPONDER_NONE == 2,
	       "responder_type values in SQL");
_Static_assert(CHAT_STATE_RUNNING == 0 && CHAT_STATE_STOPPED == 1, "chat_state values in SQL");
_Static_assert(SYSTEM_TYPE_NONE == 0, "system_type value in SQL");
_Static_assert(ACCOUNT_INGEST == 2, "account_role value in SQL");

/* Every connection is used by one thread at a time: the hub's on its loop
 * (storage.h), the checkpointer's on its thread. So SQLite's mutex around
 * each call on a connection is not needed (SQLITE_OPEN_NOMUTEX). */
#define DB_OPEN_FLAGS (SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX)

/* Statements are prepared on first use and kept, keyed by their SQL text.
 * Dynamic SQL (the chat list's filters) has a bounded number of shapes, so
 * it is cached the same way; past STMT_CACHE_MAX a statement is prepared per
 * use and finalized when released. */
#define STMT_SLOTS     1024
#define STMT_CACHE_MAX 768

struct stmt_slot {
	uint64_t hash;
	sqlite3_stmt *st;
};

/* An event appended by the open transaction, delivered after COMMIT. */
struct pending_event {
	int64_t seq;
	char *json;
	size_t len;
	bool note;
	uuid_str chat_id;
	uuid_str source; /* struct db_event's */
};

struct db {
	sqlite3 *conn;
	struct stmt_slot stmts[STMT_SLOTS];
	int nstmts;
	struct pending_event *pending;
	size_t npending, pending_cap;
	db_event_fn *listener;
	void *listener_ctx;
	int64_t floor;     /* events below it may be compacted away (db_events_oldest) */
	int64_t retained;  /* EVENTS_RETAINED, smaller in tests */
	int64_t default_capacity; /* of accounts without their own (v1.1) */
	/* Chats in the table, kept here because count(*) walks a whole index
	 * (2 ms at 100,000 chats) and every unfiltered page reports the total.
	 * -1 until first counted; chats are only ever added, by this process,
	 * so a count plus the creations since is exact. */
	int64_t chat_count;
	int64_t chats_created; /* in the open transaction, added at COMMIT */
	struct checkpointer *checkpointer; /* db_checkpoint.c */
	bool bulk; /* inside db_bulk_begin: transactions are savepoints */
	bool text_later;  /* db_text_later: commits leave the text to index */
	bool text_behind; /* a write committed since the text last caught up */
	int schema_found; /* the file's schema version before db_open migrated it */
};

/* ---- db_search.c: match_offsets(), FTS5's auxiliary function for search,
 * and the tokenizer of db_grams.c; every connection registers them on
 * open, before the migrations that build indexes with them. */
bool db_search_register(sqlite3 *conn);
bool db_grams_register(fts5_api *api);

/* ---- db_checkpoint.c: WAL checkpoints off the caller's thread ---------- */

bool db_checkpointer_start(struct db *db, const char *path, struct errbuf *err);
void db_checkpointer_stop(struct db *db);

/* ---- statements ---------------------------------------------------------- */

/* One bound value: integer, text (NULL text binds SQL NULL) or NULL. */
enum sqlarg_kind { SQLARG_INT, SQLARG_TEXT, SQLARG_NULL };

struct sqlarg {
	enum sqlarg_kind kind;
	int64_t i;
	const char *s;
};

#define ARG_I(v) {SQLARG_INT, (int64_t)(v), NULL}
#define ARG_T(v) {SQLARG_TEXT, 0, (v)}
#define ARG_NULL {SQLARG_NULL, 0, NULL}
/* An argument list and its length, for the db_* calls below. */
#define ARGS(...)                                                                    \
	(const struct sqlarg[]){__VA_ARGS__},                                        \
		sizeof((const struct sqlarg[]){__VA_ARGS__}) / sizeof(struct sqlarg)
#define NO_ARGS NULL, 0

/* A prepared statement with `args` bound, ready to step; NULL on error (err
 * filled). Release it with db_release before the next db_query of the same
 * SQL. */
sqlite3_stmt *db_query(struct db *db, const char *sql, const struct sqlarg *args, size_t n,
		       struct api_error *err);
void db_release(struct db *db, sqlite3_stmt *st);

/* Step; SQLITE_ROW or SQLITE_DONE, anything else is logged and reported. */
int db_step(struct db *db, sqlite3_stmt *st, struct api_error *err);

/* Run a statement that returns no rows; *changes (may be NULL) gets the
 * number of rows it changed. */
bool db_run(struct db *db, const char *sql, const struct sqlarg *args, size_t n, int *changes,
	    struct api_error *err);

/* The first column of the first row as an integer; *found false (and *out
 * untouched) when there is no row or the value is NULL. */
bool db_get_int(struct db *db, const char *sql, const struct sqlarg *args, size_t n,
		int64_t *out, bool *found, struct api_error *err);

/* Log the connection's last error and report API_INTERNAL. */
bool db_fail(struct db *db, struct api_error *err, const char *what);
bool db_oom(struct api_error *err);

/* Column helpers: a heap copy of a text column (NULL for SQL NULL; sets
 * *ok false when out of memory), a timestamp (TS_NONE for NULL), and a
 * text column into an id buffer ("" for NULL). */
char *col_strdup(sqlite3_stmt *st, int col, bool *ok);
int64_t col_ts(sqlite3_stmt *st, int col);
void col_uuid(sqlite3_stmt *st, int col, uuid_str out);

/* ---- transactions ---------------------------------------------------------- */

/* Writers take the write lock up front (BEGIN IMMEDIATE) so two writers never
 * deadlock upgrading a read lock; readers use a deferred transaction for a
 * consistent view. db_finish commits when ok (then delivers the pending
 * events and maybe prunes old ones) or rolls back; it returns whether the
 * whole thing succeeded. */
bool db_begin_write(struct db *db, struct api_error *err);
bool db_begin_read(struct db *db, struct api_error *err);
bool db_finish(struct db *db, bool ok, struct api_error *err);

/* ---- chats, messages, events -------------------------------------------- */

/* The columns a chat list filters and sorts on. Chats and events both have
 * them under these names: an event row holds them as they were at its
 * version, so db_list.c builds one WHERE clause for both. */
#define SNAPSHOT_COLUMNS                                                             \
	"mode, escalated, responder_type, responder_id, ticket_status, channel_type, " \
	"title, owner_name, latest_text, recent_key, wait_key, source_platform"

/* The query plans (EXPLAIN QUERY PLAN) of the statements a page of q runs,
 * one "first|next|changed|count: detail" line each, into out: the tests
 * hold every filter to an index with them (db_list.c). */
bool chat_list_plans(struct db *db, const struct agent *me, const struct chat_query *q,
		     char *out, size_t len, struct api_error *err);

/* The chat as the protocol shows it; 404 when there is none. */
bool chat_load(struct db *db, const char *chat_id, struct chat *out, struct api_error *err);

/* Record one change of a chat: version + 1, updated_at = now, append its
 * event (`m` for message.created) carrying the chat after the change, which
 * is also left in *out (freed first). */
bool chat_changed(struct db *db, const char *chat_id, enum event_type type,
		  const struct message *m, int64_t now, struct chat *out, struct api_error *err);

/* chat_changed in its two halves, for a write that already sets other
 * columns of the chat's row and makes the bump in the same statement (one
 * UPDATE of the row, whose indexes each take every UPDATE, instead of
 * two): the next event's seq; the row's columns set by the bump, the time
 * and seq given as SQL parameters; and, after that statement, the event. */
bool event_seq_next(struct db *db, int64_t *seq, struct api_error *err);
#define CHAT_BUMP(now, seq) "version = version + 1, updated_at = " now ", last_event_seq = " seq
bool chat_event(struct db *db, const char *chat_id, enum event_type type, const struct message *m,
		int64_t seq, int64_t now, struct chat *out, struct api_error *err);

/* Load the chat, run `change` on it in one write transaction, and hand the
 * chat after it (changed or not) to *out only when everything committed.
 * `change` reloads *c itself when it changes the chat (chat_changed does). */
typedef bool chat_change_fn(struct db *db, void *arg, struct chat *c, int64_t now,
			    struct api_error *err);
bool chat_transaction(struct db *db, const char *chat_id, chat_change_fn *change, void *arg,
		      struct chat *out, struct api_error *err);

/* What a new message is; the rest (id, seq, time) is assigned on append. */
struct message_spec {
	enum msg_role role;
	enum system_type system_type;
	const char *author_id;      /* NULL for none */
	const char *author_name;
	const char *text;
	const char *client_msg_id;  /* NULL for none */
	const char *ingest_account_id;   /* ingested messages: who sent it */
	const char *external_message_id; /* ingested messages: NULL for none */
};

/* Append a message to the thread (seq = count + 1), update the chat's
 * previews unless it is a note, and record the change (one message.created).
 * *msg (may be NULL) gets the message, *chat the chat after it. */
bool message_append(struct db *db, const char *chat_id, const struct message_spec *spec,
		    int64_t now, struct message *msg, struct chat *chat, struct api_error *err);

/* The message `ingest_account_id` already ingested into this chat under
 * `external_message_id`, if any (*found says). */
bool message_find_external(struct db *db, const char *chat_id, const char *ingest_account_id,
			   const char *external_message_id, struct message *out, bool *found,
			   struct api_error *err);

/* A system message by `me` ({null, "system"} when me is NULL). */
bool system_message(struct db *db, const char *chat_id, enum system_type type,
		    const struct agent *me, const char *text, int64_t now, struct chat *chat,
		    struct api_error *err);

/* The account with this id (agents, supervisors and ingest alike). */
bool account_load(struct db *db, const char *id, struct agent *out, bool *found,
		  struct api_error *err);

/* Drop events older than the retention window, a batch at a time (db.c
 * calls it after a commit that appended events, head the last of them: the
 * log's head, known without asking the database). */
void events_prune(struct db *db, int64_t head);

#endif
