/*
 * draw.c — safe text output (see draw.h).
 */
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "textsafe.h"
#include "textwidth.h"
#include "utf8.h"

/* Combining marks kept on one character: what a curses cell holds besides
 * its base (CCHARW_MAX). Terminals show a few at most; a flood of them is
 * a way to hide the rest of a line, so the others are dropped, as
 * terminals drop them. They take no column, so widths do not change. */
#define MARKS_MAX (CCHARW_MAX - 1)

int draw_safe(int y, int x, int width, const char *s, size_t len, attr_t a)
{
	char buf[256];
	size_t k = 0, i = 0;
	int used = 0, marks = 0;

	if (width <= 0)
		return 0;
	attrset(a);
	move(y, x);
	/* Copy what fits, swapping what the terminal cannot show, and send it
	 * in pieces as buf fills: the columns, not the bytes, end a line. */
	while (i < len) {
		unsigned cp;
		size_t n = utf8_decode(s + i, len - i, &cp);
		if (n == 0) {
			cp = 0xFFFD;
			n = 1;
		}
		i += n;
		int w = cp_width(cp);
		if (w == 0 && ++marks > MARKS_MAX)
			continue;
		if (w > 0) {
			if (used + w > width)
				break;
			marks = 0;
			/* A piece ends before a base character, so its marks
			 * go out with it: room for the base and all of them. */
			if (k + 4 * (1 + MARKS_MAX) > sizeof buf) {
				addnstr(buf, (int)k);
				k = 0;
			}
		}
		if (!cp_printable(cp))
			cp = 0xFFFD;
		k += utf8_encode(cp, buf + k);
		used += w;
	}
	addnstr(buf, (int)k);
	return used;
}

int draw_untrusted(int y, int x, int width, const char *s, attr_t a)
{
	if (!s)
		return 0;
	char *safe = textsafe_dup(s, strlen(s), 0);
	if (!safe)
		return 0;
	int used = draw_safe(y, x, width, safe, strlen(safe), a);
	free(safe);
	return used;
}

int draw_str(int y, int x, int width, const char *s, attr_t a)
{
	return draw_safe(y, x, width, s, strlen(s), a);
}

void draw_fill(int y, int x, int width, attr_t a)
{
	if (width <= 0)
		return;
	attrset(a);
	mvhline(y, x, ' ', width);
}
