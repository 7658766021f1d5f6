/*
 * test_hub_migrate_pg.c — `handoffd migrate` on a PostgreSQL database, as
 * an operator runs it before the first hub: a new database gets the
 * schema, a second run changes nothing, the answer names the database
 * without its password; and agent add and the hub's start line on a
 * target holding a password never show it either. A private PostgreSQL on
 * a Unix socket (pgserver).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "harness.h"
#include "pgserver.h"

#define PASSWORD "pw-that-must-not-show"

static struct pgserver *server;

static int group_setup(void **state)
{
	(void)state;
	server = pgserver_start();
	return server ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	pgserver_stop(server);
	return 0;
}

/* A fresh database `name`: its conninfo in conninfo[len], and the socket
 * directory (its host=) in dir[dirlen]. */
static void fresh_db(const char *name, char *conninfo, size_t len, char *dir, size_t dirlen)
{
	assert_true(pgserver_create_db(server, name, conninfo, len));
	const char *h = strstr(conninfo, "host=");
	assert_non_null(h);
	h += 5;
	size_t n = strcspn(h, " ");
	assert_true(n < dirlen);
	memcpy(dir, h, n);
	dir[n] = '\0';
}

static void expect_line(const char *out, const char *want)
{
	if (strcmp(out, want) != 0)
		fail_msg("want: %s\n got: %s", want, out);
}

/* `handoffd migrate` on "postgres:CONNINFO": new, then up to date. */
static void test_conninfo_new_then_up_to_date(void **state)
{
	(void)state;
	char conninfo[512], dir[256], target[600], out[4096], want[1024];
	int schema = -1;

	fresh_db("migrate_conninfo", conninfo, sizeof conninfo, dir, sizeof dir);
	snprintf(target, sizeof target, "postgres:%s", conninfo);
	assert_int_equal(handoffd_run(out, sizeof out, "migrate", "--db", target, NULL), 0);
	snprintf(want, sizeof want,
		 "handoffd: database host=%s dbname=migrate_conninfo user=handoff: schema ", dir);
	assert_memory_equal(out, want, strlen(want));
	assert_int_equal(sscanf(out + strlen(want), "%d", &schema), 1);
	assert_true(schema > 0);
	snprintf(want + strlen(want), sizeof want - strlen(want), "%d (new), backend postgresql\n",
		 schema);
	expect_line(out, want);

	assert_int_equal(handoffd_run(out, sizeof out, "migrate", "--db", target, NULL), 0);
	snprintf(want, sizeof want,
		 "handoffd: database host=%s dbname=migrate_conninfo user=handoff: schema %d "
		 "(up to date), backend postgresql\n",
		 dir, schema);
	expect_line(out, want);
}

/* A URI with a password (the test server trusts, so it is never asked
 * for): migrate works, and no line shows the password. */
static void test_uri_password_never_shown(void **state)
{
	(void)state;
	char conninfo[512], dir[256], uri[400], out[4096];

	fresh_db("migrate_uri", conninfo, sizeof conninfo, dir, sizeof dir);
	snprintf(uri, sizeof uri, "postgresql://handoff:" PASSWORD "@/migrate_uri?host=%s", dir);
	assert_int_equal(handoffd_run(out, sizeof out, "migrate", "--db", uri, NULL), 0);
	if (!strstr(out, "(new), backend postgresql\n") || strstr(out, PASSWORD))
		fail_msg("migrate said: %s", out);
	int schema = atoi(strstr(out, ": schema ") + strlen(": schema "));

	/* agent add works on it, and says nothing of the password. */
	assert_int_equal(handoffd_run(out, sizeof out, "agent", "add", "Ana", "--db", uri, NULL), 0);
	if (!strstr(out, "added agent Ana") || strstr(out, PASSWORD))
		fail_msg("agent add said: %s", out);

	/* The hub serves from it; its start line names the database by host,
	 * name and user, and the back end, never the password. */
	struct hub h;
	hub_init(&h);
	snprintf(h.db, sizeof h.db, "%s", uri);
	hub_start(&h, NULL);
	char *log = hub_log_wait(&h, "listening on");
	if (!strstr(log, "dbname=migrate_uri") || strstr(log, PASSWORD))
		fail_msg("the hub said: %s", log);
	free(log);
	struct reply r = http(&h, "GET", "/v1/health", NULL, NULL);
	cJSON *health = expect_status(&r, 200);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(health, "backend")),
			    "postgresql");
	/* the schema migrate made, as migrate named it */
	assert_int_equal((int)cJSON_GetNumberValue(cJSON_GetObjectItem(health, "schema")),
			 schema);
	reply_free(&r);
	hub_cleanup(&h);
}

/* The database drops every connection of the hub's (as a restart of the
 * server does): the hub mends each on its next use. A valid token is never
 * answered 401 for it, and within a few requests every answer is right
 * again, without restarting the hub. */
static void test_hub_serves_again_after_its_connections_drop(void **state)
{
	(void)state;
	char conninfo[400], dir[256], target[480], token[HUB_TOKEN_MAX];
	struct hub h;

	fresh_db("dropped", conninfo, sizeof conninfo, dir, sizeof dir);
	hub_init(&h);
	snprintf(target, sizeof target, "postgres:%s", conninfo);
	snprintf(h.db, sizeof h.db, "%s", target);
	hub_token(&h, "Ana", "agent", token);
	hub_start(&h, NULL);
	struct reply r = http(&h, "GET", "/v1/chats", token, NULL);
	expect_status(&r, 200);
	reply_free(&r);

	PGconn *admin = PQconnectdb(pgserver_conninfo(server));
	assert_int_equal(PQstatus(admin), CONNECTION_OK);
	PGresult *res = PQexec(admin, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
				      " WHERE datname = 'dropped'");
	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	assert_true(atoi(PQgetvalue(res, 0, 0)) >= 2); /* the loop's and a worker's at least */
	PQclear(res);
	PQfinish(admin);

	/* Each connection fails the one call that finds it broken (a write
	 * is not tried again), so a few requests may answer 500; none 401. */
	int ok = 0;
	for (int i = 0; i < 40 && ok < 5; i++) {
		r = http(&h, "GET", "/v1/chats", token, NULL);
		if (r.status != 200 && r.status != 500)
			fail_msg("request %d after the drop: %ld", i, r.status);
		ok = r.status == 200 ? ok + 1 : 0;
		reply_free(&r);
	}
	assert_int_equal(ok, 5);
	hub_cleanup(&h);
}

/* A server that is not there: one line, exit 1, no password. */
static void test_unreachable_server(void **state)
{
	(void)state;
	char out[4096];

	assert_int_equal(handoffd_run(out, sizeof out, "migrate", "--db",
				      "postgresql://handoff:" PASSWORD
				      "@/none?host=/nonexistent-handoff-socket-dir",
				      NULL),
			 1);
	if (strncmp(out, "handoffd: ", 10) != 0 || strstr(out, PASSWORD) ||
	    strchr(out, '\n') != out + strlen(out) - 1)
		fail_msg("migrate said: %s", out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conninfo_new_then_up_to_date),
		cmocka_unit_test(test_uri_password_never_shown),
		cmocka_unit_test(test_hub_serves_again_after_its_connections_drop),
		cmocka_unit_test(test_unreachable_server),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
