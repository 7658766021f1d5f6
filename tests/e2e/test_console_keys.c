/*
 * test_console_keys.c — the console's keys as a new agent meets them, in
 * tmux against a real handoffd: the function bar fits the width and follows
 * the context, help shows every context's keys whole, the search field
 * replaces its old query, replies and hand-backs that would fail or
 * surprise say so first, and a config file rebinds a composer key.
 *
 * One hub; Ana's console at 120x30 (resized to 80x24 where a test says
 * so). Each test goes back to the list first (back_to_list).
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
static char mine[37], bens[37], nobodys[37];

static void retitle(const char *chat, const char *title)
{
	char path[96], body[128];

	snprintf(path, sizeof path, "/v1/chats/%s", chat);
	snprintf(body, sizeof body, "{\"title\":\"%s\"}", title);
	struct reply r = http(&hub, "PATCH", path, ana, body);
	expect_status(&r, 200);
	reply_free(&r);
}

static int setup(void **state)
{
	console_fixture_setup(state);
	ingest(&hub, bot, "keys-mine", "user", "Where is my parcel?", true, mine);
	ingest(&hub, bot, "keys-ben", "user", "My card was charged twice", true, bens);
	ingest(&hub, bot, "keys-nobody", "user", "Do you ship to Japan?", false, nobodys);
	retitle(mine, "Parcel for Ana");
	retitle(bens, "Card of Ben");
	retitle(nobodys, "Yuki order");
	hub_act(&hub, ana, mine, "takeover", "{}");
	hub_act(&hub, ben, bens, "takeover", "{}");
	console_start(&tm, &(struct console_opts){.name = "main"});
	return 0;
}

/* The last line of the screen: the function bar. */
static const char *bar_of(const char *screen, char *out, size_t len)
{
	size_t n = strlen(screen);
	while (n > 0 && screen[n - 1] == '\n')
		n--;
	size_t start = n;
	while (start > 0 && screen[start - 1] != '\n')
		start--;
	snprintf(out, len, "%.*s", (int)(n - start), screen + start);
	return out;
}

struct bar_want {
	const char *has, *lacks, *ends;
};

static bool bar_is(const char *screen, void *ctx)
{
	const struct bar_want *w = ctx;
	char bar[512];
	size_t n;

	bar_of(screen, bar, sizeof bar);
	n = strlen(bar);
	if (w->has && !strstr(bar, w->has))
		return false;
	if (w->lacks && strstr(bar, w->lacks))
		return false;
	return !w->ends || (n >= strlen(w->ends) && strcmp(bar + n - strlen(w->ends), w->ends) == 0);
}

#define wait_bar(has, lacks, ends) \
	tmux_wait_until(&tm, bar_is, (&(struct bar_want){(has), (lacks), (ends)}), WAIT)

/* The list with no thread open (120 columns: the thread pane says so). */
static bool at_list(const char *screen, void *ctx)
{
	(void)ctx;
	return bar_is(screen, &(struct bar_want){"EnterOpen", NULL, "qQuit"}) &&
	       strstr(screen, "Enter opens the selected chat here.");
}

/* Out of any dialog, composer, thread or search, one Esc at a time (two
 * at once read as Alt-Esc, as from a terminal). */
static void back_to_list(void)
{
	tmux_resize(&tm, 120, 30);
	for (int i = 0; i < 6 && !at_list(tmux_screen(&tm, NULL, 0), NULL); i++) {
		tmux_send_keys(&tm, "Escape", NULL);
		tmux_try_wait_until(&tm, at_list, NULL, 1000);
	}
	tmux_wait_until(&tm, at_list, NULL, WAIT);
}

/* Search by a title and wait for the one chat found, selected. */
static void find(const char *title)
{
	console_find(&tm, title);
}

/* ---- the function bar ---------------------------------------------------- */

static void test_bar_fits_80_columns_and_follows_the_context(void **state)
{
	(void)state;
	back_to_list();
	tmux_resize(&tm, 80, 24);
	/* Whole entries only: the bar ends in "qQuit", never "qQ". */
	wait_bar("?Help EnterOpen tTake", NULL, "qQuit");

	/* The thread has its own keys, and the way back. */
	find("Parcel for Ana");
	tmux_send_keys(&tm, "Enter", NULL);
	wait_bar("rReply nNote", "EnterOpen", "EscClose");

	/* The composer's keys say what Esc does. */
	tmux_send_keys(&tm, "r", NULL);
	tmux_wait_for(&tm, "Reply to", WAIT);
	wait_bar("EnterSend M-EnterNew line C-rCanned EscKeep draft", "rReply", NULL);
	tmux_wait_for(&tm, "Esc closes and keeps the draft", WAIT);
	tmux_send_keys(&tm, "Escape", NULL);
	wait_bar("rReply", NULL, "EscClose");

	/* A dialog's. */
	tmux_send_keys(&tm, "s", NULL);
	wait_bar("oOpen pPending sSolved cClosed", NULL, "EscCancel");
	tmux_send_keys(&tm, "Escape", NULL);

	/* Side by side, Tab moves the keys, and the bar shows where they go. */
	tmux_resize(&tm, 120, 30);
	wait_bar("nNote", NULL, "EscClose");
	tmux_send_keys(&tm, "Tab", NULL);
	wait_bar("EnterOpen", "nNote", "qQuit");
	tmux_send_keys(&tm, "Tab", NULL);
	wait_bar("nNote", "EnterOpen", "EscClose");
}

/* ---- help ------------------------------------------------------------------ */

/* The help box's text with its frame and spacing gone: wrapped lines
 * read as one. */
static void help_text(const char *screen, char *out, size_t len)
{
	size_t k = 0;
	bool space = false;

	for (const char *p = screen; *p && k + 4 < len; p++) {
		if (strncmp(p, "│", strlen("│")) == 0) {
			p += strlen("│") - 1;
			space = true;
			continue;
		}
		if (*p == ' ' || *p == '\n') {
			space = true;
			continue;
		}
		if (space && k)
			out[k++] = ' ';
		space = false;
		out[k++] = *p;
	}
	out[k] = '\0';
}

/* At 80 columns the list takes the width: no rule between two panes. */
static bool one_pane(const char *screen, void *ctx)
{
	(void)ctx;
	return strstr(screen, "Waiting") && !strstr(screen, "│");
}

static bool screen_changed(const char *screen, void *ctx)
{
	return strcmp(screen, ctx) != 0;
}

static void test_help_shows_every_context_uncut_with_the_legend(void **state)
{
	static char before[16384];
	static char text[16384];
	bool composer = false, legend = false, dialogs = false;

	(void)state;
	back_to_list();
	tmux_resize(&tm, 80, 24);
	tmux_wait_until(&tm, one_pane, NULL, WAIT);
	tmux_send_keys(&tm, "?", NULL);
	tmux_wait_for(&tm, "Take over the chat from the bot", WAIT);
	for (int page = 0; page < 12; page++) {
		help_text(tmux_screen(&tm, NULL, 0), text, sizeof text);
		composer |= strstr(text, "Esc Close the composer; the draft is kept for next time") !=
			    NULL;
		legend |= strstr(text, "! a customer waits for a human") &&
			  strstr(text, "* you hold the chat") &&
			  strstr(text, "> another agent holds it");
		dialogs |= strstr(text, "bind = composer KEY ACTION") != NULL;
		if (composer && legend && dialogs)
			break;
		/* The next page, read once it is drawn: a page not read before
		 * the next PageDown (a redraw slower than a short wait) would
		 * go by unseen. Only at the end does the screen stay as it is. */
		snprintf(before, sizeof before, "%s", tmux_screen(&tm, NULL, 0));
		tmux_send_keys(&tm, "PageDown", NULL);
		if (!tmux_try_wait_until(&tm, screen_changed, before, WAIT))
			break;
	}
	if (!composer || !legend || !dialogs)
		fail_msg("help: composer keys %d, legend %d, contexts %d; last screen:\n%s",
			 composer, legend, dialogs, tmux_screen(&tm, NULL, 0));
	tmux_send_keys(&tm, "Escape", NULL);
	tmux_wait_gone(&tm, "Take over the chat from the bot", WAIT);
	tmux_resize(&tm, 120, 30);
}

/* ---- search ---------------------------------------------------------------- */

static void test_search_replaces_the_old_query(void **state)
{
	(void)state;
	back_to_list();
	find("Parcel for Ana");
	tmux_send_keys(&tm, "/", NULL);
	tmux_wait_for(&tm, "Typing replaces it", WAIT);
	tmux_type(&tm, "Yuki");
	tmux_wait_for(&tm, "characters left", WAIT);
	assert_null(strstr(tmux_screen(&tm, NULL, 0), "AnaYuki"));
	tmux_send_keys(&tm, "Enter", NULL);
	tmux_wait_for(&tm, "4 Search 1", WAIT);
	tmux_wait_for(&tm, "Yuki order", WAIT);
}

/* ---- refusals said before, not after ------------------------------------- */

static void test_reply_to_a_chat_not_held_says_so(void **state)
{
	(void)state;
	back_to_list();
	find("Yuki order");
	tmux_send_keys(&tm, "r", NULL);
	tmux_wait_for(&tm, "You don't hold this chat: t takes it over", WAIT);
	assert_null(strstr(tmux_screen(&tm, NULL, 0), "Reply to"));
}

/* Keys typed ahead, in one burst, as a paste or a fast typist sends them:
 * the search, its Enter and `r` reach the console in one read, before any
 * frame is drawn. `r` acts on the first result, as the screen then shows,
 * instead of finding no chat selected. */
static void test_key_typed_ahead_acts_on_the_first_result(void **state)
{
	(void)state;
	back_to_list();
	tmux_send_keys(&tm, "/", NULL);
	tmux_wait_for(&tm, "Customer, title or last message", WAIT);
	tmux_send_keys(&tm, "End", "C-u", NULL);
	tmux_type(&tm, "Yuki order");
	tmux_send_keys(&tm, "Enter", "r", NULL);
	tmux_wait_for(&tm, "You don't hold this chat: t takes it over", WAIT);
	assert_null(strstr(tmux_screen(&tm, NULL, 0), "No chat selected"));
}

static bool held_by_ben(void)
{
	char path[96];

	snprintf(path, sizeof path, "/v1/chats/%s", bens);
	struct reply r = http(&hub, "GET", path, ana, NULL);
	bool held = r.status == 200 && strstr(r.body, "\"Ben\"") != NULL;
	reply_free(&r);
	return held;
}

static void test_handing_back_a_colleagues_chat_asks(void **state)
{
	(void)state;
	back_to_list();
	find("Card of Ben");
	tmux_send_keys(&tm, "b", NULL);
	tmux_wait_for(&tm, "Ben holds this chat. Hand it back to the bot?", WAIT);
	wait_bar("yYes", NULL, "nNo");
	tmux_send_keys(&tm, "n", NULL);
	tmux_wait_gone(&tm, "Hand it back to the bot?", WAIT);
	assert_true(held_by_ben());
}

/* ---- a rebind in the composer's context ------------------------------------ */

static void test_config_rebinds_a_composer_key(void **state)
{
	struct tmux t2;
	char path[96];

	(void)state;
	console_start(&t2, &(struct console_opts){.name = "rebind", .cols = 80, .rows = 24,
						   .config = "bind = composer C-s send\n"});
	console_find(&t2, "Parcel for Ana");
	tmux_send_keys(&t2, "Enter", NULL);
	tmux_wait_for(&t2, "Where is my parcel?", WAIT);
	tmux_send_keys(&t2, "r", NULL);
	tmux_wait_for(&t2, "Reply to", WAIT);
	tmux_type(&t2, "Sent with C-s");
	/* The countdown: 4000 less the 13 typed. */
	tmux_wait_for(&t2, "3987 characters left", WAIT);
	tmux_send_keys(&t2, "C-s", NULL);
	tmux_wait_for(&t2, "Reply sent", WAIT);

	snprintf(path, sizeof path, "/v1/chats/%s/messages", mine);
	struct reply r = http(&hub, "GET", path, ana, NULL);
	assert_non_null(strstr(r.body, "Sent with C-s"));
	reply_free(&r);
	console_quit(&t2);
}

/* ---- supervisors: force a takeover, stop ----------------------------------- */

static void test_only_a_supervisor_forces_or_stops(void **state)
{
	struct tmux t3;
	char sue_file[160], path[96];

	(void)state;
	back_to_list();
	find("Card of Ben");
	tmux_send_keys(&tm, "S", NULL);
	tmux_wait_for(&tm, "Only a supervisor can stop a conversation", WAIT);

	hub_token_file(&hub, "sue", sue, sue_file, sizeof sue_file);
	console_start(&t3, &(struct console_opts){.name = "sue", .token_file = sue_file});
	console_find(&t3, "Card of Ben");
	tmux_send_keys(&t3, "F", NULL);
	tmux_wait_for(&t3, "Take this chat over from Ben?", WAIT);
	tmux_send_keys(&t3, "y", NULL);
	tmux_wait_for(&t3, "You hold this chat now", WAIT);
	tmux_send_keys(&t3, "S", NULL);
	tmux_wait_for(&t3, "Stop this conversation?", WAIT);
	tmux_send_keys(&t3, "y", NULL);
	tmux_wait_for(&t3, "Stopped", WAIT);

	snprintf(path, sizeof path, "/v1/chats/%s", bens);
	struct reply r = http(&hub, "GET", path, ana, NULL);
	assert_non_null(strstr(r.body, "\"none\""));
	reply_free(&r);
	console_quit(&t3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bar_fits_80_columns_and_follows_the_context),
		cmocka_unit_test(test_help_shows_every_context_uncut_with_the_legend),
		cmocka_unit_test(test_search_replaces_the_old_query),
		cmocka_unit_test(test_reply_to_a_chat_not_held_says_so),
		cmocka_unit_test(test_key_typed_ahead_acts_on_the_first_result),
		cmocka_unit_test(test_handing_back_a_colleagues_chat_asks),
		cmocka_unit_test(test_config_rebinds_a_composer_key),
		cmocka_unit_test(test_only_a_supervisor_forces_or_stops),
	};
	return cmocka_run_group_tests(tests, setup, console_fixture_teardown);
}
