/*
 * stream.c — the stream's life: the lws context on the caller's loop, one
 * attempt at a time (resolve, connect), the state the status bar shows,
 * the reconnect timer, and the teardown (see stream.h).
 *
 * Every attempt starts from the uv timer, never from inside an lws
 * callback or the caller's code, so a callback that ends an attempt can
 * schedule the next one without re-entering lws. The host name is looked
 * up with uv_getaddrinfo and lws gets the numeric address (the Host header
 * and the TLS checks still use the name): Debian's lws resolves with a
 * blocking getaddrinfo, which would stall the loop on a slow DNS server.
 */
#include <config.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "log.h"
#include "stream_internal.h"

#define KEEPALIVE_PING_S 30
#define KEEPALIVE_PONG_S 10

const char *stream_state_name(enum stream_state st)
{
	switch (st) {
	case STREAM_STOPPED: return "stopped";
	case STREAM_CONNECTING: return "connecting";
	case STREAM_LIVE: return "live";
	case STREAM_RETRYING: return "retrying";
	case STREAM_OFFLINE: return "offline";
	}
	return "?";
}

/* ---- state ------------------------------------------------------------- */

static void set_state(struct stream *s, enum stream_state st, const char *reason)
{
	s->status.state = st;
	if (reason) {
		snprintf(s->reason, sizeof s->reason, "%s", reason);
		s->status.reason = s->reason;
	} else {
		s->status.reason = NULL;
	}
	if (st != STREAM_RETRYING)
		s->status.retry_at_ms = s->status.retry_delay_ms = 0;
	if (s->cb.on_state)
		s->cb.on_state(s->cb_ctx, &s->status);
}

void stream_went_live(struct stream *s)
{
	s->live_at_ms = uv_now(s->loop);
	s->healthy = false;
	log_info("event stream: live (hub head %lld)", (long long)s->head);
	set_state(s, STREAM_LIVE, NULL);
}

void stream_want_write(struct stream *s)
{
	if (s->wsi && s->have_hello && (s->say_viewing || s->say_typing || s->say_away))
		lws_callback_on_writable(s->wsi);
}

void stream_set_viewing(struct stream *s, const char *chat_id)
{
	snprintf(s->viewing, sizeof s->viewing, "%s", chat_id ? chat_id : "");
	s->presence_on = true;
	s->say_viewing = true;
	stream_want_write(s);
}

void stream_set_away(struct stream *s, bool away)
{
	if (s->agents_on && s->away == away)
		return;
	s->agents_on = true;
	s->away = away;
	s->say_away = true;
	stream_want_write(s);
}

void stream_typing(struct stream *s, const char *chat_id)
{
	if (!s->have_hello || !chat_id || !chat_id[0])
		return;
	snprintf(s->typing, sizeof s->typing, "%s", chat_id);
	s->say_typing = true;
	stream_want_write(s);
}

void stream_rx_reset(struct stream *s)
{
	free(s->rx);
	s->rx = NULL;
	s->rx_len = s->rx_cap = 0;
}

void stream_proved_healthy(struct stream *s)
{
	if (s->healthy)
		return;
	s->healthy = true;
	backoff_reset(&s->backoff);
	s->status.failures = 0;
}

static void on_timer(uv_timer_t *t);

void stream_attempt_ended(struct stream *s, const char *reason, bool permanent)
{
	if (!s->conn_open)
		return;
	s->conn_open = false;
	s->wsi = NULL;
	stream_rx_reset(s);
	/* A quiet hub sends no event to prove anything: time does. */
	if (s->have_hello && uv_now(s->loop) - s->live_at_ms >= STREAM_HEALTHY_MS)
		stream_proved_healthy(s);
	/* An attempt that ends before its connection (DNS) has no hello. */
	s->have_hello = false;
	if (s->freeing || s->status.state == STREAM_STOPPED)
		return;
	if (permanent) {
		log_warn("event stream: offline: %s", reason);
		set_state(s, STREAM_OFFLINE, reason);
		return;
	}
	uint64_t delay = backoff_next_ms(&s->backoff);

	s->status.failures++;
	s->status.retry_delay_ms = delay;
	s->status.retry_at_ms = uv_now(s->loop) + delay;
	uv_timer_start(&s->timer, on_timer, delay, 0);
	log_info("event stream: %s; next attempt in %llu ms", reason, (unsigned long long)delay);
	/* set_state would clear the retry fields for any other state. */
	s->status.state = STREAM_RETRYING;
	snprintf(s->reason, sizeof s->reason, "%s", reason);
	s->status.reason = s->reason;
	if (s->cb.on_state)
		s->cb.on_state(s->cb_ctx, &s->status);
}

/* ---- one attempt -------------------------------------------------------- */

static void connect_to(struct stream *s, const char *address)
{
	struct lws_client_connect_info ci;
	char *path = wsurl_events_path(&s->url, s->last_seq);

	if (!path) {
		stream_attempt_ended(s, "out of memory", false);
		return;
	}
	memset(&ci, 0, sizeof ci);
	ci.context = s->ctx;
	ci.address = address;
	ci.port = s->url.port;
	ci.path = path;
	ci.host = s->url.host_header;
	ci.protocol = "handoff.v1";
	ci.retry_and_idle_policy = &s->keepalive;
	ci.pwsi = &s->wsi;
	if (s->url.tls) {
		ci.ssl_connection = LCCSCF_USE_SSL;
		if (s->insecure)
			ci.ssl_connection |= LCCSCF_ALLOW_SELFSIGNED |
					     LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK |
					     LCCSCF_ALLOW_EXPIRED;
	}
	s->have_hello = false;
	s->peer_close_code = 0;
	s->hangup_reason[0] = '\0';
	stream_rx_reset(s);
	/* lws copies what it keeps of ci; a failure may already have been
	 * reported through the callback (then conn_open is false). */
	if (!lws_client_connect_via_info(&ci))
		stream_attempt_ended(s, "cannot open a connection", false);
	free(path);
}

/* A lookup outlives an abandoned attempt (uv cannot always cancel it): it
 * is its own allocation, and `s` is NULL once nobody waits for it. */
struct lookup {
	uv_getaddrinfo_t req;
	struct stream *s;
};

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
	struct lookup *l = req->data;
	struct stream *s = l->s;
	char ip[INET6_ADDRSTRLEN] = "";

	if (status == 0 && res) {
		const void *a = res->ai_family == AF_INET6
			? (const void *)&((struct sockaddr_in6 *)res->ai_addr)->sin6_addr
			: (const void *)&((struct sockaddr_in *)res->ai_addr)->sin_addr;
		inet_ntop(res->ai_family, a, ip, sizeof ip);
	}
	uv_freeaddrinfo(res);
	free(l);
	if (!s)
		return;
	s->lookup = NULL;
	if (!ip[0]) {
		char reason[STREAM_REASON_LEN];

		snprintf(reason, sizeof reason, "cannot find the hub's address (%s)",
			 status ? uv_strerror(status) : "no address");
		stream_attempt_ended(s, reason, false);
		return;
	}
	connect_to(s, ip);
}

static void attempt_start(struct stream *s)
{
	struct addrinfo hints;
	char port[8];
	struct lookup *l;

	s->status.connects++;
	s->conn_open = true;
	if (s->status.state != STREAM_CONNECTING)
		set_state(s, STREAM_CONNECTING, NULL);
	if (s->freeing || !s->conn_open)
		return;
	l = calloc(1, sizeof *l);
	if (!l) {
		stream_attempt_ended(s, "out of memory", false);
		return;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof port, "%d", s->url.port);
	l->s = s;
	l->req.data = l;
	int rc = uv_getaddrinfo(s->loop, &l->req, on_resolved, s->url.address, port, &hints);
	if (rc != 0) {
		char reason[STREAM_REASON_LEN];

		free(l);
		snprintf(reason, sizeof reason, "cannot look up the hub's address (%s)",
			 uv_strerror(rc));
		stream_attempt_ended(s, reason, false);
		return;
	}
	s->lookup = l;
}

static void on_timer(uv_timer_t *t)
{
	struct stream *s = t->data;

	if (!s->freeing && s->status.state != STREAM_STOPPED && s->status.state != STREAM_OFFLINE)
		attempt_start(s);
}

/* ---- the lws context ----------------------------------------------------- */

/* lws's own warnings go to our log at debug level: on the console stderr
 * is the screen. At these levels lws never prints headers. */
static void lws_log_line(int level, const char *line)
{
	size_t n = strlen(line);

	(void)level;
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	log_debug("lws: %.*s", (int)n, line);
}

/*
 * The TLS client context is made here and handed to lws, not left to lws:
 * lws 4.1 finds the one it makes through an OpenSSL ex-data index that
 * every new lws context acquires anew, so a context destroyed while a
 * newer one lives (two streams, the older freed first) no longer finds its
 * own and leaks it with its whole CA store (fixed in lws 4.2). lws neither
 * configures nor frees a context it is given; it still sets the peer
 * checks (and the --insecure exceptions) on each connection. It is made
 * for an http hub too, as lws did: one code path, the one tests exercise;
 * but only an https hub's loads the system's trusted CAs: parsing
 * Debian's bundle (some 140 certificates) took 26 ms of CPU, a third of
 * the console's first paint, for a connection that verifies nothing.
 */
static SSL_CTX *tls_client_new(bool verifies)
{
	SSL_CTX *tls = SSL_CTX_new(TLS_client_method());

	if (!tls)
		return NULL;
	SSL_CTX_set_min_proto_version(tls, TLS1_2_VERSION);
	SSL_CTX_set_options(tls, SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_mode(tls, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
	/* The system's trusted CAs, as lws would have loaded them. */
	if (verifies && !SSL_CTX_set_default_verify_paths(tls))
		log_warn("event stream: cannot load the system's trusted certificates");
	return tls;
}

static struct lws_context *context_create(struct stream *s)
{
	struct lws_context_creation_info info;

	memset(&info, 0, sizeof info);
	info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.port = CONTEXT_PORT_NO_LISTEN;
	s->foreign_loops[0] = s->loop;
	info.foreign_loops = s->foreign_loops;
	info.pcontext = &s->ctx;
	info.user = s;
	s->protocols[0].name = "handoff.v1";
	s->protocols[0].callback = stream_proto_callback;
	/* Frames arrive in pieces of this size; stream_proto assembles them. */
	s->protocols[0].rx_buffer_size = 64 * 1024;
	info.protocols = s->protocols;
	info.provided_client_ssl_ctx = s->tls;
	return lws_create_context(&info);
}

struct stream *stream_new(uv_loop_t *loop, const char *server_url, const char *token,
			  bool insecure, const struct stream_callbacks *cb, void *ctx,
			  struct errbuf *err)
{
	struct stream *s = calloc(1, sizeof *s);

	if (!s) {
		errbuf_set(err, "out of memory");
		return NULL;
	}
	if (!wsurl_parse(server_url, &s->url, err)) {
		free(s);
		return NULL;
	}
	s->token = strdup(token ? token : "");
	if (!s->token) {
		wsurl_free(&s->url);
		free(s);
		errbuf_set(err, "out of memory");
		return NULL;
	}
	s->loop = loop;
	s->insecure = insecure;
	if (cb)
		s->cb = *cb;
	s->cb_ctx = ctx;
	s->last_seq = -1;
	s->status.state = STREAM_STOPPED;
	stream_set_keepalive(s, KEEPALIVE_PING_S, KEEPALIVE_PONG_S);
	/* Clients that lost the hub together must not come back together. */
	backoff_init(&s->backoff, BACKOFF_BASE_S, BACKOFF_CAP_S,
		     (uint64_t)time(NULL) * 2654435761u ^ (uint64_t)getpid() ^ (uintptr_t)s);
	lws_set_log_level(LLL_ERR | LLL_WARN, lws_log_line);
	s->tls = tls_client_new(s->url.tls);
	if (!s->tls) {
		errbuf_set(err, "cannot set up TLS (out of memory?)");
		free(s->token);
		wsurl_free(&s->url);
		free(s);
		return NULL;
	}
	s->ctx = context_create(s);
	if (!s->ctx) {
		errbuf_set(err, "cannot start libwebsockets (is libwebsockets-evlib-uv installed?)");
		SSL_CTX_free(s->tls);
		free(s->token);
		wsurl_free(&s->url);
		free(s);
		return NULL;
	}
	uv_timer_init(loop, &s->timer);
	uv_idle_init(loop, &s->reaper);
	s->timer.data = s->reaper.data = s;
	s->handles_open = 2;
	return s;
}

void stream_start(struct stream *s, int64_t since)
{
	if (s->status.state != STREAM_STOPPED && s->status.state != STREAM_OFFLINE)
		return;
	s->last_seq = since < 0 ? -1 : since;
	s->status.failures = 0;
	backoff_reset(&s->backoff);
	set_state(s, STREAM_CONNECTING, NULL);
	if (s->status.state == STREAM_CONNECTING && !s->freeing)
		uv_timer_start(&s->timer, on_timer, 0, 0);
}

/* Drop the current attempt without reporting it: lws closes the socket on
 * its next turn, and its late callbacks no longer match s->wsi. */
static void attempt_abandon(struct stream *s)
{
	if (s->wsi)
		lws_set_timeout(s->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
	s->wsi = NULL;
	s->conn_open = false;
	stream_rx_reset(s);
	if (s->lookup) {
		s->lookup->s = NULL;
		uv_cancel((uv_req_t *)&s->lookup->req);
		s->lookup = NULL;
	}
}

void stream_stop(struct stream *s)
{
	uv_timer_stop(&s->timer);
	attempt_abandon(s);
	if (s->status.state != STREAM_STOPPED)
		set_state(s, STREAM_STOPPED, NULL);
}

int64_t stream_last_seq(const struct stream *s)
{
	return s->last_seq;
}

const struct stream_status *stream_status(const struct stream *s)
{
	return &s->status;
}

void stream_set_backoff(struct stream *s, double base_s, double cap_s, uint64_t seed)
{
	backoff_init(&s->backoff, base_s, cap_s, seed);
}

void stream_set_keepalive(struct stream *s, unsigned ping_s, unsigned pong_s)
{
	if (ping_s < 1)
		ping_s = 1;
	if (pong_s < 1)
		pong_s = 1;
	if (ping_s > 30000)
		ping_s = 30000;
	if (pong_s > 30000)
		pong_s = 30000;
	memset(&s->keepalive, 0, sizeof s->keepalive);
	/* lws: PING after this much silence, hang up at the second mark
	 * unless something (the PONG) arrived in between. */
	s->keepalive.secs_since_valid_ping = (uint16_t)ping_s;
	s->keepalive.secs_since_valid_hangup = (uint16_t)(ping_s + pong_s);
}

/* ---- teardown ------------------------------------------------------------ */

/*
 * With a foreign loop, lws 4.1 destroys a context in two calls:
 * lws_context_destroy() closes every connection and, from their close
 * callbacks, lws's own uv handles (an idle and a timer whose data is the
 * context); only a second call, once those are closed, frees the context
 * (and writes NULL to s->ctx). Calling it from inside an lws callback is
 * not allowed either. So stream_free hands the work to an idle handle,
 * which runs outside lws on each turn until lws is done, then closes the
 * stream's own handles; the last close frees the stream and the TLS
 * client context, which lws used until it was done.
 */

struct lws_watch {
	const struct stream *s;
	int busy;
};

/* Is this uv handle still lws's, or is anything else still closing (to be
 * safe: lws may close in more steps than we know of)? */
static void count_lws_handles(uv_handle_t *h, void *arg)
{
	struct lws_watch *w = arg;

	if (h == (uv_handle_t *)&w->s->timer || h == (uv_handle_t *)&w->s->reaper)
		return;
	if (h->data == (void *)w->s->ctx || uv_is_closing(h))
		w->busy++;
}

static void on_handle_closed(uv_handle_t *h)
{
	struct stream *s = h->data;

	if (--s->handles_open > 0)
		return;
	SSL_CTX_free(s->tls);
	free(s->token);
	wsurl_free(&s->url);
	free(s);
}

static void reap(uv_idle_t *idle)
{
	struct stream *s = idle->data;

	if (s->reap_stage == 0) {
		s->reap_stage = 1;
		if (s->ctx)
			lws_context_destroy(s->ctx);
		return;
	}
	if (s->ctx) {
		struct lws_watch w = {s, 0};

		uv_walk(s->loop, count_lws_handles, &w);
		if (w.busy)
			return;
		lws_context_destroy(s->ctx);
		if (s->ctx)
			return;
	}
	uv_idle_stop(idle);
	uv_close((uv_handle_t *)&s->timer, on_handle_closed);
	uv_close((uv_handle_t *)&s->reaper, on_handle_closed);
}

void stream_free(struct stream *s)
{
	if (!s || s->freeing)
		return;
	s->freeing = true;
	memset(&s->cb, 0, sizeof s->cb);
	uv_timer_stop(&s->timer);
	attempt_abandon(s);
	/* The token is not needed any more; do not leave it in freed memory. */
	for (volatile char *p = s->token; *p; p++)
		*p = '\0';
	uv_idle_start(&s->reaper, reap);
}
