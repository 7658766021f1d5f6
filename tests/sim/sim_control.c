/*
 * sim_control.c — /_sim/...: the common routes and the dispatch to the
 * platform's (see sim_control.h).
 */
#include "sim_control.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonfield.h"
#include "sim_demo.h"

/* Longest id a "*" segment may hold. */
#define ID_MAX 128

void sim_ctl_reply(struct sim_ctl *c, int status, cJSON *o)
{
	c->resp->status = status;
	c->resp->body = o ? cJSON_PrintUnformatted(o) : strdup("{}");
	cJSON_Delete(o);
}

void sim_ctl_refuse(struct sim_ctl *c, const char *what)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddBoolToObject(o, what, 1);
	sim_ctl_reply(c, 409, o);
}

void sim_ctl_silent(struct sim_ctl *c)
{
	sim_ctl_refuse(c, "silent");
}

bool sim_ctl_config_ok(struct sim_ctl *c, const char *size_key, double max)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(c->body, "botAuto");
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(c->body, size_key);

	return (!a || cJSON_IsBool(a)) &&
	       (!p || (cJSON_IsNumber(p) && p->valuedouble >= 1 && p->valuedouble <= max));
}

void sim_ctl_config_set(struct sim_ctl *c, const char *size_key, bool *bot_auto,
			size_t *page_size)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(c->body, "botAuto");
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(c->body, size_key);

	if (a)
		*bot_auto = cJSON_IsTrue(a);
	if (p)
		*page_size = (size_t)p->valuedouble;
}

void sim_ctl_fail(struct sim_ctl *c, int status, const char *why)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "error", why);
	sim_ctl_reply(c, status, o);
}

const char *sim_ctl_str(struct sim_ctl *c, const char *name, const char *def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->body, name);
	char why[96];

	if (cJSON_IsString(v) && v->valuestring[0])
		return v->valuestring;
	if (!v && def)
		return def;
	snprintf(why, sizeof why, "%s: a non-empty string is required", name);
	sim_ctl_fail(c, 400, why);
	return NULL;
}

/* POST /_sim/faults {switches...} sets; GET reads. {"reset": true} zeroes. */
static void faults(struct sim_ctl *c)
{
	char why[128];

	if (strcmp(c->req->method, "POST") == 0) {
		struct sim_faults f = c->sim->faults;
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c->body, "reset"))) {
			sim_faults_reset(&f);
			cJSON_DeleteItemFromObjectCaseSensitive(c->body, "reset");
		}
		if (!sim_faults_set(&f, c->body, why, sizeof why)) {
			sim_ctl_fail(c, 400, why);
			return;
		}
		c->sim->faults = f;
	}
	sim_ctl_reply(c, 200, sim_faults_json(&c->sim->faults));
}

/* POST /_sim/webhook {url, secret}: url "" stops the deliveries. */
static void webhook(struct sim_ctl *c)
{
	const char *url = sim_ctl_str(c, "url", ""), *secret;

	if (!url || !(secret = sim_ctl_str(c, "secret", url[0] ? NULL : "")))
		return;
	if (sim_webhook_configure(c->sim->webhook, url, secret) < 0)
		sim_ctl_fail(c, 500, "out of memory");
	else
		sim_ctl_reply(c, 200, NULL);
}

/* GET /_sim/stats: apiRequests, the platform's counts, webhooks. */
static void stats(struct sim_ctl *c)
{
	struct sim_webhook_stats w = sim_webhook_stats(c->sim->webhook);
	cJSON *o = cJSON_CreateObject(), *wh;

	cJSON_AddNumberToObject(o, "apiRequests", (double)c->sim->api_requests);
	c->sim->plat->stats(c->state, o);
	wh = cJSON_AddObjectToObject(o, "webhooks");
	cJSON_AddNumberToObject(wh, "sent", (double)w.sent);
	cJSON_AddNumberToObject(wh, "failed", (double)w.failed);
	cJSON_AddNumberToObject(wh, "pending", (double)w.pending);
	sim_ctl_reply(c, 200, o);
}

/* GET /_sim/demo: the conversations the demo's customers opened. */
static void demo(struct sim_ctl *c)
{
	sim_ctl_reply(c, 200, sim_demo_json(c->sim->demo));
}

static const struct sim_route COMMON[] = {
	{"GET", "/demo", demo},
	{"GET", "/faults", faults},
	{"POST", "/faults", faults},
	{"POST", "/webhook", webhook},
	{"GET", "/stats", stats},
	{NULL, NULL, NULL},
};

/* Match `path` against `pat`; the record a '*' names goes in c->item
 * (*missing set when it names none). */
static bool match(struct sim_ctl *c, const char *pat, const char *path, bool *missing)
{
	const char *star = strchr(pat, '*');

	if (!star)
		return strcmp(pat, path) == 0;
	size_t pre = (size_t)(star - pat);
	if (strncmp(pat, path, pre) != 0)
		return false;
	size_t len = strcspn(path + pre, "/");
	if (len == 0 || strcmp(path + pre + len, star + 1) != 0)
		return false;
	char id[ID_MAX];
	if (len >= sizeof id) {
		*missing = true;
		return true;
	}
	memcpy(id, path + pre, len);
	id[len] = '\0';
	c->item = c->sim->plat->find(c->state, id);
	*missing = c->item == NULL;
	return true;
}

/* Run the route of `routes` that matches; false when none does. */
static bool route(struct sim_ctl *c, const struct sim_route *routes, const char *path)
{
	for (const struct sim_route *r = routes; r->method; r++) {
		bool missing = false;
		if (strcmp(r->method, c->req->method) != 0 || !match(c, r->path, path, &missing))
			continue;
		if (missing)
			sim_ctl_fail(c, 404, c->sim->plat->not_found);
		else
			r->fn(c);
		return true;
	}
	return false;
}

void sim_control_handle(struct sim *sim, const struct sim_req *req, struct sim_resp *resp)
{
	struct sim_ctl c = {.sim = sim, .state = sim->state, .req = req, .resp = resp};
	const char *path = req->path + strlen("/_sim");

	c.body = req->body_len ? json_parse_text(req->body, req->body_len, NULL)
			       : cJSON_CreateObject();
	if (!cJSON_IsObject(c.body))
		sim_ctl_fail(&c, 400, "the body must be a JSON object");
	else if (!route(&c, sim->plat->routes, path) && !route(&c, COMMON, path))
		sim_ctl_fail(&c, 404, "no such control path");
	cJSON_Delete(c.body);
}
