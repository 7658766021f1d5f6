/*
 * test_hub_log.c — what an operator sees in handoffd's log: with --verbose
 * a line per request (method, path, status, time, account) and per event
 * stream (opened, closed); without it, none of those. Never a token, not
 * even one sent where it does not belong (in the query string).
 */
#define _GNU_SOURCE /* strcasestr */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

/* The log's line holding `needle` (copied into line[len]), or fail. */
static void line_with(const char *text, const char *needle, char *line, size_t len)
{
	const char *at = strstr(text, needle);
	if (!at)
		fail_msg("no \"%s\" in the log:\n%s", needle, text);
	while (at > text && at[-1] != '\n')
		at--;
	size_t n = strcspn(at, "\n");
	snprintf(line, len, "%.*s", (int)(n < len ? n : len - 1), at);
}

/* Requests an operator wants to see, one carrying its token in the query
 * as well (a client's mistake), and a stream opened and closed. Returns the
 * whole log once the hub has stopped. */
static char *exercise(struct hub *h, const char *token)
{
	struct reply r = http(h, "GET", "/v1/me", token, NULL);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	char path[256];
	snprintf(path, sizeof path, "/v1/chats?q=order&token=%s", token);
	r = http(h, "GET", path, token, NULL);
	assert_int_equal(r.status, 400);
	reply_free(&r);
	r = http(h, "GET", "/v1/me", "not-a-token-at-all", NULL);
	assert_int_equal(r.status, 401);
	reply_free(&r);

	struct ws w;
	assert_true(ws_connect(&w, h, token, "since=0", NULL));
	cJSON *hello = ws_next(&w, 5000);
	assert_non_null(hello);
	cJSON_Delete(hello);
	ws_close(&w);

	hub_stop(h);
	return hub_log_wait(h, " INFO stopped");
}

static void test_verbose_logs_requests_and_streams_but_no_token(void **state)
{
	(void)state;
	struct hub h;
	hub_init(&h);
	char token[HUB_TOKEN_MAX];
	hub_token(&h, "Ana Souza", "agent", token);
	hub_start(&h, "--verbose", NULL);

	char *text = exercise(&h, token);
	char line[512];

	line_with(text, "GET /v1/me 200", line, sizeof line);
	assert_non_null(strstr(line, " DEBUG "));
	assert_non_null(strstr(line, " ms "));
	assert_non_null(strstr(line, "Ana Souza"));
	/* The query's names are shown, not its values. */
	line_with(text, "GET /v1/chats?q=*&token=* 400", line, sizeof line);
	assert_non_null(strstr(line, "Ana Souza"));
	assert_null(strstr(text, "q=order"));
	line_with(text, "GET /v1/me 401", line, sizeof line);
	assert_null(strstr(text, "not-a-token-at-all"));

	line_with(text, "stream opened for Ana Souza, since 0", line, sizeof line);
	line_with(text, "stream of Ana Souza closed", line, sizeof line);
	assert_non_null(strstr(line, "closed by the client"));

	/* No token anywhere: not whole, not the part after its prefix. */
	assert_null(strstr(text, token));
	assert_null(strstr(text, token + 8));
	assert_null(strcasestr(text, "bearer"));
	free(text);
	hub_cleanup(&h);
}

static void test_without_verbose_no_request_lines(void **state)
{
	(void)state;
	struct hub h;
	hub_init(&h);
	char token[HUB_TOKEN_MAX];
	hub_token(&h, "Ana Souza", "agent", token);
	hub_start(&h, NULL);

	char *text = exercise(&h, token);

	assert_null(strstr(text, "http: "));
	assert_null(strstr(text, "stream opened"));
	assert_null(strstr(text, " DEBUG "));
	assert_null(strstr(text, token));
	/* What is always there. */
	assert_non_null(strstr(text, " INFO listening on "));
	free(text);
	hub_cleanup(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verbose_logs_requests_and_streams_but_no_token),
		cmocka_unit_test(test_without_verbose_no_request_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
