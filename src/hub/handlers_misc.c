/*
 * handlers_misc.c — health, the caller, the agents, daily stats.
 */
#include <config.h>

#include <stdlib.h>

#include "codec.h"
#include "handlers.h"
#include "db.h"
#include "jsonfield.h"

bool handle_health(const struct request *req, struct response *res, struct api_error *err)
{
	cJSON *j = cJSON_CreateObject();

	if (j && (!cJSON_AddStringToObject(j, "status", "ok") ||
		  !cJSON_AddStringToObject(j, "version", PACKAGE_VERSION))) {
		cJSON_Delete(j);
		j = NULL;
	}
	return respond_json(res, 200, j, err);
}

bool handle_me(const struct request *req, struct response *res, struct api_error *err)
{
	struct agent me = *req->caller;

	me.active_chats = -1; /* /v1/me has no count */
	return respond_json(res, 200, agent_to_json(&me), err);
}

bool handle_agents_list(const struct request *req, struct response *res, struct api_error *err)
{
	struct agent *agents = NULL;
	size_t n = 0;

	if (!db_agents_list(req->db, &agents, &n, err))
		return false;
	bool ok = respond_list(res, "agents", agents, n, sizeof *agents, encode_agent, NULL, err);
	for (size_t i = 0; i < n; i++)
		agent_free(&agents[i]);
	free(agents);
	return ok;
}

/* from/to are required: a silent default window would hide mistakes. */
static bool date_param(const struct request *req, const char *name, int64_t *day,
		       struct api_error *err)
{
	const char *v = request_param(req, name);
	struct errbuf why;

	if (!v)
		return api_error_set(err, API_INVALID_QUERY, "%s: is required (YYYY-MM-DD)", name);
	if (!date_parse(v, day, &why))
		return api_error_set(err, API_INVALID_QUERY, "%s: %s", name, why.msg);
	return true;
}

static cJSON *encode_day(const void *item)
{
	const struct day_stats *day = item;
	char date[11];
	cJSON *d = cJSON_CreateObject();

	if (d && !(cJSON_AddStringToObject(d, "date", date_format(day->day, date)) &&
		   json_add_int(d, "conversations", day->conversations) &&
		   json_add_int(d, "escalations", day->escalations) &&
		   json_add_int(d, "taken_over", day->taken_over))) {
		cJSON_Delete(d);
		d = NULL;
	}
	return d;
}

bool handle_stats_daily(const struct request *req, struct response *res, struct api_error *err)
{
	int64_t from, to;
	struct day_stats *days = NULL;
	size_t n = 0;

	if (!date_param(req, "from", &from, err) || !date_param(req, "to", &to, err))
		return false;
	if (!db_stats_daily(req->db, from, to, &days, &n, err))
		return false;

	bool ok = respond_list(res, "days", days, n, sizeof *days, encode_day, NULL, err);
	free(days);
	return ok;
}
