/*
 * server_lookup.c — a token the loop has not seen yet, looked up on a
 * worker thread, for a back end that runs requests there (storage.h:
 * token_recall, PostgreSQL's).
 *
 * The loop's handle answers every token it has found before from memory.
 * One it has not — a console's first request, a bridge just added, or a
 * wrong guess — needs a query, and that query must not hold the loop: a
 * database that stalls (a lock, a restart, a connection being mended for
 * up to its connect_timeout) would otherwise stop every stream while one
 * stranger waits. So the request waits alone: its connection is paused
 * (server_http.c), the token is looked up with the worker's own handle,
 * what it found is remembered by the loop's handle, and the request is
 * admitted again with the answer.
 *
 * The stream's upgrade is still authenticated on the loop (lws decides an
 * upgrade in its callback): a console's stream follows its first request,
 * whose lookup has made the token known.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "server_internal.h"

struct lookup {
	uv_work_t req;
	struct server *server;
	struct lws *wsi;            /* NULL once the connection closed */
	char *token;
	struct token_answer answer;
};

/* On a worker thread. */
static void look_up(uv_work_t *req)
{
	struct lookup *l = req->data;
	struct errbuf why;
	struct storage *st = l->server->st->ops->for_thread(l->server->st, &why);

	if (!st)
		log_error("%s", why.msg); /* answered as an unknown token, as on the loop */
	l->answer.found = st && st->ops->authenticate(st, l->token, &l->answer.account);
	l->answer.asked = true;
}

/* On the loop. */
static void looked_up(uv_work_t *req, int status)
{
	struct lookup *l = req->data;
	struct server *s = l->server;

	if (status == 0 && l->answer.found && !s->stopping)
		s->st->ops->token_remember(s->st, l->token, &l->answer.account);
	if (l->wsi)
		http_lookup_done(l->wsi, l, &l->answer);
	if (l->answer.found)
		agent_free(&l->answer.account);
	memset(l->token, 0, strlen(l->token)); /* a secret */
	free(l->token);
	free(l);
}

struct lookup *lookup_start(struct server *s, struct lws *wsi, char *token)
{
	struct lookup *l = calloc(1, sizeof *l);

	if (l) {
		l->server = s;
		l->wsi = wsi;
		l->token = token;
		l->req.data = l;
		if (uv_queue_work(s->loop, &l->req, look_up, looked_up) == 0)
			return l;
	}
	memset(token, 0, strlen(token));
	free(token);
	free(l);
	return NULL;
}

void lookup_orphan(struct lookup *l)
{
	l->wsi = NULL;
}
