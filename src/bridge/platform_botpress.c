/*
 * platform_botpress.c — Botpress Cloud's chat API as a bridge platform
 * (platform.h), as its API documentation describes it: base URL
 * https://api.botpress.cloud, `Authorization: Bearer <token>` and
 * `x-bot-id` on every request, JSON bodies, list answers most recent
 * first with `meta.nextToken` (URL-encoded when sent back), errors as
 * {"type", "description", "status"}. doc/bridges.md has the mapping and
 * every choice made where the documentation is silent.
 *
 *   changes    GET /v1/chat/conversations?tags[handoff]=requested (every
 *              page), then GET /v1/chat/messages from the newest back to
 *              the cursor ("<createdAt> <id>" of the newest seen)
 *   describe   GET /v1/chat/conversations/{id}, GET /v1/chat/users/{id}
 *   post       POST /v1/chat/users/get-or-create (tag: the hub agent id),
 *              POST /v1/chat/messages/get-or-create (tag: the hub message id)
 *   set_holder PUT /v1/chat/conversations/{id} tags {handoff: human | ""}
 *   set_meta   PUT /v1/chat/conversations/{id} tags {title, rating, status}
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge_config.h"
#include "log.h"
#include "pf_http.h"
#include "pf_op.h"
#include "platform.h"

#define PATH_LEN 4096
/* Escalations are few; a list longer than this is walked no further. */
#define WANTING_MAX_PAGES 50

struct pf_client {
	struct pf_http *http;
	const char *bot_id, *handoff_tag, *agent_tag, *message_tag;
	const char *title_tag, *rating_tag, *status_tag;
	struct pf_memo *agents;      /* hub agent -> Botpress user, learnt once */
};

enum op_kind { OP_CHECK, OP_CHANGES, OP_DESCRIBE, OP_POST, OP_TAGS };

struct op {
	struct pf_op op;             /* first: the shared part (pf_op.h) */
	char *conv_id, *user_id, *agent_id, *agent_name, *hub_msg_id, *text;
	char *cur_ts, *cur_id;       /* changes: the cursor */
	size_t pages;
	size_t cap_msgs, cap_wanting;
};

static const struct bridge_key botpress_keys[] = {
	{"bot_id", NULL, false},
	{"token_file", NULL, true},
	{"handoff_tag", "handoff", false},
	{"agent_tag", "handoffAgent", false},
	{"message_tag", "handoffMessageId", false},
	{"title_tag", "handoffTitle", false},
	{"rating_tag", "handoffRating", false},
	{"status_tag", "handoffStatus", false},
	{NULL, NULL, false},
};

/* A conversation's integration -> the hub's channel type. */
static const struct {
	const char *integration, *type;
} channel_types[] = {
	{"webchat", "widget"},
	{"whatsapp", "whatsapp"},
	{"instagram", "instagram"},
};

static void step(void *op);

/* ---- helpers ---------------------------------------------------------------- */

static const char *tag_of(const cJSON *j, const char *tag)
{
	return pf_str(cJSON_GetObjectItemCaseSensitive(j, "tags"), tag);
}

static void op_free(void *op)
{
	struct op *o = op;

	pf_result_free(&o->op.r);
	free(o->conv_id);
	free(o->user_id);
	free(o->agent_id);
	free(o->agent_name);
	free(o->hub_msg_id);
	free(o->text);
	free(o->cur_ts);
	free(o->cur_id);
	free(o);
}

static void finish(struct op *o)
{
	pf_op_finish(&o->op);
}

/* The platform's words for a failed answer, with what to check. */
static void failed(struct op *o, const struct pf_answer *a, const char *what)
{
	char why[400];
	const char *type = a->json ? pf_str(a->json, "type") : NULL;
	const char *desc = a->json ? pf_str(a->json, "description") : NULL;
	const char *hint = a->status == 401 ? " (check token_file)"
			 : a->status == 403 ? " (check bot_id)" : "";

	snprintf(why, sizeof why, "%s%s%s%s", type ? type : "no error body", desc ? " — " : "",
		 desc ? desc : "", hint);
	pf_op_failed(&o->op, a, what, why);
}

static void on_answer(void *ctx, const struct pf_answer *a);

static void call(struct op *o, const char *method, const char *path, cJSON *body)
{
	pf_op_call(&o->op, o->op.c->http, method, path, body, on_answer);
}

static struct op *op_new(struct pf_client *c, enum op_kind kind, pf_done_fn *done, void *ctx,
			 struct errbuf *err)
{
	return pf_op_new(sizeof(struct op), c, (int)kind, done, ctx, op_free, err);
}

static bool start(struct op *o, struct errbuf *err)
{
	return pf_op_start(o, step, err);
}

/* "?nextToken=..." (URL-encoded, as the doc asks) after `prefix`. */
static void page_path(char *out, size_t n, const char *prefix, const cJSON *prev)
{
	const char *token = prev ? pf_str(cJSON_GetObjectItemCaseSensitive(prev, "meta"),
					  "nextToken") : NULL;

	snprintf(out, n, "%s", prefix);
	if (token) {
		strncat(out, strchr(prefix, '?') ? "&nextToken=" : "?nextToken=",
			n - strlen(out) - 1);
		pf_urlencode(out, n, token);
	}
}

static bool has_next(const cJSON *page)
{
	return pf_str(cJSON_GetObjectItemCaseSensitive(page, "meta"), "nextToken") != NULL;
}

/* A Botpress message -> pf_message; false for one that is not usable. */
static bool message_of(const struct pf_client *c, const cJSON *m, struct pf_message *out)
{
	const char *id = pf_str(m, "id"), *conv = pf_str(m, "conversationId");
	const char *user = pf_str(m, "userId"), *type = pf_str(m, "type");
	const char *dir = pf_str(m, "direction");
	const char *text = pf_str(cJSON_GetObjectItemCaseSensitive(m, "payload"), "text");
	char placeholder[80];

	if (!id || !conv)
		return false;
	/* Only text is carried; any other payload is named, so the agent
	 * knows something was sent. */
	if (!type || strcmp(type, "text") != 0 || !text || !*text) {
		snprintf(placeholder, sizeof placeholder, "[%.40s message]", type ? type : "empty");
		text = placeholder;
	}
	return pf_message_set(out, id, conv, user, text,
			      tag_of(m, c->message_tag) ? AUTHOR_BRIDGE
			      : dir && strcmp(dir, "incoming") == 0 ? AUTHOR_CUSTOMER
								  : AUTHOR_BOT);
}

static bool push_message(struct op *o, const cJSON *m)
{
	struct pf_message *slot = pf_result_next_message(&o->op.r, &o->cap_msgs);

	if (!slot)
		return false;
	if (message_of(o->op.c, m, slot))
		o->op.r.nmsgs++;
	return true;
}

/* A conversation that asks for a human; the mark is its updatedAt, which
 * the tag change moved. */
static bool push_wanting(struct pf_result *r, size_t *cap, const cJSON *conv)
{
	const char *id = pf_str(conv, "id"), *mark = pf_str(conv, "updatedAt");

	if (!mark)
		mark = pf_str(conv, "createdAt");
	return !id || pf_result_add_wanting(r, cap, id, mark ? mark : "0");
}

/* ---- the operations' steps ---------------------------------------------------- */

/* Newest first until the cursor; false when the walk is over. */
static bool take_messages(struct op *o, const cJSON *page)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(page, "messages")) {
		const char *id = pf_str(m, "id"), *at = pf_str(m, "createdAt");
		if (!id || !at)
			continue;
		if (!o->op.r.cursor) {
			size_t n = strlen(at) + strlen(id) + 2;
			if ((o->op.r.cursor = malloc(n)))
				snprintf(o->op.r.cursor, n, "%s %s", at, id);
		}
		/* ISO 8601 in one format compares as text. */
		if (o->cur_id && (strcmp(id, o->cur_id) == 0 || strcmp(at, o->cur_ts) < 0))
			return false;
		if (!push_message(o, m))
			return false;
	}
	return has_next(page);
}

static void changes_done(struct op *o)
{
	/* Oldest first, as they are to be ingested. */
	for (size_t i = 0, j = o->op.r.nmsgs; i + 1 < j; i++, j--) {
		struct pf_message t = o->op.r.msgs[i];
		o->op.r.msgs[i] = o->op.r.msgs[j - 1];
		o->op.r.msgs[j - 1] = t;
	}
	if (!o->op.r.cursor && o->cur_ts) {
		size_t n = strlen(o->cur_ts) + strlen(o->cur_id) + 2;
		if ((o->op.r.cursor = malloc(n)))
			snprintf(o->op.r.cursor, n, "%s %s", o->cur_ts, o->cur_id);
	}
	finish(o);
}

static void on_changes(struct op *o, const struct pf_answer *a)
{
	char path[PATH_LEN], prefix[200];

	if (o->op.step == 0) { /* a page of conversations asking for a human */
		const cJSON *conv;
		cJSON_ArrayForEach(conv, cJSON_GetObjectItemCaseSensitive(a->json, "conversations"))
			push_wanting(&o->op.r, &o->cap_wanting, conv);
		if (has_next(a->json) && ++o->pages < WANTING_MAX_PAGES) {
			snprintf(prefix, sizeof prefix, "/v1/chat/conversations?tags%%5B");
			pf_urlencode(prefix, sizeof prefix, o->op.c->handoff_tag);
			strncat(prefix, "%5D=requested", sizeof prefix - strlen(prefix) - 1);
			page_path(path, sizeof path, prefix, a->json);
			call(o, "GET", path, NULL);
			return;
		}
		o->op.r.wanting_complete = !has_next(a->json);
		o->op.step = 1;
		call(o, "GET", "/v1/chat/messages", NULL);
		return;
	}
	if (take_messages(o, a->json)) {
		page_path(path, sizeof path, "/v1/chat/messages", a->json);
		call(o, "GET", path, NULL);
		return;
	}
	changes_done(o);
}

static void on_describe(struct op *o, const struct pf_answer *a)
{
	char path[PATH_LEN];

	if (o->op.step == 0) {
		const cJSON *conv = cJSON_GetObjectItemCaseSensitive(a->json, "conversation");
		const char *integration = pf_str(conv, "integration");
		const char *type = "api";
		for (size_t i = 0; integration && i < sizeof channel_types / sizeof *channel_types; i++)
			if (strcmp(integration, channel_types[i].integration) == 0)
				type = channel_types[i].type;
		o->op.r.channel_type = strdup(type);
		o->op.r.channel_name = integration ? strdup(integration) : NULL;
		if (!o->user_id) {
			finish(o);
			return;
		}
		o->op.step = 1;
		snprintf(path, sizeof path, "/v1/chat/users/");
		pf_urlencode(path, sizeof path, o->user_id);
		call(o, "GET", path, NULL);
		return;
	}
	const char *name = pf_str(cJSON_GetObjectItemCaseSensitive(a->json, "user"), "name");
	if (name && *name)
		o->op.r.customer_name = strdup(name);
	finish(o);
}

static void post_message(struct op *o, const char *user_id)
{
	cJSON *b = cJSON_CreateObject(), *payload, *tags;

	o->op.step = 2;
	if (!b || !cJSON_AddStringToObject(b, "conversationId", o->conv_id) ||
	    !cJSON_AddStringToObject(b, "userId", user_id) ||
	    !cJSON_AddStringToObject(b, "type", "text") ||
	    !(payload = cJSON_AddObjectToObject(b, "payload")) ||
	    !cJSON_AddStringToObject(payload, "text", o->text) ||
	    !(tags = cJSON_AddObjectToObject(b, "tags")) ||
	    !cJSON_AddStringToObject(tags, o->op.c->message_tag, o->hub_msg_id)) {
		cJSON_Delete(b);
		o->op.r.status = PF_RETRY;
		snprintf(o->op.r.text, sizeof o->op.r.text, "out of memory");
		finish(o);
		return;
	}
	call(o, "POST", "/v1/chat/messages/get-or-create", b);
}

static void on_post(struct op *o, const struct pf_answer *a)
{
	if (o->op.step == 1) {
		const char *id = pf_str(cJSON_GetObjectItemCaseSensitive(a->json, "user"), "id");
		if (!id) {
			o->op.r.status = PF_RETRY;
			snprintf(o->op.r.text, sizeof o->op.r.text, "users/get-or-create: no user.id");
			finish(o);
			return;
		}
		pf_memo_put(&o->op.c->agents, o->agent_id, id);
		post_message(o, id);
		return;
	}
	finish(o);
}

static void on_check(struct op *o, const struct pf_answer *a)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(a->json, "conversations");
	char line[300];

	snprintf(line, sizeof line, "bot %s: %d conversation%s on the first page%s", o->op.c->bot_id,
		 cJSON_GetArraySize(list), cJSON_GetArraySize(list) == 1 ? "" : "s",
		 has_next(a->json) ? " (more pages)" : "");
	o->op.r.summary = strdup(line);
	finish(o);
}

static const char *const op_names[] = {
	[OP_CHECK] = "list conversations", [OP_CHANGES] = "poll",
	[OP_DESCRIBE] = "read conversation", [OP_POST] = "post message",
	[OP_TAGS] = "set conversation tags",
};

static void on_answer(void *ctx, const struct pf_answer *a)
{
	struct op *o = ctx;

	if (a->error || a->status < 200 || a->status >= 300) {
		/* A customer unknown to the API only costs the chat its name. */
		if (o->op.kind == OP_DESCRIBE && o->op.step == 1 && a->status == 404) {
			finish(o);
			return;
		}
		failed(o, a, op_names[o->op.kind]);
		return;
	}
	if (!a->json) {
		pf_op_failf(&o->op, PF_RETRY, "%s: the answer is not JSON", op_names[o->op.kind]);
		return;
	}
	switch (o->op.kind) {
	case OP_CHECK:
		on_check(o, a);
		return;
	case OP_CHANGES:
		on_changes(o, a);
		return;
	case OP_DESCRIBE:
		on_describe(o, a);
		return;
	case OP_POST:
		on_post(o, a);
		return;
	case OP_TAGS:
		finish(o);
		return;
	}
}

/* The first request of each operation. */
static void step(void *op)
{
	struct op *o = op;
	char path[PATH_LEN];

	switch (o->op.kind) {
	case OP_CHECK:
		call(o, "GET", "/v1/chat/conversations", NULL);
		return;
	case OP_CHANGES:
		snprintf(path, sizeof path, "/v1/chat/conversations?tags%%5B");
		pf_urlencode(path, sizeof path, o->op.c->handoff_tag);
		strncat(path, "%5D=requested", sizeof path - strlen(path) - 1);
		call(o, "GET", path, NULL);
		return;
	case OP_DESCRIBE:
		snprintf(path, sizeof path, "/v1/chat/conversations/");
		pf_urlencode(path, sizeof path, o->conv_id);
		call(o, "GET", path, NULL);
		return;
	case OP_POST: {
		const char *user = pf_memo_get(o->op.c->agents, o->agent_id);
		if (user) {
			post_message(o, user);
			return;
		}
		cJSON *b = cJSON_CreateObject(), *tags;
		o->op.step = 1;
		if (!b || !cJSON_AddStringToObject(b, "name", o->agent_name) ||
		    !(tags = cJSON_AddObjectToObject(b, "tags")) ||
		    !cJSON_AddStringToObject(tags, o->op.c->agent_tag, o->agent_id)) {
			cJSON_Delete(b);
			b = NULL;
		}
		call(o, "POST", "/v1/chat/users/get-or-create", b);
		return;
	}
	case OP_TAGS:
		break; /* started by put_tags */
	}
}

/* ---- the table's functions ------------------------------------------------------ */

static struct pf_client *bp_open(uv_loop_t *loop, const struct bridge_config *cfg,
				 struct errbuf *err)
{
	struct pf_client *c = calloc(1, sizeof *c);
	char bot[300];

	if (!c) {
		errbuf_set(err, "out of memory");
		return NULL;
	}
	c->bot_id = bridge_config_get(cfg, "bot_id");
	c->handoff_tag = bridge_config_get(cfg, "handoff_tag");
	c->agent_tag = bridge_config_get(cfg, "agent_tag");
	c->message_tag = bridge_config_get(cfg, "message_tag");
	c->title_tag = bridge_config_get(cfg, "title_tag");
	c->rating_tag = bridge_config_get(cfg, "rating_tag");
	c->status_tag = bridge_config_get(cfg, "status_tag");
	if (!pf_header_line(bot, sizeof bot, "x-bot-id", c->bot_id)) {
		free(c);
		errbuf_set(err, "bot_id is not a bot id");
		return NULL;
	}
	const char *headers[] = {bot, NULL};
	c->http = pf_http_open(loop, cfg, bridge_config_get(cfg, "token_file"), headers, err);
	if (!c->http) {
		free(c);
		return NULL;
	}
	return c;
}

static void bp_close(struct pf_client *c)
{
	if (!c)
		return;
	pf_http_free(c->http);
	pf_memo_free(c->agents);
	free(c);
}

static bool bp_check(struct pf_client *c, pf_done_fn *done, void *ctx, struct errbuf *err)
{
	return start(op_new(c, OP_CHECK, done, ctx, err), err);
}

static bool bp_changes(struct pf_client *c, const char *cursor, pf_done_fn *done, void *ctx,
		       struct errbuf *err)
{
	struct op *o = op_new(c, OP_CHANGES, done, ctx, err);
	const char *space = cursor ? strchr(cursor, ' ') : NULL;

	if (o && space && (!(o->cur_ts = strndup(cursor, (size_t)(space - cursor))) ||
			   !(o->cur_id = strdup(space + 1))))
		o->op.r.status = PF_REFUSED;
	return start(o, err);
}

static bool bp_describe(struct pf_client *c, const char *conv_id, const char *customer_id,
			pf_done_fn *done, void *ctx, struct errbuf *err)
{
	struct op *o = op_new(c, OP_DESCRIBE, done, ctx, err);

	if (o && (!pf_dup_into(&o->conv_id, conv_id) || !pf_dup_into(&o->user_id, customer_id)))
		o->op.r.status = PF_REFUSED;
	return start(o, err);
}

static bool bp_post(struct pf_client *c, const char *conv_id, const char *agent_id,
		    const char *agent_name, const char *hub_msg_id, const char *text,
		    pf_done_fn *done, void *ctx, struct errbuf *err)
{
	struct op *o = op_new(c, OP_POST, done, ctx, err);

	if (o && (!pf_dup_into(&o->conv_id, conv_id) || !pf_dup_into(&o->agent_id, agent_id) ||
		  !pf_dup_into(&o->agent_name, agent_name && *agent_name ? agent_name : "Agent") ||
		  !pf_dup_into(&o->hub_msg_id, hub_msg_id) || !pf_dup_into(&o->text, text)))
		o->op.r.status = PF_REFUSED;
	return start(o, err);
}

/* PUT the conversation's tags (an empty value unsets a key, per the doc). */
static bool put_tags(struct pf_client *c, const char *conv_id, cJSON *tags, pf_done_fn *done,
		     void *ctx, struct errbuf *err)
{
	struct op *o = op_new(c, OP_TAGS, done, ctx, err);
	cJSON *b = cJSON_CreateObject();
	char path[PATH_LEN] = "/v1/chat/conversations/";

	if (!o || !b || !tags) {
		free(o);
		cJSON_Delete(b);
		cJSON_Delete(tags);
		return errbuf_set(err, "out of memory");
	}
	cJSON_AddItemToObject(b, "tags", tags);
	pf_urlencode(path, sizeof path, conv_id);
	call(o, "PUT", path, b);
	return true;
}

static bool bp_set_holder(struct pf_client *c, const char *conv_id, enum pf_holder h,
			  pf_done_fn *done, void *ctx, struct errbuf *err)
{
	cJSON *tags = cJSON_CreateObject();

	if (tags && !cJSON_AddStringToObject(tags, c->handoff_tag,
					     h == PF_HOLDER_HUMAN ? "human" : "")) {
		cJSON_Delete(tags);
		tags = NULL;
	}
	return put_tags(c, conv_id, tags, done, ctx, err);
}

static bool bp_set_meta(struct pf_client *c, const char *conv_id, const struct pf_meta *m,
			pf_done_fn *done, void *ctx, struct errbuf *err)
{
	cJSON *tags = cJSON_CreateObject();
	char rating[4] = "";

	if (m->rating >= 1 && m->rating <= 5)
		snprintf(rating, sizeof rating, "%d", m->rating);
	if (tags && (!cJSON_AddStringToObject(tags, c->title_tag, m->title ? m->title : "") ||
		     !cJSON_AddStringToObject(tags, c->rating_tag, rating) ||
		     !cJSON_AddStringToObject(tags, c->status_tag, m->status ? m->status : ""))) {
		cJSON_Delete(tags);
		tags = NULL;
	}
	return put_tags(c, conv_id, tags, done, ctx, err);
}

/* One Event object per delivery (doc/bridges.md). */
static bool bp_parse_webhook(struct pf_client *c, const char *body, size_t len,
			     struct pf_result *out, struct errbuf *err)
{
	cJSON *ev = cJSON_ParseWithLength(body, len);
	const char *type = pf_str(ev, "type");
	const cJSON *payload = cJSON_GetObjectItemCaseSensitive(ev, "payload");
	bool ok = true;

	if (!cJSON_IsObject(ev) || !type || !cJSON_IsObject(payload)) {
		cJSON_Delete(ev);
		return errbuf_set(err, "not a Botpress event");
	}
	if (strcmp(type, "message_created") == 0) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(payload, "message");
		if ((out->msgs = calloc(1, sizeof *out->msgs)) && message_of(c, m, out->msgs))
			out->nmsgs = 1;
	} else if (strcmp(type, "conversation_updated") == 0) {
		const cJSON *conv = cJSON_GetObjectItemCaseSensitive(payload, "conversation");
		const char *h = tag_of(conv, c->handoff_tag);
		size_t cap = 0;
		if (h && strcmp(h, "requested") == 0)
			ok = push_wanting(out, &cap, conv) || errbuf_set(err, "out of memory");
	}
	cJSON_Delete(ev);
	return ok;
}

const struct bridge_platform platform_botpress = {
	.name = "botpress",
	.keys = botpress_keys,
	.webhook_signature_header = "x-bp-signature",
	.open = bp_open,
	.close = bp_close,
	.check = bp_check,
	.changes = bp_changes,
	.describe = bp_describe,
	.post = bp_post,
	.set_holder = bp_set_holder,
	.set_meta = bp_set_meta,
	.parse_webhook = bp_parse_webhook,
};
