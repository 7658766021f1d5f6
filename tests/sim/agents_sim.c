/*
 * agents_sim.c — a simulated workspace of AI agents for tests and the
 * demo: the agent is the bot's brain, asked through Chat Interact and
 * silenced through Configure State.
 *
 *   agents_sim [--port N] [--webhook URL --webhook-secret S] [--key K]
 *              [--auth-header H] [--workspace-id ID] [--agent-id ID]
 *              [--client-id ID] [--bot-auto] [--page-size N]
 *
 * Serves the API (/v3/..., ag_api.c) and the control interface (/_sim/...,
 * ag_control.c and the common routes); start-up, the fault switches and
 * the webhook are the common ones (sim.h). It starts with one client (and
 * a second of the same org) and one agent of that client; state lives in
 * memory only. doc/simulators.md has the rest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ag_actors.h"
#include "ag_api.h"
#include "ag_control.h"
#include "ag_error.h"
#include "ag_sim.h"
#include "jsonfield.h"
#include "timeutil.h"

enum { OPT_KEY = 1, OPT_AUTH_HEADER, OPT_WORKSPACE, OPT_AGENT, OPT_CLIENT, OPT_BOT_AUTO,
       OPT_PAGE_SIZE };

static const struct option OPTIONS[] = {
	{"key", required_argument, NULL, OPT_KEY},
	{"auth-header", required_argument, NULL, OPT_AUTH_HEADER},
	{"workspace-id", required_argument, NULL, OPT_WORKSPACE},
	{"agent-id", required_argument, NULL, OPT_AGENT},
	{"client-id", required_argument, NULL, OPT_CLIENT},
	{"bot-auto", no_argument, NULL, OPT_BOT_AUTO},
	{"page-size", required_argument, NULL, OPT_PAGE_SIZE},
	{NULL, 0, NULL, 0},
};

static int option(void *state, int ch, const char *arg)
{
	struct ag_sim *ag = state;
	long n;

	switch (ch) {
	case OPT_KEY: ag->key = arg; return 0;
	case OPT_AUTH_HEADER: ag->auth_header = arg; return arg[0] ? 0 : -1;
	case OPT_WORKSPACE: ag->workspace_id = arg; return 0;
	case OPT_AGENT: ag->agent_id = arg; return 0;
	case OPT_CLIENT: ag->client_id = arg; return 0;
	case OPT_BOT_AUTO: ag->bot_auto = true; return 0;
	case OPT_PAGE_SIZE:
		n = atol(arg);
		if (n < 1 || n > 100)
			return -1;
		ag->page_size = (size_t)n;
		return 0;
	}
	return -1;
}

/* Each new message and state change goes to the webhook as
 * {id, type, createdAt, agentId, conversationId, state, stateVersion,
 * message?}. */
static void on_event(void *ctx, const char *type, const struct ag_conv *c,
		     const struct ag_msg *m)
{
	struct ag_sim *ag = ctx;
	cJSON *o;
	char id[48];

	snprintf(id, sizeof id, "evt_%08x_%llu", (unsigned)ag->store.salt,
		 (unsigned long long)++ag->store.event_seq);
	if (!ag->sim || !(o = cJSON_CreateObject()))
		return;
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "type", type);
	json_add_timestamp(o, "createdAt", ts_now());
	cJSON_AddStringToObject(o, "agentId", c->agent->id);
	cJSON_AddStringToObject(o, "conversationId", c->id);
	cJSON_AddStringToObject(o, "state", ag_state_name(c->state));
	cJSON_AddNumberToObject(o, "stateVersion", c->state_version);
	if (m)
		json_add_child(o, "message", ag_msg_json(m));
	sim_emit(ag->sim, o);
	cJSON_Delete(o);
}

/* The clients and the agent every run starts with. */
static bool seed_workspace(struct ag_sim *ag)
{
	static const char *const HREFS[] = {"/overview", "/home", "/convos", "/analytics", "/kb",
					    "/settings"};
	cJSON *f = cJSON_CreateObject(), *n;
	bool ok;

	cJSON_AddStringToObject(f, "id", ag->client_id);
	cJSON_AddStringToObject(f, "name", "Sim Client Co");
	cJSON_AddStringToObject(f, "email", "owner@client.example");
	cJSON_AddStringToObject(f, "password", "client-dashboard-password");
	cJSON_AddBoolToObject(f, "isOrgAdmin", 1);
	cJSON_AddStringToObject(f, "orgId", "org-sim");
	cJSON_AddItemToObject(f, "hrefs", cJSON_CreateStringArray(HREFS, 6));
	n = cJSON_AddObjectToObject(f, "notifications");
	cJSON_AddBoolToObject(n, "email", 1);
	cJSON_AddBoolToObject(n, "escalations", 1);
	cJSON_AddStringToObject(f, "ownerUid", ag->workspace_id);
	cJSON_AddStringToObject(f, "photoUrl", "https://example.com/client-sim.png");
	ok = ag_client_new(&ag->store, f) != NULL;
	/* A second user of the same org, for orgUsers. */
	cJSON_ReplaceItemInObjectCaseSensitive(f, "id", cJSON_CreateString("client-sim-staff"));
	cJSON_ReplaceItemInObjectCaseSensitive(f, "name", cJSON_CreateString("Sim Client Staff"));
	cJSON_ReplaceItemInObjectCaseSensitive(f, "email",
					       cJSON_CreateString("staff@client.example"));
	cJSON_ReplaceItemInObjectCaseSensitive(f, "isOrgAdmin", cJSON_CreateFalse());
	ok = ok && ag_client_new(&ag->store, f) != NULL;
	cJSON_Delete(f);
	return ok && ag_agent_new(&ag->store, ag->agent_id, "Sim Agent", ag->client_id);
}

static int start(void *state, struct sim *sim)
{
	struct ag_sim *ag = state;

	ag_store_init(&ag->store, ag->workspace_id);
	ag->store.page_size = ag->page_size;
	if (!seed_workspace(ag))
		return -1;
	ag->sim = sim;
	ag->store.on_event = on_event;
	ag->store.hook_ctx = ag;
	return 0;
}

static void stop(void *state)
{
	ag_store_free(&((struct ag_sim *)state)->store);
}

static void api(void *state, const struct sim_req *req, struct sim_resp *resp)
{
	ag_api_handle(state, req, resp);
}

static void error(struct sim_resp *resp, int status)
{
	if (status == 404)
		ag_error(resp, AG_ERR_NOT_FOUND, "No such endpoint.", 0);
	else if (status == 429)
		ag_error(resp, AG_ERR_RATE_LIMITED, NULL, 0);
	else
		ag_error(resp, AG_ERR_INTERNAL, NULL, status);
}

/* New conversations of the agent being walked, in front of the walk:
 * customers of the platform's own channel. */
static bool page_change(void *state, const struct sim_req *req, unsigned insert)
{
	struct ag_sim *ag = state;
	struct ag_agent *a;
	struct ag_msg *m;
	char *agent_id;

	if (!ag_api_next_page(req, &agent_id))
		return false;
	a = ag_agent_find(&ag->store, agent_id);
	for (unsigned i = 0; a && i < insert; i++)
		ag_customer_start(ag, a, "Late Customer", "started while the pages were walked", &m);
	free(agent_id);
	return true;
}

static void stats(void *state, cJSON *o)
{
	const struct ag_store *s = &((struct ag_sim *)state)->store;

	cJSON_AddNumberToObject(o, "clients", (double)s->clients.n);
	cJSON_AddNumberToObject(o, "agents", (double)s->agents.n);
	cJSON_AddNumberToObject(o, "conversations", (double)s->convs.n);
	cJSON_AddNumberToObject(o, "messages", (double)s->msg_seq);
	cJSON_AddNumberToObject(o, "events", (double)s->event_seq);
}

static const struct sim_platform AGENTS = {
	.name = "agents_sim",
	.usage = "[--key K] [--auth-header H] [--workspace-id ID] [--agent-id ID] "
		 "[--client-id ID] [--bot-auto] [--page-size N]",
	.options = OPTIONS,
	.api_prefix = "/v3/",
	/* The doc has no webhook; doc/simulators.md says why this one. */
	.webhook_header = "x-agents-signature",
	.webhook_sign = sim_sign_hmac_sha256_hex,
	.routes = AG_CONTROL_ROUTES,
	.not_found = "no conversation with this id",
	.option = option,
	.start = start,
	.stop = stop,
	.api = api,
	.error = error,
	.page_change = page_change,
	.find = ag_control_find,
	.stats = stats,
};

int main(int argc, char **argv)
{
	static struct ag_sim ag = {
		.key = "sim-key", .auth_header = "Authorization", .workspace_id = "ws-sim",
		.agent_id = "agent-sim", .client_id = "client-sim", .page_size = AG_PAGE_SIZE,
	};

	return sim_main(&AGENTS, &ag, argc, argv);
}
