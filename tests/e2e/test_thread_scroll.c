/*
 * test_thread_scroll.c — messages streaming into the open thread while
 * the chat list beside it is full: in tmux, against a real handoffd.
 *
 * Beside the list the thread jumps by half a pane instead of moving a row
 * per message (ui/jumpscroll.h), which changes what goes to the terminal.
 * This test reads the screen after each burst and checks every row
 * (thread_rows.h): the thread shows consecutive messages, each exactly
 * its text, blank rows only under the newest; the list shows its chats in
 * order, each with its own text. A stale row, a row drawn twice, a
 * half-cleared tail or a list row overwritten fails it.
 * test_thread_pace does the same one message at a time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console_fixture.h"
#include "thread_rows.h"

#define LISTED 19        /* chats in the list besides the streamed one */
#define BURSTS 5
#define PER_BURST 30
#define BODY_ROWS 27     /* screen rows 1..27 at 120x30: list | thread */

static struct tmux tm;

static void test_burst_with_full_list(void **state)
{
	char text[128];

	(void)state;
	ingest_listed_chats(&hub, bot, LISTED);
	ingest(&hub, bot, "streamed", "user", "hello, here comes a lot", false, NULL);
	console_start(&tm, &(struct console_opts){0});
	tmux_send_keys(&tm, "3", NULL);
	tmux_wait_for(&tm, "list chat 08", WAIT);
	tmux_send_keys(&tm, "Home", "Enter", NULL);
	tmux_wait_for(&tm, "hello, here comes", WAIT);

	int sent = 0, jumped = 0;
	for (int b = 0; b < BURSTS; b++) {
		for (int i = 0; i < PER_BURST; i++) {
			msg_text(++sent, text, sizeof text);
			ingest(&hub, bot, "streamed", "user", text, false, NULL);
		}
		msg_text(sent, text, sizeof text);
		tmux_wait_for(&tm, text, WAIT);
		/* A second look: the frame that drew it is whole by now. */
		if (check_thread_screen(tmux_screen(&tm, NULL, 0), sent, BODY_ROWS, LISTED) > 0)
			jumped++;
	}
	/* The bursts jumped rather than moving every row per message. */
	assert_true(jumped > 0);
	console_quit(&tm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_with_full_list),
	};
	return cmocka_run_group_tests(tests, console_fixture_setup, console_fixture_teardown);
}
