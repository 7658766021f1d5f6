/*
 * bp_client.c — see bp_client.h.
 */
#include "bp_client.h"

struct simc_reply bpsim_api(struct simc *s, const char *method, const char *path,
			    const char *body)
{
	static const char *const headers[] = {
		"Authorization: Bearer " BPSIM_TOKEN,
		"x-bot-id: " BPSIM_BOT,
		"Content-Type: application/json",
		NULL,
	};
	return simc_raw(s, method, path, headers, body);
}

const char *bpsim_error_type(const struct simc_reply *r)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(r->json, "type");
	return cJSON_IsString(t) ? t->valuestring : "";
}
