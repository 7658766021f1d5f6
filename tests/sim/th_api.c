/*
 * th_api.c — /v0/chatbots/{chatbotId}/... of the simulator, table-driven:
 * one row per method and path, a handler per row.
 *
 * Every request must carry "Authorization: Bearer <token>" (401
 * otherwise); the {chatbotId} must be the simulated chatbot's (404
 * otherwise). Bodies must be JSON objects sent as application/json (415,
 * 400 otherwise). Answers are the doc's envelope {success, message, data}.
 */
#include "th_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonfield.h"
#include "sim_query.h"
#include "th_actors.h"
#include "th_error.h"
#include "timeutil.h"

#define MAX_PARAMS 2
#define PREFIX "/v0/chatbots/{}"

struct call {
	struct th_sim *sim;
	const struct sim_req *req;
	struct sim_resp *resp;
	char *params[MAX_PARAMS];   /* chatbotId, then threadId */
	cJSON *body;                /* the request body (object) or NULL */
};

struct route {
	const char *method;
	const char *pattern;
	void (*fn)(struct call *c);
};

/* ---- helpers ------------------------------------------------------------ */

/* Answer 200 with the envelope; data taken (NULL: null). */
static void ok(struct call *c, const char *message, cJSON *data)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddBoolToObject(o, "success", 1);
	cJSON_AddStringToObject(o, "message", message);
	if (data)
		cJSON_AddItemToObject(o, "data", data);
	else
		cJSON_AddNullToObject(o, "data");
	c->resp->status = 200;
	c->resp->body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
}

/* {"<key>": item} as data. */
static cJSON *wrap(const char *key, cJSON *item)
{
	cJSON *o = cJSON_CreateObject();

	json_add_child(o, key, item);
	return o;
}

static void bad(struct call *c, const char *why)
{
	th_error(c->resp, TH_ERR_BAD_REQUEST, why);
}

/* An optional string of the body (NULL when absent or null); false
 * (answered) when of another type or, if `required`, absent or empty. */
static bool body_string(struct call *c, const char *name, bool required, const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->body, name);
	char why[128];

	*out = NULL;
	if ((!v || cJSON_IsNull(v)) && !required)
		return true;
	if (!cJSON_IsString(v) || (required && v->valuestring[0] == '\0')) {
		snprintf(why, sizeof why, "%s: %s", name,
			 required ? "a non-empty string is required" : "must be a string");
		bad(c, why);
		return false;
	}
	*out = v->valuestring;
	return true;
}

/* An optional enum of the body (-1 when absent); false (answered) when not
 * one of `names`. */
static bool body_enum(struct call *c, const char *name, const char *const *names, int n,
		      int *out)
{
	const char *s;
	char why[128];

	*out = -1;
	if (!body_string(c, name, false, &s))
		return false;
	if (s && (*out = th_enum_find(names, n, s)) < 0) {
		snprintf(why, sizeof why, "%s: not one of the allowed values", name);
		bad(c, why);
		return false;
	}
	return true;
}

/* A boolean query parameter: absent is `def`; false (answered) when it is
 * neither "true" nor "false". */
static bool query_bool(struct call *c, const char *name, bool def, bool *out)
{
	char *v = sim_query_get(c->req->query, name, NULL), why[96];
	bool good = !v || strcmp(v, "true") == 0 || strcmp(v, "false") == 0;

	*out = v ? strcmp(v, "true") == 0 : def;
	free(v);
	if (!good) {
		snprintf(why, sizeof why, "%s: true or false", name);
		bad(c, why);
	}
	return good;
}

static struct th_thread *thread_or_404(struct call *c, const char *id)
{
	struct th_thread *t = th_thread_find(&c->sim->store, id);

	if (!t)
		th_error(c->resp, TH_ERR_NOT_FOUND, "Thread not found");
	return t;
}

/* ---- threads ------------------------------------------------------------ */

/* GET .../threads?limit=&lastThreadId= */
static void threads_list(struct call *c)
{
	char *limit_s = sim_query_get(c->req->query, "limit", NULL);
	char *last_s = sim_query_get(c->req->query, "lastThreadId", NULL);
	long limit = (long)c->sim->store.page_size;
	struct th_thread *last = NULL;
	char *end = NULL;

	if (limit_s)
		limit = strtol(limit_s, &end, 10);
	if (limit_s && (*end || limit < 1 || limit > TH_PAGE_MAX)) {
		bad(c, "limit: a whole number in 1..100");
	} else if (last_s && !(last = th_thread_find(&c->sim->store, last_s))) {
		bad(c, "lastThreadId: no thread of this chatbot has this id");
	} else {
		cJSON *page = th_thread_page(&c->sim->store, last, (size_t)limit);
		if (page)
			ok(c, "Fetched the chatbot threads successfully", page);
		else
			th_error(c->resp, TH_ERR_INTERNAL, NULL);
	}
	free(limit_s);
	free(last_s);
}

/* GET .../threads/{threadId}?skipMessages=&includeChatUser= (the doc's
 * Fetch Thread) */
static void threads_get(struct call *c)
{
	struct th_thread *t;
	bool skip, user;

	if (!query_bool(c, "skipMessages", false, &skip) ||
	    !query_bool(c, "includeChatUser", false, &user) || !(t = thread_or_404(c, c->params[1])))
		return;
	ok(c, "Fetched the thread successfully",
	   wrap("thread", th_thread_json(&c->sim->store, t, skip, user)));
}

/* The chatUser of a PATCH: {email?, name?, phoneNumber?}. */
static bool patch_user(struct call *c, struct th_thread *t, const cJSON *u)
{
	const char *fields[] = {"email", "name", "phoneNumber"};
	const cJSON *v[3];

	if (!u || cJSON_IsNull(u))
		return true;
	if (!cJSON_IsObject(u)) {
		bad(c, "chatUser: an object is required");
		return false;
	}
	for (int i = 0; i < 3; i++) {
		v[i] = cJSON_GetObjectItemCaseSensitive(u, fields[i]);
		if (v[i] && !cJSON_IsString(v[i]) && !cJSON_IsNull(v[i])) {
			bad(c, "chatUser: email, name and phoneNumber must be strings");
			return false;
		}
	}
	if (!t->user && !(t->user = th_user_new(&c->sim->store, NULL, NULL, NULL)))
		return false;
	char **dst[] = {&t->user->email, &t->user->name, &t->user->phone};
	for (int i = 0; i < 3; i++)
		if (v[i] && !th_set_str(dst[i], cJSON_GetStringValue(v[i]), true))
			return false;
	t->user->updated_ms = ts_now();
	return true;
}

/* PATCH .../threads/{threadId} {mode?, webhookUrl?, webhookToken?, chatUser?}:
 * takeover and hand back flip the mode. */
static void threads_update(struct call *c)
{
	struct th_thread *t = thread_or_404(c, c->params[1]);
	const char *url, *token;
	int mode;

	if (!t || !body_enum(c, "mode", TH_MODE_NAMES, 2, &mode) ||
	    !body_string(c, "webhookUrl", false, &url) ||
	    !body_string(c, "webhookToken", false, &token))
		return;
	if (!patch_user(c, t, cJSON_GetObjectItemCaseSensitive(c->body, "chatUser")) ||
	    (url && !th_set_str(&t->webhook_url, url, true)) ||
	    (token && !th_set_str(&t->webhook_token, token, true))) {
		if (!c->resp->status)
			th_error(c->resp, TH_ERR_INTERNAL, NULL);
		return;
	}
	if (mode >= 0)
		t->mode = (enum th_mode)mode;
	t->updated_ms = ts_now();
	ok(c, "Updated the chatbot thread successfully", NULL);
}

/* POST .../threads/{threadId}/escalate {escalationPrompt?} */
static void threads_escalate(struct call *c)
{
	struct th_thread *t = thread_or_404(c, c->params[1]);
	const char *prompt;

	if (!t || !body_string(c, "escalationPrompt", false, &prompt))
		return;
	if (!th_escalate(c->sim, t, prompt))
		th_error(c->resp, TH_ERR_INTERNAL, NULL);
	else
		ok(c, "Escalated the conversation successfully", NULL);
}

/* ---- messages ----------------------------------------------------------- */

/* POST .../message {message, threadId?, from?, agentName?, iconUrl?}: as the
 * USER (a new thread when no threadId) or as an AGENT (threadId required). */
static void message_send(struct call *c)
{
	static const char *const FROM[] = {"USER", "AGENT"};
	const char *text, *thread_id, *agent, *icon;
	struct th_thread *t = NULL;
	struct th_msg *m;
	int from;

	if (!body_string(c, "message", true, &text) ||
	    !body_string(c, "threadId", false, &thread_id) ||
	    !body_enum(c, "from", FROM, 2, &from) || !body_string(c, "agentName", false, &agent) ||
	    !body_string(c, "iconUrl", false, &icon))
		return;
	if (from == 1 && !thread_id) {
		bad(c, "threadId: required when from is AGENT");
		return;
	}
	if (thread_id && !(t = thread_or_404(c, thread_id)))
		return;
	if (!t && !(t = th_thread_new(&c->sim->store, TH_MODE_AI, NULL,
				      sim_webhook_url(c->sim->sim->webhook),
				      sim_webhook_secret(c->sim->sim->webhook)))) {
		th_error(c->resp, TH_ERR_INTERNAL, NULL);
		return;
	}
	m = from == 1 ? th_agent_say(c->sim, t, text, agent, icon)
		      : th_user_say(c->sim, t, text, TH_ORIGIN_API);
	if (!m) {
		th_error(c->resp, TH_ERR_INTERNAL, NULL);
		return;
	}
	cJSON *j = th_msg_json(&c->sim->store, m);
	cJSON_AddStringToObject(j, "threadId", t->id);
	cJSON_AddStringToObject(j, "chatbotId", c->sim->store.chatbot_id);
	ok(c, "Sent the message successfully", wrap("message", j));
}

/* ---- routing ------------------------------------------------------------ */

static const struct route ROUTES[] = {
	{"GET", PREFIX "/threads", threads_list},
	{"GET", PREFIX "/threads/{}", threads_get},
	{"PATCH", PREFIX "/threads/{}", threads_update},
	{"POST", PREFIX "/threads/{}/escalate", threads_escalate},
	{"POST", PREFIX "/message", message_send},
};

static bool authorized(const struct th_sim *sim, const struct sim_req *req,
		       struct sim_resp *resp)
{
	const char *auth = sim_req_header(req, "Authorization");

	if (!auth || strncasecmp(auth, "Bearer ", 7) != 0 || strcmp(auth + 7, sim->token) != 0) {
		th_error(resp, TH_ERR_UNAUTHORIZED, NULL);
		return false;
	}
	return true;
}

/* Parse the body of a POST or PATCH; false when answered with an error. */
static bool parse_body(struct call *c)
{
	const char *ct = sim_req_header(c->req, "Content-Type");

	if (strcmp(c->req->method, "POST") != 0 && strcmp(c->req->method, "PATCH") != 0)
		return true;
	if (c->req->too_large) {
		th_error(c->resp, TH_ERR_PAYLOAD_TOO_LARGE, NULL);
		return false;
	}
	if (c->req->body_len == 0) {
		/* escalate takes an optional body */
		c->body = cJSON_CreateObject();
		return true;
	}
	if (!ct || strncasecmp(ct, "application/json", 16) != 0) {
		th_error(c->resp, TH_ERR_UNSUPPORTED_MEDIA_TYPE, NULL);
		return false;
	}
	/* json_parse_text also refuses invalid UTF-8, which cJSON lets by. */
	c->body = json_parse_text(c->req->body, c->req->body_len, NULL);
	if (!cJSON_IsObject(c->body)) {
		bad(c, "The body must be a JSON object in UTF-8");
		return false;
	}
	return true;
}

void th_api_handle(struct th_sim *sim, const struct sim_req *req, struct sim_resp *resp)
{
	struct call c = {.sim = sim, .req = req, .resp = resp};
	bool path_known = false;

	if (!authorized(sim, req, resp))
		return;
	for (size_t i = 0; i < sizeof ROUTES / sizeof ROUTES[0]; i++) {
		if (sim_path_match(ROUTES[i].pattern, req->path, c.params, MAX_PARAMS) < 0)
			continue;
		if (strcmp(ROUTES[i].method, req->method) != 0) {
			path_known = true;
			sim_path_params_free(c.params, MAX_PARAMS);
			continue;
		}
		if (strcmp(c.params[0], sim->store.chatbot_id) != 0)
			th_error(resp, TH_ERR_NOT_FOUND, "Chatbot not found");
		else if (parse_body(&c))
			ROUTES[i].fn(&c);
		sim_path_params_free(c.params, MAX_PARAMS);
		cJSON_Delete(c.body);
		return;
	}
	if (path_known)
		th_error(resp, TH_ERR_METHOD_NOT_ALLOWED, NULL);
	else
		th_error(resp, TH_ERR_NOT_FOUND, "No such endpoint");
}

bool th_api_is_next_page(const struct th_sim *sim, const struct sim_req *req)
{
	char *params[MAX_PARAMS] = {0}, *last;
	bool walk = false;

	if (strcmp(req->method, "GET") != 0 ||
	    sim_path_match(PREFIX "/threads", req->path, params, MAX_PARAMS) < 0)
		return false;
	if (strcmp(params[0], sim->store.chatbot_id) == 0 &&
	    (last = sim_query_get(req->query, "lastThreadId", NULL))) {
		walk = true;
		free(last);
	}
	sim_path_params_free(params, MAX_PARAMS);
	return walk;
}
