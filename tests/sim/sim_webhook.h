/*
 * sim_webhook.h — push delivery of a simulator's events.
 *
 * Each event is POSTed as the platform's JSON with Content-Type
 * application/json and one more header, the signature: its name and how
 * its value comes from the secret and the body are the platform's (see
 * struct sim_platform). Deliveries go one at a time, in event order, one
 * attempt each (a failed one is counted, not retried: polling is the
 * bridge's safety net).
 */
#ifndef HANDOFF_SIM_WEBHOOK_H
#define HANDOFF_SIM_WEBHOOK_H

#include <stddef.h>

#include <uv.h>

struct sim_webhook_stats {
	unsigned long sent;     /* answered 2xx */
	unsigned long failed;   /* no answer, or another status */
	size_t pending;         /* queued or in flight */
};

struct sim_webhook;

/* The signature header's value for `body` into out[n]. */
typedef void (*sim_sign_fn)(const char *secret, const char *body, size_t len, char *out,
			    size_t n);

/* The signature goes in header `header` (kept, not copied), made by `sign`. */
struct sim_webhook *sim_webhook_new(uv_loop_t *loop, const char *header, sim_sign_fn sign);

/* Deliver to `url` from now on (NULL or "": stop delivering). The secret
 * is copied; it is never logged. */
int sim_webhook_configure(struct sim_webhook *w, const char *url, const char *secret);

/* True while a URL is configured. */
int sim_webhook_enabled(const struct sim_webhook *w);

/* Queue `copies` deliveries of `body` (2 for the duplicate-delivery fault). */
void sim_webhook_push(struct sim_webhook *w, const char *body, int copies);

/* The same to another URL with another secret, for platforms whose webhook
 * is per record (a thread's own URL and token); url NULL or "": nothing. */
void sim_webhook_push_to(struct sim_webhook *w, const char *url, const char *secret,
			 const char *body, int copies);

/* The URL and secret configured (NULL when none), e.g. as defaults for new
 * records of a platform with per-record webhooks. */
const char *sim_webhook_url(const struct sim_webhook *w);
const char *sim_webhook_secret(const struct sim_webhook *w);

/* Another header name from now on (copied), for a platform where it is a
 * setting; deliveries already queued keep theirs. -1: out of memory. */
int sim_webhook_set_header(struct sim_webhook *w, const char *header);

struct sim_webhook_stats sim_webhook_stats(const struct sim_webhook *w);

/* Drop what is queued and free `w` once the delivery in flight (if any)
 * ends; the loop must keep running until then. */
void sim_webhook_close(struct sim_webhook *w);

/* A sim_sign_fn: lowercase hex HMAC-SHA256 of the body keyed by the secret
 * (n >= 65). */
void sim_sign_hmac_sha256_hex(const char *secret, const char *body, size_t len, char *out,
			      size_t n);

/* A sim_sign_fn for platforms that send a shared token as is: the value is
 * the secret itself. */
void sim_sign_token(const char *secret, const char *body, size_t len, char *out, size_t n);

#endif
