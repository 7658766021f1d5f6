/*
 * test_textsafe.c — hostile text made safe for the terminal.
 *
 * Every output is also checked against the invariant the module exists for:
 * valid UTF-8 with no control or format character left in it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "textsafe.h"
#include "utf8.h"

/* What must never reach the terminal. Listed here independently of the
 * module, so a hole in its tables is not copied into the test. */
static bool dangerous(unsigned cp, unsigned flags)
{
	if (cp == '\n')
		return !(flags & TEXTSAFE_KEEP_NEWLINES);
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C ||
	       (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
	       (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF;
}

static void assert_terminal_safe(const char *out, unsigned flags)
{
	size_t len = strlen(out), i = 0, n;
	unsigned cp;

	if (!utf8_valid(out, len))
		fail_msg("output is not valid UTF-8");
	while (i < len) {
		n = utf8_decode(out + i, len - i, &cp);
		if (dangerous(cp, flags))
			fail_msg("U+%04X left in output at byte %zu", cp, i);
		i += n;
	}
}

/* Neutralise s[0..len) from an exact-size heap copy (so ASan sees any read
 * past len) and check the result is safe; the caller frees it. */
static char *neutralise(const char *s, size_t len, unsigned flags)
{
	char *in = malloc(len ? len : 1), *out;

	assert_non_null(in);
	memcpy(in, s, len);
	out = textsafe_dup(in, len, flags);
	free(in);
	assert_non_null(out);
	assert_terminal_safe(out, flags);
	return out;
}

static void expect_len(const char *s, size_t len, unsigned flags,
		       const char *want)
{
	char *out = neutralise(s, len, flags);

	assert_string_equal(out, want);
	free(out);
}

#define expect(lit, flags, want) expect_len(lit, sizeof(lit) - 1, flags, want)

static void test_escape_sequences_shown(void **state)
{
	(void)state;
	expect("\x1b[31mred\x1b[0m", 0, "^[[31mred^[[0m");
	/* Window title change, terminated by BEL. */
	expect("\x1b]0;title\x07", 0, "^[]0;title^G");
	/* Cursor movement and screen clearing. */
	expect("\x1b[2J\x1b[H", 0, "^[[2J^[[H");
}

static void test_c0_and_del_caret_notation(void **state)
{
	(void)state;
	expect("\x01", 0, "^A");
	expect("\x08", 0, "^H");
	expect("\x1f", 0, "^_");
	expect("\x7f", 0, "^?");
	expect("a\rb", TEXTSAFE_KEEP_NEWLINES, "a^Mb"); /* CR is never kept */
	expect("a\0b", 0, "a^@b");
}

static void test_newline_and_tab(void **state)
{
	(void)state;
	expect("a\nb", 0, "a^Jb");
	expect("a\nb", TEXTSAFE_KEEP_NEWLINES, "a\nb");
	expect("a\tb", 0, "a b");
	expect("a\tb", TEXTSAFE_KEEP_NEWLINES, "a b");
}

static void test_c1_controls(void **state)
{
	(void)state;
	/* U+009B is a one-character CSI on some terminals. */
	expect("\xc2\x9b" "31m", 0, "<U+009B>31m");
	expect("\xc2\x80", 0, "<U+0080>");
	expect("\xc2\x9f", 0, "<U+009F>");
	/* The neighbours are ordinary printable characters. */
	expect("\xc2\xa0", 0, "\xc2\xa0");
}

static void test_format_controls(void **state)
{
	(void)state;
	expect("abc\xe2\x80\xae" "fdp.exe", 0, "abc<U+202E>fdp.exe");
	expect("line\xe2\x80\xa8" "break", TEXTSAFE_KEEP_NEWLINES, "line<U+2028>break");
	expect("\xd8\x9c", 0, "<U+061C>");
	expect("\xe2\x80\x8b", 0, "<U+200B>");
	expect("\xe2\x80\x8f", 0, "<U+200F>");
	expect("\xe2\x80\xaa", 0, "<U+202A>");
	expect("\xe2\x81\xa0", 0, "<U+2060>");
	expect("\xe2\x81\xa6", 0, "<U+2066>");
	expect("\xe2\x81\xaf", 0, "<U+206F>");
	expect("\xef\xbb\xbf" "hi", 0, "<U+FEFF>hi");
	/* Just outside the ranges: hair space, superscript zero. */
	expect("\xe2\x80\x8a", 0, "\xe2\x80\x8a");
	expect("\xe2\x81\xb0", 0, "\xe2\x81\xb0");
}

static void test_invalid_bytes_shown_as_hex(void **state)
{
	(void)state;
	expect("\xff", 0, "\\xFF");
	expect("\xfe", 0, "\\xFE");
	expect("a\x80" "b", 0, "a\\x80b");
	expect("\xc0\x80", 0, "\\xC0\\x80");
	expect("\xe0\x80\x80", 0, "\\xE0\\x80\\x80");
	expect("\xed\xa0\x80", 0, "\\xED\\xA0\\x80");
	expect("\xf4\x90\x80\x80", 0, "\\xF4\\x90\\x80\\x80");
	/* Truncated at the end, and cut short by the next character: the
	 * valid text around it survives. */
	expect("a\xe6\x97", 0, "a\\xE6\\x97");
	expect("\xe6\x97" "\xc3\xa9", 0, "\\xE6\\x97\xc3\xa9");
}

static void test_plain_text_unchanged(void **state)
{
	static const char plain[] = "Hello, caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac "
				    "\xf0\x9f\x98\x80 e\xcc\x81 \xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d ~";

	(void)state;
	expect(plain, 0, plain);
	expect(plain, TEXTSAFE_KEEP_NEWLINES, plain);
}

static void test_length_is_respected(void **state)
{
	(void)state;
	expect_len("", 0, 0, "");
	expect_len("abc", 2, 0, "ab");
	/* A character cut by len is invalid, not read past. */
	expect_len("\xc3\xa9", 1, 0, "\\xC3");
}

static uint32_t next_random(uint32_t *seed)
{
	*seed = *seed * 1103515245u + 12345u; /* any fixed LCG will do */
	return *seed >> 16;
}

/* Every one- and two-byte input, then pseudo-random longer ones built from
 * random bytes and fragments that random bytes alone would seldom form:
 * whatever comes in, what comes out is safe (checked in neutralise()). */
static void test_any_input_gives_safe_output(void **state)
{
	static const char *const frag[] = {
		"\x1b[", "\xc2\x9b", "\xe2\x80\xae", "\xef\xbb\xbf", "\xd8\x9c",
		"\xe2\x81\xa6", "\xf0\x9f\x98\x80", "\xe6\x97", "\xed\xa0\x80",
		"\xc3\xa9", "\n", "\t",
	};
	char buf[64];
	const char *f;
	uint32_t seed = 12345, r;
	unsigned a, b;
	size_t i, len;

	(void)state;
	for (a = 0; a < 256; a++) {
		for (b = 0; b < 256; b++) {
			buf[0] = (char)a;
			buf[1] = (char)b;
			free(neutralise(buf, 1, 0));
			free(neutralise(buf, 2, 0));
			free(neutralise(buf, 2, TEXTSAFE_KEEP_NEWLINES));
		}
	}
	for (i = 0; i < 20000; i++) {
		len = 0;
		while (len < sizeof buf - 4 && next_random(&seed) % 16 != 0) {
			r = next_random(&seed);
			if (r % 2) {
				buf[len++] = (char)(r >> 1);
			} else {
				f = frag[r / 2 % (sizeof frag / sizeof frag[0])];
				memcpy(buf + len, f, strlen(f));
				len += strlen(f);
			}
		}
		free(neutralise(buf, len, (unsigned)i & 1));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_sequences_shown),
		cmocka_unit_test(test_c0_and_del_caret_notation),
		cmocka_unit_test(test_newline_and_tab),
		cmocka_unit_test(test_c1_controls),
		cmocka_unit_test(test_format_controls),
		cmocka_unit_test(test_invalid_bytes_shown_as_hex),
		cmocka_unit_test(test_plain_text_unchanged),
		cmocka_unit_test(test_length_is_respected),
		cmocka_unit_test(test_any_input_gives_safe_output),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
