/*
 * dialog_canned.c — the canned reply picker (see dialogs.h): a filter
 * field over the replies the agent may use, best fuzzy match first
 * (canned_match); Enter puts the chosen reply, its placeholders filled
 * in, into the composer at the cursor, where it stays editable.
 *
 * The list is read from the hub each time the picker opens, so a reply a
 * supervisor just added or removed is there (replies are few and small).
 * What is typed before the list arrives is kept and filters it then.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canned.h"
#include "dialog_box.h"
#include "dialogs.h"
#include "textsafe.h"
#include "utf8.h"
#include "views.h"

/* Rows of replies shown at once: the box fits in 24 rows with room to spare. */
#define PICKER_ROWS 10
#define FILTER_MAX_CHARS 64

struct canned_call;

struct hit {
	int score;
	size_t i;        /* into picker.all */
};

struct canned_picker {
	struct dialog d;
	struct console *c;
	struct canned_call *call; /* the list on its way, or NULL */
	struct canned *all;
	size_t n;
	struct hit *hits;         /* the matches, best first */
	size_t nhits, sel, top;
	struct editbuf filter;
};

/* The request outlives the picker if the agent closes it first: then `p`
 * is NULL and the answer is dropped. */
struct canned_call {
	struct canned_picker *p;
};

static int by_score(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return x->i < y->i ? -1 : x->i > y->i; /* the hub's order: by name */
}

static void refilter(struct canned_picker *p)
{
	const char *q = p->filter.text ? p->filter.text : "";

	p->nhits = 0;
	for (size_t i = 0; i < p->n; i++) {
		int score = canned_match(q, p->all[i].name, p->all[i].text);
		if (score >= 0)
			p->hits[p->nhits++] = (struct hit){score, i};
	}
	qsort(p->hits, p->nhits, sizeof *p->hits, by_score);
	p->sel = p->top = 0;
}

/* One reply on one line: its name, a mark for a personal one, its text. */
static void draw_hit(struct console *c, const struct box *b, int row, const struct canned *r,
		     bool selected)
{
	char line[512];

	snprintf(line, sizeof line, "%s%-16s %s %s", selected ? "> " : "  ", r->name,
		 r->shared ? " " : "*", r->text);
	char *safe = textsafe_dup(line, strlen(line), 0);
	box_line(c, b, row, safe ? safe : "?", c->attrs[EL_DIALOG] | (selected ? A_REVERSE : 0));
	free(safe);
}

static void picker_draw(struct console *c, struct dialog *d)
{
	struct canned_picker *p = (struct canned_picker *)d;
	/* Sized by all the replies, not the matches: a box that shrank as the
	 * filter narrows would leave its old frame on the panes beneath. */
	int rows = p->n < PICKER_ROWS ? (p->n ? (int)p->n : 1) : PICKER_ROWS;
	size_t shown = p->nhits < (size_t)rows ? p->nhits : (size_t)rows;
	struct box b = box_draw(c, rows + 6, 76, " Canned replies ");
	char count[96];

	box_field(c, &b, 1, &p->filter, true, false);
	if (p->call)
		box_line(c, &b, 3, "Asking the hub for the replies...", c->attrs[EL_DIALOG]);
	else if (!p->nhits)
		box_line(c, &b, 3, p->n ? "No reply matches" : "No canned replies yet "
			 "(handoff replies add)", c->attrs[EL_DIALOG]);
	for (size_t i = 0; i < shown && p->top + i < p->nhits; i++)
		draw_hit(c, &b, 3 + (int)i, &p->all[p->hits[p->top + i].i], p->top + i == p->sel);
	snprintf(count, sizeof count, "%zu of %zu (* personal)", p->nhits, p->n);
	box_line(c, &b, rows + 3, count, c->attrs[EL_DIALOG]);
	box_keys(c, &b, rows + 4, KC_CANNED);
}

static void take_list(struct canned_picker *p, struct api_canned_list *l)
{
	p->hits = calloc(l->n ? l->n : 1, sizeof *p->hits);
	if (!p->hits) {
		console_say(p->c, true, "Out of memory");
		return;
	}
	p->all = l->replies;
	p->n = l->n;
	l->replies = NULL;
	l->n = 0;
	refilter(p);
}

static void on_list(void *ctx, const struct api_result *r)
{
	struct canned_call *call = ctx;
	struct canned_picker *p = call->p;

	free(call);
	if (!p)
		return;
	p->call = NULL;
	if (r->err != API_ERR_NONE) {
		console_say(p->c, true, "Cannot list the canned replies: %s", r->text);
		console_dialog(p->c, NULL);
		return;
	}
	take_list(p, r->canned);
	console_dirty(p->c, DIRTY_DIALOG);
}

static void picker_move(struct console *c, int by)
{
	struct canned_picker *p = (struct canned_picker *)c->dialog;

	if (!p->nhits)
		return;
	if (by < 0 && p->sel > 0)
		p->sel--;
	else if (by > 0 && p->sel + 1 < p->nhits)
		p->sel++;
	if (p->sel < p->top)
		p->top = p->sel;
	else if (p->sel >= p->top + PICKER_ROWS)
		p->top = p->sel - PICKER_ROWS + 1;
}

static void picker_down(struct console *c) { picker_move(c, 1); }
static void picker_up(struct console *c) { picker_move(c, -1); }

/* Insert `text` at the composer's cursor. A character the composer does
 * not take (a control in a customer's name) is left out; the text stops
 * where the composer is full, and says so. */
static void composer_insert(struct console *c, const char *text)
{
	struct editbuf *e = &c->composer.text;
	size_t len = strlen(text);
	unsigned cp;

	for (size_t i = 0, n; i < len; i += n) {
		n = utf8_decode(text + i, len - i, &cp) ?: 1;
		if (editbuf_insert(e, cp))
			continue;
		if (e->max_chars && editbuf_chars(e) >= e->max_chars) {
			console_say(c, true, "The text is at its limit (%zu characters)", e->max_chars);
			return;
		}
	}
}

static void picker_confirm(struct console *c)
{
	struct canned_picker *p = (struct canned_picker *)c->dialog;
	const struct chat *ch = store_chat(c->store, c->composer.chat);
	const struct agent *me = session_me(c->session);

	if (!p->nhits)
		return;
	char *text = canned_expand(p->all[p->hits[p->sel].i].text, ch ? ch->owner.name : NULL,
				   me ? me->name : NULL, ch ? ch->title : NULL);
	if (!text) {
		console_say(c, true, "Out of memory");
		return;
	}
	console_dialog(c, NULL);
	composer_insert(c, text);
	free(text);
	console_dirty(c, DIRTY_THREAD);
}

static void picker_cancel(struct console *c)
{
	console_dialog(c, NULL);
}

const struct action canned_actions[] = {
	{"down", "Next", "The next reply", picker_down},
	{"up", "Previous", "The reply before", picker_up},
	{"confirm", "Insert", "Put the reply into the composer, to edit and send", picker_confirm},
	{"cancel", "Cancel", "Close; the composer stays as it was", picker_cancel},
};
const size_t ncanned_actions = sizeof canned_actions / sizeof *canned_actions;

static bool picker_key(struct console *c, struct dialog *d, int key)
{
	struct canned_picker *p = (struct canned_picker *)d;

	if (!box_field_key(c, &p->filter, key, "A filter"))
		return false;
	if (!p->call)
		refilter(p);
	return true;
}

static void picker_free(struct dialog *d)
{
	struct canned_picker *p = (struct canned_picker *)d;

	if (p->call)
		p->call->p = NULL;
	for (size_t i = 0; i < p->n; i++)
		canned_free(&p->all[i]);
	free(p->all);
	free(p->hits);
	editbuf_free(&p->filter);
	free(p);
}

static const struct dialog_class canned_class = {"canned", KC_CANNED, picker_draw, picker_key,
						 picker_free};

struct dialog *dialog_canned_new(struct console *c)
{
	struct canned_picker *p = calloc(1, sizeof *p);
	struct errbuf err;

	if (!p || !(p->call = malloc(sizeof *p->call))) {
		free(p);
		return NULL;
	}
	p->d.cls = &canned_class;
	p->c = c;
	p->call->p = p;
	editbuf_init(&p->filter, FILTER_MAX_CHARS);
	if (!session_canned(c->session, on_list, p->call, &err)) {
		console_say(c, true, "Cannot list the canned replies: %s", err.msg);
		free(p->call);
		editbuf_free(&p->filter);
		free(p);
		return NULL;
	}
	return &p->d;
}
