/*
 * utf8.c — UTF-8 validation, counting, cutting, decoding and encoding.
 *
 * The decoder follows Unicode's table of well-formed byte sequences (Table
 * 3-7) rather than the bit patterns alone, so overlong forms, surrogates and
 * values past U+10FFFF are refused at the byte where they become impossible.
 */
#define _POSIX_C_SOURCE 200809L /* strnlen; same value as the build's -D, so no clash */

#include <string.h>

#include "utf8.h"

static int is_cont(unsigned char c)
{
	return (c & 0xC0) == 0x80;
}

size_t utf8_decode(const char *s, size_t len, unsigned *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xBF;
	unsigned c;
	size_t n, i;

	if (len == 0)
		return 0;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	/* The second byte's allowed range is what rules out overlong forms
	 * (E0, F0), surrogates (ED) and values above U+10FFFF (F4). C0, C1 and
	 * F5..FF can never start a well-formed sequence. */
	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		n = 2;
		c = p[0] & 0x1F;
	} else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		n = 3;
		c = p[0] & 0x0F;
		if (p[0] == 0xE0)
			lo = 0xA0;
		else if (p[0] == 0xED)
			hi = 0x9F;
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		n = 4;
		c = p[0] & 0x07;
		if (p[0] == 0xF0)
			lo = 0x90;
		else if (p[0] == 0xF4)
			hi = 0x8F;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 1; i < n; i++) {
		if (!is_cont(p[i]))
			return 0;
		c = (c << 6) | (p[i] & 0x3F);
	}
	*cp = c;
	return n;
}

bool utf8_valid(const char *s, size_t len)
{
	size_t i = 0, n;
	unsigned cp;

	while (i < len) {
		n = utf8_decode(s + i, len - i, &cp);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

size_t utf8_count(const char *s, size_t len)
{
	size_t i, count = 0;

	/* In valid UTF-8 every code point has exactly one non-continuation
	 * byte, so counting those is enough and needs no decoding. */
	for (i = 0; i < len; i++)
		if (!is_cont((unsigned char)s[i]))
			count++;
	return count;
}

size_t utf8_prefix_bytes(const char *s, size_t max_chars)
{
	size_t i = 0, n;
	unsigned cp;

	/* A NUL byte never occurs inside a multi-byte sequence, so looking at
	 * most four bytes ahead (stopping at the terminator) is enough to decode
	 * the next character without measuring the whole string. */
	while (max_chars > 0 && s[i] != '\0') {
		n = utf8_decode(s + i, strnlen(s + i, 4), &cp);
		if (n == 0)
			break; /* malformed: the valid prefix ends here */
		i += n;
		max_chars--;
	}
	return i;
}

size_t utf8_encode(unsigned cp, char *out)
{
	unsigned char *o = (unsigned char *)out;

	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp >= 0xD800 && cp <= 0xDFFF)
		return 0;
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	if (cp > 0x10FFFF)
		return 0;
	o[0] = (unsigned char)(0xF0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}
