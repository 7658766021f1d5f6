/*
 * ag_actors.c — the simulated agent and customers (see ag_actors.h).
 */
#include "ag_actors.h"
#include "sim_demo.h"

#include <stdio.h>
#include <string.h>

bool ag_bot_may_speak(const struct ag_conv *c)
{
	return c->state == AG_STATE_AI;
}

struct ag_msg *ag_ai_answer(struct ag_sim *ag, struct ag_conv *c, struct ag_msg *m)
{
	char text[AG_ID_MAX + 96];

	if (!ag_bot_may_speak(c))
		return NULL;
	if (sim_asks_for_human(m->text)) {
		m->reply = ag_msg_new(&ag->store, c, AG_ORIGIN_AI, AG_HANDOFF_TEXT, NULL);
		m->escalated = true;
		ag_escalate(ag, c);
		return m->reply;
	}
	snprintf(text, sizeof text, "Thanks! I am %.*s; message %zu noted.", AG_ID_MAX,
		 c->agent->name, c->msgs.n);
	m->reply = ag_msg_new(&ag->store, c, AG_ORIGIN_AI, text, NULL);
	return m->reply;
}

struct ag_msg *ag_bot_say(struct ag_sim *ag, struct ag_conv *c, const char *text)
{
	if (!ag_bot_may_speak(c))
		return NULL;
	return ag_msg_new(&ag->store, c, AG_ORIGIN_BOT, text, NULL);
}

void ag_escalate(struct ag_sim *ag, struct ag_conv *c)
{
	ag_conv_set_state(&ag->store, c, AG_STATE_ESCALATED, "ai");
}

struct ag_conv *ag_customer_start(struct ag_sim *ag, struct ag_agent *a, const char *name,
				  const char *text, struct ag_msg **first)
{
	struct ag_conv *c = ag_conv_new(&ag->store, a, NULL);

	if (!c)
		return NULL;
	cJSON_AddStringToObject(c->user, "name", name);
	*first = ag_customer_say(ag, c, text);
	return *first ? c : NULL;
}

struct ag_msg *ag_customer_say(struct ag_sim *ag, struct ag_conv *c, const char *text)
{
	struct ag_msg *m = ag_msg_new(&ag->store, c, AG_ORIGIN_CUSTOMER, text, NULL);

	if (m && ag->bot_auto)
		ag_ai_answer(ag, c, m);
	return m;
}
