/*
 * view_list.c — the chat list of the current tab, two screen lines a chat:
 *
 *   ! Maria G.  whatsapp  bot · open                     waited 4m
 *     Order #1042 — where is my parcel? · previous message...
 *
 * The mark says who must act: "!" a customer waits for a human (escalated,
 * still with the bot), "*" you hold it, ">" another agent does. At the
 * right, "3 new" counts the messages the agent has not read; when the hub
 * sets wait-time targets, the time left ("0:42 left") follows on chats
 * owed an answer, and "BREACHED 0:07" past it. The
 * selection is a chat id, not a row number, so rows that move as events
 * arrive never move the agent's place.
 */
#include <stdio.h>
#include <string.h>

#include "draw.h"
#include "notice.h"
#include "saved_views.h"
#include "timeutil.h"
#include "views.h"

#define ROWS_PER_CHAT 2

static const struct view *current_view(const struct console *c)
{
	return store_view(c->store, tab_view(c->tab));
}

/* A filtered tab says its filter on the list's first line. */
static int head_rows(const struct console *c)
{
	return saved_views_current(c) ? 1 : 0;
}

static size_t visible_chats(const struct console *c)
{
	int n = (c->layout.list.h - head_rows(c)) / ROWS_PER_CHAT;
	return n > 0 ? (size_t)n : 0;
}

/* "3 chats: status=open channel=whatsapp": what the tab lets through, the
 * count first so that a narrow pane keeps it. */
static void draw_head(struct console *c, size_t n)
{
	const struct rect *r = &c->layout.list;
	char spec[VIEW_SPEC_LEN], line[VIEW_SPEC_LEN + 64];

	view_spec_format(saved_views_current(c), spec, sizeof spec);
	snprintf(line, sizeof line, " %zu%s chat%s: %s", n,
		 session_view_complete(c->session, tab_view(c->tab)) || !n ? "" : "+",
		 n == 1 ? "" : "s", spec);
	draw_fill(r->y, r->x, r->w, c->attrs[EL_ROW_DIM] | A_REVERSE);
	draw_str(r->y, r->x, r->w, line, c->attrs[EL_ROW_DIM] | A_REVERSE);
}

/* How long format_age's text for `ms` stays the same: until the next
 * second, minute or day it counts. */
static int64_t age_unchanged_for(int64_t ms)
{
	int64_t unit = ms < 60000 ? 1000 : ms < 86400000 ? 60000 : 86400000;

	return ms < 0 ? 1000 - ms : unit - ms % unit;
}

/* "4m", "2h05", "3d": how long, in the fewest characters. */
static void format_age(int64_t ms, char *out, size_t len)
{
	int64_t s = ms > 0 ? ms / 1000 : 0;

	if (s < 60)
		snprintf(out, len, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(out, len, "%lldm", (long long)(s / 60));
	else if (s < 86400)
		snprintf(out, len, "%lldh%02lld", (long long)(s / 3600), (long long)(s % 3600 / 60));
	else
		snprintf(out, len, "%lldd", (long long)(s / 86400));
}

/* The clock runs out when the hub's target for what the chat is owed
 * runs out: a first response while it waits, the next while an agent
 * holds it. INT64_MIN: no target applies. */
static int64_t target_deadline(const struct console *c, const struct chat *ch)
{
	const struct wait_targets *t = session_targets(c->session);
	int64_t s = chat_is_waiting(ch) ? t->first_response_s
		    : ch->mode == CHAT_MODE_AGENT ? t->next_response_s : 0;

	if (!s || ch->awaiting_reply_since == TS_NONE)
		return INT64_MIN;
	return ch->awaiting_reply_since + s * 1000;
}

/* The row's right text against the target: "0:42 left", counting down in
 * whole seconds rounded up so that 0:00 is the breach, then "BREACHED
 * 0:07", how long past it (a word, so that it reads without colour).
 * Returns how long the text stays the same. */
static int64_t format_target(int64_t deadline, int64_t now, bool *breached, char *out,
			     size_t len)
{
	char clock[48];
	int64_t left = deadline - now;

	*breached = left <= 0;
	if (*breached) {
		clock_format(-left / 1000, clock, sizeof clock);
		snprintf(out, len, "BREACHED %s", clock);
		return 1000 - -left % 1000;
	}
	clock_format((left + 999) / 1000, clock, sizeof clock);
	snprintf(out, len, "%s left", clock);
	return (left - 1) % 1000 + 1;
}

static void draw_chat(struct console *c, const struct chat *ch, int y, bool selected)
{
	const struct rect *r = &c->layout.list;
	/* The selection is bright only while the list has the keys. */
	attr_t base = !selected ? c->attrs[EL_ROW]
		      : c->focus == PANE_LIST ? c->attrs[EL_ROW_SELECTED]
					      : c->attrs[EL_ROW_DIM] | A_REVERSE;
	attr_t dim = selected ? base : c->attrs[EL_ROW_DIM];
	bool waiting = chat_is_waiting(ch), mine = chat_is_mine(c, ch);
	int x = r->x, end = r->x + r->w;
	char right[64] = "", meta[160];

	draw_fill(y, r->x, r->w, base);
	draw_fill(y + 1, r->x, r->w, base);

	/* Line 1: mark, customer, channel, responder, ticket; age at the right. */
	const char *mark = waiting ? "!" : mine ? "*" : ch->responder.type == RESPONDER_AGENT ? ">"
											      : " ";
	x += draw_str(y, x, 2, mark,
		      selected ? base : c->attrs[waiting ? EL_WAITING : mine ? EL_MINE : EL_ROW]);
	x++;
	/* At the right: the time left against the hub's target when one
	 * applies, else how long a waiting chat waited, else how old its
	 * latest message is. */
	bool waited = waiting && ch->escalated_at != TS_NONE, breached = false;
	int64_t since = waited ? ch->escalated_at : ch->latest.present ? ch->latest.at : TS_NONE;
	int64_t now = ts_now(), deadline = target_deadline(c, ch), unchanged = 0;
	/* Unread messages in words, not only a colour: "3 new", "99+ new". */
	int64_t unread = attention_unread(c, ch);
	if (unread > 0)
		snprintf(right, sizeof right, "%lld%s new%s", (long long)unread,
			 unread >= UNREAD_MAX ? "+" : "",
			 deadline != INT64_MIN || since != TS_NONE ? ", " : "");
	size_t used = strlen(right);
	if (deadline != INT64_MIN) {
		unchanged = format_target(deadline, now, &breached, right + used, sizeof right - used);
	} else if (since != TS_NONE) {
		char age[16];
		format_age(now - since, age, sizeof age);
		snprintf(right + used, sizeof right - used, waited ? "waited %s" : "%s", age);
		unchanged = age_unchanged_for(now - since);
	}
	/* The clock wakes for the first of the rows' texts to change. */
	if (unchanged && (!c->list_changes_at || now + unchanged < c->list_changes_at))
		c->list_changes_at = now + unchanged;
	int rw = (int)strlen(right);
	int name_end = end - rw - 1;
	x += draw_untrusted(y, x, name_end - x, ch->owner.name, base | A_BOLD);
	char origin[96];
	notice_origin(ch, origin, sizeof origin);
	snprintf(meta, sizeof meta, "  %s  ", origin);
	x += draw_untrusted(y, x, name_end - x, meta, dim);
	if (ch->responder.type == RESPONDER_AGENT)
		x += draw_untrusted(y, x, name_end - x, ch->responder.name ? ch->responder.name : "agent",
				    dim);
	else
		x += draw_str(y, x, name_end - x, notice_unheld(ch), dim);
	if (ch->ticket.present) {
		char ticket[32];
		snprintf(ticket, sizeof ticket, " · %s", ticket_status_name(ch->ticket.status));
		draw_str(y, x, name_end - x, ticket, dim);
	}
	if (rw && rw < r->w) {
		/* "3 new, " in the row's colour, bold; the time after it in the
		 * breach colour once the target has passed. */
		attr_t attr = (selected ? base : c->attrs[waiting ? EL_WAITING : EL_ROW_DIM]) |
			      (unread > 0 ? A_BOLD : 0);
		draw_str(y, end - rw, (int)used, right, attr);
		draw_str(y, end - rw + (int)used, rw - (int)used, right + used,
			 breached ? c->attrs[EL_BREACH] : attr);
	}

	/* Line 2: title, latest message, the one before where it fits. */
	x = r->x + 2;
	if (ch->title) {
		x += draw_untrusted(y + 1, x, end - x, ch->title, base);
		x += draw_str(y + 1, x, end - x, " — ", dim);
	}
	if (ch->latest.present)
		x += draw_untrusted(y + 1, x, end - x, ch->latest.text, dim);
	if (ch->previous.present && end - x > 12) {
		x += draw_str(y + 1, x, end - x, " · ", dim);
		draw_untrusted(y + 1, x, end - x, ch->previous.text, dim);
	}
}

/* Keep the selected row on screen. */
static void scroll_to_selection(struct console *c, size_t sel)
{
	size_t shown = visible_chats(c);

	if (!shown)
		return;
	if (sel < c->list_top)
		c->list_top = sel;
	else if (sel >= c->list_top + shown)
		c->list_top = sel - shown + 1;
}

long list_page_rows(const struct console *c)
{
	size_t n = visible_chats(c);
	return n > 1 ? (long)n - 1 : 1;
}

void list_reset(struct console *c)
{
	c->selected[0] = '\0';
	c->list_top = 0;
	c->list_settled = false;
	c->list_at_end = false;
}

/* Until the agent moves it, the selection is the first row, and it stays
 * on its chat only once the tab's first page came from the hub. Before
 * that the view holds what other views' pages brought (the All page's
 * waiting chats, the newest escalations), and the hub's first rows (the
 * longest waits) go in above them. */
void list_follow(struct console *c, size_t old_index)
{
	const struct view *v = current_view(c);
	size_t n = view_count(v);

	if (c->list_at_end && n) {
		/* After End: the last row, wherever the end has gone since. */
		snprintf(c->selected, sizeof c->selected, "%s", view_at(v, n - 1)->id);
		return;
	}
	if (!c->list_settled) {
		c->list_settled = session_view_loaded(c->session, tab_view(c->tab));
		old_index = 0;
	} else if (c->selected[0] && view_index_of(v, c->selected) != VIEW_NONE) {
		return;
	}
	if (n == 0) {
		c->selected[0] = '\0';
		return;
	}
	if (old_index == VIEW_NONE || old_index >= n)
		old_index = old_index == VIEW_NONE ? 0 : n - 1;
	snprintf(c->selected, sizeof c->selected, "%s", view_at(v, old_index)->id);
}

bool list_move(struct console *c, long delta)
{
	const struct view *v = current_view(c);
	size_t n = view_count(v), sel = c->selected[0] ? view_index_of(v, c->selected) : VIEW_NONE;

	c->list_at_end = false;
	if (n == 0)
		return false;
	long to = sel == VIEW_NONE ? 0 : (long)sel + delta;
	if (to < 0)
		to = 0;
	if (to >= (long)n)
		to = (long)n - 1;
	if (sel != VIEW_NONE && (size_t)to == sel)
		return false;
	snprintf(c->selected, sizeof c->selected, "%s", view_at(v, (size_t)to)->id);
	c->list_settled = true;
	scroll_to_selection(c, (size_t)to);
	console_dirty(c, DIRTY_LIST);
	return true;
}

/* The last row. The pages that come after (the window at the end asks for
 * the next one, list_draw) go in below it, and the selection follows the
 * end down through them (list_follow) until the agent moves. */
void list_end(struct console *c)
{
	list_move(c, (long)view_count(current_view(c)));
	c->list_at_end = true;
	c->list_settled = true;
	console_dirty(c, DIRTY_LIST);
}

bool list_click(struct console *c, int y)
{
	const struct view *v = current_view(c);
	int top = c->layout.list.y + head_rows(c);
	size_t i = c->list_top + (size_t)((y - top) / ROWS_PER_CHAT);

	if (y < top || i >= view_count(v))
		return false;
	snprintf(c->selected, sizeof c->selected, "%s", view_at(v, i)->id);
	c->list_settled = true;
	c->list_at_end = false;
	console_dirty(c, DIRTY_LIST);
	return true;
}

static const char *empty_text(const struct console *c)
{
	switch (c->tab) {
	case TAB_WAITING:
		return "Nobody is waiting for a human. New escalations appear here.";
	case TAB_MINE:
		return "You hold no chats. Take one over with t.";
	case TAB_SEARCH:
		return c->search[0] ? "Nothing matches the search." : "Type / to search.";
	case TAB_ALL:
		break;
	default:
		return "No chat matches. Chats that come to match appear here.";
	}
	return "No chats yet.";
}

void list_draw(struct console *c)
{
	const struct rect *r = &c->layout.list;
	const struct view *v = current_view(c);
	size_t n = view_count(v), shown = visible_chats(c);

	c->list_changes_at = 0;
	if (r->h <= 0 || r->w <= 0)
		return;
	list_follow(c, 0);
	size_t sel = c->selected[0] ? view_index_of(v, c->selected) : VIEW_NONE;
	if (sel != VIEW_NONE)
		scroll_to_selection(c, sel);
	if (c->list_top >= n)
		c->list_top = n > shown ? n - shown : 0;
	/* The next page while the rows shown come within a screenful of the
	 * end of what is loaded: the window, not the selection, and only
	 * once the tab's first page came (the session asks for that one, at
	 * start once the stream said hello). Until then the selection is the
	 * first row (list_follow), so the hub's first page going in above
	 * the rows other pages brought cannot push it, and the window, to
	 * the end again and again. */
	if (session_view_loaded(c->session, tab_view(c->tab)) && c->list_top + 2 * shown >= n)
		session_view_more(c->session, tab_view(c->tab));
	for (int y = r->y; y < r->y + r->h; y++)
		draw_fill(y, r->x, r->w, c->attrs[EL_ROW]);
	int top = r->y + head_rows(c);
	if (head_rows(c))
		draw_head(c, n);
	if (n == 0) {
		draw_str(top + 1, r->x + 2, r->w - 2, empty_text(c), c->attrs[EL_ROW_DIM]);
	} else {
		for (size_t i = 0; i < shown && c->list_top + i < n; i++) {
			size_t k = c->list_top + i;
			draw_chat(c, view_at(v, k), top + (int)i * ROWS_PER_CHAT, k == sel);
		}
	}
	if (c->layout.split) {
		attrset(c->attrs[EL_RULE]);
		mvvline(r->y, c->layout.rule_x, ACS_VLINE, r->h);
	}
}
