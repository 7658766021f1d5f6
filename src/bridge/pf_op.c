/*
 * pf_op.c — the operation scaffolding the platform files share (pf_op.h).
 */
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

void pf_op_call(struct pf_op *op, struct pf_http *h, const char *method, const char *path,
		cJSON *body, pf_http_fn *on_answer)
{
	struct errbuf why;

	if (!pf_http_call(h, method, path, body, on_answer, op, &why))
		pf_op_fail(op, PF_RETRY, why.msg);
}
