/*
 * backend.h — the storage back ends handoffd runs on, and which one a
 * --db target names: a PostgreSQL URI (postgresql://, postgres://) or a
 * "postgres:" conninfo string is PostgreSQL's; anything else is a SQLite
 * file, the default.
 *
 * One row per back end (backend.c), looked up by the target, as tmux
 * looks up a command: handoffd's subcommands ask the row, never the
 * target's spelling.
 */
#ifndef HANDOFF_HUB_BACKEND_H
#define HANDOFF_HUB_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#include "errbuf.h"
#include "storage.h"

struct backend {
	/* As operators see it named: migrate's answer, the hub's start line,
	 * GET /v1/health. */
	const char *name;
	/* Does `target` name a database of this back end? */
	bool (*claims)(const char *target);
	/* Bring the target's schema up to this handoffd's: *found gets the
	 * version it had (0: a new database), *version the one it has now. */
	bool (*migrate)(const char *target, int *found, int *version, struct errbuf *err);
	/* The target as it may be logged and shown: without a password. */
	void (*display)(const char *target, char *out, size_t len);
	/* Open the target for the hub, `agent add` and `grant` (found: as
	 * migrate's); NULL while the back end holds only its schema. */
	struct storage *(*open)(const char *target, const struct storage_settings *set,
				int *found, struct errbuf *err);
};

/* The back end `target` names (never NULL: SQLite takes what no other
 * claims). */
const struct backend *backend_for(const char *target);

/* "database TARGET: schema 15 (was 9), backend sqlite", the target
 * without its password: the line `handoffd migrate` answers and the hub
 * logs when it starts. */
void backend_describe(const struct backend *b, const char *target, int found, int version,
		      char *out, size_t len);

#endif
