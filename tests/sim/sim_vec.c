/*
 * sim_vec.c — see sim_vec.h.
 */
#include "sim_vec.h"

#include <stdlib.h>
#include <string.h>


bool sim_vec_push(struct sim_vec *v, void *p)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 64;
		void **nv = realloc(v->v, cap * sizeof *nv);
		if (!nv)
			return false;
		v->v = nv;
		v->cap = cap;
	}
	v->v[v->n++] = p;
	return true;
}
