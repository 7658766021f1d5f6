/*
 * pg_owners.c — a customer (owner) and their chats on PostgreSQL, for the
 * console's details panel: db_owner_get's meaning (see db.h, db_owners.c).
 */
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"
#include "uuid.h"

static bool owner_load(PGconn *conn, const char *owner_id, struct owner_details *d,
		       struct api_error *err)
{
	const char *params[] = {owner_id};
	struct errbuf why;
	bool ok = true;

	/* Every id the hub made is a v4 uuid; anything else names nobody,
	 * and would be a type error to PostgreSQL, not a 404. */
	if (!uuid_valid(owner_id))
		return api_error_set(err, API_RESOURCE_NOT_FOUND, "no owner with id %s", owner_id);
	PGresult *r = pg_query(conn, "SELECT external_id, name, email, phone FROM owners"
				     " WHERE id = $1",
			       1, params, "read an owner", &why);
	if (!r)
		return pg_api_fail(err, &why);
	bool found = PQntuples(r) == 1;
	if (found) {
		memcpy(d->owner.id, owner_id, sizeof d->owner.id);
		d->owner.external_id = pg_col_str(r, 0, 0, &ok);
		d->owner.name = pg_col_str(r, 0, 1, &ok);
		d->owner.email = pg_col_str(r, 0, 2, &ok);
		d->phone = pg_col_str(r, 0, 3, &ok);
	}
	PQclear(r);
	if (!found)
		return api_error_set(err, API_RESOURCE_NOT_FOUND, "no owner with id %s", owner_id);
	return ok || api_error_set(err, API_INTERNAL, "out of memory");
}

/* The ids first (the index chats_owner walks them in order), then the
 * chats as pg_chats_load reads them, in one statement. */
static bool owner_chats(PGconn *conn, struct owner_details *d, struct api_error *err)
{
	char max[PG_INT_LEN];
	const char *params[] = {d->owner.id, pg_int(OWNER_CHATS_MAX, max)};
	uuid_str ids[OWNER_CHATS_MAX];
	struct errbuf why;
	size_t n = 0;

	PGresult *r = pg_query(conn, "SELECT id FROM chats WHERE owner_id = $1"
				     " ORDER BY recent_key DESC, id DESC LIMIT $2",
			       2, params, "list an owner's chats", &why);
	if (!r)
		return pg_api_fail(err, &why);
	for (int i = 0; i < PQntuples(r) && n < OWNER_CHATS_MAX; i++)
		pg_col_uuid(r, i, 0, ids[n++]);
	PQclear(r);
	if (n && !(d->chats = calloc(n, sizeof *d->chats)))
		return api_error_set(err, API_INTERNAL, "out of memory");
	if (!pg_chats_load(conn, ids, n, d->chats, err))
		return false;
	d->n = n;
	return true;
}

bool pg_owner_get(PGconn *conn, const char *owner_id, struct owner_details *out,
		  struct api_error *err)
{
	struct owner_details d;
	struct errbuf why;

	memset(&d, 0, sizeof d);
	/* One snapshot for the owner and the chats listed. */
	if (!pg_exec(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", "begin an owner",
		     &why))
		return pg_api_fail(err, &why);
	bool ok = owner_load(conn, owner_id, &d, err) && owner_chats(conn, &d, err);
	if (!pg_finish(conn, ok, "end an owner", &why) && ok)
		ok = pg_api_fail(err, &why);
	if (!ok) {
		owner_details_free(&d);
		return false;
	}
	*out = d;
	return true;
}
