/*
 * store.h — the client's single source of truth: chats by id, five ordered
 * views of them, and the message threads the UI has open.
 *
 * Pure data: no network, no libuv, no curses. The API client and the event
 * stream feed it model structs (src/model.h, decoded by src/codec.h); the UI
 * reads views and threads and redraws what the change notifications name.
 *
 * Ownership: every put copies its input (chat_copy / message_copy); the
 * caller keeps and frees what it passed. Pointers the store hands out
 * (store_chat, view_at, thread_at, store_view, store_thread) point into the
 * store: a chat pointer stays valid, showing the newest copy, until
 * store_clear or store_free; a message pointer until its thread is dropped,
 * store_clear or store_free. Never free or change them.
 *
 * Applying is idempotent (doc/architecture.md, "Design"): a chat replaces the held copy
 * only if its `version` is greater; a message joins its thread only if its
 * `seq` is not there yet. Applying the same thing twice changes nothing and
 * notifies nobody.
 *
 * Views mirror the hub's lists (doc/protocol.md, "Listing chats") so that a
 * view filled from API pages and kept live by events shows the hub's order:
 *
 *   VIEW_WAITING     chat_is_waiting()              escalated_at oldest first, then id ascending
 *   VIEW_MINE        responder is the agent set by store_set_me()   recent
 *   VIEW_UNASSIGNED  responder.type is not agent (hub: responder=none)  recent
 *   VIEW_ALL         every chat held, stopped ones included          recent
 *   VIEW_SEARCH      title, owner name or latest preview contains the query
 *                    set by store_set_search(), ASCII case folded (hub: q)   recent
 *   VIEW_FILTER      the console's filter, a view spec (viewspec.h) set by
 *                    store_set_filter()                              recent
 *   VIEW_SAVED+i     saved view i (0..VIEW_SAVED_MAX-1), likewise      recent
 *
 * "recent" is the latest message's time (created_at for a chat without
 * messages) newest first, then id descending. A view lists the chats the
 * store holds: which of the hub's chats those are is the API client's
 * business (pages it fetched, plus everything events brought).
 *
 * Count, at(i) and index_of are O(log n); a change moves a chat in each
 * view in O(log n) (one order-statistic treap implementation, one
 * instance a view, nodes embedded in the chat's entry).
 */
#ifndef HANDOFF_STORE_H
#define HANDOFF_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errbuf.h"
#include "model.h"
#include "viewspec.h"

struct store;
struct view;
struct thread;

enum view_kind {
	VIEW_WAITING,
	VIEW_MINE,
	VIEW_UNASSIGNED,
	VIEW_ALL,
	VIEW_SEARCH,
	VIEW_FILTER,
	VIEW_SAVED, /* the first of VIEW_SAVED_MAX */
};
#define VIEW_COUNT (VIEW_SAVED + VIEW_SAVED_MAX)

/* What a put or apply did. STORE_FAILED changed nothing and filled err. */
enum store_result { STORE_FAILED = -1, STORE_UNCHANGED = 0, STORE_CHANGED = 1 };

/* "No index": the chat was not in the view before (or is not after). */
#define VIEW_NONE SIZE_MAX

/*
 * One change, as subscribers hear it. Listeners run after the store is
 * fully updated (they may read it, but must not change it: a put from a
 * listener fails). One put can produce several changes, one per view it
 * touched, then one for the thread.
 *
 *   STORE_CHAT_ADDED    chat entered `view` at new_index (rows from there shift down)
 *   STORE_CHAT_REMOVED  chat left `view` from old_index (rows after it shift up)
 *   STORE_CHAT_CHANGED  chat stayed in `view`: old_index == new_index means the
 *                       row changed in place; otherwise it moved (as if removed
 *                       at old_index, then added at new_index)
 *   STORE_VIEW_RESET    `view` was rebuilt wholesale (store_set_me, store_set_search,
 *                       store_set_filter)
 *   STORE_THREAD_CHANGED messages seq_from..seq_to were added to the chat's
 *                       thread (not necessarily every seq between)
 *   STORE_CLEARED       everything was dropped (store_clear, a resync event)
 *   STORE_PRESENCE_CHANGED who views or types in chat_id changed
 *
 * Every chat is in VIEW_ALL, so a screen showing one chat learns of any
 * change to it from VIEW_ALL's ADDED/CHANGED with its id.
 */
enum store_change_kind {
	STORE_CHAT_ADDED,
	STORE_CHAT_CHANGED,
	STORE_CHAT_REMOVED,
	STORE_VIEW_RESET,
	STORE_THREAD_CHANGED,
	STORE_CLEARED,
	STORE_PRESENCE_CHANGED,
};

struct store_change {
	enum store_change_kind kind;
	enum view_kind view;      /* CHAT_* and VIEW_RESET */
	const char *chat_id;      /* CHAT_* and THREAD_CHANGED, else "" */
	size_t old_index;         /* CHAT_CHANGED, CHAT_REMOVED; else VIEW_NONE */
	size_t new_index;         /* CHAT_CHANGED, CHAT_ADDED; else VIEW_NONE */
	int64_t seq_from, seq_to; /* THREAD_CHANGED */
};

typedef void (*store_listener_fn)(void *ctx, const struct store_change *change);

/* ---- the store ---------------------------------------------------------- */

/* An empty store (no me, no search). NULL only when out of memory. */
struct store *store_new(void);

/* Free the store and everything it holds. NULL is fine. */
void store_free(struct store *s);

/* Add a listener; several may be added (they run in the order added).
 * False only when out of memory. */
bool store_subscribe(struct store *s, store_listener_fn fn, void *ctx);

/* Remove the listener added with exactly this fn and ctx (if any). */
void store_unsubscribe(struct store *s, store_listener_fn fn, void *ctx);

/* Hold `c` (copied) unless a copy with the same or a higher version is held.
 * CHANGED: added or replaced, views updated, listeners told. FAILED: out of
 * memory, an empty id, or called from a listener. */
enum store_result store_put_chat(struct store *s, const struct chat *c, struct errbuf *err);

/* Set the chat's unread count (a chat.read event, or a count the console
 * knows better); UNCHANGED when the chat is not held or already says so. */
enum store_result store_put_unread(struct store *s, const char *chat_id, int64_t unread,
				   struct errbuf *err);

/*
 * Apply one frame of the event stream:
 *   chat.created, chat.updated  store_put_chat(e->chat);
 *   message.created             the chat as above, and the message joins its
 *                               thread if that thread is open (store_thread_open,
 *                               store_put_messages): the store does not keep
 *                               every message of every chat, only threads the UI
 *                               asked for;
 *   hello                       store_set_me(e->me->id) when it differs;
 *   resync                      store_clear (the client reloads its lists);
 *   chat.read                   store_put_unread (the agent read it elsewhere).
 * A message by someone else adds one to the chat's unread count.
 *   presence                    replaces who views and types in its chat
 *                               (store_presence); a hello forgets them all,
 *                               since the hub sends them again.
 * All or nothing: FAILED leaves the store as it was.
 */
enum store_result store_apply_event(struct store *s, const struct event *e, struct errbuf *err);

/* Who views and types in the chat, or NULL when nobody (or not known). */
const struct chat_presence *store_presence(const struct store *s, const char *chat_id);

/* The chat held with this id, or NULL. O(1). */
const struct chat *store_chat(const struct store *s, const char *chat_id);

/* Number of chats held. */
size_t store_chat_count(const struct store *s);

/* The signed-in agent's id ("" or NULL: nobody, MINE is empty). Rebuilds
 * VIEW_MINE (O(n log n)) and sends STORE_VIEW_RESET when it changed.
 * False only when called from a listener. */
bool store_set_me(struct store *s, const char *agent_id);

/* The signed-in agent's id, "" when none. */
const char *store_me(const struct store *s);

/* The search query (NULL: no search, VIEW_SEARCH is empty; "" matches every
 * chat, as the hub's q= does). Rebuilds VIEW_SEARCH and sends
 * STORE_VIEW_RESET. False when out of memory or called from a listener. */
bool store_set_search(struct store *s, const char *query, struct errbuf *err);

/* The search query, NULL when none. */
const char *store_search(const struct store *s);

/* The filter of view v (VIEW_FILTER or a saved one; NULL: none, the view
 * is empty). Rebuilds v and sends STORE_VIEW_RESET. False for another
 * view or when called from a listener. */
bool store_set_filter(struct store *s, enum view_kind v, const struct view_spec *spec,
		      struct errbuf *err);

/* The filter of view v, NULL when none (or v has no filter). */
const struct view_spec *store_filter(const struct store *s, enum view_kind v);

/* Drop every chat, view row and thread (for a stream resync: the client
 * reloads its lists). Keeps me, the search query and the listeners, and
 * tells them STORE_CLEARED. */
void store_clear(struct store *s);

/* ---- views -------------------------------------------------------------- */

/* One of the views; never NULL for a valid kind. */
const struct view *store_view(const struct store *s, enum view_kind kind);

/* Number of chats in the view. O(1). */
size_t view_count(const struct view *v);

/* Number of chats in the view with unread messages (chat.unread > 0). O(1). */
size_t view_unread(const struct view *v);

/* The chat at row i (0 = top), or NULL when i >= view_count. O(log n). */
const struct chat *view_at(const struct view *v, size_t i);

/* The row of the chat with this id, or VIEW_NONE when it is not in the
 * view. O(log n). */
size_t view_index_of(const struct view *v, const char *chat_id);

/* ---- threads ------------------------------------------------------------ */

/* Start keeping this chat's messages: from now on message.created events
 * for it are added. UNCHANGED if it was open; FAILED for an unknown chat. */
enum store_result store_thread_open(struct store *s, const char *chat_id, struct errbuf *err);

/* Forget the chat's messages (the UI closed it; saves memory). */
void store_thread_drop(struct store *s, const char *chat_id);

/*
 * Add a page of GET /v1/chats/{id}/messages (any order; ones held already
 * are skipped), opening the thread if needed. has_more_before false says no
 * message precedes the page (it matters for an empty page: the thread is
 * then known to be empty from the start). FAILED when the chat is not held,
 * a message belongs to another chat or has a seq < 1, or out of memory —
 * and then nothing was added.
 */
enum store_result store_put_messages(struct store *s, const char *chat_id,
				     const struct message *msgs, size_t n, bool has_more_before,
				     struct errbuf *err);

/* The open thread of a chat, or NULL. */
const struct thread *store_thread(const struct store *s, const char *chat_id);

/* Messages held, and the one at index i in ascending seq (NULL past the end). */
size_t thread_count(const struct thread *t);
const struct message *thread_at(const struct thread *t, size_t i);

/* The index of the message with this seq, or VIEW_NONE. O(log n). */
size_t thread_index_of(const struct thread *t, int64_t seq);

/* Lowest and highest seq held; 0 when the thread is empty. */
int64_t thread_oldest_loaded(const struct thread *t);
int64_t thread_newest_loaded(const struct thread *t);

/* Whether the start of the conversation is held: seq 1, or a page with
 * has_more_before false said the chat has no messages. */
bool thread_has_beginning(const struct thread *t);

/*
 * The highest seq below `seq` that is not held, or 0 when 1..seq-1 are all
 * held. Seq is per chat, from 1, gap-free (protocol), so this is what the
 * scrollback must fetch: GET …/messages?before_seq=<result + 1>. With
 * seq = thread_newest_loaded() + 1 it finds the gap a live event left
 * (e.g. 57 arrived when 1..40 were held: 56). O(log n).
 */
int64_t thread_gap_below(const struct thread *t, int64_t seq);

#endif
