/*
 * sim_query.h — reading a request's query string, for any simulator's API.
 * Parameters are matched by their decoded names, with or without "[]"
 * ("pagination%5Blimit%5D" is "pagination[limit]"; "ids[]" is "ids").
 */
#ifndef HANDOFF_SIM_QUERY_H
#define HANDOFF_SIM_QUERY_H

#include <stdbool.h>

/* The decoded value of the n-th (from 0) occurrence of parameter `name`
 * (malloc'd), or NULL when there are not that many. *bad (may be NULL) is
 * set when that occurrence does not decode. */
char *sim_query_nth(const char *query, const char *name, int n, bool *bad);

/* The first occurrence's value, as above. */
char *sim_query_get(const char *query, const char *name, bool *bad);

/* Call fn with the decoded value of each parameter `name`, in order; a
 * value holding commas counts as several ("ids=a,b&ids=c" is a, b, c).
 * Returns how many values there were, or -1 on a bad escape or when fn
 * says no. */
int sim_query_each(const char *query, const char *name,
		   bool (*fn)(void *arg, const char *value), void *arg);

#endif
