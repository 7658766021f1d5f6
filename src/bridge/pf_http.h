/*
 * pf_http.h — a platform's REST API over httpc: JSON in and out, the
 * account's headers on every request, and a failed answer sorted into
 * "try again" (no answer, 5xx, 429 + Retry-After) or "refused" (other
 * 4xx) in words, for every platform file to share.
 */
#ifndef HANDOFF_BRIDGE_PF_HTTP_H
#define HANDOFF_BRIDGE_PF_HTTP_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <uv.h>

#include "errbuf.h"
#include "platform.h"

struct bridge_config;
struct pf_http;

struct pf_answer {
	long status;             /* 0: no answer */
	const cJSON *json;       /* the body parsed, NULL when it is not JSON */
	const char *retry_after; /* the header, or NULL */
	const char *error;       /* transport failure in words, or NULL */
};

typedef void pf_http_fn(void *ctx, const struct pf_answer *a);

/* `token` goes as "Authorization: Bearer" (NULL: no such header, for a
 * platform whose key goes in a header of its own); `headers` ("Name:
 * value", NULL-terminated) are copied. Never logged. */
struct pf_http *pf_http_new(uv_loop_t *loop, const char *base_url, const char *token,
			    const char *const *headers, long timeout_ms, struct errbuf *err);
/* pf_http_new on the config's platform_url with its request timeout: the
 * one client a platform keeps (headers as above). */
struct pf_http *pf_http_open(uv_loop_t *loop, const struct bridge_config *cfg, const char *token,
			     const char *const *headers, struct errbuf *err);
/* Cancels what is in flight: callbacks run with error "cancelled". */
void pf_http_free(struct pf_http *h);

/* `path` includes its query; `body` (may be NULL) is consumed. */
bool pf_http_call(struct pf_http *h, const char *method, const char *path, cJSON *body,
		  pf_http_fn *done, void *ctx, struct errbuf *err);

/* The same on a connection of its own, so that curl never sends it a
 * second time by itself (it does when a reused connection dies before the
 * answer): for a write the platform cannot recognise when repeated. */
bool pf_http_call_once(struct pf_http *h, const char *method, const char *path, cJSON *body,
		       pf_http_fn *done, void *ctx, struct errbuf *err);

/* A non-2xx answer into r->status (PF_RETRY / PF_REFUSED), retry_after_ms
 * and r->text: "<what>: <why>", `why` being the platform's words. */
void pf_http_failed(const struct pf_answer *a, const char *what, const char *why,
		    struct pf_result *r);

/* "<name>: <value>" into out for pf_http_new's headers; false when it does
 * not fit or either part could end the line or the name early. */
bool pf_header_line(char *out, size_t n, const char *name, const char *value);

/* The member `name` of an object when it is a string, else NULL. */
const char *pf_str(const cJSON *j, const char *name);
/* The member `name` when it is a number (cut to a whole one), else `def`. */
int64_t pf_int(const cJSON *j, const char *name, int64_t def);

/* Append `v` to `out` percent-encoded (RFC 3986 unreserved kept). */
void pf_urlencode(char *out, size_t outlen, const char *v);

#endif
