/*
 * ratelimit.h — token buckets by key: how many requests an account may
 * make, and how many wrong tokens an address may send. Pure: the caller
 * gives the time, so tests drive it without waiting.
 *
 * A bucket holds up to `burst` tokens and refills at `per_sec`; a request
 * takes one. An empty bucket answers how long until the next token.
 */
#ifndef HANDOFF_HUB_RATELIMIT_H
#define HANDOFF_HUB_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct rate {
	double per_sec; /* refill; 0: no limit */
	double burst;   /* the bucket's size, >= 1 */
};

/* What handoffd limits, and its defaults (doc/handoffd.8). */
struct rate_limits {
	struct rate agent;      /* requests per agent or supervisor account */
	struct rate ingest;     /* requests per ingest account: backfills */
	struct rate auth_fail;  /* wrong tokens per peer address */
};

#define RATE_LIMITS_DEFAULT                                                         \
	{                                                                           \
		.agent = {20, 100}, .ingest = {5000, 50000}, .auth_fail = {0.2, 30}, \
	}

/* "RATE,BURST" ("20,100"; "0" turns the limit off) into *out. */
bool rate_parse(const char *s, struct rate *out);

struct ratelimit;

/* A table of at most `capacity` buckets (NULL when out of memory). When
 * it is full, a new key takes the place of a bucket that has refilled
 * (as good as absent), else of the longest unused in its neighbourhood. */
struct ratelimit *ratelimit_new(unsigned capacity);
void ratelimit_free(struct ratelimit *rl);

/* Take a token from key's bucket (key: not empty, up to 63 bytes) at now_ms;
 * false when it is empty, with *retry_after the whole seconds until a token
 * is back (>= 1). */
bool ratelimit_take(struct ratelimit *rl, const struct rate *r, const char *key, uint64_t now_ms,
		    unsigned *retry_after);

/* Take `n` tokens from key's bucket whatever it holds: a request that
 * counts as n (a batch, by its items) after the one token that admitted
 * it. The bucket may go below zero; the requests after it then wait until
 * it has refilled past one. */
void ratelimit_charge(struct ratelimit *rl, const struct rate *r, const char *key,
		      uint64_t now_ms, unsigned n);

/* Would a take succeed now? The same answer, nothing taken. */
bool ratelimit_peek(struct ratelimit *rl, const struct rate *r, const char *key, uint64_t now_ms,
		    unsigned *retry_after);

#endif
