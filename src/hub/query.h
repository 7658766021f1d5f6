/*
 * query.h — a request's query string as name/value pairs.
 *
 * libwebsockets has already split the query at '&' and ';' and decoded it
 * (%xx escapes, '+' as a space) by the time we see it: these functions take
 * those decoded "name=value" fragments, and check what lws does not —
 * UTF-8, duplicates, names the route accepts. Pure: no lws, no I/O.
 */
#ifndef HANDOFF_HUB_QUERY_H
#define HANDOFF_HUB_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include "apierror.h"
#include "route.h"

struct query {
	struct query_param *params; /* in order of appearance */
	size_t n;
};

/* Split each fragment at its first '=' ("a" alone is a with value "");
 * empty fragments ("a=1&&b=2", a trailing '&') are skipped. Names must be
 * non-empty; names and values valid UTF-8; no name twice. On failure
 * (API_INVALID_QUERY, or API_INTERNAL when out of memory) *out is empty. */
bool query_parse(const char *const *frags, size_t nfrags, struct query *out,
		 struct api_error *err);

/* API_INVALID_QUERY naming the first parameter not in `accepted`
 * (NULL-terminated). */
bool query_check_accepted(const struct query *q, const char *const *accepted,
			  struct api_error *err);

void query_free(struct query *q);

#endif
