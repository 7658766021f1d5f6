/*
 * handlers_misc.c — health, the caller, the agents, daily stats.
 */
#include <config.h>

#include <stdlib.h>

#include "codec.h"
#include "handlers.h"
#include "hub/db.h"
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
	cJSON *body = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(body, "agents");
	bool ok = list != NULL;
	for (size_t i = 0; i < n; i++) {
		cJSON *a = ok ? agent_to_json(&agents[i]) : NULL;
		ok = a && cJSON_AddItemToArray(list, a);
		agent_free(&agents[i]);
	}
	free(agents);
	if (!ok) {
		cJSON_Delete(body);
		body = NULL;
	}
	return respond_json(res, 200, body, err);
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

bool handle_stats_daily(const struct request *req, struct response *res, struct api_error *err)
{
	int64_t from, to;
	struct day_stats *days = NULL;
	size_t n = 0;

	if (!date_param(req, "from", &from, err) || !date_param(req, "to", &to, err))
		return false;
	if (!db_stats_daily(req->db, from, to, &days, &n, err))
		return false;

	cJSON *body = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(body, "days");
	bool ok = list != NULL;
	for (size_t i = 0; ok && i < n; i++) {
		char date[11];
		cJSON *d = cJSON_CreateObject();
		ok = d && cJSON_AddItemToArray(list, d) &&
		     cJSON_AddStringToObject(d, "date", date_format(days[i].day, date)) &&
		     json_add_int(d, "conversations", days[i].conversations) &&
		     json_add_int(d, "escalations", days[i].escalations) &&
		     json_add_int(d, "taken_over", days[i].taken_over);
	}
	free(days);
	if (!ok) {
		cJSON_Delete(body);
		body = NULL;
	}
	return respond_json(res, 200, body, err);
}
