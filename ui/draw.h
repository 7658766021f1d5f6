/*
 * draw.h — putting text on the screen safely.
 *
 * Everything that reaches the terminal goes through here. Text from the
 * network is neutralised first (textsafe.h: escapes shown as ^[, bidi
 * overrides as <U+202E>), code points the terminal cannot show are drawn
 * as U+FFFD (so widths stay what textwidth.h computed), and every string is
 * clipped to the columns it was given: nothing a customer writes can move
 * the cursor, change colours or push the layout out of line. A character
 * keeps at most the combining marks a curses cell holds; more are dropped,
 * so a flood of them cannot hide the rest of a line.
 */
#ifndef HANDOFF_UI_DRAW_H
#define HANDOFF_UI_DRAW_H

#include <stddef.h>

#include <curses.h>

/* Draw already neutralised text s[0..len) at (y, x) in at most `width`
 * columns with attribute `a`; returns the columns used. */
int draw_safe(int y, int x, int width, const char *s, size_t len, attr_t a);

/* The same for text from the network (NUL-terminated; NULL draws nothing):
 * neutralised here, newlines shown as ^J. */
int draw_untrusted(int y, int x, int width, const char *s, attr_t a);

/* Our own text (labels, keys, numbers). */
int draw_str(int y, int x, int width, const char *s, attr_t a);

/* `width` blank columns. */
void draw_fill(int y, int x, int width, attr_t a);

#endif
