/*
 * db_owners.c — a customer (owner) and their chats, for the console's
 * details panel: GET /v1/owners/{id} (see db.h).
 */
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"

static bool owner_load(struct db *db, const char *owner_id, struct owner_details *d,
		       struct api_error *err)
{
	sqlite3_stmt *st = db_query(db, "SELECT external_id, name, email, phone FROM owners"
					" WHERE id = ?",
				    ARGS(ARG_T(owner_id)), err);
	bool ok = true;

	if (!st)
		return false;
	int rc = db_step(db, st, err);
	if (rc == SQLITE_ROW) {
		memcpy(d->owner.id, owner_id, sizeof d->owner.id);
		d->owner.external_id = col_strdup(st, 0, &ok);
		d->owner.name = col_strdup(st, 1, &ok);
		d->owner.email = col_strdup(st, 2, &ok);
		d->phone = col_strdup(st, 3, &ok);
	}
	db_release(db, st);
	if (rc == SQLITE_DONE)
		return api_error_set(err, API_RESOURCE_NOT_FOUND, "no owner with id %s", owner_id);
	return rc == SQLITE_ROW && (ok || db_oom(err));
}

/* The ids first (the index chats_owner walks them in order), then each
 * chat as chat_load reads it everywhere else. */
static bool owner_chats(struct db *db, struct owner_details *d, struct api_error *err)
{
	uuid_str ids[OWNER_CHATS_MAX];
	size_t n = 0;
	int rc;

	sqlite3_stmt *st = db_query(db, "SELECT id FROM chats WHERE owner_id = ?"
					" ORDER BY recent_key DESC, id DESC LIMIT ?",
				    ARGS(ARG_T(d->owner.id), ARG_I(OWNER_CHATS_MAX)), err);
	if (!st)
		return false;
	while ((rc = db_step(db, st, err)) == SQLITE_ROW && n < OWNER_CHATS_MAX)
		col_uuid(st, 0, ids[n++]);
	db_release(db, st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return false;
	if (n && !(d->chats = calloc(n, sizeof *d->chats)))
		return db_oom(err);
	for (; d->n < n; d->n++)
		if (!chat_load(db, ids[d->n], &d->chats[d->n], err))
			return false;
	return true;
}

bool db_owner_get(struct db *db, const char *owner_id, struct owner_details *out,
		  struct api_error *err)
{
	struct owner_details d;

	memset(&d, 0, sizeof d);
	if (!db_begin_read(db, err))
		return false;
	bool ok = owner_load(db, owner_id, &d, err) && owner_chats(db, &d, err);
	if (!db_finish(db, ok, err)) {
		owner_details_free(&d);
		return false;
	}
	*out = d;
	return true;
}
