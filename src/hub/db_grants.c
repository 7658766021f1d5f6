/*
 * db_grants.c — the sources an operator grants an ingest account besides
 * the chats it created (see db.h). The event log applies them
 * (db_events.c, INGEST_SCOPE); the command line sets them (handoffd grant).
 */
#include <stdio.h>

#include "db_internal.h"

/* The id of the ingest account named by `ref`: its id, or the name of
 * exactly one ingest account. */
static bool ingest_account(struct db *db, const char *ref, uuid_str out, struct errbuf *err)
{
	struct api_error aerr;
	sqlite3_stmt *st = db_query(db,
				    "SELECT id FROM accounts WHERE role = ? AND (id = ? OR name = ?)"
				    " LIMIT 2",
				    ARGS(ARG_I(ACCOUNT_INGEST), ARG_T(ref), ARG_T(ref)), &aerr);
	int rows = 0, rc;

	if (!st)
		return errbuf_set(err, "cannot look accounts up: %s", aerr.description);
	while ((rc = db_step(db, st, &aerr)) == SQLITE_ROW)
		if (rows++ == 0)
			col_uuid(st, 0, out);
	db_release(db, st);
	if (rc != SQLITE_DONE)
		return errbuf_set(err, "cannot look accounts up: %s", aerr.description);
	if (rows == 0)
		return errbuf_set(err, "no ingest account \"%s\"", ref);
	if (rows > 1)
		return errbuf_set(err, "several ingest accounts are called \"%s\": give its id", ref);
	return true;
}

bool db_grant(struct db *db, const char *ingest, enum grant_kind kind, const char *source,
	      bool revoke, bool *changed, struct errbuf *err)
{
	struct api_error aerr;
	uuid_str grantee, account;
	int n = 0;

	if (!db_begin_write(db, &aerr))
		return errbuf_set(err, "%s", aerr.description);
	bool ok = ingest_account(db, ingest, grantee, err);
	if (ok && kind == GRANT_ACCOUNT) {
		ok = ingest_account(db, source, account, err);
		source = account;
	}
	if (ok)
		ok = db_run(db,
			    revoke ? "DELETE FROM ingest_grants WHERE account_id = ? AND kind = ?"
				     " AND source = ?"
				   : "INSERT OR IGNORE INTO ingest_grants (account_id, kind, source)"
				     " VALUES (?, ?, ?)",
			    ARGS(ARG_T(grantee), ARG_I(kind), ARG_T(source)), &n, &aerr) ||
		     errbuf_set(err, "%s", aerr.description);
	if (!db_finish(db, ok, &aerr))
		return ok ? errbuf_set(err, "%s", aerr.description) : false;
	*changed = n > 0;
	return true;
}
