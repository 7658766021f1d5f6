/*
 * ag_actors.h — the simulator plays the agent's brain and the customers of
 * the platform's own channel.
 *
 * The agent answers only while its conversation is in state "ai";
 * "escalated" (it asked for a human) and "human" (a human holds the
 * conversation) keep it silent. Its answers are deterministic so that
 * tests can expect them: a customer who asks for a "human" or an "agent"
 * gets AG_HANDOFF_TEXT and the conversation escalates; anyone else gets
 * "Thanks! I am <agent name>; message <n> noted.".
 */
#ifndef HANDOFF_SIM_AG_ACTORS_H
#define HANDOFF_SIM_AG_ACTORS_H

#include <stdbool.h>

#include "ag_sim.h"

#define AG_HANDOFF_TEXT "Let me connect you with a human agent."

bool ag_bot_may_speak(const struct ag_conv *c);

/* The agent answers the user message m (Chat Interact, or a customer of
 * its own channel with bot_auto on): NULL while it must stay silent. */
struct ag_msg *ag_ai_answer(struct ag_sim *ag, struct ag_conv *c, struct ag_msg *m);

/* The agent writes unprompted; NULL when it must stay silent. */
struct ag_msg *ag_bot_say(struct ag_sim *ag, struct ag_conv *c, const char *text);

/* The agent hands the conversation to a human: state "escalated". */
void ag_escalate(struct ag_sim *ag, struct ag_conv *c);

/* A customer of the platform's own channel, named `name`, opens a
 * conversation with agent a. NULL when out of memory. */
struct ag_conv *ag_customer_start(struct ag_sim *ag, struct ag_agent *a, const char *name,
				  const char *text, struct ag_msg **first);

/* The conversation's customer writes; with bot_auto on the agent answers. */
struct ag_msg *ag_customer_say(struct ag_sim *ag, struct ag_conv *c, const char *text);

#endif
