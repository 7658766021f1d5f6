/*
 * availability.c — the agent's own availability and the chats the hub
 * offers them (v1.1; doc/handoff.1, keys A, O and P).
 *
 * Away is the console's to say: a key toggles it, and `away_after`
 * (minutes, or seconds) without a key set it by themselves until the next key (an away
 * the agent chose stays until they choose otherwise). The session keeps
 * telling the hub across reconnects. An offer is the hub's: it names a
 * chat and how long the agent has to accept or pass; the console shows it
 * on the status line and forgets it when the hub says it ended or its
 * time ran out.
 */
#include <stdio.h>
#include <string.h>

#include "console.h"

static void set_away(struct console *c, bool away, bool automatic)
{
	c->away = away;
	c->away_auto = away && automatic;
	session_set_away(c->session, away);
	console_dirty(c, DIRTY_HEADER);
}

static void on_idle(uv_timer_t *t)
{
	struct console *c = t->data;

	if (!c->away)
		set_away(c, true, true);
}

void availability_start(struct console *c)
{
	uv_timer_init(c->loop, &c->idle);
	c->idle.data = c;
	c->handles_open++;
	availability_key(c);
}

void availability_close(struct console *c, uv_close_cb done)
{
	uv_close((uv_handle_t *)&c->idle, done);
}

void availability_key(struct console *c)
{
	if (c->away_auto)
		set_away(c, false, false);
	if (c->cfg->away_after_s && !c->quitting)
		uv_timer_start(&c->idle, on_idle, (uint64_t)c->cfg->away_after_s * 1000, 0);
}

void act_away(struct console *c)
{
	set_away(c, !c->away, false);
	console_say(c, false, c->away ? "You are away: no chat is offered to you"
				      : "You are back online");
}

/* The offered chat's customer, for the agent to know which it is. */
static const char *offer_who(const struct console *c, const char *chat_id)
{
	const struct chat *ch = store_chat(c->store, chat_id);

	return ch && ch->owner.name ? ch->owner.name : "a customer";
}

void availability_offer(struct console *c, const struct chat_offer *o)
{
	char accept[32], pass[32];

	if (o->seconds == 0) {
		if (strcmp(c->offer.chat, o->chat_id) != 0)
			return;
		c->offer.chat[0] = '\0';
		console_say(c, false, "The offer of the chat with %s ended",
			    offer_who(c, o->chat_id));
		return;
	}
	memcpy(c->offer.chat, o->chat_id, sizeof c->offer.chat);
	c->offer.until = uv_now(c->loop) + (uint64_t)o->seconds * 1000;
	keymap_name(c->keys, KC_MAIN, "accept-offer", accept, sizeof accept);
	keymap_name(c->keys, KC_MAIN, "pass-offer", pass, sizeof pass);
	console_say(c, false, "Offered to you: the chat with %s (%s accepts, %s passes; %lld s)",
		    offer_who(c, o->chat_id), accept, pass, (long long)o->seconds);
}

static void done_accept(void *ctx, const struct api_result *r)
{
	console_report(ctx, r, "Accepted: the chat is yours (2 lists yours)");
}

static void done_pass(void *ctx, const struct api_result *r)
{
	console_report(ctx, r, "Passed: the chat goes to the next agent");
}

static void answer_offer(struct console *c, bool accept)
{
	struct errbuf err;

	if (!c->offer.chat[0] || uv_now(c->loop) >= c->offer.until) {
		c->offer.chat[0] = '\0';
		console_say(c, false, "No chat is offered to you now");
		return;
	}
	if (!session_offer_answer(c->session, c->offer.chat, accept,
				  accept ? done_accept : done_pass, c, &err))
		console_say(c, true, "%s", err.msg);
	c->offer.chat[0] = '\0';
}

void act_accept_offer(struct console *c)
{
	answer_offer(c, true);
}

void act_pass_offer(struct console *c)
{
	answer_offer(c, false);
}
