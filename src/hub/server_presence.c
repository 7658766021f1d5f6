/*
 * server_presence.c — who has a chat open and who is typing in it.
 *
 * Presence is ephemeral: it lives in memory, one entry per event stream
 * that said something, and never enters the event log (no seq, nothing
 * replayed, a restart forgets it). A console tells the hub on its own
 * stream, with two small messages:
 *
 *   {"type":"viewing","chat_id":"<uuid>" | null}   the thread it has open
 *   {"type":"typing","chat_id":"<uuid>"}           a keystroke in its composer
 *
 * and every agent's stream gets {"type":"presence", ...} for a chat whose
 * lists changed. Viewing lasts until the console says otherwise or its
 * stream ends; typing lasts TYPING_TTL_MS after the last typing message.
 *
 * One client must not hurt the others: each stream has a token bucket
 * (PRESENCE_RATE a second, PRESENCE_BURST at once) and messages past it
 * are ignored; a stream views one chat and types in one chat at a time, so
 * the table has at most one entry per stream; and a chat's lists name at
 * most PRESENCE_LIST_MAX agents each, so a frame stays small.
 *
 * Hubs sharing a database share presence (server_share.c): each change of
 * a stream's entry here goes to the other hubs, and theirs come back as
 * entries of their own in the same table (an origin, the other hub, and
 * the key it gave its stream; no stream here), so the frames and the
 * snapshots list everyone, wherever their console is. Another hub's typing
 * ends when that hub says so.
 */
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "jsonfield.h"
#include "log.h"
#include "server_internal.h"
#include "uuid.h"

/* How long "typing" lasts without another keystroke. The console sends one
 * every 2 s at most while keys come, so this leaves room for one lost. */
#define TYPING_TTL_MS 5000

#define PRESENCE_RATE 5.0   /* messages a second, per stream */
#define PRESENCE_BURST 10.0

struct presence_entry {
	struct events_client *conn;      /* the stream; only compared; NULL: another hub's */
	uint64_t origin;       /* 0: a stream here; else the other hub (server_share.c) */
	uint64_t key;          /* the stream's number on its hub */
	uint64_t gen;          /* another hub's: the snapshot that last named it */
	uuid_str agent_id;
	char *name;
	uuid_str viewing;      /* "" when none */
	uuid_str typing;       /* "" when none */
	uint64_t typing_until; /* uv_now() */
	double tokens;
	uint64_t refilled;     /* uv_now() of the last refill */
};

static struct presence_entry *entry_find(struct presence *p, struct events_client *conn)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->entries[i].conn == conn)
			return &p->entries[i];
	return NULL;
}

static struct presence_entry *entry_add(struct presence *p, struct events_client *conn,
					const char *agent_id, const char *name, uint64_t now)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct presence_entry *e = realloc(p->entries, cap * sizeof *e);
		if (!e)
			return NULL;
		p->entries = e;
		p->cap = cap;
	}
	struct presence_entry *e = &p->entries[p->n];
	memset(e, 0, sizeof *e);
	e->name = strdup(name);
	if (!e->name)
		return NULL;
	e->conn = conn;
	memcpy(e->agent_id, agent_id, sizeof e->agent_id);
	e->tokens = PRESENCE_BURST;
	e->refilled = now;
	p->n++;
	return e;
}

static void entry_remove(struct presence *p, struct presence_entry *e)
{
	free(e->name);
	*e = p->entries[--p->n];
}

/* Take a token from the stream's bucket; false when it is empty. */
static bool entry_take(struct presence_entry *e, uint64_t now)
{
	e->tokens += (double)(now - e->refilled) * PRESENCE_RATE / 1000.0;
	if (e->tokens > PRESENCE_BURST)
		e->tokens = PRESENCE_BURST;
	e->refilled = now;
	if (e->tokens < 1.0)
		return false;
	e->tokens -= 1.0;
	return true;
}

/* Add agent e to the list unless it is there already (one agent, two
 * consoles) or the list is full. The names are borrowed from the table. */
static void list_add(struct presence_person *list, size_t *n, const struct presence_entry *e)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(list[i].id, e->agent_id) == 0)
			return;
	if (*n == PRESENCE_LIST_MAX)
		return;
	memcpy(list[*n].id, e->agent_id, sizeof list[*n].id);
	list[(*n)++].name = e->name;
}

/* Tell every stream that reads presence but `from` (or only `to`) who is
 * in `chat` now. The stream that made the change is not told of it: its
 * console knows, and an idle console should not wake for its own words. */
static void presence_tell(struct server *s, const char *chat, struct events_client *to,
			  struct events_client *from)
{
	struct presence *p = &s->presence;
	struct chat_presence now = {0};
	struct event ev = {.type = EVENT_PRESENCE, .presence = &now};

	if (s->stopping || !chat[0])
		return;
	memcpy(now.chat_id, chat, sizeof now.chat_id);
	for (size_t i = 0; i < p->n; i++) {
		if (strcmp(p->entries[i].viewing, chat) == 0)
			list_add(now.viewing, &now.nviewing, &p->entries[i]);
		if (strcmp(p->entries[i].typing, chat) == 0)
			list_add(now.typing, &now.ntyping, &p->entries[i]);
	}
	char *text = event_to_string(&ev);
	if (text && to)
		events_send_to(to, text, strlen(text));
	else if (text)
		events_broadcast(s, READERS_PRESENCE, text, strlen(text), from);
	free(text);
}

static void presence_announce(struct server *s, const char *chat, struct events_client *from)
{
	presence_tell(s, chat, NULL, from);
}

/* Tell everyone but `from` of each chat in chats[n] once. */
static void announce_each(struct server *s, const char *const *chats, size_t n,
			  struct events_client *from)
{
	for (size_t i = 0; i < n; i++) {
		bool told = false;
		for (size_t j = 0; j < i && !told; j++)
			told = strcmp(chats[j], chats[i]) == 0;
		if (!told)
			presence_announce(s, chats[i], from);
	}
}

/* A stream here tells the other hubs what it views and types in. */
static void entry_share(struct server *s, const struct presence_entry *e)
{
	if (!e->origin)
		share_view(s, e->key, e->agent_id, e->name, e->viewing, e->typing);
}

/* Entry e views `viewing` and types in `typing` now: everyone but `from`
 * hears of each chat whose lists that changes. */
static void entry_set(struct server *s, struct presence_entry *e, const char *viewing,
		      const char *typing, struct events_client *from)
{
	uuid_str was_viewing, was_typing, now_viewing, now_typing;
	const char *chats[4];
	size_t n = 0;

	if (strcmp(e->viewing, viewing) == 0 && strcmp(e->typing, typing) == 0)
		return;
	/* viewing or typing may be the entry's own (one changes, not both) */
	snprintf(now_viewing, sizeof now_viewing, "%s", viewing);
	snprintf(now_typing, sizeof now_typing, "%s", typing);
	memcpy(was_viewing, e->viewing, sizeof was_viewing);
	memcpy(was_typing, e->typing, sizeof was_typing);
	memcpy(e->viewing, now_viewing, sizeof e->viewing);
	memcpy(e->typing, now_typing, sizeof e->typing);
	entry_share(s, e);
	if (strcmp(was_viewing, e->viewing) != 0) {
		chats[n++] = was_viewing;
		chats[n++] = e->viewing;
	}
	if (strcmp(was_typing, e->typing) != 0) {
		chats[n++] = was_typing;
		chats[n++] = e->typing;
	}
	announce_each(s, chats, n, from);
}

/* The entry is gone (its stream, or another hub's): everyone hears of the
 * chats it was in. */
static void entry_drop(struct server *s, struct presence_entry *e)
{
	uuid_str viewing, typing;

	memcpy(viewing, e->viewing, sizeof viewing);
	memcpy(typing, e->typing, sizeof typing);
	if (!e->origin)
		share_view(s, e->key, e->agent_id, NULL, "", "");
	entry_remove(&s->presence, e);
	announce_each(s, (const char *const[]){viewing, typing}, 2, NULL);
}

/* A stream that starts speaking presence learns who is where already:
 * one frame per chat somebody else views or types in. */
static void presence_snapshot(struct server *s, struct events_client *to)
{
	struct presence *p = &s->presence;

	for (size_t i = 0; i < p->n; i++) {
		const char *chats[2] = {p->entries[i].viewing, p->entries[i].typing};
		for (int k = 0; k < 2; k++) {
			bool told = !chats[k][0];
			/* Once per chat: skip it when an earlier entry has it. */
			for (size_t j = 0; !told && j < i; j++)
				told = strcmp(p->entries[j].viewing, chats[k]) == 0 ||
				       strcmp(p->entries[j].typing, chats[k]) == 0;
			if (!told && !(k == 1 && strcmp(chats[1], chats[0]) == 0))
				presence_tell(s, chats[k], to, NULL);
		}
	}
}

/* ---- typing expires ---------------------------------------------------- */

static void on_expire(uv_timer_t *t);

/* Run the timer for the earliest typing still on. */
static void expire_schedule(struct server *s, uint64_t now)
{
	struct presence *p = &s->presence;
	uint64_t first = UINT64_MAX;

	for (size_t i = 0; i < p->n; i++)
		if (!p->entries[i].origin && p->entries[i].typing[0] &&
		    p->entries[i].typing_until < first)
			first = p->entries[i].typing_until;
	if (first == UINT64_MAX)
		uv_timer_stop(&p->expire);
	else
		uv_timer_start(&p->expire, on_expire, first > now ? first - now : 0, 0);
}

static void on_expire(uv_timer_t *t)
{
	struct server *s = t->data;
	struct presence *p = &s->presence;
	uint64_t now = uv_now(s->loop);

	for (size_t i = 0; i < p->n; i++) {
		struct presence_entry *e = &p->entries[i];
		if (!e->origin && e->typing[0] && e->typing_until <= now)
			entry_set(s, e, e->viewing, "", NULL);
	}
	expire_schedule(s, now);
}

/* ---- what a stream says ------------------------------------------------ */

bool presence_init(struct server *s)
{
	if (uv_timer_init(s->loop, &s->presence.expire) != 0)
		return false;
	s->presence.expire.data = s;
	s->presence.ready = true;
	return true;
}

void presence_close(struct server *s)
{
	if (s->presence.ready && !uv_is_closing((uv_handle_t *)&s->presence.expire))
		uv_close((uv_handle_t *)&s->presence.expire, NULL);
}

void presence_free(struct server *s)
{
	struct presence *p = &s->presence;

	while (p->n)
		entry_remove(p, &p->entries[p->n - 1]);
	free(p->entries);
	p->entries = NULL;
	p->cap = 0;
}

/* Parse one message: its kind and its chat ("" for a null chat_id, which
 * only viewing takes). */
static bool message_parse(const char *text, size_t len, bool *typing, uuid_str chat)
{
	struct errbuf err;
	cJSON *j = json_parse_text(text, len, &err);
	const cJSON *type = j ? cJSON_GetObjectItemCaseSensitive(j, "type") : NULL;
	bool ok = cJSON_IsObject(j) && cJSON_GetArraySize(j) == 2 && cJSON_IsString(type);

	if (ok) {
		*typing = strcmp(type->valuestring, "typing") == 0;
		ok = (*typing || strcmp(type->valuestring, "viewing") == 0) &&
		     jf_uuid(j, "chat_id", *typing ? JF_REQUIRED : JF_NULLABLE, chat, &err);
	}
	cJSON_Delete(j);
	return ok;
}

/* The stream's entry, made at its first message (which first brings it
 * the snapshot); NULL when the message is to be ignored: past the
 * stream's rate (a flood hurts nobody else), or out of memory (our
 * failure, not the client's). */
static struct presence_entry *entry_admit(struct server *s, struct events_client *conn,
					  const struct agent *me, uint64_t now)
{
	struct presence *p = &s->presence;
	struct presence_entry *e = entry_find(p, conn);

	if (!e) {
		presence_snapshot(s, conn);
		if (!(e = entry_add(p, conn, me->id, me->name, now))) {
			log_error("presence: out of memory");
			return NULL;
		}
		e->key = ++p->last_key;
	}
	return entry_take(e, now) ? e : NULL;
}

bool presence_admit(struct server *s, struct events_client *conn, const struct agent *me)
{
	return entry_admit(s, conn, me, uv_now(s->loop)) != NULL;
}

bool presence_receive(struct server *s, struct events_client *conn, const struct agent *me,
		      const char *text, size_t len)
{
	uint64_t now = uv_now(s->loop);
	struct presence_entry *e;
	uuid_str chat;
	bool typing;

	if (!message_parse(text, len, &typing, chat))
		return false;
	if (!(e = entry_admit(s, conn, me, now)))
		return true; /* ignored: see entry_admit */
	if (!typing) {
		entry_set(s, e, chat, e->typing, conn);
		return true;
	}
	e->typing_until = now + TYPING_TTL_MS;
	entry_set(s, e, e->viewing, chat, conn);
	expire_schedule(s, now);
	return true;
}

void presence_gone(struct server *s, struct events_client *conn)
{
	struct presence_entry *e = entry_find(&s->presence, conn);

	if (!e)
		return;
	entry_drop(s, e);
	if (!s->stopping)
		expire_schedule(s, uv_now(s->loop));
}

/* ---- other hubs' streams (server_share.c) -------------------------------- */

static struct presence_entry *remote_find(struct presence *p, uint64_t origin, uint64_t key)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->entries[i].origin == origin && p->entries[i].key == key)
			return &p->entries[i];
	return NULL;
}

int presence_remote(struct server *s, uint64_t origin, uint64_t key, const char *agent_id,
		    const char *name, const char *viewing, const char *typing, uint64_t gen,
		    bool room)
{
	struct presence_entry *e = remote_find(&s->presence, origin, key);
	int added = !e;

	if (!e) {
		if (!room || !(e = entry_add(&s->presence, NULL, agent_id, name, 0)))
			return -1;
		e->origin = origin;
		e->key = key;
	}
	e->gen = gen;
	entry_set(s, e, viewing, typing, NULL);
	return added;
}

bool presence_remote_gone(struct server *s, uint64_t origin, uint64_t key)
{
	struct presence_entry *e = remote_find(&s->presence, origin, key);

	if (e)
		entry_drop(s, e);
	return e != NULL;
}

size_t presence_remote_sweep(struct server *s, uint64_t origin, uint64_t gen)
{
	struct presence *p = &s->presence;
	size_t dropped = 0;

	for (size_t i = p->n; i-- > 0;)
		if (p->entries[i].origin == origin && p->entries[i].gen < gen) {
			entry_drop(s, &p->entries[i]);
			dropped++;
		}
	return dropped;
}

void presence_each_local(struct server *s, presence_view_fn *fn, void *ctx)
{
	const struct presence *p = &s->presence;

	for (size_t i = 0; i < p->n; i++)
		if (!p->entries[i].origin)
			fn(ctx, p->entries[i].key, p->entries[i].agent_id, p->entries[i].name,
			   p->entries[i].viewing, p->entries[i].typing);
}
