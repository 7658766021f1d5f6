/*
 * fuzz_body.c — a request body as the hub reads it (json_parse_text, the
 * parser of every JSON text from the network: UTF-8 first, then JSON). What
 * parses prints to text that parses again, to the same tree unless a
 * number was beyond a double (1e999 reads as infinity and prints as null;
 * every reader of numbers, jf_int, refuses those anyway) or an object
 * names a member twice (allowed, the first wins: cJSON_Compare cannot
 * tell such objects equal).
 */
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "jsonfield.h"

/* Whether cJSON_Compare cannot judge j (see above). */
static bool incomparable(const cJSON *j)
{
	if (cJSON_IsNumber(j) && !isfinite(j->valuedouble))
		return true;
	for (const cJSON *c = j->child; c; c = c->next) {
		if (incomparable(c))
			return true;
		for (const cJSON *d = c->next; cJSON_IsObject(j) && d; d = d->next)
			if (strcmp(c->string, d->string) == 0)
				return true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct errbuf err;
	cJSON *j = json_parse_text((const char *)data, size, &err);

	if (!j)
		return 0;
	char *text = cJSON_PrintUnformatted(j);
	FUZZ_CHECK(text != NULL);
	cJSON *again = json_parse_text(text, strlen(text), &err);
	FUZZ_CHECK(again != NULL);
	FUZZ_CHECK(incomparable(j) || cJSON_Compare(j, again, true));
	cJSON_Delete(again);
	cJSON_Delete(j);
	free(text);
	return 0;
}
