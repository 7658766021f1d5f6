/*
 * sim_query.h — reading a request's query string, for any simulator's API.
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

#endif
