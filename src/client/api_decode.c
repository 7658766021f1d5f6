/*
 * api_decode.c — the hub's 2xx answers into the structs of api.h, and the
 * ownership helpers of api_result. Object decoding is codec.h's; this file
 * adds the envelopes ({"chats":[...],"meta":{...}}) and names the failing
 * field, array index included ("chats[3].mode: ...").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"
#include "canned.h"
#include "codec.h"
#include "dashboard.h"
#include "jsonfield.h"
#include "searchres.h"

void api_chat_page_free(struct api_chat_page *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		chat_free(&p->chats[i]);
	free(p->chats);
	free(p->next_cursor);
	free(p);
}

void api_message_page_free(struct api_message_page *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		message_free(&p->messages[i]);
	free(p->messages);
	free(p);
}

void api_agent_list_free(struct api_agent_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		agent_free(&l->agents[i]);
	free(l->agents);
	free(l);
}

void api_stats_free(struct api_stats *s)
{
	if (!s)
		return;
	free(s->days);
	for (size_t i = 0; i < s->nplatforms; i++)
		free(s->platforms[i].days);
	free(s->platforms);
	free(s);
}

void api_health_free(struct api_health *h)
{
	if (!h)
		return;
	free(h->status);
	free(h->version);
	free(h);
}

void api_canned_list_free(struct api_canned_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		canned_free(&l->replies[i]);
	free(l->replies);
	free(l);
}

void api_owner_free(struct api_owner *o)
{
	if (!o)
		return;
	owner_free(&o->owner);
	free(o->phone);
	for (size_t i = 0; i < o->n; i++)
		chat_free(&o->chats[i]);
	free(o->chats);
	free(o);
}

void api_search_list_free(struct api_search_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		search_result_free(&l->results[i]);
	free(l->results);
	free(l);
}

void api_result_free(struct api_result *r)
{
	api_health_free(r->health);
	if (r->agent) {
		agent_free(r->agent);
		free(r->agent);
	}
	api_agent_list_free(r->agents);
	api_chat_page_free(r->chats);
	if (r->chat) {
		chat_free(r->chat);
		free(r->chat);
	}
	api_message_page_free(r->messages);
	if (r->message) {
		message_free(r->message);
		free(r->message);
	}
	api_stats_free(r->stats);
	if (r->batch) {
		free(r->batch->items);
		free(r->batch);
	}
	api_canned_list_free(r->canned);
	if (r->canned_one) {
		canned_free(r->canned_one);
		free(r->canned_one);
	}
	api_search_list_free(r->search);
	r->search = NULL;
	dashboard_free(r->dashboard);
	r->dashboard = NULL;
	r->canned = NULL;
	r->canned_one = NULL;
	api_owner_free(r->owner);
	r->owner = NULL;
	r->health = NULL;
	r->agent = NULL;
	r->agents = NULL;
	r->chats = NULL;
	r->chat = NULL;
	r->messages = NULL;
	r->message = NULL;
	r->stats = NULL;
	r->batch = NULL;
}

void api_result_take(struct api_result *dst, struct api_result *r)
{
	*dst = *r;
	r->health = NULL;
	r->agent = NULL;
	r->agents = NULL;
	r->chats = NULL;
	r->chat = NULL;
	r->messages = NULL;
	r->message = NULL;
	r->stats = NULL;
	r->batch = NULL;
	r->canned = NULL;
	r->canned_one = NULL;
	r->owner = NULL;
	r->search = NULL;
	r->dashboard = NULL;
}

/* An array member `name` of `j`, each element decoded into
 * items[i * size] by `one`; on failure frees what was decoded. */
typedef bool decode_one_fn(const cJSON *j, void *out, struct errbuf *err);
typedef void free_one_fn(void *item);

static bool decode_array(const cJSON *j, const char *name, size_t size, decode_one_fn *one,
			 free_one_fn *release, void **items, size_t *n, struct errbuf *err)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(j, name);

	if (!cJSON_IsArray(arr))
		return errbuf_set(err, "%s: must be an array", name);
	size_t count = (size_t)cJSON_GetArraySize(arr);
	char *out = calloc(count ? count : 1, size);
	if (!out)
		return errbuf_set(err, "out of memory");
	size_t i = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, arr) {
		if (!one(it, out + i * size, err)) {
			char where[64];
			snprintf(where, sizeof where, "%s[%zu]", name, i);
			errbuf_prefix(err, where);
			while (i > 0)
				release(out + --i * size);
			free(out);
			return false;
		}
		i++;
	}
	*items = out;
	*n = count;
	return true;
}

static bool one_chat(const cJSON *j, void *out, struct errbuf *err)
{
	return chat_from_json(j, out, err);
}

static void free_chat(void *p)
{
	chat_free(p);
}

static bool one_message(const cJSON *j, void *out, struct errbuf *err)
{
	return message_from_json(j, out, err);
}

static void free_message(void *p)
{
	message_free(p);
}

static bool one_agent(const cJSON *j, void *out, struct errbuf *err)
{
	struct agent *a = out;
	if (!agent_from_json(j, a, err))
		return false;
	if (a->active_chats < 0) {
		agent_free(a);
		return errbuf_set(err, "active_chats: is missing");
	}
	return true;
}

static void free_agent(void *p)
{
	agent_free(p);
}

static bool one_canned(const cJSON *j, void *out, struct errbuf *err)
{
	return canned_from_json(j, out, err);
}

static void free_canned(void *p)
{
	canned_free(p);
}

static bool one_result(const cJSON *j, void *out, struct errbuf *err)
{
	return search_result_from_json(j, out, err);
}

static void free_result(void *p)
{
	search_result_free(p);
}

/* A day's "date" and "conversations", the members hub and platform days share. */
static bool day_head(const cJSON *j, struct api_stats_day *d, struct errbuf *err)
{
	char *date = NULL;
	int64_t days;

	if (!cJSON_IsObject(j))
		return errbuf_set(err, "must be an object");
	if (!jf_string(j, "date", JF_REQUIRED, 10, &date, err))
		return false;
	bool ok = date_parse(date, &days, err);
	if (!ok)
		errbuf_prefix(err, "date");
	else
		snprintf(d->date, sizeof d->date, "%s", date);
	free(date);
	return ok && jf_int(j, "conversations", JF_REQUIRED, 0, INT64_MAX, &d->conversations, err);
}

static bool one_day(const cJSON *j, void *out, struct errbuf *err)
{
	struct api_stats_day *d = out;
	const cJSON *avg = cJSON_GetObjectItemCaseSensitive(j, "avg_rating");

	if (!day_head(j, d, err) ||
	    !jf_int(j, "escalations", JF_REQUIRED, 0, INT64_MAX, &d->escalations, err) ||
	    !jf_int(j, "taken_over", JF_REQUIRED, 0, INT64_MAX, &d->taken_over, err) ||
	    !jf_int(j, "ratings", JF_OPTIONAL, 0, INT64_MAX, &d->ratings, err))
		return false;
	if (d->ratings && (!cJSON_IsNumber(avg) || avg->valuedouble < 1 || avg->valuedouble > 5))
		return errbuf_set(err, "avg_rating: must be a number from 1 to 5");
	d->avg_rating = d->ratings ? avg->valuedouble : 0;
	return true;
}

static bool one_platform_day(const cJSON *j, void *out, struct errbuf *err)
{
	return day_head(j, out, err);
}

static void free_day(void *p)
{
	(void)p;
}

static bool one_platform(const cJSON *j, void *out, struct errbuf *err)
{
	struct api_stats_platform *p = out;
	char *name = NULL;
	void *items = NULL;

	if (!cJSON_IsObject(j))
		return errbuf_set(err, "must be an object");
	if (!jf_string(j, "platform", JF_REQUIRED, SOURCE_PLATFORM_MAX_CHARS, &name, err) ||
	    !jf_uuid(j, "account", JF_REQUIRED, p->account, err)) {
		free(name);
		return false;
	}
	/* The hub checks labels on ingest; checked again so they print as is. */
	bool ok = name[0] && strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789._-") == strlen(name);
	if (ok)
		snprintf(p->platform, sizeof p->platform, "%s", name);
	free(name);
	if (!ok)
		return errbuf_set(err, "platform: must be a-z 0-9 . _ -");
	if (!decode_array(j, "days", sizeof(struct api_stats_day), one_platform_day, free_day,
			  &items, &p->n, err))
		return false;
	p->days = items;
	return true;
}

static void free_platform(void *p)
{
	free(((struct api_stats_platform *)p)->days);
}

static bool decode_chat_page(const cJSON *j, struct api_result *r, struct errbuf *err)
{
	struct api_chat_page *p = calloc(1, sizeof *p);
	const cJSON *meta;
	void *items = NULL;

	if (!p)
		return errbuf_set(err, "out of memory");
	if (!jf_object(j, "meta", JF_REQUIRED, &meta, err) ||
	    !jf_string(meta, "next_cursor", JF_NULLABLE, 1024, &p->next_cursor, err) ||
	    !jf_int(meta, "total", JF_REQUIRED, 0, INT64_MAX, &p->total, err)) {
		errbuf_prefix(err, "meta");
		api_chat_page_free(p);
		return false;
	}
	if (!decode_array(j, "chats", sizeof(struct chat), one_chat, free_chat, &items, &p->n,
			  err)) {
		api_chat_page_free(p);
		return false;
	}
	p->chats = items;
	r->chats = p;
	return true;
}

static bool decode_message_page(const cJSON *j, struct api_result *r, struct errbuf *err)
{
	struct api_message_page *p = calloc(1, sizeof *p);
	const cJSON *meta;
	void *items = NULL;

	if (!p)
		return errbuf_set(err, "out of memory");
	if (!jf_object(j, "meta", JF_REQUIRED, &meta, err) ||
	    !jf_bool(meta, "has_more_before", JF_REQUIRED, &p->has_more_before, err)) {
		errbuf_prefix(err, "meta");
		free(p);
		return false;
	}
	if (!decode_array(j, "messages", sizeof(struct message), one_message, free_message,
			  &items, &p->n, err)) {
		free(p);
		return false;
	}
	p->messages = items;
	r->messages = p;
	return true;
}

static bool decode_health(const cJSON *j, struct api_result *r, struct errbuf *err)
{
	struct api_health *h = calloc(1, sizeof *h);

	if (!h)
		return errbuf_set(err, "out of memory");
	if (!jf_string(j, "status", JF_REQUIRED, 64, &h->status, err) ||
	    !jf_string(j, "version", JF_REQUIRED, 64, &h->version, err)) {
		api_health_free(h);
		return false;
	}
	r->health = h;
	return true;
}

/* One object of codec.h into a new heap struct stored in *slot. */
#define DECODE_ONE(type, fn, slot)                           \
	do {                                                 \
		struct type *o = calloc(1, sizeof *o);       \
		if (!o)                                      \
			return errbuf_set(err, "out of memory"); \
		if (!fn(j, o, err)) {                        \
			free(o);                             \
			return false;                        \
		}                                            \
		slot = o;                                    \
	} while (0)

/* {"chat": ..., "message": ...}: both or neither. */
static bool decode_ingest(long status, const cJSON *j, struct api_result *r, struct errbuf *err)
{
	struct chat *c = calloc(1, sizeof *c);
	struct message *m = calloc(1, sizeof *m);
	struct errbuf why;

	if (!c || !m) {
		free(c);
		free(m);
		return errbuf_set(err, "out of memory");
	}
	if (!chat_from_json(cJSON_GetObjectItemCaseSensitive(j, "chat"), c, &why)) {
		free(c);
		free(m);
		return errbuf_set(err, "chat: %s", why.msg);
	}
	if (!message_from_json(cJSON_GetObjectItemCaseSensitive(j, "message"), m, &why)) {
		chat_free(c);
		free(c);
		free(m);
		return errbuf_set(err, "message: %s", why.msg);
	}
	r->chat = c;
	r->message = m;
	r->created = status == 201;
	return true;
}

/* One of POST /v1/ingest/batch's results: its status, then the ids of
 * the chat and message, or the error. */
static bool one_outcome(const cJSON *j, void *out, struct errbuf *err)
{
	struct api_ingest_outcome *o = out;
	int64_t status;

	if (!jf_int(j, "status", JF_REQUIRED, 200, 599, &status, err))
		return false;
	o->status = (long)status;
	if (status >= 300)
		return api_error_from_json(j, &o->error) ||
		       errbuf_set(err, "error: not an error object");
	const cJSON *chat = cJSON_GetObjectItemCaseSensitive(j, "chat");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(j, "message");
	if (!jf_uuid(chat, "id", JF_REQUIRED, o->chat_id, err)) {
		errbuf_prefix(err, "chat");
		return false;
	}
	if (!jf_uuid(msg, "id", JF_REQUIRED, o->message_id, err)) {
		errbuf_prefix(err, "message");
		return false;
	}
	return true;
}

static void outcome_free(void *item)
{
	(void)item; /* nothing it points to */
}

static bool decode_batch(const cJSON *j, struct api_result *r, struct errbuf *err)
{
	struct api_ingest_batch *b = calloc(1, sizeof *b);
	void *items = NULL;

	if (!b)
		return errbuf_set(err, "out of memory");
	if (!decode_array(j, "results", sizeof(struct api_ingest_outcome), one_outcome,
			  outcome_free, &items, &b->n, err)) {
		free(b);
		return false;
	}
	b->items = items;
	r->batch = b;
	return true;
}

/* {"owner": {... "phone"}, "chats": [...]}. */
static bool decode_owner(const cJSON *j, struct api_result *r, struct errbuf *err)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(j, "owner");
	struct api_owner *d = calloc(1, sizeof *d);
	void *items = NULL;

	if (!d)
		return errbuf_set(err, "out of memory");
	if (!owner_from_json(o, &d->owner, err)) {
		errbuf_prefix(err, "owner");
		free(d);
		return false;
	}
	if (!jf_string(o, "phone", JF_NULLABLE, PHONE_MAX_CHARS, &d->phone, err)) {
		errbuf_prefix(err, "owner");
		api_owner_free(d);
		return false;
	}
	if (!decode_array(j, "chats", sizeof(struct chat), one_chat, free_chat, &items, &d->n,
			  err)) {
		api_owner_free(d);
		return false;
	}
	d->chats = items;
	r->owner = d;
	return true;
}

static bool decode(enum api_payload what, long status, const cJSON *j, struct api_result *r,
		   struct errbuf *err)
{
	void *items = NULL;

	switch (what) {
	case API_P_HEALTH:
		return decode_health(j, r, err);
	case API_P_AGENT:
		DECODE_ONE(agent, agent_from_json, r->agent);
		return true;
	case API_P_CHAT:
		DECODE_ONE(chat, chat_from_json, r->chat);
		return true;
	case API_P_MESSAGE:
		DECODE_ONE(message, message_from_json, r->message);
		r->created = status == 201;
		return true;
	case API_P_INGEST:
		return decode_ingest(status, j, r, err);
	case API_P_INGEST_BATCH:
		return decode_batch(j, r, err);
	case API_P_STORED:
		return jf_int(j, "stored", JF_REQUIRED, 0, INT64_MAX, &r->stored, err);
	case API_P_CHATS:
		return decode_chat_page(j, r, err);
	case API_P_MESSAGES:
		return decode_message_page(j, r, err);
	case API_P_AGENTS: {
		struct api_agent_list *l = calloc(1, sizeof *l);
		if (!l)
			return errbuf_set(err, "out of memory");
		if (!decode_array(j, "agents", sizeof(struct agent), one_agent, free_agent, &items,
				  &l->n, err)) {
			free(l);
			return false;
		}
		l->agents = items;
		r->agents = l;
		return true;
	}
	case API_P_CANNED:
		DECODE_ONE(canned, canned_from_json, r->canned_one);
		return true;
	case API_P_CANNED_LIST: {
		struct api_canned_list *l = calloc(1, sizeof *l);
		if (!l)
			return errbuf_set(err, "out of memory");
		if (!decode_array(j, "replies", sizeof(struct canned), one_canned, free_canned,
				  &items, &l->n, err)) {
			free(l);
			return false;
		}
		l->replies = items;
		r->canned = l;
		return true;
	}
	case API_P_OWNER:
		return decode_owner(j, r, err);
	case API_P_NONE:
		return true;
	case API_P_DASHBOARD:
		return (r->dashboard = dashboard_from_json(j, err)) != NULL;
	case API_P_SEARCH: {
		struct api_search_list *l = calloc(1, sizeof *l);
		if (!l)
			return errbuf_set(err, "out of memory");
		if (!decode_array(j, "results", sizeof(struct search_result), one_result,
				  free_result, &items, &l->n, err)) {
			free(l);
			return false;
		}
		l->results = items;
		r->search = l;
		return true;
	}
	case API_P_STATS: {
		struct api_stats *s = calloc(1, sizeof *s);
		if (!s)
			return errbuf_set(err, "out of memory");
		if (!decode_array(j, "days", sizeof(struct api_stats_day), one_day, free_day, &items,
				  &s->n, err)) {
			free(s);
			return false;
		}
		s->days = items;
		r->stats = s;
		/* v1.1: absent from an older hub. */
		if (!cJSON_HasObjectItem(j, "platforms"))
			return true;
		items = NULL;
		if (!decode_array(j, "platforms", sizeof(struct api_stats_platform), one_platform,
				  free_platform, &items, &s->nplatforms, err)) {
			api_stats_free(s);
			r->stats = NULL;
			return false;
		}
		s->platforms = items;
		return true;
	}
	}
	return errbuf_set(err, "unknown answer");
}

bool api_decode(enum api_payload what, long status, const char *body, size_t len,
		struct api_result *r, struct errbuf *err)
{
	cJSON *j = json_parse_text(body, len, err);

	if (!j)
		return false;
	bool ok = cJSON_IsObject(j) ? decode(what, status, j, r, err)
				    : errbuf_set(err, "the answer is not a JSON object");
	cJSON_Delete(j);
	return ok;
}
