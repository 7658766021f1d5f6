/*
 * storage.h — the hub's operations on its state, whatever the back end:
 * one table of function pointers per back end (as htop's panels have a
 * class and tmux's commands an entry), so the handlers and the server ask
 * "take this chat over", never "run this SQL".
 *
 * Each operation has the meaning, types and errors of its db_* twin in
 * db.h, where they are written down once: SQLite's db_* functions are the
 * first back end (storage_sqlite.c), PostgreSQL's pg_* the second
 * (pg/storage_pg.c). The interface is the hub's operations, not a generic
 * SQL layer: each back end keeps its own tuned SQL.
 *
 * A handle is used by one thread at a time. SQLite's one handle lives on
 * the hub's loop; a back end whose `threaded` is set gives each worker
 * thread a handle of its own (`for_thread`), so requests run there and a
 * slow query never holds the loop.
 */
#ifndef HANDOFF_HUB_STORAGE_H
#define HANDOFF_HUB_STORAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "db.h"

struct storage;

/* A note from a hub, as storage.h's share_hear hands it over: untrusted
 * bytes, NUL-terminated, the back end's until the call returns. */
typedef void storage_note_fn(void *ctx, const char *note, size_t len);
#define STORAGE_NOTE_MAX 7999

struct storage_ops {
	/* As operators see it named (backend.h's row) */
	const char *backend;
	int schema_version;        /* the schema this handoffd migrates to */
	/* Requests may run on worker threads, each with for_thread's handle:
	 * the calling thread's own, opened on first use (NULL, said in err,
	 * when it cannot be). False: every call is made on the loop. */
	bool threaded;
	struct storage *(*for_thread)(struct storage *st, struct errbuf *err);
	void (*close)(struct storage *st);

	/* events: the listener gets every committed event once, in seq order,
	 * on the loop (SQLite: after each COMMIT; a shared database: from
	 * whichever hub wrote it); NULL stops it */
	void (*set_event_listener)(struct storage *st, db_event_fn *fn, void *ctx);
	int64_t (*events_head)(struct storage *st);
	int64_t (*events_oldest)(struct storage *st);
	int (*events_after)(struct storage *st, int64_t since, int limit, const char *ingest_id,
			    db_event_fn *fn, void *ctx);
	bool (*ingest_may_see)(struct storage *st, const char *ingest_id, const char *chat_id);

	/* notes between hubs sharing the database (server_share.c): share_hear
	 * hands `fn` every note any hub sends from now on, this one's own
	 * included, on the loop, each hub's in the order it sent them; false
	 * when there is nobody to share with (SQLite: one hub per database).
	 * share_send queues a note (at most STORAGE_NOTE_MAX bytes) for every
	 * hub and never waits: false when it cannot go. */
	bool (*share_hear)(struct storage *st, storage_note_fn *fn, void *ctx);
	bool (*share_send)(struct storage *st, const char *note, size_t len);

	/* text indexes: a back end whose commits leave them to be written
	 * later (SQLite: db_text_later) has the server call this a little
	 * after its commits (server_text.c); NULL: each commit writes them */
	bool (*text_catch_up)(struct storage *st, struct api_error *err);

	/* accounts and agents */
	bool (*account_add)(struct storage *st, const char *name, const char *email,
			    enum account_role role, char token[TOKEN_STRLEN + 1], struct agent *out,
			    struct errbuf *err);
	bool (*grant)(struct storage *st, const char *ingest, enum grant_kind kind,
		      const char *source, bool revoke, bool *changed, struct errbuf *err);
	bool (*authenticate)(struct storage *st, const char *token, struct agent *out);
	/* A threaded back end's loop handle remembers the tokens found (an
	 * account never changes once added): token_recall answers from memory
	 * only, false when the token was not found before, so the server looks
	 * it up on a worker (authenticate on for_thread's handle) and hands
	 * what it found to token_remember. NULL when every call is made on
	 * the loop. */
	bool (*token_recall)(struct storage *st, const char *token, struct agent *out);
	void (*token_remember)(struct storage *st, const char *token, const struct agent *account);
	bool (*agents_list)(struct storage *st, struct agent **out, size_t *n,
			    struct api_error *err);
	bool (*agent_get)(struct storage *st, const char *id, struct agent *out,
			  struct api_error *err);
	bool (*agent_set_capacity)(struct storage *st, const char *id, int64_t capacity,
				   struct agent *out, struct api_error *err);

	/* auto-assignment */
	bool (*offers_round)(struct storage *st, const char *const *online, size_t nonline,
			     int64_t seconds, struct offer_note *notes, size_t *n, int64_t *next_ms,
			     struct api_error *err);
	bool (*offer_accept)(struct storage *st, const struct agent *me, const char *chat_id,
			     struct chat *out, struct api_error *err);
	bool (*offer_pass)(struct storage *st, const struct agent *me, const char *chat_id,
			   struct api_error *err);
	bool (*offers_withdraw)(struct storage *st, const char *agent_id,
				struct offer_note *notes, size_t *n, struct api_error *err);
	bool (*offers_of)(struct storage *st, const char *agent_id, struct chat_offer *out,
			  size_t *n, struct api_error *err);

	/* chats */
	bool (*chats_list)(struct storage *st, const struct agent *me, const struct chat_query *q,
			   struct chat_page *out, struct api_error *err);
	bool (*chat_get)(struct storage *st, const char *chat_id, struct chat *out,
			 struct api_error *err);
	bool (*chat_patch)(struct storage *st, const struct agent *me, const char *chat_id,
			   const char *title, int ticket_status, struct chat *out,
			   struct api_error *err);
	bool (*takeover)(struct storage *st, const struct agent *me, const char *chat_id,
			 bool force, struct chat *out, struct api_error *err);
	bool (*handback)(struct storage *st, const struct agent *me, const char *chat_id,
			 struct chat *out, struct api_error *err);
	bool (*assign)(struct storage *st, const struct agent *me, const char *chat_id,
		       const char *agent_id, struct chat *out, struct api_error *err);
	bool (*stop)(struct storage *st, const struct agent *me, const char *chat_id,
		     struct chat *out, struct api_error *err);
	bool (*rate)(struct storage *st, const struct agent *me, const char *chat_id, int score,
		     const char *feedback, const char *suggested_answer, struct chat *out,
		     struct api_error *err);
	bool (*chat_unread)(struct storage *st, const struct agent *me, struct chat *c,
			    struct api_error *err);
	bool (*chat_read)(struct storage *st, const struct agent *me, const char *chat_id,
			  int64_t seq, struct event *out, bool *moved, struct api_error *err);

	/* messages */
	bool (*messages_list)(struct storage *st, const char *chat_id, int64_t before_seq,
			      int64_t after_seq, int limit, struct message_page *out,
			      struct api_error *err);
	bool (*reply)(struct storage *st, const struct agent *me, const char *chat_id,
		      const char *text, const char *client_msg_id, bool internal,
		      struct message *out, bool *created, struct api_error *err);
	bool (*ingest)(struct storage *st, const struct agent *me, const struct ingest *in,
		       struct chat *chat, struct message *message, bool *created,
		       struct api_error *err);
	bool (*ingest_batch)(struct storage *st, const struct agent *me,
			     const struct ingest *items, size_t n, struct ingest_result *out,
			     struct api_error *err);

	/* canned replies, search, owners */
	bool (*canned_list)(struct storage *st, const struct agent *me, struct canned **out,
			    size_t *n, struct api_error *err);
	bool (*canned_add)(struct storage *st, const struct agent *me, const char *name,
			   const char *text, bool shared, struct canned *out,
			   struct api_error *err);
	bool (*canned_remove)(struct storage *st, const struct agent *me, const char *id,
			      struct canned *out, struct api_error *err);
	bool (*search)(struct storage *st, const char *text, bool with_notes, int limit,
		       struct search_page *out, struct api_error *err);
	bool (*owner_get)(struct storage *st, const char *owner_id, struct owner_details *out,
			  struct api_error *err);

	/* stats and the dashboard */
	bool (*stats_daily)(struct storage *st, int64_t from_day, int64_t to_day,
			    struct day_stats **out, size_t *n, struct api_error *err);
	bool (*stats_ingest)(struct storage *st, const struct agent *me, const char *platform,
			     const struct platform_day *days, size_t n, struct api_error *err);
	bool (*stats_platforms)(struct storage *st, int64_t from_day, int64_t to_day,
				struct platform_stats **out, size_t *n, struct api_error *err);
	bool (*dashboard)(struct storage *st, int64_t now, const struct agent *agents, size_t n,
			  struct dash_snapshot *out, struct api_error *err);
};

/* Every back end's handle starts with this. */
struct storage {
	const struct storage_ops *ops;
};

/* What handoffd's flags set for the back end it serves from. */
struct storage_settings {
	int64_t retained;          /* events kept for replay (--event-retention) */
	int64_t default_capacity;  /* --default-capacity */
	/* The hub's loop, where a back end whose events come from elsewhere
	 * (other hubs) hands them to the listener; NULL on the command line. */
	uv_loop_t *loop;
};

/* The SQLite back end on the database file at `path`, opened (created,
 * migrated) as db_open does; *found gets db_schema_found's answer. */
struct storage *storage_sqlite_open(const char *path, const struct storage_settings *set,
				    int *found, struct errbuf *err);

/* The SQLite database under a SQLite handle, for what only SQLite does
 * (the demo's simulated customers); NULL for another back end. */
struct db *storage_sqlite_db(struct storage *st);

#endif
