/*
 * api_endpoints.c — one function per endpoint of Handoff API v1: the path,
 * the query string (URL-escaped), the JSON body, and what the answer
 * decodes into. Transport and retries are api.c's.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"
#include "jsonfield.h"
#include "uuid.h"

/* ---- query strings --------------------------------------------------------- */

struct query {
	char *s;
	size_t len, cap;
	bool oom;
};

static void q_putc(struct query *q, char ch)
{
	if (q->oom)
		return;
	if (q->len + 2 > q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 128;
		char *s = realloc(q->s, cap);
		if (!s) {
			q->oom = true;
			return;
		}
		q->s = s;
		q->cap = cap;
	}
	q->s[q->len++] = ch;
	q->s[q->len] = '\0';
}

/* RFC 3986 unreserved characters go as they are; every other byte is
 * %XX, so '+', '&', ';', '%' and '#' in user text stay text (the hub reads
 * '+' as a space and ';' as a separator, doc/protocol.md). */
static void q_escaped(struct query *q, const char *v)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			q_putc(q, (char)*p);
		} else {
			q_putc(q, '%');
			q_putc(q, hex[*p >> 4]);
			q_putc(q, hex[*p & 15]);
		}
	}
}

static void q_param(struct query *q, const char *name, const char *value)
{
	if (!value)
		return;
	q_putc(q, q->len ? '&' : '?');
	q_escaped(q, name);
	q_putc(q, '=');
	q_escaped(q, value);
}

static void q_int(struct query *q, const char *name, int64_t v)
{
	char buf[24];
	snprintf(buf, sizeof buf, "%" PRId64, v);
	q_param(q, name, buf);
}

static char *q_finish(struct query *q)
{
	if (q->oom) {
		free(q->s);
		return NULL;
	}
	return q->s ? q->s : strdup("");
}

char *api_chat_query(const struct api_chat_filter *f)
{
	struct query q = {0};

	q_param(&q, "mode", f->mode);
	if (f->escalated != API_TRISTATE_UNSET)
		q_param(&q, "escalated", f->escalated == API_TRISTATE_TRUE ? "true" : "false");
	if (f->waiting)
		q_param(&q, "waiting", "true");
	q_param(&q, "responder", f->responder);
	q_param(&q, "status", f->status);
	q_param(&q, "channel", f->channel);
	q_param(&q, "source", f->source);
	q_param(&q, "q", f->q);
	q_param(&q, "sort", f->sort);
	if (f->limit > 0)
		q_int(&q, "limit", f->limit);
	q_param(&q, "cursor", f->cursor);
	return q_finish(&q);
}

/* ---- helpers --------------------------------------------------------------- */

static bool check_id(const char *id, const char *what, struct errbuf *err)
{
	if (!id || !uuid_valid(id))
		return errbuf_set(err, "%s: not a valid id (a lowercase UUID)", what);
	return true;
}

/* "/v1/chats/{id}" + suffix into out. */
static bool chat_path(char *out, size_t n, const char *id, const char *suffix,
		      struct errbuf *err)
{
	if (!check_id(id, "chat", err))
		return false;
	snprintf(out, n, "/v1/chats/%s%s", id, suffix);
	return true;
}

static cJSON *oom(struct errbuf *err)
{
	errbuf_set(err, "out of memory");
	return NULL;
}

/* A POST on /v1/chats/{id}/<action> answered by the chat. */
static bool chat_action(struct api *a, const char *id, const char *action, cJSON *body,
			api_done_fn *done, void *ctx, struct errbuf *err)
{
	char path[96];

	if (!chat_path(path, sizeof path, id, action, err)) {
		cJSON_Delete(body);
		return false;
	}
	return api_call_start(a, "POST", path, body, API_P_CHAT, false, done, ctx, err);
}

/* ---- endpoints -------------------------------------------------------------- */

bool api_health(struct api *a, api_done_fn *done, void *ctx, struct errbuf *err)
{
	return api_call_start(a, "GET", "/v1/health", NULL, API_P_HEALTH, false, done, ctx, err);
}

bool api_me(struct api *a, api_done_fn *done, void *ctx, struct errbuf *err)
{
	return api_call_start(a, "GET", "/v1/me", NULL, API_P_AGENT, false, done, ctx, err);
}

bool api_agents(struct api *a, api_done_fn *done, void *ctx, struct errbuf *err)
{
	return api_call_start(a, "GET", "/v1/agents", NULL, API_P_AGENTS, false, done, ctx, err);
}

bool api_chats(struct api *a, const struct api_chat_filter *f, api_done_fn *done, void *ctx,
	       struct errbuf *err)
{
	static const struct api_chat_filter none;
	char *query = api_chat_query(f ? f : &none);

	if (!query)
		return errbuf_set(err, "out of memory");
	size_t n = strlen("/v1/chats") + strlen(query) + 1;
	char *path = malloc(n);
	bool ok = false;
	if (path) {
		snprintf(path, n, "/v1/chats%s", query);
		ok = api_call_start(a, "GET", path, NULL, API_P_CHATS, false, done, ctx, err);
	} else {
		errbuf_set(err, "out of memory");
	}
	free(path);
	free(query);
	return ok;
}

bool api_chat_get(struct api *a, const char *chat_id, api_done_fn *done, void *ctx,
		  struct errbuf *err)
{
	char path[96];

	return chat_path(path, sizeof path, chat_id, "", err) &&
	       api_call_start(a, "GET", path, NULL, API_P_CHAT, false, done, ctx, err);
}

bool api_owner(struct api *a, const char *owner_id, api_done_fn *done, void *ctx,
	       struct errbuf *err)
{
	char path[96];

	if (!check_id(owner_id, "owner", err))
		return false;
	snprintf(path, sizeof path, "/v1/owners/%s", owner_id);
	return api_call_start(a, "GET", path, NULL, API_P_OWNER, false, done, ctx, err);
}

bool api_chat_patch(struct api *a, const char *chat_id, const char *title,
		    const char *ticket_status, api_done_fn *done, void *ctx, struct errbuf *err)
{
	char path[96];

	if (!title && !ticket_status)
		return errbuf_set(err, "nothing to change: give a title or a ticket status");
	if (!chat_path(path, sizeof path, chat_id, "", err))
		return false;
	cJSON *b = cJSON_CreateObject();
	if (!b || (title && !cJSON_AddStringToObject(b, "title", title)) ||
	    (ticket_status && !cJSON_AddStringToObject(b, "ticket_status", ticket_status))) {
		cJSON_Delete(b);
		return oom(err);
	}
	return api_call_start(a, "PATCH", path, b, API_P_CHAT, false, done, ctx, err);
}

bool api_messages(struct api *a, const char *chat_id, int64_t before_seq, int64_t after_seq,
		  int limit, api_done_fn *done, void *ctx, struct errbuf *err)
{
	struct query q = {0};
	char path[160];

	if (before_seq > 0 && after_seq >= 0)
		return errbuf_set(err, "before_seq and after_seq cannot be combined");
	if (before_seq > 0)
		q_int(&q, "before_seq", before_seq);
	if (after_seq >= 0)
		q_int(&q, "after_seq", after_seq);
	if (limit > 0)
		q_int(&q, "limit", limit);
	char *query = q_finish(&q);
	if (!query)
		return errbuf_set(err, "out of memory");
	snprintf(path, sizeof path, "/messages%s", query);
	free(query);
	char full[256];
	return chat_path(full, sizeof full, chat_id, path, err) &&
	       api_call_start(a, "GET", full, NULL, API_P_MESSAGES, false, done, ctx, err);
}

bool api_send(struct api *a, const char *chat_id, const char *text, const char *client_msg_id,
	      bool internal, bool retry_safe, api_done_fn *done, void *ctx, struct errbuf *err)
{
	char path[96];

	if (!text || !*text)
		return errbuf_set(err, "the message is empty");
	if (!client_msg_id || !*client_msg_id)
		return errbuf_set(err, "client_msg_id is missing");
	if (!chat_path(path, sizeof path, chat_id, "/messages", err))
		return false;
	cJSON *b = cJSON_CreateObject();
	if (!b || !cJSON_AddStringToObject(b, "text", text) ||
	    !cJSON_AddStringToObject(b, "client_msg_id", client_msg_id) ||
	    (internal && !cJSON_AddTrueToObject(b, "internal"))) {
		cJSON_Delete(b);
		return oom(err);
	}
	return api_call_start(a, "POST", path, b, API_P_MESSAGE, retry_safe, done, ctx, err);
}

bool api_takeover(struct api *a, const char *chat_id, bool force, api_done_fn *done, void *ctx,
		  struct errbuf *err)
{
	cJSON *b = NULL;

	if (force && (!(b = cJSON_CreateObject()) || !cJSON_AddTrueToObject(b, "force"))) {
		cJSON_Delete(b);
		return oom(err);
	}
	return chat_action(a, chat_id, "/takeover", b, done, ctx, err);
}

bool api_mark_read(struct api *a, const char *chat_id, int64_t seq, api_done_fn *done, void *ctx,
		   struct errbuf *err)
{
	char path[96];
	cJSON *b = cJSON_CreateObject();

	if (!b || !json_add_int(b, "seq", seq)) {
		cJSON_Delete(b);
		return oom(err);
	}
	if (!chat_path(path, sizeof path, chat_id, "/read", err)) {
		cJSON_Delete(b);
		return false;
	}
	return api_call_start(a, "POST", path, b, API_P_NONE, false, done, ctx, err);
}

bool api_handback(struct api *a, const char *chat_id, api_done_fn *done, void *ctx,
		  struct errbuf *err)
{
	return chat_action(a, chat_id, "/handback", NULL, done, ctx, err);
}

bool api_stop(struct api *a, const char *chat_id, api_done_fn *done, void *ctx,
	      struct errbuf *err)
{
	return chat_action(a, chat_id, "/stop", NULL, done, ctx, err);
}

bool api_assign(struct api *a, const char *chat_id, const char *agent_id, api_done_fn *done,
		void *ctx, struct errbuf *err)
{
	if (!check_id(agent_id, "agent", err))
		return false;
	cJSON *b = cJSON_CreateObject();
	if (!b || !cJSON_AddStringToObject(b, "agent_id", agent_id)) {
		cJSON_Delete(b);
		return oom(err);
	}
	return chat_action(a, chat_id, "/assign", b, done, ctx, err);
}

bool api_accept(struct api *a, const char *chat_id, api_done_fn *done, void *ctx,
		struct errbuf *err)
{
	return chat_action(a, chat_id, "/accept", NULL, done, ctx, err);
}

bool api_pass(struct api *a, const char *chat_id, api_done_fn *done, void *ctx,
	      struct errbuf *err)
{
	return chat_action(a, chat_id, "/pass", NULL, done, ctx, err);
}

bool api_agent_capacity(struct api *a, const char *agent_id, int64_t capacity,
			api_done_fn *done, void *ctx, struct errbuf *err)
{
	char path[64];

	if (!check_id(agent_id, "agent", err))
		return false;
	cJSON *b = cJSON_CreateObject();
	if (!b || !json_add_int(b, "capacity", capacity)) {
		cJSON_Delete(b);
		return oom(err);
	}
	snprintf(path, sizeof path, "/v1/agents/%s", agent_id);
	return api_call_start(a, "PATCH", path, b, API_P_AGENT, false, done, ctx, err);
}

bool api_rating(struct api *a, const char *chat_id, int score, const char *feedback,
		const char *suggested_answer, api_done_fn *done, void *ctx, struct errbuf *err)
{
	if (score < 1 || score > 5)
		return errbuf_set(err, "score: must be 1 to 5");
	cJSON *b = cJSON_CreateObject();
	if (!b || !cJSON_AddNumberToObject(b, "score", score) ||
	    (feedback && !cJSON_AddStringToObject(b, "feedback", feedback)) ||
	    (suggested_answer && !cJSON_AddStringToObject(b, "suggested_answer", suggested_answer))) {
		cJSON_Delete(b);
		return oom(err);
	}
	return chat_action(a, chat_id, "/rating", b, done, ctx, err);
}

/* A JSON object of the non-NULL pairs, or no member at all when all are
 * NULL; false when out of memory. */
static bool add_pairs(cJSON *b, const char *member, const char *k1, const char *v1,
		      const char *k2, const char *v2)
{
	if (!v1 && !v2)
		return true;
	cJSON *o = cJSON_AddObjectToObject(b, member);
	return o && (!v1 || cJSON_AddStringToObject(o, k1, v1)) &&
	       (!v2 || cJSON_AddStringToObject(o, k2, v2));
}

/* The body of one ingest; NULL with err set. */
static cJSON *ingest_json(const struct api_ingest_req *req, struct errbuf *err)
{
	if (!req->text || !*req->text || !req->role) {
		errbuf_set(err, req->role ? "the message is empty" : "role is missing");
		return NULL;
	}
	if (req->chat_id && !check_id(req->chat_id, "chat", err))
		return NULL;
	cJSON *b = cJSON_CreateObject();
	bool ok = b && (!req->chat_id || cJSON_AddStringToObject(b, "chat_id", req->chat_id)) &&
		  (!req->external_id || cJSON_AddStringToObject(b, "external_id", req->external_id)) &&
		  add_pairs(b, "channel", "type", req->channel_type, "name", req->channel_name) &&
		  add_pairs(b, "owner", "external_id", req->owner_external_id, "name",
			    req->owner_name) &&
		  cJSON_AddStringToObject(b, "role", req->role) &&
		  cJSON_AddStringToObject(b, "text", req->text) &&
		  (!req->escalate || cJSON_AddTrueToObject(b, "escalate")) &&
		  (!req->external_message_id ||
		   cJSON_AddStringToObject(b, "external_message_id", req->external_message_id)) &&
		  add_pairs(b, "source", "platform", req->source_platform, NULL, NULL);
	if (!ok) {
		cJSON_Delete(b);
		return oom(err);
	}
	return b;
}

bool api_ingest(struct api *a, const struct api_ingest_req *req, api_done_fn *done, void *ctx,
		struct errbuf *err)
{
	cJSON *b = ingest_json(req, err);

	return b && api_call_start(a, "POST", "/v1/ingest/messages", b, API_P_INGEST,
				   req->external_message_id != NULL, done, ctx, err);
}

bool api_ingest_batch(struct api *a, const struct api_ingest_req *reqs, size_t n,
		      api_done_fn *done, void *ctx, struct errbuf *err)
{
	bool retry_safe = true;

	if (n < 1 || n > INGEST_BATCH_MAX_ITEMS)
		return errbuf_set(err, "a batch is 1 to %d messages", INGEST_BATCH_MAX_ITEMS);
	cJSON *b = cJSON_CreateObject();
	cJSON *items = b ? cJSON_AddArrayToObject(b, "items") : NULL;
	if (!items) {
		cJSON_Delete(b);
		oom(err);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		cJSON *one = ingest_json(&reqs[i], err);
		if (!one || !cJSON_AddItemToArray(items, one)) {
			cJSON_Delete(one);
			cJSON_Delete(b);
			return false;
		}
		retry_safe = retry_safe && reqs[i].external_message_id;
	}
	return api_call_start(a, "POST", "/v1/ingest/batch", b, API_P_INGEST_BATCH, retry_safe,
			      done, ctx, err);
}

bool api_ingest_stats(struct api *a, const char *platform, const struct api_stats_day *days,
		      size_t n, api_done_fn *done, void *ctx, struct errbuf *err)
{
	cJSON *b = cJSON_CreateObject();
	cJSON *list = b ? cJSON_AddArrayToObject(b, "days") : NULL;
	bool ok = list && cJSON_AddStringToObject(b, "platform", platform);

	for (size_t i = 0; ok && i < n; i++) {
		cJSON *d = cJSON_CreateObject();
		ok = d && cJSON_AddItemToArray(list, d) &&
		     cJSON_AddStringToObject(d, "date", days[i].date) &&
		     cJSON_AddNumberToObject(d, "conversations", (double)days[i].conversations);
	}
	if (!ok) {
		cJSON_Delete(b);
		oom(err);
		return false;
	}
	return api_call_start(a, "POST", "/v1/ingest/stats", b, API_P_STORED, true, done, ctx, err);
}

bool api_dashboard(struct api *a, api_done_fn *done, void *ctx, struct errbuf *err)
{
	return api_call_start(a, "GET", "/v1/dashboard", NULL, API_P_DASHBOARD, false, done, ctx,
			      err);
}

bool api_stats_daily(struct api *a, const char *from, const char *to, api_done_fn *done,
		     void *ctx, struct errbuf *err)
{
	struct query q = {0};

	if (!from || !to)
		return errbuf_set(err, "stats: from and to are required");
	q_param(&q, "from", from);
	q_param(&q, "to", to);
	char *query = q_finish(&q);
	if (!query)
		return errbuf_set(err, "out of memory");
	char path[160];
	int n = snprintf(path, sizeof path, "/v1/stats/daily%s", query);
	free(query);
	if (n < 0 || (size_t)n >= sizeof path)
		return errbuf_set(err, "stats: dates must be YYYY-MM-DD");
	return api_call_start(a, "GET", path, NULL, API_P_STATS, false, done, ctx, err);
}

bool api_new_client_msg_id(char out[UUID_STRLEN + 1], struct errbuf *err)
{
	return uuid_generate(out, err);
}

bool api_canned_list(struct api *a, api_done_fn *done, void *ctx, struct errbuf *err)
{
	return api_call_start(a, "GET", "/v1/replies", NULL, API_P_CANNED_LIST, false, done, ctx,
			      err);
}

bool api_canned_add(struct api *a, const char *name, const char *text, bool shared,
		    api_done_fn *done, void *ctx, struct errbuf *err)
{
	cJSON *b = cJSON_CreateObject();

	if (!b || !cJSON_AddStringToObject(b, "name", name) ||
	    !cJSON_AddStringToObject(b, "text", text) ||
	    !cJSON_AddBoolToObject(b, "shared", shared)) {
		cJSON_Delete(b);
		return errbuf_set(err, "out of memory");
	}
	return api_call_start(a, "POST", "/v1/replies", b, API_P_CANNED, false, done, ctx, err);
}

bool api_canned_remove(struct api *a, const char *id, api_done_fn *done, void *ctx,
		       struct errbuf *err)
{
	char path[64];

	if (!check_id(id, "reply", err))
		return false;
	snprintf(path, sizeof path, "/v1/replies/%s", id);
	return api_call_start(a, "DELETE", path, NULL, API_P_CANNED, false, done, ctx, err);
}

bool api_search(struct api *a, const char *text, int limit, api_done_fn *done, void *ctx,
		struct errbuf *err)
{
	struct query q = {0};

	if (!text || !*text)
		return errbuf_set(err, "search: the text is empty");
	q_param(&q, "q", text);
	if (limit > 0)
		q_int(&q, "limit", limit);
	char *query = q_finish(&q);
	size_t n = query ? strlen("/v1/search") + strlen(query) + 1 : 0;
	char *path = query ? malloc(n) : NULL;
	if (!path) {
		free(query);
		return errbuf_set(err, "out of memory");
	}
	snprintf(path, n, "/v1/search%s", query);
	free(query);
	bool ok = api_call_start(a, "GET", path, NULL, API_P_SEARCH, false, done, ctx, err);
	free(path);
	return ok;
}
