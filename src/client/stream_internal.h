/*
 * stream_internal.h — what stream.c (life, state, reconnects) and
 * stream_proto.c (the lws callback: handshake, frames, endings) share.
 */
#ifndef HANDOFF_STREAM_INTERNAL_H
#define HANDOFF_STREAM_INTERNAL_H

#include <stddef.h>

#include <libwebsockets.h>
#include <openssl/ssl.h>

#include "backoff.h"
#include "stream.h"
#include "wsurl.h"

/* The largest event the stream assembles: the same cap as an HTTP answer
 * (httpc.c). The hub's biggest event is far below it. */
#define STREAM_MAX_FRAME ((size_t)16 * 1024 * 1024)

#define STREAM_REASON_LEN 160

/*
 * A connection that stayed live this long has proved the stream works,
 * even if the hub had nothing to send: the next loss starts the reconnect
 * schedule afresh. The hello alone proves nothing: a frame the client
 * cannot read (a stored bad event replayed from since, a proxy mangling
 * frames) arrives milliseconds after it, on every attempt. Ten seconds is
 * far beyond that replay and short next to the 30 s cap, so a hub that
 * only restarts now and then is still reached again after 0.5 s.
 */
#define STREAM_HEALTHY_MS 10000

struct stream {
	uv_loop_t *loop;
	struct lws_context *ctx;     /* NULLed by lws (pcontext) once destroyed */
	SSL_CTX *tls;                /* ctx's TLS client context, ours to free */
	void *foreign_loops[1];
	struct lws_protocols protocols[2];
	lws_retry_bo_t keepalive;
	struct wsurl url;
	char *token;
	bool insecure;
	struct stream_callbacks cb;
	void *cb_ctx;

	struct stream_status status;
	char reason[STREAM_REASON_LEN];
	struct backoff backoff;
	int64_t last_seq;            /* -1: nothing applied yet */

	/* The current attempt: from the DNS lookup to its end. */
	bool conn_open;              /* its end has not been handled yet */
	struct lookup *lookup;       /* getaddrinfo under way, or NULL */
	struct lws *wsi;
	bool have_hello;
	uint64_t live_at_ms;         /* uv_now at the hello */
	bool healthy;                /* see stream_proved_healthy */
	int64_t head;                /* the hello's head */
	bool ingest;                 /* an ingest account: gaps are normal */
	int peer_close_code;         /* from the hub's close frame, 0 if none */
	char hangup_reason[STREAM_REASON_LEN]; /* set when we hang up */
	/* Presence (stream_set_viewing): what to tell the hub when it can be
	 * written. presence_on once the caller used it: only then does a new
	 * connection repeat the viewing (a bridge never sends anything). */
	bool presence_on;
	bool say_viewing, say_typing;
	/* Away (stream_set_away, v1.1): agents_on once the caller used it;
	 * then every new connection says it (and so reads agent frames). */
	bool agents_on, away, say_away;
	uuid_str viewing, typing;    /* "" : none */
	char *rx;                    /* a text message being assembled */
	size_t rx_len, rx_cap;

	uv_timer_t timer;            /* the next attempt */
	uv_idle_t reaper;            /* teardown, see stream_free */
	bool freeing;
	int reap_stage;
	int handles_open;
};

/* The lws protocol callback of "handoff.v1" (stream_proto.c). */
int stream_proto_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
			  void *in, size_t len);

/* The current attempt ended (never connected, or connected and lost):
 * schedule the next one after a backoff delay, or go OFFLINE when
 * `permanent`. Only the first call per attempt counts. */
void stream_attempt_ended(struct stream *s, const char *reason, bool permanent);

/* Hello received: state LIVE. The hello does not reset the backoff. */
void stream_went_live(struct stream *s);

/* This connection has shown the stream works: it applied an event or a
 * resync, or (checked when it ends) it stayed live STREAM_HEALTHY_MS. The
 * next loss starts the reconnect schedule afresh. Once per connection. */
void stream_proved_healthy(struct stream *s);

/* Ask for a WRITEABLE when a presence message waits on a live stream. */
void stream_want_write(struct stream *s);

/* Forget a half-assembled message. */
void stream_rx_reset(struct stream *s);

#endif
