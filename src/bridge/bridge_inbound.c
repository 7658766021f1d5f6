/*
 * bridge_inbound.c — platform -> hub.
 *
 * Work arrives as items (a platform message, or an escalation with no
 * message to carry it) from two places: the poller, and pushed deliveries
 * (bridge_webhook.c). An item of a conversation the hub has no chat for
 * yet is described first (the platform's channel and customer; up to
 * DESCRIBES conversations at once); then items go to the hub in batches,
 *   POST /v1/ingest/batch, each with external_id = the conversation,
 *   external_message_id = the platform message (the hub drops a repeat)
 * up to INGEST_BATCH_MAX_ITEMS in one request and one hub transaction,
 * and each batch's outcome is recorded in the state db in one
 * transaction, on the loop's next turn: the next batch leaves first, so
 * the hub is not idle while the bridge records. Items of one
 * conversation keep their order: an item joins
 * a batch only when every earlier item of its conversation is in the same
 * batch (the hub takes a batch in order) or done. The poll cursor is
 * written when every item of its round is recorded, so a restart resumes
 * with the first round not wholly in: nothing is lost, and what is
 * repeated is known already (the message map) or dropped by the hub.
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
/* New conversations described at once. */
#define DESCRIBES 64
/* Batches in flight: one the hub works on, one on its way. */
#define BATCHES 2
/* A batch's body stays under the hub's 64 KiB cap: item_bytes() each. A
 * body that still comes out larger (text of control characters, which
 * JSON writes as six bytes each) is refused by the hub, and its items go
 * one by one. */
#define BATCH_BYTES (48 * 1024)
/* An item's keys, punctuation, chat id, role and flags. */
#define ITEM_OVERHEAD 256
/* How far down the queue to look for items whose conversation is free. */
#define WINDOW 512

enum prep { PREP_DONE, PREP_DESCRIBE, PREP_READY };

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
	bool alone;                 /* in a batch of its own (its batch was refused) */
	enum prep prep;             /* prepare_cached's answer at prep_gen */
	uint64_t prep_gen;
	struct batch *batch;        /* the batch it is in, being built or in flight */
	uint32_t conv_hash;         /* of m.conv_id: conv_blocked compares it first */
	char *channel_type, *channel_name, *customer_name;
};

struct inbound {
	struct bridge *b;
	uv_timer_t poll_timer, retry_timer, record_timer;
	unsigned interval_ms;
	bool polling;
	bool pumping;               /* inside pump's loop */
	unsigned inflight;          /* items busy: being described or in a batch in flight */
	unsigned describing, batches;
	uint64_t batches_sent;      /* numbers the batches as they leave */
	uint64_t gen;               /* bumped when items are recorded (from 1) */
	struct item *head, *tail;
	struct batch *answered;     /* answered, to be recorded (oldest first) */
	size_t round_left;          /* polled items not yet recorded */
	char *round_cursor;         /* written when round_left reaches 0 */
	struct backoff poll_bo;     /* failed rounds */
	uint64_t seed;
	int closing;                /* handles still to close */
};

static void pump(struct inbound *in);
static void on_poll_timer(uv_timer_t *t);
static void on_retry_timer(uv_timer_t *t);
static void on_record_timer(uv_timer_t *t);

/* FNV-1a: only to tell most conversations apart without a strcmp. */
static uint32_t conv_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

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
	it->conv_hash = conv_hash(it->m.conv_id);
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

/* ---- ingesting: batches -------------------------------------------------------------- */

struct batch {
	struct inbound *in;
	struct batch *next;         /* in in->answered */
	struct api_ingest_batch *answer;
	uint64_t number;            /* from 1 once sent (inbound's batches_sent) */
	size_t n;
	struct item *items[INGEST_BATCH_MAX_ITEMS];
};

/* Record what the hub did with `it` (NULL ids: nothing to map), inside
 * the caller's state-db transaction. */
static bool record(struct item *it, const char *chat_id, const char *hub_msg_id, bool escalated)
{
	struct bstate *st = it->in->b->st;
	bool ok = true;

	if (chat_id)
		ok = bstate_conv_set_chat(st, it->m.conv_id, chat_id);
	if (ok && it->m.id)
		ok = bstate_msg_add(st, it->m.id, hub_msg_id ? hub_msg_id : "");
	if (ok && escalated)
		ok = bstate_conv_set_handoff(st, it->m.conv_id, "requested");
	if (!ok)
		log_error("inbound: cannot record conversation %s in the state db", it->m.conv_id);
	return ok;
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
	it->batch = NULL;
	it->not_before = uv_now(in->b->loop) + (delay_ms ? delay_ms : backoff_next_ms(&it->bo));
	pump(in);
	bridge_drain_check(in->b);
}

/* The hub refused `it` for good (a stopped chat, a bot message while an
 * agent holds the chat, a text too long): it would say the same again, so
 * it is skipped and recorded as seen. */
static void refused(struct item *it, const char *why)
{
	log_warn("inbound: %s of conversation %s refused by the hub: %s",
		 it->m.id ? "message" : "escalation", it->m.conv_id, why);
	record(it, NULL, NULL, false);
}

static void batch_recorded(struct batch *bt, const struct api_ingest_batch *out)
{
	struct bstate *st = bt->in->b->st;
	bool ok = bstate_begin(st);

	bt->in->gen++;
	for (size_t i = 0; ok && i < bt->n; i++) {
		struct item *it = bt->items[i];
		const struct api_ingest_outcome *o = &out->items[i];
		if (o->status >= 300) {
			refused(it, o->error.description);
			continue;
		}
		log_debug("inbound: %s %s -> chat %s message %s%s",
			  it->m.id ? "message" : "escalation", it->m.id ? it->m.id : it->m.conv_id,
			  o->chat_id, o->message_id, o->status == 201 ? "" : " (already there)");
		ok = record(it, o->chat_id, o->message_id, it->want_escalate);
	}
	if (ok)
		ok = bstate_commit(st);
	if (!ok)
		log_error("inbound: cannot record a batch of %zu in the state db", bt->n);
}

/* The hub would say the same again: a refusal of what was sent, not a
 * failure. A 404 or 405 says the hub has no batch endpoint (older than
 * v1.1): nothing was refused, the items wait for a hub that has it. */
static bool hub_refusal(const struct api_result *r)
{
	return r->err == API_ERR_SERVER && r->http_status != 401 && r->http_status != 404 &&
	       r->http_status != 405 && r->http_status != 429 && r->http_status < 500;
}

static void batch_free(struct batch *bt)
{
	if (bt->answer) {
		free(bt->answer->items);
		free(bt->answer);
	}
	free(bt);
}

/* Record the batches answered since the last turn of the loop. */
static void on_record_timer(uv_timer_t *t)
{
	struct inbound *in = t->data;

	in->pumping = true; /* one pump, once every item is settled */
	while (in->answered) {
		struct batch *bt = in->answered;
		in->answered = bt->next;
		batch_recorded(bt, bt->answer);
		for (size_t i = 0; i < bt->n; i++)
			item_done(bt->items[i]);
		batch_free(bt);
	}
	in->pumping = false;
	pump(in);
	outbound_inbound_recorded(in->b->out);
	bridge_drain_check(in->b);
}

static void on_batch(void *ctx, struct api_result *r)
{
	struct batch *bt = ctx;
	struct inbound *in = bt->in;

	in->batches--;
	if (r->err == API_ERR_NONE && r->batch && r->batch->n == bt->n) {
		/* The next batch first: it leaves with the loop's next turn,
		 * before this one is recorded, so the hub works on it while the
		 * bridge records (its items stay busy until then). */
		struct batch **tail = &in->answered;
		while (*tail)
			tail = &(*tail)->next;
		*tail = bt;
		bt->answer = r->batch;
		r->batch = NULL;
		pump(in);
		if (!uv_is_active((uv_handle_t *)&in->record_timer))
			uv_timer_start(&in->record_timer, on_record_timer, 0, 0);
		return;
	}
	in->pumping = true; /* one pump for the batch, once every item is settled */
	if (hub_refusal(r) && bt->n == 1) {
		bool ok = bstate_begin(in->b->st);
		in->gen++;
		refused(bt->items[0], r->text);
		if (ok)
			bstate_commit(in->b->st);
		item_done(bt->items[0]);
	} else {
		/* A refused batch: one item spoils it (invalid, too big), so
		 * each goes alone and only that one is refused. */
		log_warn("inbound: ingest of %zu: %s%s", bt->n, r->err == API_ERR_NONE ?
			 "the hub's answer does not match the batch" : r->text,
			 hub_refusal(r) ? "; sending them one by one" : "");
		for (size_t i = 0; i < bt->n; i++) {
			bt->items[i]->alone = bt->items[i]->alone || hub_refusal(r);
			retry_later(bt->items[i], hub_refusal(r) ? 1 : 0);
		}
	}
	in->pumping = false;
	free(bt);
	pump(in);
	outbound_inbound_recorded(in->b->out);
	bridge_drain_check(in->b);
}

/* The ingest request of `it`; chat_id and ext are its buffers. */
static void ingest_req(struct item *it, struct api_ingest_req *req, char chat_id[37],
		       char ext[256])
{
	struct inbound *in = it->in;
	bool customer = it->m.id && it->m.author == AUTHOR_CUSTOMER;

	bstate_conv_chat(in->b->st, it->m.conv_id, chat_id);
	if (!it->m.id)
		snprintf(ext, 256, "escalated.%.200s", it->mark);
	*req = (struct api_ingest_req){
		.chat_id = chat_id[0] ? chat_id : NULL,
		.external_id = it->m.conv_id,
		.channel_type = it->channel_type,
		.channel_name = it->channel_name,
		.owner_external_id = customer ? it->m.user_id : NULL,
		.owner_name = customer ? it->customer_name : NULL,
		.role = customer ? "user" : "bot",
		.text = it->m.id ? it->m.text : in->b->cfg->escalation_text,
		.escalate = it->want_escalate,
		.external_message_id = it->m.id ? it->m.id : ext,
		.source_platform = in->b->pf->name,
	};
}

/* Send `bt` (consumed): its items are busy until it is answered. */
static void batch_send(struct batch *bt)
{
	struct inbound *in = bt->in;
	struct api_ingest_req reqs[INGEST_BATCH_MAX_ITEMS];
	char chat_ids[INGEST_BATCH_MAX_ITEMS][37], exts[INGEST_BATCH_MAX_ITEMS][256];
	struct errbuf why;

	for (size_t i = 0; i < bt->n; i++)
		ingest_req(bt->items[i], &reqs[i], chat_ids[i], exts[i]);
	if (!api_ingest_batch(in->b->hub, reqs, bt->n, on_batch, bt, &why)) {
		log_error("inbound: %s", why.msg);
		for (size_t i = 0; i < bt->n; i++) {
			bt->items[i]->batch = NULL;
			bt->items[i]->not_before = uv_now(in->b->loop) +
						   backoff_next_ms(&bt->items[i]->bo);
		}
		free(bt);
		return;
	}
	in->batches++;
	bt->number = ++in->batches_sent;
	for (size_t i = 0; i < bt->n; i++) {
		bt->items[i]->busy = true;
		in->inflight++;
	}
}

/* ---- describing a new conversation ------------------------------------------------- */

static void on_describe(void *ctx, struct pf_result *r)
{
	struct item *it = ctx;

	it->in->describing--;
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
	it->prep_gen = 0; /* ready now: prepare_cached asks again */
	it->channel_type = r->channel_type;
	it->channel_name = r->channel_name;
	it->customer_name = r->customer_name;
	r->channel_type = r->channel_name = r->customer_name = NULL;
	pump(it->in);
}

static void describe(struct item *it)
{
	struct inbound *in = it->in;
	bool customer = it->m.id && it->m.author == AUTHOR_CUSTOMER;
	struct errbuf why;

	if (in->b->pf->describe(in->b->pc, it->m.conv_id, customer ? it->m.user_id : NULL,
				on_describe, it, &why)) {
		it->busy = true;
		in->inflight++;
		in->describing++;
		return;
	}
	log_error("inbound: %s", why.msg);
	it->not_before = uv_now(in->b->loop) + backoff_next_ms(&it->bo);
}

/* ---- what may start ------------------------------------------------------------------ */

/* What `it` needs before its ingest; PREP_DONE: nothing is left to do. */
static enum prep prepare(struct item *it)
{
	struct inbound *in = it->in;
	char chat_id[37], *handoff = NULL;

	if (it->m.id && bstate_msg_known(in->b->st, it->m.id)) {
		/* A push and a poll found the same message. */
		if (!it->want_escalate)
			return PREP_DONE;
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
	if (!it->m.id && !escalate)
		return PREP_DONE;
	it->want_escalate = escalate;
	if (!it->described && !bstate_conv_chat(in->b->st, it->m.conv_id, chat_id))
		return PREP_DESCRIBE;
	return PREP_READY;
}

/* prepare(), asked again only when the state db may have changed the
 * answer: the queue is walked at every describe's and batch's end, and
 * most items in it are waiting for a describe lane or a batch. An
 * escalation's answer also depends on the handoff the outbound side may
 * set: always asked. "Ready" is kept: what could change it is the same
 * message recorded by another item (a push and a poll found it), and the
 * hub answers that repeat with the first message (external_message_id).
 * A stale "describe" only costs a describe that "ready" would not. */
static enum prep prepare_cached(struct item *it)
{
	if (it->want_escalate || (it->prep != PREP_READY && it->prep_gen != it->in->gen) ||
	    !it->prep_gen) {
		it->prep = prepare(it);
		it->prep_gen = it->in->gen;
	}
	return it->prep;
}

/* The conversations met so far in one walk of the queue (open addressing
 * on conv_hash): whether the batch being built holds all their items met
 * so far, or one of them stays behind, so that their later items wait. A
 * walk meets at most WINDOW conversations: there is always a free slot. */
#define SEEN_SLOTS (2 * WINDOW)

struct seen {
	const struct item *item[SEEN_SLOTS]; /* one of the conversation's; NULL: free */
	bool batched[SEEN_SLOTS];
};

static size_t seen_slot(const struct seen *s, const struct item *it)
{
	size_t i = it->conv_hash % SEEN_SLOTS;

	while (s->item[i] && (s->item[i]->conv_hash != it->conv_hash ||
			      strcmp(s->item[i]->m.conv_id, it->m.conv_id) != 0))
		i = (i + 1) % SEEN_SLOTS;
	return i;
}

static size_t len_of(const char *s)
{
	return s ? strlen(s) : 0;
}

/* The size of `it` in a batch's body (ingest_req's fields), generously:
 * twice each string, for JSON's escapes. Measured rather than guessed
 * high, so that a batch carries as many items as fit: the hub's work per
 * batch is mostly per commit. */
static size_t item_bytes(const struct item *it)
{
	const char *text = it->m.id ? it->m.text : it->in->b->cfg->escalation_text;
	size_t strings = len_of(text) + len_of(it->m.conv_id) + len_of(it->m.user_id) +
			 len_of(it->customer_name) + len_of(it->channel_name) +
			 len_of(it->m.id ? it->m.id : it->mark) + 16 /* "escalated." */ +
			 len_of(it->in->b->pf->name);

	return 2 * strings + ITEM_OVERHEAD;
}

/* Start what may start among the queue's first WINDOW items: describes
 * of new conversations (up to DESCRIBES at once), and one batch of the
 * items ready, in queue order, an item only after every earlier item of
 * its conversation (up to BATCHES in flight). Arms the retry timer for
 * the earliest item waiting. Items finished at once leave the queue here;
 * item_done's pump is a no-op inside. */
static void pump(struct inbound *in)
{
	uint64_t now = uv_now(in->b->loop), wake = 0;
	struct batch *bt = NULL;
	struct seen met;
	size_t bytes = 0;
	int seen = 0;

	if (in->pumping)
		return;
	in->pumping = true;
	if (in->batches < BATCHES && (bt = calloc(1, sizeof *bt)))
		bt->in = in;
	memset(&met, 0, sizeof met);
	for (struct item *it = in->head, *next; it && seen < WINDOW && !in->b->draining;
	     it = next, seen++) {
		next = it->next;
		if (in->describing >= DESCRIBES && (!bt || bt->n == INGEST_BATCH_MAX_ITEMS))
			break; /* nothing more may start */
		size_t k = seen_slot(&met, it);
		bool in_batch = met.item[k] && met.batched[k];
		if (met.item[k] && !in_batch)
			continue; /* an earlier item of its conversation stays behind */
		/* Unless it joins the batch or is done, it stays behind too. */
		const struct item *before = met.item[k];
		met.item[k] = it;
		met.batched[k] = false;
		if (it->busy || it->batch)
			continue;
		if (it->not_before > now) {
			if (!wake || it->not_before < wake)
				wake = it->not_before;
			continue;
		}
		enum prep p = prepare_cached(it);
		/* An earlier item in the batch opens the chat. */
		if (p == PREP_DESCRIBE && in_batch)
			p = PREP_READY;
		switch (p) {
		case PREP_DONE:
			/* Gone: its conversation is as it was before it (a
			 * slot filled just now frees no other's probe). */
			met.item[k] = before;
			met.batched[k] = in_batch;
			item_done(it);
			break;
		case PREP_DESCRIBE:
			if (in->describing < DESCRIBES)
				describe(it);
			if (!it->busy && it->not_before > now && (!wake || it->not_before < wake))
				wake = it->not_before; /* could not start */
			break;
		case PREP_READY:
			if (!bt || bt->n == INGEST_BATCH_MAX_ITEMS ||
			    (bt->n && (it->alone || bt->items[0]->alone ||
				       bytes + item_bytes(it) > BATCH_BYTES)))
				break;
			bt->items[bt->n++] = it;
			it->batch = bt;
			met.batched[k] = true;
			bytes += item_bytes(it);
			break;
		}
	}
	if (bt && bt->n)
		batch_send(bt);
	else
		free(bt);
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
	in->gen = 1;
	in->interval_ms = b->cfg->poll_min_ms;
	in->seed = (uint64_t)ts_now() ^ ((uint64_t)getpid() << 32);
	backoff_init(&in->poll_bo, BACKOFF_BASE_S, BACKOFF_CAP_S, in->seed);
	uv_timer_init(b->loop, &in->poll_timer);
	uv_timer_init(b->loop, &in->retry_timer);
	uv_timer_init(b->loop, &in->record_timer);
	in->poll_timer.data = in->retry_timer.data = in->record_timer.data = in;
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

uint64_t inbound_batches_sent(const struct inbound *in)
{
	return in->batches_sent;
}

bool inbound_unrecorded(const struct inbound *in, uint64_t upto)
{
	/* A batch's items stay busy from its sending until its answer is
	 * recorded (or it failed: then they wait alone, out of it). */
	for (const struct item *it = in->head; it; it = it->next)
		if (it->busy && it->batch && it->batch->number && it->batch->number <= upto)
			return true;
	return false;
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
	while (in->answered) {
		struct batch *bt = in->answered;
		in->answered = bt->next;
		batch_free(bt);
	}
	free(in->round_cursor);
	in->closing = 3;
	uv_close((uv_handle_t *)&in->poll_timer, on_closed);
	uv_close((uv_handle_t *)&in->retry_timer, on_closed);
	uv_close((uv_handle_t *)&in->record_timer, on_closed);
}
