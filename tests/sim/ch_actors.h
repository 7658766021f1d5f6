/*
 * ch_actors.h — the simulator plays the customer (a chat's external owner)
 * and the bot (the AI responder).
 *
 * The bot speaks only while its chat's responder is an AI (the bot or its
 * squad) and no ticket of the chat is open or pending: an open ticket is
 * the escalation (a human is wanted), a human responder is the takeover
 * (a human holds the chat). A removed chat, or a blocked owner's, hears
 * nothing from the bot either.
 */
#ifndef HANDOFF_SIM_CH_ACTORS_H
#define HANDOFF_SIM_CH_ACTORS_H

#include <stdbool.h>

#include "ch_sim.h"

/* A new customer named `name` opens a chat on `channel`, answered by the
 * bot, with a first message. NULL when out of memory. */
struct ch_chat *ch_customer_start(struct ch_sim *sim, const char *name,
				  struct ch_channel *channel, const char *title,
				  const char *text, struct ch_msg **first);

/* The chat's owner writes; with bot_auto on the bot answers. */
struct ch_msg *ch_customer_say(struct ch_sim *sim, struct ch_chat *c, const char *text);

bool ch_bot_may_speak(const struct ch_chat *c);

/* The bot writes; NULL when it must stay silent (or out of memory). */
struct ch_msg *ch_bot_say(struct ch_sim *sim, struct ch_chat *c, const char *text);

/* The bot asks for a human: a ticket opens on the chat. */
void ch_bot_escalate(struct ch_sim *sim, struct ch_chat *c);

#endif
