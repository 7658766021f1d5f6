/*
 * ag_client.c — see ag_client.h.
 */
#include "ag_client.h"

struct simc_reply agsim_api(struct simc *s, const char *method, const char *path,
			    const char *body)
{
	static const char *const headers[] = {
		"Authorization: Bearer " AGSIM_KEY,
		"Content-Type: application/json",
		NULL,
	};
	return simc_raw(s, method, path, headers, body);
}

const char *agsim_error_code(const struct simc_reply *r)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(r->json, "error");
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "code");
	return cJSON_IsString(c) ? c->valuestring : "";
}
