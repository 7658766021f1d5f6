/*
 * storage_sqlite.c — the SQLite back end as a storage table (storage.h):
 * each entry hands the call to its db_* function, where the work is.
 *
 * SQLite serialises its writers and its handle is not shared between
 * threads, so every call is made on the hub's loop (`threaded` false).
 */
#include <stdlib.h>

#include "storage.h"

struct storage_sqlite {
	struct storage base; /* first: a struct storage * is one of these */
	struct db *db;
};

static struct db *db_of(struct storage *st)
{
	return ((struct storage_sqlite *)st)->db;
}

static void sq_close(struct storage *st)
{
	db_close(db_of(st));
	free(st);
}

/* One hub per database file: nobody to share notes with. */
static bool sq_share_hear(struct storage *st, storage_note_fn *fn, void *ctx)
{
	(void)st, (void)fn, (void)ctx;
	return false;
}

static bool sq_share_send(struct storage *st, const char *note, size_t len)
{
	(void)st, (void)note, (void)len;
	return false;
}

static bool sq_text_catch_up(struct storage *st, struct api_error *err)
{
	return db_text_catch_up(db_of(st), err);
}

static void sq_set_event_listener(struct storage *st, db_event_fn *fn, void *ctx)
{
	db_set_event_listener(db_of(st), fn, ctx);
}

static int64_t sq_events_head(struct storage *st)
{
	return db_events_head(db_of(st));
}

static int64_t sq_events_oldest(struct storage *st)
{
	return db_events_oldest(db_of(st));
}

static int sq_events_after(struct storage *st, int64_t since, int limit, const char *ingest_id,
			   db_event_fn *fn, void *ctx)
{
	return db_events_after(db_of(st), since, limit, ingest_id, fn, ctx);
}

static bool sq_ingest_may_see(struct storage *st, const char *ingest_id, const char *chat_id)
{
	return db_ingest_may_see(db_of(st), ingest_id, chat_id);
}

static bool sq_account_add(struct storage *st, const char *name, const char *email,
			   enum account_role role, char token[TOKEN_STRLEN + 1], struct agent *out,
			   struct errbuf *err)
{
	return db_account_add(db_of(st), name, email, role, token, out, err);
}

static bool sq_grant(struct storage *st, const char *ingest, enum grant_kind kind,
		     const char *source, bool revoke, bool *changed, struct errbuf *err)
{
	return db_grant(db_of(st), ingest, kind, source, revoke, changed, err);
}

static bool sq_authenticate(struct storage *st, const char *token, struct agent *out)
{
	return db_authenticate(db_of(st), token, out);
}

static bool sq_agents_list(struct storage *st, struct agent **out, size_t *n,
			   struct api_error *err)
{
	return db_agents_list(db_of(st), out, n, err);
}

static bool sq_agent_get(struct storage *st, const char *id, struct agent *out,
			 struct api_error *err)
{
	return db_agent_get(db_of(st), id, out, err);
}

static bool sq_agent_set_capacity(struct storage *st, const char *id, int64_t capacity,
				  struct agent *out, struct api_error *err)
{
	return db_agent_set_capacity(db_of(st), id, capacity, out, err);
}

static bool sq_offers_round(struct storage *st, const char *const *online, size_t nonline,
			    int64_t seconds, struct offer_note *notes, size_t *n, int64_t *next_ms,
			    struct api_error *err)
{
	return db_offers_round(db_of(st), online, nonline, seconds, notes, n, next_ms, err);
}

static bool sq_offer_accept(struct storage *st, const struct agent *me, const char *chat_id,
			    struct chat *out, struct api_error *err)
{
	return db_offer_accept(db_of(st), me, chat_id, out, err);
}

static bool sq_offer_pass(struct storage *st, const struct agent *me, const char *chat_id,
			  struct api_error *err)
{
	return db_offer_pass(db_of(st), me, chat_id, err);
}

static bool sq_offers_withdraw(struct storage *st, const char *agent_id,
			       struct offer_note *notes, size_t *n, struct api_error *err)
{
	return db_offers_withdraw(db_of(st), agent_id, notes, n, err);
}

static bool sq_offers_of(struct storage *st, const char *agent_id, struct chat_offer *out,
			 size_t *n, struct api_error *err)
{
	return db_offers_of(db_of(st), agent_id, out, n, err);
}

static bool sq_chats_list(struct storage *st, const struct agent *me, const struct chat_query *q,
			  struct chat_page *out, struct api_error *err)
{
	return db_chats_list(db_of(st), me, q, out, err);
}

static bool sq_chat_get(struct storage *st, const char *chat_id, struct chat *out,
			struct api_error *err)
{
	return db_chat_get(db_of(st), chat_id, out, err);
}

static bool sq_chat_patch(struct storage *st, const struct agent *me, const char *chat_id,
			  const char *title, int ticket_status, struct chat *out,
			  struct api_error *err)
{
	return db_chat_patch(db_of(st), me, chat_id, title, ticket_status, out, err);
}

static bool sq_takeover(struct storage *st, const struct agent *me, const char *chat_id,
			bool force, struct chat *out, struct api_error *err)
{
	return db_takeover(db_of(st), me, chat_id, force, out, err);
}

static bool sq_handback(struct storage *st, const struct agent *me, const char *chat_id,
			struct chat *out, struct api_error *err)
{
	return db_handback(db_of(st), me, chat_id, out, err);
}

static bool sq_assign(struct storage *st, const struct agent *me, const char *chat_id,
		      const char *agent_id, struct chat *out, struct api_error *err)
{
	return db_assign(db_of(st), me, chat_id, agent_id, out, err);
}

static bool sq_stop(struct storage *st, const struct agent *me, const char *chat_id,
		    struct chat *out, struct api_error *err)
{
	return db_stop(db_of(st), me, chat_id, out, err);
}

static bool sq_rate(struct storage *st, const struct agent *me, const char *chat_id, int score,
		    const char *feedback, const char *suggested_answer, struct chat *out,
		    struct api_error *err)
{
	return db_rate(db_of(st), me, chat_id, score, feedback, suggested_answer, out, err);
}

static bool sq_chat_unread(struct storage *st, const struct agent *me, struct chat *c,
			   struct api_error *err)
{
	return db_chat_unread(db_of(st), me, c, err);
}

static bool sq_chat_read(struct storage *st, const struct agent *me, const char *chat_id,
			 int64_t seq, struct event *out, bool *moved, struct api_error *err)
{
	return db_chat_read(db_of(st), me, chat_id, seq, out, moved, err);
}

static bool sq_messages_list(struct storage *st, const char *chat_id, int64_t before_seq,
			     int64_t after_seq, int limit, struct message_page *out,
			     struct api_error *err)
{
	return db_messages_list(db_of(st), chat_id, before_seq, after_seq, limit, out, err);
}

static bool sq_reply(struct storage *st, const struct agent *me, const char *chat_id,
		     const char *text, const char *client_msg_id, bool internal,
		     struct message *out, bool *created, struct api_error *err)
{
	return db_reply(db_of(st), me, chat_id, text, client_msg_id, internal, out, created, err);
}

static bool sq_ingest(struct storage *st, const struct agent *me, const struct ingest *in,
		      struct chat *chat, struct message *message, bool *created,
		      struct api_error *err)
{
	return db_ingest(db_of(st), me, in, chat, message, created, err);
}

static bool sq_ingest_batch(struct storage *st, const struct agent *me,
			    const struct ingest *items, size_t n, struct ingest_result *out,
			    struct api_error *err)
{
	return db_ingest_batch(db_of(st), me, items, n, out, err);
}

static bool sq_canned_list(struct storage *st, const struct agent *me, struct canned **out,
			   size_t *n, struct api_error *err)
{
	return db_canned_list(db_of(st), me, out, n, err);
}

static bool sq_canned_add(struct storage *st, const struct agent *me, const char *name,
			  const char *text, bool shared, struct canned *out,
			  struct api_error *err)
{
	return db_canned_add(db_of(st), me, name, text, shared, out, err);
}

static bool sq_canned_remove(struct storage *st, const struct agent *me, const char *id,
			     struct canned *out, struct api_error *err)
{
	return db_canned_remove(db_of(st), me, id, out, err);
}

static bool sq_search(struct storage *st, const char *text, bool with_notes, int limit,
		      struct search_page *out, struct api_error *err)
{
	return db_search(db_of(st), text, with_notes, limit, out, err);
}

static bool sq_owner_get(struct storage *st, const char *owner_id, struct owner_details *out,
			 struct api_error *err)
{
	return db_owner_get(db_of(st), owner_id, out, err);
}

static bool sq_stats_daily(struct storage *st, int64_t from_day, int64_t to_day,
			   struct day_stats **out, size_t *n, struct api_error *err)
{
	return db_stats_daily(db_of(st), from_day, to_day, out, n, err);
}

static bool sq_stats_ingest(struct storage *st, const struct agent *me, const char *platform,
			    const struct platform_day *days, size_t n, struct api_error *err)
{
	return db_stats_ingest(db_of(st), me, platform, days, n, err);
}

static bool sq_stats_platforms(struct storage *st, int64_t from_day, int64_t to_day,
			       struct platform_stats **out, size_t *n, struct api_error *err)
{
	return db_stats_platforms(db_of(st), from_day, to_day, out, n, err);
}

static bool sq_dashboard(struct storage *st, int64_t now, const struct agent *agents, size_t n,
			 struct dash_snapshot *out, struct api_error *err)
{
	return db_dashboard(db_of(st), now, agents, n, out, err);
}

static const struct storage_ops sqlite_ops = {
	.backend = DB_BACKEND,
	.schema_version = DB_SCHEMA_VERSION,
	.threaded = false,
	.close = sq_close,
	.set_event_listener = sq_set_event_listener,
	.share_hear = sq_share_hear,
	.share_send = sq_share_send,
	.text_catch_up = sq_text_catch_up,
	.events_head = sq_events_head,
	.events_oldest = sq_events_oldest,
	.events_after = sq_events_after,
	.ingest_may_see = sq_ingest_may_see,
	.account_add = sq_account_add,
	.grant = sq_grant,
	.authenticate = sq_authenticate,
	.agents_list = sq_agents_list,
	.agent_get = sq_agent_get,
	.agent_set_capacity = sq_agent_set_capacity,
	.offers_round = sq_offers_round,
	.offer_accept = sq_offer_accept,
	.offer_pass = sq_offer_pass,
	.offers_withdraw = sq_offers_withdraw,
	.offers_of = sq_offers_of,
	.chats_list = sq_chats_list,
	.chat_get = sq_chat_get,
	.chat_patch = sq_chat_patch,
	.takeover = sq_takeover,
	.handback = sq_handback,
	.assign = sq_assign,
	.stop = sq_stop,
	.rate = sq_rate,
	.chat_unread = sq_chat_unread,
	.chat_read = sq_chat_read,
	.messages_list = sq_messages_list,
	.reply = sq_reply,
	.ingest = sq_ingest,
	.ingest_batch = sq_ingest_batch,
	.canned_list = sq_canned_list,
	.canned_add = sq_canned_add,
	.canned_remove = sq_canned_remove,
	.search = sq_search,
	.owner_get = sq_owner_get,
	.stats_daily = sq_stats_daily,
	.stats_ingest = sq_stats_ingest,
	.stats_platforms = sq_stats_platforms,
	.dashboard = sq_dashboard,
};

struct storage *storage_sqlite_open(const char *path, const struct storage_settings *set,
				    int *found, struct errbuf *err)
{
	struct storage_sqlite *s = calloc(1, sizeof *s);

	if (!s) {
		errbuf_set(err, "out of memory");
		return NULL;
	}
	s->db = db_open(path, err);
	if (!s->db) {
		free(s);
		return NULL;
	}
	db_set_retention(s->db, set->retained);
	db_set_default_capacity(s->db, set->default_capacity);
	/* The hub's writes leave the text to index to text_catch_up. */
	db_text_later(s->db, true);
	*found = db_schema_found(s->db);
	s->base.ops = &sqlite_ops;
	return &s->base;
}

struct db *storage_sqlite_db(struct storage *st)
{
	return st->ops == &sqlite_ops ? db_of(st) : NULL;
}
