/*
 * pg_canned.c — canned replies on PostgreSQL (see pg.h; SQLite's are
 * db_canned.c). They are not chats: no event, no version.
 *
 * Each operation is one statement, so nothing is decided in C that another
 * hub could change meanwhile: a name is taken by the INSERT that the unique
 * indexes canned_replies_shared and canned_replies_own let in or not (of
 * two adds of one name at once, one goes in, the other waits for it and
 * gets 409), and a removal is the DELETE that returns the row it removed.
 */
#include <stdlib.h>
#include <string.h>

#include "canned.h"
#include "pg_internal.h"
#include "timeutil.h"
#include "uuid.h"

#define CANNED_COLUMNS "id, name, text, owner_id, created_at"

static bool canned_from_row(const PGresult *r, int row, struct canned *c)
{
	bool ok = true;

	memset(c, 0, sizeof *c);
	pg_col_uuid(r, row, 0, c->id);
	c->name = pg_col_str(r, row, 1, &ok);
	c->text = pg_col_str(r, row, 2, &ok);
	pg_col_uuid(r, row, 3, c->owner_id);
	c->shared = c->owner_id[0] == '\0';
	c->created_at = pg_col_int(r, row, 4);
	if (!ok || !c->name || !c->text) {
		canned_free(c);
		return false;
	}
	return true;
}

bool pg_canned_list(PGconn *conn, const struct agent *me, struct canned **out, size_t *n,
		    struct api_error *err)
{
	const char *params[] = {me->id};
	struct errbuf why;
	/* Names bytewise, as SQLite orders them; the shared one first on a tie. */
	PGresult *r = pg_query(conn,
			       "SELECT " CANNED_COLUMNS " FROM canned_replies"
			       " WHERE owner_id IS NULL OR owner_id = $1"
			       " ORDER BY name COLLATE \"C\", owner_id IS NOT NULL, id",
			       1, params, "list canned replies", &why);
	if (!r)
		return pg_api_fail(err, &why);
	size_t rows = (size_t)PQntuples(r), count = 0;
	struct canned *list = rows ? calloc(rows, sizeof *list) : NULL;
	bool ok = !rows || list;
	while (ok && count < rows) {
		ok = canned_from_row(r, (int)count, &list[count]);
		count += ok;
	}
	PQclear(r);
	if (!ok) {
		for (size_t i = 0; i < count; i++)
			canned_free(&list[i]);
		free(list);
		return api_error_set(err, API_INTERNAL, "out of memory");
	}
	*out = list;
	*n = count;
	return true;
}

bool pg_canned_add(PGconn *conn, const struct agent *me, const char *name, const char *text,
		   bool shared, struct canned *out, struct api_error *err)
{
	char now[PG_INT_LEN];
	struct errbuf why;
	uuid_str id;

	if (!uuid_generate(id, &why))
		return api_error_set(err, API_INTERNAL, "%s", why.msg);
	const char *params[] = {id, name, text, shared ? NULL : me->id, me->id,
				pg_int(ts_now(), now)};
	/* A name taken among the shared, or among me's own, is a unique
	 * index's conflict: no row comes back. */
	PGresult *r = pg_query(conn,
			       "INSERT INTO canned_replies (id, name, text, owner_id, created_by,"
			       " created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING"
			       " RETURNING " CANNED_COLUMNS,
			       6, params, "add a canned reply", &why);
	if (!r)
		return pg_api_fail(err, &why);
	bool ok = PQntuples(r) == 1 ||
		  api_error_set(err, API_CONFLICT, "there is already a %s reply called %s",
				shared ? "shared" : "personal", name);
	ok = ok && (canned_from_row(r, 0, out) ||
		    api_error_set(err, API_INTERNAL, "out of memory"));
	PQclear(r);
	return ok;
}

/* Why `me` removed nothing of `id`: none that me may see (404), or a
 * shared one and me no supervisor (403). */
static bool why_not_removed(PGconn *conn, const struct agent *me, const char *id,
			    struct api_error *err)
{
	const char *params[] = {id};
	struct errbuf why;
	PGresult *r = pg_query(conn,
			       "SELECT 1 FROM canned_replies WHERE id = $1 AND owner_id IS NULL",
			       1, params, "look a canned reply up", &why);

	if (!r)
		return pg_api_fail(err, &why);
	bool shared = PQntuples(r) == 1;
	PQclear(r);
	if (shared && me->role != ACCOUNT_SUPERVISOR)
		return api_error_set(err, API_FORBIDDEN,
				     "only a supervisor may remove a shared reply");
	return api_error_set(err, API_RESOURCE_NOT_FOUND, "no reply with id %s", id);
}

bool pg_canned_remove(PGconn *conn, const struct agent *me, const char *id, struct canned *out,
		      struct api_error *err)
{
	const char *params[] = {id, me->id, me->role == ACCOUNT_SUPERVISOR ? "true" : "false"};
	struct errbuf why;

	/* No reply has an id that is not a uuid; PostgreSQL would refuse to
	 * compare one with the column. */
	if (!uuid_valid(id))
		return api_error_set(err, API_RESOURCE_NOT_FOUND, "no reply with id %s", id);
	/* Me's own, or a shared one when me is a supervisor; another agent's
	 * personal reply is never touched. */
	PGresult *r = pg_query(conn,
			       "DELETE FROM canned_replies WHERE id = $1 AND (owner_id = $2"
			       " OR (owner_id IS NULL AND $3::boolean)) RETURNING " CANNED_COLUMNS,
			       3, params, "remove a canned reply", &why);
	if (!r)
		return pg_api_fail(err, &why);
	bool removed = PQntuples(r) == 1;
	bool ok = removed && canned_from_row(r, 0, out);
	PQclear(r);
	if (!removed)
		return why_not_removed(conn, me, id, err);
	return ok || api_error_set(err, API_INTERNAL, "out of memory");
}
