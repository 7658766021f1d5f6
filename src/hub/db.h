/*
 * db.h — the hub's state: SQLite (WAL) holding accounts, chats, messages and
 * the event log, and every rule of the protocol that must be atomic.
 *
 * Each operation below is one SQLite transaction: the change, its system
 * messages and its events are committed together or not at all, so a
 * `kill -9` loses nothing that was answered 2xx and never leaves a change
 * without its event. Conditional UPDATEs decide races (takeover): the
 * database, not a check-then-write in C, picks the one winner.
 *
 * Events appended by a transaction are handed to the event listener after
 * COMMIT, in seq order, so subscribers never see an event that could still
 * roll back.
 *
 * Failing calls return false and fill `struct api_error` with the protocol's
 * type and a description an agent can read ("chat is held by agent Ana").
 */
#ifndef HANDOFF_HUB_DB_H
#define HANDOFF_HUB_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apierror.h"
#include "errbuf.h"
#include "model.h"
#include "token.h" /* TOKEN_STRLEN: both back ends' tokens */

struct db;

/* The hub keeps at least this many events for replay (protocol: 100,000). */
#define EVENTS_RETAINED 100000

/* The schema's version (PRAGMA user_version) once every migration step
 * ran: the number of steps (db.c checks it at compile time). */
#define DB_SCHEMA_VERSION 15

/* The back end db_open opens, as operators see it named (`handoffd
 * migrate`, the hub's start line, GET /v1/health); the only one so far. */
#define DB_BACKEND "sqlite"

/* Open (creating and migrating as needed) the database at `path`. A file
 * that is not a database, or whose schema is newer than DB_SCHEMA_VERSION,
 * is refused unchanged. */
struct db *db_open(const char *path, struct errbuf *err);
void db_close(struct db *db);

/* The schema version db_open found in the file before it migrated it to
 * DB_SCHEMA_VERSION: 0 for a new database, DB_SCHEMA_VERSION when it was
 * up to date. */
int db_schema_found(const struct db *db);

/* Keep `retained` events instead of EVENTS_RETAINED (handoffd's
 * --event-retention; tests shrink it to exercise pruning and resync). */
void db_set_retention(struct db *db, int64_t retained);

/*
 * For the benchmarks' fills only (tests/bench/bench_fill.c): between
 * db_bulk_begin and db_bulk_end every call's transaction is a savepoint of
 * one enclosing transaction, so thousands of writes cost one commit. The
 * same statements and triggers run as in separate transactions; a write
 * that fails rolls back alone. Events are handed to the listener when each
 * call finishes, before they are committed: never use it in the hub.
 */
bool db_bulk_begin(struct db *db, struct api_error *err);
bool db_bulk_end(struct db *db, struct api_error *err);

/*
 * The text indexes (chats_fts, chats_grams, messages_fts) are written from
 * the rows each write notes (migration step 14). By default a write's own
 * commit indexes its notes. With db_text_later on, commits leave them, and
 * db_text_catch_up indexes every note since in one transaction: FTS5 writes
 * a segment of its own per table and commit, which was half of an ingest's
 * instructions, and a catch-up pays it once for all the writes since. The
 * reads that use the indexes (db_chats_list with q, db_search) catch up
 * first, and so does db_close, so nothing any call returns lags; only
 * another reader of the file may see an index behind its table until then.
 */
void db_text_later(struct db *db, bool later);
bool db_text_catch_up(struct db *db, struct api_error *err);

/* ---- events ------------------------------------------------------------ */

/* One committed event: its seq, its JSON frame, and whether it carries a
 * note (notes are never sent to ingest clients). */
struct db_event {
	int64_t seq;
	const char *json;
	size_t len;
	bool note;
	const char *chat_id;
	/* The ingest account the chat came from, "" for none or not known
	 * (replay): an ingest client always sees its own chats, and this
	 * answers that without asking the database (server_events.c). */
	const char *source;
};

typedef void db_event_fn(void *ctx, const struct db_event *ev);

/* Called after every COMMIT for each event it appended, in seq order. */
void db_set_event_listener(struct db *db, db_event_fn *fn, void *ctx);

/* Latest event seq (0 when none), and the oldest still retained (head + 1
 * when none). Replay from `since` is possible iff since + 1 >= oldest. */
int64_t db_events_head(struct db *db);
int64_t db_events_oldest(struct db *db);

/* Call fn for up to `limit` retained events with seq > since, in order;
 * returns how many were visited, or -1 on error. With `ingest_id` (an
 * ingest account's id; NULL for everyone else) only the events it may
 * see: no notes, and only chats in its scope (db_ingest_may_see). */
int db_events_after(struct db *db, int64_t since, int limit, const char *ingest_id,
		    db_event_fn *fn, void *ctx);

/* Is chat `chat_id` in the scope of ingest account `ingest_id`: a chat it
 * created (its source.account), or one from a source granted to it
 * (db_grant)? False on a database error too: scope fails closed. */
bool db_ingest_may_see(struct db *db, const char *ingest_id, const char *chat_id);

/* ---- grants: what an ingest account may read besides its own chats ---- */

enum grant_kind {
	GRANT_ACCOUNT = 0,  /* the chats another ingest account created */
	GRANT_PLATFORM = 1, /* the chats whose source.platform is a label */
};

/* Grant (or, with revoke, take back) `source` to ingest account `ingest`.
 * Accounts are named by id or by name (a name must be one ingest account's);
 * a platform is a source.platform label. Granting twice, or revoking what
 * was not granted, is not an error (*changed says whether anything did). */
bool db_grant(struct db *db, const char *ingest, enum grant_kind kind, const char *source,
	      bool revoke, bool *changed, struct errbuf *err);

/* ---- accounts ---------------------------------------------------------- */

/* Create an account; writes its token (shown once, stored only as a hash)
 * into token[TOKEN_STRLEN + 1] and the account into *out. */
bool db_account_add(struct db *db, const char *name, const char *email, enum account_role role,
		    char token[TOKEN_STRLEN + 1], struct agent *out, struct errbuf *err);

/* The oldest account called `name` with `role`, created (with a token nobody
 * is shown) when there is none: for accounts the hub acts as, like the demo's
 * bot and colleagues. */
bool db_account_ensure(struct db *db, const char *name, enum account_role role,
		       struct agent *out, struct errbuf *err);

/* The account a bearer token belongs to; false for an unknown token.
 * Constant work per lookup whatever the token (hash, then index). */
bool db_authenticate(struct db *db, const char *token, struct agent *out);

/* Agents and supervisors with their number of held chats and their
 * capacity (status is the server's to fill), by name. */
bool db_agents_list(struct db *db, struct agent **out, size_t *n, struct api_error *err);

/* ---- agents: capacity and auto-assignment (v1.1, db_agents.c) ---------- */

/* The capacity of an agent no supervisor set one for (handoffd
 * --default-capacity). */
#define DEFAULT_CAPACITY 3
void db_set_default_capacity(struct db *db, int64_t capacity);

/* One agent or supervisor as db_agents_list shows it; an unknown id or an
 * ingest account is API_RESOURCE_NOT_FOUND. */
bool db_agent_get(struct db *db, const char *id, struct agent *out, struct api_error *err);

/* Set an agent's capacity (0..CAPACITY_MAX); *out gets the agent after. */
bool db_agent_set_capacity(struct db *db, const char *id, int64_t capacity, struct agent *out,
			   struct api_error *err);

/* An offer made or ended by db_offers_round, for the server to tell. */
struct offer_note {
	uuid_str chat_id, agent_id;
	int64_t seconds;              /* > 0: made, for so long; 0: ended */
};

#define OFFER_ROUND_MAX 64 /* offers a round makes or ends at most */

/* One round of auto-assignment, one write transaction: offers that expired
 * count as passes and end, offers of chats no longer waiting end, then each
 * waiting chat without an offer (oldest first) is offered to the agent of
 * `online` (ids) with the most free capacity (capacity - held - open
 * offers), ties to the one longest without a new chat, never to one who
 * passed it. Offers last `seconds`. notes[OFFER_ROUND_MAX] gets what
 * changed (*n of them); *next_ms the time (ts_now) the earliest open offer
 * expires, 0 when none. */
bool db_offers_round(struct db *db, const char *const *online, size_t nonline, int64_t seconds,
		     struct offer_note *notes, size_t *n, int64_t *next_ms,
		     struct api_error *err);

/* The agent takes the chat it was offered: a takeover that needs the open
 * offer (409 without one, or once it expired). */
bool db_offer_accept(struct db *db, const struct agent *me, const char *chat_id,
		     struct chat *out, struct api_error *err);

/* The agent passes: the offer ends and the chat will not be offered to
 * them again while it waits (409 when they have no open offer of it). */
bool db_offer_pass(struct db *db, const struct agent *me, const char *chat_id,
		   struct api_error *err);

/* End every offer to `agent_id` (gone away or offline), without a pass:
 * the chats may be offered to them again once they are back. */
bool db_offers_withdraw(struct db *db, const char *agent_id, struct offer_note *notes, size_t *n,
			struct api_error *err);

/* The chats offered to `agent_id` now: chat_ids[OFFER_ROUND_MAX], with the
 * seconds left (for a stream that just connected). */
bool db_offers_of(struct db *db, const char *agent_id, struct chat_offer *out, size_t *n,
		  struct api_error *err);

/* ---- chats ------------------------------------------------------------- */

enum chat_sort { SORT_RECENT, SORT_WAITING };

enum responder_filter {
	RESPONDER_ANY,
	RESPONDER_IS_ME,
	RESPONDER_IS_NONE,  /* no agent holds it */
	RESPONDER_IS_BOT,
	RESPONDER_IS_AGENT, /* responder_id below */
};

/* GET /v1/chats query. -1 in an int field means "no filter". */
struct chat_query {
	int mode;                   /* enum chat_mode */
	int escalated;              /* 0 / 1 */
	bool waiting;
	enum responder_filter responder;
	uuid_str responder_id;
	int status;                 /* enum ticket_status */
	int channel;                /* enum channel_type */
	const char *source;         /* source platform label; NULL for none */
	const char *q;              /* substring, case-insensitive; NULL for none */
	enum chat_sort sort;
	int limit;                  /* 1..200 */
	const char *cursor;         /* opaque, from a previous page; NULL first */
};

/* A query with no filters, sort recent, limit 50. */
void chat_query_init(struct chat_query *q);

struct chat_page {
	struct chat *chats;
	size_t count;
	char *next_cursor;          /* NULL on the last page */
	int64_t total;              /* chats matching now */
	/* A q with many candidates was not counted: at least `total` chats
	 * match, those the page's walk found (see doc/protocol.md, "Listing
	 * chats"). */
	bool total_capped;
};

void chat_page_free(struct chat_page *p);

/* One page. Walking the cursors returns every chat that matched when the
 * walk began exactly once, even while chats change (see doc/protocol.md). A
 * bad or expired cursor is API_INVALID_QUERY. */
bool db_chats_list(struct db *db, const struct agent *me, const struct chat_query *q,
		   struct chat_page *out, struct api_error *err);

bool db_chat_get(struct db *db, const char *chat_id, struct chat *out, struct api_error *err);

/* PATCH: title (NULL: unchanged) and ticket status (-1: unchanged). */
bool db_chat_patch(struct db *db, const struct agent *me, const char *chat_id,
		   const char *title, int ticket_status, struct chat *out, struct api_error *err);

/* Takeover, handback, assign, stop and rating as the protocol describes
 * them; each fills *out with the chat after the call. */
bool db_takeover(struct db *db, const struct agent *me, const char *chat_id, bool force,
		 struct chat *out, struct api_error *err);
bool db_handback(struct db *db, const struct agent *me, const char *chat_id, struct chat *out,
		 struct api_error *err);
bool db_assign(struct db *db, const struct agent *me, const char *chat_id, const char *agent_id,
	       struct chat *out, struct api_error *err);
bool db_stop(struct db *db, const struct agent *me, const char *chat_id, struct chat *out,
	     struct api_error *err);
bool db_rate(struct db *db, const struct agent *me, const char *chat_id, int score,
	     const char *feedback, const char *suggested_answer, struct chat *out,
	     struct api_error *err);

/* ---- read marks (v1.1) ------------------------------------------------ */

/* Fill c->unread with what `me` has not read of chat c (0..UNREAD_MAX);
 * ingest accounts are left without (-1). Runs in the caller's transaction
 * when there is one. */
bool db_chat_unread(struct db *db, const struct agent *me, struct chat *c,
		    struct api_error *err);

/* Move `me`'s read mark of the chat up to seq (1..its message_count); a
 * mark at or above seq stays. *out gets the chat.read event (the mark and
 * what is left unread, as they are after the call), *moved whether the mark
 * moved. */
bool db_chat_read(struct db *db, const struct agent *me, const char *chat_id, int64_t seq,
		  struct event *out, bool *moved, struct api_error *err);

/* ---- messages ---------------------------------------------------------- */

struct message_page {
	struct message *messages;   /* ascending seq */
	size_t count;
	bool has_more_before;
};

void message_page_free(struct message_page *p);

/* before_seq: 0 for none; after_seq: -1 for none (0 is a bound: from the
 * first message). */
bool db_messages_list(struct db *db, const char *chat_id, int64_t before_seq, int64_t after_seq,
		      int limit, struct message_page *out, struct api_error *err);

/* A reply (internal false) or note. *created is false when client_msg_id was
 * already used on this chat: *out is then the first message, nothing stored. */
bool db_reply(struct db *db, const struct agent *me, const char *chat_id, const char *text,
	      const char *client_msg_id, bool internal, struct message *out, bool *created,
	      struct api_error *err);

/* POST /v1/ingest/messages. */
struct ingest {
	uuid_str chat_id;             /* "" when absent */
	const char *external_id;      /* NULL when absent */
	const char *external_message_id; /* NULL when absent; needs chat_id or external_id */
	const char *source_platform;  /* NULL when absent; used only by a new chat */
	enum channel_type channel_type;
	const char *channel_name;
	const char *owner_external_id;
	const char *owner_name;
	const char *owner_email;
	const char *owner_phone;      /* v1.1 */
	enum msg_role role;           /* user or bot */
	const char *text;
	bool escalate;
};

/* What every item must hold before its transaction starts, whatever the
 * back end (PostgreSQL's pg_ingest too): inline, so that each back end's
 * library has it without linking the other's. */
static inline bool ingest_valid(const struct ingest *in, struct api_error *err)
{
	if (in->role != MSG_ROLE_USER && in->role != MSG_ROLE_BOT)
		return api_error_set(err, API_INVALID_PAYLOAD, "role: must be user or bot");
	if (!in->text)
		return api_error_set(err, API_INVALID_PAYLOAD, "text: is required");
	/* The id is unique within a chat; a request that would open a new,
	 * unnamed chat every time has nothing to be unique in. */
	if (in->external_message_id && !in->chat_id[0] && !in->external_id)
		return api_error_set(err, API_INVALID_PAYLOAD,
				     "external_message_id: needs chat_id or external_id");
	return true;
}

/* A chat it creates has `me` as its source account. *created (may be NULL)
 * is false when `me` already ingested external_message_id into that chat:
 * *message is then the first message and *chat the chat as it is now;
 * nothing is stored and no event emitted. */
bool db_ingest(struct db *db, const struct agent *me, const struct ingest *in, struct chat *chat,
	       struct message *message, bool *created, struct api_error *err);

/* POST /v1/ingest/batch: one item's outcome. error.type is API_OK when it
 * went in (or was there already: created false), else why the hub refused
 * it (chat and message then empty). */
struct ingest_result {
	struct chat chat;
	struct message message;
	bool created;
	struct api_error error;
};

void ingest_result_free(struct ingest_result *r);

/* Items as db_ingest takes them, in order, in one transaction: out[i] is
 * items[i]'s outcome. An item the hub refuses (stopped chat, agent holds
 * it, unknown chat_id) refuses only itself; an invalid item refuses the
 * batch (API_INVALID_PAYLOAD naming it) and nothing is stored. */
bool db_ingest_batch(struct db *db, const struct agent *me, const struct ingest *items, size_t n,
		     struct ingest_result *out, struct api_error *err);

/* ---- canned replies (v1.1) ---------------------------------------------- */

struct canned;

/* The shared replies and `me`'s personal ones, by name (shared first on a
 * tie). */
bool db_canned_list(struct db *db, const struct agent *me, struct canned **out, size_t *n,
		    struct api_error *err);

/* A shared reply (only supervisors may: the handler checks) or one of `me`'s
 * own. A name already used among the shared, or among me's own, is
 * API_CONFLICT. */
bool db_canned_add(struct db *db, const struct agent *me, const char *name, const char *text,
		   bool shared, struct canned *out, struct api_error *err);

/* Remove a reply; *out gets it as it was. Another agent's personal reply
 * is API_RESOURCE_NOT_FOUND (nobody else sees it); a shared one needs a
 * supervisor (API_FORBIDDEN). */
bool db_canned_remove(struct db *db, const struct agent *me, const char *id, struct canned *out,
		      struct api_error *err);

/* ---- search ------------------------------------------------------------ */

#define SEARCH_SNIPPET_CHARS 160 /* characters of a message around its first match */
#define SEARCH_MATCHES_MAX   16  /* matches given per snippet */

/* One message that matched: where it is, and a snippet of its text with the
 * matched words as [start, start + len) in characters of the snippet. */
struct search_hit {
	uuid_str chat_id, message_id;
	int64_t seq, created_at;
	enum msg_role role;
	char *snippet;
	int64_t snippet_start; /* characters of the text before the snippet */
	size_t nmatches;
	struct {
		int start, len;
	} matches[SEARCH_MATCHES_MAX];
};

struct search_page {
	struct search_hit *hits; /* newest message first */
	size_t count;
};

void search_page_free(struct search_page *p);

/* Up to `limit` (1..100) messages containing every word of `text` (by
 * stem: "refund" finds "refunded"), case and diacritics folded; notes only when
 * with_notes (agents). A text without a word, or of more than 8 words, is
 * API_INVALID_QUERY. */
bool db_search(struct db *db, const char *text, bool with_notes, int limit,
	       struct search_page *out, struct api_error *err);

/* ---- owners (customers) ---------------------------------------------- */

/* The chats GET /v1/owners/{id} lists at most. */
#define OWNER_CHATS_MAX 50

struct owner_details {
	struct owner owner;
	char *phone;                  /* nullable */
	struct chat *chats;           /* theirs, latest message first */
	size_t n;
};

void owner_details_free(struct owner_details *d);

/* An owner and up to OWNER_CHATS_MAX of their chats; an unknown id is
 * API_RESOURCE_NOT_FOUND. */
bool db_owner_get(struct db *db, const char *owner_id, struct owner_details *out,
		  struct api_error *err);

/* ---- stats ------------------------------------------------------------- */

struct day_stats {
	int64_t day;                  /* days since 1970-01-01 (UTC) */
	int64_t conversations;        /* chats created that day */
	int64_t escalations;          /* CONVERSATION_ESCALATED that day */
	int64_t taken_over;           /* takeovers (AGENT_JOINED) that day */
	int64_t ratings;              /* chats rated that day (by rating time) */
	int64_t rating_sum;           /* the sum of their scores */
};

/* One row per day from..to inclusive (to - from < 366), zeros included. */
bool db_stats_daily(struct db *db, int64_t from_day, int64_t to_day, struct day_stats **out,
		    size_t *n, struct api_error *err);

/* A platform's own daily count, as a bridge reported it (v1.1). */
struct platform_day {
	int64_t day;
	int64_t conversations;
};

/* One ingest account's reported days within a window: only the days it
 * reported (a missing day is unknown, not zero), oldest first. */
struct platform_stats {
	char platform[SOURCE_PLATFORM_MAX_CHARS + 1];
	uuid_str account_id;
	struct platform_day *days;
	size_t n;
};

/* Store `n` days reported by ingest account `me` for `platform`: one row
 * per (account, day), so a repeated report replaces the earlier one. */
bool db_stats_ingest(struct db *db, const struct agent *me, const char *platform,
		     const struct platform_day *days, size_t n, struct api_error *err);

/* Every account's reported days from..to (validated by db_stats_daily),
 * ordered by platform then account. Free with db_platform_stats_free. */
bool db_stats_platforms(struct db *db, int64_t from_day, int64_t to_day,
			struct platform_stats **out, size_t *n, struct api_error *err);
void db_platform_stats_free(struct platform_stats *p, size_t n);

/* ---- the team dashboard (v1.1, db_dashboard.c) ------------------------- */

/* Minutes of replies kept per agent: "the last hour" is the minute of
 * `now` and the 59 before it. */
#define DASH_MINUTES 60

/* A chat waiting for an agent or held by one. */
struct dash_chat {
	uuid_str id;
	bool waiting;             /* escalated, the bot still has it */
	int64_t escalated_at;     /* TS_NONE when not escalated */
	int64_t awaiting_since;   /* TS_NONE when nothing is owed */
	uuid_str holder;          /* "" when no agent holds it */
};

/* One agent's figures: replies per minute (oldest first, the last is the
 * minute of `now`) and today's first responses in ms, in takeover order. */
struct dash_agent {
	int64_t replies[DASH_MINUTES];
	int64_t *first_ms;
	size_t nfirst;
};

struct dash_snapshot {
	int64_t now, seq;         /* as of event `seq` */
	int64_t replies_today;    /* every agent's replies since 00:00 UTC */
	struct dash_chat *chats;  /* waiting, then held */
	size_t nchats;
	struct dash_agent *agents; /* one per agents[i] given to db_dashboard */
	size_t nagents;
};

/* The dashboard's figures at `now` for the `n` agents given (replies and
 * takeovers by anyone else are counted in the totals only). */
bool db_dashboard(struct db *db, int64_t now, const struct agent *agents, size_t n,
		  struct dash_snapshot *out, struct api_error *err);
void db_dashboard_free(struct dash_snapshot *d);

#endif
