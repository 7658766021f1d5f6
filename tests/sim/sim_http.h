/*
 * sim_http.h — the simulator's HTTP/1.1 server: plain libuv TCP and a
 * minimal request parser (request line, headers, Content-Length body,
 * keep-alive, one request at a time per connection).
 *
 * Why not libwebsockets, as the hub uses: a fault simulator must do to a
 * connection what a well-behaved server never does — hang up after having
 * done the work, answer late, answer one request while the next one waits —
 * and with the socket in our hands each of those is one line. The parser is
 * small because the clients are ours (libcurl): no chunked request bodies,
 * no continuation lines; anything else gets 400 and the connection closed.
 */
#ifndef HANDOFF_SIM_HTTP_H
#define HANDOFF_SIM_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

/* Largest request body accepted; beyond it the answer is 413. */
#define SIM_HTTP_MAX_BODY (1024 * 1024)

struct sim_header {
	const char *name;   /* as sent; compare case-insensitively */
	const char *value;  /* leading and trailing blanks removed */
};

#define SIM_HTTP_MAX_HEADERS 48

struct sim_req {
	const char *method;
	const char *path;       /* without the query, not decoded */
	const char *query;      /* after '?', or "" */
	struct sim_header headers[SIM_HTTP_MAX_HEADERS];
	int nheaders;
	const char *body;       /* NUL-terminated copy of the body ("" when none) */
	size_t body_len;
	int too_large;          /* Content-Length above SIM_HTTP_MAX_BODY: body dropped */
};

/* A header's value, or NULL. */
const char *sim_req_header(const struct sim_req *r, const char *name);

enum sim_resp_action {
	SIM_RESP_SEND,  /* write the answer (after delay_ms) */
	SIM_RESP_DROP,  /* close the connection without a byte of answer */
};

struct sim_resp {
	int status;
	char *body;             /* malloc'd JSON, owned by the server after the handler */
	int retry_after;        /* seconds for a Retry-After header; < 0: none */
	unsigned delay_ms;      /* wait this long before answering (or dropping) */
	enum sim_resp_action action;
};

/* Fills `resp` (status 0 on entry, body NULL, retry_after -1, delay 0, SEND). */
typedef void (*sim_handler)(void *ctx, const struct sim_req *req, struct sim_resp *resp);

struct sim_http;

/* Listen on host:port (port 0: the kernel picks); *bound_port gets the port.
 * Returns a libuv error code (0 on success). */
int sim_http_start(uv_loop_t *loop, const char *host, int port, sim_handler h, void *ctx,
		   struct sim_http **out, int *bound_port);

/* Stop listening and close every connection; the memory goes from the
 * close callbacks, so the loop must run afterwards until it is dry. */
void sim_http_stop(struct sim_http *s);

/* Percent-decode src[0..len) into a new string ('+' is a space, as in a
 * query). Returns NULL on a bad escape or a decoded NUL. */
char *sim_url_decode(const char *src, size_t len);

/* Match a request path against `pattern`, in which "{}" stands for one
 * non-empty segment; those segments, percent-decoded, go in params[0..max)
 * (malloc'd: the caller frees them). Returns how many, or -1 (nothing
 * kept) when the path does not match. */
int sim_path_match(const char *pattern, const char *path, char **params, int max);

/* Free params[0..n) and set them to NULL. */
void sim_path_params_free(char **params, int n);

#endif
