/*
 * db_actions.c — who holds a chat: takeover, handback, assign and stop (see
 * db.h).
 *
 * Each action reads the chat, decides, then changes the holder with an
 * UPDATE conditioned on the holder it read (`responder_id IS ?`) and checks
 * that exactly one row changed. Writers are serialised by BEGIN IMMEDIATE,
 * so the condition always holds; it is there so that the database, not a
 * read in C, is what the decision finally rests on.
 */
#include <string.h>

#include "db_internal.h"
#include "handover.h"

struct action {
	const struct agent *me;
	bool force;
	bool offered;        /* accept (v1.1): the takeover needs the agent's open offer */
	struct agent target; /* assign */
};

/* Run a holder-changing UPDATE (chat id, then the holder it expects, are its
 * last two parameters) and insist that it won. */
static bool change_holder(struct db *db, const char *sql, const char *new_holder,
			  const struct chat *c, struct api_error *err)
{
	int changes = 0;
	bool ok = new_holder ? db_run(db, sql,
				      ARGS(ARG_T(new_holder), ARG_T(c->id), ARG_T(handover_holder(c))),
				      &changes, err)
			     : db_run(db, sql, ARGS(ARG_T(c->id), ARG_T(handover_holder(c))), &changes,
				      err);
	if (ok && changes != 1)
		return api_error_set(err, API_CONFLICT, "the chat changed meanwhile; try again");
	return ok;
}

/* The new holder's assigned_at orders auto-assignment's ties (db_agents.c). */
static bool move_to(struct db *db, const struct chat *c, const char *agent_id, int64_t now,
		    struct api_error *err)
{
	return db_run(db, "UPDATE accounts SET assigned_at = ? WHERE id = ?",
		      ARGS(ARG_I(now), ARG_T(agent_id)), NULL, err) &&
	       change_holder(db,
			     /* Taking a chat the bot had is the first response; a
			      * held chat passed on still owes its answer. */
			     "UPDATE chats SET mode = 1, responder_type = 1, responder_id = ?,"
			     " awaiting_since = CASE WHEN mode = 0 THEN NULL ELSE awaiting_since END"
			     " WHERE id = ? AND state = 0 AND responder_id IS ?",
			     agent_id, c, err);
}

/* An accept's offer: it must be the agent's and still open; it ends here
 * whatever follows (a chat taken meanwhile is then 409 "held"). */
static bool offer_take(struct db *db, const char *chat_id, const char *agent_id, int64_t now,
		       struct api_error *err)
{
	int changes = 0;

	if (!db_run(db, "DELETE FROM offers WHERE chat_id = ? AND agent_id = ? AND expires_at > ?",
		    ARGS(ARG_T(chat_id), ARG_T(agent_id), ARG_I(now)), &changes, err))
		return false;
	return changes == 1 ||
	       api_error_set(err, API_CONFLICT, "the chat is not offered to you (or no longer)");
}

static bool apply_takeover(struct db *db, void *arg, struct chat *c, int64_t now,
			   struct api_error *err)
{
	const struct action *a = arg;
	struct handover h;

	/* A stopped chat's refusal is handover_takeover's, offer or not. */
	if (a->offered && c->state != CHAT_STATE_STOPPED &&
	    !offer_take(db, c->id, a->me->id, now, err))
		return false;
	if (!handover_takeover(c, a->me, a->force, &h, err))
		return false;
	return !h.change || (move_to(db, c, a->me->id, now, err) &&
			     system_message(db, c->id, h.type, a->me, h.text, now, c, err));
}

bool db_takeover(struct db *db, const struct agent *me, const char *chat_id, bool force,
		 struct chat *out, struct api_error *err)
{
	struct action a = {.me = me, .force = force};

	return handover_force_allowed(me, force, err) &&
	       chat_transaction(db, chat_id, apply_takeover, &a, out, err);
}

static bool apply_handback(struct db *db, void *arg, struct chat *c, int64_t now,
			   struct api_error *err)
{
	const struct action *a = arg;
	struct handover h;

	if (!handover_handback(c, a->me, &h, err))
		return false;
	/* Handing back ends the escalation: escalated_at is cleared too, so it
	 * always dates the current escalation (the history is in the thread). */
	return change_holder(db,
			     "UPDATE chats SET mode = 0, responder_type = 0, responder_id = NULL,"
			     " escalated = 0, escalated_at = NULL, awaiting_since = NULL"
			     " WHERE id = ? AND state = 0 AND responder_id IS ?",
			     NULL, c, err) &&
	       system_message(db, c->id, h.type, a->me, h.text, now, c, err);
}

bool db_offer_accept(struct db *db, const struct agent *me, const char *chat_id,
		     struct chat *out, struct api_error *err)
{
	struct action a = {.me = me, .offered = true};

	return chat_transaction(db, chat_id, apply_takeover, &a, out, err);
}

bool db_handback(struct db *db, const struct agent *me, const char *chat_id, struct chat *out,
		 struct api_error *err)
{
	struct action a = {.me = me};

	return chat_transaction(db, chat_id, apply_handback, &a, out, err);
}

static bool apply_assign(struct db *db, void *arg, struct chat *c, int64_t now,
			 struct api_error *err)
{
	const struct action *a = arg;
	struct handover h;

	if (!handover_assign(c, a->me, &a->target, &h, err))
		return false;
	return !h.change || (move_to(db, c, a->target.id, now, err) &&
			     system_message(db, c->id, h.type, a->me, h.text, now, c, err));
}

bool db_assign(struct db *db, const struct agent *me, const char *chat_id, const char *agent_id,
	       struct chat *out, struct api_error *err)
{
	struct action a = {.me = me};
	bool found = false;

	/* Accounts are never deleted, so the target can be checked before the
	 * chat's transaction. */
	if (!account_load(db, agent_id, &a.target, &found, err))
		return false;
	bool ok = handover_assign_target(&a.target, found, agent_id, err) &&
		  chat_transaction(db, chat_id, apply_assign, &a, out, err);
	agent_free(&a.target);
	return ok;
}

static bool apply_stop(struct db *db, void *arg, struct chat *c, int64_t now,
		       struct api_error *err)
{
	const struct action *a = arg;
	struct handover h;

	if (!handover_stop(c, a->me, &h, err))
		return false;
	/* Nobody answers a stopped chat and nothing waits on it. */
	return !h.change ||
	       (change_holder(db,
			      "UPDATE chats SET state = 1, mode = 0, responder_type = 2,"
			      " responder_id = NULL, escalated = 0, escalated_at = NULL,"
			      " awaiting_since = NULL WHERE id = ? AND state = 0 AND responder_id IS ?",
			      NULL, c, err) &&
		system_message(db, c->id, h.type, a->me, h.text, now, c, err));
}

bool db_stop(struct db *db, const struct agent *me, const char *chat_id, struct chat *out,
	     struct api_error *err)
{
	struct action a = {.me = me};

	return chat_transaction(db, chat_id, apply_stop, &a, out, err);
}
