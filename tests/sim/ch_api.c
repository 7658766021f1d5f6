/*
 * ch_api.c — /api/v1/... of the simulator, table-driven: one row per
 * method and path, a handler per row.
 *
 * Every request must carry the API key in the "authorization" header (the
 * key alone, or "Bearer <key>"): 401 "Unauthorized." otherwise. Bodies must
 * be JSON objects sent as application/json. Lists are JSON arrays paged
 * by pageNumber (from 1) and pageSize (default 10, at most 100); a page
 * shorter than pageSize is the last.
 */
#include "ch_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ch_error.h"
#include "jsonfield.h"
#include "sim_query.h"
#include "timeutil.h"
#include "uuid.h"

/* Default and maximum of the message list's pagination[limit]. */
#define MSG_LIMIT 250
#define MSG_LIMIT_MAX 1000

struct call {
	struct ch_sim *sim;
	struct ch_store *s;
	const struct sim_req *req;
	struct sim_resp *resp;
	char *param;                /* the path's {} segment, decoded */
	cJSON *body;                /* the request body (object) or NULL */
};

struct route {
	const char *method;
	const char *pattern;        /* "{}" stands for one path segment */
	void (*fn)(struct call *c);
};

/* ---- helpers ------------------------------------------------------------ */

/* Answer `status` with `o` (taken). */
static void reply(struct call *c, int status, cJSON *o)
{
	if (!o) {
		ch_error(c->resp, CH_ERR_INTERNAL, 0);
		return;
	}
	c->resp->status = status;
	c->resp->body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
}

static void invalid(struct call *c)
{
	ch_error(c->resp, CH_ERR_INVALID, 0);
}

/* A whole number query parameter in min..max, `def` when absent; false
 * (answered 400) when it is something else. */
static bool query_int(struct call *c, const char *name, long def, long min, long max, long *out)
{
	char *v = sim_query_get(c->req->query, name, NULL), *end;
	long n = def;

	if (v)
		n = strtol(v, &end, 10);
	if (v && (!v[0] || *end || n < min || n > max)) {
		free(v);
		invalid(c);
		return false;
	}
	free(v);
	*out = n;
	return true;
}

/* ---- chat lists --------------------------------------------------------- */

struct filter {
	bool by_channel, channels[CH_NCHANNELS];   /* channelIds */
	bool by_type, types[CH_NCHANNELS];         /* channelTypes */
	cJSON *owners;                              /* ownerIds, or NULL */
	int64_t from, to;                           /* lastChatMessageCreatedAt{Start,End} */
	struct ch_store *s;
};

static bool add_channel_id(void *arg, const char *v)
{
	struct filter *f = arg;
	struct ch_channel *ch = ch_channel_find(f->s, v);

	if (!uuid_valid(v))
		return false;
	if (ch)
		f->channels[ch->type] = true;
	return true;
}

static bool add_type(void *arg, const char *v)
{
	struct filter *f = arg;

	for (size_t i = 0; i < CH_NCHANNELS; i++)
		if (strcmp(CH_CHANNEL_TYPES[i], v) == 0) {
			f->types[i] = true;
			return true;
		}
	return false;
}

static bool add_owner(void *arg, const char *v)
{
	struct filter *f = arg;

	return uuid_valid(v) && cJSON_AddItemToArray(f->owners, cJSON_CreateString(v));
}

/* A date-time bound; false when present and not the doc's format. */
static bool query_time(const char *query, const char *name, int64_t *out)
{
	char *v = sim_query_get(query, name, NULL);
	bool ok = !v || ts_parse(v, out, NULL);

	free(v);
	return ok;
}

/* The list's filters from the query; false (answered 400) when one is
 * malformed. */
static bool filter_parse(struct call *c, struct filter *f)
{
	const char *q = c->req->query;
	int n;

	memset(f, 0, sizeof *f);
	f->s = c->s;
	f->from = TS_NONE;
	f->to = TS_NONE;
	f->owners = cJSON_CreateArray();
	if (!f->owners || (n = sim_query_each(q, "channelIds", add_channel_id, f)) < 0)
		goto bad;
	f->by_channel = n > 0;
	if ((n = sim_query_each(q, "channelTypes", add_type, f)) < 0)
		goto bad;
	f->by_type = n > 0;
	if (sim_query_each(q, "ownerIds", add_owner, f) < 0 ||
	    !query_time(q, "lastChatMessageCreatedAtStart", &f->from) ||
	    !query_time(q, "lastChatMessageCreatedAtEnd", &f->to))
		goto bad;
	return true;
bad:
	cJSON_Delete(f->owners);
	f->owners = NULL;
	invalid(c);
	return false;
}

static bool filter_match(const struct filter *f, const struct ch_chat *c)
{
	if (f->by_channel && !f->channels[c->channel->type])
		return false;
	if (f->by_type && !f->types[c->channel->type])
		return false;
	if (cJSON_GetArraySize(f->owners) > 0) {
		const cJSON *it;
		bool found = false;
		cJSON_ArrayForEach(it, f->owners)
			found = found || strcmp(it->valuestring, c->owner->id) == 0;
		if (!found)
			return false;
	}
	if (f->from != TS_NONE || f->to != TS_NONE) {
		const struct ch_msg *m = c->msgs.n ? c->msgs.v[c->msgs.n - 1] : NULL;
		if (!m || (f->from != TS_NONE && m->created_ms < f->from) ||
		    (f->to != TS_NONE && m->created_ms > f->to))
			return false;
	}
	return true;
}

/* One page of the chats, as rows made by `to_json`. */
static void chat_list(struct call *c,
		      cJSON *(*to_json)(const struct ch_store *, const struct ch_chat *))
{
	long page, size;
	struct filter f;
	size_t n = c->s->chats.n, skip, served = 0;

	if (!query_int(c, "pageNumber", 1, 1, 1000000000, &page) ||
	    !query_int(c, "pageSize", (long)c->sim->page_size, 1, CH_PAGE_SIZE_MAX, &size) ||
	    !filter_parse(c, &f))
		return;
	skip = (size_t)(page - 1) * (size_t)size;
	cJSON *arr = cJSON_CreateArray();
	for (size_t k = 0; arr && k < n && served < (size_t)size; k++) {
		const struct ch_chat *chat = c->s->chats.v[c->sim->newest_first ? n - 1 - k : k];
		if (!filter_match(&f, chat))
			continue;
		if (skip) {
			skip--;
			continue;
		}
		cJSON_AddItemToArray(arr, to_json(c->s, chat));
		served++;
	}
	cJSON_Delete(f.owners);
	reply(c, 200, arr);
}

static void chats_list(struct call *c) { chat_list(c, ch_chat_json); }
static void chats_list_details(struct call *c) { chat_list(c, ch_chat_details_json); }

/* ---- one chat ----------------------------------------------------------- */

static struct ch_chat *chat_or_404(struct call *c, enum ch_err e)
{
	struct ch_chat *chat = ch_chat_find(c->s, c->param);

	if (!chat)
		ch_error(c->resp, e, 0);
	return chat;
}

static void chats_get(struct call *c)
{
	struct ch_chat *chat = chat_or_404(c, CH_ERR_CHAT_NOT_FOUND);

	if (chat)
		reply(c, 200, ch_chat_json(c->s, chat));
}

static void chats_get_details(struct call *c)
{
	struct ch_chat *chat = chat_or_404(c, CH_ERR_CHAT_NOT_FOUND);

	if (chat)
		reply(c, 200, ch_chat_details_json(c->s, chat));
}

static void chats_remove(struct call *c)
{
	struct ch_chat *chat = chat_or_404(c, CH_ERR_CHAT_NOT_FOUND);
	cJSON *o;

	if (!chat)
		return;
	chat->removed = true;
	chat->updated_ms = ts_now();
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "message", "The chat was removed.");
	reply(c, 200, o);
}

/* body[name]: absent (*present false), null (*out NULL) or a string of
 * 1..max characters; false when something else. */
static bool opt_string(struct call *c, const char *name, size_t max, bool *present,
		       const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->body, name);

	*present = v != NULL;
	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return true;
	if (!cJSON_IsString(v) || !v->valuestring[0] || strlen(v->valuestring) > max)
		return false;
	*out = v->valuestring;
	return true;
}

/* An optional super identity: absent, null, or a known responder. False
 * (answered) when malformed (400) or unknown (404). */
static bool opt_responder(struct call *c, bool *present, struct ch_identity **out)
{
	const char *id;

	*out = NULL;
	if (!opt_string(c, "responderSuperIdentityId", CH_ID_LEN, present, &id) ||
	    (id && !uuid_valid(id))) {
		invalid(c);
		return false;
	}
	if (id && !(*out = ch_identity_find(c->s, id))) {
		ch_error(c->resp, CH_ERR_REF_NOT_FOUND, 0);
		return false;
	}
	return true;
}

static void chats_create(struct call *c)
{
	const char *channel_id, *owner_id, *title;
	bool has_channel, has_owner, has_title, has_responder;
	struct ch_identity *responder;
	struct ch_owner *owner;
	struct ch_channel *channel;
	struct ch_chat *chat;

	if (!opt_string(c, "channelId", CH_ID_LEN, &has_channel, &channel_id) || !channel_id ||
	    !uuid_valid(channel_id) ||
	    !opt_string(c, "ownerSuperIdentityId", CH_ID_LEN, &has_owner, &owner_id) || !owner_id ||
	    !uuid_valid(owner_id) || !opt_string(c, "title", 256, &has_title, &title)) {
		invalid(c);
		return;
	}
	if (!opt_responder(c, &has_responder, &responder))
		return;
	if (!(channel = ch_channel_find(c->s, channel_id))) {
		ch_error(c->resp, CH_ERR_REF_NOT_FOUND, 0);
		return;
	}
	/* The doc's 404 names the channel and the responder; an owner that
	 * is not one of the workspace's is invalid data. */
	if (!(owner = ch_owner_by_super_id(c->s, owner_id))) {
		invalid(c);
		return;
	}
	chat = ch_chat_new(c->s, channel, owner, responder, title);
	if (!chat)
		ch_error(c->resp, CH_ERR_INTERNAL, 0);
	else
		reply(c, 201, ch_chat_json(c->s, chat));
}

/* PATCH: title, responderSuperIdentityId, ticketStatus; at least one. */
static void chats_update(struct call *c)
{
	struct ch_chat *chat = chat_or_404(c, CH_ERR_UPDATE_NOT_FOUND);
	const char *title, *status_in;
	const char *status = NULL;
	bool has_title, has_responder, has_status;
	struct ch_identity *responder;

	if (!chat)
		return;
	if (!opt_string(c, "title", 256, &has_title, &title) ||
	    !opt_string(c, "ticketStatus", 32, &has_status, &status_in) ||
	    (has_status && !(status = ch_ticket_status(status_in))) ||
	    /* A ticket is opened with "open"; another status needs one. */
	    (status && !chat->ticket_status && strcmp(status, "open") != 0)) {
		invalid(c);
		return;
	}
	if (!opt_responder(c, &has_responder, &responder))
		return;
	if (!has_title && !has_status && !has_responder) {
		invalid(c);
		return;
	}
	if (has_title && !ch_set_str(&chat->title, title)) {
		ch_error(c->resp, CH_ERR_INTERNAL, 0);
		return;
	}
	if (has_responder)
		chat->responder = responder;
	if (status && !chat->ticket_status)
		ch_ticket_open(c->s, chat);
	else if (status)
		chat->ticket_status = status;
	chat->updated_ms = ts_now();
	reply(c, 200, ch_chat_json(c->s, chat));
}

/* ---- messages ----------------------------------------------------------- */

static void msgs_list(struct call *c)
{
	char *chat_id = sim_query_get(c->req->query, "chatId", NULL);
	struct ch_chat *chat = chat_id ? ch_chat_find(c->s, chat_id) : NULL;
	long limit;

	if (!chat_id || !uuid_valid(chat_id)) {
		free(chat_id);
		invalid(c);
		return;
	}
	free(chat_id);
	if (!query_int(c, "pagination[limit]", MSG_LIMIT, 1, MSG_LIMIT_MAX, &limit))
		return;
	if (!chat) {
		ch_error(c->resp, CH_ERR_CHAT_NOT_FOUND, 0);
		return;
	}
	cJSON *arr = cJSON_CreateArray();
	size_t from = chat->msgs.n > (size_t)limit ? chat->msgs.n - (size_t)limit : 0;
	for (size_t i = from; arr && i < chat->msgs.n; i++)
		cJSON_AddItemToArray(arr, ch_msg_json(chat->msgs.v[i]));
	reply(c, 200, arr);
}

/* POST {chatId, content, role?}: an Idempotency-Key header already seen on
 * this chat answers the first message (200) instead of posting again. */
static void msgs_create(struct call *c)
{
	const char *chat_id, *content, *role_in, *role = CH_ROLE_OPERATOR;
	const char *key = sim_req_header(c->req, "Idempotency-Key");
	bool has;
	struct ch_chat *chat;
	struct ch_msg *m;

	if (!opt_string(c, "chatId", CH_ID_LEN, &has, &chat_id) || !chat_id ||
	    !uuid_valid(chat_id) || !opt_string(c, "content", 65536, &has, &content) || !content ||
	    !opt_string(c, "role", 32, &has, &role_in) || (key && (!key[0] || strlen(key) > 255))) {
		invalid(c);
		return;
	}
	if (role_in && strcmp(role_in, CH_ROLE_OPERATOR) != 0 &&
	    strcmp(role_in, CH_ROLE_ASSISTANT) != 0) {
		invalid(c);
		return;
	}
	if (role_in)
		role = strcmp(role_in, CH_ROLE_OPERATOR) == 0 ? CH_ROLE_OPERATOR : CH_ROLE_ASSISTANT;
	if (!(chat = ch_chat_find(c->s, chat_id))) {
		ch_error(c->resp, CH_ERR_CHAT_NOT_FOUND, 0);
		return;
	}
	if ((m = ch_msg_by_key(chat, key))) {
		reply(c, 200, ch_msg_json(m));
		return;
	}
	if (chat->removed) {
		invalid(c);
		return;
	}
	m = ch_msg_new(c->s, chat, role, content, CH_ORIGIN_API, key);
	if (!m)
		ch_error(c->resp, CH_ERR_INTERNAL, 0);
	else
		reply(c, 201, ch_msg_json(m));
}

/* ---- routing ------------------------------------------------------------ */

static const struct route ROUTES[] = {
	{"GET", "/api/v1/chats", chats_list},
	{"POST", "/api/v1/chats", chats_create},
	{"GET", "/api/v1/chats/details", chats_list_details},
	{"GET", "/api/v1/chats/{}", chats_get},
	{"PATCH", "/api/v1/chats/{}", chats_update},
	{"DELETE", "/api/v1/chats/{}", chats_remove},
	{"GET", "/api/v1/chats/{}/details", chats_get_details},
	{"GET", "/api/v1/chat-messages", msgs_list},
	{"POST", "/api/v1/chat-messages", msgs_create},
};

/* Match `path` against `pattern`; the {} segment goes in *param (decoded,
 * malloc'd). A literal segment wins over {}: "details" is not an id. */
static bool match(const char *pattern, const char *path, char **param)
{
	const char *brace = strstr(pattern, "{}");

	*param = NULL;
	if (!brace)
		return strcmp(pattern, path) == 0;
	size_t pre = (size_t)(brace - pattern);
	if (strncmp(pattern, path, pre) != 0)
		return false;
	size_t len = strcspn(path + pre, "/");
	if (len == 0 || strcmp(path + pre + len, brace + 2) != 0)
		return false;
	if (len == strlen("details") && strncmp(path + pre, "details", len) == 0)
		return false;
	*param = sim_url_decode(path + pre, len);
	return *param != NULL;
}

static bool authorized(struct ch_sim *sim, const struct sim_req *req)
{
	const char *auth = sim_req_header(req, "authorization");

	if (!auth)
		return false;
	if (strncasecmp(auth, "Bearer ", 7) == 0)
		auth += 7;
	return strcmp(auth, sim->api_key) == 0;
}

/* Parse the body of a POST or PATCH; false when answered with an error. */
static bool parse_body(struct call *c)
{
	const char *ct = sim_req_header(c->req, "Content-Type");
	const char *m = c->req->method;

	if (strcmp(m, "POST") != 0 && strcmp(m, "PATCH") != 0)
		return true;
	if (c->req->too_large) {
		ch_error(c->resp, CH_ERR_TOO_LARGE, 0);
		return false;
	}
	if (!ct || strncasecmp(ct, "application/json", 16) != 0) {
		ch_error(c->resp, CH_ERR_MEDIA_TYPE, 0);
		return false;
	}
	/* json_parse_text also refuses invalid UTF-8, which cJSON lets by. */
	c->body = json_parse_text(c->req->body, c->req->body_len, NULL);
	if (!cJSON_IsObject(c->body)) {
		invalid(c);
		return false;
	}
	return true;
}

void ch_api_handle(struct ch_sim *sim, const struct sim_req *req, struct sim_resp *resp)
{
	struct call c = {.sim = sim, .s = &sim->store, .req = req, .resp = resp};
	bool path_known = false;

	if (!authorized(sim, req)) {
		ch_error(resp, CH_ERR_UNAUTHORIZED, 0);
		return;
	}
	for (size_t i = 0; i < sizeof ROUTES / sizeof ROUTES[0]; i++) {
		char *param;
		if (!match(ROUTES[i].pattern, req->path, &param))
			continue;
		if (strcmp(ROUTES[i].method, req->method) != 0) {
			path_known = true;
			free(param);
			continue;
		}
		c.param = param;
		if (parse_body(&c))
			ROUTES[i].fn(&c);
		free(param);
		cJSON_Delete(c.body);
		return;
	}
	ch_error(resp, path_known ? CH_ERR_METHOD : CH_ERR_NO_ROUTE, 0);
}

bool ch_api_is_next_page(const struct sim_req *req)
{
	char *page;
	bool next;

	if (strcmp(req->method, "GET") != 0 || (strcmp(req->path, "/api/v1/chats") != 0 &&
						strcmp(req->path, "/api/v1/chats/details") != 0))
		return false;
	page = sim_query_get(req->query, "pageNumber", NULL);
	next = page && atol(page) > 1;
	free(page);
	return next;
}
