/*
 * test_httpc.c — asynchronous HTTP on the libuv loop, against a real hub:
 * answers, typed errors, many requests at once, unreachable hosts,
 * timeouts, cancellation, and what a body-less POST says on the wire.
 */
#define _GNU_SOURCE /* strcasestr */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

#include "harness.h"
#include "httpc.h"

static struct hub hub;
static char ana[HUB_TOKEN_MAX];

static const struct account accounts[] = {
	{"Ana", "agent", ana},
	{NULL},
};

static int setup(void **state)
{
	hub_up(&hub, accounts);
	*state = &hub;
	return 0;
}

struct outcome {
	bool done;
	long status;
	char body[512];
	char error[256];
};

static void record(void *ctx, const struct httpc_result *r)
{
	struct outcome *o = ctx;
	o->done = true;
	o->status = r->status;
	snprintf(o->body, sizeof o->body, "%s", r->body);
	snprintf(o->error, sizeof o->error, "%s", r->error ? r->error : "");
}

/* Run the loop until every outcome is done, or fail after 10 s. */
static void run_until_done(uv_loop_t *loop, struct outcome *o, int n)
{
	long long deadline = now_ms() + 10000;
	for (;;) {
		int left = 0;
		for (int i = 0; i < n; i++)
			left += !o[i].done;
		if (!left)
			return;
		if (now_ms() > deadline)
			fail_msg("%d requests still running after 10 s", left);
		uv_run(loop, UV_RUN_ONCE);
	}
}

static void start(struct httpc *h, const char *method, const char *u, const char *token,
		  const char *body, long timeout_ms, struct outcome *o)
{
	struct httpc_request req = {
		.method = method, .url = u, .token = token, .body = body,
		.body_len = body ? strlen(body) : 0, .timeout_ms = timeout_ms,
		.done = record, .ctx = o,
	};
	struct errbuf err;
	if (!httpc_start(h, &req, &err))
		fail_msg("httpc_start: %s", err.msg);
}

static void close_loop(uv_loop_t *loop, struct httpc *h)
{
	httpc_free(h);
	uv_run(loop, UV_RUN_DEFAULT); /* the handles close; nothing else is left */
	assert_int_equal(uv_loop_close(loop), 0);
}

static void test_answers_and_errors(void **state)
{
	(void)state;
	uv_loop_t loop;
	uv_loop_init(&loop);
	struct httpc *h = httpc_new(&loop, NULL);
	struct outcome o[3] = {0};
	char u[128];

	hub_url(&hub, "/v1/me", u, sizeof u);
	start(h, "GET", u, ana, NULL, 0, &o[0]);
	start(h, "GET", u, NULL, NULL, 0, &o[1]);
	hub_url(&hub, "/v1/chats/3f1c2a4e-9b7d-4c1e-8a2f-1d3e5f7a9b0c", u, sizeof u);
	start(h, "PATCH", u, ana, "{\"title\":\"x\"}", 0, &o[2]);
	assert_int_equal(httpc_pending(h), 3);
	run_until_done(&loop, o, 3);

	assert_int_equal(o[0].status, 200);
	assert_non_null(strstr(o[0].body, "\"name\":\"Ana\""));
	assert_string_equal(o[0].error, "");
	assert_int_equal(o[1].status, 401);
	assert_non_null(strstr(o[1].body, "Unauthorized"));
	assert_int_equal(o[2].status, 404);
	assert_int_equal(httpc_pending(h), 0);
	close_loop(&loop, h);
}

static void test_many_at_once(void **state)
{
	(void)state;
	enum { N = 40 };
	uv_loop_t loop;
	uv_loop_init(&loop);
	struct httpc *h = httpc_new(&loop, NULL);
	struct outcome o[N] = {0};
	char u[128];

	hub_url(&hub, "/v1/health", u, sizeof u);
	for (int i = 0; i < N; i++)
		start(h, "GET", u, NULL, NULL, 0, &o[i]);
	run_until_done(&loop, o, N);
	for (int i = 0; i < N; i++)
		assert_int_equal(o[i].status, 200);
	close_loop(&loop, h);
}

/* A port nobody listens on, and a listener that never answers. */
static void test_unreachable_and_silent_servers(void **state)
{
	(void)state;
	uv_loop_t loop;
	uv_loop_init(&loop);
	struct httpc *h = httpc_new(&loop, NULL);
	struct outcome o[2] = {0};

	int silent = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(silent, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(silent, 4), 0);
	socklen_t alen = sizeof a;
	getsockname(silent, (struct sockaddr *)&a, &alen);
	char u[128];

	/* the silent listener's port, closed: nobody is there any more */
	int closed = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in b = {.sin_family = AF_INET};
	b.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(closed, (struct sockaddr *)&b, sizeof b);
	alen = sizeof b;
	getsockname(closed, (struct sockaddr *)&b, &alen);
	close(closed);
	snprintf(u, sizeof u, "http://127.0.0.1:%d/v1/health", ntohs(b.sin_port));
	start(h, "GET", u, NULL, NULL, 0, &o[0]);

	snprintf(u, sizeof u, "http://127.0.0.1:%d/v1/health", ntohs(a.sin_port));
	long long t0 = now_ms();
	start(h, "GET", u, NULL, NULL, 300, &o[1]);
	run_until_done(&loop, o, 2);

	assert_int_equal(o[0].status, 0);
	assert_true(strlen(o[0].error) > 0);
	assert_int_equal(o[1].status, 0);
	assert_non_null(strcasestr(o[1].error, "timed out"));
	assert_true(now_ms() - t0 < 5000);
	close(silent);
	close_loop(&loop, h);
}

static void test_free_cancels_what_is_running(void **state)
{
	(void)state;
	uv_loop_t loop;
	uv_loop_init(&loop);
	struct httpc *h = httpc_new(&loop, NULL);
	struct outcome o = {0};
	char u[128];

	hub_url(&hub, "/v1/health", u, sizeof u);
	start(h, "GET", u, NULL, NULL, 0, &o);
	uv_run(&loop, UV_RUN_NOWAIT);
	httpc_free(h);
	assert_true(o.done);
	assert_string_equal(o.error, "cancelled");
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&loop), 0);
}

/* Turn the loop until `fd` is readable; fail after 10 s. */
static void run_until_readable(uv_loop_t *loop, int fd)
{
	long long deadline = now_ms() + 10000;

	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		uv_run(loop, UV_RUN_NOWAIT);
		if (poll(&p, 1, 10) == 1)
			return;
		if (now_ms() > deadline)
			fail_msg("nothing arrived on the test's socket after 10 s");
	}
}

/* A takeover has no body; the request must still say Content-Length: 0,
 * or a server has to guess where it ends (and the next request on the
 * kept-alive connection may be misread). Checked on the wire, with a
 * listener that reads the request and hangs up. */
static void test_post_without_body_says_content_length_zero(void **state)
{
	(void)state;
	uv_loop_t loop;
	uv_loop_init(&loop);
	struct httpc *h = httpc_new(&loop, NULL);
	struct outcome o = {0};
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t alen = sizeof a;
	char u[128], req[4096];
	size_t len = 0;

	int srv = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(srv, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(srv, 4), 0);
	getsockname(srv, (struct sockaddr *)&a, &alen);
	snprintf(u, sizeof u, "http://127.0.0.1:%d/v1/chats/x/takeover", ntohs(a.sin_port));
	start(h, "POST", u, ana, NULL, 0, &o);

	run_until_readable(&loop, srv);
	int fd = accept(srv, NULL, NULL);
	assert_true(fd >= 0);
	req[0] = '\0';
	while (!strstr(req, "\r\n\r\n") && len < sizeof req - 1) {
		run_until_readable(&loop, fd);
		ssize_t n = read(fd, req + len, sizeof req - 1 - len);
		assert_true(n > 0);
		len += (size_t)n;
		req[len] = '\0';
	}
	close(fd);
	close(srv);
	run_until_done(&loop, &o, 1);

	assert_true(strncmp(req, "POST /v1/chats/x/takeover ", 26) == 0);
	assert_non_null(strcasestr(req, "\r\nContent-Length: 0\r\n"));
	close_loop(&loop, h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answers_and_errors),
		cmocka_unit_test(test_many_at_once),
		cmocka_unit_test(test_unreachable_and_silent_servers),
		cmocka_unit_test(test_free_cancels_what_is_running),
		cmocka_unit_test(test_post_without_body_says_content_length_zero),
	};
	return cmocka_run_group_tests(tests, setup, hub_teardown);
}
