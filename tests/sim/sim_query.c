/*
 * sim_query.c — see sim_query.h.
 */
#include "sim_query.h"

#include <string.h>

#include "sim_http.h"

char *sim_query_nth(const char *query, const char *name, int n, bool *bad)
{
	size_t nlen = strlen(name);
	const char *p = query;

	if (bad)
		*bad = false;
	while (p && *p) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		if (len >= nlen + 1 && strncmp(p, name, nlen) == 0 && p[nlen] == '=' && n-- == 0) {
			char *v = sim_url_decode(p + nlen + 1, len - nlen - 1);
			if (!v && bad)
				*bad = true;
			return v;
		}
		p = amp ? amp + 1 : NULL;
	}
	return NULL;
}

char *sim_query_get(const char *query, const char *name, bool *bad)
{
	return sim_query_nth(query, name, 0, bad);
}
