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
 * its next retry is due.
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
		ok = outbox_sent(s->outbox, sc->client_msg_id, r->message, &err);
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

void session_outbox_changed(void *ctx, const struct outbox_entry *e)
{
	struct session *s = ctx;

	if (!s->closing)
		session_actions_reply_changed(s, e);
	session_outbox_arm(s);
	if (s->cb.on_reply && !s->closing)
		s->cb.on_reply(s->ctx, e);
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
