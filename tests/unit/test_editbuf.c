/*
 * test_editbuf.c — the composer's editing keys on UTF-8 text: the cursor
 * never lands inside a character or between a letter and its accent.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <string.h>

#include "editbuf.h"

#define E_ACUTE "e\xcc\x81"   /* e + combining acute */
#define CJK "\xe4\xb8\xad"    /* 中: 2 columns */

static int setup_locale(void **state)
{
	(void)state;
	return setlocale(LC_CTYPE, "C.UTF-8") ? 0 : -1;
}

static void type(struct editbuf *e, const char *s)
{
	while (*s) {
		unsigned cp = (unsigned char)*s;
		size_t n = 1;
		if (cp >= 0x80) {
			if ((cp & 0xe0) == 0xc0) { cp &= 0x1f; n = 2; }
			else if ((cp & 0xf0) == 0xe0) { cp &= 0x0f; n = 3; }
			else { cp &= 0x07; n = 4; }
			for (size_t i = 1; i < n; i++)
				cp = (cp << 6) | ((unsigned char)s[i] & 0x3f);
		}
		assert_true(editbuf_insert(e, cp));
		s += n;
	}
}

static void typing_and_moving(void **state)
{
	struct editbuf e;

	(void)state;
	editbuf_init(&e, 0);
	type(&e, "hello world");
	assert_string_equal(e.text, "hello world");
	editbuf_home(&e);
	assert_int_equal(e.cursor, 0);
	type(&e, ">");
	editbuf_end(&e);
	type(&e, "!");
	assert_string_equal(e.text, ">hello world!");
	assert_true(editbuf_kill_word(&e));
	assert_string_equal(e.text, ">hello ");
	assert_true(editbuf_kill_word(&e));
	assert_string_equal(e.text, "");
	assert_false(editbuf_kill_word(&e));
	/* Controls other than newline never get in. */
	assert_false(editbuf_insert(&e, 27));
	assert_false(editbuf_insert(&e, 0x9b));
	assert_true(editbuf_insert(&e, '\n'));
	editbuf_free(&e);
}

static void whole_characters(void **state)
{
	struct editbuf e;

	(void)state;
	editbuf_init(&e, 0);
	type(&e, "caf" E_ACUTE CJK "x");
	editbuf_left(&e);            /* before x */
	editbuf_left(&e);            /* before 中 */
	assert_int_equal(e.cursor, strlen("caf" E_ACUTE));
	editbuf_left(&e);            /* before é, not between e and its accent */
	assert_int_equal(e.cursor, 3);
	editbuf_right(&e);
	assert_int_equal(e.cursor, strlen("caf" E_ACUTE));
	assert_true(editbuf_backspace(&e)); /* the whole é */
	assert_string_equal(e.text, "caf" CJK "x");
	assert_true(editbuf_delete(&e));    /* the whole 中 */
	assert_string_equal(e.text, "cafx");
	editbuf_free(&e);
}

static void lines_and_kills(void **state)
{
	struct editbuf e;

	(void)state;
	editbuf_init(&e, 0);
	type(&e, "first line\nsecond line");
	editbuf_home(&e);
	assert_int_equal(e.cursor, strlen("first line\n"));
	assert_true(editbuf_kill_to_end(&e));
	assert_string_equal(e.text, "first line\n");
	assert_true(editbuf_backspace(&e));
	assert_string_equal(e.text, "first line");
	editbuf_home(&e);
	editbuf_right(&e);
	editbuf_right(&e);
	assert_true(editbuf_kill_to_start(&e));
	assert_string_equal(e.text, "rst line");
	assert_false(editbuf_kill_to_start(&e));
	editbuf_free(&e);
}

static void up_and_down_keep_the_column(void **state)
{
	struct editbuf e;
	int row, col;

	(void)state;
	editbuf_init(&e, 0);
	/* Wrapped at 10: "the quick" / "brown fox" / "jumps" */
	type(&e, "the quick brown fox jumps");
	editbuf_cursor_pos(&e, 10, &row, &col);
	assert_int_equal(row, 2);
	assert_int_equal(col, 5);
	assert_true(editbuf_vertical(&e, -1, 10));
	editbuf_cursor_pos(&e, 10, &row, &col);
	assert_int_equal(row, 1);
	assert_int_equal(col, 5);
	assert_int_equal(e.cursor, strlen("the quick brown"));
	assert_true(editbuf_vertical(&e, -1, 10));
	assert_false(editbuf_vertical(&e, -1, 10));
	assert_int_equal(e.cursor, strlen("the q"));
	assert_true(editbuf_vertical(&e, 1, 10));
	assert_true(editbuf_vertical(&e, 1, 10));
	assert_false(editbuf_vertical(&e, 1, 10));
	/* An empty buffer has one row, the cursor at 0,0. */
	editbuf_clear(&e);
	editbuf_cursor_pos(&e, 10, &row, &col);
	assert_int_equal(row, 0);
	assert_int_equal(col, 0);
	editbuf_free(&e);

	editbuf_init(&e, 0);
	editbuf_cursor_pos(&e, 10, &row, &col); /* never typed into */
	assert_int_equal(row + col, 0);
	assert_false(editbuf_vertical(&e, 1, 10));
	editbuf_free(&e);
}

static void limit_and_set(void **state)
{
	struct editbuf e;

	(void)state;
	editbuf_init(&e, 3);
	type(&e, "ab" CJK);
	assert_false(editbuf_insert(&e, 'x'));
	assert_int_equal(editbuf_chars(&e), 3);
	assert_true(editbuf_set(&e, "put back"));
	assert_int_equal(e.cursor, 8);
	assert_false(editbuf_set(&e, "bad \xff"));
	assert_true(editbuf_set(&e, " \n "));
	assert_false(editbuf_has_text(&e));
	editbuf_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(typing_and_moving),
		cmocka_unit_test(whole_characters),
		cmocka_unit_test(lines_and_kills),
		cmocka_unit_test(up_and_down_keep_the_column),
		cmocka_unit_test(limit_and_set),
	};
	return cmocka_run_group_tests(tests, setup_locale, NULL);
}
