/*
 * fuzz_head.c — the hub's header readers (server_head.c) on any header
 * value: the bearer token comes out non-empty, without blanks, within its
 * buffer; Content-Type and the unsigned integers (Content-Length, ?since=)
 * decide without reading past the value, and a number read prints back
 * to the same digits.
 */
#include <inttypes.h>
#include <string.h>

#include "fuzz.h"
#include "server_head.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	char token[128];
	int64_t v;

	if (head_bearer_token(s, token, sizeof token)) {
		size_t n = strlen(token);
		FUZZ_CHECK(n > 0 && n < sizeof token);
		FUZZ_CHECK(strchr(token, ' ') == NULL && strchr(token, '\t') == NULL);
		FUZZ_CHECK(strstr(s, token) != NULL);
	}
	(void)head_content_type_is_json(s);
	if (head_parse_uint(s, &v)) {
		char back[24];
		FUZZ_CHECK(v >= 0);
		snprintf(back, sizeof back, "%" PRId64, v);
		/* Leading zeros are the only other spelling. */
		size_t z = strspn(s, "0");
		FUZZ_CHECK(strcmp(s + (s[z] ? z : z - 1), back) == 0);
	}
	free(s);
	return 0;
}
