/*
 * test_hub_limits.c — clients that hold on to the hub cannot take it from
 * the others: a body sent a byte at a time is cut at the request timeout
 * while /v1/health stays fast, and connections past the per-address limit
 * are closed while another address is still served.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "harness.h"

#define TIMEOUT_S 2
#define PER_ADDRESS 8
#define SLOW_CLIENTS 6

/* What a good client may wait for its health check under attack (it takes
 * under a millisecond; the margin is for a loaded machine). */
#define HEALTH_MAX_MS 1000

static struct hub hub;
static char bot[HUB_TOKEN_MAX];

static int setup(void **state)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	hub_init(&hub);
	hub_token(&hub, "Bridge", "ingest", bot);
	hub_start(&hub, "--request-timeout", "2", "--max-connections-per-address", "8", NULL);
	*state = &hub;
	return 0;
}

static long long health_ms(void)
{
	long long t0 = now_ms();
	struct reply r = http(&hub, "GET", "/v1/health", NULL, NULL);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	return now_ms() - t0;
}

/* Headers and most of a 60 KB body, as the attack sends them. */
static int slow_body_client(void)
{
	static char start[2048];
	int fd = hub_connect(&hub, NULL);
	int n = snprintf(start, sizeof start,
			 "POST /v1/ingest/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
			 "Content-Type: application/json\r\nContent-Length: 60000\r\n\r\n"
			 "{\"external_id\":\"slow\",\"text\":\"",
			 bot);
	assert_int_equal(write(fd, start, (size_t)n), n);
	return fd;
}

/* Headers that never end: a header line, then more of it, a byte at a time
 * (slowloris). */
static int slow_header_client(void)
{
	static const char start[] = "GET /v1/chats HTTP/1.1\r\nHost: x\r\nX-Pad: ";
	int fd = hub_connect(&hub, NULL);

	assert_int_equal(write(fd, start, sizeof start - 1), (ssize_t)(sizeof start - 1));
	return fd;
}

/* SLOW_CLIENTS clients opened by `open_client` then sending a byte each
 * every 200 ms are all cut at the request bound, not sooner, while
 * /v1/health stays fast for everyone else. */
static void trickling_clients_are_cut(int (*open_client)(void))
{
	int fds[SLOW_CLIENTS];
	bool open[SLOW_CLIENTS];
	int still_open = SLOW_CLIENTS;
	long long t0 = now_ms(), worst = 0, deadline = t0 + (TIMEOUT_S + 5) * 1000;

	for (int i = 0; i < SLOW_CLIENTS; i++) {
		fds[i] = open_client();
		open[i] = true;
	}
	/* A byte from each every 200 ms: lws's own body timeout never fires. */
	while (still_open && now_ms() < deadline) {
		struct pollfd p[SLOW_CLIENTS];
		for (int i = 0; i < SLOW_CLIENTS; i++)
			p[i] = (struct pollfd){.fd = open[i] ? fds[i] : -1, .events = POLLIN};
		poll(p, SLOW_CLIENTS, 200);
		for (int i = 0; i < SLOW_CLIENTS; i++) {
			if (!open[i])
				continue;
			if (p[i].revents || write(fds[i], "x", 1) != 1) {
				open[i] = false;
				still_open--;
				/* Cut by the bound, not by anything sooner. */
				assert_true(now_ms() - t0 >= (TIMEOUT_S * 1000) - 300);
			}
		}
		long long ms = health_ms();
		if (ms > worst)
			worst = ms;
	}
	for (int i = 0; i < SLOW_CLIENTS; i++)
		close(fds[i]);
	assert_int_equal(still_open, 0);
	assert_true(worst < HEALTH_MAX_MS);
}

static void test_a_trickling_body_is_cut_and_others_are_served(void **state)
{
	(void)state;
	trickling_clients_are_cut(slow_body_client);
}

static void test_trickling_headers_are_cut_and_others_are_served(void **state)
{
	(void)state;
	trickling_clients_are_cut(slow_header_client);
}

/* GET /v1/health over `fd`: the status line's code, 0 when none. */
static int raw_health(int fd)
{
	static const char req[] = "GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	char buf[256] = "";
	size_t len = 0;
	int code = 0;
	long long deadline = now_ms() + 5000;

	assert_int_equal(write(fd, req, sizeof req - 1), (ssize_t)(sizeof req - 1));
	while (len < sizeof buf - 1 && !strstr(buf, "\r\n") && now_ms() < deadline) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 1000) <= 0)
			continue;
		ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
	}
	sscanf(buf, "HTTP/1.1 %d", &code);
	return code;
}

static void test_one_address_cannot_take_every_connection(void **state)
{
	(void)state;
	int held[PER_ADDRESS];

	for (int i = 0; i < PER_ADDRESS; i++)
		held[i] = hub_connect(&hub, "127.0.0.1");
	/* One more from the same address is closed at once... */
	int extra = hub_connect(&hub, "127.0.0.1");
	assert_true(hub_hung_up(extra, 1000));
	close(extra);
	/* ...while another address is served. */
	int other = hub_connect(&hub, "127.0.0.2");
	assert_int_equal(raw_health(other), 200);
	close(other);
	/* A place freed is a place for the first address again. */
	close(held[0]);
	long long deadline = now_ms() + 5000;
	int code = 0;
	while (code != 200 && now_ms() < deadline) {
		int fd = hub_connect(&hub, "127.0.0.1");
		code = raw_health(fd);
		close(fd);
	}
	assert_int_equal(code, 200);
	for (int i = 1; i < PER_ADDRESS; i++)
		close(held[i]);
	/* A thread of the harness copies the hub's stderr into the log: wait. */
	free(hub_log_wait(&hub, "over the limits"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_trickling_body_is_cut_and_others_are_served),
		cmocka_unit_test(test_trickling_headers_are_cut_and_others_are_served),
		cmocka_unit_test(test_one_address_cannot_take_every_connection),
	};
	return cmocka_run_group_tests(tests, setup, hub_teardown);
}
