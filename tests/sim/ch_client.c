/*
 * ch_client.c — see ch_client.h.
 */
#include "ch_client.h"

#include <stdio.h>

struct simc_reply chsim_api_key(struct simc *s, const char *method, const char *path,
				const char *body, const char *idempotency_key)
{
	char key[300];
	const char *headers[] = {
		"authorization: " CHSIM_API_KEY, "Content-Type: application/json", NULL, NULL,
	};

	if (idempotency_key) {
		snprintf(key, sizeof key, "Idempotency-Key: %s", idempotency_key);
		headers[2] = key;
	}
	return simc_raw(s, method, path, headers, body);
}

struct simc_reply chsim_api(struct simc *s, const char *method, const char *path,
			    const char *body)
{
	return chsim_api_key(s, method, path, body, NULL);
}

const char *chsim_error_message(const struct simc_reply *r)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(r->json, "message");
	return cJSON_IsString(m) ? m->valuestring : "";
}
