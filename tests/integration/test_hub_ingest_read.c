/*
 * test_hub_ingest_read.c — protocol v1.1: an ingest account may read a
 * chat and its messages when the chat is in its scope (what a bridge
 * needs to catch up after a resync), never another bridge's chat (404,
 * as if it did not exist) and never a note; the chat list stays closed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "harness.h"

static struct hub hub;
static char ana[HUB_TOKEN_MAX], bp[HUB_TOKEN_MAX], wa[HUB_TOKEN_MAX];
static char bp_chat[37], wa_chat[37];

static const struct account accounts[] = {
	{"Ana", "agent", ana},
	{"Botpress bridge", "ingest", bp},
	{"WhatsApp bridge", "ingest", wa},
	{NULL},
};

static void post(const char *path, const char *body, long status)
{
	struct reply r = http(&hub, "POST", path, ana, body);
	assert_int_equal(r.status, status);
	reply_free(&r);
}

/* A chat of each bridge; Ana takes the Botpress one, notes and replies. */
static int setup(void **state)
{
	char path[128];

	hub_up(&hub, accounts);
	ingest(&hub, bp, "bp-conv-1", "user", "my parcel is late", false, bp_chat);
	ingest(&hub, wa, "wa-conv-1", "user", "hola", false, wa_chat);
	snprintf(path, sizeof path, "/v1/chats/%s/takeover", bp_chat);
	post(path, NULL, 200);
	snprintf(path, sizeof path, "/v1/chats/%s/messages", bp_chat);
	post(path, "{\"text\":\"customer is VIP\",\"client_msg_id\":\"n1\",\"internal\":true}", 201);
	post(path, "{\"text\":\"On its way\",\"client_msg_id\":\"r1\"}", 201);
	*state = &hub;
	return 0;
}

/* GET /v1/chats<tail> (tail "" or "/{id}" or "/{id}/messages"). */
static long get_status(const char *token, const char *id, const char *tail)
{
	char path[160];
	snprintf(path, sizeof path, "/v1/chats%s%s%s", id[0] ? "/" : "", id, tail);
	struct reply r = http(&hub, "GET", path, token, NULL);
	long status = r.status;
	reply_free(&r);
	return status;
}

static void test_own_chat_is_readable(void **state)
{
	char path[160];

	(void)state;
	snprintf(path, sizeof path, "/v1/chats/%s", bp_chat);
	struct reply r = http(&hub, "GET", path, bp, NULL);
	cJSON *j = expect_status(&r, 200);
	assert_string_equal(cJSON_GetObjectItem(j, "id")->valuestring, bp_chat);
	assert_string_equal(cJSON_GetObjectItem(j, "mode")->valuestring, "AGENT");
	reply_free(&r);
}

static void test_messages_without_notes(void **state)
{
	char path[160];
	const cJSON *m;
	int replies = 0;

	(void)state;
	snprintf(path, sizeof path, "/v1/chats/%s/messages?after_seq=0", bp_chat);
	struct reply r = http(&hub, "GET", path, bp, NULL);
	cJSON *j = expect_status(&r, 200);
	cJSON_ArrayForEach(m, cJSON_GetObjectItem(j, "messages")) {
		const char *role = cJSON_GetObjectItem(m, "role")->valuestring;
		const char *text = cJSON_GetObjectItem(m, "text")->valuestring;
		assert_string_not_equal(role, "note");
		assert_null(strstr(text, "VIP"));
		replies += strcmp(role, "agent") == 0 && strcmp(text, "On its way") == 0;
	}
	assert_int_equal(replies, 1);
	reply_free(&r);
	/* Ana still sees her note. */
	r = http(&hub, "GET", path, ana, NULL);
	assert_non_null(strstr(r.body, "customer is VIP"));
	reply_free(&r);
}

static void test_other_bridges_chat_is_not_found(void **state)
{
	(void)state;
	assert_int_equal(get_status(bp, wa_chat, ""), 404);
	assert_int_equal(get_status(bp, wa_chat, "/messages"), 404);
	assert_int_equal(get_status(wa, bp_chat, ""), 404);
	assert_int_equal(get_status(wa, bp_chat, "/messages"), 404);
	/* The same answer as a chat that does not exist. */
	assert_int_equal(get_status(bp, "00000000-0000-4000-8000-000000000000", ""), 404);
}

static void test_list_and_writes_stay_closed(void **state)
{
	char path[160];

	(void)state;
	assert_int_equal(get_status(bp, "", ""), 403);
	snprintf(path, sizeof path, "/v1/chats/%s/messages", bp_chat);
	struct reply r = http(&hub, "POST", path, bp, "{\"text\":\"x\",\"client_msg_id\":\"b1\"}");
	assert_int_equal(r.status, 403);
	reply_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_chat_is_readable),
		cmocka_unit_test(test_messages_without_notes),
		cmocka_unit_test(test_other_bridges_chat_is_not_found),
		cmocka_unit_test(test_list_and_writes_stay_closed),
	};
	return cmocka_run_group_tests(tests, setup, hub_teardown);
}
