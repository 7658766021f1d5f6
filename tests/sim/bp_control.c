/*
 * bp_control.c — /_sim/...: play the customer and the bot, read back what
 * the "agent" (the bridge) posted, set the fault switches and the webhook.
 *
 * Answers are JSON; errors are {"error": "<sentence>"} with 400 or 404.
 */
#include "bp_control.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bp_actors.h"
#include "bp_faults.h"
#include "jsonfield.h"

struct ctl {
	struct bp_sim *sim;
	const struct sim_req *req;
	struct sim_resp *resp;
	cJSON *body;            /* {} when the request has none */
	struct bp_conv *conv;   /* the {id} of /_sim/conversations/{id}/... */
};

static void reply(struct ctl *c, int status, cJSON *o)
{
	c->resp->status = status;
	c->resp->body = o ? cJSON_PrintUnformatted(o) : strdup("{}");
	cJSON_Delete(o);
}

static void fail(struct ctl *c, int status, const char *why)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "error", why);
	reply(c, status, o);
}

/* body[name] as a string, `def` when absent; NULL (answered) when required
 * and absent or of another type. */
static const char *str(struct ctl *c, const char *name, const char *def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->body, name);
	char why[96];

	if (cJSON_IsString(v) && v->valuestring[0])
		return v->valuestring;
	if (!v && def)
		return def;
	snprintf(why, sizeof why, "%s: a non-empty string is required", name);
	fail(c, 400, why);
	return NULL;
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
static void start(struct ctl *c)
{
	const char *text = str(c, "text", NULL), *name, *channel, *integration;
	struct bp_msg *m;
	struct bp_conv *conv;

	if (!text || !(name = str(c, "name", "Customer")) ||
	    !(channel = str(c, "channel", "channel")) ||
	    !(integration = str(c, "integration", "webchat")))
		return;
	conv = bp_customer_start(c->sim, name, channel, integration, text, &m);
	if (!conv)
		fail(c, 500, "out of memory");
	else
		reply(c, 200, ids(conv, m));
}

/* POST /_sim/conversations/{id}/customer {text} */
static void customer(struct ctl *c)
{
	const char *text = str(c, "text", NULL);
	struct bp_msg *m;

	if (!text)
		return;
	if (!c->conv->customer_id[0]) {
		fail(c, 400, "this conversation was made through the API: it has no customer");
		return;
	}
	m = bp_customer_say(c->sim, c->conv, text);
	reply(c, m ? 200 : 500, m ? ids(c->conv, m) : NULL);
}

/* POST /_sim/conversations/{id}/bot {text}: 409 {"silent": true} while the
 * handoff tag keeps the bot quiet. */
static void bot(struct ctl *c)
{
	const char *text = str(c, "text", NULL);
	struct bp_msg *m;

	if (!text)
		return;
	if (!bp_bot_may_speak(c->conv)) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddBoolToObject(o, "silent", 1);
		reply(c, 409, o);
		return;
	}
	m = bp_bot_say(c->sim, c->conv, text);
	reply(c, m ? 200 : 500, m ? ids(c->conv, m) : NULL);
}

/* POST /_sim/conversations/{id}/escalate {text?}: the bot says text (when
 * given) and sets the handoff tag to "requested". */
static void escalate(struct ctl *c)
{
	const char *text = str(c, "text", "");

	if (!text)
		return;
	if (text[0])
		bp_bot_say(c->sim, c->conv, text);
	bp_bot_escalate(c->sim, c->conv);
	reply(c, 200, ids(c->conv, NULL));
}

static const char *const ORIGINS[] = {
	[BP_ORIGIN_CUSTOMER] = "customer", [BP_ORIGIN_BOT] = "bot", [BP_ORIGIN_API] = "api",
};

/* GET /_sim/conversations/{id}: the conversation, its messages oldest first
 * with who wrote them ("origin": customer, bot, or api — the bridge), and
 * its states. */
static void show(struct ctl *c)
{
	cJSON *o = cJSON_CreateObject(), *msgs, *states;
	const struct bp_store *s = &c->sim->store;

	cJSON_AddItemToObject(o, "conversation", bp_conv_json(c->conv));
	msgs = cJSON_AddArrayToObject(o, "messages");
	for (size_t i = 0; i < c->conv->msgs.n; i++) {
		const struct bp_msg *m = c->conv->msgs.v[i];
		cJSON *j = bp_msg_json(m);
		cJSON_AddStringToObject(j, "origin", ORIGINS[m->origin]);
		cJSON_AddItemToArray(msgs, j);
	}
	states = cJSON_AddArrayToObject(o, "states");
	for (size_t i = 0; i < s->states.n; i++) {
		const struct bp_state *st = s->states.v[i];
		if (strcmp(st->type, "conversation") == 0 && strcmp(st->owner_id, c->conv->r.id) == 0)
			cJSON_AddItemToArray(states, bp_state_json(s, st));
	}
	cJSON_AddBoolToObject(o, "botMaySpeak", bp_bot_may_speak(c->conv));
	reply(c, 200, o);
}

/* POST /_sim/seed {conversations, messages}: that many conversations, each
 * with that many messages (customer and bot in turn), for backfills. */
static void seed(struct ctl *c)
{
	const cJSON *nc = cJSON_GetObjectItemCaseSensitive(c->body, "conversations");
	const cJSON *nm = cJSON_GetObjectItemCaseSensitive(c->body, "messages");
	long convs = cJSON_IsNumber(nc) ? (long)nc->valuedouble : -1;
	long msgs = cJSON_IsNumber(nm) ? (long)nm->valuedouble : 1;
	bool saved = c->sim->bot_auto;
	char text[64];

	if (convs < 0 || convs > 1000000 || msgs < 1 || msgs > 1000) {
		fail(c, 400, "conversations: 0..1000000 and messages: 1..1000 are required");
		return;
	}
	c->sim->bot_auto = false;
	for (long i = 0; i < convs; i++) {
		struct bp_msg *m;
		snprintf(text, sizeof text, "seeded conversation %ld", i + 1);
		struct bp_conv *conv = bp_customer_start(c->sim, "Seeded Customer", "channel",
							 "webchat", text, &m);
		for (long k = 1; conv && k < msgs; k++) {
			snprintf(text, sizeof text, "seeded message %ld", k + 1);
			if (k % 2)
				bp_bot_say(c->sim, conv, text);
			else
				bp_customer_say(c->sim, conv, text);
		}
	}
	c->sim->bot_auto = saved;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "conversations", (double)convs);
	reply(c, 200, o);
}

/* POST /_sim/faults {switches...} sets; GET reads. {"reset": true} zeroes. */
static void faults(struct ctl *c)
{
	char why[128];

	if (strcmp(c->req->method, "POST") == 0) {
		struct bp_faults f = c->sim->faults;
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c->body, "reset"))) {
			memset(&f, 0, sizeof f);
			f.retry_after = 1;
			f.error_status = 500;
			f.page_insert = 1;
			cJSON_DeleteItemFromObjectCaseSensitive(c->body, "reset");
		}
		if (!bp_faults_set(&f, c->body, why, sizeof why)) {
			fail(c, 400, why);
			return;
		}
		c->sim->faults = f;
	}
	reply(c, 200, bp_faults_json(&c->sim->faults));
}

/* POST /_sim/webhook {url, secret}: url "" stops the deliveries. */
static void webhook(struct ctl *c)
{
	const char *url = str(c, "url", ""), *secret;

	if (!url || !(secret = str(c, "secret", url[0] ? NULL : "")))
		return;
	if (bp_webhook_configure(c->sim->webhook, url, secret) < 0)
		fail(c, 500, "out of memory");
	else
		reply(c, 200, NULL);
}

/* POST /_sim/config {botAuto?, pageSize?} */
static void config(struct ctl *c)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(c->body, "botAuto");
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(c->body, "pageSize");

	if ((a && !cJSON_IsBool(a)) ||
	    (p && (!cJSON_IsNumber(p) || p->valuedouble < 1 || p->valuedouble > 1000))) {
		fail(c, 400, "botAuto: a boolean; pageSize: 1..1000");
		return;
	}
	if (a)
		c->sim->bot_auto = cJSON_IsTrue(a);
	if (p)
		c->sim->store.page_size = (size_t)p->valuedouble;
	reply(c, 200, NULL);
}

/* GET /_sim/stats */
static void stats(struct ctl *c)
{
	struct bp_webhook_stats w = bp_webhook_stats(c->sim->webhook);
	const struct bp_store *s = &c->sim->store;
	cJSON *o = cJSON_CreateObject(), *wh;

	cJSON_AddNumberToObject(o, "apiRequests", (double)c->sim->api_requests);
	cJSON_AddNumberToObject(o, "conversations", (double)s->convs.n);
	cJSON_AddNumberToObject(o, "messages", (double)s->msgs.n);
	cJSON_AddNumberToObject(o, "events", (double)s->events.n);
	wh = cJSON_AddObjectToObject(o, "webhooks");
	cJSON_AddNumberToObject(wh, "sent", (double)w.sent);
	cJSON_AddNumberToObject(wh, "failed", (double)w.failed);
	cJSON_AddNumberToObject(wh, "pending", (double)w.pending);
	reply(c, 200, o);
}

static const struct {
	const char *method;
	const char *path;       /* after /_sim; "*" stands for a conversation id */
	void (*fn)(struct ctl *c);
} ROUTES[] = {
	{"POST", "/conversations", start},
	{"GET", "/conversations/*", show},
	{"POST", "/conversations/*/customer", customer},
	{"POST", "/conversations/*/bot", bot},
	{"POST", "/conversations/*/escalate", escalate},
	{"POST", "/seed", seed},
	{"GET", "/faults", faults},
	{"POST", "/faults", faults},
	{"POST", "/webhook", webhook},
	{"POST", "/config", config},
	{"GET", "/stats", stats},
};

/* Match `path` against `pat`; the conversation of a '*' goes in c->conv
 * (*missing set when the segment names none). */
static bool match(struct ctl *c, const char *pat, const char *path, bool *missing)
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
	char id[BP_ID_LEN];
	if (len >= sizeof id) {
		*missing = true;
		return true;
	}
	memcpy(id, path + pre, len);
	id[len] = '\0';
	c->conv = bp_conv_find(&c->sim->store, id);
	*missing = c->conv == NULL;
	return true;
}

void bp_control_handle(struct bp_sim *sim, const struct sim_req *req, struct sim_resp *resp)
{
	struct ctl c = {.sim = sim, .req = req, .resp = resp};
	const char *path = req->path + strlen("/_sim");

	c.body = req->body_len ? json_parse_text(req->body, req->body_len, NULL)
			       : cJSON_CreateObject();
	if (!cJSON_IsObject(c.body)) {
		fail(&c, 400, "the body must be a JSON object");
		cJSON_Delete(c.body);
		return;
	}
	for (size_t i = 0; i < sizeof ROUTES / sizeof ROUTES[0]; i++) {
		bool missing = false;
		if (strcmp(ROUTES[i].method, req->method) != 0 ||
		    !match(&c, ROUTES[i].path, path, &missing))
			continue;
		if (missing)
			fail(&c, 404, "no conversation with this id");
		else
			ROUTES[i].fn(&c);
		cJSON_Delete(c.body);
		return;
	}
	fail(&c, 404, "no such control path");
	cJSON_Delete(c.body);
}
