/*
 * test_keys.c — key names: every name parses to the code ncurses gives,
 * and key_format writes it back the same way (so help and config agree).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curses.h>
#include <string.h>

#include "keys.h"

static void parses_names(void **state)
{
	(void)state;
	assert_int_equal(key_parse("j"), 'j');
	assert_int_equal(key_parse("R"), 'R');
	assert_int_equal(key_parse("?"), '?');
	assert_int_equal(key_parse("/"), '/');
	assert_int_equal(key_parse("Enter"), '\r');
	assert_int_equal(key_parse("Esc"), 27);
	assert_int_equal(key_parse("Tab"), '\t');
	assert_int_equal(key_parse("S-Tab"), KEY_FN + KEY_BTAB);
	assert_int_equal(key_parse("PgUp"), KEY_FN + KEY_PPAGE);
	assert_int_equal(key_parse("PgDn"), KEY_FN + KEY_NPAGE);
	assert_int_equal(key_parse("Home"), KEY_FN + KEY_HOME);
	assert_int_equal(key_parse("F1"), KEY_FN + KEY_F(1));
	assert_int_equal(key_parse("F10"), KEY_FN + KEY_F(10));
	assert_int_equal(key_parse("C-a"), 1);
	assert_int_equal(key_parse("C-w"), 23);
	assert_int_equal(key_parse("M-Enter"), KEY_ALT + '\r');
	assert_int_equal(key_parse("M-x"), KEY_ALT + 'x');
	assert_int_equal(key_parse("\xc3\xa9"), 0xe9); /* é */
	/* A character whose number is also an ncurses key code stays a
	 * character: U+0402 is not KEY_DOWN. */
	assert_int_equal(key_parse("\xd0\x82"), 0x402);
	assert_int_not_equal(key_parse("\xd0\x82"), key_parse("Down"));
}

static void refuses_nonsense(void **state)
{
	(void)state;
	const char *bad[] = {"", "jj", "F0", "F13", "F1x", "C-", "C-1", "C-ab", "M-", "Enterr",
			     "\x1b", "\xff", "C-A"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		if (key_parse(bad[i]) != -1)
			fail_msg("\"%s\" parsed", bad[i]);
}

static void names_round_trip(void **state)
{
	const char *names[] = {"j", "R", "?", "Enter", "Esc", "Tab", "S-Tab", "PgUp", "PgDn",
			       "Home", "End", "Up", "Down", "F1", "F12", "C-a", "C-k", "M-Enter",
			       "M-b", "Space", "Backspace", "Delete", "\xc3\xa9"};
	char out[32];

	(void)state;
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		int k = key_parse(names[i]);
		assert_int_not_equal(k, -1);
		key_format(k, out, sizeof out);
		assert_string_equal(out, names[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_names),
		cmocka_unit_test(refuses_nonsense),
		cmocka_unit_test(names_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
