/*
 * db_stats.c — daily counts for GET /v1/stats/daily (see db.h).
 *
 * Days are UTC. Conversations count chats by creation time; escalations and
 * takeovers count their system messages, so a chat escalated twice (after a
 * handback) counts twice, as it cost a human twice. Ratings count by the
 * day a chat was (last) rated: a chat has one rating, so a re-rating moves
 * it to its new day.
 */
#include <stdlib.h>

#include "db_internal.h"

#define MS_PER_DAY 86400000LL
#define MAX_DAYS   366

/* Add the (day, count) rows of `st` (columns: what, day, count) to the days;
 * `what` picks the counter through `pick`. */
typedef int64_t *counter_fn(struct day_stats *d, int64_t what);

static bool accumulate(struct db *db, sqlite3_stmt *st, struct day_stats *days, int64_t from,
		       size_t n, counter_fn *pick, struct api_error *err)
{
	int rc;

	while ((rc = db_step(db, st, err)) == SQLITE_ROW) {
		int64_t i = sqlite3_column_int64(st, 1) - from;
		if (i >= 0 && (size_t)i < n)
			*pick(&days[i], sqlite3_column_int64(st, 0)) += sqlite3_column_int64(st, 2);
	}
	db_release(db, st);
	return rc == SQLITE_DONE;
}

static int64_t *pick_conversations(struct day_stats *d, int64_t what)
{
	(void)what;
	return &d->conversations;
}

static int64_t *pick_system(struct day_stats *d, int64_t what)
{
	return what == SYSTEM_TYPE_AGENT_JOINED ? &d->taken_over : &d->escalations;
}

static bool count_days(struct db *db, struct day_stats *days, int64_t from, size_t n,
		       struct api_error *err)
{
	int64_t lo = from * MS_PER_DAY, hi = (from + (int64_t)n) * MS_PER_DAY;
	sqlite3_stmt *st = db_query(db,
				    "SELECT 0, created_at / ?, count(*) FROM chats"
				    " WHERE created_at >= ? AND created_at < ? GROUP BY 2",
				    ARGS(ARG_I(MS_PER_DAY), ARG_I(lo), ARG_I(hi)), err);
	if (!st || !accumulate(db, st, days, from, n, pick_conversations, err))
		return false;
	/* "system_type <> 0" lets the partial index serve the query. */
	st = db_query(db,
		      "SELECT system_type, created_at / ?, count(*) FROM messages"
		      " WHERE system_type <> 0 AND system_type IN (?, ?)"
		      " AND created_at >= ? AND created_at < ? GROUP BY 1, 2",
		      ARGS(ARG_I(MS_PER_DAY), ARG_I(SYSTEM_TYPE_CONVERSATION_ESCALATED),
			   ARG_I(SYSTEM_TYPE_AGENT_JOINED), ARG_I(lo), ARG_I(hi)),
		      err);
	if (!st || !accumulate(db, st, days, from, n, pick_system, err))
		return false;
	st = db_query(db,
		      "SELECT rating_at / ?, count(*), sum(rating_score) FROM chats"
		      " WHERE rating_at >= ? AND rating_at < ? GROUP BY 1",
		      ARGS(ARG_I(MS_PER_DAY), ARG_I(lo), ARG_I(hi)), err);
	if (!st)
		return false;
	int rc;
	while ((rc = db_step(db, st, err)) == SQLITE_ROW) {
		int64_t i = sqlite3_column_int64(st, 0) - from;
		if (i >= 0 && (size_t)i < n) {
			days[i].ratings = sqlite3_column_int64(st, 1);
			days[i].rating_sum = sqlite3_column_int64(st, 2);
		}
	}
	db_release(db, st);
	return rc == SQLITE_DONE;
}

bool db_stats_daily(struct db *db, int64_t from_day, int64_t to_day, struct day_stats **out,
		    size_t *n, struct api_error *err)
{
	if (from_day > to_day)
		return api_error_set(err, API_INVALID_QUERY, "from: must not be after to");
	if (to_day - from_day >= MAX_DAYS)
		return api_error_set(err, API_INVALID_QUERY, "at most %d days at a time", MAX_DAYS);

	size_t count = (size_t)(to_day - from_day + 1);
	struct day_stats *days = calloc(count, sizeof *days);
	if (!days)
		return db_oom(err);
	for (size_t i = 0; i < count; i++)
		days[i].day = from_day + (int64_t)i;
	if (!db_begin_read(db, err)) {
		free(days);
		return false;
	}
	bool ok = count_days(db, days, from_day, count, err);
	if (!db_finish(db, ok, err)) {
		free(days);
		return false;
	}
	*out = days;
	*n = count;
	return true;
}
