/*
 * ch_actors.c — the simulated customer and bot (see ch_actors.h).
 *
 * With bot_auto on (the demo), the bot answers every customer message, and
 * a customer who asks for a "human" or an "agent" gets a ticket: what an AI
 * agent with a handoff tool does on the platform.
 */
#include "ch_actors.h"
#include "sim_demo.h"

#include <stdio.h>
#include <string.h>

struct ch_chat *ch_customer_start(struct ch_sim *sim, const char *name,
				  struct ch_channel *channel, const char *title,
				  const char *text, struct ch_msg **first)
{
	struct ch_owner *o = ch_owner_new(&sim->store, name);
	struct ch_chat *c;

	if (!o || !(c = ch_chat_new(&sim->store, channel, o, &sim->store.idents[CH_BOT], title)))
		return NULL;
	*first = ch_customer_say(sim, c, text);
	return *first ? c : NULL;
}

struct ch_msg *ch_customer_say(struct ch_sim *sim, struct ch_chat *c, const char *text)
{
	struct ch_msg *m = ch_msg_new(&sim->store, c, CH_ROLE_USER, text, CH_ORIGIN_CUSTOMER, NULL);

	if (!m || !sim->bot_auto || !ch_bot_may_speak(c))
		return m;
	if (sim_asks_for_human(text)) {
		ch_bot_say(sim, c, "Let me connect you with a human agent.");
		ch_bot_escalate(sim, c);
	} else {
		char reply[160];
		snprintf(reply, sizeof reply, "Thanks! I am the bot; message %zu noted.",
			 c->msgs.n);
		ch_bot_say(sim, c, reply);
	}
	return m;
}

bool ch_bot_may_speak(const struct ch_chat *c)
{
	const char *t = c->ticket_status;

	return !c->removed && !c->owner->blocked && c->responder && c->responder->ai &&
	       (!t || strcmp(t, "closed") == 0);
}

struct ch_msg *ch_bot_say(struct ch_sim *sim, struct ch_chat *c, const char *text)
{
	if (!ch_bot_may_speak(c))
		return NULL;
	return ch_msg_new(&sim->store, c, CH_ROLE_ASSISTANT, text, CH_ORIGIN_BOT, NULL);
}

void ch_bot_escalate(struct ch_sim *sim, struct ch_chat *c)
{
	ch_ticket_open(&sim->store, c);
}
