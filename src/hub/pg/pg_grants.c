/*
 * pg_grants.c — what an ingest account may read besides its own chats, on
 * PostgreSQL (see pg.h; SQLite's are db_grants.c and db_events.c's
 * INGEST_SCOPE): the grants an operator gives (handoffd grant), and the
 * scope they make, which fails closed.
 */
#include <stdlib.h>

#include "pg_internal.h"
#include "uuid.h"

_Static_assert(GRANT_ACCOUNT == 0 && GRANT_PLATFORM == 1, "grant_kind values in SQL");

/* "The chat $1 is in the scope of the ingest account $2": the account
 * created it, or was granted its creator or its platform label. Chats from
 * before v1.1 have no source, so no ingest account sees them. A grant's
 * source is text (an account's id, or a label): ids compare as text, in
 * the form PostgreSQL gives a uuid, the one pg_grant stores. */
#define INGEST_SCOPE_SQL                                                                     \
	"SELECT EXISTS (SELECT 1 FROM chats c WHERE c.id = $1 AND (c.source_account_id = $2" \
	" OR EXISTS (SELECT 1 FROM ingest_grants g WHERE g.account_id = $2"                  \
	" AND ((g.kind = 0 AND g.source = c.source_account_id::text)"                        \
	" OR (g.kind = 1 AND g.source = c.source_platform)))))"

bool pg_ingest_may_see(PGconn *conn, const char *ingest_id, const char *chat_id)
{
	const char *params[] = {chat_id, ingest_id};

	/* Neither can be anything but a uuid; PostgreSQL would refuse to
	 * compare another string with the columns. */
	if (!uuid_valid(chat_id) || !uuid_valid(ingest_id))
		return false;
	PGresult *r = pg_query(conn, INGEST_SCOPE_SQL, 2, params, "look at an ingest's scope",
			       NULL);
	bool yes = r && PQntuples(r) == 1 && PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	return yes;
}

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
