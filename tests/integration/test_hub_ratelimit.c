/*
 * test_hub_ratelimit.c — per-account rate limits (429 + Retry-After, the
 * next request after that time goes through, other accounts unaffected)
 * and the limit on wrong tokens per address (127.0.0.2 is a second
 * loopback address, so a second client).
 */
#define _GNU_SOURCE /* strcasestr */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

static struct hub hub;
static char ana[HUB_TOKEN_MAX], ben[HUB_TOKEN_MAX], bot[HUB_TOKEN_MAX];

/* Small numbers so a test crosses them in a few requests. */
#define BURST 3
#define AUTH_BURST 4

static int setup(void **state)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	hub_init(&hub);
	hub_token(&hub, "Ana", "agent", ana);
	hub_token(&hub, "Ben", "agent", ben);
	hub_token(&hub, "Bridge", "ingest", bot);
	/* A burst of 3, then one request per 2 s: slow enough that a loaded
	 * machine cannot refill a token while the test crosses the limit.
	 * 4 wrong tokens, then one per 100 s. */
	hub_start(&hub, "--rate", "0.5,3", "--ingest-rate", "0.2,6", "--auth-rate", "0.01,4", NULL);
	*state = &hub;
	return 0;
}

struct answer {
	int status;
	unsigned retry_after; /* 0: no Retry-After */
	char body[1024];
};

/* GET path with token (NULL: none) on a connection from address `from`,
 * read to its end (the request asks the hub to close). */
static struct answer get_from(const char *from, const char *path, const char *token)
{
	struct answer a = {0};
	char req[512], buf[4096];
	size_t got = 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in src = {.sin_family = AF_INET};
	struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons((uint16_t)hub.port)};

	assert_int_equal(inet_pton(AF_INET, from, &src.sin_addr), 1);
	dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&src, sizeof src), 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&dst, sizeof dst), 0);
	int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
			 "%s%s%s\r\n", path, token ? "Authorization: Bearer " : "",
			 token ? token : "", token ? "\r\n" : "");
	assert_int_equal(write(fd, req, (size_t)n), n);
	for (long long deadline = now_ms() + 5000; got + 1 < sizeof buf && now_ms() < deadline;) {
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, 100) <= 0)
			continue;
		ssize_t r = read(fd, buf + got, sizeof buf - 1 - got);
		if (r <= 0)
			break;
		got += (size_t)r;
		buf[got] = '\0';
		/* Done once the whole body is in. */
		const char *end = strstr(buf, "\r\n\r\n"), *cl = strcasestr(buf, "content-length:");
		if (end && cl && got >= (size_t)(end + 4 - buf) + strtoul(cl + 15, NULL, 10))
			break;
	}
	close(fd);
	buf[got] = '\0';
	assert_int_equal(sscanf(buf, "HTTP/1.1 %d", &a.status), 1);
	const char *ra = strcasestr(buf, "\r\nretry-after:");
	if (ra)
		a.retry_after = (unsigned)strtoul(ra + 14, NULL, 10);
	const char *body = strstr(buf, "\r\n\r\n");
	snprintf(a.body, sizeof a.body, "%s", body ? body + 4 : "");
	return a;
}

/* Wait `seconds`: the time the hub asked for is the behaviour under test. */
static void wait_seconds(unsigned seconds)
{
	long long until = now_ms() + seconds * 1000LL;

	while (now_ms() < until)
		poll(NULL, 0, (int)(until - now_ms()));
}

static void test_a_burst_over_the_limit_gets_429_then_goes_through(void **state)
{
	(void)state;
	struct answer a;

	for (int i = 0; i < BURST; i++)
		assert_int_equal(get_from("127.0.0.1", "/v1/me", ana).status, 200);
	a = get_from("127.0.0.1", "/v1/me", ana);
	assert_int_equal(a.status, 429);
	assert_true(a.retry_after >= 1 && a.retry_after <= 2); /* the 2 s of one token */
	assert_non_null(strstr(a.body, "\"type\":\"RateLimited\""));
	assert_non_null(strstr(a.body, "\"status\":429"));

	/* Ben is another account: untouched by Ana's burst. */
	assert_int_equal(get_from("127.0.0.1", "/v1/me", ben).status, 200);
	/* Health needs no account and is never limited. */
	for (int i = 0; i < 2 * BURST; i++)
		assert_int_equal(get_from("127.0.0.1", "/v1/health", NULL).status, 200);

	wait_seconds(a.retry_after);
	assert_int_equal(get_from("127.0.0.1", "/v1/me", ana).status, 200);
}

static void test_the_event_stream_upgrade_counts_once(void **state)
{
	(void)state;
	struct ws w;
	int status = 0;

	/* The bridge's burst is 6: three streams and three requests. */
	for (int i = 0; i < 3; i++) {
		assert_true(ws_connect(&w, &hub, bot, NULL, &status));
		ws_close(&w);
	}
	for (int i = 0; i < 3; i++)
		assert_int_equal(get_from("127.0.0.1", "/v1/me", bot).status, 200);
	assert_false(ws_connect(&w, &hub, bot, NULL, &status));
	assert_int_equal(status, 429);
	ws_close(&w);
}

static void test_wrong_tokens_block_their_address_only(void **state)
{
	(void)state;
	struct answer a;

	for (int i = 0; i < AUTH_BURST; i++)
		assert_int_equal(get_from("127.0.0.1", "/v1/me", "wrong-token").status, 401);
	/* Even a valid token: the address is out of tries for a while. */
	a = get_from("127.0.0.1", "/v1/me", ben);
	assert_int_equal(a.status, 429);
	assert_true(a.retry_after >= 1);
	assert_non_null(strstr(a.body, "\"type\":\"RateLimited\""));
	a = get_from("127.0.0.1", "/v1/me", "wrong-token");
	assert_int_equal(a.status, 429);
	/* Another address is fine, and the public health check too. */
	assert_int_equal(get_from("127.0.0.2", "/v1/me", ben).status, 200);
	assert_int_equal(get_from("127.0.0.1", "/v1/health", NULL).status, 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_burst_over_the_limit_gets_429_then_goes_through),
		cmocka_unit_test(test_the_event_stream_upgrade_counts_once),
		cmocka_unit_test(test_wrong_tokens_block_their_address_only),
	};
	return cmocka_run_group_tests(tests, setup, hub_teardown);
}
