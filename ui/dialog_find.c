/*
 * dialog_find.c — the message search (see dialogs.h): a field for words,
 * Enter asks the hub (GET /v1/search) and lists the newest messages that
 * hold them, one line each: customer, time, and the part of the message
 * around the match, the matched words in the theme's "match" attribute
 * and between [ ] so they read without colour too. Enter on a hit opens
 * its chat with the thread scrolled to that message (view_thread.c walks
 * older pages until it is loaded).
 *
 * The offsets were checked against each snippet when it was decoded
 * (searchres.h); every piece is made terminal-safe on its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dialog_box.h"
#include "dialogs.h"
#include "draw.h"
#include "searchres.h"
#include "textsafe.h"
#include "views.h"

#define FIND_ROWS 10
#define FIND_MAX_CHARS 200

struct find_call;

struct finder {
	struct dialog d;
	struct console *c;
	struct find_call *call;     /* the search on its way, or NULL */
	struct editbuf words;
	char *searched;             /* the words of the results shown, or NULL */
	struct api_search_list *hits;
	size_t sel, top;
};

/* The request outlives the dialog if the agent closes it first: then `f`
 * is NULL and the answer is dropped. */
struct find_call {
	struct finder *f;
};

/* Where the next piece of a hit's line goes. */
struct line_out {
	struct console *c;
	int y, x, end;
	attr_t a;
};

static void put(struct line_out *o, const char *safe, attr_t a)
{
	if (o->x < o->end)
		o->x += draw_safe(o->y, o->x, o->end - o->x, safe, strlen(safe), a);
}

static void put_piece(void *ctx, const char *s, size_t len, bool matched)
{
	struct line_out *o = ctx;
	char *safe = textsafe_dup(s, len, 0);
	attr_t m = o->c->attrs[EL_MATCH];

	if (matched)
		put(o, "[", m);
	put(o, safe ? safe : "?", matched ? m : o->a);
	if (matched)
		put(o, "]", m);
	free(safe);
}

/* "> Customer      11-30 10:00  ...snippet" */
static void draw_hit(struct finder *f, const struct box *b, int row,
		     const struct search_result *r, bool selected)
{
	struct console *c = f->c;
	const struct chat *ch = store_chat(c->store, r->chat_id);
	attr_t a = c->attrs[EL_DIALOG] | (selected ? A_REVERSE : 0);
	struct line_out o = {c, b->y + row, b->x + 2, b->x + b->w - 2, a};
	char who[64], when[16] = "", head[96];
	time_t t = (time_t)(r->created_at / 1000);
	struct tm tm;

	if (ch && ch->owner.name) {
		char *safe = textsafe_dup(ch->owner.name, strlen(ch->owner.name), 0);
		snprintf(who, sizeof who, "%s", safe ? safe : "?");
		free(safe);
	} else {
		snprintf(who, sizeof who, "chat %.8s", r->chat_id);
	}
	if (localtime_r(&t, &tm))
		strftime(when, sizeof when, "%m-%d %H:%M", &tm);
	snprintf(head, sizeof head, "%s%-16.16s %s%s ", selected ? "> " : "  ", who, when,
		 r->role == MSG_ROLE_NOTE ? " note" : "");
	draw_fill(o.y, o.x, o.end - o.x, a);
	put(&o, head, a);
	if (r->snippet_start > 0)
		put(&o, "...", a);
	search_result_pieces(r, put_piece, &o);
}

static void find_draw(struct console *c, struct dialog *d)
{
	struct finder *f = (struct finder *)d;
	struct box b = box_draw(c, FIND_ROWS + 6, 78, " Search messages ");
	size_t n = f->hits ? f->hits->n : 0;
	char line[320];

	box_field(c, &b, 1, &f->words, true, false);
	if (f->call) {
		box_line(c, &b, 3, "Searching...", c->attrs[EL_DIALOG]);
	} else if (!f->searched) {
		box_line(c, &b, 3, "Words every message must hold; Enter searches all chats.",
			 c->attrs[EL_DIALOG]);
	} else if (!n) {
		char *safe = textsafe_dup(f->searched, strlen(f->searched), 0);
		snprintf(line, sizeof line, "No message holds \"%s\"", safe ? safe : "?");
		free(safe);
		box_line(c, &b, 3, line, c->attrs[EL_DIALOG]);
	}
	for (size_t i = 0; !f->call && i < FIND_ROWS && f->top + i < n; i++)
		draw_hit(f, &b, 3 + (int)i, &f->hits->results[f->top + i], f->top + i == f->sel);
	if (f->searched && !f->call && n) {
		snprintf(line, sizeof line, "%zu message%s, newest first%s", n, n == 1 ? "" : "s",
			 n == SESSION_SEARCH_LIMIT ? " (add words to see older ones)" : "");
		box_line(c, &b, FIND_ROWS + 3, line, c->attrs[EL_DIALOG]);
	}
	box_keys(c, &b, FIND_ROWS + 4, KC_FIND);
}

static void on_found(void *ctx, const struct api_result *r)
{
	struct find_call *call = ctx;
	struct finder *f = call->f;

	free(call);
	if (!f)
		return;
	f->call = NULL;
	if (r->err != API_ERR_NONE) {
		console_say(f->c, true, "Cannot search: %s", r->text);
		free(f->searched);
		f->searched = NULL;
	} else if ((f->hits = malloc(sizeof *f->hits))) {
		/* The results move here; the library frees the empty list. */
		*f->hits = *r->search;
		r->search->results = NULL;
		r->search->n = 0;
	} else {
		console_say(f->c, true, "Out of memory");
	}
	console_dirty(f->c, DIRTY_DIALOG);
}

static void start_search(struct finder *f, const char *words)
{
	struct errbuf err;

	if (!(f->call = malloc(sizeof *f->call)) || !(f->searched = strdup(words))) {
		free(f->call);
		f->call = NULL;
		console_say(f->c, true, "Out of memory");
		return;
	}
	f->call->f = f;
	api_search_list_free(f->hits);
	f->hits = NULL;
	f->sel = f->top = 0;
	if (!session_find_messages(f->c->session, words, on_found, f->call, &err)) {
		console_say(f->c, true, "Cannot search: %s", err.msg);
		free(f->call);
		f->call = NULL;
		free(f->searched);
		f->searched = NULL;
	}
}

static void find_move(struct console *c, int by)
{
	struct finder *f = (struct finder *)c->dialog;
	size_t n = f->hits ? f->hits->n : 0;

	if (!n)
		return;
	if (by < 0 && f->sel > 0)
		f->sel--;
	else if (by > 0 && f->sel + 1 < n)
		f->sel++;
	if (f->sel < f->top)
		f->top = f->sel;
	else if (f->sel >= f->top + FIND_ROWS)
		f->top = f->sel - FIND_ROWS + 1;
}

static void find_down(struct console *c) { find_move(c, 1); }
static void find_up(struct console *c) { find_move(c, -1); }

/* Enter: new words are searched; the words of the list shown open the
 * selected hit. */
static void find_confirm(struct console *c)
{
	struct finder *f = (struct finder *)c->dialog;
	const char *words = f->words.text ? f->words.text : "";

	if (f->call || !*words)
		return;
	if (!f->searched || strcmp(words, f->searched) != 0) {
		free(f->searched);
		f->searched = NULL;
		start_search(f, words);
		return;
	}
	if (!f->hits || !f->hits->n)
		return;
	const struct search_result *r = &f->hits->results[f->sel];
	uuid_str chat;
	int64_t seq = r->seq;
	snprintf(chat, sizeof chat, "%s", r->chat_id);
	console_dialog(c, NULL);
	console_open_at(c, chat, seq);
}

static void find_cancel(struct console *c)
{
	console_dialog(c, NULL);
}

const struct action find_actions[] = {
	{"down", "Next", "The next message found", find_down},
	{"up", "Previous", "The message found before", find_up},
	{"confirm", "Search/Open", "Search for the words typed; on the list shown, open the "
				   "selected message in its chat",
	 find_confirm},
	{"cancel", "Close", "Close; back to the list as it was", find_cancel},
};
const size_t nfind_actions = sizeof find_actions / sizeof *find_actions;

static bool find_key(struct console *c, struct dialog *d, int key)
{
	struct finder *f = (struct finder *)d;

	return box_field_key(c, &f->words, key, "The words");
}

static void find_free(struct dialog *d)
{
	struct finder *f = (struct finder *)d;

	if (f->call)
		f->call->f = NULL;
	api_search_list_free(f->hits);
	free(f->searched);
	editbuf_free(&f->words);
	free(f);
}

static const struct dialog_class find_class = {"find", KC_FIND, find_draw, find_key, find_free};

struct dialog *dialog_find_new(struct console *c)
{
	struct finder *f = calloc(1, sizeof *f);

	if (!f)
		return NULL;
	f->d.cls = &find_class;
	f->c = c;
	editbuf_init(&f->words, FIND_MAX_CHARS);
	return &f->d;
}
