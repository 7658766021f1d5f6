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
 * The whole operations read the chat with its row locked, so their read is
 * the row as the change will find it; the condition stays the guarantee.
 * Locks come in one order — chat, account, event counter — as in ingest
 * (chat, then counter), so no two wait for each other in a circle.
 */
#include <string.h>

#include "handover.h"
#include "pg_internal.h"
#include "timeutil.h"

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

bool pg_take(PGconn *conn, const struct agent *me, bool force, struct chat *c, int64_t now,
	     struct api_error *err)
{
	struct handover h;
	struct errbuf why;
	char at[PG_INT_LEN];
	bool won = false;

	if (!handover_takeover(c, me, force, &h, err))
		return false;
	if (!h.change)
		return true;
	/* The new holder's assigned_at orders auto-assignment's ties. */
	const char *params[] = {pg_int(now, at), me->id};
	PGresult *res = pg_query(conn, "UPDATE accounts SET assigned_at = $1 WHERE id = $2", 2,
				 params, "date an assignment", &why);
	if (!res)
		return pg_api_fail(err, &why);
	PQclear(res);
	bool ok = pg_takeover(conn, c->id, me->id, handover_holder(c), &won, &why) ||
		  pg_api_fail(err, &why);
	return lost(ok, won, err) &&
	       pg_system_message(conn, c->id, h.type, me, h.text, now, c, err);
}

static bool give_back(PGconn *conn, const struct agent *me, bool force, struct chat *c,
		      int64_t now, struct api_error *err)
{
	struct handover h;
	struct errbuf why;
	bool won = false;

	(void)force;
	if (!handover_handback(c, me, &h, err))
		return false;
	bool ok = handback(conn, c->id, handover_holder(c), &won, &why) || pg_api_fail(err, &why);
	return lost(ok, won, err) &&
	       pg_system_message(conn, c->id, h.type, me, h.text, now, c, err);
}

/* One transaction: the chat read and locked, the action, COMMIT; a
 * refusal or a failure leaves nothing behind. */
bool pg_chat_transaction(PGconn *conn, const char *chat_id, pg_action_fn *act,
			 const struct agent *me, bool force, struct chat *out,
			 struct api_error *err)
{
	struct chat c = {0};
	struct errbuf why;

	if (!pg_exec(conn, "BEGIN", "begin a change of holder", &why))
		return pg_api_fail(err, &why);
	bool ok = pg_chat_load(conn, chat_id, true, &c, err) && act(conn, me, force, &c, ts_now(),
								    err);
	if (!pg_finish(conn, ok, "end a change of holder", &why) && ok)
		ok = pg_api_fail(err, &why);
	if (!ok) {
		chat_free(&c);
		return false;
	}
	*out = c;
	return true;
}

bool pg_takeover_chat(PGconn *conn, const struct agent *me, const char *chat_id, bool force,
		      struct chat *out, struct api_error *err)
{
	return handover_force_allowed(me, force, err) &&
	       pg_chat_transaction(conn, chat_id, pg_take, me, force, out, err);
}

bool pg_handback(PGconn *conn, const struct agent *me, const char *chat_id, struct chat *out,
		 struct api_error *err)
{
	return pg_chat_transaction(conn, chat_id, give_back, me, false, out, err);
}
