/*
 * stream.h — the live event stream: a WebSocket client of GET /v1/events
 * on the caller's libuv loop.
 *
 * libwebsockets runs on the caller's loop (LWS_SERVER_OPTION_LIBUV with
 * foreign_loops), so nothing here has a thread or blocks. The stream
 * connects with the bearer token and the subprotocol "handoff.v1", applies
 * the hello, hands every chat and message event to the caller exactly once
 * and in order, and when the connection goes it comes back by itself with
 * ?since=<last seq> (0.5 s doubling to 30 s, jittered: backoff.h), so
 * nothing is missed. Its state, with the reason when it is not live, is
 * what the status bar shows.
 *
 * Reconnect and resync rules (doc/protocol.md, "The console's stream"):
 *   - last seq: the seq of the last event handed to on_event, or the
 *     hello's head when the stream started from nothing or after a resync
 *     (the hub continues with head + 1). Events at or below it are
 *     duplicates and are dropped.
 *   - on_resync means "what you hold cannot be brought up to date by
 *     events: reload it from the REST API now". It is called after the
 *     hello of a stream started without a since, and when the hub answers
 *     a since with {"type":"resync"}.
 *   - 401 and 403 stop the stream (OFFLINE): the token will not get better
 *     by retrying. Everything else is retried.
 *   - a frame that does not decode drops the connection; the reconnect
 *     with since= replays it, so nothing is skipped silently.
 *   - the reconnect schedule starts afresh only after a connection that
 *     applied an event or stayed live for STREAM_HEALTHY_MS, not at the
 *     hello: a hub that greets and then sends the same unreadable frame
 *     is retried ever more slowly, up to the 30 s cap.
 *   - keepalive: after 30 s without traffic lws sends a PING; no answer
 *     within 10 more seconds and the connection counts as dead.
 *
 * The token never appears in a log line, a reason or an error.
 */
#ifndef HANDOFF_STREAM_H
#define HANDOFF_STREAM_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "errbuf.h"
#include "model.h"

struct stream;

enum stream_state {
	STREAM_STOPPED,     /* not started, or stopped by stream_stop */
	STREAM_CONNECTING,  /* an attempt is under way (until the hello) */
	STREAM_LIVE,        /* hello received: events flow */
	STREAM_RETRYING,    /* lost or refused; next attempt at retry_at_ms */
	STREAM_OFFLINE,     /* gave up (the token was refused): reason says why */
};

struct stream_status {
	enum stream_state state;
	/* RETRYING: when the next attempt starts, on the loop's clock
	 * (uv_now), and the delay that was drawn for it. */
	uint64_t retry_at_ms;
	uint64_t retry_delay_ms;
	/* RETRYING, OFFLINE: why, in words ("connection refused", "token
	 * refused (401)"); NULL in the other states. */
	const char *reason;
	unsigned failures;  /* attempts failed since the stream last proved
			     * healthy (an event applied, or live for a while) */
	unsigned long connects; /* connection attempts since stream_new */
};

struct stream_callbacks {
	/* The hub's greeting: hello->head (its latest seq) and hello->me. */
	void (*on_hello)(void *ctx, const struct event *hello);
	/* chat.created, chat.updated, message.created: each seq once, rising;
	 * and presence frames (v1.1), which have no seq and touch none of the
	 * seq rules. */
	void (*on_event)(void *ctx, const struct event *e);
	/* Reload the lists from the REST API (see above for when). */
	void (*on_resync)(void *ctx);
	/* The state changed (or its reason, or the next retry time). */
	void (*on_state)(void *ctx, const struct stream_status *st);
};

/* A stream to `server_url` ("http(s)://host[:port][/prefix]"; https means
 * TLS with certificate and host name checks unless `insecure`, which
 * accepts self-signed certificates and any host name: test hubs only).
 * Nothing happens until stream_start. Any callback may be NULL. `token` is
 * copied. NULL with `err` set when the URL is invalid or lws cannot start. */
struct stream *stream_new(uv_loop_t *loop, const char *server_url, const char *token,
			  bool insecure, const struct stream_callbacks *cb, void *ctx,
			  struct errbuf *err);

/* Connect (on the next turn of the loop), resuming after `since` (-1: from
 * nothing; the stream then asks the caller to load its lists). Calling it
 * on a stream that is STOPPED or OFFLINE starts afresh with a reset
 * backoff; on a running stream it does nothing. */
void stream_start(struct stream *s, int64_t since);

/* Close the connection and cancel any retry; the state becomes STOPPED.
 * stream_start may follow. */
void stream_stop(struct stream *s);

/* Tell the hub which chat this console has open ("" or NULL: none), now
 * if the stream is live and again on every new connection (the hub
 * forgets a stream's presence when it ends). The first call also asks the
 * hub for presence frames; a stream that never calls it (a bridge) sends
 * nothing. */
void stream_set_viewing(struct stream *s, const char *chat_id);

/* Tell the hub the agent is away (or back), now if the stream is live and
 * again on every new connection (v1.1). The first call, away or not, also
 * asks the hub for its agent and offer frames. */
void stream_set_away(struct stream *s, bool away);

/* A keystroke in the composer of chat_id: tell the hub, if live. The
 * caller throttles (the hub ignores a stream's messages past its rate). */
void stream_typing(struct stream *s, const char *chat_id);

/* The last seq applied (see above), -1 when none yet. */
int64_t stream_last_seq(const struct stream *s);

/* The current state; valid until the next turn of the loop. */
const struct stream_status *stream_status(const struct stream *s);

/* "live", "connecting", ... for logs. */
const char *stream_state_name(enum stream_state st);

/* Replace the reconnect schedule (defaults BACKOFF_BASE_S, BACKOFF_CAP_S)
 * and its seed. For tests, which check delays without waiting for 30 s. */
void stream_set_backoff(struct stream *s, double base_s, double cap_s, uint64_t seed);

/* Replace the keepalive (defaults 30 s and 10 s): PING after `ping_s`
 * seconds without traffic, hang up `pong_s` seconds later without an
 * answer. Both at least 1; takes effect at the next connection. */
void stream_set_keepalive(struct stream *s, unsigned ping_s, unsigned pong_s);

/* Stop everything and free `s` — no callback runs from here on. It
 * returns at once: libwebsockets and the stream's uv handles finish
 * closing on the loop's next turns, so the caller must keep running the
 * loop (as after uv_close); once its own handles are closed too, uv_run
 * returns 0 and nothing is left allocated. Safe inside any callback of
 * this stream. NULL does nothing. */
void stream_free(struct stream *s);

#endif
