/*
 * platform_threads.c — a chatbot's threads in AI/AGENT mode as a bridge
 * platform (platform.h): `Authorization: Bearer <key>`, paths under
 * /v0/chatbots/{chatbotId}, answers in the envelope {success, message,
 * data}. A thread's messages are question/answer pairs; each part becomes
 * a hub message of its own. doc/bridges.md has the mapping and every
 * choice made where the documentation is silent.
 *
 *   changes    GET .../threads?limit=100 (&lastThreadId=, every page), then
 *              GET .../threads/{id} for each thread updated since the cursor
 *   describe   GET .../threads/{id}?skipMessages=true&includeChatUser=true,
 *              then PATCH {webhookUrl, webhookToken} when `webhook_url` is set
 *   post       GET .../threads/{id} (is the reply there already?), then
 *              POST .../message {from: AGENT, threadId, message, agentName,
 *              iconUrl carrying the hub message id}
 *   set_holder PATCH .../threads/{id} {mode: AGENT | AI}
 *   set_meta   the platform holds no title, rating or status: a GET
 */
#define _GNU_SOURCE /* timegm */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "bridge_config.h"
#include "pf_http.h"
#include "pf_op.h"
#include "platform.h"

#define PATH_LEN 4096
#define PAGE "100"
/* The list is walked whole each round; a chatbot with more threads than
 * this many pages is walked no further (and says so in the round's log). */
#define MAX_PAGES 1000
#define MARK "#handoff-msg="

struct pf_client {
	struct pf_http *http;
	char base[300];               /* /v0/chatbots/{chatbotId} */
	const char *webhook_url, *webhook_token, *icon_url;
	long overlap_ms;
	/* thread -> chat user, learnt from the list: a pushed message names
	 * only its thread, and the hub's owner is the chat user. */
	struct pf_memo *threads;
};

enum op_kind { OP_CHECK, OP_CHANGES, OP_DESCRIBE, OP_POST, OP_PATCH, OP_META };

struct op {
	struct pf_op op;             /* first: the shared part (pf_op.h) */
	char *conv_id, *agent_name, *hub_msg_id, *text;
	long long since_ms;          /* changes: threads updated at or after this */
	long long newest_ms;         /* changes: the newest updatedAt seen */
	char **todo;                 /* changes: threads to fetch */
	size_t ntodo, ido, cap_todo, cap_msgs, cap_wanting, pages;
};

static const struct bridge_key threads_keys[] = {
	{"chatbot_id", NULL, false},
	{"token_file", NULL, true},
	{"webhook_url", "", false},
	{"agent_icon_url", "https://www.gravatar.com/avatar/?d=mp", false},
	{"poll_overlap_ms", "2000", false},
	{NULL, NULL, false},
};

/* A system message's type -> what the hub shows when its text is missing. */
static const char *const system_types[] = {
	"CONVERSATION_ESCALATED", "EXCEEDED_USAGE_LIMITS", "EMAIL_VERIFIED",
	"ENTERED_WRONG_OTP", "PROVIDED_EMAIL", "PERSONA_SELECTED",
	"PROBLEMS_WITH_UPSTREAM_PROVIDER",
};

static void on_answer(void *ctx, const struct pf_answer *a);

/* ---- helpers ---------------------------------------------------------------- */

static const cJSON *data_of(const cJSON *j)
{
	return cJSON_GetObjectItemCaseSensitive(j, "data");
}

/* Fetch Thread's answer: data.thread. */
static const cJSON *thread_of(const cJSON *j)
{
	return cJSON_GetObjectItemCaseSensitive(data_of(j), "thread");
}

/* "2026-12-01T01:54:01.123Z" -> ms since the epoch; -1 when not one. */
static long long iso_ms(const char *s)
{
	struct tm tm = {0};
	int ms = 0;
	char *end;

	if (!s || !(end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)))
		return -1;
	if (*end == '.')
		ms = (int)strtol(end + 1, &end, 10) % 1000;
	return (long long)timegm(&tm) * 1000 + ms;
}

static void op_free(void *op)
{
	struct op *o = op;

	pf_result_free(&o->op.r);
	free(o->conv_id);
	free(o->agent_name);
	free(o->hub_msg_id);
	free(o->text);
	for (size_t i = 0; i < o->ntodo; i++)
		free(o->todo[i]);
	free(o->todo);
	free(o);
}

static void finish(struct op *o)
{
	pf_op_finish(&o->op);
}

static void call(struct op *o, const char *method, const char *path, cJSON *body)
{
	pf_op_call(&o->op, o->op.c->http, method, path, body, on_answer);
}

static struct op *op_new(struct pf_client *c, enum op_kind kind, pf_done_fn *done, void *ctx,
			 struct errbuf *err)
{
	return pf_op_new(sizeof(struct op), c, (int)kind, done, ctx, op_free, err);
}

/* .../threads/{id} plus `query` */
static void thread_path(const struct pf_client *c, char *out, const char *id, const char *query)
{
	snprintf(out, PATH_LEN, "%s/threads/", c->base);
	pf_urlencode(out, PATH_LEN, id);
	strncat(out, query, PATH_LEN - strlen(out) - 1);
}

/* ---- messages --------------------------------------------------------------- */

static bool push_msg(struct pf_result *r, size_t *cap, const char *id, const char *suffix,
		     const char *conv, const char *user, const char *text, enum pf_author who)
{
	struct pf_message *m = pf_result_next_message(r, cap);
	size_t idlen = strlen(id) + strlen(suffix) + 1;
	char *full = malloc(idlen);
	bool ok = m && full;

	if (ok) {
		snprintf(full, idlen, "%s%s", id, suffix);
		ok = pf_message_set(m, full, conv, user, text, who);
	}
	free(full);
	if (ok)
		r->nmsgs++;
	return ok;
}

static const char *part_text(const cJSON *m, const char *part)
{
	const char *t = pf_str(cJSON_GetObjectItemCaseSensitive(m, part), "text");
	return t && *t ? t : NULL;
}

/* The answer with its sources appended, the way an agent can read them. */
static char *answer_with_sources(const char *answer, const cJSON *sources)
{
	size_t n = strlen(answer) + 16;
	const cJSON *s;

	cJSON_ArrayForEach(s, sources)
		if (cJSON_IsString(s))
			n += strlen(s->valuestring) + 2;
	char *out = malloc(n);
	if (!out)
		return NULL;
	snprintf(out, n, "%s", answer);
	bool first = true;
	cJSON_ArrayForEach(s, sources) {
		if (!cJSON_IsString(s))
			continue;
		strcat(out, first ? "\n\nSources: " : ", ");
		strcat(out, s->valuestring);
		first = false;
	}
	return out;
}

/* One platform message -> its parts as hub messages (doc/bridges.md):
 * `<id>.q` the customer's question, `<id>.a` the answer (AI, agent or
 * system notice), `<id>.r.<REACTION>` a customer's reaction. `escalate`:
 * a CONVERSATION_ESCALATED notice here asks for a human. */
static bool message_parts(struct pf_client *c, const cJSON *m, const char *conv,
			  const char *user, bool escalate, struct pf_result *r, size_t *cap_msgs,
			  size_t *cap_wanting)
{
	const char *id = pf_str(m, "messageId"), *type = pf_str(m, "messageType");
	const char *q = part_text(m, "question"), *a = part_text(m, "answer");
	const char *reaction = pf_str(m, "reaction"), *icon = pf_str(m, "iconUrl");
	char buf[400], suffix[40];
	bool ok = true;

	if (!id || !type)
		return true;
	if (q)
		ok = push_msg(r, cap_msgs, id, ".q", conv, user, q, AUTHOR_CUSTOMER);
	if (ok && strcmp(type, "SYSTEM_MESSAGE") == 0) {
		const char *st = pf_str(m, "systemMessageType");
		bool known = false;
		for (size_t i = 0; st && i < sizeof system_types / sizeof *system_types; i++)
			known |= strcmp(st, system_types[i]) == 0;
		snprintf(buf, sizeof buf, "[%s]", a ? a : known ? st : "system message");
		ok = push_msg(r, cap_msgs, id, ".a", conv, user, buf, AUTHOR_BOT);
		if (ok && escalate && st && strcmp(st, "CONVERSATION_ESCALATED") == 0)
			ok = pf_result_add_wanting(r, cap_wanting, conv, id);
	} else if (ok && a && strcmp(type, "AGENT_MESSAGE") == 0) {
		/* The bridge's own replies carry the hub message id in iconUrl;
		 * another agent's (the platform's dashboard) comes in as the bot's,
		 * named. */
		if (icon && strstr(icon, MARK)) {
			ok = push_msg(r, cap_msgs, id, ".a", conv, user, a, AUTHOR_BRIDGE);
		} else {
			const char *who = pf_str(m, "agentName");
			char *t = malloc(strlen(a) + (who ? strlen(who) : 5) + 3);
			ok = t != NULL;
			if (ok) {
				sprintf(t, "%s: %s", who ? who : "Agent", a);
				ok = push_msg(r, cap_msgs, id, ".a", conv, user, t, AUTHOR_BOT);
			}
			free(t);
		}
	} else if (ok && a) {
		char *t = answer_with_sources(a, cJSON_GetObjectItemCaseSensitive(m, "sources"));
		ok = t && push_msg(r, cap_msgs, id, ".a", conv, user, t, AUTHOR_BOT);
		free(t);
	}
	if (ok && a && reaction && strcmp(reaction, "NEUTRAL") != 0 &&
	    (strcmp(reaction, "POSITIVE") == 0 || strcmp(reaction, "NEGATIVE") == 0)) {
		snprintf(suffix, sizeof suffix, ".r.%s", reaction);
		snprintf(buf, sizeof buf, "[%s reaction to: %.200s]", reaction, a);
		ok = push_msg(r, cap_msgs, id, suffix, conv, user, buf, AUTHOR_CUSTOMER);
	}
	return ok;
}

/* ---- changes ------------------------------------------------------------------ */

static bool add_todo(struct op *o, const char *id)
{
	char **v = pf_grow(o->todo, &o->cap_todo, o->ntodo, sizeof *v);

	if (!v)
		return false;
	o->todo = v;
	return (o->todo[o->ntodo] = strdup(id)) != NULL && ++o->ntodo;
}

static void list_page(struct op *o, const char *last)
{
	char path[PATH_LEN];

	snprintf(path, sizeof path, "%s/threads?limit=" PAGE, o->op.c->base);
	if (last) {
		strncat(path, "&lastThreadId=", sizeof path - strlen(path) - 1);
		pf_urlencode(path, sizeof path, last);
	}
	call(o, "GET", path, NULL);
}

static void fetch_next(struct op *o)
{
	char path[PATH_LEN], cursor[32];

	if (o->ido < o->ntodo) {
		thread_path(o->op.c, path, o->todo[o->ido++], "");
		call(o, "GET", path, NULL);
		return;
	}
	snprintf(cursor, sizeof cursor, "%lld", o->newest_ms > 0 ? o->newest_ms : o->since_ms);
	if (o->newest_ms > 0 || o->since_ms > 0)
		o->op.r.cursor = strdup(cursor);
	finish(o);
}

static void on_changes(struct op *o, const struct pf_answer *a)
{
	const cJSON *data = data_of(a->json), *t, *last = NULL;

	if (o->op.step == 0) { /* a page of the list */
		const cJSON *list = cJSON_GetObjectItemCaseSensitive(data, "threads");
		cJSON_ArrayForEach(t, list) {
			const char *id = pf_str(t, "threadId"), *user = pf_str(t, "chatUserId");
			long long at = iso_ms(pf_str(t, "updatedAt"));
			last = t;
			if (!id)
				continue;
			if (user)
				pf_memo_put(&o->op.c->threads, id, user);
			if (at > o->newest_ms)
				o->newest_ms = at;
			if ((o->since_ms <= 0 || at >= o->since_ms - o->op.c->overlap_ms) &&
			    !add_todo(o, id)) {
				pf_op_fail(&o->op, PF_RETRY, "poll: out of memory");
				return;
			}
		}
		if (cJSON_GetArraySize(list) == atoi(PAGE) && pf_str(last, "threadId") &&
		    ++o->pages < MAX_PAGES) {
			list_page(o, pf_str(last, "threadId"));
			return;
		}
		o->op.step = 1;
		fetch_next(o);
		return;
	}
	/* A thread with its messages: every part, the bridge drops those it
	 * knows; escalations only when newer than the cursor (the flag and
	 * its notice stay for good). */
	const cJSON *thr = thread_of(a->json), *m;
	const char *conv = pf_str(thr, "threadId"), *user = pf_str(thr, "chatUserId");
	if (conv)
		cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(thr, "messages")) {
			long long at = iso_ms(pf_str(cJSON_GetObjectItemCaseSensitive(m, "answer"),
						     "timestamp"));
			bool fresh = o->since_ms <= 0 || at >= o->since_ms - o->op.c->overlap_ms;
			if (!message_parts(o->op.c, m, conv, user, fresh, &o->op.r, &o->cap_msgs,
					   &o->cap_wanting)) {
				pf_op_fail(&o->op, PF_RETRY, "poll: out of memory");
				return;
			}
		}
	fetch_next(o);
}

/* ---- describe, post ------------------------------------------------------------ */

static void on_describe(struct op *o, const struct pf_answer *a)
{
	const cJSON *t = thread_of(a->json);
	const char *url = o->op.c->webhook_url, *have = pf_str(t, "webhookUrl");
	char path[PATH_LEN];

	if (o->op.step == 1) { /* the webhook is set */
		finish(o);
		return;
	}
	const char *name = pf_str(cJSON_GetObjectItemCaseSensitive(t, "chatUser"), "name");
	o->op.r.channel_type = strdup("widget");
	o->op.r.channel_name = strdup("chatbot");
	if (name && *name)
		o->op.r.customer_name = strdup(name);
	/* Push to the bridge from now on: the thread's webhook is ours. */
	if (!*url || !o->op.c->webhook_token || (have && strcmp(have, url) == 0)) {
		finish(o);
		return;
	}
	cJSON *b = cJSON_CreateObject();
	if (!b || !cJSON_AddStringToObject(b, "webhookUrl", url) ||
	    !cJSON_AddStringToObject(b, "webhookToken", o->op.c->webhook_token)) {
		cJSON_Delete(b);
		pf_op_fail(&o->op, PF_RETRY, "out of memory");
		return;
	}
	o->op.step = 1;
	thread_path(o->op.c, path, o->conv_id, "");
	call(o, "PATCH", path, b);
}

static void on_post(struct op *o, const struct pf_answer *a)
{
	char path[PATH_LEN], mark[300];
	const cJSON *m;

	if (o->op.step == 1) {
		finish(o);
		return;
	}
	/* The API has no idempotency: a reply whose answer was lost (or
	 * whose bridge died) may be there already, with our mark. */
	snprintf(mark, sizeof mark, MARK "%s", o->hub_msg_id);
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(thread_of(a->json), "messages")) {
		const char *icon = pf_str(m, "iconUrl");
		const char *at = icon ? strstr(icon, mark) : NULL;
		if (at && at[strlen(mark)] == '\0') {
			finish(o);
			return;
		}
	}
	char icon[PATH_LEN];
	snprintf(icon, sizeof icon, "%s%s", o->op.c->icon_url, mark);
	cJSON *b = cJSON_CreateObject();
	if (!b || !cJSON_AddStringToObject(b, "message", o->text) ||
	    !cJSON_AddStringToObject(b, "from", "AGENT") ||
	    !cJSON_AddStringToObject(b, "threadId", o->conv_id) ||
	    !cJSON_AddStringToObject(b, "agentName", o->agent_name) ||
	    !cJSON_AddStringToObject(b, "iconUrl", icon)) {
		cJSON_Delete(b);
		pf_op_fail(&o->op, PF_RETRY, "out of memory");
		return;
	}
	o->op.step = 1;
	snprintf(path, sizeof path, "%s/message", o->op.c->base);
	call(o, "POST", path, b);
}

static const char *const op_names[] = {
	[OP_CHECK] = "list threads", [OP_CHANGES] = "poll", [OP_DESCRIBE] = "read thread",
	[OP_POST] = "post message", [OP_PATCH] = "update thread", [OP_META] = "read thread",
};

static void on_answer(void *ctx, const struct pf_answer *a)
{
	struct op *o = ctx;

	if (a->error || a->status < 200 || a->status >= 300) {
		char why[400];
		const char *msg = a->json ? pf_str(a->json, "message") : NULL;
		const char *code = a->json ? pf_str(a->json, "error") : NULL;
		snprintf(why, sizeof why, "%s%s%s%s", code ? code : "no error body",
			 msg ? " — " : "", msg ? msg : "",
			 a->status == 401 ? " (check token_file)"
			 : a->status == 404 && o->op.kind == OP_CHECK ? " (check chatbot_id)" : "");
		pf_op_failed(&o->op, a, op_names[o->op.kind], why);
		return;
	}
	if (!a->json) {
		pf_op_failf(&o->op, PF_RETRY, "%s: the answer is not JSON", op_names[o->op.kind]);
		return;
	}
	switch (o->op.kind) {
	case OP_CHECK: {
		const cJSON *list = cJSON_GetObjectItemCaseSensitive(data_of(a->json), "threads");
		char line[400];
		snprintf(line, sizeof line, "chatbot %s: %d thread%s on the first page",
			 o->op.c->base + strlen("/v0/chatbots/"), cJSON_GetArraySize(list),
			 cJSON_GetArraySize(list) == 1 ? "" : "s");
		o->op.r.summary = strdup(line);
		finish(o);
		return;
	}
	case OP_CHANGES:
		on_changes(o, a);
		return;
	case OP_DESCRIBE:
		on_describe(o, a);
		return;
	case OP_POST:
		on_post(o, a);
		return;
	case OP_PATCH:
	case OP_META:
		finish(o);
		return;
	}
}

/* ---- the table's functions ------------------------------------------------------ */

static bool start(struct op *o, const char *method, const char *path, cJSON *body,
		  struct errbuf *err)
{
	if (!pf_op_ready(o, err)) {
		cJSON_Delete(body);
		return false;
	}
	call(o, method, path, body);
	return true;
}

static struct pf_client *th_open(uv_loop_t *loop, const struct bridge_config *cfg,
				 struct errbuf *err)
{
	struct pf_client *c = calloc(1, sizeof *c);
	const char *bot = bridge_config_get(cfg, "chatbot_id");

	if (!c) {
		errbuf_set(err, "out of memory");
		return NULL;
	}
	snprintf(c->base, sizeof c->base, "/v0/chatbots/");
	pf_urlencode(c->base, sizeof c->base, bot);
	c->webhook_url = bridge_config_get(cfg, "webhook_url");
	c->webhook_token = cfg->webhook_secret;
	c->icon_url = bridge_config_get(cfg, "agent_icon_url");
	if (!bridge_config_get_long(cfg, "poll_overlap_ms", 0, LONG_MAX, &c->overlap_ms, err)) {
		free(c);
		return NULL;
	}
	if (strchr(c->icon_url, '#')) {
		free(c);
		errbuf_set(err, "agent_icon_url: no '#' (the bridge adds its own fragment)");
		return NULL;
	}
	if (*c->webhook_url && !c->webhook_token) {
		free(c);
		errbuf_set(err, "webhook_url needs webhook_listen and webhook_secret_file");
		return NULL;
	}
	c->http = pf_http_open(loop, cfg, bridge_config_get(cfg, "token_file"), NULL, err);
	if (!c->http) {
		free(c);
		return NULL;
	}
	return c;
}

static void th_close(struct pf_client *c)
{
	if (!c)
		return;
	pf_http_free(c->http);
	pf_memo_free(c->threads);
	free(c);
}

static bool th_check(struct pf_client *c, pf_done_fn *done, void *ctx, struct errbuf *err)
{
	char path[PATH_LEN];

	snprintf(path, sizeof path, "%s/threads?limit=" PAGE, c->base);
	return start(op_new(c, OP_CHECK, done, ctx, err), "GET", path, NULL, err);
}

/* The cursor is the newest thread updatedAt seen, in ms since the epoch. */
static bool th_changes(struct pf_client *c, const char *cursor, pf_done_fn *done, void *ctx,
		       struct errbuf *err)
{
	struct op *o = op_new(c, OP_CHANGES, done, ctx, err);
	char path[PATH_LEN];

	if (o && cursor)
		o->since_ms = strtoll(cursor, NULL, 10);
	snprintf(path, sizeof path, "%s/threads?limit=" PAGE, c->base);
	return start(o, "GET", path, NULL, err);
}

static bool th_describe(struct pf_client *c, const char *conv_id, const char *customer_id,
			pf_done_fn *done, void *ctx, struct errbuf *err)
{
	struct op *o = op_new(c, OP_DESCRIBE, done, ctx, err);
	char path[PATH_LEN];

	(void)customer_id; /* the thread names its chat user */
	if (o && !pf_dup_into(&o->conv_id, conv_id))
		o->op.r.status = PF_REFUSED;
	thread_path(c, path, conv_id, "?skipMessages=true&includeChatUser=true");
	return start(o, "GET", path, NULL, err);
}

static bool th_post(struct pf_client *c, const char *conv_id, const char *agent_id,
		    const char *agent_name, const char *hub_msg_id, const char *text,
		    pf_done_fn *done, void *ctx, struct errbuf *err)
{
	struct op *o = op_new(c, OP_POST, done, ctx, err);
	char path[PATH_LEN];

	(void)agent_id;
	if (o && (!pf_dup_into(&o->conv_id, conv_id) ||
		  !pf_dup_into(&o->agent_name, agent_name && *agent_name ? agent_name : "Agent") ||
		  !pf_dup_into(&o->hub_msg_id, hub_msg_id) || !pf_dup_into(&o->text, text)))
		o->op.r.status = PF_REFUSED;
	thread_path(c, path, conv_id, "");
	return start(o, "GET", path, NULL, err);
}

static bool th_set_holder(struct pf_client *c, const char *conv_id, enum pf_holder h,
			  pf_done_fn *done, void *ctx, struct errbuf *err)
{
	cJSON *b = cJSON_CreateObject();
	char path[PATH_LEN];

	if (!b || !cJSON_AddStringToObject(b, "mode", h == PF_HOLDER_HUMAN ? "AGENT" : "AI")) {
		cJSON_Delete(b);
		return errbuf_set(err, "out of memory");
	}
	thread_path(c, path, conv_id, "");
	return start(op_new(c, OP_PATCH, done, ctx, err), "PATCH", path, b, err);
}

/* The platform holds no title, rating or status (doc/bridges.md): nothing
 * to write; the thread is read so the job ends as every job does, later. */
static bool th_set_meta(struct pf_client *c, const char *conv_id, const struct pf_meta *m,
			pf_done_fn *done, void *ctx, struct errbuf *err)
{
	char path[PATH_LEN];

	(void)m;
	thread_path(c, path, conv_id, "?skipMessages=true");
	return start(op_new(c, OP_META, done, ctx, err), "GET", path, NULL, err);
}

/* The token header's value against the secret, in constant time. */
static bool th_webhook_verify(const char *secret, const char *body, size_t len,
			      const char *header)
{
	size_t n = strlen(secret);

	(void)body;
	(void)len;
	return strlen(header) == n && CRYPTO_memcmp(header, secret, n) == 0;
}

/* {event, chatbotId, threadId, mode, isEscalated, message}: one message. */
static bool th_parse_webhook(struct pf_client *c, const char *body, size_t len,
			     struct pf_result *out, struct errbuf *err)
{
	cJSON *ev = cJSON_ParseWithLength(body, len);
	const char *event = pf_str(ev, "event"), *conv = pf_str(ev, "threadId");
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(ev, "message");
	size_t cap_msgs = 0, cap_wanting = 0;
	bool ok = true;

	if (!event || !conv || !cJSON_IsObject(m)) {
		cJSON_Delete(ev);
		return errbuf_set(err, "not a thread message delivery");
	}
	/* A thread the bridge has not listed yet: its chat user is unknown,
	 * and the poller brings the message with it. */
	const char *user = pf_memo_get(c->threads, conv);
	if (user && !message_parts(c, m, conv, user, strcmp(event, "MESSAGE_CREATED") == 0, out,
				   &cap_msgs, &cap_wanting))
		ok = errbuf_set(err, "out of memory");
	cJSON_Delete(ev);
	return ok;
}

const struct bridge_platform platform_threads = {
	.name = "threads",
	.keys = threads_keys,
	.webhook_signature_header = "x-webhook-token",
	.webhook_verify = th_webhook_verify,
	.open = th_open,
	.close = th_close,
	.check = th_check,
	.changes = th_changes,
	.describe = th_describe,
	.post = th_post,
	.set_holder = th_set_holder,
	.set_meta = th_set_meta,
	.parse_webhook = th_parse_webhook,
};
