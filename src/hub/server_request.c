/*
 * server_request.c — the head of a request: method, path, token, query.
 *
 * Plain requests (server_http.c) and WebSocket upgrades (server_events.c)
 * pass the same checks in the same order, so a client gets the same 401 or
 * 400 whichever way it asks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server_head.h"
#include "server_internal.h"

/* A token is 68 characters; anything much longer is not one. */
#define AUTH_HEADER_MAX 256

static const struct {
	enum lws_token_indexes token;
	enum http_method method;
} request_lines[] = {
	{WSI_TOKEN_GET_URI, HTTP_GET},       {WSI_TOKEN_POST_URI, HTTP_POST},
	{WSI_TOKEN_PATCH_URI, HTTP_PATCH},   {WSI_TOKEN_PUT_URI, HTTP_PUT},
	{WSI_TOKEN_DELETE_URI, HTTP_DELETE}, {WSI_TOKEN_OPTIONS_URI, HTTP_OTHER},
	{WSI_TOKEN_HEAD_URI, HTTP_OTHER},    {WSI_TOKEN_CONNECT, HTTP_OTHER},
};

enum http_method request_method(struct lws *wsi)
{
	for (size_t i = 0; i < sizeof request_lines / sizeof request_lines[0]; i++)
		if (lws_hdr_total_length(wsi, request_lines[i].token))
			return request_lines[i].method;
	return HTTP_OTHER;
}

bool request_header(struct lws *wsi, enum lws_token_indexes h, char *buf, size_t len)
{
	buf[0] = '\0';
	int n = lws_hdr_copy(wsi, buf, (int)len, h);
	/* A NUL inside the value would hide what follows it from every
	 * string function ("Bearer <token>\0junk"): such a header is refused,
	 * never read up to the NUL. */
	return n >= 0 && strlen(buf) == (size_t)n;
}

/* The caller named by the Authorization header into a->caller: 1 found,
 * 0 not (or no token), -1 to be looked up on a worker first (a->lookup
 * holds the token). */
static int authenticate(struct server *s, struct lws *wsi, const struct token_answer *answer,
			struct admission *a)
{
	const struct storage_ops *ops = s->st->ops;
	char header[AUTH_HEADER_MAX], token[AUTH_HEADER_MAX];
	int found;

	if (answer && answer->asked)
		return answer->found && agent_copy(&a->caller, &answer->account);
	if (!request_header(wsi, WSI_TOKEN_HTTP_AUTHORIZATION, header, sizeof header) ||
	    !head_bearer_token(header, token, sizeof token))
		return 0;
	if (!answer || !ops->token_recall)
		found = ops->authenticate(s->st, token, &a->caller);
	else if (ops->token_recall(s->st, token, &a->caller))
		found = 1;
	else
		found = (a->lookup = strdup(token)) ? -1 : 0;
	/* Do not leave the secret lying on the stack for a later bug to show. */
	memset(header, 0, sizeof header);
	memset(token, 0, sizeof token);
	return found;
}

static void strings_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The URI arguments as lws split and decoded them, one string each. */
static bool query_from_request(struct lws *wsi, struct query *out, struct api_error *err)
{
	int total = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_URI_ARGS);
	size_t n = 0;
	bool ok = true;

	out->params = NULL;
	out->n = 0;
	if (total <= 0)
		return true;
	/* No fragment is longer than the whole, and there are at most
	 * total + 1 of them (the separators count in the total). */
	char **frags = calloc((size_t)total + 1, sizeof *frags);
	char *scratch = malloc((size_t)total + 1);
	if (!frags || !scratch)
		ok = api_error_set(err, API_INTERNAL, "out of memory");
	while (ok && n <= (size_t)total &&
	       lws_hdr_copy_fragment(wsi, scratch, total + 1, WSI_TOKEN_HTTP_URI_ARGS, (int)n) >= 0) {
		frags[n] = strdup(scratch);
		if (!frags[n++])
			ok = api_error_set(err, API_INTERNAL, "out of memory");
	}
	if (ok)
		ok = query_parse((const char *const *)frags, n, out, err);
	free(scratch);
	if (frags)
		strings_free(frags, n);
	return ok;
}

static const struct rate *caller_rate(const struct server *s, const struct agent *caller)
{
	return caller->role == ACCOUNT_INGEST ? &s->limits.rates.ingest : &s->limits.rates.agent;
}

void charge_caller(struct server *s, const struct agent *caller, unsigned n)
{
	ratelimit_charge(s->accounts, caller_rate(s, caller), caller->id, uv_now(s->loop), n);
}

/*
 * The token of a request that needs one, and the limits (see
 * doc/handoffd.8). An address that sent too many wrong tokens gets 429 for
 * every authenticated request, right or wrong token, until its bucket has
 * refilled a little: a guesser learns nothing more, and the one valid
 * client behind the same address waits too (the price of telling nobody
 * which guess was right). Public routes (health) are never limited.
 */
static bool admit_caller(struct server *s, struct lws *wsi, bool charge,
			 const struct token_answer *answer, struct admission *a, struct api_error *err)
{
	char peer[64];
	uint64_t now = uv_now(s->loop);

	if (!lws_get_peer_simple(wsi, peer, sizeof peer))
		snprintf(peer, sizeof peer, "?"); /* every unknown peer shares one bucket */
	if (charge && !ratelimit_peek(s->addresses, &s->limits.rates.auth_fail, peer, now, &a->retry_after))
		return api_error_set(err, API_RATE_LIMITED,
				     "too many wrong tokens from this address; retry later");
	int found = authenticate(s, wsi, answer, a);
	if (found < 0)
		return false; /* a->lookup: asked again with the answer */
	if (!found) {
		if (charge)
			ratelimit_take(s->addresses, &s->limits.rates.auth_fail, peer, now,
				       &a->retry_after);
		return api_error_set(err, API_UNAUTHORIZED,
				     "missing or unknown token (Authorization: Bearer <token>)");
	}
	a->has_caller = true;
	if (charge && !ratelimit_take(s->accounts, caller_rate(s, &a->caller), a->caller.id, now,
				      &a->retry_after))
		return api_error_set(err, API_RATE_LIMITED,
				     "too many requests for this account; retry after %u s",
				     a->retry_after);
	return true;
}

bool admit_request(struct server *s, struct lws *wsi, enum http_method method, const char *path,
		   bool charge, const struct token_answer *answer, struct admission *a,
		   struct api_error *err)
{
	memset(a, 0, sizeof *a);
	if (!route_find(s->routes, s->nroutes, method, path, &a->match, err))
		return false;

	const struct route *r = a->match.route;
	if (r->roles != ROLES_PUBLIC) {
		if (!admit_caller(s, wsi, charge, answer, a, err))
			return false;
		if (!(r->roles & ROLE_BIT(a->caller.role)))
			return api_error_set(err, API_FORBIDDEN, "an account with role %s may not do this",
					     account_role_name(a->caller.role));
	}
	return route_check_ids(&a->match, err) && query_from_request(wsi, &a->query, err) &&
	       query_check_accepted(&a->query, r->params, err);
}

void admission_free(struct admission *a)
{
	if (a->lookup) {
		memset(a->lookup, 0, strlen(a->lookup)); /* a secret */
		free(a->lookup);
		a->lookup = NULL;
	}
	query_free(&a->query);
	if (a->has_caller)
		agent_free(&a->caller);
	a->has_caller = false;
}

void request_target(const char *path, const struct query *q, char *out, size_t len)
{
	int n = snprintf(out, len, "%s", path ? path : "?");

	for (size_t i = 0, used = 0; i < q->n && n >= 0; i++) {
		used += (size_t)n;
		if (used >= len)
			break; /* truncated: out is full and terminated */
		n = snprintf(out + used, len - used, "%c%s=*", i ? '&' : '?', q->params[i].name);
	}
}
