/*
 * draw.c — safe text output (see draw.h).
 */
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "textsafe.h"
#include "textwidth.h"
#include "utf8.h"

int draw_safe(int y, int x, int width, const char *s, size_t len, attr_t a)
{
	char buf[1024];
	size_t k = 0, i = 0;
	int used = 0;

	if (width <= 0)
		return 0;
	/* Copy what fits, swapping what the terminal cannot show. A screen
	 * row is at most a few hundred columns; buf holds the worst case of
	 * 4 bytes per column for 255 of them, and drawing stops there. */
	while (i < len && k + 4 < sizeof buf) {
		unsigned cp;
		size_t n = utf8_decode(s + i, len - i, &cp);
		if (n == 0) {
			cp = 0xFFFD;
			n = 1;
		}
		int w = cp_width(cp);
		if (w > 0 && used + w > width)
			break;
		if (!cp_printable(cp))
			cp = 0xFFFD;
		k += utf8_encode(cp, buf + k);
		used += w;
		i += n;
	}
	attrset(a);
	mvaddnstr(y, x, buf, (int)k);
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
