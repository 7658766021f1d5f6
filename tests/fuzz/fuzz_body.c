/*
 * fuzz_body.c — a request body as the hub reads it (json_parse_text, the
 * parser of every JSON text from the network: UTF-8 first, then JSON). What
 * parses prints to text that parses again to the same tree.
 */
#include <string.h>

#include "fuzz.h"
#include "jsonfield.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct errbuf err;
	cJSON *j = json_parse_text((const char *)data, size, &err);

	if (!j)
		return 0;
	char *text = cJSON_PrintUnformatted(j);
	FUZZ_CHECK(text != NULL);
	cJSON *again = json_parse_text(text, strlen(text), &err);
	FUZZ_CHECK(again != NULL && cJSON_Compare(j, again, true));
	cJSON_Delete(again);
	cJSON_Delete(j);
	free(text);
	return 0;
}
