/*
 * store_internal.h — what the store's files share (see store.h). Not for
 * users of the store.
 */
#ifndef HANDOFF_STORE_INTERNAL_H
#define HANDOFF_STORE_INTERNAL_H

#include "store.h"

/*
 * Entries live in fixed-size chunks that never move, so chat pointers
 * handed out stay valid, and are named by a 32-bit index (0 = none). Tree
 * links are indices too: 12 bytes per view instead of 24 with pointers
 * and no allocation per node — this is what keeps a chat under 1 KiB.
 */
#define ENTRY_CHUNK 256

struct tnode {
	uint32_t left, right, size;
};

/* The views whose nodes live in every entry; the filtered ones (FILTER,
 * SAVED) keep theirs in store.xnodes, only while they have a filter, so a
 * console without saved views pays nothing per chat for them. */
#define VIEW_EMBEDDED VIEW_FILTER

struct entry {
	struct chat chat;
	struct thread *thread;       /* NULL: thread not open */
	struct tnode node[VIEW_EMBEDDED];
	uint8_t views;               /* bit v: in view v (v < VIEW_EMBEDDED) */
};

struct view {
	struct store *store;
	enum view_kind kind;
	uint32_t root;
	size_t unread;               /* chats in it with unread messages */
};

struct listener {
	store_listener_fn fn;
	void *ctx;
};

/* Interned strings (channel and responder names repeat across chats). */
struct strpool {
	char **slots;
	size_t cap, count;
};

struct store {
	struct entry **chunks;
	uint32_t nchunks, used;      /* entries 1..used are in use */
	uint32_t *slots;             /* hash table of entry indices, 0 = empty */
	uint32_t slot_cap;           /* a power of two, or 0 */
	struct view views[VIEW_COUNT];
	struct strpool pool;
	uuid_str me;
	char *search;                /* as given */
	char *search_folded;         /* ASCII lowercase */
	/* VIEW_FILTER and the saved views: has_filter false leaves one empty */
	struct view_spec filters[VIEW_COUNT - VIEW_FILTER];
	bool has_filter[VIEW_COUNT - VIEW_FILTER];
	/* Their tree nodes, entry x's at [x - 1], nchunks * ENTRY_CHUNK of
	 * them; NULL while the view has no filter (or the store no chunk). */
	struct tnode *xnodes[VIEW_COUNT - VIEW_FILTER];
	struct chat_presence *presence; /* store_presence.c */
	size_t npresence;
	struct listener *listeners;
	size_t nlisteners;
	bool notifying;              /* inside a listener: refuse changes */
};

static inline struct entry *store_entry(const struct store *s, uint32_t i)
{
	return &s->chunks[(i - 1) / ENTRY_CHUNK][(i - 1) % ENTRY_CHUNK];
}

/* View v's tree node of entry x. */
static inline struct tnode *view_node(const struct store *s, int v, uint32_t x)
{
	return v < VIEW_EMBEDDED ? &store_entry(s, x)->node[v] : &s->xnodes[v - VIEW_EMBEDDED][x - 1];
}

/* Whether entry x is in view v (a node in a view has a size of 1 or more). */
static inline bool entry_in_view(const struct store *s, int v, uint32_t x)
{
	if (v < VIEW_EMBEDDED)
		return store_entry(s, x)->views & (1u << v);
	return s->xnodes[v - VIEW_EMBEDDED] && s->xnodes[v - VIEW_EMBEDDED][x - 1].size;
}

/* store.c */
uint32_t store_lookup(const struct store *s, const char *chat_id);
void store_notify(struct store *s, const struct store_change *c);
/* Listeners may read the store, never change it: every change starts with
 * this (false, with the reason in err, inside a listener). */
bool store_refuse_reentry(const struct store *s, struct errbuf *err);

/* store_view.c: the treap of one view, keyed by the view's order. */
bool view_matches(const struct store *s, enum view_kind v, const struct chat *c);
void view_insert(struct store *s, enum view_kind v, uint32_t x);
void view_remove(struct store *s, enum view_kind v, uint32_t x);
size_t view_rank(const struct store *s, enum view_kind v, uint32_t x);
/* Empty view v (O(n) over the entries) and fill it again from the matches. */
void view_rebuild(struct store *s, enum view_kind v);

/* store_presence.c: a presence frame replaces its chat's; drop_all on
 * free and on a new connection's hello (the hub sends them all again). */
enum store_result store_presence_put(struct store *s, const struct chat_presence *p,
				     struct errbuf *err);
void store_presence_drop_all(struct store *s);

/* store_thread.c */
void thread_free(struct thread *t);
struct thread *thread_new(void);
/* Insert a copy-owned message (the thread takes *m on success). Returns 1
 * added, 0 already held (m untouched), -1 out of memory. */
int thread_insert_one(struct thread *t, struct message *m);
/* Take out and free the message with this seq (undo of thread_insert_one). */
void thread_remove_seq(struct thread *t, int64_t seq);
/* Add copies of the messages not held; all or nothing. Sets *from / *to
 * to the lowest and highest seq added, *marked_empty when an empty page
 * just told that the thread is empty from the start. Returns the number
 * added, or -1 when out of memory. */
int thread_put(struct thread *t, const struct message *msgs, size_t n, bool has_more_before,
	       int64_t *from, int64_t *to, bool *marked_empty);

/* store_pool.c */
/* The pooled copy of s (NULL stays NULL); NULL when out of memory. */
const char *strpool_intern(struct strpool *p, const char *s);
void strpool_free(struct strpool *p);

#endif
