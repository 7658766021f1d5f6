/*
 * cv_actors.h — the simulator plays the customer (the doc's USER) and the
 * bot (the LLM app, sender BOT).
 *
 * The bot speaks only while the conversation's state is "no" and it has
 * not been stopped: "waiting" (it escalated), "in_progress" (an agent
 * holds it) and "resolved" keep it silent.
 */
#ifndef HANDOFF_SIM_CV_ACTORS_H
#define HANDOFF_SIM_CV_ACTORS_H

#include <stdbool.h>

#include "cv_sim.h"

/* A new customer opens a conversation with a first chat; NULL when out of
 * memory. */
struct cv_conv *cv_customer_start(struct cv_sim *sim, const char *first_name,
				  const char *last_name, const char *text, int64_t at,
				  struct cv_chat **first);

/* The customer writes; with bot_auto on the bot answers (and escalates a
 * customer who asks for a "human" or an "agent"). */
struct cv_chat *cv_customer_say(struct cv_sim *sim, struct cv_conv *c, const char *text);

bool cv_bot_may_speak(const struct cv_conv *c);

/* The bot writes; NULL when it must stay silent (or out of memory). */
struct cv_chat *cv_bot_say(struct cv_sim *sim, struct cv_conv *c, const char *text);

/* The bot hands the conversation to a human: state "waiting". */
void cv_bot_escalate(struct cv_conv *c);

#endif
