/*
 * bridge_inbound.c — platform -> hub.
 *
 * Work arrives as items (a platform message, or an escalation with no
 * message to carry it) from two places: the poller, and pushed deliveries
 * (bridge_webhook.c). Items are ingested one at a time, in order, each as
 *   [describe the conversation, when the hub has no chat for it yet]
 *   POST /v1/ingest/messages with external_id = the conversation,
 *   external_message_id = the platform message (the hub drops a repeat)
 * and recorded in the state db in one transaction with the poll cursor,
 * so a restart resumes at the first item not recorded: nothing is lost,
 * and what is repeated is dropped by the hub.
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

struct item {
	struct item *next;
	struct pf_message m;        /* m.id NULL: an escalation alone */
	char *mark;                 /* an escalation's mark */
	bool want_escalate;
	char *cursor_after;         /* the poll cursor once this item is done */
	bool described;
	char *channel_type, *channel_name, *customer_name;
};

struct inbound {
	struct bridge *b;
	uv_timer_t poll_timer, retry_timer;
	unsigned interval_ms;
	bool polling, busy;
	bool pumping;               /* inside pump's loop */
	struct item *head, *tail;
	struct backoff bo;          /* an item's retries */
	struct backoff poll_bo;     /* failed rounds */
	int closing;                /* handles still to close */
};

static void pump(struct inbound *in);
static void on_poll_timer(uv_timer_t *t);
static void on_retry_timer(uv_timer_t *t);

static void item_free(struct item *it)
{
	pf_message_free(&it->m);
	free(it->mark);
	free(it->cursor_after);
	free(it->channel_type);
	free(it->channel_name);
	free(it->customer_name);
	free(it);
}

static void append(struct inbound *in, struct item *it)
{
	if (in->tail)
		in->tail->next = it;
	else
		in->head = it;
	in->tail = it;
}

/* ---- building items ---------------------------------------------------------- */

/* Items for `r`'s messages and escalations (taking them out of r); the
 * last item carries `cursor`. Messages already ingested are left out.
 * Returns how many items were added. */
static size_t enqueue(struct inbound *in, struct pf_result *r, const char *cursor)
{
	struct item *first = NULL, *last = NULL;
	size_t n = 0;
	bool oom = false;

	for (size_t i = 0; i < r->nmsgs; i++) {
		struct pf_message *m = &r->msgs[i];
		if (m->author == AUTHOR_BRIDGE || bstate_msg_known(in->b->st, m->id))
			continue;
		struct item *it = calloc(1, sizeof *it);
		if (!it) {
			oom = true;
			break;
		}
		it->m = *m;
		memset(m, 0, sizeof *m);
		append(in, it);
		if (!first)
			first = it;
		last = it;
		n++;
	}
	for (size_t w = 0; w < r->nwanting; w++) {
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
		struct item *it = calloc(1, sizeof *it);
		if (!it) {
			oom = true;
			break;
		}
		it->m.conv_id = want->conv_id;
		it->mark = want->mark;
		want->conv_id = want->mark = NULL;
		it->want_escalate = true;
		append(in, it);
		last = it;
		n++;
	}
	/* Out of memory, the cursor stays: the next round asks again. */
	if (cursor && !oom) {
		if (last)
			last->cursor_after = strdup(cursor);
		else
			bstate_kv_set(in->b->st, CURSOR_KEY, cursor);
	}
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
	if (!in->head && !in->busy && !in->b->draining)
		uv_timer_start(&in->poll_timer, on_poll_timer, in->interval_ms, 0);
	bridge_drain_check(in->b);
}

static void on_poll_timer(uv_timer_t *t)
{
	struct inbound *in = t->data;
	char *cursor = NULL;
	struct errbuf why;

	if (in->b->draining || in->polling)
		return;
	/* The last round's items first: the cursor moves with them. */
	if (in->head || in->busy) {
		uv_timer_start(&in->poll_timer, on_poll_timer, in->b->cfg->poll_min_ms, 0);
		return;
	}
	bstate_kv_get(in->b->st, CURSOR_KEY, &cursor);
	in->polling = in->b->pf->changes(in->b->pc, cursor, on_changes, in, &why);
	free(cursor);
	if (!in->polling) {
		log_error("inbound: cannot poll: %s", why.msg);
		uv_timer_start(&in->poll_timer, on_poll_timer, in->b->cfg->poll_max_ms, 0);
	}
}

/* ---- ingesting one item ----------------------------------------------------------- */

static void item_done(struct inbound *in)
{
	struct item *it = in->head;

	in->head = it->next;
	if (!in->head)
		in->tail = NULL;
	item_free(it);
	in->busy = false;
	backoff_reset(&in->bo);
	if (!in->head && !in->polling && !uv_is_active((uv_handle_t *)&in->poll_timer) &&
	    !in->b->draining)
		uv_timer_start(&in->poll_timer, on_poll_timer, in->interval_ms, 0);
	pump(in);
	bridge_drain_check(in->b);
}

static void retry_later(struct inbound *in, uint64_t delay_ms)
{
	in->busy = false;
	if (!delay_ms)
		delay_ms = backoff_next_ms(&in->bo);
	if (!in->b->draining)
		uv_timer_start(&in->retry_timer, on_retry_timer, delay_ms, 0);
	bridge_drain_check(in->b);
}

/* Record what the hub did with the head item, with the cursor it moves. */
static void record(struct inbound *in, const char *chat_id, const char *hub_msg_id,
		   bool escalated)
{
	struct item *it = in->head;
	struct bstate *st = in->b->st;

	bool ok = bstate_begin(st);
	if (ok && chat_id)
		ok = bstate_conv_set_chat(st, it->m.conv_id, chat_id);
	if (ok && it->m.id)
		ok = bstate_msg_add(st, it->m.id, hub_msg_id ? hub_msg_id : "");
	if (ok && escalated)
		ok = bstate_conv_set_handoff(st, it->m.conv_id, "requested");
	if (ok && it->cursor_after)
		ok = bstate_kv_set(st, CURSOR_KEY, it->cursor_after);
	if (ok)
		ok = bstate_commit(st);
	if (!ok)
		log_error("inbound: cannot record conversation %s in the state db", it->m.conv_id);
}

static void on_ingest(void *ctx, struct api_result *r)
{
	struct inbound *in = ctx;
	struct item *it = in->head;

	if (r->err == API_ERR_NONE) {
		log_debug("inbound: %s %s -> chat %s message %s%s", it->m.id ? "message" : "escalation",
			  it->m.id ? it->m.id : it->m.conv_id, r->chat->id, r->message->id,
			  r->created ? "" : " (already there)");
		record(in, r->chat->id, r->message->id, it->want_escalate);
		item_done(in);
		return;
	}
	if (r->err == API_ERR_SERVER && r->http_status != 401 && r->http_status != 429 &&
	    r->http_status < 500) {
		/* The hub will say the same again (a stopped chat, a bot message
		 * while an agent holds it, a text too long): skip it, say so. */
		log_warn("inbound: %s of conversation %s refused by the hub: %s",
			 it->m.id ? "message" : "escalation", it->m.conv_id, r->text);
		record(in, NULL, NULL, false);
		item_done(in);
		return;
	}
	log_warn("inbound: ingest: %s", r->text);
	retry_later(in, 0);
}

static void ingest(struct inbound *in, bool escalate)
{
	struct item *it = in->head;
	char chat_id[37], ext[256];
	struct errbuf why;
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
		.role = it->m.id && it->m.author == AUTHOR_CUSTOMER ? "user" : "bot",
		.text = it->m.id ? it->m.text : in->b->cfg->escalation_text,
		.escalate = escalate,
		.external_message_id = it->m.id ? it->m.id : ext,
		.source_platform = in->b->pf->name,
	};
	in->busy = api_ingest(in->b->hub, &req, on_ingest, in, &why);
	if (!in->busy) {
		log_error("inbound: cannot ingest: %s", why.msg);
		retry_later(in, 0);
	}
}

static void on_describe(void *ctx, struct pf_result *r)
{
	struct inbound *in = ctx;
	struct item *it = in->head;

	in->busy = false;
	if (r->status == PF_REFUSED) {
		log_error("inbound: conversation %s: %s; skipped", it->m.conv_id, r->text);
		item_done(in);
		return;
	}
	if (r->status == PF_RETRY) {
		log_warn("inbound: %s", r->text);
		retry_later(in, r->retry_after_ms);
		return;
	}
	it->described = true;
	it->channel_type = r->channel_type;
	it->channel_name = r->channel_name;
	it->customer_name = r->customer_name;
	r->channel_type = r->channel_name = r->customer_name = NULL;
	pump(in);
}

/* Start the head item, or finish it at once when there is nothing to do
 * for it (true: go on with the next). */
static bool pump_one(struct inbound *in)
{
	struct item *it = in->head;
	char chat_id[37], *handoff = NULL;
	struct errbuf why;

	if (!it || in->busy || in->b->draining || uv_is_active((uv_handle_t *)&in->retry_timer))
		return false;
	if (it->m.id && bstate_msg_known(in->b->st, it->m.id)) {
		/* A push and a poll found the same message. */
		record(in, NULL, NULL, false);
		item_done(in);
		return true;
	}
	bool escalate = false;
	if (it->want_escalate) {
		bstate_conv_handoff(in->b->st, it->m.conv_id, &handoff);
		escalate = !handoff || strcmp(handoff, "requested") != 0;
		free(handoff);
	}
	if (!it->m.id && !escalate) {
		record(in, NULL, NULL, false);
		item_done(in);
		return true;
	}
	it->want_escalate = escalate;
	if (!bstate_conv_chat(in->b->st, it->m.conv_id, chat_id) && !it->described) {
		bool customer = it->m.id && it->m.author == AUTHOR_CUSTOMER;
		in->busy = in->b->pf->describe(in->b->pc, it->m.conv_id,
					       customer ? it->m.user_id : NULL, on_describe, in, &why);
		if (!in->busy) {
			log_error("inbound: %s", why.msg);
			retry_later(in, 0);
		}
		return false;
	}
	ingest(in, escalate);
	return false;
}

/* A loop, not recursion: a run of items finished at once (known already)
 * must not grow the stack; item_done's call to pump is a no-op in here. */
static void pump(struct inbound *in)
{
	if (in->pumping)
		return;
	in->pumping = true;
	while (pump_one(in))
		;
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
	uint64_t seed = (uint64_t)ts_now() ^ ((uint64_t)getpid() << 32);

	if (!in)
		return NULL;
	in->b = b;
	in->interval_ms = b->cfg->poll_min_ms;
	backoff_init(&in->bo, BACKOFF_BASE_S, BACKOFF_CAP_S, seed);
	backoff_init(&in->poll_bo, BACKOFF_BASE_S, BACKOFF_CAP_S, seed ^ 0x9e3779b97f4a7c15u);
	uv_timer_init(b->loop, &in->poll_timer);
	uv_timer_init(b->loop, &in->retry_timer);
	in->poll_timer.data = in->retry_timer.data = in;
	return in;
}

void inbound_start(struct inbound *in)
{
	uv_timer_start(&in->poll_timer, on_poll_timer, 0, 0);
}

bool inbound_idle(const struct inbound *in)
{
	return !in->busy && !in->polling;
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
	in->closing = 2;
	uv_close((uv_handle_t *)&in->poll_timer, on_closed);
	uv_close((uv_handle_t *)&in->retry_timer, on_closed);
}
