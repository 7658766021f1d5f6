/*
 * test_pg_races.c — the PostgreSQL back end's guarantees under concurrent
 * writers, on a real server (pgserver.c), each writer a thread with a
 * connection of its own, as hubs sharing one database would be:
 * - the event log: seqs 1..N without a hole or a duplicate while a third of
 *   the writers' transactions roll back, and NOTIFYs heard in seq order;
 * - takeover: exactly one winner of every race;
 * - replies: one message per client_msg_id however many send it at once.
 *
 * Threads never assert (cmocka's failures jump within the main thread):
 * they record what they saw, and the main thread checks it after joining.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pg.h"
#include "pgserver.h"

#define THREADS 8

struct fx {
	struct pgserver *server;
	struct pg *pg;
	PGconn *c;                  /* the main thread's, to set up and look */
	uuid_str agents[THREADS];
	uuid_str chat;              /* events and takeovers */
	uuid_str thread;            /* replies */
};

/* Run sql with its parameters (as text) on the main connection; the
 * result, which the caller clears. */
static PGresult *sql(struct fx *fx, const char *text, int n, const char *const *params)
{
	PGresult *r = PQexecParams(fx->c, text, n, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		fail_msg("%s: %s", text, PQerrorMessage(fx->c));
	return r;
}

static void run(struct fx *fx, const char *text, int n, const char *const *params)
{
	PQclear(sql(fx, text, n, params));
}

/* The one integer a query returns. */
static long long number(struct fx *fx, const char *text, int n, const char *const *params)
{
	PGresult *r = sql(fx, text, n, params);
	assert_int_equal(PQntuples(r), 1);
	long long v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return v;
}

static void new_id(uuid_str id)
{
	struct errbuf err;
	assert_true(uuid_generate(id, &err));
}

/* A chat the bot has, escalated, with no messages. */
static void new_chat(struct fx *fx, const char *channel, const char *owner, uuid_str id)
{
	new_id(id);
	const char *p[] = {id, channel, owner};
	run(fx,
	    "INSERT INTO chats (id, channel_id, channel_type, owner_id, owner_name, created_at,"
	    " updated_at, responder_type, mode, escalated, escalated_at, state, message_count,"
	    " version, last_event_seq) VALUES ($1, $2, 0, $3, 'Customer', 0, 0, 0, 0, true, 0, 0,"
	    " 0, 1, 0)",
	    3, p);
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof *fx);
	struct errbuf err = {""};
	uuid_str channel, owner;

	/* Set first: the teardown frees what a failing setup leaves. */
	*state = fx;
	if (!fx || !(fx->server = pgserver_start()))
		return -1;
	fx->pg = pg_open(pgserver_conninfo(fx->server), &err);
	if (!fx->pg) {
		fprintf(stderr, "pg_open: %s\n", err.msg);
		return -1;
	}
	fx->c = pg_conn(fx->pg);
	for (int i = 0; i < THREADS; i++) {
		char name[16];
		new_id(fx->agents[i]);
		snprintf(name, sizeof name, "Agent %d", i);
		const char *p[] = {fx->agents[i], name, fx->agents[i]};
		run(fx, "INSERT INTO accounts (id, name, role, token_hash, created_at)"
			" VALUES ($1, $2, 0, $3, 0)", 3, p);
	}
	new_id(channel);
	new_id(owner);
	run(fx, "INSERT INTO channels (id, type, name) VALUES ($1, 0, 'widget')", 1,
	    (const char *[]){channel});
	run(fx, "INSERT INTO owners (id, name) VALUES ($1, 'Customer')", 1,
	    (const char *[]){owner});
	new_chat(fx, channel, owner, fx->chat);
	new_chat(fx, channel, owner, fx->thread);
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	if (!fx)
		return 0;
	pg_close(fx->pg);
	pgserver_stop(fx->server);
	free(fx);
	return 0;
}

/* A thread's own connection, opened as a hub opens it. */
static struct pg *thread_open(struct fx *fx, struct errbuf *err)
{
	return pg_open(pgserver_conninfo(fx->server), err);
}

/* ---- the event log ------------------------------------------------------ */

#define TXNS 200

struct writer {
	struct fx *fx;
	pthread_barrier_t *go;
	int committed;
	struct errbuf err;
};

/* One event in one transaction, rolled back instead of committed when
 * asked: after the seq was taken and the row written, the worst moment. */
static bool append_one(PGconn *c, const char *chat, bool rollback, struct errbuf *err)
{
	char json[64];
	int64_t seq = 0;

	if (!pg_exec(c, "BEGIN", "begin", err) || !pg_event_seq_next(c, &seq, err))
		return false;
	snprintf(json, sizeof json, "{\"seq\":%lld}", (long long)seq);
	struct pg_event ev = {seq, chat, EVENT_CHAT_UPDATED, 0, false, json};
	return pg_event_append(c, &ev, err) &&
	       pg_exec(c, rollback ? "ROLLBACK" : "COMMIT", "end", err);
}

static void *write_events(void *arg)
{
	struct writer *w = arg;
	struct pg *pg = thread_open(w->fx, &w->err);

	pthread_barrier_wait(w->go);
	for (int i = 0; pg && i < TXNS; i++) {
		bool rollback = i % 3 == 2;
		if (!append_one(pg_conn(pg), w->fx->chat, rollback, &w->err))
			break;
		w->committed += !rollback;
	}
	pg_close(pg);
	return NULL;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The notifications 1..n, in that order and no other, within 30 s. */
static void hear_in_order(PGconn *c, long long n)
{
	long long next = 1, deadline = now_ms() + 30000;

	while (next <= n) {
		PGnotify *note;
		assert_int_equal(PQconsumeInput(c), 1);
		while ((note = PQnotifies(c))) {
			assert_string_equal(note->relname, PG_EVENTS_CHANNEL);
			long long seq = strtoll(note->extra, NULL, 10);
			if (seq != next)
				fail_msg("notification %lld where %lld was next", seq, next);
			next++;
			PQfreemem(note);
		}
		long long left = deadline - now_ms();
		if (next <= n && left <= 0)
			fail_msg("heard %lld of %lld notifications within 30 s", next - 1, n);
		struct pollfd p = {.fd = PQsocket(c), .events = POLLIN};
		if (next <= n)
			poll(&p, 1, (int)left);
	}
	/* none for the transactions that rolled back */
	assert_int_equal(PQconsumeInput(c), 1);
	assert_null(PQnotifies(c));
}

static void test_event_seqs_have_no_gap_and_arrive_in_order(void **state)
{
	struct fx *fx = *state;
	struct writer w[THREADS];
	pthread_t t[THREADS];
	pthread_barrier_t go;
	long long committed = 0;

	PGconn *listener = PQconnectdb(pgserver_conninfo(fx->server));
	assert_int_equal(PQstatus(listener), CONNECTION_OK);
	PGresult *r = PQexec(listener, "LISTEN " PG_EVENTS_CHANNEL);
	assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
	PQclear(r);

	pthread_barrier_init(&go, NULL, THREADS);
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct writer){.fx = fx, .go = &go};
		assert_int_equal(pthread_create(&t[i], NULL, write_events, &w[i]), 0);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&go);
	for (int i = 0; i < THREADS; i++) {
		if (w[i].err.msg[0])
			fail_msg("writer %d: %s", i, w[i].err.msg);
		assert_int_equal(w[i].committed, TXNS - TXNS / 3);
		committed += w[i].committed;
	}

	/* exactly 1..N, N the commits: no hole, no duplicate */
	assert_int_equal(number(fx, "SELECT count(*) FROM events", 0, NULL), committed);
	assert_int_equal(number(fx, "SELECT count(DISTINCT seq) FROM events", 0, NULL), committed);
	assert_int_equal(number(fx, "SELECT min(seq) FROM events", 0, NULL), 1);
	assert_int_equal(number(fx, "SELECT max(seq) FROM events", 0, NULL), committed);
	assert_int_equal(number(fx, "SELECT seq FROM event_seq", 0, NULL), committed);
	/* each frame was built with its row's seq */
	assert_int_equal(number(fx,
				"SELECT count(*) FROM events WHERE json <> '{\"seq\":' || seq || '}'",
				0, NULL),
			 0);
	hear_in_order(listener, committed);
	PQfinish(listener);
}

static void test_an_event_needs_its_chat(void **state)
{
	struct fx *fx = *state;
	struct errbuf err = {""};
	uuid_str nobody;
	int64_t seq = 0;

	new_id(nobody);
	struct pg_event ev = {0, nobody, EVENT_CHAT_UPDATED, 0, false, "{}"};
	assert_true(pg_exec(fx->c, "BEGIN", "begin", &err));
	assert_true(pg_event_seq_next(fx->c, &seq, &err));
	ev.seq = seq;
	assert_false(pg_event_append(fx->c, &ev, &err));
	assert_non_null(strstr(err.msg, "no chat"));
	assert_true(pg_exec(fx->c, "ROLLBACK", "roll back", &err));
}

/* ---- takeover ----------------------------------------------------------- */

#define ROUNDS 50

struct racer {
	struct fx *fx;
	const char *agent;
	pthread_barrier_t *go, *done;
	bool won[ROUNDS];
	struct errbuf err;
};

static void *race_for_the_chat(void *arg)
{
	struct racer *r = arg;
	struct pg *pg = thread_open(r->fx, &r->err);

	/* Every round's barriers are passed even after an error, or the
	 * others would wait for this thread for ever. */
	for (int i = 0; i < ROUNDS; i++) {
		pthread_barrier_wait(r->go);
		if (pg) {
			PGconn *c = pg_conn(pg);
			if (!pg_exec(c, "BEGIN", "begin", &r->err) ||
			    !pg_takeover(c, r->fx->chat, r->agent, NULL, &r->won[i], &r->err) ||
			    !pg_exec(c, "COMMIT", "commit", &r->err)) {
				pg_close(pg);
				pg = NULL;
			}
		}
		pthread_barrier_wait(r->done);
	}
	pg_close(pg);
	return NULL;
}

/* The chat back with the bot, nobody holding it. */
static void give_back(struct fx *fx)
{
	run(fx, "UPDATE chats SET mode = 0, responder_type = 0, responder_id = NULL WHERE id = $1",
	    1, (const char *[]){fx->chat});
}

static void test_a_takeover_race_has_one_winner(void **state)
{
	struct fx *fx = *state;
	struct racer r[THREADS];
	pthread_t t[THREADS];
	pthread_barrier_t go, done;

	pthread_barrier_init(&go, NULL, THREADS + 1);
	pthread_barrier_init(&done, NULL, THREADS + 1);
	for (int i = 0; i < THREADS; i++) {
		r[i] = (struct racer){.fx = fx, .agent = fx->agents[i], .go = &go, .done = &done};
		assert_int_equal(pthread_create(&t[i], NULL, race_for_the_chat, &r[i]), 0);
	}
	int winners[ROUNDS] = {0}, winner[ROUNDS] = {0};
	char holder[ROUNDS][UUID_STRLEN + 1];
	for (int round = 0; round < ROUNDS; round++) {
		give_back(fx);
		pthread_barrier_wait(&go);
		pthread_barrier_wait(&done);
		PGresult *res = sql(fx, "SELECT coalesce(responder_id::text, '') FROM chats WHERE id = $1",
				    1, (const char *[]){fx->chat});
		snprintf(holder[round], sizeof holder[round], "%s", PQgetvalue(res, 0, 0));
		PQclear(res);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&go);
	pthread_barrier_destroy(&done);

	for (int i = 0; i < THREADS; i++)
		if (r[i].err.msg[0])
			fail_msg("racer %d: %s", i, r[i].err.msg);
	for (int round = 0; round < ROUNDS; round++) {
		for (int i = 0; i < THREADS; i++)
			if (r[i].won[round]) {
				winners[round]++;
				winner[round] = i;
			}
		if (winners[round] != 1)
			fail_msg("round %d: %d winners", round, winners[round]);
		/* and the chat is the winner's */
		assert_string_equal(holder[round], fx->agents[winner[round]]);
	}
}

static void test_a_takeover_needs_the_holder_it_expects(void **state)
{
	struct fx *fx = *state;
	struct errbuf err = {""};
	bool won = true;

	give_back(fx);
	assert_true(pg_takeover(fx->c, fx->chat, fx->agents[0], NULL, &won, &err));
	assert_true(won);
	/* held now: a takeover expecting nobody loses, one expecting the
	 * holder (a supervisor's forced takeover) wins */
	assert_true(pg_takeover(fx->c, fx->chat, fx->agents[1], NULL, &won, &err));
	assert_false(won);
	assert_true(pg_takeover(fx->c, fx->chat, fx->agents[1], fx->agents[0], &won, &err));
	assert_true(won);
	/* a stopped chat is nobody's to take */
	run(fx, "UPDATE chats SET state = 1 WHERE id = $1", 1, (const char *[]){fx->chat});
	assert_true(pg_takeover(fx->c, fx->chat, fx->agents[2], fx->agents[1], &won, &err));
	assert_false(won);
	run(fx, "UPDATE chats SET state = 0 WHERE id = $1", 1, (const char *[]){fx->chat});
}

/* ---- replies ------------------------------------------------------------ */

#define SENDERS 4
#define REPLY_ROUNDS 20

struct sender {
	struct fx *fx;
	pthread_barrier_t *go, *done;
	uuid_str id[REPLY_ROUNDS];
	int64_t seq[REPLY_ROUNDS];
	bool created[REPLY_ROUNDS];
	struct errbuf err;
};

/* Round i's client_msg_id. */
static void client_msg_id(int round, char out[16])
{
	snprintf(out, 16, "retry-%d", round);
}

static void *send_replies(void *arg)
{
	struct sender *s = arg;
	struct pg *pg = thread_open(s->fx, &s->err);

	for (int i = 0; i < REPLY_ROUNDS; i++) {
		char key[16];
		client_msg_id(i, key);
		/* the same agent's one reply, sent from every connection */
		struct pg_reply r = {.chat_id = s->fx->thread, .author_id = s->fx->agents[0],
				     .author_name = "Agent 0", .text = "On it", .client_msg_id = key};
		pthread_barrier_wait(s->go);
		if (pg) {
			PGconn *c = pg_conn(pg);
			if (!pg_exec(c, "BEGIN", "begin", &s->err) ||
			    !pg_reply_insert(c, &r, s->id[i], &s->seq[i], &s->created[i], &s->err) ||
			    !pg_exec(c, "COMMIT", "commit", &s->err)) {
				pg_close(pg);
				pg = NULL;
			}
		}
		pthread_barrier_wait(s->done);
	}
	pg_close(pg);
	return NULL;
}

static void test_a_reply_is_stored_once_per_client_msg_id(void **state)
{
	struct fx *fx = *state;
	struct sender s[SENDERS];
	pthread_t t[SENDERS];
	pthread_barrier_t go, done;

	pthread_barrier_init(&go, NULL, SENDERS + 1);
	pthread_barrier_init(&done, NULL, SENDERS + 1);
	for (int i = 0; i < SENDERS; i++) {
		s[i] = (struct sender){.fx = fx, .go = &go, .done = &done};
		assert_int_equal(pthread_create(&t[i], NULL, send_replies, &s[i]), 0);
	}
	for (int round = 0; round < REPLY_ROUNDS; round++) {
		pthread_barrier_wait(&go);
		pthread_barrier_wait(&done);
	}
	for (int i = 0; i < SENDERS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&go);
	pthread_barrier_destroy(&done);

	for (int i = 0; i < SENDERS; i++)
		if (s[i].err.msg[0])
			fail_msg("sender %d: %s", i, s[i].err.msg);
	for (int round = 0; round < REPLY_ROUNDS; round++) {
		char key[16];
		int created = 0;
		client_msg_id(round, key);
		for (int i = 0; i < SENDERS; i++) {
			created += s[i].created[round];
			/* every sender was answered with the one message */
			assert_string_equal(s[i].id[round], s[0].id[round]);
			assert_int_equal(s[i].seq[round], round + 1);
		}
		assert_int_equal(created, 1);
		assert_int_equal(number(fx, "SELECT count(*) FROM messages WHERE client_msg_id = $1",
					1, (const char *[]){key}),
				 1);
	}
	/* the thread is 1..REPLY_ROUNDS, counted as such */
	const char *p[] = {fx->thread};
	assert_int_equal(number(fx, "SELECT count(*) FROM messages WHERE chat_id = $1", 1, p),
			 REPLY_ROUNDS);
	assert_int_equal(number(fx, "SELECT max(seq) FROM messages WHERE chat_id = $1", 1, p),
			 REPLY_ROUNDS);
	assert_int_equal(number(fx, "SELECT message_count FROM chats WHERE id = $1", 1, p),
			 REPLY_ROUNDS);
}

static void test_a_client_msg_id_is_its_authors(void **state)
{
	struct fx *fx = *state;
	struct errbuf err = {""};
	uuid_str first, second;
	int64_t seq1 = 0, seq2 = 0;
	bool created = false;

	/* another agent reusing an id writes a message of their own */
	struct pg_reply r = {.chat_id = fx->thread, .author_id = fx->agents[1],
			     .author_name = "Agent 1", .text = "Mine", .client_msg_id = "shared"};
	assert_true(pg_reply_insert(fx->c, &r, first, &seq1, &created, &err));
	assert_true(created);
	r.author_id = fx->agents[2];
	r.author_name = "Agent 2";
	assert_true(pg_reply_insert(fx->c, &r, second, &seq2, &created, &err));
	assert_true(created);
	assert_string_not_equal(first, second);
	assert_int_equal(seq2, seq1 + 1);
	/* a note without a client_msg_id is simply appended */
	struct pg_reply note = {.chat_id = fx->thread, .author_id = fx->agents[1],
				.author_name = "Agent 1", .text = "fyi", .internal = true};
	assert_true(pg_reply_insert(fx->c, &note, first, &seq1, &created, &err));
	assert_true(created);
	assert_int_equal(seq1, seq2 + 1);
	assert_int_equal(number(fx, "SELECT role FROM messages WHERE id = $1", 1,
				(const char *[]){first}),
			 MSG_ROLE_NOTE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_seqs_have_no_gap_and_arrive_in_order),
		cmocka_unit_test(test_an_event_needs_its_chat),
		cmocka_unit_test(test_a_takeover_race_has_one_winner),
		cmocka_unit_test(test_a_takeover_needs_the_holder_it_expects),
		cmocka_unit_test(test_a_reply_is_stored_once_per_client_msg_id),
		cmocka_unit_test(test_a_client_msg_id_is_its_authors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
