/*
 * pg_dashboard.c — what GET /v1/dashboard (v1.1) reads, on PostgreSQL (see
 * pg.h): db_dashboard.c's queries, one by one, and what they mean (the
 * waiting and held chats, replies per minute over the last hour, today's
 * replies and first responses) is told there.
 *
 * The snapshot is "as of event seq": the console applies every event after
 * seq to it, once. So the figures and the seq must be one moment. Under
 * READ COMMITTED each statement has a snapshot of its own, and a reply
 * committed between two of them would be in the counts and after the seq
 * (counted twice by the console), or the other way round (never counted).
 * The reads are one REPEATABLE READ transaction instead: one snapshot for
 * all, READ ONLY, so it never fails for a writer's sake. The seq is the
 * event counter's value in that snapshot: seqs are taken in commit order
 * (pg_schema.c), so a snapshot that sees seq N sees every event up to N
 * and none after it.
 */
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"

#define MS_PER_MIN 60000LL
#define MS_PER_DAY 86400000LL

/* The queue, then the held chats: each through its partial index. */
static bool read_chats(PGconn *conn, struct dash_snapshot *d, struct api_error *err)
{
	static const char *const sql[] = {
		"SELECT id, escalated_at, awaiting_since, NULL FROM chats"
		" WHERE escalated AND mode = 0 ORDER BY wait_key, id",
		"SELECT id, CASE WHEN escalated THEN escalated_at END, awaiting_since, responder_id"
		" FROM chats WHERE mode = 1 ORDER BY recent_key, id",
	};
	PGresult *r[2] = {NULL, NULL};
	bool ok = true;

	for (int k = 0; ok && k < 2; k++)
		ok = (r[k] = pg_api_query(conn, sql[k], 0, NULL, "read the dashboard's chats",
					  err)) != NULL;
	size_t total = ok ? (size_t)PQntuples(r[0]) + (size_t)PQntuples(r[1]) : 0;
	if (total && !(d->chats = calloc(total, sizeof *d->chats)))
		ok = api_error_set(err, API_INTERNAL, "out of memory");
	for (int k = 0; ok && k < 2; k++) {
		for (int i = 0; i < PQntuples(r[k]); i++) {
			struct dash_chat *c = &d->chats[d->nchats++];
			pg_col_uuid(r[k], i, 0, c->id);
			c->waiting = k == 0;
			c->escalated_at = pg_col_ts(r[k], i, 1);
			c->awaiting_since = pg_col_ts(r[k], i, 2);
			pg_col_uuid(r[k], i, 3, c->holder);
		}
	}
	PQclear(r[0]);
	PQclear(r[1]);
	return ok;
}

/* Replies of the last hour by agent and minute, and today's in all. The
 * terms spell the partial index messages_agent's "role = 2". The agent of
 * a row is its place in $1, the agents' ids (array_position), so only the
 * agents asked about are read. */
static bool read_replies(PGconn *conn, const char *agents, struct dash_snapshot *d,
			 struct api_error *err)
{
	int64_t minute = d->now / MS_PER_MIN, first = minute - (DASH_MINUTES - 1);
	int64_t day = d->now / MS_PER_DAY * MS_PER_DAY, end = (minute + 1) * MS_PER_MIN;
	char from[PG_INT_LEN], to[PG_INT_LEN], start[PG_INT_LEN], base[PG_INT_LEN];
	const char *params[] = {agents, pg_int(first * MS_PER_MIN, from), pg_int(end, to),
				pg_int(first, base)};
	PGresult *r = pg_api_query(conn,
				   "SELECT array_position($1::uuid[], author_id) - 1,"
				   " created_at / 60000 - $4::bigint, count(*) FROM messages"
				   " WHERE role = 2 AND created_at >= $2 AND created_at < $3"
				   " AND author_id = ANY($1::uuid[]) GROUP BY 1, 2",
				   4, params, "count the agents' replies", err);
	if (!r)
		return false;
	for (int i = 0; i < PQntuples(r); i++) {
		int64_t a = pg_col_int(r, i, 0), m = pg_col_int(r, i, 1);
		if (a >= 0 && (size_t)a < d->nagents && m >= 0 && m < DASH_MINUTES)
			d->agents[a].replies[m] += pg_col_int(r, i, 2);
	}
	PQclear(r);
	const char *today[] = {pg_int(day, start), to};
	r = pg_api_query(conn,
			 "SELECT count(*) FROM messages WHERE role = 2 AND created_at >= $1"
			 " AND created_at < $2",
			 2, today, "count today's replies", err);
	if (!r)
		return false;
	d->replies_today = pg_col_int(r, 0, 0);
	PQclear(r);
	return true;
}

/* Today's takeovers of waiting chats: the escalation before each is the
 * chat's latest notice that starts or ends a wait. Rows come by agent,
 * each agent's in takeover order, so each agent's samples are one run of
 * rows and the array is sized by its count. */
static bool read_first_responses(PGconn *conn, const char *agents, struct dash_snapshot *d,
				 struct api_error *err)
{
	int64_t day = d->now / MS_PER_DAY * MS_PER_DAY;
	char esc[PG_INT_LEN], joined[PG_INT_LEN], left[PG_INT_LEN], moved[PG_INT_LEN],
		stopped[PG_INT_LEN], from[PG_INT_LEN], to[PG_INT_LEN];
	const char *params[] = {
		pg_int(SYSTEM_TYPE_CONVERSATION_ESCALATED, esc),
		pg_int(SYSTEM_TYPE_AGENT_JOINED, joined),
		pg_int(SYSTEM_TYPE_AGENT_LEFT, left),
		pg_int(SYSTEM_TYPE_CHAT_REASSIGNED, moved),
		pg_int(SYSTEM_TYPE_CONVERSATION_STOPPED, stopped),
		pg_int(day, from),
		pg_int(day + MS_PER_DAY, to),
		agents,
	};
	PGresult *r = pg_api_query(
		conn,
		"SELECT array_position($8::uuid[], m.author_id) - 1, m.created_at - p.created_at"
		" FROM messages m JOIN messages p ON p.chat_id = m.chat_id AND p.seq ="
		"  (SELECT max(x.seq) FROM messages x WHERE x.chat_id = m.chat_id AND x.seq < m.seq"
		"   AND x.system_type IN ($1, $2, $3, $4, $5))"
		" WHERE m.system_type <> 0 AND m.system_type = $2 AND m.created_at >= $6"
		" AND m.created_at < $7 AND p.system_type = $1 AND m.author_id = ANY($8::uuid[])"
		" ORDER BY 1, m.created_at, m.id",
		8, params, "read today's first responses", err);
	if (!r)
		return false;
	int rows = PQntuples(r);
	bool ok = true;
	for (int i = 0, run; ok && i < rows; i += run) {
		int64_t a = pg_col_int(r, i, 0);
		for (run = 1; i + run < rows && pg_col_int(r, i + run, 0) == a; run++)
			;
		if (a < 0 || (size_t)a >= d->nagents)
			continue;
		struct dash_agent *da = &d->agents[a];
		if (!(da->first_ms = malloc((size_t)run * sizeof *da->first_ms))) {
			ok = api_error_set(err, API_INTERNAL, "out of memory");
			break;
		}
		for (int k = 0; k < run; k++)
			da->first_ms[da->nfirst++] = pg_col_int(r, i + k, 1);
	}
	PQclear(r);
	return ok;
}

/* The agents' ids as a uuid[] literal, in their order (pg_uuid_array). */
static char *agents_array(const struct agent *agents, size_t n)
{
	const char **ids = calloc(n ? n : 1, sizeof *ids);

	if (!ids)
		return NULL;
	for (size_t i = 0; i < n; i++)
		ids[i] = agents[i].id;
	char *array = pg_uuid_array(ids, n);
	free(ids);
	return array;
}

bool pg_dashboard(PGconn *conn, int64_t now, const struct agent *agents, size_t n,
		  struct dash_snapshot *out, struct api_error *err)
{
	struct errbuf why;
	char *ids = agents_array(agents, n);
	PGresult *seq = NULL;

	memset(out, 0, sizeof *out);
	out->now = now;
	out->nagents = n;
	if (!ids || (n && !(out->agents = calloc(n, sizeof *out->agents)))) {
		free(ids);
		return api_error_set(err, API_INTERNAL, "out of memory");
	}
	bool ok = (pg_exec(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
			   "begin reading the dashboard", &why) ||
		   pg_api_fail(err, &why)) &&
		  (seq = pg_api_query(conn, "SELECT seq FROM event_seq WHERE id = 1", 0, NULL,
				      "read the event seq", err)) &&
		  (PQntuples(seq) == 1 ||
		   errbuf_set(&why, "postgresql: read the event seq: event_seq has no row") ||
		   pg_api_fail(err, &why));
	if (ok)
		out->seq = pg_col_int(seq, 0, 0);
	PQclear(seq);
	ok = ok && read_chats(conn, out, err) && read_replies(conn, ids, out, err) &&
	     read_first_responses(conn, ids, out, err);
	free(ids);
	if (!pg_finish(conn, ok, "end reading the dashboard", &why) && ok)
		ok = pg_api_fail(err, &why);
	if (!ok)
		db_dashboard_free(out);
	return ok;
}
