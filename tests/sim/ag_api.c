/*
 * ag_api.c — /v3/... of the simulator, table-driven: one row per method
 * and path, a handler per row.
 *
 * Every request must carry the workspace secret API key (401 otherwise);
 * bodies must be JSON objects sent as application/json (415, 400
 * otherwise). The doc names the endpoints but not their paths or fields:
 * the ones chosen are in doc/simulators.md.
 */
#include "ag_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ag_actors.h"
#include "ag_error.h"
#include "jsonfield.h"
#include "sim_query.h"
#include "timeutil.h"

#define MAX_PARAMS 2
/* The conversation list's largest page. */
#define MAX_LIMIT 100

struct call {
	struct ag_sim *ag;
	const struct sim_req *req;
	struct sim_resp *resp;
	char *params[MAX_PARAMS];   /* the path's {...} segments, decoded */
	cJSON *body;                /* the request body (object) or NULL */
};

struct route {
	const char *method;
	const char *pattern;        /* "{}" stands for one path segment */
	void (*fn)(struct call *c);
};

/* ---- helpers ------------------------------------------------------------ */

static void ok(struct call *c, cJSON *o)
{
	if (!o) {
		ag_error(c->resp, AG_ERR_INTERNAL, NULL, 0);
		return;
	}
	c->resp->status = 200;
	c->resp->body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
}

static void bad(struct call *c, const char *why)
{
	ag_error(c->resp, AG_ERR_INVALID_REQUEST, why, 0);
}

/* An id the caller chooses (a conversation's, a message's): 1 to
 * AG_ID_MAX of letters, digits and "._:-", so it fits a path segment. */
static bool id_valid(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n <= AG_ID_MAX &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-") == n;
}

/* An optional string field (NULL when absent); false (answered) when of
 * another type, or, if `required`, absent or empty; `is_id`: must be an id. */
static bool body_string(struct call *c, const char *name, bool required, bool is_id,
			const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->body, name);
	char why[160];

	*out = NULL;
	if (!v && !required)
		return true;
	if (!cJSON_IsString(v) || (required && !v->valuestring[0]) ||
	    (is_id && !id_valid(v->valuestring))) {
		snprintf(why, sizeof why, "%s: %s.", name,
			 is_id ? "1 to 128 letters, digits or ._:- are required"
			       : required ? "a non-empty string is required" : "must be a string");
		bad(c, why);
		return false;
	}
	*out = v->valuestring;
	return true;
}

static struct ag_agent *agent_or_404(struct call *c)
{
	struct ag_agent *a = ag_agent_find(&c->ag->store, c->params[0]);

	if (!a)
		ag_error(c->resp, AG_ERR_NOT_FOUND, "No agent with this id.", 0);
	return a;
}

/* ---- workspace ---------------------------------------------------------- */

/* GET /v3/workspace/clients/{clientId} */
static void client_get(struct call *c)
{
	struct ag_client *cl = ag_client_find(&c->ag->store, c->params[0]);

	if (!cl)
		ag_error(c->resp, AG_ERR_NOT_FOUND, "No client with this id.", 0);
	else if (strcmp(cl->owner_uid, c->ag->store.workspace_id) != 0)
		ag_error(c->resp, AG_ERR_FORBIDDEN, NULL, 0);
	else
		ok(c, ag_client_json(&c->ag->store, cl));
}

/* ---- agents ------------------------------------------------------------- */

static void agent_get(struct call *c)
{
	struct ag_agent *a = agent_or_404(c);

	if (a)
		ok(c, ag_agent_json(a));
}

/* POST /v3/agents: with agentId, edit that agent (the fields given);
 * without, create one (name required). */
static void agent_put(struct call *c)
{
	const char *id, *name, *client_id, *prompt, *welcome;
	struct ag_agent *a = NULL;

	if (!body_string(c, "agentId", false, false, &id) ||
	    !body_string(c, "name", !id, false, &name) ||
	    !body_string(c, "clientId", false, false, &client_id) ||
	    !body_string(c, "prompt", false, false, &prompt) ||
	    !body_string(c, "welcomeMessage", false, false, &welcome))
		return;
	if (id && !(a = ag_agent_find(&c->ag->store, id))) {
		ag_error(c->resp, AG_ERR_NOT_FOUND, "agentId: no agent with this id.", 0);
		return;
	}
	if (client_id && client_id[0] && !ag_client_find(&c->ag->store, client_id)) {
		bad(c, "clientId: no client with this id.");
		return;
	}
	if (!a && !(a = ag_agent_new(&c->ag->store, NULL, name, client_id))) {
		ag_error(c->resp, AG_ERR_INTERNAL, NULL, 0);
		return;
	}
	if ((name && !ag_set_str(&a->name, name)) ||
	    (client_id && !ag_set_str(&a->client_id, client_id)) ||
	    (prompt && !ag_set_str(&a->prompt, prompt)) ||
	    (welcome && !ag_set_str(&a->welcome, welcome))) {
		ag_error(c->resp, AG_ERR_INTERNAL, NULL, 0);
		return;
	}
	a->updated_ms = ts_now();
	ok(c, ag_agent_json(a));
}

static void agent_delete(struct call *c)
{
	struct ag_agent *a = agent_or_404(c);
	cJSON *o;

	if (!a)
		return;
	a->deleted = true;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", a->id);
	cJSON_AddBoolToObject(o, "deleted", 1);
	ok(c, o);
}

/* ---- chat interact ------------------------------------------------------ */

static cJSON *interact_answer(const struct ag_conv *conv, const struct ag_msg *m, bool replayed)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "conversationId", conv->id);
	cJSON_AddStringToObject(o, "messageId", m->id);
	cJSON_AddStringToObject(o, "state", ag_state_name(conv->state));
	cJSON_AddNumberToObject(o, "stateVersion", conv->state_version);
	cJSON_AddBoolToObject(o, "escalated", m->escalated);
	cJSON_AddBoolToObject(o, "replayed", replayed);
	if (m->reply)
		json_add_child(o, "reply", ag_msg_json(m->reply));
	else
		cJSON_AddNullToObject(o, "reply");
	return o;
}

/* POST /v3/agents/{agentId}/interact {message, conversationId?, messageId?,
 * user?}: the user's message goes into the conversation (made when new)
 * and the agent answers it, unless the conversation's state keeps it
 * silent. A messageId already seen in the conversation replays the first
 * answer and does nothing more: a retried call never asks twice. */
static void interact(struct call *c)
{
	struct ag_agent *a = agent_or_404(c);
	const char *text, *conv_id, *msg_id;
	const cJSON *user = cJSON_GetObjectItemCaseSensitive(c->body, "user");
	struct ag_conv *conv;
	struct ag_msg *m;

	if (!a || !body_string(c, "message", true, false, &text) ||
	    !body_string(c, "conversationId", false, true, &conv_id) ||
	    !body_string(c, "messageId", false, true, &msg_id))
		return;
	if (user && !cJSON_IsObject(user)) {
		bad(c, "user: must be an object.");
		return;
	}
	conv = conv_id ? ag_conv_find(&c->ag->store, a, conv_id) : NULL;
	if (!conv && !(conv = ag_conv_new(&c->ag->store, a, conv_id))) {
		ag_error(c->resp, AG_ERR_INTERNAL, NULL, 0);
		return;
	}
	conv->interact_calls++;
	if (!ag_bot_may_speak(conv))
		conv->interact_silent++;
	if ((m = ag_msg_by_client_id(conv, msg_id))) {
		ok(c, interact_answer(conv, m, true));
		return;
	}
	if (user) {
		cJSON_Delete(conv->user);
		conv->user = cJSON_Duplicate(user, 1);
	}
	if (!(m = ag_msg_new(&c->ag->store, conv, AG_ORIGIN_API, text, msg_id))) {
		ag_error(c->resp, AG_ERR_INTERNAL, NULL, 0);
		return;
	}
	ag_ai_answer(c->ag, conv, m);
	ok(c, interact_answer(conv, m, false));
}

/* ---- configure state ---------------------------------------------------- */

/* POST /v3/agents/{agentId}/state {conversationId, state}: "human" while a
 * human holds the conversation (the agent stays silent), "ai" to hand it
 * back; "escalated" is accepted too. Setting the state it already has
 * changes nothing ("changed": false). */
static void configure_state(struct call *c)
{
	struct ag_agent *a = agent_or_404(c);
	const char *conv_id, *name;
	struct ag_conv *conv;
	enum ag_state st;

	if (!a || !body_string(c, "conversationId", true, true, &conv_id) ||
	    !body_string(c, "state", true, false, &name))
		return;
	if (!ag_state_parse(name, &st)) {
		bad(c, "state: one of \"ai\", \"escalated\", \"human\".");
		return;
	}
	if (!(conv = ag_conv_find(&c->ag->store, a, conv_id))) {
		ag_error(c->resp, AG_ERR_NOT_FOUND, "conversationId: no such conversation.", 0);
		return;
	}
	bool changed = ag_conv_set_state(&c->ag->store, conv, st, "api");
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "conversationId", conv->id);
	cJSON_AddStringToObject(o, "state", ag_state_name(conv->state));
	cJSON_AddNumberToObject(o, "stateVersion", conv->state_version);
	cJSON_AddBoolToObject(o, "changed", changed);
	ok(c, o);
}

/* ---- conversations ------------------------------------------------------ */

/* GET /v3/agents/{agentId}/conversations?limit=&cursor=&state= */
static void convs_list(struct call *c)
{
	struct ag_agent *a = agent_or_404(c);
	char *cursor = sim_query_get(c->req->query, "cursor", NULL);
	char *limit_s = sim_query_get(c->req->query, "limit", NULL);
	char *state_s = sim_query_get(c->req->query, "state", NULL);
	long limit = limit_s ? strtol(limit_s, NULL, 10) : (long)c->ag->store.page_size;
	enum ag_state st;
	bool bad_cursor;

	if (!a) {
		/* answered */
	} else if (limit < 1 || limit > MAX_LIMIT) {
		bad(c, "limit: 1 to 100.");
	} else if (state_s && !ag_state_parse(state_s, &st)) {
		bad(c, "state: one of \"ai\", \"escalated\", \"human\".");
	} else {
		cJSON *page = ag_conv_page(&c->ag->store, a, cursor, (size_t)limit,
					   state_s ? &st : NULL, &bad_cursor);
		if (bad_cursor)
			bad(c, "cursor: not a cursor of this list.");
		else
			ok(c, page);
	}
	free(cursor);
	free(limit_s);
	free(state_s);
}

static void conv_get(struct call *c)
{
	struct ag_agent *a = agent_or_404(c);
	struct ag_conv *conv = a ? ag_conv_find(&c->ag->store, a, c->params[1]) : NULL;

	if (a && !conv)
		ag_error(c->resp, AG_ERR_NOT_FOUND, "No conversation with this id.", 0);
	else if (conv)
		ok(c, ag_conv_json(conv, true));
}

/* ---- routing ------------------------------------------------------------ */

static const struct route ROUTES[] = {
	{"GET", "/v3/workspace/clients/{}", client_get},
	{"POST", "/v3/agents", agent_put},
	{"GET", "/v3/agents/{}", agent_get},
	{"DELETE", "/v3/agents/{}", agent_delete},
	{"POST", "/v3/agents/{}/interact", interact},
	{"POST", "/v3/agents/{}/state", configure_state},
	{"GET", "/v3/agents/{}/conversations", convs_list},
	{"GET", "/v3/agents/{}/conversations/{}", conv_get},
};

/* The key, as a Bearer token in Authorization or bare in the configured
 * header; false when answered 401. */
static bool authorized(const struct ag_sim *ag, const struct sim_req *req,
		       struct sim_resp *resp)
{
	const char *v = sim_req_header(req, ag->auth_header);
	bool bearer = strcasecmp(ag->auth_header, "Authorization") == 0;

	if (v && bearer)
		v = strncasecmp(v, "Bearer ", 7) == 0 ? v + 7 : NULL;
	if (!v || strcmp(v, ag->key) != 0) {
		ag_error(resp, AG_ERR_UNAUTHORIZED, NULL, 0);
		return false;
	}
	return true;
}

/* Parse the body of a POST; false when answered with an error. */
static bool parse_body(struct call *c)
{
	const char *ct = sim_req_header(c->req, "Content-Type");

	if (strcmp(c->req->method, "POST") != 0)
		return true;
	if (c->req->too_large) {
		ag_error(c->resp, AG_ERR_PAYLOAD_TOO_LARGE, NULL, 0);
		return false;
	}
	if (!ct || strncasecmp(ct, "application/json", 16) != 0) {
		ag_error(c->resp, AG_ERR_UNSUPPORTED_MEDIA_TYPE, NULL, 0);
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

void ag_api_handle(struct ag_sim *ag, const struct sim_req *req, struct sim_resp *resp)
{
	struct call c = {.ag = ag, .req = req, .resp = resp};
	bool path_known = false;

	if (!authorized(ag, req, resp))
		return;
	for (size_t i = 0; i < sizeof ROUTES / sizeof ROUTES[0]; i++) {
		int np = sim_path_match(ROUTES[i].pattern, req->path, c.params, MAX_PARAMS);
		if (np < 0)
			continue;
		if (strcmp(ROUTES[i].method, req->method) == 0 && parse_body(&c))
			ROUTES[i].fn(&c);
		path_known = true;
		for (int k = 0; k < np; k++) {
			free(c.params[k]);
			c.params[k] = NULL;
		}
		if (resp->status)
			break;
	}
	cJSON_Delete(c.body);
	if (!resp->status && path_known)
		ag_error(resp, AG_ERR_METHOD_NOT_ALLOWED, NULL, 0);
	else if (!resp->status)
		ag_error(resp, AG_ERR_NOT_FOUND, "No such endpoint.", 0);
}

bool ag_api_next_page(const struct sim_req *req, char **agent_id)
{
	char *params[MAX_PARAMS] = {NULL};
	char *cursor;

	*agent_id = NULL;
	if (strcmp(req->method, "GET") != 0 ||
	    sim_path_match("/v3/agents/{}/conversations", req->path, params, MAX_PARAMS) != 1)
		return false;
	if (!(cursor = sim_query_get(req->query, "cursor", NULL))) {
		free(params[0]);
		return false;
	}
	free(cursor);
	*agent_id = params[0];
	return true;
}
