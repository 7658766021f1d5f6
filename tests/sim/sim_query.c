/*
 * sim_query.c — see sim_query.h.
 */
#include "sim_query.h"

#include <stdlib.h>
#include <string.h>

#include "sim_http.h"

/* Whether the parameter name at p[0..len) is `name` or `name[]`, its
 * brackets escaped or not. */
static bool name_is(const char *p, size_t len, const char *name)
{
	char *got = sim_url_decode(p, len);
	size_t glen = got ? strlen(got) : 0, nlen = strlen(name);
	bool is = got && strncmp(got, name, nlen) == 0 &&
		  (glen == nlen || (glen == nlen + 2 && strcmp(got + nlen, "[]") == 0));

	free(got);
	return is;
}

char *sim_query_nth(const char *query, const char *name, int n, bool *bad)
{
	const char *p = query;

	if (bad)
		*bad = false;
	while (p && *p) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		if (eq && name_is(p, (size_t)(eq - p), name) && n-- == 0) {
			char *v = sim_url_decode(eq + 1, len - (size_t)(eq - p) - 1);
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

int sim_query_each(const char *query, const char *name,
		   bool (*fn)(void *arg, const char *value), void *arg)
{
	int count = 0;
	bool bad;
	char *v;

	for (int i = 0; (v = sim_query_nth(query, name, i, &bad)) != NULL; i++) {
		for (char *save = NULL, *tok = strtok_r(v, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			count++;
			if (!fn(arg, tok)) {
				free(v);
				return -1;
			}
		}
		free(v);
	}
	return bad ? -1 : count;
}
