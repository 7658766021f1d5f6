/*
 * bridge_resync.c — the walk after a resync (bridge_resync.h).
 *
 * For each chat of the state db, in turn: GET the chat, then its messages
 * after the chat's mark (the newest message already turned into jobs),
 * a page of 100 at a time up to the chat's last message, each recorded
 * as a message.created event (the hub leaves notes out); then
 * the chat itself as a chat.updated, so a title, rating or status changed
 * meanwhile is compared with what was last sent. Replies, takeovers, hand
 * backs and stops come back as the messages they left, in their order, so
 * the jobs are the ones the stream would have queued. The marks make a
 * walk repeated after a crash queue nothing twice.
 *
 * A chat the hub will not show (404: gone; 403: a hub before v1.1) is
 * skipped with a warning; any other failure is retried after a backoff.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "backoff.h"
#include "bridge_resync.h"
#include "log.h"
#include "timeutil.h"

#define PAGE 100

struct resync {
	struct bridge *b;
	resync_record_fn *record;
	resync_done_fn *done;
	void *ctx;
	char **chats;
	size_t n, i;
	struct chat *chat;          /* the current chat, once fetched */
	int64_t after;              /* its messages recorded up to this seq */
	bool exhausted;             /* its last page was empty */
	size_t queued;              /* messages recorded, for the log */
	uv_timer_t timer;
	struct backoff bo;
	bool inflight, freed, timer_closed;
};

static void step(struct resync *r);

static void maybe_free(struct resync *r)
{
	if (!r->freed || r->inflight || !r->timer_closed)
		return;
	for (size_t i = 0; i < r->n; i++)
		free(r->chats[i]);
	free(r->chats);
	if (r->chat) {
		chat_free(r->chat);
		free(r->chat);
	}
	free(r);
}

static void on_timer_closed(uv_handle_t *h)
{
	struct resync *r = h->data;

	r->timer_closed = true;
	maybe_free(r);
}

void resync_free(struct resync *r)
{
	if (!r || r->freed)
		return;
	r->freed = true;
	uv_close((uv_handle_t *)&r->timer, on_timer_closed);
}

static void on_timer(uv_timer_t *t)
{
	step(t->data);
}

static void next_chat(struct resync *r)
{
	if (r->chat) {
		chat_free(r->chat);
		free(r->chat);
		r->chat = NULL;
	}
	r->i++;
	r->exhausted = false;
	backoff_reset(&r->bo);
	uv_timer_start(&r->timer, on_timer, 0, 0);
}

static void retry(struct resync *r, const char *why)
{
	uint64_t delay = backoff_next_ms(&r->bo);

	log_warn("resync: chat %s: %s; again in %.1f s", r->chats[r->i], why, delay / 1000.0);
	uv_timer_start(&r->timer, on_timer, delay, 0);
}

/* True when the answer lets the walk go on; else it has been dealt with:
 * stopped (cancelled, draining), skipped or scheduled again. */
static bool answered(struct resync *r, struct api_result *res)
{
	r->inflight = false;
	if (r->freed) {
		maybe_free(r);
		return false;
	}
	if (res->err == API_ERR_CANCELLED || r->b->draining) {
		r->done(r->ctx, false);
		return false;
	}
	if (res->err == API_ERR_SERVER && (res->http_status == 404 || res->http_status == 403)) {
		log_warn("resync: chat %s cannot be read (%s); skipped", r->chats[r->i], res->text);
		next_chat(r);
		return false;
	}
	if (res->err != API_ERR_NONE) {
		retry(r, res->text);
		return false;
	}
	return true;
}

/* Record the chat's events in the state db: its new messages, or (none
 * given) the chat as it is now. */
static bool record_chat(struct resync *r, struct message *msgs, size_t n)
{
	char *conv = NULL;
	bool ok = bstate_chat_conv(r->b->st, r->chat->id, &conv);

	for (size_t k = 0; ok && k < n; k++) {
		struct event e = {.type = EVENT_MESSAGE_CREATED, .chat = r->chat,
				  .message = &msgs[k]};
		ok = r->record(r->ctx, &e, conv);
		if (ok) {
			r->after = msgs[k].seq;
			r->queued++;
		}
	}
	if (ok && !msgs) {
		struct event e = {.type = EVENT_CHAT_UPDATED, .chat = r->chat};
		ok = r->record(r->ctx, &e, conv);
	}
	free(conv);
	return ok;
}

static void on_messages(void *ctx, struct api_result *res)
{
	struct resync *r = ctx;

	if (!answered(r, res))
		return;
	if (res->messages->n && !record_chat(r, res->messages->messages, res->messages->n)) {
		retry(r, "cannot record it in the state db");
		return;
	}
	r->exhausted = res->messages->n == 0;
	uv_timer_start(&r->timer, on_timer, 0, 0);
}

static void on_chat(void *ctx, struct api_result *res)
{
	struct resync *r = ctx;

	if (!answered(r, res))
		return;
	r->chat = res->chat;
	res->chat = NULL;
	r->after = bstate_conv_msg_seq(r->b->st, r->chat->id);
	uv_timer_start(&r->timer, on_timer, 0, 0);
}

/* The next call of the walk: the chat, or its next page of messages. */
static void step(struct resync *r)
{
	struct errbuf why;
	bool started;

	if (r->b->draining) {
		r->done(r->ctx, false);
		return;
	}
	if (r->i == r->n) {
		log_info("resync: %zu chat%s walked, %zu message%s recorded", r->n,
			 r->n == 1 ? "" : "s", r->queued, r->queued == 1 ? "" : "s");
		r->done(r->ctx, true);
		return;
	}
	if (!r->chat) {
		started = api_chat_get(r->b->hub, r->chats[r->i], on_chat, r, &why);
	} else if (!r->exhausted && r->after < r->chat->message_count) {
		started = api_messages(r->b->hub, r->chat->id, 0, r->after, PAGE, on_messages, r,
				       &why);
	} else {
		/* Every message is in: a page may be short of notes, so the
		 * end is the chat's last seq (gap-free, message_count) or an
		 * empty page; what came after the chat was read is on the
		 * stream after the head. */
		if (record_chat(r, NULL, 0))
			next_chat(r);
		else
			retry(r, "cannot record it in the state db");
		return;
	}
	r->inflight = started;
	if (!started)
		retry(r, why.msg);
}

struct resync *resync_start(struct bridge *b, resync_record_fn *record, resync_done_fn *done,
			    void *ctx)
{
	struct resync *r = calloc(1, sizeof *r);

	if (!r)
		return NULL;
	if (!bstate_conv_chats(b->st, &r->chats, &r->n)) {
		for (size_t i = 0; i < r->n; i++)
			free(r->chats[i]);
		free(r->chats);
		free(r);
		return NULL;
	}
	r->b = b;
	r->record = record;
	r->done = done;
	r->ctx = ctx;
	backoff_init(&r->bo, BACKOFF_BASE_S, BACKOFF_CAP_S,
		     (uint64_t)ts_now() ^ ((uint64_t)getpid() << 24));
	uv_timer_init(b->loop, &r->timer);
	r->timer.data = r;
	log_info("resync: walking %zu chat%s", r->n, r->n == 1 ? "" : "s");
	uv_timer_start(&r->timer, on_timer, 0, 0);
	return r;
}
