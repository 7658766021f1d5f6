/*
 * view_bars.c — the header (queue tabs with live counts, the connection,
 * the signed-in agent), the status line and the function bar.
 */
#include <stdio.h>
#include <string.h>

#include "saved_views.h"
#include "views.h"
#include "draw.h"
#include "textwidth.h"

static const char *const tab_names[TAB_VIEW] = {"Waiting", "Mine", "All", "Search"};

/* How much a tab label says: all of it; the unread count without its
 * word; and also a saved view by key and count only. At 80 columns the
 * header takes the first that fits beside the connection. */
enum tab_fit { TAB_FULL, TAB_SHORT, TAB_BRIEF };

/* "1 Waiting 3", "3 All 100+" (more pages on the hub), "2 Mine 4 (2 new)"
 * (chats with unread messages among those loaded; short: "(2)"), "4 Search",
 * a saved view "5 open-wa 2" (brief: "5 2"), the filtered list "Filter 4"
 * (no key of its own). */
static void tab_label(const struct console *c, enum tab t, enum tab_fit fit, char *out,
		      size_t len)
{
	enum view_kind v = tab_view(t);
	size_t n = view_count(store_view(c->store, v));
	size_t unread = view_unread(store_view(c->store, v));
	const struct chat *open = console_open(c)[0] ? store_chat(c->store, console_open(c)) : NULL;
	/* The open chat read at its newest counts as read (attention_unread). */
	if (unread && open && open->unread > 0 && !attention_unread(c, open) &&
	    view_index_of(store_view(c->store, v), open->id) != VIEW_NONE)
		unread--;
	const char *name = t < TAB_VIEW	   ? tab_names[t]
			   : t == TAB_FILTER ? "Filter"
			   : fit == TAB_BRIEF ? ""
					   : c->saved[t - TAB_VIEW].name;
	char key[8] = "", news[32] = "";

	if (t != TAB_FILTER)
		snprintf(key, sizeof key, "%d%s", t + 1, name[0] ? " " : "");
	if (unread)
		snprintf(news, sizeof news, fit == TAB_FULL ? " (%zu new)" : " (%zu)", unread);
	if (t == TAB_SEARCH && !c->search[0])
		snprintf(out, len, " %s%s ", key, name);
	else
		snprintf(out, len, " %s%s %zu%s%s ", key, name, n,
			 session_view_complete(c->session, v) || !n ? "" : "+", news);
}

/* The connection in a few words, and whether it is good news. */
static bool conn_label(const struct console *c, char *out, size_t len)
{
	const struct stream_status *st = &c->conn;

	switch (st->state) {
	case STREAM_LIVE:
		/* Away is the agent's own state: it reads without colour. */
		snprintf(out, len, c->away ? " live, away " : " live ");
		return !c->away;
	case STREAM_RETRYING: {
		uint64_t now = uv_now(c->loop);
		uint64_t s = st->retry_at_ms > now ? (st->retry_at_ms - now + 999) / 1000 : 0;
		snprintf(out, len, " reconnecting in %llu s ", (unsigned long long)s);
		return false;
	}
	case STREAM_OFFLINE:
		snprintf(out, len, " offline ");
		return false;
	case STREAM_CONNECTING:
	case STREAM_STOPPED:
		break;
	}
	snprintf(out, len, " connecting ");
	return false;
}

void header_draw(struct console *c)
{
	const struct rect *r = &c->layout.header;
	char label[64], conn[64];
	int x = r->x, end = r->x + r->w;

	if (r->h <= 0)
		return;
	draw_fill(r->y, r->x, r->w, c->attrs[EL_HEADER]);
	/* Right side: who is signed in, then the connection. */
	bool good = conn_label(c, conn, sizeof conn);
	const struct agent *me = session_me(c->session);
	char who[96] = "";
	if (me)
		snprintf(who, sizeof who, " %.60s ", me->name);
	int cw = (int)strlen(conn), ww = (int)strlen(who);
	/* At 80 columns the labels may not all fit beside the queues and the
	 * connection (the agent's name goes first): the first fit that does. */
	enum tab_fit fit = TAB_FULL;
	for (; fit < TAB_BRIEF; fit++) {
		int full = 0;
		for (int t = 0; t < TAB_COUNT; t++) {
			if (saved_views_tab_shown(c, (enum tab)t)) {
				tab_label(c, (enum tab)t, fit, label, sizeof label);
				full += (int)strlen(label) + 1;
			}
		}
		if (full + cw <= r->w)
			break;
	}
	for (int t = 0; t < TAB_COUNT && x < end; t++) {
		if (!saved_views_tab_shown(c, (enum tab)t))
			continue;
		/* The tab shown keeps its name. */
		tab_label(c, (enum tab)t, fit == TAB_BRIEF && t == (int)c->tab ? TAB_SHORT : fit,
			  label, sizeof label);
		x += draw_str(r->y, x, end - x, label,
			      c->attrs[t == (int)c->tab ? EL_TAB_ACTIVE : EL_TAB]);
		x++;
	}
	if (x + cw + ww <= end) {
		draw_untrusted(r->y, end - cw - ww, ww, who, c->attrs[EL_HEADER]);
		draw_str(r->y, end - cw, cw, conn, c->attrs[good ? EL_CONN_LIVE : EL_CONN_DOWN]);
	} else if (x + cw <= end) {
		draw_str(r->y, end - cw, cw, conn, c->attrs[good ? EL_CONN_LIVE : EL_CONN_DOWN]);
	}
}

void status_draw(struct console *c)
{
	const struct rect *r = &c->layout.status;
	attr_t a = c->attrs[c->status_error ? EL_STATUS_ERROR : EL_STATUS];

	if (r->h <= 0)
		return;
	draw_fill(r->y, r->x, r->w, c->attrs[EL_STATUS]);
	/* The offline reason matters more than the last message. */
	if (c->conn.state == STREAM_OFFLINE && c->conn_reason[0]) {
		char line[256];
		snprintf(line, sizeof line, "Offline: %s", c->conn_reason);
		draw_untrusted(r->y, r->x, r->w, line, c->attrs[EL_STATUS_ERROR]);
		return;
	}
	/* Messages quote the hub's words, which can quote what people typed. */
	draw_untrusted(r->y, r->x, r->w, c->status, a);
}

/* The context whose keys the bar shows, and which of its bars. */
static enum key_context bar_context(const struct console *c, int *which)
{
	*which = 0;
	if (c->dialog)
		return c->dialog->cls->context;
	if (c->composer.active && c->focus == PANE_THREAD)
		return KC_COMPOSER;
	if (console_open(c)[0] && c->focus == PANE_THREAD)
		*which = 1;
	return KC_MAIN;
}

/* One entry: "t" then "Take", and a space. */
static int entry_width(const struct console *c, enum key_context kc, const struct action *a,
		       char *key, size_t len)
{
	int code = keymap_key_of(&c->keys[kc], a);

	if (code < 0 || !a->label)
		return 0;
	key_format(code, key, len);
	return text_width(key, strlen(key)) + text_width(a->label, strlen(a->label)) + 1;
}

/* htop's function bar, per context: the entries in the order of the
 * context's bar, as many as fit whole; the last one (how to leave) is kept
 * at every width, so a narrow screen drops the least relevant, never cuts
 * one in half. */
void fbar_draw(struct console *c)
{
	const struct rect *r = &c->layout.fbar;
	int which, x = r->x, end = r->x + r->w;
	enum key_context kc = bar_context(c, &which);
	const char *const *bar = key_contexts[kc].bar[which];
	const struct action *last = NULL;
	char key[32];
	size_t n = 0;

	if (r->h <= 0)
		return;
	draw_fill(r->y, r->x, r->w, c->attrs[EL_FBAR_LABEL]);
	while (bar && bar[n])
		n++;
	if (n)
		last = action_find(kc, bar[n - 1]);
	int reserve = last ? entry_width(c, kc, last, key, sizeof key) : 0;
	for (size_t i = 0; i < n; i++) {
		const struct action *a = action_find(kc, bar[i]);
		int w = a ? entry_width(c, kc, a, key, sizeof key) : 0;
		if (!w || (a != last && x + w + reserve > end + 1) || x + w > end + 1)
			continue;
		x += draw_str(r->y, x, end - x, key, c->attrs[EL_FBAR_KEY]);
		x += draw_str(r->y, x, end - x, a->label, c->attrs[EL_FBAR_LABEL]);
		x++;
	}
}
