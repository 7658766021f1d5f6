/*
 * th_client.c — see th_client.h.
 */
#include "th_client.h"

struct simc_reply thsim_api(struct simc *s, const char *method, const char *path,
			    const char *body)
{
	static const char *const headers[] = {
		"Authorization: Bearer " THSIM_TOKEN,
		"Content-Type: application/json",
		NULL,
	};
	return simc_raw(s, method, path, headers, body);
}

const char *thsim_error_code(const struct simc_reply *r)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(r->json, "error");
	return cJSON_IsString(t) ? t->valuestring : "";
}
