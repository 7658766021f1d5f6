/*
 * query.c — query strings: decoded fragments to validated parameters.
 */
#include <stdlib.h>
#include <string.h>

#include "query.h"
#include "utf8.h"

/* Names are echoed in error descriptions; show at most this many
 * characters, cut on a character boundary so the answer stays UTF-8. */
#define NAME_SHOWN_CHARS 40

#define SHOWN(name) (int)utf8_prefix_bytes((name), NAME_SHOWN_CHARS), (name)

static bool query_has(const struct query *q, const char *name)
{
	for (size_t i = 0; i < q->n; i++)
		if (strcmp(q->params[i].name, name) == 0)
			return true;
	return false;
}

/* Append the fragment "name=value" (or "name") to q, which has room. */
static bool query_add(struct query *q, const char *frag, struct api_error *err)
{
	const char *eq = strchr(frag, '=');
	size_t namelen = eq ? (size_t)(eq - frag) : strlen(frag);
	struct query_param p;

	if (!utf8_valid(frag, strlen(frag)))
		return api_error_set(err, API_INVALID_QUERY, "query string is not valid UTF-8");
	if (namelen == 0)
		return api_error_set(err, API_INVALID_QUERY, "query parameter without a name");
	p.name = strndup(frag, namelen);
	p.value = strdup(eq ? eq + 1 : "");
	if (!p.name || !p.value) {
		free(p.name);
		free(p.value);
		return api_error_set(err, API_INTERNAL, "out of memory");
	}
	if (query_has(q, p.name)) {
		api_error_set(err, API_INVALID_QUERY, "query parameter %.*s given twice",
			      SHOWN(p.name));
		free(p.name);
		free(p.value);
		return false;
	}
	q->params[q->n++] = p;
	return true;
}

bool query_parse(const char *const *frags, size_t nfrags, struct query *out,
		 struct api_error *err)
{
	out->params = NULL;
	out->n = 0;
	if (!nfrags)
		return true;
	out->params = calloc(nfrags, sizeof *out->params);
	if (!out->params)
		return api_error_set(err, API_INTERNAL, "out of memory");
	for (size_t i = 0; i < nfrags; i++) {
		if (frags[i][0] && !query_add(out, frags[i], err)) {
			query_free(out);
			return false;
		}
	}
	return true;
}

static bool name_accepted(const char *name, const char *const *accepted)
{
	for (; accepted && *accepted; accepted++)
		if (strcmp(*accepted, name) == 0)
			return true;
	return false;
}

bool query_check_accepted(const struct query *q, const char *const *accepted,
			  struct api_error *err)
{
	for (size_t i = 0; i < q->n; i++)
		if (!name_accepted(q->params[i].name, accepted))
			return api_error_set(err, API_INVALID_QUERY, "unknown query parameter %.*s",
					     SHOWN(q->params[i].name));
	return true;
}

void query_free(struct query *q)
{
	for (size_t i = 0; i < q->n; i++) {
		free(q->params[i].name);
		free(q->params[i].value);
	}
	free(q->params);
	q->params = NULL;
	q->n = 0;
}
