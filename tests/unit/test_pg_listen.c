/*
 * test_pg_listen.c — the event feed (pg_listen.c) on a real server
 * (pgserver.c), on this program's own libuv loop, with writers on
 * connections of their own in threads, as other hubs would be:
 * - every committed event once, in seq order, while writers race and roll
 *   back, and while the feed's connection is killed under it;
 * - a start after existing events, and past pruned ones;
 * - the loop keeps turning through a long catch-up;
 * - a stop frees everything, even before the connection is up.
 * Each test has a database of its own, so its seqs start at 1.
 *
 * Threads never assert (cmocka's failures jump within the main thread):
 * they record what they did, and the main thread checks it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pg.h"
#include "pg_listen.h"
#include "pg_fixture.h"

/* How long any one wait may take before the test fails; generous, for
 * sanitizers on a loaded machine. */
#define WAIT_MS 60000

struct fx {
	struct pgfx db; /* first: pgfx_teardown frees the whole; the server only */
	int dbs;
};

/* A test's database: its conninfo, a connection to set up and look, and
 * the chat the events are of. */
struct db {
	char conninfo[256];
	struct pg *pg;
	PGconn *c;
	uuid_str chat;
};

/* A fresh database, migrated, with one chat. */
static void open_db(struct fx *fx, struct db *db)
{
	struct errbuf err = {""};
	char name[32];
	uuid_str channel, owner;

	snprintf(name, sizeof name, "listen_%d", ++fx->dbs);
	assert_true(pgserver_create_db(fx->db.server, name, db->conninfo, sizeof db->conninfo));
	db->pg = pg_open(db->conninfo, &err);
	if (!db->pg)
		fail_msg("pg_open: %s", err.msg);
	db->c = pg_conn(db->pg);
	pgfx_channel_and_owner(db->c, channel, owner);
	pgfx_new_id(db->chat);
	pgfx_run(db->c,
	    "INSERT INTO chats (id, channel_id, channel_type, owner_id, owner_name, created_at,"
	    " updated_at, responder_type, mode, escalated, state, message_count, version,"
	    " last_event_seq) VALUES ($1, $2, 0, $3, 'Customer', 0, 0, 0, 0, false, 0, 0, 1, 0)",
	    3, (const char *[]){db->chat, channel, owner});
}

/* One event in one transaction, as a hub writes it, or rolled back after
 * its row went in. Its frame is {"seq":N}; even seqs are notes'. */
static bool append_one(PGconn *c, const char *chat, bool rollback, struct errbuf *err)
{
	return pgfx_append_event(c, chat, rollback, true, err);
}

/* Events first..last at once, as a log that exists already, each frame
 * padded with `pad` bytes. */
static void append_many(struct db *db, long long first, long long last, int pad)
{
	char from[24], to[24], padding[24];

	snprintf(from, sizeof from, "%lld", first);
	snprintf(to, sizeof to, "%lld", last);
	snprintf(padding, sizeof padding, "%d", pad);
	pgfx_run(db->c,
	    "INSERT INTO events (seq, chat_id, type, at, note, json, mode, escalated,"
	    " responder_type, channel_type, owner_name, recent_key, wait_key)"
	    " SELECT s, $1, 0, 0, s % 2 = 0, '{\"seq\":' || s || ',\"pad\":\"' ||"
	    " repeat('x', $4::integer) || '\"}', 0, false, 0, 0, 'Customer', 0, 0"
	    " FROM generate_series($2::bigint, $3::bigint) s",
	    4, (const char *[]){db->chat, from, to, padding});
	pgfx_run(db->c, "UPDATE event_seq SET seq = $1", 1, (const char *[]){to});
}

/* ---- what the listener hands over --------------------------------------- */

struct got {
	const char *chat;
	long long first, last, count;
	long long disorder; /* events not at last + 1 + missed */
	long long missed;
	long long bad;      /* with a frame, chat or note not their seq's */
	long long first_missed;
};

static void on_event(void *ctx, const struct pg_listened *ev)
{
	struct got *g = ctx;
	char prefix[40];

	if (g->count == 0) {
		g->first = ev->seq;
		g->first_missed = ev->missed;
	}
	if (ev->seq != g->last + 1 + ev->missed)
		g->disorder++;
	g->count++;
	g->last = ev->seq;
	g->missed += ev->missed;
	int n = snprintf(prefix, sizeof prefix, "{\"seq\":%lld", (long long)ev->seq);
	if (strcmp(ev->chat_id, g->chat) != 0 || ev->note != (ev->seq % 2 == 0) ||
	    ev->len != strlen(ev->json) || strncmp(ev->json, prefix, (size_t)n) != 0 ||
	    (ev->json[n] != '}' && ev->json[n] != ','))
		g->bad++;
}

/* ---- waiting on the loop ------------------------------------------------ */

static void on_check(uv_timer_t *t)
{
	(void)t; /* only wakes the loop, so that run_until looks again */
}

static void on_closed(uv_handle_t *h)
{
	*(bool *)h->data = true;
}

/* Turn the loop until cond(arg) holds, at most WAIT_MS; a timer wakes it
 * every few ms, for conditions other threads or the server change. */
static bool run_until(uv_loop_t *loop, bool (*cond)(void *), void *arg)
{
	uv_timer_t check;
	bool closed = false;
	long long deadline = pgfx_now_ms() + WAIT_MS;

	uv_timer_init(loop, &check);
	check.data = &closed;
	uv_timer_start(&check, on_check, 5, 5);
	while (!cond(arg) && pgfx_now_ms() < deadline)
		uv_run(loop, UV_RUN_ONCE);
	uv_close((uv_handle_t *)&check, on_closed);
	while (!closed)
		uv_run(loop, UV_RUN_ONCE);
	return cond(arg);
}

struct upto {
	const struct got *got;
	long long seq;
};

static bool reached(void *arg)
{
	const struct upto *u = arg;
	return u->got->last >= u->seq;
}

static void wait_for_seq(uv_loop_t *loop, const struct got *g, long long seq)
{
	struct upto u = {g, seq};
	if (!run_until(loop, reached, &u))
		fail_msg("handed over up to seq %lld, not %lld, within %d s", g->last, seq,
			 WAIT_MS / 1000);
}

static bool is_set(void *arg)
{
	return *(bool *)arg;
}

static void set(void *arg)
{
	*(bool *)arg = true;
}

/* Stop the listener and see everything freed: the loop closes with no
 * handle left. */
static void stop_and_close(uv_loop_t *loop, struct pg_listener *l)
{
	bool done = false;

	pg_listener_stop(l, set, &done);
	assert_true(run_until(loop, is_set, &done));
	assert_int_equal(uv_loop_close(loop), 0);
}

static struct pg_listener *start(uv_loop_t *loop, const char *conninfo, long long after,
				 struct got *g)
{
	struct errbuf err = {""};
	struct pg_listener *l = pg_listener_start(loop, conninfo, after, on_event, g, &err);
	if (!l)
		fail_msg("pg_listener_start: %s", err.msg);
	assert_int_equal(pg_listener_last(l), after);
	return l;
}

/* ---- writers ------------------------------------------------------------ */

#define WRITERS 4

struct writer {
	const char *conninfo;
	const char *chat;
	int txns;             /* at most */
	atomic_bool *halt;    /* stop early when set (NULL: never) */
	atomic_int *finished; /* counts the writers that are done */
	int committed;
	struct errbuf err;
};

/* Each fourth transaction rolls back, after its seq was taken and its row
 * written: the seq is taken again by the next, and no NOTIFY is sent. */
static void *write_events(void *arg)
{
	struct writer *w = arg;
	struct pg *pg = pg_open(w->conninfo, &w->err);

	for (int i = 0; pg && i < w->txns && !(w->halt && atomic_load(w->halt)); i++) {
		bool rollback = i % 4 == 3;
		if (!append_one(pg_conn(pg), w->chat, rollback, &w->err))
			break;
		w->committed += !rollback;
	}
	pg_close(pg);
	atomic_fetch_add(w->finished, 1);
	return NULL;
}

struct crew {
	struct writer w[WRITERS];
	pthread_t t[WRITERS];
	atomic_int finished;
	atomic_bool halt;
};

static void crew_start(struct crew *c, struct db *db, int txns)
{
	atomic_init(&c->finished, 0);
	atomic_init(&c->halt, false);
	for (int i = 0; i < WRITERS; i++) {
		c->w[i] = (struct writer){.conninfo = db->conninfo, .chat = db->chat, .txns = txns,
					  .halt = &c->halt, .finished = &c->finished};
		assert_int_equal(pthread_create(&c->t[i], NULL, write_events, &c->w[i]), 0);
	}
}

static bool crew_done(void *arg)
{
	struct crew *c = arg;
	return atomic_load(&c->finished) == WRITERS;
}

/* Join the writers (the loop turning meanwhile): what they committed. */
static long long crew_join(uv_loop_t *loop, struct crew *c)
{
	long long committed = 0;

	assert_true(run_until(loop, crew_done, c));
	for (int i = 0; i < WRITERS; i++)
		pthread_join(c->t[i], NULL);
	for (int i = 0; i < WRITERS; i++) {
		if (c->w[i].err.msg[0])
			fail_msg("writer %d: %s", i, c->w[i].err.msg);
		committed += c->w[i].committed;
	}
	return committed;
}

/* Exactly first..last, each once, in order, intact. */
static void assert_exactly(const struct got *g, long long first, long long last)
{
	assert_int_equal(g->first, first);
	assert_int_equal(g->last, last);
	assert_int_equal(g->count, last - first + 1);
	assert_int_equal(g->disorder, 0);
	assert_int_equal(g->missed, 0);
	assert_int_equal(g->bad, 0);
}

/* ---- the tests ---------------------------------------------------------- */

static void test_every_commit_once_in_order(void **state)
{
	struct fx *fx = *state;
	struct db db;
	struct crew crew;
	uv_loop_t loop;

	open_db(fx, &db);
	struct got g = {.chat = db.chat};
	assert_int_equal(uv_loop_init(&loop), 0);
	struct pg_listener *l = start(&loop, db.conninfo, 0, &g);

	crew_start(&crew, &db, 250);
	long long n = crew_join(&loop, &crew);
	assert_int_equal(n, WRITERS * (250 - 250 / 4));
	wait_for_seq(&loop, &g, n);
	assert_exactly(&g, 1, n);
	assert_int_equal(pg_listener_last(l), n);

	stop_and_close(&loop, l);
	pg_close(db.pg);
}

/* The listener's backend, found by its application_name, and none of the
 * killed ones (`killed`, an array literal), should one linger: its pid,
 * else 0. Not "idle after its SELECT": with writers committing all the
 * time the listener is almost never idle, and on a loaded machine the
 * test could wait its whole deadline for a glimpse of it. */
static int listener_pid(PGconn *c, const char *killed)
{
	PGresult *r = pgfx_sql(c,
			       "SELECT pid FROM pg_stat_activity WHERE application_name = $1"
			       " AND datname = current_database() AND pid <> ALL ($2::integer[])",
			       2, (const char *[]){PG_LISTEN_APPLICATION, killed});
	int pid = PQntuples(r) == 1 ? atoi(PQgetvalue(r, 0, 0)) : 0;
	PQclear(r);
	return pid;
}

struct reconnect {
	PGconn *c;
	const struct got *got;
	char killed[128];   /* the pids killed, "{1,2}" */
	int pid;            /* the backend seen last */
	long long seen_at;  /* what had been handed over when it was first seen */
};

/* A backend of its own, and events handed over since it was first seen: a
 * read on that connection succeeded (the old one was closed before it was
 * opened), so the outage ended and the next kill is an outage, and a
 * warning, of its own. Events handed over after a kill alone prove
 * nothing: they can be the last read of the killed connection, already
 * in its socket when the kill came. */
static bool connected(void *arg)
{
	struct reconnect *r = arg;
	int pid = listener_pid(r->c, r->killed);

	if (!pid)
		return false;
	if (pid != r->pid) {
		r->pid = pid;
		r->seen_at = r->got->last;
		return false;
	}
	return r->got->last > r->seen_at;
}

#define KILLS 3

static void test_a_killed_connection_loses_and_repeats_nothing(void **state)
{
	struct fx *fx = *state;
	struct db db;
	struct crew crew;
	uv_loop_t loop;
	char conninfo[300], *log = NULL;
	size_t loglen = 0;

	open_db(fx, &db);
	/* A password, unused by the server (trust), to see it never logged. */
	snprintf(conninfo, sizeof conninfo, "%s password=listen-secret", db.conninfo);
	FILE *logf = open_memstream(&log, &loglen);
	assert_non_null(logf);
	log_set_file(logf);

	struct got g = {.chat = db.chat};
	assert_int_equal(uv_loop_init(&loop), 0);
	struct pg_listener *l = start(&loop, conninfo, 0, &g);
	/* Writers until told to stop, so that every kill falls mid-stream. */
	crew_start(&crew, &db, 100000);

	struct reconnect r = {.c = db.c, .got = &g, .killed = "{}"};
	for (int k = 0; k <= KILLS; k++) {
		/* after a kill: it connected again, to a backend of its own */
		if (!run_until(&loop, connected, &r))
			fail_msg("no listener caught up on a new connection after %d kills", k);
		if (k == KILLS)
			break;
		char pid[16];
		snprintf(pid, sizeof pid, "%d", r.pid);
		pgfx_run(db.c, "SELECT pg_terminate_backend($1)", 1, (const char *[]){pid});
		/* the next connection, and events handed over after it came */
		size_t len = strlen(r.killed);
		snprintf(r.killed + len - 1, sizeof r.killed - len + 1, "%s%d}", k ? "," : "", r.pid);
	}
	atomic_store(&crew.halt, true);
	long long n = crew_join(&loop, &crew);
	wait_for_seq(&loop, &g, n);
	stop_and_close(&loop, l);

	log_set_file(NULL);
	fclose(logf);
	assert_exactly(&g, 1, n);
	/* one warning a kill, and never the conninfo or its password */
	int warnings = 0;
	for (const char *p = log; (p = strstr(p, " WARN ")); p++)
		warnings++;
	if (warnings != KILLS)
		fail_msg("%d warnings for %d kills:\n%s", warnings, KILLS, log);
	assert_null(strstr(log, "listen-secret"));
	assert_null(strstr(log, db.conninfo));
	free(log);
	pg_close(db.pg);
}

static void test_a_start_after_existing_events(void **state)
{
	struct fx *fx = *state;
	struct db db;
	struct errbuf err = {""};
	uv_loop_t loop;

	open_db(fx, &db);
	append_many(&db, 1, 500, 0);
	struct got g = {.chat = db.chat, .last = 200};
	assert_int_equal(uv_loop_init(&loop), 0);
	struct pg_listener *l = start(&loop, db.conninfo, 200, &g);
	wait_for_seq(&loop, &g, 500);
	/* and what is written once it follows the log */
	for (int i = 0; i < 100; i++)
		if (!append_one(db.c, db.chat, false, &err))
			fail_msg("append: %s", err.msg);
	wait_for_seq(&loop, &g, 600);
	assert_exactly(&g, 201, 600);

	stop_and_close(&loop, l);
	pg_close(db.pg);
}

static void test_pruned_events_are_reported_missed(void **state)
{
	struct fx *fx = *state;
	struct db db;
	uv_loop_t loop;

	open_db(fx, &db);
	append_many(&db, 1, 10, 0);
	pgfx_run(db.c, "DELETE FROM events WHERE seq <= 5", 0, NULL);
	struct got g = {.chat = db.chat, .last = 2};
	assert_int_equal(uv_loop_init(&loop), 0);
	struct pg_listener *l = start(&loop, db.conninfo, 2, &g);
	wait_for_seq(&loop, &g, 10);
	/* 3..5 are gone: said on 6, and the feed goes on from there */
	assert_int_equal(g.first, 6);
	assert_int_equal(g.first_missed, 3);
	assert_int_equal(g.missed, 3);
	assert_int_equal(g.count, 5);
	assert_int_equal(g.disorder, 0);
	assert_int_equal(g.bad, 0);

	stop_and_close(&loop, l);
	pg_close(db.pg);
}

/* ---- the loop is never blocked ------------------------------------------ */

#define CATCH_UP 20000
#define MAX_GAP_MS 200

struct ticker {
	long long prev, max_gap;
	long ticks;
};

static void on_tick(uv_timer_t *t)
{
	struct ticker *tk = t->data;
	long long now = pgfx_now_ms();

	if (now - tk->prev > tk->max_gap)
		tk->max_gap = now - tk->prev;
	tk->prev = now;
	tk->ticks++;
}

static void test_a_long_catch_up_never_blocks_the_loop(void **state)
{
	struct fx *fx = *state;
	struct db db;
	uv_loop_t loop;
	uv_timer_t tick;
	bool closed = false;

	open_db(fx, &db);
	append_many(&db, 1, CATCH_UP, 200);
	struct got g = {.chat = db.chat};
	assert_int_equal(uv_loop_init(&loop), 0);
	struct ticker tk = {.prev = pgfx_now_ms()};
	uv_timer_init(&loop, &tick);
	tick.data = &tk;
	uv_timer_start(&tick, on_tick, 1, 1);
	struct pg_listener *l = start(&loop, db.conninfo, 0, &g);
	wait_for_seq(&loop, &g, CATCH_UP);
	uv_timer_stop(&tick);
	tick.data = &closed;
	uv_close((uv_handle_t *)&tick, on_closed);

	assert_exactly(&g, 1, CATCH_UP);
	assert_true(tk.ticks > 0);
	if (tk.max_gap >= MAX_GAP_MS)
		fail_msg("the loop stood still for %lld ms", tk.max_gap);
	stop_and_close(&loop, l);
	assert_true(closed);
	pg_close(db.pg);
}

/* ---- starting and stopping ---------------------------------------------- */

static void test_a_stop_before_connecting_frees_everything(void **state)
{
	struct fx *fx = *state;
	uv_loop_t loop;
	struct got g = {.chat = ""};

	assert_int_equal(uv_loop_init(&loop), 0);
	struct pg_listener *l = start(&loop, pgserver_conninfo(fx->db.server), 0, &g);
	stop_and_close(&loop, l);
	assert_int_equal(g.count, 0);
}

static void test_a_conninfo_that_does_not_parse_is_refused_unsaid(void **state)
{
	uv_loop_t loop;
	struct errbuf err = {""};
	struct got g = {.chat = ""};

	(void)state;
	assert_int_equal(uv_loop_init(&loop), 0);
	assert_null(pg_listener_start(&loop, "host=/nowhere password=hunter2 junk", 0, on_event, &g,
				      &err));
	assert_non_null(strstr(err.msg, "conninfo"));
	assert_null(strstr(err.msg, "hunter2"));
	assert_int_equal(uv_loop_close(&loop), 0);
}

static int setup(void **state)
{
	/* the server only: each test makes a database of its own */
	return pgfx_new(state, sizeof(struct fx), false) ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_commit_once_in_order),
		cmocka_unit_test(test_a_killed_connection_loses_and_repeats_nothing),
		cmocka_unit_test(test_a_start_after_existing_events),
		cmocka_unit_test(test_pruned_events_are_reported_missed),
		cmocka_unit_test(test_a_long_catch_up_never_blocks_the_loop),
		cmocka_unit_test(test_a_stop_before_connecting_frees_everything),
		cmocka_unit_test(test_a_conninfo_that_does_not_parse_is_refused_unsaid),
	};
	return cmocka_run_group_tests(tests, setup, pgfx_teardown);
}
