/*
 * fuzz_route.c — finding a request's route as the hub does (server_route.c
 * against the real table, routes.c): the first byte is the method, the
 * rest the path, then after '?' the query, checked against the route's
 * accepted parameters as server_request.c checks it. A route found matches
 * the method; its {id}s, once checked, are UUIDs.
 */
#include <string.h>

#include "fuzz.h"
#include "query.h"
#include "server_route.h"
#include "uuid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	enum http_method method = (enum http_method)(data[0] % (HTTP_OTHER + 1));
	char *path = fuzz_string(data + 1, size - 1);
	char *query = strchr(path, '?'), *frags[32];
	size_t n = 0;
	if (query) {
		*query++ = '\0';
		for (char *f = query; f && n < 32; n++) {
			frags[n] = f;
			if ((f = strchr(f, '&')))
				*f++ = '\0';
		}
	}

	struct route_match m;
	struct api_error err;
	if (route_find(api_routes, api_routes_count, method, path, &m, &err)) {
		FUZZ_CHECK(m.route != NULL && m.route->method == method);
		FUZZ_CHECK(m.nids <= ROUTE_MAX_IDS);
		if (route_check_ids(&m, &err))
			for (size_t i = 0; i < m.nids; i++)
				FUZZ_CHECK(uuid_valid(m.ids[i]));
		struct query q;
		if (query_parse((const char *const *)frags, n, &q, &err)) {
			query_check_accepted(&q, m.route->params, &err);
			query_free(&q);
		}
	}
	free(path);
	return 0;
}
