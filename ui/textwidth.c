/*
 * textwidth.c — display widths, cutting and word wrapping (see textwidth.h).
 */
#include <wchar.h>

#include "textwidth.h"
#include "utf8.h"

int cp_width(unsigned cp)
{
	int w = wcwidth((wchar_t)cp);

	return w < 0 ? 1 : w;
}

bool cp_printable(unsigned cp)
{
	return cp >= 0x20 && !(cp >= 0x7f && cp < 0xa0) && wcwidth((wchar_t)cp) >= 0;
}

/* Decode at s[i]; text is valid UTF-8, but never trust it to the point of
 * looping forever: a bad byte counts as one column-1 character. */
static size_t next_cp(const char *s, size_t len, size_t i, unsigned *cp)
{
	size_t n = utf8_decode(s + i, len - i, cp);

	if (n == 0) {
		*cp = 0xFFFD;
		n = 1;
	}
	return n;
}

int text_width(const char *s, size_t len)
{
	int w = 0;

	for (size_t i = 0; i < len;) {
		unsigned cp;
		i += next_cp(s, len, i, &cp);
		w += cp_width(cp);
	}
	return w;
}

size_t text_fit(const char *s, size_t len, int width, int *used)
{
	size_t i = 0;
	int w = 0;

	while (i < len) {
		unsigned cp;
		size_t n = next_cp(s, len, i, &cp);
		int cw = cp_width(cp);

		/* A zero-width mark belongs to what came before: it goes along
		 * even at the edge, or the base would lose its accent. */
		if (cw > 0 && w + cw > width)
			break;
		w += cw;
		i += n;
	}
	if (used)
		*used = w;
	return i;
}

static void put_line(struct wrap_line *out, size_t max, size_t nlines, size_t start,
		     size_t len, int width)
{
	if (out && nlines < max)
		out[nlines] = (struct wrap_line){start, len, width};
}

/* Where to break a line that does not fit: after the last space within
 * s[0..fit) (returns its index + 1), or 0 when there is none. */
static size_t last_space(const char *s, size_t fit)
{
	for (size_t k = fit; k > 0; k--)
		if (s[k - 1] == ' ')
			return k;
	return 0;
}

/* Wrap one paragraph (no '\n') s[start..end); returns lines added. */
static size_t wrap_paragraph(const char *s, size_t start, size_t end, int width,
			     struct wrap_line *out, size_t max, size_t nlines)
{
	size_t added = 0;

	do {
		int used;
		size_t cut = text_fit(s + start, end - start, width, &used);
		size_t next = start + cut, space;

		if (next < end) {
			if (s[next] == ' ') {
				next++;                 /* the space just past the edge */
			} else if ((space = last_space(s + start, cut))) {
				cut = space - 1;        /* the space itself is dropped */
				next = start + space;
			} else if (cut == 0) {
				unsigned cp;            /* wider than the line: alone */
				cut = next_cp(s, end, start, &cp);
				next = start + cut;
			}
			used = text_width(s + start, cut);
		}
		put_line(out, max, nlines + added, start, cut, used);
		added++;
		start = next;
	} while (start < end);
	return added;
}

size_t text_wrap(const char *s, size_t len, int width, struct wrap_line *out, size_t max)
{
	size_t nlines = 0, start = 0;

	if (width < 1)
		width = 1;
	for (;;) {
		size_t end = start;
		while (end < len && s[end] != '\n')
			end++;
		if (end == start)
			put_line(out, max, nlines++, start, 0, 0);
		else
			nlines += wrap_paragraph(s, start, end, width, out, max, nlines);
		if (end >= len)
			break;
		start = end + 1;
	}
	return nlines;
}
