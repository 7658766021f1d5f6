/*
 * cv_store.c — the conversations and chats, and their JSON (see
 * cv_store.h).
 *
 * A conversation id is "conv_" + its index (8 hex digits) + a per-run salt,
 * so a lookup is O(1) (a 10,000 conversation backfill stays cheap) and ids
 * still look opaque; a chat id is "chat_" + the conversation's index, the
 * chat's index and the salt.
 */
#include "cv_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "timeutil.h"

const char *const CV_STATES[] = {"no", "waiting", "in_progress", "resolved", NULL};

static const char *const SENDERS[] = {
	[CV_SENDER_USER] = "USER", [CV_SENDER_BOT] = "BOT", [CV_SENDER_AGENT] = "AGENT",
};

static bool vec_push(struct cv_vec *v, void *p)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		void **nv = realloc(v->v, cap * sizeof *nv);
		if (!nv)
			return false;
		v->v = nv;
		v->cap = cap;
	}
	v->v[v->n++] = p;
	return true;
}

bool cv_store_init(struct cv_store *s)
{
	memset(s, 0, sizeof *s);
	if (getrandom(&s->salt, sizeof s->salt, 0) != sizeof s->salt)
		s->salt = (uint32_t)ts_now();
	snprintf(s->llm_app_id, sizeof s->llm_app_id, "app_%08x", (unsigned)s->salt);
	snprintf(s->llm_app_name, sizeof s->llm_app_name, "Support Assistant");
	return true;
}

static void chat_free(struct cv_chat *ch)
{
	free(ch->message);
	free(ch->agent_email);
	free(ch->suggested_answer);
	cJSON_Delete(ch->feedback_selection);
	free(ch);
}

static void conv_free(struct cv_conv *c)
{
	for (size_t i = 0; i < c->chats.n; i++)
		chat_free(c->chats.v[i]);
	free(c->chats.v);
	free(c->title);
	free(c->first_name);
	free(c->last_name);
	free(c->llm_app_id);
	free(c->assignee);
	free(c->category_id);
	free(c->memo);
	cJSON_Delete(c->variables);
	free(c);
}

void cv_store_free(struct cv_store *s)
{
	for (size_t i = 0; i < s->convs.n; i++)
		conv_free(s->convs.v[i]);
	free(s->convs.v);
	for (size_t i = 0; i < CV_SNAPSHOTS; i++)
		free(s->snaps[i].convs);
}

bool cv_set_str(char **field, const char *value)
{
	char *d = strdup(value ? value : "");

	if (!d)
		return false;
	free(*field);
	*field = d;
	return true;
}

struct cv_conv *cv_conv_new(struct cv_store *s, const char *first_name, const char *last_name,
			    int64_t created_ms)
{
	struct cv_conv *c = calloc(1, sizeof *c);

	if (!c)
		return NULL;
	snprintf(c->id, sizeof c->id, "conv_%08zx%08x", s->convs.n, (unsigned)s->salt);
	snprintf(c->user_id, sizeof c->user_id, "user_%08zx%08x", s->convs.n, (unsigned)s->salt);
	c->seq = ++s->seq;
	c->created_ms = c->last_chat_ms = created_ms ? created_ms : ts_now();
	c->state = CV_STATES[0];
	c->variables = cJSON_CreateObject();
	if (!c->variables || !cv_set_str(&c->title, "") ||
	    !cv_set_str(&c->first_name, first_name) || !cv_set_str(&c->last_name, last_name) ||
	    !cv_set_str(&c->llm_app_id, s->llm_app_id) || !cv_set_str(&c->assignee, "") ||
	    !cv_set_str(&c->category_id, "") || !cv_set_str(&c->memo, "") ||
	    !vec_push(&s->convs, c)) {
		conv_free(c);
		return NULL;
	}
	return c;
}

struct cv_chat *cv_chat_add(struct cv_store *s, struct cv_conv *c, enum cv_sender who,
			    const char *message, const char *agent_email, int64_t ts)
{
	struct cv_chat *ch = calloc(1, sizeof *ch);

	if (!ch)
		return NULL;
	snprintf(ch->id, sizeof ch->id, "chat_%s_%06zx", c->id + 5, c->chats.n);
	ch->sender = who;
	ch->ts = ts ? ts : ts_now();
	/* Times never go backwards within a conversation: the order is theirs. */
	if (ch->ts < c->last_chat_ms)
		ch->ts = c->last_chat_ms;
	ch->conv = c;
	ch->rating = ch->agent_rating = -1;
	ch->message = strdup(message);
	if (agent_email)
		ch->agent_email = strdup(agent_email);
	if (!ch->message || (agent_email && !ch->agent_email) || !vec_push(&c->chats, ch)) {
		chat_free(ch);
		return NULL;
	}
	c->last_chat_ms = ch->ts;
	s->chats++;
	return ch;
}

struct cv_conv *cv_conv_find(struct cv_store *s, const char *id)
{
	char hex[9], *end;
	size_t idx;

	if (!id || strncmp(id, "conv_", 5) != 0 || strlen(id) != 21)
		return NULL;
	memcpy(hex, id + 5, 8);
	hex[8] = '\0';
	idx = strtoul(hex, &end, 16);
	if (*end || idx >= s->convs.n)
		return NULL;
	struct cv_conv *c = s->convs.v[idx];
	return strcmp(c->id, id) == 0 ? c : NULL;
}

struct cv_chat *cv_chat_find(struct cv_conv *c, const char *id)
{
	size_t plen = 5 + 16 + 1;
	char *end;

	if (!id || strlen(id) != plen + 6 || strncmp(id, "chat_", 5) != 0 ||
	    strncmp(id + 5, c->id + 5, 16) != 0 || id[plen - 1] != '_')
		return NULL;
	size_t idx = strtoul(id + plen, &end, 16);
	return !*end && idx < c->chats.n ? c->chats.v[idx] : NULL;
}

const char *cv_state_lookup(const char *name)
{
	for (size_t i = 0; name && CV_STATES[i]; i++)
		if (strcmp(CV_STATES[i], name) == 0)
			return CV_STATES[i];
	return NULL;
}

static void add_rating(cJSON *o, const char *name, int r)
{
	if (r < 0)
		cJSON_AddNullToObject(o, name);
	else
		cJSON_AddBoolToObject(o, name, r);
}

cJSON *cv_chat_json(const struct cv_chat *ch)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "id", ch->id);
	cJSON_AddStringToObject(o, "sender", SENDERS[ch->sender]);
	cJSON_AddStringToObject(o, "message", ch->message);
	cJSON_AddNumberToObject(o, "timestamp", (double)ch->ts);
	cJSON_AddArrayToObject(o, "citations");
	add_rating(o, "rating", ch->rating);
	add_rating(o, "agentRating", ch->agent_rating);
	return o;
}

cJSON *cv_conv_json(const struct cv_store *s, const struct cv_conv *c, const cJSON *vars)
{
	cJSON *o = cJSON_CreateObject(), *user, *cats, *chats, *app, *v;
	const cJSON *it;
	size_t from = c->chats.n > CV_RECENT_CHATS ? c->chats.n - CV_RECENT_CHATS : 0;

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "id", c->id);
	cJSON_AddStringToObject(o, "title", c->title);
	user = cJSON_AddObjectToObject(o, "user");
	cJSON_AddStringToObject(user, "userId", c->user_id);
	cJSON_AddStringToObject(user, "firstName", c->first_name);
	cJSON_AddStringToObject(user, "lastName", c->last_name);
	cJSON_AddNumberToObject(o, "createdAt", (double)c->created_ms);
	cJSON_AddNumberToObject(o, "lastChatTime", (double)c->last_chat_ms);
	cJSON_AddBoolToObject(o, "isEnd", c->is_end);
	cats = cJSON_AddArrayToObject(o, "categories");
	if (c->category_id[0])
		cJSON_AddItemToArray(cats, cJSON_CreateString(c->category_id));
	cJSON_AddStringToObject(o, "memo", c->memo);
	chats = cJSON_AddArrayToObject(o, "chats");
	for (size_t i = from; i < c->chats.n; i++)
		cJSON_AddItemToArray(chats, cv_chat_json(c->chats.v[i]));
	cJSON_AddNumberToObject(o, "chatCount", (double)c->chats.n);
	app = cJSON_AddObjectToObject(o, "llmApp");
	cJSON_AddStringToObject(app, "id", c->llm_app_id);
	cJSON_AddStringToObject(app, "name", s->llm_app_name);
	cJSON_AddStringToObject(app, "description", "The simulated LLM app");
	v = cJSON_AddObjectToObject(o, "variables");
	cJSON_ArrayForEach(it, vars) {
		const cJSON *val = cJSON_GetObjectItemCaseSensitive(c->variables, it->valuestring);
		if (val)
			cJSON_AddItemToObject(v, it->valuestring, cJSON_Duplicate(val, 1));
	}
	/* Not in the doc's example object; the simulator's choice, since the
	 * update endpoint sets them (doc/simulators.md). */
	cJSON_AddStringToObject(o, "state", c->state);
	cJSON_AddStringToObject(o, "assignee", c->assignee);
	return o;
}

struct cv_snapshot *cv_snapshot_take(struct cv_store *s, struct cv_conv **convs, size_t n)
{
	struct cv_snapshot *sn = &s->snaps[s->next_snap % CV_SNAPSHOTS];

	free(sn->convs);
	sn->id = ++s->next_snap;
	sn->convs = convs;
	sn->n = n;
	return sn;
}

struct cv_snapshot *cv_snapshot_find(struct cv_store *s, uint32_t id)
{
	struct cv_snapshot *sn = &s->snaps[(id - 1) % CV_SNAPSHOTS];

	return id && sn->id == id ? sn : NULL;
}
