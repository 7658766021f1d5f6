/*
 * storage_pg.h — the PostgreSQL back end's storage table (storage.h).
 */
#ifndef HANDOFF_HUB_STORAGE_PG_H
#define HANDOFF_HUB_STORAGE_PG_H

#include "storage.h"

/* A handle on the database a --db target names (pg_target_claims):
 * connected and migrated as pg_open does; *found gets the schema version
 * it had. NULL, said in err (never with a password), when it cannot be. */
struct storage *storage_pg_open(const char *target, const struct storage_settings *set,
				int *found, struct errbuf *err);

#endif
