/*
 * test_bridge_lanes.c — the outbound queue runs per conversation: while
 * the platform keeps answering 503 for one conversation's calls, the
 * replies of the others reach it promptly, and the failing conversation's
 * replies wait, then arrive in order, once each, when the platform is
 * well again. (With one worker for the whole queue, the first failing job
 * held every later one behind it.) The number of lanes is a setting.
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

struct conv {
	const char *first;          /* the customer's first words */
	char id[64], chat[37];
};

static struct conv a = {.first = "A: my parcel is lost"}, b = {.first = "B: change my address"},
		   c = {.first = "C: cancel my order"};

struct count_goal {
	const struct conv *conv;
	int n;
};

static bool api_count_is(struct world *wp, const void *arg)
{
	const struct count_goal *g = arg;
	return sim_api_messages(wp, g->conv->id) == g->n;
}

static bool has_chat(struct world *wp, const void *arg)
{
	struct conv *cv = (struct conv *)arg;
	return hub_chat_by_preview(wp, cv->first, cv->chat);
}

static bool is_human(struct world *wp, const void *arg)
{
	char *h = sim_handoff(wp, ((const struct conv *)arg)->id);
	bool ok = strcmp(h, "human") == 0;
	free(h);
	return ok;
}

/* A conversation on the platform, its chat in the hub, taken over by Ana
 * and the takeover on the platform. */
static void open_conv(struct conv *cv)
{
	cJSON *j = simc_ctl(&w.sim, "POST", "/_sim/conversations",
			     "{\"text\":\"%s\",\"name\":\"Customer\"}", cv->first);
	snprintf(cv->id, sizeof cv->id, "%s", jstr(j, "conversationId"));
	cJSON_Delete(j);
	wait_for(&w, has_chat, cv, "the chat in the hub");
	hub_action(&w, cv->chat, "takeover");
	wait_for(&w, is_human, cv, "handoff=human on the platform");
}

static int setup(void **state)
{
	(void)state;
	world_init(&w, CONFIG);
	bridge_start(&w);
	open_conv(&a);
	open_conv(&b);
	open_conv(&c);
	return 0;
}

/* The world alone, for the config checks. */
static int setup_config(void **state)
{
	(void)state;
	world_init(&w, CONFIG);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	world_free(&w);
	return 0;
}

static void test_failing_conversation_delays_only_itself(void **state)
{
	char id[37], texts[256];
	const struct count_goal b1 = {&b, 1}, c1 = {&c, 1}, a2 = {&a, 2};

	(void)state;
	cJSON_Delete(simc_ctl(&w.sim, "POST", "/_sim/faults",
			       "{\"only\":\"%s\",\"serverError\":1000000,\"errorStatus\":503}", a.id));
	int failed = bridge_log_count(&w, "HTTP 503");
	hub_reply(&w, a.chat, "A first", id);
	hub_reply(&w, a.chat, "A second", id);
	bridge_wait_log(&w, "HTTP 503", failed + 1); /* A's reply is stuck now */
	hub_reply(&w, b.chat, "B reply", id);
	hub_reply(&w, c.chat, "C reply", id);

	/* B and C go past A, which is still failing. */
	wait_for(&w, api_count_is, &b1, "B's reply on the platform while A fails");
	wait_for(&w, api_count_is, &c1, "C's reply on the platform while A fails");
	assert_int_equal(sim_api_messages(&w, a.id), 0);
	bridge_wait_log(&w, "HTTP 503", failed + 2); /* and A is still being retried */
	assert_int_equal(sim_api_messages(&w, a.id), 0);

	/* The platform is well again: A's replies arrive, in order, once. */
	cJSON_Delete(simc_ctl(&w.sim, "POST", "/_sim/faults", "{\"reset\":true}"));
	wait_for(&w, api_count_is, &a2, "A's two replies after the fault");
	sim_api_texts(&w, a.id, texts, sizeof texts);
	assert_string_equal(texts, "A first|A second");
	sim_api_texts(&w, b.id, texts, sizeof texts);
	assert_string_equal(texts, "B reply");
	sim_api_texts(&w, c.id, texts, sizeof texts);
	assert_string_equal(texts, "C reply");
	/* Nothing is left queued: a restart sends nothing more. */
	bridge_stop(&w);
	int starts = bridge_log_count(&w, "0 platform calls queued");
	bridge_start(&w);
	assert_int_equal(bridge_log_count(&w, "0 platform calls queued"), starts + 1);
	assert_int_equal(sim_api_messages(&w, a.id), 2);
}

/* The bridge's config with `line` added, checked: --check's exit status. */
static int check_with(const char *line)
{
	char text[4096], path[256], out[1024];
	FILE *f = fopen(w.config, "re");
	assert_non_null(f);
	size_t n = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[n] = '\0';
	snprintf(path, sizeof path, "%s/lanes.conf", w.hub.dir);
	f = fopen(path, "we");
	assert_non_null(f);
	fprintf(f, "%s%s\n", text, line);
	fclose(f);
	return bridge_check_run(path, out, sizeof out);
}

/* outbound_lanes is a setting: 1..64. */
static void test_lanes_setting(void **state)
{
	(void)state;
	assert_int_equal(check_with("outbound_lanes = 3"), 0);
	assert_int_equal(check_with("outbound_lanes = 64"), 0);
	assert_int_equal(check_with("outbound_lanes = 0"), 2);
	assert_int_equal(check_with("outbound_lanes = 65"), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_failing_conversation_delays_only_itself, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lanes_setting, setup_config, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
