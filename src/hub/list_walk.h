/*
 * list_walk.h — what both back ends' chat lists (db_list.c, pg/pg_list.c)
 * share: a walk's rows in the sort's order, and merged; a query's
 * fingerprint; and a cursor's armour, the lowercase hex a client carries
 * opaque. Each back end keeps its own SQL and its own cursor text.
 */
#ifndef HANDOFF_HUB_LIST_WALK_H
#define HANDOFF_HUB_LIST_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h" /* enum chat_sort */

/* A chat's place in a walk: its sort key as of the walk's snapshot, and
 * its id for ties. */
struct row_key {
	uuid_str id;
	int64_t key;
};

/* Does a come before b in this sort (newest first, or longest waiting)?
 * Ties go by id as text, as both back ends' SQL orders them: SQLite's ids
 * are text, PostgreSQL's uuids order by their bytes, the order of their
 * hex. */
bool row_before(const struct row_key *a, const struct row_key *b, enum chat_sort sort);

/* qsort comparators of row_keys (or of structs that start with one). */
int rows_newest_first(const void *a, const void *b);
int rows_oldest_first(const void *a, const void *b);

/* Merge the sorted lists a and b into out, up to `limit` rows. */
size_t rows_merge(const struct row_key *a, size_t na, const struct row_key *b, size_t nb,
		  enum chat_sort sort, size_t limit, struct row_key *out);

/* FNV-1a over n bytes, from h (start from LIST_FNV_BASIS). */
#define LIST_FNV_BASIS 1469598103934665603ULL
uint64_t list_fnv(uint64_t h, const void *p, size_t n);

/* The cursor text's armour: lowercase hex (malloc'd; NULL when out of
 * memory), and back, strictly: only lowercase hex of a text without a NUL
 * that fits text[cap], so no other spelling of a cursor is taken. */
char *cursor_armour(const char *text, size_t len);
bool cursor_unarmour(const char *s, char *text, size_t cap);

#endif
