/*
 * store_apply.c — events and message pages into the store (see store.h).
 */
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

static void notify_thread(struct store *s, const char *chat_id, int64_t from, int64_t to)
{
	store_notify(s, &(struct store_change){.kind = STORE_THREAD_CHANGED, .chat_id = chat_id,
					       .old_index = VIEW_NONE, .new_index = VIEW_NONE,
					       .seq_from = from, .seq_to = to});
}

/*
 * message.created: the message first (it can fail without a trace), then
 * the chat; if the chat fails, the message comes out again, so the event is
 * applied whole or not at all. Listeners hear of the thread last.
 */
static enum store_result apply_message(struct store *s, const struct event *e,
				       struct errbuf *err)
{
	const struct message *m = e->message;
	struct entry *en = NULL;
	struct message *copy = NULL;
	int added = 0;

	if (!e->chat || !m || strcmp(m->chat_id, e->chat->id) != 0 || m->seq < 1) {
		errbuf_set(err, "store: a message.created event without its chat or message");
		return STORE_FAILED;
	}
	uint32_t x = store_lookup(s, e->chat->id);
	if (x)
		en = store_entry(s, x);
	if (en && en->thread) {
		if (thread_index_of(en->thread, m->seq) == VIEW_NONE) {
			if (!(copy = malloc(sizeof *copy)) || !message_copy(copy, m) ||
			    (added = thread_insert_one(en->thread, copy)) < 0) {
				if (copy)
					message_free(copy);
				free(copy);
				errbuf_set(err, "store: out of memory");
				return STORE_FAILED;
			}
		}
	}
	/* A message by someone else is one more unread (up to what the hub
	 * would count); a duplicate is not, since store_put_chat skips it. */
	struct chat c = *e->chat;
	c.unread = en ? en->chat.unread : 0;
	if (strcmp(m->author.id, store_me(s)) != 0 && c.unread < UNREAD_MAX)
		c.unread++;
	enum store_result r = store_put_chat(s, &c, err);
	if (r == STORE_FAILED) {
		if (added)
			thread_remove_seq(en->thread, m->seq);
		return STORE_FAILED;
	}
	if (added) {
		notify_thread(s, e->chat->id, m->seq, m->seq);
		return STORE_CHANGED;
	}
	return r;
}

enum store_result store_apply_event(struct store *s, const struct event *e, struct errbuf *err)
{
	if (!store_refuse_reentry(s, err))
		return STORE_FAILED;
	switch (e->type) {
	case EVENT_CHAT_CREATED:
	case EVENT_CHAT_UPDATED:
		if (!e->chat) {
			errbuf_set(err, "store: a chat event without its chat");
			return STORE_FAILED;
		}
		return store_put_chat(s, e->chat, err);
	case EVENT_MESSAGE_CREATED:
		return apply_message(s, e, err);
	case EVENT_HELLO:
		store_presence_drop_all(s);
		if (!e->me || strcmp(store_me(s), e->me->id) == 0)
			return STORE_UNCHANGED;
		store_set_me(s, e->me->id);
		return STORE_CHANGED;
	case EVENT_RESYNC:
		store_clear(s);
		return STORE_CHANGED;
	case EVENT_CHAT_READ:
		return store_put_unread(s, e->chat_id, e->unread, err);
	case EVENT_PRESENCE:
		return store_presence_put(s, e->presence, err);
	case EVENT_AGENT:
	case EVENT_OFFER:
		/* v1.1: the caller's (session.c); nothing of a chat changes. */
		return STORE_UNCHANGED;
	}
	errbuf_set(err, "store: an event of unknown type %d", (int)e->type);
	return STORE_FAILED;
}

/* ---- threads ------------------------------------------------------------ */

/* The entry of a held chat, or NULL with err filled. */
static struct entry *chat_entry(struct store *s, const char *chat_id, struct errbuf *err)
{
	uint32_t x = store_lookup(s, chat_id);

	if (!x) {
		errbuf_set(err, "store: no chat %.40s is held", chat_id ? chat_id : "(null)");
		return NULL;
	}
	return store_entry(s, x);
}

enum store_result store_thread_open(struct store *s, const char *chat_id, struct errbuf *err)
{
	struct entry *e;

	if (!store_refuse_reentry(s, err))
		return STORE_FAILED;
	if (!(e = chat_entry(s, chat_id, err)))
		return STORE_FAILED;
	if (e->thread)
		return STORE_UNCHANGED;
	if (!(e->thread = thread_new())) {
		errbuf_set(err, "store: out of memory");
		return STORE_FAILED;
	}
	return STORE_CHANGED;
}

void store_thread_drop(struct store *s, const char *chat_id)
{
	uint32_t x = store_lookup(s, chat_id);

	if (!x || s->notifying)
		return;
	thread_free(store_entry(s, x)->thread);
	store_entry(s, x)->thread = NULL;
}

const struct thread *store_thread(const struct store *s, const char *chat_id)
{
	uint32_t x = store_lookup(s, chat_id);

	return x ? store_entry(s, x)->thread : NULL;
}

enum store_result store_put_messages(struct store *s, const char *chat_id,
				     const struct message *msgs, size_t n, bool has_more_before,
				     struct errbuf *err)
{
	int64_t from, to;
	bool marked_empty;
	struct entry *e;

	if (!store_refuse_reentry(s, err))
		return STORE_FAILED;
	if (!(e = chat_entry(s, chat_id, err)))
		return STORE_FAILED;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(msgs[i].chat_id, chat_id) != 0 || msgs[i].seq < 1) {
			errbuf_set(err, "store: message %zu of the page is not a message of chat %.40s",
				   i + 1, chat_id);
			return STORE_FAILED;
		}
	}
	if (store_thread_open(s, chat_id, err) == STORE_FAILED)
		return STORE_FAILED;
	int added = thread_put(e->thread, msgs, n, has_more_before, &from, &to, &marked_empty);
	if (added < 0) {
		errbuf_set(err, "store: out of memory");
		return STORE_FAILED;
	}
	if (added)
		notify_thread(s, chat_id, from, to);
	else if (marked_empty)
		notify_thread(s, chat_id, 0, 0);
	return added || marked_empty ? STORE_CHANGED : STORE_UNCHANGED;
}
