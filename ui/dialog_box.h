/*
 * dialog_box.h — the frame every dialog draws in: a box in the middle of
 * the screen, lines of text in it, one-line text fields, and the line of
 * the dialog's keys (from its context's table, so it names the keys in
 * effect).
 */
#ifndef HANDOFF_UI_DIALOG_BOX_H
#define HANDOFF_UI_DIALOG_BOX_H

#include "console.h"

struct box {
	int y, x, h, w;
};

/* Clear and frame an h x w box (shrunk to the screen) titled `title`. */
struct box box_draw(struct console *c, int h, int w, const char *title);

/* A line inside the box (row 1 is the first under the frame); its columns. */
int box_line(struct console *c, const struct box *b, int row, const char *text, attr_t a);

/* Text wrapped to the box from `row` on; returns the rows it took. */
int box_wrapped(struct console *c, const struct box *b, int row, const char *text, attr_t a);

/* A one-line text field: its tail when longer than the box. `selected`:
 * the whole text is selected (typing replaces it). */
void box_field(struct console *c, const struct box *b, int row, const struct editbuf *e,
	       bool focused, bool selected);

/* A key into a text field: false when it is no editing key nor a
 * character; a character over the limit is said ("`what` has at most N
 * characters"), never dropped in silence. */
bool box_field_key(struct console *c, struct editbuf *e, int key, const char *what);

/* "Enter OK · Esc Cancel": the function bar of context kc, on a row. */
void box_keys(struct console *c, const struct box *b, int row, enum key_context kc);

#endif
