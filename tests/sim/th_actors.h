/*
 * th_actors.h — the simulator plays the customer, the chatbot's AI and the
 * platform's system notices, and pushes every message to its thread's
 * webhook.
 *
 * The AI answers only while the thread's mode is AI: mode AGENT is the
 * doc's "a human holds it", and keeps it silent. isEscalated does not
 * silence it (doc/simulators.md says why).
 */
#ifndef HANDOFF_SIM_TH_ACTORS_H
#define HANDOFF_SIM_TH_ACTORS_H

#include <stdbool.h>

#include "th_sim.h"

/* A new customer (a chat user named `name`, email may be NULL) starts a
 * thread in AI mode with a first message. NULL when out of memory. */
struct th_thread *th_customer_start(struct th_sim *sim, const char *name, const char *email,
				    const char *text, struct th_msg **first);

/* The customer writes (origin CUSTOMER), or a client of the API writes as
 * the user (origin API): a NORMAL_MESSAGE in AI mode — answered at once
 * with bot_auto on — a USER_MESSAGE in AGENT mode. Reopens an ended thread. */
struct th_msg *th_user_say(struct th_sim *sim, struct th_thread *t, const char *text,
			   enum th_origin origin);

bool th_ai_may_speak(const struct th_thread *t);

/* The AI answers the pending question, or writes a message of its own when
 * none is pending; `sources` (array of strings, may be NULL) is copied.
 * NULL when it must stay silent (or out of memory). */
struct th_msg *th_ai_say(struct th_sim *sim, struct th_thread *t, const char *text,
			 const cJSON *sources);

/* An agent's answer through the API. */
struct th_msg *th_agent_say(struct th_sim *sim, struct th_thread *t, const char *text,
			    const char *agent_name, const char *icon_url);

/* A SYSTEM_MESSAGE of that type; text NULL: a default sentence. */
struct th_msg *th_system(struct th_sim *sim, struct th_thread *t, enum th_sys_type type,
			 const char *text);

/* The thread is escalated: isEscalated set, and the CONVERSATION_ESCALATED
 * system message (its text the prompt, when given). */
struct th_msg *th_escalate(struct th_sim *sim, struct th_thread *t, const char *prompt);

/* Push the message to its thread's webhook (created: first push of it;
 * else an update: its answer or reaction changed). */
void th_push(struct th_sim *sim, const struct th_msg *m, bool created);

#endif
