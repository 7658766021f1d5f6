/*
 * pf_op.c — the operation scaffolding the platform files share (pf_op.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pf_op.h"

void *pf_op_new(size_t size, struct pf_client *c, int kind, pf_done_fn *done, void *ctx,
		pf_op_fn *free_op, struct errbuf *err)
{
	struct pf_op *op = calloc(1, size);

	if (!op) {
		errbuf_set(err, "out of memory");
		return NULL;
	}
	op->c = c;
	op->kind = kind;
	op->done = done;
	op->ctx = ctx;
	op->free_op = free_op;
	return op;
}

bool pf_dup_into(char **slot, const char *v)
{
	return !v || (*slot = strdup(v)) != NULL;
}

bool pf_op_ready(void *op, struct errbuf *err)
{
	struct pf_op *o = op;

	if (!o)
		return false;
	if (o->r.status != PF_OK) { /* set by a failed pf_dup_into */
		o->free_op(o);
		return errbuf_set(err, "out of memory");
	}
	return true;
}

bool pf_op_start(void *op, pf_op_fn *step, struct errbuf *err)
{
	if (!pf_op_ready(op, err))
		return false;
	step(op);
	return true;
}

void pf_op_finish(struct pf_op *op)
{
	op->done(op->ctx, &op->r);
	op->free_op(op);
}

void pf_op_fail(struct pf_op *op, enum pf_status status, const char *why)
{
	op->r.status = status;
	snprintf(op->r.text, sizeof op->r.text, "%s", why);
	pf_op_finish(op);
}

void pf_op_failf(struct pf_op *op, enum pf_status status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	op->r.status = status;
	vsnprintf(op->r.text, sizeof op->r.text, fmt, ap);
	va_end(ap);
	pf_op_finish(op);
}

void pf_op_failed(struct pf_op *op, const struct pf_answer *a, const char *what,
		  const char *why)
{
	pf_http_failed(a, what, why, &op->r);
	pf_op_finish(op);
}

void pf_op_call(struct pf_op *op, struct pf_http *h, const char *method, const char *path,
		cJSON *body, pf_http_fn *on_answer)
{
	struct errbuf why;

	if (!pf_http_call(h, method, path, body, on_answer, op, &why))
		pf_op_fail(op, PF_RETRY, why.msg);
}

void *pf_grow(void *v, size_t *cap, size_t n, size_t size)
{
	size_t want = *cap ? *cap * 2 : 16;

	if (n < *cap)
		return v;
	if (!(v = realloc(v, want * size)))
		return NULL;
	*cap = want;
	return v;
}

const char *pf_memo_get(const struct pf_memo *m, const char *key)
{
	for (; m; m = m->next)
		if (strcmp(m->key, key) == 0)
			return m->value;
	return NULL;
}

void pf_memo_put(struct pf_memo **m, const char *key, const char *value)
{
	struct pf_memo *e;

	if (pf_memo_get(*m, key) || !(e = calloc(1, sizeof *e)))
		return;
	if (!(e->key = strdup(key)) || !(e->value = strdup(value))) {
		free(e->key);
		free(e);
		return;
	}
	e->next = *m;
	*m = e;
}

void pf_memo_free(struct pf_memo *m)
{
	while (m) {
		struct pf_memo *next = m->next;
		free(m->key);
		free(m->value);
		free(m);
		m = next;
	}
}

bool pf_message_set(struct pf_message *m, const char *id, const char *conv, const char *user,
		    const char *text, enum pf_author author)
{
	memset(m, 0, sizeof *m);
	m->author = author;
	if (!(m->id = strdup(id)) || !(m->conv_id = strdup(conv)) ||
	    !(m->user_id = strdup(user ? user : "")) || !(m->text = strdup(text))) {
		pf_message_free(m);
		return false;
	}
	return true;
}

struct pf_message *pf_result_next_message(struct pf_result *r, size_t *cap)
{
	struct pf_message *v = pf_grow(r->msgs, cap, r->nmsgs, sizeof *v);

	if (!v)
		return NULL;
	r->msgs = v;
	memset(&r->msgs[r->nmsgs], 0, sizeof *r->msgs);
	return &r->msgs[r->nmsgs];
}

bool pf_result_add_wanting(struct pf_result *r, size_t *cap, const char *conv_id,
			   const char *mark)
{
	struct pf_wanting *v = pf_grow(r->wanting, cap, r->nwanting, sizeof *v);

	if (!v)
		return false;
	r->wanting = v;
	struct pf_wanting *w = &r->wanting[r->nwanting];
	w->conv_id = strdup(conv_id);
	w->mark = strdup(mark);
	if (!w->conv_id || !w->mark) {
		free(w->conv_id);
		free(w->mark);
		return false;
	}
	r->nwanting++;
	return true;
}
