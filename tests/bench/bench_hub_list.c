/*
 * bench_hub_list.c — queue-page latency of a real handoffd holding N chats
 * (default 100,000), over HTTP with keep-alive, as a console sees it.
 *
 *   bench_hub_list [N [chats|search]]   prints a Markdown table: p50 / p99 in ms
 *
 * The database is filled through the hub's own state layer (the same calls
 * as ingest; bench_fill.c), then a handoffd is started on it by the test
 * harness. Every filter, its usual combinations and the hard searches are
 * timed on their first page and on a deep one. Budget: p99 <= 5 ms for
 * every row. "chats" times only the /v1/chats rows, "search" only the
 * /v1/search ones.
 *
 * BENCH_DB=PATH keeps the database: filled there when PATH does not exist
 * (Agent 0's token in PATH.token), reused as it is when it does, so a
 * quiet rerun needs no new fill. The N given must be the one it was filled
 * with.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <curl/curl.h>
#include <sqlite3.h>

#include "bench_fill.h"
#include "harness.h"
#include "db.h"

#define WARMUP 20
#define ROUNDS 400
#define DEEP   10 /* the deep page: page 10 of 50 chats, rows 451..500 */

/* Every filter and its usual combinations, then the searches (the worst
 * case first: no hit). A path ending in "responder=" gets Agent 1's id. */
static const struct {
	const char *label, *path;
} rows[] = {
	{"all, sort=recent", "/v1/chats?sort=recent"},
	{"all, sort=waiting", "/v1/chats?sort=waiting"},
	{"waiting=true, sort=waiting", "/v1/chats?waiting=true&sort=waiting"},
	{"waiting=true, sort=recent", "/v1/chats?waiting=true"},
	{"escalated=true", "/v1/chats?escalated=true"},
	{"escalated=false", "/v1/chats?escalated=false"},
	{"escalated=false, sort=waiting", "/v1/chats?escalated=false&sort=waiting"},
	{"mode=AGENT", "/v1/chats?mode=AGENT"},
	{"mode=AI", "/v1/chats?mode=AI"},
	{"responder=me", "/v1/chats?responder=me"},
	{"responder=<agent>", "/v1/chats?responder="},
	{"responder=none", "/v1/chats?responder=none"},
	{"responder=none, sort=waiting", "/v1/chats?responder=none&sort=waiting"},
	{"responder=bot", "/v1/chats?responder=bot"},
	{"status=open", "/v1/chats?status=open"},
	{"status=open, sort=waiting", "/v1/chats?status=open&sort=waiting"},
	{"channel=widget", "/v1/chats?channel=widget"},
	{"channel=widget, sort=waiting", "/v1/chats?channel=widget&sort=waiting"},
	{"source=botpress (none match)", "/v1/chats?source=botpress"},
	{"waiting=true&channel=widget", "/v1/chats?waiting=true&channel=widget&sort=waiting"},
	{"responder=me&status=open", "/v1/chats?responder=me&status=open"},
	{"responder=none&escalated=false", "/v1/chats?responder=none&escalated=false"},
	{"status=open&channel=widget", "/v1/chats?status=open&channel=widget"},
	{"mode=AGENT&channel=widget", "/v1/chats?mode=AGENT&channel=widget"},
	{"q, no hit", "/v1/chats?q=qwertzuiop"},
	{"q, 2 letters, no hit", "/v1/chats?q=qz"},
	{"q, rare word (Zanzibar)", "/v1/chats?q=zanzibar"},
	{"q, one owner (Customer 4242)", "/v1/chats?q=Customer%204242"},
	{"q, common owner name (Customer)", "/v1/chats?q=Customer"},
	{"q, common word (order)", "/v1/chats?q=order"},
	{"q=order&responder=none", "/v1/chats?q=order&responder=none"},
	{"search, no hit", "/v1/search?q=qwertzuiop"},
	{"search, rare word (zanzibar)", "/v1/search?q=zanzibar"},
	{"search, common word (order)", "/v1/search?q=order"},
	{"search, two words (refunded payment)", "/v1/search?q=refunded%20payment"},
	/* the worst case: both common, never in the same message */
	{"search, two words never together (order refunded)", "/v1/search?q=order%20refunded"},
};

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double now_ms_f(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* GET path once; its status, and its body in *body (free it). */
static long get(CURL *c, int port, const char *path, char **body)
{
	char url[1024];
	long status = 0;

	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	*body = NULL;
	curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
	if (curl_easy_perform(c) != CURLE_OK)
		fail_msg("GET %s failed", path);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	return status;
}

/* p50 and p99 of GET path, ROUNDS times after WARMUP on one connection;
 * false when the hub has no such route (an older hub: no search). */
static bool measure(CURL *c, int port, const char *path, double *p50, double *p99)
{
	static double ms[ROUNDS];

	for (int i = 0; i < WARMUP + ROUNDS; i++) {
		char *body;
		double t0 = now_ms_f();
		long status = get(c, port, path, &body);
		double dt = now_ms_f() - t0;
		if (status == 404 && i == 0) {
			free(body);
			return false;
		}
		if (status != 200)
			fail_msg("GET %s: %ld %s", path, status, body ? body : "");
		free(body);
		if (i >= WARMUP)
			ms[i - WARMUP] = dt;
	}
	qsort(ms, ROUNDS, sizeof ms[0], by_value);
	*p50 = ms[ROUNDS / 2];
	*p99 = ms[ROUNDS * 99 / 100];
	return true;
}

/* path with the cursor of its page DEEP (NULL when the list is shorter). */
static char *deep_page(CURL *c, int port, const char *path)
{
	char *cursor = NULL;
	size_t len = strlen(path) + 512;
	char *url = malloc(len);

	for (int page = 1; page < DEEP; page++) {
		char *body;
		snprintf(url, len, "%s&limit=50%s%s", path, cursor ? "&cursor=" : "",
			 cursor ? cursor : "");
		if (get(c, port, url, &body) != 200)
			fail_msg("GET %s: %s", url, body ? body : "");
		cJSON *j = cJSON_Parse(body);
		const cJSON *next = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "meta"), "next_cursor");
		free(cursor);
		cursor = cJSON_IsString(next) ? strdup(next->valuestring) : NULL;
		cJSON_Delete(j);
		free(body);
		if (!cursor) {
			free(url);
			return NULL;
		}
	}
	snprintf(url, len, "%s&limit=50&cursor=%s", path, cursor);
	free(cursor);
	return url;
}

/* Agent 1's id, for responder=<agent>. */
static void agent_id(CURL *c, int port, char out[40])
{
	char *body;
	const cJSON *a;

	if (get(c, port, "/v1/agents", &body) != 200)
		fail_msg("GET /v1/agents: %s", body ? body : "");
	cJSON *j = cJSON_Parse(body);
	out[0] = '\0';
	cJSON_ArrayForEach(a, cJSON_GetObjectItem(j, "agents")) {
		if (strcmp(cJSON_GetObjectItem(a, "name")->valuestring, "Agent 1") == 0)
			snprintf(out, 40, "%s", cJSON_GetObjectItem(a, "id")->valuestring);
	}
	cJSON_Delete(j);
	free(body);
}

static int chats = 100000;
static const char *only; /* "chats", "search" or NULL: every row */

static long long file_bytes(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

/* Fill h's database, or the one BENCH_DB names when it is not there yet;
 * Agent 0's token in token. */
static void fill(struct hub *h, char token[TOKEN_STRLEN + 1])
{
	const char *keep = getenv("BENCH_DB");
	char tokpath[256];
	FILE *f;

	if (keep) {
		snprintf(h->db, sizeof h->db, "%s", keep);
		snprintf(tokpath, sizeof tokpath, "%s.token", keep);
		if ((f = fopen(tokpath, "r"))) {
			bool got = fgets(token, TOKEN_STRLEN + 1, f) != NULL;
			fclose(f);
			if (!got)
				fail_msg("%s: no token", tokpath);
			fprintf(stderr, "reusing %s (%lld bytes)\n", keep, file_bytes(keep));
			return;
		}
	}
	double t0 = now_ms_f();
	bench_fill(h->db, chats, token);
	bench_fill_threads(h->db, chats);
	fprintf(stderr, "filled %d chats in %.1f s; database %lld bytes, WAL %lld bytes\n",
		chats, (now_ms_f() - t0) / 1e3, file_bytes(h->db),
		file_bytes(strcat(strcpy(tokpath, h->db), "-wal")));
	if (keep) {
		snprintf(tokpath, sizeof tokpath, "%s.token", keep);
		if (!(f = fopen(tokpath, "w")) || fputs(token, f) < 0 || fclose(f) != 0)
			fail_msg("cannot write %s", tokpath);
	}
}

/* How many messages the database holds (the table's header line). */
static long long messages_in(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long n = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT count(*) FROM messages", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return n;
}

static void bench(void **state)
{
	(void)state;
	struct hub h;
	char token[TOKEN_STRLEN + 1], auth[128], agent[40];

	hub_init(&h);
	fill(&h, token);
	/* The hub's capacity is measured, not its rate limits. */
	hub_start(&h, NULL);

	CURL *c = curl_easy_init();
	struct curl_slist *hdrs = NULL;
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
	hdrs = curl_slist_append(hdrs, auth);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, http_keep_body);
	agent_id(c, h.port, agent);

	printf("\n%d chats, %lld messages, %d requests per cell after %d warm-up,"
	       " one keep-alive connection; deep page = page %d of 50\n\n",
	       chats, messages_in(h.db), ROUNDS, WARMUP, DEEP);
	printf("| page | first p50 ms | first p99 ms | deep p50 ms | deep p99 ms | p99 ≤ 5 ms |\n"
	       "|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char path[512];
		double f50, f99, d50 = 0, d99 = 0;
		size_t n = strlen(rows[i].path);
		bool by_agent = n > 10 && strcmp(rows[i].path + n - 10, "responder=") == 0;
		bool search = strncmp(rows[i].path, "/v1/search", 10) == 0;
		if (only && strcmp(only, search ? "search" : "chats") != 0)
			continue;
		snprintf(path, sizeof path, "%s%s", rows[i].path, by_agent ? agent : "");
		if (!measure(c, h.port, path, &f50, &f99)) {
			printf("| %s | - | - | - | - | no such route |\n", rows[i].label);
			continue;
		}
		char *deep = strncmp(path, "/v1/chats", 9) == 0 ? deep_page(c, h.port, path) : NULL;
		if (deep)
			measure(c, h.port, deep, &d50, &d99);
		bool met = f99 <= 5.0 && (!deep || d99 <= 5.0);
		if (deep)
			printf("| %s | %.2f | %.2f | %.2f | %.2f | %s |\n", rows[i].label, f50, f99,
			       d50, d99, met ? "met" : "MISSED");
		else
			printf("| %s | %.2f | %.2f | - | - | %s |\n", rows[i].label, f50, f99,
			       met ? "met" : "MISSED");
		free(deep);
	}

	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	hub_cleanup(&h);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		chats = atoi(argv[1]);
	if (argc > 2)
		only = argv[2];
	const struct CMUnitTest tests[] = {cmocka_unit_test(bench)};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
