/*
 * sim_vec.h — a growable array of records, for any simulator's store.
 */
#ifndef HANDOFF_SIM_VEC_H
#define HANDOFF_SIM_VEC_H

#include <stdbool.h>
#include <stddef.h>

struct sim_vec {
	void **v;
	size_t n, cap;
};

/* Append p; false when out of memory (p is not kept). */
bool sim_vec_push(struct sim_vec *v, void *p);

#endif
