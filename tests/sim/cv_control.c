/*
 * cv_control.c — the conversations simulator's /_sim/ routes: play the
 * customer and the bot, read back what the agent side (the bridge) did,
 * seed, and its settings. The common routes and the dispatch are
 * sim_control.c's; a route's "*" is a conversation id.
 */
#include "cv_control.h"

#include <stdio.h>
#include <string.h>

#include "cv_actors.h"
#include "sim_control.h"
#include "timeutil.h"

#define DAY_MS 86400000LL

static struct cv_sim *cv_of(struct sim_ctl *c)
{
	return c->state;
}

static struct cv_conv *conv_of(struct sim_ctl *c)
{
	return c->item;
}

static cJSON *ids(const struct cv_conv *v, const struct cv_chat *ch)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "conversationId", v->id);
	cJSON_AddStringToObject(o, "userId", v->user_id);
	if (ch)
		cJSON_AddStringToObject(o, "chatId", ch->id);
	return o;
}

/* POST /_sim/conversations {text, firstName?, lastName?, variables?} */
static void start(struct sim_ctl *c)
{
	const char *text = sim_ctl_str(c, "text", NULL), *first, *last;
	const cJSON *vars = cJSON_GetObjectItemCaseSensitive(c->body, "variables");
	struct cv_chat *ch;
	struct cv_conv *v;

	if (!text || !(first = sim_ctl_str(c, "firstName", "Casey")) ||
	    !(last = sim_ctl_str(c, "lastName", "Customer")))
		return;
	if (vars && !cJSON_IsObject(vars)) {
		sim_ctl_fail(c, 400, "variables: an object is required");
		return;
	}
	if (!(v = cv_customer_start(cv_of(c), first, last, text, 0, &ch))) {
		sim_ctl_fail(c, 500, "out of memory");
		return;
	}
	if (vars) {
		cJSON_Delete(v->variables);
		v->variables = cJSON_Duplicate(vars, 1);
	}
	sim_ctl_reply(c, 200, ids(v, ch));
}

/* POST /_sim/conversations/{id}/customer {text}: 409 {"ended": true} once
 * the conversation was stopped. */
static void customer(struct sim_ctl *c)
{
	const char *text = sim_ctl_str(c, "text", NULL);
	struct cv_chat *ch;

	if (!text)
		return;
	if (conv_of(c)->is_end) {
		sim_ctl_refuse(c, "ended");
		return;
	}
	ch = cv_customer_say(cv_of(c), conv_of(c), text);
	sim_ctl_reply(c, ch ? 200 : 500, ch ? ids(conv_of(c), ch) : NULL);
}

/* POST /_sim/conversations/{id}/bot {text}: 409 {"silent": true} unless
 * the state is "no" and the conversation runs. */
static void bot(struct sim_ctl *c)
{
	const char *text = sim_ctl_str(c, "text", NULL);
	struct cv_chat *ch;

	if (!text)
		return;
	if (!cv_bot_may_speak(conv_of(c))) {
		sim_ctl_silent(c);
		return;
	}
	ch = cv_bot_say(cv_of(c), conv_of(c), text);
	sim_ctl_reply(c, ch ? 200 : 500, ch ? ids(conv_of(c), ch) : NULL);
}

/* POST /_sim/conversations/{id}/escalate {text?}: the bot says text (when
 * given and it may speak) and sets the state to "waiting". */
static void escalate(struct sim_ctl *c)
{
	const char *text = sim_ctl_str(c, "text", "");

	if (!text)
		return;
	if (text[0])
		cv_bot_say(cv_of(c), conv_of(c), text);
	cv_bot_escalate(conv_of(c));
	sim_ctl_reply(c, 200, ids(conv_of(c), NULL));
}

static const char *const ORIGINS[] = {
	[CV_SENDER_USER] = "customer", [CV_SENDER_BOT] = "bot", [CV_SENDER_AGENT] = "api",
};

/* One chat for the read-back: the API's object, who wrote it ("origin":
 * customer, bot, or api — the bridge's agent), and its feedback. */
static cJSON *chat_readback(const struct cv_chat *ch)
{
	cJSON *j = cv_chat_json(ch);

	cJSON_AddStringToObject(j, "origin", ORIGINS[ch->sender]);
	if (ch->agent_email)
		cJSON_AddStringToObject(j, "agentEmail", ch->agent_email);
	if (ch->feedback_selection)
		cJSON_AddItemToObject(j, "feedbackSelection",
				      cJSON_Duplicate(ch->feedback_selection, 1));
	if (ch->suggested_answer && ch->suggested_answer[0])
		cJSON_AddStringToObject(j, "suggestedAnswer", ch->suggested_answer);
	return j;
}

/* GET /_sim/conversations/{id}: the conversation, every chat oldest first,
 * its state, assignee, category, title, whether it was stopped, and
 * whether the bot may speak. */
static void show(struct sim_ctl *c)
{
	const struct cv_conv *v = conv_of(c);
	cJSON *o = cJSON_CreateObject(), *chats;

	cJSON_AddItemToObject(o, "conversation", cv_conv_json(&cv_of(c)->store, v, NULL));
	chats = cJSON_AddArrayToObject(o, "chats");
	for (size_t i = 0; i < v->chats.n; i++)
		cJSON_AddItemToArray(chats, chat_readback(v->chats.v[i]));
	cJSON_AddStringToObject(o, "state", v->state);
	cJSON_AddStringToObject(o, "assignee", v->assignee);
	cJSON_AddStringToObject(o, "categoryId", v->category_id);
	cJSON_AddStringToObject(o, "title", v->title);
	cJSON_AddBoolToObject(o, "isEnd", v->is_end);
	cJSON_AddBoolToObject(o, "botMaySpeak", cv_bot_may_speak(v));
	sim_ctl_reply(c, 200, o);
}

/* POST /_sim/seed {conversations, chats?, days?}: that many conversations,
 * each with that many chats (customer and bot in turn). With days > 1
 * conversation i is created (i % days) days before today (UTC), for the
 * daily counts; else now. */
static void seed(struct sim_ctl *c)
{
	const cJSON *nc = cJSON_GetObjectItemCaseSensitive(c->body, "conversations");
	const cJSON *nm = cJSON_GetObjectItemCaseSensitive(c->body, "chats");
	const cJSON *nd = cJSON_GetObjectItemCaseSensitive(c->body, "days");
	long convs = cJSON_IsNumber(nc) ? (long)nc->valuedouble : -1;
	long chats = cJSON_IsNumber(nm) ? (long)nm->valuedouble : 1;
	long days = cJSON_IsNumber(nd) ? (long)nd->valuedouble : 1;
	bool saved = cv_of(c)->bot_auto;
	int64_t midnight = ts_now() / DAY_MS * DAY_MS;
	char text[64];

	if (convs < 0 || convs > 1000000 || chats < 1 || chats > 1000 || days < 1 ||
	    days > 366) {
		sim_ctl_fail(c, 400, "conversations: 0..1000000, chats: 1..1000, days: 1..366");
		return;
	}
	cv_of(c)->bot_auto = false;
	for (long i = 0; i < convs; i++) {
		int64_t at = days > 1 ? midnight - (i % days) * DAY_MS + 1000 + i : 0;
		struct cv_chat *ch;
		snprintf(text, sizeof text, "seeded conversation %ld", i + 1);
		struct cv_conv *v = cv_customer_start(cv_of(c), "Seeded", "Customer", text, at, &ch);
		for (long k = 1; v && k < chats; k++) {
			snprintf(text, sizeof text, "seeded chat %ld", k + 1);
			cv_chat_add(&cv_of(c)->store, v, k % 2 ? CV_SENDER_BOT : CV_SENDER_USER, text,
				    NULL, at ? at + k : 0);
		}
	}
	cv_of(c)->bot_auto = saved;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "conversations", (double)convs);
	sim_ctl_reply(c, 200, o);
}

/* POST /_sim/config {botAuto?, chatPageSize?} */
static void config(struct sim_ctl *c)
{
	if (!sim_ctl_config_ok(c, "chatPageSize", 1000)) {
		sim_ctl_fail(c, 400, "botAuto: a boolean; chatPageSize: 1..1000");
		return;
	}
	sim_ctl_config_set(c, "chatPageSize", &cv_of(c)->bot_auto, &cv_of(c)->chat_page_size);
	sim_ctl_reply(c, 200, NULL);
}

const struct sim_route CV_CONTROL_ROUTES[] = {
	{"POST", "/conversations", start},
	{"GET", "/conversations/*", show},
	{"POST", "/conversations/*/customer", customer},
	{"POST", "/conversations/*/bot", bot},
	{"POST", "/conversations/*/escalate", escalate},
	{"POST", "/seed", seed},
	{"POST", "/config", config},
	{NULL, NULL, NULL},
};

void *cv_control_find(void *state, const char *id)
{
	struct cv_sim *cv = state;

	return cv_conv_find(&cv->store, id);
}
