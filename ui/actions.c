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
#include "composer.h"
#include "console.h"
#include "dialogs.h"
#include "saved_views.h"
#include "pane.h"
#include "screen.h"
#include "views.h"

/* ---- the answer of the hub ---------------------------------------------- */

static void done_takeover(void *ctx, const struct api_result *r)
{
	struct console *c = ctx;
	char reply[32], back[32], ok[128];

	snprintf(ok, sizeof ok, "You hold this chat now: %s replies, %s hands it back",
		 keymap_name(c->keys, KC_MAIN, "reply", reply, sizeof reply),
		 keymap_name(c->keys, KC_MAIN, "handback", back, sizeof back));
	console_report(c, r, ok);
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

/* The moving keys go to the focused pane (pane.h). */
static void act_down(struct console *c) { pane_focused(c)->step(c, 1); }
static void act_up(struct console *c) { pane_focused(c)->step(c, -1); }
static void act_page_up(struct console *c) { pane_focused(c)->page(c, -1); }
static void act_page_down(struct console *c) { pane_focused(c)->page(c, 1); }
static void act_top(struct console *c) { pane_focused(c)->edge(c, -1); }
static void act_bottom(struct console *c) { pane_focused(c)->edge(c, 1); }

static void act_open(struct console *c)
{
	const struct chat *ch = console_selected(c);

	if (c->details.focused) {
		details_open_selected(c);
		return;
	}
	if (!ch) {
		console_say(c, true, "No chat selected");
		return;
	}
	console_open_chat(c, ch->id);
}

static void act_switch_pane(struct console *c)
{
	if (c->details.focused) {
		details_leave(c);
		return;
	}
	if (c->focus == PANE_LIST && !console_open(c)[0]) {
		char open[32];
		console_say(c, false, "Open a chat first (%s)",
			    keymap_name(c->keys, KC_MAIN, "open", open, sizeof open));
		return;
	}
	c->focus = c->focus == PANE_LIST ? PANE_THREAD : PANE_LIST;
	screen_resize(c);
}

void tab_show(struct console *c, enum tab t)
{
	c->tab = t;
	list_reset(c);
	c->focus = PANE_LIST;
	/* Its first page again if it never came (the hub refused it); the
	 * next ones as the rows shown near the end (list_draw). */
	if (!session_view_loaded(c->session, tab_view(t)))
		session_view_more(c->session, tab_view(t));
	list_follow(c, 0);
	screen_resize(c);
}

static void act_tab_waiting(struct console *c) { tab_show(c, TAB_WAITING); }
static void act_tab_mine(struct console *c) { tab_show(c, TAB_MINE); }
static void act_tab_all(struct console *c) { tab_show(c, TAB_ALL); }

static void act_search(struct console *c)
{
	console_dialog(c, dialog_prompt_new(PROMPT_SEARCH, "", c->search));
}

static void act_find_messages(struct console *c)
{
	console_dialog(c, dialog_find_new(c));
}

static void act_tab_search(struct console *c)
{
	if (!c->search[0]) {
		act_search(c);
		return;
	}
	tab_show(c, TAB_SEARCH);
}

/* Esc: out of the customer details, else out of the open thread, else
 * out of the search or the filter. */
static void act_back(struct console *c)
{
	if (c->details.shown && (c->details.focused || !c->layout.details_side)) {
		details_hide(c);
	} else if (console_open(c)[0]) {
		session_close_thread(c->session);
		c->focus = PANE_LIST;
		screen_resize(c);
	} else if (c->tab == TAB_SEARCH) {
		c->search[0] = '\0';
		session_search(c->session, NULL, NULL);
		tab_show(c, TAB_ALL);
	} else if (c->tab == TAB_FILTER) {
		session_filter(c->session, VIEW_FILTER, NULL, NULL);
		tab_show(c, TAB_ALL);
	}
}

/* ---- changing a chat ----------------------------------------------------- */

bool chat_is_mine(const struct console *c, const struct chat *ch)
{
	const char *me = store_me(c->store);
	return ch->responder.type == RESPONDER_AGENT && me && strcmp(ch->responder.id, me) == 0;
}

static bool held_by_colleague(const struct console *c, const struct chat *ch)
{
	return ch->responder.type == RESPONDER_AGENT && !chat_is_mine(c, ch);
}

static const char *holder_name(const struct chat *ch)
{
	return ch->responder.name ? ch->responder.name : "another agent";
}

static void takeover(struct console *c, const char *chat_id, bool force)
{
	struct errbuf err;

	report_start(c, session_takeover(c->session, chat_id, force, done_takeover, c, &err), &err);
}

static void act_takeover(struct console *c)
{
	const struct chat *ch = console_target(c);

	if (ch)
		takeover(c, ch->id, false);
}

static void handback(struct console *c, const char *chat_id)
{
	struct errbuf err;

	report_start(c, session_handback(c->session, chat_id, done_handback, c, &err), &err);
}

/* A colleague's chat goes back to the bot only once the agent says so. */
static void act_handback(struct console *c)
{
	const struct chat *ch = console_target(c);
	char q[300];

	if (!ch)
		return;
	if (!held_by_colleague(c, ch)) {
		handback(c, ch->id);
		return;
	}
	snprintf(q, sizeof q, "%.200s holds this chat. Hand it back to the bot?", holder_name(ch));
	console_dialog(c, dialog_confirm_new(q, handback, ch->id));
}

/* Supervisors only, as the hub says (doc/protocol.md); refused here first
 * so the agent learns it before a dialog, not after. */
static bool supervisor(struct console *c, const char *what)
{
	const struct agent *me = session_me(c->session);

	if (me && me->role == ACCOUNT_SUPERVISOR)
		return true;
	console_say(c, true, "Only a supervisor can %s", what);
	return false;
}

static void force_takeover(struct console *c, const char *chat_id) { takeover(c, chat_id, true); }

static void act_force_takeover(struct console *c)
{
	const struct chat *ch = console_target(c);
	char q[300];

	if (!ch || !supervisor(c, "force a takeover"))
		return;
	if (!held_by_colleague(c, ch)) {
		takeover(c, ch->id, false);
		return;
	}
	snprintf(q, sizeof q, "Take this chat over from %.200s?", holder_name(ch));
	console_dialog(c, dialog_confirm_new(q, force_takeover, ch->id));
}

static void done_stop(void *ctx, const struct api_result *r)
{
	console_report(ctx, r, "Stopped: neither the bot nor an agent answers this chat now");
}

static void stop_chat(struct console *c, const char *chat_id)
{
	struct errbuf err;

	report_start(c, session_stop_chat(c->session, chat_id, done_stop, c, &err), &err);
}

static void act_stop(struct console *c)
{
	const struct chat *ch = console_target(c);

	if (ch && supervisor(c, "stop a conversation"))
		console_dialog(c, dialog_confirm_new("Stop this conversation? Neither the bot nor an "
						     "agent will answer it any more.",
						     stop_chat, ch->id));
}

/* Replies need the chat held (doc/protocol.md): say so before the agent
 * types one, not after it fails. Notes need no hold. */
static void open_composer(struct console *c, bool internal)
{
	const struct chat *ch = console_target(c);
	char key[32], say[160];

	if (!ch)
		return;
	if (!internal && !chat_is_mine(c, ch)) {
		console_say(c, true, "You don't hold this chat: %s takes it over, then you can reply",
			    keymap_name(c->keys, KC_MAIN, "takeover", key, sizeof key));
		return;
	}
	if (strcmp(ch->id, console_open(c)) != 0)
		console_open_chat(c, ch->id);
	c->composer.active = true;
	c->composer.internal = internal;
	memcpy(c->composer.chat, ch->id, sizeof c->composer.chat);
	c->focus = PANE_THREAD;
	screen_resize(c);
	composer_keys_said(c, say, sizeof say);
	console_say(c, false, "%s: %s", internal ? "Internal note (agents only)" : "Reply", say);
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
static void act_details(struct console *c) { details_toggle(c); }
static void act_stats(struct console *c) { console_dialog(c, dialog_stats_new(c)); }
static void act_dashboard(struct console *c) { console_dialog(c, dialog_dashboard_new(c)); }
static void act_quit(struct console *c) { console_quit(c, false); }
static void act_redraw(struct console *c) { screen_resize(c); }

const struct action actions[] = {
	{"down", NULL, "Next chat, or scroll the thread down", act_down},
	{"up", NULL, "Previous chat, or scroll the thread up", act_up},
	{"open", "Open", "Open the selected chat's thread", act_open},
	{"switch-pane", "Pane", "Switch between the list and the thread", act_switch_pane},
	{"search", "Search", "Search chats (title, customer, last message)", act_search},
	{"tab-waiting", NULL, "Waiting: escalated, no agent yet, oldest first", act_tab_waiting},
	{"tab-mine", NULL, "Mine: the chats you hold", act_tab_mine},
	{"tab-all", NULL, "All chats, latest message first", act_tab_all},
	{"tab-search", NULL, "The search results", act_tab_search},
	{"find-messages", "Find", "Search the messages of every chat; open one at that message",
	 act_find_messages},
	{"takeover", "Take", "Take over the chat from the bot", act_takeover},
	{"handback", "Back", "Hand the chat back to the bot (asks if a colleague holds it)",
	 act_handback},
	{"force-takeover", "Force", "Supervisors: take a chat over from a colleague",
	 act_force_takeover},
	{"stop", "Stop", "Supervisors: stop the conversation (asks first)", act_stop},
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
	{"details", "Customer", "Customer details and earlier chats (Enter opens one); again: hide",
	 act_details},
	{"help", "Help", "This help", act_help},
	{"back", "Close", "Close the customer details or the thread, or leave the search or the filter",
	 act_back},
	{"redraw", NULL, "Redraw the screen", act_redraw},
	{"quit", "Quit", "Quit (asks while replies are still sending)", act_quit},
	{"tab-view-1", NULL, "Saved view 1 (tab 5)", act_tab_view1},
	{"tab-view-2", NULL, "Saved view 2 (tab 6)", act_tab_view2},
	{"tab-view-3", NULL, "Saved view 3 (tab 7)", act_tab_view3},
	{"tab-view-4", NULL, "Saved view 4 (tab 8)", act_tab_view4},
	{"tab-view-5", NULL, "Saved view 5 (tab 9)", act_tab_view5},
	{"filter", "Filter", "Filter the list: status, channel, source, holder, escalated",
	 act_filter},
	{"save-view", NULL, "Save the filter as a view, a tab of its own (config file)",
	 act_save_view},
	{"delete-view", NULL, "Delete the saved view of this tab (asks first)", act_delete_view},
	{"stats", "Stats", "Daily counts of the last 30 days as charts, with the platforms' own",
	 act_stats},
	{"away", NULL, "Away, or back online: an away agent is offered no chats", act_away},
	{"accept-offer", NULL, "Accept the chat the hub offers you (auto-assignment)",
	 act_accept_offer},
	{"pass-offer", NULL, "Pass the offered chat on to the next agent", act_pass_offer},
	{"dashboard", "Team", "The team dashboard: waits, breaches, each agent's load, today",
	 act_dashboard},
};

const size_t nactions = sizeof actions / sizeof actions[0];

