/*
 * attention.c — telling an agent who looks elsewhere that a customer
 * waits: the terminal bell and the window title, on each new escalation
 * and when a colleague gives the agent a chat.
 *
 * Only escalations that happen while the console runs count: the waiting
 * chats of the first page are not news, and ringing for each of them at
 * start would teach the agent to ignore the bell.
 */
#include <stdio.h>

#include "console.h"
#include "notice.h"

/* The title through the terminal's own escape (OSC 2), written with
 * putp() so curses knows nothing moved; our text only, never a customer's. */
static void set_title(size_t waiting, const char *news)
{
	char seq[128];

	snprintf(seq, sizeof seq, "\033]2;handoff: %zu waiting%s\007", waiting, news);
	putp(seq);
	fflush(stdout);
}

/* Bell and title, as the agent's settings ask. */
static void alert(struct console *c, const char *news)
{
	if (c->bell)
		beep();
	if (c->title)
		set_title(view_count(store_view(c->store, VIEW_WAITING)), news);
}

void attention_new_escalation(struct console *c, const char *chat_id)
{
	const struct chat *ch = store_chat(c->store, chat_id);

	if (!ch || ch->escalated_at == TS_NONE || ch->escalated_at < c->started_at)
		return;
	alert(c, "");
}

void attention_assigned(struct console *c, const struct chat *ch, const struct message *m)
{
	char news[1200];

	notice_assigned(ch, m, news, sizeof news);
	console_say(c, false, "%s", news);
	alert(c, ", a chat assigned to you");
}
