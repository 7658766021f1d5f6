/*
 * fuzz_query.c — the hub's query-string parser (query.c) on hostile
 * fragments, as lws hands them over: the input split at '&' into
 * "name=value" fragments (a NUL byte ends one early, as in lws's copy).
 * What parses has non-empty, distinct, valid UTF-8 names and valid UTF-8
 * values, in the order given; what fails leaves nothing behind.
 */
#include <string.h>

#include "fuzz.h"
#include "query.h"
#include "utf8.h"

#define MAX_FRAGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *frags[MAX_FRAGS];
	size_t n = 0;

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	for (size_t i = 0, start = 0; i <= size && n < MAX_FRAGS; i++) {
		if (i == size || s[i] == '&') {
			s[i] = '\0';
			frags[n++] = s + start;
			start = i + 1;
		}
	}
	struct query q;
	struct api_error err;
	if (query_parse((const char *const *)frags, n, &q, &err)) {
		FUZZ_CHECK(q.n <= n);
		for (size_t i = 0; i < q.n; i++) {
			const struct query_param *p = &q.params[i];
			FUZZ_CHECK(p->name[0] != '\0');
			FUZZ_CHECK(utf8_valid(p->name, strlen(p->name)));
			FUZZ_CHECK(utf8_valid(p->value, strlen(p->value)));
			for (size_t k = 0; k < i; k++)
				FUZZ_CHECK(strcmp(q.params[k].name, p->name) != 0);
		}
		static const char *const accepted[] = {"since", "limit", "cursor", NULL};
		bool all_known = true;
		for (size_t i = 0; i < q.n; i++)
			all_known &= strcmp(q.params[i].name, "since") == 0 ||
				     strcmp(q.params[i].name, "limit") == 0 ||
				     strcmp(q.params[i].name, "cursor") == 0;
		FUZZ_CHECK(query_check_accepted(&q, accepted, &err) == all_known);
		query_free(&q);
	} else {
		FUZZ_CHECK(q.n == 0);
	}
	free(s);
	return 0;
}
