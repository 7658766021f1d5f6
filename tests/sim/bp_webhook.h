/*
 * bp_webhook.h — push delivery of the simulated bot's events.
 *
 * The Botpress doc describes no outgoing webhook format (only a bot's
 * "signingSecret"), so the simulator chooses one, documented in
 * doc/simulators.md: each event is POSTed as its Event object (the doc's
 * {id, createdAt, type, payload}) with Content-Type application/json and
 *
 *     x-bp-signature: <lowercase hex HMAC-SHA256 of the body, keyed by the secret>
 *
 * Deliveries go one at a time, in event order, one attempt each (a failed
 * one is counted, not retried: polling is the bridge's safety net).
 */
#ifndef HANDOFF_SIM_BP_WEBHOOK_H
#define HANDOFF_SIM_BP_WEBHOOK_H

#include <stddef.h>

#include <uv.h>

struct bp_webhook_stats {
	unsigned long sent;     /* answered 2xx */
	unsigned long failed;   /* no answer, or another status */
	size_t pending;         /* queued or in flight */
};

struct bp_webhook;

struct bp_webhook *bp_webhook_new(uv_loop_t *loop);

/* Deliver to `url` from now on (NULL or "": stop delivering). The secret
 * is copied; it is never logged. */
int bp_webhook_configure(struct bp_webhook *w, const char *url, const char *secret);

/* True while a URL is configured. */
int bp_webhook_enabled(const struct bp_webhook *w);

/* Queue `copies` deliveries of `body` (2 for the duplicate-delivery fault). */
void bp_webhook_push(struct bp_webhook *w, const char *body, int copies);

struct bp_webhook_stats bp_webhook_stats(const struct bp_webhook *w);

/* Drop what is queued and free `w` once the delivery in flight (if any)
 * ends; the loop must keep running until then. */
void bp_webhook_close(struct bp_webhook *w);

/* Lowercase hex HMAC-SHA256 of data keyed by secret into out[65]. */
void bp_webhook_sign(const char *secret, const char *data, size_t len, char out[65]);

#endif
