/*
 * store_pool.c — interned strings for the store (see store_internal.h).
 *
 * Channel names and responder names are a handful of values repeated over
 * thousands of chats; one shared copy each saves two allocations per chat
 * (~64 bytes of a 1 KiB budget). Strings stay until the store is freed:
 * their number is bounded by what the hub sends, and they are small.
 */
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

static size_t str_hash(const char *s)
{
	size_t h = 14695981039346656037ULL & SIZE_MAX;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * (size_t)1099511628211ULL;
	return h;
}

static bool pool_grow(struct strpool *p)
{
	size_t cap = p->cap ? 2 * p->cap : 16;
	char **slots = calloc(cap, sizeof *slots);

	if (!slots)
		return false;
	for (size_t i = 0; i < p->cap; i++) {
		if (!p->slots[i])
			continue;
		size_t j = str_hash(p->slots[i]) & (cap - 1);
		while (slots[j])
			j = (j + 1) & (cap - 1);
		slots[j] = p->slots[i];
	}
	free(p->slots);
	p->slots = slots;
	p->cap = cap;
	return true;
}

const char *strpool_intern(struct strpool *p, const char *s)
{
	if (!s)
		return NULL;
	/* Keep the load at most one half: short probe runs. */
	if (2 * (p->count + 1) > p->cap && !pool_grow(p))
		return NULL;
	size_t j = str_hash(s) & (p->cap - 1);
	while (p->slots[j]) {
		if (strcmp(p->slots[j], s) == 0)
			return p->slots[j];
		j = (j + 1) & (p->cap - 1);
	}
	if (!(p->slots[j] = strdup(s)))
		return NULL;
	p->count++;
	return p->slots[j];
}

void strpool_free(struct strpool *p)
{
	for (size_t i = 0; i < p->cap; i++)
		free(p->slots[i]);
	free(p->slots);
	memset(p, 0, sizeof *p);
}
