/*
 * bench_pg_access.c — two ways for a libuv loop to reach PostgreSQL, on one
 * query mix against the private server of with_pg, with no hub around them:
 *
 *  (a) worker threads, what the hub does (src/hub/server_work.c): each
 *      operation runs on libuv's thread pool (uv_queue_work) with blocking
 *      libpq calls on a connection of the worker's own; W = 4 and 8;
 *  (b) libpq's asynchronous API on the loop itself: K connections, each
 *      operation's statements sent with PQsendQueryParams and read as a
 *      uv_poll_t says the socket is readable (PQconsumeInput, PQisBusy,
 *      PQgetResult), one statement at a time (no pipelining); K = 1, 4, 8.
 *
 *   tests/integration/with_pg -- tests/bench/bench_pg_access [RATE [SECONDS [OUTSTANDING]]]
 *                                                    defaults 200 5 64
 *
 * An operation is, 3 times in 4, a chat's row read by primary key (a few
 * columns, as a handler reads a chat), else a small write transaction
 * (BEGIN, the chat's UPDATE, a message's INSERT, COMMIT: four round trips,
 * as the hub's writes are several statements each). Operations wait in
 * one queue on the loop and go to whichever connection is free, as the
 * thread pool's queue hands work to whichever worker is. For each setup:
 *
 *  - saturation: OUTSTANDING operations kept outstanding for SECONDS: operations
 *    answered per second;
 *  - RATE operations a second on an absolute schedule for SECONDS: latency
 *    from each one's scheduled time to its last result, so a queue that
 *    builds up is counted (coordinated omission);
 *  - the same with one SELECT pg_sleep(0.2) a second among them, on
 *    whichever connection takes it (its own latency left out);
 *
 * and, throughout, the loop's responsiveness: a 1 ms repeating uv_timer's
 * lateness, how much later than 1 ms after its previous run it ran, which
 * is what every other client of the loop (streams, requests) waits on top
 * of its own work. libuv's timers have millisecond resolution, so even an
 * idle loop shows up to about 1 ms: the first row measures that floor.
 * The loop thread's CPU time (RUSAGE_THREAD) over the offered-rate run
 * shows what each way costs the loop itself.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <libpq-fe.h>
#include <uv.h>

#include "bench_hub.h"

#define CHATS 100000
#define MAX_LANES 8
#define TICK_MS 1
#define SLOW_SQL "SELECT pg_sleep(0.2)"

static int rate = 200, seconds = 5, outstanding = 64; /* outstanding: at saturation */

/* ---- the query mix ------------------------------------------------------------ */

enum kind { READ, WRITE, SLOW };

/* An operation's statements, run one after another on one connection. */
static const struct step {
	const char *sql;
	int nparams; /* of $1 the chat's id, $2 a time, $3 a text */
} read_steps[] = {
	{"SELECT id, title, owner_name, latest_text, mode, escalated, version, message_count"
	 " FROM bench_chats WHERE id = $1",
	 1},
}, write_steps[] = {
	{"BEGIN", 0},
	{"UPDATE bench_chats SET version = version + 1, updated_at = $2, latest_text = $3,"
	 " message_count = message_count + 1 WHERE id = $1",
	 3},
	{"INSERT INTO bench_messages (chat_id, at, text) VALUES ($1, $2, $3)", 3},
	{"COMMIT", 0},
}, slow_steps[] = {
	{SLOW_SQL, 0},
};

static const struct {
	const struct step *steps;
	int n;
} kinds[] = {
	[READ] = {read_steps, 1}, [WRITE] = {write_steps, 4}, [SLOW] = {slow_steps, 1}};

static char (*chat_ids)[37];

struct op {
	enum kind kind;
	int64_t due; /* scheduled (offered rate) or queued (saturation), ns */
	char chat[37], at[24];
};

static void op_init(struct op *o, enum kind kind, int64_t due)
{
	static uint64_t x = 88172645463325252ull; /* xorshift: the same chats every run */

	x ^= x << 13, x ^= x >> 7, x ^= x << 17;
	o->kind = kind;
	o->due = due;
	memcpy(o->chat, chat_ids[x % CHATS], sizeof o->chat);
	snprintf(o->at, sizeof o->at, "%lld", (long long)due);
}

static bool step_ok(PGresult *r)
{
	ExecStatusType s = PQresultStatus(r);
	return s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK;
}

static void params(const struct op *o, const char *p[3])
{
	p[0] = o->chat, p[1] = o->at, p[2] = "Your order is on its way";
}

/* ---- a setup's state: the queue, the connections, the measures ---------------- */

enum way { NONE, WORKERS, ASYNC };

struct lane {
	struct run *run;
	PGconn *c;
	bool busy;
	struct op op;
	int step;            /* async: the statement in flight */
	bool failed;         /* workers: the operation failed */
	uv_work_t work;
	uv_poll_t poll;
};

struct run {
	uv_loop_t *loop;
	enum way way;
	int nlanes;
	struct lane lanes[MAX_LANES];
	struct op *queue;       /* a ring of waiting operations */
	size_t qhead, qlen, qcap;
	long outstanding;       /* queued or running */
	/* what the current phase does */
	bool saturate, slow;
	struct schedule sch;
	long issued;
	int64_t end_ns;         /* saturation: no new operations after */
	long done;              /* operations answered before end_ns */
	struct samples lat;     /* offered rate: scheduled → answered, us */
	/* the loop's timer */
	uv_timer_t tick;
	int64_t last_tick;
	struct samples late;    /* us */
};

static void fail_pg(PGconn *c, const char *what)
{
	fail_msg("%s: %s", what, PQerrorMessage(c));
}

static void dispatch(struct run *r);
static void enqueue(struct run *r, enum kind kind, int64_t due);

/* An operation answered: measured, its lane free for the next. */
static void finished(struct lane *l)
{
	struct run *r = l->run;
	int64_t now = now_ns();

	l->busy = false;
	r->outstanding--;
	if (r->saturate && now < r->end_ns) {
		r->done++;
		enqueue(r, r->done % 4 == 3 ? WRITE : READ, now);
	} else if (!r->saturate && l->op.kind != SLOW) {
		samples_add(&r->lat, (uint32_t)((now - l->op.due) / 1000));
	}
	dispatch(r);
}

/* ---- (a) worker threads --------------------------------------------------------- */

static void work_run(uv_work_t *w)
{
	struct lane *l = w->data;
	const char *p[3];

	params(&l->op, p);
	l->failed = false;
	for (int i = 0; i < kinds[l->op.kind].n && !l->failed; i++) {
		const struct step *s = &kinds[l->op.kind].steps[i];
		PGresult *res = PQexecParams(l->c, s->sql, s->nparams, NULL, p, NULL, NULL, 0);
		l->failed = !step_ok(res);
		PQclear(res);
	}
}

static void work_after(uv_work_t *w, int status)
{
	struct lane *l = w->data;

	if (status != 0 || l->failed)
		fail_pg(l->c, "worker");
	finished(l);
}

/* ---- (b) libpq's asynchronous API on the loop ---------------------------------- */

static void on_poll(uv_poll_t *p, int status, int events);

/* Send the statement l->step; watch for its answer, and for room to write
 * while libpq still holds some of it. */
static void async_send(struct lane *l)
{
	const struct step *s = &kinds[l->op.kind].steps[l->step];
	const char *p[3];

	params(&l->op, p);
	if (!PQsendQueryParams(l->c, s->sql, s->nparams, NULL, p, NULL, NULL, 0))
		fail_pg(l->c, "PQsendQueryParams");
	int f = PQflush(l->c);
	if (f < 0)
		fail_pg(l->c, "PQflush");
	uv_poll_start(&l->poll, f ? UV_READABLE | UV_WRITABLE : UV_READABLE, on_poll);
}

static void on_poll(uv_poll_t *p, int status, int events)
{
	struct lane *l = p->data;

	if (status < 0)
		fail_msg("uv_poll: %s", uv_strerror(status));
	if (events & UV_WRITABLE) {
		int f = PQflush(l->c);
		if (f < 0)
			fail_pg(l->c, "PQflush");
		if (!f)
			uv_poll_start(&l->poll, UV_READABLE, on_poll);
	}
	if (!(events & UV_READABLE))
		return;
	if (!PQconsumeInput(l->c))
		fail_pg(l->c, "PQconsumeInput");
	while (l->busy && !PQisBusy(l->c)) {
		PGresult *res = PQgetResult(l->c);
		if (res) {
			if (!step_ok(res))
				fail_pg(l->c, kinds[l->op.kind].steps[l->step].sql);
			PQclear(res);
		} else if (++l->step < kinds[l->op.kind].n) {
			async_send(l); /* the statement is done: the next one */
			return;
		} else {
			finished(l);
			return;
		}
	}
}

/* ---- the queue -------------------------------------------------------------------- */

/* Hand waiting operations to free lanes. */
static void dispatch(struct run *r)
{
	for (int i = 0; i < r->nlanes && r->qlen; i++) {
		struct lane *l = &r->lanes[i];
		if (l->busy)
			continue;
		l->op = r->queue[r->qhead];
		r->qhead = (r->qhead + 1) % r->qcap;
		r->qlen--;
		l->busy = true;
		l->step = 0;
		if (r->way == WORKERS)
			uv_queue_work(r->loop, &l->work, work_run, work_after);
		else
			async_send(l);
	}
}

static void enqueue(struct run *r, enum kind kind, int64_t due)
{
	if (r->qlen == r->qcap)
		fail_msg("queue full: %zu operations waiting", r->qlen);
	op_init(&r->queue[(r->qhead + r->qlen++) % r->qcap], kind, due);
	r->outstanding++;
}

/* Every millisecond: the lateness of this run; at the offered rate, the
 * operations now due; the phase's end once nothing is left. */
static void on_tick(uv_timer_t *t)
{
	struct run *r = t->data;
	int64_t now = now_ns();
	int64_t late = now - r->last_tick - TICK_MS * 1000000;

	samples_add(&r->late, late > 0 ? (uint32_t)(late / 1000) : 0);
	r->last_tick = now;
	if (!r->saturate && r->nlanes) {
		for (; r->issued < r->sch.total && schedule_due(&r->sch, r->issued) <= now; r->issued++) {
			long i = r->issued;
			enum kind k = r->slow && i % rate == rate / 2 ? SLOW : i % 4 == 3 ? WRITE : READ;
			enqueue(r, k, schedule_due(&r->sch, i));
		}
		dispatch(r);
	}
	bool over = r->saturate || !r->nlanes ? now >= r->end_ns : r->issued == r->sch.total;
	if (over && r->outstanding == 0)
		uv_stop(r->loop);
}

static double thread_cpu_s(void)
{
	struct rusage u;
	getrusage(RUSAGE_THREAD, &u);
	return (double)u.ru_utime.tv_sec + (double)u.ru_stime.tv_sec +
	       ((double)u.ru_utime.tv_usec + (double)u.ru_stime.tv_usec) / 1e6;
}

struct result {
	double ops_s;               /* saturation */
	double sat_late_p99, sat_late_max;
	double p50, p99, late_p99, late_max, loop_cpu; /* offered rate */
	double slow_p50, slow_p99, slow_late_p99, slow_late_max;
};

/* One phase on r's loop: saturation, or the offered rate with or without
 * the slow query. */
static void phase(struct run *r, bool saturate, bool slow)
{
	r->saturate = saturate;
	r->slow = slow;
	r->issued = r->done = 0;
	r->lat.n = r->late.n = 0;
	schedule_init(&r->sch, rate, seconds, seconds);
	schedule_begin(&r->sch);
	r->end_ns = now_ns() + (int64_t)seconds * 1000000000;
	if (saturate) {
		for (int i = 0; i < outstanding; i++)
			enqueue(r, i % 4 == 3 ? WRITE : READ, now_ns());
		dispatch(r);
	}
	r->last_tick = now_ns();
	uv_timer_start(&r->tick, on_tick, TICK_MS, TICK_MS);
	uv_run(r->loop, UV_RUN_DEFAULT);
	uv_timer_stop(&r->tick);
	samples_sort(&r->lat);
	samples_sort(&r->late);
}

static PGconn *connect_pg(const char *conninfo)
{
	PGconn *c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK)
		fail_pg(c, "connect");
	return c;
}

static void measure(enum way way, int nlanes, const char *conninfo, struct result *out)
{
	struct run r = {.way = way, .nlanes = nlanes, .qcap = (size_t)rate * seconds + outstanding};
	uv_loop_t loop;

	uv_loop_init(&loop);
	r.loop = &loop;
	r.queue = calloc(r.qcap, sizeof *r.queue);
	uv_timer_init(&loop, &r.tick);
	r.tick.data = &r;
	for (int i = 0; i < nlanes; i++) {
		struct lane *l = &r.lanes[i];
		l->run = &r;
		l->c = connect_pg(conninfo);
		l->work.data = l;
		if (way == ASYNC) {
			if (PQsetnonblocking(l->c, 1) != 0)
				fail_pg(l->c, "PQsetnonblocking");
			uv_poll_init(&loop, &l->poll, PQsocket(l->c));
			l->poll.data = l;
		}
	}
	memset(out, 0, sizeof *out);
	if (way != NONE) {
		phase(&r, true, false);
		out->ops_s = (double)r.done / seconds;
		out->sat_late_p99 = samples_ms(&r.late, 0.99);
		out->sat_late_max = samples_ms(&r.late, 1);
	}
	double cpu0 = thread_cpu_s();
	phase(&r, false, false);
	out->loop_cpu = 100 * (thread_cpu_s() - cpu0) / seconds;
	out->p50 = samples_ms(&r.lat, 0.5);
	out->p99 = samples_ms(&r.lat, 0.99);
	out->late_p99 = samples_ms(&r.late, 0.99);
	out->late_max = samples_ms(&r.late, 1);
	if (way != NONE) {
		phase(&r, false, true);
		out->slow_p50 = samples_ms(&r.lat, 0.5);
		out->slow_p99 = samples_ms(&r.lat, 0.99);
		out->slow_late_p99 = samples_ms(&r.late, 0.99);
		out->slow_late_max = samples_ms(&r.late, 1);
	}

	for (int i = 0; i < nlanes; i++) {
		if (way == ASYNC)
			uv_close((uv_handle_t *)&r.lanes[i].poll, NULL);
	}
	uv_close((uv_handle_t *)&r.tick, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	for (int i = 0; i < nlanes; i++)
		PQfinish(r.lanes[i].c);
	free(r.queue);
	free(r.lat.us);
	free(r.late.us);
}

/* The tables and CHATS chats, made by SQL (what is measured is the access,
 * not the fill); every chat's id kept for the operations. */
static void prepare(const char *conninfo)
{
	PGconn *c = connect_pg(conninfo);
	char sql[1024];
	PGresult *res;

	snprintf(sql, sizeof sql,
		 "DROP TABLE IF EXISTS bench_messages, bench_chats;"
		 "CREATE TABLE bench_chats (id uuid PRIMARY KEY, title text, owner_name text NOT NULL,"
		 " latest_text text, mode integer NOT NULL, escalated boolean NOT NULL,"
		 " version bigint NOT NULL, updated_at bigint NOT NULL, message_count bigint NOT NULL);"
		 "CREATE TABLE bench_messages (id bigserial PRIMARY KEY,"
		 " chat_id uuid NOT NULL REFERENCES bench_chats (id), at bigint NOT NULL,"
		 " text text NOT NULL);"
		 "CREATE INDEX bench_messages_chat ON bench_messages (chat_id, id);"
		 "INSERT INTO bench_chats SELECT gen_random_uuid(), 'Order ' || i, 'Customer ' || i,"
		 " 'Hi, my parcel still has not arrived', i %% 2, i %% 10 = 0, 1, i, 1"
		 " FROM generate_series(1, %d) i",
		 CHATS);
	res = PQexec(c, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		fail_pg(c, "prepare");
	PQclear(res);
	res = PQexec(c, "VACUUM ANALYZE bench_chats"); /* a settled table, as autovacuum leaves it */
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		fail_pg(c, "VACUUM");
	PQclear(res);
	res = PQexec(c, "SELECT id FROM bench_chats ORDER BY id");
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != CHATS)
		fail_pg(c, "chat ids");
	chat_ids = malloc(CHATS * sizeof *chat_ids);
	for (int i = 0; i < CHATS; i++)
		snprintf(chat_ids[i], sizeof chat_ids[i], "%s", PQgetvalue(res, i, 0));
	PQclear(res);
	PQfinish(c);
}

static const struct setup {
	const char *name;
	enum way way;
	int lanes;
} setups[] = {
	{"loop alone (no queries)", NONE, 0},
	{"workers, 4 (uv_queue_work)", WORKERS, 4},
	{"workers, 8 (uv_queue_work)", WORKERS, 8},
	{"async on the loop, 1 connection", ASYNC, 1},
	{"async on the loop, 4 connections", ASYNC, 4},
	{"async on the loop, 8 connections", ASYNC, 8},
};

static void bench(void **state)
{
	const char *conninfo = getenv("HANDOFF_TEST_PG");
	struct result res[sizeof setups / sizeof setups[0]];

	(void)state;
	if (!conninfo)
		fail_msg("run under tests/integration/with_pg: it starts the PostgreSQL server");
	prepare(conninfo);
	for (size_t i = 0; i < sizeof setups / sizeof setups[0]; i++) {
		fprintf(stderr, "%s ...\n", setups[i].name);
		measure(setups[i].way, setups[i].lanes, conninfo, &res[i]);
	}
	free(chat_ids);

	printf("\n%d chats; an operation is 3 in 4 a read by primary key, 1 in 4 a write"
	       " transaction of 4 statements; %d s a phase; PostgreSQL %s\n\n",
	       CHATS, seconds,
	       getenv("HANDOFF_PG_DURABLE") ? "durable (fsync, synchronous commits)"
					    : "as the tests run it (no fsync)");
	printf("| access | ops/s, %d outstanding | loop late p99 / max ms, saturated "
	       "| %d/s: p50 / p99 ms | loop late p99 / max ms | loop thread CPU "
	       "| %d/s + pg_sleep(0.2) each s: p50 / p99 ms | loop late p99 / max ms |\n"
	       "|---|---:|---:|---:|---:|---:|---:|---:|\n",
	       outstanding, rate, rate);
	for (size_t i = 0; i < sizeof setups / sizeof setups[0]; i++) {
		const struct result *x = &res[i];
		if (setups[i].way == NONE) {
			printf("| %s | — | — | — | %.2f / %.2f | %.0f %% | — | — |\n", setups[i].name,
			       x->late_p99, x->late_max, x->loop_cpu);
			continue;
		}
		printf("| %s | %.0f | %.2f / %.2f | %.2f / %.2f | %.2f / %.2f | %.0f %% "
		       "| %.2f / %.2f | %.2f / %.2f |\n",
		       setups[i].name, x->ops_s, x->sat_late_p99, x->sat_late_max, x->p50, x->p99,
		       x->late_p99, x->late_max, x->loop_cpu, x->slow_p50, x->slow_p99,
		       x->slow_late_p99, x->slow_late_max);
	}
}

int main(int argc, char **argv)
{
	int *const args[3] = {&rate, &seconds, &outstanding};

	/* The pool must be as large as the most workers measured before its
	 * first use; a setup of fewer uses only as many (one per connection). */
	setenv("UV_THREADPOOL_SIZE", "8", 1);
	return bench_hub_main(argc, argv, "usage: with_pg -- bench_pg_access [RATE [SECONDS [OUTSTANDING]]]\n",
			      args, bench);
}
