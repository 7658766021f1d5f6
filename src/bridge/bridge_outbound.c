/*
 * bridge_outbound.c — hub -> platform.
 *
 * The hub's event stream (ingest token, resumed with since= the seq in the
 * state db) is read for the chats this bridge created (chat.source.account
 * is the hello's me; a platform that answers customers also takes the
 * chats granted to it, bridge_answer.c). What an agent did becomes a job
 * in the durable queue, written in the same transaction as the event's
 * seq, so an event is either fully queued or seen again after a restart:
 *
 *   a reply (role agent)              -> post, tagged with the hub message id
 *   AGENT_JOINED, CHAT_REASSIGNED     -> holder human (the bot stays silent)
 *   AGENT_LEFT                        -> holder bot
 *   CONVERSATION_STOPPED              -> stop, where the platform can;
 *                                        else holder bot
 *   title / rating / ticket status    -> meta, when they changed
 *
 * Notes never leave the hub (the hub sends none to ingest accounts; a note
 * that came anyway is dropped here). The queue runs in lanes (the config's
 * outbound_lanes): a conversation's jobs one at a time, oldest first, so
 * its effects keep their order, and up to that many conversations at once,
 * so a conversation whose calls keep failing delays only itself. A call the
 * platform may accept later (no answer, 5xx, 429) is retried after its
 * Retry-After or a backoff that grows with the job's attempts, a refused
 * one is logged and dropped. Posting is idempotent on the platform (the hub
 * message id tag), so a job repeated after a crash posts nothing twice.
 *
 * Each chat's newest message turned into jobs is recorded with them (the
 * message's own seq), so an event seen twice queues nothing twice. When
 * the hub no longer keeps the events after the saved seq (a resync), the
 * stream pauses while bridge_resync.c walks this bridge's chats from those
 * marks through the same mapping; it then resumes from the hub's head.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "backoff.h"
#include "bridge.h"
#include "bridge_resync.h"
#include "jsonfield.h"
#include "log.h"
#include "stream.h"
#include "timeutil.h"

#define SEQ_KEY "hub_seq"
#define SEQ_FLUSH_MS 1000

/* One platform call at a time, for one conversation. */
struct lane {
	struct outbound *out;
	bool busy;
	int64_t job_id;
	int attempts;
	char *conv_id;
};

struct outbound {
	struct bridge *b;
	struct stream *stream;
	uuid_str me;
	int64_t seq_seen, seq_saved;
	uv_timer_t seq_timer, job_timer;
	struct lane *lanes;
	unsigned nlanes;
	struct backoff bo;           /* its attempt is set from the job's */
	struct resync *resync;       /* a walk after a resync, or NULL */
	int64_t resync_head;         /* where the stream resumes after it */
	bool first_start;            /* no seq in the state db: nothing to catch up on */
	/* The stream stopped at event held_seq of a chat with no conversation
	 * yet, until the ingest batches sent by then (up to held_batch) are
	 * recorded; then it reads again from that event. */
	bool holding;
	int64_t held_seq;
	uint64_t held_batch;
	bool dry;                    /* jobs_for only says whether it would queue */
	bool would_queue;
	int closing;
};

static void work(struct outbound *out);

static void save_seq(struct outbound *out)
{
	char buf[24];

	if (out->seq_seen <= out->seq_saved)
		return;
	snprintf(buf, sizeof buf, "%lld", (long long)out->seq_seen);
	if (bstate_kv_set(out->b->st, SEQ_KEY, buf))
		out->seq_saved = out->seq_seen;
}

static void on_seq_timer(uv_timer_t *t)
{
	save_seq(t->data);
}

/* ---- events -> jobs ----------------------------------------------------------------- */

static char *meta_of(const struct chat *c)
{
	cJSON *m = cJSON_CreateObject();
	char *s = NULL;

	/* The rating's words only when there are some, so the meta recorded
	 * before they were carried still compares equal. */
	if (m && json_add_string_or_null(m, "title", c->title) &&
	    cJSON_AddNumberToObject(m, "rating", c->rating.present ? c->rating.score : 0) &&
	    json_add_string_or_null(m, "status",
				    c->ticket.present ? ticket_status_name(c->ticket.status) : NULL) &&
	    (!c->rating.present || !c->rating.feedback ||
	     cJSON_AddStringToObject(m, "feedback", c->rating.feedback)) &&
	    (!c->rating.present || !c->rating.suggested_answer ||
	     cJSON_AddStringToObject(m, "suggested_answer", c->rating.suggested_answer)))
		s = cJSON_PrintUnformatted(m);
	cJSON_Delete(m);
	return s;
}

/* A chat as it starts (no title, no rating, an open ticket or none) says
 * nothing the platform needs to hear. */
static bool meta_is_initial(const struct chat *c)
{
	return !c->title && !c->rating.present &&
	       (!c->ticket.present || c->ticket.status == TICKET_OPEN);
}

/* Queue a job; on a dry run, only note that one would be (false: nothing
 * written after it either). */
static bool push(struct outbound *out, const char *kind, const struct chat *c, const char *conv,
		 cJSON *payload)
{
	if (out->dry) {
		out->would_queue = true;
		cJSON_Delete(payload);
		return false;
	}
	char *text = payload ? cJSON_PrintUnformatted(payload) : NULL;
	bool ok = text && bstate_job_push(out->b->st, kind, c->id, conv, text);

	if (ok)
		log_debug("outbound: chat %s: %s queued", c->id, kind);
	free(text);
	cJSON_Delete(payload);
	return ok;
}

const char *outbound_holder_after(enum system_type t)
{
	if (t == SYSTEM_TYPE_AGENT_JOINED || t == SYSTEM_TYPE_CHAT_REASSIGNED)
		return "human";
	if (t == SYSTEM_TYPE_AGENT_LEFT || t == SYSTEM_TYPE_CONVERSATION_STOPPED)
		return "bot";
	return NULL;
}

/* The jobs one event of our chat calls for, in the open transaction. */
static bool jobs_for(struct outbound *out, const struct event *e, const char *conv)
{
	const struct chat *c = e->chat;
	const struct message *m = e->message;
	bool ok = true;

	if (e->type == EVENT_MESSAGE_CREATED && m) {
		if (m->role == MSG_ROLE_AGENT) {
			cJSON *p = cJSON_CreateObject();
			if (p && (!cJSON_AddStringToObject(p, "msg_id", m->id) ||
				  !cJSON_AddStringToObject(p, "text", m->text) ||
				  !cJSON_AddStringToObject(p, "agent_id", m->author.id) ||
				  !json_add_string_or_null(p, "agent_name", m->author.name))) {
				cJSON_Delete(p);
				p = NULL;
			}
			ok = push(out, "post", c, conv, p);
		} else if (m->role == MSG_ROLE_NOTE) {
			log_warn("outbound: a note of chat %s came on the stream; it stays in the hub",
				 c->id);
		} else if (m->role == MSG_ROLE_SYSTEM) {
			const char *holder = outbound_holder_after(m->system_type);
			if (m->system_type == SYSTEM_TYPE_CONVERSATION_STOPPED && out->b->pf->stop) {
				ok = push(out, "stop", c, conv, cJSON_CreateObject()) &&
				     bstate_conv_set_handoff(out->b->st, conv, "");
			} else if (holder) {
				cJSON *p = cJSON_CreateObject();
				if (p && !cJSON_AddStringToObject(p, "holder", holder)) {
					cJSON_Delete(p);
					p = NULL;
				}
				ok = push(out, "holder", c, conv, p) &&
				     bstate_conv_set_handoff(out->b->st, conv,
							     holder[0] == 'h' ? "human" : "");
			}
		}
	}
	char *was = NULL, *now = meta_of(c);
	if (ok && now && bstate_conv_meta(out->b->st, c->id, &was) && was &&
	    strcmp(was, now) != 0 && (was[0] || !meta_is_initial(c))) {
		ok = push(out, "meta", c, conv, cJSON_Parse(now)) &&
		     bstate_conv_set_meta(out->b->st, c->id, now);
	}
	free(was);
	free(now);
	return ok;
}

/* Whether `e` calls for a job (read only). Most events of our chats do
 * not: the customers' and the bot's messages coming in, and a backfill
 * brings tens of thousands of them, a write transaction each if they
 * were recorded like the rest. */
static bool calls_for_jobs(struct outbound *out, const struct event *e, const char *conv)
{
	out->dry = true;
	out->would_queue = false;
	jobs_for(out, e, conv);
	out->dry = false;
	return out->would_queue;
}

/* In one transaction: the jobs `e` calls for, unless its message was
 * turned into jobs already, the chat's message mark, and the event's seq
 * (when it has one: the resync walk's events have none). A granted
 * chat (no conversation of ours, `conv` NULL) calls for answers only. An
 * event of ours that calls for no job writes nothing: *written false, its
 * seq is saved with the next (or by the timer), and the mark stays at the
 * last message that called for jobs, so a resync walks the later ones
 * again, which call for nothing again. */
static bool record_event(void *ctx, const struct event *e, const char *conv, bool *written)
{
	struct outbound *out = ctx;
	struct bstate *st = out->b->st;
	struct event once = *e;
	char seq[24];

	*written = false;
	if (conv && e->message && e->message->seq <= bstate_conv_msg_seq(st, e->chat->id))
		once.message = NULL; /* its jobs are queued: only the meta is compared */
	if (conv && !calls_for_jobs(out, &once, conv))
		return true;
	if (!bstate_begin(st))
		return false;
	bool ok;
	if (!conv) {
		ok = answer_jobs_for(out->b, e);
	} else {
		ok = jobs_for(out, &once, conv) &&
		     (!once.message || bstate_conv_set_msg_seq(st, e->chat->id, e->message->seq));
	}
	snprintf(seq, sizeof seq, "%lld", (long long)e->seq);
	ok = ok && (e->seq <= 0 || bstate_kv_set(st, SEQ_KEY, seq));
	if (ok && bstate_commit(st))
		return *written = true;
	if (!ok)
		bstate_rollback(st);
	return false;
}

/* record_event for the resync walk, which keeps its own place. */
static bool record(void *ctx, const struct event *e, const char *conv)
{
	bool written;

	return record_event(ctx, e, conv, &written);
}

static void on_event(void *ctx, const struct event *e)
{
	struct outbound *out = ctx;
	struct bstate *st = out->b->st;
	char *conv = NULL;
	bool ours = e->chat && e->chat->source.present &&
		    strcmp(e->chat->source.account_id, out->me) == 0;

	/* Another source's chat comes only when granted (doc/protocol.md);
	 * a platform that answers customers takes it (bridge_answer.c). */
	if (!ours && !(e->chat && out->b->pf->answer)) {
		out->seq_seen = e->seq; /* saved by the timer: replaying it is harmless */
		return;
	}
	if (ours && !bstate_chat_conv(st, e->chat->id, &conv)) {
		/* The events of a chat's first ingest can come before its
		 * answer, which records the conversation; so can what an agent
		 * does at once with the chat (a takeover, a reply), which would
		 * then never reach the platform. For an event that calls for a
		 * job (never the ingest's own: a backfill does not reconnect
		 * for each batch), while batches sent by now are unrecorded,
		 * stop reading here and read from this event again once they
		 * are. Only once: a chat the state db still does not know
		 * (another state db's) has nothing to send. */
		if (e->seq > out->held_seq && out->b->in &&
		    inbound_unrecorded(out->b->in, UINT64_MAX) && calls_for_jobs(out, e, "")) {
			log_debug("outbound: chat %s: event %lld before its conversation is "
				  "recorded; reading again once the hub's answers are",
				  e->chat->id, (long long)e->seq);
			out->holding = true;
			out->held_seq = e->seq;
			out->held_batch = inbound_batches_sent(out->b->in);
			stream_stop(out->stream);
			return;
		}
		if (e->message && e->message->role == MSG_ROLE_AGENT)
			log_warn("outbound: chat %s has no conversation in the state db", e->chat->id);
		out->seq_seen = e->seq;
		return;
	}
	bool written;
	bool ok = record_event(out, e, conv, &written);
	free(conv);
	if (!ok) {
		/* Not recorded: the restart resumes before this event. Stop
		 * reading rather than lose it. */
		log_error("outbound: cannot queue event %lld; stopping the stream",
			  (long long)e->seq);
		stream_stop(out->stream);
		return;
	}
	out->seq_seen = e->seq;
	if (written)
		out->seq_saved = e->seq;
	work(out);
}

static void on_hello(void *ctx, const struct event *hello)
{
	struct outbound *out = ctx;

	if (hello->me)
		snprintf(out->me, sizeof out->me, "%s", hello->me->id);
	log_info("hub: connected as %s (seq %lld)", hello->me ? hello->me->name : "?",
		 (long long)hello->head);
}

static void on_resync_done(void *ctx, bool ok)
{
	struct outbound *out = ctx;

	resync_free(out->resync);
	out->resync = NULL;
	if (!ok) /* stopped by a drain: the next start walks again */
		return;
	log_info("hub: resync done; continuing from %lld", (long long)out->resync_head);
	out->seq_seen = out->resync_head;
	out->seq_saved = -1; /* saved even when the head is below it (another hub db) */
	save_seq(out);
	stream_start(out->stream, out->resync_head);
	work(out);
}

static void on_resync(void *ctx)
{
	struct outbound *out = ctx;

	if (out->first_start) {
		out->first_start = false;
		out->seq_seen = stream_last_seq(out->stream);
		save_seq(out);
		return;
	}
	/* The events after the saved seq are gone: pause the stream (its
	 * events would race the walk), walk the chats, then resume from the
	 * head announced now. The saved seq stays until the walk is done, so
	 * a bridge stopped during it walks again. */
	log_warn("hub: events after %lld are no longer kept; walking this bridge's chats",
		 (long long)out->seq_saved);
	out->resync_head = stream_last_seq(out->stream);
	stream_stop(out->stream);
	resync_free(out->resync);
	out->resync = resync_start(out->b, record, on_resync_done, out);
	if (!out->resync)
		log_error("hub: cannot walk the chats (out of memory); the stream stays stopped");
}

static void on_state(void *ctx, const struct stream_status *s)
{
	(void)ctx;
	if (s->state == STREAM_RETRYING)
		log_warn("hub: event stream %s: %s", stream_state_name(s->state),
			 s->reason ? s->reason : "");
	else if (s->state == STREAM_OFFLINE)
		log_error("hub: event stream offline: %s", s->reason ? s->reason : "");
}

/* ---- the queue worker ----------------------------------------------------------------- */

static void lane_free_job(struct lane *l)
{
	l->busy = false;
	free(l->conv_id);
	l->conv_id = NULL;
}

static void on_job_done(void *ctx, struct pf_result *r)
{
	struct lane *l = ctx;
	struct outbound *out = l->out;
	struct bstate *st = out->b->st;

	if (r->status == PF_OK) {
		log_info("outbound: job %lld done", (long long)l->job_id);
		bstate_job_done(st, l->job_id);
	} else if (r->status == PF_REFUSED) {
		log_error("outbound: job %lld dropped: %s", (long long)l->job_id, r->text);
		bstate_job_done(st, l->job_id);
	} else {
		out->bo.attempt = (unsigned)l->attempts;
		uint64_t delay = r->retry_after_ms ? r->retry_after_ms : backoff_next_ms(&out->bo);
		log_warn("outbound: job %lld: %s; again in %.1f s", (long long)l->job_id, r->text,
			 delay / 1000.0);
		bstate_job_later(st, l->job_id, l->attempts + 1, ts_now() + (int64_t)delay);
	}
	lane_free_job(l);
	work(out);
	bridge_drain_check(out->b);
}

static void on_job_timer(uv_timer_t *t)
{
	work(t->data);
}

static const char *pstr(const cJSON *p, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(p, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool start_job(struct lane *l, const struct bjob *j, const cJSON *p, struct errbuf *err)
{
	const struct bridge_platform *pf = l->out->b->pf;
	struct pf_client *pc = l->out->b->pc;

	if (strcmp(j->kind, "post") == 0 && pstr(p, "msg_id") && pstr(p, "text"))
		return pf->post(pc, j->conv_id, pstr(p, "agent_id"), pstr(p, "agent_name"),
				pstr(p, "msg_id"), pstr(p, "text"), on_job_done, l, err);
	if (strcmp(j->kind, "holder") == 0 && pstr(p, "holder"))
		return pf->set_holder(pc, j->conv_id,
				      strcmp(pstr(p, "holder"), "human") == 0 ? PF_HOLDER_HUMAN
									    : PF_HOLDER_BOT,
				      on_job_done, l, err);
	if (strcmp(j->kind, "meta") == 0) {
		const cJSON *rating = cJSON_GetObjectItemCaseSensitive(p, "rating");
		struct pf_meta m = {pstr(p, "title"),
				    cJSON_IsNumber(rating) ? (int)rating->valuedouble : 0,
				    pstr(p, "status"), pstr(p, "feedback"),
				    pstr(p, "suggested_answer")};
		return pf->set_meta(pc, j->conv_id, &m, on_job_done, l, err);
	}
	if (strcmp(j->kind, "answer") == 0 && pf->answer)
		return answer_start(l->out->b, j, p, on_job_done, l, err);
	if (strcmp(j->kind, "stop") == 0 && pf->stop)
		return pf->stop(pc, j->conv_id, on_job_done, l, err);
	return errbuf_set(err, "unknown job \"%s\"", j->kind);
}

/* The lane running `conv`, or else a free one (NULL: none). */
static struct lane *lane_for(struct outbound *out, const char *conv, bool *running)
{
	struct lane *free_lane = NULL;

	*running = false;
	for (unsigned i = 0; i < out->nlanes; i++) {
		struct lane *l = &out->lanes[i];
		if (l->busy && strcmp(l->conv_id, conv) == 0) {
			*running = true;
			return l;
		}
		if (!l->busy && !free_lane)
			free_lane = l;
	}
	return free_lane;
}

/* Start the due jobs whose conversation has none in flight, as long as a
 * lane is free; wake up when the next waiting one is due. */
static void work(struct outbound *out)
{
	/* A busy conversation's head is among them: twice the lanes leaves
	 * room for as many others. */
	struct bjob heads[2 * BRIDGE_LANES_MAX];
	int64_t now = ts_now(), next_at;
	struct errbuf why;

	if (out->b->draining)
		return;
	size_t n = bstate_job_heads(out->b->st, now, heads, 2 * out->nlanes, &next_at);
	for (size_t i = 0; i < n; i++) {
		bool running;
		struct lane *l = lane_for(out, heads[i].conv_id, &running);
		cJSON *p = l && !running ? cJSON_Parse(heads[i].payload) : NULL;
		if (l && !running) {
			l->out = out;
			l->job_id = heads[i].id;
			l->attempts = heads[i].attempts;
			l->busy = p && start_job(l, &heads[i], p, &why);
			if (l->busy) {
				l->conv_id = heads[i].conv_id;
				heads[i].conv_id = NULL;
			} else {
				log_error("outbound: job %lld dropped: %s", (long long)heads[i].id,
					  p ? why.msg : "unreadable payload");
				bstate_job_done(out->b->st, heads[i].id);
				next_at = now; /* what it held back may run now */
			}
		}
		cJSON_Delete(p);
		bjob_free(&heads[i]);
	}
	if (next_at)
		uv_timer_start(&out->job_timer, on_job_timer,
			       next_at > now ? (uint64_t)(next_at - now) : 0, 0);
}

/* ---- life --------------------------------------------------------------------------------- */

struct outbound *outbound_new(struct bridge *b, struct errbuf *err)
{
	static const struct stream_callbacks cb = {
		.on_hello = on_hello, .on_event = on_event, .on_resync = on_resync,
		.on_state = on_state,
	};
	struct outbound *out = calloc(1, sizeof *out);

	if (!out) {
		errbuf_set(err, "out of memory");
		return NULL;
	}
	out->b = b;
	out->nlanes = b->cfg->outbound_lanes;
	out->lanes = calloc(out->nlanes, sizeof *out->lanes);
	if (!out->lanes) {
		free(out);
		errbuf_set(err, "out of memory");
		return NULL;
	}
	out->stream = stream_new(b->loop, b->cfg->hub_url, b->cfg->ingest_token, false, &cb, out,
				 err);
	if (!out->stream) {
		free(out->lanes);
		free(out);
		return NULL;
	}
	backoff_init(&out->bo, BACKOFF_BASE_S, BACKOFF_CAP_S,
		     (uint64_t)ts_now() ^ ((uint64_t)getpid() << 16));
	uv_timer_init(b->loop, &out->seq_timer);
	uv_timer_init(b->loop, &out->job_timer);
	out->seq_timer.data = out->job_timer.data = out;
	return out;
}

void outbound_start(struct outbound *out)
{
	char *v = NULL;
	int64_t since = -1;

	if (bstate_kv_get(out->b->st, SEQ_KEY, &v) && v)
		since = strtoll(v, NULL, 10);
	free(v);
	out->seq_saved = out->seq_seen = since;
	out->first_start = since < 0;
	stream_start(out->stream, since);
	uv_timer_start(&out->seq_timer, on_seq_timer, SEQ_FLUSH_MS, SEQ_FLUSH_MS);
	work(out);
}

void outbound_inbound_recorded(struct outbound *out)
{
	if (!out || !out->holding ||
	    (out->b->in && inbound_unrecorded(out->b->in, out->held_batch)))
		return;
	out->holding = false;
	/* A drain stops here: the next start reads from the saved seq,
	 * which is before the held event. */
	if (!out->b->draining && !out->closing)
		stream_start(out->stream, out->held_seq - 1);
}

bool outbound_idle(const struct outbound *out)
{
	for (unsigned i = 0; i < out->nlanes; i++)
		if (out->lanes[i].busy)
			return false;
	return true;
}

static void on_closed(uv_handle_t *h)
{
	struct outbound *out = h->data;

	if (--out->closing == 0) {
		for (unsigned i = 0; i < out->nlanes; i++)
			free(out->lanes[i].conv_id);
		free(out->lanes);
		free(out);
	}
}

void outbound_free(struct outbound *out)
{
	if (!out)
		return;
	save_seq(out);
	resync_free(out->resync);
	out->resync = NULL;
	stream_free(out->stream);
	out->closing = 2;
	uv_close((uv_handle_t *)&out->seq_timer, on_closed);
	uv_close((uv_handle_t *)&out->job_timer, on_closed);
}
