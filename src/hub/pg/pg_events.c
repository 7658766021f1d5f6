/*
 * pg_events.c — the event log: its two writing steps (take the next seq,
 * append the event and announce it), its reads for replay, and retention
 * (see pg.h; why the counter is gap-free and in commit order is told at
 * its table, in pg_schema.c).
 *
 * Retention compacts as SQLite's does (db_events.c): below the floor
 * (meta 'events_floor', the oldest retained event) only each chat's last
 * event before it survives, which the list cursors need ("the chat as of
 * seq S" for any S >= floor - 1). Replay offers the events at or above the
 * floor only. Several hubs may prune at once: the floor's row is locked
 * first, so they take turns and each moves the floor from where the one
 * before left it.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pg_internal.h"
#include "uuid.h"

bool pg_event_seqs(PGconn *conn, size_t n, int64_t *first, struct errbuf *err)
{
	char count[PG_INT_LEN];
	const char *params[] = {pg_int((int64_t)n, count)};
	/* One statement however many: a transaction's seqs are consecutive,
	 * and taking them one at a time would only add round trips while the
	 * lock is held. */
	PGresult *res = pg_query(conn, "UPDATE event_seq SET seq = seq + $1 WHERE id = 1 RETURNING seq",
				 1, params, "take event seqs", err);
	if (!res)
		return false;
	bool ok = PQntuples(res) == 1 ||
		  errbuf_set(err, "postgresql: take event seqs: event_seq has no row");
	if (ok)
		*first = strtoll(PQgetvalue(res, 0, 0), NULL, 10) - (int64_t)n + 1;
	PQclear(res);
	return ok;
}

bool pg_event_seq_next(PGconn *conn, int64_t *seq, struct errbuf *err)
{
	return pg_event_seqs(conn, 1, seq, err);
}

/* The six columns of ev[0..n) as array parameters, in params[0..6). */
static bool columns(const struct pg_event *ev, size_t n, char *params[6])
{
	char (*num)[3][PG_INT_LEN] = malloc((n ? n : 1) * sizeof *num);
	const char **col = malloc((n ? n : 1) * 6 * sizeof *col);
	bool ok = num && col;

	for (size_t i = 0; ok && i < n; i++) {
		col[0 * n + i] = pg_int(ev[i].seq, num[i][0]);
		col[1 * n + i] = ev[i].chat_id;
		col[2 * n + i] = pg_int(ev[i].type, num[i][1]);
		col[3 * n + i] = pg_int(ev[i].at, num[i][2]);
		col[4 * n + i] = ev[i].note ? "true" : "false";
		col[5 * n + i] = ev[i].json;
	}
	for (int c = 0; c < 6; c++)
		ok = ok && (params[c] = pg_text_array(col + c * n, n)) != NULL;
	free(num);
	free(col);
	return ok;
}

bool pg_events_append(PGconn *conn, const struct pg_event *ev, size_t n, struct errbuf *err)
{
	char *params[6] = {0};

	if (!n)
		return true;
	if (!columns(ev, n, params)) {
		for (int c = 0; c < 6; c++)
			free(params[c]);
		return errbuf_set(err, "postgresql: append events: out of memory");
	}
	/* One statement for the transaction's events: the rows, each with its
	 * chat's list columns copied from the chat's row as this transaction
	 * left it; each chat's last_event_seq moved to its last one; and one
	 * NOTIFY of the last seq (a hint: the listener reads from where it
	 * was), sent only when rows went in. PostgreSQL queues the NOTIFY
	 * until COMMIT and drops it on ROLLBACK, so a listener hears only of
	 * committed events. Every part sees the chats as the statement began:
	 * the UPDATE changes no column the INSERT copies. */
	PGresult *res = pg_query(
		conn,
		"WITH v AS (SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::integer[],"
		" $4::bigint[], $5::boolean[], $6::text[]) v (seq, chat_id, type, at, note, json)),"
		" e AS (INSERT INTO events (seq, chat_id, type, at, note, json, mode, escalated,"
		" responder_type, responder_id, ticket_status, channel_type, title, owner_name,"
		" latest_text, recent_key, wait_key, source_platform)"
		" SELECT v.seq, c.id, v.type, v.at, v.note, v.json, c.mode, c.escalated,"
		" c.responder_type, c.responder_id, c.ticket_status, c.channel_type, c.title,"
		" c.owner_name, c.latest_text, c.recent_key, c.wait_key, c.source_platform"
		" FROM v JOIN chats c ON c.id = v.chat_id RETURNING seq),"
		" l AS (UPDATE chats c SET last_event_seq = m.seq FROM (SELECT chat_id, max(seq) seq"
		" FROM v GROUP BY chat_id) m WHERE c.id = m.chat_id)"
		" SELECT count(*), pg_notify('" PG_EVENTS_CHANNEL "', max(seq)::text) FROM e",
		6, (const char *const *)params, "append events", err);
	for (int c = 0; c < 6; c++)
		free(params[c]);
	if (!res)
		return false;
	int64_t in = pg_col_int(res, 0, 0);
	bool ok = in == (int64_t)n ||
		  errbuf_set(err, "postgresql: append events: no chat for %lld of them",
			     (long long)((int64_t)n - in));
	PQclear(res);
	return ok;
}

bool pg_event_append(PGconn *conn, const struct pg_event *ev, struct errbuf *err)
{
	return pg_events_append(conn, ev, 1, err);
}

/* ---- reading ------------------------------------------------------------- */

/* SQL for "the chat `chat` is in the scope of the ingest account `acct`",
 * as db_events.c's INGEST_SCOPE says it: the account created it, or was
 * granted its creator or its platform label. A grant's source is text (an
 * account id or a label), so the creator's uuid is compared as text. */
#define INGEST_SCOPE(chat, acct)                                                          \
	"EXISTS (SELECT 1 FROM chats c WHERE c.id = " chat " AND (c.source_account_id = " \
	acct " OR EXISTS (SELECT 1 FROM ingest_grants g WHERE g.account_id = " acct       \
	" AND ((g.kind = 0 AND g.source = c.source_account_id::text)"                      \
	" OR (g.kind = 1 AND g.source = c.source_platform)))))"

/* One number a statement without parameters returns. */
static bool number(PGconn *conn, const char *sql, const char *what, int64_t *out,
		   struct errbuf *err)
{
	PGresult *res = pg_query(conn, sql, 0, NULL, what, err);

	if (!res)
		return false;
	bool ok = PQntuples(res) == 1 ||
		  errbuf_set(err, "postgresql: %s: no row", what);
	if (ok)
		*out = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return ok;
}

bool pg_events_head(PGconn *conn, int64_t *head, struct errbuf *err)
{
	return number(conn, "SELECT coalesce(max(seq), 0) FROM events", "read the event head",
		      head, err);
}

bool pg_events_oldest(PGconn *conn, int64_t *oldest, struct errbuf *err)
{
	return number(conn, "SELECT value FROM meta WHERE key = 'events_floor'",
		      "read the events floor", oldest, err);
}

bool pg_ingest_may_see(PGconn *conn, const char *ingest_id, const char *chat_id)
{
	const char *params[] = {chat_id, ingest_id};

	/* anything but two ids names nothing to see: scope fails closed */
	if (!uuid_valid(chat_id) || !uuid_valid(ingest_id))
		return false;
	PGresult *res = pg_query(conn, "SELECT " INGEST_SCOPE("$1::uuid", "$2::uuid"), 2, params,
				 "check an ingest account's scope", NULL);
	bool yes = res && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return yes;
}

/* The events after `since`, from the floor on (below it only compacted
 * leftovers remain): one statement, so the floor and the rows are read in
 * one snapshot, whatever a pruning hub does meanwhile. */
#define AFTER_FLOOR " seq > greatest($1, (SELECT value - 1 FROM meta WHERE key = 'events_floor'))"

int pg_events_after(PGconn *conn, int64_t since, int limit, const char *ingest_id,
		    db_event_fn *fn, void *ctx)
{
	char from[PG_INT_LEN], lim[PG_INT_LEN];
	const char *params[] = {pg_int(since, from), pg_int(limit, lim), ingest_id};
	struct errbuf why;

	if (limit <= 0)
		return 0;
	if (ingest_id && !uuid_valid(ingest_id))
		return 0; /* no account, nothing in its scope */
	PGresult *res = pg_query(conn,
				 ingest_id ? "SELECT seq, json, note, chat_id FROM events e WHERE"
					     AFTER_FLOOR " AND NOT note AND "
					     INGEST_SCOPE("e.chat_id", "$3::uuid")
					     " ORDER BY seq LIMIT $2"
					   : "SELECT seq, json, note, chat_id FROM events WHERE"
					     AFTER_FLOOR " ORDER BY seq LIMIT $2",
				 ingest_id ? 3 : 2, params, "replay events", &why);
	if (!res) {
		log_error("%s", why.msg);
		return -1;
	}
	/* The rows are all in res, off the connection: a callback may use it. */
	int n = PQntuples(res);
	for (int i = 0; i < n; i++) {
		struct db_event ev = {strtoll(PQgetvalue(res, i, 0), NULL, 10),
				      PQgetvalue(res, i, 1), (size_t)PQgetlength(res, i, 1),
				      strcmp(PQgetvalue(res, i, 2), "t") == 0,
				      PQgetvalue(res, i, 3), ""};
		fn(ctx, &ev);
	}
	PQclear(res);
	return n;
}

/* ---- retention -------------------------------------------------------------- */

/* Events dropped per call: small enough that a call costs a few
 * milliseconds (SQLite's PRUNE_BATCH). */
#define PRUNE_BATCH 2000

/* The prune itself, in the caller's transaction, the floor's row locked
 * by the first statement. */
static bool prune(PGconn *conn, int64_t retained, struct errbuf *err)
{
	int64_t floor = 0, head = 0;
	PGresult *res;

	if (!number(conn, "SELECT value FROM meta WHERE key = 'events_floor' FOR UPDATE",
		    "lock the events floor", &floor, err) ||
	    !pg_events_head(conn, &head, err))
		return false;
	/* Leave slack (a fifth of the window) so that pruning runs once per
	 * many commits, not after each: SQLite's rule. */
	if ((head - floor + 1) * 10 <= retained * 12)
		return true;
	int64_t cutoff = head - retained + 1;
	if (cutoff > floor + PRUNE_BATCH)
		cutoff = floor + PRUNE_BATCH;

	char lo[PG_INT_LEN], hi[PG_INT_LEN];
	const char *params[] = {pg_int(floor, lo), pg_int(cutoff, hi)};
	/* Each chat with events in [floor, cutoff) gets a newer last event
	 * below the new floor: its leftover below the old floor goes; then
	 * every event in the window but each chat's last one there. */
	res = pg_query(conn,
		       "DELETE FROM events WHERE seq IN (SELECT (SELECT max(o.seq) FROM events o"
		       " WHERE o.chat_id = w.chat_id AND o.seq < $1) FROM (SELECT DISTINCT chat_id"
		       " FROM events WHERE seq >= $1 AND seq < $2) w)",
		       2, params, "drop old leftovers", err);
	if (!res)
		return false;
	PQclear(res);
	res = pg_query(conn,
		       "DELETE FROM events e WHERE seq >= $1 AND seq < $2 AND EXISTS (SELECT 1"
		       " FROM events l WHERE l.chat_id = e.chat_id AND l.seq > e.seq AND l.seq < $2)",
		       2, params, "drop old events", err);
	if (!res)
		return false;
	PQclear(res);
	res = pg_query(conn, "UPDATE meta SET value = $1 WHERE key = 'events_floor'", 1,
		       params + 1, "move the events floor", err);
	PQclear(res);
	return res != NULL;
}

bool pg_events_prune(PGconn *conn, int64_t retained, struct errbuf *err)
{
	if (!pg_exec(conn, "BEGIN", "begin pruning events", err))
		return false;
	bool ok = prune(conn, retained, err);
	return pg_finish(conn, ok, "end pruning events", err);
}
