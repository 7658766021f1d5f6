/*
 * ag_control.c — the agents simulator's /_sim/ routes: play the customers
 * of the platform's own channel and the agent, read back what the bridge
 * sent (its Chat Interact calls and state changes), seed, add clients, and
 * its settings. The common routes (faults, webhook, stats) and the
 * dispatch are sim_control.c's; the "*" of a route is a conversation id,
 * found by ag_control_find.
 */
#include "ag_control.h"

#include <stdio.h>
#include <string.h>

#include "ag_actors.h"
#include "sim_control.h"

static const char *const ORIGINS[] = {
	[AG_ORIGIN_CUSTOMER] = "customer", [AG_ORIGIN_API] = "api", [AG_ORIGIN_AI] = "ai",
	[AG_ORIGIN_BOT] = "bot",
};

static struct ag_sim *ag_of(struct sim_ctl *c)
{
	return c->state;
}

static struct ag_conv *conv_of(struct sim_ctl *c)
{
	return c->item;
}

static cJSON *ids(const struct ag_conv *conv, const struct ag_msg *m)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "conversationId", conv->id);
	cJSON_AddStringToObject(o, "agentId", conv->agent->id);
	if (m)
		cJSON_AddStringToObject(o, "messageId", m->id);
	return o;
}

/* The agent named by body "agentId", the default one when absent; NULL
 * (answered 404) when it names none. */
static struct ag_agent *agent_arg(struct sim_ctl *c)
{
	const char *id = sim_ctl_str(c, "agentId", ag_of(c)->agent_id);
	struct ag_agent *a = id ? ag_agent_find(&ag_of(c)->store, id) : NULL;

	if (id && !a)
		sim_ctl_fail(c, 404, "no agent with this id");
	return a;
}

/* POST /_sim/conversations {text, name?, agentId?} */
static void start(struct sim_ctl *c)
{
	const char *text = sim_ctl_str(c, "text", NULL), *name;
	struct ag_agent *a;
	struct ag_conv *conv;
	struct ag_msg *m;

	if (!text || !(name = sim_ctl_str(c, "name", "Customer")) || !(a = agent_arg(c)))
		return;
	conv = ag_customer_start(ag_of(c), a, name, text, &m);
	if (!conv)
		sim_ctl_fail(c, 500, "out of memory");
	else
		sim_ctl_reply(c, 200, ids(conv, m));
}

/* POST /_sim/conversations/{id}/customer {text} */
static void customer(struct sim_ctl *c)
{
	const char *text = sim_ctl_str(c, "text", NULL);
	struct ag_msg *m;

	if (!text)
		return;
	m = ag_customer_say(ag_of(c), conv_of(c), text);
	sim_ctl_reply(c, m ? 200 : 500, m ? ids(conv_of(c), m) : NULL);
}

/* POST /_sim/conversations/{id}/bot {text}: 409 {"silent": true} while the
 * state keeps the agent quiet. */
static void bot(struct sim_ctl *c)
{
	const char *text = sim_ctl_str(c, "text", NULL);
	struct ag_msg *m;

	if (!text)
		return;
	if (!ag_bot_may_speak(conv_of(c))) {
		sim_ctl_silent(c);
		return;
	}
	m = ag_bot_say(ag_of(c), conv_of(c), text);
	sim_ctl_reply(c, m ? 200 : 500, m ? ids(conv_of(c), m) : NULL);
}

/* POST /_sim/conversations/{id}/escalate {text?}: the agent says text (when
 * given and it may speak) and sets the state to "escalated". */
static void escalate(struct sim_ctl *c)
{
	const char *text = sim_ctl_str(c, "text", "");

	if (!text)
		return;
	if (text[0])
		ag_bot_say(ag_of(c), conv_of(c), text);
	ag_escalate(ag_of(c), conv_of(c));
	sim_ctl_reply(c, 200, ids(conv_of(c), NULL));
}

/* GET /_sim/conversations/{id}: the conversation, its messages oldest first
 * with who wrote them ("origin": customer, api — sent by the bridge through
 * Chat Interact —, ai, bot), every state change with who made it ("by":
 * ai when the agent escalated, api through Configure State), the Chat
 * Interact calls received (replays included) and how many of them came
 * while the agent was silent. */
static void show(struct sim_ctl *c)
{
	const struct ag_conv *conv = conv_of(c);
	cJSON *o = cJSON_CreateObject(), *j = ag_conv_json(conv, true), *m;
	int i = 0;

	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(j, "messages")) {
		const struct ag_msg *msg = conv->msgs.v[i++];
		cJSON_AddStringToObject(m, "origin", ORIGINS[msg->origin]);
	}
	cJSON_AddItemToObject(o, "conversation", j);
	cJSON_AddItemToObject(o, "stateChanges", cJSON_Duplicate(conv->changes, 1));
	cJSON_AddNumberToObject(o, "interactCalls", (double)conv->interact_calls);
	cJSON_AddNumberToObject(o, "interactWhileSilent", (double)conv->interact_silent);
	cJSON_AddBoolToObject(o, "botMaySpeak", ag_bot_may_speak(conv));
	sim_ctl_reply(c, 200, o);
}

/* POST /_sim/seed {conversations, messages?, agentId?}: that many
 * conversations of the agent, each with that many messages (customer and
 * agent in turn), for backfills. */
static void seed(struct sim_ctl *c)
{
	const cJSON *nc = cJSON_GetObjectItemCaseSensitive(c->body, "conversations");
	const cJSON *nm = cJSON_GetObjectItemCaseSensitive(c->body, "messages");
	long convs = cJSON_IsNumber(nc) ? (long)nc->valuedouble : -1;
	long msgs = cJSON_IsNumber(nm) ? (long)nm->valuedouble : 1;
	struct ag_sim *ag = ag_of(c);
	bool saved = ag->bot_auto;
	struct ag_agent *a;
	char text[64];

	if (convs < 0 || convs > 1000000 || msgs < 1 || msgs > 1000) {
		sim_ctl_fail(c, 400, "conversations: 0..1000000 and messages: 1..1000 are required");
		return;
	}
	if (!(a = agent_arg(c)))
		return;
	ag->bot_auto = false;
	for (long i = 0; i < convs; i++) {
		struct ag_msg *m;
		snprintf(text, sizeof text, "seeded conversation %ld", i + 1);
		struct ag_conv *conv = ag_customer_start(ag, a, "Seeded Customer", text, &m);
		for (long k = 1; conv && k < msgs; k++) {
			snprintf(text, sizeof text, "seeded message %ld", k + 1);
			if (k % 2)
				ag_bot_say(ag, conv, text);
			else
				ag_customer_say(ag, conv, text);
		}
	}
	ag->bot_auto = saved;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "conversations", (double)convs);
	sim_ctl_reply(c, 200, o);
}

/* POST /_sim/clients {the client's fields}: a client as Get Client will
 * answer it ("ownerUid" defaults to the workspace; another value makes a
 * client of another workspace). */
static void client(struct sim_ctl *c)
{
	struct ag_sim *ag = ag_of(c);
	struct ag_client *cl;
	const char *id = sim_ctl_str(c, "id", "-");

	if (!id || !sim_ctl_str(c, "name", NULL))
		return;
	if (strcmp(id, "-") != 0 && ag_client_find(&ag->store, id)) {
		sim_ctl_fail(c, 400, "id: a client with this id exists");
		return;
	}
	if (!cJSON_GetObjectItemCaseSensitive(c->body, "ownerUid"))
		cJSON_AddStringToObject(c->body, "ownerUid", ag->workspace_id);
	if (!(cl = ag_client_new(&ag->store, c->body))) {
		sim_ctl_fail(c, 500, "out of memory");
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", cl->id);
	sim_ctl_reply(c, 200, o);
}

/* POST /_sim/config {botAuto?, pageSize?} */
static void config(struct sim_ctl *c)
{
	if (!sim_ctl_config_ok(c, "pageSize", 100)) {
		sim_ctl_fail(c, 400, "botAuto: a boolean; pageSize: 1..100");
		return;
	}
	sim_ctl_config_set(c, "pageSize", &ag_of(c)->bot_auto, &ag_of(c)->store.page_size);
	sim_ctl_reply(c, 200, NULL);
}

const struct sim_route AG_CONTROL_ROUTES[] = {
	{"POST", "/conversations", start},
	{"GET", "/conversations/*", show},
	{"POST", "/conversations/*/customer", customer},
	{"POST", "/conversations/*/bot", bot},
	{"POST", "/conversations/*/escalate", escalate},
	{"POST", "/seed", seed},
	{"POST", "/clients", client},
	{"POST", "/config", config},
	{NULL, NULL, NULL},
};

void *ag_control_find(void *state, const char *id)
{
	struct ag_sim *ag = state;

	return ag_conv_find(&ag->store, NULL, id);
}
