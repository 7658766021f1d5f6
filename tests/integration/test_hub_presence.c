/*
 * test_hub_presence.c — who else is here: an agent's stream says which
 * chat it views and where it types, and the other agents' streams learn
 * it as presence frames without a seq. Viewing ends when the stream does,
 * typing a few seconds after the last keystroke; an ingest account never
 * sees presence; a flood is limited; and anything but a presence message
 * still closes the stream as before.
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
static char ana[HUB_TOKEN_MAX], ben[HUB_TOKEN_MAX], cy[HUB_TOKEN_MAX], bot[HUB_TOKEN_MAX];
static char chat[37], other[37], third[37];

static const struct account accounts[] = {
	{"Ana", "agent", ana},
	{"Ben", "agent", ben},
	{"Cy", "agent", cy},
	{"Bridge", "ingest", bot},
	{NULL},
};

static int setup(void **state)
{
	hub_up(&hub, accounts);
	ingest(&hub, bot, "presence-1", "user", "hello", false, chat);
	ingest(&hub, bot, "presence-2", "user", "hi", false, other);
	ingest(&hub, bot, "presence-3", "user", "hey", false, third);
	*state = &hub;
	return 0;
}

static void open_stream(struct ws *w, const char *token)
{
	assert_true(ws_connect(w, &hub, token, NULL, NULL));
	cJSON *hello = ws_next(w, 5000);
	assert_non_null(hello);
	assert_string_equal(cJSON_GetObjectItem(hello, "type")->valuestring, "hello");
	cJSON_Delete(hello);
}

static void say(struct ws *w, const char *type, const char *chat_id);

/* A console's stream: it says it views nothing yet, which is also how it
 * asks for presence (a stream that never says anything gets none). */
static void open_console(struct ws *w, const char *token)
{
	open_stream(w, token);
	say(w, "viewing", NULL);
}

static void say(struct ws *w, const char *type, const char *chat_id)
{
	char msg[128];

	if (chat_id)
		snprintf(msg, sizeof msg, "{\"type\":\"%s\",\"chat_id\":\"%s\"}", type, chat_id);
	else
		snprintf(msg, sizeof msg, "{\"type\":\"%s\",\"chat_id\":null}", type);
	ws_send_text(w, msg);
}

/* Is `name` in the frame's list? */
static bool listed(const cJSON *frame, const char *list, const char *name)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, cJSON_GetObjectItem(frame, list)) {
		if (strcmp(cJSON_GetObjectItem(a, "name")->valuestring, name) == 0)
			return true;
	}
	return false;
}

/* The next presence frame of `chat_id` on w whose `list` has `name` in it
 * (want) or not (!want); fails after the deadline. Presence frames carry
 * no seq. */
static void expect_presence(struct ws *w, const char *chat_id, const char *list,
			    const char *name, bool want, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;

	for (;;) {
		int left = (int)(deadline - now_ms());
		assert_true(left > 0);
		cJSON *f = ws_next(w, left);
		assert_non_null(f);
		const cJSON *type = cJSON_GetObjectItem(f, "type");
		bool match = strcmp(type->valuestring, "presence") == 0 &&
			     strcmp(cJSON_GetObjectItem(f, "chat_id")->valuestring, chat_id) == 0 &&
			     listed(f, list, name) == want;
		if (strcmp(type->valuestring, "presence") == 0)
			assert_null(cJSON_GetObjectItem(f, "seq"));
		cJSON_Delete(f);
		if (match)
			return;
	}
}

static void test_viewing_reaches_the_other_agent_and_ends_with_the_stream(void **state)
{
	(void)state;
	struct ws a, b;

	open_console(&b, ben);
	open_stream(&a, ana);
	say(&a, "viewing", chat);
	expect_presence(&b, chat, "viewing", "Ana", true, 5000);
	/* Closing the thread (null) ends it, and so does hanging up. */
	say(&a, "viewing", NULL);
	expect_presence(&b, chat, "viewing", "Ana", false, 5000);
	say(&a, "viewing", chat);
	expect_presence(&b, chat, "viewing", "Ana", true, 5000);
	ws_close(&a);
	expect_presence(&b, chat, "viewing", "Ana", false, 5000);
	ws_close(&b);
}

/* A console that starts later learns who is there already. */
static void test_a_late_console_gets_who_is_there(void **state)
{
	(void)state;
	struct ws a, b, c;

	open_console(&c, cy);
	open_console(&a, ana);
	say(&a, "viewing", chat);
	expect_presence(&c, chat, "viewing", "Ana", true, 5000);
	open_console(&b, ben);
	expect_presence(&b, chat, "viewing", "Ana", true, 5000);
	ws_close(&a);
	ws_close(&b);
	ws_close(&c);
}

/* The stream that changed something is not told of it: a console would
 * only wake for its own words. */
static void test_no_echo_to_the_stream_that_spoke(void **state)
{
	(void)state;
	struct ws a, b;

	open_console(&b, ben);
	open_console(&a, ana);
	say(&a, "viewing", chat);
	expect_presence(&b, chat, "viewing", "Ana", true, 5000);
	/* Then an event Ana does see: the first frame she gets. */
	hub_act(&hub, ben, chat, "takeover", NULL);
	cJSON *f = ws_next(&a, 5000);
	assert_non_null(f);
	assert_string_equal(cJSON_GetObjectItem(f, "type")->valuestring, "message.created");
	cJSON_Delete(f);
	hub_act(&hub, ben, chat, "handback", NULL);
	ws_close(&a);
	ws_close(&b);
}

static void test_typing_is_seen_and_expires(void **state)
{
	(void)state;
	struct ws a, b;

	open_console(&b, ben);
	open_stream(&a, ana);
	say(&a, "viewing", chat);
	say(&a, "typing", chat);
	expect_presence(&b, chat, "typing", "Ana", true, 5000);
	long long typed = now_ms();
	/* Nobody types any more: a few seconds later it is over, by itself,
	 * while Ana still views the chat. */
	expect_presence(&b, chat, "typing", "Ana", false, 10000);
	assert_true(now_ms() - typed >= 3000);
	ws_close(&a);
	ws_close(&b);
}

static void test_an_ingest_stream_never_sees_presence(void **state)
{
	(void)state;
	struct ws a, i;

	open_stream(&i, bot);
	open_console(&a, ana);
	say(&a, "viewing", chat);
	say(&a, "typing", chat);
	/* Then an event it does see: the next frame it gets is that event,
	 * with nothing before it. */
	ingest(&hub, bot, "presence-1", "user", "still there?", false, NULL);
	cJSON *f = ws_next(&i, 5000);
	assert_non_null(f);
	assert_string_equal(cJSON_GetObjectItem(f, "type")->valuestring, "message.created");
	cJSON_Delete(f);
	ws_close(&a);
	ws_close(&i);
}

/* A stream that never sent presence (a v1 client, which could not read
 * it) gets none. */
static void test_a_silent_stream_gets_no_presence(void **state)
{
	(void)state;
	struct ws a, c, v1;

	open_stream(&v1, ben);
	open_console(&c, cy);
	open_console(&a, ana);
	say(&a, "viewing", chat);
	/* Cy's console reads presence: once it has her frame, so would Ben's
	 * stream, were it to get any. */
	expect_presence(&c, chat, "viewing", "Ana", true, 5000);
	hub_act(&hub, ana, chat, "takeover", NULL);
	cJSON *f = ws_next(&v1, 5000);
	assert_non_null(f);
	assert_string_equal(cJSON_GetObjectItem(f, "type")->valuestring, "message.created");
	cJSON_Delete(f);
	hub_act(&hub, ana, chat, "handback", NULL);
	ws_close(&a);
	ws_close(&c);
	ws_close(&v1);
}

static void test_an_ingest_account_may_not_send_presence(void **state)
{
	(void)state;
	struct ws i;

	open_stream(&i, bot);
	say(&i, "viewing", chat);
	assert_int_equal(ws_close_code(&i, 5000), 1003);
	ws_close(&i);
}

/* Ana's console goes mad and switches chats as fast as it can: Ben gets a
 * bounded number of frames, and his stream stays as good as before. */
static void test_a_flood_is_limited(void **state)
{
	(void)state;
	struct ws a, b;
	int frames = 0;

	open_console(&b, ben);
	open_stream(&a, ana);
	for (int k = 0; k < 400; k++)
		say(&a, "viewing", k % 2 ? chat : other);
	/* Then she opens a third chat, again until her bucket has a token
	 * for it: the flood is over once Ben sees that. */
	long long deadline = now_ms() + 10000;
	for (bool over = false; !over;) {
		assert_true(now_ms() < deadline);
		say(&a, "viewing", third);
		cJSON *f;
		while (!over && (f = ws_next(&b, 300))) {
			over = strcmp(cJSON_GetObjectItem(f, "chat_id")->valuestring, third) == 0;
			frames += !over;
			cJSON_Delete(f);
		}
	}
	/* Two frames per change (the chat left and the chat entered), within
	 * the burst and what refills meanwhile; 800 without a limit. */
	assert_true(frames >= 2);
	assert_true(frames < 100);
	assert_int_equal(ws_close_code(&a, 300), -1);
	ws_close(&a);
	ws_close(&b);
}

static void assert_refused(const char *msg, int code)
{
	struct ws a;

	open_stream(&a, ana);
	ws_send_text(&a, msg);
	assert_int_equal(ws_close_code(&a, 5000), code);
	ws_close(&a);
}

static void test_anything_else_still_closes_the_stream(void **state)
{
	(void)state;
	char big[1024];

	assert_refused("{}", 1003);
	assert_refused("not json", 1003);
	assert_refused("{\"type\":\"shout\",\"chat_id\":null}", 1003);
	assert_refused("{\"type\":\"typing\",\"chat_id\":null}", 1003);
	assert_refused("{\"type\":\"viewing\",\"chat_id\":\"nope\"}", 1003);
	assert_refused("{\"type\":\"viewing\",\"chat_id\":null,\"x\":1}", 1003);
	snprintf(big, sizeof big, "{\"type\":\"viewing\",\"chat_id\":null,\"pad\":\"%0900d\"}", 0);
	assert_refused(big, 1009);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_viewing_reaches_the_other_agent_and_ends_with_the_stream),
		cmocka_unit_test(test_a_late_console_gets_who_is_there),
		cmocka_unit_test(test_no_echo_to_the_stream_that_spoke),
		cmocka_unit_test(test_typing_is_seen_and_expires),
		cmocka_unit_test(test_an_ingest_stream_never_sees_presence),
		cmocka_unit_test(test_a_silent_stream_gets_no_presence),
		cmocka_unit_test(test_an_ingest_account_may_not_send_presence),
		cmocka_unit_test(test_a_flood_is_limited),
		cmocka_unit_test(test_anything_else_still_closes_the_stream),
	};
	return cmocka_run_group_tests(tests, setup, hub_teardown);
}
