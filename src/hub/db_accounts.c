/*
 * db_accounts.c — accounts and their bearer tokens (see db.h; how tokens
 * are made and why a hash is enough: token.h).
 */
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"

/* id, name, email, role[, active chats, capacity] */
static bool agent_from_row(sqlite3_stmt *st, bool with_count, struct agent *a)
{
	bool ok = true;

	memset(a, 0, sizeof *a);
	col_uuid(st, 0, a->id);
	a->name = col_strdup(st, 1, &ok);
	a->email = col_strdup(st, 2, &ok);
	a->role = sqlite3_column_int(st, 3);
	a->active_chats = with_count ? sqlite3_column_int64(st, 4) : -1;
	a->capacity = with_count ? sqlite3_column_int64(st, 5) : 0;
	if (!ok)
		agent_free(a);
	return ok;
}

/* The one account `sql` (one parameter) finds. */
static bool account_query(struct db *db, const char *sql, const char *param, struct agent *out,
			  bool *found, struct api_error *err)
{
	sqlite3_stmt *st = db_query(db, sql, ARGS(ARG_T(param)), err);

	if (!st)
		return false;
	int rc = db_step(db, st, err);
	*found = rc == SQLITE_ROW;
	bool ok = rc == SQLITE_DONE || (rc == SQLITE_ROW && (agent_from_row(st, false, out) ||
							     db_oom(err)));
	db_release(db, st);
	return ok;
}

bool account_load(struct db *db, const char *id, struct agent *out, bool *found,
		  struct api_error *err)
{
	return account_query(db, "SELECT id, name, email, role FROM accounts WHERE id = ?", id, out,
			     found, err);
}

bool db_authenticate(struct db *db, const char *token, struct agent *out)
{
	char hash[TOKEN_HASH_HEXLEN + 1];
	struct api_error err;
	bool found = false;

	if (!token || !token_hash(token, hash))
		return false;
	return account_query(db, "SELECT id, name, email, role FROM accounts WHERE token_hash = ?",
			     hash, out, &found, &err) &&
	       found;
}

bool db_account_add(struct db *db, const char *name, const char *email, enum account_role role,
		    char token[TOKEN_STRLEN + 1], struct agent *out, struct errbuf *err)
{
	char secret[TOKEN_STRLEN + 1], hash[TOKEN_HASH_HEXLEN + 1];
	struct agent a = {.role = role, .active_chats = -1};
	struct api_error aerr;
	struct errbuf why;

	if (!name || !*name)
		return errbuf_set(err, "name: must not be empty");
	if (!token_new(secret, hash, err))
		return false;
	if (!uuid_generate(a.id, &why))
		return errbuf_set(err, "%s", why.msg);
	a.name = strdup(name);
	a.email = email ? strdup(email) : NULL;
	if (!a.name || (email && !a.email)) {
		agent_free(&a);
		return errbuf_set(err, "out of memory");
	}
	bool ok = db_begin_write(db, &aerr) &&
		  db_run(db,
			 "INSERT INTO accounts (id, name, email, role, token_hash, created_at)"
			 " VALUES (?, ?, ?, ?, ?, ?)",
			 ARGS(ARG_T(a.id), ARG_T(name), ARG_T(email), ARG_I(role), ARG_T(hash),
			      ARG_I(ts_now())),
			 NULL, &aerr);
	if (!db_finish(db, ok, &aerr)) {
		agent_free(&a);
		return errbuf_set(err, "cannot add the account: %s", aerr.description);
	}
	memcpy(token, secret, sizeof secret);
	*out = a;
	return true;
}

bool db_account_ensure(struct db *db, const char *name, enum account_role role,
		       struct agent *out, struct errbuf *err)
{
	struct api_error aerr;
	sqlite3_stmt *st = db_query(db,
				    "SELECT id, name, email, role FROM accounts"
				    " WHERE name = ? AND role = ? ORDER BY created_at LIMIT 1",
				    ARGS(ARG_T(name), ARG_I(role)), &aerr);

	if (!st)
		return errbuf_set(err, "cannot look accounts up: %s", aerr.description);
	int rc = db_step(db, st, &aerr);
	bool ok = rc == SQLITE_ROW && agent_from_row(st, false, out);
	db_release(db, st);
	if (ok)
		return true;
	if (rc != SQLITE_DONE)
		return errbuf_set(err, "cannot look accounts up: %s", aerr.description);

	/* Nobody signs in with this token: whoever needs one makes an account
	 * of their own with `handoffd agent add`. */
	char token[TOKEN_STRLEN + 1];
	return db_account_add(db, name, NULL, role, token, out, err);
}

/* Agents and supervisors as /v1/agents shows them, with their held chats
 * and capacity; ?1 is the default capacity, ?2 an id or NULL for all. */
#define AGENTS_SELECT                                                              \
	"SELECT a.id, a.name, a.email, a.role, (SELECT count(*) FROM chats c"      \
	" WHERE c.responder_id = a.id), coalesce(a.capacity, ?1) FROM accounts a"  \
	" WHERE a.role <> 2 AND (?2 IS NULL OR a.id = ?2) ORDER BY a.name, a.id"

static bool agents_query(struct db *db, const char *id, struct agent **out, size_t *n,
			 struct api_error *err)
{
	struct agent *list = NULL;
	size_t count = 0, cap = 0;
	int rc = SQLITE_DONE;

	if (!db_begin_read(db, err))
		return false;
	sqlite3_stmt *st = db_query(db, AGENTS_SELECT,
				    ARGS(ARG_I(db->default_capacity), ARG_T(id)), err);
	bool ok = st != NULL;
	while (ok && (rc = db_step(db, st, err)) == SQLITE_ROW) {
		if (count == cap) {
			cap = cap ? cap * 2 : 8;
			struct agent *grown = realloc(list, cap * sizeof *list);
			if (!grown) {
				ok = db_oom(err);
				break;
			}
			list = grown;
		}
		ok = agent_from_row(st, true, &list[count]) || db_oom(err);
		count += ok;
	}
	ok = ok && rc == SQLITE_DONE;
	db_release(db, st);
	if (!db_finish(db, ok, err)) {
		for (size_t i = 0; i < count; i++)
			agent_free(&list[i]);
		free(list);
		return false;
	}
	*out = list;
	*n = count;
	return true;
}

bool db_agents_list(struct db *db, struct agent **out, size_t *n, struct api_error *err)
{
	return agents_query(db, NULL, out, n, err);
}

bool db_agent_get(struct db *db, const char *id, struct agent *out, struct api_error *err)
{
	struct agent *list = NULL;
	size_t n = 0;

	if (!agents_query(db, id, &list, &n, err))
		return false;
	return agents_take_single(list, n, out) ||
	       api_error_set(err, API_RESOURCE_NOT_FOUND, "no agent with id %s", id);
}
