/*
 * server_route.c — matching a path against the route patterns.
 */
#include <string.h>

#include "server_route.h"
#include "uuid.h"

#define ID_SEGMENT "{id}"

static const char *const method_names[] = {
	[HTTP_GET] = "GET",     [HTTP_POST] = "POST",     [HTTP_PATCH] = "PATCH",
	[HTTP_PUT] = "PUT",     [HTTP_DELETE] = "DELETE", [HTTP_OTHER] = NULL,
};

const char *http_method_name(enum http_method m)
{
	return (unsigned)m < sizeof method_names / sizeof method_names[0] ? method_names[m] : NULL;
}

/* Length of the segment starting at s (up to the next '/' or the end). */
static size_t segment_len(const char *s)
{
	return strcspn(s, "/");
}

/* Does `path` fit `pattern`, segment by segment? The {id} segments go to
 * out->ids (only when it fits). */
static bool pattern_fits(const char *pattern, const char *path, struct route_match *out)
{
	size_t nids = 0;

	for (;;) {
		size_t plen = segment_len(pattern), slen = segment_len(path);
		if (plen == strlen(ID_SEGMENT) && strncmp(pattern, ID_SEGMENT, plen) == 0) {
			if (slen == 0 || nids == ROUTE_MAX_IDS)
				return false;
			/* Too long to be a UUID: keep "" so it fails the check. */
			if (slen <= UUID_STRLEN)
				memcpy(out->ids[nids], path, slen);
			out->ids[nids][slen <= UUID_STRLEN ? slen : 0] = '\0';
			nids++;
		} else if (plen != slen || strncmp(pattern, path, plen) != 0) {
			return false;
		}
		pattern += plen;
		path += slen;
		if (!*pattern || !*path)
			break;
		pattern++; /* both are at a '/' */
		path++;
	}
	out->nids = nids;
	return !*pattern && !*path;
}

bool route_find(const struct route *routes, size_t nroutes, enum http_method method,
		const char *path, struct route_match *out, struct api_error *err)
{
	struct route_match m;

	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < nroutes; i++) {
		memset(&m, 0, sizeof m);
		if (!pattern_fits(routes[i].pattern, path, &m))
			continue;
		out->allowed |= 1u << routes[i].method;
		if (routes[i].method == method && !out->route) {
			unsigned allowed = out->allowed;
			*out = m;
			out->route = &routes[i];
			out->allowed = allowed;
		}
	}
	if (out->route)
		return true;
	if (out->allowed)
		return api_error_set(err, API_METHOD_NOT_FOUND, "method not allowed on this path");
	return api_error_set(err, API_RESOURCE_NOT_FOUND, "no such endpoint");
}

bool route_check_ids(const struct route_match *m, struct api_error *err)
{
	for (size_t i = 0; i < m->nids; i++)
		if (!uuid_valid(m->ids[i]))
			return api_error_set(err, API_INVALID_QUERY,
					     "malformed id in path (ids are lowercase UUID v4)");
	return true;
}
