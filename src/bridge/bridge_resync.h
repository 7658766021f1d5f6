/*
 * bridge_resync.h — catching up after the hub's resync: the hub no longer
 * keeps the events after the bridge's saved seq, so what agents did in the
 * bridge's chats meanwhile is read from the hub's REST API instead (an
 * ingest account may read the chats in its scope, protocol v1.1) and fed,
 * as events, through the same mapping as the stream's (bridge_outbound.c).
 */
#ifndef HANDOFF_BRIDGE_RESYNC_H
#define HANDOFF_BRIDGE_RESYNC_H

#include <stdbool.h>

#include "bridge.h"
#include "model.h"

struct resync;

/* Record what one event of the chat of conversation `conv` calls for,
 * in one transaction; false when it could not be recorded. The walk's
 * events have seq 0: a message.created per message after the chat's
 * mark, then a chat.updated with the chat as it is now. */
typedef bool resync_record_fn(void *ctx, const struct event *e, const char *conv);
/* The walk is over: `ok` every chat was recorded; false: it stopped
 * (the bridge drains), to be done again at the next start. */
typedef void resync_done_fn(void *ctx, bool ok);

/* Walk every chat of the state db, one at a time; calls that fail are
 * retried after a backoff. NULL when out of memory (then nothing runs). */
struct resync *resync_start(struct bridge *b, resync_record_fn *record, resync_done_fn *done,
			    void *ctx);
/* Stop and free (safe inside `done`; NULL does nothing). */
void resync_free(struct resync *r);

#endif
