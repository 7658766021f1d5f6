/*
 * textsafe.c — make hostile text safe to put on a terminal.
 *
 * The text is walked twice with the same code: once to measure the result,
 * once to write it. That keeps the size computation impossible to get out of
 * step with the rules, and the allocation exact instead of a worst case four
 * times the input.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textsafe.h"
#include "utf8.h"

/* Where the output goes; with buf NULL, bytes are only counted. */
struct sink {
	char *buf;
	size_t len;
};

static void put(struct sink *o, const char *p, size_t n)
{
	if (o->buf != NULL)
		memcpy(o->buf + o->len, p, n);
	o->len += n;
}

/* Characters that print nothing yet change how the line is laid out or read:
 * the bidi overrides, embeddings and isolates can make "evil.exe" look like
 * "exe.live", and the zero-width ones hide text. */
static bool is_format_control(unsigned cp)
{
	return cp == 0x061C || (cp >= 0x200B && cp <= 0x200F) ||
	       (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x206F) ||
	       cp == 0xFEFF;
}

static void neutralise(const char *s, size_t len, unsigned flags, struct sink *o)
{
	char tmp[16];
	size_t i = 0, n;
	unsigned cp;

	while (i < len) {
		n = utf8_decode(s + i, len - i, &cp);
		if (n == 0) {
			/* Show each bad byte on its own: a truncated sequence is then
			 * visible byte by byte, and resynchronising at the next byte
			 * keeps the valid text after it intact. */
			put(o, tmp, (size_t)snprintf(tmp, sizeof tmp, "\\x%02X",
						     (unsigned char)s[i]));
			i++;
			continue;
		}
		if (cp == '\n' && (flags & TEXTSAFE_KEEP_NEWLINES)) {
			put(o, "\n", 1);
		} else if (cp == '\t') {
			/* A tab jumps to a column the caller cannot predict, which
			 * would break width computations; one space keeps the gap. */
			put(o, " ", 1);
		} else if (cp < 0x20 || cp == 0x7F) {
			/* Caret notation: the control's value with bit 6 flipped,
			 * so ESC (0x1B) is "^[" and DEL (0x7F) is "^?". */
			tmp[0] = '^';
			tmp[1] = (char)(cp ^ 0x40);
			put(o, tmp, 2);
		} else if ((cp >= 0x80 && cp <= 0x9F) || is_format_control(cp)) {
			/* C1 controls have no caret form; 0x9B alone is a CSI on
			 * some terminals, so it must not pass either. */
			put(o, tmp, (size_t)snprintf(tmp, sizeof tmp, "<U+%04X>", cp));
		} else {
			put(o, s + i, n);
		}
		i += n;
	}
}

char *textsafe_dup(const char *s, size_t len, unsigned flags)
{
	struct sink o = { NULL, 0 };

	neutralise(s, len, flags, &o);
	o.buf = malloc(o.len + 1);
	if (o.buf == NULL)
		return NULL;
	o.len = 0;
	neutralise(s, len, flags, &o);
	o.buf[o.len] = '\0';
	return o.buf;
}
