/*
 * pg_grants.c — what an ingest account may read besides its own chats, on
 * PostgreSQL (see pg.h; SQLite's is db_grants.c): the grants an operator
 * gives (handoffd grant). The scope they make is pg_events.c's, where the
 * event log's reads apply it too.
 */
#include <stdlib.h>

#include "pg_internal.h"
#include "uuid.h"

_Static_assert(GRANT_ACCOUNT == 0 && GRANT_PLATFORM == 1, "grant_kind values in SQL");

/* The id of the ingest account named by `ref`: its id, or the name of
 * exactly one ingest account. */
static bool ingest_account(PGconn *conn, const char *ref, uuid_str out, struct errbuf *err)
{
	/* An id only when ref is one: the uuid column takes nothing else. */
	const char *params[] = {ref, uuid_valid(ref) ? ref : NULL};
	PGresult *r = pg_query(conn,
			       "SELECT id FROM accounts WHERE role = 2"
			       " AND (id = $2::uuid OR name = $1) LIMIT 2",
			       2, params, "look accounts up", err);

	_Static_assert(ACCOUNT_INGEST == 2, "account_role value in SQL");
	if (!r)
		return false;
	int rows = PQntuples(r);
	if (rows == 1)
		pg_col_uuid(r, 0, 0, out);
	PQclear(r);
	if (rows == 0)
		return errbuf_set(err, "no ingest account \"%s\"", ref);
	if (rows > 1)
		return errbuf_set(err, "several ingest accounts are called \"%s\": give its id", ref);
	return true;
}

bool pg_grant(PGconn *conn, const char *ingest, enum grant_kind kind, const char *source,
	      bool revoke, bool *changed, struct errbuf *err)
{
	char kind_text[PG_INT_LEN];
	uuid_str grantee, account;
	PGresult *r = NULL;

	/* The names are read and the grant written in one transaction, as
	 * SQLite's; accounts are never deleted, so what the lookup found is
	 * still there at COMMIT. Granting twice at once inserts once (the
	 * primary key), revoking twice deletes once. */
	bool ok = pg_exec(conn, "BEGIN", "begin a grant", err) &&
		  ingest_account(conn, ingest, grantee, err);
	if (ok && kind == GRANT_ACCOUNT) {
		ok = ingest_account(conn, source, account, err);
		source = account;
	}
	const char *params[] = {grantee, pg_int(kind, kind_text), source};
	ok = ok && (r = pg_query(conn,
				 revoke ? "DELETE FROM ingest_grants WHERE account_id = $1"
					  " AND kind = $2 AND source = $3"
					: "INSERT INTO ingest_grants (account_id, kind, source)"
					  " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
				 3, params, revoke ? "revoke a grant" : "grant", err));
	bool did = ok && atoi(PQcmdTuples(r)) > 0;
	PQclear(r);
	if (!pg_finish(conn, ok, "end a grant", err))
		return false;
	*changed = did;
	return true;
}
