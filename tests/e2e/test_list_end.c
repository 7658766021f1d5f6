/*
 * test_list_end.c — End in the chat list while more pages are to come:
 * the selection goes to the last row and stays on the last row as the
 * pages after it come in, until the agent moves it.
 *
 * The hub is filled the way the benchmarks fill it (tests/bench/
 * bench_fill.h): 1,500 chats, every 10th waiting, so the Waiting tab has
 * 150, two of the console's pages of 100, "Customer 0" waiting longest
 * and "Customer 1490" last. The chat the selection is on is the one Enter
 * opens: the thread's head line names it.
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

#include "bench_fill.h"
#include "console_fixture.h"

#define CHATS 1500

static char agent[HUB_TOKEN_MAX], agent_file[160], bridge[HUB_TOKEN_MAX];

static int setup(void **state)
{
	if (!getenv("HANDOFF_BIN"))
		fail_msg("HANDOFF_BIN is not set (make check sets it)");
	curl_global_init(CURL_GLOBAL_DEFAULT);
	hub_init(&hub);
	bench_fill(hub.db, CHATS, agent);
	hub_token(&hub, "Widget bridge", "ingest", bridge);
	hub_start(&hub, NULL);
	hub_token_file(&hub, "agent", agent, agent_file, sizeof agent_file);
	*state = &hub;
	return 0;
}

/* The thread's head line (screen row 1, right of the list's rule) starts
 * with `name`. */
static bool thread_head_is(const char *screen, void *name)
{
	char want[64];
	snprintf(want, sizeof want, "│%s", (const char *)name);
	const char *l = strchr(screen, '\n'), *rule = l ? strstr(l, "│") : NULL;
	return rule && rule < strchr(l + 1, '\n') && strncmp(rule, want, strlen(want)) == 0;
}

/* The Waiting tab's count in the header once every page is in (no "+"). */
static bool waiting_count(const char *screen, void *n)
{
	const char *h = strstr(screen, "1 Waiting ");
	int len = 0;
	return h && sscanf(h, "1 Waiting %d%n", (int *)n, &len) == 1 && h[len] == ' ';
}

/* Enter opens the selected chat: its customer's name starts with `name`. */
static void expect_selected(struct tmux *t, const char *name)
{
	tmux_send_keys(t, "Enter", NULL);
	if (!tmux_try_wait_until(t, thread_head_is, (void *)name, WAIT))
		fail_msg("Enter did not open the chat of %s...:\n%s", name, tmux_screen(t, NULL, 0));
}

/* One End on the first page: the second page comes while the selection is
 * on the first page's last row, and the selection goes on to its end; a
 * chat that starts waiting after that is the new end, and it follows. */
static void test_end_follows_the_pages_that_come(void **state)
{
	(void)state;
	struct tmux t;

	console_start(&t, &(struct console_opts){.name = "follow", .token_file = agent_file});
	tmux_wait_for(&t, "Customer 0 ", WAIT);
	tmux_send_keys(&t, "End", NULL);
	/* The last of 150, without a second End; the header's count has no
	 * "+" once the queue is all in. */
	tmux_wait_for(&t, "1 Waiting 150 ", WAIT);
	tmux_wait_for(&t, "Customer 1490 ", WAIT);
	ingest(&hub, bridge, "late-1", "user", "I waited last", true, NULL);
	tmux_wait_for(&t, "I waited last", WAIT);
	expect_selected(&t, "Maria G. · ");
	console_quit(&t);
}

/* A move ends it: after End and Up the selection stays where the agent
 * put it when a chat starts waiting at the end (on Customer 1490, or 1480
 * when this test runs alone). */
static void test_a_move_stops_following(void **state)
{
	(void)state;
	struct tmux t;
	char count[32];
	int n;

	console_start(&t, &(struct console_opts){.name = "moved", .token_file = agent_file});
	tmux_wait_for(&t, "Customer 0 ", WAIT);
	tmux_send_keys(&t, "End", NULL);
	tmux_wait_for(&t, "Customer 1490 ", WAIT);
	tmux_wait_until(&t, waiting_count, &n, WAIT);
	tmux_send_keys(&t, "Up", NULL);
	ingest(&hub, bridge, "late-2", "user", "I waited later still", true, NULL);
	/* It is in (below the window, which stays with the selection). */
	snprintf(count, sizeof count, "1 Waiting %d ", n + 1);
	tmux_wait_for(&t, count, WAIT);
	expect_selected(&t, "Customer 14");
	console_quit(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_end_follows_the_pages_that_come),
		cmocka_unit_test(test_a_move_stops_following),
	};
	return cmocka_run_group_tests(tests, setup, console_fixture_teardown);
}
