/*
 * test_hub_race.c — of many simultaneous takeovers of one chat, exactly one
 * wins; and a storm of retried replies stores each reply once.
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

#define AGENTS 12
#define ROUNDS 5

static struct hub hub;
static char bot[128];

static const struct account accounts[] = {
	{"Bridge", "ingest", bot},
	{NULL},
};

static int setup(void **state)
{
	hub_up(&hub, accounts);
	*state = &hub;
	return 0;
}

/* One POST per token at the same time; their statuses. */
static void post_all_at_once(const char *path, const char *body, const char *const tokens[],
			     long statuses[])
{
	struct reply r[AGENTS];

	http_all_at_once(&hub, "POST", path, body, AGENTS, tokens, r);
	for (int i = 0; i < AGENTS; i++) {
		statuses[i] = r[i].status;
		reply_free(&r[i]);
	}
}

static void test_exactly_one_takeover_wins(void **state)
{
	char agents[AGENTS][HUB_TOKEN_MAX];
	const char *tokens[AGENTS];

	(void)state;
	/* Agents of this test alone, so no other test's tokens are touched. */
	for (int i = 0; i < AGENTS; i++) {
		char name[32];
		snprintf(name, sizeof name, "Racer %02d", i);
		hub_token(&hub, name, "agent", agents[i]);
		tokens[i] = agents[i];
	}
	for (int round = 0; round < ROUNDS; round++) {
		char chat[37], ext[32], path[128];
		snprintf(ext, sizeof ext, "race-%d", round);
		ingest(&hub, bot, ext, "user", "anyone there?", true, chat);
		snprintf(path, sizeof path, "/v1/chats/%s/takeover", chat);

		long statuses[AGENTS];
		post_all_at_once(path, "", tokens, statuses);
		int won = 0, lost = 0;
		for (int i = 0; i < AGENTS; i++) {
			won += statuses[i] == 200;
			lost += statuses[i] == 409;
		}
		assert_int_equal(won, 1);
		assert_int_equal(lost, AGENTS - 1);

		/* and the thread has exactly one AGENT_JOINED */
		snprintf(path, sizeof path, "/v1/chats/%s/messages", chat);
		struct reply r = http(&hub, "GET", path, tokens[0], NULL);
		expect_status(&r, 200);
		int joined = 0;
		for (const char *p = r.body; (p = strstr(p, "AGENT_JOINED")); p++)
			joined++;
		assert_int_equal(joined, 1);
		reply_free(&r);
	}
}

static void test_retried_reply_is_stored_once(void **state)
{
	char agent[HUB_TOKEN_MAX], chat[37], path[128];
	const char *tokens[AGENTS];

	(void)state;
	hub_token(&hub, "Storm agent", "agent", agent);
	ingest(&hub, bot, "retry-storm", "user", "hello", true, chat);
	snprintf(path, sizeof path, "/v1/chats/%s/takeover", chat);
	struct reply r = http(&hub, "POST", path, agent, NULL);
	expect_status(&r, 200);
	reply_free(&r);

	/* the same reply sent 12 times at once by the same agent */
	snprintf(path, sizeof path, "/v1/chats/%s/messages", chat);
	for (int i = 0; i < AGENTS; i++)
		tokens[i] = agent;
	long statuses[AGENTS];
	post_all_at_once(path, "{\"text\":\"on my way\",\"client_msg_id\":\"storm-1\"}", tokens,
			 statuses);
	int created = 0;
	for (int i = 0; i < AGENTS; i++) {
		assert_true(statuses[i] == 200 || statuses[i] == 201);
		created += statuses[i] == 201;
	}
	assert_int_equal(created, 1);

	r = http(&hub, "GET", path, agent, NULL);
	expect_status(&r, 200);
	int copies = 0;
	for (const char *p = r.body; (p = strstr(p, "on my way")); p++)
		copies++;
	assert_int_equal(copies, 1);
	reply_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exactly_one_takeover_wins),
		cmocka_unit_test(test_retried_reply_is_stored_once),
	};
	return cmocka_run_group_tests(tests, setup, hub_teardown);
}
