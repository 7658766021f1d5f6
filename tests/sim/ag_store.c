/*
 * ag_store.c — the simulated workspace's records and their JSON (see
 * ag_store.h).
 *
 * Conversation ids are the caller's (Chat Interact names the conversation),
 * so lookups are a linear scan: a simulator holds at most tens of thousands
 * of conversations, and a scan of those is microseconds.
 */
#include "ag_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "jsonfield.h"
#include "timeutil.h"

static const char *const STATES[] = {
	[AG_STATE_AI] = "ai", [AG_STATE_ESCALATED] = "escalated", [AG_STATE_HUMAN] = "human",
};

const char *ag_state_name(enum ag_state st)
{
	return STATES[st];
}

bool ag_state_parse(const char *name, enum ag_state *out)
{
	for (size_t i = 0; name && i < sizeof STATES / sizeof STATES[0]; i++)
		if (strcmp(STATES[i], name) == 0) {
			*out = (enum ag_state)i;
			return true;
		}
	return false;
}

static bool vec_push(struct ag_vec *v, void *p)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 64;
		void **nv = realloc(v->v, cap * sizeof *nv);
		if (!nv)
			return false;
		v->v = nv;
		v->cap = cap;
	}
	v->v[v->n++] = p;
	return true;
}

bool ag_set_str(char **field, const char *v)
{
	char *d = strdup(v ? v : "");

	if (!d)
		return false;
	free(*field);
	*field = d;
	return true;
}

void ag_store_init(struct ag_store *s, const char *workspace_id)
{
	memset(s, 0, sizeof *s);
	snprintf(s->workspace_id, sizeof s->workspace_id, "%s", workspace_id);
	if (getrandom(&s->salt, sizeof s->salt, 0) != sizeof s->salt)
		s->salt = (uint32_t)ts_now();
	s->page_size = AG_PAGE_SIZE;
}

static void msg_free(struct ag_msg *m)
{
	free(m->text);
	free(m);
}

void ag_store_free(struct ag_store *s)
{
	for (size_t i = 0; i < s->clients.n; i++) {
		struct ag_client *c = s->clients.v[i];
		free(c->org_id);
		free(c->owner_uid);
		cJSON_Delete(c->json);
		free(c);
	}
	for (size_t i = 0; i < s->agents.n; i++) {
		struct ag_agent *a = s->agents.v[i];
		free(a->name);
		free(a->client_id);
		free(a->prompt);
		free(a->welcome);
		free(a);
	}
	for (size_t i = 0; i < s->convs.n; i++) {
		struct ag_conv *c = s->convs.v[i];
		for (size_t k = 0; k < c->msgs.n; k++)
			msg_free(c->msgs.v[k]);
		free(c->msgs.v);
		cJSON_Delete(c->user);
		cJSON_Delete(c->changes);
		free(c);
	}
	free(s->clients.v);
	free(s->agents.v);
	free(s->convs.v);
}

/* ---- clients ------------------------------------------------------------ */

static const char *str_of(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

struct ag_client *ag_client_new(struct ag_store *s, const cJSON *fields)
{
	struct ag_client *c = calloc(1, sizeof *c);
	const char *id = str_of(fields, "id");

	if (!c)
		return NULL;
	if (id)
		snprintf(c->id, sizeof c->id, "%s", id);
	else
		snprintf(c->id, sizeof c->id, "client_%08x_%zu", (unsigned)s->salt, s->clients.n + 1);
	c->json = cJSON_Duplicate(fields, 1);
	if (!c->json || !ag_set_str(&c->org_id, str_of(fields, "orgId")) ||
	    !ag_set_str(&c->owner_uid, str_of(fields, "ownerUid")) || !vec_push(&s->clients, c)) {
		cJSON_Delete(c->json);
		free(c->org_id);
		free(c->owner_uid);
		free(c);
		return NULL;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(c->json, "id");
	cJSON_DeleteItemFromObjectCaseSensitive(c->json, "orgUsers");
	cJSON_AddStringToObject(c->json, "id", c->id);
	return c;
}

struct ag_client *ag_client_find(struct ag_store *s, const char *id)
{
	for (size_t i = 0; id && i < s->clients.n; i++) {
		struct ag_client *c = s->clients.v[i];
		if (strcmp(c->id, id) == 0)
			return c;
	}
	return NULL;
}

/* orgUsers: the other clients of the same org, each without orgUsers of
 * its own (the doc's schema nests them; one level is what a reader needs). */
cJSON *ag_client_json(const struct ag_store *s, const struct ag_client *c)
{
	cJSON *o = cJSON_Duplicate(c->json, 1), *users = cJSON_CreateArray();

	for (size_t i = 0; users && c->org_id[0] && i < s->clients.n; i++) {
		const struct ag_client *u = s->clients.v[i];
		if (u != c && strcmp(u->org_id, c->org_id) == 0) {
			cJSON *j = cJSON_Duplicate(u->json, 1);
			if (j)
				cJSON_AddItemToObject(j, "orgUsers", cJSON_CreateArray());
			cJSON_AddItemToArray(users, j);
		}
	}
	json_add_child(o, "orgUsers", users);
	return o;
}

/* ---- agents ------------------------------------------------------------- */

struct ag_agent *ag_agent_new(struct ag_store *s, const char *id, const char *name,
			      const char *client_id)
{
	struct ag_agent *a = calloc(1, sizeof *a);

	if (!a)
		return NULL;
	if (id)
		snprintf(a->id, sizeof a->id, "%s", id);
	else
		snprintf(a->id, sizeof a->id, "agent_%08x_%zu", (unsigned)s->salt, s->agents.n + 1);
	a->created_ms = a->updated_ms = ts_now();
	if (!ag_set_str(&a->name, name) || !ag_set_str(&a->client_id, client_id) ||
	    !ag_set_str(&a->prompt, "") || !ag_set_str(&a->welcome, "") ||
	    !vec_push(&s->agents, a)) {
		free(a->name);
		free(a->client_id);
		free(a->prompt);
		free(a->welcome);
		free(a);
		return NULL;
	}
	return a;
}

struct ag_agent *ag_agent_find(struct ag_store *s, const char *id)
{
	for (size_t i = 0; id && i < s->agents.n; i++) {
		struct ag_agent *a = s->agents.v[i];
		if (!a->deleted && strcmp(a->id, id) == 0)
			return a;
	}
	return NULL;
}

cJSON *ag_agent_json(const struct ag_agent *a)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "id", a->id);
	cJSON_AddStringToObject(o, "name", a->name);
	json_add_string_or_null(o, "clientId", a->client_id[0] ? a->client_id : NULL);
	cJSON_AddStringToObject(o, "prompt", a->prompt);
	cJSON_AddStringToObject(o, "welcomeMessage", a->welcome);
	json_add_timestamp(o, "createdAt", a->created_ms);
	json_add_timestamp(o, "updatedAt", a->updated_ms);
	return o;
}

/* ---- conversations ------------------------------------------------------ */

struct ag_conv *ag_conv_new(struct ag_store *s, struct ag_agent *a, const char *id)
{
	struct ag_conv *c = calloc(1, sizeof *c);

	if (!c)
		return NULL;
	if (id)
		snprintf(c->id, sizeof c->id, "%s", id);
	else
		snprintf(c->id, sizeof c->id, "conv_%08x_%zu", (unsigned)s->salt, s->convs.n + 1);
	c->agent = a;
	c->created_ms = c->updated_ms = ts_now();
	c->user = cJSON_CreateObject();
	c->changes = cJSON_CreateArray();
	if (!c->user || !c->changes || !vec_push(&s->convs, c)) {
		cJSON_Delete(c->user);
		cJSON_Delete(c->changes);
		free(c);
		return NULL;
	}
	return c;
}

struct ag_conv *ag_conv_find(struct ag_store *s, const struct ag_agent *a, const char *id)
{
	for (size_t i = 0; id && i < s->convs.n; i++) {
		struct ag_conv *c = s->convs.v[i];
		if ((a ? c->agent == a : !c->agent->deleted) && strcmp(c->id, id) == 0)
			return c;
	}
	return NULL;
}

bool ag_conv_set_state(struct ag_store *s, struct ag_conv *c, enum ag_state st, const char *by)
{
	cJSON *ch = cJSON_CreateObject();

	if (c->state == st) {
		cJSON_Delete(ch);
		return false;
	}
	c->state = st;
	c->state_version++;
	c->updated_ms = ts_now();
	cJSON_AddStringToObject(ch, "state", ag_state_name(st));
	cJSON_AddStringToObject(ch, "by", by);
	json_add_timestamp(ch, "at", c->updated_ms);
	cJSON_AddItemToArray(c->changes, ch);
	if (s->on_event)
		s->on_event(s->hook_ctx, "conversation.state_changed", c, NULL);
	return true;
}

cJSON *ag_conv_json(const struct ag_conv *c, bool with_messages)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "id", c->id);
	cJSON_AddStringToObject(o, "agentId", c->agent->id);
	cJSON_AddStringToObject(o, "state", ag_state_name(c->state));
	cJSON_AddNumberToObject(o, "stateVersion", c->state_version);
	cJSON_AddNumberToObject(o, "messageCount", (double)c->msgs.n);
	json_add_child(o, "user", cJSON_Duplicate(c->user, 1));
	json_add_timestamp(o, "createdAt", c->created_ms);
	json_add_timestamp(o, "updatedAt", c->updated_ms);
	if (with_messages) {
		cJSON *msgs = cJSON_AddArrayToObject(o, "messages");
		for (size_t i = 0; msgs && i < c->msgs.n; i++)
			cJSON_AddItemToArray(msgs, ag_msg_json(c->msgs.v[i]));
	}
	return o;
}

/* ---- messages ----------------------------------------------------------- */

struct ag_msg *ag_msg_new(struct ag_store *s, struct ag_conv *c, enum ag_origin origin,
			  const char *text, const char *client_msg_id)
{
	struct ag_msg *m = calloc(1, sizeof *m);

	if (!m || !(m->text = strdup(text))) {
		free(m);
		return NULL;
	}
	snprintf(m->id, sizeof m->id, "msg_%08x_%llu", (unsigned)s->salt,
		 (unsigned long long)++s->msg_seq);
	snprintf(m->client_msg_id, sizeof m->client_msg_id, "%s", client_msg_id ? client_msg_id : "");
	m->role = origin == AG_ORIGIN_CUSTOMER || origin == AG_ORIGIN_API ? "user" : "assistant";
	m->origin = origin;
	m->created_ms = ts_now();
	if (!vec_push(&c->msgs, m)) {
		msg_free(m);
		return NULL;
	}
	c->updated_ms = m->created_ms;
	if (s->on_event)
		s->on_event(s->hook_ctx, "message.created", c, m);
	return m;
}

struct ag_msg *ag_msg_by_client_id(const struct ag_conv *c, const char *client_msg_id)
{
	for (size_t i = 0; client_msg_id && client_msg_id[0] && i < c->msgs.n; i++) {
		struct ag_msg *m = c->msgs.v[i];
		if (strcmp(m->client_msg_id, client_msg_id) == 0)
			return m;
	}
	return NULL;
}

cJSON *ag_msg_json(const struct ag_msg *m)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "id", m->id);
	json_add_string_or_null(o, "messageId", m->client_msg_id[0] ? m->client_msg_id : NULL);
	cJSON_AddStringToObject(o, "role", m->role);
	cJSON_AddStringToObject(o, "text", m->text);
	json_add_timestamp(o, "createdAt", m->created_ms);
	return o;
}

/* ---- pages -------------------------------------------------------------- */

/* A cursor is the index of the next conversation to look at, masked with
 * the run's salt and dressed with '+', '/' and '=' so that a client that
 * does not URL-encode it is found out. */
static void cursor_make(const struct ag_store *s, size_t next, char out[32])
{
	snprintf(out, 32, "c+%08zx/%08x=", next ^ s->salt, (unsigned)s->salt);
}

static bool cursor_read(const struct ag_store *s, const char *cur, size_t *next)
{
	char salt[9];
	char *end;
	size_t v;

	if (strlen(cur) != 20 || strncmp(cur, "c+", 2) != 0 || cur[10] != '/' || cur[19] != '=')
		return false;
	memcpy(salt, cur + 11, 8);
	salt[8] = '\0';
	if (strtoul(salt, &end, 16) != s->salt || *end)
		return false;
	char hex[9];
	memcpy(hex, cur + 2, 8);
	hex[8] = '\0';
	v = strtoul(hex, &end, 16) ^ s->salt;
	if (*end || v > s->convs.n)
		return false;
	*next = v;
	return true;
}

static bool listed(const struct ag_conv *c, const struct ag_agent *a, const enum ag_state *state)
{
	return c->agent == a && (!state || c->state == *state);
}

cJSON *ag_conv_page(const struct ag_store *s, const struct ag_agent *a, const char *cursor,
		    size_t limit, const enum ag_state *state, bool *bad)
{
	size_t i = s->convs.n, served = 0;
	cJSON *o, *list;
	char next[32];

	*bad = cursor && !cursor_read(s, cursor, &i);
	if (*bad)
		return NULL;
	o = cJSON_CreateObject();
	list = cJSON_AddArrayToObject(o, "conversations");
	for (; i > 0 && served < limit; i--) {
		const struct ag_conv *c = s->convs.v[i - 1];
		if (!listed(c, a, state))
			continue;
		cJSON_AddItemToArray(list, ag_conv_json(c, false));
		served++;
	}
	/* Say there is more only when a matching one remains. */
	size_t k = i;
	while (k > 0 && !listed(s->convs.v[k - 1], a, state))
		k--;
	if (k > 0) {
		cursor_make(s, i, next);
		cJSON_AddStringToObject(o, "nextCursor", next);
	} else {
		cJSON_AddNullToObject(o, "nextCursor");
	}
	return o;
}
