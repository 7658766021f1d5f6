/*
 * notice.c — notices in the agent's words (see notice.h).
 *
 * The hub words its notices in the third person ("Ana assigned the chat
 * to Ben") and names every agent, so for a reassignment its sentence is
 * the truth to show: who acted and who holds the chat now. The console
 * only says "you" where the sentence names the agent reading it.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "notice.h"

/* The words after the actor's name, by system type; NULL: the hub's
 * sentence as it is. */
static const char *const after_actor[] = {
	[SYSTEM_TYPE_AGENT_JOINED] = "joined",
	[SYSTEM_TYPE_AGENT_LEFT] = "handed it back to the bot",
	[SYSTEM_TYPE_CONVERSATION_STOPPED] = "stopped the conversation",
};

static bool is_me(const struct notice_me *me, const struct author *a)
{
	return me && me->id && a->id[0] && strcmp(me->id, a->id) == 0;
}

/* Whether `s` ends with `suffix`. */
static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* The hub's sentence `text` by `actor`, with the actor's leading name as
 * "You" when it is me, and a last " to NAME" / " from NAME" naming me as
 * " to you" / " from you". */
static void second_person(const char *text, const char *actor, bool actor_is_me,
			  const char *me_name, char *out, size_t len)
{
	static const char *const before_object[] = {" to ", " from "};
	size_t an = actor ? strlen(actor) : 0;
	const char *lead = "", *rest = text, *tail = "";

	if (actor_is_me && an && strncmp(text, actor, an) == 0 && text[an] == ' ') {
		lead = "You";
		rest = text + an;
	}
	size_t n = strlen(rest), mn = me_name ? strlen(me_name) : 0;
	for (size_t i = 0; mn && i < sizeof before_object / sizeof *before_object; i++) {
		size_t bn = strlen(before_object[i]);
		if (n >= mn + bn && ends_with(rest, n, me_name) &&
		    ends_with(rest, n - mn, before_object[i])) {
			n -= mn;
			tail = "you";
			break;
		}
	}
	snprintf(out, len, "%s%.*s%s", lead, (int)n, rest, tail);
}

void notice_system(const struct message *m, const struct notice_me *me, char *out, size_t len)
{
	enum system_type t = m->system_type;
	const char *words = (size_t)t < sizeof after_actor / sizeof *after_actor ? after_actor[t]
										   : NULL;

	if (t == SYSTEM_TYPE_CONVERSATION_ESCALATED)
		snprintf(out, len, "escalated to a human");
	else if (t == SYSTEM_TYPE_CHAT_REASSIGNED)
		second_person(m->text, m->author.name, is_me(me, &m->author), me ? me->name : NULL,
			      out, len);
	else if (words && is_me(me, &m->author))
		snprintf(out, len, "You %s", words);
	else if (words && m->author.name)
		snprintf(out, len, "%s %s", m->author.name, words);
	else
		snprintf(out, len, "%s", m->text);
}

const char *notice_unheld(const struct chat *ch)
{
	if (ch->state == CHAT_STATE_STOPPED)
		return "stopped";
	return ch->responder.type == RESPONDER_BOT ? "bot" : "nobody";
}

void notice_origin(const struct chat *ch, char *out, size_t len)
{
	const char *channel = channel_type_name(ch->channel.type);

	if (ch->source.present && ch->source.platform && ch->source.platform[0])
		snprintf(out, len, "%s via %s", channel, ch->source.platform);
	else
		snprintf(out, len, "%s", channel);
}

void notice_ticket(enum ticket_status status, char *out, size_t len)
{
	snprintf(out, len, "ticket status set to %s", ticket_status_name(status));
}

void notice_assigned(const struct chat *ch, const struct message *m, char *out, size_t len)
{
	snprintf(out, len, "%s assigned you the chat with %s (2 lists yours)",
		 m->author.name ? m->author.name : "A colleague", ch->owner.name);
}

void notice_answer(const struct chat *ch, char *out, size_t len)
{
	snprintf(out, len, "%s wrote in your chat (2 lists yours)",
		 ch->owner.name ? ch->owner.name : "The customer");
}

void notice_escalation(const struct chat *ch, char *out, size_t len)
{
	snprintf(out, len, "%s is waiting for a human (1 lists them)",
		 ch->owner.name ? ch->owner.name : "A customer");
}
