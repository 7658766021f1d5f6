/*
 * handlers_stats.c — POST /v1/ingest/stats (v1.1): a bridge reports its
 * platform's own daily conversation counts. Stored per (account, day), so
 * reporting a day again replaces it; GET /v1/stats/daily shows them under
 * "platforms" (handlers_misc.c).
 */
#include <stdlib.h>

#include "storage.h"
#include "handlers.h"
#include "jsonfield.h"
#include "timeutil.h"

#define MAX_REPORT_DAYS 366

/* {"date": "YYYY-MM-DD", "conversations": n} */
static bool parse_day(const cJSON *item, struct platform_day *d, struct errbuf *why)
{
	const cJSON *date = cJSON_GetObjectItemCaseSensitive(item, "date");

	if (!cJSON_IsObject(item))
		return errbuf_set(why, "days: each must be an object");
	if (!cJSON_IsString(date))
		return errbuf_set(why, "date: is required (YYYY-MM-DD)");
	if (!date_parse(date->valuestring, &d->day, why))
		return false;
	return jf_int(item, "conversations", JF_REQUIRED, 0, INT32_MAX, &d->conversations, why);
}

bool handle_ingest_stats(const struct request *req, struct response *res, struct api_error *err)
{
	const cJSON *body = request_body(req, err);
	const cJSON *list = body ? cJSON_GetObjectItemCaseSensitive(body, "days") : NULL;
	char *platform = NULL;
	struct platform_day *days = NULL;
	struct errbuf why;
	int n = 0;

	if (!body)
		return false;
	bool ok = jf_string_range(body, "platform", JF_REQUIRED, 1, SOURCE_PLATFORM_MAX_CHARS,
				  &platform, &why);
	if (ok && !source_platform_valid(platform))
		ok = errbuf_set(&why, "platform: must be 1 to 32 of a-z 0-9 . _ -");
	if (ok && (!cJSON_IsArray(list) || (n = cJSON_GetArraySize(list)) < 1 ||
		   n > MAX_REPORT_DAYS))
		ok = errbuf_set(&why, "days: must be an array of 1 to %d days", MAX_REPORT_DAYS);
	if (ok && !(days = calloc((size_t)n, sizeof *days))) {
		free(platform);
		return api_error_set(err, API_INTERNAL, "out of memory");
	}
	for (int i = 0; ok && i < n; i++)
		ok = parse_day(cJSON_GetArrayItem(list, i), &days[i], &why);
	if (!ok) {
		free(platform);
		free(days);
		return invalid_payload(err, &why);
	}
	ok = req->st->ops->stats_ingest(req->st, req->caller, platform, days, (size_t)n, err);
	free(platform);
	free(days);
	if (!ok)
		return false;
	cJSON *j = cJSON_CreateObject();
	if (j && !json_add_int(j, "stored", n)) {
		cJSON_Delete(j);
		j = NULL;
	}
	return respond_json(res, 200, j, err);
}
