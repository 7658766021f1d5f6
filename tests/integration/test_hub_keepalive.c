/*
 * test_hub_keepalive.c — a request without a body must leave the hub ready
 * for the client's next one: answered on the same connection, or the
 * connection closed at once so the client reconnects; never a next request
 * left unanswered until the keep-alive timeout. And our client says
 * "Content-Length: 0" on a POST without a body, which keeps its connection.
 *
 * Requests go over raw sockets, so the test sees exactly which connection
 * carries which answer.
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

/* Well under the hub's 5 s keep-alive timeout, well over any honest answer
 * on loopback (under sanitizers, on a busy machine). */
#define PROMPT_MS 2000

static struct hub hub;
static char ana[HUB_TOKEN_MAX], bot[HUB_TOKEN_MAX];
static char chat[37];

static const struct account accounts[] = {
	{"Ana", "agent", ana},
	{"Bridge", "ingest", bot},
	{NULL},
};

static int setup(void **state)
{
	hub_up(&hub, accounts);
	ingest(&hub, bot, "keepalive-1", "user", "where is my order?", true, chat);
	*state = &hub;
	return 0;
}

static int raw_connect(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)hub.port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	return fd;
}

/* One request: `extra` holds further header lines, each ending in \r\n. */
static void send_request(int fd, const char *method, const char *path, const char *extra)
{
	char req[1024];
	int n = snprintf(req, sizeof req,
			 "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAuthorization: Bearer %s\r\n%s\r\n",
			 method, path, hub.port, ana, extra);
	assert_true(n > 0 && (size_t)n < sizeof req);
	assert_int_equal(write(fd, req, (size_t)n), n);
}

enum outcome { ANSWERED, CLOSED, SILENT };

struct answer {
	enum outcome outcome;
	int status;
	bool says_close; /* Connection: close */
};

/* The next answer on fd, or the connection's end, before `deadline`. */
static struct answer read_answer(int fd, long long deadline)
{
	char buf[16384];
	size_t len = 0;
	struct answer a = {SILENT, 0, false};

	for (;;) {
		char *end = memmem(buf, len, "\r\n\r\n", 4);
		if (end) {
			*end = '\0';
			const char *cl = strcasestr(buf, "\r\ncontent-length:");
			size_t head = (size_t)(end - buf) + 4;
			size_t body = cl ? strtoul(cl + strlen("\r\ncontent-length:"), NULL, 10) : 0;
			if (len >= head + body) {
				a.outcome = ANSWERED;
				a.status = atoi(buf + strlen("HTTP/1.1 "));
				a.says_close = strcasestr(buf, "\r\nconnection: close") != NULL;
				return a;
			}
			*end = '\r';
		}
		long long left = deadline - now_ms();
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return a;
		ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);
		if (n <= 0) {
			a.outcome = CLOSED;
			return a;
		}
		len += (size_t)n;
		assert_true(len < sizeof buf - 1);
	}
}

/* `method path` (no body, `extra` headers), then GET /v1/me the way a
 * keep-alive client does it: on the same connection unless the first
 * answer said Connection: close. Both answers must come before the
 * deadline; returns whether the GET went on the first connection. */
static bool then_get_me(const char *method, const char *path, const char *extra,
			int first_status)
{
	long long deadline = now_ms() + PROMPT_MS;
	int fd = raw_connect();

	send_request(fd, method, path, extra);
	struct answer first = read_answer(fd, deadline);
	assert_int_equal(first.outcome, ANSWERED);
	assert_int_equal(first.status, first_status);

	bool same = !first.says_close;
	if (!same) {
		/* The hub must hang up at once, not after a timeout. */
		assert_int_equal(read_answer(fd, deadline).outcome, CLOSED);
		close(fd);
		fd = raw_connect();
	}
	send_request(fd, "GET", "/v1/me", "");
	struct answer second = read_answer(fd, deadline);
	if (second.outcome != ANSWERED)
		fail_msg("%s %s: the next request got %s within %d ms", method, path,
			 second.outcome == CLOSED ? "a closed connection" : "no answer", PROMPT_MS);
	assert_int_equal(second.status, 200);
	close(fd);
	return same;
}

static void test_bodyless_requests_do_not_stall_the_next_one(void **state)
{
	(void)state;
	char takeover[128], handback[128], one[128];
	snprintf(takeover, sizeof takeover, "/v1/chats/%s/takeover", chat);
	snprintf(handback, sizeof handback, "/v1/chats/%s/handback", chat);
	snprintf(one, sizeof one, "/v1/chats/%s", chat);

	/* What curl -X POST and older clients send: no Content-Length at all. */
	then_get_me("POST", takeover, "", 200);
	then_get_me("POST", handback, "", 200);
	then_get_me("PATCH", one, "", 400);
	then_get_me("PUT", one, "", 405);
	/* lws reads no body for a DELETE: the connection stays. */
	assert_true(then_get_me("DELETE", one, "", 405));
}

static void test_content_length_zero_keeps_the_connection(void **state)
{
	(void)state;
	char takeover[128], handback[128];
	snprintf(takeover, sizeof takeover, "/v1/chats/%s/takeover", chat);
	snprintf(handback, sizeof handback, "/v1/chats/%s/handback", chat);

	assert_true(then_get_me("POST", takeover, "Content-Length: 0\r\n", 200));
	assert_true(then_get_me("POST", handback, "Content-Length: 0\r\n", 200));
}

struct done {
	bool done;
	long status;
};

static void record(void *ctx, const struct httpc_result *r)
{
	struct done *d = ctx;
	d->done = true;
	d->status = r->status;
}

/* The client's side: its body-less POST carries Content-Length: 0. A
 * listener of our own reads the request as it arrives on the wire. */
static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Answers on a kept-alive connection are not held back. The hub writes an
 * answer in pieces; with Nagle's algorithm on its socket the second piece
 * waits for the client's delayed ACK of the first, so every answer after
 * the first took 40 ms (the Linux delayed-ACK timer). The median of ten
 * must stay well under that timer, whatever else the machine is doing. */
static void test_kept_alive_answers_are_not_held_back(void **state)
{
	char url[128], auth[160];
	double took[10];
	long connects = 0;

	(void)state;
	hub_url(&hub, "/v1/chats?limit=1", url, sizeof url);
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", ana);
	CURL *e = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, auth);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
	assert_int_equal(curl_easy_perform(e), CURLE_OK); /* opens the connection */
	for (int i = 0; i < 10; i++) {
		assert_int_equal(curl_easy_perform(e), CURLE_OK);
		curl_easy_getinfo(e, CURLINFO_TOTAL_TIME, &took[i]);
		long n;
		curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &n);
		connects += n;
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(e);
	assert_int_equal(connects, 0); /* all ten on the kept-alive connection */
	qsort(took, 10, sizeof took[0], by_value);
	if (took[5] >= 0.020)
		fail_msg("median answer on a kept-alive connection took %.1f ms", took[5] * 1000);
}

static void test_client_says_content_length_zero(void **state)
{
	(void)state;
	int srv = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(srv, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(srv, 4), 0);
	socklen_t alen = sizeof a;
	getsockname(srv, (struct sockaddr *)&a, &alen);

	uv_loop_t loop;
	uv_loop_init(&loop);
	struct httpc *h = httpc_new(&loop, NULL);
	char u[128];
	snprintf(u, sizeof u, "http://127.0.0.1:%d/v1/chats/%s/takeover", ntohs(a.sin_port), chat);
	struct done d = {0};
	struct httpc_request req = {.method = "POST", .url = u, .token = ana, .done = record, .ctx = &d};
	struct errbuf err;
	assert_true(httpc_start(h, &req, &err));

	/* Turn the loop until the request head has arrived. */
	long long deadline = now_ms() + 10000;
	int fd = -1;
	char head[4096];
	size_t len = 0;
	while (!memmem(head, len, "\r\n\r\n", 4)) {
		if (now_ms() > deadline)
			fail_msg("no request head within 10 s");
		uv_run(&loop, UV_RUN_NOWAIT);
		struct pollfd p = {.fd = fd < 0 ? srv : fd, .events = POLLIN};
		if (poll(&p, 1, 10) <= 0)
			continue;
		if (fd < 0) {
			fd = accept(srv, NULL, NULL);
			continue;
		}
		ssize_t n = read(fd, head + len, sizeof head - 1 - len);
		assert_true(n > 0);
		len += (size_t)n;
	}
	head[len] = '\0';
	assert_non_null(strstr(head, "POST /v1/chats/"));
	assert_non_null(strcasestr(head, "\r\nContent-Length: 0\r\n"));

	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
	assert_int_equal(write(fd, ok, strlen(ok)), (ssize_t)strlen(ok));
	while (!d.done && now_ms() < deadline)
		uv_run(&loop, UV_RUN_ONCE);
	assert_int_equal(d.status, 200);
	close(fd);
	close(srv);
	httpc_free(h);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bodyless_requests_do_not_stall_the_next_one),
		cmocka_unit_test(test_content_length_zero_keeps_the_connection),
		cmocka_unit_test(test_client_says_content_length_zero),
		cmocka_unit_test(test_kept_alive_answers_are_not_held_back),
	};
	return cmocka_run_group_tests(tests, setup, hub_teardown);
}
