/*
 * session_internal.h — what the session's files share (session.h is the
 * public side): session.c (life, stream, lists, thread),
 * session_outbox.c (sending the outbox), session_actions.c (actions).
 */
#ifndef HANDOFF_SESSION_INTERNAL_H
#define HANDOFF_SESSION_INTERNAL_H

#include "outbox.h"
#include "session.h"

/* The loading state of one view's pages. */
struct view_pages {
	bool started;        /* a first page was asked for */
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
	bool closing;                /* session_free began: report nothing */
	struct view_pages views[VIEW_COUNT];
	uuid_str open_chat;          /* "" when no thread is open */
	bool thread_loading;
	unsigned thread_generation;
};

/* Tell the UI (if it listens). */
void session_notice(struct session *s, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* session_outbox.c */
void session_outbox_send(void *ctx, const struct outbox_entry *e);
void session_outbox_changed(void *ctx, const struct outbox_entry *e);
void session_outbox_arm(struct session *s);

#endif
