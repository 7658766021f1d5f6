/*
 * pg_actions.c — who holds a chat: the takeover's conditional UPDATE, and
 * the whole takeover and handback (see pg.h).
 *
 * The hub reads the chat, decides (held? forced?), then changes the holder
 * with an UPDATE conditioned on the holder it read. Under READ COMMITTED,
 * two such UPDATEs of one row do not both succeed: the second waits for
 * the first's row lock, and once the first commits it evaluates its WHERE
 * again on the row as the first left it, where the holder is no longer the
 * one it expected, and changes nothing. Should the first roll back, the
 * second finds the row unchanged and wins. So the database, not the read
 * in C, picks the one winner, among one hub's connections or many hubs'.
 *
 * The whole operations read the chat with its row locked
 * (pg_chat_transaction), so their read is the row as the change will find
 * it; the condition stays the guarantee. Assign and stop (pg_chat_ops.c)
 * change the holder with the same steps, pg_move_to and pg_stop_held.
 * Locks come in one order — chat, account, event counter — as in ingest
 * (chat, then counter), so no two wait for each other in a circle.
 */
#include <string.h>

#include "handover.h"
#include "pg_internal.h"

/* The condition every holder change rests on: the chat ($1) still runs
 * and its holder is still $2 (NULL: nobody). */
#define STILL_HELD_BY " WHERE id = $1 AND state = 0 AND responder_id IS NOT DISTINCT FROM $2"

/* Run a holder-changing UPDATE (chat id $1, expected holder $2, then its
 * own parameters) and say whether it changed the row. */
static bool change_holder(PGconn *conn, const char *sql, int n, const char *const *params,
			  const char *what, bool *won, struct errbuf *err)
{
	PGresult *res = pg_query(conn, sql, n, params, what, err);

	if (!res)
		return false;
	*won = strcmp(PQcmdTuples(res), "1") == 0;
	PQclear(res);
	return true;
}

bool pg_takeover(PGconn *conn, const char *chat_id, const char *agent_id, const char *holder,
		 bool *won, struct errbuf *err)
{
	const char *params[] = {chat_id, holder, agent_id};

	/* Taking a chat the bot had is its first response: the wait clock
	 * stops; a held chat passed on still owes its answer. */
	return change_holder(conn,
			     "UPDATE chats SET mode = 1, responder_type = 1, responder_id = $3,"
			     " awaiting_since = CASE WHEN mode = 0 THEN NULL ELSE awaiting_since END"
			     STILL_HELD_BY,
			     3, params, "take over a chat", won, err);
}

/* Give the chat back to the bot if its holder is still `holder`. Handing
 * back ends the escalation: escalated_at is cleared too, so it always
 * dates the current escalation (the history is in the thread). */
static bool handback(PGconn *conn, const char *chat_id, const char *holder, bool *won,
		     struct errbuf *err)
{
	const char *params[] = {chat_id, holder};

	return change_holder(conn,
			     "UPDATE chats SET mode = 0, responder_type = 0, responder_id = NULL,"
			     " escalated = false, escalated_at = NULL, awaiting_since = NULL"
			     STILL_HELD_BY,
			     2, params, "hand a chat back", won, err);
}

/* The holder change in `c` did not happen: someone changed the chat
 * between the read and the UPDATE (not possible under the row lock, but
 * the UPDATE's condition, not the lock, is what the answer rests on). */
static bool lost(bool ok, bool won, struct api_error *err)
{
	return ok && (won || api_error_set(err, API_CONFLICT,
					    "the chat changed meanwhile; try again"));
}

bool pg_move_to(PGconn *conn, const struct chat *c, const char *agent_id, int64_t now,
		struct api_error *err)
{
	struct errbuf why;
	char at[PG_INT_LEN];
	bool won = false;
	/* The new holder's assigned_at orders auto-assignment's ties. */
	const char *params[] = {pg_int(now, at), agent_id};
	PGresult *res = pg_query(conn, "UPDATE accounts SET assigned_at = $1 WHERE id = $2", 2,
				 params, "date an assignment", &why);
	if (!res)
		return pg_api_fail(err, &why);
	PQclear(res);
	bool ok = pg_takeover(conn, c->id, agent_id, handover_holder(c), &won, &why) ||
		  pg_api_fail(err, &why);
	return lost(ok, won, err);
}

bool pg_take(PGconn *conn, void *arg, struct chat *c, int64_t now, struct api_error *err)
{
	const struct pg_action *a = arg;
	struct handover h;

	if (!handover_takeover(c, a->me, a->force, &h, err))
		return false;
	return !h.change || (pg_move_to(conn, c, a->me->id, now, err) &&
			     pg_system_message(conn, c->id, h.type, a->me, h.text, now, c, err));
}

static bool give_back(PGconn *conn, void *arg, struct chat *c, int64_t now,
		      struct api_error *err)
{
	const struct pg_action *a = arg;
	struct handover h;
	struct errbuf why;
	bool won = false;

	if (!handover_handback(c, a->me, &h, err))
		return false;
	bool ok = handback(conn, c->id, handover_holder(c), &won, &why) || pg_api_fail(err, &why);
	return lost(ok, won, err) &&
	       pg_system_message(conn, c->id, h.type, a->me, h.text, now, c, err);
}

_Static_assert(CHAT_STATE_STOPPED == 1 && RESPONDER_NONE == 2, "a stopped chat's values in SQL");

bool pg_stop_held(PGconn *conn, const struct chat *c, struct api_error *err)
{
	const char *params[] = {c->id, handover_holder(c)};
	struct errbuf why;
	bool won = false;

	/* Nobody answers a stopped chat and nothing waits on it. */
	bool ok = change_holder(conn,
				"UPDATE chats SET state = 1, mode = 0, responder_type = 2,"
				" responder_id = NULL, escalated = false, escalated_at = NULL,"
				" awaiting_since = NULL" STILL_HELD_BY,
				2, params, "stop a chat", &won, &why) ||
		  pg_api_fail(err, &why);
	return lost(ok, won, err);
}

bool pg_takeover_chat(PGconn *conn, const struct agent *me, const char *chat_id, bool force,
		      struct chat *out, struct api_error *err)
{
	struct pg_action a = {me, force};

	return handover_force_allowed(me, force, err) &&
	       pg_chat_transaction(conn, chat_id, pg_take, &a, out, err);
}

bool pg_handback(PGconn *conn, const struct agent *me, const char *chat_id, struct chat *out,
		 struct api_error *err)
{
	struct pg_action a = {me, false};

	return pg_chat_transaction(conn, chat_id, give_back, &a, out, err);
}
