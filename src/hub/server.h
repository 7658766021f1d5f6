/*
 * server.h — the hub's HTTP + WebSocket server: libwebsockets on a libuv loop.
 *
 * One process, one loop. HTTP requests are collected (body <= 64 KiB),
 * matched against api_routes (route.h), authenticated and dispatched; the
 * WebSocket endpoint /v1/events (subprotocol "handoff.v1") sends hello,
 * replays from ?since= (or resync), then streams live events from the db's
 * event listener. A client whose unsent backlog passes 1 MiB is dropped.
 *
 * The hub accepts connections itself (server_accept.c) and hands them to
 * lws, so it can bound them: per peer address, in total, and while out of
 * file descriptors.
 */
#ifndef HANDOFF_HUB_SERVER_H
#define HANDOFF_HUB_SERVER_H

#include <stdbool.h>

#include <uv.h>

#include "errbuf.h"
#include "model.h"
#include "ratelimit.h"

struct storage;
struct server;

#define SERVER_MAX_BODY (64 * 1024)
#define SERVER_MAX_WS_BACKLOG (1024 * 1024)

/* What one client, or many, may hold of the hub (doc/handoffd.8). */
struct server_limits {
	unsigned request_timeout_s;  /* a whole request, headers and body */
	unsigned max_connections;    /* in total */
	unsigned max_per_address;    /* from one peer address */
	size_t max_body_memory;      /* bytes of request bodies being received */
	struct rate_limits rates;    /* requests per account, wrong tokens per address */
	struct wait_targets targets; /* told to every console in hello; zero: none */
	bool auto_assign;            /* offer waiting chats to online agents (v1.1) */
	unsigned offer_seconds;      /* how long an offer waits for an answer */
};

#define SERVER_DEFAULT_OFFER_SECONDS 30

#define SERVER_DEFAULT_REQUEST_TIMEOUT_S 10
#define SERVER_DEFAULT_MAX_CONNECTIONS 4096
#define SERVER_DEFAULT_MAX_PER_ADDRESS 128
#define SERVER_DEFAULT_MAX_BODY_MEMORY (16 * 1024 * 1024)

#define SERVER_LIMITS_DEFAULT                                                   \
	{                                                                       \
		.request_timeout_s = SERVER_DEFAULT_REQUEST_TIMEOUT_S,          \
		.max_connections = SERVER_DEFAULT_MAX_CONNECTIONS,              \
		.max_per_address = SERVER_DEFAULT_MAX_PER_ADDRESS,              \
		.max_body_memory = SERVER_DEFAULT_MAX_BODY_MEMORY,              \
		.rates = RATE_LIMITS_DEFAULT,                                   \
		.offer_seconds = SERVER_DEFAULT_OFFER_SECONDS,                  \
	}

/* Listen on host:port (port 0 picks a free one) on `loop`. */
struct server *server_start(uv_loop_t *loop, struct storage *st, const char *host, int port,
			    const struct server_limits *limits, struct errbuf *err);

/* The port actually bound (useful after port 0). */
int server_port(const struct server *s);

/* Close every connection and the listener; the loop then runs dry. */
void server_stop(struct server *s);

/* Release what server_start allocated; call after the loop has stopped. */
void server_free(struct server *s);

#endif
