/*
 * pg.h — the hub's state on PostgreSQL: the connection, its schema, and the
 * primitives the back end's guarantees rest on. A second back end beside
 * SQLite's (db.h), in its first slice: the hub does not use it yet.
 *
 * SQLite has one writer at a time; PostgreSQL runs writers at once, from one
 * hub's threads or from several hubs on one database. So nothing below
 * decides in C what another writer could change meanwhile: each guarantee is
 * the database's own — a row lock held until COMMIT (the event seq, a
 * chat's message seq), a conditional UPDATE (takeover), a unique index
 * (client_msg_id).
 *
 * The primitives run in the caller's transaction (BEGIN … COMMIT on a
 * PGconn, with pg_exec), under PostgreSQL's default isolation, READ
 * COMMITTED, which is what each one's comment reasons with. They return
 * false on a database error and fill `err` with one line that names what
 * failed; an outcome such as a lost takeover is a result, not an error.
 */
#ifndef HANDOFF_HUB_PG_H
#define HANDOFF_HUB_PG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "apierror.h"
#include "db.h"
#include "errbuf.h"
#include "model.h"
#include "token.h"

/* The schema's version (table schema_version) once every migration step
 * ran: the number of steps (pg_schema.c checks it at compile time). */
#define PG_SCHEMA_VERSION 4

/* Seconds a connection may take to be made, unless the conninfo says. */
#define PG_CONNECT_TIMEOUT_S "10"

/* The oldest server accepted, as PQserverVersion spells it (13.0). */
#define PG_SERVER_MIN 130000

struct pg;

/* Connect (a libpq conninfo string or URI), refuse a server older than 13,
 * and migrate the schema to PG_SCHEMA_VERSION, each step in a transaction
 * of its own, under an advisory lock so that hubs starting at once on one
 * database migrate it once. A database whose schema is newer than
 * PG_SCHEMA_VERSION is refused unchanged. NULL on failure; the error never
 * repeats the conninfo, which may hold a password. */
struct pg *pg_open(const char *conninfo, struct errbuf *err);
void pg_close(struct pg *pg);

/* The schema version pg_open found before it migrated: 0 for a new
 * database, PG_SCHEMA_VERSION when it was up to date. */
int pg_schema_found(const struct pg *pg);

/* The connection, for transactions and the primitives below. */
PGconn *pg_conn(struct pg *pg);

/* Run SQL that takes no parameters and returns no rows ("BEGIN",
 * "COMMIT", "ROLLBACK"); `what` names it in the error. */
bool pg_exec(PGconn *conn, const char *sql, const char *what, struct errbuf *err);

/* End the transaction the caller BEGAN: COMMIT when ok, else ROLLBACK if
 * one is still open (a failed COMMIT has ended it). True when everything
 * committed; only a failed COMMIT fills err. */
bool pg_finish(PGconn *conn, bool ok, const char *what, struct errbuf *err);

/* ---- --db targets (pg_target.c) ---------------------------------------- */

/* Does a --db target name a PostgreSQL database: a postgresql:// or
 * postgres:// URI, or "postgres:" and a libpq conninfo string
 * ("postgres:host=/run/postgresql dbname=handoff")? */
bool pg_target_claims(const char *target);

/* The conninfo pg_open takes in such a target: the URI itself, or what
 * follows "postgres:". */
const char *pg_target_conninfo(const char *target);

/* The target as it may be logged and shown: its host, hostaddr, port,
 * dbname and user, never a password. */
void pg_target_display(const char *target, char *out, size_t len);

/* ---- events (pg_events.c) ---------------------------------------------- */

/* The NOTIFY channel each committed event is announced on, its seq as the
 * payload; deliveries come in commit order, which is seq order. */
#define PG_EVENTS_CHANNEL "handoff_events"

/* The next n event seqs, first..first + n - 1, from the one-row counter
 * event_seq, in one statement. It holds that row's lock until the
 * transaction ends, so call it as late as the transaction allows: every
 * other writer of an event waits for it. pg_event_seq_next takes one. */
bool pg_event_seqs(PGconn *conn, size_t n, int64_t *first, struct errbuf *err);
bool pg_event_seq_next(PGconn *conn, int64_t *seq, struct errbuf *err);

/* One event of the log, with a seq pg_event_seqs gave this transaction
 * (the seq is inside the event's JSON too, so it is taken first and the
 * JSON built with it). */
struct pg_event {
	int64_t seq;
	const char *chat_id;
	enum event_type type;
	int64_t at;         /* ms since the epoch */
	bool note;          /* a note's event: never sent to ingest accounts */
	const char *json;   /* the event frame */
};

/* Append the n events in one statement, each with its chat's list columns
 * as they are now in this transaction (a chat as of seq S is its latest
 * event row with seq <= S, as in SQLite's log), each chat's
 * last_event_seq set to its last of them, and NOTIFY PG_EVENTS_CHANNEL,
 * delivered at COMMIT. A chat that does not exist is an error.
 * pg_event_append appends one. */
bool pg_events_append(PGconn *conn, const struct pg_event *ev, size_t n, struct errbuf *err);
bool pg_event_append(PGconn *conn, const struct pg_event *ev, struct errbuf *err);

/* ---- who holds a chat (pg_actions.c) ----------------------------------- */

/* Give the running chat to agent `agent_id` if its holder is still
 * `holder` (NULL: no agent holds it), as one conditional UPDATE: of any
 * number of transactions racing for it, from any hub, exactly one sets
 * *won; for the others nothing changed (the hub's 409 "the chat changed
 * meanwhile"). */
bool pg_takeover(PGconn *conn, const char *chat_id, const char *agent_id, const char *holder,
		 bool *won, struct errbuf *err);

/* ---- replies (pg_messages.c) ------------------------------------------- */

/* An agent's reply, or a note (internal), as the thread stores it. */
struct pg_reply {
	const char *chat_id;
	const char *author_id;
	const char *author_name;
	const char *text;
	const char *client_msg_id; /* NULL for none */
	bool internal;
	int64_t at;                /* ms since the epoch */
};

/* Append the reply to the chat's thread (seq = message_count + 1, the
 * chat's row locked until COMMIT), once per (chat, author, client_msg_id):
 * when that key was used already, *created is false, nothing is stored and
 * id and *seq are the first message's. Otherwise id and *seq are the new
 * message's. The chat's previews and its event are the caller's. */
bool pg_reply_insert(PGconn *conn, const struct pg_reply *r, uuid_str id, int64_t *seq,
		     bool *created, struct errbuf *err);

/* ---- accounts (pg_accounts.c) ------------------------------------------ */

/* db.h's account operations, with their meaning, types and errors. Unlike
 * the primitives above, each is a whole operation, one transaction of its
 * own on conn: call them outside a transaction. Tokens are token.h's, so a
 * token works on either back end; only its hash is stored. */

/* Create an account; writes its token (shown once) into token and the
 * account into *out. */
bool pg_account_add(PGconn *conn, const char *name, const char *email, enum account_role role,
		    char token[TOKEN_STRLEN + 1], struct agent *out, struct errbuf *err);

/* The oldest account called `name` with `role`, created (with a token
 * nobody is shown) when there is none. Hubs ensuring one name at once
 * create it once: a transaction lock on the name, not a check in C,
 * makes them take turns. */
bool pg_account_ensure(PGconn *conn, const char *name, enum account_role role,
		       struct agent *out, struct errbuf *err);

/* The account a bearer token belongs to; false for an unknown token (or a
 * database error). Constant work per lookup whatever the token (hash, then
 * the unique index on token_hash). */
bool pg_authenticate(PGconn *conn, const char *token, struct agent *out);

/* Agents and supervisors with their number of held chats and their
 * capacity (`default_capacity` for those nobody set one for; status is the
 * server's to fill), by name as SQLite orders it (bytewise). */
bool pg_agents_list(PGconn *conn, int64_t default_capacity, struct agent **out, size_t *n,
		    struct api_error *err);

/* One agent or supervisor as pg_agents_list shows it; an unknown id or an
 * ingest account is API_RESOURCE_NOT_FOUND. */
bool pg_agent_get(PGconn *conn, int64_t default_capacity, const char *id, struct agent *out,
		  struct api_error *err);

/* Set an agent's capacity (the caller checks 0..CAPACITY_MAX); *out gets
 * the agent after, as pg_agents_list shows it. */
bool pg_agent_set_capacity(PGconn *conn, const char *id, int64_t capacity, struct agent *out,
			   struct api_error *err);

/* ---- chats and ingest (pg_chats.c, pg_ingest.c) ------------------------ */

/* db_chat_get and db_ingest (db.h) on PostgreSQL: the same types in and
 * out and the same meaning, each a whole operation as the accounts' are,
 * one transaction of its own on conn: call them outside a transaction. A
 * database error is logged and answered API_INTERNAL.
 *
 * pg_ingest holds at once under concurrent writers: the first ingests of
 * a new external_id, from any number of connections, create one chat (the
 * unique external_id decides, not a lookup in C); messages of one chat
 * take its seqs 1, 2, … in turn (its row locked until COMMIT); an
 * external_message_id is stored once (the unique index messages_external
 * behind a lookup made under that lock); and the change's events take
 * their seqs last, gap-free. */
bool pg_chat_get(PGconn *conn, const char *chat_id, struct chat *out, struct api_error *err);
bool pg_ingest(PGconn *conn, const struct agent *me, const struct ingest *in, struct chat *chat,
	       struct message *message, bool *created, struct api_error *err);

/* ---- takeover and handback (pg_actions.c) ------------------------------ */

/* db_takeover and db_handback (db.h) on PostgreSQL, whole operations as
 * the ones above are: the same types, meaning, errors and system
 * messages (handover.h decides for both back ends). The chat's row is
 * locked, the holder changed by pg_takeover's conditional UPDATE (or its
 * handback twin), so of takeovers racing from any hubs exactly one wins
 * and the others get 409 naming the winner; the message.created event's
 * seq is taken last. */
bool pg_takeover_chat(PGconn *conn, const struct agent *me, const char *chat_id, bool force,
		      struct chat *out, struct api_error *err);
bool pg_handback(PGconn *conn, const struct agent *me, const char *chat_id, struct chat *out,
		 struct api_error *err);

/* ---- search, canned replies, stats, grants (pg_search.c, pg_canned.c,
 * pg_stats.c, pg_grants.c) ---------------------------------------------- */

/* db_search, db_canned_*, db_stats_*, db_grant and db_ingest_may_see
 * (db.h) on PostgreSQL: the same types, meaning and errors, each a whole
 * operation (a statement, or a transaction of its own, on conn): call them
 * outside a transaction. A database error is logged and answered
 * API_INTERNAL (pg_grant, for the command line, says it in err).
 *
 * Under concurrent writers: a canned reply's name is taken by the INSERT
 * a unique index lets in (of two adds at once one gets 409), a removal is
 * the DELETE that returns the row; a platform's repeated report replaces
 * the earlier (ON CONFLICT), its rows locked in day order so overlapping
 * reports never deadlock; a grant given twice at once is stored once. */
bool pg_search(PGconn *conn, const char *text, bool with_notes, int limit,
	       struct search_page *out, struct api_error *err);

bool pg_canned_list(PGconn *conn, const struct agent *me, struct canned **out, size_t *n,
		    struct api_error *err);
bool pg_canned_add(PGconn *conn, const struct agent *me, const char *name, const char *text,
		   bool shared, struct canned *out, struct api_error *err);
bool pg_canned_remove(PGconn *conn, const struct agent *me, const char *id, struct canned *out,
		      struct api_error *err);

bool pg_stats_daily(PGconn *conn, int64_t from_day, int64_t to_day, struct day_stats **out,
		    size_t *n, struct api_error *err);
bool pg_stats_ingest(PGconn *conn, const struct agent *me, const char *platform,
		     const struct platform_day *days, size_t n, struct api_error *err);
bool pg_stats_platforms(PGconn *conn, int64_t from_day, int64_t to_day,
			struct platform_stats **out, size_t *n, struct api_error *err);

bool pg_grant(PGconn *conn, const char *ingest, enum grant_kind kind, const char *source,
	      bool revoke, bool *changed, struct errbuf *err);

/* ---- auto-assignment's offers (pg_offers.c) ---------------------------- */

/* db_offers_round, db_offer_accept, db_offer_pass, db_offers_withdraw and
 * db_offers_of (db.h) on PostgreSQL, whole operations as the ones above
 * are, with the same meaning, types and errors; the default capacity is
 * handoffd's --default-capacity. Under hubs racing on one database, a
 * chat has one open offer at most (the table's primary key) and offers
 * never give an agent more than their free room: rounds, passes and
 * withdrawals take turns under a transaction-scoped advisory lock. The
 * accept is pg_takeover_chat's takeover, which also ends the agent's open
 * offer (409 without one, or once it expired). */
bool pg_offers_round(PGconn *conn, int64_t default_capacity, const char *const *online,
		     size_t nonline, int64_t seconds, struct offer_note *notes, size_t *n,
		     int64_t *next_ms, struct api_error *err);
bool pg_offer_accept(PGconn *conn, const struct agent *me, const char *chat_id,
		     struct chat *out, struct api_error *err);
bool pg_offer_pass(PGconn *conn, const struct agent *me, const char *chat_id,
		   struct api_error *err);
bool pg_offers_withdraw(PGconn *conn, const char *agent_id, struct offer_note *notes, size_t *n,
			struct api_error *err);
bool pg_offers_of(PGconn *conn, const char *agent_id, struct chat_offer *out, size_t *n,
		  struct api_error *err);

/* ---- the team dashboard (pg_dashboard.c) ------------------------------- */

/* db_dashboard (db.h) on PostgreSQL: the snapshot as of event seq, read
 * in one REPEATABLE READ transaction so that its figures and its seq are
 * one moment. Free it with db_dashboard_free. */
bool pg_dashboard(PGconn *conn, int64_t now, const struct agent *agents, size_t n,
		  struct dash_snapshot *out, struct api_error *err);

/* ---- chat actions, replies, pages, batches, the event log's reads
 * (pg_chat_ops.c, pg_messages.c, pg_ingest.c, pg_events.c) ------------- */

/* db_chat_patch, db_assign, db_stop and db_rate (db.h) on PostgreSQL,
 * whole operations as the ones above are, with the same types, meaning,
 * errors, system messages and events (handover.h decides assign and stop
 * for both back ends). The chat's row is locked for the transaction, so
 * hubs acting on one chat at once take turns, each deciding on the chat
 * as the one before left it. */
bool pg_chat_patch(PGconn *conn, const struct agent *me, const char *chat_id, const char *title,
		   int ticket_status, struct chat *out, struct api_error *err);
bool pg_assign(PGconn *conn, const struct agent *me, const char *chat_id, const char *agent_id,
	       struct chat *out, struct api_error *err);
bool pg_stop(PGconn *conn, const struct agent *me, const char *chat_id, struct chat *out,
	     struct api_error *err);
bool pg_rate(PGconn *conn, const struct agent *me, const char *chat_id, int score,
	     const char *feedback, const char *suggested_answer, struct chat *out,
	     struct api_error *err);

/* db_reply and db_messages_list on PostgreSQL. A reply takes the chat's
 * row lock before it looks its client_msg_id up, so retries racing from
 * any hubs store it once (the unique index messages_client behind that)
 * and the thread's seqs stay 1..N. The page is read by one statement, one
 * snapshot. Free the page with message_page_free. */
bool pg_reply(PGconn *conn, const struct agent *me, const char *chat_id, const char *text,
	      const char *client_msg_id, bool internal, struct message *out, bool *created,
	      struct api_error *err);
bool pg_messages_list(PGconn *conn, const char *chat_id, int64_t before_seq, int64_t after_seq,
		      int limit, struct message_page *out, struct api_error *err);

/* db_ingest_batch on PostgreSQL: one transaction, each item in a
 * savepoint of its own, so a refused item refuses only itself; an invalid
 * item refuses the batch before anything is written. All the batch's
 * events take their seqs at the end. Free the results with
 * ingest_result_free. */
bool pg_ingest_batch(PGconn *conn, const struct agent *me, const struct ingest *items, size_t n,
		     struct ingest_result *out, struct api_error *err);

/* One ingest of a batch: who asks, what (valid: ingest_valid), and where
 * its outcome goes. */
struct pg_ingest_item {
	const struct agent *me;
	const struct ingest *in;
	struct ingest_result *out;
};

/* pg_ingest_batch's transaction for items already valid, each with its own
 * account: *items[i].out is its outcome, a refusal refusing only itself.
 * False (err set, every out cleared) when the transaction failed: then
 * nothing of any item is stored, or, if the connection broke at COMMIT,
 * all of them may be. */
bool pg_ingest_items(PGconn *conn, const struct pg_ingest_item *items, size_t n,
		     struct api_error *err);

/* The event log's reads, as db_events_head, db_events_oldest,
 * db_events_after and db_ingest_may_see answer them, and its retention.
 * Head is the latest committed seq (0 for none); oldest the floor, the
 * oldest retained (head + 1 when none). pg_events_after calls fn for up to
 * `limit` events after `since` (from the floor on), in order, and returns
 * how many, or -1 on an error (logged); with ingest_id, only what that
 * ingest account may see: no notes, only chats in its scope. The events'
 * source is "" (not known in replay). */
bool pg_events_head(PGconn *conn, int64_t *head, struct errbuf *err);
bool pg_events_oldest(PGconn *conn, int64_t *oldest, struct errbuf *err);
int pg_events_after(PGconn *conn, int64_t since, int limit, const char *ingest_id,
		    db_event_fn *fn, void *ctx);
/* False on a database error too: scope fails closed. */
bool pg_ingest_may_see(PGconn *conn, const char *ingest_id, const char *chat_id);

/* Keep at least `retained` events: once the log holds a fifth more, move
 * the floor up by at most one batch (2,000), each chat's last event below
 * it kept (SQLite's compaction), in a transaction of its own. Hubs pruning
 * at once take turns on the floor's row. Call it after a commit that
 * appended events, as SQLite's back end does. */
bool pg_events_prune(PGconn *conn, int64_t retained, struct errbuf *err);

/* ---- the chat list, read marks and owners (pg_list.c, pg_reads.c,
 * pg_owners.c) --------------------------------------------------------- */

/* db_chats_list, db_chat_unread, db_chat_read and db_owner_get (db.h) on
 * PostgreSQL: the same types, meaning and errors, each a whole operation
 * of its own on conn but pg_chat_unread, which is one statement and runs
 * in the caller's transaction when there is one.
 *
 * pg_chats_list's cursors are exact as SQLite's are (a walk returns every
 * chat that matched when it began exactly once, whatever writers do
 * meanwhile); meta.total is counted on a walk's first page and carried by
 * its cursor (pg_list.c says why). pg_chat_read moves a mark only up, also
 * when hubs move it at once: one conditional upsert decides. The chat page
 * and the owner's details are freed with chat_page_free and
 * owner_details_free (db.h). */
bool pg_chats_list(PGconn *conn, const struct agent *me, const struct chat_query *q,
		   struct chat_page *out, struct api_error *err);
bool pg_chat_unread(PGconn *conn, const struct agent *me, struct chat *c,
		    struct api_error *err);
bool pg_chat_read(PGconn *conn, const struct agent *me, const char *chat_id, int64_t seq,
		  struct event *out, bool *moved, struct api_error *err);
bool pg_owner_get(PGconn *conn, const char *owner_id, struct owner_details *out,
		  struct api_error *err);

#endif
