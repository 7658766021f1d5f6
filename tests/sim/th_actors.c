/*
 * th_actors.c — the simulated customer, AI and system notices (see
 * th_actors.h).
 *
 * With bot_auto on (the demo), the AI answers each question in AI mode, and
 * a customer who asks for a "human" or an "agent" gets escalated, as a
 * chatbot whose follow-up prompt triggers escalation does.
 */
#include "th_actors.h"
#include "sim_demo.h"

#include <stdio.h>
#include <string.h>

#include "timeutil.h"

static const char *const SYSTEM_TEXT[] = {
	[TH_SYS_CONVERSATION_ESCALATED] = "The conversation was escalated to a human agent.",
	[TH_SYS_EXCEEDED_USAGE_LIMITS] = "The chatbot has exceeded its usage limits.",
	[TH_SYS_EMAIL_VERIFIED] = "The email address was verified.",
	[TH_SYS_ENTERED_WRONG_OTP] = "A wrong one-time password was entered.",
	[TH_SYS_PROVIDED_EMAIL] = "The user provided an email address.",
	[TH_SYS_PERSONA_SELECTED] = "A persona was selected.",
	[TH_SYS_PROBLEMS_WITH_UPSTREAM_PROVIDER] = "The AI provider is having problems.",
};

void th_push(struct th_sim *sim, const struct th_msg *m, bool created)
{
	const struct th_thread *t = m->thread;
	cJSON *ev;

	if (!t->webhook_url || !(ev = cJSON_CreateObject()))
		return;
	cJSON_AddStringToObject(ev, "event", created ? "MESSAGE_CREATED" : "MESSAGE_UPDATED");
	cJSON_AddStringToObject(ev, "chatbotId", sim->store.chatbot_id);
	cJSON_AddStringToObject(ev, "threadId", t->id);
	cJSON_AddStringToObject(ev, "mode", TH_MODE_NAMES[t->mode]);
	cJSON_AddBoolToObject(ev, "isEscalated", t->escalated);
	cJSON_AddItemToObject(ev, "message", th_msg_json(&sim->store, m));
	sim_emit_to(sim->sim, t->webhook_url, t->webhook_token, ev);
	cJSON_Delete(ev);
}

struct th_thread *th_customer_start(struct th_sim *sim, const char *name, const char *email,
				    const char *text, struct th_msg **first)
{
	struct th_user *u = th_user_new(&sim->store, name, email, NULL);
	struct th_thread *t;

	/* The chatbot-wide webhook, when configured, is the new thread's. */
	if (!u || !(t = th_thread_new(&sim->store, TH_MODE_AI, u, sim_webhook_url(sim->sim->webhook),
				      sim_webhook_secret(sim->sim->webhook))))
		return NULL;
	*first = th_user_say(sim, t, text, TH_ORIGIN_CUSTOMER);
	return *first ? t : NULL;
}

bool th_ai_may_speak(const struct th_thread *t)
{
	return t->mode == TH_MODE_AI;
}

/* Fill the AI's answer into m. */
static bool ai_answer(struct th_msg *m, const char *text, const cJSON *sources)
{
	if (!th_msg_answer(m, text))
		return false;
	m->ai = true;
	if (sources) {
		cJSON_Delete(m->sources);
		m->sources = cJSON_Duplicate(sources, 1);
	}
	return m->sources != NULL;
}

struct th_msg *th_user_say(struct th_sim *sim, struct th_thread *t, const char *text,
			   enum th_origin origin)
{
	bool ai = th_ai_may_speak(t), human = false;
	struct th_msg *m = th_msg_new(&sim->store, t, ai ? TH_NORMAL_MESSAGE : TH_USER_MESSAGE,
				      text, NULL, origin);

	if (!m)
		return NULL;
	t->ended_ms = TS_NONE;
	if (ai && sim->bot_auto) {
		char reply[160];
		cJSON *src = cJSON_CreateArray();
		human = sim_asks_for_human(text);
		if (human)
			snprintf(reply, sizeof reply, "Let me connect you with a human agent.");
		else
			snprintf(reply, sizeof reply, "Thanks! I am the AI; message %zu noted.",
				 t->msgs.n);
		cJSON_AddItemToArray(src, cJSON_CreateString("https://example.com/help"));
		ai_answer(m, reply, human ? NULL : src);
		cJSON_Delete(src);
	}
	th_push(sim, m, true);
	if (human)
		th_escalate(sim, t, NULL);
	return m;
}

struct th_msg *th_ai_say(struct th_sim *sim, struct th_thread *t, const char *text,
			 const cJSON *sources)
{
	struct th_msg *m;

	if (!th_ai_may_speak(t))
		return NULL;
	if ((m = th_pending_question(t))) {
		if (!ai_answer(m, text, sources))
			return NULL;
		th_push(sim, m, false);
		return m;
	}
	if (!(m = th_msg_new(&sim->store, t, TH_NORMAL_MESSAGE, NULL, NULL, TH_ORIGIN_AI)) ||
	    !ai_answer(m, text, sources))
		return NULL;
	th_push(sim, m, true);
	return m;
}

struct th_msg *th_agent_say(struct th_sim *sim, struct th_thread *t, const char *text,
			    const char *agent_name, const char *icon_url)
{
	struct th_msg *m = th_msg_new(&sim->store, t, TH_AGENT_MESSAGE, NULL, text, TH_ORIGIN_API);

	if (!m || !th_set_str(&m->agent_name, agent_name, true) ||
	    !th_set_str(&m->icon_url, icon_url, true))
		return NULL;
	th_push(sim, m, true);
	return m;
}

struct th_msg *th_system(struct th_sim *sim, struct th_thread *t, enum th_sys_type type,
			 const char *text)
{
	struct th_msg *m = th_msg_new(&sim->store, t, TH_SYSTEM_MESSAGE, NULL,
				      text ? text : SYSTEM_TEXT[type], TH_ORIGIN_SYSTEM);

	if (!m)
		return NULL;
	m->sys_type = type;
	m->escalated = type == TH_SYS_CONVERSATION_ESCALATED;
	th_push(sim, m, true);
	return m;
}

struct th_msg *th_escalate(struct th_sim *sim, struct th_thread *t, const char *prompt)
{
	t->escalated = true;
	return th_system(sim, t, TH_SYS_CONVERSATION_ESCALATED, prompt && *prompt ? prompt : NULL);
}
