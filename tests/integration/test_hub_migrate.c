/*
 * test_hub_migrate.c — `handoffd migrate --db PATH` as an operator runs it
 * before an upgrade: a new file gets the current schema, a second run
 * changes nothing, and a file this handoffd must not touch (a schema newer
 * than it knows, bytes that are no database) is refused with one line and
 * a non-zero status, left byte for byte as it was. The hub then reports
 * the same back end and schema in its start line and in GET /v1/health.
 *
 * The schema's number is read from migrate's answer, never written here:
 * it grows with each migration step.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sqlite3.h>

#include "harness.h"

/* The whole file at path (*len bytes); free it. */
static char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	char *buf = malloc((size_t)st.st_size + 1);
	assert_non_null(buf);
	size_t n = 0;
	for (ssize_t r; n < (size_t)st.st_size && (r = read(fd, buf + n, (size_t)st.st_size - n)) > 0;)
		n += (size_t)r;
	assert_int_equal(n, (size_t)st.st_size);
	close(fd);
	*len = n;
	return buf;
}

static void assert_same_file(const char *path, const char *before, size_t before_len)
{
	size_t len;
	char *now = slurp(path, &len);
	assert_int_equal(len, before_len);
	assert_memory_equal(now, before, len);
	free(now);
}

/* What a refused file leaves behind: nothing beside it (no -wal, no -shm). */
static void assert_no_companions(const char *path)
{
	char p[256];
	snprintf(p, sizeof p, "%s-wal", path);
	assert_int_not_equal(access(p, F_OK), 0);
	snprintf(p, sizeof p, "%s-shm", path);
	assert_int_not_equal(access(p, F_OK), 0);
}

/* `handoffd migrate --db path`, expected to succeed with one line saying
 * `how` ("new", "up to date"); returns the schema it names. */
static int migrate_ok(const char *path, const char *how)
{
	char out[8192], want[512];
	int schema = -1;

	assert_int_equal(handoffd_run(out, sizeof out, "migrate", "--db", path, NULL), 0);
	snprintf(want, sizeof want, "handoffd: database %s: schema ", path);
	assert_memory_equal(out, want, strlen(want));
	assert_int_equal(sscanf(out + strlen(want), "%d", &schema), 1);
	assert_true(schema > 0);
	snprintf(want, sizeof want, "handoffd: database %s: schema %d (%s), backend sqlite\n", path,
		 schema, how);
	assert_string_equal(out, want);
	return schema;
}

/* `handoffd migrate --db path` (and the hub on it) must refuse, on one
 * line holding `why`, and leave the file as it was. */
static void migrate_refused(const char *path, const char *why)
{
	char out[8192];
	size_t len;
	char *before = slurp(path, &len);

	assert_int_not_equal(handoffd_run(out, sizeof out, "migrate", "--db", path, NULL), 0);
	if (!strstr(out, why))
		fail_msg("no \"%s\" in: %s", why, out);
	assert_memory_equal(out, "handoffd: ", 10);
	assert_ptr_equal(strchr(out, '\n'), out + strlen(out) - 1);
	assert_same_file(path, before, len);
	assert_no_companions(path);

	/* The hub refuses it the same way, before it listens: on an address
	 * no one can listen on, so a hub that took the file exits too
	 * (saying so) instead of serving and hanging the test. */
	assert_int_not_equal(handoffd_run(out, sizeof out, "--listen", "256.0.0.1:0", "--db", path,
					  NULL),
			     0);
	if (!strstr(out, why))
		fail_msg("the hub: no \"%s\" in: %s", why, out);
	assert_same_file(path, before, len);
	assert_no_companions(path);
	free(before);
}

/* Set user_version on the file at path with SQLite itself; `sql` runs
 * first (NULL for nothing). */
static void set_user_version(const char *path, const char *sql, int v)
{
	sqlite3 *db;
	char pragma[64];

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sql)
		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d;", v);
	assert_int_equal(sqlite3_exec(db, pragma, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static void test_new_then_up_to_date_then_served(void **state)
{
	(void)state;
	struct hub h;
	hub_init(&h);

	int schema = migrate_ok(h.db, "new");
	size_t len;
	char *before = slurp(h.db, &len);
	assert_int_equal(migrate_ok(h.db, "up to date"), schema);
	assert_same_file(h.db, before, len);
	free(before);

	hub_start(&h, NULL);
	char line[700];
	snprintf(line, sizeof line, " INFO database %s: schema %d (up to date), backend sqlite\n",
		 h.db, schema);
	free(hub_log_wait(&h, line));

	struct reply r = http(&h, "GET", "/v1/health", NULL, NULL);
	cJSON *j = expect_status(&r, 200);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "status")),
			    "ok");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "backend")),
			    "sqlite");
	cJSON *n = cJSON_GetObjectItemCaseSensitive(j, "schema");
	assert_true(cJSON_IsNumber(n));
	assert_int_equal((int)cJSON_GetNumberValue(n), schema);
	reply_free(&r);
	hub_cleanup(&h);
}

/* The hub migrates at start as before: its line says the schema is new. */
static void test_hub_start_migrates(void **state)
{
	(void)state;
	struct hub h;
	hub_init(&h);
	hub_start(&h, NULL);
	char line[700];
	snprintf(line, sizeof line, " INFO database %s: schema ", h.db);
	char *log = hub_log_wait(&h, line);
	assert_non_null(strstr(log, "(new), backend sqlite\n"));
	free(log);
	hub_stop(&h);
	migrate_ok(h.db, "up to date");
	hub_cleanup(&h);
}

/* A database a newer handoffd migrated: this one's steps cannot undo
 * its, so it is refused — both as the hub left it (WAL) and as a file
 * in rollback-journal mode, whose header switching to WAL would rewrite. */
static void test_newer_schema_refused(void **state)
{
	(void)state;
	struct hub h;
	hub_init(&h);
	int schema = migrate_ok(h.db, "new");
	set_user_version(h.db, NULL, schema + 1);
	migrate_refused(h.db, "is newer than this handoffd");

	char other[160];
	snprintf(other, sizeof other, "%s/journal.db", h.dir);
	set_user_version(other, "PRAGMA journal_mode = DELETE; CREATE TABLE t (x);", schema + 7);
	migrate_refused(other, "is newer than this handoffd");
	hub_cleanup(&h);
}

static void test_not_a_database_refused(void **state)
{
	(void)state;
	struct hub h;
	hub_init(&h);
	FILE *f = fopen(h.db, "w");
	assert_non_null(f);
	for (int i = 0; i < 256; i++)
		fputs("these are not the pages of a database\n", f);
	fclose(f);
	migrate_refused(h.db, "not a database");
	hub_cleanup(&h);
}

static void test_bad_usage(void **state)
{
	(void)state;
	char out[8192];
	assert_int_equal(handoffd_run(out, sizeof out, "migrate", "stray", NULL), 2);
	assert_non_null(strstr(out, "migrate takes only --db PATH"));
	assert_int_equal(handoffd_run(out, sizeof out, "migrate", "--listen", "x", NULL), 2);
	assert_non_null(strstr(out, "usage: "));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_then_up_to_date_then_served),
		cmocka_unit_test(test_hub_start_migrates),
		cmocka_unit_test(test_newer_schema_refused),
		cmocka_unit_test(test_not_a_database_refused),
		cmocka_unit_test(test_bad_usage),
	};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return failed;
}
