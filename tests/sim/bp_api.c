/*
 * bp_api.c — /v1/chat/... of the simulator, table-driven: one row per
 * method and path of the doc, a handler per row.
 *
 * Every request must carry "Authorization: Bearer <token>" (401
 * Unauthorized otherwise) and "x-bot-id" (400 InvalidPayload when missing,
 * 403 Forbidden when it names another bot). Bodies must be JSON objects sent
 * as application/json (415, 400 otherwise).
 */
#include "bp_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bp_error.h"
#include "jsonfield.h"
#include "sim_query.h"
#include "timeutil.h"

#define MAX_PARAMS 3

struct call {
	struct bp_store *s;
	const struct sim_req *req;
	struct sim_resp *resp;
	char *params[MAX_PARAMS];   /* the path's {...} segments, decoded */
	cJSON *body;                /* the request body (object) or NULL */
};

typedef void (*handler_fn)(struct call *c);

struct route {
	const char *method;
	const char *pattern;        /* "{}" stands for one path segment */
	handler_fn fn;
};

/* ---- helpers ------------------------------------------------------------ */

/* Answer 200 with {"<key>": obj}. */
static void ok_obj(struct call *c, const char *key, cJSON *obj)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddItemToObject(o, key, obj);
	c->resp->status = 200;
	c->resp->body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
}

static void ok_page(struct call *c, cJSON *page)
{
	if (!page) {
		bp_error(c->resp, BP_ERR_INVALID_QUERY, "nextToken: not a token of this endpoint.");
		return;
	}
	c->resp->status = 200;
	c->resp->body = cJSON_PrintUnformatted(page);
	cJSON_Delete(page);
}

static void bad(struct call *c, const char *why)
{
	bp_error(c->resp, BP_ERR_INVALID_PAYLOAD, why);
}

/* The query's tags filter, "tags[key]=value" pairs (the usual encoding of an
 * object in a query string). NULL and *bad_q set when one is malformed. */
static cJSON *query_tags(const char *query, bool *bad_q)
{
	cJSON *tags = cJSON_CreateObject();
	const char *p = query;

	*bad_q = false;
	while (tags && p && *p) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		/* Split before decoding: a '=' inside a name or value is %3D. */
		char *name = eq ? sim_url_decode(p, (size_t)(eq - p)) : NULL;
		char *value = eq ? sim_url_decode(eq + 1, len - (size_t)(eq - p) - 1) : NULL;
		size_t nlen = name ? strlen(name) : 0;

		if (name && strncmp(name, "tags[", 5) == 0) {
			if (!value || nlen < 7 || name[nlen - 1] != ']') {
				*bad_q = true;
			} else {
				name[nlen - 1] = '\0';
				cJSON_DeleteItemFromObjectCaseSensitive(tags, name + 5);
				cJSON_AddStringToObject(tags, name + 5, value);
			}
		}
		free(name);
		free(value);
		if (*bad_q)
			break;
		p = amp ? amp + 1 : NULL;
	}
	if (*bad_q) {
		cJSON_Delete(tags);
		return NULL;
	}
	return tags;
}

/* Optional tags of the body; false (answered) when malformed. */
static bool body_tags(struct call *c, const cJSON **tags)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(c->body, "tags");

	*tags = NULL;
	if (!t || cJSON_IsNull(t))
		return true;
	if (!bp_tags_valid(t)) {
		bad(c, "tags: must be an object of strings.");
		return false;
	}
	*tags = t;
	return true;
}

/* An optional string field (NULL when absent); false (answered) when of
 * another type or, if `required`, absent or empty. */
static bool body_string(struct call *c, const char *name, bool required, const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->body, name);
	char why[128];

	*out = NULL;
	if ((!v || cJSON_IsNull(v)) && !required)
		return true;
	if (!cJSON_IsString(v) || (required && v->valuestring[0] == '\0')) {
		snprintf(why, sizeof why, "%s: %s.", name,
			 required ? "a non-empty string is required" : "must be a string");
		bad(c, why);
		return false;
	}
	*out = v->valuestring;
	return true;
}

static bool tag_filter(const void *rec, const void *arg)
{
	return bp_tags_match(((const struct bp_rec *)rec)->tags, arg);
}

/* Answer one page of `v`, filtered by the query's tags. */
static void list(struct call *c, const struct bp_vec *v, const char *key, bp_json_fn to_json)
{
	bool bad_q, bad_token;
	cJSON *tags = query_tags(c->req->query, &bad_q);
	char *token = sim_query_get(c->req->query, "nextToken", NULL);

	if (bad_q) {
		bp_error(c->resp, BP_ERR_INVALID_QUERY, "tags: use tags[name]=value.");
	} else {
		cJSON *page = bp_list_page(c->s, v, key, token, tag_filter, tags, to_json,
					   &bad_token);
		ok_page(c, page);
	}
	free(token);
	cJSON_Delete(tags);
}

/* ---- users ---------------------------------------------------------------- */

static struct bp_user *user_or_404(struct call *c)
{
	struct bp_user *u = bp_user_find(c->s, c->params[0]);

	if (!u)
		bp_error(c->resp, BP_ERR_RESOURCE_NOT_FOUND, "No user with this id.");
	return u;
}

static void user_create(struct call *c, bool reuse)
{
	const cJSON *tags;
	const char *name, *picture;

	if (!body_tags(c, &tags) || !body_string(c, "name", false, &name) ||
	    !body_string(c, "pictureUrl", false, &picture))
		return;
	/* get-or-create: the tags are the identifier. */
	for (size_t i = 0; reuse && tags && cJSON_GetArraySize(tags) > 0 && i < c->s->users.n; i++) {
		struct bp_user *u = c->s->users.v[i];
		if (bp_tags_match(u->r.tags, tags)) {
			ok_obj(c, "user", bp_user_json(u));
			return;
		}
	}
	struct bp_user *u = bp_user_new(c->s, name, picture, tags);
	if (!u)
		bp_error(c->resp, BP_ERR_INTERNAL, NULL);
	else
		ok_obj(c, "user", bp_user_json(u));
}

static void users_create(struct call *c) { user_create(c, false); }
static void users_get_or_create(struct call *c) { user_create(c, true); }

static void users_get(struct call *c)
{
	struct bp_user *u = user_or_404(c);
	if (u)
		ok_obj(c, "user", bp_user_json(u));
}

static void users_update(struct call *c)
{
	struct bp_user *u = user_or_404(c);
	const cJSON *tags;
	const char *name, *picture;

	if (!u || !body_tags(c, &tags) || !body_string(c, "name", false, &name) ||
	    !body_string(c, "pictureUrl", false, &picture))
		return;
	if (tags)
		bp_tags_merge(u->r.tags, tags);
	if (name) {
		free(u->name);
		u->name = strdup(name);
	}
	if (picture) {
		free(u->picture_url);
		u->picture_url = strdup(picture);
	}
	ok_obj(c, "user", bp_user_json(u));
}

static void users_list(struct call *c)
{
	list(c, &c->s->users, "users", (bp_json_fn)bp_user_json);
}

/* ---- conversations ------------------------------------------------------ */

static struct bp_conv *conv_or_404(struct call *c)
{
	struct bp_conv *v = bp_conv_find(c->s, c->params[0]);

	if (!v)
		bp_error(c->resp, BP_ERR_RESOURCE_NOT_FOUND, "No conversation with this id.");
	return v;
}

static void conv_create(struct call *c, bool reuse)
{
	const cJSON *tags;
	const char *channel, *integration;

	if (!body_string(c, "channel", true, &channel) ||
	    !body_string(c, "integrationName", true, &integration) || !body_tags(c, &tags))
		return;
	for (size_t i = 0; reuse && tags && cJSON_GetArraySize(tags) > 0 && i < c->s->convs.n; i++) {
		struct bp_conv *v = c->s->convs.v[i];
		if (strcmp(v->channel, channel) == 0 && strcmp(v->integration, integration) == 0 &&
		    bp_tags_match(v->r.tags, tags)) {
			ok_obj(c, "conversation", bp_conv_json(v));
			return;
		}
	}
	struct bp_conv *v = bp_conv_new(c->s, channel, integration, tags);
	if (!v)
		bp_error(c->resp, BP_ERR_INTERNAL, NULL);
	else
		ok_obj(c, "conversation", bp_conv_json(v));
}

static void convs_create(struct call *c) { conv_create(c, false); }
static void convs_get_or_create(struct call *c) { conv_create(c, true); }

static void convs_get(struct call *c)
{
	struct bp_conv *v = conv_or_404(c);
	if (v)
		ok_obj(c, "conversation", bp_conv_json(v));
}

static void convs_update(struct call *c)
{
	struct bp_conv *v = conv_or_404(c);
	const cJSON *tags;

	if (!v || !body_tags(c, &tags))
		return;
	if (tags) {
		bp_tags_merge(v->r.tags, tags);
		bp_conv_touched(c->s, v);
	}
	ok_obj(c, "conversation", bp_conv_json(v));
}

static void convs_list(struct call *c)
{
	list(c, &c->s->convs, "conversations", (bp_json_fn)bp_conv_json);
}

/* ---- messages ----------------------------------------------------------- */

static void msg_create(struct call *c, bool reuse)
{
	const cJSON *tags, *payload = cJSON_GetObjectItemCaseSensitive(c->body, "payload");
	const char *user_id, *conv_id, *type;
	struct bp_conv *v;

	if (!body_string(c, "userId", true, &user_id) ||
	    !body_string(c, "conversationId", true, &conv_id) ||
	    !body_string(c, "type", true, &type) || !body_tags(c, &tags))
		return;
	if (!cJSON_IsObject(payload)) {
		bad(c, "payload: an object is required.");
		return;
	}
	if (strcmp(type, "text") == 0 &&
	    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(payload, "text"))) {
		bad(c, "payload.text: a string is required for a text message.");
		return;
	}
	if (!(v = bp_conv_find(c->s, conv_id))) {
		bp_error(c->resp, BP_ERR_REFERENCE_NOT_FOUND, "conversationId: no such conversation.");
		return;
	}
	if (strcmp(user_id, c->s->bot_id) != 0 && !bp_user_find(c->s, user_id)) {
		bp_error(c->resp, BP_ERR_REFERENCE_NOT_FOUND, "userId: no such user.");
		return;
	}
	/* get-or-create: the tags identify the message within its conversation,
	 * so a retried post returns the first one instead of a second copy. */
	for (size_t i = 0; reuse && tags && cJSON_GetArraySize(tags) > 0 && i < v->msgs.n; i++) {
		struct bp_msg *m = v->msgs.v[i];
		if (bp_tags_match(m->r.tags, tags)) {
			ok_obj(c, "message", bp_msg_json(m));
			return;
		}
	}
	struct bp_msg *m = bp_msg_new(c->s, v, user_id, type, payload, tags, BP_ORIGIN_API);
	if (!m)
		bp_error(c->resp, BP_ERR_INTERNAL, NULL);
	else
		ok_obj(c, "message", bp_msg_json(m));
}

static void msgs_create(struct call *c) { msg_create(c, false); }
static void msgs_get_or_create(struct call *c) { msg_create(c, true); }

static struct bp_msg *msg_or_404(struct call *c)
{
	struct bp_msg *m = bp_msg_find(c->s, c->params[0]);

	if (!m)
		bp_error(c->resp, BP_ERR_RESOURCE_NOT_FOUND, "No message with this id.");
	return m;
}

static void msgs_get(struct call *c)
{
	struct bp_msg *m = msg_or_404(c);
	if (m)
		ok_obj(c, "message", bp_msg_json(m));
}

static void msgs_update(struct call *c)
{
	struct bp_msg *m = msg_or_404(c);
	const cJSON *tags;

	if (!m || !body_tags(c, &tags))
		return;
	if (tags)
		bp_tags_merge(m->r.tags, tags);
	ok_obj(c, "message", bp_msg_json(m));
}

static void msgs_list(struct call *c)
{
	char *conv_id = sim_query_get(c->req->query, "conversationId", NULL);
	const struct bp_vec *v = &c->s->msgs;

	if (conv_id) {
		struct bp_conv *conv = bp_conv_find(c->s, conv_id);
		if (!conv) {
			bp_error(c->resp, BP_ERR_RESOURCE_NOT_FOUND, "No conversation with this id.");
			free(conv_id);
			return;
		}
		v = &conv->msgs;
	}
	list(c, v, "messages", (bp_json_fn)bp_msg_json);
	free(conv_id);
}

/* ---- events ------------------------------------------------------------- */

static bool event_type_is(const void *rec, const void *arg)
{
	return !arg || strcmp(((const struct bp_event *)rec)->type, arg) == 0;
}

static void events_list(struct call *c)
{
	char *type = sim_query_get(c->req->query, "type", NULL);
	char *token = sim_query_get(c->req->query, "nextToken", NULL);
	bool bad_token;

	ok_page(c, bp_list_page(c->s, &c->s->events, "events", token, event_type_is, type,
				(bp_json_fn)bp_event_json, &bad_token));
	free(token);
	free(type);
}

static void events_get(struct call *c)
{
	struct bp_event *e = bp_event_find(c->s, c->params[0]);

	if (!e)
		bp_error(c->resp, BP_ERR_RESOURCE_NOT_FOUND, "No event with this id.");
	else
		ok_obj(c, "event", bp_event_json(e));
}

/* ---- states ------------------------------------------------------------- */

/* The path's {type}/{id} names something that exists. */
static bool state_owner_ok(struct call *c)
{
	const char *type = c->params[0], *id = c->params[1];
	bool ok;

	if (strcmp(type, "conversation") == 0)
		ok = bp_conv_find(c->s, id) != NULL;
	else if (strcmp(type, "user") == 0)
		ok = bp_user_find(c->s, id) != NULL;
	else if (strcmp(type, "bot") == 0)
		ok = strcmp(id, c->s->bot_id) == 0;
	else
		ok = strcmp(type, "integration") == 0;
	if (!ok)
		bp_error(c->resp, BP_ERR_RESOURCE_NOT_FOUND,
			 "No conversation, user, bot or integration with this type and id.");
	return ok;
}

static void states_get(struct call *c)
{
	struct bp_state *st;

	if (!state_owner_ok(c))
		return;
	st = bp_state_get(c->s, c->params[0], c->params[1], c->params[2], false);
	if (!st)
		bp_error(c->resp, BP_ERR_RESOURCE_NOT_FOUND, "No state with this name.");
	else
		ok_obj(c, "state", bp_state_json(c->s, st));
}

static void state_write(struct call *c, bool patch)
{
	const cJSON *payload = cJSON_GetObjectItemCaseSensitive(c->body, "payload"), *it;
	struct bp_state *st;

	if (!state_owner_ok(c))
		return;
	if (!cJSON_IsObject(payload)) {
		bad(c, "payload: an object is required.");
		return;
	}
	st = bp_state_get(c->s, c->params[0], c->params[1], c->params[2], !patch);
	if (!st) {
		bp_error(c->resp, patch ? BP_ERR_RESOURCE_NOT_FOUND : BP_ERR_INTERNAL,
			 patch ? "No state with this name." : NULL);
		return;
	}
	if (!patch) {
		cJSON_Delete(st->payload);
		st->payload = cJSON_CreateObject();
	}
	cJSON_ArrayForEach(it, payload) {
		cJSON_DeleteItemFromObjectCaseSensitive(st->payload, it->string);
		cJSON_AddItemToObject(st->payload, it->string, cJSON_Duplicate(it, 1));
	}
	st->r.updated_ms = ts_now();
	ok_obj(c, "state", bp_state_json(c->s, st));
}

static void states_set(struct call *c) { state_write(c, false); }
static void states_patch(struct call *c) { state_write(c, true); }

/* ---- routing ------------------------------------------------------------ */

static const struct route ROUTES[] = {
	{"POST", "/v1/chat/users/get-or-create", users_get_or_create},
	{"POST", "/v1/chat/users", users_create},
	{"GET", "/v1/chat/users", users_list},
	{"GET", "/v1/chat/users/{}", users_get},
	{"PUT", "/v1/chat/users/{}", users_update},
	{"POST", "/v1/chat/conversations/get-or-create", convs_get_or_create},
	{"POST", "/v1/chat/conversations", convs_create},
	{"GET", "/v1/chat/conversations", convs_list},
	{"GET", "/v1/chat/conversations/{}", convs_get},
	{"PUT", "/v1/chat/conversations/{}", convs_update},
	{"POST", "/v1/chat/messages/get-or-create", msgs_get_or_create},
	{"POST", "/v1/chat/messages", msgs_create},
	{"GET", "/v1/chat/messages", msgs_list},
	{"GET", "/v1/chat/messages/{}", msgs_get},
	{"PUT", "/v1/chat/messages/{}", msgs_update},
	{"GET", "/v1/chat/events", events_list},
	{"GET", "/v1/chat/events/{}", events_get},
	{"GET", "/v1/chat/states/{}/{}/{}", states_get},
	{"POST", "/v1/chat/states/{}/{}/{}", states_set},
	{"PATCH", "/v1/chat/states/{}/{}/{}", states_patch},
};
#define NROUTES (sizeof ROUTES / sizeof ROUTES[0])

/* Requests answered by each route, for GET /_sim/stats (one simulator a
 * process). */
static unsigned long route_hits[NROUTES];

/* Match `path` against `pattern`, capturing the {} segments into c->params.
 * False (and nothing kept) when it does not match. */
static bool match(const char *pattern, const char *path, struct call *c)
{
	int np = 0;

	while (*pattern && *path) {
		if (strncmp(pattern, "{}", 2) == 0) {
			size_t len = strcspn(path, "/");
			if (len == 0 || np == MAX_PARAMS ||
			    !(c->params[np] = sim_url_decode(path, len)))
				goto no;
			np++;
			pattern += 2;
			path += len;
		} else if (*pattern++ != *path++) {
			goto no;
		}
	}
	if (*pattern == '\0' && *path == '\0')
		return true;
no:
	for (int i = 0; i < np; i++) {
		free(c->params[i]);
		c->params[i] = NULL;
	}
	return false;
}

/* The headers every endpoint requires; false when answered with an error. */
static bool authorized(struct bp_store *s, const char *token, const struct sim_req *req,
		       struct sim_resp *resp)
{
	const char *auth = sim_req_header(req, "Authorization");
	const char *bot = sim_req_header(req, "x-bot-id");

	if (!auth || strncasecmp(auth, "Bearer ", 7) != 0 || strcmp(auth + 7, token) != 0) {
		bp_error(resp, BP_ERR_UNAUTHORIZED,
			 auth ? "The access token is not valid."
			      : "The request requires to be authenticated.");
		return false;
	}
	if (!bot || !*bot) {
		bp_error(resp, BP_ERR_INVALID_PAYLOAD, "The x-bot-id header is required.");
		return false;
	}
	if (strcmp(bot, s->bot_id) != 0) {
		bp_error(resp, BP_ERR_FORBIDDEN, "This token has no access to the bot in x-bot-id.");
		return false;
	}
	return true;
}

/* Parse the body of a POST, PUT or PATCH; false when answered with an error. */
static bool parse_body(struct call *c)
{
	const char *ct = sim_req_header(c->req, "Content-Type");
	const char *m = c->req->method;

	if (strcmp(m, "POST") != 0 && strcmp(m, "PUT") != 0 && strcmp(m, "PATCH") != 0)
		return true;
	if (c->req->too_large) {
		bp_error(c->resp, BP_ERR_PAYLOAD_TOO_LARGE, NULL);
		return false;
	}
	if (!ct || strncasecmp(ct, "application/json", 16) != 0) {
		bp_error(c->resp, BP_ERR_UNSUPPORTED_MEDIA_TYPE, NULL);
		return false;
	}
	/* json_parse_text also refuses invalid UTF-8, which cJSON lets by. */
	c->body = json_parse_text(c->req->body, c->req->body_len, NULL);
	if (!cJSON_IsObject(c->body)) {
		bad(c, "The body must be a JSON object in UTF-8.");
		return false;
	}
	return true;
}

void bp_api_handle(struct bp_store *s, const char *token, const struct sim_req *req,
		   struct sim_resp *resp)
{
	struct call c = {.s = s, .req = req, .resp = resp};
	bool path_known = false;

	if (!authorized(s, token, req, resp))
		return;
	for (size_t i = 0; i < NROUTES; i++) {
		if (!match(ROUTES[i].pattern, req->path, &c))
			continue;
		if (strcmp(ROUTES[i].method, req->method) != 0) {
			path_known = true;
			for (int k = 0; k < MAX_PARAMS; k++) {
				free(c.params[k]);
				c.params[k] = NULL;
			}
			continue;
		}
		route_hits[i]++;
		if (parse_body(&c))
			ROUTES[i].fn(&c);
		for (int k = 0; k < MAX_PARAMS; k++)
			free(c.params[k]);
		cJSON_Delete(c.body);
		return;
	}
	if (path_known)
		bp_error(resp, BP_ERR_METHOD_NOT_FOUND, NULL);
	else
		bp_error(resp, BP_ERR_RESOURCE_NOT_FOUND, "No such endpoint.");
}

void bp_api_stats(cJSON *o)
{
	cJSON *by = cJSON_AddObjectToObject(o, "requestsByRoute");
	char name[80];

	for (size_t i = 0; by && i < NROUTES; i++) {
		if (!route_hits[i])
			continue;
		snprintf(name, sizeof name, "%s %s", ROUTES[i].method, ROUTES[i].pattern);
		cJSON_AddNumberToObject(by, name, (double)route_hits[i]);
	}
}

bool bp_api_is_next_page(const struct sim_req *req, char **conversation_id)
{
	char *token;

	*conversation_id = NULL;
	if (strcmp(req->method, "GET") != 0 ||
	    (strcmp(req->path, "/v1/chat/conversations") != 0 &&
	     strcmp(req->path, "/v1/chat/messages") != 0 &&
	     strcmp(req->path, "/v1/chat/events") != 0))
		return false;
	if (!(token = sim_query_get(req->query, "nextToken", NULL)))
		return false;
	free(token);
	*conversation_id = sim_query_get(req->query, "conversationId", NULL);
	return true;
}
