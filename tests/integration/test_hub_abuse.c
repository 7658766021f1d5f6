/*
 * test_hub_abuse.c — what a hostile or broken client does must never crash,
 * hang or slow down the hub: cut requests, garbage, a client that stops
 * reading its event stream. And nobody off this machine can reach a hub
 * told to listen on loopback.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

static struct hub hub;
static char ana[HUB_TOKEN_MAX], bot[HUB_TOKEN_MAX];

static const struct account accounts[] = {
	{"Ana", "agent", ana},
	{"Bridge", "ingest", bot},
	{NULL},
};

static int setup(void **state)
{
	hub_up(&hub, accounts);
	*state = &hub;
	return 0;
}

/* A raw connection to the hub, optionally with a tiny receive buffer. */
static int raw_connect(int rcvbuf)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (rcvbuf)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)hub.port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	return fd;
}

static void send_and_hang_up(const char *bytes, size_t len)
{
	int fd = raw_connect(0);
	assert_int_equal(write(fd, bytes, len), (ssize_t)len);
	close(fd);
}

static void assert_hub_healthy(void)
{
	struct reply r = http(&hub, "GET", "/v1/health", NULL, NULL);
	assert_int_equal(r.status, 200);
	reply_free(&r);
}

static void test_cut_requests_and_garbage(void **state)
{
	(void)state;
	static const char *const cuts[] = {
		"GET /v1/chats HTTP/1.1\r\nHost: x\r\nAuthori",
		"POST /v1/ingest/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
		"Content-Length: 500\r\n\r\n{\"role\":\"user\",\"te",
		"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http at all",
		"BREW /coffee HTCPCP/1.0\r\n\r\n",
		"GET /v1/events HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
		"Sec-WebSocket-Version: 13\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
		send_and_hang_up(cuts[i], strlen(cuts[i]));
		assert_hub_healthy();
	}
}

static void test_websocket_cut_mid_frame(void **state)
{
	(void)state;
	struct ws w;
	assert_true(ws_connect(&w, &hub, ana, NULL, NULL));
	cJSON *hello = ws_next(&w, 5000);
	assert_non_null(hello);
	cJSON_Delete(hello);
	/* a masked text frame announcing 100 bytes, then only 3 of them */
	static const unsigned char half[] = {0x81, 0x80 | 100, 1, 2, 3, 4, 'a', 'b', 'c'};
	assert_int_equal(write(w.fd, half, sizeof half), (ssize_t)sizeof half);
	ws_close(&w);
	assert_hub_healthy();
}

/* About 50 KB of customer text per message, to fill buffers fast. */
static void flood(const char *external_id, int messages)
{
	static char text[50001];
	memset(text, 'x', sizeof text - 1);
	for (int i = 0; i < messages; i++)
		ingest(&hub, bot, external_id, "user", text, false, NULL);
}

static void test_a_client_that_stops_reading_is_cut_off_and_others_go_on(void **state)
{
	(void)state;
	/* The sluggard: tiny receive window, reads its hello and then nothing. */
	struct ws slow;
	assert_true(ws_connect_rcvbuf(&slow, &hub, ana, NULL, NULL, 4096));
	struct ws fast;
	assert_true(ws_connect(&fast, &hub, ana, NULL, NULL));
	cJSON *hello = ws_next(&fast, 5000);
	assert_non_null(hello);
	cJSON_Delete(hello);

	/* 200 × 50 KB = 10 MB: more than the kernel buffers plus the 1 MiB
	 * backlog; the fast client reads every event as it comes. */
	int received = 0;
	for (int round = 0; round < 20; round++) {
		flood("flood-1", 10);
		for (cJSON *e; (e = ws_next(&fast, received < (round + 1) * 10 ? 5000 : 0));) {
			cJSON_Delete(e);
			received++;
			if (received >= (round + 1) * 10)
				break;
		}
	}
	/* one chat.created + 200 message.created */
	while (received < 201) {
		cJSON *e = ws_next(&fast, 5000);
		if (!e)
			break;
		cJSON_Delete(e);
		received++;
	}
	assert_int_equal(received, 201);
	assert_true(ws_closed(&slow, 5000));
	ws_close(&slow);
	ws_close(&fast);
	assert_hub_healthy();
}

/* Local addresses of the listening sockets on `port` in a /proc/net/tcp*
 * table, as the kernel writes them (hex), joined by spaces. */
static void listeners(const char *table, int port, char *out, size_t len)
{
	char line[512], local[64];
	unsigned lport, st;
	FILE *f = fopen(table, "r");

	out[0] = '\0';
	if (!f)
		return; /* no IPv6 in this kernel: nothing listens there */
	while (fgets(line, sizeof line, f)) {
		if (sscanf(line, " %*d: %63[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x", local, &lport,
			   &st) == 3 && (int)lport == port && st == 0x0A /* LISTEN */) {
			strncat(out, local, len - strlen(out) - 1);
			strncat(out, " ", len - strlen(out) - 1);
		}
	}
	fclose(f);
}

static void test_loopback_means_loopback_only(void **state)
{
	char v4[256], v6[256];

	(void)state;
	/* The harness asks for 127.0.0.1; lws once bound [::] for that. */
	listeners("/proc/net/tcp", hub.port, v4, sizeof v4);
	listeners("/proc/net/tcp6", hub.port, v6, sizeof v6);
	assert_string_equal(v4, "0100007F ");
	assert_string_equal(v6, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loopback_means_loopback_only),
		cmocka_unit_test(test_cut_requests_and_garbage),
		cmocka_unit_test(test_websocket_cut_mid_frame),
		cmocka_unit_test(test_a_client_that_stops_reading_is_cut_off_and_others_go_on),
	};
	return cmocka_run_group_tests(tests, setup, hub_teardown);
}
