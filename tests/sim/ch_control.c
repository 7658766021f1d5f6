/*
 * ch_control.c — the chats simulator's /_sim/ routes: play the customer
 * and the bot, act as the platform's own users would (retitle, ticket
 * status, block, remove, reassign), read back what the bridge posted,
 * seed, and its settings. The common routes and the dispatch are
 * sim_control.c's; the "*" of a route is a chat id, found by
 * ch_control_find.
 */
#include "ch_control.h"

#include <stdio.h>
#include <string.h>

#include "ch_actors.h"
#include "sim_control.h"
#include "timeutil.h"

/* The responders' names in control bodies and in /_sim/directory. */
static const char *const NAMES[CH_NIDENTS] = {
	[CH_BOT] = "bot", [CH_SQUAD] = "squad", [CH_HUMAN] = "human",
};

static struct ch_sim *ch_of(struct sim_ctl *c)
{
	return c->state;
}

/* The {id} of /_sim/chats/{id}/... */
static struct ch_chat *chat_of(struct sim_ctl *c)
{
	return c->item;
}

static cJSON *ids(const struct ch_chat *chat, const struct ch_msg *m)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "chatId", chat->id);
	cJSON_AddStringToObject(o, "ownerId", chat->owner->id);
	cJSON_AddStringToObject(o, "ownerSuperIdentityId", chat->owner->super_id);
	if (m)
		cJSON_AddStringToObject(o, "messageId", m->id);
	return o;
}

/* POST /_sim/chats {text, name?, channelType?, title?} */
static void start(struct sim_ctl *c)
{
	const char *text = sim_ctl_str(c, "text", NULL), *name, *type, *title;
	struct ch_channel *channel;
	struct ch_chat *chat;
	struct ch_msg *m;

	if (!text || !(name = sim_ctl_str(c, "name", "Customer")) ||
	    !(type = sim_ctl_str(c, "channelType", "widget")) ||
	    !(title = sim_ctl_str(c, "title", "")))
		return;
	if (!(channel = ch_channel_of_type(&ch_of(c)->store, type))) {
		sim_ctl_fail(c, 400, "channelType: widget, waha, whatsapp, instagram or api");
		return;
	}
	chat = ch_customer_start(ch_of(c), name, channel, title[0] ? title : NULL, text, &m);
	if (!chat)
		sim_ctl_fail(c, 500, "out of memory");
	else
		sim_ctl_reply(c, 200, ids(chat, m));
}

/* POST /_sim/chats/{id}/customer {text}: 409 {"blocked"} or {"removed"}
 * when the platform would not take the message. */
static void customer(struct sim_ctl *c)
{
	const char *text = sim_ctl_str(c, "text", NULL);
	struct ch_msg *m;

	if (!text)
		return;
	if (chat_of(c)->owner->blocked) {
		sim_ctl_refuse(c, "blocked");
		return;
	}
	if (chat_of(c)->removed) {
		sim_ctl_refuse(c, "removed");
		return;
	}
	m = ch_customer_say(ch_of(c), chat_of(c), text);
	sim_ctl_reply(c, m ? 200 : 500, m ? ids(chat_of(c), m) : NULL);
}

/* POST /_sim/chats/{id}/bot {text}: 409 {"silent": true} while the bot may
 * not speak (ch_actors.h). */
static void bot(struct sim_ctl *c)
{
	const char *text = sim_ctl_str(c, "text", NULL);
	struct ch_msg *m;

	if (!text)
		return;
	if (!ch_bot_may_speak(chat_of(c))) {
		sim_ctl_silent(c);
		return;
	}
	m = ch_bot_say(ch_of(c), chat_of(c), text);
	sim_ctl_reply(c, m ? 200 : 500, m ? ids(chat_of(c), m) : NULL);
}

/* POST /_sim/chats/{id}/escalate {text?}: the bot says text (when given
 * and it may) and a ticket opens. */
static void escalate(struct sim_ctl *c)
{
	const char *text = sim_ctl_str(c, "text", "");

	if (!text)
		return;
	if (text[0])
		ch_bot_say(ch_of(c), chat_of(c), text);
	ch_bot_escalate(ch_of(c), chat_of(c));
	sim_ctl_reply(c, 200, ids(chat_of(c), NULL));
}

/* The responder a control body names: "bot", "squad", "human" or null. */
static bool responder_named(struct sim_ctl *c, const cJSON *v, struct ch_identity **out)
{
	*out = NULL;
	if (cJSON_IsNull(v))
		return true;
	for (size_t i = 0; cJSON_IsString(v) && i < CH_NIDENTS; i++)
		if (strcmp(v->valuestring, NAMES[i]) == 0) {
			*out = &ch_of(c)->store.idents[i];
			return true;
		}
	return false;
}

/* POST /_sim/chats/{id}/platform {title?, ticketStatus?, blocked?,
 * removed?, responder?}: what the platform's own users do to a chat, for
 * the bridge to notice. */
static void platform(struct sim_ctl *c)
{
	const cJSON *title = cJSON_GetObjectItemCaseSensitive(c->body, "title");
	const cJSON *status = cJSON_GetObjectItemCaseSensitive(c->body, "ticketStatus");
	const cJSON *blocked = cJSON_GetObjectItemCaseSensitive(c->body, "blocked");
	const cJSON *removed = cJSON_GetObjectItemCaseSensitive(c->body, "removed");
	const cJSON *resp = cJSON_GetObjectItemCaseSensitive(c->body, "responder");
	const char *st = cJSON_IsString(status) ? ch_ticket_status(status->valuestring) : NULL;
	struct ch_identity *who = NULL;
	struct ch_chat *chat = chat_of(c);

	if ((title && !cJSON_IsString(title) && !cJSON_IsNull(title)) || (status && !st) ||
	    (blocked && !cJSON_IsBool(blocked)) || (removed && !cJSON_IsBool(removed)) ||
	    (resp && !responder_named(c, resp, &who))) {
		sim_ctl_fail(c, 400, "title: a string or null; ticketStatus: open, pending or "
				     "closed; blocked, removed: booleans; responder: bot, squad, "
				     "human or null");
		return;
	}
	if (title && !ch_set_str(&chat->title, cJSON_IsString(title) ? title->valuestring : NULL)) {
		sim_ctl_fail(c, 500, "out of memory");
		return;
	}
	if (st && !chat->ticket_status)
		ch_ticket_open(&ch_of(c)->store, chat);
	if (st)
		chat->ticket_status = st;
	if (blocked)
		chat->owner->blocked = cJSON_IsTrue(blocked);
	if (removed)
		chat->removed = cJSON_IsTrue(removed);
	if (resp)
		chat->responder = who;
	chat->updated_ms = ts_now();
	sim_ctl_reply(c, 200, ch_chat_details_json(&ch_of(c)->store, chat));
}

static const char *const ORIGINS[] = {
	[CH_ORIGIN_CUSTOMER] = "customer", [CH_ORIGIN_BOT] = "bot", [CH_ORIGIN_API] = "api",
};

/* GET /_sim/chats/{id}: the chat with details, its messages oldest first
 * with who wrote them ("origin": customer, bot, or api — the bridge), and
 * whether the bot may speak. */
static void show(struct sim_ctl *c)
{
	cJSON *o = cJSON_CreateObject(), *msgs;

	cJSON_AddItemToObject(o, "chat", ch_chat_details_json(&ch_of(c)->store, chat_of(c)));
	msgs = cJSON_AddArrayToObject(o, "messages");
	for (size_t i = 0; i < chat_of(c)->msgs.n; i++) {
		const struct ch_msg *m = chat_of(c)->msgs.v[i];
		cJSON *j = ch_msg_json(m);
		cJSON_AddStringToObject(j, "origin", ORIGINS[m->origin]);
		if (m->idempotency_key)
			cJSON_AddStringToObject(j, "idempotencyKey", m->idempotency_key);
		cJSON_AddItemToArray(msgs, j);
	}
	cJSON_AddBoolToObject(o, "botMaySpeak", ch_bot_may_speak(chat_of(c)));
	sim_ctl_reply(c, 200, o);
}

/* GET /_sim/directory: the workspace id, the responders (bot, squad,
 * human) and the channel of each type, for a test or a bridge's settings. */
static void directory(struct sim_ctl *c)
{
	const struct ch_store *s = &ch_of(c)->store;
	cJSON *o = cJSON_CreateObject(), *r, *ch;

	cJSON_AddStringToObject(o, "workspaceId", s->workspace_id);
	r = cJSON_AddObjectToObject(o, "responders");
	for (size_t i = 0; i < CH_NIDENTS; i++)
		cJSON_AddItemToObject(r, NAMES[i], ch_identity_json(&s->idents[i]));
	ch = cJSON_AddObjectToObject(o, "channels");
	for (size_t i = 0; i < CH_NCHANNELS; i++)
		cJSON_AddStringToObject(ch, CH_CHANNEL_TYPES[i], s->channels[i].id);
	sim_ctl_reply(c, 200, o);
}

/* POST /_sim/seed {chats, messages?}: that many chats, each with that many
 * messages (customer and bot in turn), for backfills. */
static void seed(struct sim_ctl *c)
{
	const cJSON *nc = cJSON_GetObjectItemCaseSensitive(c->body, "chats");
	const cJSON *nm = cJSON_GetObjectItemCaseSensitive(c->body, "messages");
	long chats = cJSON_IsNumber(nc) ? (long)nc->valuedouble : -1;
	long msgs = cJSON_IsNumber(nm) ? (long)nm->valuedouble : 1;
	struct ch_sim *sim = ch_of(c);
	bool saved = sim->bot_auto;
	char text[64];

	if (chats < 0 || chats > 1000000 || msgs < 1 || msgs > 1000) {
		sim_ctl_fail(c, 400, "chats: 0..1000000 and messages: 1..1000 are required");
		return;
	}
	sim->bot_auto = false;
	for (long i = 0; i < chats; i++) {
		struct ch_msg *m;
		snprintf(text, sizeof text, "seeded chat %ld", i + 1);
		struct ch_chat *chat = ch_customer_start(
			sim, "Seeded Customer", &sim->store.channels[i % CH_NCHANNELS], NULL, text, &m);
		for (long k = 1; chat && k < msgs; k++) {
			snprintf(text, sizeof text, "seeded message %ld", k + 1);
			if (k % 2)
				ch_bot_say(sim, chat, text);
			else
				ch_customer_say(sim, chat, text);
		}
	}
	sim->bot_auto = saved;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "chats", (double)chats);
	sim_ctl_reply(c, 200, o);
}

/* POST /_sim/config {botAuto?, pageSize?, order?} */
static void config(struct sim_ctl *c)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(c->body, "order");

	if (!sim_ctl_config_ok(c, "pageSize", CH_PAGE_SIZE_MAX) ||
	    (o && (!cJSON_IsString(o) || (strcmp(o->valuestring, "oldest") != 0 &&
					  strcmp(o->valuestring, "newest") != 0)))) {
		sim_ctl_fail(c, 400, "botAuto: a boolean; pageSize: 1..100; order: oldest or newest");
		return;
	}
	sim_ctl_config_set(c, "pageSize", &ch_of(c)->bot_auto, &ch_of(c)->page_size);
	if (o)
		ch_of(c)->newest_first = strcmp(o->valuestring, "newest") == 0;
	sim_ctl_reply(c, 200, NULL);
}

const struct sim_route CH_CONTROL_ROUTES[] = {
	{"POST", "/chats", start},
	{"GET", "/chats/*", show},
	{"POST", "/chats/*/customer", customer},
	{"POST", "/chats/*/bot", bot},
	{"POST", "/chats/*/escalate", escalate},
	{"POST", "/chats/*/platform", platform},
	{"GET", "/directory", directory},
	{"POST", "/seed", seed},
	{"POST", "/config", config},
	{NULL, NULL, NULL},
};

void *ch_control_find(void *state, const char *id)
{
	struct ch_sim *sim = state;

	return ch_chat_find(&sim->store, id);
}
