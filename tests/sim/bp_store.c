/*
 * bp_store.c — the simulated bot's records and their JSON (see bp_store.h).
 *
 * An id is "<kind>_" + the record's index in its vector (8 hex digits) + a
 * per-run salt (8 hex digits): lookups are O(1), which keeps a 10,000
 * conversation backfill cheap, and ids still look opaque to a client.
 */
#include "bp_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "jsonfield.h"
#include "timeutil.h"

static bool vec_push(struct bp_vec *v, void *p)
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

/* Fill the common part of a record that will sit at v->n. */
static bool rec_init(struct bp_store *s, struct bp_rec *r, const char *kind,
		     const struct bp_vec *v, const cJSON *tags)
{
	snprintf(r->id, sizeof r->id, "%s_%08zx%08x", kind, v->n, (unsigned)s->salt);
	r->seq = ++s->seq;
	r->created_ms = r->updated_ms = ts_now();
	r->tags = tags ? cJSON_Duplicate(tags, 1) : cJSON_CreateObject();
	return r->tags != NULL;
}

static void *rec_find(const struct bp_vec *v, const char *kind, const char *id)
{
	size_t klen = strlen(kind), idx;
	char *end;

	if (!id || strncmp(id, kind, klen) != 0 || id[klen] != '_' ||
	    strlen(id) != klen + 17)
		return NULL;
	char hex[9];
	memcpy(hex, id + klen + 1, 8);
	hex[8] = '\0';
	idx = strtoul(hex, &end, 16);
	if (*end || idx >= v->n)
		return NULL;
	struct bp_rec *r = v->v[idx];
	return strcmp(r->id, id) == 0 ? r : NULL;
}

bool bp_store_init(struct bp_store *s, const char *bot_id)
{
	memset(s, 0, sizeof *s);
	snprintf(s->bot_id, sizeof s->bot_id, "%s", bot_id);
	if (getrandom(&s->salt, sizeof s->salt, 0) != sizeof s->salt)
		s->salt = (uint32_t)ts_now();
	s->page_size = BP_PAGE_SIZE;
	return true;
}

static void vec_free(struct bp_vec *v, void (*item_free)(void *))
{
	for (size_t i = 0; i < v->n; i++) {
		struct bp_rec *r = v->v[i];
		cJSON_Delete(r->tags);
		item_free(r);
		free(r);
	}
	free(v->v);
}

static void user_free(void *p)
{
	struct bp_user *u = p;
	free(u->name);
	free(u->picture_url);
}

static void conv_free(void *p)
{
	struct bp_conv *c = p;
	free(c->channel);
	free(c->integration);
	free(c->msgs.v);
}

static void msg_free(void *p)
{
	struct bp_msg *m = p;
	free(m->type);
	cJSON_Delete(m->payload);
}

static void evt_free(void *p)
{
	struct bp_event *e = p;
	free(e->type);
	cJSON_Delete(e->payload);
}

static void state_free(void *p)
{
	struct bp_state *st = p;
	free(st->type);
	free(st->owner_id);
	free(st->name);
	cJSON_Delete(st->payload);
}

void bp_store_free(struct bp_store *s)
{
	vec_free(&s->users, user_free);
	vec_free(&s->convs, conv_free);
	vec_free(&s->msgs, msg_free);
	vec_free(&s->events, evt_free);
	vec_free(&s->states, state_free);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

struct bp_user *bp_user_new(struct bp_store *s, const char *name, const char *picture_url,
			    const cJSON *tags)
{
	struct bp_user *u = calloc(1, sizeof *u);

	if (!u || !rec_init(s, &u->r, "user", &s->users, tags)) {
		free(u);
		return NULL;
	}
	u->name = dup_or_null(name);
	u->picture_url = dup_or_null(picture_url);
	if (!vec_push(&s->users, u)) {
		cJSON_Delete(u->r.tags);
		user_free(u);
		free(u);
		return NULL;
	}
	return u;
}

struct bp_conv *bp_conv_new(struct bp_store *s, const char *channel, const char *integration,
			    const cJSON *tags)
{
	struct bp_conv *c = calloc(1, sizeof *c);

	if (!c || !rec_init(s, &c->r, "conv", &s->convs, tags)) {
		free(c);
		return NULL;
	}
	c->channel = strdup(channel);
	c->integration = strdup(integration);
	if (!c->channel || !c->integration || !vec_push(&s->convs, c)) {
		cJSON_Delete(c->r.tags);
		conv_free(c);
		free(c);
		return NULL;
	}
	cJSON *p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "conversationId", c->r.id);
	json_add_child(p, "conversation", bp_conv_json(c));
	bp_event_emit(s, "conversation_created", p);
	return c;
}

struct bp_msg *bp_msg_new(struct bp_store *s, struct bp_conv *c, const char *user_id,
			  const char *type, const cJSON *payload, const cJSON *tags,
			  enum bp_origin origin)
{
	struct bp_msg *m = calloc(1, sizeof *m);

	if (!m || !rec_init(s, &m->r, "msg", &s->msgs, tags)) {
		free(m);
		return NULL;
	}
	m->type = strdup(type);
	m->payload = cJSON_Duplicate(payload, 1);
	m->direction = origin == BP_ORIGIN_CUSTOMER ? "incoming" : "outgoing";
	snprintf(m->user_id, sizeof m->user_id, "%s", user_id);
	m->conv = c;
	m->origin = origin;
	if (!m->type || !m->payload || !vec_push(&s->msgs, m)) {
		cJSON_Delete(m->r.tags);
		msg_free(m);
		free(m);
		return NULL;
	}
	if (!vec_push(&c->msgs, m))
		return NULL; /* still owned by s->msgs */
	c->r.updated_ms = m->r.created_ms;

	cJSON *p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "conversationId", c->r.id);
	cJSON_AddStringToObject(p, "userId", m->user_id);
	cJSON_AddStringToObject(p, "messageId", m->r.id);
	json_add_child(p, "message", bp_msg_json(m));
	bp_event_emit(s, "message_created", p);
	return m;
}

struct bp_msg *bp_msg_text(struct bp_store *s, struct bp_conv *c, const char *user_id,
			   const char *text, enum bp_origin origin)
{
	cJSON *payload = cJSON_CreateObject();
	struct bp_msg *m = NULL;

	if (payload && cJSON_AddStringToObject(payload, "text", text))
		m = bp_msg_new(s, c, user_id, "text", payload, NULL, origin);
	cJSON_Delete(payload);
	return m;
}

struct bp_user *bp_user_find(struct bp_store *s, const char *id)
{
	return rec_find(&s->users, "user", id);
}

struct bp_conv *bp_conv_find(struct bp_store *s, const char *id)
{
	return rec_find(&s->convs, "conv", id);
}

struct bp_msg *bp_msg_find(struct bp_store *s, const char *id)
{
	return rec_find(&s->msgs, "msg", id);
}

struct bp_event *bp_event_find(struct bp_store *s, const char *id)
{
	return rec_find(&s->events, "evt", id);
}

struct bp_state *bp_state_get(struct bp_store *s, const char *type, const char *owner_id,
			      const char *name, bool create)
{
	for (size_t i = 0; i < s->states.n; i++) {
		struct bp_state *st = s->states.v[i];
		if (strcmp(st->type, type) == 0 && strcmp(st->owner_id, owner_id) == 0 &&
		    strcmp(st->name, name) == 0)
			return st;
	}
	if (!create)
		return NULL;
	struct bp_state *st = calloc(1, sizeof *st);
	if (!st || !rec_init(s, &st->r, "state", &s->states, NULL)) {
		free(st);
		return NULL;
	}
	st->type = strdup(type);
	st->owner_id = strdup(owner_id);
	st->name = strdup(name);
	st->payload = cJSON_CreateObject();
	if (!st->type || !st->owner_id || !st->name || !st->payload ||
	    !vec_push(&s->states, st)) {
		cJSON_Delete(st->r.tags);
		state_free(st);
		free(st);
		return NULL;
	}
	return st;
}

struct bp_event *bp_event_emit(struct bp_store *s, const char *type, cJSON *payload)
{
	struct bp_event *e = calloc(1, sizeof *e);

	if (!e || !payload || !rec_init(s, &e->r, "evt", &s->events, NULL)) {
		cJSON_Delete(payload);
		free(e);
		return NULL;
	}
	e->type = strdup(type);
	e->payload = payload;
	if (!e->type || !vec_push(&s->events, e)) {
		cJSON_Delete(e->r.tags);
		evt_free(e);
		free(e);
		return NULL;
	}
	if (s->on_event)
		s->on_event(s->hook_ctx, e);
	return e;
}

void bp_conv_touched(struct bp_store *s, struct bp_conv *c)
{
	cJSON *p = cJSON_CreateObject();

	c->r.updated_ms = ts_now();
	cJSON_AddStringToObject(p, "conversationId", c->r.id);
	json_add_child(p, "conversation", bp_conv_json(c));
	bp_event_emit(s, "conversation_updated", p);
}

bool bp_tags_valid(const cJSON *t)
{
	const cJSON *it;

	if (!cJSON_IsObject(t))
		return false;
	cJSON_ArrayForEach(it, t)
		if (!cJSON_IsString(it) || !it->string)
			return false;
	return true;
}

bool bp_tags_merge(cJSON *dst, const cJSON *src)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, src) {
		cJSON_DeleteItemFromObjectCaseSensitive(dst, it->string);
		if (it->valuestring[0] == '\0')
			continue;
		if (!cJSON_AddStringToObject(dst, it->string, it->valuestring))
			return false;
	}
	return true;
}

bool bp_tags_match(const cJSON *have, const cJSON *want)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, want) {
		const cJSON *h = cJSON_GetObjectItemCaseSensitive(have, it->string);
		if (!cJSON_IsString(h) || strcmp(h->valuestring, it->valuestring) != 0)
			return false;
	}
	return true;
}

const char *bp_conv_handoff(const struct bp_conv *c)
{
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(c->r.tags, BP_HANDOFF_TAG);
	return cJSON_IsString(h) ? h->valuestring : "";
}

/* id, createdAt, updatedAt (when `updated`), tags (when `tags`). */
static cJSON *rec_json(const struct bp_rec *r, bool updated, bool tags)
{
	cJSON *o = cJSON_CreateObject();
	char ts[TS_STRLEN];

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "id", r->id);
	cJSON_AddStringToObject(o, "createdAt", ts_format(r->created_ms, ts));
	if (updated)
		cJSON_AddStringToObject(o, "updatedAt", ts_format(r->updated_ms, ts));
	if (tags)
		cJSON_AddItemToObject(o, "tags", cJSON_Duplicate(r->tags, 1));
	return o;
}

cJSON *bp_user_json(const struct bp_user *u)
{
	cJSON *o = rec_json(&u->r, true, true);

	if (o && u->name)
		cJSON_AddStringToObject(o, "name", u->name);
	if (o && u->picture_url)
		cJSON_AddStringToObject(o, "pictureUrl", u->picture_url);
	return o;
}

cJSON *bp_conv_json(const struct bp_conv *c)
{
	cJSON *o = rec_json(&c->r, true, true);

	if (o) {
		cJSON_AddStringToObject(o, "channel", c->channel);
		cJSON_AddStringToObject(o, "integration", c->integration);
	}
	return o;
}

cJSON *bp_msg_json(const struct bp_msg *m)
{
	cJSON *o = rec_json(&m->r, false, true);

	if (o) {
		cJSON_AddStringToObject(o, "type", m->type);
		cJSON_AddItemToObject(o, "payload", cJSON_Duplicate(m->payload, 1));
		cJSON_AddStringToObject(o, "direction", m->direction);
		cJSON_AddStringToObject(o, "userId", m->user_id);
		cJSON_AddStringToObject(o, "conversationId", m->conv->r.id);
	}
	return o;
}

cJSON *bp_event_json(const struct bp_event *e)
{
	cJSON *o = rec_json(&e->r, false, false);

	if (o) {
		cJSON_AddStringToObject(o, "type", e->type);
		cJSON_AddItemToObject(o, "payload", cJSON_Duplicate(e->payload, 1));
	}
	return o;
}

cJSON *bp_state_json(const struct bp_store *s, const struct bp_state *st)
{
	cJSON *o = rec_json(&st->r, true, false);
	bool conv = strcmp(st->type, "conversation") == 0;
	bool user = strcmp(st->type, "user") == 0;

	if (o) {
		cJSON_AddStringToObject(o, "botId", s->bot_id);
		json_add_string_or_null(o, "conversationId", conv ? st->owner_id : NULL);
		json_add_string_or_null(o, "userId", user ? st->owner_id : NULL);
		cJSON_AddStringToObject(o, "name", st->name);
		cJSON_AddStringToObject(o, "type", st->type);
		cJSON_AddItemToObject(o, "payload", cJSON_Duplicate(st->payload, 1));
	}
	return o;
}

/* ---- nextToken ------------------------------------------------------------
 * 13 bytes, base64: a marker, the sequence number (big-endian) and a fixed
 * tail. The bytes are chosen so the token holds '+', '/' and '=': a client
 * that forgets to URL-encode it, as the doc asks, gets a wrong page. */

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const unsigned char TOKEN_TAIL[4] = {0xfb, 0xff, 0xbf, 0xfe};
#define TOKEN_MARK 0xfa
#define TOKEN_BYTES 13
#define TOKEN_CHARS 20

static void token_encode(uint64_t seq, char out[TOKEN_CHARS + 1])
{
	unsigned char b[15] = {TOKEN_MARK};
	size_t o = 0;

	for (int i = 0; i < 8; i++)
		b[1 + i] = (unsigned char)(seq >> (56 - 8 * i));
	memcpy(b + 9, TOKEN_TAIL, sizeof TOKEN_TAIL);
	for (size_t i = 0; i < TOKEN_BYTES; i += 3) {
		uint32_t v = (uint32_t)b[i] << 16 | (uint32_t)b[i + 1] << 8 | b[i + 2];
		out[o++] = B64[v >> 18 & 63];
		out[o++] = B64[v >> 12 & 63];
		out[o++] = i + 1 < TOKEN_BYTES ? B64[v >> 6 & 63] : '=';
		out[o++] = i + 2 < TOKEN_BYTES ? B64[v & 63] : '=';
	}
	out[o] = '\0';
}

static bool token_decode(const char *t, uint64_t *seq)
{
	unsigned char b[15];

	if (strlen(t) != TOKEN_CHARS || strcmp(t + TOKEN_CHARS - 2, "==") != 0)
		return false;
	for (size_t g = 0; g < TOKEN_CHARS / 4; g++) {
		uint32_t v = 0;
		for (size_t k = 0; k < 4; k++) {
			char ch = t[g * 4 + k];
			const char *p = ch == '=' ? B64 : strchr(B64, ch);
			if (!ch || !p)
				return false;
			v = v << 6 | (uint32_t)(p - B64);
		}
		b[g * 3] = (unsigned char)(v >> 16);
		b[g * 3 + 1] = (unsigned char)(v >> 8);
		b[g * 3 + 2] = (unsigned char)v;
	}
	if (b[0] != TOKEN_MARK || memcmp(b + 9, TOKEN_TAIL, sizeof TOKEN_TAIL) != 0)
		return false;
	*seq = 0;
	for (int i = 0; i < 8; i++)
		*seq = *seq << 8 | b[1 + i];
	return true;
}

/* Index of the first record with seq >= `seq` (v is sorted by seq). */
static size_t lower_bound(const struct bp_vec *v, uint64_t seq)
{
	size_t lo = 0, hi = v->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (((struct bp_rec *)v->v[mid])->seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

cJSON *bp_list_page(const struct bp_store *s, const struct bp_vec *v, const char *key,
		    const char *token, bp_match_fn match, const void *arg, bp_json_fn to_json,
		    bool *bad_token)
{
	uint64_t before = UINT64_MAX;
	size_t i, served = 0;
	cJSON *o = cJSON_CreateObject(), *arr, *meta;

	*bad_token = false;
	if (token && !token_decode(token, &before)) {
		*bad_token = true;
		cJSON_Delete(o);
		return NULL;
	}
	if (!o || !(arr = cJSON_AddArrayToObject(o, key)) ||
	    !(meta = cJSON_AddObjectToObject(o, "meta"))) {
		cJSON_Delete(o);
		return NULL;
	}
	i = lower_bound(v, before);
	while (i > 0) {
		const struct bp_rec *r = v->v[i - 1];
		if (match && !match(r, arg)) {
			i--;
			continue;
		}
		if (served == s->page_size) {
			/* More remain: the token points just past the last one served. */
			char t[TOKEN_CHARS + 1];
			token_encode(((struct bp_rec *)v->v[i])->seq, t);
			cJSON_AddStringToObject(meta, "nextToken", t);
			break;
		}
		cJSON_AddItemToArray(arr, to_json(r));
		served++;
		i--;
	}
	return o;
}
