/*
 * server_share.c — presence and agents' status shared by the hubs of one
 * database, so that an agent whose console is on hub A is online to a
 * supervisor on hub B, B's consoles see who views and types on A, and
 * auto-assignment offers chats to agents on every hub.
 *
 * Each hub, under a random id taken at start, sends small JSON notes
 * through the back end (storage.h's share_send; on PostgreSQL NOTIFY on
 * the event feed's connection, so nothing waits) to every hub, and keeps
 * what each other hub said, per hub:
 *
 *   hello     a hub started: the others send their snapshots at once
 *   status    an agent's status on the sender's own streams
 *   view      one of its streams views and types in these chats
 *   gone      that stream ended
 *   offer     an offer frame for an agent, for their streams on other hubs
 *   snapshot  everything the sender holds, in parts (a NOTIFY carries less
 *             than 8,000 bytes), numbered by `gen`; the last part drops
 *             what the parts of that gen did not name
 *   bye       the sender stops: forget it now
 *
 * A snapshot goes out every HEARTBEAT_MS, so it is also the heartbeat: a
 * hub not heard from for FORGET_BEATS of them is forgotten with all it
 * held (a hub killed without a word takes its agents offline elsewhere
 * within FORGET_BEATS + 1 heartbeats, 8 s; one stopped says bye). Notes from one hub arrive in
 * the order it sent them, so a snapshot's parts come together, and a note
 * after them is newer than they are. A note lost (the database away for a
 * while) is mended by the next snapshot.
 *
 * Notes come from other processes, so each is read as untrusted: bounded
 * sizes and counts, ids that are uuids, names within NAME_MAX_CHARS; a
 * note that is not right is ignored, and the first such is logged.
 *
 * An agent's status here is the best over every hub (server_agents.c,
 * agents_status); a change a note makes goes through agents_moved as a
 * change on this hub's own streams does. Other hubs' streams live in the
 * presence table as entries of their own (server_presence.c).
 */
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "jsonfield.h"
#include "log.h"
#include "server_internal.h"
#include "uuid.h"

#define HEARTBEAT_MS 2000
#define FORGET_BEATS 3

/* A snapshot part stops growing here: room under STORAGE_NOTE_MAX for the
 * part's own members and one more item of the largest kind (a view with a
 * name of NAME_MAX_CHARS characters, each escaped to six bytes at worst). */
#define PART_BUDGET (STORAGE_NOTE_MAX - 1600)

/* What one hub may make this one keep, at most: past it, a note is bad. */
#define PEERS_MAX 64
#define PEER_AGENTS_MAX 4096
#define PEER_VIEWS_MAX 4096

struct peer_agent {
	uuid_str id;
	enum agent_status status; /* online or away: offline is no entry */
	uint64_t gen;             /* the snapshot that last named it (or since) */
};

struct share_peer {
	uuid_str id;
	uint64_t origin;          /* its number in the presence table */
	uint64_t heard;           /* uv_now() of its last note */
	uint64_t gen;             /* its last snapshot's number */
	struct peer_agent *agents;
	size_t nagents, cap;
	size_t nviews;            /* its streams in the presence table */
};

/* ---- sending ------------------------------------------------------------- */

static cJSON *note_new(struct server *s, const char *kind)
{
	cJSON *j = cJSON_CreateObject();

	if (j && (!cJSON_AddStringToObject(j, "hub", s->share.id) ||
		  !cJSON_AddStringToObject(j, "kind", kind))) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

/* Send note j (taken) to every hub, if it was made `whole`. */
static void note_send(struct server *s, cJSON *j, bool whole)
{
	char *text = whole ? cJSON_PrintUnformatted(j) : NULL;

	if (!text || !s->st->ops->share_send(s->st, text, strlen(text)))
		log_debug("share: a note was not sent");
	free(text);
	cJSON_Delete(j);
}

/* A chat id, or null for none. */
static bool add_chat(cJSON *j, const char *name, const char *chat)
{
	return chat[0] ? cJSON_AddStringToObject(j, name, chat) != NULL
		       : cJSON_AddNullToObject(j, name) != NULL;
}

static bool add_status(cJSON *j, const char *id, enum agent_status st)
{
	return cJSON_AddStringToObject(j, "agent", id) &&
	       cJSON_AddStringToObject(j, "status", agent_status_name(st));
}

static bool add_view(cJSON *j, uint64_t key, const char *agent_id, const char *name,
		     const char *viewing, const char *typing)
{
	return cJSON_AddNumberToObject(j, "key", (double)key) &&
	       cJSON_AddStringToObject(j, "agent", agent_id) &&
	       cJSON_AddStringToObject(j, "name", name) && add_chat(j, "viewing", viewing) &&
	       add_chat(j, "typing", typing);
}

void share_status(struct server *s, const char *id, enum agent_status here)
{
	cJSON *j;

	if (!s->share.on || s->stopping || !(j = note_new(s, "status")))
		return;
	note_send(s, j, add_status(j, id, here));
}

void share_view(struct server *s, uint64_t key, const char *agent_id, const char *name,
		const char *viewing, const char *typing)
{
	cJSON *j;
	bool ok;

	if (!s->share.on || s->stopping || !(j = note_new(s, name ? "view" : "gone")))
		return;
	ok = name ? add_view(j, key, agent_id, name, viewing, typing)
		  : cJSON_AddNumberToObject(j, "key", (double)key) != NULL;
	note_send(s, j, ok);
}

static const struct share_peer *peer_holding(const struct server *s, const char *id);

void share_offer(struct server *s, const char *id, const char *chat_id, int64_t seconds)
{
	cJSON *j;

	/* Only a hub that holds a stream of theirs has anyone to tell. */
	if (!s->share.on || s->stopping || !peer_holding(s, id) || !(j = note_new(s, "offer")))
		return;
	bool ok = cJSON_AddStringToObject(j, "agent", id) &&
		  cJSON_AddStringToObject(j, "chat_id", chat_id) &&
		  cJSON_AddNumberToObject(j, "seconds", (double)seconds);
	note_send(s, j, ok);
}

/* A snapshot being cut into parts. */
struct part {
	struct server *s;
	cJSON *note, *agents, *views;
	size_t bytes;             /* what the items so far print to, about */
	bool ok;
};

static bool part_begin(struct part *p)
{
	p->note = note_new(p->s, "snapshot");
	p->agents = p->note ? cJSON_AddArrayToObject(p->note, "agents") : NULL;
	p->views = p->note ? cJSON_AddArrayToObject(p->note, "views") : NULL;
	p->bytes = 0;
	return p->views && cJSON_AddNumberToObject(p->note, "gen", (double)p->s->share.gen);
}

static void part_send(struct part *p, bool last)
{
	note_send(p->s, p->note, cJSON_AddBoolToObject(p->note, "last", last) != NULL);
	p->note = NULL;
}

/* Add item (taken) to the part's `list`, sending the part first when it
 * would grow past PART_BUDGET. */
static void part_add(struct part *p, bool view, cJSON *item)
{
	char *text = item && p->ok ? cJSON_PrintUnformatted(item) : NULL;
	size_t len = text ? strlen(text) + 1 : 0;

	free(text);
	if (!len) {
		cJSON_Delete(item);
		p->ok = false;
		return;
	}
	if (p->bytes + len > PART_BUDGET) {
		part_send(p, false);
		if (!part_begin(p)) {
			cJSON_Delete(item);
			p->ok = false;
			return;
		}
	}
	cJSON_AddItemToArray(view ? p->views : p->agents, item);
	p->bytes += len;
}

static void part_view(void *ctx, uint64_t key, const char *agent_id, const char *name,
		      const char *viewing, const char *typing)
{
	struct part *p = ctx;
	cJSON *item = cJSON_CreateObject();

	if (item && !add_view(item, key, agent_id, name, viewing, typing)) {
		cJSON_Delete(item);
		item = NULL;
	}
	part_add(p, true, item);
}

/* Everything this hub holds: its agents' statuses and its streams'
 * presence. */
static void snapshot_send(struct server *s)
{
	struct part p = {.s = s, .ok = true};
	size_t n = 0;
	struct agent_presence *mine = events_statuses(s, &n);

	s->share.gen++;
	if (!mine || !part_begin(&p)) {
		free(mine);
		cJSON_Delete(p.note);
		log_error("share: out of memory for a snapshot");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		cJSON *item = cJSON_CreateObject();
		if (item && !add_status(item, mine[i].id, mine[i].status)) {
			cJSON_Delete(item);
			item = NULL;
		}
		part_add(&p, false, item);
	}
	free(mine);
	presence_each_local(s, part_view, &p);
	if (p.ok)
		part_send(&p, true);
	else
		cJSON_Delete(p.note);
}

/* ---- what the other hubs hold --------------------------------------------- */

static struct peer_agent *agent_find(struct share_peer *p, const char *id)
{
	for (size_t i = 0; i < p->nagents; i++)
		if (strcmp(p->agents[i].id, id) == 0)
			return &p->agents[i];
	return NULL;
}

static const struct share_peer *peer_holding(const struct server *s, const char *id)
{
	for (size_t i = 0; i < s->share.npeers; i++)
		if (agent_find(&s->share.peers[i], id))
			return &s->share.peers[i];
	return NULL;
}

enum agent_status share_status_of(const struct server *s, const char *id)
{
	enum agent_status best = AGENT_OFFLINE;

	for (size_t i = 0; i < s->share.npeers; i++) {
		const struct peer_agent *a = agent_find(&s->share.peers[i], id);
		if (a && a->status < best)
			best = a->status;
	}
	return best;
}

size_t share_online(const struct server *s, const char **ids, size_t n, size_t max)
{
	for (size_t i = 0; i < s->share.npeers; i++) {
		const struct share_peer *p = &s->share.peers[i];
		for (size_t k = 0; k < p->nagents && n < max; k++) {
			bool seen = p->agents[k].status != AGENT_ONLINE;
			for (size_t j = 0; !seen && j < n; j++)
				seen = strcmp(ids[j], p->agents[k].id) == 0;
			if (!seen)
				ids[n++] = p->agents[k].id;
		}
	}
	return n;
}

struct agent_presence *share_statuses(const struct server *s, struct agent_presence *list,
				      size_t *count)
{
	for (size_t i = 0; i < s->share.npeers; i++) {
		const struct share_peer *p = &s->share.peers[i];
		for (size_t k = 0; k < p->nagents; k++) {
			const struct peer_agent *a = &p->agents[k];
			size_t j = 0;
			while (j < *count && strcmp(list[j].id, a->id) != 0)
				j++;
			if (j == *count) {
				struct agent_presence *more = realloc(list, (j + 1) * sizeof *list);
				if (!more) {
					free(list);
					return NULL;
				}
				list = more;
				memcpy(list[j].id, a->id, sizeof list[j].id);
				list[j].status = a->status;
				++*count;
			} else if (a->status < list[j].status) {
				list[j].status = a->status;
			}
		}
	}
	return list;
}

/* Agent `id` is `st` on peer p (offline: it holds none of their streams)
 * as of p's snapshot `gen`: false when p holds too many. */
static bool agent_set(struct server *s, struct share_peer *p, const char *id,
		      enum agent_status st, uint64_t gen)
{
	enum agent_status before = agents_status(s, id);
	struct peer_agent *a = agent_find(p, id);

	if (st == AGENT_OFFLINE) {
		if (a)
			*a = p->agents[--p->nagents];
	} else if (a) {
		a->status = st;
		a->gen = gen;
	} else {
		if (p->nagents == PEER_AGENTS_MAX)
			return false;
		if (p->nagents == p->cap) {
			size_t cap = p->cap ? p->cap * 2 : 16;
			struct peer_agent *more = realloc(p->agents, cap * sizeof *more);
			if (!more)
				return false;
			p->agents = more;
			p->cap = cap;
		}
		a = &p->agents[p->nagents++];
		memcpy(a->id, id, sizeof a->id);
		a->status = st;
		a->gen = gen;
	}
	agents_moved(s, id, before);
	return true;
}

/* Drop p's agents last named before `gen` (UINT64_MAX: all of them). */
static void agents_sweep(struct server *s, struct share_peer *p, uint64_t gen)
{
	for (size_t i = p->nagents; i-- > 0;)
		if (p->agents[i].gen < gen) {
			uuid_str id;
			memcpy(id, p->agents[i].id, sizeof id);
			agent_set(s, p, id, AGENT_OFFLINE, 0);
		}
}

static struct share_peer *peer_of(struct server *s, const char *hub)
{
	struct share *sh = &s->share;

	for (size_t i = 0; i < sh->npeers; i++)
		if (strcmp(sh->peers[i].id, hub) == 0)
			return &sh->peers[i];
	if (sh->npeers == PEERS_MAX)
		return NULL;
	struct share_peer *more = realloc(sh->peers, (sh->npeers + 1) * sizeof *more);
	if (!more)
		return NULL;
	sh->peers = more;
	struct share_peer *p = &sh->peers[sh->npeers++];
	*p = (struct share_peer){.origin = ++sh->last_origin};
	memcpy(p->id, hub, sizeof p->id);
	log_info("share: hub %s is here", hub);
	return p;
}

/* Forget peer p and all it held (`why`, for the log): everyone here hears
 * what that changes. */
static void peer_forget(struct server *s, struct share_peer *p, const char *why)
{
	log_info("share: hub %s %s; its agents and streams are forgotten", p->id, why);
	agents_sweep(s, p, UINT64_MAX);
	presence_remote_sweep(s, p->origin, UINT64_MAX);
	free(p->agents);
	*p = s->share.peers[--s->share.npeers];
}

/* ---- reading notes ---------------------------------------------------------- */

/* A status item: an agent and "online", "away" or "offline". */
static bool read_status(const cJSON *j, uuid_str id, enum agent_status *st)
{
	struct errbuf err;
	int v;

	if (!jf_uuid(j, "agent", JF_REQUIRED, id, &err) ||
	    !jf_enum(j, "status", JF_REQUIRED, &agent_status_table, &v, &err) ||
	    v == AGENT_STATUS_NONE)
		return false;
	*st = v;
	return true;
}

static bool take_status_item(struct server *s, struct share_peer *p, const cJSON *j,
			     uint64_t gen)
{
	uuid_str id;
	enum agent_status st;

	return read_status(j, id, &st) && agent_set(s, p, id, st, gen);
}

static bool take_view_item(struct server *s, struct share_peer *p, const cJSON *j, uint64_t gen)
{
	struct errbuf err;
	uuid_str agent, viewing, typing;
	int64_t key;
	char *name = NULL;
	bool ok = jf_int(j, "key", JF_REQUIRED, 1, INT64_C(1) << 53, &key, &err) &&
		  jf_uuid(j, "agent", JF_REQUIRED, agent, &err) &&
		  jf_string(j, "name", JF_REQUIRED, NAME_MAX_CHARS, &name, &err) &&
		  jf_uuid(j, "viewing", JF_NULLABLE, viewing, &err) &&
		  jf_uuid(j, "typing", JF_NULLABLE, typing, &err);

	int added = ok ? presence_remote(s, p->origin, (uint64_t)key, agent, name, viewing,
					 typing, gen, p->nviews < PEER_VIEWS_MAX)
		       : -1;

	free(name);
	if (added > 0)
		p->nviews++;
	return added >= 0;
}

static void on_beat(uv_timer_t *t);

static bool take_hello(struct server *s, struct share_peer *p, const cJSON *j)
{
	(void)p, (void)j;
	/* It knows nothing yet: the next heartbeat, now. */
	uv_timer_start(&s->share.beat, on_beat, 0, HEARTBEAT_MS);
	return true;
}

static bool take_status(struct server *s, struct share_peer *p, const cJSON *j)
{
	return take_status_item(s, p, j, p->gen);
}

static bool take_view(struct server *s, struct share_peer *p, const cJSON *j)
{
	return take_view_item(s, p, j, p->gen);
}

static bool take_gone(struct server *s, struct share_peer *p, const cJSON *j)
{
	struct errbuf err;
	int64_t key;

	if (!jf_int(j, "key", JF_REQUIRED, 1, INT64_C(1) << 53, &key, &err))
		return false;
	if (presence_remote_gone(s, p->origin, (uint64_t)key))
		p->nviews--;
	return true;
}

static bool take_offer(struct server *s, struct share_peer *p, const cJSON *j)
{
	struct errbuf err;
	uuid_str agent, chat;
	int64_t seconds;

	(void)p;
	if (!jf_uuid(j, "agent", JF_REQUIRED, agent, &err) ||
	    !jf_uuid(j, "chat_id", JF_REQUIRED, chat, &err) ||
	    !jf_int(j, "seconds", JF_REQUIRED, 0, INT32_MAX, &seconds, &err))
		return false;
	agents_offer_here(s, agent, chat, seconds);
	return true;
}

static bool take_snapshot(struct server *s, struct share_peer *p, const cJSON *j)
{
	struct errbuf err;
	const cJSON *agents = cJSON_GetObjectItemCaseSensitive(j, "agents");
	const cJSON *views = cJSON_GetObjectItemCaseSensitive(j, "views");
	const cJSON *item;
	int64_t gen;
	bool last, ok = true;

	if (!jf_int(j, "gen", JF_REQUIRED, 1, INT64_C(1) << 53, &gen, &err) ||
	    !jf_bool(j, "last", JF_REQUIRED, &last, &err) || !cJSON_IsArray(agents) ||
	    !cJSON_IsArray(views))
		return false;
	p->gen = (uint64_t)gen;
	cJSON_ArrayForEach(item, agents) ok = take_status_item(s, p, item, p->gen) && ok;
	cJSON_ArrayForEach(item, views) ok = take_view_item(s, p, item, p->gen) && ok;
	if (last) {
		agents_sweep(s, p, p->gen);
		p->nviews -= presence_remote_sweep(s, p->origin, p->gen);
	}
	return ok;
}

static void peer_forget(struct server *s, struct share_peer *p, const char *why);

static bool take_bye(struct server *s, struct share_peer *p, const cJSON *j)
{
	(void)j;
	peer_forget(s, p, "stopped");
	return true;
}

static const struct note_kind {
	const char *name;
	bool (*take)(struct server *s, struct share_peer *p, const cJSON *j);
} KINDS[] = {
	{"hello", take_hello},   {"status", take_status},     {"view", take_view},
	{"gone", take_gone},     {"offer", take_offer},       {"snapshot", take_snapshot},
	{"bye", take_bye},
};

/* storage.h's share_hear: a note from a hub, this one's own included. */
static void on_note(void *ctx, const char *note, size_t len)
{
	struct server *s = ctx;
	struct errbuf err;
	cJSON *j = len <= STORAGE_NOTE_MAX ? json_parse_text(note, len, &err) : NULL;
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(j, "kind");
	const struct note_kind *k = NULL;
	struct share_peer *p = NULL;
	uuid_str hub;
	bool ok = cJSON_IsObject(j) && jf_uuid(j, "hub", JF_REQUIRED, hub, &err) &&
		  cJSON_IsString(kind);

	if (s->stopping || (ok && strcmp(hub, s->share.id) == 0)) {
		cJSON_Delete(j);
		return;
	}
	for (size_t i = 0; ok && !k && i < sizeof KINDS / sizeof *KINDS; i++)
		if (strcmp(KINDS[i].name, kind->valuestring) == 0)
			k = &KINDS[i];
	ok = k && (p = peer_of(s, hub));
	if (ok) {
		p->heard = uv_now(s->loop);
		ok = k->take(s, p, j);
	}
	if (!ok) {
		/* Once: a hub that keeps sending them must not flood the log. */
		log_msg(s->share.warned ? LOG_DEBUG : LOG_WARN,
			"share: a note from another hub was ignored (%zu bytes: not one this hub "
			"reads, or past its limits)", len);
		s->share.warned = true;
	}
	cJSON_Delete(j);
}

/* ---- the heartbeat ---------------------------------------------------------- */

static void on_beat(uv_timer_t *t)
{
	struct server *s = t->data;
	uint64_t now = uv_now(s->loop);

	if (s->stopping)
		return;
	snapshot_send(s);
	for (size_t i = s->share.npeers; i-- > 0;)
		if (now - s->share.peers[i].heard > (uint64_t)FORGET_BEATS * HEARTBEAT_MS)
			peer_forget(s, &s->share.peers[i], "fell silent");
}

bool share_init(struct server *s)
{
	if (uv_timer_init(s->loop, &s->share.beat) != 0)
		return false;
	s->share.beat.data = s;
	s->share.ready = true;
	return true;
}

void share_start(struct server *s)
{
	struct errbuf err;
	cJSON *hello;

	if (!uuid_generate(s->share.id, &err)) {
		log_error("share: %s; this hub shares no presence", err.msg);
		return;
	}
	if (!s->st->ops->share_hear(s->st, on_note, s))
		return; /* nobody to share with */
	s->share.on = true;
	log_info("share: presence shared with the other hubs as hub %s", s->share.id);
	if ((hello = note_new(s, "hello")))
		note_send(s, hello, true);
	uv_timer_start(&s->share.beat, on_beat, 0, HEARTBEAT_MS);
}

void share_close(struct server *s)
{
	cJSON *bye;

	/* The others forget this hub now rather than after its silence. */
	if (s->share.on && (bye = note_new(s, "bye")))
		note_send(s, bye, true);
	if (s->share.on)
		s->st->ops->share_hear(s->st, NULL, NULL);
	s->share.on = false;
	if (s->share.ready && !uv_is_closing((uv_handle_t *)&s->share.beat))
		uv_close((uv_handle_t *)&s->share.beat, NULL);
}

void share_free(struct server *s)
{
	for (size_t i = 0; i < s->share.npeers; i++)
		free(s->share.peers[i].agents);
	free(s->share.peers);
	s->share.peers = NULL;
	s->share.npeers = 0;
}
