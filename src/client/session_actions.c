/*
 * session_actions.c — what the agent does to a chat, through the API; a
 * changed chat the hub answers with goes into the store at once (its event
 * follows and changes nothing, by version), so the screen does not wait
 * for the stream to show the agent's own action.
 *
 * Order. The hub applies requests in the order they reach it, and two
 * requests in flight together may reach it in either order (separate
 * connections, a retry, a stalled keep-alive). So the actions on one chat
 * go out one at a time, in the order the agent gave them: a takeover then
 * a handback is never applied as a handback then a takeover. An action on
 * a chat that has one in flight waits in a queue and starts when the one
 * before it has finished, whatever its outcome; the agent sees each
 * outcome in turn. Actions on different chats do not wait for each other.
 *
 * Replies are ordered with the actions, in the order typed. A reply typed
 * while an action on its chat is out gets a mark (struct later_reply): the
 * outbox holds it back (session_actions_hold) until every action given
 * before it has finished, so a reply typed after a takeover is not sent
 * before the takeover is applied. The other way round, an action waits
 * until the replies typed before it (the chat's PENDING entries without a
 * mark) have left the outbox's queue: sent, or refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session_internal.h"

enum action_kind {
	ACT_TAKEOVER,
	ACT_HANDBACK,
	ACT_ASSIGN,
	ACT_RATE,
	ACT_RETITLE,
	ACT_STATUS,
	ACT_STOP,
	ACT_ACCEPT, /* v1.1: an offer */
	ACT_PASS,
	ACT_AGENTS, /* no chat: never waits */
	ACT_CANNED, /* no chat: never waits */
	ACT_OWNER,  /* no chat either; arg[0] is the owner */
	ACT_STATS,  /* no chat: never waits */
	ACT_SEARCH, /* no chat: never waits; arg[0] the text */
};

/* One action, from the call that gave it to its outcome. What a queued
 * one will send is kept here until it starts. */
struct action {
	struct action *next;         /* the session's actions, oldest first */
	struct session *s;
	uint64_t ticket;             /* rises with every action given */
	enum action_kind kind;
	char *chat;                  /* NULL for ACT_AGENTS, ACT_CANNED, ACT_OWNER, ACT_STATS, ACT_SEARCH */
	bool started;
	bool force;                  /* takeover */
	int score;                   /* rate */
	/* assign: the agent; retitle: the title; status: the status; rate:
	 * the feedback and the suggested answer; stats: from and to. NULL
	 * when not given. */
	char *arg[2];
	session_done_fn *done;
	void *ctx;
};

static void action_free(struct action *a)
{
	free(a->chat);
	free(a->arg[0]);
	free(a->arg[1]);
	free(a);
}

/* A reply typed while `after` (the newest action on its chat then) or
 * older ones were still out. */
struct later_reply {
	struct later_reply *next;
	char client_msg_id[CLIENT_MSG_ID_MAX_CHARS + 1];
	uuid_str chat;
	uint64_t after;
};

static void unlink_action(struct session *s, struct action *a)
{
	for (struct action **p = &s->actions; *p; p = &(*p)->next) {
		if (*p == a) {
			*p = a->next;
			return;
		}
	}
}

/* The oldest action on `chat` (in flight or waiting), or NULL. */
static struct action *first_on(const struct session *s, const char *chat)
{
	for (struct action *a = s->actions; a; a = a->next)
		if (a->chat && strcmp(a->chat, chat) == 0)
			return a;
	return NULL;
}

/* The newest action on `chat`, or NULL. */
static struct action *last_on(const struct session *s, const char *chat)
{
	struct action *last = NULL;

	for (struct action *a = s->actions; a; a = a->next)
		if (a->chat && strcmp(a->chat, chat) == 0)
			last = a;
	return last;
}

bool session_actions_hold(void *session, const struct outbox_entry *e)
{
	const struct session *s = session;

	for (const struct later_reply *l = s->later_replies; l; l = l->next)
		if (strcmp(l->client_msg_id, e->client_msg_id) == 0)
			return true;
	return false;
}

/* Forget the marks of replies whose actions have all finished: they go
 * now, and an action given later waits for them like for any older reply. */
static void prune_later_replies(struct session *s, const char *chat)
{
	const struct action *oldest = first_on(s, chat);

	for (struct later_reply **p = &s->later_replies; *p;) {
		struct later_reply *l = *p;

		if (strcmp(l->chat, chat) == 0 && (!oldest || l->after < oldest->ticket)) {
			*p = l->next;
			free(l);
		} else {
			p = &l->next;
		}
	}
}

/* Whether a reply typed before `a` is still to be sent or answered. */
static bool older_reply_pending(const struct session *s, const struct action *a)
{
	for (size_t i = 0; i < outbox_count(s->outbox); i++) {
		const struct outbox_entry *e = outbox_entry_at(s->outbox, i);

		if (e->state == OUTBOX_PENDING && strcmp(e->chat_id, a->chat) == 0 &&
		    !session_actions_hold((void *)s, e))
			return true;
	}
	return false;
}

static void on_action(void *ctx, struct api_result *r);

static bool action_send(struct action *a, struct errbuf *err)
{
	struct api *api = a->s->api;

	switch (a->kind) {
	case ACT_TAKEOVER:
		return api_takeover(api, a->chat, a->force, on_action, a, err);
	case ACT_HANDBACK:
		return api_handback(api, a->chat, on_action, a, err);
	case ACT_ASSIGN:
		return api_assign(api, a->chat, a->arg[0], on_action, a, err);
	case ACT_RATE:
		return api_rating(api, a->chat, a->score, a->arg[0], a->arg[1], on_action, a, err);
	case ACT_RETITLE:
		return api_chat_patch(api, a->chat, a->arg[0], NULL, on_action, a, err);
	case ACT_STATUS:
		return api_chat_patch(api, a->chat, NULL, a->arg[0], on_action, a, err);
	case ACT_STOP:
		return api_stop(api, a->chat, on_action, a, err);
	case ACT_ACCEPT:
		return api_accept(api, a->chat, on_action, a, err);
	case ACT_PASS:
		return api_pass(api, a->chat, on_action, a, err);
	case ACT_AGENTS:
		return api_agents(api, on_action, a, err);
	case ACT_CANNED:
		return api_canned_list(api, on_action, a, err);
	case ACT_OWNER:
		return api_owner(api, a->arg[0], on_action, a, err);
	case ACT_STATS:
		return api_stats_daily(api, a->arg[0], a->arg[1], on_action, a, err);
	case ACT_SEARCH:
		return api_search(api, a->arg[0], SESSION_SEARCH_LIMIT, on_action, a, err);
	}
	return errbuf_set(err, "unknown action");
}

/* Start the oldest action of `chat` if it waits for nothing any more. One
 * that cannot even start is reported failed, and the next one is tried.
 * Then the replies no action holds back any more may go. */
static void start_next(struct session *s, const char *chat)
{
	struct action *a;
	struct errbuf err;

	prune_later_replies(s, chat);
	while ((a = first_on(s, chat)) && !a->started && !older_reply_pending(s, a)) {
		a->started = true;
		if (action_send(a, &err))
			break;
		struct api_result r;

		memset(&r, 0, sizeof r);
		r.err = API_ERR_UNREACHABLE;
		memcpy(r.text, err.msg, sizeof r.text);
		unlink_action(s, a);
		if (a->done)
			a->done(a->ctx, &r);
		action_free(a);
		prune_later_replies(s, chat);
	}
	outbox_tick(s->outbox);
	session_outbox_arm(s);
}

void session_actions_kick(struct session *s, const char *chat_id)
{
	if (first_on(s, chat_id))
		start_next(s, chat_id);
}

void session_actions_reply_changed(struct session *s, const struct outbox_entry *e)
{
	if (s->marking && !s->marking->client_msg_id[0])
		snprintf(s->marking->client_msg_id, sizeof s->marking->client_msg_id, "%s",
			 e->client_msg_id);
	else if (e->state != OUTBOX_PENDING)
		session_actions_kick(s, e->chat_id);
}

static void on_action(void *ctx, struct api_result *r)
{
	struct action *a = ctx;
	struct session *s = a->s;

	unlink_action(s, a);
	if (!s->closing) {
		if (r->err == API_ERR_NONE && r->chat)
			store_put_chat(s->store, r->chat, NULL);
		/* A customer's other chats: held like any, so one opens at once. */
		for (size_t i = 0; r->err == API_ERR_NONE && r->owner && i < r->owner->n; i++)
			store_put_chat(s->store, &r->owner->chats[i], NULL);
		if (a->done)
			a->done(a->ctx, r);
		if (a->chat)
			start_next(s, a->chat);
	}
	action_free(a);
}

/* Queue `a` behind the session's actions and start it unless an older one
 * on its chat is still out. False (a freed) when it could not start. */
static bool submit(struct session *s, struct action *a, struct errbuf *err)
{
	bool wait = a->chat && (first_on(s, a->chat) || older_reply_pending(s, a));
	struct action **p = &s->actions;

	a->ticket = ++s->tickets;
	while (*p)
		p = &(*p)->next;
	*p = a;
	if (wait)
		return true;
	a->started = true;
	if (action_send(a, err))
		return true;
	unlink_action(s, a);
	action_free(a);
	return false;
}

/* Copy `from` into *to; NULL stays NULL. False when out of memory. */
static bool copy(char **to, const char *from)
{
	return !from || (*to = strdup(from));
}

/* A new action on `chat` (NULL: none) with its arguments copied. NULL
 * with `err` set when out of memory. An id that is not valid is kept as
 * given: the API refuses it when the action starts, which is at once,
 * since no valid action can be ahead of it on that "chat". */
static struct action *action_new(struct session *s, enum action_kind kind, const char *chat,
				 const char *arg0, const char *arg1, session_done_fn *done,
				 void *ctx, struct errbuf *err)
{
	struct action *a = calloc(1, sizeof *a);

	if (!a || !copy(&a->chat, chat) || !copy(&a->arg[0], arg0) || !copy(&a->arg[1], arg1)) {
		if (a)
			action_free(a);
		errbuf_set(err, "out of memory");
		return NULL;
	}
	a->s = s;
	a->kind = kind;
	a->done = done;
	a->ctx = ctx;
	return a;
}

void session_actions_free(struct session *s)
{
	while (s->actions) {
		struct action *a = s->actions;

		s->actions = a->next;
		action_free(a);
	}
	while (s->later_replies) {
		struct later_reply *l = s->later_replies;

		s->later_replies = l->next;
		free(l);
	}
}

bool session_takeover(struct session *s, const char *chat_id, bool force, session_done_fn *done,
		      void *ctx, struct errbuf *err)
{
	struct action *a = action_new(s, ACT_TAKEOVER, chat_id, NULL, NULL, done, ctx, err);

	if (a)
		a->force = force;
	return a && submit(s, a, err);
}

bool session_handback(struct session *s, const char *chat_id, session_done_fn *done, void *ctx,
		      struct errbuf *err)
{
	struct action *a = action_new(s, ACT_HANDBACK, chat_id, NULL, NULL, done, ctx, err);

	return a && submit(s, a, err);
}

bool session_offer_answer(struct session *s, const char *chat_id, bool accept,
			  session_done_fn *done, void *ctx, struct errbuf *err)
{
	struct action *a = action_new(s, accept ? ACT_ACCEPT : ACT_PASS, chat_id, NULL, NULL, done,
				      ctx, err);

	return a && submit(s, a, err);
}

bool session_assign(struct session *s, const char *chat_id, const char *agent_id,
		    session_done_fn *done, void *ctx, struct errbuf *err)
{
	struct action *a = action_new(s, ACT_ASSIGN, chat_id, agent_id, NULL, done, ctx, err);

	return a && submit(s, a, err);
}

bool session_rate(struct session *s, const char *chat_id, int score, const char *feedback,
		  const char *suggested, session_done_fn *done, void *ctx, struct errbuf *err)
{
	struct action *a = action_new(s, ACT_RATE, chat_id, feedback, suggested, done, ctx, err);

	if (a)
		a->score = score;
	return a && submit(s, a, err);
}

bool session_retitle(struct session *s, const char *chat_id, const char *title,
		     session_done_fn *done, void *ctx, struct errbuf *err)
{
	struct action *a = action_new(s, ACT_RETITLE, chat_id, title, NULL, done, ctx, err);

	return a && submit(s, a, err);
}

bool session_set_status(struct session *s, const char *chat_id, const char *status,
			session_done_fn *done, void *ctx, struct errbuf *err)
{
	struct action *a = action_new(s, ACT_STATUS, chat_id, status, NULL, done, ctx, err);

	return a && submit(s, a, err);
}

bool session_stop_chat(struct session *s, const char *chat_id, session_done_fn *done, void *ctx,
		       struct errbuf *err)
{
	struct action *a = action_new(s, ACT_STOP, chat_id, NULL, NULL, done, ctx, err);

	return a && submit(s, a, err);
}

bool session_agents(struct session *s, session_done_fn *done, void *ctx, struct errbuf *err)
{
	struct action *a = action_new(s, ACT_AGENTS, NULL, NULL, NULL, done, ctx, err);

	return a && submit(s, a, err);
}

bool session_canned(struct session *s, session_done_fn *done, void *ctx, struct errbuf *err)
{
	struct action *a = action_new(s, ACT_CANNED, NULL, NULL, NULL, done, ctx, err);

	return a && submit(s, a, err);
}

bool session_owner(struct session *s, const char *owner_id, session_done_fn *done, void *ctx,
		   struct errbuf *err)
{
	struct action *a = action_new(s, ACT_OWNER, NULL, owner_id, NULL, done, ctx, err);

	return a && submit(s, a, err);
}

bool session_stats(struct session *s, const char *from, const char *to, session_done_fn *done,
		   void *ctx, struct errbuf *err)
{
	struct action *a = action_new(s, ACT_STATS, NULL, from, to, done, ctx, err);

	return a && submit(s, a, err);
}

bool session_find_messages(struct session *s, const char *text, session_done_fn *done, void *ctx,
			   struct errbuf *err)
{
	struct action *a = action_new(s, ACT_SEARCH, NULL, text, NULL, done, ctx, err);

	return a && submit(s, a, err);
}

bool session_reply(struct session *s, const char *chat_id, const char *text, bool internal,
		   char *out_id, struct errbuf *err)
{
	const struct action *newest = last_on(s, chat_id);
	struct later_reply *l = NULL;

	if (newest) {
		if (!(l = calloc(1, sizeof *l)))
			return errbuf_set(err, "out of memory");
		snprintf(l->chat, sizeof l->chat, "%s", chat_id);
		l->after = newest->ticket;
		l->next = s->later_replies;
		s->later_replies = l;
		/* outbox_add may send the reply before it returns; it tells
		 * session_outbox_changed of the new entry first, which names
		 * the mark (session_actions_mark). */
		s->marking = l;
	}
	bool ok = outbox_add(s->outbox, chat_id, text, internal, out_id, err);

	s->marking = NULL;
	if (l && !ok) {
		s->later_replies = l->next;
		free(l);
	}
	if (ok)
		session_outbox_arm(s);
	return ok;
}
