/*
 * editbuf.h — the composer's text: a UTF-8 buffer and a cursor, with the
 * editing moves of a shell line (Ctrl-A/E/K/U/W, arrows, Home/End) over
 * several lines.
 *
 * The cursor is a byte offset that is always on a character boundary, and
 * never between a letter and its combining marks: moves and deletes go by
 * whole characters as the agent sees them. Text is valid UTF-8 at all
 * times (keys arrive as code points). Up/Down move by display rows of the
 * text wrapped at a width, keeping the column, as in any editor.
 *
 * No curses here: the composer draws it, tests drive it directly.
 */
#ifndef HANDOFF_UI_EDITBUF_H
#define HANDOFF_UI_EDITBUF_H

#include <stdbool.h>
#include <stddef.h>

struct editbuf {
	char *text;      /* NUL-terminated, valid UTF-8 */
	size_t len, cap;
	size_t cursor;   /* byte offset into text */
	size_t max_chars; /* 0: no limit */
};

void editbuf_init(struct editbuf *e, size_t max_chars);
void editbuf_free(struct editbuf *e);

/* Replace the whole text, cursor at its end (a failed reply put back). */
bool editbuf_set(struct editbuf *e, const char *text);
void editbuf_clear(struct editbuf *e);

/* Insert a code point at the cursor; false when it is not allowed (a
 * control other than '\n', not a scalar value) or the text is full. */
bool editbuf_insert(struct editbuf *e, unsigned cp);

bool editbuf_backspace(struct editbuf *e);  /* the character before the cursor */
bool editbuf_delete(struct editbuf *e);     /* the character under it */
bool editbuf_kill_to_end(struct editbuf *e);    /* C-k: to the end of the line */
bool editbuf_kill_to_start(struct editbuf *e);  /* C-u: to the start of the line */
bool editbuf_kill_word(struct editbuf *e);      /* C-w: the word before the cursor */

void editbuf_left(struct editbuf *e);
void editbuf_right(struct editbuf *e);
void editbuf_home(struct editbuf *e);       /* start of the line (C-a) */
void editbuf_end(struct editbuf *e);        /* end of the line (C-e) */

/* Up (dir -1) or down (+1) one display row with the text wrapped at
 * `width` columns; false at the first or last row. */
bool editbuf_vertical(struct editbuf *e, int dir, int width);

/* Where the cursor shows with the text wrapped at `width`: row and column. */
void editbuf_cursor_pos(const struct editbuf *e, int width, int *row, int *col);

/* Characters in the text. */
size_t editbuf_chars(const struct editbuf *e);

/* True when the text has something besides spaces and newlines. */
bool editbuf_has_text(const struct editbuf *e);

#endif
