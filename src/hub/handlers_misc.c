/*
 * handlers_misc.c — health, the caller, the agents, daily stats.
 */
#include <config.h>

#include <stdlib.h>

#include "codec.h"
#include "handlers.h"
#include "storage.h"
#include "jsonfield.h"

bool handle_health(const struct request *req, struct response *res, struct api_error *err)
{
	cJSON *j = cJSON_CreateObject();

	/* backend and schema are v1.1: what a deployment checks after an
	 * upgrade, without a token (db_open has migrated to this version). */
	if (j && (!cJSON_AddStringToObject(j, "status", "ok") ||
		  !cJSON_AddStringToObject(j, "version", PACKAGE_VERSION) ||
		  !cJSON_AddStringToObject(j, "backend", req->st->ops->backend) ||
		  !json_add_int(j, "schema", req->st->ops->schema_version))) {
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

bool agents_with_status(const struct request *req, struct agent **out, size_t *n,
			struct api_error *err)
{
	if (!req->st->ops->agents_list(req->st, out, n, err))
		return false;
	for (size_t i = 0; i < *n; i++)
		(*out)[i].status = req->agent_status(req->tell_ctx, (*out)[i].id); /* v1.1 */
	return true;
}

bool handle_agents_list(const struct request *req, struct response *res, struct api_error *err)
{
	struct agent *agents = NULL;
	size_t n = 0;

	if (!agents_with_status(req, &agents, &n, err))
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

	/* avg_rating and ratings are v1.1: null and 0 on a day without ratings. */
	if (d && !(cJSON_AddStringToObject(d, "date", date_format(day->day, date)) &&
		   json_add_int(d, "conversations", day->conversations) &&
		   json_add_int(d, "escalations", day->escalations) &&
		   json_add_int(d, "taken_over", day->taken_over) &&
		   (day->ratings ? cJSON_AddNumberToObject(d, "avg_rating",
							   (double)day->rating_sum /
								   (double)day->ratings) != NULL
				 : cJSON_AddNullToObject(d, "avg_rating") != NULL) &&
		   json_add_int(d, "ratings", day->ratings))) {
		cJSON_Delete(d);
		d = NULL;
	}
	return d;
}

/* "platforms" (v1.1): each reporting account's days, [{"date", "conversations"}]. */
static cJSON *encode_platforms(const struct platform_stats *p, size_t n)
{
	cJSON *list = cJSON_CreateArray();
	char date[11];
	bool ok = list != NULL;

	for (size_t i = 0; ok && i < n; i++) {
		cJSON *g = cJSON_CreateObject();
		cJSON *days = NULL;
		ok = g && cJSON_AddItemToArray(list, g) &&
		     cJSON_AddStringToObject(g, "platform", p[i].platform) &&
		     cJSON_AddStringToObject(g, "account", p[i].account_id) &&
		     (days = cJSON_AddArrayToObject(g, "days")) != NULL;
		for (size_t k = 0; ok && k < p[i].n; k++) {
			cJSON *d = cJSON_CreateObject();
			ok = d && cJSON_AddItemToArray(days, d) &&
			     cJSON_AddStringToObject(d, "date", date_format(p[i].days[k].day, date)) &&
			     json_add_int(d, "conversations", p[i].days[k].conversations);
		}
	}
	if (!ok) {
		cJSON_Delete(list);
		list = NULL;
	}
	return list;
}

bool handle_stats_daily(const struct request *req, struct response *res, struct api_error *err)
{
	int64_t from, to;
	struct day_stats *days = NULL;
	size_t n = 0;

	if (!date_param(req, "from", &from, err) || !date_param(req, "to", &to, err))
		return false;
	if (!req->st->ops->stats_daily(req->st, from, to, &days, &n, err))
		return false;

	bool ok = respond_list(res, "days", days, n, sizeof *days, encode_day, NULL, err);
	free(days);
	struct platform_stats *platforms = NULL;
	size_t np = 0;
	if (!ok || !req->st->ops->stats_platforms(req->st, from, to, &platforms, &np, err))
		return false;
	cJSON *p = encode_platforms(platforms, np);
	db_platform_stats_free(platforms, np);
	return json_add_child(res->body, "platforms", p) ||
	       api_error_set(err, API_INTERNAL, "out of memory");
}
