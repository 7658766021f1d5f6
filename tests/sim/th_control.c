/*
 * th_control.c — the chatbot threads simulator's /_sim/ routes: play the
 * customer, the AI and the platform's notices, read back what the agent
 * side (the bridge) posted, seed, and its settings. The common routes and
 * the dispatch are sim_control.c's; the "*" of a route is a thread id,
 * found by th_control_find.
 */
#include "th_control.h"

#include <stdio.h>
#include <string.h>

#include "sim_control.h"
#include "th_actors.h"
#include "timeutil.h"

static struct th_sim *th_of(struct sim_ctl *c)
{
	return c->state;
}

/* The {id} of /_sim/threads/{id}/... */
static struct th_thread *thread_of(struct sim_ctl *c)
{
	return c->item;
}

/* Answer {threadId, chatUserId, messageId?}, or 500 when m is NULL and
 * `need_msg`. */
static void reply_ids(struct sim_ctl *c, const struct th_thread *t, const struct th_msg *m,
		      bool need_msg)
{
	cJSON *o;

	if (need_msg && !m) {
		sim_ctl_fail(c, 500, "out of memory");
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "threadId", t->id);
	if (t->user)
		cJSON_AddStringToObject(o, "chatUserId", t->user->id);
	if (m)
		cJSON_AddStringToObject(o, "messageId", m->id);
	sim_ctl_reply(c, 200, o);
}

/* POST /_sim/threads {text, name?, email?} */
static void start(struct sim_ctl *c)
{
	const char *text = sim_ctl_str(c, "text", NULL), *name, *email;
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(c->body, "email");
	struct th_msg *m = NULL;
	struct th_thread *t;

	if (!text || !(name = sim_ctl_str(c, "name", "Customer")) ||
	    !(email = e ? sim_ctl_str(c, "email", NULL) : ""))
		return;
	t = th_customer_start(th_of(c), name, *email ? email : NULL, text, &m);
	if (!t)
		sim_ctl_fail(c, 500, "out of memory");
	else
		reply_ids(c, t, m, true);
}

/* POST /_sim/threads/{id}/customer {text} */
static void customer(struct sim_ctl *c)
{
	const char *text = sim_ctl_str(c, "text", NULL);

	if (text)
		reply_ids(c, thread_of(c),
			  th_user_say(th_of(c), thread_of(c), text, TH_ORIGIN_CUSTOMER), true);
}

/* 409 {"silent": true}: the AI may not speak (mode AGENT). */
static bool silent(struct sim_ctl *c)
{
	if (th_ai_may_speak(thread_of(c)))
		return false;
	sim_ctl_silent(c);
	return true;
}

/* POST /_sim/threads/{id}/bot {text, sources?}: the AI: answers the pending
 * question, or writes on its own; 409 {"silent": true} in AGENT mode. */
static void ai(struct sim_ctl *c)
{
	const char *text = sim_ctl_str(c, "text", NULL);
	const cJSON *src = cJSON_GetObjectItemCaseSensitive(c->body, "sources"), *it;

	if (!text)
		return;
	cJSON_ArrayForEach(it, src) {
		if (!cJSON_IsString(it))
			break;
	}
	if (src && (!cJSON_IsArray(src) || it)) {
		sim_ctl_fail(c, 400, "sources: an array of strings");
		return;
	}
	if (!silent(c))
		reply_ids(c, thread_of(c), th_ai_say(th_of(c), thread_of(c), text, src), true);
}

/* POST /_sim/threads/{id}/escalate {text?}: the AI answers text (when
 * given and it may speak), then the thread is escalated. */
static void escalate(struct sim_ctl *c)
{
	const char *text = sim_ctl_str(c, "text", "");
	struct th_msg *m;

	if (!text)
		return;
	if (text[0])
		th_ai_say(th_of(c), thread_of(c), text, NULL);
	m = th_escalate(th_of(c), thread_of(c), NULL);
	reply_ids(c, thread_of(c), m, true);
}

/* POST /_sim/threads/{id}/system {type, text?}: a SYSTEM_MESSAGE of any
 * of the doc's types (CONVERSATION_ESCALATED also sets isEscalated). */
static void sys(struct sim_ctl *c)
{
	const char *type = sim_ctl_str(c, "type", NULL), *text = sim_ctl_str(c, "text", "");
	int k;

	if (!type || !text)
		return;
	if ((k = th_enum_find(TH_SYS_TYPE_NAMES, TH_SYS_COUNT, type)) < 0) {
		sim_ctl_fail(c, 400, "type: one of the doc's systemMessageType values");
		return;
	}
	if (k == TH_SYS_CONVERSATION_ESCALATED)
		thread_of(c)->escalated = true;
	reply_ids(c, thread_of(c),
		  th_system(th_of(c), thread_of(c), (enum th_sys_type)k, text[0] ? text : NULL),
		  true);
}

/* POST /_sim/threads/{id}/reaction {messageId, reaction}: the customer
 * reacts to a message; pushed again as an update. */
static void reaction(struct sim_ctl *c)
{
	const char *id = sim_ctl_str(c, "messageId", NULL), *r = sim_ctl_str(c, "reaction", NULL);
	struct th_msg *m;
	int k;

	if (!id || !r)
		return;
	m = th_msg_find(&th_of(c)->store, id);
	if (!m || m->thread != thread_of(c)) {
		sim_ctl_fail(c, 404, "no message with this id in this thread");
		return;
	}
	if ((k = th_enum_find(TH_REACTION_NAMES, TH_REACTION_COUNT, r)) < 0) {
		sim_ctl_fail(c, 400, "reaction: POSITIVE, NEGATIVE or NEUTRAL");
		return;
	}
	m->reaction = (enum th_reaction)k;
	th_push(th_of(c), m, false);
	reply_ids(c, thread_of(c), m, true);
}

/* POST /_sim/threads/{id}/end: the customer leaves; endedAt is set. */
static void end(struct sim_ctl *c)
{
	thread_of(c)->ended_ms = thread_of(c)->updated_ms = ts_now();
	reply_ids(c, thread_of(c), NULL, false);
}

/* GET /_sim/threads/{id}: {thread, messages, botMaySpeak}: the thread as
 * Fetch Thread gives it (with its chat user) and its messages oldest first,
 * each with its "origin" (customer, ai, system, or api: posted through the
 * API — the agent's replies, to count them exactly once). */
static void show(struct sim_ctl *c)
{
	const struct th_store *s = &th_of(c)->store;
	const struct th_thread *t = thread_of(c);
	cJSON *o = cJSON_CreateObject(), *msgs;

	cJSON_AddItemToObject(o, "thread", th_thread_json(s, t, true, true));
	msgs = cJSON_AddArrayToObject(o, "messages");
	for (size_t i = 0; i < t->msgs.n; i++) {
		const struct th_msg *m = t->msgs.v[i];
		cJSON *j = th_msg_json(s, m);
		cJSON_AddStringToObject(j, "origin", TH_ORIGIN_NAMES[m->origin]);
		cJSON_AddItemToArray(msgs, j);
	}
	cJSON_AddBoolToObject(o, "botMaySpeak", th_ai_may_speak(t));
	sim_ctl_reply(c, 200, o);
}

/* POST /_sim/seed {threads, messages?}: that many threads, each with that
 * many messages (answered questions), for backfills. */
static void seed(struct sim_ctl *c)
{
	const cJSON *nt = cJSON_GetObjectItemCaseSensitive(c->body, "threads");
	const cJSON *nm = cJSON_GetObjectItemCaseSensitive(c->body, "messages");
	long threads = cJSON_IsNumber(nt) ? (long)nt->valuedouble : -1;
	long msgs = nm ? (cJSON_IsNumber(nm) ? (long)nm->valuedouble : -1) : 1;
	bool saved = th_of(c)->bot_auto;
	char text[64];

	if (threads < 0 || threads > 1000000 || msgs < 1 || msgs > 1000) {
		sim_ctl_fail(c, 400, "threads: 0..1000000 and messages: 1..1000 are required");
		return;
	}
	th_of(c)->bot_auto = false;
	for (long i = 0; i < threads; i++) {
		struct th_msg *m;
		snprintf(text, sizeof text, "seeded thread %ld", i + 1);
		struct th_thread *t = th_customer_start(th_of(c), "Seeded Customer", NULL, text, &m);
		for (long k = 0; t && k < msgs; k++) {
			if (k > 0) {
				snprintf(text, sizeof text, "seeded question %ld", k + 1);
				th_user_say(th_of(c), t, text, TH_ORIGIN_CUSTOMER);
			}
			snprintf(text, sizeof text, "seeded answer %ld", k + 1);
			th_ai_say(th_of(c), t, text, NULL);
		}
	}
	th_of(c)->bot_auto = saved;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "threads", (double)threads);
	sim_ctl_reply(c, 200, o);
}

/* POST /_sim/config {botAuto?, pageSize?, webhookHeader?} */
static void config(struct sim_ctl *c)
{
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(c->body, "webhookHeader");

	if (!sim_ctl_config_ok(c, "pageSize", TH_PAGE_MAX) ||
	    (h && (!cJSON_IsString(h) || !h->valuestring[0] || strpbrk(h->valuestring, ": \r\n")))) {
		sim_ctl_fail(c, 400, "botAuto: a boolean; pageSize: 1..100; webhookHeader: a "
				     "header name");
		return;
	}
	if (h && sim_webhook_set_header(c->sim->webhook, h->valuestring) < 0) {
		sim_ctl_fail(c, 500, "out of memory");
		return;
	}
	sim_ctl_config_set(c, "pageSize", &th_of(c)->bot_auto, &th_of(c)->store.page_size);
	sim_ctl_reply(c, 200, NULL);
}

const struct sim_route TH_CONTROL_ROUTES[] = {
	{"POST", "/threads", start},
	{"GET", "/threads/*", show},
	{"POST", "/threads/*/customer", customer},
	{"POST", "/threads/*/bot", ai},
	{"POST", "/threads/*/escalate", escalate},
	{"POST", "/threads/*/system", sys},
	{"POST", "/threads/*/reaction", reaction},
	{"POST", "/threads/*/end", end},
	{"POST", "/seed", seed},
	{"POST", "/config", config},
	{NULL, NULL, NULL},
};

void *th_control_find(void *state, const char *id)
{
	struct th_sim *th = state;

	return th_thread_find(&th->store, id);
}
