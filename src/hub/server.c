/*
 * server.c — the server's life: an lws context on the hub's libuv loop,
 * one vhost, two protocols (plain HTTP and the event stream), and the
 * route table the HTTP layer dispatches on.
 *
 * lws runs on a "foreign" loop (ours): destroying the context only starts
 * closing its connections and uv handles; lws finishes, and writes NULL
 * into server->ctx (info.pcontext), from the loop's close callbacks. So
 * server_stop returns at once and the loop runs dry afterwards.
 */
#define _GNU_SOURCE /* strcasestr */
#include <stdlib.h>
#include <string.h>

#include "server_internal.h"
#include "log.h"

/* Turns of the loop we give lws to finish a destroy outside uv_run. */
#define DESTROY_TURNS 100

/* Buckets per rate-limit table: an account or address past that many
 * takes the place of one that has refilled (ratelimit.h). */
#define RATE_BUCKETS 4096

static const char *const events_params[] = {"since", NULL};

/* The stream is answered by the server itself, but its route stands in the
 * table so a plain GET gets the same 401, 403 and 400 as any other. */
static const struct route events_route = {
	HTTP_GET, EVENTS_PATH, ROLES_ANY, events_not_upgraded, events_params, false,
};

/* libwebsockets' own lines, into our log at our levels. A notice can dump
 * a request's headers ("ah excessive hold"): whatever follows the word
 * Authorization or Bearer is cut, so no token reaches the log. */
static void lws_log_line(int level, const char *line)
{
	enum log_level ours = level & LLL_ERR ? LOG_ERROR : level & LLL_WARN ? LOG_WARN : LOG_DEBUG;
	const char *secret = strcasestr(line, "authorization");

	if (!secret)
		secret = strcasestr(line, "bearer");
	if (secret)
		log_msg(ours, "lws: %.*s [redacted]", (int)(secret - line), line);
	else
		log_msg(ours, "lws: %s", line);
}

/* Errors and warnings always; lws's notices too with --verbose (not its
 * info, parser or header levels, which trace every request's headers). */
static void lws_log_setup(void)
{
	int levels = LLL_ERR | LLL_WARN;

	if (log_enabled(LOG_DEBUG))
		levels |= LLL_NOTICE;
	lws_set_log_level(levels, lws_log_line);
}

static bool routes_build(struct server *s)
{
	s->nroutes = api_routes_count + 1;
	s->routes = malloc(s->nroutes * sizeof *s->routes);
	if (!s->routes)
		return false;
	memcpy(s->routes, api_routes, api_routes_count * sizeof *s->routes);
	s->routes[api_routes_count] = events_route;
	return true;
}

/* Outside uv_run (a failed start, a free without a stop) nobody turns the
 * loop for lws's close callbacks: turn it here until lws is done. */
static void context_destroy_now(struct server *s)
{
	lws_context_destroy(s->ctx);
	for (int i = 0; s->ctx && i < DESTROY_TURNS; i++)
		uv_run(s->loop, UV_RUN_NOWAIT);
	/* A second call completes what the handles' closing left over. */
	lws_context_destroy(s->ctx);
	s->ctx = NULL;
}

static struct lws_context *context_create(struct server *s)
{
	struct lws_context_creation_info info;

	memset(&info, 0, sizeof info);
	/* VALIDATE_UTF8: a text frame from a client must be UTF-8 (RFC 6455
	 * 8.1), else lws closes it with 1007; it is read from the context. */
	info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_EXPLICIT_VHOSTS |
		       LWS_SERVER_OPTION_VALIDATE_UTF8;
	s->foreign_loops[0] = s->loop;
	info.foreign_loops = s->foreign_loops;
	info.pcontext = &s->ctx;
	info.user = s;
	/* Room for a long Authorization and a long ?q= (default: 4 KiB). */
	info.max_http_header_data = 16 * 1024;
	return lws_create_context(&info);
}

/* A vhost without a listener of its own: server_accept.c accepts and
 * hands each connection over. */
static struct lws_vhost *vhost_create(struct server *s)
{
	struct lws_context_creation_info info;

	memset(&info, 0, sizeof info);
	info.vhost_name = "handoffd";
	info.port = CONTEXT_PORT_NO_LISTEN_SERVER;
	/* protocols[0] takes every HTTP request; a WebSocket upgrade asking
	 * for "handoff.v1" lands on the second. The zeroed third ends the list. */
	s->protocols[0] = server_http_protocol;
	s->protocols[1] = server_events_protocol;
	info.protocols = s->protocols;
	return lws_create_vhost(s->ctx, &info);
}

struct server *server_start(uv_loop_t *loop, struct storage *st, const char *host, int port,
			    const struct server_limits *limits, struct errbuf *err)
{
	struct server *s = calloc(1, sizeof *s);

	if (!s) {
		errbuf_set(err, "out of memory");
		return NULL;
	}
	s->loop = loop;
	s->st = st;
	s->limits = *limits;
	s->listener.fd = s->listener.spare_fd = -1;
	s->accounts = ratelimit_new(RATE_BUCKETS);
	s->addresses = ratelimit_new(RATE_BUCKETS);
	if (!events_init(s) || !presence_init(s) || !agents_init(s) || !share_init(s) || !text_init(s) ||
	    !routes_build(s) || !s->accounts || !s->addresses) {
		errbuf_set(err, "out of memory");
		server_free(s);
		return NULL;
	}
	lws_log_setup();
	s->ctx = context_create(s);
	if (!s->ctx) {
		errbuf_set(err, "cannot start libwebsockets (is libwebsockets-evlib-uv installed?)");
		server_free(s);
		return NULL;
	}
	s->vhost = vhost_create(s);
	if (!s->vhost) {
		errbuf_set(err, "cannot create the lws vhost");
		server_free(s);
		return NULL;
	}
	if (!accept_start(s, host, port, err)) {
		server_free(s);
		return NULL;
	}
	/* The listener first: a back end whose events come from elsewhere
	 * follows the log from its head as it finds it, and the head read
	 * next is at least that, so no event falls between the two. */
	st->ops->set_event_listener(st, events_on_commit, s);
	s->head = st->ops->events_head(st);
	/* Its notes travel with the feed (a back end that has other hubs). */
	share_start(s);
	return s;
}

int server_port(const struct server *s)
{
	return s->port;
}

void server_stop(struct server *s)
{
	if (!s || s->stopping)
		return;
	s->stopping = true;
	/* Its goodbye is queued before the feed, which carries it, stops. */
	share_close(s);
	s->st->ops->set_event_listener(s->st, NULL, NULL);
	accept_stop(s);
	events_close(s);
	presence_close(s);
	agents_close(s);
	text_close(s);
	lws_context_destroy(s->ctx);
}

void server_free(struct server *s)
{
	if (!s)
		return;
	if (s->ctx) {
		if (!s->stopping)
			s->st->ops->set_event_listener(s->st, NULL, NULL);
		context_destroy_now(s);
	}
	if ((s->flush_ready || s->listener.ready || s->agents.ready || s->share.ready ||
	     s->text.ready) &&
	    !s->stopping) {
		/* Nobody turns the loop after this: finish the close here. */
		events_close(s);
		presence_close(s);
		agents_close(s);
		share_close(s);
		text_close(s);
		accept_stop(s);
		uv_run(s->loop, UV_RUN_NOWAIT);
	}
	accept_free(s);
	presence_free(s);
	share_free(s);
	free(s->routes);
	ratelimit_free(s->accounts);
	ratelimit_free(s->addresses);
	free(s);
}
