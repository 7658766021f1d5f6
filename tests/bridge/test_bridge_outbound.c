/*
 * test_bridge_outbound.c — hub -> platform through a real handoff-bridge:
 * a takeover in the hub sets the conversation's handoff tag and the
 * simulated bot goes silent; an agent's reply reaches the conversation
 * exactly once through 5xx, 429 + Retry-After and a SIGKILL of the bridge
 * between the platform's work and its answer; hand back returns the
 * conversation to the bot; title, rating and status become tags.
 *
 * Polling is parked after the first round (the chats come by webhook), so
 * the simulator's fault switches hit only the bridge's outbound calls.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge_proc.h"

#define CONFIG "poll_min_ms = 600000\npoll_max_ms = 600000\nwebhook_listen = 127.0.0.1:0\n" \
	       "webhook_secret_file = webhook.secret\n"

static struct world w;
static char conv[64], chat[37];

struct tag_goal {
	const char *key, *value;
};

static bool tag_is(struct world *wp, const void *arg)
{
	const struct tag_goal *g = arg;
	char path[96];
	snprintf(path, sizeof path, "conversation.tags.%s", g->key);
	cJSON *j = sim_conversation(wp, conv);
	const char *v = jstr(j, path);
	bool ok = strcmp(v ? v : "", g->value) == 0;
	cJSON_Delete(j);
	return ok;
}

static bool api_count_is(struct world *wp, const void *n)
{
	return sim_api_messages(wp, conv) == *(const int *)n;
}

static bool has_chat(struct world *wp, const void *text)
{
	return hub_chat_by_preview(wp, text, chat);
}

/* The bot may speak: 200 from the control interface, 409 while silent. */
static long bot_says(const char *text)
{
	return sim_say(&w, "conversations", conv, "bot", text);
}

/* A chat that came from the platform, escalated, taken over by Ana. */
static int setup(void **state)
{
	(void)state;
	world_init(&w, CONFIG);
	bridge_start(&w);
	cJSON *j = simc_ctl(&w.sim, "POST", "/_sim/conversations",
			     "{\"text\":\"I need a refund\",\"name\":\"Maria G.\"}");
	snprintf(conv, sizeof conv, "%s", jstr(j, "conversationId"));
	cJSON_Delete(j);
	wait_for(&w, has_chat, "I need a refund", "the chat in the hub");
	char path[128];
	snprintf(path, sizeof path, "/_sim/conversations/%s/escalate", conv);
	cJSON_Delete(simc_ctl(&w.sim, "POST", path, "{\"text\":\"One moment.\"}"));
	assert_int_equal(bot_says("still the bot, before the takeover"), 409); /* requested */
	bridge_wait_log(&w, "escalation", 1);
	hub_action(&w, chat, "takeover");
	static const struct tag_goal human = {"handoff", "human"};
	wait_for(&w, tag_is, &human, "handoff=human on the platform");
	/* The platform has the tag before the bridge has its answer: wait for
	 * the takeover's job to be done, so the tests count their own jobs. */
	bridge_wait_log(&w, "done", 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	world_free(&w);
	return 0;
}

static void test_takeover_silences_bot(void **state)
{
	(void)state;
	cJSON *j = sim_conversation(&w, conv);
	assert_false(cJSON_IsTrue(jat(j, "botMaySpeak")));
	cJSON_Delete(j);
	assert_int_equal(bot_says("I am the bot"), 409);
}

static void test_reply_once_through_5xx_and_429(void **state)
{
	char msg[37];
	int one = 1;

	(void)state;
	cJSON_Delete(simc_ctl(&w.sim, "POST", "/_sim/faults",
			       "{\"serverError\":2,\"errorStatus\":503,\"rateLimited\":1,\"retryAfter\":2}"));
	long long t0 = now_ms();
	hub_reply(&w, chat, "Hello Maria, I am Ana", msg);
	wait_for(&w, api_count_is, &one, "the reply on the platform");
	bridge_wait_log(&w, "done", 1);
	/* A 429 with Retry-After: 2 (waited as asked, not the first backoff
	 * step of 0.25..0.5 s), then 503 twice, before it went through. */
	assert_int_equal(bridge_log_count(&w, "HTTP 429"), 1);
	assert_int_equal(bridge_log_count_both(&w, "HTTP 429", "again in 2.0 s"), 1);
	assert_true(bridge_log_count(&w, "HTTP 503") >= 2);
	assert_true(now_ms() - t0 >= 2000);
	bridge_wait_log(&w, "done", 2); /* holder, then the post */
	assert_int_equal(sim_api_messages(&w, conv), 1);

	/* The message carries the hub's id and the agent's user. */
	cJSON *j = sim_conversation(&w, conv);
	const cJSON *m, *found = NULL;
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(j, "messages"))
		if (strcmp(jstr(m, "origin"), "api") == 0)
			found = m;
	assert_non_null(found);
	assert_string_equal(jstr(found, "payload.text"), "Hello Maria, I am Ana");
	assert_non_null(jstr(found, "tags.handoffMessageId"));
	assert_string_equal(jstr(found, "tags.handoffMessageId"), msg);
	cJSON_Delete(j);
}

/* The platform did the work, the answer never came, the bridge died: the
 * restarted bridge sends the job again and the platform's get-or-create
 * on the tag keeps it one message. */
static void test_reply_once_across_kill9(void **state)
{
	char msg[37];
	int one = 1;

	(void)state;
	/* The post is carried out and its answer held back far longer than
	 * the wait for it: the kill always lands between the two. */
	cJSON_Delete(simc_ctl(&w.sim, "POST", "/_sim/faults",
			       "{\"only\":\"Your refund is on its way\",\"slow\":1,\"delayMs\":60000}"));
	hub_reply(&w, chat, "Your refund is on its way", msg);
	wait_for(&w, api_count_is, &one, "the reply created on the platform");
	int done = bridge_log_count(&w, "done");
	bridge_kill(&w);
	assert_int_equal(bridge_log_count(&w, "done"), done);
	cJSON_Delete(simc_ctl(&w.sim, "POST", "/_sim/faults", "{\"reset\":true}"));
	bridge_start(&w);
	bridge_wait_log(&w, "done", done + 1);
	assert_int_equal(sim_api_messages(&w, conv), 1);
	/* And the queue is empty: a second restart sends nothing more. */
	bridge_stop(&w);
	bridge_start(&w);
	char other[37];
	hub_reply(&w, chat, "Anything else?", other);
	int two = 2;
	wait_for(&w, api_count_is, &two, "the next reply");
	bridge_wait_log(&w, "done", done + 2);
	assert_int_equal(sim_api_messages(&w, conv), 2);
}

/* SIGTERM while a reply's platform call is in flight: the bridge waits
 * for the answer, records the job done, exits 0, and has nothing left to
 * send when it starts again. */
static void test_sigterm_drains_reply(void **state)
{
	char msg[37];
	int one = 1;

	(void)state;
	cJSON_Delete(simc_ctl(&w.sim, "POST", "/_sim/faults", "{\"slow\":2,\"delayMs\":1500}"));
	int done = bridge_log_count(&w, "done");
	hub_reply(&w, chat, "Drained, not lost", msg);
	wait_for(&w, api_count_is, &one, "the reply created on the platform");
	bridge_stop(&w); /* asserts exit 0 */
	assert_int_equal(bridge_log_count(&w, "done"), done + 1);
	bridge_start(&w);
	assert_int_equal(bridge_log_count(&w, "0 platform calls queued"), 2);
	assert_int_equal(sim_api_messages(&w, conv), 1);
}

/* The hub dies (SIGKILL) and comes back on the same address: a customer
 * message sent meanwhile is ingested once it is back, the stream resumes,
 * and the next reply reaches the platform once. */
static void test_hub_kill9(void **state)
{
	char listen[32], msg[37], path[128];
	int one = 1;

	(void)state;
	hub_kill(&w.hub);
	int pushed = bridge_log_count(&w, "item pushed");
	snprintf(path, sizeof path, "/_sim/conversations/%s/customer", conv);
	cJSON_Delete(simc_ctl(&w.sim, "POST", path, "{\"text\":\"hello? anyone?\"}"));
	/* Delivered to the bridge, which cannot ingest it yet. */
	bridge_wait_log(&w, "item pushed", pushed + 1);
	snprintf(listen, sizeof listen, "127.0.0.1:%d", w.hub.port);
	hub_start(&w.hub, "--listen", listen, NULL);
	bridge_wait_log(&w, "hub: connected", 2);
	wait_for(&w, has_chat, "hello? anyone?", "the message sent while the hub was down");
	hub_reply(&w, chat, "Sorry, we were away", msg);
	wait_for(&w, api_count_is, &one, "the reply after the hub's restart");
	bridge_wait_log(&w, "done", 2);
	assert_int_equal(sim_api_messages(&w, conv), 1);
}

static void test_handback_returns_to_bot(void **state)
{
	static const struct tag_goal bot = {"handoff", ""};

	(void)state;
	hub_action(&w, chat, "handback");
	wait_for(&w, tag_is, &bot, "the handoff tag unset");
	assert_int_equal(bot_says("the bot again"), 200);
}

static void test_stop_returns_to_bot(void **state)
{
	static const struct tag_goal bot = {"handoff", ""};

	(void)state;
	hub_action(&w, chat, "stop");
	wait_for(&w, tag_is, &bot, "the handoff tag unset after stop");
	assert_int_equal(bot_says("the bot after a stop"), 200);
}

static void test_title_rating_status_tags(void **state)
{
	static const struct tag_goal title = {"handoffTitle", "Refund for order 42"};
	static const struct tag_goal rating = {"handoffRating", "4"};
	static const struct tag_goal status = {"handoffStatus", "solved"};
	char path[128];

	(void)state;
	snprintf(path, sizeof path, "/v1/chats/%s", chat);
	struct reply r = http(&w.hub, "PATCH", path, w.ana,
			      "{\"title\":\"Refund for order 42\",\"ticket_status\":\"solved\"}");
	assert_int_equal(r.status, 200);
	reply_free(&r);
	wait_for(&w, tag_is, &title, "the title tag");
	wait_for(&w, tag_is, &status, "the status tag");
	snprintf(path, sizeof path, "/v1/chats/%s/rating", chat);
	r = http(&w.hub, "POST", path, w.ana, "{\"score\":4}");
	assert_int_equal(r.status, 200);
	reply_free(&r);
	wait_for(&w, tag_is, &rating, "the rating tag");
}

/* A note stays in the hub. */
static void test_note_never_leaves(void **state)
{
	char path[128], mine[37];
	int one = 1;

	(void)state;
	snprintf(path, sizeof path, "/v1/chats/%s/messages", chat);
	struct reply r = http(&w.hub, "POST", path, w.ana,
			      "{\"text\":\"internal: refund approved\",\"client_msg_id\":\"note-1\","
			      "\"internal\":true}");
	assert_int_equal(r.status, 201);
	reply_free(&r);
	/* A reply after the note: once it is on the platform, the note's
	 * turn (earlier in the stream) has passed. */
	hub_reply(&w, chat, "after the note", mine);
	wait_for(&w, api_count_is, &one, "the reply after the note");
	cJSON *j = sim_conversation(&w, conv);
	const cJSON *m;
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(j, "messages"))
		assert_null(strstr(jstr(m, "payload.text") ? jstr(m, "payload.text") : "", "internal"));
	cJSON_Delete(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_takeover_silences_bot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_once_through_5xx_and_429, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_once_across_kill9, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sigterm_drains_reply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hub_kill9, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handback_returns_to_bot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_returns_to_bot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_title_rating_status_tags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_note_never_leaves, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
