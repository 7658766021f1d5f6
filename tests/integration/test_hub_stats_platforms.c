/*
 * test_hub_stats_platforms.c — the v1.1 additions to the daily stats: the
 * platforms' own counts reported on POST /v1/ingest/stats (who may, last
 * report wins, bad bodies refused), avg_rating/ratings per day, and
 * `handoff stats` printing them as a table and as JSON lines.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "timeutil.h"

static struct hub hub;
static char ana[HUB_TOKEN_MAX], sue[HUB_TOKEN_MAX], conv[HUB_TOKEN_MAX], conv2[HUB_TOKEN_MAX];
static char today[11], yesterday[11];

static const struct account accounts[] = {
	{"Ana", "agent", ana},
	{"Sue", "supervisor", sue},
	{"Conversations bridge", "ingest", conv},
	{"Second conversations bridge", "ingest", conv2},
	{NULL},
};

static int setup(void **state)
{
	int64_t day = ts_now() / 86400000;

	hub_up(&hub, accounts);
	date_format(day, today);
	date_format(day - 1, yesterday);
	*state = &hub;
	return 0;
}

static long post_stats(const char *token, const char *body)
{
	struct reply r = http(&hub, "POST", "/v1/ingest/stats", token, body);
	long status = r.status;
	reply_free(&r);
	return status;
}

/* GET /v1/stats/daily for yesterday..today, as Sue. */
static struct reply stats(void)
{
	char path[96];
	snprintf(path, sizeof path, "/v1/stats/daily?from=%s&to=%s", yesterday, today);
	struct reply r = http(&hub, "GET", path, sue, NULL);
	expect_status(&r, 200);
	return r;
}

static void test_only_ingest_accounts_report(void **state)
{
	(void)state;
	char body[160];
	snprintf(body, sizeof body,
		 "{\"platform\":\"conversations\",\"days\":[{\"date\":\"%s\",\"conversations\":3}]}",
		 today);
	assert_int_equal(post_stats(ana, body), 403);
	assert_int_equal(post_stats(sue, body), 403);
	assert_int_equal(post_stats(NULL, body), 401);
	struct reply r = http(&hub, "POST", "/v1/ingest/stats", conv, body);
	assert_int_equal((int)cJSON_GetNumberValue(
				 cJSON_GetObjectItem(expect_status(&r, 200), "stored")),
			 1);
	reply_free(&r);
}

static void test_bad_reports_are_refused(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"{\"days\":[{\"date\":\"2026-01-01\",\"conversations\":1}]}",
		"{\"platform\":\"Bad Label\",\"days\":[{\"date\":\"2026-01-01\",\"conversations\":1}]}",
		"{\"platform\":\"conversations\",\"days\":[]}",
		"{\"platform\":\"conversations\",\"days\":{}}",
		"{\"platform\":\"conversations\",\"days\":[1]}",
		"{\"platform\":\"conversations\",\"days\":[{\"conversations\":1}]}",
		"{\"platform\":\"conversations\",\"days\":[{\"date\":\"2026-13-01\",\"conversations\":1}]}",
		"{\"platform\":\"conversations\",\"days\":[{\"date\":\"2026-01-01\",\"conversations\":-1}]}",
		"{\"platform\":\"conversations\",\"days\":[{\"date\":\"2026-01-01\",\"conversations\":1.5}]}",
		"{\"platform\":\"conversations\",\"days\":[{\"date\":\"2026-01-01\"}]}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct reply r = http(&hub, "POST", "/v1/ingest/stats", conv, bad[i]);
		if (r.status != 400)
			fail_msg("%s: %ld", bad[i], r.status);
		assert_string_equal(error_type(&r), "InvalidPayload");
		reply_free(&r);
	}
}

/* The platform entry of `account` in the stats answer, or NULL. */
static const cJSON *platform_of(const cJSON *answer, const char *account)
{
	const cJSON *p;
	cJSON_ArrayForEach(p, cJSON_GetObjectItem(answer, "platforms"))
		if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(p, "account")), account))
			return p;
	return NULL;
}

static void test_last_report_wins_per_account_and_day(void **state)
{
	(void)state;
	char body[256], id[37], id2[37];

	hub_account_id(&hub, conv, id);
	hub_account_id(&hub, conv2, id2);
	snprintf(body, sizeof body,
		 "{\"platform\":\"conversations\",\"days\":[{\"date\":\"%s\",\"conversations\":5},"
		 "{\"date\":\"%s\",\"conversations\":9}]}",
		 yesterday, today);
	assert_int_equal(post_stats(conv, body), 200);
	snprintf(body, sizeof body,
		 "{\"platform\":\"conversations\",\"days\":[{\"date\":\"%s\",\"conversations\":12}]}",
		 today);
	assert_int_equal(post_stats(conv, body), 200);
	assert_int_equal(post_stats(conv, body), 200);
	snprintf(body, sizeof body,
		 "{\"platform\":\"conversations\",\"days\":[{\"date\":\"%s\",\"conversations\":2}]}",
		 today);
	assert_int_equal(post_stats(conv2, body), 200);

	struct reply r = stats();
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "platforms")), 2);
	const cJSON *p = platform_of(r.json, id);
	assert_non_null(p);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(p, "platform")),
			    "conversations");
	const cJSON *days = cJSON_GetObjectItem(p, "days");
	assert_int_equal(cJSON_GetArraySize(days), 2);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(days, 0),
								     "date")),
			    yesterday);
	assert_int_equal((int)cJSON_GetNumberValue(
				 cJSON_GetObjectItem(cJSON_GetArrayItem(days, 0), "conversations")),
			 5);
	assert_int_equal((int)cJSON_GetNumberValue(
				 cJSON_GetObjectItem(cJSON_GetArrayItem(days, 1), "conversations")),
			 12);
	p = platform_of(r.json, id2);
	assert_non_null(p);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(p, "days")), 1);
	reply_free(&r);

	/* An agent reads the same stats (read-only). */
	r = http(&hub, "GET", "/v1/stats/daily?from=2026-01-01&to=2026-01-01", ana, NULL);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(expect_status(&r, 200),
								"platforms")),
			 0);
	reply_free(&r);
}

static void test_average_rating_per_day(void **state)
{
	(void)state;
	char a[37], b[37];

	ingest(&hub, conv, "rated-a", "user", "hello", false, a);
	ingest(&hub, conv, "rated-b", "user", "hi", false, b);
	hub_act(&hub, sue, a, "rating", "{\"score\":4}");
	hub_act(&hub, sue, b, "rating", "{\"score\":1}");
	hub_act(&hub, sue, b, "rating", "{\"score\":2}"); /* replaces the 1 */

	struct reply r = stats();
	const cJSON *days = cJSON_GetObjectItem(r.json, "days");
	const cJSON *y = cJSON_GetArrayItem(days, 0), *t = cJSON_GetArrayItem(days, 1);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(y, "avg_rating")));
	assert_int_equal((int)cJSON_GetNumberValue(cJSON_GetObjectItem(y, "ratings")), 0);
	assert_int_equal((int)cJSON_GetNumberValue(cJSON_GetObjectItem(t, "ratings")), 2);
	assert_true(cJSON_GetNumberValue(cJSON_GetObjectItem(t, "avg_rating")) == 3.0);
	assert_true(cJSON_GetNumberValue(cJSON_GetObjectItem(t, "conversations")) >= 2);
	reply_free(&r);
}

/* `handoff stats` as Sue; its whole stdout. */
static char *run_cli(const char *extra)
{
	char file[160], server[64], cmd[512];
	static char out[8192];

	hub_token_file(&hub, "Sue", sue, file, sizeof file);
	hub_url(&hub, "", server, sizeof server);
	snprintf(cmd, sizeof cmd,
		 "HOME=%s XDG_CONFIG_HOME=%s \"%s\" --server %s --token-file %s stats --from %s"
		 " --to %s %s",
		 hub.dir, hub.dir, getenv("HANDOFF_BIN"), server, file, yesterday, today, extra);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t n = fread(out, 1, sizeof out - 1, p);
	out[n] = '\0';
	assert_int_equal(pclose(p), 0);
	return out;
}

static void test_cli_prints_the_table_and_json(void **state)
{
	(void)state;
	char line[256];

	if (!getenv("HANDOFF_BIN"))
		fail_msg("HANDOFF_BIN is not set (make check sets it)");
	char *out = run_cli("");
	assert_non_null(strstr(out, "DATE"));
	assert_non_null(strstr(out, "RATING"));
	assert_non_null(strstr(out, "conversations"));
	/* Yesterday: no hub chats, no rating, the first bridge's 5, the second's none. */
	snprintf(line, sizeof line, "%s %13d %11d %10d %7s %7d %13d %13s\n", yesterday, 0, 0, 0,
		 "-", 0, 5, "-");
	if (!strstr(out, line))
		fail_msg("no line '%s' in:\n%s", line, out);
	snprintf(line, sizeof line, "    3.00       2 ");
	assert_non_null(strstr(out, line));

	out = run_cli("--json");
	char *second = strchr(out, '\n');
	assert_non_null(second);
	cJSON *j = cJSON_Parse(second + 1);
	assert_non_null(j);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(j, "date")), today);
	assert_true(cJSON_GetNumberValue(cJSON_GetObjectItem(j, "avg_rating")) == 3.0);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "platforms")), 2);
	cJSON_Delete(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_only_ingest_accounts_report),
		cmocka_unit_test(test_bad_reports_are_refused),
		cmocka_unit_test(test_last_report_wins_per_account_and_day),
		cmocka_unit_test(test_average_rating_per_day),
		cmocka_unit_test(test_cli_prints_the_table_and_json),
	};
	return cmocka_run_group_tests(tests, setup, hub_teardown);
}
