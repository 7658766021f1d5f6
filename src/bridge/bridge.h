/*
 * bridge.h — one handoff-bridge process: a platform account carried into
 * the hub (doc/bridges.md). Everything runs on one libuv loop:
 *
 *   inbound   platform -> hub: polling (bridge_inbound.c) and pushed
 *             deliveries (bridge_webhook.c) become ingests, in order;
 *   outbound  hub -> platform: the hub's event stream becomes jobs in the
 *             durable queue, each a platform call (bridge_outbound.c);
 *   state     the SQLite file that makes both restart-safe (bridge_state.h).
 */
#ifndef HANDOFF_BRIDGE_H
#define HANDOFF_BRIDGE_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <uv.h>

#include "bridge_config.h"
#include "bridge_state.h"
#include "enums.h"
#include "platform.h"

struct api;
struct event;
struct inbound;
struct outbound;
struct webhook;

struct bridge {
	uv_loop_t *loop;
	struct bridge_config *cfg;
	const struct bridge_platform *pf;
	struct pf_client *pc;
	struct bstate *st;
	struct api *hub;
	struct inbound *in;
	struct outbound *out;
	struct webhook *wh;
	struct bstats *stats;   /* NULL: the platform counts nothing per day */
	bool draining;          /* SIGTERM: finish what is in flight, start nothing */
};

/* Inbound: start polling; take the items of a pushed delivery (`r`'s
 * payload is taken); true when nothing is in flight. */
struct inbound *inbound_new(struct bridge *b);
void inbound_start(struct inbound *in);
void inbound_push(struct inbound *in, struct pf_result *r);
bool inbound_idle(const struct inbound *in);
void inbound_free(struct inbound *in);
/* Ingest batches sent so far (the last one's number), and whether one of
 * those up to `upto` is not recorded yet: its chats' conversations may be
 * unknown to the state db still, though the hub has them. */
uint64_t inbound_batches_sent(const struct inbound *in);
bool inbound_unrecorded(const struct inbound *in, uint64_t upto);

/* Outbound: follow the hub's events from the seq in the state db. */
struct outbound *outbound_new(struct bridge *b, struct errbuf *err);
void outbound_start(struct outbound *out);
bool outbound_idle(const struct outbound *out);
void outbound_free(struct outbound *out);
/* The inbound recorded answers, or gave a batch up: the stream may go on
 * if it waited for them (bridge_outbound.c, on_event). */
void outbound_inbound_recorded(struct outbound *out);
/* Who holds a chat after a system message of type `t`: "human", "bot",
 * or NULL when it does not change hands. */
const char *outbound_holder_after(enum system_type t);

/* A platform that answers customers (platform.h's `answer`), for the
 * chats of the sources granted to the bridge (bridge_answer.c): the jobs
 * event `e` calls for, in the caller's transaction; and running an
 * "answer" job, `done` told as by a platform operation. */
bool answer_jobs_for(struct bridge *b, const struct event *e);
bool answer_start(struct bridge *b, const struct bjob *j, const cJSON *p, pf_done_fn *done,
		  void *ctx, struct errbuf *err);

/* The webhook receiver on cfg->webhook_host:port (an lws server on the
 * loop); NULL with `err` when it cannot listen. */
struct webhook *webhook_start(struct bridge *b, struct errbuf *err);
/* Stop listening and start closing (the loop finishes it). */
void webhook_stop(struct webhook *w);
/* After the loop has run out: free what is left. */
void webhook_free(struct webhook *w);

/* Constant-time check of a hex HMAC-SHA256 of `body` under `secret`
 * (platform webhooks sign that way). */
bool webhook_hmac_sha256_ok(const char *secret, const char *body, size_t len, const char *hex);

/* The platform's daily counts to the hub, now and every stats_interval_ms
 * (bridge_stats.c); NULL when the platform has none or reporting is off.
 * bstats_stop (NULL is fine) ends it with the loop's handles. */
struct bstats *bstats_start(struct bridge *b);
void bstats_stop(struct bstats *s);

/* A drain step finished: main checks whether everything is idle. */
void bridge_drain_check(struct bridge *b);

#endif
