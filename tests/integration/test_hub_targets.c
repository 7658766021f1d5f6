/*
 * test_hub_targets.c — wait-time targets (v1.1): the hub tells every
 * console its targets in hello, and keeps each chat's
 * awaiting_reply_since: set at escalation, cleared by a takeover or an
 * agent's reply, set again by a customer's message in a held chat (the
 * oldest unanswered one counts), cleared by a handback.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

enum who { ANA, SUE, BOT, NWHO };

static struct hub hub;
static char tokens[NWHO][HUB_TOKEN_MAX];

static const struct account accounts[] = {
	{"Ana", "agent", tokens[ANA]},
	{"Sue", "supervisor", tokens[SUE]},
	{"Bridge", "ingest", tokens[BOT]},
	{NULL},
};

static int setup(void **state)
{
	hub_accounts(&hub, accounts);
	hub_start(&hub, "--first-response-target", "60", "--next-response-target", "300",
		  (char *)NULL);
	*state = &hub;
	return 0;
}

#define TS_LEN 40

/* Member `name` of the chat (of its latest_message when `in_latest`) as
 * GET /v1/chats/{id} shows it, to out[TS_LEN]: a timestamp, or "null".
 * Fails when the member is missing. */
static const char *chat_ts(const char *chat, bool in_latest, const char *name, char *out)
{
	char path[96];

	snprintf(path, sizeof path, "/v1/chats/%s", chat);
	struct reply r = http(&hub, "GET", path, tokens[ANA], NULL);
	const cJSON *j = expect_status(&r, 200);
	if (in_latest)
		j = cJSON_GetObjectItemCaseSensitive(j, "latest_message");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);
	assert_true(cJSON_IsNull(v) || cJSON_IsString(v));
	snprintf(out, TS_LEN, "%s", cJSON_IsNull(v) ? "null" : v->valuestring);
	reply_free(&r);
	return out;
}

/* The chat's clock: awaiting_reply_since, "null" when none runs. */
static const char *awaiting(const char *chat, char *out)
{
	return chat_ts(chat, false, "awaiting_reply_since", out);
}

static void reply_as_ana(const char *chat, const char *client_msg_id)
{
	char path[96], body[96];

	snprintf(path, sizeof path, "/v1/chats/%s/messages", chat);
	snprintf(body, sizeof body, "{\"text\":\"on it\",\"client_msg_id\":\"%s\"}", client_msg_id);
	struct reply r = http(&hub, "POST", path, tokens[ANA], body);
	expect_status(&r, 201);
	reply_free(&r);
}

static void test_hello_tells_the_targets(void **state)
{
	struct ws w;
	int status;
	(void)state;

	assert_true(ws_connect(&w, &hub, tokens[ANA], NULL, &status));
	cJSON *hello = ws_next(&w, 5000);
	assert_non_null(hello);
	assert_string_equal(cJSON_GetObjectItem(hello, "type")->valuestring, "hello");
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(hello, "targets");
	assert_int_equal(cJSON_GetObjectItem(t, "first_response_s")->valueint, 60);
	assert_int_equal(cJSON_GetObjectItem(t, "next_response_s")->valueint, 300);
	cJSON_Delete(hello);
	ws_close(&w);
}

static void test_clock_follows_the_chat(void **state)
{
	char chat[37], since[TS_LEN], want[TS_LEN], body[96];
	(void)state;

	/* With the bot, nobody is owed a human answer. */
	ingest(&hub, tokens[BOT], "c-1", "user", "hello?", false, chat);
	assert_string_equal(awaiting(chat, since), "null");

	/* The escalation starts the first-response clock, at escalated_at;
	 * more customer messages while it waits do not move it. */
	ingest(&hub, tokens[BOT], "c-1", "user", "a human please", true, chat);
	chat_ts(chat, false, "escalated_at", want);
	assert_string_not_equal(want, "null");
	assert_string_equal(awaiting(chat, since), want);
	ingest(&hub, tokens[BOT], "c-1", "user", "anyone?", false, NULL);
	assert_string_equal(awaiting(chat, since), want);

	/* A list shows the same clock. */
	struct reply r = http(&hub, "GET", "/v1/chats?waiting=true", tokens[ANA], NULL);
	const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(expect_status(&r, 200),
								    "chats"), 0);
	assert_string_equal(cJSON_GetObjectItem(first, "awaiting_reply_since")->valuestring, want);
	reply_free(&r);

	/* The takeover is the first response. */
	hub_act(&hub, tokens[ANA], chat, "takeover", NULL);
	assert_string_equal(awaiting(chat, since), "null");

	/* In a held chat a customer's message starts the next-response
	 * clock; a second one before the answer does not restart it. */
	ingest(&hub, tokens[BOT], "c-1", "user", "my order?", false, NULL);
	chat_ts(chat, true, "at", want);
	assert_string_equal(awaiting(chat, since), want);
	ingest(&hub, tokens[BOT], "c-1", "user", "hello??", false, NULL);
	assert_string_equal(awaiting(chat, since), want);

	/* Passed on to a colleague, the chat still owes its answer. */
	r = http(&hub, "GET", "/v1/me", tokens[SUE], NULL);
	snprintf(body, sizeof body, "{\"agent_id\":\"%s\"}",
		 cJSON_GetObjectItem(expect_status(&r, 200), "id")->valuestring);
	reply_free(&r);
	hub_act(&hub, tokens[ANA], chat, "assign", body);
	assert_string_equal(awaiting(chat, since), want);
}

/* The agent's reply answers; the handback ends any clock. */
static void test_reply_and_handback_clear(void **state)
{
	char chat[37], since[TS_LEN], want[TS_LEN];
	(void)state;

	ingest(&hub, tokens[BOT], "c-2", "user", "help", true, chat);
	hub_act(&hub, tokens[ANA], chat, "takeover", NULL);
	ingest(&hub, tokens[BOT], "c-2", "user", "still there?", false, NULL);
	assert_string_equal(awaiting(chat, since), chat_ts(chat, true, "at", want));
	reply_as_ana(chat, "r1");
	assert_string_equal(awaiting(chat, since), "null");

	ingest(&hub, tokens[BOT], "c-2", "user", "one more thing", false, NULL);
	assert_string_not_equal(awaiting(chat, since), "null");
	hub_act(&hub, tokens[ANA], chat, "handback", NULL);
	assert_string_equal(awaiting(chat, since), "null");

	/* Back with the bot, a customer's message owes nobody anything. */
	ingest(&hub, tokens[BOT], "c-2", "user", "ok bot", false, NULL);
	assert_string_equal(awaiting(chat, since), "null");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hello_tells_the_targets),
		cmocka_unit_test(test_clock_follows_the_chat),
		cmocka_unit_test(test_reply_and_handback_clear),
	};
	return cmocka_run_group_tests(tests, setup, hub_teardown);
}
