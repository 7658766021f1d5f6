/*
 * test_bridge_stats.c — the conversations platform's own daily count
 * reaches the hub: a real handoffd, handoff-bridge and the conversations
 * simulator ($CONVERSATIONS_SIM). The bridge reports at start, so the
 * hub's /v1/stats/daily lists the platform's count for today; and again
 * every stats_interval_ms, so a conversation started later shows up in
 * the next report (the hub keeps the last one of each day).
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
#include "timeutil.h"

static struct world w;

static void start_conversation(const char *text)
{
	cJSON_Delete(simc_ctl(&w.sim, "POST", "/_sim/conversations",
			      "{\"text\":\"%s\",\"firstName\":\"Maria\",\"lastName\":\"Garcia\"}",
			      text));
}

/* Today's conversations the platform reported, per the hub; -1: none. */
static int reported_today(struct world *wp)
{
	char today[11];
	int n = -1;

	date_format(ts_now() / 86400000, today);
	cJSON *j = hub_call(wp, "GET", NULL, 200, "/v1/stats/daily?from=%s&to=%s", today, today);
	const cJSON *p, *d;
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(j, "platforms")) {
		if (strcmp(jstr(p, "platform"), "conversations") != 0)
			continue;
		cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(p, "days"))
			if (!strcmp(jstr(d, "date"), today))
				n = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(d, "conversations"));
	}
	cJSON_Delete(j);
	return n;
}

static bool reported_is(struct world *wp, const void *n)
{
	return reported_today(wp) == *(const int *)n;
}

static void test_the_platform_count_reaches_the_hub(void **state)
{
	(void)state;
	world_init_for(&w, &world_conversations,
		       "poll_min_ms = 100\npoll_max_ms = 300\nstats_interval_ms = 1000\n");
	start_conversation("Hello");
	start_conversation("Hi there");
	bridge_start(&w);
	int two = 2, three = 3;
	wait_for(&w, reported_is, &two, "the platform's 2 conversations on the hub");

	start_conversation("One more");
	wait_for(&w, reported_is, &three, "the next report's 3 conversations");
	world_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_platform_count_reaches_the_hub),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
