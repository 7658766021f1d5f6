/*
 * test_errbuf.c — the one-line error messages.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "errbuf.h"

static void test_set_formats_and_returns_false(void **state)
{
	struct errbuf e;

	(void)state;
	assert_false(errbuf_set(&e, "%s: must be at most %d characters", "title", 200));
	assert_string_equal(e.msg, "title: must be at most 200 characters");
}

static void test_null_is_ignored(void **state)
{
	(void)state;
	assert_false(errbuf_set(NULL, "nobody reads %s", "this"));
	errbuf_prefix(NULL, "field");
}

static void test_prefix_nests(void **state)
{
	struct errbuf e;

	(void)state;
	errbuf_set(&e, "must be a string");
	errbuf_prefix(&e, "title");
	errbuf_prefix(&e, "ticket");
	assert_string_equal(e.msg, "ticket: title: must be a string");
}

/* Build a string of n copies of 'a' followed by `tail`. */
static void fill(char *buf, size_t n, const char *tail)
{
	memset(buf, 'a', n);
	strcpy(buf + n, tail);
}

static void test_set_truncates(void **state)
{
	char long_text[2 * ERRBUF_LEN];
	struct errbuf e;

	(void)state;
	fill(long_text, sizeof long_text - 1, "");
	errbuf_set(&e, "%s", long_text);
	assert_int_equal(strlen(e.msg), ERRBUF_LEN - 1);
}

/* A cut that lands inside a multi-byte character drops the partial
 * character instead of leaving invalid UTF-8 for the UI. */
static void test_set_truncation_keeps_utf8_whole(void **state)
{
	char text[ERRBUF_LEN + 8];
	struct errbuf e;

	(void)state;
	/* "é" (2 bytes) would need bytes 254..255; only 254 fits. */
	fill(text, ERRBUF_LEN - 2, "\xc3\xa9");
	errbuf_set(&e, "%s", text);
	assert_int_equal(strlen(e.msg), ERRBUF_LEN - 2);
	/* "😀" (4 bytes) cut after 1, 2 or 3 of them. */
	fill(text, ERRBUF_LEN - 2, "\xf0\x9f\x98\x80");
	errbuf_set(&e, "%s", text);
	assert_int_equal(strlen(e.msg), ERRBUF_LEN - 2);
	fill(text, ERRBUF_LEN - 4, "\xf0\x9f\x98\x80");
	errbuf_set(&e, "%s", text);
	assert_int_equal(strlen(e.msg), ERRBUF_LEN - 4);
	/* A character that ends exactly at the limit is kept. */
	fill(text, ERRBUF_LEN - 3, "\xc3\xa9z");
	errbuf_set(&e, "%s", text);
	assert_int_equal(strlen(e.msg), ERRBUF_LEN - 1);
	assert_memory_equal(e.msg + ERRBUF_LEN - 3, "\xc3\xa9", 2);
}

static void test_prefix_truncation_keeps_utf8_whole(void **state)
{
	char text[ERRBUF_LEN];
	struct errbuf e;

	(void)state;
	/* "x: " + 251 'a' + "日" is 257 bytes: the 日 is cut, so it goes. */
	fill(text, ERRBUF_LEN - 5, "\xe6\x97\xa5");
	errbuf_set(&e, "%s", text);
	errbuf_prefix(&e, "x");
	assert_int_equal(strlen(e.msg), 3 + ERRBUF_LEN - 5);
	assert_memory_equal(e.msg, "x: aaa", 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_formats_and_returns_false),
		cmocka_unit_test(test_null_is_ignored),
		cmocka_unit_test(test_prefix_nests),
		cmocka_unit_test(test_set_truncates),
		cmocka_unit_test(test_set_truncation_keeps_utf8_whole),
		cmocka_unit_test(test_prefix_truncation_keeps_utf8_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
