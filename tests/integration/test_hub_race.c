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

#include <curl/curl.h>

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

static size_t discard(char *p, size_t s, size_t n, void *u)
{
	(void)p;
	(void)u;
	return s * n;
}

/* Send one POST per token at the same time (curl multi: all requests are on
 * the wire before any answer is read) and collect the statuses. */
static void post_all_at_once(const char *path, const char *body, int n,
			     const char *const tokens[], long statuses[])
{
	CURLM *m = curl_multi_init();
	CURL *easy[AGENTS];
	struct curl_slist *hdrs[AGENTS];
	char url[256], auth[200];

	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", hub.port, path);
	for (int i = 0; i < n; i++) {
		easy[i] = curl_easy_init();
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", tokens[i]);
		hdrs[i] = curl_slist_append(NULL, auth);
		hdrs[i] = curl_slist_append(hdrs[i], "Content-Type: application/json");
		curl_easy_setopt(easy[i], CURLOPT_URL, url);
		curl_easy_setopt(easy[i], CURLOPT_POST, 1L);
		curl_easy_setopt(easy[i], CURLOPT_POSTFIELDS, body ? body : "");
		curl_easy_setopt(easy[i], CURLOPT_HTTPHEADER, hdrs[i]);
		curl_easy_setopt(easy[i], CURLOPT_WRITEFUNCTION, discard);
		curl_easy_setopt(easy[i], CURLOPT_TIMEOUT_MS, 20000L);
		curl_multi_add_handle(m, easy[i]);
	}
	int running = 1;
	while (running) {
		curl_multi_perform(m, &running);
		if (running)
			curl_multi_poll(m, NULL, 0, 1000, NULL);
	}
	for (int i = 0; i < n; i++) {
		curl_easy_getinfo(easy[i], CURLINFO_RESPONSE_CODE, &statuses[i]);
		curl_multi_remove_handle(m, easy[i]);
		curl_easy_cleanup(easy[i]);
		curl_slist_free_all(hdrs[i]);
	}
	curl_multi_cleanup(m);
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
		post_all_at_once(path, NULL, AGENTS, tokens, statuses);
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
	post_all_at_once(path, "{\"text\":\"on my way\",\"client_msg_id\":\"storm-1\"}", AGENTS,
			 tokens, statuses);
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
