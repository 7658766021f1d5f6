/*
 * store_view.c — the five views: which chats each holds, in which order, and
 * the order-statistic treap that keeps them sorted (see store.h).
 *
 * A treap is a binary search tree by the view's order that is also a heap
 * by a per-entry priority; with priorities that look random the expected
 * depth is O(log n) whatever order chats arrive in. Each node also knows the
 * size of its subtree, which makes "row i" and "row of chat x" O(log n).
 * Priorities are a hash of the entry index: no storage, and deterministic,
 * so tests are repeatable. All views share one priority per entry; they
 * are independent trees, so that does no harm.
 */
#include <string.h>

#include "store_internal.h"

/* ---- membership and order (the hub's filters and sorts) ----------------- */

/* ASCII-only lowercase, like SQLite's LIKE: other bytes match exactly. */
static unsigned char fold(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Does text contain needle (already folded)? Byte-wise is exact for UTF-8:
 * a valid needle can only match at character boundaries. */
static bool contains_folded(const char *text, const char *needle)
{
	if (!text)
		return false;
	for (const char *t = text;; t++) {
		size_t i = 0;
		while (needle[i] && fold((unsigned char)t[i]) == (unsigned char)needle[i])
			i++;
		if (!needle[i])
			return true;
		if (!*t)
			return false;
	}
}

bool view_matches(const struct store *s, enum view_kind v, const struct chat *c)
{
	switch (v) {
	case VIEW_WAITING:
		return chat_is_waiting(c);
	case VIEW_MINE:
		return s->me[0] && c->responder.type == RESPONDER_AGENT &&
		       strcmp(c->responder.id, s->me) == 0;
	case VIEW_UNASSIGNED:
		return c->responder.type != RESPONDER_AGENT;
	case VIEW_ALL:
		return true;
	case VIEW_SEARCH:
		/* The hub: an empty q matches everything (owner_name LIKE '%%'). */
		return s->search_folded &&
		       (!s->search_folded[0] || contains_folded(c->title, s->search_folded) ||
			contains_folded(c->owner.name, s->search_folded) ||
			(c->latest.present && contains_folded(c->latest.text, s->search_folded)));
	default:
		/* VIEW_FILTER and the saved views. */
		return s->has_filter[v - VIEW_FILTER] &&
		       view_spec_matches(&s->filters[v - VIEW_FILTER], s->me, c);
	}
}

/* db.c's recent_key: coalesce(latest_at, created_at). */
static int64_t recent_key(const struct chat *c)
{
	return c->latest.present ? c->latest.at : c->created_at;
}

/* db.c's wait_key: escalated_at when escalated, else last. TS_NONE is
 * INT64_MIN, so a null escalated_at sorts first, as SQLite's NULL does. */
static int64_t wait_key(const struct chat *c)
{
	return c->escalated ? c->escalated_at : INT64_MAX;
}

/* Does chat a come before chat b in view v? Ids are unique: a total order. */
static bool before(enum view_kind v, const struct chat *a, const struct chat *b)
{
	int64_t ka, kb;

	if (v == VIEW_WAITING) {
		ka = wait_key(a);
		kb = wait_key(b);
		if (ka != kb)
			return ka < kb;
		return strcmp(a->id, b->id) < 0;
	}
	ka = recent_key(a);
	kb = recent_key(b);
	if (ka != kb)
		return ka > kb;
	return strcmp(a->id, b->id) > 0;
}

/* ---- the treap ---------------------------------------------------------- */

static uint32_t priority(uint32_t x)
{
	/* murmur3's finaliser: consecutive indices spread over 32 bits. */
	x ^= x >> 16;
	x *= 0x85ebca6bU;
	x ^= x >> 13;
	x *= 0xc2b2ae35U;
	x ^= x >> 16;
	return x;
}

static bool above(uint32_t a, uint32_t b)
{
	uint32_t pa = priority(a), pb = priority(b);

	return pa > pb || (pa == pb && a > b);
}

static struct tnode *N(const struct store *s, enum view_kind v, uint32_t x)
{
	return view_node(s, v, x);
}

static uint32_t size_of(const struct store *s, enum view_kind v, uint32_t x)
{
	return x ? N(s, v, x)->size : 0;
}

static void update(const struct store *s, enum view_kind v, uint32_t x)
{
	struct tnode *n = N(s, v, x);

	n->size = 1 + size_of(s, v, n->left) + size_of(s, v, n->right);
}

static bool entry_before(const struct store *s, enum view_kind v, uint32_t a, uint32_t b)
{
	return before(v, &store_entry(s, a)->chat, &store_entry(s, b)->chat);
}

/* Split t into the nodes before x (*l) and after x (*r). */
static void split(const struct store *s, enum view_kind v, uint32_t t, uint32_t x, uint32_t *l,
		  uint32_t *r)
{
	if (!t) {
		*l = *r = 0;
		return;
	}
	struct tnode *n = N(s, v, t);
	if (entry_before(s, v, t, x)) {
		split(s, v, n->right, x, &n->right, r);
		*l = t;
	} else {
		split(s, v, n->left, x, l, &n->left);
		*r = t;
	}
	update(s, v, t);
}

/* Join two treaps where every node of a comes before every node of b. */
static uint32_t merge(const struct store *s, enum view_kind v, uint32_t a, uint32_t b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	if (above(a, b)) {
		N(s, v, a)->right = merge(s, v, N(s, v, a)->right, b);
		update(s, v, a);
		return a;
	}
	N(s, v, b)->left = merge(s, v, a, N(s, v, b)->left);
	update(s, v, b);
	return b;
}

static uint32_t insert_at(const struct store *s, enum view_kind v, uint32_t t, uint32_t x)
{
	if (!t)
		return x;
	struct tnode *n = N(s, v, t);
	if (above(x, t)) {
		split(s, v, t, x, &N(s, v, x)->left, &N(s, v, x)->right);
		update(s, v, x);
		return x;
	}
	if (entry_before(s, v, x, t))
		n->left = insert_at(s, v, n->left, x);
	else
		n->right = insert_at(s, v, n->right, x);
	update(s, v, t);
	return t;
}

static uint32_t remove_at(const struct store *s, enum view_kind v, uint32_t t, uint32_t x)
{
	if (!t)
		return 0;
	struct tnode *n = N(s, v, t);
	if (t == x)
		return merge(s, v, n->left, n->right);
	if (entry_before(s, v, x, t))
		n->left = remove_at(s, v, n->left, x);
	else
		n->right = remove_at(s, v, n->right, x);
	update(s, v, t);
	return t;
}

void view_insert(struct store *s, enum view_kind v, uint32_t x)
{
	struct entry *e = store_entry(s, x);

	*N(s, v, x) = (struct tnode){.size = 1};
	s->views[v].root = insert_at(s, v, s->views[v].root, x);
	if (v < VIEW_EMBEDDED)
		e->views |= (uint8_t)(1u << v);
	s->views[v].unread += e->chat.unread > 0;
}

/* The chat must still have the fields it was inserted with: the store
 * removes before it replaces. */
void view_remove(struct store *s, enum view_kind v, uint32_t x)
{
	struct entry *e = store_entry(s, x);

	s->views[v].root = remove_at(s, v, s->views[v].root, x);
	if (v < VIEW_EMBEDDED)
		e->views &= (uint8_t)~(1u << v);
	*N(s, v, x) = (struct tnode){0};
	s->views[v].unread -= e->chat.unread > 0;
}

size_t view_rank(const struct store *s, enum view_kind v, uint32_t x)
{
	uint32_t t = s->views[v].root;
	size_t r = 0;

	while (t) {
		const struct tnode *n = N(s, v, t);
		if (t == x)
			return r + size_of(s, v, n->left);
		if (entry_before(s, v, x, t)) {
			t = n->left;
		} else {
			r += size_of(s, v, n->left) + 1;
			t = n->right;
		}
	}
	return VIEW_NONE;
}

void view_rebuild(struct store *s, enum view_kind v)
{
	s->views[v].root = 0;
	s->views[v].unread = 0;
	for (uint32_t i = 1; i <= s->used; i++) {
		struct entry *e = store_entry(s, i);
		if (v < VIEW_EMBEDDED)
			e->views &= (uint8_t)~(1u << v);
		else if (!s->xnodes[v - VIEW_EMBEDDED])
			continue; /* no filter: an empty view */
		*N(s, v, i) = (struct tnode){0};
		if (view_matches(s, v, &e->chat))
			view_insert(s, v, i);
	}
}

/* ---- the public side ---------------------------------------------------- */

const struct view *store_view(const struct store *s, enum view_kind kind)
{
	if ((unsigned)kind >= VIEW_COUNT)
		return NULL;
	return &s->views[kind];
}

size_t view_count(const struct view *v)
{
	return size_of(v->store, v->kind, v->root);
}

size_t view_unread(const struct view *v)
{
	return v->unread;
}

const struct chat *view_at(const struct view *v, size_t i)
{
	uint32_t t = v->root;

	while (t) {
		const struct tnode *n = N(v->store, v->kind, t);
		size_t left = size_of(v->store, v->kind, n->left);
		if (i == left)
			return &store_entry(v->store, t)->chat;
		if (i < left) {
			t = n->left;
		} else {
			i -= left + 1;
			t = n->right;
		}
	}
	return NULL;
}

size_t view_index_of(const struct view *v, const char *chat_id)
{
	uint32_t x = store_lookup(v->store, chat_id);

	if (!x || !entry_in_view(v->store, v->kind, x))
		return VIEW_NONE;
	return view_rank(v->store, v->kind, x);
}
