/*
 * pg_stats.c — daily counts and the platforms' own reports on PostgreSQL
 * (see pg.h; SQLite's are db_stats.c and db_stats_platforms.c).
 *
 * The counts are SQLite's: days are UTC; conversations count chats by
 * creation time; escalations and takeovers count their system messages,
 * so a chat escalated twice counts twice; ratings count by the day a chat
 * was (last) rated. Each read is one statement, so one snapshot.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"
#include "platform_stats.h"
#include "timeutil.h"

#define MS_PER_DAY 86400000LL
#define MAX_DAYS   366

/* $1..$2 the days, $3..$4 their bounds in ms, $5 escalated, $6 joined,
 * $7 a day's ms. generate_series gives every day a row, zeros included;
 * each count is grouped once over its index's range ("system_type <> 0"
 * lets the partial index messages_system serve) and joined to its day. */
#define DAILY_SQL                                                                       \
	"WITH conv AS (SELECT created_at / $7::bigint AS day, count(*) AS n FROM chats" \
	"  WHERE created_at >= $3 AND created_at < $4 GROUP BY 1),"                     \
	" sys AS (SELECT created_at / $7::bigint AS day,"                               \
	"  count(*) FILTER (WHERE system_type = $5) AS escalations,"                    \
	"  count(*) FILTER (WHERE system_type = $6) AS taken_over FROM messages"        \
	"  WHERE system_type <> 0 AND system_type IN ($5, $6)"                          \
	"  AND created_at >= $3 AND created_at < $4 GROUP BY 1),"                       \
	" rated AS (SELECT rating_at / $7::bigint AS day, count(*) AS n,"               \
	"  sum(rating_score) AS total FROM chats"                                       \
	"  WHERE rating_at >= $3 AND rating_at < $4 GROUP BY 1)"                        \
	" SELECT d.day, coalesce(conv.n, 0), coalesce(sys.escalations, 0),"             \
	" coalesce(sys.taken_over, 0), coalesce(rated.n, 0), coalesce(rated.total, 0)"  \
	" FROM generate_series($1::bigint, $2::bigint) AS d (day)"                      \
	" LEFT JOIN conv ON conv.day = d.day LEFT JOIN sys ON sys.day = d.day"          \
	" LEFT JOIN rated ON rated.day = d.day ORDER BY d.day"

bool pg_stats_daily(PGconn *conn, int64_t from_day, int64_t to_day, struct day_stats **out,
		    size_t *n, struct api_error *err)
{
	char from[PG_INT_LEN], to[PG_INT_LEN], lo[PG_INT_LEN], hi[PG_INT_LEN];
	char esc[PG_INT_LEN], joined[PG_INT_LEN], day_ms[PG_INT_LEN];
	struct errbuf why;

	if (from_day > to_day)
		return api_error_set(err, API_INVALID_QUERY, "from: must not be after to");
	if (to_day - from_day >= MAX_DAYS)
		return api_error_set(err, API_INVALID_QUERY, "at most %d days at a time", MAX_DAYS);
	const char *params[] = {pg_int(from_day, from),
				pg_int(to_day, to),
				pg_int(from_day * MS_PER_DAY, lo),
				pg_int((to_day + 1) * MS_PER_DAY, hi),
				pg_int(SYSTEM_TYPE_CONVERSATION_ESCALATED, esc),
				pg_int(SYSTEM_TYPE_AGENT_JOINED, joined),
				pg_int(MS_PER_DAY, day_ms)};
	PGresult *r = pg_query(conn, DAILY_SQL, 7, params, "count the days", &why);
	if (!r)
		return pg_api_fail(err, &why);
	size_t count = (size_t)PQntuples(r);
	struct day_stats *days = calloc(count ? count : 1, sizeof *days);
	if (!days) {
		PQclear(r);
		return api_error_set(err, API_INTERNAL, "out of memory");
	}
	for (size_t i = 0; i < count; i++) {
		int row = (int)i;
		days[i] = (struct day_stats){
			.day = pg_col_int(r, row, 0),
			.conversations = pg_col_int(r, row, 1),
			.escalations = pg_col_int(r, row, 2),
			.taken_over = pg_col_int(r, row, 3),
			.ratings = pg_col_int(r, row, 4),
			.rating_sum = pg_col_int(r, row, 5),
		};
	}
	PQclear(r);
	*out = days;
	*n = count;
	return true;
}

/* ---- the platforms' own counts ------------------------------------------- */

/* The days' numbers, or their counts, as a PostgreSQL array literal,
 * "{1,2,3}"; NULL when out of memory. */
static char *int_array(const struct platform_day *days, size_t n, bool conversations)
{
	char *a = malloc(n * PG_INT_LEN + 3), *o = a;

	if (!a)
		return NULL;
	*o++ = '{';
	for (size_t i = 0; i < n; i++)
		o += sprintf(o, "%s%lld", i ? "," : "",
			     (long long)(conversations ? days[i].conversations : days[i].day));
	strcpy(o, "}");
	return a;
}

bool pg_stats_ingest(PGconn *conn, const struct agent *me, const char *platform,
		     const struct platform_day *days, size_t n, struct api_error *err)
{
	char now[PG_INT_LEN];
	struct errbuf why;

	if (n == 0)
		return true;
	char *day_list = int_array(days, n, false), *count_list = int_array(days, n, true);
	if (!day_list || !count_list) {
		free(day_list);
		free(count_list);
		return api_error_set(err, API_INTERNAL, "out of memory");
	}
	const char *params[] = {me->id, platform, day_list, count_list, pg_int(ts_now(), now)};
	/* One statement, so the report goes in whole. A day given twice is
	 * stored as given last, as SQLite's row-by-row upserts leave it (one
	 * statement may not upsert a row twice). Rows are written in day
	 * order: two hubs storing overlapping reports at once lock the rows
	 * in one order, and wait for each other rather than deadlock. */
	PGresult *r = pg_query(
		conn,
		"INSERT INTO platform_daily (account_id, day, platform, conversations, updated_at)"
		" SELECT $1::uuid, day, $2::text, conversations, $5::bigint FROM"
		" (SELECT DISTINCT ON (day) day, conversations FROM unnest($3::bigint[],"
		" $4::bigint[]) WITH ORDINALITY AS d (day, conversations, i)"
		" ORDER BY day, i DESC) latest ORDER BY day"
		" ON CONFLICT (account_id, day) DO UPDATE SET platform = excluded.platform,"
		" conversations = excluded.conversations, updated_at = excluded.updated_at",
		5, params, "store a platform's counts", &why);
	free(day_list);
	free(count_list);
	if (!r)
		return pg_api_fail(err, &why);
	PQclear(r);
	return true;
}

bool pg_stats_platforms(PGconn *conn, int64_t from_day, int64_t to_day,
			struct platform_stats **out, size_t *n, struct api_error *err)
{
	char from[PG_INT_LEN], to[PG_INT_LEN];
	const char *params[] = {pg_int(from_day, from), pg_int(to_day, to)};
	struct platform_stats *list = NULL;
	size_t count = 0;
	struct errbuf why;
	/* Bridges of one platform in the order they were added (SQLite's
	 * rowid: here creation time, then id), so columns keep their place
	 * from run to run; platforms bytewise, as SQLite orders them. */
	PGresult *r = pg_query(conn,
			       "SELECT p.platform, p.account_id, p.day, p.conversations"
			       " FROM platform_daily p JOIN accounts a ON a.id = p.account_id"
			       " WHERE p.day >= $1 AND p.day <= $2"
			       " ORDER BY p.platform COLLATE \"C\", a.created_at, a.id, p.day",
			       2, params, "read the platforms' counts", &why);
	if (!r)
		return pg_api_fail(err, &why);
	bool ok = true;
	for (int i = 0; ok && i < PQntuples(r); i++)
		ok = platform_stats_add(&list, &count, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
					pg_col_int(r, i, 2), pg_col_int(r, i, 3));
	PQclear(r);
	if (!ok) {
		db_platform_stats_free(list, count);
		return api_error_set(err, API_INTERNAL, "out of memory");
	}
	*out = list;
	*n = count;
	return true;
}
