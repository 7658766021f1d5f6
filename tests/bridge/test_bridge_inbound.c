/*
 * test_bridge_inbound.c — platform -> hub through a real handoff-bridge:
 * a customer's message on the simulated Botpress becomes a hub chat (by
 * polling, and by webhook alone), an escalation there puts the chat in
 * Waiting, a forged delivery is refused, a duplicated one ingests once,
 * and a bridge killed with SIGKILL mid-backfill resumes without ingesting
 * anything twice or losing anything.
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

/* Polling only, fast. */
#define POLL_FAST "poll_min_ms = 50\npoll_max_ms = 200\n"
/* One poll at start, then (for the test's length) none: what arrives
 * afterwards can only have come through the webhook. */
#define WEBHOOK_ONLY "poll_min_ms = 600000\npoll_max_ms = 600000\nwebhook_listen = 127.0.0.1:0\n" \
		     "webhook_secret_file = webhook.secret\n"

static struct world w;

static char *conv_new(const char *text, const char *name)
{
	cJSON *j = simc_ctl(&w.sim, "POST", "/_sim/conversations", "{\"text\":\"%s\",\"name\":\"%s\"}",
			     text, name);
	char *id = strdup(jstr(j, "conversationId"));
	cJSON_Delete(j);
	return id;
}

/* The chat as the hub shows it, one assertion per mapped field. */
static void check_chat(const char *chat_id, const char *conv, const char *name)
{
	char path[128];
	snprintf(path, sizeof path, "/v1/chats/%s", chat_id);
	struct reply r = http(&w.hub, "GET", path, w.ana, NULL);
	cJSON *c = expect_status(&r, 200);
	assert_string_equal(jstr(c, "owner.name"), name);
	assert_string_equal(jstr(c, "channel.type"), "widget");
	assert_string_equal(jstr(c, "channel.name"), "webchat");
	assert_string_equal(jstr(c, "source.platform"), "botpress");
	assert_string_equal(jstr(c, "source.account.name"), "Botpress bridge");
	assert_string_equal(jstr(c, "mode"), "AI");
	reply_free(&r);

	snprintf(path, sizeof path, "/v1/chats/%s/messages", chat_id);
	r = http(&w.hub, "GET", path, w.ana, NULL);
	cJSON *m = cJSON_GetArrayItem(jat(expect_status(&r, 200), "messages"), 0);
	assert_string_equal(jstr(m, "role"), "user");
	assert_non_null(jstr(m, "external_message_id"));
	assert_true(strncmp(jstr(m, "external_message_id"), "msg_", 4) == 0);
	(void)conv;
	reply_free(&r);
}

static int teardown(void **state)
{
	(void)state;
	world_free(&w);
	return 0;
}

/* A customer writes; the poller brings the chat in with its name,
 * channel and source; the bot escalates; the chat is Waiting. */
static void test_polling_brings_chat_and_escalation(void **state)
{
	char chat[37];

	(void)state;
	world_init(&w, POLL_FAST);
	bridge_start(&w);
	char *conv = conv_new("my parcel never came", "Maria G.");
	wait_for(&w, hub_has_chat, "my parcel never came", "the customer's chat in the hub");
	assert_true(hub_chat_by_preview(&w, "my parcel never came", chat));
	check_chat(chat, conv, "Maria G.");
	assert_false(hub_chat_waiting(&w, chat));

	char path[128];
	snprintf(path, sizeof path, "/_sim/conversations/%s/escalate", conv);
	cJSON_Delete(simc_ctl(&w.sim, "POST", path, "{\"text\":\"Let me find a human for you.\"}"));
	wait_for(&w, hub_chat_waiting, chat, "the chat in Waiting after the bot escalated");
	/* The bot's words came in too, as the bot's, and the chat escalated
	 * once. Usually the words carry the escalation (3 messages). When the
	 * platform escalates between the round's two lists (conversations
	 * asking for a human, then messages), the words arrive as a plain bot
	 * message and the next round's notice carries it: one line more. */
	snprintf(path, sizeof path, "/v1/chats/%s/messages", chat);
	struct reply r = http(&w.hub, "GET", path, w.ana, NULL);
	const cJSON *m, *msgs = jat(expect_status(&r, 200), "messages");
	int words = 0, escalations = 0;
	cJSON_ArrayForEach(m, msgs) {
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(m, "system_type");
		escalations += cJSON_IsString(st) && strcmp(st->valuestring, "CONVERSATION_ESCALATED") == 0;
		const char *text = jstr(m, "text"), *role = jstr(m, "role");
		words += text && role && strcmp(text, "Let me find a human for you.") == 0 &&
			 strcmp(role, "bot") == 0;
	}
	assert_int_equal(words, 1);
	assert_int_equal(escalations, 1);
	int n = cJSON_GetArraySize(msgs);
	assert_true(n == 3 || n == 4);
	if (n == 3)
		assert_string_equal(jstr(cJSON_GetArrayItem(msgs, 2), "system_type"),
				    "CONVERSATION_ESCALATED");
	reply_free(&r);
	free(conv);
}

/* Escalation without any message to carry it: the bridge ingests its
 * notice, once, however many polls see the tag. */
static void test_escalation_alone_once(void **state)
{
	char chat[37], path[128];

	(void)state;
	world_init(&w, POLL_FAST);
	bridge_start(&w);
	char *conv = conv_new("hello?", "Ken");
	wait_for(&w, hub_has_chat, "hello?", "the chat");
	assert_true(hub_chat_by_preview(&w, "hello?", chat));
	snprintf(path, sizeof path, "/_sim/conversations/%s/escalate", conv);
	cJSON_Delete(simc_ctl(&w.sim, "POST", path, "{}"));
	wait_for(&w, hub_chat_waiting, chat, "the chat in Waiting");
	/* The hub can show it before the bridge has logged its answer. */
	bridge_wait_log(&w, "inbound: escalation", 1);
	/* Later polls see the tag again; nothing more may be ingested for it. */
	int before = bridge_log_count(&w, "-> chat");
	cJSON_Delete(simc_ctl(&w.sim, "POST", "/_sim/conversations", "{\"text\":\"other\"}"));
	wait_for(&w, hub_has_chat, "other", "a later chat (later polls ran)");
	/* The hub has the chat before the bridge logs its answer: wait for
	 * the line, then no other may be there. */
	bridge_wait_log(&w, "-> chat", before + 1);
	assert_int_equal(bridge_log_count(&w, "-> chat"), before + 1);
	snprintf(path, sizeof path, "/v1/chats/%s/messages", chat);
	struct reply r = http(&w.hub, "GET", path, w.ana, NULL);
	/* Escalated once, and at most the bridge's one notice besides the
	 * customer's message: a poll round that still lists the customer's
	 * message as new lets it carry the escalation, and then no notice is
	 * needed. */
	const cJSON *msgs = jat(expect_status(&r, 200), "messages"), *m;
	int escalations = 0, bots = 0;
	cJSON_ArrayForEach(m, msgs) {
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(m, "system_type");
		const cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role");
		escalations += cJSON_IsString(st) && strcmp(st->valuestring, "CONVERSATION_ESCALATED") == 0;
		bots += cJSON_IsString(role) && strcmp(role->valuestring, "bot") == 0;
	}
	assert_int_equal(escalations, 1);
	assert_true(bots <= 1);
	assert_true(cJSON_GetArraySize(msgs) <= 3);
	reply_free(&r);
	free(conv);
}

/* With polling parked, a chat still arrives: by the webhook. A delivery
 * pushed twice ingests once; a forged one is refused. */
static void test_webhook_alone_and_signature(void **state)
{
	char chat[37], path[128];

	(void)state;
	world_init(&w, WEBHOOK_ONLY);
	bridge_start(&w);
	assert_true(w.webhook_port > 0);
	cJSON_Delete(simc_ctl(&w.sim, "POST", "/_sim/faults", "{\"webhookTwice\": 10}"));
	char *conv = conv_new("pushed to you", "Li");
	wait_for(&w, hub_has_chat, "pushed to you", "the chat brought by the webhook");
	assert_true(hub_chat_by_preview(&w, "pushed to you", chat));
	snprintf(path, sizeof path, "/_sim/conversations/%s/customer", conv);
	cJSON_Delete(simc_ctl(&w.sim, "POST", path, "{\"text\":\"still there?\"}"));
	wait_for(&w, hub_has_chat, "still there?", "the second message");
	snprintf(path, sizeof path, "/v1/chats/%s/messages", chat);
	struct reply r = http(&w.hub, "GET", path, w.ana, NULL);
	assert_int_equal(cJSON_GetArraySize(jat(expect_status(&r, 200), "messages")), 2);
	reply_free(&r);

	/* A delivery signed with another secret changes nothing. */
	char url[64], body[] = "{\"id\":\"evt_x\",\"type\":\"message_created\",\"payload\":{\"message\":"
			       "{\"id\":\"msg_forged\",\"conversationId\":\"conv_forged\",\"type\":\"text\","
			       "\"direction\":\"incoming\",\"userId\":\"u\",\"payload\":{\"text\":\"forged\"}}}}";
	snprintf(url, sizeof url, "http://127.0.0.1:%d/", w.webhook_port);
	struct simc s2 = w.sim;
	snprintf(s2.base, sizeof s2.base, "http://127.0.0.1:%d", w.webhook_port);
	const char *hdrs[] = {"Content-Type: application/json",
			      "x-bp-signature: 0000000000000000000000000000000000000000000000000000000000000000",
			      NULL};
	struct simc_reply fr = simc_raw(&s2, "POST", "/", hdrs, body);
	assert_int_equal(fr.status, 401);
	simc_reply_free(&fr);
	const char *nosig[] = {"Content-Type: application/json", NULL};
	fr = simc_raw(&s2, "POST", "/", nosig, body);
	assert_int_equal(fr.status, 401);
	simc_reply_free(&fr);
	assert_int_equal(bridge_log_count(&w, "bad or missing signature"), 2);
	assert_false(hub_has_chat(&w, "forged"));
	free(conv);
}

struct count_goal {
	int chats, messages;
};

static bool all_in(struct world *wp, const void *arg)
{
	const struct count_goal *g = arg;
	cJSON *j = hub_chats(wp, NULL);
	const cJSON *c;
	int chats = 0, msgs = 0;

	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(j, "chats")) {
		chats++;
		msgs += (int)jat(c, "message_count")->valuedouble;
	}
	cJSON_Delete(j);
	return chats >= g->chats && msgs >= g->messages;
}

static bool some_in(struct world *wp, const void *arg)
{
	(void)arg;
	cJSON *j = hub_chats(wp, NULL);
	int n = cJSON_GetArraySize(jat(j, "chats"));
	cJSON_Delete(j);
	return n >= 50;
}

/* SIGKILL while the backlog is coming in, then a restart: every message
 * arrives, none twice. */
static void test_kill9_during_backfill(void **state)
{
	struct count_goal goal = {200, 600};

	(void)state;
	world_init(&w, POLL_FAST);
	cJSON_Delete(simc_ctl(&w.sim, "POST", "/_sim/seed", "{\"conversations\":200,\"messages\":3}"));
	/* Slow answers, so the kill lands mid-way. */
	cJSON_Delete(simc_ctl(&w.sim, "POST", "/_sim/faults", "{\"slow\":100000,\"delayMs\":15}"));
	bridge_start(&w);
	wait_for(&w, some_in, NULL, "the first chats");
	bridge_kill(&w);
	cJSON *j = hub_chats(&w, NULL);
	int partial = cJSON_GetArraySize(jat(j, "chats"));
	cJSON_Delete(j);
	assert_true(partial < 200);
	cJSON_Delete(simc_ctl(&w.sim, "POST", "/_sim/faults", "{\"reset\":true}"));
	bridge_start(&w);
	wait_for(&w, all_in, &goal, "all 200 chats and 600 messages");
	/* Exactly: a repeat would show as a fourth message in some chat. */
	j = hub_chats(&w, NULL);
	const cJSON *c;
	int chats = 0;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(j, "chats")) {
		chats++;
		assert_int_equal((int)jat(c, "message_count")->valuedouble, 3);
	}
	assert_int_equal(chats, 200);
	cJSON_Delete(j);
	/* The bridge itself resent at most the ingests the kill cut between
	 * the hub's answer and the state db (two batches of up to 100 go at
	 * once): the rest was known. */
	assert_true(bridge_log_count(&w, "(already there)") <= 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_polling_brings_chat_and_escalation, teardown),
		cmocka_unit_test_teardown(test_escalation_alone_once, teardown),
		cmocka_unit_test_teardown(test_webhook_alone_and_signature, teardown),
		cmocka_unit_test_teardown(test_kill9_during_backfill, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
