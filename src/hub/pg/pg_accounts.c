/*
 * pg_accounts.c — accounts, their bearer tokens, and agents' capacity on
 * PostgreSQL (see pg.h; the SQLite side is db_accounts.c and
 * db_agents.c).
 *
 * Each operation is one statement, its own transaction, except ensure:
 * "find, else create" read and then written from two hubs at once would
 * create the account twice, and no unique index can refuse the second
 * (names are not unique: `handoffd agent add` may reuse one). So ensure
 * first takes a transaction-scoped advisory lock on the name and role:
 * a second ensure of that name waits until the first has committed, and
 * its SELECT, a new snapshot under READ COMMITTED, then finds the account.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"

/* Agents and supervisors are every role but ingest (role <> 2 below). */
_Static_assert(ACCOUNT_INGEST == 2, "account_role value in SQL");

/* Columns id, name, email, role[, held chats, capacity] of row `row`. */
static bool agent_from_row(const PGresult *res, int row, bool with_count, struct agent *a)
{
	memset(a, 0, sizeof *a);
	snprintf(a->id, sizeof a->id, "%s", PQgetvalue(res, row, 0));
	a->name = strdup(PQgetvalue(res, row, 1));
	a->email = PQgetisnull(res, row, 2) ? NULL : strdup(PQgetvalue(res, row, 2));
	a->role = (enum account_role)atoi(PQgetvalue(res, row, 3));
	a->active_chats = with_count ? strtoll(PQgetvalue(res, row, 4), NULL, 10) : -1;
	a->capacity = with_count ? strtoll(PQgetvalue(res, row, 5), NULL, 10) : 0;
	if (a->name && (a->email || PQgetisnull(res, row, 2)))
		return true;
	agent_free(a);
	return false;
}

/* The first account a query (already run) found, in *out: *found says
 * whether there was one. */
static bool first_account(const PGresult *res, struct agent *out, bool *found,
			  struct errbuf *err)
{
	*found = PQntuples(res) > 0;
	return !*found || agent_from_row(res, 0, false, out) ||
	       errbuf_set(err, "postgresql: out of memory");
}

bool pg_authenticate(PGconn *conn, const char *token, struct agent *out)
{
	char hash[TOKEN_HASH_HEXLEN + 1];
	bool found = false;

	if (!token || !token_hash(token, hash))
		return false;
	const char *params[] = {hash};
	PGresult *res = pg_query(conn, "SELECT id, name, email, role FROM accounts"
				       " WHERE token_hash = $1",
				 1, params, "authenticate", NULL);
	bool ok = res && first_account(res, out, &found, NULL);
	PQclear(res);
	return ok && found;
}

bool pg_account_add(PGconn *conn, const char *name, const char *email, enum account_role role,
		    char token[TOKEN_STRLEN + 1], struct agent *out, struct errbuf *err)
{
	char secret[TOKEN_STRLEN + 1], hash[TOKEN_HASH_HEXLEN + 1];
	char role_text[PG_INT_LEN], now[PG_INT_LEN];
	uuid_str id;
	bool found = false;

	if (!name || !*name)
		return errbuf_set(err, "name: must not be empty");
	if (!token_new(secret, hash, err))
		return false;
	if (!uuid_generate(id, err))
		return false;
	const char *params[] = {id, name, email, pg_int(role, role_text), hash,
				pg_int(ts_now(), now)};
	/* The account comes back as stored, so *out is what a lookup finds. */
	PGresult *res = pg_query(conn,
				 "INSERT INTO accounts (id, name, email, role, token_hash,"
				 " created_at) VALUES ($1, $2, $3, $4, $5, $6)"
				 " RETURNING id, name, email, role",
				 6, params, "add an account", err);
	if (!res)
		return false;
	bool ok = first_account(res, out, &found, err) &&
		  (found || errbuf_set(err, "postgresql: add an account: no row came back"));
	PQclear(res);
	if (ok)
		memcpy(token, secret, sizeof secret);
	return ok;
}

/* The oldest account called params[0] with role params[1]. */
static bool oldest_account(PGconn *conn, const char *const params[2], struct agent *out,
			   bool *found, struct errbuf *err)
{
	PGresult *res = pg_query(conn,
				 "SELECT id, name, email, role FROM accounts WHERE name = $1"
				 " AND role = $2 ORDER BY created_at, id LIMIT 1",
				 2, params, "look accounts up", err);
	bool ok = res && first_account(res, out, found, err);
	PQclear(res);
	return ok;
}

bool pg_account_ensure(PGconn *conn, const char *name, enum account_role role,
		       struct agent *out, struct errbuf *err)
{
	char role_text[PG_INT_LEN], token[TOKEN_STRLEN + 1];
	const char *params[] = {name, pg_int(role, role_text)};
	PGresult *res = NULL;
	bool found = false;

	/* Our COMMIT would end a caller's transaction, and its work with it. */
	if (PQtransactionStatus(conn) != PQTRANS_IDLE)
		return errbuf_set(err,
				  "postgresql: ensure an account: called inside a transaction");
	/* The key is the name's hash, seeded with the role: names that
	 * collide only wait for each other a moment, which is harmless. */
	bool ok = pg_exec(conn, "BEGIN", "ensure an account", err) &&
		  (res = pg_query(conn, "SELECT pg_advisory_xact_lock(hashtextextended($1, $2))", 2,
				  params, "lock an account's name", err)) &&
		  oldest_account(conn, params, out, &found, err);
	PQclear(res);
	bool filled = ok && found;
	/* Nobody signs in with this token: whoever needs one makes an account
	 * of their own with `handoffd agent add`. */
	if (ok && !found)
		filled = ok = pg_account_add(conn, name, NULL, role, token, out, err);
	ok = pg_finish(conn, ok, "ensure an account", err);
	if (!ok && filled)
		agent_free(out);
	return ok;
}

/* A database error as the protocol's 500. */
/* Agents and supervisors with their held chats and capacity; $1 is the
 * default capacity, $2 an id or NULL for all. Names are ordered bytewise
 * (COLLATE "C"), as SQLite orders them, whatever the database's locale. */
#define AGENTS_SELECT                                                                \
	"SELECT a.id, a.name, a.email, a.role, (SELECT count(*) FROM chats c"        \
	" WHERE c.responder_id = a.id), coalesce(a.capacity, $1::bigint)"            \
	" FROM accounts a WHERE a.role <> 2 AND ($2::uuid IS NULL OR a.id = $2::uuid)" \
	" ORDER BY a.name COLLATE \"C\", a.id"

static bool agents_query(PGconn *conn, int64_t default_capacity, const char *id,
			 struct agent **out, size_t *n, struct api_error *err)
{
	char capacity[PG_INT_LEN];
	const char *params[] = {pg_int(default_capacity, capacity), id};
	struct errbuf why;
	PGresult *res = pg_query(conn, AGENTS_SELECT, 2, params, "list the agents", &why);

	if (!res)
		return pg_api_fail(err, &why);
	size_t rows = (size_t)PQntuples(res), count = 0;
	struct agent *list = rows ? calloc(rows, sizeof *list) : NULL;
	bool ok = !rows || list;
	while (ok && count < rows) {
		ok = agent_from_row(res, (int)count, true, &list[count]);
		count += ok;
	}
	PQclear(res);
	if (!ok) {
		for (size_t i = 0; i < count; i++)
			agent_free(&list[i]);
		free(list);
		return api_error_set(err, API_INTERNAL, "out of memory");
	}
	*out = list;
	*n = count;
	return true;
}

bool pg_agents_list(PGconn *conn, int64_t default_capacity, struct agent **out, size_t *n,
		    struct api_error *err)
{
	return agents_query(conn, default_capacity, NULL, out, n, err);
}

bool pg_agent_get(PGconn *conn, int64_t default_capacity, const char *id, struct agent *out,
		  struct api_error *err)
{
	struct agent *list = NULL;
	size_t n = 0;

	/* No account has an id that is not a uuid, and PostgreSQL would
	 * refuse to compare one with its uuid column: not found. */
	if (!uuid_valid(id))
		return api_error_set(err, API_RESOURCE_NOT_FOUND, "no agent with id %s", id);
	if (!agents_query(conn, default_capacity, id, &list, &n, err))
		return false;
	return agents_take_single(list, n, out) ||
	       api_error_set(err, API_RESOURCE_NOT_FOUND, "no agent with id %s", id);
}

bool pg_agent_set_capacity(PGconn *conn, const char *id, int64_t capacity, struct agent *out,
			   struct api_error *err)
{
	char capacity_text[PG_INT_LEN];
	const char *params[] = {id, pg_int(capacity, capacity_text)};
	struct errbuf why;

	if (!uuid_valid(id))
		return api_error_set(err, API_RESOURCE_NOT_FOUND, "no agent with id %s", id);
	/* The change and the agent as it leaves it, in one statement: no other
	 * writer's capacity can come in between. */
	PGresult *res = pg_query(conn,
				 "WITH u AS (UPDATE accounts SET capacity = $2 WHERE id = $1"
				 " AND role <> 2 RETURNING id, name, email, role, capacity)"
				 " SELECT u.id, u.name, u.email, u.role, (SELECT count(*)"
				 " FROM chats c WHERE c.responder_id = u.id), u.capacity FROM u",
				 2, params, "set an agent's capacity", &why);
	if (!res)
		return pg_api_fail(err, &why);
	bool ok = PQntuples(res) == 1 ||
		  api_error_set(err, API_RESOURCE_NOT_FOUND, "no agent with id %s", id);
	ok = ok && (agent_from_row(res, 0, true, out) ||
		    api_error_set(err, API_INTERNAL, "out of memory"));
	PQclear(res);
	return ok;
}
