/*
 * test_sim_demo.c — --demo, on every simulator that takes it: customers
 * come by themselves, the first at once, and the platform's bot answers
 * them; the conversations are listed by GET /_sim/demo.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "sim_client.h"

#define WAIT_MS 10000

/* A simulator, where its read-back of one conversation is, and how the
 * bot's answer shows there. */
struct platform {
	const char *env;
	const char *path;       /* "/_sim/conversations/" + the id */
	const char *messages;   /* the read-back's list of messages */
	const char *bot;        /* the bot's messages' origin, or NULL: */
	const char *answer;     /* the member of the customer's message that
				 * holds the bot's answer (threads: question
				 * and answer are one message) */
};

static const struct platform PLATFORMS[] = {
	{"BOTPRESS_SIM", "/_sim/conversations/", "messages", "bot", NULL},
	{"THREADS_SIM", "/_sim/threads/", "messages", NULL, "answer"},
	{"CHATS_SIM", "/_sim/chats/", "messages", "bot", NULL},
	{"CONVERSATIONS_SIM", "/_sim/conversations/", "chats", "bot", NULL},
};

static struct simc sim;

/* How many of the first demo conversation's messages come from `origin`
 * (NULL: carry the bot's answer); 0 while the demo has opened none. */
static int first_conversation(struct simc *s, const struct platform *p, const char *origin)
{
	cJSON *demo = simc_ctl(s, "GET", "/_sim/demo", "%s", "");
	const cJSON *ids = cJSON_GetObjectItemCaseSensitive(demo, "conversations");
	const cJSON *id = cJSON_GetArrayItem(ids, 0), *m;
	int n = 0;

	if (cJSON_IsString(id)) {
		char path[200];
		snprintf(path, sizeof path, "%s%s", p->path, id->valuestring);
		cJSON *c = simc_ctl(s, "GET", path, "%s", "");
		cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(c, p->messages)) {
			const cJSON *o = cJSON_GetObjectItemCaseSensitive(m, "origin");
			if (origin)
				n += cJSON_IsString(o) && strcmp(o->valuestring, origin) == 0;
			else
				n += cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(m, p->answer));
		}
		cJSON_Delete(c);
	}
	cJSON_Delete(demo);
	return n;
}

static bool answered(const struct platform *p)
{
	return first_conversation(&sim, p, "customer") >= 1 &&
	       first_conversation(&sim, p, p->bot) >= 1;
}

/* state: the platform. */
static void test_demo_customers_come_and_the_bot_answers(void **state)
{
	const struct platform *p = *state;
	long long end = simc_now_ms() + WAIT_MS;

	simc_start(&sim, p->env, "--demo", NULL);
	while (!answered(p) && simc_now_ms() < end)
		poll(NULL, 0, 20);
	if (!answered(p))
		fail_msg("%s --demo: no customer answered by the bot within %d ms", p->env, WAIT_MS);
}

/* Without --demo nobody comes. */
static void test_no_demo_no_customers(void **state)
{
	(void)state;
	simc_start(&sim, "BOTPRESS_SIM", NULL);
	cJSON *demo = simc_ctl(&sim, "GET", "/_sim/demo", "%s", "");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(demo,
									"conversations")), 0);
	cJSON_Delete(demo);
	cJSON *stats = simc_ctl(&sim, "GET", "/_sim/stats", "%s", "");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(stats, "conversations")->valueint, 0);
	cJSON_Delete(stats);
}

/* A failed test leaves no simulator running. */
static int teardown(void **state)
{
	(void)state;
	if (sim.pid > 0)
		simc_stop(&sim);
	sim.pid = 0;
	return 0;
}

#define DEMO_TEST(i)                                                                     \
	cmocka_unit_test_prestate_setup_teardown(test_demo_customers_come_and_the_bot_answers, \
						 NULL, teardown, (void *)&PLATFORMS[i])

int main(void)
{
	const struct CMUnitTest tests[] = {
		DEMO_TEST(0), DEMO_TEST(1), DEMO_TEST(2), DEMO_TEST(3),
		cmocka_unit_test_teardown(test_no_demo_no_customers, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
