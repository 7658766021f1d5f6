/*
 * server_work.c — a request's handler on a worker thread, for a back end
 * whose handles are per thread (storage.h: `threaded`, PostgreSQL's).
 *
 * The handler runs on libuv's thread pool with that thread's own handle,
 * so a slow query holds one worker while the loop keeps every stream and
 * every other request moving. Everything of the server stays the loop's:
 * the handler's hooks into it (route.h: charge, tell, agent_changed) are
 * written down during the call and played on the loop once the handler
 * has returned, in the order it made them; agent_status reads a copy of
 * the agents' statuses taken on the loop before the work was queued.
 *
 * The work owns what the handler reads (the request's path, admission and
 * body), so the connection may close meanwhile: its answer is then
 * dropped and the work freed when it completes.
 *
 * One client must not take every worker: libuv's pool has four threads
 * (UV_THREADPOOL_SIZE), and an account's requests stuck behind a lock, or
 * slow ones sent in a burst, would leave every other client's waiting for
 * them. So an account has a share of the pool: an agent half of it, a
 * bridge (whose bursts of ingest are its normal work, and commit together
 * when they run at once) all but one worker. Its requests beyond the
 * share wait in the server's queue, in the order they came, and go as its
 * earlier ones finish.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "server_internal.h"

/* libuv's pool when UV_THREADPOOL_SIZE does not say. */
#define POOL_DEFAULT 4

/* A hook the handler called, to play on the loop. */
struct deferred {
	enum { DEFER_CHARGE, DEFER_TELL, DEFER_AGENT_CHANGED } kind;
	unsigned n;         /* charge */
	char *account_id;   /* tell; agent_changed (NULL: only a round) */
	char *json;         /* tell */
	size_t len;
	struct deferred *next;
};

struct work {
	uv_work_t req;
	struct server *server;
	struct lws *wsi;            /* NULL once the connection closed */
	struct work_request owned;  /* what the handler reads */
	struct request request;
	struct response res;
	struct api_error err;
	bool ok;
	struct deferred *first, **last;
	bool out_of_memory;         /* a hook could not be written down */
	struct agent_presence *statuses;
	size_t nstatuses;
	struct work *next;          /* in the server's running or waiting list */
};

static void defer(struct work *w, struct deferred *d)
{
	if (!d) {
		w->out_of_memory = true;
		return;
	}
	*w->last = d;
	w->last = &d->next;
}

static void defer_charge(const struct request *req, unsigned n)
{
	struct work *w = req->server;
	struct deferred *d = calloc(1, sizeof *d);

	if (d) {
		d->kind = DEFER_CHARGE;
		d->n = n;
	}
	defer(w, d);
}

static void defer_tell(void *ctx, const char *account_id, const char *json, size_t len)
{
	struct work *w = ctx;
	struct deferred *d = calloc(1, sizeof *d);

	if (d) {
		d->kind = DEFER_TELL;
		d->account_id = strdup(account_id);
		d->json = malloc(len + 1);
		d->len = len;
		if (!d->account_id || !d->json) {
			free(d->account_id);
			free(d->json);
			free(d);
			d = NULL;
		} else {
			memcpy(d->json, json, len);
			d->json[len] = '\0';
		}
	}
	defer(w, d);
}

static void defer_agent_changed(void *ctx, const char *id)
{
	struct work *w = ctx;
	struct deferred *d = calloc(1, sizeof *d);

	if (d) {
		d->kind = DEFER_AGENT_CHANGED;
		if (id && !(d->account_id = strdup(id))) {
			free(d);
			d = NULL;
		}
	}
	defer(w, d);
}

static enum agent_status copied_status(void *ctx, const char *id)
{
	const struct work *w = ctx;

	for (size_t i = 0; i < w->nstatuses; i++)
		if (strcmp(w->statuses[i].id, id) == 0)
			return w->statuses[i].status;
	return AGENT_OFFLINE;
}

/* The statuses of every agent with an open stream on any hub: the others
 * are offline, which copied_status answers for them. */
static bool copy_statuses(struct server *s, struct work *w)
{
	w->statuses = agents_statuses(s, &w->nstatuses);
	return w->statuses != NULL;
}

static void work_free(struct work *w)
{
	for (struct deferred *d = w->first, *next; d; d = next) {
		next = d->next;
		free(d->account_id);
		free(d->json);
		free(d);
	}
	cJSON_Delete(w->res.body);
	work_request_free(&w->owned);
	free(w->statuses);
	free(w);
}

/* On a worker thread. */
static void run_handler(uv_work_t *req)
{
	struct work *w = req->data;
	struct errbuf why;
	struct storage *st = w->server->st->ops->for_thread(w->server->st, &why);

	if (!st) {
		log_error("%s", why.msg);
		w->ok = api_error_set(&w->err, API_INTERNAL, "database unavailable");
		return;
	}
	w->request.st = st;
	w->ok = w->owned.adm.match.route->handler(&w->request, &w->res, &w->err) && w->res.body;
}

/* The account whose share a work counts against ("" for a public route's,
 * which has no share: health needs no worker for long). */
static const char *account_of(const struct work *w)
{
	return w->owned.adm.has_caller ? w->owned.adm.caller.id : "";
}

static size_t running_of(const struct server *s, const char *account)
{
	size_t n = 0;

	for (const struct work *r = s->works.running; r; r = r->next)
		n += strcmp(account_of(r), account) == 0;
	return n;
}

/* The threads of libuv's pool, as libuv reads its environment. */
static size_t pool_size(void)
{
	const char *v = getenv("UV_THREADPOOL_SIZE");
	long n = v ? strtol(v, NULL, 10) : 0;

	return n > 0 ? (size_t)n : POOL_DEFAULT;
}

static size_t share_of(const struct work *w)
{
	static size_t pool;

	if (!pool)
		pool = pool_size();
	size_t share = w->owned.adm.caller.role == ACCOUNT_INGEST ? pool - 1 : pool / 2;
	return share ? share : 1;
}

static bool over_share(const struct server *s, const struct work *w)
{
	return w->owned.adm.has_caller && running_of(s, account_of(w)) >= share_of(w);
}

static void unlink_running(struct server *s, struct work *w)
{
	for (struct work **p = &s->works.running; *p; p = &(*p)->next)
		if (*p == w) {
			*p = w->next;
			return;
		}
}

/* Play the hooks, then answer if anyone still waits. */
static void complete(struct work *w, int status)
{
	struct server *s = w->server;

	for (struct deferred *d = w->first; d && !s->stopping; d = d->next) {
		switch (d->kind) {
		case DEFER_CHARGE:
			if (w->owned.adm.has_caller)
				charge_caller(s, &w->owned.adm.caller, d->n);
			break;
		case DEFER_TELL:
			events_tell(s, d->account_id, d->json, d->len);
			break;
		case DEFER_AGENT_CHANGED:
			agents_changed(s, d->account_id);
			break;
		}
	}
	if (w->out_of_memory)
		log_error("%s: out of memory recording what a request changed",
			  w->owned.path ? w->owned.path : "?");
	if (w->wsi) {
		if (status == UV_ECANCELED)
			w->ok = api_error_set(&w->err, API_INTERNAL, "the hub is stopping");
		http_work_done(w->wsi, w, &w->owned, w->ok, w->res.status,
			       w->ok ? w->res.body : NULL, &w->err);
		w->res.body = NULL;
	}
	work_free(w);
}

static void handler_done(uv_work_t *req, int status);

static bool submit(struct server *s, struct work *w)
{
	if (uv_queue_work(s->loop, &w->req, run_handler, handler_done) != 0)
		return false;
	w->next = s->works.running;
	s->works.running = w;
	return true;
}

/* The waiting works whose account is under its share now go, in order;
 * when the hub stops, they are answered without running. */
static void dispatch(struct server *s)
{
	struct work **p = &s->works.waiting;

	while (*p) {
		struct work *w = *p;
		if (!s->stopping && over_share(s, w)) {
			p = &w->next;
			continue;
		}
		*p = w->next;
		if (!*p)
			s->works.waiting_last = p;
		w->next = NULL;
		if (s->stopping || !submit(s, w)) {
			w->ok = api_error_set(&w->err, API_INTERNAL, s->stopping ? "the hub is stopping"
										  : "cannot queue the request");
			complete(w, 0);
		}
	}
}

/* On the loop. */
static void handler_done(uv_work_t *req, int status)
{
	struct work *w = req->data;
	struct server *s = w->server;

	unlink_running(s, w);
	complete(w, status);
	dispatch(s);
}

struct work *work_start(struct server *s, struct lws *wsi, struct work_request *taken,
			struct api_error *err)
{
	struct work *w = calloc(1, sizeof *w);

	if (!w || (taken->adm.match.route->statuses && !copy_statuses(s, w))) {
		free(w);
		return api_error_set(err, API_INTERNAL, "out of memory"), NULL;
	}
	w->server = s;
	w->wsi = wsi;
	w->owned = *taken;
	memset(taken, 0, sizeof *taken);
	w->last = &w->first;
	w->err = (struct api_error){API_INTERNAL, "the handler gave no answer"};

	const struct route_match *m = &w->owned.adm.match;
	w->request = (struct request){
		.method = w->owned.method,
		.path = w->owned.path,
		.params = w->owned.adm.query.params,
		.nparams = w->owned.adm.query.n,
		.body = w->owned.body,
		.caller = w->owned.adm.has_caller ? &w->owned.adm.caller : NULL,
		.charge = defer_charge,
		.server = w,
		.tell = defer_tell,
		.tell_ctx = w,
		.agent_status = copied_status,
		.agent_changed = defer_agent_changed,
		.targets = &s->limits.targets,
	};
	for (size_t i = 0; i < m->nids; i++)
		w->request.ids[i] = m->ids[i];
	w->req.data = w;
	if (!s->works.waiting_last)
		s->works.waiting_last = &s->works.waiting;
	if (over_share(s, w)) {
		*s->works.waiting_last = w;
		s->works.waiting_last = &w->next;
		return w;
	}
	if (!submit(s, w)) {
		*taken = w->owned; /* given back, as promised */
		memset(&w->owned, 0, sizeof w->owned);
		work_free(w);
		return api_error_set(err, API_INTERNAL, "cannot queue the request"), NULL;
	}
	return w;
}

void work_orphan(struct work *w)
{
	w->wsi = NULL;
}

void work_request_free(struct work_request *r)
{
	admission_free(&r->adm);
	free(r->path);
	cJSON_Delete(r->body);
	memset(r, 0, sizeof *r);
}
