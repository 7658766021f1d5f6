/*
 * test_utf8.c — UTF-8 validation, decoding, encoding, counting and cutting.
 *
 * Inputs are copied to heap buffers of their exact length so that
 * AddressSanitizer catches any read past the given length.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "utf8.h"

/* Sentinel for "decode left *cp alone". */
#define UNTOUCHED 0xDEADu

static char *heap_copy(const char *s, size_t len)
{
	char *p = malloc(len ? len : 1);

	assert_non_null(p);
	memcpy(p, s, len);
	return p;
}

/* Same, plus the NUL terminator, for the functions that take C strings. */
static char *heap_str(const char *s)
{
	return heap_copy(s, strlen(s) + 1);
}

static bool valid(const char *s, size_t len)
{
	char *p = heap_copy(s, len);
	bool ok = utf8_valid(p, len);

	free(p);
	return ok;
}

struct seq {
	const char *bytes;
	size_t len;
	unsigned cp; /* for well-formed sequences */
	const char *what;
};

#define SEQ(lit, cp, what) { lit, sizeof(lit) - 1, cp, what }

/* The edges of every length class and of the surrogate gap. */
static const struct seq good[] = {
	SEQ("\x00", 0x0, "NUL"),
	SEQ("\x7F", 0x7F, "last 1-byte"),
	SEQ("\xC2\x80", 0x80, "first 2-byte"),
	SEQ("\xC3\xA9", 0xE9, "e acute"),
	SEQ("\xDF\xBF", 0x7FF, "last 2-byte"),
	SEQ("\xE0\xA0\x80", 0x800, "first 3-byte"),
	SEQ("\xE6\x97\xA5", 0x65E5, "CJK"),
	SEQ("\xED\x9F\xBF", 0xD7FF, "just below surrogates"),
	SEQ("\xEE\x80\x80", 0xE000, "just above surrogates"),
	SEQ("\xEF\xBF\xBF", 0xFFFF, "last 3-byte"),
	SEQ("\xF0\x90\x80\x80", 0x10000, "first 4-byte"),
	SEQ("\xF0\x9F\x98\x80", 0x1F600, "emoji"),
	SEQ("\xF4\x8F\xBF\xBF", 0x10FFFF, "last code point"),
};

static const struct seq bad[] = {
	SEQ("\xC0\x80", 0, "overlong NUL"),
	SEQ("\xC1\xBF", 0, "overlong 2-byte"),
	SEQ("\xE0\x80\x80", 0, "overlong 3-byte NUL"),
	SEQ("\xE0\x9F\xBF", 0, "overlong 3-byte max"),
	SEQ("\xF0\x80\x80\x80", 0, "overlong 4-byte NUL"),
	SEQ("\xF0\x8F\xBF\xBF", 0, "overlong 4-byte max"),
	SEQ("\xED\xA0\x80", 0, "high surrogate D800"),
	SEQ("\xED\xBF\xBF", 0, "low surrogate DFFF"),
	SEQ("\xF4\x90\x80\x80", 0, "U+110000"),
	SEQ("\xF5\x80\x80\x80", 0, "lead F5"),
	SEQ("\xF8\x88\x80\x80\x80", 0, "5-byte form"),
	SEQ("\xFF", 0, "byte FF"),
	SEQ("\xFE", 0, "byte FE"),
	SEQ("\x80", 0, "stray continuation 80"),
	SEQ("\xBF", 0, "stray continuation BF"),
	SEQ("\xC3", 0, "truncated 2-byte"),
	SEQ("\xE6\x97", 0, "truncated 3-byte"),
	SEQ("\xF0\x9F\x98", 0, "truncated 4-byte"),
	SEQ("\xC3" "A", 0, "lead then ASCII"),
	SEQ("\xE6\x97" "A", 0, "3-byte lead, one continuation, ASCII"),
	SEQ("\xF0\x9F\x98\xC3\xA9", 0, "4-byte cut by a new lead"),
};

static void test_valid_accepts_well_formed(void **state)
{
	size_t i;

	(void)state;
	assert_true(valid("", 0));
	assert_true(valid("plain ascii", 11));
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		if (!valid(good[i].bytes, good[i].len))
			fail_msg("refused %s", good[i].what);
	}
	/* All of them in one string. */
	assert_true(valid("a\xC3\xA9\xE6\x97\xA5\xF0\x9F\x98\x80z", 11));
}

static void test_valid_refuses_malformed(void **state)
{
	char buf[16];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (valid(bad[i].bytes, bad[i].len))
			fail_msg("accepted %s", bad[i].what);
		/* Hidden inside otherwise fine text, too. */
		memcpy(buf, "ok", 2);
		memcpy(buf + 2, bad[i].bytes, bad[i].len);
		memcpy(buf + 2 + bad[i].len, "ok", 2);
		if (valid(buf, bad[i].len + 4))
			fail_msg("accepted %s inside text", bad[i].what);
	}
	assert_false(valid("a\x80" "b", 3));
	assert_false(valid("\xC3\xA9\xA9", 3)); /* one continuation too many */
}

static void test_valid_honours_length(void **state)
{
	(void)state;
	/* A sequence cut by `len` is truncated even if the bytes go on. */
	assert_false(valid("\xC3\xA9", 1));
	assert_false(valid("\xF0\x9F\x98\x80", 3));
	/* An embedded NUL is a character like any other. */
	assert_true(valid("a\0b", 3));
}

static void test_decode_each_class(void **state)
{
	size_t i, n;
	unsigned cp;
	char *p;

	(void)state;
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		p = heap_copy(good[i].bytes, good[i].len);
		cp = UNTOUCHED;
		n = utf8_decode(p, good[i].len, &cp);
		free(p);
		if (n != good[i].len || cp != good[i].cp)
			fail_msg("%s: got %zu bytes, U+%04X", good[i].what, n, cp);
	}
}

static void test_decode_only_reads_one_character(void **state)
{
	unsigned cp = UNTOUCHED;

	(void)state;
	assert_int_equal(utf8_decode("\xC3\xA9" "xyz", 5, &cp), 2);
	assert_int_equal(cp, 0xE9);
	assert_int_equal(utf8_decode("A\xFF", 2, &cp), 1);
	assert_int_equal(cp, 'A');
}

static void test_decode_refuses_and_leaves_cp(void **state)
{
	size_t i, n;
	unsigned cp;
	char *p;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		p = heap_copy(bad[i].bytes, bad[i].len);
		cp = UNTOUCHED;
		n = utf8_decode(p, bad[i].len, &cp);
		free(p);
		if (n != 0 || cp != UNTOUCHED)
			fail_msg("%s: got %zu bytes, cp %#x", bad[i].what, n, cp);
	}
	cp = UNTOUCHED;
	assert_int_equal(utf8_decode("x", 0, &cp), 0);
	assert_int_equal(cp, UNTOUCHED);
}

static void test_encode_known_bytes(void **state)
{
	char out[4];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		memset(out, 0, sizeof out);
		n = utf8_encode(good[i].cp, out);
		assert_int_equal(n, good[i].len);
		assert_memory_equal(out, good[i].bytes, n);
	}
}

static void test_encode_refuses_non_scalars(void **state)
{
	char out[4];

	(void)state;
	assert_int_equal(utf8_encode(0xD800, out), 0);
	assert_int_equal(utf8_encode(0xDBFF, out), 0);
	assert_int_equal(utf8_encode(0xDC00, out), 0);
	assert_int_equal(utf8_encode(0xDFFF, out), 0);
	assert_int_equal(utf8_encode(0x110000, out), 0);
	assert_int_equal(utf8_encode(0xFFFFFFFFu, out), 0);
}

/* Every scalar value encodes to something the decoder reads back as itself,
 * and every surrogate is refused: the two directions agree on the whole
 * code space, not just on hand-picked samples. */
static void test_encode_decode_round_trip_all(void **state)
{
	unsigned cp, back;
	size_t n;
	char out[4];

	(void)state;
	for (cp = 0; cp <= 0x10FFFF; cp++) {
		n = utf8_encode(cp, out);
		if (cp >= 0xD800 && cp <= 0xDFFF) {
			if (n != 0)
				fail_msg("encoded surrogate U+%04X", cp);
			continue;
		}
		back = UNTOUCHED;
		if (n == 0 || utf8_decode(out, n, &back) != n || back != cp)
			fail_msg("U+%04X did not round trip", cp);
	}
}

static void test_count(void **state)
{
	(void)state;
	assert_int_equal(utf8_count("", 0), 0);
	assert_int_equal(utf8_count("abc", 3), 3);
	/* é, 日, 😀: 2 + 3 + 4 bytes, 3 characters. */
	assert_int_equal(utf8_count("\xC3\xA9\xE6\x97\xA5\xF0\x9F\x98\x80", 9), 3);
	/* e + COMBINING ACUTE ACCENT is two code points. */
	assert_int_equal(utf8_count("e\xCC\x81", 3), 2);
	assert_int_equal(utf8_count("a\0b", 3), 3);
}

static size_t prefix(const char *s, size_t max_chars)
{
	char *p = heap_str(s);
	size_t n = utf8_prefix_bytes(p, max_chars);

	free(p);
	return n;
}

static void test_prefix_bytes_whole_characters(void **state)
{
	(void)state;
	assert_int_equal(prefix("hello", 3), 3);
	assert_int_equal(prefix("hello", 0), 0);
	assert_int_equal(prefix("hello", 99), 5);
	assert_int_equal(prefix("", 5), 0);
	/* 日本語: three bytes each. */
	assert_int_equal(prefix("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", 1), 3);
	assert_int_equal(prefix("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", 2), 6);
	assert_int_equal(prefix("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", 3), 9);
	/* 😀😀: four bytes each. */
	assert_int_equal(prefix("\xF0\x9F\x98\x80\xF0\x9F\x98\x80", 1), 4);
	/* e + U+0301: the mark is its own code point and is never split. */
	assert_int_equal(prefix("e\xCC\x81x", 1), 1);
	assert_int_equal(prefix("e\xCC\x81x", 2), 3);
	assert_int_equal(prefix("e\xCC\x81x", 3), 4);
}

/* For every limit, the cut of a mixed string is valid UTF-8 and holds
 * exactly min(limit, total) characters. */
static void test_prefix_bytes_never_splits(void **state)
{
	static const char mixed[] = "a\xC3\xA9\xE6\x97\xA5\xF0\x9F\x98\x80"
				    "e\xCC\x81\xD7\xA9z";
	size_t total = utf8_count(mixed, strlen(mixed)), k, n;

	(void)state;
	assert_int_equal(total, 8);
	for (k = 0; k <= total + 2; k++) {
		n = prefix(mixed, k);
		assert_true(utf8_valid(mixed, n));
		assert_int_equal(utf8_count(mixed, n), k < total ? k : total);
	}
}

static void test_prefix_bytes_stops_at_malformed(void **state)
{
	(void)state;
	/* The result must stay a valid prefix, so a bad byte ends it. */
	assert_int_equal(prefix("ab\xFF" "cd", 10), 2);
	assert_int_equal(prefix("a\xE6\x97", 10), 1); /* truncated at the NUL */
	assert_int_equal(prefix("a\xED\xA0\x80", 10), 1);
	assert_int_equal(prefix("\xC0\x80", 10), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_accepts_well_formed),
		cmocka_unit_test(test_valid_refuses_malformed),
		cmocka_unit_test(test_valid_honours_length),
		cmocka_unit_test(test_decode_each_class),
		cmocka_unit_test(test_decode_only_reads_one_character),
		cmocka_unit_test(test_decode_refuses_and_leaves_cp),
		cmocka_unit_test(test_encode_known_bytes),
		cmocka_unit_test(test_encode_refuses_non_scalars),
		cmocka_unit_test(test_encode_decode_round_trip_all),
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_prefix_bytes_whole_characters),
		cmocka_unit_test(test_prefix_bytes_never_splits),
		cmocka_unit_test(test_prefix_bytes_stops_at_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
