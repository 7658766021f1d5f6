/*
 * test_thread_pace.c — a conversation's pace: messages come one at a time
 * into the open thread, each drawn before the next comes, in tmux against
 * a real handoffd.
 *
 * Beside a full list (120x30) the thread never moves by a row
 * (ui/jumpscroll.h): a short thread starts at the top, each message goes
 * into the blank row under the newest, and when none is left the pane
 * moves up by half its height at once. After every message every row of
 * both panes is checked (thread_rows.h), and the thread's rows above the
 * new message must be what they were, unless the pane jumped just then.
 * Alone on the screen (80x24) the thread moves row by row, the newest on
 * the bottom row once the pane is full.
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

#define LISTED 19        /* chats in the list besides the talking one */
#define MESSAGES 40      /* past a screenful: the pane jumps twice */
#define WIDE_BODY 27     /* screen rows 1..27 at 120x30: list | thread */
#define WIDE_AREA 26     /* of which rows for messages, under the head line */
#define NARROW_BODY 21   /* screen rows 1..21 at 80x24: the thread alone */

/* The message rows of the thread, as shown: the previous screen's. */
struct shown_rows {
	struct row r[WIDE_BODY + 1];
};

/* A short thread starts at the top: its first message's head line on the
 * row under the chat's, its text under that. */
static bool starts_at_top(const char *screen, void *ctx)
{
	struct shown_rows *s = ctx;

	split_rows(screen, s->r, WIDE_BODY + 1);
	return strstr(s->r[2].thread, "Maria G.") && strstr(s->r[3].thread, "hello");
}

/* Send message n into chat `ext` and wait until the screen shows it. */
static const char *say(struct tmux *t, const char *ext, int n)
{
	char text[128];

	msg_text(n, text, sizeof text);
	ingest(&hub, bot, ext, "user", text, false, NULL);
	tmux_wait_for(t, text, WAIT);
	/* A second look: the frame that drew it is whole by now. */
	return tmux_screen(t, NULL, 0);
}

static void test_conversation_beside_a_full_list(void **state)
{
	struct tmux t;
	struct shown_rows before, now;
	int jumps = 0, blank_before = -1;

	(void)state;
	ingest_listed_chats(&hub, bot, LISTED);
	ingest(&hub, bot, "talking", "user", "hello, one thing at a time", false, NULL);
	console_start(&t, &(struct console_opts){.name = "wide"});
	tmux_send_keys(&t, "3", NULL);
	tmux_wait_for(&t, "list chat 08", WAIT);
	tmux_send_keys(&t, "Home", "Enter", NULL);
	tmux_wait_until(&t, starts_at_top, &before, WAIT);

	for (int n = 1; n <= MESSAGES; n++) {
		const char *screen = say(&t, "talking", n);
		int blank = check_thread_screen(screen, n, WIDE_BODY, LISTED);
		split_rows(screen, now.r, WIDE_BODY + 1);
		/* One blank row fewer, nothing above it moved; or a jump: half
		 * the pane blank under the newest. */
		bool jumped = blank_before >= 0 && blank != blank_before - 1;
		if (jumped) {
			if (blank != WIDE_AREA / 2)
				fail_msg("after message %d, %d blank rows under it (had %d):\n%s", n,
					 blank, blank_before, screen);
			jumps++;
		} else {
			int newest_y = WIDE_BODY - blank;
			for (int y = 2; y < newest_y; y++)
				if (strcmp(now.r[y].thread, before.r[y].thread) != 0)
					fail_msg("message %d moved row %d (\"%s\" was \"%s\"):\n%s", n, y,
						 now.r[y].thread, before.r[y].thread, screen);
		}
		blank_before = blank;
		before = now;
	}
	/* 40 rows through 26: the pane filled, then jumped half a pane twice. */
	assert_int_equal(jumps, 2);
	console_quit(&t);
}

/* The thread alone: the newest on the bottom row once the pane is full. */
static void test_conversation_alone_on_a_narrow_screen(void **state)
{
	struct tmux t;
	struct row rows[NARROW_BODY + 1];

	(void)state;
	ingest(&hub, bot, "narrow", "user", "hello from a small terminal", false, NULL);
	console_start(&t, &(struct console_opts){.name = "narrow", .cols = 80, .rows = 24});
	tmux_send_keys(&t, "3", NULL);
	tmux_wait_for(&t, "hello from a small", WAIT);
	tmux_send_keys(&t, "Home", "Enter", NULL);
	tmux_wait_for(&t, "· widget ·", WAIT);
	for (int n = 1; n <= MESSAGES; n++) {
		const char *screen = say(&t, "narrow", n);
		int blank = check_thread_screen(screen, n, NARROW_BODY, 0);
		/* Two rows for the beginning (head line, "hello"), then one a
		 * message: blank rows under the newest until the pane is full. */
		int want = NARROW_BODY - 1 - 2 - n;
		if (blank != (want > 0 ? want : 0))
			fail_msg("after message %d, %d blank rows under it, not %d:\n%s", n, blank,
				 want > 0 ? want : 0, screen);
	}
	split_rows(tmux_screen(&t, NULL, 0), rows, NARROW_BODY + 1);
	assert_non_null(strstr(rows[NARROW_BODY].thread, "msg 040"));
	console_quit(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conversation_beside_a_full_list),
		cmocka_unit_test(test_conversation_alone_on_a_narrow_screen),
	};
	return cmocka_run_group_tests(tests, console_fixture_setup, console_fixture_teardown);
}
