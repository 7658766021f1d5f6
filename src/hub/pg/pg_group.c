/*
 * pg_group.c — group commit of single ingests (see pg_group.h).
 *
 * Why: every ingest ends by taking its events' seqs from the one-row
 * counter (pg_events.c), whose row lock is held through COMMIT and, on a
 * durable server, its flush to disk. Ingests therefore take turns for
 * that long whatever the number of connections, and a hub answers no
 * more ingests a second than one flush allows. Committed together,
 * several ingests pay for the lock, the COMMIT and the flush once.
 *
 * How: leader and followers. Each ingest joins the queue. A thread whose
 * ingest is queued while no group runs becomes the leader: it takes
 * what is queued (PG_GROUP_MAX at most, oldest first, its own among them
 * unless more are waiting than that) and runs it on its own connection,
 * as pg_ingest when alone, else as pg_ingest_items (one transaction,
 * each ingest in a savepoint, so an ingest refused — unknown chat,
 * stopped, held — refuses only itself, and one emit). Threads that
 * arrive meanwhile queue and wait; when the group is answered, the first
 * of them to wake leads the next group with everything queued by then.
 * A leader never waits for a follower (only for the queue's mutex, held
 * for a few pointer moves), so a thread pool of any size keeps moving:
 * with every worker but one waiting, the one leads.
 *
 * A group that fails (a database error, a connection lost, even at
 * COMMIT) fails every ingest in it with API_INTERNAL, as each alone would
 * have failed: none is answered as stored unless the COMMIT said so. A
 * retry of one the COMMIT stored after all finds it by its
 * external_message_id and answers with it.
 *
 * A follower's ingest and results stay on its stack: it does not return
 * until its group is answered.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "pg_group.h"

/* A queued ingest, on its thread's stack. */
struct member {
	struct pg_ingest_item item;
	struct ingest_result result;
	bool answered;
	struct member *next;
};

struct pg_group {
	pthread_mutex_t lock;
	pthread_cond_t answered; /* a group was answered */
	struct member *head, **tail;
	bool running;            /* a leader is running a group */
};

struct pg_group *pg_group_new(void)
{
	struct pg_group *g = calloc(1, sizeof *g);

	if (!g)
		return NULL;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->answered, NULL);
	g->tail = &g->head;
	return g;
}

void pg_group_free(struct pg_group *g)
{
	if (!g)
		return;
	pthread_cond_destroy(&g->answered);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

size_t pg_group_waiting(struct pg_group *g)
{
	size_t n = 0;

	pthread_mutex_lock(&g->lock);
	for (struct member *m = g->head; m; m = m->next)
		n++;
	pthread_mutex_unlock(&g->lock);
	return n;
}

/* Run the n members' ingests on conn, each outcome into its result. */
static void run(PGconn *conn, struct member **m, size_t n)
{
	struct pg_ingest_item items[PG_GROUP_MAX];
	struct api_error err;

	if (n == 1) {
		struct ingest_result *r = &m[0]->result;
		r->error = (struct api_error){API_OK, ""};
		pg_ingest(conn, m[0]->item.me, m[0]->item.in, &r->chat, &r->message, &r->created,
			  &r->error);
		return;
	}
	for (size_t i = 0; i < n; i++)
		items[i] = m[i]->item;
	if (pg_ingest_items(conn, items, n, &err))
		return;
	for (size_t i = 0; i < n; i++)
		m[i]->result.error = err;
}

bool pg_group_ingest(struct pg_group *g, PGconn *conn, const struct agent *me,
		     const struct ingest *in, struct chat *chat, struct message *message,
		     bool *created, struct api_error *err)
{
	struct member self = {0};

	/* refused before it joins, as pg_ingest refuses it: a group's items
	 * are valid */
	if (!ingest_valid(in, err))
		return false;
	self.item = (struct pg_ingest_item){me, in, &self.result};
	pthread_mutex_lock(&g->lock);
	*g->tail = &self;
	g->tail = &self.next;
	while (!self.answered) {
		if (g->running) {
			pthread_cond_wait(&g->answered, &g->lock);
			continue;
		}
		struct member *taken[PG_GROUP_MAX];
		size_t n = 0;
		while (g->head && n < PG_GROUP_MAX) {
			taken[n++] = g->head;
			g->head = g->head->next;
		}
		if (!g->head)
			g->tail = &g->head;
		g->running = true;
		pthread_mutex_unlock(&g->lock);
		run(conn, taken, n);
		pthread_mutex_lock(&g->lock);
		for (size_t i = 0; i < n; i++)
			taken[i]->answered = true;
		g->running = false;
		pthread_cond_broadcast(&g->answered);
	}
	pthread_mutex_unlock(&g->lock);
	if (self.result.error.type != API_OK) {
		*err = self.result.error;
		return false;
	}
	*chat = self.result.chat;
	*message = self.result.message;
	if (created)
		*created = self.result.created;
	return true;
}
