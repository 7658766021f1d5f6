/*
 * handover.h — what a takeover or a handback decides, given the chat as
 * its transaction read it (locked): refused and why, nothing to do, or a
 * change of holder and the system message that tells the thread; and who
 * may reply. Both back ends (db_actions.c, pg/pg_actions.c,
 * pg/pg_chat_ops.c) decide with these, so their
 * errors and texts cannot drift apart; each then makes the change its own
 * way, conditioned on the holder read here.
 */
#ifndef HANDOFF_HUB_HANDOVER_H
#define HANDOFF_HUB_HANDOVER_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "apierror.h"
#include "model.h"

/* Room for two names (NAME_MAX_CHARS, up to 4 bytes each) and the words. */
#define HANDOVER_TEXT_LEN (2 * 4 * NAME_MAX_CHARS + 64)

struct handover {
	bool change;           /* false: nothing changes, no event */
	enum system_type type; /* the system message's, when change */
	char text[HANDOVER_TEXT_LEN];
};

/* The agent holding the chat, or NULL. */
static inline const char *handover_holder(const struct chat *c)
{
	return c->responder.type == RESPONDER_AGENT && c->responder.id[0] ? c->responder.id : NULL;
}

/* 409 naming the holder, by name when the chat's read gave one. */
static inline bool handover_held_by(const struct chat *c, struct api_error *err)
{
	return api_error_set(err, API_CONFLICT, "chat is held by agent %s",
			     c->responder.name ? c->responder.name : c->responder.id);
}

/* A forced takeover is a supervisor's; checked before any chat is read. */
static inline bool handover_force_allowed(const struct agent *me, bool force,
					  struct api_error *err)
{
	return !force || me->role == ACCOUNT_SUPERVISOR ||
	       api_error_set(err, API_FORBIDDEN, "only a supervisor may force a takeover");
}

/* `me` takes chat c (force: from another agent). */
static inline bool handover_takeover(const struct chat *c, const struct agent *me, bool force,
				     struct handover *h, struct api_error *err)
{
	const char *holder = handover_holder(c);

	*h = (struct handover){.type = SYSTEM_TYPE_AGENT_JOINED};
	if (c->state == CHAT_STATE_STOPPED)
		return api_error_set(err, API_CONFLICT, "chat is stopped");
	if (holder && strcmp(holder, me->id) == 0)
		return true; /* already mine */
	if (holder && !force)
		return handover_held_by(c, err);
	h->change = true;
	if (holder) {
		h->type = SYSTEM_TYPE_CHAT_REASSIGNED;
		snprintf(h->text, sizeof h->text, "%s took over the chat from %s", me->name,
			 c->responder.name ? c->responder.name : holder);
	} else {
		snprintf(h->text, sizeof h->text, "%s joined the conversation", me->name);
	}
	return true;
}

/* `me` gives chat c back to the bot: the holder, or a supervisor. */
static inline bool handover_handback(const struct chat *c, const struct agent *me,
				     struct handover *h, struct api_error *err)
{
	const char *holder = handover_holder(c);

	*h = (struct handover){.change = true, .type = SYSTEM_TYPE_AGENT_LEFT};
	if (c->state == CHAT_STATE_STOPPED)
		return api_error_set(err, API_CONFLICT, "chat is stopped");
	if (!holder)
		return api_error_set(err, API_CONFLICT, "chat is not held by an agent");
	bool mine = strcmp(holder, me->id) == 0;
	if (!mine && me->role != ACCOUNT_SUPERVISOR)
		return handover_held_by(c, err);
	if (mine)
		snprintf(h->text, sizeof h->text, "%s left; the bot is back", me->name);
	else
		snprintf(h->text, sizeof h->text, "%s handed the chat back to the bot", me->name);
	return true;
}

/* A chat is assigned to an agent or a supervisor, never an ingest account;
 * `found` says whether agent_id named an account at all. Checked before
 * the chat is read: accounts are never deleted. */
static inline bool handover_assign_target(const struct agent *target, bool found,
					  const char *agent_id, struct api_error *err)
{
	if (!found)
		return api_error_set(err, API_RESOURCE_NOT_FOUND, "no agent with id %s", agent_id);
	return target->role != ACCOUNT_INGEST ||
	       api_error_set(err, API_INVALID_PAYLOAD, "agent_id: must be an agent or a supervisor");
}

/* `me` gives chat c to `target`. An agent may hand on a chat that is
 * theirs or nobody's; taking one from a colleague is a supervisor's call.
 * Already the target's: nothing changes, no event. */
static inline bool handover_assign(const struct chat *c, const struct agent *me,
				   const struct agent *target, struct handover *h,
				   struct api_error *err)
{
	const char *holder = handover_holder(c);

	*h = (struct handover){.type = SYSTEM_TYPE_CHAT_REASSIGNED};
	if (c->state == CHAT_STATE_STOPPED)
		return api_error_set(err, API_CONFLICT, "chat is stopped");
	if (holder && strcmp(holder, target->id) == 0)
		return true;
	if (holder && strcmp(holder, me->id) != 0 && me->role != ACCOUNT_SUPERVISOR)
		return handover_held_by(c, err);
	h->change = true;
	snprintf(h->text, sizeof h->text, "%s %s the chat to %s", me->name,
		 holder ? "reassigned" : "assigned", target->name);
	return true;
}

/* `me` stops chat c: the holder, anyone when nobody holds it, or a
 * supervisor. Stopping twice is harmless: no change, no event. */
static inline bool handover_stop(const struct chat *c, const struct agent *me,
				 struct handover *h, struct api_error *err)
{
	const char *holder = handover_holder(c);

	*h = (struct handover){.type = SYSTEM_TYPE_CONVERSATION_STOPPED};
	if (c->state == CHAT_STATE_STOPPED)
		return true;
	if (holder && strcmp(holder, me->id) != 0 && me->role != ACCOUNT_SUPERVISOR)
		return handover_held_by(c, err);
	h->change = true;
	snprintf(h->text, sizeof h->text, "%s stopped the conversation", me->name);
	return true;
}

/* A reply needs `me` to hold the chat; a note (not asked here) may be
 * written by any agent, on any chat, stopped ones included. */
static inline bool handover_may_reply(const struct chat *c, const struct agent *me,
				      struct api_error *err)
{
	if (c->state == CHAT_STATE_STOPPED)
		return api_error_set(err, API_CONFLICT, "chat is stopped");
	if (c->mode != CHAT_MODE_AGENT || c->responder.type != RESPONDER_AGENT)
		return api_error_set(err, API_CONFLICT, "take over the chat before replying");
	if (strcmp(c->responder.id, me->id) != 0)
		return handover_held_by(c, err);
	return true;
}

#endif
