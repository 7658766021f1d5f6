/*
 * test_thread_scroll.c — messages streaming into the open thread while
 * the chat list beside it is full: in tmux, against a real handoffd.
 *
 * During a burst the thread jumps by half a pane instead of moving a row
 * per message (ui/jumpscroll.h), which changes what goes to the terminal.
 * These tests read the screen after each burst and once the burst is over,
 * and check every row: the thread shows consecutive messages, each exactly
 * its text, blank rows only under the newest, the newest at the bottom
 * once the burst settles; the list shows its chats in order, each with
 * its own text. A stale row, a row drawn twice, a half-cleared
 * tail or a list row overwritten fails them.
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

#define LISTED 19        /* chats in the list besides the streamed one */
#define BURSTS 5
#define PER_BURST 30
#define BODY_ROWS 27     /* screen rows 1..27 at 120x30: list | thread */

static struct tmux tm;

/* Trailing blanks off, in place. */
static char *trim(char *s)
{
	size_t n = strlen(s);
	while (n && s[n - 1] == ' ')
		s[--n] = '\0';
	return s;
}

/* Message i's text: lengths vary (14 to 66 columns), so a row that was
 * not cleared keeps a visible tail of the longer one drawn before it. */
static void msg_text(int i, char *buf, size_t len)
{
	static const char pad[] = "the quick brown fox jumps over the lazy dog again and again";
	snprintf(buf, len, "msg %03d %.*s", i, (i * 7) % 53, pad);
	trim(buf); /* the screen shows no trailing blank */
}

/* Screen row y split at the rule: the list's part and the thread's part. */
struct row {
	char list[1024], thread[1024];
};

static void split_rows(const char *screen, struct row *rows, int n)
{
	const char *l = screen;
	for (int y = 0; y < n; y++) {
		const char *end = strchr(l, '\n');
		size_t len = end ? (size_t)(end - l) : strlen(l);
		char line[1024];
		snprintf(line, sizeof line, "%.*s", (int)len, l);
		char *rule = strstr(line, "│");
		rows[y].list[0] = rows[y].thread[0] = '\0';
		if (rule) {
			*rule = '\0';
			snprintf(rows[y].thread, sizeof rows[y].thread, "%s", rule + strlen("│"));
		}
		snprintf(rows[y].list, sizeof rows[y].list, "%s", line);
		l = end ? end + 1 : l + len;
	}
}


/* Check the thread and the list on `screen`; `newest`: the last message
 * sent. Returns the blank rows under the newest message (the jump's). */
static int check_screen(const char *screen, int newest)
{
	struct row rows[BODY_ROWS + 1];
	int first = -1, last = -1, last_y = -1, blank_under = 0;

	split_rows(screen, rows, BODY_ROWS + 1);
	/* The thread: message rows consecutive and exact, blank only under. */
	for (int y = 2; y <= BODY_ROWS; y++) {
		char *t = trim(rows[y].thread);
		int n;
		if (sscanf(t, " msg %d", &n) == 1) {
			char want[128];
			msg_text(n, want, sizeof want);
			if (strcmp(t + strspn(t, " "), want) != 0)
				fail_msg("row %d shows \"%s\", message %d is \"%s\":\n%s", y, t, n, want,
					 screen);
			/* Every message takes one row: consecutive rows. */
			if (last >= 0 && (n != last + 1 || y != last_y + 1))
				fail_msg("row %d shows message %d after %d on row %d:\n%s", y, n, last,
					 last_y, screen);
			if (first < 0)
				first = n;
			last = n;
			last_y = y;
		} else if (*t) {
			/* Only the thread's beginning may be above the messages. */
			if (first >= 0 || (!strstr(t, "Maria G.") && !strstr(t, "hello")))
				fail_msg("row %d shows \"%s\" in the thread:\n%s", y, t, screen);
		} else if (first >= 0) {
			blank_under++;
		} else {
			fail_msg("row %d is blank above the messages:\n%s", y, screen);
		}
	}
	if (last != newest)
		fail_msg("the newest message shown is %d, not %d:\n%s", last, newest, screen);

	/* The list: the streamed chat first, then chat 19, 18... each with its
	 * own text (the harness names every customer Maria G.). */
	char want[128];
	msg_text(newest, want, sizeof want);
	const char *preview = rows[2].list + strspn(rows[2].list, " ");
	if (strncmp(preview, want, strlen(preview) < strlen(want) ? strlen(preview) : strlen(want)) ||
	    strlen(preview) < 8)
		fail_msg("the streamed chat's row says \"%s\", not \"%s\":\n%s", preview, want, screen);
	for (int k = 0; 2 * k + 2 <= BODY_ROWS; k++) {
		char text[128];
		snprintf(text, sizeof text, "list chat %02d says hi", LISTED + 1 - k);
		if (!strstr(rows[2 * k + 1].list, "Maria G."))
			fail_msg("list row %d is \"%s\":\n%s", 2 * k + 1, rows[2 * k + 1].list, screen);
		if (k == 0)
			continue;
		if (
		    strcmp(trim(rows[2 * k + 2].list) + strspn(rows[2 * k + 2].list, " "), text) != 0)
			fail_msg("list row %d is \"%s\", not %s:\n%s", 2 * k + 2, rows[2 * k + 2].list,
				 text, screen);
	}
	return blank_under;
}

static bool newest_at_bottom(const char *screen, void *ctx)
{
	char want[128];
	struct row rows[BODY_ROWS + 1];

	msg_text(*(int *)ctx, want, sizeof want);
	split_rows(screen, rows, BODY_ROWS + 1);
	const char *t = trim(rows[BODY_ROWS].thread);
	return strcmp(t + strspn(t, " "), want) == 0;
}

static void test_burst_with_full_list(void **state)
{
	char ext[32], text[128];

	(void)state;
	for (int i = 1; i <= LISTED; i++) {
		snprintf(ext, sizeof ext, "listed-%02d", i);
		snprintf(text, sizeof text, "list chat %02d says hi", i);
		ingest(&hub, bot, ext, "user", text, false, NULL);
	}
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
		if (check_screen(tmux_screen(&tm, NULL, 0), sent) > 0)
			jumped++;
	}
	/* The burst jumped rather than moving every row per message... */
	assert_true(jumped > 0);
	/* ...and once over, the newest message is back at the bottom. */
	tmux_wait_until(&tm, newest_at_bottom, &sent, WAIT);
	assert_int_equal(check_screen(tmux_screen(&tm, NULL, 0), sent), 0);
	console_quit(&tm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_with_full_list),
	};
	return cmocka_run_group_tests(tests, console_fixture_setup, console_fixture_teardown);
}
