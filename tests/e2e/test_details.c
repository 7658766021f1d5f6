/*
 * test_details.c — the customer details panel, in tmux against a real
 * handoffd, as an agent uses it: a customer who wrote twice before (their
 * email and phone given by the bridge) writes again; the agent opens the
 * new chat, shows the details (an overlay at 80x24, a side pane at
 * 160x40), reads who the customer is and their two earlier chats, and
 * opens one of them with Enter.
 *
 * Each test has a fresh hub (console_fixture_fresh), so the customer's
 * chats are the only ones.
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

static struct tmux tm;

/* One message of Dora's in conversation `conv`; the first one names her,
 * with her email and a phone carrying an escape sequence (hostile text:
 * it must reach the screen neutralised). */
static void dora_writes(const char *conv, const char *text, bool escalate)
{
	char body[768];

	snprintf(body, sizeof body,
		 "{\"external_id\":\"%s\",\"owner\":{\"external_id\":\"dora-1042\","
		 "\"name\":\"Dora Details\",\"email\":\"dora@example.com\","
		 "\"phone\":\"+1 555 0100 \\u001b[31mX\"},"
		 "\"channel\":{\"type\":\"whatsapp\"},\"source\":{\"platform\":\"botpress\"},"
		 "\"role\":\"user\",\"text\":\"%s\",\"escalate\":%s}",
		 conv, text, escalate ? "true" : "false");
	struct reply r = http(&hub, "POST", "/v1/ingest/messages", bot, body);
	expect_status(&r, 201);
	reply_free(&r);
}

static int with_dora(void **state)
{
	console_fixture_fresh(state);
	dora_writes("dora-a", "First: order is late", false);
	dora_writes("dora-b", "Second: refund please", false);
	dora_writes("dora-c", "Third: where is it?", true);
	return 0;
}

/* At 160 columns the list takes 64, the rule one, the thread up to the
 * details' rule, and the details the last 36 (ui/layout.h). */
#define THREAD_X 65
#define DETAILS_X (160 - 36)

struct span {
	const char *text;
	int lo, hi; /* columns [lo, hi) where it must start */
};

/* Whether `text` starts on some line of the screen within [lo, hi). */
static bool shown_between(const char *screen, void *ctx)
{
	const struct span *sp = ctx;

	for (const char *at = strstr(screen, sp->text); at; at = strstr(at + 1, sp->text)) {
		const char *line = at;
		while (line > screen && line[-1] != '\n')
			line--;
		int col = 0;
		for (const char *p = line; p < at; p++)
			col += ((unsigned char)*p & 0xC0) != 0x80; /* one column a character here */
		if (col >= sp->lo && col < sp->hi)
			return true;
	}
	return false;
}

/* The thread is open (the function bar ends with its way back) and shows
 * the span's text where the thread is. The list's row of the chat shows
 * the same words ("Escalated to a human agent · Third: where is it?")
 * before the thread opens, so the text alone proves nothing. */
static bool thread_shows(const char *screen, void *ctx)
{
	size_t n = strlen(screen);
	while (n > 0 && screen[n - 1] == '\n')
		n--;
	return n >= strlen("EscClose") &&
	       strncmp(screen + n - strlen("EscClose"), "EscClose", strlen("EscClose")) == 0 &&
	       shown_between(screen, ctx);
}

/* Her new chat is the waiting one: open it. At 80 columns the thread
 * takes the width; wider, it is right of the list. */
static void open_current(int cols, int rows)
{
	struct span third = {"Third: where is it?", cols > 80 ? THREAD_X : 0, cols};

	console_start(&tm, &(struct console_opts){.name = "details", .cols = cols, .rows = rows});
	tmux_wait_for(&tm, "Dora Details", WAIT);
	tmux_send_keys(&tm, "Enter", NULL);
	tmux_wait_until(&tm, thread_shows, &third, WAIT);
}

/* What the details say whatever their shape. */
static void details_read(void)
{
	tmux_send_keys(&tm, "i", NULL);
	tmux_wait_for(&tm, "dora@example.com", WAIT);
	tmux_wait_for(&tm, "Earlier chats (2)", WAIT);
	const char *s = tmux_screen(&tm, NULL, 0);
	assert_non_null(strstr(line_with(s, "Name"), "Dora Details"));
	assert_non_null(strstr(line_with(s, "Phone"), "+1 555 0100 ^[[31mX"));
	assert_non_null(strstr(line_with(s, "Id"), "dora-1042"));
	assert_non_null(strstr(line_with(s, "Channel"), "whatsapp"));
	assert_non_null(strstr(line_with(s, "Source"), "botpress"));
	/* Newest first. */
	const char *second = strstr(s, "Second: refund please");
	const char *first = strstr(s, "First: order is late");
	assert_non_null(second);
	assert_non_null(first);
	assert_true(second < first);
	/* The escape reached the screen as text, never as a colour. */
	assert_null(strstr(tmux_screen_ansi(&tm, NULL, 0), "\x1b[31mX"));
}

static void test_overlay_at_80x24(void **state)
{
	(void)state;
	open_current(80, 24);
	details_read();
	/* An overlay: the thread under it is hidden while it is up. */
	tmux_wait_gone(&tm, "Third: where is it?", WAIT);

	/* The older one, then Enter: its thread, the overlay gone. */
	tmux_send_keys(&tm, "j", "Enter", NULL);
	tmux_wait_gone(&tm, "Earlier chats", WAIT);
	tmux_wait_for(&tm, "First: order is late", WAIT);
	const char *s = tmux_screen(&tm, NULL, 0);
	assert_null(strstr(s, "Third: where is it?"));
	assert_null(strstr(s, "Second: refund please"));

	/* Shown again for this chat: the one left is an earlier chat now. */
	tmux_send_keys(&tm, "i", NULL);
	tmux_wait_for(&tm, "Third: where is it?", WAIT);
	tmux_wait_for(&tm, "Earlier chats (2)", WAIT);
	tmux_send_keys(&tm, "Escape", NULL);
	tmux_wait_gone(&tm, "Earlier chats", WAIT);
	console_quit(&tm);
}

static void test_side_pane_at_160x40(void **state)
{
	(void)state;
	open_current(160, 40);
	details_read();
	/* Beside the thread, which stays in view. */
	const char *s = tmux_screen(&tm, NULL, 0);
	assert_true(shown_between(s, &(struct span){"dora@example.com", DETAILS_X, 160}));
	assert_true(shown_between(s, &(struct span){"Third: where is it?", THREAD_X,
						    DETAILS_X}));

	/* The older one, then Enter: the thread shows it; the pane stays,
	 * listing the chat just left among the earlier ones. */
	struct span first_in_thread = {"First: order is late", THREAD_X, DETAILS_X};
	struct span third_in_details = {"Third: where is it?", DETAILS_X, 160};
	tmux_send_keys(&tm, "j", "Enter", NULL);
	tmux_wait_until(&tm, shown_between, &first_in_thread, WAIT);
	tmux_wait_until(&tm, shown_between, &third_in_details, WAIT);
	s = tmux_screen(&tm, NULL, 0);
	assert_false(shown_between(s, &(struct span){"Third: where is it?", THREAD_X,
						      DETAILS_X}));
	assert_true(shown_between(s, &(struct span){"Earlier chats (2)", DETAILS_X, 160}));
	console_quit(&tm);
}

#define TEST(name) cmocka_unit_test_setup_teardown(name, with_dora, console_fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_overlay_at_80x24),
		TEST(test_side_pane_at_160x40),
	};
	cmocka_set_test_filter(getenv("HANDOFF_TEST_FILTER"));
	return cmocka_run_group_tests(tests, console_people_setup, console_people_teardown);
}
