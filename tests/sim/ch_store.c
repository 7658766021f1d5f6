/*
 * ch_store.c — the simulated workspace's records and their JSON (see
 * ch_store.h).
 */
#include "ch_store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "jsonfield.h"
#include "timeutil.h"

const char *const CH_CHANNEL_TYPES[CH_NCHANNELS] = {
	[CH_WIDGET] = "widget", [CH_WAHA] = "waha", [CH_WHATSAPP] = "whatsapp",
	[CH_INSTAGRAM] = "instagram", [CH_API] = "api",
};

const char *const CH_TICKET_STATUSES[] = {"open", "pending", "closed", NULL};

/* The kinds, in the id's second group. */
enum { KIND_WORKSPACE = 0x0a01, KIND_IDENT, KIND_ENTITY, KIND_VERSION, KIND_CHANNEL,
       KIND_OWNER, KIND_OWNER_SUPER, KIND_CHAT, KIND_MSG, KIND_TICKET };

static void make_id(const struct ch_store *s, unsigned kind, size_t index, char out[CH_ID_LEN])
{
	char id[64]; /* room the compiler can prove; every part fits its width */

	snprintf(id, sizeof id, "%08x-%04x-4%03x-%x%03x-%012" PRIx64, (unsigned)index, kind,
		 (unsigned)(s->salt >> 52), 8 + (unsigned)(s->salt >> 50 & 3),
		 (unsigned)(s->salt >> 38 & 0xfff), (uint64_t)(s->salt & 0xffffffffffffULL));
	memcpy(out, id, CH_ID_LEN - 1);
	out[CH_ID_LEN - 1] = '\0';
}

/* The index an id of `kind` names in a vector of n, or -1. */
static long id_index(const struct ch_store *s, unsigned kind, const char *id, size_t n)
{
	char want[CH_ID_LEN];
	size_t idx;

	if (!id || strlen(id) != CH_ID_LEN - 1 || sscanf(id, "%8zx", &idx) != 1 || idx >= n)
		return -1;
	make_id(s, kind, idx, want);
	return strcmp(want, id) == 0 ? (long)idx : -1;
}

const char *ch_ticket_status(const char *st)
{
	for (size_t i = 0; st && CH_TICKET_STATUSES[i]; i++)
		if (strcmp(CH_TICKET_STATUSES[i], st) == 0)
			return CH_TICKET_STATUSES[i];
	return NULL;
}

bool ch_store_init(struct ch_store *s)
{
	static const struct { const char *entity, *name, *picture; int version; bool ai; } ID[] = {
		[CH_BOT] = {"agents", "Sim Bot", "https://sim.invalid/bot.png", 3, true},
		[CH_SQUAD] = {"squads", "Sim Squad", NULL, 1, true},
		[CH_HUMAN] = {"agents", "Human Agent", NULL, 1, false},
	};

	memset(s, 0, sizeof *s);
	if (getrandom(&s->salt, sizeof s->salt, 0) != sizeof s->salt)
		s->salt = (uint64_t)ts_now() * 0x9e3779b97f4a7c15ULL;
	make_id(s, KIND_WORKSPACE, 0, s->workspace_id);
	for (size_t i = 0; i < CH_NIDENTS; i++) {
		struct ch_identity *d = &s->idents[i];
		make_id(s, KIND_IDENT, i, d->super_id);
		make_id(s, KIND_ENTITY, i, d->id);
		make_id(s, KIND_VERSION, i, d->version_id);
		d->entity = ID[i].entity;
		d->name = ID[i].name;
		d->picture = ID[i].picture;
		d->version_number = ID[i].version;
		d->ai = ID[i].ai;
	}
	for (size_t i = 0; i < CH_NCHANNELS; i++) {
		make_id(s, KIND_CHANNEL, i, s->channels[i].id);
		s->channels[i].type = (enum ch_channel_type)i;
		snprintf(s->channels[i].name, sizeof s->channels[i].name, "Sim %s",
			 CH_CHANNEL_TYPES[i]);
	}
	return true;
}

void ch_store_free(struct ch_store *s)
{
	for (size_t i = 0; i < s->owners.n; i++) {
		struct ch_owner *o = s->owners.v[i];
		free(o->name);
		free(o->identifier);
		free(o);
	}
	for (size_t i = 0; i < s->chats.n; i++) {
		struct ch_chat *c = s->chats.v[i];
		free(c->title);
		free(c->msgs.v);
		free(c);
	}
	for (size_t i = 0; i < s->msgs.n; i++) {
		struct ch_msg *m = s->msgs.v[i];
		free(m->content);
		free(m->idempotency_key);
		free(m);
	}
	free(s->owners.v);
	free(s->chats.v);
	free(s->msgs.v);
}

bool ch_set_str(char **field, const char *value)
{
	char *v = value ? strdup(value) : NULL;

	if (value && !v)
		return false;
	free(*field);
	*field = v;
	return true;
}

struct ch_owner *ch_owner_new(struct ch_store *s, const char *name)
{
	struct ch_owner *o = calloc(1, sizeof *o);
	char ident[32];

	if (!o)
		return NULL;
	make_id(s, KIND_OWNER, s->owners.n, o->id);
	make_id(s, KIND_OWNER_SUPER, s->owners.n, o->super_id);
	/* What a widget visitor's identifier looks like: a phone-like number. */
	snprintf(ident, sizeof ident, "+5500%08zu", s->owners.n + 1);
	o->name = strdup(name);
	o->identifier = strdup(ident);
	if (!o->name || !o->identifier || !sim_vec_push(&s->owners, o)) {
		free(o->name);
		free(o->identifier);
		free(o);
		return NULL;
	}
	return o;
}

struct ch_chat *ch_chat_new(struct ch_store *s, struct ch_channel *ch, struct ch_owner *o,
			    struct ch_identity *responder, const char *title)
{
	struct ch_chat *c = calloc(1, sizeof *c);

	if (!c)
		return NULL;
	make_id(s, KIND_CHAT, s->chats.n, c->id);
	c->created_ms = c->updated_ms = ts_now();
	c->channel = ch;
	c->owner = o;
	c->responder = responder;
	if ((title && !(c->title = strdup(title))) || !sim_vec_push(&s->chats, c)) {
		free(c->title);
		free(c);
		return NULL;
	}
	return c;
}

struct ch_msg *ch_msg_new(struct ch_store *s, struct ch_chat *c, const char *role,
			  const char *content, enum ch_origin origin, const char *idempotency_key)
{
	struct ch_msg *m = calloc(1, sizeof *m);

	if (!m)
		return NULL;
	make_id(s, KIND_MSG, s->msgs.n, m->id);
	m->chat = c;
	m->role = role;
	m->origin = origin;
	m->created_ms = ts_now();
	m->content = strdup(content);
	m->idempotency_key = idempotency_key ? strdup(idempotency_key) : NULL;
	if (!m->content || (idempotency_key && !m->idempotency_key) || !sim_vec_push(&s->msgs, m)) {
		free(m->content);
		free(m->idempotency_key);
		free(m);
		return NULL;
	}
	if (!sim_vec_push(&c->msgs, m))
		return NULL; /* still owned by s->msgs */
	c->updated_ms = m->created_ms;
	return m;
}

struct ch_chat *ch_chat_find(struct ch_store *s, const char *id)
{
	long i = id_index(s, KIND_CHAT, id, s->chats.n);
	return i < 0 ? NULL : s->chats.v[i];
}

struct ch_channel *ch_channel_find(struct ch_store *s, const char *id)
{
	long i = id_index(s, KIND_CHANNEL, id, CH_NCHANNELS);
	return i < 0 ? NULL : &s->channels[i];
}

struct ch_channel *ch_channel_of_type(struct ch_store *s, const char *type)
{
	for (size_t i = 0; i < CH_NCHANNELS; i++)
		if (strcmp(CH_CHANNEL_TYPES[i], type) == 0)
			return &s->channels[i];
	return NULL;
}

struct ch_owner *ch_owner_by_super_id(struct ch_store *s, const char *super_id)
{
	long i = id_index(s, KIND_OWNER_SUPER, super_id, s->owners.n);
	return i < 0 ? NULL : s->owners.v[i];
}

struct ch_identity *ch_identity_find(struct ch_store *s, const char *super_id)
{
	long i = id_index(s, KIND_IDENT, super_id, CH_NIDENTS);
	return i < 0 ? NULL : &s->idents[i];
}

struct ch_msg *ch_msg_by_key(struct ch_chat *c, const char *key)
{
	for (size_t i = 0; key && i < c->msgs.n; i++) {
		struct ch_msg *m = c->msgs.v[i];
		if (m->idempotency_key && strcmp(m->idempotency_key, key) == 0)
			return m;
	}
	return NULL;
}

void ch_ticket_open(struct ch_store *s, struct ch_chat *c)
{
	make_id(s, KIND_TICKET, s->tickets++, c->ticket_id);
	c->ticket_status = CH_TICKET_STATUSES[0];
	c->updated_ms = ts_now();
}

static void add_ts(cJSON *o, const char *name, int64_t ms)
{
	char ts[TS_STRLEN];

	if (ms == TS_NONE)
		cJSON_AddNullToObject(o, name);
	else
		cJSON_AddStringToObject(o, name, ts_format(ms, ts));
}

cJSON *ch_chat_json(const struct ch_store *s, const struct ch_chat *c)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "id", c->id);
	add_ts(o, "createdAt", c->created_ms);
	add_ts(o, "updatedAt", c->updated_ms);
	cJSON_AddBoolToObject(o, "isRemoved", c->removed);
	cJSON_AddStringToObject(o, "channelId", c->channel->id);
	cJSON_AddStringToObject(o, "ownerSuperIdentityId", c->owner->super_id);
	json_add_string_or_null(o, "responderSuperIdentityId",
				c->responder ? c->responder->super_id : NULL);
	json_add_string_or_null(o, "title", c->title);
	cJSON_AddStringToObject(o, "workspaceId", s->workspace_id);
	return o;
}

/* The message `back` places before the latest (0: the latest), or NULL. */
static const struct ch_msg *nth_last(const struct ch_chat *c, size_t back)
{
	return c->msgs.n > back ? c->msgs.v[c->msgs.n - 1 - back] : NULL;
}

static void add_preview(cJSON *o, const char *prefix, const struct ch_msg *m)
{
	char name[64];

	snprintf(name, sizeof name, "%sMessageContent", prefix);
	json_add_string_or_null(o, name, m ? m->content : NULL);
	snprintf(name, sizeof name, "%sMessageCreatedAt", prefix);
	add_ts(o, name, m ? m->created_ms : TS_NONE);
	snprintf(name, sizeof name, "%sMessageRole", prefix);
	json_add_string_or_null(o, name, m ? m->role : NULL);
}

cJSON *ch_chat_details_json(const struct ch_store *s, const struct ch_chat *c)
{
	cJSON *o = cJSON_CreateObject();
	const struct ch_identity *r = c->responder;

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "channelId", c->channel->id);
	cJSON_AddStringToObject(o, "channelName", c->channel->name);
	cJSON_AddStringToObject(o, "channelType", CH_CHANNEL_TYPES[c->channel->type]);
	add_ts(o, "createdAt", c->created_ms);
	cJSON_AddStringToObject(o, "id", c->id);
	cJSON_AddBoolToObject(o, "isOwnerBlocked", c->owner->blocked);
	cJSON_AddBoolToObject(o, "isRemoved", c->removed);
	add_preview(o, "last", nth_last(c, 0));
	/* Owners are external users here: no platform email. */
	cJSON_AddNullToObject(o, "ownerEmail");
	cJSON_AddStringToObject(o, "ownerId", c->owner->id);
	cJSON_AddStringToObject(o, "ownerIdentifier", c->owner->identifier);
	cJSON_AddStringToObject(o, "ownerName", c->owner->name);
	add_preview(o, "penultimate", nth_last(c, 1));
	json_add_string_or_null(o, "responderEntity", r ? r->entity : NULL);
	json_add_string_or_null(o, "responderId", r ? r->id : NULL);
	json_add_string_or_null(o, "responderName", r ? r->name : NULL);
	json_add_string_or_null(o, "responderPicture", r ? r->picture : NULL);
	json_add_string_or_null(o, "responderVersionId", r ? r->version_id : NULL);
	if (r)
		cJSON_AddNumberToObject(o, "responderVersionNumber", r->version_number);
	else
		cJSON_AddNullToObject(o, "responderVersionNumber");
	json_add_string_or_null(o, "ticketId", c->ticket_id[0] ? c->ticket_id : NULL);
	json_add_string_or_null(o, "ticketStatus", c->ticket_status);
	json_add_string_or_null(o, "title", c->title);
	cJSON_AddStringToObject(o, "workspaceId", s->workspace_id);
	return o;
}

cJSON *ch_msg_json(const struct ch_msg *m)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "id", m->id);
	cJSON_AddStringToObject(o, "chatId", m->chat->id);
	cJSON_AddStringToObject(o, "role", m->role);
	cJSON_AddStringToObject(o, "content", m->content);
	add_ts(o, "createdAt", m->created_ms);
	return o;
}

cJSON *ch_identity_json(const struct ch_identity *d)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "superIdentityId", d->super_id);
	cJSON_AddStringToObject(o, "entity", d->entity);
	cJSON_AddStringToObject(o, "id", d->id);
	cJSON_AddStringToObject(o, "name", d->name);
	cJSON_AddStringToObject(o, "versionId", d->version_id);
	cJSON_AddNumberToObject(o, "versionNumber", d->version_number);
	cJSON_AddBoolToObject(o, "ai", d->ai);
	return o;
}
