/*
 * test_hub_answers.c — answers that used to be wrong: after_seq=0, a NUL
 * inside a header, and a client_msg_id reused by someone other than its
 * author.
 */
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

#include "harness.h"

static struct hub hub;
static char ana[HUB_TOKEN_MAX], ben[HUB_TOKEN_MAX], bot[HUB_TOKEN_MAX];

static const struct account accounts[] = {
	{"Ana", "agent", ana},
	{"Ben", "agent", ben},
	{"Bridge", "ingest", bot},
	{NULL},
};

static int setup(void **state)
{
	hub_up(&hub, accounts);
	*state = &hub;
	return 0;
}

static void test_after_seq_0_is_the_first_page(void **state)
{
	(void)state;
	char chat[37], path[160];

	ingest(&hub, bot, "after-0", "user", "first", false, chat);
	ingest(&hub, bot, "after-0", "bot", "second", false, NULL);
	ingest(&hub, bot, "after-0", "user", "third", false, NULL);
	snprintf(path, sizeof path, "/v1/chats/%s/messages?after_seq=0&limit=1", chat);
	struct reply r = http(&hub, "GET", path, ana, NULL);
	cJSON *list = cJSON_GetObjectItem(expect_status(&r, 200), "messages");
	assert_int_equal(cJSON_GetArraySize(list), 1);
	cJSON *m = cJSON_GetArrayItem(list, 0);
	assert_int_equal(cJSON_GetObjectItem(m, "seq")->valueint, 1);
	assert_string_equal(cJSON_GetObjectItem(m, "text")->valuestring, "first");
	reply_free(&r);
}

/* The status line of what the hub answers to the raw bytes req[len]. */
static void raw_status(const char *req, size_t len, char *status, size_t cap)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)hub.port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	/* The hub may hang up before taking all of a huge head: no SIGPIPE. */
	assert_true(send(fd, req, len, MSG_NOSIGNAL) > 0);
	size_t got = 0;
	long long deadline = now_ms() + 5000;
	status[0] = '\0';
	while (got + 1 < cap && !strchr(status, '\r') && now_ms() < deadline) {
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, 100) <= 0)
			continue;
		ssize_t n = read(fd, status + got, cap - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		status[got] = '\0';
	}
	status[strcspn(status, "\r")] = '\0';
	close(fd);
}

static void test_a_nul_in_the_authorization_header_is_refused(void **state)
{
	(void)state;
	char req[512], status[256];

	/* The token before the NUL is valid: a reader that stops at the NUL
	 * would let it in. */
	int n = snprintf(req, sizeof req, "GET /v1/me HTTP/1.1\r\nHost: x\r\n"
			 "Authorization: Bearer %s", ana);
	memcpy(req + n, "\0junk\r\n\r\n", 9);
	raw_status(req, (size_t)n + 9, status, sizeof status);
	assert_string_equal(status, "HTTP/1.1 401 Unauthorized");
	n = snprintf(req, sizeof req, "GET /v1/me HTTP/1.1\r\nHost: x\r\n"
		     "Authorization: Bearer %s\r\n\r\n", ana);
	raw_status(req, (size_t)n, status, sizeof status);
	assert_string_equal(status, "HTTP/1.1 200 OK");
}

/* What doc/protocol.md says of these: libwebsockets closes the connection
 * before the hub sees the request, so there is no answer to give; the hub
 * goes on serving. If lws ever answers them, this fails and the doc needs
 * the new answer. */
static void test_nul_escapes_and_huge_heads_are_dropped_by_lws(void **state)
{
	(void)state;
	char status[256];
	static const char *const nul[] = {
		"GET /v1/chats%00 HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /v1/chats?q=a%00b HTTP/1.1\r\nHost: x\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof nul / sizeof nul[0]; i++) {
		raw_status(nul[i], strlen(nul[i]), status, sizeof status);
		assert_string_equal(status, "");
	}
	size_t big = 70 * 1024;
	char *req = malloc(big + 128);
	int n = snprintf(req, 128, "GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: ");
	memset(req + n, 'a', big);
	memcpy(req + n + big, "\r\n\r\n", 4);
	raw_status(req, (size_t)n + big + 4, status, sizeof status);
	assert_string_equal(status, "");
	free(req);
	static const char health[] = "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n";
	raw_status(health, strlen(health), status, sizeof status);
	assert_string_equal(status, "HTTP/1.1 200 OK");
}

static void test_a_client_msg_id_belongs_to_its_author(void **state)
{
	(void)state;
	char chat[37], path[160];

	ingest(&hub, bot, "msg-id-owner", "user", "help", true, chat);
	hub_act(&hub, ana, chat, "takeover", NULL);
	snprintf(path, sizeof path, "/v1/chats/%s/messages", chat);
	struct reply r = http(&hub, "POST", path, ana,
			      "{\"text\":\"secret plan\",\"client_msg_id\":\"shared-1\"}");
	expect_status(&r, 201);
	reply_free(&r);

	/* Ben does not hold the chat: his reply is refused, however its id. */
	r = http(&hub, "POST", path, ben, "{\"text\":\"me too\",\"client_msg_id\":\"shared-1\"}");
	expect_status(&r, 409);
	assert_null(strstr(r.body, "secret plan"));
	reply_free(&r);
	/* His note under the same id is his own message. */
	r = http(&hub, "POST", path, ben,
		 "{\"text\":\"my note\",\"client_msg_id\":\"shared-1\",\"internal\":true}");
	cJSON *m = expect_status(&r, 201);
	assert_string_equal(cJSON_GetObjectItem(m, "text")->valuestring, "my note");
	reply_free(&r);
	/* Ana's retry still finds hers. */
	r = http(&hub, "POST", path, ana, "{\"text\":\"secret plan\",\"client_msg_id\":\"shared-1\"}");
	m = expect_status(&r, 200);
	assert_string_equal(cJSON_GetObjectItem(m, "text")->valuestring, "secret plan");
	reply_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_after_seq_0_is_the_first_page),
		cmocka_unit_test(test_a_nul_in_the_authorization_header_is_refused),
		cmocka_unit_test(test_nul_escapes_and_huge_heads_are_dropped_by_lws),
		cmocka_unit_test(test_a_client_msg_id_belongs_to_its_author),
	};
	return cmocka_run_group_tests(tests, setup, hub_teardown);
}
