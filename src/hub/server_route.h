/*
 * server_route.h — finding the route of a request: method + path against a
 * table of patterns ("/v1/chats/{id}/messages"). Pure: no lws, no I/O.
 */
#ifndef HANDOFF_HUB_SERVER_ROUTE_H
#define HANDOFF_HUB_SERVER_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "apierror.h"
#include "route.h"

struct route_match {
	const struct route *route;
	/* The {id} segments as written in the path ("" for one too long to
	 * be a UUID). */
	uuid_str ids[ROUTE_MAX_IDS];
	size_t nids;
	/* Methods the path accepts (bits of enum http_method), for Allow:. */
	unsigned allowed;
};

/* The route for method + path. A path no pattern matches is
 * API_RESOURCE_NOT_FOUND; a path some pattern matches with another method
 * is API_METHOD_NOT_FOUND (out->allowed says which). {id} matches any
 * non-empty segment here: whether it is a UUID is route_check_ids's
 * business, so that an unauthenticated caller learns nothing but 401. */
bool route_find(const struct route *routes, size_t nroutes, enum http_method method,
		const char *path, struct route_match *out, struct api_error *err);

/* API_INVALID_QUERY unless every {id} segment is a lowercase UUID v4. */
bool route_check_ids(const struct route_match *m, struct api_error *err);

/* "GET", "POST", …; NULL for HTTP_OTHER. */
const char *http_method_name(enum http_method m);

#endif
