/*
 * store.c — chats by id, applying chats and events, listeners (see store.h).
 *
 * A change to a chat runs in three steps so listeners always see a whole,
 * consistent store: note the chat's row in every view it is in and take it
 * out (with its old fields: the trees are keyed by them), replace the chat,
 * put it back where it now belongs; then tell listeners, view by view.
 */
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

/* ---- chats by id: open addressing over entry indices -------------------- */

static uint32_t id_hash(const char *id)
{
	uint32_t h = 2166136261U;

	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 16777619U;
	return h;
}

uint32_t store_lookup(const struct store *s, const char *chat_id)
{
	if (!s->slot_cap || !chat_id)
		return 0;
	for (uint32_t j = id_hash(chat_id) & (s->slot_cap - 1);; j = (j + 1) & (s->slot_cap - 1)) {
		uint32_t x = s->slots[j];
		if (!x || strcmp(store_entry(s, x)->chat.id, chat_id) == 0)
			return x;
	}
}

static void slot_put(uint32_t *slots, uint32_t cap, const char *id, uint32_t x)
{
	uint32_t j = id_hash(id) & (cap - 1);

	while (slots[j])
		j = (j + 1) & (cap - 1);
	slots[j] = x;
}

/* Filtered view k's nodes to `chunks` chunks' worth, the new ones zero. */
static bool xnodes_grow(struct store *s, int k, uint32_t chunks)
{
	size_t had = s->xnodes[k] ? (size_t)s->nchunks * ENTRY_CHUNK : 0;
	size_t want = (size_t)chunks * ENTRY_CHUNK;

	if (want <= had)
		return true;
	struct tnode *n = realloc(s->xnodes[k], want * sizeof *n);
	if (!n)
		return false;
	memset(n + had, 0, (want - had) * sizeof *n);
	s->xnodes[k] = n;
	return true;
}

/* Room for one more chat: an entry and a hash slot (load at most 1/2, and
 * chats are never removed one by one, so no tombstones). */
static bool reserve_chat(struct store *s)
{
	if (s->used == UINT32_MAX - 1)
		return false;
	if (2 * ((size_t)s->used + 1) > s->slot_cap) {
		uint32_t cap = s->slot_cap ? 2 * s->slot_cap : 64;
		uint32_t *slots = calloc(cap, sizeof *slots);
		if (!slots)
			return false;
		for (uint32_t i = 1; i <= s->used; i++)
			slot_put(slots, cap, store_entry(s, i)->chat.id, i);
		free(s->slots);
		s->slots = slots;
		s->slot_cap = cap;
	}
	if (s->used == s->nchunks * ENTRY_CHUNK) {
		/* The filtered views' nodes first: a failure leaves them
		 * larger than needed, never too small. */
		for (int k = 0; k < VIEW_COUNT - VIEW_EMBEDDED; k++)
			if (s->has_filter[k] && !xnodes_grow(s, k, s->nchunks + 1))
				return false;
		struct entry **chunks = realloc(s->chunks, (s->nchunks + 1) * sizeof *chunks);
		if (!chunks)
			return false;
		s->chunks = chunks;
		if (!(chunks[s->nchunks] = calloc(ENTRY_CHUNK, sizeof **chunks)))
			return false;
		s->nchunks++;
	}
	return true;
}

/* ---- lifecycle ---------------------------------------------------------- */

struct store *store_new(void)
{
	struct store *s = calloc(1, sizeof *s);

	if (!s)
		return NULL;
	for (int v = 0; v < VIEW_COUNT; v++)
		s->views[v] = (struct view){.store = s, .kind = (enum view_kind)v};
	return s;
}

/* The pooled names are the pool's, not the chat's. */
static void entry_chat_free(struct entry *e)
{
	e->chat.channel.name = NULL;
	e->chat.responder.name = NULL;
	chat_free(&e->chat);
}

static void drop_all(struct store *s)
{
	for (uint32_t i = 1; i <= s->used; i++) {
		struct entry *e = store_entry(s, i);
		entry_chat_free(e);
		thread_free(e->thread);
	}
	for (uint32_t c = 0; c < s->nchunks; c++)
		free(s->chunks[c]);
	free(s->chunks);
	free(s->slots);
	strpool_free(&s->pool);
	s->chunks = NULL;
	s->slots = NULL;
	s->nchunks = s->used = s->slot_cap = 0;
	for (int v = 0; v < VIEW_COUNT; v++)
		s->views[v].root = 0, s->views[v].unread = 0;
	for (int k = 0; k < VIEW_COUNT - VIEW_EMBEDDED; k++) {
		free(s->xnodes[k]);
		s->xnodes[k] = NULL;
	}
}

void store_free(struct store *s)
{
	if (!s)
		return;
	drop_all(s);
	store_presence_drop_all(s);
	free(s->search);
	free(s->search_folded);
	free(s->listeners);
	free(s);
}

void store_clear(struct store *s)
{
	if (s->notifying)
		return;
	drop_all(s);
	store_notify(s, &(struct store_change){.kind = STORE_CLEARED, .chat_id = "",
					       .old_index = VIEW_NONE, .new_index = VIEW_NONE});
}

size_t store_chat_count(const struct store *s)
{
	return s->used;
}

const struct chat *store_chat(const struct store *s, const char *chat_id)
{
	uint32_t x = store_lookup(s, chat_id);

	return x ? &store_entry(s, x)->chat : NULL;
}

/* ---- listeners ---------------------------------------------------------- */

bool store_subscribe(struct store *s, store_listener_fn fn, void *ctx)
{
	struct listener *l = realloc(s->listeners, (s->nlisteners + 1) * sizeof *l);

	if (!l)
		return false;
	s->listeners = l;
	l[s->nlisteners++] = (struct listener){fn, ctx};
	return true;
}

void store_unsubscribe(struct store *s, store_listener_fn fn, void *ctx)
{
	for (size_t i = 0; i < s->nlisteners; i++) {
		if (s->listeners[i].fn == fn && s->listeners[i].ctx == ctx) {
			memmove(&s->listeners[i], &s->listeners[i + 1],
				(s->nlisteners - i - 1) * sizeof *s->listeners);
			s->nlisteners--;
			return;
		}
	}
}

void store_notify(struct store *s, const struct store_change *c)
{
	s->notifying = true;
	for (size_t i = 0; i < s->nlisteners; i++)
		s->listeners[i].fn(s->listeners[i].ctx, c);
	s->notifying = false;
}

bool store_refuse_reentry(const struct store *s, struct errbuf *err)
{
	if (s->notifying)
		return errbuf_set(err, "store: cannot change the store from a listener");
	return true;
}

/* ---- chats -------------------------------------------------------------- */

/* A copy of c with the pooled names, or false (out of memory). */
static bool chat_import(struct store *s, struct chat *dst, const struct chat *c)
{
	if (!chat_copy(dst, c))
		return false;
	const char *channel = strpool_intern(&s->pool, dst->channel.name);
	const char *responder = strpool_intern(&s->pool, dst->responder.name);
	if ((dst->channel.name && !channel) || (dst->responder.name && !responder)) {
		chat_free(dst);
		return false;
	}
	free(dst->channel.name);
	free(dst->responder.name);
	dst->channel.name = (char *)channel;
	dst->responder.name = (char *)responder;
	return true;
}

/* Take entry x out of its views before its chat changes, noting in old[v]
 * where it was (VIEW_NONE if absent). */
static void take_out(struct store *s, uint32_t x, size_t old[VIEW_COUNT])
{
	for (int v = 0; v < VIEW_COUNT; v++) {
		old[v] = VIEW_NONE;
		if (entry_in_view(s, v, x)) {
			old[v] = view_rank(s, (enum view_kind)v, x);
			view_remove(s, (enum view_kind)v, x);
		}
	}
}

/* Put entry x (holding its new chat) into the views it matches and tell
 * listeners, given where it was before (old[v], VIEW_NONE if absent). */
static void place_and_notify(struct store *s, uint32_t x, const size_t old[VIEW_COUNT])
{
	struct entry *e = store_entry(s, x);
	size_t now[VIEW_COUNT];

	for (int v = 0; v < VIEW_COUNT; v++) {
		now[v] = VIEW_NONE;
		if (view_matches(s, (enum view_kind)v, &e->chat)) {
			view_insert(s, (enum view_kind)v, x);
			now[v] = view_rank(s, (enum view_kind)v, x);
		}
	}
	for (int v = 0; v < VIEW_COUNT; v++) {
		if (old[v] == VIEW_NONE && now[v] == VIEW_NONE)
			continue;
		struct store_change c = {
			.kind = old[v] == VIEW_NONE   ? STORE_CHAT_ADDED
				: now[v] == VIEW_NONE ? STORE_CHAT_REMOVED
						      : STORE_CHAT_CHANGED,
			.view = (enum view_kind)v,
			.chat_id = e->chat.id,
			.old_index = old[v],
			.new_index = now[v],
		};
		store_notify(s, &c);
	}
}

enum store_result store_put_chat(struct store *s, const struct chat *c, struct errbuf *err)
{
	struct chat copy;
	size_t old[VIEW_COUNT];

	if (!store_refuse_reentry(s, err))
		return STORE_FAILED;
	if (!c || !c->id[0]) {
		errbuf_set(err, "store: a chat without an id");
		return STORE_FAILED;
	}
	uint32_t x = store_lookup(s, c->id);
	if (x && c->version <= store_entry(s, x)->chat.version)
		return STORE_UNCHANGED;
	if ((!x && !reserve_chat(s)) || !chat_import(s, &copy, c)) {
		errbuf_set(err, "store: out of memory");
		return STORE_FAILED;
	}
	/* Events carry no unread count (it is each agent's own): keep ours. */
	if (copy.unread < 0)
		copy.unread = x ? store_entry(s, x)->chat.unread : 0;
	if (!x) {
		x = ++s->used;
		slot_put(s->slots, s->slot_cap, copy.id, x);
		store_entry(s, x)->chat = copy;
		for (int v = 0; v < VIEW_COUNT; v++)
			old[v] = VIEW_NONE;
	} else {
		take_out(s, x, old);
		entry_chat_free(store_entry(s, x));
		store_entry(s, x)->chat = copy;
	}
	place_and_notify(s, x, old);
	return STORE_CHANGED;
}

enum store_result store_put_unread(struct store *s, const char *chat_id, int64_t unread,
				   struct errbuf *err)
{
	size_t old[VIEW_COUNT];

	if (!store_refuse_reentry(s, err))
		return STORE_FAILED;
	uint32_t x = store_lookup(s, chat_id);
	if (!x || store_entry(s, x)->chat.unread == unread)
		return STORE_UNCHANGED;
	take_out(s, x, old);
	store_entry(s, x)->chat.unread = unread;
	place_and_notify(s, x, old);
	return STORE_CHANGED;
}


/* ---- me, search and filters --------------------------------------------- */

/* Rebuild view v and tell the listeners. */
static void reset_view(struct store *s, enum view_kind v)
{
	view_rebuild(s, v);
	store_notify(s, &(struct store_change){.kind = STORE_VIEW_RESET, .view = v,
					       .chat_id = "", .old_index = VIEW_NONE,
					       .new_index = VIEW_NONE});
}

const char *store_me(const struct store *s)
{
	return s->me;
}

bool store_set_me(struct store *s, const char *agent_id)
{
	if (s->notifying)
		return false;
	if (!agent_id)
		agent_id = "";
	if (strcmp(s->me, agent_id) == 0)
		return true;
	/* Ids longer than a uuid cannot match any responder: keep none. */
	if (strlen(agent_id) > UUID_STRLEN)
		agent_id = "";
	strcpy(s->me, agent_id);
	reset_view(s, VIEW_MINE);
	/* holder=me filters mean someone else now. */
	for (int v = VIEW_FILTER; v < VIEW_COUNT; v++)
		if (s->has_filter[v - VIEW_FILTER] && s->filters[v - VIEW_FILTER].holder == HOLDER_ME)
			reset_view(s, (enum view_kind)v);
	return true;
}

const char *store_search(const struct store *s)
{
	return s->search;
}

bool store_set_search(struct store *s, const char *query, struct errbuf *err)
{
	char *q = NULL, *folded = NULL;

	if (!store_refuse_reentry(s, err))
		return false;
	if (query && (!(q = strdup(query)) || !(folded = strdup(query)))) {
		free(q);
		return errbuf_set(err, "store: out of memory");
	}
	for (char *p = folded; p && *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	free(s->search);
	free(s->search_folded);
	s->search = q;
	s->search_folded = folded;
	reset_view(s, VIEW_SEARCH);
	return true;
}

bool store_set_filter(struct store *s, enum view_kind v, const struct view_spec *spec,
		      struct errbuf *err)
{
	if (!store_refuse_reentry(s, err))
		return false;
	if (v < VIEW_FILTER || v >= VIEW_COUNT)
		return errbuf_set(err, "store: view %d takes no filter", (int)v);
	int k = v - VIEW_EMBEDDED;
	if (spec && !xnodes_grow(s, k, s->nchunks))
		return errbuf_set(err, "store: out of memory");
	if (!spec) {
		free(s->xnodes[k]);
		s->xnodes[k] = NULL;
	}
	s->has_filter[k] = spec != NULL;
	if (spec)
		s->filters[k] = *spec;
	reset_view(s, v);
	return true;
}

const struct view_spec *store_filter(const struct store *s, enum view_kind v)
{
	if (v < VIEW_FILTER || v >= VIEW_COUNT || !s->has_filter[v - VIEW_FILTER])
		return NULL;
	return &s->filters[v - VIEW_FILTER];
}
