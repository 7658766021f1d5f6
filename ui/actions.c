/*
 * actions.c — the action table and what each action does (see actions.h).
 *
 * Actions that change a chat go to the session; the hub's answer comes
 * back to on_done, which says on the status line what happened, in the
 * hub's words when it refused ("chat is held by agent Ana"): an action is
 * never a silent no-op.
 */
#include <stdio.h>
#include <string.h>

#include "actions.h"
#include "console.h"
#include "dialogs.h"
#include "screen.h"
#include "views.h"

/* ---- the answer of the hub ---------------------------------------------- */

static void done_takeover(void *ctx, const struct api_result *r)
{
	console_report(ctx, r, "You hold this chat now: r replies, b hands it back");
}

static void done_handback(void *ctx, const struct api_result *r)
{
	console_report(ctx, r, "Handed back to the bot");
}

/* Start a session call on the target chat; a call that cannot even start
 * says why. */
static void report_start(struct console *c, bool started, const struct errbuf *err)
{
	if (!started)
		console_say(c, true, "%s", err->msg);
	else
		console_say(c, false, "Working...");
}

/* ---- moving around ------------------------------------------------------ */

static bool thread_has_focus(const struct console *c)
{
	return console_open(c)[0] && c->focus == PANE_THREAD;
}

static void act_down(struct console *c)
{
	if (thread_has_focus(c))
		thread_scroll(c, -1);
	else
		list_move(c, 1);
}

static void act_up(struct console *c)
{
	if (thread_has_focus(c))
		thread_scroll(c, 1);
	else
		list_move(c, -1);
}

static void act_open(struct console *c)
{
	const struct chat *ch = console_selected(c);

	if (!ch) {
		console_say(c, true, "No chat selected");
		return;
	}
	console_open_chat(c, ch->id);
}

static void act_switch_pane(struct console *c)
{
	if (c->focus == PANE_LIST && !console_open(c)[0]) {
		console_say(c, false, "Open a chat first (Enter)");
		return;
	}
	c->focus = c->focus == PANE_LIST ? PANE_THREAD : PANE_LIST;
	screen_resize(c);
}

static void set_tab(struct console *c, enum tab t)
{
	c->tab = t;
	c->list_top = 0;
	c->selected[0] = '\0';
	c->focus = PANE_LIST;
	session_view_more(c->session, tab_view(t));
	list_follow(c, 0);
	screen_resize(c);
}

static void act_tab_waiting(struct console *c) { set_tab(c, TAB_WAITING); }
static void act_tab_mine(struct console *c) { set_tab(c, TAB_MINE); }
static void act_tab_all(struct console *c) { set_tab(c, TAB_ALL); }

static void act_search(struct console *c)
{
	console_dialog(c, dialog_prompt_new(PROMPT_SEARCH, "", c->search));
}

static void act_tab_search(struct console *c)
{
	if (!c->search[0]) {
		act_search(c);
		return;
	}
	set_tab(c, TAB_SEARCH);
}

/* Page keys page whichever pane has the focus. */
static void act_page_up(struct console *c)
{
	if (thread_has_focus(c))
		thread_scroll(c, thread_page_rows(c) - 1);
	else
		list_move(c, -list_page_rows(c));
}

static void act_page_down(struct console *c)
{
	if (thread_has_focus(c))
		thread_scroll(c, -(thread_page_rows(c) - 1));
	else
		list_move(c, list_page_rows(c));
}

static void act_top(struct console *c)
{
	if (thread_has_focus(c))
		thread_to_top(c);
	else
		list_move(c, -(long)view_count(store_view(c->store, tab_view(c->tab))));
}

static void act_bottom(struct console *c)
{
	if (thread_has_focus(c))
		thread_to_bottom(c);
	else
		list_move(c, (long)view_count(store_view(c->store, tab_view(c->tab))));
}

/* Esc: out of the open thread, else out of the search. */
static void act_back(struct console *c)
{
	if (console_open(c)[0]) {
		session_close_thread(c->session);
		c->focus = PANE_LIST;
		screen_resize(c);
	} else if (c->tab == TAB_SEARCH) {
		c->search[0] = '\0';
		session_search(c->session, NULL, NULL);
		set_tab(c, TAB_ALL);
	}
}

/* ---- changing a chat ----------------------------------------------------- */

static void act_takeover(struct console *c)
{
	const struct chat *ch = console_target(c);
	struct errbuf err;

	if (ch)
		report_start(c, session_takeover(c->session, ch->id, false, done_takeover, c, &err),
			     &err);
}

static void act_handback(struct console *c)
{
	const struct chat *ch = console_target(c);
	struct errbuf err;

	if (ch)
		report_start(c, session_handback(c->session, ch->id, done_handback, c, &err), &err);
}

static void open_composer(struct console *c, bool internal)
{
	const struct chat *ch = console_target(c);

	if (!ch)
		return;
	if (strcmp(ch->id, console_open(c)) != 0)
		console_open_chat(c, ch->id);
	c->composer.active = true;
	c->composer.internal = internal;
	memcpy(c->composer.chat, ch->id, sizeof c->composer.chat);
	c->focus = PANE_THREAD;
	screen_resize(c);
	console_say(c, false, internal ? "Internal note (agents only): Enter saves, Alt-Enter "
					 "new line, Esc cancels"
				       : "Reply: Enter sends, Alt-Enter new line, Esc cancels");
}

static void act_reply(struct console *c) { open_composer(c, false); }
static void act_note(struct console *c) { open_composer(c, true); }

static void act_rate(struct console *c)
{
	const struct chat *ch = console_target(c);

	if (ch)
		console_dialog(c, dialog_rate_new(ch->id));
}

static void act_retitle(struct console *c)
{
	const struct chat *ch = console_target(c);

	if (ch)
		console_dialog(c, dialog_prompt_new(PROMPT_RETITLE, ch->id,
						    ch->title ? ch->title : ""));
}

static void act_status(struct console *c)
{
	const struct chat *ch = console_target(c);

	if (ch)
		console_dialog(c, dialog_status_new(ch->id));
}

static void act_assign(struct console *c)
{
	const struct chat *ch = console_target(c);

	if (ch)
		console_dialog(c, dialog_assign_new(c, ch->id));
}

/* Send again the replies of this chat the hub refused. */
static void act_retry(struct console *c)
{
	const struct chat *ch = console_target(c);
	int n;

	if (!ch)
		return;
	n = session_retry(c->session, ch->id);
	if (n)
		console_say(c, false, "Sending %d failed repl%s again", n, n == 1 ? "y" : "ies");
	else
		console_say(c, false, "No failed replies in this chat");
	console_dirty(c, DIRTY_THREAD);
}

/* Give up the newest reply of this chat the hub refused: the one just
 * above the composer, the one the agent just read about. */
static void act_drop(struct console *c)
{
	const struct chat *ch = console_target(c);
	struct session_reply r;
	char id[CLIENT_MSG_ID_MAX_CHARS + 1] = "";
	struct errbuf err;
	size_t pos = 0;

	if (!ch)
		return;
	while (session_replies_next(c->session, ch->id, &pos, &r))
		if (r.state == SESSION_REPLY_FAILED)
			snprintf(id, sizeof id, "%s", r.client_msg_id);
	if (!id[0])
		console_say(c, false, "No failed replies in this chat");
	else if (!session_drop(c->session, id, &err))
		console_say(c, true, "Cannot drop the reply: %s", err.msg);
	else
		console_say(c, false, "Failed reply dropped");
	console_dirty(c, DIRTY_THREAD);
}

/* ---- the rest ------------------------------------------------------------ */

static void act_help(struct console *c) { console_dialog(c, dialog_help_new()); }
static void act_quit(struct console *c) { console_quit(c, false); }
static void act_redraw(struct console *c) { screen_resize(c); }

const struct action actions[] = {
	{"down", NULL, "Next chat, or scroll the thread down", act_down},
	{"up", NULL, "Previous chat, or scroll the thread up", act_up},
	{"open", "Open", "Open the selected chat's thread", act_open},
	{"switch-pane", NULL, "Switch between the list and the thread", act_switch_pane},
	{"search", "Search", "Search chats (title, customer, last message)", act_search},
	{"tab-waiting", NULL, "Waiting: escalated, no agent yet, oldest first", act_tab_waiting},
	{"tab-mine", NULL, "Mine: the chats you hold", act_tab_mine},
	{"tab-all", NULL, "All chats, latest message first", act_tab_all},
	{"tab-search", NULL, "The search results", act_tab_search},
	{"takeover", "Take", "Take over the chat from the bot", act_takeover},
	{"handback", "Back", "Hand the chat back to the bot", act_handback},
	{"reply", "Reply", "Reply to the customer", act_reply},
	{"note", "Note", "Write an internal note (agents only)", act_note},
	{"rate", "Rate", "Rate the conversation (1-5, feedback)", act_rate},
	{"retitle", "Title", "Give the chat a title", act_retitle},
	{"status", "Status", "Set the ticket status", act_status},
	{"assign", "Assign", "Give the chat to another agent", act_assign},
	{"retry", NULL, "Send the chat's failed replies again", act_retry},
	{"drop", NULL, "Drop the chat's newest failed reply (it is never sent)", act_drop},
	{"page-up", NULL, "A page up: the thread (loads older messages) or the list", act_page_up},
	{"page-down", NULL, "A page down: the thread or the list", act_page_down},
	{"top", NULL, "The thread's first message, or the list's first chat", act_top},
	{"bottom", NULL, "The thread's latest message, or the list's last chat", act_bottom},
	{"help", "Help", "This help", act_help},
	{"back", NULL, "Close the thread, or leave the search", act_back},
	{"redraw", NULL, "Redraw the screen", act_redraw},
	{"quit", "Quit", "Quit (asks while replies are still sending)", act_quit},
};

const size_t nactions = sizeof actions / sizeof actions[0];

const struct action *action_find(const char *name)
{
	for (size_t i = 0; i < nactions; i++)
		if (strcmp(actions[i].name, name) == 0)
			return &actions[i];
	return NULL;
}
