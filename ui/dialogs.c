/*
 * dialogs.c — help, prompt, rate, status, assign and quit (see dialogs.h).
 *
 * Each dialog is a struct with a struct dialog first, and a const class of
 * three functions; the console draws whichever is up over the panes and
 * gives it every key. Results go to the session; the hub's answer comes
 * back on the status line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialogs.h"
#include "draw.h"
#include "editkeys.h"
#include "textsafe.h"
#include "textwidth.h"
#include "utf8.h"
#include "views.h"

/* ---- a box in the middle of the screen ---------------------------------- */

struct box {
	int y, x, h, w;
};

/* Clear and frame an h x w box (shrunk to the screen) titled `title`. */
static struct box box_draw(struct console *c, int h, int w, const char *title)
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

/* A line inside the box (row 1 is the first under the frame). */
static int box_line(struct console *c, const struct box *b, int row, const char *text, attr_t a)
{
	(void)c;
	if (row >= b->h - 1)
		return 0;
	return draw_str(b->y + row, b->x + 2, b->w - 4, text, a);
}

/* A one-line text field: its tail when longer than the box. */
static void box_field(struct console *c, const struct box *b, int row, const struct editbuf *e,
		      bool focused)
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
	draw_safe(b->y + row, b->x + 2, w, text + skip, e->len - skip, a);
}

static void close_dialog(struct console *c)
{
	console_dialog(c, NULL);
}

/* ---- help --------------------------------------------------------------- */

struct help {
	struct dialog d;
	int top;
};

static void help_draw(struct console *c, struct dialog *d)
{
	struct help *h = (struct help *)d;
	struct box b = box_draw(c, (int)nactions + 8, 78, " Keys — Esc closes, j/k scroll ");
	int row = 1 - h->top;
	char keys[64], name[24];

	for (size_t i = 0; i < nactions; i++, row++) {
		size_t k = 0;
		keys[0] = '\0';
		for (size_t j = 0; j < c->keys.n && k < sizeof keys - 12; j++) {
			if (c->keys.b[j].action != &actions[i])
				continue;
			key_format(c->keys.b[j].key, name, sizeof name);
			k += (size_t)snprintf(keys + k, sizeof keys - k, "%s%s", k ? " " : "", name);
		}
		if (row < 1)
			continue;
		box_line(c, &b, row, keys[0] ? keys : "(unbound)", c->attrs[EL_DIALOG] | A_BOLD);
		if (row < b.h - 1)
			draw_str(b.y + row, b.x + 16, b.w - 18, actions[i].help, c->attrs[EL_DIALOG]);
	}
	if (row >= 1)
		box_line(c, &b, row + 1,
			 "Composer: Enter sends, Alt-Enter new line, Ctrl-A/E/K/U/W, Esc keeps "
			 "the draft", c->attrs[EL_DIALOG]);
}

static void help_key(struct console *c, struct dialog *d, int key)
{
	struct help *h = (struct help *)d;

	if (key == 'j' || key == KEY_FN + KEY_DOWN)
		h->top++;
	else if ((key == 'k' || key == KEY_FN + KEY_UP) && h->top > 0)
		h->top--;
	else
		close_dialog(c);
}

static void plain_free(struct dialog *d)
{
	free(d);
}

static const struct dialog_class help_class = {"help", help_draw, help_key, plain_free};

struct dialog *dialog_help_new(void)
{
	struct help *h = calloc(1, sizeof *h);

	if (h)
		h->d.cls = &help_class;
	return h ? &h->d : NULL;
}

/* ---- prompt: search, retitle --------------------------------------------- */

struct prompt {
	struct dialog d;
	enum prompt_kind kind;
	uuid_str chat;
	struct editbuf text;
};

static void prompt_draw(struct console *c, struct dialog *d)
{
	struct prompt *p = (struct prompt *)d;
	struct box b = box_draw(c, 5, 64, p->kind == PROMPT_SEARCH ? " Search " : " Title ");

	box_line(c, &b, 1,
		 p->kind == PROMPT_SEARCH ? "Customer, title or last message — Enter searches, Esc"
					  : "The chat's title — Enter saves, Esc cancels",
		 c->attrs[EL_DIALOG]);
	box_field(c, &b, 3, &p->text, true);
}

static void done_retitle(void *ctx, const struct api_result *r)
{
	console_report(ctx, r, "Title saved");
}

static void prompt_key(struct console *c, struct dialog *d, int key)
{
	struct prompt *p = (struct prompt *)d;
	struct errbuf err;

	if (key == 27) {
		close_dialog(c);
	} else if (key == '\r' && p->kind == PROMPT_SEARCH) {
		snprintf(c->search, sizeof c->search, "%s", p->text.text ? p->text.text : "");
		if (!session_search(c->session, c->search, &err)) {
			console_say(c, true, "%s", err.msg);
			return;
		}
		close_dialog(c);
		c->tab = c->search[0] ? TAB_SEARCH : TAB_ALL;
		c->selected[0] = '\0';
		c->list_top = 0;
		c->focus = PANE_LIST;
		console_dirty(c, DIRTY_ALL);
	} else if (key == '\r') {
		if (!editbuf_has_text(&p->text)) {
			console_say(c, true, "A title cannot be empty");
		} else if (!session_retitle(c->session, p->chat, p->text.text, done_retitle, c,
					    &err)) {
			console_say(c, true, "%s", err.msg);
		} else {
			close_dialog(c);
		}
	} else {
		editbuf_key(&p->text, key, 0);
	}
}

static void prompt_free(struct dialog *d)
{
	struct prompt *p = (struct prompt *)d;

	editbuf_free(&p->text);
	free(p);
}

static const struct dialog_class prompt_class = {"prompt", prompt_draw, prompt_key, prompt_free};

struct dialog *dialog_prompt_new(enum prompt_kind kind, const char *chat_id, const char *initial)
{
	struct prompt *p = calloc(1, sizeof *p);

	if (!p)
		return NULL;
	p->d.cls = &prompt_class;
	p->kind = kind;
	snprintf(p->chat, sizeof p->chat, "%s", chat_id);
	editbuf_init(&p->text, kind == PROMPT_SEARCH ? 200 : TITLE_MAX_CHARS);
	editbuf_set(&p->text, initial);
	return &p->d;
}

/* ---- rate ------------------------------------------------------------------ */

struct rate {
	struct dialog d;
	uuid_str chat;
	int score;           /* 0 until a digit is typed */
	int field;           /* 0 score, 1 feedback, 2 suggested answer */
	struct editbuf feedback, suggested;
};

static void rate_draw(struct console *c, struct dialog *d)
{
	struct rate *r = (struct rate *)d;
	struct box b = box_draw(c, 11, 70, " Rate the conversation ");
	char stars[64];

	snprintf(stars, sizeof stars, "Score (1-5): %s%d  %s", r->field == 0 ? "> " : "  ",
		 r->score, r->score ? "*****" + (5 - r->score) : "type a digit");
	box_line(c, &b, 1, stars, c->attrs[EL_DIALOG] | (r->field == 0 ? A_BOLD : 0));
	box_line(c, &b, 3, "Feedback (optional):", c->attrs[EL_DIALOG]);
	box_field(c, &b, 4, &r->feedback, r->field == 1);
	box_line(c, &b, 6, "A better answer the bot could have given (optional):",
		 c->attrs[EL_DIALOG]);
	box_field(c, &b, 7, &r->suggested, r->field == 2);
	box_line(c, &b, 9, "Tab next field · Enter rates · Esc cancels", c->attrs[EL_DIALOG]);
}

static void done_rate(void *ctx, const struct api_result *r)
{
	console_report(ctx, r, "Rating saved");
}

static void rate_key(struct console *c, struct dialog *d, int key)
{
	struct rate *r = (struct rate *)d;
	struct errbuf err;

	if (key == 27) {
		close_dialog(c);
	} else if (key == '\t' || key == KEY_FN + KEY_BTAB) {
		r->field = (r->field + (key == '\t' ? 1 : 2)) % 3;
	} else if (key == '\r') {
		if (!r->score) {
			console_say(c, true, "Type a score from 1 to 5 first");
			r->field = 0;
		} else if (!session_rate(c->session, r->chat, r->score,
					 editbuf_has_text(&r->feedback) ? r->feedback.text : NULL,
					 editbuf_has_text(&r->suggested) ? r->suggested.text : NULL,
					 done_rate, c, &err)) {
			console_say(c, true, "%s", err.msg);
		} else {
			close_dialog(c);
		}
	} else if (r->field == 0) {
		if (key >= '1' && key <= '5')
			r->score = key - '0';
		else
			console_say(c, false, "Score: a digit from 1 to 5; Tab goes to the feedback");
	} else {
		editbuf_key(r->field == 1 ? &r->feedback : &r->suggested, key, 0);
	}
}

static void rate_free(struct dialog *d)
{
	struct rate *r = (struct rate *)d;

	editbuf_free(&r->feedback);
	editbuf_free(&r->suggested);
	free(r);
}

static const struct dialog_class rate_class = {"rate", rate_draw, rate_key, rate_free};

struct dialog *dialog_rate_new(const char *chat_id)
{
	struct rate *r = calloc(1, sizeof *r);

	if (!r)
		return NULL;
	r->d.cls = &rate_class;
	snprintf(r->chat, sizeof r->chat, "%s", chat_id);
	editbuf_init(&r->feedback, FEEDBACK_MAX_CHARS);
	editbuf_init(&r->suggested, FEEDBACK_MAX_CHARS);
	return &r->d;
}

/* ---- ticket status ----------------------------------------------------------- */

struct status_picker {
	struct dialog d;
	uuid_str chat;
};

static const struct {
	int key;
	const char *status, *label;
} statuses[] = {
	{'o', "open", "o  open"},
	{'p', "pending", "p  pending (waiting on the customer)"},
	{'s', "solved", "s  solved"},
	{'c', "closed", "c  closed"},
};

static void status_picker_draw(struct console *c, struct dialog *d)
{
	(void)d;
	struct box b = box_draw(c, 8, 48, " Ticket status ");

	for (int i = 0; i < 4; i++)
		box_line(c, &b, 1 + i, statuses[i].label, c->attrs[EL_DIALOG]);
	box_line(c, &b, 6, "Esc cancels", c->attrs[EL_DIALOG]);
}

static void done_status(void *ctx, const struct api_result *r)
{
	console_report(ctx, r, "Ticket status saved");
}

static void status_key(struct console *c, struct dialog *d, int key)
{
	struct status_picker *p = (struct status_picker *)d;
	struct errbuf err;

	if (key == 27) {
		close_dialog(c);
		return;
	}
	for (int i = 0; i < 4; i++) {
		if (key != statuses[i].key)
			continue;
		if (!session_set_status(c->session, p->chat, statuses[i].status, done_status, c,
					&err))
			console_say(c, true, "%s", err.msg);
		close_dialog(c);
		return;
	}
	console_say(c, false, "o open, p pending, s solved, c closed; Esc cancels");
}

static const struct dialog_class status_class = {"status", status_picker_draw, status_key, plain_free};

struct dialog *dialog_status_new(const char *chat_id)
{
	struct status_picker *p = calloc(1, sizeof *p);

	if (!p)
		return NULL;
	p->d.cls = &status_class;
	snprintf(p->chat, sizeof p->chat, "%s", chat_id);
	return &p->d;
}

/* ---- assign ------------------------------------------------------------------ */

struct assign_call;

struct assign {
	struct dialog d;
	struct console *c;
	uuid_str chat;
	struct agent *agents;
	size_t n, sel;
	struct assign_call *call;  /* the list on its way, or NULL */
};

/* The request for the agents outlives the dialog if the agent closes it
 * first: then `a` is NULL and the answer is dropped. */
struct assign_call {
	struct assign *a;
};

static void assign_draw(struct console *c, struct dialog *d)
{
	struct assign *a = (struct assign *)d;
	struct box b = box_draw(c, (int)a->n + 5, 60, " Assign to ");
	char line[160];

	if (a->call) {
		box_line(c, &b, 1, "Asking the hub for the agents...", c->attrs[EL_DIALOG]);
		return;
	}
	for (size_t i = 0; i < a->n; i++) {
		snprintf(line, sizeof line, "%s%s  (%s, %lld chats)", i == a->sel ? "> " : "  ",
			 a->agents[i].name, account_role_name(a->agents[i].role),
			 (long long)a->agents[i].active_chats);
		char *safe = textsafe_dup(line, strlen(line), 0);
		box_line(c, &b, 1 + (int)i, safe ? safe : "?",
			 c->attrs[EL_DIALOG] | (i == a->sel ? A_REVERSE : 0));
		free(safe);
	}
	box_line(c, &b, (int)a->n + 2, "j/k choose · Enter assigns · Esc cancels",
		 c->attrs[EL_DIALOG]);
}

/* Keep the agents who can hold a chat (not ingest bridges). */
static void assign_take_agents(struct assign *a, const struct api_agent_list *l)
{
	a->agents = calloc(l->n ? l->n : 1, sizeof *a->agents);
	for (size_t i = 0; a->agents && i < l->n; i++) {
		if (l->agents[i].role == ACCOUNT_INGEST)
			continue;
		if (!agent_copy(&a->agents[a->n], &l->agents[i]))
			break;
		a->n++;
	}
}

static void on_agents(void *ctx, const struct api_result *r)
{
	struct assign_call *call = ctx;
	struct assign *a = call->a;

	free(call);
	if (!a)
		return;
	a->call = NULL;
	if (r->err != API_ERR_NONE) {
		console_say(a->c, true, "Cannot list the agents: %s", r->text);
		console_dialog(a->c, NULL);
		return;
	}
	assign_take_agents(a, r->agents);
	console_dirty(a->c, DIRTY_DIALOG);
}

static void done_assign(void *ctx, const struct api_result *r)
{
	console_report(ctx, r, "Assigned");
}

static void assign_key(struct console *c, struct dialog *d, int key)
{
	struct assign *a = (struct assign *)d;
	struct errbuf err;

	if (key == 27) {
		close_dialog(c);
	} else if ((key == 'j' || key == KEY_FN + KEY_DOWN) && a->sel + 1 < a->n) {
		a->sel++;
	} else if ((key == 'k' || key == KEY_FN + KEY_UP) && a->sel > 0) {
		a->sel--;
	} else if (key == '\r' && a->n) {
		if (!session_assign(c->session, a->chat, a->agents[a->sel].id, done_assign, c, &err))
			console_say(c, true, "%s", err.msg);
		close_dialog(c);
	}
}

static void assign_free(struct dialog *d)
{
	struct assign *a = (struct assign *)d;

	if (a->call)
		a->call->a = NULL;
	for (size_t i = 0; i < a->n; i++)
		agent_free(&a->agents[i]);
	free(a->agents);
	free(a);
}

static const struct dialog_class assign_class = {"assign", assign_draw, assign_key, assign_free};

struct dialog *dialog_assign_new(struct console *c, const char *chat_id)
{
	struct assign *a = calloc(1, sizeof *a);
	struct errbuf err;

	if (!a || !(a->call = malloc(sizeof *a->call))) {
		free(a);
		return NULL;
	}
	a->d.cls = &assign_class;
	a->c = c;
	a->call->a = a;
	snprintf(a->chat, sizeof a->chat, "%s", chat_id);
	if (!session_agents(c->session, on_agents, a->call, &err)) {
		console_say(c, true, "Cannot list the agents: %s", err.msg);
		free(a->call);
		free(a);
		return NULL;
	}
	return &a->d;
}

/* ---- quit ------------------------------------------------------------------- */

struct quit {
	struct dialog d;
	size_t unsent;
};

static void quit_draw(struct console *c, struct dialog *d)
{
	struct quit *q = (struct quit *)d;
	struct box b = box_draw(c, 6, 60, " Quit? ");
	char line[96];

	snprintf(line, sizeof line, "%zu repl%s still sending. They are kept and sent", q->unsent,
		 q->unsent == 1 ? "y is" : "ies are");
	box_line(c, &b, 1, line, c->attrs[EL_DIALOG]);
	box_line(c, &b, 2, "the next time the console starts.", c->attrs[EL_DIALOG]);
	box_line(c, &b, 4, "y quit now · n or Esc stay", c->attrs[EL_DIALOG] | A_BOLD);
}

static void quit_key(struct console *c, struct dialog *d, int key)
{
	(void)d;
	if (key == 'y' || key == 'Y')
		console_quit(c, true);
	else if (key == 'n' || key == 'N' || key == 27)
		close_dialog(c);
}

static const struct dialog_class quit_class = {"quit", quit_draw, quit_key, plain_free};

struct dialog *dialog_quit_new(size_t unsent)
{
	struct quit *q = calloc(1, sizeof *q);

	if (!q)
		return NULL;
	q->d.cls = &quit_class;
	q->unsent = unsent;
	return &q->d;
}
