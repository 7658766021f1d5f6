/*
 * test_console.c — the console as an agent uses it: in tmux, against a
 * real handoffd. Keys go in with send-keys, the screen comes back with
 * capture-pane; every wait is on what the screen shows, with a deadline.
 *
 * One hub and one console (Ana, 120x30) for the whole program; the tests
 * run in order, each starting from the list with no dialog open.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "tmux.h"

#define WAIT 10000

static struct hub hub;
static struct tmux tm;
static char bot[128], ben[128], ana[128];
static char maria[37], long_chat[37];

static void write_token(const char *path, const char *token)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", token);
	fclose(f);
	assert_int_equal(chmod(path, 0600), 0);
}

static int setup(void **state)
{
	char url[64], token_path[160], state_env[200], config_env[200];

	(void)state;
	if (!getenv("HANDOFF_BIN"))
		fail_msg("HANDOFF_BIN is not set (make check sets it)");
	hub_init(&hub);
	snprintf(ana, sizeof ana, "%s", hub_add_account(&hub, "Ana", "agent"));
	snprintf(ben, sizeof ben, "%s", hub_add_account(&hub, "Ben", "agent"));
	snprintf(bot, sizeof bot, "%s", hub_add_account(&hub, "Widget bridge", "ingest"));
	hub_start(&hub, NULL);

	/* Maria waits for a human, and her first message is hostile. */
	ingest(&hub, bot, "e2e-maria", "user",
	       "Got this: \x1b[31mURGENT\x1b[0m pay at evil.example \xe2\x80\xae" "exe.txt", false,
	       maria);
	ingest(&hub, bot, "e2e-maria", "user", "Where is my parcel? A human please.", true, NULL);
	for (int i = 1; i <= 120; i++) {
		char text[32];
		snprintf(text, sizeof text, "history line %d", i);
		ingest(&hub, bot, "e2e-long", "user", text, false, i == 1 ? long_chat : NULL);
	}

	/* A title to find the long chat by (every harness customer is Maria G.). */
	char path[96];
	snprintf(path, sizeof path, "/v1/chats/%s", long_chat);
	struct reply r = http(&hub, "PATCH", path, ana, "{\"title\":\"Long history\"}");
	expect_status(&r, 200);
	reply_free(&r);

	snprintf(url, sizeof url, "http://127.0.0.1:%d", hub.port);
	snprintf(token_path, sizeof token_path, "%s/ana.token", hub.dir);
	write_token(token_path, ana);
	snprintf(state_env, sizeof state_env, "XDG_STATE_HOME=%s/state", hub.dir);
	snprintf(config_env, sizeof config_env, "XDG_CONFIG_HOME=%s/config", hub.dir);
	const char *env[] = {state_env, config_env, NULL};
	const char *argv[] = {getenv("HANDOFF_BIN"), "--server", url, "--token-file", token_path,
			      NULL};
	tmux_start(&tm, 120, 30, env, argv);
	tmux_wait_for(&tm, "live", WAIT);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tmux_kill(&tm);
	hub_cleanup(&hub);
	return 0;
}

/* The line of the screen holding `text`, or NULL. */
static const char *line_with(const char *screen, const char *text)
{
	const char *at = strstr(screen, text);
	if (!at)
		return NULL;
	while (at > screen && at[-1] != '\n')
		at--;
	return at;
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
	ingest(&hub, bot, "e2e-zoe", "user", "I need a person, now", true, NULL);
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
	/* Still in Maria's thread. */
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
	/* Zoe is the only one still waiting. */
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
	char path[96];
	snprintf(path, sizeof path, "/v1/chats/%s/takeover", long_chat);
	struct reply r = http(&hub, "POST", path, ben, "{}");
	expect_status(&r, 200);
	reply_free(&r);

	tmux_send_keys(&tm, "3", NULL);                /* All */
	tmux_wait_for(&tm, "Long history", WAIT);
	/* Find it by its title, then take it over. */
	tmux_send_keys(&tm, "/", NULL);
	tmux_wait_for(&tm, " Search ", WAIT);
	tmux_type(&tm, "Long history");
	tmux_send_keys(&tm, "Enter", NULL);
	tmux_wait_for(&tm, "4 Search 1", WAIT);
	tmux_send_keys(&tm, "t", NULL);
	tmux_wait_for(&tm, "held by agent Ben", WAIT);
}

/* ---- scrollback to the first message ------------------------------------- */

static void test_scrollback_to_the_first_message(void **state)
{
	(void)state;
	/* Still on the search result: the long chat. */
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
	char url[64], token_path[160], state_env[200];
	struct tmux mono;

	(void)state;
	snprintf(url, sizeof url, "http://127.0.0.1:%d", hub.port);
	snprintf(token_path, sizeof token_path, "%s/ana.token", hub.dir);
	snprintf(state_env, sizeof state_env, "XDG_STATE_HOME=%s/state-mono", hub.dir);
	const char *env[] = {state_env, "NO_COLOR=1", NULL};
	const char *argv[] = {getenv("HANDOFF_BIN"), "--server", url, "--token-file", token_path,
			      NULL};
	tmux_start(&mono, 100, 24, env, argv);
	tmux_wait_for(&mono, "live", WAIT);
	const char *ansi = tmux_screen_ansi(&mono, NULL, 0);
	assert_non_null(strstr(ansi, "7m"));             /* the header, reversed */
	assert_false(sets_a_colour(ansi));
	/* The same check sees the colours of the console with its theme. */
	assert_true(sets_a_colour(tmux_screen_ansi(&tm, NULL, 0)));
	tmux_send_keys(&mono, "q", NULL);
	assert_int_equal(tmux_wait_dead(&mono, WAIT), 0);
	tmux_kill(&mono);
}

static void test_quit(void **state)
{
	(void)state;
	tmux_send_keys(&tm, "q", NULL);
	assert_int_equal(tmux_wait_dead(&tm, WAIT), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_waiting_queue_and_live_arrival),
		cmocka_unit_test(test_open_take_over_and_reply),
		cmocka_unit_test(test_hostile_text_is_shown_neutralised),
		cmocka_unit_test(test_rate_retitle_status_and_hand_back),
		cmocka_unit_test(test_assign_from_the_picker),
		cmocka_unit_test(test_refused_takeover_names_the_holder),
		cmocka_unit_test(test_scrollback_to_the_first_message),
		cmocka_unit_test(test_resize_to_80x24_and_back),
		cmocka_unit_test(test_help_lists_the_keys),
		cmocka_unit_test(test_no_color_means_no_colour),
		cmocka_unit_test(test_quit),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
