/*
 * platform_agents.c — a workspace's AI agent as a bridge platform
 * (platform.h): not a chat store but the bot's brain. It answers the
 * customers of the chats the hub grants the bridge (bridge_answer.c), is
 * told when a human holds a conversation, and says which client it serves.
 *
 * The API doc ("V3") spells out one endpoint, Get Client, authorised by the
 * workspace secret API key; it names Get Agent, Chat Interact and
 * Configure State without their paths or fields. The paths, the state
 * names and the key's header are settings whose defaults are what
 * tests/sim/agents_sim serves (doc/simulators.md); doc/bridges.md has the
 * mapping and the choices.
 *
 *   check      GET {agent_path}, GET {client_path} (the agent's client)
 *   answer     the same once per process, then POST {interact_path}
 *              {message, conversationId: the hub chat, messageId: the hub
 *              message, user: {name}}
 *   set_holder POST {state_path} {conversationId, state: human | ai}
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge_config.h"
#include "log.h"
#include "pf_http.h"
#include "pf_op.h"
#include "platform.h"

#define PATH_LEN 1024
/* The most of a name or id the notice quotes. */
#define NAME_MAX_CHARS 120

struct pf_client {
	struct pf_http *http;
	const char *agent_id, *agent_path, *interact_path, *state_path, *client_path;
	const char *state_human, *state_ai;
	char *about;                 /* who answers, learnt once (NULL: not yet) */
};

enum op_kind { OP_CHECK, OP_ANSWER, OP_STATE };

/* Where an op stands: learning who answers, then its own call. */
enum { STEP_AGENT, STEP_CLIENT, STEP_CALL };

struct op {
	struct pf_op op;             /* first: the shared part (pf_op.h) */
	char *conv_id, *msg_id, *text, *customer;
	char *agent_name;            /* between STEP_AGENT and STEP_CLIENT */
	enum pf_holder holder;
};

static const struct bridge_key agents_keys[] = {
	{"agent_id", NULL, false},
	{"token_file", NULL, true},
	{"auth_header", "", false},  /* "": Authorization: Bearer <key> */
	{"agent_path", "/v3/agents/{id}", false},
	{"interact_path", "/v3/agents/{id}/interact", false},
	{"state_path", "/v3/agents/{id}/state", false},
	{"client_path", "/v3/workspace/clients/{id}", false},
	{"state_human", "human", false},
	{"state_ai", "ai", false},
	{NULL, NULL, false},
};

static const char *const op_names[] = {
	[OP_CHECK] = "read agent", [OP_ANSWER] = "chat interact", [OP_STATE] = "configure state",
};

static void step(void *op);

/* ---- helpers ---------------------------------------------------------------- */

static const char *str_of(const cJSON *j, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void op_free(void *op)
{
	struct op *o = op;

	pf_result_free(&o->op.r);
	free(o->conv_id);
	free(o->msg_id);
	free(o->text);
	free(o->customer);
	free(o->agent_name);
	free(o);
}

static void finish(struct op *o)
{
	pf_op_finish(&o->op);
}

static void fail(struct op *o, const char *why)
{
	pf_op_fail(&o->op, PF_RETRY, why);
}

/* `pattern` with its "{id}" replaced by `id`, URL-encoded. */
static void fill(char *out, size_t n, const char *pattern, const char *id)
{
	const char *at = strstr(pattern, "{id}");

	snprintf(out, n, "%.*s", (int)(at - pattern), pattern);
	pf_urlencode(out, n, id);
	strncat(out, at + 4, n - strlen(out) - 1);
}

/* The platform's words for a failed answer ({"error": {code, message}}),
 * with what to check. */
static void failed(struct op *o, const struct pf_answer *a)
{
	const cJSON *e = a->json ? cJSON_GetObjectItemCaseSensitive(a->json, "error") : NULL;
	const char *code = str_of(e, "code"), *msg = str_of(e, "message");
	const char *hint = a->status == 401 ? " (check token_file)"
			 : a->status == 404 && o->op.step == STEP_AGENT ? " (check agent_id)" : "";
	char why[400];

	snprintf(why, sizeof why, "%s%s%s%s", code ? code : "no error body", msg ? " — " : "",
		 msg ? msg : "", hint);
	pf_http_failed(a, op_names[o->op.kind], why, &o->op.r);
	finish(o);
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

/* ---- who answers ------------------------------------------------------------ */

/* "AI agent "<name>" for <client> (org <org>)": what the console shows of
 * the agent and the workspace client it serves. */
static void learn_about(struct op *o, const char *client, const char *org)
{
	char line[600];
	int len = snprintf(line, sizeof line, "AI agent \"%.*s\"", NAME_MAX_CHARS, o->agent_name);

	if (client && *client)
		len += snprintf(line + len, sizeof line - (size_t)len, " for %.*s", NAME_MAX_CHARS,
				client);
	if (org && *org)
		snprintf(line + len, sizeof line - (size_t)len, " (org %.*s)", NAME_MAX_CHARS, org);
	free(o->op.c->about);
	o->op.c->about = strdup(line);
	o->op.step = STEP_CALL;
	step(o);
}

static void on_agent(struct op *o, const struct pf_answer *a)
{
	const char *name = str_of(a->json, "name"), *client = str_of(a->json, "clientId");
	char path[PATH_LEN];

	if (!pf_dup_into(&o->agent_name, name && *name ? name : o->op.c->agent_id)) {
		fail(o, "out of memory");
		return;
	}
	if (!client || !*client) {
		learn_about(o, NULL, NULL);
		return;
	}
	o->op.step = STEP_CLIENT;
	fill(path, sizeof path, o->op.c->client_path, client);
	call(o, "GET", path, NULL);
}

/* ---- the operations' steps -------------------------------------------------- */

static void on_interact(struct op *o, const struct pf_answer *a)
{
	const cJSON *reply = cJSON_GetObjectItemCaseSensitive(a->json, "reply");
	const char *text = str_of(reply, "text");

	/* A null reply: the platform keeps the agent silent (a human holds
	 * the conversation, or the agent escalated it). */
	if ((text && *text && !(o->op.r.reply = strdup(text))) ||
	    !pf_dup_into(&o->op.r.summary, o->op.c->about)) {
		fail(o, "out of memory");
		return;
	}
	o->op.r.escalate = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a->json, "escalated"));
	finish(o);
}

static void on_answer(void *ctx, const struct pf_answer *a)
{
	struct op *o = ctx;
	bool ok = !a->error && a->status >= 200 && a->status < 300;

	/* A client the key may not read (another workspace's, gone) only
	 * costs the notice its name. */
	if (!ok && o->op.step == STEP_CLIENT && (a->status == 403 || a->status == 404)) {
		log_warn("agents: the agent's client cannot be read (HTTP %ld)", a->status);
		learn_about(o, NULL, NULL);
		return;
	}
	/* Configure State knows only conversations the agent has seen: one
	 * that never reached it has nothing to silence or resume. */
	if (!ok && o->op.kind == OP_STATE && a->status == 404) {
		log_debug("agents: conversation %s is unknown to the agent; no state to set",
			  o->conv_id);
		finish(o);
		return;
	}
	if (!ok) {
		failed(o, a);
		return;
	}
	if (!a->json) {
		snprintf(o->op.r.text, sizeof o->op.r.text, "%s: the answer is not JSON",
			 op_names[o->op.kind]);
		o->op.r.status = PF_RETRY;
		finish(o);
		return;
	}
	switch (o->op.step) {
	case STEP_AGENT:
		on_agent(o, a);
		return;
	case STEP_CLIENT:
		learn_about(o, str_of(a->json, "name"), str_of(a->json, "orgId"));
		return;
	default:
		if (o->op.kind == OP_ANSWER)
			on_interact(o, a);
		else
			finish(o);
	}
}

/* The next request of an op: who answers first, when not known yet. */
static void step(void *op)
{
	struct op *o = op;
	struct pf_client *c = o->op.c;
	char path[PATH_LEN];
	cJSON *b, *user;

	if (o->op.step == STEP_AGENT && (o->op.kind == OP_CHECK || !c->about)) {
		fill(path, sizeof path, c->agent_path, c->agent_id);
		call(o, "GET", path, NULL);
		return;
	}
	switch (o->op.kind) {
	case OP_CHECK:
		if (!(o->op.r.summary = strdup(c->about ? c->about : "")))
			o->op.r.status = PF_RETRY;
		finish(o);
		return;
	case OP_ANSWER:
		o->op.step = STEP_CALL;
		b = cJSON_CreateObject();
		if (b && (!cJSON_AddStringToObject(b, "message", o->text) ||
			  !cJSON_AddStringToObject(b, "conversationId", o->conv_id) ||
			  !cJSON_AddStringToObject(b, "messageId", o->msg_id) ||
			  (o->customer && (!(user = cJSON_AddObjectToObject(b, "user")) ||
					   !cJSON_AddStringToObject(user, "name", o->customer))))) {
			cJSON_Delete(b);
			b = NULL;
		}
		fill(path, sizeof path, c->interact_path, c->agent_id);
		call(o, "POST", path, b);
		return;
	case OP_STATE:
		o->op.step = STEP_CALL;
		b = cJSON_CreateObject();
		if (b && (!cJSON_AddStringToObject(b, "conversationId", o->conv_id) ||
			  !cJSON_AddStringToObject(b, "state", o->holder == PF_HOLDER_HUMAN
								   ? c->state_human
								   : c->state_ai))) {
			cJSON_Delete(b);
			b = NULL;
		}
		fill(path, sizeof path, c->state_path, c->agent_id);
		call(o, "POST", path, b);
		return;
	}
}

/* ---- the table's functions -------------------------------------------------- */

/* A header name: letters, digits and '-'. */
static bool header_name_ok(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n < 64 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == n;
}

static struct pf_client *ag_open(uv_loop_t *loop, const struct bridge_config *cfg,
				 struct errbuf *err)
{
	const char *paths[] = {"agent_path", "interact_path", "state_path", "client_path"};
	const char *header = bridge_config_get(cfg, "auth_header");
	const char *key = bridge_config_get(cfg, "token_file");
	struct pf_client *c = calloc(1, sizeof *c);
	char line[600];

	if (!c) {
		errbuf_set(err, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < sizeof paths / sizeof *paths; i++)
		if (!strstr(bridge_config_get(cfg, paths[i]), "{id}")) {
			free(c);
			errbuf_set(err, "%s must hold {id}", paths[i]);
			return NULL;
		}
	if (*header && (!header_name_ok(header) ||
			(size_t)snprintf(line, sizeof line, "%s: %s", header, key) >= sizeof line)) {
		free(c);
		errbuf_set(err, "auth_header is not a header name");
		return NULL;
	}
	c->agent_id = bridge_config_get(cfg, "agent_id");
	c->agent_path = bridge_config_get(cfg, "agent_path");
	c->interact_path = bridge_config_get(cfg, "interact_path");
	c->state_path = bridge_config_get(cfg, "state_path");
	c->client_path = bridge_config_get(cfg, "client_path");
	c->state_human = bridge_config_get(cfg, "state_human");
	c->state_ai = bridge_config_get(cfg, "state_ai");
	/* The key as a bearer token, or bare in a header of its own. */
	const char *headers[] = {*header ? line : NULL, NULL};
	c->http = pf_http_new(loop, cfg->platform_url, *header ? NULL : key, headers,
			      cfg->request_timeout_ms, err);
	if (!c->http) {
		free(c);
		return NULL;
	}
	return c;
}

static void ag_close(struct pf_client *c)
{
	if (!c)
		return;
	pf_http_free(c->http);
	free(c->about);
	free(c);
}

static bool ag_check(struct pf_client *c, pf_done_fn *done, void *ctx, struct errbuf *err)
{
	return pf_op_start(op_new(c, OP_CHECK, done, ctx, err), step, err);
}

static bool ag_answer(struct pf_client *c, const char *conv_id, const char *msg_id,
		      const char *text, const char *customer_name, pf_done_fn *done, void *ctx,
		      struct errbuf *err)
{
	struct op *o = op_new(c, OP_ANSWER, done, ctx, err);

	if (o && (!pf_dup_into(&o->conv_id, conv_id) || !pf_dup_into(&o->msg_id, msg_id) ||
		  !pf_dup_into(&o->text, text) || !pf_dup_into(&o->customer, customer_name)))
		o->op.r.status = PF_REFUSED;
	return pf_op_start(o, step, err);
}

static bool ag_set_holder(struct pf_client *c, const char *conv_id, enum pf_holder h,
			  pf_done_fn *done, void *ctx, struct errbuf *err)
{
	struct op *o = op_new(c, OP_STATE, done, ctx, err);

	if (o) {
		o->holder = h;
		o->op.step = STEP_CALL;
		if (!pf_dup_into(&o->conv_id, conv_id))
			o->op.r.status = PF_REFUSED;
	}
	return pf_op_start(o, step, err);
}

const struct bridge_platform platform_agents = {
	.name = "agents",
	.keys = agents_keys,
	.webhook_signature_header = NULL, /* the bridge needs no push: answers carry all */
	.open = ag_open,
	.close = ag_close,
	.check = ag_check,
	.set_holder = ag_set_holder,
	.answer = ag_answer,
};
