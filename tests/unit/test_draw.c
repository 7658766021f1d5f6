/*
 * test_draw.c — hostile text on a real curses screen: escape sequences,
 * C1 controls, bidi overrides, invalid UTF-8 and code points the terminal
 * cannot show are drawn visibly neutralised, and nothing is ever wider
 * than the columns it was given; a flood of combining marks hides nothing.
 *
 * curses runs on a terminal description (xterm-256color) writing to
 * /dev/null; the test reads back what landed in curses' screen cells.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <curses.h>

#include "draw.h"

static SCREEN *scr;
static FILE *out, *in;

static int setup(void **state)
{
	(void)state;
	if (!setlocale(LC_ALL, "C.UTF-8"))
		return -1;
	out = fopen("/dev/null", "w");
	in = fopen("/dev/null", "r");
	scr = newterm("xterm-256color", out, in);
	return scr ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);
	return 0;
}

/* Row y of the screen, columns [0, n), as UTF-8 (wide characters once). */
static const char *row_text(int y, int n)
{
	static char buf[1024];
	size_t k = 0;

	for (int x = 0; x < n; x++) {
		cchar_t cell;
		wchar_t wc[CCHARW_MAX + 1];
		attr_t a;
		short pair;
		if (mvin_wch(y, x, &cell) == ERR || getcchar(&cell, wc, &a, &pair, NULL) == ERR)
			break;
		if (wc[0] && wcwidth(wc[0]) == 2)
			x++; /* its second cell holds the same character */
		for (int i = 0; wc[i] && k + 8 < sizeof buf; i++) {
			char mb[MB_LEN_MAX];
			size_t len = wcrtomb(mb, wc[i], &(mbstate_t){0});
			if (len != (size_t)-1) {
				memcpy(buf + k, mb, len);
				k += len;
			}
		}
	}
	while (k && buf[k - 1] == ' ')
		k--;
	buf[k] = '\0';
	return buf;
}

static void clear_row(int y)
{
	draw_fill(y, 0, COLS, A_NORMAL);
}

static void escapes_are_shown_not_obeyed(void **state)
{
	(void)state;
	clear_row(0);
	int used = draw_untrusted(0, 0, 40, "hi\x1b[2J\x1b]2;pwned\x07 there", A_NORMAL);
	assert_string_equal(row_text(0, 40), "hi^[[2J^[]2;pwned^G there");
	assert_int_equal(used, 25);
	/* No ESC or BEL reached a cell. */
	assert_null(strchr(row_text(0, 40), 0x1b));
	assert_null(strchr(row_text(0, 40), 0x07));
}

static void c1_bidi_and_bad_bytes(void **state)
{
	(void)state;
	clear_row(1);
	draw_untrusted(1, 0, 60, "a\xc2\x9b" "b\xe2\x80\xae" "c\xff" "d", A_NORMAL);
	assert_string_equal(row_text(1, 60), "a<U+009B>b<U+202E>c\\xFFd");
}

static void unprintable_code_points_become_replacement(void **state)
{
	(void)state;
	clear_row(2);
	/* U+0378 is unassigned: wcwidth() says -1. */
	int used = draw_untrusted(2, 0, 10, "x\xcd\xb8y", A_NORMAL);
	assert_string_equal(row_text(2, 10), "x\xef\xbf\xbdy");
	assert_int_equal(used, 3);
}

static void never_wider_than_given(void **state)
{
	(void)state;
	clear_row(3);
	draw_str(3, 20, 5, "XXXXXXXXXX", A_NORMAL);
	/* 中文中文 in 5 columns: two characters (4 columns), not half a third. */
	int used = draw_untrusted(3, 0, 5, "\xe4\xb8\xad\xe6\x96\x87\xe4\xb8\xad\xe6\x96\x87",
				  A_NORMAL);
	assert_int_equal(used, 4);
	assert_string_equal(row_text(3, 5), "\xe4\xb8\xad\xe6\x96\x87");
	/* The neighbour's cells are untouched. */
	assert_string_equal(row_text(3, 25) + strlen("\xe4\xb8\xad\xe6\x96\x87"),
			    "                XXXXX");
	/* A very long line is cut at the width, whatever its length. */
	char *big = malloc(100001);
	assert_non_null(big);
	memset(big, 'z', 100000);
	big[100000] = '\0';
	clear_row(4);
	assert_int_equal(draw_untrusted(4, 0, 30, big, A_NORMAL), 30);
	free(big);
	assert_int_equal(draw_untrusted(5, 0, 30, NULL, A_NORMAL), 0);
	assert_int_equal(draw_str(5, 0, 0, "nothing", A_NORMAL), 0);
}

/* Thousands of combining marks on one letter (a "Zalgo" flood) keep a few
 * and the line goes on to its width: the text after them is on screen. */
static void mark_flood_does_not_hide_the_line(void **state)
{
	(void)state;
	size_t n = 3000;
	char *s = malloc(1 + 2 * n + 16);
	assert_non_null(s);
	size_t k = 0;
	s[k++] = 'a';
	for (size_t i = 0; i < n; i++) {
		s[k++] = '\xcc'; /* U+0301, combining acute accent */
		s[k++] = '\x81';
	}
	memcpy(s + k, "bcdefghijkl", 12);
	clear_row(6);
	int used = draw_untrusted(6, 0, 8, s, A_NORMAL);
	free(s);
	assert_int_equal(used, 8);
	/* The first cell holds the letter and as many marks as a cell takes. */
	cchar_t cell;
	wchar_t wc[CCHARW_MAX + 1];
	attr_t a;
	short pair;
	assert_int_equal(mvin_wch(6, 0, &cell), OK);
	assert_int_equal(getcchar(&cell, wc, &a, &pair, NULL), OK);
	assert_int_equal(wc[0], L'a');
	assert_int_equal(wcslen(wc), CCHARW_MAX);
	for (int i = 1; i < CCHARW_MAX; i++)
		assert_int_equal(wc[i], 0x301);
	/* And the rest of the line follows, cut at the width. */
	assert_string_equal(row_text(6, 20) + 1 + 2 * (CCHARW_MAX - 1), "bcdefgh");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(escapes_are_shown_not_obeyed),
		cmocka_unit_test(c1_bidi_and_bad_bytes),
		cmocka_unit_test(unprintable_code_points_become_replacement),
		cmocka_unit_test(never_wider_than_given),
		cmocka_unit_test(mark_flood_does_not_hide_the_line),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
