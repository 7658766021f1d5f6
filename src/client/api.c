/*
 * api.c — the life of one API call: send, classify the answer, retry or
 * deliver. Endpoints are in api_endpoints.c, decoders in api_decode.c.
 *
 * Callbacks never run on httpc's stack: a finished answer is decoded at
 * once, then handed over from the call's own uv_timer (0 ms), so a
 * callback may free the api (the CLI does) without pulling httpc's
 * structures out from under it. The same timer measures retry waits.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api_internal.h"
#include "backoff.h"
#include "httpc.h"
#include "jsonfield.h"
#include "timeutil.h"

#define API_BACKOFF_CAP_S 8.0

struct call {
	struct api *api;
	struct call *prev, *next;
	char method[8];
	char *url;
	char *body;            /* NULL without one */
	size_t body_len;
	enum api_payload what;
	bool retry_safe;
	api_done_fn *done;
	void *ctx;
	unsigned retries;
	struct backoff bo;
	uv_timer_t timer;      /* retry waits and delivery */
	bool in_flight;        /* httpc owes us a callback */
	bool has_result;       /* `result` is ready to deliver */
	struct api_result result;
};

struct api {
	uv_loop_t *loop;
	struct httpc *http;
	char *base;
	char *token;           /* never printed */
	bool insecure;
	unsigned max_retries;
	double base_s;
	struct call *calls;    /* not yet delivered */
	size_t pending;
	size_t live;           /* calls whose timer is not closed yet */
	bool freeing;
};

static void send_attempt(struct call *c);

static void unlink_call(struct call *c)
{
	struct api *a = c->api;

	if (c->prev)
		c->prev->next = c->next;
	else
		a->calls = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
	a->pending--;
}

static void on_call_closed(uv_handle_t *h)
{
	struct call *c = h->data;
	struct api *a = c->api;

	free(c->url);
	free(c->body);
	free(c);
	if (--a->live == 0 && a->freeing) {
		free(a->base);
		free(a->token);
		free(a);
	}
}

/* Run the callback once, free what it left, and let the call go. */
static void deliver(struct call *c)
{
	uv_timer_stop(&c->timer);
	unlink_call(c);
	c->done(c->ctx, &c->result);
	api_result_free(&c->result);
	uv_close((uv_handle_t *)&c->timer, on_call_closed);
}

static void on_timer(uv_timer_t *t)
{
	struct call *c = t->data;

	if (c->has_result)
		deliver(c);
	else
		send_attempt(c);
}

/* The result is final: hand it over from the loop, not from here. */
static void ready(struct call *c)
{
	c->has_result = true;
	uv_timer_start(&c->timer, on_timer, 0, 0);
}

__attribute__((format(printf, 3, 4)))
static void fail(struct call *c, enum api_err_kind kind, const char *fmt, ...)
{
	va_list ap;

	api_result_free(&c->result);
	c->result.err = kind;
	va_start(ap, fmt);
	vsnprintf(c->result.text, sizeof c->result.text, fmt, ap);
	va_end(ap);
}

static bool may_retry(const struct call *c, long status, bool connection_error)
{
	if (c->retries >= c->api->max_retries)
		return false;
	/* A retry-safe send behaves like an idempotent method: its
	 * client_msg_id turns a resend into a harmless duplicate. */
	return should_retry(c->retry_safe ? "GET" : c->method, status, connection_error);
}

static void retry_in(struct call *c, uint64_t delay_ms)
{
	c->retries++;
	uv_timer_start(&c->timer, on_timer, delay_ms, 0);
}

/* A non-2xx answer: the hub's typed error, or a body that is not one. */
static void server_error(struct call *c, const char *body, size_t len)
{
	cJSON *j = json_parse_text(body, len, NULL);
	struct api_error e;

	if (j && api_error_from_json(j, &e)) {
		fail(c, API_ERR_SERVER, "%s", e.description);
		c->result.server = e;
	} else {
		fail(c, API_ERR_BAD_ANSWER, "the hub answered HTTP %ld without an error body",
		     c->result.http_status);
	}
	cJSON_Delete(j);
}

static void on_http(void *ctx, const struct httpc_result *r)
{
	struct call *c = ctx;
	struct api *a = c->api;

	c->in_flight = false;
	c->result.http_status = r->status;
	if (a->freeing) {
		fail(c, API_ERR_CANCELLED, "cancelled");
		deliver(c);
		return;
	}
	if (r->error) {
		if (may_retry(c, 0, true)) {
			retry_in(c, backoff_next_ms(&c->bo));
			return;
		}
		fail(c, API_ERR_UNREACHABLE, "cannot reach %s: %s", a->base, r->error);
		ready(c);
		return;
	}
	if (r->status >= 200 && r->status < 300) {
		struct errbuf why;
		api_result_free(&c->result);
		if (!api_decode(c->what, r->status, r->body, r->body_len, &c->result, &why))
			fail(c, API_ERR_BAD_ANSWER, "bad answer from the hub: %s", why.msg);
		ready(c);
		return;
	}
	if (may_retry(c, r->status, false)) {
		uint64_t delay = 0;
		if (r->status != 429 || !r->retry_after ||
		    !retry_after_parse(r->retry_after, ts_now(), &delay))
			delay = backoff_next_ms(&c->bo);
		/* Waiting longer than a person would is worse than saying no. */
		if (delay <= API_RETRY_AFTER_MAX_MS) {
			retry_in(c, delay);
			return;
		}
	}
	server_error(c, r->body, r->body_len);
	ready(c);
}

static void send_attempt(struct call *c)
{
	struct api *a = c->api;
	struct errbuf why;
	struct httpc_request req = {
		.method = c->method,
		.url = c->url,
		.token = a->token,
		.body = c->body,
		.body_len = c->body_len,
		.insecure = a->insecure,
		.done = on_http,
		.ctx = c,
	};

	if (!httpc_start(a->http, &req, &why)) {
		fail(c, API_ERR_UNREACHABLE, "cannot reach %s: %s", a->base, why.msg);
		ready(c);
		return;
	}
	c->in_flight = true;
}

bool api_call_start(struct api *a, const char *method, const char *path, cJSON *body,
		    enum api_payload what, bool retry_safe, api_done_fn *done, void *ctx,
		    struct errbuf *err)
{
	struct call *c = NULL;
	bool ok = false;

	if (a->freeing) {
		errbuf_set(err, "the connection to the hub is closing");
		goto out;
	}
	c = calloc(1, sizeof *c);
	if (!c || strlen(method) >= sizeof c->method) {
		errbuf_set(err, "out of memory");
		goto out;
	}
	size_t n = strlen(a->base) + strlen(path) + 1;
	c->url = malloc(n);
	if (body) {
		c->body = cJSON_PrintUnformatted(body);
		c->body_len = c->body ? strlen(c->body) : 0;
	}
	if (!c->url || (body && !c->body)) {
		errbuf_set(err, "out of memory");
		goto out;
	}
	snprintf(c->url, n, "%s%s", a->base, path);
	snprintf(c->method, sizeof c->method, "%s", method);
	c->api = a;
	c->what = what;
	c->retry_safe = retry_safe;
	c->done = done;
	c->ctx = ctx;
	backoff_init(&c->bo, a->base_s, API_BACKOFF_CAP_S,
		     (uint64_t)ts_now() * 2654435761u ^ (uint64_t)getpid() ^ (uintptr_t)c);
	uv_timer_init(a->loop, &c->timer);
	c->timer.data = c;
	a->live++;
	c->next = a->calls;
	if (c->next)
		c->next->prev = c;
	a->calls = c;
	a->pending++;
	/* The first attempt also starts from the timer, so the callback never
	 * runs before this function returned, even on an immediate failure. */
	uv_timer_start(&c->timer, on_timer, 0, 0);
	c = NULL;
	ok = true;
out:
	if (c) {
		free(c->url);
		free(c->body);
		free(c);
	}
	cJSON_Delete(body);
	return ok;
}

struct api *api_new(uv_loop_t *loop, const char *server_url, const char *token, bool insecure,
		    struct errbuf *err)
{
	struct api *a = calloc(1, sizeof *a);

	if (!a || !(a->base = strdup(server_url)) || (token && !(a->token = strdup(token)))) {
		errbuf_set(err, "out of memory");
		goto fail;
	}
	a->http = httpc_new(loop, err);
	if (!a->http)
		goto fail;
	a->loop = loop;
	a->insecure = insecure;
	a->max_retries = API_MAX_RETRIES;
	a->base_s = BACKOFF_BASE_S;
	return a;
fail:
	if (a) {
		free(a->base);
		free(a->token);
		free(a);
	}
	return NULL;
}

void api_free(struct api *a)
{
	if (!a)
		return;
	a->freeing = true;
	/* Calls between attempts or about to deliver: cancel them here;
	 * those in flight are cancelled by httpc_free through on_http. */
	for (struct call *c = a->calls, *next; c; c = next) {
		next = c->next;
		if (c->in_flight)
			continue;
		fail(c, API_ERR_CANCELLED, "cancelled");
		deliver(c);
	}
	httpc_free(a->http);
	a->http = NULL;
	if (a->live == 0) {
		free(a->base);
		free(a->token);
		free(a);
	}
}

void api_set_retry(struct api *a, unsigned max_retries, unsigned base_ms)
{
	a->max_retries = max_retries;
	a->base_s = base_ms / 1000.0;
}

size_t api_pending(const struct api *a)
{
	return a->pending;
}
