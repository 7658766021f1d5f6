/*
 * view_thread.c — the open thread, newest at the bottom, and the composer
 * under it.
 *
 *   Maria G. · whatsapp · held by Ana · open
 *   10:41 Maria G.
 *     Where is my parcel? It was due on Monday.
 *   — 10:41 escalated to a human —
 *   10:42 Ana
 *     Let me check that for you.
 *   10:42 Ana (internal note)
 *     Courier lost it, reship.
 *   sending… — Reshipping today, sorry!
 *   ── Reply to Maria G. · 3974 characters left ──
 *   > _
 *
 * Only the messages that reach the screen are wrapped, from the bottom
 * up. Scrolling counts rows up from the bottom, so older messages loading
 * above never move what the agent is reading; when the top of what is
 * loaded comes into view, the next older page is asked for.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "composer.h"
#include "draw.h"
#include "jumpscroll.h"
#include "notice.h"
#include "presence_line.h"
#include "textsafe.h"
#include "textwidth.h"
#include "timeutil.h"
#include "views.h"

#define COMPOSER_MAX_ROWS 5
#define TEXT_INDENT 2
/* A message within this long of the one before, by the same author, goes
 * on under that one's head line instead of repeating it (as chat
 * applications do): easier to read, and one row less to send per line. */
#define GROUP_MS (5 * 60 * 1000)

/* One message (or ticket line) prepared for the screen. */
struct shown {
	const struct message *m;
	size_t ticket;           /* m NULL: this line of c->tickets */
	char *safe;              /* neutralised text */
	struct wrap_line *wrap;  /* its text wrapped to the pane */
	bool head;               /* starts with a head line (time, author) */
	int lines;               /* its rows: the head line, the wrapped text */
};

static int text_columns(const struct console *c)
{
	int w = c->layout.thread.w - TEXT_INDENT;
	return w > 1 ? w : 1;
}

static bool is_system(const struct message *m)
{
	return m->role == MSG_ROLE_SYSTEM;
}

/* Whether m continues `prev`'s group: same author and role, soon after. */
static bool continues(const struct message *prev, const struct message *m)
{
	if (!prev || is_system(prev) || prev->role != m->role ||
	    m->created_at - prev->created_at > GROUP_MS)
		return false;
	if (strcmp(prev->author.id, m->author.id) != 0)
		return false;
	return (!prev->author.name && !m->author.name) ||
	       (prev->author.name && m->author.name && strcmp(prev->author.name, m->author.name) == 0);
}

/* Neutralise and wrap message m (prev: the one before it, or NULL); false
 * when out of memory. */
static bool shown_prepare(const struct console *c, struct shown *s, const struct message *m,
			  const struct message *prev)
{
	s->m = m;
	s->lines = 1;
	s->head = true;
	if (is_system(m))
		return true;
	s->safe = textsafe_dup(m->text, strlen(m->text), TEXTSAFE_KEEP_NEWLINES);
	if (!s->safe)
		return false;
	size_t len = strlen(s->safe), n = text_wrap(s->safe, len, text_columns(c), NULL, 0);
	if (!(s->wrap = malloc(n * sizeof *s->wrap)))
		return false;
	text_wrap(s->safe, len, text_columns(c), s->wrap, n);
	s->head = !continues(prev, m);
	s->lines = (s->head ? 1 : 0) + (int)n;
	return true;
}

static void shown_ticket(struct shown *s, size_t i)
{
	s->ticket = i;
	s->lines = 1;
	s->head = true;
}

static void shown_free(struct shown *s)
{
	free(s->safe);
	free(s->wrap);
}

static enum element role_element(enum msg_role r)
{
	switch (r) {
	case MSG_ROLE_USER: return EL_MSG_CUSTOMER;
	case MSG_ROLE_BOT: return EL_MSG_BOT;
	case MSG_ROLE_AGENT: return EL_MSG_AGENT;
	case MSG_ROLE_NOTE: return EL_MSG_NOTE;
	case MSG_ROLE_SYSTEM: break;
	}
	return EL_MSG_SYSTEM;
}

static void hhmm(int64_t ms, char out[6])
{
	char iso[TS_STRLEN];

	ts_format(ms, iso);
	/* "2026-11-23T10:42:07.123Z": UTC, the hub's clock. Agents across
	 * time zones talking about "the 10:42 message" mean the same one. */
	memcpy(out, iso + 11, 5);
	out[5] = '\0';
}

/* "— 10:45 ticket status set to solved —" */
static void draw_ticket_row(struct console *c, size_t i, int y)
{
	const struct rect *r = &c->layout.thread;
	attr_t a = c->attrs[EL_MSG_SYSTEM];
	char when[6], line[96], words[64];

	hhmm(c->tickets.v[i].at, when);
	notice_ticket(c->tickets.v[i].status, words, sizeof words);
	snprintf(line, sizeof line, "— %s %s —", when, words);
	draw_str(y, r->x, r->w, line, a);
}

void thread_view_ticket_seen(struct console *c, const struct chat *ch, bool reset)
{
	struct ticket_lines *t = &c->tickets;

	if (reset) {
		t->known = false;
		t->n = 0;
	}
	if (!ch)
		return;
	bool changed = t->known && ch->ticket.present &&
		       (!t->present || ch->ticket.status != t->last);
	if (changed) {
		if (t->n == TICKET_LINES_MAX) /* the oldest goes */
			memmove(&t->v[0], &t->v[1], --t->n * sizeof t->v[0]);
		t->v[t->n].at = ch->updated_at;
		t->v[t->n++].status = ch->ticket.status;
	}
	t->known = true;
	t->present = ch->ticket.present;
	t->last = ch->ticket.status;
}

static void draw_system_row(struct console *c, const struct message *m, int y)
{
	const struct rect *r = &c->layout.thread;
	const struct agent *me = session_me(c->session);
	struct notice_me who = {me ? me->id : NULL, me ? me->name : NULL};
	attr_t a = c->attrs[EL_MSG_SYSTEM];
	char when[6], head[16], words[2048];
	int end = r->x + r->w, x = r->x;

	hhmm(m->created_at, when);
	snprintf(head, sizeof head, "— %s ", when);
	x += draw_str(y, x, end - x, head, a);
	notice_system(m, &who, words, sizeof words);
	x += draw_untrusted(y, x, end - x, words, a);
	draw_str(y, x, end - x, " —", a);
}

/* Draw row `row` (0 = the message's head line) of message s at y. */
static void draw_message_row(struct console *c, const struct shown *s, int row, int y)
{
	const struct rect *r = &c->layout.thread;
	const struct message *m = s->m;
	int end = r->x + r->w;

	if (!m) {
		draw_ticket_row(c, s->ticket, y);
		return;
	}
	attr_t a = c->attrs[role_element(m->role)];
	if (is_system(m)) {
		draw_system_row(c, m, y);
		return;
	}
	if (!s->head || row > 0) {
		const struct wrap_line *l = &s->wrap[s->head ? row - 1 : row];
		draw_safe(y, r->x + TEXT_INDENT, r->w - TEXT_INDENT, s->safe + l->start, l->len, a);
		return;
	}
	char when[6];
	hhmm(m->created_at, when);
	int x = r->x + draw_str(y, r->x, r->w, when, c->attrs[EL_MSG_META]);
	x += draw_str(y, x, end - x, " ", c->attrs[EL_MSG_META]);
	const char *who = m->author.name ? m->author.name
					 : m->role == MSG_ROLE_BOT ? "Bot" : "Customer";
	x += draw_untrusted(y, x, end - x, who, c->attrs[EL_MSG_META]);
	if (m->role == MSG_ROLE_NOTE)
		x += draw_str(y, x, end - x, "  (internal note: agents only)", a);
	/* Words, not only a colour: the mark reads on any terminal. */
	if (m->seq == c->found.seq && strcmp(c->found.chat, console_open(c)) == 0)
		draw_str(y, x, end - x, "  << found", c->attrs[EL_MATCH]);
}

/* The chat's state in one line, above its messages; who else is there at
 * its right end ("Ben is viewing · Sue is typing"), given up to half the
 * line: at 80 columns it is what the agent must not miss. */
static void draw_chat_head(struct console *c, const struct chat *ch, int y)
{
	const struct rect *r = &c->layout.thread;
	attr_t a = c->attrs[EL_HEADER] | A_BOLD;
	char meta[160], here[1024];
	int x = r->x, end = r->x + r->w;

	draw_fill(y, r->x, r->w, c->attrs[EL_HEADER]);
	presence_phrase(c, ch->id, here, sizeof here);
	if (here[0]) {
		int w = text_width(here, strlen(here));
		if (w > r->w / 2)
			w = r->w / 2;
		end -= w + 1;
		draw_safe(y, end + 1, w, here, strlen(here), a);
	}
	x += draw_untrusted(y, x, end - x, ch->owner.name, a);
	char origin[96];
	notice_origin(ch, origin, sizeof origin);
	snprintf(meta, sizeof meta, " · %s · ", origin);
	x += draw_untrusted(y, x, end - x, meta, c->attrs[EL_HEADER]);
	if (ch->responder.type == RESPONDER_AGENT) {
		x += draw_str(y, x, end - x, "held by ", c->attrs[EL_HEADER]);
		x += draw_untrusted(y, x, end - x,
				    ch->responder.name ? ch->responder.name : "an agent",
				    c->attrs[EL_HEADER]);
	} else {
		const char *who = notice_unheld(ch);
		if (chat_is_waiting(ch))
			who = "WAITING for a human";
		else if (strcmp(who, "bot") == 0)
			who = "the bot answers";
		x += draw_str(y, x, end - x, who, c->attrs[EL_HEADER]);
	}
	if (ch->ticket.present) {
		snprintf(meta, sizeof meta, " · %s", ticket_status_name(ch->ticket.status));
		x += draw_str(y, x, end - x, meta, c->attrs[EL_HEADER]);
	}
	if (ch->rating.present) {
		snprintf(meta, sizeof meta, " · rated %d/5", ch->rating.score);
		x += draw_str(y, x, end - x, meta, c->attrs[EL_HEADER]);
	}
	if (ch->title) {
		x += draw_str(y, x, end - x, " · ", c->attrs[EL_HEADER]);
		draw_untrusted(y, x, end - x, ch->title, c->attrs[EL_HEADER]);
	}
}

/* Whether a reply's "retrying in N s" is on screen: the clock ticks for it. */
static void set_reply_countdown(struct console *c, bool on)
{
	if (on != c->reply_countdown) {
		c->reply_countdown = on;
		clock_update(c);
	}
}

/* The replies of the open chat the hub does not have yet, one row each,
 * the newest at y_bottom; how many rows. The session words their state. */
static int draw_reply_rows(struct console *c, int y_bottom, bool draw)
{
	const struct rect *r = &c->layout.thread;
	struct session_reply rep;
	size_t pos = 0;
	int rows = 0, n = 0;
	bool countdown = false;

	while (session_replies_next(c->session, console_open(c), &pos, &rep))
		n++;
	for (pos = 0; draw && session_replies_next(c->session, console_open(c), &pos, &rep);) {
		int y = y_bottom - n + 1 + rows++, x = r->x;
		if (y < r->y + 1)
			continue;
		bool failed = rep.state == SESSION_REPLY_FAILED;
		attr_t a = c->attrs[failed ? EL_STATUS_ERROR : EL_ROW_DIM];
		char keys[96] = " — ", retry[32], drop[32];
		countdown |= rep.state == SESSION_REPLY_WAITING;
		if (failed) {
			keymap_name(c->keys, KC_MAIN, "retry", retry, sizeof retry);
			keymap_name(c->keys, KC_MAIN, "drop", drop, sizeof drop);
			snprintf(keys, sizeof keys, " (%s retries, %s drops) — ", retry, drop);
		}
		draw_fill(y, r->x, r->w, c->attrs[EL_ROW]);
		x += draw_untrusted(y, x, r->w, rep.words, a);
		x += draw_str(y, x, r->x + r->w - x, keys, a);
		draw_untrusted(y, x, r->x + r->w - x, rep.text, c->attrs[EL_ROW_DIM]);
	}
	if (draw)
		set_reply_countdown(c, countdown);
	return n;
}

int composer_rows(const struct console *c)
{
	if (!c->composer.active)
		return 0;
	const struct editbuf *e = &c->composer.text;
	size_t n = text_wrap(e->text ? e->text : "", e->len, text_columns(c), NULL, 0);
	return 1 + (int)(n < COMPOSER_MAX_ROWS ? n : COMPOSER_MAX_ROWS);
}

/* The first composer text row shown, so the cursor's row is visible. */
static int composer_first_row(const struct console *c)
{
	int row, col;
	editbuf_cursor_pos(&c->composer.text, text_columns(c), &row, &col);
	return row >= COMPOSER_MAX_ROWS ? row - COMPOSER_MAX_ROWS + 1 : 0;
}

static void draw_composer(struct console *c, int y)
{
	const struct rect *r = &c->layout.thread;
	const struct editbuf *e = &c->composer.text;
	const struct chat *ch = store_chat(c->store, c->composer.chat);
	char head[160];

	draw_fill(y, r->x, r->w, c->attrs[EL_COMPOSER] | A_REVERSE);
	snprintf(head, sizeof head, c->composer.internal ? " Internal note on " : " Reply to ");
	int x = r->x + draw_str(y, r->x, r->w, head, c->attrs[EL_COMPOSER] | A_REVERSE);
	x += draw_untrusted(y, x, r->x + r->w - x, ch ? ch->owner.name : "?",
			    c->attrs[EL_COMPOSER] | A_REVERSE);
	composer_left(c, head, sizeof head);
	x += draw_str(y, x, r->x + r->w - x, " · ", c->attrs[EL_COMPOSER] | A_REVERSE);
	draw_str(y, x, r->x + r->w - x, head, c->attrs[EL_COMPOSER] | A_REVERSE);

	const char *text = e->text ? e->text : "";
	size_t n = text_wrap(text, e->len, text_columns(c), NULL, 0);
	struct wrap_line *lines = malloc(n * sizeof *lines);
	if (!lines)
		return;
	text_wrap(text, e->len, text_columns(c), lines, n);
	int first = composer_first_row(c), rows = composer_rows(c) - 1;
	for (int i = 0; i < rows; i++) {
		int yy = y + 1 + i;
		draw_fill(yy, r->x, r->w, c->attrs[EL_COMPOSER]);
		draw_str(yy, r->x, TEXT_INDENT, i == 0 && first == 0 ? ">" : " ",
			 c->attrs[EL_COMPOSER] | A_BOLD);
		if (first + i < (int)n)
			draw_safe(yy, r->x + TEXT_INDENT, r->w - TEXT_INDENT,
				  text + lines[first + i].start, lines[first + i].len,
				  c->attrs[EL_COMPOSER]);
	}
	free(lines);
}

void composer_place_cursor(struct console *c)
{
	if (!c->composer.active || c->focus != PANE_THREAD || c->dialog || c->details.focused ||
	    c->layout.thread.w <= 0) {
		curs_set(0);
		return;
	}
	int row, col;
	editbuf_cursor_pos(&c->composer.text, text_columns(c), &row, &col);
	const struct rect *r = &c->layout.thread;
	int top = r->y + r->h - composer_rows(c) + 1;
	move(top + row - composer_first_row(c), r->x + TEXT_INDENT + col);
	curs_set(1);
}

int thread_view_page_rows(const struct console *c)
{
	int rows = c->layout.thread.h - 1 - composer_rows(c);
	return rows > 1 ? rows : 1;
}

void thread_view_scroll(struct console *c, int rows)
{
	long s = (long)c->thread_view_scroll + rows;

	c->thread_view_scroll = s < 0 ? 0 : s > INT_MAX / 2 ? INT_MAX / 2 : (int)s;
	if (c->thread_view_scroll == 0)
		c->unseen = 0;
	console_dirty(c, DIRTY_THREAD);
}

void thread_view_to_bottom(struct console *c)
{
	c->thread_view_scroll = 0;
	c->unseen = 0;
	console_dirty(c, DIRTY_THREAD);
}

void thread_view_to_top(struct console *c)
{
	c->thread_view_scroll = INT_MAX / 2;
	console_dirty(c, DIRTY_THREAD);
}

/* Rows of sh[j..all) newer than the newest message the last frame drew of
 * this chat; -1 when that message is not among them (another chat, or
 * more new rows than were prepared). */
static int rows_grown(const struct console *c, const struct shown *sh, size_t j, size_t all)
{
	int rows = 0;

	if (strcmp(c->drawn_chat, console_open(c)) != 0)
		return -1;
	for (size_t i = all; sh && i > j; i--) {
		if (sh[i - 1].m && sh[i - 1].m->seq <= c->drawn_newest)
			return rows;
		rows += sh[i - 1].lines;
	}
	return -1;
}

/* Scroll so that the found message's first row is the pane's top row,
 * once it is among sh[j..all); give up when the whole thread is loaded
 * without it. Until then the draw asks for older pages. */
static void seek_found(struct console *c, const struct shown *sh, size_t j, size_t all,
		       int area, bool at_beginning)
{
	long below = 0;

	for (size_t i = all; sh && i > j; i--) {
		below += sh[i - 1].lines;
		if (sh[i - 1].m && sh[i - 1].m->seq == c->found.seq) {
			c->thread_view_scroll = below > area ? (int)(below - area) : 0;
			c->found.seeking = false;
			return;
		}
	}
	if (at_beginning) {
		c->found.seeking = false;
		console_say(c, true, "That message is no longer in the thread");
	}
}

void thread_view_draw(struct console *c)
{
	const struct rect *r = &c->layout.thread;
	const char *open = console_open(c);
	const struct chat *ch = open[0] ? store_chat(c->store, open) : NULL;
	const struct thread *t = open[0] ? store_thread(c->store, open) : NULL;

	if (r->h <= 0 || r->w <= 0)
		return;
	for (int y = r->y; y < r->y + r->h; y++)
		draw_fill(y, r->x, r->w, c->attrs[EL_ROW]);
	if (!ch) {
		draw_str(r->y + 1, r->x + 1, r->w - 1, "Enter opens the selected chat here.",
			 c->attrs[EL_ROW_DIM]);
		set_reply_countdown(c, false);
		return;
	}
	draw_chat_head(c, ch, r->y);
	int bottom = r->y + r->h - 1 - composer_rows(c);  /* last message row */
	int pending = draw_reply_rows(c, bottom, false);
	int area = bottom - pending - r->y;                /* rows for messages */
	size_t count = t ? thread_count(t) : 0;

	/* Prepare messages (k: the thread's, from the newest) and ticket
	 * lines (q, by time among them) until the screen and the scroll
	 * above it are covered; sh[j..all) holds them in screen order. */
	size_t nt = c->tickets.n, all = count + nt, k = count, q = nt, j = all;
	struct shown *sh = calloc(all ? all : 1, sizeof *sh);
	/* Seeking a search's message: every loaded message, to find its row. */
	bool seeking = c->found.seeking && strcmp(c->found.chat, open) == 0;
	long total = 0, need = seeking ? LONG_MAX : (long)area + c->thread_view_scroll;
	while (sh && total < need) {
		const struct message *m = k ? thread_at(t, k - 1) : NULL;
		const struct message *prev = k > 1 ? thread_at(t, k - 2) : NULL;
		/* A line older than every message loaded waits for the older
		 * pages, unless the thread's beginning is here. */
		bool ticket = q && (m ? c->tickets.v[q - 1].at >= m->created_at
				      : t && thread_has_beginning(t));
		struct shown *s = &sh[--j];
		if (ticket) {
			shown_ticket(s, --q);
			total += s->lines;
			continue;
		}
		if (!m) {
			j++;
			break;
		}
		k--;
		if (q && prev && c->tickets.v[q - 1].at >= prev->created_at)
			prev = NULL; /* a ticket line comes between: show the head */
		if (!shown_prepare(c, s, m, prev))
			s->lines = 0; /* out of memory: left out, not half drawn */
		total += s->lines;
	}
	bool at_beginning = t && thread_has_beginning(t) && k == 0;
	if (seeking)
		seek_found(c, sh, j, all, area, at_beginning);
	if (total < need && !at_beginning)
		session_thread_older(c->session); /* the top is in view: fetch above */
	long max_scroll = total > area ? total - area : 0;
	if (at_beginning && c->thread_view_scroll > max_scroll)
		c->thread_view_scroll = (int)max_scroll;
	long scroll = c->thread_view_scroll < max_scroll ? c->thread_view_scroll : max_scroll;

	/* Following the bottom: `slack` blank rows under the newest
	 * (jumpscroll.h). A whole thread that fits starts at the top; a full
	 * one beside the list jumps by half a pane; alone on the screen it
	 * scrolls with the terminal, cheaply, the newest on the bottom row. */
	int fits = scroll == 0 && at_beginning && total < area ? (int)total : -1;
	int grown = c->layout.split && scroll == 0 ? rows_grown(c, sh, j, all) : -1;
	int slack = jumpscroll_frame(&c->jump, grown, area, fits);
	snprintf(c->drawn_chat, sizeof c->drawn_chat, "%s", open);
	c->drawn_newest = count ? thread_at(t, count - 1)->seq : 0;

	/* Rows [total - scroll - area + slack, total - scroll) of the prepared
	 * lines, then the blank slack. */
	long first = total - scroll - area + slack, row = 0;
	int y = r->y + 1;
	if (first < 0)
		y += (int)-first; /* fewer than the rows, older ones on their way */
	for (size_t i = j; sh && i < all && y <= bottom - pending; i++) {
		for (int l = 0; l < sh[i].lines && y <= bottom - pending; l++, row++) {
			if (row < first)
				continue;
			draw_message_row(c, &sh[i], l, y);
			y++;
		}
	}
	if (!at_beginning && first < 0)
		draw_str(r->y + 1, r->x + 1, r->w - 1, "loading older messages…",
			 c->attrs[EL_ROW_DIM]);
	for (size_t i = j; sh && i < all; i++)
		shown_free(&sh[i]);
	free(sh);

	/* Replies on their way right under the newest message, where they
	 * will be once the hub has them. */
	draw_reply_rows(c, bottom - slack, true);
	if (c->thread_view_scroll > 0 && c->unseen > 0) {
		char more[64];
		snprintf(more, sizeof more, " ↓ %d new — End jumps to them ", c->unseen);
		draw_str(bottom, r->x + r->w / 2 - 14 > r->x ? r->x + r->w / 2 - 14 : r->x, r->w,
			 more, c->attrs[EL_STATUS_ERROR] | A_REVERSE);
	}
	if (c->composer.active)
		draw_composer(c, bottom + 1);
}
