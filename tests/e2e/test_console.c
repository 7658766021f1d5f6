/*
 * test_console.c — the console as an agent uses it: in tmux, against a
 * real handoffd. Keys go in with send-keys, the screen comes back with
 * capture-pane; every wait is on what the screen shows, with a deadline.
 *
 * Each test has a hub of its own with the chats it needs and Ana's console
 * (120x30) on the list (console_fixture.h), so that any test can run alone
 * and in any order: HANDOFF_TEST_FILTER=<name or glob> runs only those.
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
static char maria[37], long_chat[37];

/* Maria waits for a human, and her first message is hostile. */
static void maria_waits(void)
{
	ingest(&hub, bot, "e2e-maria", "user",
	       "Got this: \x1b[31mURGENT\x1b[0m pay at evil.example \xe2\x80\xae" "exe.txt", false,
	       maria);
	ingest(&hub, bot, "e2e-maria", "user", "Where is my parcel? A human please.", true, NULL);
}

/* A chat of 120 lines, titled to be found by (every harness customer is
 * Maria G.). */
static void long_history(void)
{
	for (int i = 1; i <= 120; i++) {
		char text[32];
		snprintf(text, sizeof text, "history line %d", i);
		ingest(&hub, bot, "e2e-long", "user", text, false, i == 1 ? long_chat : NULL);
	}
	char path[96];
	snprintf(path, sizeof path, "/v1/chats/%s", long_chat);
	struct reply r = http(&hub, "PATCH", path, ana, "{\"title\":\"Long history\"}");
	expect_status(&r, 200);
	reply_free(&r);
}

/* The long chat held by Ben: the list's preview is his joining, so no
 * history line shows outside the thread. */
static void long_history_held_by_ben(void)
{
	long_history();
	hub_act(&hub, ben, long_chat, "takeover", "{}");
}

/* Zoe waits for a human (her row, too, says "Maria G."). */
static void zoe_waits(void)
{
	ingest(&hub, bot, "e2e-zoe", "user", "I need a person, now", true, NULL);
}

/* A fresh hub with `chats`, then Ana's console on the list, once its
 * first page shows `listed` (keys sent before would find no row). */
static int hub_with(void **state, void (*chats)(void), const char *listed)
{
	console_fixture_fresh(state);
	if (chats)
		chats();
	console_start(&tm, &(struct console_opts){0});
	if (listed)
		tmux_wait_for(&tm, listed, WAIT);
	return 0;
}

static int with_nothing(void **state)
{
	return hub_with(state, NULL, NULL);
}

static int with_maria(void **state)
{
	return hub_with(state, maria_waits, "Maria G.");
}

static int with_zoe(void **state)
{
	return hub_with(state, zoe_waits, "Maria G.");
}

/* Not waiting: the first page (Waiting) is empty. */
static int with_long_chat(void **state)
{
	return hub_with(state, long_history, "1 Waiting 0");
}

static int with_long_chat_held_by_ben(void **state)
{
	return hub_with(state, long_history_held_by_ben, "1 Waiting 0");
}

/* Open Maria's thread from the waiting queue (oldest first: she is the
 * first row, selected); with `take`, take it over. */
static void open_maria(bool take)
{
	tmux_send_keys(&tm, "Enter", NULL);
	tmux_wait_for(&tm, "Where is my parcel?", WAIT);
	if (!take)
		return;
	tmux_send_keys(&tm, "t", NULL);
	tmux_wait_for(&tm, "You hold this chat now", WAIT);
}

/* ---- the queues --------------------------------------------------------- */

static void test_waiting_queue_and_live_arrival(void **state)
{
	(void)state;
	tmux_wait_for(&tm, "Maria", WAIT);
	/* The header counts the waiting queue; the mark says she waits. */
	tmux_wait_for(&tm, "1 Waiting 1", WAIT);
	const char *row = line_with(tmux_screen(&tm, NULL, 0), "Maria");
	assert_non_null(row);
	assert_int_equal(row[0], '!');

	/* A new escalation appears without a key pressed. */
	zoe_waits();
	tmux_wait_for(&tm, "1 Waiting 2", WAIT);
	tmux_wait_for(&tm, "I need a person", WAIT);
}

/* ---- a chat from takeover to handback ----------------------------------- */

static void test_open_take_over_and_reply(void **state)
{
	(void)state;
	/* Waiting is oldest first: Maria is the first row, selected. */
	tmux_send_keys(&tm, "Enter", NULL);
	tmux_wait_for(&tm, "Where is my parcel?", WAIT);
	tmux_wait_for(&tm, "WAITING for a human", WAIT);

	tmux_send_keys(&tm, "t", NULL);
	tmux_wait_for(&tm, "You hold this chat now", WAIT);
	tmux_wait_for(&tm, "You joined", WAIT);

	tmux_send_keys(&tm, "r", NULL);
	tmux_wait_for(&tm, "Reply to Maria", WAIT);
	tmux_type(&tm, "Hello Maria, I am on it.");
	tmux_send_keys(&tm, "Enter", NULL);
	tmux_wait_for(&tm, "Reply sent", WAIT);
	tmux_wait_gone(&tm, "sending…", WAIT);

	/* An internal note is marked as one. */
	tmux_send_keys(&tm, "n", NULL);
	tmux_wait_for(&tm, "Internal note on Maria", WAIT);
	tmux_type(&tm, "Courier lost it, reship");
	tmux_send_keys(&tm, "Enter", NULL);
	tmux_wait_for(&tm, "Note saved", WAIT);
	tmux_wait_for(&tm, "(internal note: agents only)", WAIT);
	tmux_wait_for(&tm, "Courier lost it, reship", WAIT);

	/* Exactly once on the hub. */
	char path[96];
	snprintf(path, sizeof path, "/v1/chats/%s/messages", maria);
	struct reply r = http(&hub, "GET", path, ana, NULL);
	const char *first = strstr(r.body, "Hello Maria, I am on it.");
	assert_non_null(first);
	assert_null(strstr(first + 1, "Hello Maria, I am on it."));
	reply_free(&r);
}

static void test_hostile_text_is_shown_neutralised(void **state)
{
	(void)state;
	open_maria(false);
	tmux_wait_for(&tm, "^[[31mURGENT^[[0m", WAIT);
	tmux_wait_for(&tm, "<U+202E>", WAIT);
	/* And the terminal never got the escape: no red in the cells. */
	const char *ansi = tmux_screen_ansi(&tm, NULL, 0);
	const char *urgent = strstr(ansi, "URGENT");
	assert_non_null(urgent);
	assert_null(strstr(ansi, "\x1b[31mURGENT"));
}

static void test_rate_retitle_status_and_hand_back(void **state)
{
	(void)state;
	open_maria(true);
	tmux_send_keys(&tm, "R", NULL);
	tmux_wait_for(&tm, "Rate the conversation", WAIT);
	tmux_send_keys(&tm, "4", "Tab", NULL);
	tmux_type(&tm, "Quick and kind");
	tmux_send_keys(&tm, "Enter", NULL);
	tmux_wait_for(&tm, "Rating saved", WAIT);
	tmux_wait_for(&tm, "rated 4/5", WAIT);

	tmux_send_keys(&tm, "T", NULL);
	tmux_wait_for(&tm, " Title ", WAIT);
	tmux_type(&tm, "Lost parcel");
	tmux_send_keys(&tm, "Enter", NULL);
	tmux_wait_for(&tm, "Title saved", WAIT);
	tmux_wait_for(&tm, "Lost parcel", WAIT);

	tmux_send_keys(&tm, "s", NULL);
	tmux_wait_for(&tm, "Ticket status", WAIT);
	tmux_send_keys(&tm, "p", NULL);
	tmux_wait_for(&tm, "Ticket status saved", WAIT);
	tmux_wait_for(&tm, "· pending", WAIT);

	tmux_send_keys(&tm, "b", NULL);
	tmux_wait_for(&tm, "Handed back to the bot", WAIT);
	tmux_wait_for(&tm, "the bot answers", WAIT);
	tmux_send_keys(&tm, "Escape", NULL);
	tmux_wait_gone(&tm, "the bot answers", WAIT);
}

/* ---- assign from the picker --------------------------------------------- */

static bool ben_selected(const char *screen, void *ctx)
{
	(void)ctx;
	return strstr(screen, "> Ben") != NULL;
}

static void test_assign_from_the_picker(void **state)
{
	(void)state;
	/* Zoe is the only one waiting. */
	tmux_send_keys(&tm, "1", NULL);
	tmux_wait_for(&tm, "1 Waiting 1", WAIT);
	tmux_send_keys(&tm, "a", NULL);
	tmux_wait_for(&tm, "Assign to", WAIT);
	tmux_wait_for(&tm, "Ben  (agent", WAIT);
	for (int i = 0; i < 3 && !ben_selected(tmux_screen(&tm, NULL, 0), NULL); i++) {
		tmux_send_keys(&tm, "j", NULL);
		tmux_try_wait_until(&tm, ben_selected, NULL, 2000);
	}
	tmux_wait_until(&tm, ben_selected, NULL, WAIT);
	tmux_send_keys(&tm, "Enter", NULL);
	tmux_wait_for(&tm, "Assigned", WAIT);
	tmux_wait_for(&tm, "1 Waiting 0", WAIT);
}

/* ---- refusals are said, in the hub's words ------------------------------- */

static void test_refused_takeover_names_the_holder(void **state)
{
	(void)state;
	hub_act(&hub, ben, long_chat, "takeover", "{}");
	tmux_send_keys(&tm, "3", NULL);                /* All */
	tmux_wait_for(&tm, "Long history", WAIT);
	/* Find it by its title, then take it over. */
	console_find(&tm, "Long history");
	tmux_send_keys(&tm, "t", NULL);
	tmux_wait_for(&tm, "held by agent Ben", WAIT);
}

/* ---- scrollback to the first message ------------------------------------- */

static void test_scrollback_to_the_first_message(void **state)
{
	(void)state;
	tmux_send_keys(&tm, "3", NULL);                /* All */
	tmux_wait_for(&tm, "Long history", WAIT);
	console_find(&tm, "Long history");
	tmux_send_keys(&tm, "Enter", NULL);
	tmux_wait_for(&tm, "history line 120", WAIT);
	tmux_send_keys(&tm, "Home", NULL);
	tmux_wait_for(&tm, "history line 1\n", WAIT);
	tmux_send_keys(&tm, "End", NULL);
	tmux_wait_for(&tm, "history line 120", WAIT);
	tmux_wait_gone(&tm, "history line 1\n", WAIT);

	/* Scrolled up, a new message is counted, not jumped to. */
	tmux_send_keys(&tm, "PageUp", NULL);
	tmux_wait_gone(&tm, "history line 120", WAIT);
	ingest(&hub, bot, "e2e-long", "user", "history line 121", false, NULL);
	tmux_wait_for(&tm, "1 new", WAIT);
	tmux_send_keys(&tm, "End", NULL);
	tmux_wait_for(&tm, "history line 121", WAIT);
	tmux_send_keys(&tm, "Escape", NULL);
	tmux_send_keys(&tm, "Escape", NULL);  /* leave the search */
	tmux_wait_for(&tm, "3 All", WAIT);
}

/* ---- the screen at 80x24, help, quit --------------------------------------- */

static bool one_pane_at_80(const char *screen, void *ctx)
{
	(void)ctx;
	/* The list takes the width: no rule between two panes. */
	return strstr(screen, "Waiting") && !strstr(screen, "│");
}

static void test_resize_to_80x24_and_back(void **state)
{
	(void)state;
	tmux_resize(&tm, 80, 24);
	tmux_wait_until(&tm, one_pane_at_80, NULL, WAIT);
	tmux_wait_for(&tm, "Maria", WAIT);
	tmux_resize(&tm, 120, 30);
	tmux_wait_for(&tm, "│", WAIT);
	assert_false(tmux_pane_dead(&tm, NULL));
}

static void test_help_lists_the_keys(void **state)
{
	(void)state;
	tmux_send_keys(&tm, "?", NULL);
	tmux_wait_for(&tm, "Take over the chat from the bot", WAIT);
	tmux_send_keys(&tm, "Escape", NULL);
	tmux_wait_gone(&tm, "Take over the chat from the bot", WAIT);
}

/* Whether SGR sequences in `ansi` set a colour (30-38, 40-48, 90-97,
 * 100-107); 39 and 49 only restore the defaults. */
static bool sets_a_colour(const char *ansi)
{
	for (const char *p = ansi; (p = strstr(p, "\x1b["));) {
		p += 2;
		while ((*p >= '0' && *p <= '9') || *p == ';') {
			if (*p == ';') {
				p++;
				continue;
			}
			char *end;
			long v = strtol(p, &end, 10);
			p = end;
			if ((v >= 30 && v <= 38) || (v >= 40 && v <= 48) || (v >= 90 && v <= 97) ||
			    (v >= 100 && v <= 107))
				return true;
		}
	}
	return false;
}

/* NO_COLOR: attributes only (reverse video for the header), no colour. */
static void test_no_color_means_no_colour(void **state)
{
	struct tmux mono;

	(void)state;
	console_start(&mono, &(struct console_opts){.name = "mono", .cols = 100, .rows = 24,
						     .env = "NO_COLOR=1"});
	const char *ansi = tmux_screen_ansi(&mono, NULL, 0);
	assert_non_null(strstr(ansi, "7m"));             /* the header, reversed */
	assert_false(sets_a_colour(ansi));
	/* The same check sees the colours of the console with its theme. */
	assert_true(sets_a_colour(tmux_screen_ansi(&tm, NULL, 0)));
	console_quit(&mono);
}

static void test_quit(void **state)
{
	(void)state;
	tmux_send_keys(&tm, "q", NULL);
	assert_int_equal(tmux_wait_dead(&tm, WAIT), 0);
}

#define TEST(name, setup) \
	cmocka_unit_test_setup_teardown(name, setup, console_fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_waiting_queue_and_live_arrival, with_maria),
		TEST(test_open_take_over_and_reply, with_maria),
		TEST(test_hostile_text_is_shown_neutralised, with_maria),
		TEST(test_rate_retitle_status_and_hand_back, with_maria),
		TEST(test_assign_from_the_picker, with_zoe),
		TEST(test_refused_takeover_names_the_holder, with_long_chat),
		TEST(test_scrollback_to_the_first_message, with_long_chat_held_by_ben),
		TEST(test_resize_to_80x24_and_back, with_maria),
		TEST(test_help_lists_the_keys, with_nothing),
		TEST(test_no_color_means_no_colour, with_nothing),
		TEST(test_quit, with_nothing),
	};
	/* To run one test alone, or a few: any order must work. */
	cmocka_set_test_filter(getenv("HANDOFF_TEST_FILTER"));
	return cmocka_run_group_tests(tests, console_people_setup, console_people_teardown);
}
