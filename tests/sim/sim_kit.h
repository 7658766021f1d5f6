/*
 * sim_kit.h — small pieces a simulator's store and API need whatever the
 * platform: a growable array of records, and query-string parameters
 * (single, or repeated as a list: "ids=a&ids=b"), matched by their
 * decoded names ("pagination%5Blimit%5D" is "pagination[limit]").
 */
#ifndef HANDOFF_SIM_KIT_H
#define HANDOFF_SIM_KIT_H

#include <stdbool.h>
#include <stddef.h>

struct sim_vec {
	void **v;
	size_t n, cap;
};

/* Append p; false when out of memory (p is not kept). */
bool sim_vec_push(struct sim_vec *v, void *p);

/* The decoded value of the first parameter `name` of `query` (malloc'd),
 * or NULL when absent or badly escaped. */
char *sim_query_get(const char *query, const char *name);

/* Call fn with the decoded value of each parameter `name` (also
 * "name[]"), in order; a value holding commas counts as several. Returns
 * how many values there were, or -1 on a bad escape or when fn says no. */
int sim_query_each(const char *query, const char *name,
		   bool (*fn)(void *arg, const char *value), void *arg);

#endif
