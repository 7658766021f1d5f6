/*
 * pf_op.h — what every platform file's operation has in common: the
 * client it runs on, its kind and step, who to tell and the result. Each
 * platform's `struct op` has a `struct pf_op` as its FIRST member, so a
 * pointer to the one is a pointer to the other; the platform keeps its
 * own fields, its own steps and its own free (given once, at pf_op_new).
 * This file holds the allocate / start / finish path that was otherwise
 * written out again in each platform.
 */
#ifndef HANDOFF_BRIDGE_PF_OP_H
#define HANDOFF_BRIDGE_PF_OP_H

#include <stdbool.h>
#include <stddef.h>

#include "errbuf.h"
#include "pf_http.h"
#include "platform.h"

/* Takes the platform's struct op (void *, so that its own functions can
 * be passed as they are and still be called with a struct op *). */
typedef void pf_op_fn(void *op);

struct pf_op {
	struct pf_client *c;
	int kind;                /* the platform's enum op_kind */
	int step;
	pf_done_fn *done;
	void *ctx;
	struct pf_result r;
	pf_op_fn *free_op;       /* frees the platform's fields and the op */
};

/* A zeroed op of `size` bytes (the platform's sizeof (struct op)) with
 * its pf_op filled; NULL with err set when out of memory. */
void *pf_op_new(size_t size, struct pf_client *c, int kind, pf_done_fn *done, void *ctx,
		pf_op_fn *free_op, struct errbuf *err);

/* strdup `v` into *slot when it is not NULL; false when out of memory. */
bool pf_dup_into(char **slot, const char *v);

/* Whether a new op may run: false, with err set, when `op` is NULL (err
 * already set by pf_op_new) or its r.status is no longer PF_OK (what a
 * failed pf_dup_into leaves), the op then freed. */
bool pf_op_ready(void *op, struct errbuf *err);

/* pf_op_ready, then `step` on the op. */
bool pf_op_start(void *op, pf_op_fn *step, struct errbuf *err);

/* Hands the result to whom asked, then frees the op. */
void pf_op_finish(struct pf_op *op);

/* The result set to `status` and `why`, then pf_op_finish. */
void pf_op_fail(struct pf_op *op, enum pf_status status, const char *why);
/* The same with the words made as printf makes them. */
void pf_op_failf(struct pf_op *op, enum pf_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A failed answer: pf_http_failed ("<what>: ... <why>"), then
 * pf_op_finish. */
void pf_op_failed(struct pf_op *op, const struct pf_answer *a, const char *what,
		  const char *why);

/* pf_http_call with `op` as the callback's ctx; a call that cannot be
 * made is a PF_RETRY in pf_http's words, through pf_op_fail. */
void pf_op_call(struct pf_op *op, struct pf_http *h, const char *method, const char *path,
		cJSON *body, pf_http_fn *on_answer);

/* ---- arrays that grow ---- */

/* `v`, an array of *cap elements of `size` bytes with `n` in use, with room
 * for one more: v itself, or v moved and *cap doubled; NULL when out of
 * memory, v then left as it was. */
void *pf_grow(void *v, size_t *cap, size_t n, size_t size);

/* ---- what a client learns once ---- */

/* Ids a platform client learnt and keeps for its life (a hub agent's
 * platform user, a thread's chat user): a list, as they are few. */
struct pf_memo {
	char *key, *value;
	struct pf_memo *next;
};

/* The value learnt for `key`, NULL when none. */
const char *pf_memo_get(const struct pf_memo *m, const char *key);
/* Learn key -> value unless `key` is known; out of memory, it is not
 * learnt (and asked again next time). */
void pf_memo_put(struct pf_memo **m, const char *key, const char *value);
void pf_memo_free(struct pf_memo *m);

/* ---- building a result ---- */

/* The message's fields copied (`user` NULL: ""); false when out of memory,
 * nothing then held. */
bool pf_message_set(struct pf_message *m, const char *id, const char *conv, const char *user,
		    const char *text, enum pf_author author);

/* Room for one more message in r->msgs (*cap: its size, 0 at first): the
 * next slot, zeroed and not yet counted; NULL when out of memory. */
struct pf_message *pf_result_next_message(struct pf_result *r, size_t *cap);

/* One more conversation asking for a human in r->wanting (*cap as above);
 * false when out of memory. */
bool pf_result_add_wanting(struct pf_result *r, size_t *cap, const char *conv_id,
			   const char *mark);

#endif
