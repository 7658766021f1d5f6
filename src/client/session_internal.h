/*
 * session_internal.h — what the session's files share (session.h is the
 * public side): session.c (life, stream, lists, thread),
 * session_outbox.c (sending the outbox), session_actions.c (actions, one
 * at a time per chat).
 */
#ifndef HANDOFF_SESSION_INTERNAL_H
#define HANDOFF_SESSION_INTERNAL_H

#include "outbox.h"
#include "session.h"

/* The loading state of one view's pages. */
struct view_pages {
	bool started;        /* a first page was asked for */
	bool loaded;         /* a page came: the view's first rows are the hub's */
	bool in_flight;
	bool complete;       /* the last page came */
	char *cursor;        /* for the next page */
	unsigned generation; /* bumped on reload: late pages of before are dropped */
};

struct session {
	uv_loop_t *loop;
	struct api *api;
	struct stream *stream;
	struct store *store;
	struct outbox *outbox;
	uv_timer_t outbox_timer;     /* outbox_tick at outbox_next_due() */
	bool timer_ready;
	struct session_callbacks cb;
	void *ctx;
	struct agent me;
	bool has_me;
	struct wait_targets targets; /* from the latest hello */
	bool closing;                /* session_free began: report nothing */
	struct view_pages views[VIEW_COUNT];
	uuid_str open_chat;          /* "" when no thread is open */
	bool thread_loading;
	unsigned thread_generation;
	/* session_actions.c */
	struct action *actions;      /* in flight or waiting, oldest first */
	uint64_t tickets;            /* actions given so far */
	struct later_reply *later_replies; /* replies typed behind an action */
	struct later_reply *marking; /* session_reply: the mark of the reply being added */
	/* session_mark_read: one mark in flight at a time, the newest wanted
	 * sent after it, so a burst of messages costs one or two requests. */
	struct {
		uuid_str chat;
		int64_t wanted, sent;
		bool in_flight;
	} read;
	/* session_dashboard.c: the team dashboard while it is open */
	struct {
		struct dashboard *d;     /* NULL: closed */
		void (*changed)(void *ctx);
		void *ctx;
		unsigned generation;     /* of the snapshot call wanted */
		bool loading;
	} dash;
};

/* Tell the UI (if it listens). */
void session_notice(struct session *s, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* session_actions.c: the outbox's `held`: whether reply e waits for an
 * action given before it; what the actions learn of a reply that changed
 * (from session_outbox_changed); kick: a reply of chat_id left the
 * outbox's queue without a change notice (it was discarded), so an action
 * waiting for it may start; free: drop what waits when the session ends
 * (after api_free). */
bool session_actions_hold(void *session, const struct outbox_entry *e);
void session_actions_reply_changed(struct session *s, const struct outbox_entry *e);
void session_actions_kick(struct session *s, const char *chat_id);
void session_actions_free(struct session *s);

/* session_dashboard.c: an event of the stream, the hub's resync. */
void session_dashboard_event(struct session *s, const struct event *e);
void session_dashboard_resync(struct session *s);

/* session_outbox.c */
void session_outbox_send(void *ctx, const struct outbox_entry *e);
void session_outbox_changed(void *ctx, const struct outbox_entry *e);
void session_outbox_arm(struct session *s);

#endif
