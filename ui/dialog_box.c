/*
 * dialog_box.c — drawing a dialog's box (see dialog_box.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialog_box.h"
#include "draw.h"
#include "editkeys.h"
#include "textwidth.h"
#include "utf8.h"

struct box box_draw(struct console *c, int h, int w, const char *title)
{
	struct box b;
	attr_t a = c->attrs[EL_DIALOG];

	b.h = h < c->rows - 2 ? h : c->rows - 2;
	b.w = w < c->cols - 2 ? w : c->cols - 2;
	if (b.h < 3)
		b.h = c->rows;
	if (b.w < 10)
		b.w = c->cols;
	b.y = (c->rows - b.h) / 2;
	b.x = (c->cols - b.w) / 2;
	for (int i = 0; i < b.h; i++)
		draw_fill(b.y + i, b.x, b.w, a);
	attrset(a);
	mvhline(b.y, b.x, ACS_HLINE, b.w);
	mvhline(b.y + b.h - 1, b.x, ACS_HLINE, b.w);
	mvvline(b.y, b.x, ACS_VLINE, b.h);
	mvvline(b.y, b.x + b.w - 1, ACS_VLINE, b.h);
	mvaddch(b.y, b.x, ACS_ULCORNER);
	mvaddch(b.y, b.x + b.w - 1, ACS_URCORNER);
	mvaddch(b.y + b.h - 1, b.x, ACS_LLCORNER);
	mvaddch(b.y + b.h - 1, b.x + b.w - 1, ACS_LRCORNER);
	draw_str(b.y, b.x + 2, b.w - 4, title, a | A_BOLD);
	return b;
}

int box_line(struct console *c, const struct box *b, int row, const char *text, attr_t a)
{
	(void)c;
	if (row < 1 || row >= b->h - 1)
		return 0;
	return draw_str(b->y + row, b->x + 2, b->w - 4, text, a);
}

int box_wrapped(struct console *c, const struct box *b, int row, const char *text, attr_t a)
{
	size_t len = strlen(text);
	int w = b->w - 4 > 1 ? b->w - 4 : 1;
	size_t n = text_wrap(text, len, w, NULL, 0);
	struct wrap_line *l = malloc(n * sizeof *l);

	if (!l)
		return 0;
	text_wrap(text, len, w, l, n);
	for (size_t i = 0; i < n; i++)
		if (row + (int)i >= 1 && row + (int)i < b->h - 1)
			draw_safe(b->y + row + (int)i, b->x + 2, w, text + l[i].start, l[i].len, a);
	free(l);
	return (int)n;
}

void box_field(struct console *c, const struct box *b, int row, const struct editbuf *e,
	       bool focused, bool selected)
{
	attr_t a = c->attrs[EL_COMPOSER] | (focused ? A_REVERSE : A_UNDERLINE);
	int w = b->w - 4;
	const char *text = e->text ? e->text : "";
	size_t skip = 0;

	draw_fill(b->y + row, b->x + 2, w, a);
	/* Show the end, where the cursor is, when the text is wider. */
	while (text_width(text + skip, e->len - skip) > w - 1) {
		unsigned cp;
		skip += utf8_decode(text + skip, e->len - skip, &cp) ?: 1;
	}
	/* Selected text is the selection colour, as in any text field. */
	draw_safe(b->y + row, b->x + 2, w, text + skip, e->len - skip,
		  selected ? c->attrs[EL_ROW_SELECTED] | A_BOLD : a);
}

bool box_field_key(struct console *c, struct editbuf *e, int key, const char *what)
{
	switch (edit_key(c, e, key, 0)) {
	case EDIT_NOT_MINE:
		return false;
	case EDIT_FULL:
		console_say(c, true, "%s has at most %zu characters", what, e->max_chars);
		break;
	case EDIT_DONE:
		break;
	}
	return true;
}

void box_keys(struct console *c, const struct box *b, int row, enum key_context kc)
{
	const char *const *bar = key_contexts[kc].bar[0];
	char line[256], key[32];
	size_t k = 0;

	line[0] = '\0';
	for (size_t i = 0; bar && bar[i] && k < sizeof line; i++) {
		const struct action *a = action_find(kc, bar[i]);
		int code = a ? keymap_key_of(&c->keys[kc], a) : -1;
		if (code < 0)
			continue;
		key_format(code, key, sizeof key);
		k += (size_t)snprintf(line + k, sizeof line - k, "%s%s %s", k ? " · " : "", key,
				      a->label);
	}
	box_line(c, b, row, line, c->attrs[EL_DIALOG] | A_BOLD);
}
