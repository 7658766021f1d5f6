/*
 * textwidth.h — how many terminal columns text takes, and cutting and
 * wrapping it to a width without breaking a character.
 *
 * Text here has already been through textsafe_dup(): valid UTF-8, no
 * controls (except '\n' where kept). Widths are the C library's wcwidth()
 * under the UTF-8 locale the console runs in, the same table ncurses uses
 * to place characters: CJK and most emoji take 2 columns, combining marks
 * 0 and stay with the character before them. A code point wcwidth() calls
 * unprintable (-1) counts as 1 column; display_text() in draw code shows
 * it as U+FFFD so the count holds.
 *
 * Nothing here needs a terminal: unit tests call it directly.
 */
#ifndef HANDOFF_UI_TEXTWIDTH_H
#define HANDOFF_UI_TEXTWIDTH_H

#include <stdbool.h>
#include <stddef.h>

/* Columns of one code point: 0, 1 or 2 (unprintable: 1). */
int cp_width(unsigned cp);

/* Whether the terminal can show it: not a control, and known to wcwidth. */
bool cp_printable(unsigned cp);

/* Columns of s[0..len). */
int text_width(const char *s, size_t len);

/* Bytes of the longest prefix of s[0..len) that fits in `width` columns,
 * keeping combining marks with their base; its columns go to *used (may be
 * NULL). */
size_t text_fit(const char *s, size_t len, int width, int *used);

/* One wrapped line: s[start .. start+len), `width` columns. */
struct wrap_line {
	size_t start, len;
	int width;
};

/* Wrap s[0..len) to `width` columns (>= 1): lines break at '\n', else
 * after the last space that fits (the space is dropped), else inside a
 * word too long for a line. Fills at most `max` lines into out (out may be
 * NULL to count) and returns how many lines the whole text takes. Empty
 * text is one empty line. */
size_t text_wrap(const char *s, size_t len, int width, struct wrap_line *out, size_t max);

#endif
