/*
 * ratelimit.c — token buckets in a fixed open-addressed table (see
 * ratelimit.h). Fixed, because the keys of the address table come from
 * whoever connects: a flood of addresses must cost evictions, not memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ratelimit.h"

/* An account id is 36 characters, an IPv6 address at most 45. */
#define RATE_MAX 1e9 /* beyond it, a number is a typo (or inf, or nan) */
#define KEY_MAX 64
/* Slots looked at for a key: its home and the next ones. */
#define PROBE 16

struct bucket {
	char key[KEY_MAX]; /* "" when free */
	double tokens;
	uint64_t at;       /* when `tokens` was computed (ms) */
};

struct ratelimit {
	unsigned capacity;
	struct bucket slots[];
};

bool rate_parse(const char *s, struct rate *out)
{
	char *end;
	double per_sec = strtod(s, &end), burst = per_sec;

	if (end == s || !(per_sec >= 0 && per_sec <= RATE_MAX))
		return false;
	if (*end == ',') {
		const char *b = end + 1;
		burst = strtod(b, &end);
		if (end == b || !(burst >= 0 && burst <= RATE_MAX))
			return false;
	}
	if (*end || (per_sec > 0 && burst < 1))
		return false;
	*out = (struct rate){per_sec, burst};
	return true;
}

struct ratelimit *ratelimit_new(unsigned capacity)
{
	struct ratelimit *rl = calloc(1, sizeof *rl + capacity * sizeof rl->slots[0]);

	if (rl)
		rl->capacity = capacity;
	return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
	free(rl);
}

static unsigned hash(const char *s)
{
	unsigned h = 2166136261u; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The bucket's tokens at now, refilled since it was last computed. */
static double refilled(const struct bucket *b, const struct rate *r, uint64_t now)
{
	double t = b->tokens + (double)(now - b->at) / 1000.0 * r->per_sec;

	return t > r->burst ? r->burst : t;
}

/* A free slot, or a bucket that has refilled, loses nothing if reused. */
static bool reusable(const struct bucket *b, const struct rate *r, uint64_t now)
{
	return !b->key[0] || refilled(b, r, now) >= r->burst;
}

/* key's bucket, refilled to now; a new one is full. */
static struct bucket *bucket_of(struct ratelimit *rl, const struct rate *r, const char *key,
				uint64_t now)
{
	unsigned home = hash(key) % rl->capacity;
	struct bucket *victim = NULL;

	for (unsigned i = 0; i < PROBE && i < rl->capacity; i++) {
		struct bucket *b = &rl->slots[(home + i) % rl->capacity];
		if (strcmp(b->key, key) == 0) {
			b->tokens = refilled(b, r, now);
			b->at = now;
			return b;
		}
		/* Else the first reusable slot, or the one unused the longest. */
		if (victim && reusable(victim, r, now))
			continue;
		if (!victim || reusable(b, r, now) || b->at < victim->at)
			victim = b;
	}
	snprintf(victim->key, sizeof victim->key, "%s", key);
	victim->tokens = r->burst;
	victim->at = now;
	return victim;
}

static bool bucket_has(const struct bucket *b, const struct rate *r, unsigned *retry_after)
{
	if (b->tokens >= 1)
		return true;
	double wait = (1 - b->tokens) / r->per_sec;
	unsigned secs = (unsigned)wait; /* rounded up below */

	*retry_after = secs < 1 ? 1 : secs + (secs < wait);
	return false;
}

bool ratelimit_peek(struct ratelimit *rl, const struct rate *r, const char *key, uint64_t now_ms,
		    unsigned *retry_after)
{
	return r->per_sec <= 0 || bucket_has(bucket_of(rl, r, key, now_ms), r, retry_after);
}

bool ratelimit_take(struct ratelimit *rl, const struct rate *r, const char *key, uint64_t now_ms,
		    unsigned *retry_after)
{
	if (r->per_sec <= 0)
		return true;
	struct bucket *b = bucket_of(rl, r, key, now_ms);
	if (!bucket_has(b, r, retry_after))
		return false;
	b->tokens -= 1;
	return true;
}

void ratelimit_charge(struct ratelimit *rl, const struct rate *r, const char *key,
		      uint64_t now_ms, unsigned n)
{
	if (r->per_sec > 0)
		bucket_of(rl, r, key, now_ms)->tokens -= n;
}
