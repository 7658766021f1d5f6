/*
 * test_bridge_backfill.c — a first start on a bot with 10,000
 * conversations waiting (the simulator's bulk seed), the bridge killed
 * with SIGKILL part-way and started again: the hub ends with exactly
 * 10,000 chats, each with its message once — no chat twice, no message
 * lost or repeated. (A conversation's order across a kill is
 * test_bridge_inbound's.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge_proc.h"

#define CONVERSATIONS 10000
/* Under sanitizers on a shared machine a backfill is far slower than its
 * benchmark: the deadline is for a hang, not a speed. */
#define BACKFILL_MS 240000

static struct world w;

static int teardown(void **state)
{
	(void)state;
	world_free(&w);
	return 0;
}

/* The hub's chat count. */
static int chats_total(void)
{
	struct reply r = http(&w.hub, "GET", "/v1/chats?limit=1", w.ana, NULL);
	int n = (int)jat(expect_status(&r, 200), "meta.total")->valuedouble;
	reply_free(&r);
	return n;
}

static void wait_chats(int n, const char *what)
{
	long long deadline = now_ms() + BACKFILL_MS;
	int have;

	while ((have = chats_total()) < n) {
		if (now_ms() > deadline)
			fail_msg("%s: %d chats after %d ms", what, have, BACKFILL_MS);
		poll(NULL, 0, 50);
	}
}

/* Every chat of the hub, page by page: each must be a seeded
 * conversation seen once, with its one message. */
static void check_exactly_once(void)
{
	char *seen = calloc(CONVERSATIONS + 1, 1), path[256] = "/v1/chats?limit=200";
	int chats = 0;

	assert_non_null(seen);
	for (;;) {
		struct reply r = http(&w.hub, "GET", path, w.ana, NULL);
		const cJSON *c, *page = expect_status(&r, 200);
		cJSON_ArrayForEach(c, jat(page, "chats")) {
			int n = 0;
			const char *first = jstr(c, "latest_message.preview");
			assert_non_null(first);
			assert_int_equal(sscanf(first, "seeded conversation %d", &n), 1);
			assert_true(n >= 1 && n <= CONVERSATIONS);
			if (seen[n])
				fail_msg("conversation %d has two chats", n);
			seen[n] = 1;
			assert_int_equal((int)jat(c, "message_count")->valuedouble, 1);
			chats++;
		}
		const char *next = jstr(page, "meta.next_cursor");
		if (next)
			snprintf(path, sizeof path, "/v1/chats?limit=200&cursor=%s", next);
		reply_free(&r);
		if (!next)
			break;
	}
	assert_int_equal(chats, CONVERSATIONS);
	free(seen);
}

static void test_backfill_10000_with_kill9(void **state)
{
	(void)state;
	world_init(&w, "poll_min_ms = 50\npoll_max_ms = 200\n");
	cJSON *seeded = simc_ctl(&w.sim, "POST", "/_sim/seed", "{\"conversations\":%d,\"messages\":1}",
				 CONVERSATIONS);
	assert_int_equal((int)jat(seeded, "conversations")->valuedouble, CONVERSATIONS);
	cJSON_Delete(seeded);

	bridge_start(&w);
	wait_chats(CONVERSATIONS / 4, "before the kill");
	bridge_kill(&w);
	int partial = chats_total();
	assert_true(partial < CONVERSATIONS);

	bridge_start(&w);
	wait_chats(CONVERSATIONS, "after the restart");
	check_exactly_once();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_backfill_10000_with_kill9, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
