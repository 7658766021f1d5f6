/*
 * view_details.c — the customer details: who the customer of the chat
 * looked at is, and their earlier chats, Enter opening one:
 *
 *    Customer
 *    Name     Maria G.
 *    Email    maria@example.com
 *    Phone    +34 600 111 222
 *    Id       cust-1042
 *    Channel  whatsapp
 *    Source   botpress
 *
 *    Earlier chats (2)
 *    2026-11-30  Order #1042 — where is my…
 *    2026-11-12  Refund for the blue shoes
 *
 * A side pane beside the thread on a wide screen, an overlay over the
 * list and the thread on a narrow one (layout_details). The hub is asked
 * once per customer (GET /v1/owners/{id}); their chats come into the
 * store with its answer, so one opens at once. Every value is the
 * customer's or a platform's text: drawn through draw_untrusted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "screen.h"
#include "timeutil.h"
#include "views.h"

/* Rows above the earlier chats: the title, six details, a blank line
 * and the list's heading; one below them for the keys. */
#define HEAD_ROWS 9
#define FOOT_ROWS 1

/* The chat whose customer is shown: the open thread's, else the
 * selected one. */
static const struct chat *looked_at(const struct console *c)
{
	const char *open = console_open(c);

	return open[0] ? store_chat(c->store, open) : console_selected(c);
}

/* The customer's chats but the one looked at: the i-th, or NULL. */
static const char *earlier_at(const struct console *c, size_t i)
{
	const struct chat *now = looked_at(c);

	for (size_t k = 0; k < c->details.n; k++) {
		if (now && strcmp(c->details.chats[k], now->id) == 0)
			continue;
		if (i-- == 0)
			return c->details.chats[k];
	}
	return NULL;
}

static size_t earlier_count(const struct console *c)
{
	size_t n = 0;

	while (earlier_at(c, n))
		n++;
	return n;
}

static void forget(struct details *d)
{
	free(d->name);
	free(d->email);
	free(d->phone);
	free(d->external_id);
	free(d->chats);
	d->name = d->email = d->phone = d->external_id = NULL;
	d->chats = NULL;
	d->n = d->sel = 0;
	d->owner[0] = '\0';
	d->error[0] = '\0';
	d->loading = false;
}

void details_free(struct console *c)
{
	forget(&c->details);
}

static bool dup_or_null(char **to, const char *from)
{
	return !from || (*to = strdup(from));
}

static bool take(struct details *d, const struct api_owner *o)
{
	if (!dup_or_null(&d->name, o->owner.name) || !dup_or_null(&d->email, o->owner.email) ||
	    !dup_or_null(&d->phone, o->phone) ||
	    !dup_or_null(&d->external_id, o->owner.external_id) ||
	    !(d->chats = calloc(o->n ? o->n : 1, sizeof *d->chats)))
		return false;
	for (size_t i = 0; i < o->n; i++)
		memcpy(d->chats[i], o->chats[i].id, sizeof d->chats[i]);
	d->n = o->n;
	return true;
}

/* The answer for the customer shown now is kept; one for a customer
 * shown before (the agent moved on meanwhile) is dropped. */
static void on_owner(void *ctx, const struct api_result *r)
{
	struct console *c = ctx;
	struct details *d = &c->details;

	if (c->quitting || !d->shown)
		return;
	if (r->err != API_ERR_NONE) {
		if (d->loading)
			snprintf(d->error, sizeof d->error, "%s", r->text);
		d->loading = false;
	} else if (r->owner && strcmp(r->owner->owner.id, d->owner) == 0) {
		uuid_str owner;
		memcpy(owner, d->owner, sizeof owner);
		forget(d);
		memcpy(d->owner, owner, sizeof owner);
		if (!take(d, r->owner))
			snprintf(d->error, sizeof d->error, "out of memory");
	}
	console_dirty(c, DIRTY_DETAILS);
}

static void fetch(struct console *c, const char *owner_id)
{
	struct details *d = &c->details;
	struct errbuf err;

	forget(d);
	snprintf(d->owner, sizeof d->owner, "%s", owner_id);
	d->loading = true;
	if (!session_owner(c->session, owner_id, on_owner, c, &err)) {
		snprintf(d->error, sizeof d->error, "%s", err.msg);
		d->loading = false;
	}
	console_dirty(c, DIRTY_DETAILS);
}

void details_follow(struct console *c)
{
	const struct chat *ch = c->details.shown ? looked_at(c) : NULL;

	if (ch && strcmp(ch->owner.id, c->details.owner) != 0)
		fetch(c, ch->owner.id);
}

void details_hide(struct console *c)
{
	forget(&c->details);
	c->details.shown = c->details.focused = false;
	screen_resize(c);
}

void details_toggle(struct console *c)
{
	struct details *d = &c->details;

	if (d->shown && d->focused) {
		details_hide(c);
		return;
	}
	if (!d->shown && !console_target(c))
		return;
	d->shown = d->focused = true;
	d->sel = 0;
	screen_resize(c);
	details_follow(c);
}

void details_leave(struct console *c)
{
	if (!c->layout.details_side) {
		details_hide(c);
		return;
	}
	c->details.focused = false;
	console_dirty(c, DIRTY_ALL);
}

void details_move(struct console *c, long delta)
{
	long n = (long)earlier_count(c), sel = (long)c->details.sel + delta;

	sel = sel >= n ? n - 1 : sel;
	c->details.sel = sel < 0 ? 0 : (size_t)sel;
	console_dirty(c, DIRTY_DETAILS);
}

void details_open_selected(struct console *c)
{
	const char *id = earlier_at(c, c->details.sel);
	uuid_str chat;

	if (!id) {
		console_say(c, false, "No earlier chat to open");
		return;
	}
	memcpy(chat, id, sizeof chat);
	/* The chat opened becomes the one looked at: the one left joins
	 * the earlier chats, from the top again. */
	c->details.sel = 0;
	if (c->layout.details_side)
		c->details.focused = false;
	else
		details_hide(c);
	console_open_chat(c, chat);
}

long details_page_rows(const struct console *c)
{
	long n = c->layout.details.h - HEAD_ROWS - FOOT_ROWS;
	return n > 0 ? n : 1;
}

/* "Label    value" on row y; a missing value is a dash. */
static void field(struct console *c, int y, const char *label, const char *value)
{
	const struct rect *r = &c->layout.details;
	int x = r->x + 1, w = r->w - 2;

	if (y >= r->y + r->h)
		return;
	int used = draw_str(y, x, w, label, c->attrs[EL_ROW_DIM]);
	used += draw_str(y, x + used, w - used, "  ", c->attrs[EL_ROW]);
	draw_untrusted(y, x + used, w - used, value && *value ? value : "-", c->attrs[EL_ROW]);
}

/* What a chat was about, in a line: its title, else what was said last
 * (the customer's words rather than the hub's "Escalated to a human
 * agent" after them). */
static const char *chat_gist(const struct chat *ch)
{
	if (ch->title)
		return ch->title;
	if (ch->latest.present && ch->latest.role == MSG_ROLE_SYSTEM && ch->previous.present)
		return ch->previous.text;
	return ch->latest.present ? ch->latest.text : "(no messages)";
}

static void draw_earlier(struct console *c, int y)
{
	const struct rect *r = &c->layout.details;
	size_t n = earlier_count(c), rows = (size_t)details_page_rows(c);
	size_t top = c->details.sel >= rows ? c->details.sel - rows + 1 : 0;
	char line[64], when[TS_STRLEN];

	snprintf(line, sizeof line, "Earlier chats (%zu)", n);
	draw_str(y++, r->x + 1, r->w - 2, line, c->attrs[EL_ROW] | A_BOLD);
	if (!n && y < r->y + r->h - FOOT_ROWS)
		draw_str(y, r->x + 1, r->w - 2, "None", c->attrs[EL_ROW_DIM]);
	for (size_t i = top; i < n && y < r->y + r->h - FOOT_ROWS; i++, y++) {
		const struct chat *ch = store_chat(c->store, earlier_at(c, i));
		bool sel = i == c->details.sel && c->details.focused;
		attr_t a = sel ? c->attrs[EL_ROW_SELECTED] : c->attrs[EL_ROW];
		if (!ch)
			continue;
		draw_fill(y, r->x, r->w, a);
		ts_format(ch->latest.present ? ch->latest.at : ch->created_at, when);
		snprintf(line, sizeof line, "%.10s ", when);
		int used = draw_str(y, r->x + 1, r->w - 2, line, a);
		draw_untrusted(y, r->x + 1 + used, r->w - 2 - used, chat_gist(ch), a);
	}
}

void details_draw(struct console *c)
{
	const struct rect *r = &c->layout.details;
	const struct details *d = &c->details;
	const struct chat *ch = looked_at(c);
	char keys[2][32], line[160], channel[NAME_MAX_CHARS * 4 + 40] = "";
	int y = r->y;

	if (!d->shown || r->h <= 0 || r->w <= 2)
		return;
	for (int i = r->y; i < r->y + r->h; i++)
		draw_fill(i, r->x, r->w, c->attrs[EL_ROW]);
	if (c->layout.details_side) {
		attrset(c->attrs[EL_RULE]);
		mvvline(r->y, r->x - 1, ACS_VLINE, r->h);
	}
	draw_fill(y, r->x, r->w, c->attrs[EL_HEADER]);
	draw_str(y++, r->x + 1, r->w - 2, "Customer", c->attrs[EL_HEADER] | A_BOLD);
	if (d->error[0]) {
		draw_untrusted(y, r->x + 1, r->w - 2, d->error, c->attrs[EL_STATUS_ERROR]);
	} else if (d->loading) {
		draw_str(y, r->x + 1, r->w - 2, "Asking the hub...", c->attrs[EL_ROW_DIM]);
	} else {
		field(c, y++, "Name   ", d->name);
		field(c, y++, "Email  ", d->email);
		field(c, y++, "Phone  ", d->phone);
		field(c, y++, "Id     ", d->external_id);
		/* The channel's type, and its name when it has one of its own. */
		if (ch) {
			const char *type = channel_type_name(ch->channel.type);
			bool named = ch->channel.name && strcmp(ch->channel.name, type) != 0;
			snprintf(channel, sizeof channel, "%s%s%s", type, named ? " · " : "",
				 named ? ch->channel.name : "");
		}
		field(c, y++, "Channel", channel);
		field(c, y++, "Source ", ch && ch->source.present ? ch->source.platform : NULL);
		if (++y < r->y + r->h - FOOT_ROWS)
			draw_earlier(c, y);
	}
	snprintf(line, sizeof line, "%s opens a chat  %s closes",
		 keymap_name(c->keys, KC_MAIN, "open", keys[0], sizeof keys[0]),
		 keymap_name(c->keys, KC_MAIN, "back", keys[1], sizeof keys[1]));
	if (d->focused)
		draw_str(r->y + r->h - 1, r->x + 1, r->w - 2, line, c->attrs[EL_ROW_DIM]);
}
