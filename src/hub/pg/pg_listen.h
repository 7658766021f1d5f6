/*
 * pg_listen.h — one hub's feed of the shared event log: every committed
 * event, whichever hub wrote it, handed over once and in seq order, on the
 * hub's libuv loop (how, and why it cannot skip or repeat: pg_listen.c).
 * The same connection carries the hubs' notes to each other (presence
 * shared across hubs, server_share.c): NOTIFY on PG_NOTES_CHANNEL, sent
 * and heard without blocking the loop.
 */
#ifndef HANDOFF_HUB_PG_LISTEN_H
#define HANDOFF_HUB_PG_LISTEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "errbuf.h"

/* The application_name the feed's connection carries, so an operator (or
 * a test) can tell it apart in pg_stat_activity. */
#define PG_LISTEN_APPLICATION "handoffd-listen"

struct pg_listener;

/* One event of the log. The strings are the listener's until the callback
 * returns: copy what outlives it. */
struct pg_listened {
	int64_t seq;
	const char *chat_id;
	bool note;          /* a note's event: never sent to ingest accounts */
	const char *json;   /* the event frame, NUL-terminated */
	size_t len;         /* strlen(json) */
	const char *source; /* the chat's ingest account (source.account), "" for none */
	/* Events just before this one that are gone from the log: 0, unless
	 * the retention pruned them before this listener read them. Whoever
	 * followed the feed has then missed them for good and must reload. */
	int64_t missed;
};

typedef void pg_listen_fn(void *ctx, const struct pg_listened *ev);

/* Follow the event log of the database `conninfo` names (a libpq conninfo
 * string or URI, as pg_open takes), handing `fn` each event after
 * `after_seq`, in seq order, on `loop`; it may call pg_listener_stop.
 * Connecting and every later failure are retried for ever (logged, never
 * with the conninfo); NULL only when the conninfo cannot be used at all
 * (`err` says why) or memory runs out. */
struct pg_listener *pg_listener_start(uv_loop_t *loop, const char *conninfo, int64_t after_seq,
				      pg_listen_fn *fn, void *ctx, struct errbuf *err);

/* The seq of the last event handed over (after_seq before the first). */
int64_t pg_listener_last(const struct pg_listener *l);

/* The channel of the hubs' notes. */
#define PG_NOTES_CHANNEL "handoff_presence"

/* A note as NOTIFY delivered it, from any hub listening (this one's own
 * included): at most PG_NOTE_MAX bytes, NUL-terminated, the listener's
 * until the callback returns. Nothing about it is trusted. */
#define PG_NOTE_MAX 7999
typedef void pg_note_fn(void *ctx, const char *note, size_t len);

/* Hand every note heard from now on to fn (NULL: drop them). */
void pg_listener_on_notes(struct pg_listener *l, pg_note_fn *fn, void *ctx);

/* Queue `note` (len bytes, at most PG_NOTE_MAX, no NUL) to be sent on the
 * listener's connection, in the order queued, once the statement in
 * flight is done; never waits. Notes queued while the connection is down
 * go out when it is back; false when the queue is full (the note is
 * dropped) or the note is too long. */
bool pg_listener_notify(struct pg_listener *l, const char *note, size_t len);

/* Stop: no event or note is handed over after this call. The listener
 * sends the notes still queued (for at most a second, the loop turning),
 * then closes its connection and handles and frees itself once libuv has
 * closed them, then calls done(ctx) (done may be NULL). */
void pg_listener_stop(struct pg_listener *l, void (*done)(void *ctx), void *ctx);

#endif
