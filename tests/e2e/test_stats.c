/*
 * test_stats.c — the stats screen as a supervisor uses it: at 80x24, "c"
 * opens the last 30 days as bar charts, with bars on the days that had
 * chats and a row for the bridge's platform counts; block characters in a
 * UTF-8 locale, ASCII under LC_ALL=C; "r" reads the counts again.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console_fixture.h"
#include "timeutil.h"

static struct tmux tm;
static char sue_file[160];

static void report(const char *date, int conversations)
{
	char body[160];

	snprintf(body, sizeof body,
		 "{\"platform\":\"conversations\",\"days\":[{\"date\":\"%s\",\"conversations\":%d}]}",
		 date, conversations);
	struct reply r = http(&hub, "POST", "/v1/ingest/stats", bot, body);
	expect_status(&r, 200);
	reply_free(&r);
}

static int setup(void **state)
{
	char id[37], date[11];

	console_fixture_setup(state);
	hub_token_file(&hub, "Sue", sue, sue_file, sizeof sue_file);
	ingest(&hub, bot, "stats-1", "user", "hello", true, id);
	ingest(&hub, bot, "stats-2", "user", "hello", false, id);
	report(date_format(ts_now() / 86400000, date), 7);
	report(date_format(ts_now() / 86400000 - 1, date), 3);
	return 0;
}

/* Sue's console at 80x24 on the stats screen; env: one more VAR=value. */
static void open_stats(const char *name, const char *env)
{
	console_start(&tm, &(struct console_opts){.name = name, .cols = 80, .rows = 24,
						  .token_file = sue_file, .env = env});
	tmux_send_keys(&tm, "c", NULL);
	tmux_wait_for(&tm, "Daily stats", WAIT);
	tmux_wait_for(&tm, "as of", WAIT);
}

/* The line of the screen starting the chart `label`, asserted there. */
static const char *chart_line(const char *screen, const char *label)
{
	const char *line = line_with(screen, label);
	if (!line)
		fail_msg("no chart '%s' in:\n%s", label, screen);
	return line;
}

static bool line_has(const char *line, const char *text)
{
	const char *end = strchr(line, '\n');
	const char *hit = strstr(line, text);
	return hit && (!end || hit < end);
}

static void test_charts_in_utf8(void **state)
{
	char screen[16384];

	(void)state;
	open_stats("utf8", NULL);
	tmux_screen(&tm, screen, sizeof screen);
	/* Today is the top of both the hub's and the platform's chart. */
	assert_true(line_has(chart_line(screen, "Conversations"), "█"));
	assert_true(line_has(chart_line(screen, "conversations"), "█"));
	assert_true(line_has(chart_line(screen, "Escalations"), "█"));
	assert_non_null(line_with(screen, "Takeovers"));
	assert_non_null(line_with(screen, "Avg rating"));
	assert_non_null(line_with(screen, "max 7"));
	assert_non_null(line_with(screen, "Refresh"));

	/* A larger count reported meanwhile shows on refresh. */
	char date[11];
	report(date_format(ts_now() / 86400000 - 2, date), 70);
	tmux_send_keys(&tm, "r", NULL);
	tmux_wait_for(&tm, "max 70", WAIT);
	tmux_send_keys(&tm, "Escape", NULL);
	tmux_wait_gone(&tm, "Daily stats", WAIT);
	console_quit(&tm);
}

static void test_charts_in_ascii(void **state)
{
	char screen[16384];

	(void)state;
	open_stats("ascii", "LC_ALL=C");
	tmux_screen(&tm, screen, sizeof screen);
	assert_true(line_has(chart_line(screen, "Conversations"), "#"));
	assert_true(line_has(chart_line(screen, "conversations"), "#"));
	assert_null(strstr(screen, "█"));
	assert_null(strstr(screen, "▁"));
	tmux_send_keys(&tm, "q", NULL);
	tmux_wait_gone(&tm, "Daily stats", WAIT);
	console_quit(&tm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_charts_in_utf8),
		cmocka_unit_test(test_charts_in_ascii),
	};
	return cmocka_run_group_tests(tests, setup, console_fixture_teardown);
}
