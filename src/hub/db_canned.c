/*
 * db_canned.c — canned replies (see db.h). They are not chats: no event,
 * no version; a console reads the list when its picker opens.
 */
#include <stdlib.h>
#include <string.h>

#include "canned.h"
#include "db_internal.h"

#define CANNED_COLUMNS "id, name, text, owner_id, created_at"

static bool canned_from_row(sqlite3_stmt *st, struct canned *r)
{
	bool ok = true;

	memset(r, 0, sizeof *r);
	col_uuid(st, 0, r->id);
	r->name = col_strdup(st, 1, &ok);
	r->text = col_strdup(st, 2, &ok);
	col_uuid(st, 3, r->owner_id);
	r->shared = r->owner_id[0] == '\0';
	r->created_at = sqlite3_column_int64(st, 4);
	if (!ok || !r->name || !r->text) {
		canned_free(r);
		return false;
	}
	return true;
}

bool db_canned_list(struct db *db, const struct agent *me, struct canned **out, size_t *n,
		    struct api_error *err)
{
	struct canned *list = NULL;
	size_t count = 0, cap = 0;
	int rc = SQLITE_DONE;

	if (!db_begin_read(db, err))
		return false;
	sqlite3_stmt *st = db_query(db,
				    "SELECT " CANNED_COLUMNS " FROM canned_replies"
				    " WHERE owner_id IS NULL OR owner_id = ?"
				    " ORDER BY name, owner_id IS NOT NULL, id",
				    ARGS(ARG_T(me->id)), err);
	bool ok = st != NULL;
	while (ok && (rc = db_step(db, st, err)) == SQLITE_ROW) {
		if (count == cap) {
			cap = cap ? cap * 2 : 16;
			struct canned *grown = realloc(list, cap * sizeof *list);
			if (!grown) {
				ok = db_oom(err);
				break;
			}
			list = grown;
		}
		ok = canned_from_row(st, &list[count]) || db_oom(err);
		count += ok;
	}
	ok = ok && rc == SQLITE_DONE;
	db_release(db, st);
	if (!db_finish(db, ok, err)) {
		for (size_t i = 0; i < count; i++)
			canned_free(&list[i]);
		free(list);
		return false;
	}
	*out = list;
	*n = count;
	return true;
}

/* The reply `id` as `me` may see it; *found false for none or another's. */
static bool canned_load(struct db *db, const struct agent *me, const char *id, struct canned *out,
			bool *found, struct api_error *err)
{
	sqlite3_stmt *st = db_query(db,
				    "SELECT " CANNED_COLUMNS " FROM canned_replies WHERE id = ?"
				    " AND (owner_id IS NULL OR owner_id = ?)",
				    ARGS(ARG_T(id), ARG_T(me->id)), err);

	if (!st)
		return false;
	int rc = db_step(db, st, err);
	*found = rc == SQLITE_ROW;
	bool ok = rc == SQLITE_DONE || (rc == SQLITE_ROW && (canned_from_row(st, out) ||
							     db_oom(err)));
	db_release(db, st);
	return ok;
}

bool db_canned_add(struct db *db, const struct agent *me, const char *name, const char *text,
		   bool shared, struct canned *out, struct api_error *err)
{
	struct canned r = {.shared = shared, .created_at = ts_now()};
	const char *owner = shared ? NULL : me->id;
	struct errbuf why;
	int64_t taken = 0;
	bool found = false;

	if (!uuid_generate(r.id, &why))
		return api_error_set(err, API_INTERNAL, "%s", why.msg);
	if (!db_begin_write(db, err))
		return false;
	/* Checked inside the write transaction, so no other writer can take
	 * the name between the check and the insert. */
	bool ok = db_get_int(db,
			     "SELECT 1 FROM canned_replies WHERE coalesce(owner_id, '') = ?"
			     " AND name = ?",
			     ARGS(ARG_T(owner ? owner : ""), ARG_T(name)), &taken, &found, err);
	if (ok && found)
		ok = api_error_set(err, API_CONFLICT, "there is already a %s reply called %s",
				   shared ? "shared" : "personal", name);
	ok = ok && db_run(db,
			  "INSERT INTO canned_replies (id, name, text, owner_id, created_by,"
			  " created_at) VALUES (?, ?, ?, ?, ?, ?)",
			  ARGS(ARG_T(r.id), ARG_T(name), ARG_T(text), ARG_T(owner), ARG_T(me->id),
			       ARG_I(r.created_at)),
			  NULL, err);
	if (!db_finish(db, ok, err))
		return false;
	r.name = strdup(name);
	r.text = strdup(text);
	if (!r.name || !r.text) {
		canned_free(&r);
		return db_oom(err);
	}
	if (owner)
		memcpy(r.owner_id, owner, sizeof r.owner_id);
	*out = r;
	return true;
}

bool db_canned_remove(struct db *db, const struct agent *me, const char *id, struct canned *out,
		      struct api_error *err)
{
	struct canned r = {0};
	bool found = false;

	if (!db_begin_write(db, err))
		return false;
	bool ok = canned_load(db, me, id, &r, &found, err);
	if (ok && !found)
		ok = api_error_set(err, API_RESOURCE_NOT_FOUND, "no reply with id %s", id);
	else if (ok && r.shared && me->role != ACCOUNT_SUPERVISOR)
		ok = api_error_set(err, API_FORBIDDEN, "only a supervisor may remove a shared reply");
	ok = ok && db_run(db, "DELETE FROM canned_replies WHERE id = ?", ARGS(ARG_T(id)), NULL, err);
	if (!db_finish(db, ok, err)) {
		canned_free(&r);
		return false;
	}
	*out = r;
	return true;
}
