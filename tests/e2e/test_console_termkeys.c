/*
 * test_console_termkeys.c — keys as other terminals send them reach the
 * console: under TERM=xterm-256color inside tmux, Home and End arrive as
 * ESC [ 1 ~ and ESC [ 4 ~ (which that terminfo entry lacks), rxvt's as
 * ESC [ 7 ~ and ESC [ 8 ~, rxvt's F1 as ESC [ 11 ~. Typed as raw bytes
 * (send-keys -l), so the test does not depend on how tmux encodes keys.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "console_fixture.h"

static struct tmux tm;

static int setup(void **state)
{
	console_fixture_setup(state);
	console_start(&tm, &(struct console_opts){.name = "xterm", .env = "TERM=xterm-256color"});
	return 0;
}

/* In the search field: "bcd", Home, "a", End, "e" reads "abcde"; the same
 * with rxvt's sequences. Undecoded, each would type "1~" or "4~" and an
 * Alt-[ that does nothing. */
static void home_and_end_move_in_a_field(void **state)
{
	static const char *const pairs[][2] = {
		{"\033[1~", "\033[4~"}, /* tmux, screen */
		{"\033[7~", "\033[8~"}, /* rxvt */
	};

	(void)state;
	for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
		tmux_send_keys(&tm, "/", NULL);
		tmux_wait_for(&tm, "Customer, title or last message", WAIT);
		tmux_send_keys(&tm, "C-u", NULL);
		tmux_type(&tm, "bcd");
		tmux_type(&tm, pairs[i][0]);
		tmux_type(&tm, "a");
		tmux_type(&tm, pairs[i][1]);
		tmux_type(&tm, "e");
		tmux_wait_for(&tm, "abcde", WAIT);
		tmux_send_keys(&tm, "Escape", NULL);
		tmux_wait_gone(&tm, "Customer, title or last message", WAIT);
	}
}

/* rxvt's F1 opens the help, as F1 does. */
static void rxvt_f1_opens_help(void **state)
{
	(void)state;
	tmux_type(&tm, "\033[11~");
	tmux_wait_for(&tm, " Keys — ", WAIT);
	tmux_send_keys(&tm, "Escape", NULL);
	tmux_wait_gone(&tm, " Keys — ", WAIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(home_and_end_move_in_a_field),
		cmocka_unit_test(rxvt_f1_opens_help),
	};
	return cmocka_run_group_tests(tests, setup, console_fixture_teardown);
}
