/*
 * test_pg_group.c — group commit of single ingests on PostgreSQL
 * (pg_group.c), on a real server (pgserver.c): threads on connections of
 * their own ingest through one group, as a hub's workers do.
 *
 * - a storm: every message stored once, the log 1..N without a hole, each
 *   thread answered with its own message;
 * - a group with refused ingests (an unknown chat, a bot where an agent
 *   holds the chat): they alone are refused, the others stored and
 *   answered as if alone;
 * - groups whose connection is killed mid-transaction: every member
 *   fails, nothing is stored, and their retries store each message once.
 *
 * To form a group on purpose the main thread holds the event counter's
 * row lock: the first ingest's transaction waits for it at its end, the
 * others queue behind it (pg_group_waiting says when all have), and the
 * next group takes them all.
 *
 * Threads never assert (cmocka's failures jump within the main thread):
 * they record what they got, and the main thread checks it after joining.
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

#include "pg.h"
#include "pg_fixture.h"
#include "pg_group.h"
#include "pg_internal.h"

struct fx {
	struct pgfx db; /* first: pgfx_teardown frees the whole */
	struct pg_group *group;
	struct pg *watch;       /* a second connection, to watch the others */
	struct agent bot, rasa; /* ingest accounts */
	struct agent ana;       /* an agent */
};

static const char unknown_id[] = "11111111-2222-4333-8444-555555555555";

static int setup(void **state)
{
	struct fx *fx = pgfx_new(state, sizeof *fx, true);

	if (!fx)
		return -1;
	struct errbuf err;
	fx->group = pg_group_new();
	fx->watch = pg_open(pgserver_conninfo(fx->db.server), &err);
	if (!fx->group || !fx->watch)
		return -1;
	pgfx_account(fx->db.c, &fx->bot, "Widget bot", ACCOUNT_INGEST);
	pgfx_account(fx->db.c, &fx->rasa, "Rasa bot", ACCOUNT_INGEST);
	pgfx_account(fx->db.c, &fx->ana, "Ana", ACCOUNT_AGENT);
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	if (fx) {
		pg_group_free(fx->group);
		pg_close(fx->watch);
	}
	return pgfx_teardown(state);
}

static long long number(struct fx *fx, const char *text, int n, const char *const *params)
{
	return pgfx_number(fx->db.c, text, n, params);
}

static void sleep_ms(long ms)
{
	nanosleep(&(struct timespec){ms / 1000, (ms % 1000) * 1000000L}, NULL);
}

/* ---- one ingest on a thread of its own ------------------------------------ */

struct job {
	struct fx *fx;
	const struct agent *me;
	struct ingest in;
	char conv[32], ext[32], text[32];
	/* what it got */
	bool ok, created;
	struct api_error err;
	uuid_str chat;
	char *got_text, *got_ext;
	int64_t seq;
	struct errbuf open_err;
	pthread_t thread;
};

/* Job j: a message `text` with external_message_id `ext`, into the chat
 * chat_id when given, else into conversation `conv`. */
static void job_init(struct job *j, struct fx *fx, const struct agent *me, const char *conv,
		     const char *chat_id, enum msg_role role, const char *ext)
{
	*j = (struct job){.fx = fx, .me = me};
	snprintf(j->ext, sizeof j->ext, "%s", ext);
	snprintf(j->text, sizeof j->text, "text of %s", ext);
	j->in = (struct ingest){.source_platform = "botpress", .channel_type = CHANNEL_API,
				.role = role, .text = j->text, .external_message_id = j->ext};
	if (chat_id) {
		memcpy(j->in.chat_id, chat_id, sizeof j->in.chat_id);
	} else {
		snprintf(j->conv, sizeof j->conv, "%s", conv);
		j->in.external_id = j->conv;
	}
}

/* The ingest on conn, through the group, its outcome into j. */
static void job_ingest(struct job *j, PGconn *conn)
{
	struct chat c = {0};
	struct message m = {0};

	j->err = (struct api_error){API_OK, ""};
	j->ok = pg_group_ingest(j->fx->group, conn, j->me, &j->in, &c, &m, &j->created, &j->err);
	if (!j->ok)
		return;
	memcpy(j->chat, c.id, sizeof j->chat);
	free(j->got_text);
	free(j->got_ext);
	j->got_text = m.text ? strdup(m.text) : NULL;
	j->got_ext = m.external_message_id ? strdup(m.external_message_id) : NULL;
	j->seq = m.seq;
	chat_free(&c);
	message_free(&m);
}

static void *job_thread(void *arg)
{
	struct job *j = arg;
	struct pg *pg = pg_open(pgserver_conninfo(j->fx->db.server), &j->open_err);

	if (pg)
		job_ingest(j, pg_conn(pg));
	pg_close(pg);
	return NULL;
}

static void job_start(struct job *j)
{
	assert_int_equal(pthread_create(&j->thread, NULL, job_thread, j), 0);
}

static void job_join(struct job *j)
{
	pthread_join(j->thread, NULL);
	if (j->open_err.msg[0])
		fail_msg("job %s: %s", j->ext, j->open_err.msg);
}

static void job_free(struct job *j)
{
	free(j->got_text);
	free(j->got_ext);
}

/* The job was answered with its own message, stored. */
static void assert_stored(struct fx *fx, const struct job *j)
{
	if (!j->ok)
		fail_msg("%s: %s", j->ext, j->err.description);
	assert_non_null(j->got_ext);
	assert_string_equal(j->got_ext, j->ext);
	assert_string_equal(j->got_text, j->text);
	const char *params[] = {j->ext, j->chat};
	assert_int_equal(number(fx,
				"SELECT count(*) FROM messages WHERE external_message_id = $1"
				" AND chat_id = $2 AND text = 'text of ' || $1",
				2, params),
			 1);
}

/* ---- holding a group ----------------------------------------------------- */

/* Until cond(fx, arg), or fail after 10 s. */
static void wait_until(bool (*cond)(struct fx *, long), struct fx *fx, long arg, const char *what)
{
	long long deadline = pgfx_now_ms() + 10000;

	while (!cond(fx, arg)) {
		if (pgfx_now_ms() > deadline)
			fail_msg("timed out waiting for %s", what);
		sleep_ms(5);
	}
}

/* The event counter's row locked by the main connection: every ingest's
 * transaction waits for it at its end. */
static void hold_counter(struct fx *fx)
{
	pgfx_run(fx->db.c, "BEGIN", 0, NULL);
	pgfx_run(fx->db.c, "SELECT seq FROM event_seq WHERE id = 1 FOR UPDATE", 0, NULL);
}

static void release_counter(struct fx *fx)
{
	pgfx_run(fx->db.c, "ROLLBACK", 0, NULL);
}

/* The backends that wait for a lock (the counter's), seen from the
 * second connection: the main one's transaction would see the activity
 * as it was when it began. */
#define LOCK_WAITERS                                                       \
	" FROM pg_stat_activity WHERE wait_event_type = 'Lock'"           \
	" AND datname = current_database()"

static bool lock_waiters(struct fx *fx, long n)
{
	return pgfx_number(pg_conn(fx->watch), "SELECT count(*)" LOCK_WAITERS, 0, NULL) == n;
}

static bool queued(struct fx *fx, long n)
{
	return pg_group_waiting(fx->group) == (size_t)n;
}

/* Kill the one backend that waits for the counter: its transaction, a
 * group's, fails. */
static void kill_waiter(struct fx *fx)
{
	wait_until(lock_waiters, fx, 1, "a group at the counter");
	pgfx_run(pg_conn(fx->watch), "SELECT pg_terminate_backend(pid)" LOCK_WAITERS, 0, NULL);
	wait_until(lock_waiters, fx, 0, "the killed group gone");
}

/* job[0] alone in a group that waits at the counter, then job[1..n)
 * queued behind it: the next group takes them all. */
static void form_group(struct fx *fx, struct job *jobs, size_t n)
{
	hold_counter(fx);
	job_start(&jobs[0]);
	wait_until(lock_waiters, fx, 1, "the first group at the counter");
	for (size_t i = 1; i < n; i++)
		job_start(&jobs[i]);
	wait_until(queued, fx, (long)n - 1, "the next group queued");
}

/* ---- tests --------------------------------------------------------------- */

#define STORM_THREADS 8
#define STORM_ROUNDS 25
#define STORM_CONVS 6

struct storm {
	struct fx *fx;
	struct job jobs[STORM_THREADS][STORM_ROUNDS];
};

static bool storm_turn(PGconn *c, int thread, int round, void *ctx, struct errbuf *err)
{
	struct storm *s = ctx;

	(void)err;
	job_ingest(&s->jobs[thread][round], c);
	return true;
}

/* Threads ingesting at once through one group, into a few conversations
 * that the first round creates (racing): each message stored once, in
 * its chat's thread 1..N, the log without a hole, each thread answered
 * with its own message. */
static void test_storm(void **state)
{
	struct fx *fx = *state;
	struct storm *s = calloc(1, sizeof *s);
	char conv[32], ext[32];

	assert_non_null(s);
	s->fx = fx;
	for (int t = 0; t < STORM_THREADS; t++)
		for (int r = 0; r < STORM_ROUNDS; r++) {
			snprintf(conv, sizeof conv, "storm-%d", (t + r) % STORM_CONVS);
			snprintf(ext, sizeof ext, "storm-t%d-r%d", t, r);
			job_init(&s->jobs[t][r], fx, t % 2 ? &fx->rasa : &fx->bot, conv, NULL,
				 MSG_ROLE_USER, ext);
		}
	pgfx_race(&(struct pgfx_race){.conninfo = pgserver_conninfo(fx->db.server),
				      .threads = STORM_THREADS, .rounds = STORM_ROUNDS,
				      .turn = storm_turn, .ctx = s, .who = "ingester"});
	for (int t = 0; t < STORM_THREADS; t++)
		for (int r = 0; r < STORM_ROUNDS; r++) {
			assert_stored(fx, &s->jobs[t][r]);
			assert_true(s->jobs[t][r].created);
			job_free(&s->jobs[t][r]);
		}
	assert_int_equal(number(fx, "SELECT count(*) FROM messages WHERE external_message_id"
				    " LIKE 'storm-%'", 0, NULL),
			 STORM_THREADS * STORM_ROUNDS);
	assert_int_equal(number(fx, "SELECT count(*) FROM chats WHERE external_id LIKE 'storm-%'",
				0, NULL),
			 STORM_CONVS);
	/* each chat's thread is 1..message_count, and its last event is its
	 * latest in the log */
	assert_int_equal(number(fx,
				"SELECT count(*) FROM chats c WHERE c.message_count <> (SELECT"
				" count(DISTINCT seq) FROM messages m WHERE m.chat_id = c.id"
				" AND m.seq BETWEEN 1 AND c.message_count)"
				" OR c.last_event_seq <> (SELECT max(seq) FROM events e"
				" WHERE e.chat_id = c.id)",
				0, NULL),
			 0);
	pgfx_assert_log_gap_free(fx->db.c);
	free(s);
}

/* A group with two refused ingests among good ones: each refused as if
 * alone (404 for an unknown chat, 409 for a bot where an agent holds the
 * chat), the others stored and answered with their own messages, the log
 * without a hole. */
static void test_refused_alone(void **state)
{
	struct fx *fx = *state;
	struct job jobs[6], first;
	char agent_mode[PG_INT_LEN];

	/* a chat an agent holds: a bot's message into it is refused */
	job_init(&first, fx, &fx->bot, "held", NULL, MSG_ROLE_USER, "held-0");
	job_ingest(&first, fx->db.c);
	assert_stored(fx, &first);
	pgfx_run(fx->db.c, "UPDATE chats SET mode = $1 WHERE id = $2", 2,
		 (const char *[]){pg_int(CHAT_MODE_AGENT, agent_mode), first.chat});

	job_init(&jobs[0], fx, &fx->bot, "refused-a", NULL, MSG_ROLE_USER, "refused-0");
	job_init(&jobs[1], fx, &fx->rasa, "refused-b", NULL, MSG_ROLE_USER, "refused-1");
	job_init(&jobs[2], fx, &fx->bot, NULL, unknown_id, MSG_ROLE_USER, "refused-2");
	job_init(&jobs[3], fx, &fx->bot, "refused-a", NULL, MSG_ROLE_USER, "refused-3");
	job_init(&jobs[4], fx, &fx->bot, NULL, first.chat, MSG_ROLE_BOT, "refused-4");
	job_init(&jobs[5], fx, &fx->rasa, NULL, first.chat, MSG_ROLE_USER, "refused-5");
	form_group(fx, jobs, 6);
	release_counter(fx);
	for (int i = 0; i < 6; i++)
		job_join(&jobs[i]);

	assert_false(jobs[2].ok);
	assert_int_equal(jobs[2].err.type, API_RESOURCE_NOT_FOUND);
	assert_false(jobs[4].ok);
	assert_int_equal(jobs[4].err.type, API_CONFLICT);
	for (int i = 0; i < 6; i++)
		if (i != 2 && i != 4) {
			assert_stored(fx, &jobs[i]);
			assert_true(jobs[i].created);
		}
	assert_string_equal(jobs[0].chat, jobs[3].chat);
	assert_int_equal(jobs[0].seq, 1);
	assert_int_equal(jobs[3].seq, 2);
	assert_int_equal(jobs[5].seq, 2); /* after held-0 */
	assert_int_equal(number(fx, "SELECT count(*) FROM messages WHERE external_message_id"
				    " IN ('refused-2', 'refused-4')", 0, NULL),
			 0);
	pgfx_assert_log_gap_free(fx->db.c);
	for (int i = 0; i < 6; i++)
		job_free(&jobs[i]);
	job_free(&first);
}

/* Groups whose connection is killed in their transaction: the first (one
 * ingest), then the next (the four queued behind it). Every member fails
 * as the database failed, none is stored; retried, each is stored once,
 * and a second retry finds it. */
static void test_killed(void **state)
{
	struct fx *fx = *state;
	struct job jobs[5];
	char ext[32];

	for (int i = 0; i < 5; i++) {
		snprintf(ext, sizeof ext, "killed-%d", i);
		job_init(&jobs[i], fx, i % 2 ? &fx->rasa : &fx->bot, i < 3 ? "killed-a" : "killed-b",
			 NULL, MSG_ROLE_USER, ext);
	}
	form_group(fx, jobs, 5);
	kill_waiter(fx); /* the first group's */
	kill_waiter(fx); /* the next: the four that were queued */
	release_counter(fx);
	for (int i = 0; i < 5; i++) {
		job_join(&jobs[i]);
		assert_false(jobs[i].ok);
		assert_int_equal(jobs[i].err.type, API_INTERNAL);
	}
	assert_int_equal(number(fx, "SELECT count(*) FROM messages WHERE external_message_id"
				    " LIKE 'killed-%'", 0, NULL),
			 0);

	/* retried at once, then again: stored once each */
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 5; i++)
			job_start(&jobs[i]);
		for (int i = 0; i < 5; i++) {
			job_join(&jobs[i]);
			assert_stored(fx, &jobs[i]);
			assert_int_equal(jobs[i].created, round == 0);
		}
	}
	assert_int_equal(number(fx, "SELECT count(*) FROM messages WHERE external_message_id"
				    " LIKE 'killed-%'", 0, NULL),
			 5);
	pgfx_assert_log_gap_free(fx->db.c);
	for (int i = 0; i < 5; i++)
		job_free(&jobs[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_storm),
		cmocka_unit_test(test_refused_alone),
		cmocka_unit_test(test_killed),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
