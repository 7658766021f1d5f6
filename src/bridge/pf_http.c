/*
 * pf_http.c — JSON requests to a platform (pf_http.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backoff.h"
#include "bridge_config.h"
#include "httpc.h"
#include "jsonfield.h"
#include "pf_http.h"
#include "timeutil.h"

#define MAX_HEADERS 8

struct pf_http {
	struct httpc *http;
	char *base, *token;
	char *headers[MAX_HEADERS + 1];
	long timeout_ms;
};

struct pf_call {
	pf_http_fn *done;
	void *ctx;
};

struct pf_http *pf_http_new(uv_loop_t *loop, const char *base_url, const char *token,
			    const char *const *headers, long timeout_ms, struct errbuf *err)
{
	struct pf_http *h = calloc(1, sizeof *h);
	size_t n = 0;

	if (!h || !(h->base = strdup(base_url)) || (token && !(h->token = strdup(token))))
		goto oom;
	for (; headers && headers[n]; n++)
		if (n == MAX_HEADERS || !(h->headers[n] = strdup(headers[n])))
			goto oom;
	h->timeout_ms = timeout_ms;
	if (!(h->http = httpc_new(loop, err)))
		goto fail;
	return h;
oom:
	errbuf_set(err, "out of memory");
fail:
	if (h) {
		h->http = NULL;
		pf_http_free(h);
	}
	return NULL;
}

struct pf_http *pf_http_open(uv_loop_t *loop, const struct bridge_config *cfg, const char *token,
			     const char *const *headers, struct errbuf *err)
{
	return pf_http_new(loop, cfg->platform_url, token, headers, cfg->request_timeout_ms, err);
}

void pf_http_free(struct pf_http *h)
{
	if (!h)
		return;
	httpc_free(h->http);
	free(h->base);
	free(h->token);
	for (size_t i = 0; h->headers[i]; i++)
		free(h->headers[i]);
	free(h);
}

static void on_done(void *ctx, const struct httpc_result *r)
{
	struct pf_call *c = ctx;
	struct pf_answer a = {r->status, NULL, r->retry_after, r->error};
	cJSON *j = NULL;

	if (!r->error && r->body_len)
		a.json = j = json_parse_text(r->body, r->body_len, NULL);
	c->done(c->ctx, &a);
	cJSON_Delete(j);
	free(c);
}

static bool start(struct pf_http *h, const char *method, const char *path, cJSON *body,
		  bool fresh, pf_http_fn *done, void *ctx, struct errbuf *err)
{
	size_t n = strlen(h->base) + strlen(path) + 1;
	char *url = malloc(n), *text = body ? cJSON_PrintUnformatted(body) : NULL;
	struct pf_call *c = calloc(1, sizeof *c);
	bool ok = false;

	cJSON_Delete(body);
	if (!url || !c || (body && !text)) {
		errbuf_set(err, "out of memory");
		goto out;
	}
	snprintf(url, n, "%s%s", h->base, path);
	c->done = done;
	c->ctx = ctx;
	struct httpc_request req = {
		.method = method,
		.url = url,
		.token = h->token,
		.headers = (const char *const *)h->headers,
		.body = text,
		.body_len = text ? strlen(text) : 0,
		.timeout_ms = h->timeout_ms,
		.fresh_connection = fresh,
		.done = on_done,
		.ctx = c,
	};
	ok = httpc_start(h->http, &req, err);
	if (ok)
		c = NULL;
out:
	free(url);
	free(text);
	free(c);
	return ok;
}

bool pf_http_call(struct pf_http *h, const char *method, const char *path, cJSON *body,
		  pf_http_fn *done, void *ctx, struct errbuf *err)
{
	return start(h, method, path, body, false, done, ctx, err);
}

bool pf_http_call_once(struct pf_http *h, const char *method, const char *path, cJSON *body,
		       pf_http_fn *done, void *ctx, struct errbuf *err)
{
	return start(h, method, path, body, true, done, ctx, err);
}

void pf_http_failed(const struct pf_answer *a, const char *what, const char *why,
		    struct pf_result *r)
{
	r->retry_after_ms = 0;
	if (a->error) {
		r->status = PF_RETRY;
		snprintf(r->text, sizeof r->text, "%s: no answer: %s", what, a->error);
		return;
	}
	if (a->status == 429 || a->status == 408 || a->status >= 500) {
		uint64_t delay;
		r->status = PF_RETRY;
		if (a->status == 429 && a->retry_after &&
		    retry_after_parse(a->retry_after, ts_now(), &delay))
			r->retry_after_ms = delay ? delay : 1;
	} else {
		r->status = PF_REFUSED;
	}
	snprintf(r->text, sizeof r->text, "%s: HTTP %ld%s%s", what, a->status, why ? ": " : "",
		 why ? why : "");
}

bool pf_header_line(char *out, size_t n, const char *name, const char *value)
{
	return (size_t)snprintf(out, n, "%s: %s", name, value) < n && !strpbrk(value, "\r\n") &&
	       !strpbrk(name, "\r\n: ");
}

const char *pf_str(const cJSON *j, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int64_t pf_int(const cJSON *j, const char *name, int64_t def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);
	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : def;
}

void pf_urlencode(char *out, size_t outlen, const char *v)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(out);

	for (const unsigned char *p = (const unsigned char *)v; *p && n + 4 < outlen; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p)) {
			out[n++] = (char)*p;
		} else {
			out[n++] = '%';
			out[n++] = hex[*p >> 4];
			out[n++] = hex[*p & 15];
		}
	}
	out[n] = '\0';
}
