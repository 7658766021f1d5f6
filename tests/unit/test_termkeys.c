/*
 * test_termkeys.c — the key sequences of other terminals decode on a real
 * curses screen for xterm-256color: tmux's Home and End (ESC [ 1 ~ and
 * ESC [ 4 ~, which that terminfo entry lacks), rxvt's, the Linux
 * console's F1, and what terminfo did define still decodes as before.
 *
 * The bytes are written into a pipe that curses reads as its keyboard.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <curses.h>

#include "keys.h"
#include "termkeys.h"

static SCREEN *scr;
static FILE *out, *in;
static int kbd; /* the write end of curses' keyboard */

static int setup(void **state)
{
	int fds[2];

	(void)state;
	if (!setlocale(LC_ALL, "C.UTF-8") || pipe(fds) != 0)
		return -1;
	kbd = fds[1];
	out = fopen("/dev/null", "w");
	in = fdopen(fds[0], "r");
	scr = newterm("xterm-256color", out, in);
	if (!scr)
		return -1;
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);
	close(kbd);
	return 0;
}

/* What get_wch makes of `seq`, typed all at once, as the console numbers
 * keys (keys.h: KEY_FN + a KEY_* code), or -1 when it is not one key. */
static int decode(const char *seq)
{
	wint_t wch;

	assert_int_equal(write(kbd, seq, strlen(seq)), (ssize_t)strlen(seq));
	int r = get_wch(&wch);
	int key = r == KEY_CODE_YES ? KEY_FN + (int)wch : r == OK ? (int)wch : -1;
	/* Anything left over means the sequence was not decoded whole. */
	bool rest = false;
	while (get_wch(&wch) != ERR)
		rest = true;
	return rest ? -1 : key;
}

#define FN(k) (KEY_FN + (k))

static void other_terminals_keys_decode(void **state)
{
	static const struct {
		const char *seq;
		int key;
	} want[] = {
		{"\033[1~", FN(KEY_HOME)},  {"\033[4~", FN(KEY_END)},  /* tmux, screen */
		{"\033[7~", FN(KEY_HOME)},  {"\033[8~", FN(KEY_END)},  /* rxvt */
		{"\033[H", FN(KEY_HOME)},   {"\033[F", FN(KEY_END)},   /* normal cursor mode */
		{"\033[11~", FN(KEY_F(1))}, {"\033[14~", FN(KEY_F(4))}, /* rxvt */
		{"\033[[A", FN(KEY_F(1))},  {"\033[[E", FN(KEY_F(5))},  /* Linux console */
		{"\033[A", FN(KEY_UP)},     {"\033[D", FN(KEY_LEFT)},
		/* terminfo's own, unchanged */
		{"\033OH", FN(KEY_HOME)},   {"\033[3~", FN(KEY_DC)},   {"\033[2~", FN(KEY_IC)},
		{"\033[5~", FN(KEY_PPAGE)}, {"\033[6~", FN(KEY_NPAGE)}, {"\033OP", FN(KEY_F(1))},
		{"\033[24~", FN(KEY_F(12))}, {"\033[Z", FN(KEY_BTAB)},
		/* and what is not a key sequence is what it was */
		{"x", 'x'},
	};

	(void)state;
	assert_true(termkeys_define() > 0);
	for (size_t i = 0; i < sizeof want / sizeof *want; i++)
		if (decode(want[i].seq) != want[i].key)
			fail_msg("ESC%s decodes to %#x, not %#x", want[i].seq + 1,
				 (unsigned)decode(want[i].seq), (unsigned)want[i].key);
	/* Twice is harmless: nothing more to add. */
	assert_int_equal(termkeys_define(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(other_terminals_keys_decode),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
