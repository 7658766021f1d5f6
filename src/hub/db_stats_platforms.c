/*
 * db_stats_platforms.c — the platforms' own daily counts, as bridges report
 * them (POST /v1/ingest/stats), and read back for GET /v1/stats/daily
 * (see db.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"
#include "platform_stats.h"
#include "timeutil.h"

bool db_stats_ingest(struct db *db, const struct agent *me, const char *platform,
		     const struct platform_day *days, size_t n, struct api_error *err)
{
	int64_t now = ts_now();

	if (!db_begin_write(db, err))
		return false;
	bool ok = true;
	for (size_t i = 0; ok && i < n; i++)
		ok = db_run(db,
			    "INSERT INTO platform_daily (account_id, day, platform, conversations,"
			    " updated_at) VALUES (?, ?, ?, ?, ?)"
			    " ON CONFLICT (account_id, day) DO UPDATE SET platform = excluded.platform,"
			    " conversations = excluded.conversations, updated_at = excluded.updated_at",
			    ARGS(ARG_T(me->id), ARG_I(days[i].day), ARG_T(platform),
				 ARG_I(days[i].conversations), ARG_I(now)),
			    NULL, err);
	return db_finish(db, ok, err);
}

bool db_stats_platforms(struct db *db, int64_t from_day, int64_t to_day,
			struct platform_stats **out, size_t *n, struct api_error *err)
{
	struct platform_stats *list = NULL;
	size_t count = 0;
	int rc = SQLITE_DONE;

	if (!db_begin_read(db, err))
		return false;
	sqlite3_stmt *st = db_query(db,
				    /* Bridges of one platform in the order they were
				     * added, so columns keep their place from run to run. */
				    "SELECT platform, account_id, day, conversations FROM platform_daily"
				    " WHERE day >= ? AND day <= ? ORDER BY platform,"
				    " (SELECT a.rowid FROM accounts a WHERE a.id = account_id), day",
				    ARGS(ARG_I(from_day), ARG_I(to_day)), err);
	bool ok = st != NULL;
	while (ok && (rc = db_step(db, st, err)) == SQLITE_ROW) {
		const char *platform = (const char *)sqlite3_column_text(st, 0);
		const char *account = (const char *)sqlite3_column_text(st, 1);
		ok = platform_stats_add(&list, &count, platform ? platform : "", account ? account : "",
				       sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3)) ||
		     db_oom(err);
	}
	if (st)
		db_release(db, st);
	ok = ok && rc == SQLITE_DONE;
	if (!db_finish(db, ok, err)) {
		db_platform_stats_free(list, count);
		return false;
	}
	*out = list;
	*n = count;
	return true;
}
