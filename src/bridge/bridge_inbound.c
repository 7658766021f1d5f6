/*
 * bridge_inbound.c — platform -> hub.
 *
 * Work arrives as items (a platform message, or an escalation with no
 * message to carry it) from two places: the poller, and pushed deliveries
 * (bridge_webhook.c). Each item is
 *   [describe the conversation, when the hub has no chat for it yet]
 *   POST /v1/ingest/messages with external_id = the conversation,
 *   external_message_id = the platform message (the hub drops a repeat)
 * and recorded in the state db. Items of one conversation go one at a
 * time, in order (the hub stores a chat's messages in arrival order);
 * up to LANES conversations go at once. The poll cursor is written when
 * every item of its round is recorded, so a restart resumes with the
 * first round not wholly in: nothing is lost, and what is repeated is
 * known already (the message map) or dropped by the hub.
 *
 * Polling is adaptive: poll_min_ms after a round that found work, doubling
 * to poll_max_ms while nothing happens; a round starts only once the items
 * of the last one are done, and a failed round waits for the backoff or
 * the platform's Retry-After. Pushed items never move the poll cursor, so
 * whatever a push lost (no delivery, a crash before its ingest) the poller
 * still finds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "backoff.h"
#include "bridge.h"
#include "log.h"
#include "timeutil.h"

#define CURSOR_KEY "poll_cursor"
/* Conversations ingested at once. */
#define LANES 16
/* How far down the queue to look for an item whose conversation is free. */
#define WINDOW 64

struct item {
	struct item *prev, *next;
	struct inbound *in;
	struct pf_message m;        /* m.id NULL: an escalation alone */
	char *mark;                 /* an escalation's mark */
	bool want_escalate;
	bool polled;                /* counts in the poll round */
	bool busy;                  /* a call of it is in flight */
	uint64_t not_before;        /* a retry's wait, on the loop's clock */
	struct backoff bo;
	bool described;
	char *channel_type, *channel_name, *customer_name;
};

struct inbound {
	struct bridge *b;
	uv_timer_t poll_timer, retry_timer;
	unsigned interval_ms;
	bool polling;
	bool pumping;               /* inside pump's loop */
	unsigned inflight;
	struct item *head, *tail;
	size_t round_left;          /* polled items not yet recorded */
	char *round_cursor;         /* written when round_left reaches 0 */
	struct backoff poll_bo;     /* failed rounds */
	uint64_t seed;
	int closing;                /* handles still to close */
};

static void pump(struct inbound *in);
static void on_poll_timer(uv_timer_t *t);
static void on_retry_timer(uv_timer_t *t);

static void item_free(struct item *it)
{
	pf_message_free(&it->m);
	free(it->mark);
	free(it->channel_type);
	free(it->channel_name);
	free(it->customer_name);
	free(it);
}

static struct item *item_new(struct inbound *in)
{
	struct item *it = calloc(1, sizeof *it);

	if (!it)
		return NULL;
	it->in = in;
	backoff_init(&it->bo, BACKOFF_BASE_S, BACKOFF_CAP_S, in->seed += 0x9e3779b97f4a7c15u);
	return it;
}

static void append(struct inbound *in, struct item *it)
{
	it->prev = in->tail;
	if (in->tail)
		in->tail->next = it;
	else
		in->head = it;
	in->tail = it;
}

static void unlink_item(struct inbound *in, struct item *it)
{
	if (it->prev)
		it->prev->next = it->next;
	else
		in->head = it->next;
	if (it->next)
		it->next->prev = it->prev;
	else
		in->tail = it->prev;
}

static void poll_soon(struct inbound *in)
{
	if (!in->round_left && !in->polling && !in->b->draining &&
	    !uv_is_active((uv_handle_t *)&in->poll_timer))
		uv_timer_start(&in->poll_timer, on_poll_timer, in->interval_ms, 0);
}

/* ---- building items ---------------------------------------------------------- */

/* Items for `r`'s messages and escalations (taking them out of r).
 * Messages already ingested are left out. With a `cursor` (a poll round)
 * the items count in the round, and the cursor is written once they are
 * all in. Returns how many items were added. */
static size_t enqueue(struct inbound *in, struct pf_result *r, const char *cursor)
{
	struct item *first = NULL;
	size_t n = 0;
	bool oom = false;

	for (size_t i = 0; i < r->nmsgs && !oom; i++) {
		struct pf_message *m = &r->msgs[i];
		if (m->author == AUTHOR_BRIDGE || bstate_msg_known(in->b->st, m->id))
			continue;
		struct item *it = item_new(in);
		if (!(oom = !it)) {
			it->m = *m;
			memset(m, 0, sizeof *m);
			append(in, it);
			first = first ? first : it;
			n++;
		}
	}
	for (size_t w = 0; w < r->nwanting && !oom; w++) {
		struct pf_wanting *want = &r->wanting[w];
		struct item *carrier = NULL;
		char *handoff = NULL;
		bool known = bstate_conv_handoff(in->b->st, want->conv_id, &handoff) && handoff &&
			     strcmp(handoff, "requested") == 0;
		free(handoff);
		if (known) /* escalated in the hub already */
			continue;
		/* The conversation's newest new message carries the escalation. */
		for (struct item *it = first; it; it = it->next)
			if (it->m.id && strcmp(it->m.conv_id, want->conv_id) == 0)
				carrier = it;
		if (carrier) {
			carrier->want_escalate = true;
			continue;
		}
		struct item *it = item_new(in);
		if (!(oom = !it)) {
			it->m.conv_id = want->conv_id;
			it->mark = want->mark;
			want->conv_id = want->mark = NULL;
			it->want_escalate = true;
			append(in, it);
			first = first ? first : it;
			n++;
		}
	}
	if (!cursor)
		return n;
	for (struct item *it = first; it; it = it->next)
		it->polled = true;
	in->round_left = n;
	/* Out of memory, the cursor stays: the next round asks again. */
	if (oom)
		return n;
	if (n)
		in->round_cursor = strdup(cursor);
	else
		bstate_kv_set(in->b->st, CURSOR_KEY, cursor);
	return n;
}

void inbound_push(struct inbound *in, struct pf_result *r)
{
	size_t n = enqueue(in, r, NULL);

	if (n)
		log_debug("inbound: %zu item%s pushed", n, n == 1 ? "" : "s");
	pump(in);
}

/* ---- polling ------------------------------------------------------------------- */

static void on_changes(void *ctx, struct pf_result *r)
{
	struct inbound *in = ctx;

	in->polling = false;
	if (r->status != PF_OK) {
		uint64_t delay = r->retry_after_ms ? r->retry_after_ms : backoff_next_ms(&in->poll_bo);
		if (r->status == PF_REFUSED)
			log_error("inbound: %s", r->text);
		else
			log_warn("inbound: %s; polling again in %.1f s", r->text, delay / 1000.0);
		if (!in->b->draining)
			uv_timer_start(&in->poll_timer, on_poll_timer, delay, 0);
		bridge_drain_check(in->b);
		return;
	}
	backoff_reset(&in->poll_bo);
	if (r->wanting_complete) {
		char **keep = calloc(r->nwanting + 1, sizeof *keep);
		for (size_t i = 0; keep && i < r->nwanting; i++)
			keep[i] = r->wanting[i].conv_id;
		if (keep)
			bstate_conv_requested_prune(in->b->st, keep, r->nwanting);
		free(keep);
	}
	size_t n = enqueue(in, r, r->cursor);
	if (n)
		log_debug("inbound: poll found %zu item%s", n, n == 1 ? "" : "s");
	in->interval_ms = n ? in->b->cfg->poll_min_ms
			    : in->interval_ms * 2 > in->b->cfg->poll_max_ms ? in->b->cfg->poll_max_ms
			    : in->interval_ms * 2;
	pump(in);
	poll_soon(in);
	bridge_drain_check(in->b);
}

static void on_poll_timer(uv_timer_t *t)
{
	struct inbound *in = t->data;
	char *cursor = NULL;
	struct errbuf why;

	if (in->b->draining || in->polling || in->round_left)
		return; /* the round's last item re-arms the timer */
	bstate_kv_get(in->b->st, CURSOR_KEY, &cursor);
	in->polling = in->b->pf->changes(in->b->pc, cursor, on_changes, in, &why);
	free(cursor);
	if (!in->polling) {
		log_error("inbound: cannot poll: %s", why.msg);
		uv_timer_start(&in->poll_timer, on_poll_timer, in->b->cfg->poll_max_ms, 0);
	}
}

/* ---- ingesting one item ----------------------------------------------------------- */

/* Record what the hub did with `it` (NULL ids: nothing to map). */
static void record(struct item *it, const char *chat_id, const char *hub_msg_id, bool escalated)
{
	struct bstate *st = it->in->b->st;

	bool ok = bstate_begin(st);
	if (ok && chat_id)
		ok = bstate_conv_set_chat(st, it->m.conv_id, chat_id);
	if (ok && it->m.id)
		ok = bstate_msg_add(st, it->m.id, hub_msg_id ? hub_msg_id : "");
	if (ok && escalated)
		ok = bstate_conv_set_handoff(st, it->m.conv_id, "requested");
	if (ok)
		ok = bstate_commit(st);
	if (!ok)
		log_error("inbound: cannot record conversation %s in the state db", it->m.conv_id);
}

/* `it` is over: off the queue; the round's cursor once the round is in. */
static void item_done(struct item *it)
{
	struct inbound *in = it->in;

	if (it->busy) {
		it->busy = false;
		in->inflight--;
	}
	unlink_item(in, it);
	if (it->polled && --in->round_left == 0 && in->round_cursor) {
		bstate_kv_set(in->b->st, CURSOR_KEY, in->round_cursor);
		free(in->round_cursor);
		in->round_cursor = NULL;
	}
	item_free(it);
	poll_soon(in);
	pump(in);
	bridge_drain_check(in->b);
}

static void retry_later(struct item *it, uint64_t delay_ms)
{
	struct inbound *in = it->in;

	if (it->busy) {
		it->busy = false;
		in->inflight--;
	}
	it->not_before = uv_now(in->b->loop) + (delay_ms ? delay_ms : backoff_next_ms(&it->bo));
	pump(in);
	bridge_drain_check(in->b);
}

static void on_ingest(void *ctx, struct api_result *r)
{
	struct item *it = ctx;

	if (r->err == API_ERR_NONE) {
		log_debug("inbound: %s %s -> chat %s message %s%s", it->m.id ? "message" : "escalation",
			  it->m.id ? it->m.id : it->m.conv_id, r->chat->id, r->message->id,
			  r->created ? "" : " (already there)");
		record(it, r->chat->id, r->message->id, it->want_escalate);
		item_done(it);
		return;
	}
	if (r->err == API_ERR_SERVER && r->http_status != 401 && r->http_status != 429 &&
	    r->http_status < 500) {
		/* The hub will say the same again (a stopped chat, a bot message
		 * while an agent holds it, a text too long): skip it, say so. */
		log_warn("inbound: %s of conversation %s refused by the hub: %s",
			 it->m.id ? "message" : "escalation", it->m.conv_id, r->text);
		record(it, NULL, NULL, false);
		item_done(it);
		return;
	}
	log_warn("inbound: ingest: %s", r->text);
	retry_later(it, 0);
}

static bool ingest(struct item *it, bool escalate, struct errbuf *why)
{
	struct inbound *in = it->in;
	char chat_id[37], ext[256];
	bool customer = it->m.id && it->m.author == AUTHOR_CUSTOMER;

	bstate_conv_chat(in->b->st, it->m.conv_id, chat_id);
	if (!it->m.id)
		snprintf(ext, sizeof ext, "escalated.%.200s", it->mark);
	struct api_ingest_req req = {
		.chat_id = chat_id[0] ? chat_id : NULL,
		.external_id = it->m.conv_id,
		.channel_type = it->channel_type,
		.channel_name = it->channel_name,
		.owner_external_id = customer ? it->m.user_id : NULL,
		.owner_name = customer ? it->customer_name : NULL,
		.role = customer ? "user" : "bot",
		.text = it->m.id ? it->m.text : in->b->cfg->escalation_text,
		.escalate = escalate,
		.external_message_id = it->m.id ? it->m.id : ext,
		.source_platform = in->b->pf->name,
	};
	return api_ingest(in->b->hub, &req, on_ingest, it, why);
}

static void on_describe(void *ctx, struct pf_result *r)
{
	struct item *it = ctx;

	if (r->status == PF_REFUSED) {
		log_error("inbound: conversation %s: %s; skipped", it->m.conv_id, r->text);
		item_done(it);
		return;
	}
	if (r->status == PF_RETRY) {
		log_warn("inbound: %s", r->text);
		retry_later(it, r->retry_after_ms);
		return;
	}
	it->in->inflight--;
	it->busy = false;
	it->described = true;
	it->channel_type = r->channel_type;
	it->channel_name = r->channel_name;
	it->customer_name = r->customer_name;
	r->channel_type = r->channel_name = r->customer_name = NULL;
	pump(it->in);
}

/* Start `it`, or finish it at once when there is nothing to do for it
 * (true: the queue changed under the caller). */
static bool start(struct item *it)
{
	struct inbound *in = it->in;
	char chat_id[37], *handoff = NULL;
	struct errbuf why;
	bool started;

	if (it->m.id && bstate_msg_known(in->b->st, it->m.id)) {
		/* A push and a poll found the same message. */
		if (!it->want_escalate) {
			item_done(it);
			return true;
		}
		/* It was to carry an escalation, but the hub has it already: a
		 * notice carries it instead, marked by that message's id. */
		it->mark = it->m.id;
		it->m.id = NULL;
	}
	bool escalate = false;
	if (it->want_escalate) {
		bstate_conv_handoff(in->b->st, it->m.conv_id, &handoff);
		escalate = !handoff || strcmp(handoff, "requested") != 0;
		free(handoff);
	}
	if (!it->m.id && !escalate) {
		item_done(it);
		return true;
	}
	it->want_escalate = escalate;
	if (!bstate_conv_chat(in->b->st, it->m.conv_id, chat_id) && !it->described) {
		bool customer = it->m.id && it->m.author == AUTHOR_CUSTOMER;
		started = in->b->pf->describe(in->b->pc, it->m.conv_id,
					      customer ? it->m.user_id : NULL, on_describe, it, &why);
	} else {
		started = ingest(it, escalate, &why);
	}
	if (started) {
		it->busy = true;
		in->inflight++;
		return false;
	}
	log_error("inbound: %s", why.msg);
	it->not_before = uv_now(in->b->loop) + backoff_next_ms(&it->bo);
	return false;
}

/* An earlier item of the same conversation is still to be done. */
static bool conv_blocked(const struct item *it)
{
	for (const struct item *p = it->in->head; p != it; p = p->next)
		if (strcmp(p->m.conv_id, it->m.conv_id) == 0)
			return true;
	return false;
}

/* Start what may start: up to LANES items, the first of each conversation
 * among the queue's first WINDOW; arm the retry timer for the earliest
 * item waiting. A loop, not recursion: item_done's pump is a no-op in
 * here. */
static void pump(struct inbound *in)
{
	uint64_t now, wake;
	bool changed;

	if (in->pumping)
		return;
	in->pumping = true;
	do {
		changed = false;
		now = uv_now(in->b->loop);
		wake = 0;
		int seen = 0;
		for (struct item *it = in->head; it && seen < WINDOW && !in->b->draining &&
						 in->inflight < LANES;
		     it = it->next, seen++) {
			if (it->busy || conv_blocked(it))
				continue;
			if (it->not_before > now) {
				if (!wake || it->not_before < wake)
					wake = it->not_before;
				continue;
			}
			if ((changed = start(it)))
				break;
			if (!it->busy && (!wake || it->not_before < wake)) /* could not start */
				wake = it->not_before;
		}
	} while (changed);
	if (wake && !in->b->draining)
		uv_timer_start(&in->retry_timer, on_retry_timer, wake - now, 0);
	in->pumping = false;
}

static void on_retry_timer(uv_timer_t *t)
{
	pump(t->data);
}

/* ---- life ------------------------------------------------------------------------- */

struct inbound *inbound_new(struct bridge *b)
{
	struct inbound *in = calloc(1, sizeof *in);

	if (!in)
		return NULL;
	in->b = b;
	in->interval_ms = b->cfg->poll_min_ms;
	in->seed = (uint64_t)ts_now() ^ ((uint64_t)getpid() << 32);
	backoff_init(&in->poll_bo, BACKOFF_BASE_S, BACKOFF_CAP_S, in->seed);
	uv_timer_init(b->loop, &in->poll_timer);
	uv_timer_init(b->loop, &in->retry_timer);
	in->poll_timer.data = in->retry_timer.data = in;
	return in;
}

void inbound_start(struct inbound *in)
{
	if (in->b->pf->changes) /* a platform that only answers brings no chats in */
		uv_timer_start(&in->poll_timer, on_poll_timer, 0, 0);
}

bool inbound_idle(const struct inbound *in)
{
	return in->inflight == 0 && !in->polling;
}

static void on_closed(uv_handle_t *h)
{
	struct inbound *in = h->data;

	if (--in->closing == 0)
		free(in);
}

void inbound_free(struct inbound *in)
{
	if (!in)
		return;
	while (in->head) {
		struct item *it = in->head;
		in->head = it->next;
		item_free(it);
	}
	free(in->round_cursor);
	in->closing = 2;
	uv_close((uv_handle_t *)&in->poll_timer, on_closed);
	uv_close((uv_handle_t *)&in->retry_timer, on_closed);
}
