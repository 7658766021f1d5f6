/*
 * pg_events.c — the event log's two steps: take the next seq, append the
 * event and announce it (see pg.h; why the counter is gap-free and in
 * commit order is told at its table, in pg_schema.c).
 */
#include <stdlib.h>

#include "pg_internal.h"

bool pg_event_seq_next(PGconn *conn, int64_t *seq, struct errbuf *err)
{
	PGresult *res = pg_query(conn, "UPDATE event_seq SET seq = seq + 1 WHERE id = 1 RETURNING seq",
				 0, NULL, "take the next event seq", err);
	if (!res)
		return false;
	bool ok = PQntuples(res) == 1 ||
		  errbuf_set(err, "postgresql: take the next event seq: event_seq has no row");
	if (ok)
		*seq = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return ok;
}

bool pg_event_append(PGconn *conn, const struct pg_event *ev, struct errbuf *err)
{
	char seq[PG_INT_LEN], type[PG_INT_LEN], at[PG_INT_LEN];
	const char *params[] = {pg_int(ev->seq, seq), ev->chat_id, pg_int(ev->type, type),
				pg_int(ev->at, at), ev->note ? "true" : "false", ev->json};

	/* One statement: the row, with the chat's list columns copied from
	 * its row as this transaction left it, and its NOTIFY, which only a
	 * row that went in sends. PostgreSQL queues the NOTIFY until COMMIT
	 * and drops it on ROLLBACK, so a listener hears only of committed
	 * events. The parameters are cast: in a SELECT list they have no
	 * column to take their type from. */
	PGresult *res = pg_query(
		conn,
		"WITH e AS (INSERT INTO events (seq, chat_id, type, at, note, json, mode, escalated,"
		" responder_type, responder_id, ticket_status, channel_type, title, owner_name,"
		" latest_text, recent_key, wait_key, source_platform)"
		" SELECT $1::bigint, id, $3::integer, $4::bigint, $5::boolean, $6::text, mode,"
		" escalated, responder_type, responder_id, ticket_status, channel_type, title,"
		" owner_name, latest_text, recent_key, wait_key, source_platform"
		" FROM chats WHERE id = $2 RETURNING seq)"
		" SELECT pg_notify('" PG_EVENTS_CHANNEL "', seq::text) FROM e",
		6, params, "append an event", err);
	if (!res)
		return false;
	bool ok = PQntuples(res) == 1 ||
		  errbuf_set(err, "postgresql: append an event: no chat %s", ev->chat_id);
	PQclear(res);
	return ok;
}
