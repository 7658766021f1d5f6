/*
 * test_hub_read.c — protocol v1.1 read marks: POST /v1/chats/{id}/read,
 * the chat's "unread" for the agent who asks, and the chat.read frame on
 * that agent's own streams only.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "harness.h"

#define WAIT_MS 5000

static struct hub hub;
static char ana[HUB_TOKEN_MAX], ben[HUB_TOKEN_MAX], sue[HUB_TOKEN_MAX], bot[HUB_TOKEN_MAX];

static const struct account accounts[] = {
	{"Ana", "agent", ana},
	{"Ben", "agent", ben},
	{"Sue", "supervisor", sue},
	{"Bridge", "ingest", bot},
	{NULL},
};

static int setup(void **state)
{
	hub_up(&hub, accounts);
	*state = &hub;
	return 0;
}

/* A chat where the customer wrote n messages; its id in out. */
static void chat_with(const char *external_id, int n, char out[37])
{
	for (int i = 0; i < n; i++)
		ingest(&hub, bot, external_id, "user", "hello?", false, out);
}

/* The chat's "unread" as `token` sees it, from GET /v1/chats/{id}. */
static int unread_get(const char *token, const char *chat)
{
	char path[128];

	snprintf(path, sizeof path, "/v1/chats/%s", chat);
	struct reply r = http(&hub, "GET", path, token, NULL);
	cJSON *u = cJSON_GetObjectItem(expect_status(&r, 200), "unread");
	assert_true(cJSON_IsNumber(u));
	int n = u->valueint;
	reply_free(&r);
	return n;
}

/* The same from the chat list; -1 when the chat is not on its first page. */
static int unread_listed(const char *token, const char *chat)
{
	struct reply r = http(&hub, "GET", "/v1/chats?limit=200", token, NULL);
	const cJSON *c;
	int n = -1;

	cJSON_ArrayForEach(c, cJSON_GetObjectItem(expect_status(&r, 200), "chats"))
		if (strcmp(cJSON_GetObjectItem(c, "id")->valuestring, chat) == 0)
			n = cJSON_GetObjectItem(c, "unread")->valueint;
	reply_free(&r);
	return n;
}

/* POST …/read with `body` as token; returns the reply (free it). */
static struct reply mark(const char *token, const char *chat, const char *body)
{
	char path[128];

	snprintf(path, sizeof path, "/v1/chats/%s/read", chat);
	return http(&hub, "POST", path, token, body);
}

static void mark_ok(const char *token, const char *chat, int seq, int want_mark, int want_unread)
{
	char body[64];

	snprintf(body, sizeof body, "{\"seq\":%d}", seq);
	struct reply r = mark(token, chat, body);
	cJSON *j = expect_status(&r, 200);
	assert_string_equal(cJSON_GetObjectItem(j, "type")->valuestring, "chat.read");
	assert_string_equal(cJSON_GetObjectItem(j, "chat_id")->valuestring, chat);
	assert_int_equal(cJSON_GetObjectItem(j, "read_seq")->valueint, want_mark);
	assert_int_equal(cJSON_GetObjectItem(j, "unread")->valueint, want_unread);
	reply_free(&r);
}

static void test_unread_counts_per_agent(void **state)
{
	char chat[37];

	(void)state;
	chat_with("read-1", 3, chat);
	assert_int_equal(unread_get(ana, chat), 3);
	assert_int_equal(unread_listed(ana, chat), 3);
	mark_ok(ana, chat, 2, 2, 1);
	assert_int_equal(unread_get(ana, chat), 1);
	assert_int_equal(unread_listed(ana, chat), 1);
	/* Ben's mark is his own. */
	assert_int_equal(unread_get(ben, chat), 3);
	assert_int_equal(unread_listed(ben, chat), 3);
}

static void test_mark_never_moves_back(void **state)
{
	char chat[37];

	(void)state;
	chat_with("read-2", 3, chat);
	mark_ok(ana, chat, 3, 3, 0);
	mark_ok(ana, chat, 1, 3, 0); /* a slower console's older mark */
	assert_int_equal(unread_get(ana, chat), 0);
	chat_with("read-2", 1, chat);
	assert_int_equal(unread_get(ana, chat), 1);
}

static void test_own_messages_are_read(void **state)
{
	char chat[37], path[128];

	(void)state;
	chat_with("read-3", 1, chat);
	mark_ok(ana, chat, 1, 1, 0);
	hub_act(&hub, ana, chat, "takeover", NULL);
	snprintf(path, sizeof path, "/v1/chats/%s/messages", chat);
	struct reply r = http(&hub, "POST", path, ana, "{\"text\":\"Hi\",\"client_msg_id\":\"a1\"}");
	assert_int_equal(r.status, 201);
	reply_free(&r);
	assert_int_equal(unread_get(ana, chat), 0);
	/* Ben did not write them: the notice and the reply are news to him. */
	assert_int_equal(unread_get(ben, chat), 3);
}

static void test_count_stops_at_99(void **state)
{
	char chat[37];

	(void)state;
	chat_with("read-4", 101, chat);
	assert_int_equal(unread_get(ana, chat), 99);
	mark_ok(ana, chat, 100, 100, 1);
}

static void test_roles(void **state)
{
	char chat[37];

	(void)state;
	chat_with("read-5", 2, chat);
	struct reply r = mark(bot, chat, "{\"seq\":1}");
	assert_int_equal(r.status, 403);
	reply_free(&r);
	mark_ok(sue, chat, 1, 1, 1);
	/* An ingest account reads no threads: its chats carry no count. */
	char path[128];
	snprintf(path, sizeof path, "/v1/chats/%s", chat);
	r = http(&hub, "GET", path, bot, NULL);
	assert_null(cJSON_GetObjectItem(expect_status(&r, 200), "unread"));
	reply_free(&r);
	r = mark(NULL, chat, "{\"seq\":1}");
	assert_int_equal(r.status, 401);
	reply_free(&r);
}

static void test_bad_input(void **state)
{
	static const struct {
		const char *body;
		long status;
	} cases[] = {
		{"{\"seq\":0}", 400},     {"{\"seq\":-1}", 400},   {"{\"seq\":\"1\"}", 400},
		{"{\"seq\":1.5}", 400},   {"{\"seq\":3}", 400},    {"{}", 400},
		{"{\"seq\":null}", 400},  {"[1]", 400},
	};
	char chat[37];

	(void)state;
	chat_with("read-6", 2, chat);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct reply r = mark(ana, chat, cases[i].body);
		if (r.status != cases[i].status)
			fail_msg("%s: %ld", cases[i].body, r.status);
		assert_string_equal(error_type(&r), "InvalidPayload");
		reply_free(&r);
	}
	struct reply r = mark(ana, "00000000-0000-4000-8000-000000000000", "{\"seq\":1}");
	assert_int_equal(r.status, 404);
	reply_free(&r);
	r = mark(ana, "not-a-chat", "{\"seq\":1}");
	assert_int_equal(r.status, 400);
	reply_free(&r);
	assert_int_equal(unread_get(ana, chat), 2); /* nothing moved */
}

/* The next frame's type; the frame is freed. */
static void expect_frame(struct ws *w, const char *type, const char *chat, int read_seq)
{
	cJSON *e = ws_next(w, WAIT_MS);

	assert_non_null(e);
	assert_string_equal(cJSON_GetObjectItem(e, "type")->valuestring, type);
	if (read_seq) {
		assert_string_equal(cJSON_GetObjectItem(e, "chat_id")->valuestring, chat);
		assert_int_equal(cJSON_GetObjectItem(e, "read_seq")->valueint, read_seq);
		assert_int_equal(cJSON_GetObjectItem(e, "unread")->valueint, 0);
	}
	cJSON_Delete(e);
}

static void test_event_reaches_own_streams_only(void **state)
{
	struct ws a1, a2, b;
	char chat[37];
	int status;

	(void)state;
	chat_with("read-7", 2, chat);
	assert_true(ws_connect(&a1, &hub, ana, NULL, &status));
	assert_true(ws_connect(&a2, &hub, ana, NULL, &status));
	assert_true(ws_connect(&b, &hub, ben, NULL, &status));
	expect_frame(&a1, "hello", chat, 0);
	expect_frame(&a2, "hello", chat, 0);
	expect_frame(&b, "hello", chat, 0);
	mark_ok(ana, chat, 2, 2, 0);
	expect_frame(&a1, "chat.read", chat, 2);
	expect_frame(&a2, "chat.read", chat, 2);
	/* A mark that does not move says nothing; the customer's next
	 * message is the next frame everywhere, and Ben never had a read. */
	mark_ok(ana, chat, 1, 2, 0);
	chat_with("read-7", 1, chat);
	expect_frame(&a1, "message.created", chat, 0);
	expect_frame(&a2, "message.created", chat, 0);
	expect_frame(&b, "message.created", chat, 0);
	ws_close(&a1);
	ws_close(&a2);
	ws_close(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unread_counts_per_agent),
		cmocka_unit_test(test_mark_never_moves_back),
		cmocka_unit_test(test_own_messages_are_read),
		cmocka_unit_test(test_count_stops_at_99),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_event_reaches_own_streams_only),
	};
	return cmocka_run_group_tests(tests, setup, hub_teardown);
}
