/*
 * handlers_dashboard.c — GET /v1/dashboard (v1.1): one snapshot of the
 * team's figures for the console's dashboard and `handoff dashboard`, as of
 * an event seq, so a console applies the events after it (doc/protocol.md,
 * "Team dashboard").
 *
 * The three reads below (agents, today's counts, the rest) are separate
 * transactions, but the hub commits only on its one loop and a handler
 * runs to its end on it: no event can land between them.
 */
#include <stdlib.h>

#include "codec.h"
#include "storage.h"
#include "handlers.h"
#include "jsonfield.h"
#include "timeutil.h"

#define MS_PER_DAY 86400000LL

static cJSON *int_array(const int64_t *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; a && i < n; i++) {
		cJSON *x = cJSON_CreateNumber((double)v[i]);
		if (!x || !cJSON_AddItemToArray(a, x)) {
			cJSON_Delete(x);
			cJSON_Delete(a);
			return NULL;
		}
	}
	return a;
}

static cJSON *encode_chats(const struct dash_snapshot *d)
{
	cJSON *list = cJSON_CreateArray();
	bool ok = list != NULL;

	for (size_t i = 0; ok && i < d->nchats; i++) {
		const struct dash_chat *c = &d->chats[i];
		cJSON *o = cJSON_CreateObject();
		ok = o && cJSON_AddItemToArray(list, o) && cJSON_AddStringToObject(o, "id", c->id) &&
		     cJSON_AddBoolToObject(o, "waiting", c->waiting) &&
		     json_add_timestamp(o, "escalated_at", c->escalated_at) &&
		     json_add_timestamp(o, "awaiting_reply_since", c->awaiting_since) &&
		     json_add_uuid_or_null(o, "holder", c->holder);
	}
	if (!ok)
		cJSON_Delete(list);
	return ok ? list : NULL;
}

/* Each agent as GET /v1/agents shows it, and its figures beside. */
static cJSON *encode_agents(const struct agent *agents, const struct dash_snapshot *d)
{
	cJSON *list = cJSON_CreateArray();
	bool ok = list != NULL;

	for (size_t i = 0; ok && i < d->nagents; i++) {
		cJSON *o = agent_to_json(&agents[i]);
		ok = o && cJSON_AddItemToArray(list, o) &&
		     json_add_child(o, "replies_by_minute",
				    int_array(d->agents[i].replies, DASH_MINUTES)) &&
		     json_add_child(o, "first_responses_ms",
				    int_array(d->agents[i].first_ms, d->agents[i].nfirst));
	}
	if (!ok)
		cJSON_Delete(list);
	return ok ? list : NULL;
}

static cJSON *encode_today(const struct day_stats *day, int64_t replies)
{
	char date[11];
	cJSON *o = cJSON_CreateObject();

	if (o && !(cJSON_AddStringToObject(o, "date", date_format(day->day, date)) &&
		   json_add_int(o, "conversations", day->conversations) &&
		   json_add_int(o, "escalations", day->escalations) &&
		   json_add_int(o, "taken_over", day->taken_over) &&
		   json_add_int(o, "replies", replies))) {
		cJSON_Delete(o);
		o = NULL;
	}
	return o;
}

bool handle_dashboard(const struct request *req, struct response *res, struct api_error *err)
{
	int64_t now = ts_now(), today = now / MS_PER_DAY;
	struct agent *agents = NULL;
	struct day_stats *day = NULL;
	struct dash_snapshot d;
	size_t n = 0, ndays = 0;
	static const struct wait_targets none;

	if (!agents_with_status(req, &agents, &n, err))
		return false;
	bool ok = req->st->ops->stats_daily(req->st, today, today, &day, &ndays, err);
	if (ok && !req->st->ops->dashboard(req->st, now, agents, n, &d, err)) {
		free(day);
		ok = false;
	}
	if (ok) {
		cJSON *j = cJSON_CreateObject();
		ok = j && json_add_timestamp(j, "now", now) && json_add_int(j, "seq", d.seq) &&
		     json_add_child(j, "targets",
				    targets_to_json(req->targets ? req->targets : &none)) &&
		     json_add_child(j, "today", encode_today(day, d.replies_today)) &&
		     json_add_child(j, "chats", encode_chats(&d)) &&
		     json_add_child(j, "agents", encode_agents(agents, &d));
		free(day);
		db_dashboard_free(&d);
		ok = ok ? respond_json(res, 200, j, err)
			: (cJSON_Delete(j), api_error_set(err, API_INTERNAL, "out of memory"));
	}
	for (size_t i = 0; i < n; i++)
		agent_free(&agents[i]);
	free(agents);
	return ok;
}
