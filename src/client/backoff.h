/*
 * backoff.h — when to try again: jittered exponential backoff, the
 * Retry-After header, and which failed requests may be retried at all.
 *
 * Used by the HTTP client for single calls and by the event stream to
 * reconnect ("0.5 s doubling to 30 s, jittered").
 */
#ifndef HANDOFF_BACKOFF_H
#define HANDOFF_BACKOFF_H

#include <stdbool.h>
#include <stdint.h>

/* The reconnect schedule from the issue. */
#define BACKOFF_BASE_S 0.5
#define BACKOFF_CAP_S 30.0

/* Longest wait a Retry-After header can impose; a server asking for more is
 * clamped, so a bad header cannot park the client for days. */
#define RETRY_AFTER_MAX_MS UINT64_C(3600000)

struct backoff {
	double base_s, cap_s;
	unsigned attempt;	/* delays handed out since the last reset */
	uint64_t rng;		/* xorshift64* state, never 0 */
};

/* Start a schedule: the first delay is about base_s, each next one doubles,
 * none exceeds cap_s. The same seed gives the same delays (tests); callers
 * seed from the clock and pid so clients that lost the hub together do not
 * come back together. */
void backoff_init(struct backoff *b, double base_s, double cap_s, uint64_t seed);

/* The delay before the next attempt, in milliseconds, and count the attempt.
 * "Equal jitter": with d = min(cap, base * 2^attempt), the result is uniform
 * in [d/2, d]. Unlike full jitter ([0, d]) it never retries at once, and it
 * still spreads a crowd of clients over half the window. */
uint64_t backoff_next_ms(struct backoff *b);

/* Back to the first delay, after a success. */
void backoff_reset(struct backoff *b);

/* Parse a Retry-After value into a delay from now_ms (ms since the epoch):
 * delta-seconds ("120") or an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT",
 * years 1970..9999). A date in the past gives 0; anything above
 * RETRY_AFTER_MAX_MS is clamped to it. The obsolete RFC 850 and asctime
 * forms, and anything else, are refused (false): the caller then falls back
 * to its backoff. Surrounding spaces and tabs are allowed. */
bool retry_after_parse(const char *value, int64_t now_ms, uint64_t *delay_ms);

/* GET, HEAD, PUT, DELETE, OPTIONS: sending them twice does what sending them
 * once does. POST and PATCH are not. */
bool http_method_idempotent(const char *method);

/* Whether a failed call may be sent again by the generic retry loop:
 * - 429 for any method: the hub refused it before doing anything, and says
 *   when to come back (Retry-After);
 * - 500, 502, 503, 504 and connection errors only for idempotent methods,
 *   since the server may have acted before the reply was lost.
 * POST /messages is still retried, but by the outbox, which resends the
 * same client_msg_id so the hub can drop the duplicate; that is a decision
 * for the caller that knows the body, not for this policy.
 * `status` is ignored when `connection_error` is true. */
bool should_retry(const char *method, long status, bool connection_error);

#endif
