/*
 * bp_control.c — the Botpress simulator's /_sim/ routes: play the customer
 * and the bot, read back what the "agent" (the bridge) posted, seed, and
 * its settings. The common routes (faults, webhook, stats) and the
 * dispatch are sim_control.c's; the "*" of a route is a conversation id,
 * found by bp_control_find.
 */
#include "bp_control.h"

#include <stdio.h>
#include <string.h>

#include "bp_actors.h"
#include "sim_control.h"

static struct bp_sim *bp_of(struct sim_ctl *c)
{
	return c->state;
}

/* The {id} of /_sim/conversations/{id}/... */
static struct bp_conv *conv_of(struct sim_ctl *c)
{
	return c->item;
}

static cJSON *ids(const struct bp_conv *conv, const struct bp_msg *m)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "conversationId", conv->r.id);
	cJSON_AddStringToObject(o, "userId", conv->customer_id);
	if (m)
		cJSON_AddStringToObject(o, "messageId", m->r.id);
	return o;
}

/* POST /_sim/conversations {text, name?, channel?, integration?} */
static void start(struct sim_ctl *c)
{
	const char *text = sim_ctl_str(c, "text", NULL), *name, *channel, *integration;
	struct bp_msg *m;
	struct bp_conv *conv;

	if (!text || !(name = sim_ctl_str(c, "name", "Customer")) ||
	    !(channel = sim_ctl_str(c, "channel", "channel")) ||
	    !(integration = sim_ctl_str(c, "integration", "webchat")))
		return;
	conv = bp_customer_start(bp_of(c), name, channel, integration, text, &m);
	if (!conv)
		sim_ctl_fail(c, 500, "out of memory");
	else
		sim_ctl_reply(c, 200, ids(conv, m));
}

/* POST /_sim/conversations/{id}/customer {text} */
static void customer(struct sim_ctl *c)
{
	const char *text = sim_ctl_str(c, "text", NULL);
	struct bp_msg *m;

	if (!text)
		return;
	if (!conv_of(c)->customer_id[0]) {
		sim_ctl_fail(c, 400, "this conversation was made through the API: it has no customer");
		return;
	}
	m = bp_customer_say(bp_of(c), conv_of(c), text);
	sim_ctl_reply(c, m ? 200 : 500, m ? ids(conv_of(c), m) : NULL);
}

/* POST /_sim/conversations/{id}/bot {text}: 409 {"silent": true} while the
 * handoff tag keeps the bot quiet. */
static void bot(struct sim_ctl *c)
{
	const char *text = sim_ctl_str(c, "text", NULL);
	struct bp_msg *m;

	if (!text)
		return;
	if (!bp_bot_may_speak(conv_of(c))) {
		sim_ctl_silent(c);
		return;
	}
	m = bp_bot_say(bp_of(c), conv_of(c), text);
	sim_ctl_reply(c, m ? 200 : 500, m ? ids(conv_of(c), m) : NULL);
}

/* POST /_sim/conversations/{id}/escalate {text?}: the bot says text (when
 * given) and sets the handoff tag to "requested". */
static void escalate(struct sim_ctl *c)
{
	const char *text = sim_ctl_str(c, "text", "");

	if (!text)
		return;
	if (text[0])
		bp_bot_say(bp_of(c), conv_of(c), text);
	bp_bot_escalate(bp_of(c), conv_of(c));
	sim_ctl_reply(c, 200, ids(conv_of(c), NULL));
}

static const char *const ORIGINS[] = {
	[BP_ORIGIN_CUSTOMER] = "customer", [BP_ORIGIN_BOT] = "bot", [BP_ORIGIN_API] = "api",
};

/* GET /_sim/conversations/{id}: the conversation, its messages oldest first
 * with who wrote them ("origin": customer, bot, or api — the bridge), and
 * its states. */
static void show(struct sim_ctl *c)
{
	cJSON *o = cJSON_CreateObject(), *msgs, *states;
	const struct bp_store *s = &bp_of(c)->store;

	cJSON_AddItemToObject(o, "conversation", bp_conv_json(conv_of(c)));
	msgs = cJSON_AddArrayToObject(o, "messages");
	for (size_t i = 0; i < conv_of(c)->msgs.n; i++) {
		const struct bp_msg *m = conv_of(c)->msgs.v[i];
		cJSON *j = bp_msg_json(m);
		cJSON_AddStringToObject(j, "origin", ORIGINS[m->origin]);
		cJSON_AddItemToArray(msgs, j);
	}
	states = cJSON_AddArrayToObject(o, "states");
	for (size_t i = 0; i < s->states.n; i++) {
		const struct bp_state *st = s->states.v[i];
		if (strcmp(st->type, "conversation") == 0 && strcmp(st->owner_id, conv_of(c)->r.id) == 0)
			cJSON_AddItemToArray(states, bp_state_json(s, st));
	}
	cJSON_AddBoolToObject(o, "botMaySpeak", bp_bot_may_speak(conv_of(c)));
	sim_ctl_reply(c, 200, o);
}

/* POST /_sim/seed {conversations, messages}: that many conversations, each
 * with that many messages (customer and bot in turn), for backfills. */
static void seed(struct sim_ctl *c)
{
	const cJSON *nc = cJSON_GetObjectItemCaseSensitive(c->body, "conversations");
	const cJSON *nm = cJSON_GetObjectItemCaseSensitive(c->body, "messages");
	long convs = cJSON_IsNumber(nc) ? (long)nc->valuedouble : -1;
	long msgs = cJSON_IsNumber(nm) ? (long)nm->valuedouble : 1;
	bool saved = bp_of(c)->bot_auto;
	char text[64];

	if (convs < 0 || convs > 1000000 || msgs < 1 || msgs > 1000) {
		sim_ctl_fail(c, 400, "conversations: 0..1000000 and messages: 1..1000 are required");
		return;
	}
	bp_of(c)->bot_auto = false;
	for (long i = 0; i < convs; i++) {
		struct bp_msg *m;
		snprintf(text, sizeof text, "seeded conversation %ld", i + 1);
		struct bp_conv *conv = bp_customer_start(bp_of(c), "Seeded Customer", "channel",
							 "webchat", text, &m);
		for (long k = 1; conv && k < msgs; k++) {
			snprintf(text, sizeof text, "seeded message %ld", k + 1);
			if (k % 2)
				bp_bot_say(bp_of(c), conv, text);
			else
				bp_customer_say(bp_of(c), conv, text);
		}
	}
	bp_of(c)->bot_auto = saved;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "conversations", (double)convs);
	sim_ctl_reply(c, 200, o);
}

/* POST /_sim/config {botAuto?, pageSize?} */
static void config(struct sim_ctl *c)
{
	if (!sim_ctl_config_ok(c, "pageSize", 1000)) {
		sim_ctl_fail(c, 400, "botAuto: a boolean; pageSize: 1..1000");
		return;
	}
	sim_ctl_config_set(c, "pageSize", &bp_of(c)->bot_auto, &bp_of(c)->store.page_size);
	sim_ctl_reply(c, 200, NULL);
}

const struct sim_route BP_CONTROL_ROUTES[] = {
	{"POST", "/conversations", start},
	{"GET", "/conversations/*", show},
	{"POST", "/conversations/*/customer", customer},
	{"POST", "/conversations/*/bot", bot},
	{"POST", "/conversations/*/escalate", escalate},
	{"POST", "/seed", seed},
	{"POST", "/config", config},
	{NULL, NULL, NULL},
};

void *bp_control_find(void *state, const char *id)
{
	struct bp_sim *bp = state;

	return bp_conv_find(&bp->store, id);
}
