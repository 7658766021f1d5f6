/*
 * test_bridge_conversations.c — the conversations platform through a real
 * handoffd, a real handoff-bridge and the conversations simulator
 * ($CONVERSATIONS_SIM):
 *
 *   inbound   a customer's chats become a hub chat (source.platform
 *             "conversations", the customer's name), the bot's too, more
 *             than the latest 20 chats at once are walked page by page,
 *             and the bot's escalation (state "waiting") puts it in Waiting;
 *   outbound  takeover sets state "in_progress" with the assignee and the
 *             bot goes silent; a reply reaches the conversation exactly
 *             once through 429, 5xx, a 503 and a dropped answer on the post
 *             itself, and a SIGKILL between the platform's work and its
 *             answer; hand back returns it to the bot; stop stops it;
 *             retitle and rating (with its words) reach the platform.
 *
 * The platform pushes nothing, so the bridge polls. In the outbound tests
 * the conversation exists before the bridge starts and polling is parked
 * after the first round, so the fault switches hit only the platform calls
 * the tests are about.
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

#define FAST "poll_min_ms = 100\npoll_max_ms = 300\n"
#define PARKED "poll_min_ms = 600000\npoll_max_ms = 600000\n"

static struct world w;
static char conv[64], chat[37];

/* ---- the simulator ----------------------------------------------------------------- */

static void sim_post(const char *route, const char *body)
{
	char path[160];
	snprintf(path, sizeof path, "/_sim/conversations/%s/%s", conv, route);
	cJSON_Delete(simc_ctl(&w.sim, "POST", path, "%s", body));
}

/* A control call's status: 200, or 409 when the bot is silent or it ended. */
static long sim_status(const char *route, const char *text)
{
	return sim_say(&w, "conversations", conv, route, text);
}

static void start_conversation(const char *text)
{
	cJSON *j = simc_ctl(&w.sim, "POST", "/_sim/conversations",
			    "{\"text\":\"%s\",\"firstName\":\"Maria\",\"lastName\":\"Garcia\"}",
			    text);
	snprintf(conv, sizeof conv, "%s", jstr(j, "conversationId"));
	cJSON_Delete(j);
}

/* The agent's chats in the conversation (origin "api"). */
static int agent_chats(struct world *wp, const char *text)
{
	cJSON *j = sim_conversation(wp, conv);
	const cJSON *c;
	int n = 0;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(j, "chats"))
		n += strcmp(jstr(c, "origin"), "api") == 0 &&
		     (!text || strcmp(jstr(c, "message"), text) == 0);
	cJSON_Delete(j);
	return n;
}

static bool agent_chats_are(struct world *wp, const void *n)
{
	return agent_chats(wp, NULL) == *(const int *)n;
}

struct field_goal {
	const char *path, *value;
};

static bool field_is(struct world *wp, const void *arg)
{
	const struct field_goal *g = arg;
	cJSON *j = sim_conversation(wp, conv);
	const char *v = jstr(j, g->path);
	bool ok = v && strcmp(v, g->value) == 0;
	cJSON_Delete(j);
	return ok;
}

static bool ended(struct world *wp, const void *arg)
{
	(void)arg;
	cJSON *j = sim_conversation(wp, conv);
	bool ok = cJSON_IsTrue(jat(j, "isEnd"));
	cJSON_Delete(j);
	return ok;
}

/* ---- the hub ------------------------------------------------------------------------ */

static bool has_chat(struct world *wp, const void *text)
{
	return hub_chat_by_preview(wp, text, chat);
}

static cJSON *hub_chat(void)
{
	return hub_call(&w, "GET", NULL, 200, "/v1/chats/%s", chat);
}

static bool escalated(struct world *wp, const void *arg)
{
	(void)wp;
	(void)arg;
	cJSON *j = hub_chat();
	bool ok = cJSON_IsTrue(jat(j, "escalated")) || cJSON_IsTrue(jat(j, "chat.escalated"));
	cJSON_Delete(j);
	return ok;
}

/* Messages of the hub chat whose text starts with `prefix`. */
static int hub_count(const char *prefix)
{
	cJSON *j = hub_call(&w, "GET", NULL, 200, "/v1/chats/%s/messages?limit=100", chat);
	const cJSON *m;
	int n = 0;
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(j, "messages")) {
		const char *t = jstr(m, "text");
		n += t && strncmp(t, prefix, strlen(prefix)) == 0;
	}
	cJSON_Delete(j);
	return n;
}

static bool hub_count_is(struct world *wp, const void *arg)
{
	(void)wp;
	return hub_count("burst ") == *(const int *)arg;
}

/* ---- inbound -------------------------------------------------------------------------- */

static int setup_inbound(void **state)
{
	(void)state;
	world_init_for(&w, &world_conversations, FAST);
	bridge_start(&w);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	world_free(&w);
	return 0;
}

static void test_check(void **state)
{
	char out[1024];

	(void)state;
	assert_int_equal(bridge_check_run(w.config, out, sizeof out), 0);
	assert_non_null(strstr(out, "conversations on the first page"));
	assert_null(strstr(out, CVSIM_API_KEY));
}

/* The platform pushes nothing: a webhook_listen is a mistake, said so. */
static void test_webhook_listen_refused(void **state)
{
	char out[1024], path[300];
	struct world nw;

	(void)state;
	world_init_for(&nw, &world_conversations,
		       "webhook_listen = 127.0.0.1:0\nwebhook_secret_file = webhook.secret\n");
	snprintf(path, sizeof path, "%s", nw.config);
	assert_int_not_equal(bridge_check_run(path, out, sizeof out), 0);
	world_free(&nw);
}

static void test_customer_and_bot_chats_become_a_hub_chat(void **state)
{
	(void)state;
	start_conversation("Where is my parcel?");
	wait_for(&w, has_chat, "Where is my parcel?", "the customer's chat in the hub");
	cJSON *j = hub_chat();
	const cJSON *c = jat(j, "chat") ? jat(j, "chat") : j;
	assert_string_equal(jstr(c, "source.platform"), "conversations");
	assert_string_equal(jstr(c, "owner.name"), "Maria Garcia");
	assert_string_equal(jstr(c, "channel.type"), "api");
	cJSON_Delete(j);
	assert_int_equal(sim_status("bot", "Let me look it up"), 200);
	wait_for(&w, has_chat, "Let me look it up", "the bot's chat in the hub");
	sim_post("customer", "{\"text\":\"It was due Monday\"}");
	wait_for(&w, has_chat, "It was due Monday", "the customer's next chat");
	assert_int_equal(bridge_log_count(&w, "refused"), 0);
}

/* More new chats than a conversation's latest 20, on pages of 7: every one
 * arrives, once, in order. */
static void test_more_than_twenty_new_chats_are_walked(void **state)
{
	char text[64];
	int n = 30;

	(void)state;
	cJSON_Delete(simc_ctl(&w.sim, "POST", "/_sim/config", "{\"chatPageSize\":7}"));
	start_conversation("burst 00");
	wait_for(&w, has_chat, "burst 00", "the first chat");
	bridge_stop(&w);
	for (int i = 1; i < n; i++) {
		snprintf(text, sizeof text, "{\"text\":\"burst %02d\"}", i);
		sim_post("customer", text);
	}
	bridge_start(&w);
	wait_for(&w, hub_count_is, &n, "all 30 chats in the hub");
	/* Oldest first: the last is the chat's preview. */
	assert_true(hub_chat_by_preview(&w, "burst 29", chat));
}

static void test_escalation_puts_it_in_waiting(void **state)
{
	(void)state;
	start_conversation("I want to talk to someone");
	wait_for(&w, has_chat, "I want to talk to someone", "the chat in the hub");
	sim_post("escalate", "{\"text\":\"Connecting you to a human\"}");
	wait_for(&w, escalated, NULL, "the chat escalated in the hub");
	assert_true(hub_chat_by_preview(&w, "Connecting you to a human", chat));
}

/* ---- outbound -------------------------------------------------------------------------- */

/* A conversation the bot escalated, carried in by the first poll round (the
 * last one for a while), taken over by Ana. */
static int setup_outbound(void **state)
{
	static const struct field_goal human = {"state", "in_progress"};
	static const struct field_goal assignee = {"assignee", CVSIM_AGENT};

	(void)state;
	world_init_for(&w, &world_conversations, PARKED);
	start_conversation("I need a refund");
	sim_post("escalate", "{\"text\":\"One moment.\"}");
	bridge_start(&w);
	wait_for(&w, has_chat, "One moment.", "the conversation in the hub");
	wait_for(&w, escalated, NULL, "the chat escalated in the hub");
	hub_action(&w, chat, "takeover");
	wait_for(&w, field_is, &human, "state in_progress on the platform");
	wait_for(&w, field_is, &assignee, "the agent assigned on the platform");
	return 0;
}

static void test_takeover_silences_bot(void **state)
{
	(void)state;
	assert_int_equal(sim_status("bot", "I am the bot"), 409);
}

static void test_reply_once_through_429_and_5xx(void **state)
{
	char msg[37];
	int one = 1;

	(void)state;
	cJSON_Delete(simc_ctl(&w.sim, "POST", "/_sim/faults",
			       "{\"serverError\":2,\"errorStatus\":503,\"rateLimited\":1,\"retryAfter\":2}"));
	long long t0 = now_ms();
	hub_reply(&w, chat, "Hello Maria, I am Ana", msg);
	wait_for(&w, agent_chats_are, &one, "the reply on the platform");
	bridge_wait_log(&w, "done", 2); /* holder, then the post */
	assert_int_equal(bridge_log_count(&w, "HTTP 429"), 1);
	/* The 429's Retry-After, honoured; a 503's jittered backoff may print
	 * "2.0 s" too, so the two go together. */
	assert_int_equal(bridge_log_count_both(&w, "HTTP 429", "again in 2.0 s"), 1);
	assert_true(bridge_log_count(&w, "HTTP 503") >= 2);
	assert_true(now_ms() - t0 >= 2000);
	assert_int_equal(agent_chats(&w, "Hello Maria, I am Ana"), 1);
}

/* The post's own request meets `faults`: only a request that carries the
 * reply's words (the post; the conversation's read before it carries none)
 * is touched, so nothing depends on when the switches are set. */
static void fault_on_post(const char *text, const char *faults)
{
	char msg[37];

	cJSON_Delete(simc_ctl(&w.sim, "POST", "/_sim/faults", "{\"only\":\"%s\",%s}", text,
			      faults));
	hub_reply(&w, chat, text, msg);
}

/* A 503 on the post (nothing done): the bridge looks, finds nothing, posts. */
static void test_reply_once_through_503_on_the_post(void **state)
{
	int one = 1;

	(void)state;
	fault_on_post("Checking your order", "\"serverError\":1,\"errorStatus\":503");
	wait_for(&w, agent_chats_are, &one, "the reply on the platform");
	bridge_wait_log(&w, "done", 2);
	assert_int_equal(bridge_log_count(&w, "post message: HTTP 503"), 1);
	assert_int_equal(bridge_log_count(&w, "was posted already"), 0);
	assert_int_equal(agent_chats(&w, NULL), 1);
}

/* The post done and its answer lost: the bridge looks, finds it, and does
 * not post it again. */
static void test_reply_once_through_a_dropped_answer(void **state)
{
	int one = 1;

	(void)state;
	fault_on_post("Your refund is approved", "\"drop\":1");
	wait_for(&w, agent_chats_are, &one, "the reply on the platform");
	bridge_wait_log(&w, "was posted already", 1);
	bridge_wait_log(&w, "done", 2);
	assert_int_equal(agent_chats(&w, "Your refund is approved"), 1);
}

/* The platform did the work, the answer never came, the bridge died: the
 * restarted bridge finds the reply there and posts nothing more; the next
 * reply, with the same words, is a new one and is posted. */
static void test_reply_once_across_kill9(void **state)
{
	char msg[37];
	int one = 1, two = 2;

	(void)state;
	/* The post is carried out and its answer held back far longer than
	 * the wait for it: the kill always lands between the two. */
	cJSON_Delete(simc_ctl(&w.sim, "POST", "/_sim/faults",
			       "{\"only\":\"Thanks for waiting\",\"slow\":1,\"delayMs\":60000}"));
	hub_reply(&w, chat, "Thanks for waiting", msg);
	wait_for(&w, agent_chats_are, &one, "the reply created on the platform");
	int done = bridge_log_count(&w, "done");
	bridge_kill(&w);
	cJSON_Delete(simc_ctl(&w.sim, "POST", "/_sim/faults", "{\"reset\":true}"));
	bridge_start(&w);
	bridge_wait_log(&w, "was posted already", 1);
	bridge_wait_log(&w, "done", done + 1);
	assert_int_equal(agent_chats(&w, NULL), 1);
	hub_reply(&w, chat, "Thanks for waiting", msg);
	wait_for(&w, agent_chats_are, &two, "the same words again, a new reply");
	bridge_wait_log(&w, "done", done + 2);
	assert_int_equal(agent_chats(&w, "Thanks for waiting"), 2);
}

static void test_handback_returns_to_bot(void **state)
{
	static const struct field_goal bot = {"state", "no"};
	static const struct field_goal nobody = {"assignee", ""};

	(void)state;
	hub_action(&w, chat, "handback");
	wait_for(&w, field_is, &bot, "state no on the platform");
	wait_for(&w, field_is, &nobody, "no assignee on the platform");
	assert_int_equal(sim_status("bot", "the bot again"), 200);
}

static void test_stop_stops_the_conversation(void **state)
{
	static const struct field_goal done = {"state", "resolved"};

	(void)state;
	hub_action(&w, chat, "stop");
	wait_for(&w, ended, NULL, "the conversation stopped on the platform");
	wait_for(&w, field_is, &done, "state resolved on the platform");
	assert_int_equal(sim_status("customer", "hello?"), 409);
	assert_int_equal(sim_status("bot", "the bot"), 409);
}

/* The rating of the bot's latest chat, as the agent's: true/false, the
 * feedback selection, the suggested answer. */
static bool rated(struct world *wp, const void *arg)
{
	const char *want = arg;
	cJSON *j = sim_conversation(wp, conv);
	const cJSON *c, *bot = NULL;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(j, "chats"))
		if (strcmp(jstr(c, "sender"), "BOT") == 0)
			bot = c;
	const cJSON *r = bot ? jat(bot, "agentRating") : NULL;
	bool ok = r && cJSON_IsBool(r) && cJSON_IsTrue(r) == (strcmp(want, "good") == 0);
	const char *suggested = bot ? jstr(bot, "suggestedAnswer") : NULL;
	const cJSON *sel = bot ? jat(bot, "feedbackSelection") : NULL;
	if (ok && strcmp(want, "bad") == 0)
		ok = suggested && strcmp(suggested, "Refunds take 5 days") == 0 &&
		     cJSON_GetArraySize(sel) == 1 &&
		     strcmp(cJSON_GetArrayItem(sel, 0)->valuestring, "wrong policy") == 0;
	else if (ok) /* the new rating came without words: the old ones went */
		ok = (!suggested || !*suggested) && cJSON_GetArraySize(sel) == 0;
	cJSON_Delete(j);
	return ok;
}

static void test_title_and_rating(void **state)
{
	static const struct field_goal title = {"title", "Refund for order 42"};
	(void)state;
	cJSON_Delete(hub_call(&w, "PATCH", "{\"title\":\"Refund for order 42\"}", 200,
			      "/v1/chats/%s", chat));
	wait_for(&w, field_is, &title, "the title on the platform");
	cJSON_Delete(hub_call(&w, "POST",
			      "{\"score\":2,\"feedback\":\"wrong policy\","
			      "\"suggested_answer\":\"Refunds take 5 days\"}",
			      200, "/v1/chats/%s/rating", chat));
	wait_for(&w, rated, "bad", "a bad rating with its words on the bot's chat");
	cJSON_Delete(hub_call(&w, "POST", "{\"score\":5}", 200, "/v1/chats/%s/rating", chat));
	wait_for(&w, rated, "good", "a good rating on the bot's chat");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_check, setup_inbound, teardown),
		cmocka_unit_test(test_webhook_listen_refused),
		cmocka_unit_test_setup_teardown(test_customer_and_bot_chats_become_a_hub_chat,
						setup_inbound, teardown),
		cmocka_unit_test_setup_teardown(test_more_than_twenty_new_chats_are_walked,
						setup_inbound, teardown),
		cmocka_unit_test_setup_teardown(test_escalation_puts_it_in_waiting, setup_inbound,
						teardown),
		cmocka_unit_test_setup_teardown(test_takeover_silences_bot, setup_outbound, teardown),
		cmocka_unit_test_setup_teardown(test_reply_once_through_429_and_5xx, setup_outbound,
						teardown),
		cmocka_unit_test_setup_teardown(test_reply_once_through_503_on_the_post,
						setup_outbound, teardown),
		cmocka_unit_test_setup_teardown(test_reply_once_through_a_dropped_answer,
						setup_outbound, teardown),
		cmocka_unit_test_setup_teardown(test_reply_once_across_kill9, setup_outbound,
						teardown),
		cmocka_unit_test_setup_teardown(test_handback_returns_to_bot, setup_outbound,
						teardown),
		cmocka_unit_test_setup_teardown(test_stop_stops_the_conversation, setup_outbound,
						teardown),
		cmocka_unit_test_setup_teardown(test_title_and_rating, setup_outbound, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
