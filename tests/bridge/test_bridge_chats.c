/*
 * test_bridge_chats.c — the chats platform (responders and tickets)
 * through a real hub, a real handoff-bridge and chats_sim: a customer's
 * chat reaches the hub with source.platform "chats" and its channel; the
 * bot's ticket puts it in Waiting; a takeover makes the human responder
 * answer and the bot go silent; a reply reaches the chat exactly once
 * through 5xx, 429 and a SIGKILL of the bridge (and what the customer
 * wrote meanwhile comes in after the restart); hand back gives the chat
 * to the bot with the ticket closed; title and ticket status reach the
 * platform (a ticket opened for a status when there is none, and one the
 * human responder holds is no escalation); the page walk carries every chat once while chats start
 * under it; a removed chat gets one notice and nothing more.
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

#define POLL "poll_min_ms = 100\npoll_max_ms = 200\n"

static struct world w;
static char human_id[64];     /* the human responder, as chat details show it */
static char conv[64], chat[37];

/* The world; the human responder's id is the simulator's, new each run. */
static void world_up(const char *extra)
{
	world_init_for(&w, &world_chats, extra);
	cJSON *d = simc_ctl(&w.sim, "GET", "/_sim/directory", "%s", "");
	snprintf(human_id, sizeof human_id, "%s", jstr(d, "responders.human.id"));
	cJSON_Delete(d);
}

static int teardown(void **state)
{
	(void)state;
	world_free(&w);
	return 0;
}

static cJSON *sim_chat(const char *id)
{
	char path[128];
	snprintf(path, sizeof path, "/_sim/chats/%s", id);
	return simc_ctl(&w.sim, "GET", path, "%s", "");
}

/* A new customer's chat; its id into conv. */
static void customer_starts(const char *text, const char *extra)
{
	cJSON *j = simc_ctl(&w.sim, "POST", "/_sim/chats", "{\"text\":\"%s\"%s}", text, extra);
	snprintf(conv, sizeof conv, "%s", jstr(j, "chatId"));
	cJSON_Delete(j);
}

static void sim_post(const char *what, const char *body)
{
	char path[128];
	snprintf(path, sizeof path, "/_sim/chats/%s/%s", conv, what);
	cJSON_Delete(simc_ctl(&w.sim, "POST", path, "%s", body));
}

/* The bot may speak: 200, 409 while silent. */
static long bot_says(const char *text)
{
	return sim_say(&w, "chats", conv, "bot", text);
}

/* Messages of `id` the bridge posted (origin "api"). */
static int api_messages(const char *id)
{
	return sim_api_count(&w, "chats", id, "messages");
}

static bool api_count_is(struct world *wp, const void *n)
{
	(void)wp;
	return api_messages(conv) == *(const int *)n;
}

static bool has_chat(struct world *wp, const void *text)
{
	return hub_chat_by_preview(wp, text, chat);
}

/* The platform chat's detail `field` equals `value` (NULL: null). */
struct detail {
	const char *field, *value;
};

static bool detail_is(struct world *wp, const void *arg)
{
	const struct detail *d = arg;
	char path[64];
	(void)wp;
	snprintf(path, sizeof path, "chat.%s", d->field);
	cJSON *j = sim_chat(conv);
	const char *v = jstr(j, path);
	bool ok = d->value ? v && strcmp(v, d->value) == 0 : !v;
	cJSON_Delete(j);
	return ok;
}

/* The hub's messages of `chat_id` (caller deletes). */
static cJSON *hub_messages(const char *chat_id)
{
	return hub_call(&w, "GET", NULL, 200, "/v1/chats/%s/messages?limit=100", chat_id);
}

static int hub_count_text(const char *chat_id, const char *text)
{
	cJSON *j = hub_messages(chat_id);
	const cJSON *m;
	int n = 0;
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(j, "messages"))
		n += jstr(m, "text") && strcmp(jstr(m, "text"), text) == 0;
	cJSON_Delete(j);
	return n;
}

/* A chat that came from the platform, escalated by the bot (a ticket),
 * taken over by Ana. */
static int setup_held(void **state)
{
	(void)state;
	world_up(POLL);
	bridge_start(&w);
	customer_starts("I need a refund", ",\"name\":\"Maria G.\"");
	wait_for(&w, has_chat, "I need a refund", "the chat in the hub");
	sim_post("escalate", "{\"text\":\"One moment, a human will help.\"}");
	wait_for(&w, hub_chat_waiting, chat, "the chat in Waiting after the bot's ticket");
	hub_action(&w, chat, "takeover");
	static struct detail human = {"responderId", NULL};
	human.value = human_id;
	wait_for(&w, detail_is, &human, "the human responder on the platform");
	bridge_wait_log(&w, "done", 1); /* the takeover's job, recorded */
	return 0;
}

/* The customer's chat arrives with its source, channel and name; the bot's
 * answer as the bot's; the bot's ticket puts it in Waiting, once. */
static void test_inbound_and_escalation(void **state)
{
	(void)state;
	world_up(POLL);
	bridge_start(&w);
	customer_starts("Where is my parcel?", ",\"name\":\"Maria G.\",\"channelType\":\"whatsapp\"");
	wait_for(&w, has_chat, "Where is my parcel?", "the chat in the hub");
	cJSON *j = hub_chats(&w, "source=chats");
	const cJSON *c = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "chats"), 0);
	assert_string_equal(jstr(c, "source.platform"), "chats");
	assert_string_equal(jstr(c, "source.account.name"), "Chats bridge");
	assert_string_equal(jstr(c, "channel.type"), "whatsapp");
	assert_string_equal(jstr(c, "owner.name"), "Maria G.");
	cJSON_Delete(j);
	assert_false(hub_chat_waiting(&w, chat));

	sim_post("escalate", "{\"text\":\"Let me find a human.\"}");
	wait_for(&w, hub_chat_waiting, chat, "the chat in Waiting after the bot opened a ticket");
	cJSON *m = hub_messages(chat);
	int escalations = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(m, "messages")) {
		const char *t = jstr(e, "system_type");
		escalations += t && strcmp(t, "CONVERSATION_ESCALATED") == 0;
		if (strcmp(jstr(e, "text"), "Let me find a human.") == 0)
			assert_string_equal(jstr(e, "role"), "bot");
	}
	cJSON_Delete(m);
	assert_int_equal(escalations, 1);
	/* Later rounds see the same ticket: no second escalation. */
	sim_post("customer", "{\"text\":\"hello?\"}");
	wait_for(&w, has_chat, "hello?", "the next customer message");
	assert_int_equal(hub_count_text(chat, "Escalated to a human agent"), 1);
}

static void test_takeover_silences_bot(void **state)
{
	(void)state;
	cJSON *j = sim_chat(conv);
	assert_false(cJSON_IsTrue(jat(j, "botMaySpeak")));
	assert_string_equal(jstr(j, "chat.responderName"), "Human Agent");
	cJSON_Delete(j);
	assert_int_equal(bot_says("I am the bot"), 409);
}

static void test_reply_once_through_5xx_and_429(void **state)
{
	char msg[37];
	int one = 1;

	(void)state;
	cJSON_Delete(simc_ctl(&w.sim, "POST", "/_sim/faults",
			       "{\"serverError\":3,\"errorStatus\":503,\"rateLimited\":1,\"retryAfter\":1}"));
	hub_reply(&w, chat, "Hello Maria, I am Ana", msg);
	wait_for(&w, api_count_is, &one, "the reply on the platform");
	bridge_wait_log(&w, "done", 2); /* holder, then the post */
	/* The poller shares the faults; the post met at least one of them. */
	assert_true(bridge_log_count(&w, "post message: HTTP 503") +
		    bridge_log_count(&w, "post message: HTTP 429") >= 1);
	assert_int_equal(api_messages(conv), 1);
	cJSON *j = sim_chat(conv);
	const cJSON *m, *found = NULL;
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(j, "messages"))
		if (strcmp(jstr(m, "origin"), "api") == 0)
			found = m;
	assert_string_equal(jstr(found, "content"), "Hello Maria, I am Ana");
	assert_string_equal(jstr(found, "role"), "operator");
	assert_string_equal(jstr(found, "idempotencyKey"), msg);
	cJSON_Delete(j);
	/* The reply does not come back into the hub as a customer's. */
	sim_post("customer", "{\"text\":\"thanks Ana\"}");
	wait_for(&w, has_chat, "thanks Ana", "the customer's next message");
	assert_int_equal(hub_count_text(chat, "Hello Maria, I am Ana"), 1);
}

/* The platform stored the reply, its answer was late, the bridge died:
 * the restarted bridge posts again with the same Idempotency-Key and the
 * platform answers the first message. Every request is slow meanwhile
 * (the poller's too), so the post is. */
static void test_reply_once_across_kill9(void **state)
{
	char msg[37];
	int one = 1, two = 2;

	(void)state;
	cJSON_Delete(simc_ctl(&w.sim, "POST", "/_sim/faults", "{\"slow\":50,\"delayMs\":3000}"));
	int done = bridge_log_count(&w, "done");
	hub_reply(&w, chat, "Your refund is on its way", msg);
	wait_for(&w, api_count_is, &one, "the reply stored on the platform");
	bridge_kill(&w);
	assert_int_equal(bridge_log_count(&w, "done"), done);
	cJSON_Delete(simc_ctl(&w.sim, "POST", "/_sim/faults", "{\"reset\":true}"));
	/* What the customer writes meanwhile comes in after the restart: the
	 * poll cursor it resumes from is not past it. */
	sim_post("customer", "{\"text\":\"are you still there?\"}");
	bridge_start(&w);
	bridge_wait_log(&w, "done", done + 1);
	assert_int_equal(api_messages(conv), 1);
	wait_for(&w, has_chat, "are you still there?", "the message written while the bridge was down");
	char other[37];
	hub_reply(&w, chat, "Anything else?", other);
	wait_for(&w, api_count_is, &two, "the next reply");
	bridge_wait_log(&w, "done", done + 2);
	assert_int_equal(api_messages(conv), 2);
}

static void test_handback_returns_to_bot(void **state)
{
	static const struct detail closed = {"ticketStatus", "closed"};

	(void)state;
	hub_action(&w, chat, "handback");
	wait_for(&w, detail_is, &closed, "the ticket closed on hand back");
	cJSON *j = sim_chat(conv);
	assert_string_equal(jstr(j, "chat.responderName"), "Sim Bot");
	assert_true(cJSON_IsTrue(jat(j, "botMaySpeak")));
	cJSON_Delete(j);
	assert_int_equal(bot_says("the bot again"), 200);
	/* A closed ticket asks for nobody: the chat stays out of Waiting. */
	wait_for(&w, has_chat, "the bot again", "the bot's message in the hub");
	assert_false(hub_chat_waiting(&w, chat));
}

/* Title and ticket status go to the platform ("solved" is its "closed");
 * the hub's status does not reopen the ticket once the bot has the chat
 * back. */
static void test_title_and_status(void **state)
{
	static const struct detail title = {"title", "Refund for order 42"};
	static const struct detail pending = {"ticketStatus", "pending"};
	static const struct detail closed = {"ticketStatus", "closed"};
	static const struct detail retitled = {"title", "Refund done"};

	(void)state;
	cJSON_Delete(hub_call(&w, "PATCH",
			      "{\"title\":\"Refund for order 42\",\"ticket_status\":\"pending\"}",
			      200, "/v1/chats/%s", chat));
	wait_for(&w, detail_is, &title, "the title on the platform");
	wait_for(&w, detail_is, &pending, "the ticket pending on the platform");
	cJSON_Delete(hub_call(&w, "PATCH", "{\"ticket_status\":\"solved\"}", 200, "/v1/chats/%s",
			      chat));
	wait_for(&w, detail_is, &closed, "the ticket closed for \"solved\"");

	cJSON_Delete(hub_call(&w, "PATCH", "{\"ticket_status\":\"open\"}", 200, "/v1/chats/%s",
			      chat));
	hub_action(&w, chat, "handback");
	cJSON_Delete(hub_call(&w, "PATCH", "{\"title\":\"Refund done\"}", 200, "/v1/chats/%s",
			      chat));
	wait_for(&w, detail_is, &retitled, "the new title on the platform");
	wait_for(&w, detail_is, &closed, "the ticket closed after hand back");
	assert_int_equal(bot_says("the bot after the retitle"), 200);
}

/* A chat with no ticket, taken over without an escalation: the hub's
 * "pending" opens a ticket (only "open" may) and then sets it. */
static void test_status_without_ticket(void **state)
{
	static const struct detail pending = {"ticketStatus", "pending"};
	static struct detail human = {"responderId", NULL};

	(void)state;
	world_up(POLL);
	bridge_start(&w);
	customer_starts("just a question", "");
	wait_for(&w, has_chat, "just a question", "the chat in the hub");
	hub_action(&w, chat, "takeover");
	human.value = human_id;
	wait_for(&w, detail_is, &human, "the human responder on the platform");
	cJSON *j = sim_chat(conv);
	assert_null(jstr(j, "chat.ticketId"));
	cJSON_Delete(j);
	cJSON_Delete(hub_call(&w, "PATCH", "{\"ticket_status\":\"pending\"}", 200, "/v1/chats/%s",
			      chat));
	wait_for(&w, detail_is, &pending, "a ticket, pending, on the platform");
	/* A ticket the human responder holds asks for nobody: the customer's
	 * next message does not escalate the chat. */
	sim_post("customer", "{\"text\":\"any news?\"}");
	wait_for(&w, has_chat, "any news?", "the customer's next message");
	cJSON *list = hub_chats(&w, "source=chats");
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(list, "chats"))
		if (strcmp(jstr(c, "id"), chat) == 0)
			assert_false(cJSON_IsTrue(jat(c, "escalated")));
	cJSON_Delete(list);
}

static int sim_stat(const char *path, const char *name)
{
	cJSON *j = simc_ctl(&w.sim, "GET", path, "%s", "");
	int n = (int)cJSON_GetNumberValue(jat(j, name));
	cJSON_Delete(j);
	return n;
}

static bool faults_spent(struct world *wp, const void *arg)
{
	(void)wp;
	(void)arg;
	return sim_stat("/_sim/faults", "pageChange") == 0;
}

/* The hub holds as many chats and messages of the bridge as the platform. */
static bool hub_has_all(struct world *wp, const void *arg)
{
	cJSON *j = hub_chats(wp, "source=chats");
	const cJSON *c;
	int n = 0, msgs = 0;

	(void)arg;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(j, "chats")) {
		cJSON *m = hub_messages(jstr(c, "id"));
		msgs += cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(m, "messages"));
		cJSON_Delete(m);
		n++;
	}
	cJSON_Delete(j);
	return n == sim_stat("/_sim/stats", "chats") && msgs == sim_stat("/_sim/stats", "messages");
}

/* Pages walked while chats start under them, listed newest first (each
 * new chat shifts the later pages): every chat reaches the hub, with each
 * of its messages, once. */
static void test_page_walk_while_chats_change(void **state)
{
	(void)state;
	world_up(POLL "page_size = 5\n");
	cJSON_Delete(simc_ctl(&w.sim, "POST", "/_sim/config", "{\"order\":\"newest\"}"));
	cJSON_Delete(simc_ctl(&w.sim, "POST", "/_sim/seed", "{\"chats\":23,\"messages\":3}"));
	cJSON_Delete(simc_ctl(&w.sim, "POST", "/_sim/faults",
			       "{\"pageChange\":6,\"pageInsert\":2}"));
	bridge_start(&w);
	wait_for(&w, faults_spent, NULL, "six page fetches with chats started under them");
	assert_int_equal(sim_stat("/_sim/stats", "chats"), 23 + 6 * 2);
	wait_for(&w, hub_has_all, NULL, "every chat and message in the hub");
	/* The rounds after it add nothing. */
	customer_starts("the last one", "");
	wait_for(&w, has_chat, "the last one", "a chat started after the walks");
	assert_true(hub_has_all(&w, NULL));
}

/* A chat removed on the platform: the hub chat gets one notice, nothing
 * more comes in; a chat removed before the bridge ever saw it never
 * reaches the hub. */
static void test_removed_chat(void **state)
{
	(void)state;
	world_up(POLL);
	customer_starts("never carried", "");
	sim_post("platform", "{\"removed\":true}");
	bridge_start(&w);
	customer_starts("please delete my data", "");
	wait_for(&w, has_chat, "please delete my data", "the chat in the hub");
	sim_post("platform", "{\"removed\":true}");
	wait_for(&w, has_chat, "The chat was removed on the platform.", "the removal notice");
	/* Several more rounds: the notice stays single. */
	customer_starts("another chat", "");
	char other[37];
	assert_true(hub_chat_by_preview(&w, "The chat was removed on the platform.", other));
	wait_for(&w, has_chat, "another chat", "a later chat");
	assert_int_equal(hub_count_text(other, "The chat was removed on the platform."), 1);
	cJSON *j = hub_chats(&w, "source=chats");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "chats")), 2);
	cJSON_Delete(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_inbound_and_escalation, teardown),
		cmocka_unit_test_setup_teardown(test_takeover_silences_bot, setup_held, teardown),
		cmocka_unit_test_setup_teardown(test_reply_once_through_5xx_and_429, setup_held,
						teardown),
		cmocka_unit_test_setup_teardown(test_reply_once_across_kill9, setup_held, teardown),
		cmocka_unit_test_setup_teardown(test_handback_returns_to_bot, setup_held, teardown),
		cmocka_unit_test_setup_teardown(test_title_and_status, setup_held, teardown),
		cmocka_unit_test_teardown(test_status_without_ticket, teardown),
		cmocka_unit_test_teardown(test_page_walk_while_chats_change, teardown),
		cmocka_unit_test_teardown(test_removed_chat, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
