/*
 * bench_hub_list.c — queue-page latency of a real handoffd holding N chats
 * (default 100,000), over HTTP with keep-alive, as a console sees it.
 *
 *   bench_hub_list [N]        prints a Markdown table: p50 / p99 / max in ms
 *
 * The database is filled through the hub's own state layer (the same calls
 * as ingest), then a handoffd is started on it by the test harness.
 * Budget: a queue page without search, p99 <= 5 ms.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "bench_fill.h"
#include "harness.h"
#include "db.h"

#define WARMUP 50
#define ROUNDS 1000

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

/* GET path `rounds` times on one connection; prints a table row. */
static void measure(CURL *c, int port, const char *label, const char *path, bool budget)
{
	static double ms[ROUNDS];
	char url[512];
	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	for (int i = 0; i < WARMUP + ROUNDS; i++) {
		char *body = NULL;
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
		double t0 = now_ms_f();
		if (curl_easy_perform(c) != CURLE_OK)
			fail_msg("GET %s failed", path);
		double dt = now_ms_f() - t0;
		long status;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		if (status != 200)
			fail_msg("GET %s: %ld %s", path, status, body ? body : "");
		free(body);
		if (i >= WARMUP)
			ms[i - WARMUP] = dt;
	}
	qsort(ms, ROUNDS, sizeof ms[0], by_value);
	double p99 = ms[ROUNDS * 99 / 100];
	printf("| %s | %.2f | %.2f | %.2f | %s |\n", label, ms[ROUNDS / 2], p99, ms[ROUNDS - 1],
	       budget ? (p99 <= 5.0 ? "≤ 5 ms: met" : "≤ 5 ms: MISSED") : "none");
}

/* The cursor of the first page of `path`, for a page-2 request. */
static char *second_page(CURL *c, int port, const char *path)
{
	char url[512], *body = NULL;
	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	curl_easy_perform(c);
	cJSON *j = cJSON_Parse(body);
	const cJSON *cur = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "meta"), "next_cursor");
	char *out = malloc(strlen(path) + 300);
	sprintf(out, "%s&cursor=%s", path, cJSON_IsString(cur) ? cur->valuestring : "");
	cJSON_Delete(j);
	free(body);
	return out;
}

static int chats = 100000;

static void bench(void **state)
{
	(void)state;
	struct hub h;
	char token[TOKEN_STRLEN + 1], auth[128];

	hub_init(&h);
	double t0 = now_ms_f();
	bench_fill(h.db, chats, token);
	fprintf(stderr, "filled %d chats in %.1f s\n", chats, (now_ms_f() - t0) / 1e3);
	/* The hub's capacity is measured, not its rate limits. */
	hub_start(&h, NULL);

	CURL *c = curl_easy_init();
	struct curl_slist *hdrs = NULL;
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
	hdrs = curl_slist_append(hdrs, auth);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, http_keep_body);

	printf("\n%d chats, %d requests each after %d warm-up, one keep-alive connection\n\n",
	       chats, ROUNDS, WARMUP);
	printf("| page | p50 ms | p99 ms | max ms | budget |\n|---|---|---|---|---|\n");
	measure(c, h.port, "all, sort=recent, limit 50", "/v1/chats", true);
	measure(c, h.port, "waiting, sort=waiting", "/v1/chats?waiting=true&sort=waiting", true);
	measure(c, h.port, "mine (responder=me)", "/v1/chats?responder=me", true);
	measure(c, h.port, "status=open", "/v1/chats?status=open", true);
	char *page2 = second_page(c, h.port, "/v1/chats?limit=50");
	measure(c, h.port, "all, page 2 (cursor)", page2, true);
	free(page2);
	measure(c, h.port, "search q=order (no budget)", "/v1/chats?q=order", false);

	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	hub_cleanup(&h);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		chats = atoi(argv[1]);
	const struct CMUnitTest tests[] = {cmocka_unit_test(bench)};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
