/*
 * notice.h — notices in the agent's words: what a system message of the
 * thread says ("You assigned the chat to Ben", "Ana joined"), a ticket
 * status change, a chat a colleague gave the agent.
 *
 * Pure text, no curses, so it is tested on its own. Names in the result
 * are accounts' and customers' words: draw it with draw_untrusted.
 */
#ifndef HANDOFF_UI_NOTICE_H
#define HANDOFF_UI_NOTICE_H

#include <stddef.h>

#include "model.h"

/* The signed-in agent, as far as the console knows it (both NULL before
 * the hub's hello). */
struct notice_me {
	const char *id;
	const char *name;
};

/* What system message `m` says, after its time: "Ana joined", "You
 * handed it back to the bot", "Sue assigned the chat to you". A
 * reassignment is the hub's own sentence (it names both agents), in the
 * second person where it names the agent. */
void notice_system(const struct message *m, const struct notice_me *me, char *out, size_t len);

/* Who answers a chat no agent holds, in one word: "bot", "stopped" (a
 * stopped chat: nobody answers it any more), "nobody". */
const char *notice_unheld(const struct chat *ch);

/* Where a chat comes from, in a few words: its channel, and the platform
 * a bridge brought it from ("whatsapp via botpress"); the channel alone
 * when the hub knows no platform (chats fed by hand, or before v1.1). */
void notice_origin(const struct chat *ch, char *out, size_t len);

/* A ticket status change seen in the thread: "ticket status set to
 * solved". */
void notice_ticket(enum ticket_status status, char *out, size_t len);

/* The status line's news when a colleague's assignment `m` gave the agent
 * chat `ch`: "Ana assigned you the chat with Maria G. (2 lists yours)". */
void notice_assigned(const struct chat *ch, const struct message *m, char *out, size_t len);

/* The customer of `ch`, a chat the agent holds, wrote: "Maria G. wrote in
 * your chat (2 lists yours)". */
void notice_answer(const struct chat *ch, char *out, size_t len);

/* A new escalation: "Maria G. is waiting for a human (1 lists them)". */
void notice_escalation(const struct chat *ch, char *out, size_t len);

#endif
