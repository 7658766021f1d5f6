/*
 * codec.c — JSON encoding and validating decoding of chats, messages,
 * agents and events (see codec.h).
 */
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "jsonfield.h"

/* Every decoder below builds into a zeroed local and copies it out only when
 * the whole object is good, so a caller never sees half an object. */

/* Decode the required member `name` of `j` into `dst` with `fn`, naming the
 * member in the error as it climbs out. */
static bool decode_child(const cJSON *j, const char *name,
			 bool (*fn)(const cJSON *, void *, struct errbuf *), void *dst,
			 struct errbuf *err)
{
	const cJSON *child;

	if (!jf_object(j, name, JF_REQUIRED, &child, err))
		return false;
	if (!fn(child, dst, err)) {
		errbuf_prefix(err, name);
		return false;
	}
	return true;
}

static bool channel_from_json(const cJSON *j, void *dst, struct errbuf *err)
{
	struct channel *c = dst;
	int type;

	if (!jf_uuid(j, "id", JF_REQUIRED, c->id, err) ||
	    !jf_string(j, "name", JF_REQUIRED, NAME_MAX_CHARS, &c->name, err) ||
	    !jf_enum(j, "type", JF_REQUIRED, &channel_type_table, &type, err))
		return false;
	c->type = type;
	return true;
}

static bool owner_fields(const cJSON *j, void *dst, struct errbuf *err)
{
	struct owner *o = dst;

	return jf_uuid(j, "id", JF_REQUIRED, o->id, err) &&
	       jf_string(j, "external_id", JF_NULLABLE, EXTERNAL_ID_MAX_CHARS, &o->external_id, err) &&
	       jf_string(j, "name", JF_REQUIRED, NAME_MAX_CHARS, &o->name, err) &&
	       jf_string(j, "email", JF_NULLABLE, EMAIL_MAX_CHARS, &o->email, err);
}

bool owner_from_json(const cJSON *j, struct owner *out, struct errbuf *err)
{
	struct owner o;

	memset(&o, 0, sizeof o);
	if (!cJSON_IsObject(j))
		return errbuf_set(err, "must be an object");
	if (!owner_fields(j, &o, err)) {
		owner_free(&o);
		return false;
	}
	*out = o;
	return true;
}

static bool preview_from_json(const cJSON *parent, const char *name, struct preview *p,
			      struct errbuf *err)
{
	const cJSON *j;
	int role;

	if (!jf_object(parent, name, JF_NULLABLE, &j, err))
		return false;
	if (!j)
		return true; /* null: p->present stays false */
	if (!jf_string(j, "preview", JF_REQUIRED, PREVIEW_MAX_CHARS, &p->text, err) ||
	    !jf_timestamp(j, "at", JF_REQUIRED, &p->at, err) ||
	    !jf_enum(j, "role", JF_REQUIRED, &msg_role_table, &role, err)) {
		errbuf_prefix(err, name);
		return false;
	}
	p->role = role;
	p->present = true;
	return true;
}

static bool responder_from_json(const cJSON *j, void *dst, struct errbuf *err)
{
	struct responder *r = dst;
	int type;

	if (!jf_enum(j, "type", JF_REQUIRED, &responder_type_table, &type, err) ||
	    !jf_uuid(j, "id", JF_NULLABLE, r->id, err) ||
	    !jf_string(j, "name", JF_NULLABLE, NAME_MAX_CHARS, &r->name, err))
		return false;
	r->type = type;
	/* An agent responder without its id would be unusable for "is it me?". */
	if (r->type == RESPONDER_AGENT && !r->id[0])
		return errbuf_set(err, "id: an agent responder needs an id");
	return true;
}

static bool ticket_from_json(const cJSON *parent, struct ticket *t, struct errbuf *err)
{
	const cJSON *j;
	int status;

	if (!jf_object(parent, "ticket", JF_NULLABLE, &j, err))
		return false;
	if (!j)
		return true;
	if (!jf_uuid(j, "id", JF_REQUIRED, t->id, err) ||
	    !jf_enum(j, "status", JF_REQUIRED, &ticket_status_table, &status, err)) {
		errbuf_prefix(err, "ticket");
		return false;
	}
	t->status = status;
	t->present = true;
	return true;
}

static bool rating_from_json(const cJSON *parent, struct rating *r, struct errbuf *err)
{
	const cJSON *j;
	int64_t score;

	if (!jf_object(parent, "rating", JF_NULLABLE, &j, err))
		return false;
	if (!j)
		return true;
	if (!jf_int(j, "score", JF_REQUIRED, 1, 5, &score, err) ||
	    !jf_string(j, "feedback", JF_NULLABLE, FEEDBACK_MAX_CHARS, &r->feedback, err) ||
	    !jf_string(j, "suggested_answer", JF_NULLABLE, FEEDBACK_MAX_CHARS,
		       &r->suggested_answer, err) ||
	    !jf_uuid(j, "by", JF_REQUIRED, r->by, err) ||
	    !jf_timestamp(j, "at", JF_REQUIRED, &r->at, err)) {
		errbuf_prefix(err, "rating");
		return false;
	}
	r->score = (int)score;
	r->present = true;
	return true;
}

/* v1.1: optional, so a v1 hub's chats (no "source") decode; null for chats
 * older than the field. */
static bool source_from_json(const cJSON *parent, struct source *s, struct errbuf *err)
{
	const cJSON *j = NULL, *account;

	if (!jf_object(parent, "source", JF_OPTIONAL, &j, err))
		return false;
	if (!j)
		return true;
	bool ok = jf_string_range(j, "platform", JF_NULLABLE, 1, SOURCE_PLATFORM_MAX_CHARS,
				  &s->platform, err) &&
		  jf_object(j, "account", JF_REQUIRED, &account, err);
	if (ok) {
		ok = jf_uuid(account, "id", JF_REQUIRED, s->account_id, err) &&
		     jf_string_range(account, "name", JF_REQUIRED, 1, NAME_MAX_CHARS,
				     &s->account_name, err);
		if (!ok)
			errbuf_prefix(err, "account");
	}
	if (!ok) {
		errbuf_prefix(err, "source");
		return false;
	}
	s->present = true;
	return true;
}

bool chat_from_json(const cJSON *j, struct chat *out, struct errbuf *err)
{
	struct chat c = {.unread = -1};
	int mode, state;

	if (!cJSON_IsObject(j))
		return errbuf_set(err, "chat: must be an object");

	bool ok = jf_uuid(j, "id", JF_REQUIRED, c.id, err) &&
		  jf_string_range(j, "title", JF_NULLABLE, 1, TITLE_MAX_CHARS, &c.title, err) &&
		  decode_child(j, "channel", channel_from_json, &c.channel, err) &&
		  decode_child(j, "owner", owner_fields, &c.owner, err) &&
		  jf_timestamp(j, "created_at", JF_REQUIRED, &c.created_at, err) &&
		  jf_timestamp(j, "updated_at", JF_REQUIRED, &c.updated_at, err) &&
		  preview_from_json(j, "latest_message", &c.latest, err) &&
		  preview_from_json(j, "previous_message", &c.previous, err) &&
		  decode_child(j, "responder", responder_from_json, &c.responder, err) &&
		  jf_enum(j, "mode", JF_REQUIRED, &chat_mode_table, &mode, err) &&
		  jf_bool(j, "escalated", JF_REQUIRED, &c.escalated, err) &&
		  jf_timestamp(j, "escalated_at", JF_NULLABLE, &c.escalated_at, err) &&
		  ticket_from_json(j, &c.ticket, err) &&
		  jf_enum(j, "state", JF_REQUIRED, &chat_state_table, &state, err) &&
		  rating_from_json(j, &c.rating, err) &&
		  jf_int(j, "message_count", JF_REQUIRED, 0, INT64_MAX, &c.message_count, err) &&
		  jf_int(j, "version", JF_REQUIRED, 1, INT64_MAX, &c.version, err) &&
		  source_from_json(j, &c.source, err) &&
		  jf_int(j, "unread", JF_OPTIONAL, 0, UNREAD_MAX, &c.unread, err);
	/* v1.1: absent from older hubs, which set no targets. */
	c.awaiting_reply_since = TS_NONE;
	ok = ok && jf_timestamp(j, "awaiting_reply_since", JF_OPTIONAL, &c.awaiting_reply_since,
				err);
	if (!ok) {
		chat_free(&c);
		return false;
	}
	c.mode = mode;
	c.state = state;
	*out = c;
	return true;
}

static bool author_from_json(const cJSON *j, void *dst, struct errbuf *err)
{
	struct author *a = dst;

	return jf_uuid(j, "id", JF_NULLABLE, a->id, err) &&
	       jf_string(j, "name", JF_REQUIRED, NAME_MAX_CHARS, &a->name, err);
}

bool message_from_json(const cJSON *j, struct message *out, struct errbuf *err)
{
	struct message m = {0};
	int role, system_type;

	if (!cJSON_IsObject(j))
		return errbuf_set(err, "message: must be an object");

	bool ok = jf_uuid(j, "id", JF_REQUIRED, m.id, err) &&
		  jf_uuid(j, "chat_id", JF_REQUIRED, m.chat_id, err) &&
		  jf_int(j, "seq", JF_REQUIRED, 1, INT64_MAX, &m.seq, err) &&
		  jf_timestamp(j, "created_at", JF_REQUIRED, &m.created_at, err) &&
		  jf_enum(j, "role", JF_REQUIRED, &msg_role_table, &role, err) &&
		  jf_enum(j, "system_type", JF_NULLABLE, &system_type_table, &system_type, err);
	ok = ok && decode_child(j, "author", author_from_json, &m.author, err);
	ok = ok && jf_string(j, "text", JF_REQUIRED, MESSAGE_TEXT_MAX_CHARS, &m.text, err) &&
	     jf_string(j, "client_msg_id", JF_NULLABLE, CLIENT_MSG_ID_MAX_CHARS, &m.client_msg_id,
		       err) &&
	     jf_string_range(j, "external_message_id", JF_OPTIONAL, 1,
			     EXTERNAL_MESSAGE_ID_MAX_CHARS, &m.external_message_id, err);
	/* A system message says what happened; any other role must not claim to. */
	if (ok && (role == MSG_ROLE_SYSTEM) != (system_type != SYSTEM_TYPE_NONE))
		ok = errbuf_set(err, "system_type: must be set exactly for system messages");
	if (!ok) {
		message_free(&m);
		return false;
	}
	m.role = role;
	m.system_type = system_type;
	*out = m;
	return true;
}

/* v1.1: status, capacity and held come together or not at all (a v1 hub
 * and /v1/me send none). */
static bool agent_load_from_json(const cJSON *j, struct agent *a, struct errbuf *err)
{
	int status = AGENT_STATUS_NONE;

	if (!jf_enum(j, "status", JF_OPTIONAL, &agent_status_table, &status, err))
		return false;
	a->status = status;
	if (status == AGENT_STATUS_NONE)
		return true;
	return jf_int(j, "capacity", JF_REQUIRED, 0, CAPACITY_MAX, &a->capacity, err) &&
	       jf_int(j, "held", JF_REQUIRED, 0, INT64_MAX, &a->active_chats, err);
}

bool agent_from_json(const cJSON *j, struct agent *out, struct errbuf *err)
{
	struct agent a = {0};
	int role;

	if (!cJSON_IsObject(j))
		return errbuf_set(err, "agent: must be an object");
	a.active_chats = -1;
	bool ok = jf_uuid(j, "id", JF_REQUIRED, a.id, err) &&
		  jf_string_range(j, "name", JF_REQUIRED, 1, NAME_MAX_CHARS, &a.name, err) &&
		  jf_string(j, "email", JF_NULLABLE, EMAIL_MAX_CHARS, &a.email, err) &&
		  jf_enum(j, "role", JF_REQUIRED, &account_role_table, &role, err) &&
		  jf_int(j, "active_chats", JF_OPTIONAL, 0, INT64_MAX, &a.active_chats, err) &&
		  agent_load_from_json(j, &a, err);
	if (!ok) {
		agent_free(&a);
		return false;
	}
	a.role = role;
	*out = a;
	return true;
}

/* Like decode_child, into a new heap object of `size` bytes. */
static bool decode_member(const cJSON *j, const char *name, void **dst, size_t size,
			  bool (*fn)(const cJSON *, void *, struct errbuf *), struct errbuf *err)
{
	void *obj = calloc(1, size);

	if (!obj)
		return errbuf_set(err, "%s: out of memory", name);
	if (!decode_child(j, name, fn, obj, err)) {
		free(obj);
		return false;
	}
	*dst = obj;
	return true;
}

bool targets_from_json(const cJSON *parent, struct wait_targets *t, struct errbuf *err)
{
	const cJSON *j = NULL;

	if (!jf_object(parent, "targets", JF_OPTIONAL, &j, err))
		return false;
	if (j && !(jf_int(j, "first_response_s", JF_OPTIONAL, 0, WAIT_TARGET_MAX_S,
			  &t->first_response_s, err) &&
		   jf_int(j, "next_response_s", JF_OPTIONAL, 0, WAIT_TARGET_MAX_S,
			  &t->next_response_s, err))) {
		errbuf_prefix(err, "targets");
		return false;
	}
	return true;
}

static bool chat_from_json_v(const cJSON *j, void *out, struct errbuf *err)
{
	return chat_from_json(j, out, err);
}

static bool message_from_json_v(const cJSON *j, void *out, struct errbuf *err)
{
	return message_from_json(j, out, err);
}

static bool agent_from_json_v(const cJSON *j, void *out, struct errbuf *err)
{
	return agent_from_json(j, out, err);
}

/* One list of a presence frame: agents as {id, name}; past
 * PRESENCE_LIST_MAX the rest is ignored (the hub sends no more). */
static bool presence_list(const cJSON *j, const char *name, struct presence_person *out,
			  size_t *n, struct errbuf *err)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(j, name), *a;

	if (!cJSON_IsArray(list))
		return errbuf_set(err, "%s: must be an array", name);
	cJSON_ArrayForEach(a, list) {
		if (*n == PRESENCE_LIST_MAX)
			break;
		if (!cJSON_IsObject(a))
			return errbuf_set(err, "%s: must hold objects", name);
		if (!jf_uuid(a, "id", JF_REQUIRED, out[*n].id, err) ||
		    !jf_string_range(a, "name", JF_REQUIRED, 1, 200, &out[*n].name, err)) {
			errbuf_prefix(err, name);
			return false;
		}
		(*n)++;
	}
	return true;
}

static bool presence_from_json_v(const cJSON *j, void *out, struct errbuf *err)
{
	struct chat_presence *p = out;

	if (jf_uuid(j, "chat_id", JF_REQUIRED, p->chat_id, err) &&
	    presence_list(j, "viewing", p->viewing, &p->nviewing, err) &&
	    presence_list(j, "typing", p->typing, &p->ntyping, err))
		return true;
	chat_presence_free(p);
	return false;
}

bool event_from_json(const cJSON *j, struct event *out, struct errbuf *err)
{
	struct event e = {0};
	int type;

	if (!cJSON_IsObject(j))
		return errbuf_set(err, "event: must be an object");
	if (!jf_enum(j, "type", JF_REQUIRED, &event_type_table, &type, err))
		return false;
	e.type = type;

	bool ok;
	switch (e.type) {
	case EVENT_HELLO:
		ok = jf_int(j, "head", JF_REQUIRED, 0, INT64_MAX, &e.head, err) &&
		     decode_member(j, "me", (void **)&e.me, sizeof *e.me, agent_from_json_v, err) &&
		     targets_from_json(j, &e.targets, err);
		break;
	case EVENT_RESYNC:
		ok = true;
		break;
	case EVENT_CHAT_READ:
		ok = jf_uuid(j, "chat_id", JF_REQUIRED, e.chat_id, err) &&
		     jf_int(j, "read_seq", JF_REQUIRED, 1, INT64_MAX, &e.read_seq, err) &&
		     jf_int(j, "unread", JF_REQUIRED, 0, UNREAD_MAX, &e.unread, err);
		break;
	case EVENT_AGENT:
		ok = decode_member(j, "agent", (void **)&e.agent, sizeof *e.agent,
				   agent_from_json_v, err);
		if (ok && e.agent->status == AGENT_STATUS_NONE)
			ok = errbuf_set(err, "agent.status: is required");
		break;
	case EVENT_OFFER:
		ok = jf_uuid(j, "chat_id", JF_REQUIRED, e.offer.chat_id, err) &&
		     jf_int(j, "seconds", JF_REQUIRED, 0, OFFER_SECONDS_MAX, &e.offer.seconds, err);
		if (ok)
			memcpy(e.chat_id, e.offer.chat_id, sizeof e.chat_id);
		break;
	case EVENT_PRESENCE:
		/* The frame is the presence itself: no seq, no "at". */
		e.presence = calloc(1, sizeof *e.presence);
		ok = e.presence ? presence_from_json_v(j, e.presence, err)
				: errbuf_set(err, "presence: out of memory");
		break;
	case EVENT_MESSAGE_CREATED:
	case EVENT_CHAT_CREATED:
	case EVENT_CHAT_UPDATED:
		ok = jf_int(j, "seq", JF_REQUIRED, 1, INT64_MAX, &e.seq, err) &&
		     jf_timestamp(j, "at", JF_REQUIRED, &e.at, err) &&
		     decode_member(j, "chat", (void **)&e.chat, sizeof *e.chat, chat_from_json_v,
				   err);
		if (ok && e.type == EVENT_MESSAGE_CREATED) {
			ok = decode_member(j, "message", (void **)&e.message, sizeof *e.message,
					   message_from_json_v, err);
			if (ok && strcmp(e.message->chat_id, e.chat->id) != 0)
				ok = errbuf_set(err, "message.chat_id: does not match chat.id");
		}
		break;
	default:
		ok = errbuf_set(err, "type: unknown event type");
	}
	if (!ok) {
		event_free(&e);
		return false;
	}
	*out = e;
	return true;
}

bool event_parse(const char *text, size_t len, struct event *out, struct errbuf *err)
{
	cJSON *j = json_parse_text(text, len, err);
	if (!j)
		return false;
	bool ok = event_from_json(j, out, err);
	cJSON_Delete(j);
	return ok;
}

/* ---- encoding ------------------------------------------------------------ */

/* Encoders chain adders with && and throw the tree away on the first failure,
 * which can only be out of memory. */
static cJSON *finish(cJSON *obj, bool ok)
{
	if (!ok) {
		cJSON_Delete(obj);
		return NULL;
	}
	return obj;
}

static cJSON *preview_to_json(const struct preview *p)
{
	if (!p->present)
		return cJSON_CreateNull();
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	return finish(o, cJSON_AddStringToObject(o, "preview", p->text ? p->text : "") &&
			      json_add_timestamp(o, "at", p->at) &&
			      cJSON_AddStringToObject(o, "role", msg_role_name(p->role)));
}

static cJSON *channel_to_json(const struct channel *c)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	return finish(o, cJSON_AddStringToObject(o, "id", c->id) &&
			      cJSON_AddStringToObject(o, "name", c->name ? c->name : "") &&
			      cJSON_AddStringToObject(o, "type", channel_type_name(c->type)));
}

static cJSON *owner_to_json(const struct owner *w)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	return finish(o, cJSON_AddStringToObject(o, "id", w->id) &&
			      json_add_string_or_null(o, "external_id", w->external_id) &&
			      cJSON_AddStringToObject(o, "name", w->name ? w->name : "") &&
			      json_add_string_or_null(o, "email", w->email));
}

static cJSON *responder_to_json(const struct responder *r)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	return finish(o, cJSON_AddStringToObject(o, "type", responder_type_name(r->type)) &&
			      json_add_uuid_or_null(o, "id", r->id) &&
			      json_add_string_or_null(o, "name", r->name));
}

static cJSON *ticket_to_json(const struct ticket *t)
{
	if (!t->present)
		return cJSON_CreateNull();
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	return finish(o, cJSON_AddStringToObject(o, "id", t->id) &&
			      cJSON_AddStringToObject(o, "status", ticket_status_name(t->status)));
}

static cJSON *rating_to_json(const struct rating *r)
{
	if (!r->present)
		return cJSON_CreateNull();
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	return finish(o, json_add_int(o, "score", r->score) &&
			      json_add_string_or_null(o, "feedback", r->feedback) &&
			      json_add_string_or_null(o, "suggested_answer", r->suggested_answer) &&
			      cJSON_AddStringToObject(o, "by", r->by) &&
			      json_add_timestamp(o, "at", r->at));
}

static cJSON *source_to_json(const struct source *s)
{
	if (!s->present)
		return cJSON_CreateNull();
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	cJSON *account = cJSON_CreateObject();
	/* The account goes in first: json_add_child frees it on any failure. */
	bool ok = json_add_child(o, "account", account) &&
		  cJSON_AddStringToObject(account, "id", s->account_id) &&
		  cJSON_AddStringToObject(account, "name", s->account_name ? s->account_name : "");
	return finish(o, ok && json_add_string_or_null(o, "platform", s->platform));
}

cJSON *chat_to_json(const struct chat *c)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	return finish(o, cJSON_AddStringToObject(o, "id", c->id) &&
			      json_add_string_or_null(o, "title", c->title) &&
			      json_add_child(o, "channel", channel_to_json(&c->channel)) &&
			      json_add_child(o, "owner", owner_to_json(&c->owner)) &&
			      json_add_timestamp(o, "created_at", c->created_at) &&
			      json_add_timestamp(o, "updated_at", c->updated_at) &&
			      json_add_child(o, "latest_message", preview_to_json(&c->latest)) &&
			      json_add_child(o, "previous_message", preview_to_json(&c->previous)) &&
			      json_add_child(o, "responder", responder_to_json(&c->responder)) &&
			      cJSON_AddStringToObject(o, "mode", chat_mode_name(c->mode)) &&
			      cJSON_AddBoolToObject(o, "escalated", c->escalated) &&
			      json_add_timestamp(o, "escalated_at", c->escalated_at) &&
			      json_add_child(o, "ticket", ticket_to_json(&c->ticket)) &&
			      cJSON_AddStringToObject(o, "state", chat_state_name(c->state)) &&
			      json_add_child(o, "rating", rating_to_json(&c->rating)) &&
			      json_add_int(o, "message_count", c->message_count) &&
			      json_add_int(o, "version", c->version) &&
			      json_add_child(o, "source", source_to_json(&c->source)) &&
			      (c->unread < 0 || json_add_int(o, "unread", c->unread)) &&
			      json_add_timestamp(o, "awaiting_reply_since", c->awaiting_reply_since));
}

cJSON *message_to_json(const struct message *m)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	cJSON *author = cJSON_CreateObject();
	bool ok = author && json_add_uuid_or_null(author, "id", m->author.id) &&
		  cJSON_AddStringToObject(author, "name", m->author.name ? m->author.name : "");
	if (!ok) {
		cJSON_Delete(author);
		author = NULL;
	}
	return finish(o, cJSON_AddStringToObject(o, "id", m->id) &&
			      cJSON_AddStringToObject(o, "chat_id", m->chat_id) &&
			      json_add_int(o, "seq", m->seq) &&
			      json_add_timestamp(o, "created_at", m->created_at) &&
			      cJSON_AddStringToObject(o, "role", msg_role_name(m->role)) &&
			      json_add_string_or_null(o, "system_type",
						      system_type_name(m->system_type)) &&
			      json_add_child(o, "author", author) &&
			      cJSON_AddStringToObject(o, "text", m->text ? m->text : "") &&
			      json_add_string_or_null(o, "client_msg_id", m->client_msg_id) &&
			      json_add_string_or_null(o, "external_message_id",
						      m->external_message_id));
}

cJSON *agent_to_json(const struct agent *a)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	bool ok = cJSON_AddStringToObject(o, "id", a->id) &&
		  cJSON_AddStringToObject(o, "name", a->name ? a->name : "") &&
		  json_add_string_or_null(o, "email", a->email) &&
		  cJSON_AddStringToObject(o, "role", account_role_name(a->role));
	if (ok && a->active_chats >= 0)
		ok = json_add_int(o, "active_chats", a->active_chats);
	if (ok && a->status != AGENT_STATUS_NONE)
		ok = cJSON_AddStringToObject(o, "status", agent_status_name(a->status)) &&
		     json_add_int(o, "capacity", a->capacity) &&
		     json_add_int(o, "held", a->active_chats >= 0 ? a->active_chats : 0);
	return finish(o, ok);
}

static cJSON *presence_list_to_json(const struct presence_person *p, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	bool ok = a != NULL;

	for (size_t i = 0; ok && i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		ok = o && cJSON_AddStringToObject(o, "id", p[i].id) &&
		     cJSON_AddStringToObject(o, "name", p[i].name ? p[i].name : "") &&
		     cJSON_AddItemToArray(a, o);
		if (!ok)
			cJSON_Delete(o);
	}
	return finish(a, ok);
}

cJSON *targets_to_json(const struct wait_targets *t)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	return finish(o, json_add_int(o, "first_response_s", t->first_response_s) &&
				 json_add_int(o, "next_response_s", t->next_response_s));
}

cJSON *event_to_json(const struct event *e)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	bool ok = cJSON_AddStringToObject(o, "type", event_type_name(e->type)) != NULL;
	switch (e->type) {
	case EVENT_HELLO:
		ok = ok && json_add_int(o, "head", e->head) &&
		     json_add_child(o, "me", e->me ? agent_to_json(e->me) : NULL) &&
		     json_add_child(o, "targets", targets_to_json(&e->targets));
		break;
	case EVENT_RESYNC:
		break;
	case EVENT_CHAT_READ:
		ok = ok && cJSON_AddStringToObject(o, "chat_id", e->chat_id) &&
		     json_add_int(o, "read_seq", e->read_seq) && json_add_int(o, "unread", e->unread);
		break;
	case EVENT_AGENT:
		ok = ok && json_add_child(o, "agent", e->agent ? agent_to_json(e->agent) : NULL);
		break;
	case EVENT_OFFER:
		ok = ok && cJSON_AddStringToObject(o, "chat_id", e->offer.chat_id) &&
		     json_add_int(o, "seconds", e->offer.seconds);
		break;
	case EVENT_PRESENCE:
		ok = ok && e->presence && cJSON_AddStringToObject(o, "chat_id", e->presence->chat_id) &&
		     json_add_child(o, "viewing", presence_list_to_json(e->presence->viewing,
									  e->presence->nviewing)) &&
		     json_add_child(o, "typing", presence_list_to_json(e->presence->typing,
									 e->presence->ntyping));
		break;
	case EVENT_MESSAGE_CREATED:
	case EVENT_CHAT_CREATED:
	case EVENT_CHAT_UPDATED:
		ok = ok && json_add_int(o, "seq", e->seq) && json_add_timestamp(o, "at", e->at) &&
		     json_add_child(o, "chat", e->chat ? chat_to_json(e->chat) : NULL);
		if (e->type == EVENT_MESSAGE_CREATED)
			ok = ok && json_add_child(o, "message",
					     e->message ? message_to_json(e->message) : NULL);
		break;
	}
	return finish(o, ok);
}

static char *print_and_delete(cJSON *j)
{
	if (!j)
		return NULL;
	char *s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return s;
}

char *chat_to_string(const struct chat *c)
{
	return print_and_delete(chat_to_json(c));
}

char *message_to_string(const struct message *m)
{
	return print_and_delete(message_to_json(m));
}

char *event_to_string(const struct event *e)
{
	return print_and_delete(event_to_json(e));
}
