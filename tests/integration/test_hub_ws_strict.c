/*
 * test_hub_ws_strict.c — the event stream holds clients to RFC 6455 and to
 * handoff.v1, which has clients send no messages: invalid UTF-8 in a text
 * frame is closed with 1007, a frame announcing an absurd length with
 * 1009, an unmasked frame and any other message are closed too, and a
 * client too slow to read is closed with the documented 1008 frame, not
 * with a bare FIN.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
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

/* A stream past its hello. */
static void open_stream(struct ws *w)
{
	assert_true(ws_connect(w, &hub, ana, NULL, NULL));
	cJSON *hello = ws_next(w, 5000);
	assert_non_null(hello);
	cJSON_Delete(hello);
}

/* A client frame: FIN, `opcode`, masked with `key` unless NULL, announcing
 * `announced` bytes and carrying `len` of them. */
static void send_frame(struct ws *w, int opcode, const unsigned char *key, uint64_t announced,
		       const char *payload, size_t len)
{
	unsigned char f[64];
	size_t n = 0;

	assert_true(len <= sizeof f - 14);
	f[n++] = (unsigned char)(0x80 | opcode);
	unsigned char mask = key ? 0x80 : 0;
	if (announced < 126) {
		f[n++] = (unsigned char)(mask | announced);
	} else {
		f[n++] = mask | 127;
		for (int shift = 56; shift >= 0; shift -= 8)
			f[n++] = (unsigned char)(announced >> shift);
	}
	if (key)
		for (int i = 0; i < 4; i++)
			f[n++] = key[i];
	for (size_t i = 0; i < len; i++)
		f[n++] = (unsigned char)(payload[i] ^ (key ? key[i % 4] : 0));
	assert_int_equal(write(w->fd, f, n), (ssize_t)n);
}

static const unsigned char key[4] = {0x37, 0xfa, 0x21, 0x3d};

static void assert_closed_with(const char *payload, size_t len, const unsigned char *k,
			       uint64_t announced, int code)
{
	struct ws w;
	open_stream(&w);
	send_frame(&w, 1, k, announced, payload, len);
	assert_int_equal(ws_close_code(&w, 5000), code);
	ws_close(&w);
}

static void test_invalid_utf8_is_closed_with_1007(void **state)
{
	(void)state;
	assert_closed_with("\xff\xfe ok", 5, key, 5, 1007);
}

static void test_an_absurd_length_is_closed_with_1009(void **state)
{
	(void)state;
	assert_closed_with("{\"a\":", 5, key, (uint64_t)1 << 40, 1009);
}

static void test_an_unmasked_frame_is_closed(void **state)
{
	(void)state;
	assert_closed_with("{}", 2, NULL, 2, 1003);
}

static void test_a_message_is_closed_with_1003(void **state)
{
	(void)state;
	assert_closed_with("{}", 2, key, 2, 1003);
}

static void test_a_ping_is_still_answered(void **state)
{
	(void)state;
	struct ws w;
	open_stream(&w);
	send_frame(&w, 9, key, 4, "ping", 4);
	/* The pong arrives and the stream stays: nothing closes it. */
	assert_int_equal(ws_close_code(&w, 300), -1);
	ws_close(&w);
}

static void test_a_client_too_slow_gets_a_1008_close_frame(void **state)
{
	(void)state;
	static char text[50001];
	struct ws slow;

	memset(text, 'x', sizeof text - 1);
	/* Tiny receive window; it reads nothing until the hub gives up on it. */
	assert_true(ws_connect_rcvbuf(&slow, &hub, ana, NULL, NULL, 4096));
	long long deadline = now_ms() + 30000;
	char *log = NULL;
	while (!log || !strstr(log, "closing the stream of Ana: too slow")) {
		free(log);
		assert_true(now_ms() < deadline);
		for (int i = 0; i < 10; i++)
			ingest(&hub, bot, "flood-slow", "user", text, false, NULL);
		log = hub_log(&hub);
	}
	free(log);
	/* Read what was on its way, then the close frame. */
	assert_int_equal(ws_close_code(&slow, 10000), 1008);
	ws_close(&slow);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_invalid_utf8_is_closed_with_1007),
		cmocka_unit_test(test_an_absurd_length_is_closed_with_1009),
		cmocka_unit_test(test_an_unmasked_frame_is_closed),
		cmocka_unit_test(test_a_message_is_closed_with_1003),
		cmocka_unit_test(test_a_ping_is_still_answered),
		cmocka_unit_test(test_a_client_too_slow_gets_a_1008_close_frame),
	};
	return cmocka_run_group_tests(tests, setup, hub_teardown);
}
