/*
 * test_textwidth.c — display widths, cutting and wrapping of the UI's text:
 * CJK, emoji and combining marks must never break alignment.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <string.h>

#include "textwidth.h"

#define CJK "\xe4\xb8\xad\xe6\x96\x87"        /* 中文: 2 characters, 4 columns */
#define EMOJI "\xf0\x9f\x98\x80"              /* U+1F600: 2 columns */
#define E_ACUTE "e\xcc\x81"                   /* e + U+0301 combining acute: 1 column */

static int setup_locale(void **state)
{
	(void)state;
	/* Widths are the C library's, which needs a UTF-8 locale; Debian
	 * always has C.UTF-8. */
	return setlocale(LC_CTYPE, "C.UTF-8") ? 0 : -1;
}

static void widths(void **state)
{
	(void)state;
	assert_int_equal(text_width("abc", 3), 3);
	assert_int_equal(text_width(CJK, strlen(CJK)), 4);
	assert_int_equal(text_width(EMOJI, strlen(EMOJI)), 2);
	assert_int_equal(text_width(E_ACUTE, strlen(E_ACUTE)), 1);
	assert_int_equal(text_width("", 0), 0);
	/* A stray byte never loops or crashes: one column. */
	assert_int_equal(text_width("a\xff", 2), 2);
}

static void fit_never_splits_a_character(void **state)
{
	int used;

	(void)state;
	/* 3 columns hold one CJK character (2), not half of the second. */
	assert_int_equal(text_fit(CJK, strlen(CJK), 3, &used), 3);
	assert_int_equal(used, 2);
	/* The accent goes with its e even at the edge. */
	assert_int_equal(text_fit("ab" E_ACUTE "x", strlen("ab" E_ACUTE "x"), 3, &used),
			 strlen("ab" E_ACUTE));
	assert_int_equal(used, 3);
	assert_int_equal(text_fit(EMOJI "a", strlen(EMOJI "a"), 1, &used), 0);
	assert_int_equal(used, 0);
	assert_int_equal(text_fit("abc", 3, 10, &used), 3);
	assert_int_equal(used, 3);
}

/* Wrap and return the lines as "a|b|c" for easy comparison. */
static const char *wrapped(const char *s, int width)
{
	static char out[512];
	struct wrap_line lines[32];
	size_t n = text_wrap(s, strlen(s), width, lines, 32), k = 0;

	assert_true(n <= 32);
	for (size_t i = 0; i < n; i++) {
		/* Every line fits its width, unless it holds a single character
		 * wider than the line. */
		assert_int_equal(lines[i].width, text_width(s + lines[i].start, lines[i].len));
		if (lines[i].width > width)
			assert_int_equal(text_fit(s + lines[i].start, lines[i].len, 0, NULL), 0);
		if (i)
			out[k++] = '|';
		memcpy(out + k, s + lines[i].start, lines[i].len);
		k += lines[i].len;
	}
	out[k] = '\0';
	return out;
}

static void wrap_words(void **state)
{
	(void)state;
	assert_string_equal(wrapped("the quick brown fox", 10), "the quick|brown fox");
	assert_string_equal(wrapped("the quick brown fox", 9), "the quick|brown fox");
	assert_string_equal(wrapped("abcdefghij", 4), "abcd|efgh|ij");
	assert_string_equal(wrapped("hello\nworld", 20), "hello|world");
	assert_string_equal(wrapped("a\n\nb", 20), "a||b");
	assert_string_equal(wrapped("", 20), "");
	assert_int_equal(text_wrap("", 0, 20, NULL, 0), 1);
	/* Counting without an output array gives the same number. */
	assert_int_equal(text_wrap("the quick brown fox", 19, 10, NULL, 0), 2);
}

static void wrap_wide_text(void **state)
{
	(void)state;
	/* 中文中文 at 5 columns: two characters (4 columns) per line. */
	assert_string_equal(wrapped(CJK CJK, 5), CJK "|" CJK);
	assert_string_equal(wrapped(EMOJI EMOJI EMOJI, 4), EMOJI EMOJI "|" EMOJI);
	/* A 2-column character on a 1-column line goes alone, not forever. */
	assert_string_equal(wrapped(EMOJI EMOJI, 1), EMOJI "|" EMOJI);
	assert_string_equal(wrapped("caf" E_ACUTE " ok", 4), "caf" E_ACUTE "|ok");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(widths),
		cmocka_unit_test(fit_never_splits_a_character),
		cmocka_unit_test(wrap_words),
		cmocka_unit_test(wrap_wide_text),
	};
	return cmocka_run_group_tests(tests, setup_locale, NULL);
}
