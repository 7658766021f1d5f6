/*
 * th_store.c — the simulated chatbot's records and their JSON (see
 * th_store.h).
 *
 * Ids carry the record's index, so lookups are O(1) (a 10,000 thread
 * backfill stays cheap), and a per-run salt, so they differ between runs:
 * a thread id looks like a UUID whose first group is the index, a message
 * or user id is a long decimal number whose last 8 digits are the index.
 */
#include "th_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "jsonfield.h"
#include "timeutil.h"

const char *const TH_MODE_NAMES[] = {"AI", "AGENT"};
const char *const TH_MSG_TYPE_NAMES[] = {"NORMAL_MESSAGE", "USER_MESSAGE", "AGENT_MESSAGE",
					 "SYSTEM_MESSAGE"};
const char *const TH_SYS_TYPE_NAMES[] = {
	"CONVERSATION_ESCALATED", "EXCEEDED_USAGE_LIMITS", "EMAIL_VERIFIED", "ENTERED_WRONG_OTP",
	"PROVIDED_EMAIL", "PERSONA_SELECTED", "PROBLEMS_WITH_UPSTREAM_PROVIDER",
};
const char *const TH_REACTION_NAMES[] = {"NEUTRAL", "POSITIVE", "NEGATIVE"};
const char *const TH_ORIGIN_NAMES[] = {"customer", "ai", "system", "api"};

int th_enum_find(const char *const *names, int n, const char *s)
{
	for (int i = 0; s && i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

static bool vec_push(struct th_vec *v, void *p)
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

/* A decimal id whose last 8 digits are the index. */
static void decimal_id(char out[TH_ID_LEN], uint32_t salt, unsigned kind, size_t index)
{
	snprintf(out, TH_ID_LEN, "%u%u%08zu", kind, 10000000u + salt % 90000000u, index);
}

static void *decimal_find(const struct th_vec *v, const char *id)
{
	size_t len = id ? strlen(id) : 0, idx = 0;

	if (len < 9)
		return NULL;
	for (size_t i = len - 8; i < len; i++) {
		if (id[i] < '0' || id[i] > '9')
			return NULL;
		idx = idx * 10 + (size_t)(id[i] - '0');
	}
	return idx < v->n ? v->v[idx] : NULL;
}

bool th_store_init(struct th_store *s, const char *chatbot_id)
{
	memset(s, 0, sizeof *s);
	snprintf(s->chatbot_id, sizeof s->chatbot_id, "%s", chatbot_id);
	if (getrandom(&s->salt, sizeof s->salt, 0) != sizeof s->salt)
		s->salt = (uint32_t)ts_now();
	s->page_size = TH_PAGE_SIZE;
	s->gpt_model = "gpt-4o-mini";
	return true;
}

static void user_free(struct th_user *u)
{
	free(u->name);
	free(u->email);
	free(u->phone);
	free(u);
}

static void msg_free(struct th_msg *m)
{
	free(m->question);
	free(m->answer);
	cJSON_Delete(m->sources);
	free(m->icon_url);
	free(m->agent_name);
	free(m);
}

static void thread_free(struct th_thread *t)
{
	free(t->webhook_url);
	free(t->webhook_token);
	free(t->msgs.v);
	free(t);
}

void th_store_free(struct th_store *s)
{
	for (size_t i = 0; i < s->threads.n; i++)
		thread_free(s->threads.v[i]);
	for (size_t i = 0; i < s->users.n; i++)
		user_free(s->users.v[i]);
	for (size_t i = 0; i < s->msgs.n; i++)
		msg_free(s->msgs.v[i]);
	free(s->threads.v);
	free(s->users.v);
	free(s->msgs.v);
}

bool th_set_str(char **field, const char *value, bool empty_is_null)
{
	char *v = NULL;

	if (value && !(empty_is_null && !*value) && !(v = strdup(value)))
		return false;
	free(*field);
	*field = v;
	return true;
}

struct th_user *th_user_new(struct th_store *s, const char *name, const char *email,
			    const char *phone)
{
	struct th_user *u = calloc(1, sizeof *u);

	if (!u)
		return NULL;
	decimal_id(u->id, s->salt, 7, s->users.n);
	u->created_ms = u->updated_ms = ts_now();
	if (!th_set_str(&u->name, name, false) || !th_set_str(&u->email, email, false) ||
	    !th_set_str(&u->phone, phone, false) || !vec_push(&s->users, u)) {
		user_free(u);
		return NULL;
	}
	return u;
}

struct th_thread *th_thread_new(struct th_store *s, enum th_mode mode, struct th_user *u,
				const char *webhook_url, const char *webhook_token)
{
	struct th_thread *t = calloc(1, sizeof *t);
	uint32_t k = s->salt;

	if (!t)
		return NULL;
	t->index = s->threads.n;
	snprintf(t->id, sizeof t->id, "%08zx-%04x-4%03x-a%03x-%08x%04x", t->index, k >> 16,
		 k & 0xfff, (k >> 12) & 0xfff, k, (unsigned)(t->index & 0xffff));
	t->started_ms = t->updated_ms = ts_now();
	t->ended_ms = TS_NONE;
	t->mode = mode;
	t->user = u;
	if (!th_set_str(&t->webhook_url, webhook_url, true) ||
	    !th_set_str(&t->webhook_token, webhook_token, true) || !vec_push(&s->threads, t)) {
		thread_free(t);
		return NULL;
	}
	return t;
}

struct th_msg *th_msg_new(struct th_store *s, struct th_thread *t, enum th_msg_type type,
			  const char *question, const char *answer, enum th_origin origin)
{
	struct th_msg *m = calloc(1, sizeof *m);
	int64_t now = ts_now();

	if (!m)
		return NULL;
	decimal_id(m->id, s->salt, 3, s->msgs.n);
	m->thread = t;
	m->type = type;
	m->sys_type = TH_SYS_NONE;
	m->question_ms = m->answer_ms = now;
	m->origin = origin;
	if (!(m->sources = cJSON_CreateArray()) || !th_set_str(&m->question, question, false) ||
	    !th_set_str(&m->answer, answer, false) || !vec_push(&s->msgs, m)) {
		msg_free(m);
		return NULL;
	}
	if (!vec_push(&t->msgs, m))
		return NULL; /* still owned by s->msgs */
	t->updated_ms = now;
	return m;
}

bool th_msg_answer(struct th_msg *m, const char *answer)
{
	if (!th_set_str(&m->answer, answer, false))
		return false;
	m->answer_ms = m->thread->updated_ms = ts_now();
	return true;
}

struct th_thread *th_thread_find(struct th_store *s, const char *id)
{
	char hex[9], *end;
	size_t idx;

	if (!id || strlen(id) < 9 || id[8] != '-')
		return NULL;
	memcpy(hex, id, 8);
	hex[8] = '\0';
	idx = strtoul(hex, &end, 16);
	if (*end || idx >= s->threads.n)
		return NULL;
	struct th_thread *t = s->threads.v[idx];
	return strcmp(t->id, id) == 0 ? t : NULL;
}

struct th_msg *th_msg_find(struct th_store *s, const char *id)
{
	struct th_msg *m = decimal_find(&s->msgs, id);
	return m && strcmp(m->id, id) == 0 ? m : NULL;
}

struct th_msg *th_pending_question(struct th_thread *t)
{
	for (size_t i = t->msgs.n; i > 0; i--) {
		struct th_msg *m = t->msgs.v[i - 1];
		if (m->type == TH_NORMAL_MESSAGE && m->question && !m->answer)
			return m;
	}
	return NULL;
}

cJSON *th_user_json(const struct th_user *u)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "id", u->id);
	json_add_string_or_null(o, "name", u->name);
	json_add_string_or_null(o, "email", u->email);
	json_add_string_or_null(o, "phoneNumber", u->phone);
	cJSON_AddBoolToObject(o, "isVerified", u->verified);
	json_add_timestamp(o, "createdAt", u->created_ms);
	json_add_timestamp(o, "updatedAt", u->updated_ms);
	return o;
}

/* {text, timestamp}, or null. */
static cJSON *part_json(const char *text, int64_t ms)
{
	cJSON *o;

	if (!text)
		return cJSON_CreateNull();
	if ((o = cJSON_CreateObject())) {
		cJSON_AddStringToObject(o, "text", text);
		json_add_timestamp(o, "timestamp", ms);
	}
	return o;
}

cJSON *th_msg_json(const struct th_store *s, const struct th_msg *m)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "messageId", m->id);
	json_add_child(o, "question", part_json(m->question, m->question_ms));
	json_add_child(o, "answer", part_json(m->answer, m->answer_ms));
	cJSON_AddStringToObject(o, "reaction", TH_REACTION_NAMES[m->reaction]);
	cJSON_AddItemToObject(o, "sources", cJSON_Duplicate(m->sources, 1));
	cJSON_AddStringToObject(o, "messageType", TH_MSG_TYPE_NAMES[m->type]);
	json_add_string_or_null(o, "systemMessageType",
				m->sys_type == TH_SYS_NONE ? NULL : TH_SYS_TYPE_NAMES[m->sys_type]);
	cJSON_AddBoolToObject(o, "isEscalated", m->escalated);
	json_add_string_or_null(o, "iconUrl", m->icon_url);
	/* The chatbot's quick prompts: none are configured here. */
	cJSON_AddArrayToObject(o, "prompts");
	json_add_string_or_null(o, "gptModel", m->ai ? s->gpt_model : NULL);
	if (m->agent_name)
		cJSON_AddStringToObject(o, "agentName", m->agent_name);
	return o;
}

cJSON *th_thread_json(const struct th_store *s, const struct th_thread *t, bool skip_messages,
		      bool include_user)
{
	cJSON *o = cJSON_CreateObject(), *msgs;

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "threadId", t->id);
	cJSON_AddStringToObject(o, "chatbotId", s->chatbot_id);
	json_add_string_or_null(o, "chatUserId", t->user ? t->user->id : NULL);
	cJSON_AddStringToObject(o, "mode", TH_MODE_NAMES[t->mode]);
	json_add_timestamp(o, "startedAt", t->started_ms);
	json_add_timestamp(o, "updatedAt", t->updated_ms);
	json_add_timestamp(o, "endedAt", t->ended_ms);
	cJSON_AddBoolToObject(o, "isEscalated", t->escalated);
	json_add_string_or_null(o, "webhookUrl", t->webhook_url);
	json_add_string_or_null(o, "webhookToken", t->webhook_token);
	if (!skip_messages && (msgs = cJSON_AddArrayToObject(o, "messages")))
		for (size_t i = 0; i < t->msgs.n; i++)
			cJSON_AddItemToArray(msgs, th_msg_json(s, t->msgs.v[i]));
	cJSON_AddNumberToObject(o, "totalMessagesRead", (double)t->read_count);
	if (include_user && t->user)
		json_add_child(o, "chatUser", th_user_json(t->user));
	else
		cJSON_AddNullToObject(o, "chatUser");
	return o;
}

cJSON *th_thread_page(const struct th_store *s, const struct th_thread *last, size_t limit)
{
	cJSON *o = cJSON_CreateObject(), *arr;
	size_t i = last ? last->index : s->threads.n, served = 0;

	if (!o || !(arr = cJSON_AddArrayToObject(o, "threads"))) {
		cJSON_Delete(o);
		return NULL;
	}
	for (; i > 0 && served < limit; i--, served++) {
		const struct th_thread *t = s->threads.v[i - 1];
		cJSON *j = th_thread_json(s, t, true, true);
		if (j && t->msgs.n)
			json_add_child(j, "lastMessage", th_msg_json(s, t->msgs.v[t->msgs.n - 1]));
		else if (j)
			cJSON_AddNullToObject(j, "lastMessage");
		cJSON_AddItemToArray(arr, j);
	}
	return o;
}
