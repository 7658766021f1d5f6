/*
 * bridge_answer.c — a platform that is the bot's brain (platform.h's
 * `answer`), for the chats other sources bring into the hub.
 *
 * The hub sends an ingest account the events of the sources an operator
 * granted it (doc/protocol.md, "Ingest accounts and the event stream").
 * For those chats bridge_outbound.c calls answer_jobs_for, in the event's
 * transaction, and the queue's worker runs the jobs it writes:
 *
 *   a customer message, while the bot holds   -> answer: ask the platform,
 *     the chat (AI mode, not waiting for a       ingest its reply as the
 *     human, not stopped)                        bot's message
 *   AGENT_JOINED, CHAT_REASSIGNED             -> holder human (set_holder);
 *                                                the chat's queued answers
 *                                                are dropped (so on
 *                                                CONVERSATION_ESCALATED)
 *   AGENT_LEFT, CONVERSATION_STOPPED          -> holder bot
 *
 * The conversation on the platform is the hub chat (its id), so nothing is
 * mapped. Exactly once: the platform is asked with the customer message's
 * hub id as its key (a retry gets the first reply, asks nothing twice), and
 * the reply goes in with external_message_id "agent.<that id>", which the
 * hub stores once. A job repeated after a timeout or a kill -9 thus posts
 * nothing twice.
 *
 * Who answers (the agent and the workspace client it serves) reaches the
 * console as one notice per chat, before the agent's first reply: the hub
 * has no customer details to hold it (doc/bridges.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "api.h"
#include "bridge.h"
#include "jsonfield.h"
#include "log.h"
#include "model.h"
#include "uuid.h"

/* The notice's external_message_id, and its key in the state db's map. */
#define ABOUT_EXT "agent.about"

struct answer {
	struct bridge *b;
	pf_done_fn *done;
	void *ctx;
	uuid_str chat_id, msg_id;
	char *reply, *about;
	bool escalate;
	bool about_sent;
};

static void answer_free(struct answer *a)
{
	free(a->reply);
	free(a->about);
	free(a);
}

/* ---- events -> jobs ------------------------------------------------------------- */

static bool push(struct bridge *b, const char *kind, const struct chat *c, cJSON *payload)
{
	char *text = payload ? cJSON_PrintUnformatted(payload) : NULL;
	bool ok = text && bstate_job_push(b->st, kind, c->id, c->id, text);

	if (ok)
		log_debug("answer: chat %s: %s queued", c->id, kind);
	free(text);
	cJSON_Delete(payload);
	return ok;
}

bool answer_jobs_for(struct bridge *b, const struct event *e)
{
	const struct chat *c = e->chat;
	const struct message *m = e->message;
	cJSON *p;

	if (e->type != EVENT_MESSAGE_CREATED || !m)
		return true;
	if (m->role == MSG_ROLE_SYSTEM) {
		const char *holder = outbound_holder_after(m->system_type);
		int dropped = 0;
		/* A human was asked for, or took the chat: the answers still
		 * queued (waiting for a retry) would come too late. */
		if ((m->system_type == SYSTEM_TYPE_CONVERSATION_ESCALATED ||
		     (holder && strcmp(holder, "human") == 0)) &&
		    !bstate_job_drop(b->st, "answer", c->id, &dropped))
			return false;
		if (dropped)
			log_info("answer: chat %s: %d queued answer%s forgotten: the humans have it",
				 c->id, dropped, dropped == 1 ? "" : "s");
		if (!holder)
			return true;
		p = cJSON_CreateObject();
		if (p && !cJSON_AddStringToObject(p, "holder", holder)) {
			cJSON_Delete(p);
			p = NULL;
		}
		return push(b, "holder", c, p);
	}
	if (m->role != MSG_ROLE_USER)
		return true; /* the bot's own replies, agents' replies: not the brain's */
	/* A human holds the chat, or one was asked for and has not come yet,
	 * or nobody answers it any more: the bot keeps quiet. */
	if (c->mode != CHAT_MODE_AI || c->escalated || c->state == CHAT_STATE_STOPPED) {
		log_debug("answer: chat %s: message %s left to the humans", c->id, m->id);
		return true;
	}
	p = cJSON_CreateObject();
	if (p && (!cJSON_AddStringToObject(p, "msg_id", m->id) ||
		  !cJSON_AddStringToObject(p, "text", m->text) ||
		  !json_add_string_or_null(p, "customer", c->owner.name))) {
		cJSON_Delete(p);
		p = NULL;
	}
	return push(b, "answer", c, p);
}

/* ---- running an answer job ---------------------------------------------------- */

static void finish(struct answer *a, enum pf_status status, uint64_t retry_after_ms,
		   const char *why)
{
	struct pf_result r = {.status = status, .retry_after_ms = retry_after_ms};

	snprintf(r.text, sizeof r.text, "%s", why ? why : "");
	a->done(a->ctx, &r);
	answer_free(a);
}

static bool ingest(struct answer *a, struct errbuf *why);

static void on_ingest(void *ctx, struct api_result *r)
{
	struct answer *a = ctx;
	struct errbuf why;
	char key[64];

	if (r->err == API_ERR_SERVER && r->http_status == 409) {
		/* An agent took the chat, or stopped it, while the platform
		 * thought: the bot must stay silent, so the reply is not for
		 * the hub any more. */
		log_info("answer: chat %s: %s; the agent's reply to %s is not posted", a->chat_id,
			 r->text, a->msg_id);
		finish(a, PF_OK, 0, NULL);
		return;
	}
	if (r->err != API_ERR_NONE) {
		bool later = r->err != API_ERR_SERVER || r->http_status == 401 ||
			     r->http_status == 429 || r->http_status >= 500;
		finish(a, later ? PF_RETRY : PF_REFUSED, 0, r->text);
		return;
	}
	if (!a->about_sent) {
		snprintf(key, sizeof key, "%s.%s", ABOUT_EXT, a->chat_id);
		bstate_msg_add(a->b->st, key, r->message->id);
		a->about_sent = true;
		if (!ingest(a, &why))
			finish(a, PF_RETRY, 0, why.msg);
		return;
	}
	log_debug("answer: chat %s: reply to %s is message %s%s", a->chat_id, a->msg_id,
		  r->message->id, r->created ? "" : " (already there)");
	finish(a, PF_OK, 0, NULL);
}

/* The notice first (once per chat), then the reply. */
static bool ingest(struct answer *a, struct errbuf *why)
{
	char ext[64], notice[700];
	bool about = !a->about_sent;

	if (!a->b->hub)
		return errbuf_set(why, "the hub client is closed");
	snprintf(ext, sizeof ext, "agent.%s", a->msg_id);
	snprintf(notice, sizeof notice, "[%s answers this chat]", a->about ? a->about : "");
	struct api_ingest_req req = {
		.chat_id = a->chat_id,
		.role = "bot",
		.text = about ? notice : a->reply,
		.escalate = !about && a->escalate,
		.external_message_id = about ? ABOUT_EXT : ext,
	};
	return api_ingest(a->b->hub, &req, on_ingest, a, why);
}

static void on_answer(void *ctx, struct pf_result *r)
{
	struct answer *a = ctx;
	struct errbuf why;
	char key[64];

	if (r->status != PF_OK) {
		finish(a, r->status, r->retry_after_ms, r->text);
		return;
	}
	if (!r->reply) {
		log_info("answer: chat %s: the agent stays silent on %s", a->chat_id, a->msg_id);
		finish(a, PF_OK, 0, NULL);
		return;
	}
	a->reply = r->reply;
	a->about = r->summary;
	a->escalate = r->escalate;
	r->reply = r->summary = NULL;
	snprintf(key, sizeof key, "%s.%s", ABOUT_EXT, a->chat_id);
	a->about_sent = !a->about || bstate_msg_known(a->b->st, key);
	if (!ingest(a, &why))
		finish(a, PF_RETRY, 0, why.msg);
}

bool answer_start(struct bridge *b, const struct bjob *j, const cJSON *p, pf_done_fn *done,
		  void *ctx, struct errbuf *err)
{
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(p, "msg_id");
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(p, "text");
	const cJSON *customer = cJSON_GetObjectItemCaseSensitive(p, "customer");
	struct answer *a;

	if (!cJSON_IsString(msg) || !cJSON_IsString(text) || strlen(j->chat_id) > UUID_STRLEN ||
	    strlen(msg->valuestring) > UUID_STRLEN)
		return errbuf_set(err, "an answer job without its message");
	if (!(a = calloc(1, sizeof *a)))
		return errbuf_set(err, "out of memory");
	a->b = b;
	a->done = done;
	a->ctx = ctx;
	snprintf(a->chat_id, sizeof a->chat_id, "%s", j->chat_id);
	snprintf(a->msg_id, sizeof a->msg_id, "%s", msg->valuestring);
	if (b->pf->answer(b->pc, a->chat_id, a->msg_id, text->valuestring,
			  cJSON_IsString(customer) ? customer->valuestring : NULL, on_answer, a, err))
		return true;
	answer_free(a);
	return false;
}
