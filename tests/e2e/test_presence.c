/*
 * test_presence.c — who else is here, as two agents see it: Ana and Ben
 * each in a console at 80x24 over one hub. When Ana opens a chat, Ben's
 * thread head of it says she is viewing; when she types, that she is
 * typing; Ben's send while she typed asks first; when Ana quits, Ben's
 * head is clear again.
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

static struct tmux ana_tm, ben_tm;
static char ben_file[160];

static int setup(void **state)
{
	console_fixture_setup(state);
	hub_token_file(&hub, "ben", ben, ben_file, sizeof ben_file);
	return 0;
}

/* Open the chat of `name`: the All tab, latest first, the top row. */
static void open_chat(struct tmux *t, const char *name)
{
	tmux_send_keys(t, "3", NULL);
	tmux_wait_for(t, name, WAIT);
	tmux_send_keys(t, "Home", "Enter", NULL);
	tmux_wait_for(t, "Can you help", WAIT);
}

static void test_two_agents_see_each_other(void **state)
{
	char chat[37];

	(void)state;
	ingest(&hub, bot, "presence-e2e", "user", "Can you help with my order?", true, chat);
	/* Ben holds the chat: he may reply. */
	hub_act(&hub, ben, chat, "takeover", "{}");

	console_start(&ben_tm, &(struct console_opts){.name = "ben", .cols = 80, .rows = 24,
						       .token_file = ben_file});
	open_chat(&ben_tm, "Maria G.");
	assert_null(strstr(tmux_screen(&ben_tm, NULL, 0), "is viewing"));

	/* Ana opens the same chat: Ben sees her there. */
	console_start(&ana_tm, &(struct console_opts){.name = "ana", .cols = 80, .rows = 24});
	open_chat(&ana_tm, "Maria G.");
	tmux_wait_for(&ben_tm, "Ana is viewing", WAIT);
	/* Her own console does not name her. */
	assert_null(strstr(tmux_screen(&ana_tm, NULL, 0), "Ana is viewing"));

	/* Ana starts a note: Ben sees her typing. */
	tmux_send_keys(&ana_tm, "n", NULL);
	tmux_type(&ana_tm, "I think");
	tmux_wait_for(&ben_tm, "Ana is typing", WAIT);

	/* Ben answers while she types: asked first; n keeps his text. */
	tmux_send_keys(&ben_tm, "r", NULL);
	tmux_type(&ben_tm, "On its way");
	tmux_type(&ana_tm, " we should");
	tmux_send_keys(&ben_tm, "Enter", NULL);
	tmux_wait_for(&ben_tm, "Ana typed in this chat seconds ago", WAIT);
	tmux_send_keys(&ben_tm, "n", NULL);
	tmux_wait_gone(&ben_tm, "Ana typed in this chat", WAIT);
	tmux_wait_for(&ben_tm, "On its way", WAIT);
	/* Asked again, he sends anyway: the reply goes out. */
	tmux_type(&ana_tm, " refund");
	tmux_send_keys(&ben_tm, "Enter", NULL);
	tmux_wait_for(&ben_tm, "Ana typed in this chat seconds ago", WAIT);
	tmux_send_keys(&ben_tm, "y", NULL);
	tmux_wait_for(&ana_tm, "On its way", WAIT);

	/* Ana quits: Ben's head is clear. */
	tmux_send_keys(&ana_tm, "Escape", NULL);
	tmux_wait_gone(&ana_tm, "Internal note on", WAIT);
	console_quit(&ana_tm);
	tmux_wait_gone(&ben_tm, "Ana is", WAIT);
	console_quit(&ben_tm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_agents_see_each_other),
	};
	return cmocka_run_group_tests(tests, setup, console_fixture_teardown);
}
