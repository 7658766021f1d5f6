/*
 * session_outbox.c — the outbox's sender: each reply goes out as
 * POST /v1/chats/{id}/messages with its client_msg_id, and the answer
 * decides its fate (see outbox.h for the states):
 *
 *   201 / 200            sent (200: the hub had it already: still once)
 *   400 403 404 409 413  failed, with the hub's words: sending it again
 *                        cannot succeed ("chat is held by agent Ana")
 *   401, 429, 5xx, no answer, an unreadable answer
 *                        retried later: none of these is the reply's fault
 *
 * The outbox has no loop of its own: a timer here calls outbox_tick when
 * its next retry is due. A reply the hub acknowledged is forgotten as soon
 * as the answer is handled: from then on the thread shows the hub's copy.
 *
 * The UI sees the outbox only through this file: replies described in
 * words (struct session_reply), the agent's retry and drop, the count
 * that quitting asks about.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "session_internal.h"

struct send_call {
	struct session *s;
	char client_msg_id[CLIENT_MSG_ID_MAX_CHARS + 1];
};

/* Refusals that a resend would meet again. */
static bool is_final_refusal(long status)
{
	return status == 400 || status == 403 || status == 404 || status == 409 || status == 413 ||
	       status == 415;
}

static void on_sent(void *ctx, struct api_result *r)
{
	struct send_call *sc = ctx;
	struct session *s = sc->s;
	struct errbuf err;
	bool ok = true;

	if (s->closing) { /* cancelled: it stays pending in the journal */
		free(sc);
		return;
	}
	if (r->err == API_ERR_NONE)
		ok = outbox_sent(s->outbox, sc->client_msg_id, r->message, &err) &&
		     outbox_forget(s->outbox, sc->client_msg_id, &err);
	else if (r->err == API_ERR_SERVER && is_final_refusal(r->http_status))
		ok = outbox_failed(s->outbox, sc->client_msg_id, r->server.description, &err);
	else
		ok = outbox_retry_later(s->outbox, sc->client_msg_id, r->text, -1, &err);
	if (!ok)
		log_warn("session: outbox %s: %s", sc->client_msg_id, err.msg);
	session_outbox_arm(s);
	free(sc);
}

void session_outbox_send(void *ctx, const struct outbox_entry *e)
{
	struct session *s = ctx;
	struct send_call *sc = malloc(sizeof *sc);
	struct errbuf err;

	if (sc) {
		sc->s = s;
		memcpy(sc->client_msg_id, e->client_msg_id, sizeof sc->client_msg_id);
		/* Not retry_safe: the outbox does its own retrying, with the
		 * same client_msg_id, across reconnects and restarts. */
		if (api_send(s->api, e->chat_id, e->text, e->client_msg_id, e->internal, false,
			     on_sent, sc, &err))
			return;
		free(sc);
	} else {
		errbuf_set(&err, "out of memory");
	}
	/* It could not even start: the outbox must not think it is in flight. */
	outbox_retry_later(s->outbox, e->client_msg_id, err.msg, -1, NULL);
}

/* Fill `out` from entry `e`. While the stream is down the outbox sends
 * nothing, so a reply waiting for a retry goes with the stream's
 * reconnect: its countdown is the one to show, and the reason is said in
 * two words (the header says why the hub cannot be reached). */
static void describe(const struct session *s, const struct outbox_entry *e,
		     struct session_reply *out)
{
	static char unreachable[] = "hub unreachable";
	const struct stream_status *st = stream_status(s->stream);
	bool reconnecting = st->state == STREAM_RETRYING ||
			    (st->state == STREAM_CONNECTING && st->failures > 0);
	struct outbox_entry offline;
	int64_t now = ts_now();

	out->client_msg_id = e->client_msg_id;
	out->chat_id = e->chat_id;
	out->text = e->text;
	out->internal = e->internal;
	out->reason = e->reason;
	out->state = e->state == OUTBOX_SENT     ? SESSION_REPLY_SENT
		     : e->state == OUTBOX_FAILED ? SESSION_REPLY_FAILED
		     : e->in_flight || !e->reason ? SESSION_REPLY_SENDING
						  : SESSION_REPLY_WAITING;
	if (e->state == OUTBOX_PENDING && !e->in_flight && reconnecting) {
		uint64_t at = st->state == STREAM_RETRYING ? st->retry_at_ms : 0;
		uint64_t loop_now = uv_now(s->loop);
		offline = *e;
		offline.reason = unreachable;
		offline.next_try_at = now + (at > loop_now ? (int64_t)(at - loop_now) : 0);
		out->reason = unreachable;
		out->state = SESSION_REPLY_WAITING;
		e = &offline;
	}
	outbox_describe(e, now, out->words, sizeof out->words);
}

void session_outbox_changed(void *ctx, const struct outbox_entry *e)
{
	struct session *s = ctx;
	struct session_reply r;

	if (!s->closing)
		session_actions_reply_changed(s, e);
	session_outbox_arm(s);
	if (!s->cb.on_reply || s->closing)
		return;
	describe(s, e, &r);
	s->cb.on_reply(s->ctx, &r);
}

static void on_outbox_timer(uv_timer_t *t)
{
	struct session *s = t->data;

	outbox_tick(s->outbox);
	session_outbox_arm(s);
}

void session_outbox_arm(struct session *s)
{
	if (!s->timer_ready || s->closing)
		return;
	int64_t due = outbox_next_due(s->outbox);
	if (due == INT64_MAX) {
		uv_timer_stop(&s->outbox_timer);
		return;
	}
	int64_t wait = due - ts_now();
	uv_timer_start(&s->outbox_timer, on_outbox_timer, wait > 0 ? (uint64_t)wait : 0, 0);
}

/* ---- the outbox as the UI sees it --------------------------------------- */

size_t session_unsent(const struct session *s)
{
	size_t n = 0;

	for (size_t i = 0; i < outbox_count(s->outbox); i++)
		n += outbox_entry_at(s->outbox, i)->state == OUTBOX_PENDING;
	return n;
}

bool session_replies_next(struct session *s, const char *chat_id, size_t *pos,
			  struct session_reply *out)
{
	for (; *pos < outbox_count(s->outbox); (*pos)++) {
		const struct outbox_entry *e = outbox_entry_at(s->outbox, *pos);
		if (e->state != OUTBOX_SENT && strcmp(e->chat_id, chat_id) == 0) {
			describe(s, e, out);
			(*pos)++;
			return true;
		}
	}
	return false;
}

int session_retry(struct session *s, const char *chat_id)
{
	int n = 0;

	/* outbox_retry keeps the entry in its place, and only answers, which
	 * come on later loop turns, remove entries: one pass sees them all. */
	for (size_t i = 0; i < outbox_count(s->outbox); i++) {
		const struct outbox_entry *e = outbox_entry_at(s->outbox, i);
		if (e->state == OUTBOX_FAILED && strcmp(e->chat_id, chat_id) == 0)
			n += outbox_retry(s->outbox, e->client_msg_id, NULL);
	}
	session_outbox_arm(s);
	return n;
}

bool session_drop(struct session *s, const char *client_msg_id, struct errbuf *err)
{
	const struct outbox_entry *e = outbox_find(s->outbox, client_msg_id);
	char chat_id[sizeof e->chat_id];

	snprintf(chat_id, sizeof chat_id, "%s", e ? e->chat_id : "");
	if (!outbox_discard(s->outbox, client_msg_id, err))
		return false;
	/* Discarding tells no listener: an action on the chat that waited for
	 * this reply starts now. */
	session_actions_kick(s, chat_id);
	session_outbox_arm(s);
	return true;
}
