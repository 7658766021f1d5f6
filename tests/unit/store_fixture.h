/*
 * store_fixture.h — chats, messages and a recording listener for the store's
 * unit tests. Strings point to literals or to the fixture's buffers: the
 * store copies what it is given, so the tests never free them.
 */
#ifndef HANDOFF_TEST_STORE_FIXTURE_H
#define HANDOFF_TEST_STORE_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include "store.h"

#define FX_ME    "aaaaaaaa-bbbb-4ccc-8ddd-000000000001"
#define FX_OTHER "aaaaaaaa-bbbb-4ccc-8ddd-000000000002"
#define FX_T0    INT64_C(1795000000000) /* 2026-11-17, a base time */

/* Chat ids that sort like their numbers (same length, lowercase hex). */
static inline void fx_id(uuid_str out, unsigned n)
{
	snprintf(out, sizeof(uuid_str), "00000000-0000-4000-8000-%012x", n);
}

/* Chat n, version 1, held by the bot, latest message at `at`. */
static inline void fx_chat(struct chat *c, unsigned n, int64_t at)
{
	memset(c, 0, sizeof *c);
	fx_id(c->id, n);
	c->title = "Order problem";
	fx_id(c->channel.id, 999999);
	c->channel.name = "Website";
	c->channel.type = CHANNEL_WIDGET;
	fx_id(c->owner.id, 500000 + n);
	c->owner.name = "Maria G.";
	c->created_at = FX_T0;
	c->updated_at = at;
	c->latest = (struct preview){.present = true, .text = "Where is my parcel?", .at = at,
				     .role = MSG_ROLE_USER};
	c->responder.type = RESPONDER_BOT;
	c->responder.name = "Bot";
	c->mode = CHAT_MODE_AI;
	c->escalated_at = TS_NONE;
	c->state = CHAT_STATE_RUNNING;
	c->message_count = 1;
	c->version = 1;
}

static inline void fx_escalate(struct chat *c, int64_t at)
{
	c->escalated = true;
	c->escalated_at = at;
	c->version++;
}

static inline void fx_hold(struct chat *c, const char *agent)
{
	c->mode = CHAT_MODE_AGENT;
	c->responder.type = RESPONDER_AGENT;
	memcpy(c->responder.id, agent, sizeof c->responder.id);
	c->responder.name = "Ana";
	c->version++;
}

static inline void fx_message(struct message *m, const char *chat_id, int64_t seq)
{
	memset(m, 0, sizeof *m);
	snprintf(m->id, sizeof m->id, "11111111-0000-4000-8000-%012llx", (unsigned long long)seq);
	memcpy(m->chat_id, chat_id, sizeof m->chat_id);
	m->seq = seq;
	m->created_at = FX_T0 + seq;
	m->role = MSG_ROLE_USER;
	m->author.name = "Maria G.";
	m->text = "hello";
}

/* A listener that records what it hears. */
#define FX_MAX_CHANGES 64

struct fx_log {
	size_t n;
	struct store_change c[FX_MAX_CHANGES];
	uuid_str ids[FX_MAX_CHANGES];
};

static inline void fx_record(void *ctx, const struct store_change *ch)
{
	struct fx_log *log = ctx;

	if (log->n == FX_MAX_CHANGES)
		return;
	log->c[log->n] = *ch;
	snprintf(log->ids[log->n], sizeof log->ids[0], "%s", ch->chat_id);
	log->c[log->n].chat_id = log->ids[log->n];
	log->n++;
}

/* The change for `view` among the recorded ones, or NULL. */
static inline const struct store_change *fx_find(const struct fx_log *log,
						 enum store_change_kind kind, enum view_kind view)
{
	for (size_t i = 0; i < log->n; i++)
		if (log->c[i].kind == kind && log->c[i].view == view)
			return &log->c[i];
	return NULL;
}

#endif
