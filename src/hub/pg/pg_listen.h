/*
 * pg_listen.h — one hub's feed of the shared event log: every committed
 * event, whichever hub wrote it, handed over once and in seq order, on the
 * hub's libuv loop (how, and why it cannot skip or repeat: pg_listen.c).
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

/* Stop: no event is handed over after this call. The listener closes its
 * connection and handles and frees itself once libuv has closed them,
 * then calls done(ctx) (done may be NULL). */
void pg_listener_stop(struct pg_listener *l, void (*done)(void *ctx), void *ctx);

#endif
