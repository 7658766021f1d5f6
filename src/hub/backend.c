/*
 * backend.c — the table of storage back ends (backend.h).
 */
#include <stdio.h>

#include "backend.h"
#include "db.h"
#include "pg.h"
#include "storage_pg.h"

/* ---- SQLite: a file path ------------------------------------------------ */

static bool sqlite_claims(const char *target)
{
	(void)target;
	return true;
}

static bool sqlite_migrate(const char *target, int *found, int *version, struct errbuf *err)
{
	struct db *db = db_open(target, err);

	if (!db)
		return false;
	*found = db_schema_found(db);
	*version = DB_SCHEMA_VERSION;
	db_close(db);
	return true;
}

static void sqlite_display(const char *target, char *out, size_t len)
{
	snprintf(out, len, "%s", target);
}

/* ---- PostgreSQL: a URI or a "postgres:" conninfo ------------------------- */

static bool pg_migrate(const char *target, int *found, int *version, struct errbuf *err)
{
	struct pg *pg = pg_open(pg_target_conninfo(target), err);

	if (!pg)
		return false;
	*found = pg_schema_found(pg);
	*version = PG_SCHEMA_VERSION;
	pg_close(pg);
	return true;
}

/* In lookup order: SQLite, which claims every target, comes last. */
static const struct backend backends[] = {
	{"postgresql", pg_target_claims, pg_migrate, pg_target_display, storage_pg_open},
	{DB_BACKEND, sqlite_claims, sqlite_migrate, sqlite_display, storage_sqlite_open},
};

const struct backend *backend_for(const char *target)
{
	size_t i = 0;

	while (!backends[i].claims(target))
		i++;
	return &backends[i];
}

void backend_describe(const struct backend *b, const char *target, int found, int version,
		      char *out, size_t len)
{
	char shown[1024], how[32];

	b->display(target, shown, sizeof shown);
	if (found == 0)
		snprintf(how, sizeof how, "new");
	else if (found == version)
		snprintf(how, sizeof how, "up to date");
	else
		snprintf(how, sizeof how, "was %d", found);
	snprintf(out, len, "database %s: schema %d (%s), backend %s", shown, version, how,
		 b->name);
}
