/*
 * pg_actions.c — who holds a chat: the takeover's conditional UPDATE (see
 * pg.h).
 *
 * The hub reads the chat, decides (held? forced?), then changes the holder
 * with an UPDATE conditioned on the holder it read. Under READ COMMITTED,
 * two such UPDATEs of one row do not both succeed: the second waits for
 * the first's row lock, and once the first commits it evaluates its WHERE
 * again on the row as the first left it, where the holder is no longer the
 * one it expected, and changes nothing. Should the first roll back, the
 * second finds the row unchanged and wins. So the database, not the read
 * in C, picks the one winner, among one hub's connections or many hubs'.
 */
#include <string.h>

#include "pg_internal.h"

bool pg_takeover(PGconn *conn, const char *chat_id, const char *agent_id, const char *holder,
		 bool *won, struct errbuf *err)
{
	const char *params[] = {chat_id, agent_id, holder};

	/* Taking a chat the bot had is its first response: the wait clock
	 * stops; a held chat passed on still owes its answer. */
	PGresult *res = pg_query(conn,
				 "UPDATE chats SET mode = 1, responder_type = 1, responder_id = $2,"
				 " awaiting_since = CASE WHEN mode = 0 THEN NULL ELSE awaiting_since END"
				 " WHERE id = $1 AND state = 0 AND responder_id IS NOT DISTINCT FROM $3",
				 3, params, "take over a chat", err);
	if (!res)
		return false;
	*won = strcmp(PQcmdTuples(res), "1") == 0;
	PQclear(res);
	return true;
}
