/*
 * httpc.h — asynchronous HTTP requests on the client's libuv loop.
 *
 * libcurl's multi-socket interface driven by uv_poll (one per socket curl
 * opens) and one uv_timer (curl's timeout), the pattern of curl's own
 * multi-uv example: nothing here ever blocks the loop. Each request ends in
 * exactly one call of its completion callback, with the HTTP status and the
 * body, or with a transport error in words.
 *
 * TLS certificates and host names are verified unless the caller asks
 * otherwise (`insecure`, for test hubs, which the command line says loudly).
 */
#ifndef HANDOFF_HTTPC_H
#define HANDOFF_HTTPC_H

#include <stdbool.h>
#include <stddef.h>

#include <uv.h>

#include "errbuf.h"

struct httpc;

struct httpc_result {
	long status;             /* 0 when the request never got an answer */
	const char *body;        /* NUL-terminated; "" when none */
	size_t body_len;
	const char *retry_after; /* the Retry-After header, or NULL */
	const char *error;       /* transport failure in words, or NULL */
};

/* Called once per request; `r` and its strings live only during the call. */
typedef void httpc_done_fn(void *ctx, const struct httpc_result *r);

struct httpc_request {
	const char *method;      /* "GET", "POST", "PATCH" */
	const char *url;
	const char *token;       /* bearer token, or NULL */
	/* More request headers, "Name: value" each, NULL-terminated (NULL:
	 * none): a platform's account header, for instance. */
	const char *const *headers;
	const char *body;        /* JSON, or NULL */
	size_t body_len;
	long timeout_ms;         /* whole request; 0 for the default (15 s) */
	bool insecure;           /* skip TLS verification */
	/* A connection of its own: curl resends a request by itself when a
	 * reused connection dies before any answer, which a write without an
	 * idempotency key must never be. */
	bool fresh_connection;
	httpc_done_fn *done;
	void *ctx;
};

struct httpc *httpc_new(uv_loop_t *loop, struct errbuf *err);

/* Start a request; false (with a reason) only when it could not even start. */
bool httpc_start(struct httpc *h, const struct httpc_request *req, struct errbuf *err);

/* Requests under way. */
size_t httpc_pending(const struct httpc *h);

/* Abort every request (their callbacks run with error "cancelled"), close
 * the loop handles, and free `h` once the loop has let go of them. */
void httpc_free(struct httpc *h);

#endif
