/*
 * cv_client.c — see cv_client.h.
 */
#include "cv_client.h"

struct simc_reply cvsim_api(struct simc *s, const char *method, const char *path,
			    const char *body)
{
	static const char *const headers[] = {
		"API-KEY: " CVSIM_API_KEY, "Content-Type: application/json", NULL,
	};
	return simc_raw(s, method, path, headers, body);
}

struct simc_reply cvsim_agent(struct simc *s, const char *method, const char *path,
			      const char *body)
{
	static const char *const headers[] = {
		"API-KEY: " CVSIM_API_KEY, "AGENT-EMAIL: " CVSIM_AGENT,
		"Content-Type: application/json", NULL,
	};
	return simc_raw(s, method, path, headers, body);
}

int cvsim_error_code(const struct simc_reply *r)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(r->json, "code");
	return cJSON_IsNumber(t) ? t->valueint : 0;
}
