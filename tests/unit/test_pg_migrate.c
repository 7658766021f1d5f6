/*
 * test_pg_migrate.c — pg_open on a real PostgreSQL (pgserver.c): a new
 * database is migrated, an up-to-date one left alone, a newer one refused
 * unchanged, hubs starting at once migrate once, and errors never show
 * the password.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg.h"
#include "pg_fixture.h"

/* PG_SCHEMA_VERSION as the text the database gives back */
#define TEXT_OF(x) #x
#define VERSION_TEXT(x) TEXT_OF(x)
#define SCHEMA_VERSION VERSION_TEXT(PG_SCHEMA_VERSION)

#define CONNINFO_LEN 192

/* The server only: each test makes a database of its own, to migrate. */
static int setup(void **state)
{
	return pgfx_new(state, sizeof(struct pgfx), false) ? 0 : -1;
}

static const struct pgserver *server(void **state)
{
	return ((const struct pgfx *)*state)->server;
}

/* An empty database of the test's own; its conninfo to out. */
static void fresh_db(void **state, const char *name, char out[CONNINFO_LEN])
{
	assert_true(pgserver_create_db(server(state), name, out, CONNINFO_LEN));
}

/* A connection of the test's own, to look at what pg_open did. */
static PGconn *look(const char *conninfo)
{
	PGconn *c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("connect: %s", PQerrorMessage(c));
	return c;
}

static void run(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
}

/* The one value sql returns, as text, into out[64]. */
static void value(PGconn *c, const char *sql, char out[64])
{
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
		fail_msg("%s: %s", sql, PQerrorMessage(c));
	snprintf(out, 64, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
}

/* What the schema is, as a digest: every column of the database's tables
 * with its type, and every index's definition. */
static void schema_digest(PGconn *c, char out[64])
{
	value(c,
	      "SELECT md5(string_agg(x, ';' ORDER BY x)) FROM ("
	      "SELECT table_name || '.' || column_name || ' ' || data_type AS x"
	      " FROM information_schema.columns WHERE table_schema = 'public'"
	      " UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = 'public') s",
	      out);
}

static void expect_text(PGconn *c, const char *sql, const char *want)
{
	char got[64];

	value(c, sql, got);
	if (strcmp(got, want) != 0)
		fail_msg("%s: got %s, want %s", sql, got, want);
}

static void test_a_new_database_is_migrated(void **state)
{
	char conninfo[CONNINFO_LEN];
	struct errbuf err = {""};

	fresh_db(state, "fresh", conninfo);
	struct pg *pg = pg_open(conninfo, &err);
	if (!pg)
		fail_msg("pg_open: %s", err.msg);
	assert_int_equal(pg_schema_found(pg), 0);
	pg_close(pg);

	PGconn *c = look(conninfo);
	expect_text(c, "SELECT version FROM schema_version", SCHEMA_VERSION);
	expect_text(c, "SELECT seq FROM event_seq", "0");
	expect_text(c, "SELECT value FROM meta WHERE key = 'events_floor'", "1");
	/* the tables the protocol's state lives in */
	expect_text(c,
		     "SELECT count(*) FROM unnest(ARRAY['accounts', 'channels', 'owners', 'chats',"
		     " 'messages', 'events', 'ingest_grants', 'canned_replies', 'chat_reads',"
		     " 'platform_daily', 'offers', 'offer_passes']) t WHERE to_regclass(t) IS NULL",
		     "0");
	/* the unique indexes that make retries store nothing */
	expect_text(c,
		     "SELECT count(*) FROM pg_indexes WHERE indexname IN ('messages_client',"
		     " 'messages_external') AND indexdef LIKE 'CREATE UNIQUE INDEX%'",
		     "2");
	PQfinish(c);
}

static void test_an_up_to_date_database_is_left_alone(void **state)
{
	char conninfo[CONNINFO_LEN], digest[64], xmin[64];
	struct errbuf err = {""};

	fresh_db(state, "again", conninfo);
	struct pg *pg = pg_open(conninfo, &err);
	assert_non_null(pg);
	pg_close(pg);
	PGconn *c = look(conninfo);
	schema_digest(c, digest);
	/* the transaction that last wrote the version's row */
	value(c, "SELECT xmin::text FROM schema_version", xmin);

	pg = pg_open(conninfo, &err);
	if (!pg)
		fail_msg("pg_open again: %s", err.msg);
	assert_int_equal(pg_schema_found(pg), PG_SCHEMA_VERSION);
	pg_close(pg);

	char after[64];
	schema_digest(c, after);
	assert_string_equal(after, digest);
	expect_text(c, "SELECT xmin::text FROM schema_version", xmin);
	expect_text(c, "SELECT version FROM schema_version", SCHEMA_VERSION);
	PQfinish(c);
}

static void test_a_newer_schema_is_refused_unchanged(void **state)
{
	char conninfo[CONNINFO_LEN], digest[64], xmin[64], after[64];
	struct errbuf err = {""};

	fresh_db(state, "newer", conninfo);
	PGconn *c = look(conninfo);
	run(c, "CREATE TABLE schema_version (id integer PRIMARY KEY CHECK (id = 1),"
	       " version integer NOT NULL)");
	run(c, "INSERT INTO schema_version VALUES (1, 99)");
	schema_digest(c, digest);
	value(c, "SELECT xmin::text FROM schema_version", xmin);

	assert_null(pg_open(conninfo, &err));
	assert_non_null(strstr(err.msg, "schema version 99 is newer than this handoffd (" SCHEMA_VERSION ")"));

	schema_digest(c, after);
	assert_string_equal(after, digest);
	expect_text(c, "SELECT xmin::text FROM schema_version", xmin);
	expect_text(c, "SELECT version FROM schema_version", "99");
	expect_text(c, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", "1");
	PQfinish(c);
}

#define OPENERS 4

struct opener {
	const char *conninfo;
	pthread_barrier_t *go;
	int found;
	struct errbuf err;
};

static void *open_at_once(void *arg)
{
	struct opener *o = arg;

	pthread_barrier_wait(o->go);
	struct pg *pg = pg_open(o->conninfo, &o->err);
	o->found = pg ? pg_schema_found(pg) : -1;
	pg_close(pg);
	return NULL;
}

static void test_hubs_starting_at_once_migrate_once(void **state)
{
	char conninfo[CONNINFO_LEN];
	struct opener o[OPENERS];
	pthread_t t[OPENERS];
	pthread_barrier_t go;
	int fresh = 0, current = 0;

	fresh_db(state, "race", conninfo);
	pthread_barrier_init(&go, NULL, OPENERS);
	for (int i = 0; i < OPENERS; i++) {
		o[i] = (struct opener){.conninfo = conninfo, .go = &go};
		assert_int_equal(pthread_create(&t[i], NULL, open_at_once, &o[i]), 0);
	}
	for (int i = 0; i < OPENERS; i++) {
		pthread_join(t[i], NULL);
		if (o[i].found < 0)
			fail_msg("pg_open %d: %s", i, o[i].err.msg);
		fresh += o[i].found == 0;
		current += o[i].found == PG_SCHEMA_VERSION;
	}
	pthread_barrier_destroy(&go);
	/* one of them migrated; the others waited for it, then found it done */
	assert_int_equal(fresh, 1);
	assert_int_equal(current, OPENERS - 1);

	PGconn *c = look(conninfo);
	expect_text(c, "SELECT version FROM schema_version", SCHEMA_VERSION);
	PQfinish(c);
}

/* What pg_open says when the connection fails, given a conninfo with a
 * password: why, and never the password. */
static void expect_no_password(const char *conninfo, const char *password)
{
	struct errbuf err = {""};

	assert_null(pg_open(conninfo, &err));
	assert_non_null(strstr(err.msg, "postgresql: cannot connect: "));
	assert_non_null(strstr(err.msg, "\"no_such_db\" does not exist"));
	assert_null(strstr(err.msg, password));
	assert_null(strchr(err.msg, '\n'));
}

static void test_errors_never_show_the_password(void **state)
{
	const char *conninfo = pgserver_conninfo(server(state));
	char with_password[CONNINFO_LEN * 2];

	/* the last of a repeated keyword wins */
	snprintf(with_password, sizeof with_password, "%s dbname=no_such_db password=Sw0rdf1sh",
		 conninfo);
	expect_no_password(with_password, "Sw0rdf1sh");

	/* the URI form, the password in its user part */
	const char *host = strstr(conninfo, "host=") + strlen("host=");
	snprintf(with_password, sizeof with_password,
		 "postgresql://handoff:Sw0rdf1sh@/no_such_db?host=%.*s", (int)strcspn(host, " "),
		 host);
	expect_no_password(with_password, "Sw0rdf1sh");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_new_database_is_migrated),
		cmocka_unit_test(test_an_up_to_date_database_is_left_alone),
		cmocka_unit_test(test_a_newer_schema_is_refused_unchanged),
		cmocka_unit_test(test_hubs_starting_at_once_migrate_once),
		cmocka_unit_test(test_errors_never_show_the_password),
	};
	return cmocka_run_group_tests(tests, setup, pgfx_teardown);
}
