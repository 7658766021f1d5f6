/*
 * test_bridge_threads.c — the chatbot threads platform (AI/AGENT mode)
 * through a real hub, a real handoff-bridge and the threads simulator:
 * a customer's thread becomes a hub chat with source.platform "threads";
 * the AI's answer (with its sources), a system notice and a reaction come
 * in readable; the escalation notice puts the chat in Waiting; the bridge
 * sets each thread's webhook and pushed messages arrive with polling
 * parked, a wrong token being refused; takeover sets mode AGENT and the
 * AI goes silent; a reply reaches the thread exactly once through 5xx,
 * 429, a lost answer and a SIGKILL of the bridge; hand back and stop set
 * mode AI again.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bridge_proc.h"

#define POLL_FAST "poll_min_ms = 50\npoll_max_ms = 200\n"

static struct world w;
static char thread[64], chat[37];
static int hook_port;

static void thread_new(const char *text, const char *name)
{
	cJSON *j = simc_ctl(&w.sim, "POST", "/_sim/threads", "{\"text\":\"%s\",\"name\":\"%s\"}",
			     text, name);
	snprintf(thread, sizeof thread, "%s", jstr(j, "threadId"));
	cJSON_Delete(j);
}

/* POST /_sim/threads/{thread}/<what> with `body`. */
static void sim_do(const char *what, const char *body)
{
	char path[160];
	snprintf(path, sizeof path, "/_sim/threads/%s/%s", thread, what);
	cJSON_Delete(simc_ctl(&w.sim, "POST", path, "%s", body));
}

static cJSON *sim_thread(void)
{
	char path[160];
	snprintf(path, sizeof path, "/_sim/threads/%s", thread);
	return simc_ctl(&w.sim, "GET", path, "%s", "");
}

static int api_messages(void)
{
	return sim_api_count(&w, "threads", thread, "messages");
}

static bool api_count_is(struct world *wp, const void *n)
{
	(void)wp;
	return api_messages() == *(const int *)n;
}

static bool mode_is(struct world *wp, const void *mode)
{
	(void)wp;
	cJSON *j = sim_thread();
	bool ok = strcmp(jstr(j, "thread.mode"), mode) == 0;
	cJSON_Delete(j);
	return ok;
}

static bool has_chat(struct world *wp, const void *text)
{
	return hub_chat_by_preview(wp, text, chat);
}

/* How many messages of the hub chat have this role and text. */
static int hub_count(struct world *wp, const char *const *rt)
{
	int n = 0;
	const cJSON *m;
	cJSON *j = hub_call(wp, "GET", NULL, 200, "/v1/chats/%s/messages", chat);
	cJSON_ArrayForEach(m, jat(j, "messages"))
		n += strcmp(jstr(m, "role"), rt[0]) == 0 && strcmp(jstr(m, "text"), rt[1]) == 0;
	cJSON_Delete(j);
	return n;
}

static bool hub_has(struct world *wp, const void *role_text)
{
	return hub_count(wp, role_text) > 0;
}

/* The AI may speak: 200 from the control interface, 409 while silent. */
static long ai_says(const char *text)
{
	return sim_say(&w, "threads", thread, "bot", text);
}

static int teardown(void **state)
{
	(void)state;
	world_free(&w);
	return 0;
}

/* Polling alone: the thread, the AI's answer with its sources, a system
 * notice, a reaction, and the escalation notice putting it in Waiting. */
static void test_poll_brings_thread(void **state)
{
	(void)state;
	world_init_for(&w, &world_threads, POLL_FAST);
	bridge_start(&w);
	thread_new("I need a refund", "Maria G.");
	wait_for(&w, has_chat, "I need a refund", "the thread's chat in the hub");

	cJSON *c = hub_call(&w, "GET", NULL, 200, "/v1/chats/%s", chat);
	assert_string_equal(jstr(c, "source.platform"), "threads");
	assert_string_equal(jstr(c, "owner.name"), "Maria G.");
	assert_string_equal(jstr(c, "channel.type"), "widget");
	cJSON_Delete(c);
	assert_false(hub_chat_waiting(&w, chat));

	sim_do("bot", "{\"text\":\"Refunds take 5 days.\",\"sources\":[\"kb/refunds\"]}");
	static const char *const answer[] = {"bot", "Refunds take 5 days.\n\nSources: kb/refunds"};
	wait_for(&w, hub_has, answer, "the AI's answer with its source");

	sim_do("system", "{\"type\":\"PROVIDED_EMAIL\"}");
	static const char *const notice[] = {"bot", "[The user provided an email address.]"};
	wait_for(&w, hub_has, notice, "the system notice");

	/* A reaction moves no updatedAt: the next message brings it along. */
	cJSON *j = sim_thread();
	char answered[64];
	snprintf(answered, sizeof answered, "%s",
		 jstr(cJSON_GetArrayItem(jat(j, "messages"), 0), "messageId"));
	cJSON_Delete(j);
	char body[160];
	snprintf(body, sizeof body, "{\"messageId\":\"%s\",\"reaction\":\"POSITIVE\"}", answered);
	sim_do("reaction", body);
	sim_do("customer", "{\"text\":\"thanks\"}");
	static const char *const reaction[] = {
		"user", "[POSITIVE reaction to: Refunds take 5 days.]"};
	wait_for(&w, hub_has, reaction, "the customer's reaction");

	sim_do("escalate", "{}");
	wait_for(&w, hub_chat_waiting, chat, "the chat in Waiting after the escalation notice");
	static const char *const escalated[] = {
		"bot", "[The conversation was escalated to a human agent.]"};
	assert_true(hub_has(&w, escalated));
}

/* A thread the bridge found by its one poll, escalated and taken over:
 * everything after the first poll comes by the thread's webhook. */
static int setup_pushed(void **state)
{
	char conf[512];

	(void)state;
	hook_port = free_port();
	snprintf(conf, sizeof conf,
		 "poll_min_ms = 600000\npoll_max_ms = 600000\n"
		 "webhook_listen = 127.0.0.1:%d\nwebhook_secret_file = webhook.secret\n"
		 "webhook_url = http://127.0.0.1:%d/\n",
		 hook_port, hook_port);
	world_init_for(&w, &world_threads, conf);
	thread_new("my parcel never came", "Ana B.");
	bridge_start(&w);
	wait_for(&w, has_chat, "my parcel never came", "the thread's chat in the hub");
	return 0;
}

static void test_push_per_thread_webhook(void **state)
{
	char url[64];

	(void)state;
	/* The bridge made the thread's webhook its own. */
	snprintf(url, sizeof url, "http://127.0.0.1:%d/", hook_port);
	cJSON *j = sim_thread();
	assert_string_equal(jstr(j, "thread.webhookUrl"), url);
	assert_string_equal(jstr(j, "thread.webhookToken"), WEBHOOK_SECRET);
	cJSON_Delete(j);

	sim_do("customer", "{\"text\":\"hello?\"}");
	static const char *const hello[] = {"user", "hello?"};
	wait_for(&w, hub_has, hello, "the pushed message (polling is parked)");

	/* A delivery with another token is refused, one with none too. */
	struct simc bridge = {.port = hook_port};
	snprintf(bridge.base, sizeof bridge.base, "http://127.0.0.1:%d", hook_port);
	const char *wrong[] = {"Content-Type: application/json", "X-Webhook-Token: hook-secret-2",
			       NULL};
	struct simc_reply r = simc_raw(&bridge, "POST", "/", wrong, "{}");
	assert_int_equal(r.status, 401);
	simc_reply_free(&r);
	const char *none[] = {"Content-Type: application/json", NULL};
	r = simc_raw(&bridge, "POST", "/", none, "{}");
	assert_int_equal(r.status, 401);
	simc_reply_free(&r);
	assert_true(bridge_log_count(&w, "bad or missing signature") >= 2);
}

static void escalate_and_take_over(void)
{
	sim_do("escalate", "{}");
	wait_for(&w, hub_chat_waiting, chat, "the chat in Waiting");
	assert_int_equal(ai_says("still the AI before the takeover"), 200);
	hub_action(&w, chat, "takeover");
	wait_for(&w, mode_is, "AGENT", "mode AGENT on the thread");
	assert_int_equal(ai_says("I am the AI"), 409);
	cJSON *j = sim_thread();
	assert_false(cJSON_IsTrue(jat(j, "botMaySpeak")));
	cJSON_Delete(j);
}

static void test_reply_once_through_faults(void **state)
{
	char msg[37];
	int one = 1;

	(void)state;
	escalate_and_take_over();
	cJSON_Delete(simc_ctl(&w.sim, "POST", "/_sim/faults",
			       "{\"serverError\":2,\"errorStatus\":503,\"rateLimited\":1,\"retryAfter\":1}"));
	hub_reply(&w, chat, "Hello Ana, I am on it", msg);
	wait_for(&w, api_count_is, &one, "the reply on the thread");
	bridge_wait_log(&w, "done", 2); /* the mode, then the reply */
	assert_int_equal(bridge_log_count(&w, "HTTP 429"), 1);
	assert_true(bridge_log_count(&w, "HTTP 503") >= 2);
	assert_int_equal(api_messages(), 1);

	/* The reply is an agent message with the agent's name. */
	cJSON *j = sim_thread();
	const cJSON *m, *found = NULL;
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(j, "messages"))
		if (strcmp(jstr(m, "origin"), "api") == 0)
			found = m;
	assert_string_equal(jstr(found, "messageType"), "AGENT_MESSAGE");
	assert_string_equal(jstr(found, "answer.text"), "Hello Ana, I am on it");
	assert_string_equal(jstr(found, "agentName"), "Ana");
	cJSON_Delete(j);

	/* The bridge's own reply, pushed back, is not ingested again. */
	static const char *const back[] = {"agent", "Hello Ana, I am on it"};
	assert_int_equal(hub_count(&w, back), 1);
}

/* The platform did the work, the bridge died before its answer: the
 * restarted bridge finds the reply there and does not post it again. */
static void test_reply_once_across_kill9(void **state)
{
	char msg[37];
	int one = 1;

	(void)state;
	escalate_and_take_over();
	/* The post is carried out and its answer held back far longer than
	 * the wait for it: the kill always lands between the two. */
	cJSON_Delete(simc_ctl(&w.sim, "POST", "/_sim/faults",
			       "{\"only\":\"Your refund is on its way\",\"slow\":1,\"delayMs\":60000}"));
	hub_reply(&w, chat, "Your refund is on its way", msg);
	wait_for(&w, api_count_is, &one, "the reply created on the thread");
	int done = bridge_log_count(&w, "done");
	bridge_kill(&w);
	cJSON_Delete(simc_ctl(&w.sim, "POST", "/_sim/faults", "{\"reset\":true}"));
	bridge_start(&w);
	bridge_wait_log(&w, "done", done + 1);
	assert_int_equal(api_messages(), 1);
}

static void test_handback_and_stop_return_to_ai(void **state)
{
	(void)state;
	escalate_and_take_over();
	hub_action(&w, chat, "handback");
	wait_for(&w, mode_is, "AI", "mode AI after the hand back");
	assert_int_equal(ai_says("the AI again"), 200);

	hub_action(&w, chat, "takeover");
	wait_for(&w, mode_is, "AGENT", "mode AGENT again");
	hub_action(&w, chat, "stop");
	wait_for(&w, mode_is, "AI", "mode AI after the stop");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_poll_brings_thread, teardown),
		cmocka_unit_test_setup_teardown(test_push_per_thread_webhook, setup_pushed, teardown),
		cmocka_unit_test_setup_teardown(test_reply_once_through_faults, setup_pushed,
						teardown),
		cmocka_unit_test_setup_teardown(test_reply_once_across_kill9, setup_pushed,
						teardown),
		cmocka_unit_test_setup_teardown(test_handback_and_stop_return_to_ai, setup_pushed,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
