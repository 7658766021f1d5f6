/*
 * cv_actors.c — the simulated customer and bot (see cv_actors.h).
 */
#include "cv_actors.h"
#include "sim_demo.h"

#include <stdio.h>
#include <string.h>

/* With bot_auto on, the bot answers the customer's chat `ch`. */
static void bot_react(struct cv_sim *sim, struct cv_conv *c, const struct cv_chat *ch)
{
	if (!sim->bot_auto || !cv_bot_may_speak(c))
		return;
	if (sim_asks_for_human(ch->message)) {
		cv_bot_say(sim, c, "Let me connect you with a human agent.");
		cv_bot_escalate(c);
	} else {
		char reply[160];
		snprintf(reply, sizeof reply, "Thanks! I am the assistant; chat %zu noted.",
			 c->chats.n);
		cv_bot_say(sim, c, reply);
	}
}

struct cv_conv *cv_customer_start(struct cv_sim *sim, const char *first_name,
				  const char *last_name, const char *text, int64_t at,
				  struct cv_chat **first)
{
	struct cv_conv *c = cv_conv_new(&sim->store, first_name, last_name, at);

	if (!c || !(*first = cv_chat_add(&sim->store, c, CV_SENDER_USER, text, NULL, at)))
		return NULL;
	bot_react(sim, c, *first);
	return c;
}

struct cv_chat *cv_customer_say(struct cv_sim *sim, struct cv_conv *c, const char *text)
{
	struct cv_chat *ch = cv_chat_add(&sim->store, c, CV_SENDER_USER, text, NULL, 0);

	if (ch)
		bot_react(sim, c, ch);
	return ch;
}

bool cv_bot_may_speak(const struct cv_conv *c)
{
	return !c->is_end && c->state == CV_STATES[0];
}

struct cv_chat *cv_bot_say(struct cv_sim *sim, struct cv_conv *c, const char *text)
{
	if (!cv_bot_may_speak(c))
		return NULL;
	return cv_chat_add(&sim->store, c, CV_SENDER_BOT, text, NULL, 0);
}

void cv_bot_escalate(struct cv_conv *c)
{
	c->state = cv_state_lookup("waiting");
}
