/*
 * storage_pg.c — the PostgreSQL back end as a storage table (storage.h):
 * each entry hands the call to its pg_* function on the handle's
 * connection, with the settings SQLite keeps in its struct db.
 *
 * One handle is one connection, used by one thread at a time. The handle
 * storage_pg_open gives is the loop's; each worker thread that runs a
 * request gets a handle and connection of its own on first use
 * (for_thread), kept for the thread's next requests and closed with the
 * loop's handle. So a slow query holds one worker, never the loop, and
 * the connections number at most the thread pool's size plus two (the
 * loop's, and the event feed's).
 *
 * Events reach the listener from the shared log (pg_listen.c), whichever
 * hub wrote them: this hub's own writes come back the same way, so every
 * hub hands its clients the same events in the same order.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pg.h"
#include "pg_listen.h"
#include "storage.h"
#include "storage_pg.h"

struct storage_pg {
	struct storage base; /* first: a struct storage * is one of these */
	struct pg *pg;
	struct storage_settings set;
	/* The loop's handle only: */
	char *conninfo;                  /* for the threads' connections */
	uint64_t id;                     /* which loop handle a thread's is of */
	pthread_mutex_t lock;            /* guards threads */
	struct storage_pg **threads;     /* every thread's handle, to close */
	size_t nthreads;
	struct pg_listener *listener;
	db_event_fn *listen_fn;
	void *listen_ctx;
	storage_note_fn *note_fn;        /* the hubs' notes, on the feed's connection */
	void *note_ctx;
	/* Tokens this handle found, by hash: an account's id, name, email
	 * and role never change once it is added, so the loop's handle
	 * answers a token known without a query (token_recall), and only a
	 * token not seen yet (or pushed out by another of the same slot) is
	 * looked up, on a worker (server_lookup.c). */
	struct known_token {
		char hash[TOKEN_HASH_HEXLEN + 1];
		struct agent account;
		bool used;
	} *known;
	uint64_t heard;                  /* events heard since the last prune */
	uv_work_t prune;
	bool pruning;                    /* prune is queued or running */
};

/* Tokens the cache holds at most: more than a hub's agents and bridges. */
#define KNOWN_TOKENS 4096

/* Events heard between two prunes: pg_events_prune moves the floor at most
 * 2,000 a call, so pruning as often keeps up with any rate the log grows. */
#define PRUNE_EVERY 1000

/* A worker thread's handle, and the loop handle it belongs to (a program
 * may open more than one: tests do). */
static _Thread_local struct storage_pg *thread_handle;
static _Thread_local uint64_t thread_handle_of;
static atomic_uint_fast64_t next_id = 1;

static struct storage_pg *pg_of(struct storage *st)
{
	return (struct storage_pg *)st;
}

/* The handle's connection, mended first when it broke: a connection the
 * server dropped (a restart, a network cut) stays broken in libpq until
 * it is reset, so after a restart each connection serves again from its
 * next call on. The call that found it broken has failed: a write is not
 * tried again (the server may have committed it before the cut), and the
 * client sees a 500 it may retry. */
static PGconn *conn_of(struct storage *st)
{
	PGconn *conn = pg_conn(pg_of(st)->pg);

	if (PQstatus(conn) == CONNECTION_BAD) {
		PQreset(conn);
		if (PQstatus(conn) == CONNECTION_OK)
			log_info("postgresql: connected again");
	}
	return conn;
}

static struct storage *p_for_thread(struct storage *st, struct errbuf *err)
{
	struct storage_pg *loop = pg_of(st);

	if (thread_handle && thread_handle_of == loop->id)
		return &thread_handle->base;
	struct storage_pg *mine = calloc(1, sizeof *mine);
	if (!mine) {
		errbuf_set(err, "postgresql: out of memory");
		return NULL;
	}
	mine->pg = pg_open(loop->conninfo, err);
	if (!mine->pg) {
		free(mine);
		return NULL;
	}
	mine->base = loop->base;
	mine->set = loop->set;
	pthread_mutex_lock(&loop->lock);
	struct storage_pg **grown =
		realloc(loop->threads, (loop->nthreads + 1) * sizeof *loop->threads);
	if (grown) {
		loop->threads = grown;
		loop->threads[loop->nthreads++] = mine;
	}
	pthread_mutex_unlock(&loop->lock);
	if (!grown) {
		pg_close(mine->pg);
		free(mine);
		errbuf_set(err, "postgresql: out of memory");
		return NULL;
	}
	thread_handle = mine;
	thread_handle_of = loop->id;
	return &mine->base;
}

/* Pruning the log on a worker thread: the floor moves at most one batch a
 * call (pg_events_prune), so a pass runs until nothing is left to move. */
static void prune_work(uv_work_t *req)
{
	struct storage_pg *s = req->data;
	struct errbuf why;
	struct storage *mine = p_for_thread(&s->base, &why);

	if (!mine || !pg_events_prune(conn_of(mine), s->set.retained, &why))
		log_warn("pruning old events failed; will retry: %s", why.msg);
}

static void prune_done(uv_work_t *req, int status)
{
	struct storage_pg *s = req->data;

	(void)status;
	s->pruning = false;
}

/* Every hub that hears the log grow past the retention prunes it, after
 * each PRUNE_EVERY events it heard: hubs pruning at once take turns on the
 * floor's row, and the one that comes second finds nothing left to do. */
static void maybe_prune(struct storage_pg *s)
{
	if (++s->heard < PRUNE_EVERY || s->pruning)
		return;
	s->heard = 0;
	s->prune.data = s;
	s->pruning = uv_queue_work(s->set.loop, &s->prune, prune_work, prune_done) == 0;
}

/* The feed hands over an event of the shared log: as the listener takes
 * it. */
static void on_listened(void *ctx, const struct pg_listened *ev)
{
	struct storage_pg *s = ctx;
	struct db_event e = {
		.seq = ev->seq,
		.json = ev->json,
		.len = ev->len,
		.note = ev->note,
		.chat_id = ev->chat_id,
		.source = ev->source,
	};

	if (ev->missed)
		log_error("postgresql: %lld events were pruned before this hub read them: "
			  "its clients must reload", (long long)ev->missed);
	if (s->listen_fn)
		s->listen_fn(s->listen_ctx, &e);
	maybe_prune(s);
}

static void p_set_event_listener(struct storage *st, db_event_fn *fn, void *ctx)
{
	struct storage_pg *s = pg_of(st);
	struct errbuf err;

	s->listen_fn = fn;
	s->listen_ctx = ctx;
	if (!fn && s->listener) {
		pg_listener_stop(s->listener, NULL, NULL);
		s->listener = NULL;
	}
	if (!fn || s->listener)
		return;
	if (!s->set.loop) {
		log_error("postgresql: no loop to follow the event log on");
		return;
	}
	int64_t head = 0;
	if (!pg_events_head(pg_conn(s->pg), &head, &err) ||
	    !(s->listener = pg_listener_start(s->set.loop, s->conninfo, head, on_listened, s,
					      &err)))
		log_error("%s", err.msg);
	else
		pg_listener_on_notes(s->listener, s->note_fn, s->note_ctx);
}

/* The hubs' notes travel on the event feed's connection (pg_listen.c),
 * which follows the log only while the server listens to it. */
static bool p_share_hear(struct storage *st, storage_note_fn *fn, void *ctx)
{
	struct storage_pg *s = pg_of(st);

	s->note_fn = fn;
	s->note_ctx = ctx;
	if (s->listener)
		pg_listener_on_notes(s->listener, fn, ctx);
	return s->set.loop != NULL;
}

static bool p_share_send(struct storage *st, const char *note, size_t len)
{
	struct storage_pg *s = pg_of(st);

	return s->listener && pg_listener_notify(s->listener, note, len);
}

static void p_close(struct storage *st)
{
	struct storage_pg *s = pg_of(st);

	if (s->listener)
		pg_listener_stop(s->listener, NULL, NULL);
	for (size_t i = 0; i < s->nthreads; i++) {
		pg_close(s->threads[i]->pg);
		free(s->threads[i]);
	}
	free(s->threads);
	for (size_t i = 0; s->known && i < KNOWN_TOKENS; i++)
		if (s->known[i].used)
			agent_free(&s->known[i].account);
	free(s->known);
	pthread_mutex_destroy(&s->lock);
	pg_close(s->pg);
	free(s->conninfo);
	free(s);
}

static bool p_account_add(struct storage *st, const char *name, const char *email,
			  enum account_role role, char token[TOKEN_STRLEN + 1], struct agent *out,
			  struct errbuf *err)
{
	return pg_account_add(conn_of(st), name, email, role, token, out, err);
}

/* The cache slot of a token's hash: the hash is hex of a digest, so its
 * first eight characters spread tokens as well as the whole would. */
static struct known_token *known_slot(struct storage_pg *s, const char *hash)
{
	uint32_t index = 0;

	for (int i = 0; i < 8; i++)
		index = index << 4 | (uint32_t)(hash[i] <= '9' ? hash[i] - '0' : hash[i] - 'a' + 10);
	return &s->known[index % KNOWN_TOKENS];
}

/* The cache's entry for `token` (its hash in hash[]), allocating the
 * cache on first use; NULL when out of memory or not a token. */
static struct known_token *known_entry(struct storage_pg *s, const char *token,
				       char hash[TOKEN_HASH_HEXLEN + 1])
{
	if (!token || !token_hash(token, hash))
		return NULL;
	if (!s->known && !(s->known = calloc(KNOWN_TOKENS, sizeof *s->known)))
		return NULL;
	return known_slot(s, hash);
}

static bool p_token_recall(struct storage *st, const char *token, struct agent *out)
{
	char hash[TOKEN_HASH_HEXLEN + 1];
	struct known_token *k = known_entry(pg_of(st), token, hash);

	return k && k->used && strcmp(k->hash, hash) == 0 && agent_copy(out, &k->account);
}

static void p_token_remember(struct storage *st, const char *token, const struct agent *account)
{
	char hash[TOKEN_HASH_HEXLEN + 1];
	struct known_token *k = known_entry(pg_of(st), token, hash);

	if (!k)
		return;
	if (k->used)
		agent_free(&k->account);
	k->used = agent_copy(&k->account, account);
	memcpy(k->hash, hash, sizeof k->hash);
}

static bool p_authenticate(struct storage *st, const char *token, struct agent *out)
{
	struct storage_pg *s = pg_of(st);
	/* Only the loop's handle keeps the cache: a worker's looks a token up
	 * for the loop, which remembers what it found (token_remember). */
	bool loops = s->id != 0;

	if (loops && p_token_recall(st, token, out))
		return true;
	/* A read: when the connection broke under it, it is asked again on
	 * the mended one rather than answered "unknown token". */
	bool found = pg_authenticate(conn_of(st), token, out) ||
		     (PQstatus(pg_conn(s->pg)) == CONNECTION_BAD &&
		      pg_authenticate(conn_of(st), token, out));
	if (found && loops)
		p_token_remember(st, token, out);
	return found;
}

static bool p_agents_list(struct storage *st, struct agent **out, size_t *n,
			  struct api_error *err)
{
	return pg_agents_list(conn_of(st), pg_of(st)->set.default_capacity, out, n, err);
}

static bool p_agent_get(struct storage *st, const char *id, struct agent *out,
			struct api_error *err)
{
	return pg_agent_get(conn_of(st), pg_of(st)->set.default_capacity, id, out, err);
}

static bool p_agent_set_capacity(struct storage *st, const char *id, int64_t capacity,
				 struct agent *out, struct api_error *err)
{
	return pg_agent_set_capacity(conn_of(st), id, capacity, out, err);
}

static bool p_chat_get(struct storage *st, const char *chat_id, struct chat *out,
		       struct api_error *err)
{
	return pg_chat_get(conn_of(st), chat_id, out, err);
}

static bool p_takeover(struct storage *st, const struct agent *me, const char *chat_id,
		       bool force, struct chat *out, struct api_error *err)
{
	return pg_takeover_chat(conn_of(st), me, chat_id, force, out, err);
}

static bool p_handback(struct storage *st, const struct agent *me, const char *chat_id,
		       struct chat *out, struct api_error *err)
{
	return pg_handback(conn_of(st), me, chat_id, out, err);
}

static bool p_ingest(struct storage *st, const struct agent *me, const struct ingest *in,
		     struct chat *chat, struct message *message, bool *created,
		     struct api_error *err)
{
	return pg_ingest(conn_of(st), me, in, chat, message, created, err);
}

static bool p_grant(struct storage *st, const char *ingest, enum grant_kind kind,
		    const char *source, bool revoke, bool *changed, struct errbuf *err)
{
	return pg_grant(conn_of(st), ingest, kind, source, revoke, changed, err);
}

/* An error of a read that answers no api_error: logged, as SQLite's are. */
static int64_t logged(bool ok, int64_t value, const struct errbuf *why)
{
	if (!ok)
		log_error("%s", why->msg);
	return value;
}

static int64_t p_events_head(struct storage *st)
{
	struct errbuf why;
	int64_t head = 0;
	bool ok = pg_events_head(conn_of(st), &head, &why);

	return logged(ok, head, &why);
}

static int64_t p_events_oldest(struct storage *st)
{
	struct errbuf why;
	int64_t oldest = 1;
	bool ok = pg_events_oldest(conn_of(st), &oldest, &why);

	return logged(ok, oldest, &why);
}

static int p_events_after(struct storage *st, int64_t since, int limit, const char *ingest_id,
			  db_event_fn *fn, void *ctx)
{
	return pg_events_after(conn_of(st), since, limit, ingest_id, fn, ctx);
}

static bool p_ingest_may_see(struct storage *st, const char *ingest_id, const char *chat_id)
{
	return pg_ingest_may_see(conn_of(st), ingest_id, chat_id);
}

static bool p_offers_round(struct storage *st, const char *const *online, size_t nonline,
			   int64_t seconds, struct offer_note *notes, size_t *n, int64_t *next_ms,
			   struct api_error *err)
{
	return pg_offers_round(conn_of(st), pg_of(st)->set.default_capacity, online, nonline,
			       seconds, notes, n, next_ms, err);
}

static bool p_offer_accept(struct storage *st, const struct agent *me, const char *chat_id,
			   struct chat *out, struct api_error *err)
{
	return pg_offer_accept(conn_of(st), me, chat_id, out, err);
}

static bool p_offer_pass(struct storage *st, const struct agent *me, const char *chat_id,
			 struct api_error *err)
{
	return pg_offer_pass(conn_of(st), me, chat_id, err);
}

static bool p_offers_withdraw(struct storage *st, const char *agent_id,
			      struct offer_note *notes, size_t *n, struct api_error *err)
{
	return pg_offers_withdraw(conn_of(st), agent_id, notes, n, err);
}

static bool p_offers_of(struct storage *st, const char *agent_id, struct chat_offer *out,
			size_t *n, struct api_error *err)
{
	return pg_offers_of(conn_of(st), agent_id, out, n, err);
}

static bool p_chats_list(struct storage *st, const struct agent *me, const struct chat_query *q,
			 struct chat_page *out, struct api_error *err)
{
	return pg_chats_list(conn_of(st), me, q, out, err);
}

static bool p_chat_unread(struct storage *st, const struct agent *me, struct chat *c,
			  struct api_error *err)
{
	return pg_chat_unread(conn_of(st), me, c, err);
}

static bool p_chat_read(struct storage *st, const struct agent *me, const char *chat_id,
			int64_t seq, struct event *out, bool *moved, struct api_error *err)
{
	return pg_chat_read(conn_of(st), me, chat_id, seq, out, moved, err);
}

static bool p_owner_get(struct storage *st, const char *owner_id, struct owner_details *out,
			struct api_error *err)
{
	return pg_owner_get(conn_of(st), owner_id, out, err);
}

static bool p_chat_patch(struct storage *st, const struct agent *me, const char *chat_id,
			 const char *title, int ticket_status, struct chat *out,
			 struct api_error *err)
{
	return pg_chat_patch(conn_of(st), me, chat_id, title, ticket_status, out, err);
}

static bool p_assign(struct storage *st, const struct agent *me, const char *chat_id,
		     const char *agent_id, struct chat *out, struct api_error *err)
{
	return pg_assign(conn_of(st), me, chat_id, agent_id, out, err);
}

static bool p_stop(struct storage *st, const struct agent *me, const char *chat_id,
		   struct chat *out, struct api_error *err)
{
	return pg_stop(conn_of(st), me, chat_id, out, err);
}

static bool p_rate(struct storage *st, const struct agent *me, const char *chat_id, int score,
		   const char *feedback, const char *suggested_answer, struct chat *out,
		   struct api_error *err)
{
	return pg_rate(conn_of(st), me, chat_id, score, feedback, suggested_answer, out, err);
}

static bool p_messages_list(struct storage *st, const char *chat_id, int64_t before_seq,
			    int64_t after_seq, int limit, struct message_page *out,
			    struct api_error *err)
{
	return pg_messages_list(conn_of(st), chat_id, before_seq, after_seq, limit, out, err);
}

static bool p_reply(struct storage *st, const struct agent *me, const char *chat_id,
		    const char *text, const char *client_msg_id, bool internal,
		    struct message *out, bool *created, struct api_error *err)
{
	return pg_reply(conn_of(st), me, chat_id, text, client_msg_id, internal, out, created,
			err);
}

static bool p_ingest_batch(struct storage *st, const struct agent *me,
			   const struct ingest *items, size_t n, struct ingest_result *out,
			   struct api_error *err)
{
	return pg_ingest_batch(conn_of(st), me, items, n, out, err);
}

static bool p_canned_list(struct storage *st, const struct agent *me, struct canned **out,
			  size_t *n, struct api_error *err)
{
	return pg_canned_list(conn_of(st), me, out, n, err);
}

static bool p_canned_add(struct storage *st, const struct agent *me, const char *name,
			 const char *text, bool shared, struct canned *out,
			 struct api_error *err)
{
	return pg_canned_add(conn_of(st), me, name, text, shared, out, err);
}

static bool p_canned_remove(struct storage *st, const struct agent *me, const char *id,
			    struct canned *out, struct api_error *err)
{
	return pg_canned_remove(conn_of(st), me, id, out, err);
}

static bool p_search(struct storage *st, const char *text, bool with_notes, int limit,
		     struct search_page *out, struct api_error *err)
{
	return pg_search(conn_of(st), text, with_notes, limit, out, err);
}

static bool p_stats_daily(struct storage *st, int64_t from_day, int64_t to_day,
			  struct day_stats **out, size_t *n, struct api_error *err)
{
	return pg_stats_daily(conn_of(st), from_day, to_day, out, n, err);
}

static bool p_stats_ingest(struct storage *st, const struct agent *me, const char *platform,
			   const struct platform_day *days, size_t n, struct api_error *err)
{
	return pg_stats_ingest(conn_of(st), me, platform, days, n, err);
}

static bool p_stats_platforms(struct storage *st, int64_t from_day, int64_t to_day,
			      struct platform_stats **out, size_t *n, struct api_error *err)
{
	return pg_stats_platforms(conn_of(st), from_day, to_day, out, n, err);
}

static bool p_dashboard(struct storage *st, int64_t now, const struct agent *agents, size_t n,
			struct dash_snapshot *out, struct api_error *err)
{
	return pg_dashboard(conn_of(st), now, agents, n, out, err);
}

static const struct storage_ops pg_ops = {
	.backend = "postgresql",
	.schema_version = PG_SCHEMA_VERSION,
	.threaded = true,
	.for_thread = p_for_thread,
	.close = p_close,
	.set_event_listener = p_set_event_listener,
	.events_head = p_events_head,
	.events_oldest = p_events_oldest,
	.events_after = p_events_after,
	.ingest_may_see = p_ingest_may_see,
	.share_hear = p_share_hear,
	.share_send = p_share_send,
	.account_add = p_account_add,
	.grant = p_grant,
	.authenticate = p_authenticate,
	.token_recall = p_token_recall,
	.token_remember = p_token_remember,
	.agents_list = p_agents_list,
	.agent_get = p_agent_get,
	.agent_set_capacity = p_agent_set_capacity,
	.offers_round = p_offers_round,
	.offer_accept = p_offer_accept,
	.offer_pass = p_offer_pass,
	.offers_withdraw = p_offers_withdraw,
	.offers_of = p_offers_of,
	.chats_list = p_chats_list,
	.chat_get = p_chat_get,
	.chat_patch = p_chat_patch,
	.takeover = p_takeover,
	.handback = p_handback,
	.assign = p_assign,
	.stop = p_stop,
	.rate = p_rate,
	.chat_unread = p_chat_unread,
	.chat_read = p_chat_read,
	.messages_list = p_messages_list,
	.reply = p_reply,
	.ingest = p_ingest,
	.ingest_batch = p_ingest_batch,
	.canned_list = p_canned_list,
	.canned_add = p_canned_add,
	.canned_remove = p_canned_remove,
	.search = p_search,
	.owner_get = p_owner_get,
	.stats_daily = p_stats_daily,
	.stats_ingest = p_stats_ingest,
	.stats_platforms = p_stats_platforms,
	.dashboard = p_dashboard,
};

struct storage *storage_pg_open(const char *target, const struct storage_settings *set,
				int *found, struct errbuf *err)
{
	struct storage_pg *s = calloc(1, sizeof *s);

	if (!s) {
		errbuf_set(err, "out of memory");
		return NULL;
	}
	s->conninfo = strdup(pg_target_conninfo(target));
	s->pg = s->conninfo ? pg_open(s->conninfo, err) : NULL;
	if (!s->pg) {
		if (!s->conninfo)
			errbuf_set(err, "out of memory");
		free(s->conninfo);
		free(s);
		return NULL;
	}
	*found = pg_schema_found(s->pg);
	s->set = *set;
	s->id = atomic_fetch_add(&next_id, 1);
	pthread_mutex_init(&s->lock, NULL);
	s->base.ops = &pg_ops;
	return &s->base;
}
