/*
 * sim_kit.c — see sim_kit.h.
 */
#include "sim_kit.h"

#include <stdlib.h>
#include <string.h>

#include "sim_http.h"

bool sim_vec_push(struct sim_vec *v, void *p)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 64;
		void **nv = realloc(v->v, cap * sizeof *nv);
		if (!nv)
			return false;
		v->v = nv;
		v->cap = cap;
	}
	v->v[v->n++] = p;
	return true;
}

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

char *sim_query_get(const char *query, const char *name)
{
	const char *p = query;

	while (p && *p) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		if (eq && name_is(p, (size_t)(eq - p), name))
			return sim_url_decode(eq + 1, len - (size_t)(eq - p) - 1);
		p = amp ? amp + 1 : NULL;
	}
	return NULL;
}

int sim_query_each(const char *query, const char *name,
		   bool (*fn)(void *arg, const char *value), void *arg)
{
	const char *p = query;
	int n = 0;

	while (p && *p) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		if (eq && name_is(p, (size_t)(eq - p), name)) {
			char *v = sim_url_decode(eq + 1, len - (size_t)(eq - p) - 1);
			if (!v)
				return -1;
			for (char *save = NULL, *tok = strtok_r(v, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				n++;
				if (!fn(arg, tok)) {
					free(v);
					return -1;
				}
			}
			free(v);
		}
		p = amp ? amp + 1 : NULL;
	}
	return n;
}
