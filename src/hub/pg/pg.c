/*
 * pg.c — connecting, migrating the schema, statements and errors (see pg.h).
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pg_internal.h"
#include "uuid.h"

struct pg {
	PGconn *conn;
	int schema_found; /* the database's schema version before pg_open migrated it */
};

/* The advisory lock pg_open holds while it reads and migrates the schema.
 * Advisory lock keys are shared by every user of the database, so this one
 * is "handoff" in ASCII (0x68616e646f6666): no one else's by accident. */
#define MIGRATION_LOCK "29380524337227366"

const char *pg_int(int64_t v, char buf[PG_INT_LEN])
{
	snprintf(buf, PG_INT_LEN, "%" PRId64, v);
	return buf;
}

char *pg_uuid_array(const char *const *ids, size_t n)
{
	char *s = malloc(n * (UUID_STRLEN + 1) + 3), *p = s;

	if (!s)
		return NULL;
	*p++ = '{';
	for (size_t i = 0; i < n; i++) {
		const char *id = uuid_valid(ids[i]) ? ids[i] : "NULL";
		size_t len = strlen(id);
		if (i)
			*p++ = ',';
		memcpy(p, id, len);
		p += len;
	}
	*p++ = '}';
	*p = '\0';
	return s;
}

char *pg_text_array(const char *const *v, size_t n)
{
	size_t len = 3;

	for (size_t i = 0; i < n; i++)
		len += 2 * strlen(v[i]) + 3;
	char *out = malloc(len), *p = out;
	if (!out)
		return NULL;
	*p++ = '{';
	for (size_t i = 0; i < n; i++) {
		if (i)
			*p++ = ',';
		*p++ = '"';
		for (const char *c = v[i]; *c; c++) {
			if (*c == '"' || *c == '\\')
				*p++ = '\\';
			*p++ = *c;
		}
		*p++ = '"';
	}
	*p++ = '}';
	*p = '\0';
	return out;
}

char *pg_uuid_array_of(const uuid_str *ids, size_t n)
{
	const char **each = malloc((n ? n : 1) * sizeof *each);

	if (!each)
		return NULL;
	for (size_t i = 0; i < n; i++)
		each[i] = ids[i];
	char *array = pg_uuid_array(each, n);
	free(each);
	return array;
}

bool pg_fail(struct errbuf *err, const char *what, PGconn *conn, const PGresult *res)
{
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char line[ERRBUF_LEN];
	size_t n = 0;
	bool blank = false;

	if (!msg)
		msg = conn ? PQerrorMessage(conn) : "out of memory";
	/* libpq's connection messages span lines ("…failed: FATAL:  database
	 * \"x\" does not exist\n"): one line, each run of blanks one space. */
	for (const char *p = msg; *p && n < sizeof line - 2; p++) {
		if (isspace((unsigned char)*p)) {
			blank = n > 0;
			continue;
		}
		if (blank)
			line[n++] = ' ';
		blank = false;
		line[n++] = *p;
	}
	line[n] = '\0';
	return errbuf_set(err, "postgresql: %s: %s", what, line);
}

bool pg_api_fail(struct api_error *err, const struct errbuf *why)
{
	log_error("%s", why->msg);
	return api_error_set(err, API_INTERNAL, "database error");
}

PGresult *pg_api_query(PGconn *conn, const char *sql, int n, const char *const *values,
		       const char *what, struct api_error *err)
{
	struct errbuf why;
	PGresult *res = pg_query(conn, sql, n, values, what, &why);

	if (!res)
		pg_api_fail(err, &why);
	return res;
}

PGresult *pg_query(PGconn *conn, const char *sql, int n, const char *const *values,
		   const char *what, struct errbuf *err)
{
	PGresult *res = PQexecParams(conn, sql, n, NULL, values, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);

	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return res;
	pg_fail(err, what, conn, res);
	PQclear(res);
	return NULL;
}

bool pg_exec(PGconn *conn, const char *sql, const char *what, struct errbuf *err)
{
	PGresult *res = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(res);
	bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;

	if (!ok)
		pg_fail(err, what, conn, res);
	PQclear(res);
	return ok;
}

bool pg_finish(PGconn *conn, bool ok, const char *what, struct errbuf *err)
{
	if (ok)
		ok = pg_exec(conn, "COMMIT", what, err);
	if (!ok && PQtransactionStatus(conn) != PQTRANS_IDLE)
		pg_exec(conn, "ROLLBACK", what, NULL);
	return ok;
}

int pg_schema_found(const struct pg *pg)
{
	return pg->schema_found;
}

PGconn *pg_conn(struct pg *pg)
{
	return pg->conn;
}

/* The schema version the database has (pg->schema_found): 0 without a
 * schema_version table, and refused when newer than this handoffd knows:
 * its steps cannot be undone here, and writing to a schema it does not
 * know could corrupt it. Reads only, so a refused database is unchanged. */
static bool read_schema(struct pg *pg, struct errbuf *err)
{
	PGresult *res = pg_query(pg->conn, "SELECT to_regclass('schema_version') IS NOT NULL", 0,
				 NULL, "look for the schema version", err);
	if (!res)
		return false;
	bool exists = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	pg->schema_found = 0;
	if (!exists)
		return true;

	res = pg_query(pg->conn, "SELECT version FROM schema_version WHERE id = 1", 0, NULL,
		       "read the schema version", err);
	if (!res)
		return false;
	bool found = PQntuples(res) == 1;
	if (found)
		pg->schema_found = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (!found)
		return errbuf_set(err, "postgresql: table schema_version has no version");
	if (pg->schema_found > PG_SCHEMA_VERSION)
		return errbuf_set(err, "postgresql: schema version %d is newer than this handoffd (%d)",
				  pg->schema_found, PG_SCHEMA_VERSION);
	return true;
}

/* Apply the missing steps, each in its own transaction with its version
 * (step 1 creates schema_version), so an interrupted upgrade resumes where
 * it stopped. */
static bool migrate(struct pg *pg, struct errbuf *err)
{
	for (int v = pg->schema_found; v < PG_SCHEMA_VERSION; v++) {
		char what[64], version[PG_INT_LEN];
		const char *params[] = {pg_int(v + 1, version)};
		PGresult *res = NULL;

		snprintf(what, sizeof what, "migration to schema version %d", v + 1);
		bool ok = pg_exec(pg->conn, "BEGIN", what, err) &&
			  pg_exec(pg->conn, pg_migrations[v], what, err) &&
			  (res = pg_query(pg->conn, "UPDATE schema_version SET version = $1 WHERE id = 1",
					  1, params, what, err)) &&
			  (strcmp(PQcmdTuples(res), "1") == 0 ||
			   errbuf_set(err, "postgresql: %s: schema_version has no row", what));
		PQclear(res);
		if (!pg_finish(pg->conn, ok, what, err))
			return false;
	}
	return true;
}

/* Read and migrate under the advisory lock: a second hub starting now
 * waits here until the first has committed its steps, then finds them
 * done. The lock is the session's, so a hub that dies holding it frees it
 * with its connection. */
static bool locked_migrate(struct pg *pg, struct errbuf *err)
{
	PGresult *res = pg_query(pg->conn, "SELECT pg_advisory_lock(" MIGRATION_LOCK ")", 0, NULL,
				 "lock the schema for migration", err);
	if (!res)
		return false;
	PQclear(res);
	bool ok = read_schema(pg, err) && migrate(pg, err);
	res = pg_query(pg->conn, "SELECT pg_advisory_unlock(" MIGRATION_LOCK ")", 0, NULL,
		       "unlock the schema", ok ? err : NULL);
	bool unlocked = res != NULL;
	PQclear(res);
	return ok && unlocked;
}

struct pg *pg_open(const char *conninfo, struct errbuf *err)
{
	struct pg *pg = calloc(1, sizeof *pg);

	if (!pg) {
		errbuf_set(err, "postgresql: out of memory");
		return NULL;
	}
	/* The conninfo is never part of an error: it may hold a password.
	 * It is expanded after a connect_timeout of our own, so that its own
	 * wins when it has one: without any, libpq would wait on an address
	 * that drops packets for as long as TCP does. */
	const char *const keys[] = {"connect_timeout", "dbname", NULL};
	const char *const values[] = {PG_CONNECT_TIMEOUT_S, conninfo, NULL};
	pg->conn = PQconnectdbParams(keys, values, 1);
	if (PQstatus(pg->conn) != CONNECTION_OK) {
		pg_fail(err, "cannot connect", pg->conn, NULL);
		pg_close(pg);
		return NULL;
	}
	if (PQserverVersion(pg->conn) < PG_SERVER_MIN) {
		const char *v = PQparameterStatus(pg->conn, "server_version");
		errbuf_set(err, "postgresql: the server is version %s; handoffd needs 13 or newer",
			   v ? v : "unknown");
		pg_close(pg);
		return NULL;
	}
	if (!locked_migrate(pg, err)) {
		pg_close(pg);
		return NULL;
	}
	return pg;
}

void pg_close(struct pg *pg)
{
	if (!pg)
		return;
	PQfinish(pg->conn);
	free(pg);
}
