/*
 * test_hub_agents.c — who is available, with real event streams: an agent
 * is offline without a stream, online with one, away when every console
 * of theirs says so; a supervisor's console learns each change as an
 * "agent" frame, and GET /v1/agents shows status, capacity and held.
 * Capacity is a supervisor's to set, within bounds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static struct hub hub;
static char ana[HUB_TOKEN_MAX], sue[HUB_TOKEN_MAX], bot[HUB_TOKEN_MAX], ben[HUB_TOKEN_MAX];
static char ana_id[37], bot_id[37];

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
	hub_account_id(&hub, ana, ana_id);
	hub_account_id(&hub, bot, bot_id);
	*state = &hub;
	return 0;
}

static void open_console(struct ws *w, const char *token)
{
	ws_open_console(w, &hub, token);
}

/* Wait for the "agent" frame saying `name` is `status`; the frame's agent
 * has every field of a GET /v1/agents item. Returns the frame's agent
 * (free the returned frame with cJSON_Delete(*frame)). */
static const cJSON *expect_agent(struct ws *w, const char *name, const char *status,
				 cJSON **frame)
{
	long long deadline = now_ms() + 5000;

	for (;;) {
		int left = (int)(deadline - now_ms());
		assert_true(left > 0);
		cJSON *f = ws_next(w, left);
		assert_non_null(f);
		const cJSON *a = cJSON_GetObjectItem(f, "agent");
		if (strcmp(cJSON_GetObjectItem(f, "type")->valuestring, "agent") == 0 &&
		    strcmp(cJSON_GetObjectItem(a, "name")->valuestring, name) == 0 &&
		    strcmp(cJSON_GetObjectItem(a, "status")->valuestring, status) == 0) {
			assert_null(cJSON_GetObjectItem(f, "seq")); /* not in the log */
			assert_true(cJSON_IsNumber(cJSON_GetObjectItem(a, "capacity")));
			assert_true(cJSON_IsNumber(cJSON_GetObjectItem(a, "held")));
			assert_string_equal(cJSON_GetObjectItem(a, "id")->valuestring, ana_id);
			*frame = f;
			return a;
		}
		cJSON_Delete(f);
	}
}

/* Agent `name` as GET /v1/agents lists it (r keeps it alive). */
static const cJSON *listed(struct reply *r, const char *name)
{
	*r = http(&hub, "GET", "/v1/agents", sue, NULL);
	const cJSON *a;
	cJSON_ArrayForEach(a, cJSON_GetObjectItem(expect_status(r, 200), "agents")) {
		if (strcmp(cJSON_GetObjectItem(a, "name")->valuestring, name) == 0)
			return a;
	}
	fail_msg("%s is not listed", name);
	return NULL;
}

static void assert_listed_status(const char *name, const char *status)
{
	struct reply r;
	const cJSON *a = listed(&r, name);
	assert_string_equal(cJSON_GetObjectItem(a, "status")->valuestring, status);
	reply_free(&r);
}

static void test_status_follows_the_streams(void **state)
{
	(void)state;
	struct ws boss, a1, a2;
	cJSON *f;

	open_console(&boss, sue);
	assert_listed_status("Ana", "offline");

	open_console(&a1, ana);
	expect_agent(&boss, "Ana", "online", &f);
	cJSON_Delete(f);
	assert_listed_status("Ana", "online");

	/* Away from her only console: away. */
	ws_say_away(&a1, true);
	expect_agent(&boss, "Ana", "away", &f);
	cJSON_Delete(f);
	assert_listed_status("Ana", "away");

	/* A second console that is not away makes her online again, and
	 * closing it leaves the away one: away. */
	open_console(&a2, ana);
	expect_agent(&boss, "Ana", "online", &f);
	cJSON_Delete(f);
	ws_close(&a2);
	expect_agent(&boss, "Ana", "away", &f);
	cJSON_Delete(f);

	/* Back, then gone. */
	ws_say_away(&a1, false);
	expect_agent(&boss, "Ana", "online", &f);
	cJSON_Delete(f);
	ws_close(&a1);
	expect_agent(&boss, "Ana", "offline", &f);
	cJSON_Delete(f);
	assert_listed_status("Ana", "offline");
	ws_close(&boss);
}

/* A console that speaks presence but not away (one from before agents'
 * status) must not get frames it cannot read: the first frame it gets
 * after Ana comes online is her presence, not her status. */
static void test_a_presence_only_console_gets_no_agent_frames(void **state)
{
	(void)state;
	struct ws old, boss, a;
	char chat[37];
	cJSON *f;

	ingest(&hub, bot, "agents-old-1", "user", "hello", false, chat);
	assert_true(ws_connect(&old, &hub, ben, NULL, NULL));
	cJSON_Delete(ws_next(&old, 5000)); /* hello */
	ws_send_text(&old, "{\"type\":\"viewing\",\"chat_id\":null}");
	open_console(&boss, sue);
	open_console(&a, ana);
	expect_agent(&boss, "Ana", "online", &f);
	cJSON_Delete(f);
	char msg[96];
	snprintf(msg, sizeof msg, "{\"type\":\"viewing\",\"chat_id\":\"%s\"}", chat);
	ws_send_text(&a, msg);
	f = ws_next(&old, 5000);
	assert_non_null(f);
	assert_string_equal(cJSON_GetObjectItem(f, "type")->valuestring, "presence");
	cJSON_Delete(f);
	ws_close(&a);
	ws_close(&boss);
	ws_close(&old);
}

static void test_held_counts_the_chats_an_agent_holds(void **state)
{
	(void)state;
	char chat[37];
	struct reply r;

	ingest(&hub, bot, "agents-held-1", "user", "help", true, chat);
	const cJSON *a = listed(&r, "Ben");
	int64_t before = (int64_t)cJSON_GetObjectItem(a, "held")->valuedouble;
	reply_free(&r);
	hub_act(&hub, ben, chat, "takeover", NULL);
	a = listed(&r, "Ben");
	assert_int_equal((int64_t)cJSON_GetObjectItem(a, "held")->valuedouble, before + 1);
	assert_int_equal((int64_t)cJSON_GetObjectItem(a, "active_chats")->valuedouble,
			 before + 1);
	reply_free(&r);
}

static void test_capacity_is_a_supervisors_call(void **state)
{
	(void)state;
	char path[96];
	struct ws boss;
	cJSON *f;

	snprintf(path, sizeof path, "/v1/agents/%s", ana_id);
	struct reply r;
	/* The default: handoffd's --default-capacity, 3 unless given. */
	assert_int_equal((int)cJSON_GetObjectItem(listed(&r, "Ana"), "capacity")->valuedouble, 3);
	reply_free(&r);

	r = http(&hub, "PATCH", path, ana, "{\"capacity\":9}");
	expect_status(&r, 403);
	reply_free(&r);

	open_console(&boss, sue);
	r = http(&hub, "PATCH", path, sue, "{\"capacity\":5}");
	cJSON *j = expect_status(&r, 200);
	assert_int_equal((int)cJSON_GetObjectItem(j, "capacity")->valuedouble, 5);
	assert_string_equal(cJSON_GetObjectItem(j, "status")->valuestring, "offline");
	assert_true(cJSON_IsNumber(cJSON_GetObjectItem(j, "held")));
	reply_free(&r);
	/* Consoles learn it without asking. */
	const cJSON *a = expect_agent(&boss, "Ana", "offline", &f);
	assert_int_equal((int)cJSON_GetObjectItem(a, "capacity")->valuedouble, 5);
	cJSON_Delete(f);
	ws_close(&boss);
	assert_int_equal((int)cJSON_GetObjectItem(listed(&r, "Ana"), "capacity")->valuedouble, 5);
	reply_free(&r);

	static const char *const bad[] = {
		"{\"capacity\":-1}", "{\"capacity\":1001}", "{\"capacity\":\"4\"}",
		"{\"capacity\":2.5}", "{}", "{\"capacity\":null}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		r = http(&hub, "PATCH", path, sue, bad[i]);
		expect_status(&r, 400);
		assert_string_equal(error_type(&r), "InvalidPayload");
		reply_free(&r);
	}
	/* Nobody's id, and a bridge's, are not agents. */
	r = http(&hub, "PATCH", "/v1/agents/6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f", sue,
		 "{\"capacity\":2}");
	expect_status(&r, 404);
	reply_free(&r);
	snprintf(path, sizeof path, "/v1/agents/%s", bot_id);
	r = http(&hub, "PATCH", path, sue, "{\"capacity\":2}");
	expect_status(&r, 404);
	reply_free(&r);
}

static void test_a_malformed_away_message_closes_the_stream(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"{\"type\":\"away\"}",
		"{\"type\":\"away\",\"away\":\"yes\"}",
		"{\"type\":\"away\",\"away\":true,\"x\":1}",
	};

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct ws w;
		open_console(&w, ben);
		ws_send_text(&w, bad[i]);
		assert_int_equal(ws_close_code(&w, 5000), 1003);
		ws_close(&w);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_follows_the_streams),
		cmocka_unit_test(test_a_presence_only_console_gets_no_agent_frames),
		cmocka_unit_test(test_held_counts_the_chats_an_agent_holds),
		cmocka_unit_test(test_capacity_is_a_supervisors_call),
		cmocka_unit_test(test_a_malformed_away_message_closes_the_stream),
	};
	return cmocka_run_group_tests(tests, setup, hub_teardown);
}
