/*
 * pg_fixture.c — see pg_fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pg_fixture.h"

void *pgfx_new(void **state, size_t size, bool connect)
{
	struct pgfx *fx = calloc(1, size);
	struct errbuf err = {""};

	/* Set first: the teardown frees what a failing setup leaves. */
	*state = fx;
	if (!fx || !(fx->server = pgserver_start()))
		return NULL;
	if (!connect)
		return fx;
	fx->pg = pg_open(pgserver_conninfo(fx->server), &err);
	if (!fx->pg) {
		fprintf(stderr, "pg_open: %s\n", err.msg);
		return NULL;
	}
	fx->c = pg_conn(fx->pg);
	return fx;
}

int pgfx_teardown(void **state)
{
	struct pgfx *fx = *state;

	if (!fx)
		return 0;
	pg_close(fx->pg);
	pgserver_stop(fx->server);
	free(fx);
	return 0;
}

PGresult *pgfx_sql(PGconn *c, const char *text, int n, const char *const *params)
{
	PGresult *r = PQexecParams(c, text, n, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		fail_msg("%s: %s", text, PQerrorMessage(c));
	return r;
}

void pgfx_run(PGconn *c, const char *text, int n, const char *const *params)
{
	PQclear(pgfx_sql(c, text, n, params));
}

long long pgfx_number(PGconn *c, const char *text, int n, const char *const *params)
{
	PGresult *r = pgfx_sql(c, text, n, params);
	assert_int_equal(PQntuples(r), 1);
	long long v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return v;
}

void pgfx_new_id(uuid_str id)
{
	struct errbuf err;
	assert_true(uuid_generate(id, &err));
}

void pgfx_account(PGconn *c, struct agent *a, const char *name, enum account_role role)
{
	char r[4];

	pgfx_new_id(a->id);
	a->name = (char *)name; /* borrowed, never freed */
	a->role = role;
	a->active_chats = -1;
	snprintf(r, sizeof r, "%d", (int)role);
	const char *p[] = {a->id, name, r, a->id}; /* a unique token_hash */
	pgfx_run(c,
		 "INSERT INTO accounts (id, name, role, token_hash, created_at)"
		 " VALUES ($1, $2, $3, $4, (SELECT count(*) FROM accounts))",
		 4, p);
}

void pgfx_channel_and_owner(PGconn *c, uuid_str channel, uuid_str owner)
{
	pgfx_new_id(channel);
	pgfx_new_id(owner);
	pgfx_run(c, "INSERT INTO channels (id, type, name) VALUES ($1, 0, 'widget')", 1,
		 (const char *[]){channel});
	pgfx_run(c, "INSERT INTO owners (id, name) VALUES ($1, 'Customer')", 1,
		 (const char *[]){owner});
}

bool pgfx_append_event(PGconn *c, const char *chat, bool rollback, bool even_notes,
		       struct errbuf *err)
{
	char json[64];
	int64_t seq = 0;

	if (!pg_exec(c, "BEGIN", "begin", err) || !pg_event_seq_next(c, &seq, err))
		return false;
	snprintf(json, sizeof json, "{\"seq\":%lld}", (long long)seq);
	struct pg_event ev = {seq, chat, EVENT_CHAT_UPDATED, 0, even_notes && seq % 2 == 0, json};
	return pg_event_append(c, &ev, err) &&
	       pg_exec(c, rollback ? "ROLLBACK" : "COMMIT", "end", err);
}

long long pgfx_assert_log_gap_free(PGconn *c)
{
	long long n = pgfx_number(c, "SELECT count(*) FROM events", 0, NULL);

	assert_int_equal(pgfx_number(c, "SELECT count(DISTINCT seq) FROM events", 0, NULL), n);
	/* coalesce: an empty log is 1..0 */
	assert_int_equal(pgfx_number(c, "SELECT coalesce(min(seq), 1) FROM events", 0, NULL), 1);
	assert_int_equal(pgfx_number(c, "SELECT coalesce(max(seq), 0) FROM events", 0, NULL), n);
	assert_int_equal(pgfx_number(c, "SELECT seq FROM event_seq", 0, NULL), n);
	return n;
}

long long pgfx_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- threads racing ------------------------------------------------------ */

struct racer {
	const struct pgfx_race *race;
	int index;
	pthread_barrier_t *go, *done;
	struct errbuf err;
};

static void *race_rounds(void *arg)
{
	struct racer *r = arg;
	const struct pgfx_race *race = r->race;
	struct pg *pg = pg_open(race->conninfo, &r->err);

	/* Every round's barriers are passed even after an error, or the
	 * others would wait for this thread for ever. */
	for (int i = 0; i < race->rounds; i++) {
		pthread_barrier_wait(r->go);
		if (pg && !race->turn(pg_conn(pg), r->index, i, race->ctx, &r->err)) {
			pg_close(pg);
			pg = NULL;
		}
		pthread_barrier_wait(r->done);
	}
	pg_close(pg);
	return NULL;
}

void pgfx_race(const struct pgfx_race *race)
{
	/* On the stack, not allocated: a failure below jumps out of here. */
	struct racer r[PGFX_MAX_THREADS];
	pthread_t t[PGFX_MAX_THREADS];
	pthread_barrier_t go, done;

	assert_in_range(race->threads, 1, PGFX_MAX_THREADS);
	/* the main thread is at every barrier too, to run before and after */
	pthread_barrier_init(&go, NULL, (unsigned)race->threads + 1);
	pthread_barrier_init(&done, NULL, (unsigned)race->threads + 1);
	for (int i = 0; i < race->threads; i++) {
		r[i] = (struct racer){.race = race, .index = i, .go = &go, .done = &done};
		assert_int_equal(pthread_create(&t[i], NULL, race_rounds, &r[i]), 0);
	}
	for (int round = 0; round < race->rounds; round++) {
		if (race->before)
			race->before(round, race->ctx);
		pthread_barrier_wait(&go);
		pthread_barrier_wait(&done);
		if (race->after)
			race->after(round, race->ctx);
	}
	for (int i = 0; i < race->threads; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&go);
	pthread_barrier_destroy(&done);
	for (int i = 0; i < race->threads; i++)
		if (r[i].err.msg[0])
			fail_msg("%s %d: %s", race->who, i, r[i].err.msg);
}
