/*
 * bp_actors.h — the simulator plays the customer and the bot.
 *
 * The bot respects the handoff tag (BP_HANDOFF_TAG): it speaks only while
 * the tag is unset, empty or "bot"; "requested" (it escalated) and "human"
 * (an agent holds the conversation) keep it silent.
 */
#ifndef HANDOFF_SIM_BP_ACTORS_H
#define HANDOFF_SIM_BP_ACTORS_H

#include <stdbool.h>

#include "bp_sim.h"

/* A new customer (a user named `name`) opens a conversation on `channel`
 * of `integration` with a first message. NULL when out of memory. */
struct bp_conv *bp_customer_start(struct bp_sim *sim, const char *name, const char *channel,
				  const char *integration, const char *text,
				  struct bp_msg **first);

/* The conversation's customer writes; with bot_auto on the bot answers. */
struct bp_msg *bp_customer_say(struct bp_sim *sim, struct bp_conv *c, const char *text);

bool bp_bot_may_speak(const struct bp_conv *c);

/* The bot writes; NULL when it must stay silent (or out of memory). */
struct bp_msg *bp_bot_say(struct bp_sim *sim, struct bp_conv *c, const char *text);

/* The bot hands the conversation to a human: handoff tag "requested". */
void bp_bot_escalate(struct bp_sim *sim, struct bp_conv *c);

#endif
