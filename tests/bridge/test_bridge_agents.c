/*
 * test_bridge_agents.c — the AI agents platform through a real handoffd, a
 * real handoff-bridge and the agents simulator ($AGENTS_SIM). The platform
 * is the bot's brain: the customers come in through another ingest account
 * (a website widget posting to /v1/ingest/messages), granted to the bridge
 * with `handoffd grant --account`, and the bridge answers them:
 *
 *   - --check names the agent and the workspace client it serves;
 *   - a customer message gets the agent's reply in the hub chat exactly
 *     once, through 5xx, 429 and a dropped answer, and across a kill -9
 *     between the agent's work and its answer; the agent and its client
 *     reach the console once per chat, as a notice;
 *   - takeover sets the agent's state to "human" and nothing more is
 *     asked of it, not even an answer still waiting for its retry; hand
 *     back sets "ai" and the answers resume;
 *   - the agent's own escalation puts the chat in Waiting;
 *   - a takeover and hand back of a chat the agent never saw hold nothing up;
 *   - the customers of a source not granted are never answered.
 *
 * "Nothing happened" is shown with a fence: a later customer message of a
 * granted chat is answered, and the bridge works its queue in event order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "ag_client.h"
#include "bridge_proc.h"

#define ANSWER "Thanks! I am Sim Agent;"
#define HANDOFF_ANSWER "Let me connect you with a human agent."

extern char **environ;

static struct world w;
static char widget[HUB_TOKEN_MAX], stranger[HUB_TOKEN_MAX];
static int fences;

/* ---- the hub -------------------------------------------------------------------------- */

/* handoffd grant INGEST --account SOURCE on the running hub's database. */
static void grant(const char *ingest, const char *source)
{
	const char *handoffd = getenv("HANDOFFD") ? getenv("HANDOFFD") : "./handoffd";
	char *argv[] = {(char *)handoffd, "grant", (char *)ingest, "--account", (char *)source,
			"--db", w.hub.db, NULL};
	pid_t pid;
	int status;

	assert_int_equal(posix_spawn(&pid, handoffd, NULL, NULL, argv, environ), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* A customer of `token`'s source writes in chat `ext`; its chat id. */
static void customer(const char *token, const char *ext, const char *text, char chat[37])
{
	char body[512];

	snprintf(body, sizeof body,
		 "{\"external_id\":\"%s\",\"owner\":{\"external_id\":\"c-%s\",\"name\":\"Maria G.\"},"
		 "\"channel\":{\"type\":\"widget\",\"name\":\"Website\"},\"role\":\"user\","
		 "\"text\":\"%s\",\"source\":{\"platform\":\"widget\"}}",
		 ext, ext, text);
	struct reply r = http(&w.hub, "POST", "/v1/ingest/messages", token, body);
	assert_int_equal(r.status, 201);
	snprintf(chat, 37, "%s", jstr(r.json, "chat.id"));
	reply_free(&r);
}

/* The chat's bot messages whose text starts with `prefix` (or holds it,
 * `anywhere`). */
static int bot_messages(const char *chat, const char *prefix, bool anywhere)
{
	char path[128];
	const cJSON *m;
	int n = 0;

	snprintf(path, sizeof path, "/v1/chats/%s/messages?limit=100", chat);
	struct reply r = http(&w.hub, "GET", path, w.ana, NULL);
	assert_int_equal(r.status, 200);
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(r.json, "messages")) {
		const char *role = jstr(m, "role"), *text = jstr(m, "text");
		if (role && strcmp(role, "bot") == 0 && text &&
		    (anywhere ? strstr(text, prefix) != NULL
			      : strncmp(text, prefix, strlen(prefix)) == 0))
			n++;
	}
	reply_free(&r);
	return n;
}

static int answers(const char *chat)
{
	return bot_messages(chat, ANSWER, false);
}

struct count {
	const char *chat;
	int n;
};

static bool answered(struct world *wp, const void *arg)
{
	const struct count *c = arg;
	(void)wp;
	return answers(c->chat) >= c->n;
}

static void wait_answers(const char *chat, int n)
{
	struct count c = {chat, n};
	wait_for(&w, answered, &c, "the agent's answer in the hub chat");
	assert_int_equal(answers(chat), n);
}

/* A new granted chat whose customer is answered: everything the bridge
 * took from the events before it is done. */
static void fence(void)
{
	char ext[32], chat[37];

	snprintf(ext, sizeof ext, "fence-%d", ++fences);
	customer(widget, ext, "Fence, please answer", chat);
	wait_answers(chat, 1);
}

/* ---- the simulator -------------------------------------------------------------------- */

/* The agent's conversation for a hub chat (NULL: it never heard of it). */
static cJSON *sim_conv(const char *chat)
{
	char path[128];

	snprintf(path, sizeof path, "/_sim/conversations/%s", chat);
	struct simc_reply r = simc_raw(&w.sim, "GET", path, NULL, NULL);
	cJSON *j = r.status == 200 ? r.json : NULL;
	if (j)
		r.json = NULL;
	assert_true(r.status == 200 || r.status == 404);
	simc_reply_free(&r);
	return j;
}

static double sim_num(const char *chat, const char *what)
{
	cJSON *j = sim_conv(chat);
	const cJSON *v = jat(j, what);
	double n = cJSON_IsNumber(v) ? v->valuedouble : -1;
	cJSON_Delete(j);
	return n;
}

/* Customer messages the bridge sent the agent (origin "api"), each once
 * however often it asked. */
static int sim_asked(const char *chat)
{
	cJSON *j = sim_conv(chat);
	const cJSON *m;
	int n = 0;

	cJSON_ArrayForEach(m, jat(j, "conversation.messages"))
		n += jstr(m, "origin") && strcmp(jstr(m, "origin"), "api") == 0;
	cJSON_Delete(j);
	return n;
}

static bool sim_state_is(struct world *wp, const void *arg)
{
	const char *const *want = arg; /* {chat, state} */
	cJSON *j = sim_conv(want[0]);
	const char *st = jstr(j, "conversation.state");
	bool ok = st && strcmp(st, want[1]) == 0;
	(void)wp;
	cJSON_Delete(j);
	return ok;
}

static bool sim_called(struct world *wp, const void *arg)
{
	const struct count *c = arg;
	(void)wp;
	return sim_num(c->chat, "interactCalls") >= c->n;
}

static void faults(const char *json)
{
	cJSON_Delete(simc_ctl(&w.sim, "POST", "/_sim/faults", "%s", json));
}

/* ---- set-up ----------------------------------------------------------------------------- */

static int setup(void **state)
{
	(void)state;
	world_init_for(&w, &world_agents, NULL);
	hub_token(&w.hub, "Website widget", "ingest", widget);
	hub_token(&w.hub, "Stranger widget", "ingest", stranger);
	grant(world_agents.account, "Website widget");
	bridge_start(&w);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	world_free(&w);
	return 0;
}

/* ---- the tests -------------------------------------------------------------------------- */

static void test_check_names_the_agent_and_its_client(void **state)
{
	char out[1024];
	(void)state;

	assert_int_equal(bridge_check_run(w.config, out, sizeof out), 0);
	assert_non_null(strstr(out, "AI agent \"Sim Agent\" for Sim Client Co (org org-sim)"));
}

static void test_customer_answered_once_through_faults(void **state)
{
	char chat[37];
	(void)state;

	faults("{\"reset\":true,\"serverError\":2,\"errorStatus\":503}");
	customer(widget, "web-faults", "Where is my order?", chat);
	wait_answers(chat, 1);
	faults("{\"reset\":true,\"rateLimited\":1,\"retryAfter\":1}");
	customer(widget, "web-faults", "It was due on Monday", chat);
	wait_answers(chat, 2);
	faults("{\"reset\":true,\"drop\":1}");
	customer(widget, "web-faults", "Order 1234", chat);
	wait_answers(chat, 3);

	/* Each customer message reached the agent once (the dropped answer
	 * was asked again and replayed), and its reply the hub once. */
	assert_int_equal(sim_asked(chat), 3);
	assert_true(sim_num(chat, "interactCalls") >= 4);
	fence();
	assert_int_equal(answers(chat), 3);
	/* Who answers, once, before the first reply. */
	assert_int_equal(bot_messages(chat, "Sim Client Co (org org-sim)", true), 1);
}

static void test_answered_once_across_kill9(void **state)
{
	char chat[37];
	(void)state;

	customer(widget, "web-kill", "Hello there", chat);
	wait_answers(chat, 1);
	/* The agent does the work, then its answer is late: the bridge dies
	 * waiting for it. */
	faults("{\"reset\":true,\"slow\":1,\"delayMs\":4000}");
	customer(widget, "web-kill", "Are you still there?", chat);
	struct count two = {chat, 2};
	wait_for(&w, sim_called, &two, "the agent asked");
	bridge_kill(&w);
	bridge_start(&w);
	wait_answers(chat, 2);
	/* Asked again after the restart, and answered as the first time. */
	assert_int_equal(sim_num(chat, "interactCalls"), 3);
	assert_int_equal(sim_asked(chat), 2);
	fence();
	assert_int_equal(answers(chat), 2);
}

static void test_takeover_silences_agent_and_handback_resumes(void **state)
{
	char chat[37];
	const char *human[] = {chat, "human"}, *ai[] = {chat, "ai"};
	(void)state;

	faults("{\"reset\":true}");
	customer(widget, "web-held", "Can someone help me?", chat);
	wait_answers(chat, 1);

	hub_action(&w, chat, "takeover");
	wait_for(&w, sim_state_is, human, "Configure State \"human\"");
	customer(widget, "web-held", "Thanks, a person, great", chat);
	fence();
	assert_int_equal(answers(chat), 1);
	assert_int_equal(sim_asked(chat), 1);
	assert_int_equal(sim_num(chat, "interactWhileSilent"), 0);

	hub_action(&w, chat, "handback");
	wait_for(&w, sim_state_is, ai, "Configure State \"ai\"");
	customer(widget, "web-held", "One more question", chat);
	wait_answers(chat, 2);
	assert_int_equal(sim_num(chat, "interactWhileSilent"), 0);
}

static bool chat_escalated(struct world *wp, const void *chat)
{
	char path[128];
	(void)wp;
	snprintf(path, sizeof path, "/v1/chats/%s", (const char *)chat);
	struct reply r = http(&w.hub, "GET", path, w.ana, NULL);
	bool yes = cJSON_IsTrue(jat(r.json, "escalated"));
	reply_free(&r);
	return yes;
}

static void test_agent_escalation_puts_chat_in_waiting(void **state)
{
	char chat[37];
	(void)state;

	customer(widget, "web-human", "I want to talk to a human", chat);
	wait_for(&w, chat_escalated, chat, "the chat escalated");
	assert_int_equal(bot_messages(chat, HANDOFF_ANSWER, false), 1);
	/* Waiting for a human: the agent is asked nothing more. */
	customer(widget, "web-human", "Hello?", chat);
	fence();
	assert_int_equal(sim_asked(chat), 1);
	assert_int_equal(sim_num(chat, "interactWhileSilent"), 0);
}

/* A chat opened by the source's own greeting never reached the agent:
 * Configure State does not know it, which is nothing to undo, and after
 * the hand back its customer is answered. */
static void test_chat_the_agent_never_saw(void **state)
{
	char chat[37];
	(void)state;

	struct reply r = http(&w.hub, "POST", "/v1/ingest/messages", widget,
			      "{\"external_id\":\"web-unseen\",\"role\":\"bot\","
			      "\"text\":\"Welcome to our shop\"}");
	assert_int_equal(r.status, 201);
	snprintf(chat, sizeof chat, "%s", jstr(r.json, "chat.id"));
	reply_free(&r);
	hub_action(&w, chat, "takeover");
	hub_action(&w, chat, "handback");
	customer(widget, "web-unseen", "Still there?", chat);
	wait_answers(chat, 1);
	assert_int_equal(sim_asked(chat), 1);
	assert_int_equal(bridge_log_count(&w, "dropped:"), 0);
}

/* An answer still waiting for its retry when an agent takes the chat over
 * is forgotten: the agent is not asked after the takeover. */
static void test_takeover_forgets_a_queued_answer(void **state)
{
	char chat[37];
	int again = bridge_log_count(&w, "again in");
	(void)state;

	faults("{\"reset\":true,\"serverError\":1000,\"errorStatus\":503}");
	customer(widget, "web-late", "Hello, anyone?", chat);
	bridge_wait_log(&w, "again in", again + 1);
	hub_action(&w, chat, "takeover");
	bridge_wait_log(&w, "queued answer forgotten", 1);
	faults("{\"reset\":true}");
	fence();
	assert_int_equal(answers(chat), 0);
	assert_null(sim_conv(chat));
}

static void test_ungranted_source_never_answered(void **state)
{
	char chat[37];
	(void)state;

	customer(stranger, "other-1", "Is anybody there?", chat);
	fence();
	assert_int_equal(bot_messages(chat, "", false), 0);
	assert_null(sim_conv(chat));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_names_the_agent_and_its_client),
		cmocka_unit_test(test_customer_answered_once_through_faults),
		cmocka_unit_test(test_answered_once_across_kill9),
		cmocka_unit_test(test_takeover_silences_agent_and_handback_resumes),
		cmocka_unit_test(test_agent_escalation_puts_chat_in_waiting),
		cmocka_unit_test(test_chat_the_agent_never_saw),
		cmocka_unit_test(test_takeover_forgets_a_queued_answer),
		cmocka_unit_test(test_ungranted_source_never_answered),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
