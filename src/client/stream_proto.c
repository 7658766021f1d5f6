/*
 * stream_proto.c — the "handoff.v1" client protocol: the Authorization
 * header, assembling text messages from lws's pieces, applying hello,
 * resync and events with the seq rules of stream.h, and turning the ways
 * a connection ends into a reason a person can read.
 *
 * Every callback first checks that its wsi is the stream's current one: a
 * connection the stream abandoned (stop, free) may still report its end,
 * and must not disturb the next.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "codec.h"
#include "log.h"
#include "stream_internal.h"

/* ---- handshake ----------------------------------------------------------- */

static int add_authorization(struct stream *s, struct lws *wsi, unsigned char **p,
			     unsigned char *end)
{
	size_t n = strlen("Bearer ") + strlen(s->token) + 1;
	char *value = malloc(n);
	int rc;

	if (!value)
		return -1;
	snprintf(value, n, "Bearer %s", s->token);
	rc = lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_AUTHORIZATION,
					  (unsigned char *)value, (int)(n - 1), p, end);
	for (volatile char *c = value; *c; c++)
		*c = '\0';
	free(value);
	return rc ? -1 : 0;
}

/* ---- how a connection ended ---------------------------------------------- */

/* Why the socket failed ("connection refused"), when the kernel still
 * holds the error: lws only says "closed before established". */
static bool socket_error(struct lws *wsi, char *out, size_t n)
{
	int fd = (int)lws_get_socket_fd(wsi), e = 0;
	socklen_t len = sizeof e;

	if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) != 0 || e == 0)
		return false;
	snprintf(out, n, "%s", strerror(e));
	if (out[0] >= 'A' && out[0] <= 'Z')
		out[0] = (char)(out[0] - 'A' + 'a');
	return true;
}

/* An attempt that never became a WebSocket: lws's reason is terse and
 * technical ("HS: ws upgrade unauthorized"); say it in words. */
static void connection_failed(struct stream *s, struct lws *wsi, const char *lws_reason)
{
	unsigned status = lws_http_client_http_response(wsi);
	char reason[STREAM_REASON_LEN], why[64];

	if (lws_reason && strstr(lws_reason, "unauthorized"))
		status = 401;
	if (status == 401) {
		stream_attempt_ended(s, "token refused (401): check the token file", true);
		return;
	}
	if (status == 403) {
		stream_attempt_ended(s, "token not allowed to read events (403)", true);
		return;
	}
	if (status >= 100 && status != 101)
		snprintf(reason, sizeof reason, "hub answered HTTP %u instead of the stream", status);
	else if (socket_error(wsi, why, sizeof why))
		snprintf(reason, sizeof reason, "cannot connect to %s (%s)", s->url.host_header, why);
	else if (!lws_reason || !*lws_reason)
		snprintf(reason, sizeof reason, "cannot connect to %s", s->url.host_header);
	else if (strstr(lws_reason, "cert") || strstr(lws_reason, "CERT"))
		snprintf(reason, sizeof reason,
			 "the TLS certificate of %s was not accepted", s->url.host_header);
	else if (strstr(lws_reason, "SSL") || strstr(lws_reason, "TLS") || strstr(lws_reason, "tls"))
		snprintf(reason, sizeof reason,
			 "TLS handshake with %s failed (is it an https server?)", s->url.host_header);
	else if (strstr(lws_reason, "hung up") || strstr(lws_reason, "read failed"))
		snprintf(reason, sizeof reason, "hub closed the connection before answering");
	else
		snprintf(reason, sizeof reason, "connection to %s failed (%.*s)", s->url.host_header,
			 (int)strcspn(lws_reason, "\r\n"), lws_reason);
	stream_attempt_ended(s, reason, false);
}

/* A live stream that ended. */
static void connection_closed(struct stream *s)
{
	char reason[STREAM_REASON_LEN];

	if (s->hangup_reason[0])
		snprintf(reason, sizeof reason, "%s", s->hangup_reason);
	else if (s->peer_close_code == 1008)
		snprintf(reason, sizeof reason, "hub dropped the connection (client too slow)");
	else if (s->peer_close_code == 1001)
		snprintf(reason, sizeof reason, "hub is shutting down");
	else if (s->peer_close_code)
		snprintf(reason, sizeof reason, "hub closed the connection (code %d)",
			 s->peer_close_code);
	else
		snprintf(reason, sizeof reason, "connection to the hub lost");
	stream_attempt_ended(s, reason, false);
}

/* Remember why we are about to return -1 (lws then closes). */
static int hang_up(struct stream *s, const char *reason)
{
	snprintf(s->hangup_reason, sizeof s->hangup_reason, "%s", reason);
	return -1;
}

/* ---- frames -------------------------------------------------------------- */

static void apply_hello(struct stream *s, const struct event *e)
{
	bool fresh = s->last_seq < 0;

	s->have_hello = true;
	s->head = e->head;
	s->ingest = e->me && e->me->role == ACCOUNT_INGEST;
	/* Nothing to resume from: the next event the hub sends is head + 1,
	 * and the caller loads its lists (on_resync below) from here. */
	if (fresh)
		s->last_seq = e->head;
	/* A new connection: the hub knows nothing of this console's presence. */
	s->say_viewing = s->presence_on;
	s->say_typing = false;
	/* A console says its away state on every connection, away or not:
	 * that is also how it asks for the hub's agent and offer frames. */
	s->say_away = s->agents_on;
	stream_went_live(s);
	stream_want_write(s);
	if (s->cb.on_hello)
		s->cb.on_hello(s->cb_ctx, e);
	if (fresh && s->cb.on_resync && !s->freeing)
		s->cb.on_resync(s->cb_ctx);
}

static void apply_event(struct stream *s, const struct event *e)
{
	if (e->seq <= s->last_seq) {
		log_debug("event stream: seq %lld already applied, dropped", (long long)e->seq);
		return;
	}
	/* The hub's seq has no holes, but an ingest account is not sent
	 * notes, so it sees jumps. For anyone else a jump means events went
	 * missing: say so, and carry on (the reconnect after a real loss asks
	 * from last_seq anyway; reconnecting here would not bring them back). */
	if (e->seq > s->last_seq + 1 && !s->ingest)
		log_warn("event stream: seq jumped from %lld to %lld",
			 (long long)s->last_seq, (long long)e->seq);
	s->last_seq = e->seq;
	stream_proved_healthy(s);
	if (s->cb.on_event)
		s->cb.on_event(s->cb_ctx, e);
}

/* One complete text message. Returns 0, or -1 to hang up. */
static int handle_message(struct stream *s, const char *text, size_t len)
{
	struct event e;
	struct errbuf err = {{0}};

	/* The log names the field that failed, never the frame's text. */
	if (!event_parse(text, len, &e, &err)) {
		log_warn("event stream: unreadable event (%s); reconnecting", err.msg);
		return hang_up(s, "hub sent an event the client cannot read");
	}
	int rc = 0;

	if (e.type == EVENT_HELLO) {
		if (s->have_hello)
			rc = hang_up(s, "hub sent a second hello");
		else
			apply_hello(s, &e);
	} else if (!s->have_hello) {
		log_warn("event stream: event before hello; reconnecting");
		rc = hang_up(s, "hub sent events before its hello");
	} else if (e.type == EVENT_PRESENCE || e.type == EVENT_AGENT || e.type == EVENT_OFFER) {
		/* Ephemeral, without a seq: it neither moves last_seq nor proves
		 * the connection healthy. */
		if (s->cb.on_event)
			s->cb.on_event(s->cb_ctx, &e);
	} else if (e.type == EVENT_RESYNC) {
		/* After a resync the hub goes on from the head it announced. */
		s->last_seq = s->head;
		stream_proved_healthy(s);
		log_info("event stream: hub asked for a resync (head %lld)", (long long)s->head);
		if (s->cb.on_resync)
			s->cb.on_resync(s->cb_ctx);
	} else if (e.type == EVENT_CHAT_READ) {
		/* Not in the log: no seq to check or keep. */
		if (s->cb.on_event)
			s->cb.on_event(s->cb_ctx, &e);
	} else {
		apply_event(s, &e);
	}
	event_free(&e);
	return rc;
}

/* A piece of a message; the last piece completes it. */
static int receive(struct stream *s, struct lws *wsi, const void *in, size_t len)
{
	if (lws_frame_is_binary(wsi))
		return hang_up(s, "hub sent a binary frame");
	if (s->rx_len + len > STREAM_MAX_FRAME) {
		log_warn("event stream: event over %zu bytes; reconnecting", STREAM_MAX_FRAME);
		return hang_up(s, "hub sent an event too large to read");
	}
	if (s->rx_len + len + 1 > s->rx_cap) {
		size_t cap = s->rx_cap ? s->rx_cap : 4096;
		while (cap < s->rx_len + len + 1)
			cap *= 2;
		char *rx = realloc(s->rx, cap);
		if (!rx)
			return hang_up(s, "out of memory");
		s->rx = rx;
		s->rx_cap = cap;
	}
	memcpy(s->rx + s->rx_len, in, len);
	s->rx_len += len;
	if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi))
		return 0;
	/* Keep the buffer for the next message: most are small and alike. */
	size_t n = s->rx_len;

	s->rx_len = 0;
	int rc = handle_message(s, s->rx, n);
	/* A callback may have stopped or freed the stream. */
	if (s->freeing || wsi != s->wsi)
		return -1;
	return rc;
}

/* One waiting presence message (doc/protocol.md, "Presence"), viewing
 * first; asks for another WRITEABLE while one is left. */
static int write_presence(struct stream *s, struct lws *wsi)
{
	unsigned char buf[LWS_PRE + 128];
	char *text = (char *)buf + LWS_PRE;
	int n;

	if (s->say_viewing) {
		s->say_viewing = false;
		if (s->viewing[0])
			n = snprintf(text, 128, "{\"type\":\"viewing\",\"chat_id\":\"%s\"}",
				     s->viewing);
		else
			n = snprintf(text, 128, "{\"type\":\"viewing\",\"chat_id\":null}");
	} else if (s->say_typing) {
		s->say_typing = false;
		n = snprintf(text, 128, "{\"type\":\"typing\",\"chat_id\":\"%s\"}", s->typing);
	} else if (s->say_away) {
		s->say_away = false;
		n = snprintf(text, 128, "{\"type\":\"away\",\"away\":%s}",
			     s->away ? "true" : "false");
	} else {
		return 0;
	}
	if (lws_write(wsi, (unsigned char *)text, (size_t)n, LWS_WRITE_TEXT) < n)
		return hang_up(s, "cannot write to the hub");
	stream_want_write(s);
	return 0;
}

/* ---- the callback -------------------------------------------------------- */

int stream_proto_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
			  void *in, size_t len)
{
	struct lws_context *cx = lws_get_context(wsi);
	struct stream *s = cx ? lws_context_user(cx) : NULL;
	bool ours = s && !s->freeing && wsi == s->wsi && s->conn_open;

	(void)user;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
		if (!ours)
			return -1;
		return add_authorization(s, wsi, (unsigned char **)in,
					 *(unsigned char **)in + len);
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (!ours)
			return -1;
		return receive(s, wsi, in, len);
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		return ours && s->have_hello ? write_presence(s, wsi) : 0;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (ours && len >= 2) {
			const unsigned char *c = in;
			s->peer_close_code = c[0] << 8 | c[1];
		}
		return 0;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (ours)
			connection_failed(s, wsi, in);
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (ours)
			connection_closed(s);
		return 0;
	case LWS_CALLBACK_WSI_DESTROY:
		/* The last word on any connection: if neither of the above came,
		 * the attempt still has to end (and be retried). */
		if (ours)
			stream_attempt_ended(s, "connection to the hub lost", false);
		return 0;
	default:
		return 0;
	}
}
