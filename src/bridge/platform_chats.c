/*
 * platform_chats.c — a workspace's chats with responders and tickets as a
 * bridge platform (platform.h), its calls and writes (chats_poll.c has the
 * poll, chats_op.h what the two share): the API key in `authorization` on every
 * request, JSON bodies, lists as bare arrays paged by pageNumber (from 1)
 * and pageSize (a shorter page is the last), errors as {"message"}.
 * doc/bridges.md has the mapping and every choice made where the API
 * documentation is silent.
 *
 *   changes    chats_poll.c: GET /api/v1/chats/details, every page, then
 *              GET /api/v1/chat-messages?chatId= of each chat that moved
 *   describe   GET /api/v1/chats/{id}/details
 *   post       POST /api/v1/chat-messages, Idempotency-Key: the hub message id
 *   set_holder PATCH /api/v1/chats/{id} responderSuperIdentityId (human, or
 *              the bot with the ticket closed)
 *   set_meta   PATCH /api/v1/chats/{id} title, ticketStatus
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge_config.h"
#include "chats_op.h"

#define PATH_LEN 1024

static const struct bridge_key chats_keys[] = {
	{"token_file", NULL, true},
	{"bot_responder", NULL, false},
	{"human_responder", NULL, false},
	{"human_responder_id", NULL, false},
	{"page_size", "100", false},
	{"messages_limit", "250", false},
	{"removed_text", "The chat was removed on the platform.", false},
	{"idempotency_header", "Idempotency-Key", false},
	{NULL, NULL, false},
};

/* The doc's channel types are the hub's. */
static const char *const channel_types[] = {"widget", "waha", "whatsapp", "instagram", "api"};

/* The hub's ticket statuses -> the platform's (which has no "solved"). */
static const struct {
	const char *hub, *platform;
} statuses[] = {
	{"open", "open"},
	{"pending", "pending"},
	{"solved", "closed"},
	{"closed", "closed"},
};

static void step(void *op);
static void on_answer(void *ctx, const struct pf_answer *a);
static void on_reaper(uv_timer_t *t);

/* ---- helpers ---------------------------------------------------------------- */

static void op_free(void *op)
{
	struct op *o = op;

	pf_result_free(&o->op.r);
	for (size_t i = 0; i < o->nfound; i++)
		pf_message_free(&o->found[i].m);
	free(o->found);
	free(o->rows);
	free(o->cursor);
	free(o->conv_id);
	free(o->customer_id);
	free(o->hub_msg_id);
	free(o->text);
	free(o->title);
	free(o->status);
	free(o);
}

void chats_finish(struct op *o)
{
	if (o->ph) {
		o->ph->done = true;
		if (!o->op.c->closing)
			uv_timer_start(o->op.c->reaper, on_reaper, 0, 0);
	}
	pf_op_finish(&o->op);
}

static const char *const op_names[] = {
	[OP_CHECK] = "list chats", [OP_CHANGES] = "poll", [OP_DESCRIBE] = "read chat",
	[OP_POST] = "post message", [OP_HOLDER] = "set responder", [OP_META] = "update chat",
};

/* Something other than the platform's answer went wrong: try again later. */
void chats_fail(struct op *o, const char *why)
{
	o->op.r.status = PF_RETRY;
	snprintf(o->op.r.text, sizeof o->op.r.text, "%s: %.200s", op_names[o->op.kind], why);
	chats_finish(o);
}

/* The platform's sentence for a failed answer, with what to check. */
static void failed(struct op *o, const struct pf_answer *a)
{
	char why[400];
	const char *msg = a->json ? pf_str(a->json, "message") : NULL;
	const char *hint = a->status == 401 ? " (check token_file)"
			 : a->status == 404 && msg && strstr(msg, "responder")
			     ? " (check bot_responder and human_responder)" : "";

	snprintf(why, sizeof why, "%s%s", msg ? msg : "no error body", hint);
	pf_http_failed(a, op_names[o->op.kind], why, &o->op.r);
	chats_finish(o);
}

static void call_on(struct op *o, struct pf_http *h, const char *method, const char *path,
		    cJSON *body)
{
	struct errbuf why;

	if (!pf_http_call(h, method, path, body, on_answer, o, &why))
		chats_fail(o, why.msg);
}

void chats_call(struct op *o, const char *method, const char *path, cJSON *body)
{
	call_on(o, o->op.c->http, method, path, body);
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

/* "/api/v1/chats/<id><tail>" */
static void chat_path(char *out, size_t n, const char *id, const char *tail)
{
	snprintf(out, n, "/api/v1/chats/");
	pf_urlencode(out, n, id);
	strncat(out, tail, n - strlen(out) - 1);
}

/* ---- the other operations ----------------------------------------------------------- */

static void on_describe(struct op *o, const struct pf_answer *a)
{
	const char *type = pf_str(a->json, "channelType"), *name = pf_str(a->json, "channelName");
	const char *owner = pf_str(a->json, "ownerName");
	const char *hub_type = "api";

	for (size_t i = 0; type && i < sizeof channel_types / sizeof *channel_types; i++)
		if (strcmp(type, channel_types[i]) == 0)
			hub_type = channel_types[i];
	o->op.r.channel_type = strdup(hub_type);
	o->op.r.channel_name = name && *name ? strdup(name) : NULL;
	if (o->customer_id && owner && *owner)
		o->op.r.customer_name = strdup(owner);
	chats_finish(o);
}

static void patch(struct op *o, cJSON *b)
{
	char path[PATH_LEN];

	chat_path(path, sizeof path, o->conv_id, "");
	chats_call(o, "PATCH", path, b);
}

/* Hand back: the bot again, and the ticket closed (an open or pending one
 * keeps the bot silent; closing a chat without a ticket is invalid). */
static void holder_patch(struct op *o, const cJSON *chat)
{
	const char *ticket = pf_str(chat, "ticketStatus");
	cJSON *b = cJSON_CreateObject();

	o->op.step = 1;
	if (!b || !cJSON_AddStringToObject(b, "responderSuperIdentityId",
					   o->holder == PF_HOLDER_HUMAN ? o->op.c->human_responder
									 : o->op.c->bot_responder) ||
	    (o->holder == PF_HOLDER_BOT && ticket && strcmp(ticket, "closed") != 0 &&
	     !cJSON_AddStringToObject(b, "ticketStatus", "closed"))) {
		cJSON_Delete(b);
		chats_fail(o, "out of memory");
		return;
	}
	patch(o, b);
}

/* What of the hub's title and ticket status the platform does not show
 * yet. An open or pending ticket silences the bot, so one is opened or
 * reopened only while the human responder holds the chat: elsewhere it
 * would be an escalation the agent never made (after a hand back, say).
 * A chat without a ticket gets one with "open" (the only status that
 * opens one); "pending" then takes a second PATCH (step 2). */
static void meta_patch(struct op *o, const cJSON *chat)
{
	const char *title = pf_str(chat, "title"), *ticket = pf_str(chat, "ticketStatus");
	const char *responder = pf_str(chat, "responderId");
	bool human = responder && strcmp(responder, o->op.c->human_id) == 0;
	const char *want = o->status;
	cJSON *b = cJSON_CreateObject();
	bool ok = b != NULL;

	o->op.step = 1;
	if (want && ticket && strcmp(want, ticket) == 0)
		want = NULL;
	if (want && strcmp(want, "closed") != 0 && !human)
		want = NULL;
	if (want && !ticket && strcmp(want, "closed") == 0)
		want = NULL;
	if (want && !ticket && strcmp(want, "open") != 0) {
		o->op.step = 2; /* "pending" once "open" made the ticket */
		want = "open";
	}
	if (ok && want)
		ok = cJSON_AddStringToObject(b, "ticketStatus", want) != NULL;
	bool same_title = o->title ? title && strcmp(o->title, title) == 0 : !title;
	if (ok && !same_title)
		ok = o->title ? cJSON_AddStringToObject(b, "title", o->title) != NULL
			      : cJSON_AddNullToObject(b, "title") != NULL;
	if (!ok) {
		cJSON_Delete(b);
		chats_fail(o, "out of memory");
		return;
	}
	if (!cJSON_GetArraySize(b)) { /* nothing to change: an empty PATCH is invalid */
		cJSON_Delete(b);
		chats_finish(o);
		return;
	}
	patch(o, b);
}

static void on_meta(struct op *o, const struct pf_answer *a)
{
	cJSON *b;

	if (o->op.step == 0) {
		meta_patch(o, a->json);
		return;
	}
	if (o->op.step == 2) {
		o->op.step = 3;
		if (!(b = cJSON_CreateObject()) ||
		    !cJSON_AddStringToObject(b, "ticketStatus", o->status)) {
			cJSON_Delete(b);
			chats_fail(o, "out of memory");
			return;
		}
		patch(o, b);
		return;
	}
	chats_finish(o);
}

static void on_check(struct op *o, const struct pf_answer *a)
{
	int n = cJSON_GetArraySize(a->json);
	char line[200];

	snprintf(line, sizeof line, "workspace: %d chat%s on the first page%s", n,
		 n == 1 ? "" : "s", n >= o->op.c->page_size ? " (more pages)" : "");
	o->op.r.summary = strdup(line);
	chats_finish(o);
}

static void on_answer(void *ctx, const struct pf_answer *a)
{
	struct op *o = ctx;

	if (a->error || a->status < 200 || a->status >= 300) {
		/* A chat gone between the list and its messages is read next
		 * round, if it is still there. */
		if (o->op.kind == OP_CHANGES && o->op.step == 1 && a->status == 404) {
			chats_poll_answer(o, NULL);
			return;
		}
		failed(o, a);
		return;
	}
	if (!a->json) {
		chats_fail(o, "the answer is not JSON");
		return;
	}
	switch (o->op.kind) {
	case OP_CHECK:
		on_check(o, a);
		return;
	case OP_CHANGES:
		chats_poll_answer(o, a);
		return;
	case OP_DESCRIBE:
		on_describe(o, a);
		return;
	case OP_HOLDER:
		if (o->op.step == 0)
			holder_patch(o, a->json);
		else
			chats_finish(o);
		return;
	case OP_META:
		on_meta(o, a);
		return;
	case OP_POST:
		chats_finish(o);
		return;
	}
}

/* The first request of each operation. */
static void step(void *op)
{
	struct op *o = op;
	char path[PATH_LEN];
	cJSON *b;

	switch (o->op.kind) {
	case OP_CHECK:
	case OP_CHANGES:
		o->page = 1;
		chats_list_page(o);
		return;
	case OP_DESCRIBE:
	case OP_META:
		chat_path(path, sizeof path, o->conv_id, "/details");
		chats_call(o, "GET", path, NULL);
		return;
	case OP_HOLDER:
		if (o->holder == PF_HOLDER_HUMAN) {
			holder_patch(o, NULL);
			return;
		}
		chat_path(path, sizeof path, o->conv_id, "/details");
		chats_call(o, "GET", path, NULL);
		return;
	case OP_POST:
		if (!(b = cJSON_CreateObject()) ||
		    !cJSON_AddStringToObject(b, "chatId", o->conv_id) ||
		    !cJSON_AddStringToObject(b, "content", o->text) ||
		    !cJSON_AddStringToObject(b, "role", "operator")) {
			cJSON_Delete(b);
			chats_fail(o, "out of memory");
			return;
		}
		call_on(o, o->ph->http, "POST", "/api/v1/chat-messages", b);
		return;
	}
}

/* ---- the table's functions ------------------------------------------------------ */

/* Posts' clients whose answer came: freed here, outside their callbacks. */
static void on_reaper(uv_timer_t *t)
{
	struct pf_client *c = t->data;

	for (struct post_http **p = &c->posts; *p;) {
		struct post_http *ph = *p;
		if (!ph->done) {
			p = &ph->next;
			continue;
		}
		*p = ph->next;
		pf_http_free(ph->http);
		free(ph);
	}
}

static void free_handle(uv_handle_t *h)
{
	free(h);
}

static void chats_close(struct pf_client *c);

static struct pf_client *chats_open(uv_loop_t *loop, const struct bridge_config *cfg,
				    struct errbuf *err)
{
	struct pf_client *c = calloc(1, sizeof *c);

	if (!c || !(c->reaper = malloc(sizeof *c->reaper))) {
		free(c);
		errbuf_set(err, "out of memory");
		return NULL;
	}
	c->loop = loop;
	c->cfg = cfg;
	uv_timer_init(loop, c->reaper);
	c->reaper->data = c;
	c->bot_responder = bridge_config_get(cfg, "bot_responder");
	c->human_responder = bridge_config_get(cfg, "human_responder");
	c->human_id = bridge_config_get(cfg, "human_responder_id");
	c->removed_text = bridge_config_get(cfg, "removed_text");
	if (!bridge_config_get_long(cfg, "page_size", 1, 100, &c->page_size, err) ||
	    !bridge_config_get_long(cfg, "messages_limit", 1, 1000, &c->messages_limit, err) ||
	    !(c->http = pf_http_open(loop, cfg, bridge_config_get(cfg, "token_file"), NULL, err))) {
		chats_close(c);
		return NULL;
	}
	return c;
}

static void chats_close(struct pf_client *c)
{
	if (!c)
		return;
	c->closing = true;
	pf_http_free(c->http);
	while (c->posts) {
		struct post_http *ph = c->posts;
		pf_http_free(ph->http); /* its callback runs now, "cancelled" */
		c->posts = ph->next;
		free(ph);
	}
	uv_close((uv_handle_t *)c->reaper, free_handle);
	free(c->seen);
	free(c);
}

static bool chats_check(struct pf_client *c, pf_done_fn *done, void *ctx, struct errbuf *err)
{
	return start(op_new(c, OP_CHECK, done, ctx, err), err);
}

static bool chats_changes(struct pf_client *c, const char *cursor, pf_done_fn *done, void *ctx,
			  struct errbuf *err)
{
	struct op *o = op_new(c, OP_CHANGES, done, ctx, err);

	if (o && !pf_dup_into(&o->cursor, cursor))
		o->op.r.status = PF_REFUSED;
	return start(o, err);
}

static bool chats_describe(struct pf_client *c, const char *conv_id, const char *customer_id,
			   pf_done_fn *done, void *ctx, struct errbuf *err)
{
	struct op *o = op_new(c, OP_DESCRIBE, done, ctx, err);

	if (o && (!pf_dup_into(&o->conv_id, conv_id) || !pf_dup_into(&o->customer_id, customer_id)))
		o->op.r.status = PF_REFUSED;
	return start(o, err);
}

/* The hub message id goes in the idempotency_header: the same reply again
 * answers the first message instead of posting a second. The agent's name
 * has no place on the platform (an operator message has no author). */
static bool chats_post(struct pf_client *c, const char *conv_id, const char *agent_id,
		       const char *agent_name, const char *hub_msg_id, const char *text,
		       pf_done_fn *done, void *ctx, struct errbuf *err)
{
	const char *name = bridge_config_get(c->cfg, "idempotency_header");
	char key[ID_LEN + 80];
	struct op *o;
	struct post_http *ph;

	(void)agent_id;
	(void)agent_name;
	if (!pf_header_line(key, sizeof key, name, hub_msg_id))
		return errbuf_set(err, "idempotency_header and the hub message id make no header");
	const char *headers[] = {key, NULL};
	if (!(o = op_new(c, OP_POST, done, ctx, err)))
		return false;
	if (!(ph = calloc(1, sizeof *ph))) {
		op_free(o);
		return errbuf_set(err, "out of memory");
	}
	ph->http = pf_http_open(c->loop, c->cfg, bridge_config_get(c->cfg, "token_file"), headers,
				err);
	if (!ph->http) {
		free(ph);
		op_free(o);
		return false;
	}
	ph->next = c->posts;
	c->posts = ph;
	o->ph = ph;
	if (!pf_dup_into(&o->conv_id, conv_id) || !pf_dup_into(&o->hub_msg_id, hub_msg_id) ||
	    !pf_dup_into(&o->text, text))
		o->op.r.status = PF_REFUSED;
	if (o->op.r.status != PF_OK) {
		ph->done = true;
		uv_timer_start(c->reaper, on_reaper, 0, 0);
	}
	return start(o, err);
}

static bool chats_set_holder(struct pf_client *c, const char *conv_id, enum pf_holder h,
			     pf_done_fn *done, void *ctx, struct errbuf *err)
{
	struct op *o = op_new(c, OP_HOLDER, done, ctx, err);

	if (o) {
		o->holder = h;
		if (!pf_dup_into(&o->conv_id, conv_id))
			o->op.r.status = PF_REFUSED;
	}
	return start(o, err);
}

static bool chats_set_meta(struct pf_client *c, const char *conv_id, const struct pf_meta *m,
			   pf_done_fn *done, void *ctx, struct errbuf *err)
{
	struct op *o = op_new(c, OP_META, done, ctx, err);
	const char *status = NULL;

	for (size_t i = 0; m->status && i < sizeof statuses / sizeof *statuses; i++)
		if (strcmp(m->status, statuses[i].hub) == 0)
			status = statuses[i].platform;
	if (o && (!pf_dup_into(&o->conv_id, conv_id) || !pf_dup_into(&o->title, m->title) ||
		  !pf_dup_into(&o->status, status)))
		o->op.r.status = PF_REFUSED;
	return start(o, err);
}

/* The platform pushes nothing (doc/bridges.md): a delivery is not one of its. */
static bool chats_parse_webhook(struct pf_client *c, const char *body, size_t len,
				struct pf_result *out, struct errbuf *err)
{
	(void)c, (void)body, (void)len, (void)out;
	return errbuf_set(err, "the chats platform sends no webhooks");
}

const struct bridge_platform platform_chats = {
	.name = "chats",
	.keys = chats_keys,
	.webhook_signature_header = "x-chats-signature",
	.open = chats_open,
	.close = chats_close,
	.check = chats_check,
	.changes = chats_changes,
	.describe = chats_describe,
	.post = chats_post,
	.set_holder = chats_set_holder,
	.set_meta = chats_set_meta,
	.parse_webhook = chats_parse_webhook,
};
