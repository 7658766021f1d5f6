/*
 * session_actions.c — what the agent does to a chat, through the API; a
 * changed chat the hub answers with goes into the store at once (its event
 * follows and changes nothing, by version), so the screen does not wait
 * for the stream to show the agent's own action.
 */
#include <stdlib.h>

#include "session_internal.h"

struct action_call {
	struct session *s;
	session_done_fn *done;
	void *ctx;
};

static void on_action(void *ctx, struct api_result *r)
{
	struct action_call *ac = ctx;
	struct session *s = ac->s;

	if (!s->closing) {
		if (r->err == API_ERR_NONE && r->chat)
			store_put_chat(s->store, r->chat, NULL);
		if (ac->done)
			ac->done(ac->ctx, r);
	}
	free(ac);
}

static struct action_call *action_call(struct session *s, session_done_fn *done, void *ctx,
				       struct errbuf *err)
{
	struct action_call *ac = malloc(sizeof *ac);

	if (!ac)
		errbuf_set(err, "out of memory");
	else
		*ac = (struct action_call){s, done, ctx};
	return ac;
}

/* Every action has the same shape: make the call's context, start it, and
 * free the context when the call could not start. */
#define START_ACTION(call)                                                      \
	do {                                                                    \
		struct action_call *ac = action_call(s, done, ctx, err);        \
		if (!ac)                                                        \
			return false;                                           \
		if (call)                                                       \
			return true;                                            \
		free(ac);                                                       \
		return false;                                                   \
	} while (0)

bool session_takeover(struct session *s, const char *chat_id, bool force, session_done_fn *done,
		      void *ctx, struct errbuf *err)
{
	START_ACTION(api_takeover(s->api, chat_id, force, on_action, ac, err));
}

bool session_handback(struct session *s, const char *chat_id, session_done_fn *done, void *ctx,
		      struct errbuf *err)
{
	START_ACTION(api_handback(s->api, chat_id, on_action, ac, err));
}

bool session_assign(struct session *s, const char *chat_id, const char *agent_id,
		    session_done_fn *done, void *ctx, struct errbuf *err)
{
	START_ACTION(api_assign(s->api, chat_id, agent_id, on_action, ac, err));
}

bool session_rate(struct session *s, const char *chat_id, int score, const char *feedback,
		  const char *suggested, session_done_fn *done, void *ctx, struct errbuf *err)
{
	START_ACTION(api_rating(s->api, chat_id, score, feedback, suggested, on_action, ac, err));
}

bool session_retitle(struct session *s, const char *chat_id, const char *title,
		     session_done_fn *done, void *ctx, struct errbuf *err)
{
	START_ACTION(api_chat_patch(s->api, chat_id, title, NULL, on_action, ac, err));
}

bool session_set_status(struct session *s, const char *chat_id, const char *status,
			session_done_fn *done, void *ctx, struct errbuf *err)
{
	START_ACTION(api_chat_patch(s->api, chat_id, NULL, status, on_action, ac, err));
}

bool session_stop_chat(struct session *s, const char *chat_id, session_done_fn *done, void *ctx,
		       struct errbuf *err)
{
	START_ACTION(api_stop(s->api, chat_id, on_action, ac, err));
}

bool session_agents(struct session *s, session_done_fn *done, void *ctx, struct errbuf *err)
{
	START_ACTION(api_agents(s->api, on_action, ac, err));
}

bool session_reply(struct session *s, const char *chat_id, const char *text, bool internal,
		   char *out_id, struct errbuf *err)
{
	if (!outbox_add(s->outbox, chat_id, text, internal, out_id, err))
		return false;
	session_outbox_arm(s);
	return true;
}
