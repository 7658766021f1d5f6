/*
 * bp_actors.c — the simulated customer and bot (see bp_actors.h).
 *
 * With bot_auto on (the demo), the bot answers every customer message, and
 * a customer who asks for a "human" or an "agent" gets escalated: what a
 * Botpress bot with a handoff flow does.
 */
#include "bp_actors.h"
#include "sim_demo.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

struct bp_conv *bp_customer_start(struct bp_sim *sim, const char *name, const char *channel,
				  const char *integration, const char *text,
				  struct bp_msg **first)
{
	struct bp_user *u = bp_user_new(&sim->store, name, NULL, NULL);
	struct bp_conv *c;

	if (!u || !(c = bp_conv_new(&sim->store, channel, integration, NULL)))
		return NULL;
	snprintf(c->customer_id, sizeof c->customer_id, "%s", u->r.id);
	*first = bp_customer_say(sim, c, text);
	return *first ? c : NULL;
}

struct bp_msg *bp_customer_say(struct bp_sim *sim, struct bp_conv *c, const char *text)
{
	struct bp_msg *m = bp_msg_text(&sim->store, c, c->customer_id, text, BP_ORIGIN_CUSTOMER);

	if (!m || !sim->bot_auto || !bp_bot_may_speak(c))
		return m;
	if (sim_asks_for_human(text)) {
		bp_bot_say(sim, c, "Let me connect you with a human agent.");
		bp_bot_escalate(sim, c);
	} else {
		char reply[160];
		snprintf(reply, sizeof reply, "Thanks! I am the bot; message %zu noted.",
			 c->msgs.n);
		bp_bot_say(sim, c, reply);
	}
	return m;
}

bool bp_bot_may_speak(const struct bp_conv *c)
{
	const char *h = bp_conv_handoff(c);
	return h[0] == '\0' || strcmp(h, "bot") == 0;
}

struct bp_msg *bp_bot_say(struct bp_sim *sim, struct bp_conv *c, const char *text)
{
	if (!bp_bot_may_speak(c))
		return NULL;
	return bp_msg_text(&sim->store, c, sim->store.bot_id, text, BP_ORIGIN_BOT);
}

void bp_bot_escalate(struct bp_sim *sim, struct bp_conv *c)
{
	cJSON *t = cJSON_CreateObject();

	if (t && cJSON_AddStringToObject(t, BP_HANDOFF_TAG, "requested")) {
		bp_tags_merge(c->r.tags, t);
		bp_conv_touched(&sim->store, c);
	}
	cJSON_Delete(t);
}
