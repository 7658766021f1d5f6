/*
 * attention.c — telling an agent who looks elsewhere that something needs
 * them: a notice on the status line, the terminal bell and the window
 * title, when a colleague gives the agent a chat, when a customer writes
 * in a chat the agent holds, and on each new escalation (each switchable
 * in the config file); and marking the open chat read.
 *
 * Only escalations that happen while the console runs count: the waiting
 * chats of the first page are not news, and ringing for each of them at
 * start would teach the agent to ignore the bell.
 */
#include <stdio.h>
#include <string.h>

#include "console.h"
#include "notice.h"

/*
 * The terminal's own way to set its title, from terminfo (tsl ... fsl:
 * "\033]2;" ... "\007" on xterm-likes and tmux): a terminal that declares
 * none gets no title escapes at all. A tsl that takes a parameter (a
 * status-line column, on old terminals) is not a window title: none then.
 */
static const char *title_start(void)
{
	static char tsl_name[] = "tsl";
	char *tsl = tigetstr(tsl_name);

	return tsl && tsl != (char *)-1 && *tsl && !strchr(tsl, '%') ? tsl : NULL;
}

static const char *title_end(void)
{
	static char fsl_name[] = "fsl";
	char *fsl = tigetstr(fsl_name);

	return fsl && fsl != (char *)-1 ? fsl : "";
}

/* The title, written with putp() so curses knows nothing moved; our text
 * only, never a customer's. The first time, the terminal is asked to save
 * its own title (XTWINOPS 22), which attention_end restores (23). */
static void set_title(struct console *c, size_t waiting, const char *news)
{
	const char *tsl = title_start();
	char text[128];

	if (!tsl)
		return;
	if (!c->title_set)
		putp("\033[22;2t");
	c->title_set = true;
	snprintf(text, sizeof text, "handoff: %zu waiting%s", waiting, news);
	putp(tsl);
	putp(text);
	putp(title_end());
	fflush(stdout);
}

void attention_end(struct console *c)
{
	if (!c->title_set)
		return;
	putp("\033[23;2t");
	fflush(stdout);
	c->title_set = false;
}

/* The notice, then bell and title, as the agent's settings ask. */
static void alert(struct console *c, const char *notice, const char *news)
{
	console_say(c, false, "%s", notice);
	if (c->cfg->bell)
		beep();
	if (c->cfg->title)
		set_title(c, view_count(store_view(c->store, VIEW_WAITING)), news);
}

void attention_new_escalation(struct console *c, const char *chat_id)
{
	const struct chat *ch = store_chat(c->store, chat_id);
	char notice[600];

	if (!c->cfg->notify_escalation || !ch || ch->escalated_at == TS_NONE ||
	    ch->escalated_at < c->started_at)
		return;
	notice_escalation(ch, notice, sizeof notice);
	alert(c, notice, "");
}

void attention_assigned(struct console *c, const struct chat *ch, const struct message *m)
{
	char notice[1200];

	if (!c->cfg->notify_assigned)
		return;
	notice_assigned(ch, m, notice, sizeof notice);
	alert(c, notice, ", a chat assigned to you");
}

/*
 * Is the agent reading chat_id down to its newest message: its thread open
 * and its pane shown (a narrow terminal shows the list instead while it has
 * the keys), not scrolled up (new lines below are counted, unseen), not
 * under a dialog?
 */
static bool reading_newest(const struct console *c, const char *chat_id)
{
	return strcmp(chat_id, console_open(c)) == 0 && c->layout.thread.w > 0 &&
	       c->layout.thread.h > 0 && c->thread_view_scroll == 0 && !c->dialog;
}

void attention_answer(struct console *c, const struct chat *ch)
{
	char notice[600];

	/* The agent reading that very thread at its newest line saw it. */
	if (!c->cfg->notify_answer || reading_newest(c, ch->id))
		return;
	notice_answer(ch, notice, sizeof notice);
	alert(c, notice, ", a customer wrote to you");
}

int64_t attention_unread(const struct console *c, const struct chat *ch)
{
	return ch->unread > 0 && reading_newest(c, ch->id) ? 0 : ch->unread;
}

static void on_read_due(uv_timer_t *h)
{
	attention_read_open(h->data, false);
}

void attention_read_open(struct console *c, bool now)
{
	const char *open = console_open(c);
	const struct chat *ch = open[0] ? store_chat(c->store, open) : NULL;
	uint64_t t = uv_now(c->loop);

	if (!ch || ch->unread <= 0 || !reading_newest(c, ch->id))
		return;
	/* Each mark is a write in the hub and an event back to every
	 * console: while messages pour in, one per READ_MARK_GAP_MS (the
	 * screen already counts them read, attention_unread). */
	if (!now && c->read_marked && t < c->read_marked + READ_MARK_GAP_MS) {
		if (!uv_is_active((uv_handle_t *)&c->read_due))
			uv_timer_start(&c->read_due, on_read_due, c->read_marked + READ_MARK_GAP_MS - t,
				       0);
		return;
	}
	c->read_marked = t;
	session_mark_read(c->session, ch->id, ch->message_count);
}
