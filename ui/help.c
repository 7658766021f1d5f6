/*
 * help.c — the help dialog: every key of every context, read from the
 * tables (actions.h) with the bindings in effect, wrapped to the box and
 * never cut; j/k and the page keys scroll it.
 *
 *   The list and the thread            bind = KEY ACTION
 *   j Down          Next chat, or scroll the thread down  (down)
 *   ...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialog_box.h"
#include "dialogs.h"

#define KEYS_COLS 16

struct help {
	struct dialog d;
	int top;      /* rows scrolled */
	int rows;     /* rows of the whole text at the last draw */
	int page;     /* rows shown */
};

/* Rows drawn so far, shifted by the scroll: only those inside the box show. */
struct pen {
	struct console *c;
	struct box box;
	int row;      /* the next row of the whole text */
	int top;
};

static void pen_text(struct pen *p, int indent, const char *text, attr_t a)
{
	struct box in = p->box;

	in.x += indent;
	in.w -= indent;
	int lines = box_wrapped(p->c, &in, p->row - p->top, text, a);
	p->row += lines > 0 ? lines : 1;
}

static void help_context(struct pen *p, enum key_context kc)
{
	const struct key_context_def *d = &key_contexts[kc];
	struct console *c = p->c;
	char head[160], keys[96], line[256];

	if (kc == KC_MAIN)
		snprintf(head, sizeof head, "%s  (bind = KEY ACTION)", d->title);
	else
		snprintf(head, sizeof head, "%s  (bind = %s KEY ACTION)", d->title, d->name);
	pen_text(p, 0, head, c->attrs[EL_DIALOG] | A_BOLD | A_UNDERLINE);
	for (size_t i = 0; i < *d->nactions; i++) {
		const struct action *a = &d->actions[i];
		keymap_keys_of(&c->keys[kc], a, keys, sizeof keys);
		snprintf(line, sizeof line, "%s  (%s)", a->help, a->name);
		int y = p->row - p->top;
		if ((int)strlen(keys) >= KEYS_COLS - 1) {
			/* Too many keys for the column: they get a row of their own. */
			pen_text(p, 0, keys, c->attrs[EL_DIALOG] | A_BOLD);
			y = p->row - p->top;
		} else if (y >= 1 && y < p->box.h - 1) {
			box_line(c, &p->box, y, keys[0] ? keys : "(unbound)",
				 c->attrs[EL_DIALOG] | A_BOLD);
		}
		pen_text(p, KEYS_COLS, line, c->attrs[EL_DIALOG]);
	}
	if (d->note)
		pen_text(p, 0, d->note, c->attrs[EL_DIALOG]);
	p->row++;
}

static void help_draw(struct console *c, struct dialog *d)
{
	struct help *h = (struct help *)d;
	char title[96], down[32], close[32];

	snprintf(title, sizeof title, " Keys — %s closes, %s scrolls ",
		 keymap_name(c->keys, KC_HELP, "close", close, sizeof close),
		 keymap_name(c->keys, KC_HELP, "down", down, sizeof down));
	struct pen p = {c, box_draw(c, c->rows, 100, title), 1, h->top};
	for (int kc = 0; kc < KC_COUNT; kc++)
		help_context(&p, (enum key_context)kc);
	h->rows = p.row;
	h->page = p.box.h - 2;
}

static void help_scroll(struct console *c, int rows)
{
	struct help *h = (struct help *)c->dialog;
	int max = h->rows - 1 - h->page;

	h->top += rows;
	if (h->top > max)
		h->top = max;
	if (h->top < 0)
		h->top = 0;
}

static void help_down(struct console *c) { help_scroll(c, 1); }
static void help_up(struct console *c) { help_scroll(c, -1); }
/* A page less one row, so the last line read stays in view. */
static void help_page(struct console *c, int dir)
{
	help_scroll(c, dir * (((struct help *)c->dialog)->page - 1));
}

static void help_page_down(struct console *c) { help_page(c, 1); }
static void help_page_up(struct console *c) { help_page(c, -1); }
static void help_close(struct console *c) { console_dialog(c, NULL); }

const struct action help_actions[] = {
	{"down", "Down", "Scroll down a line", help_down},
	{"up", "Up", "Scroll up a line", help_up},
	{"page-down", NULL, "Scroll down a page", help_page_down},
	{"page-up", NULL, "Scroll up a page", help_page_up},
	{"close", "Close", "Close the help", help_close},
};
const size_t nhelp_actions = sizeof help_actions / sizeof *help_actions;

static void help_free(struct dialog *d)
{
	free(d);
}

static const struct dialog_class help_class = {"help", KC_HELP, help_draw, NULL, help_free};

struct dialog *dialog_help_new(void)
{
	struct help *h = calloc(1, sizeof *h);

	if (h)
		h->d.cls = &help_class;
	return h ? &h->d : NULL;
}
