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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg.h"
#include "pg_fixture.h"

#define THREADS 8

struct fx {
	struct pgfx db;             /* first: pgfx_teardown frees the whole;
				     * db.c the main thread's, to set up and look */
	uuid_str agents[THREADS];
	uuid_str chat;              /* events and takeovers */
	uuid_str thread;            /* replies */
};

static void run(struct fx *fx, const char *text, int n, const char *const *params)
{
	pgfx_run(fx->db.c, text, n, params);
}

static long long number(struct fx *fx, const char *text, int n, const char *const *params)
{
	return pgfx_number(fx->db.c, text, n, params);
}

/* A chat the bot has, escalated, with no messages. */
static void new_chat(struct fx *fx, const char *channel, const char *owner, uuid_str id)
{
	pgfx_new_id(id);
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
	struct fx *fx = pgfx_new(state, sizeof *fx, true);
	uuid_str channel, owner;

	if (!fx)
		return -1;
	for (int i = 0; i < THREADS; i++) {
		char name[16];
		pgfx_new_id(fx->agents[i]);
		snprintf(name, sizeof name, "Agent %d", i);
		const char *p[] = {fx->agents[i], name, fx->agents[i]};
		run(fx, "INSERT INTO accounts (id, name, role, token_hash, created_at)"
			" VALUES ($1, $2, 0, $3, 0)", 3, p);
	}
	pgfx_channel_and_owner(fx->db.c, channel, owner);
	new_chat(fx, channel, owner, fx->chat);
	new_chat(fx, channel, owner, fx->thread);
	return 0;
}

/* A race of `threads` on connections of their own, as hubs open them. */
static struct pgfx_race racing(struct fx *fx, int threads, int rounds, const char *who)
{
	return (struct pgfx_race){.conninfo = pgserver_conninfo(fx->db.server),
				  .threads = threads, .rounds = rounds, .ctx = fx, .who = who};
}

/* ---- the event log ------------------------------------------------------ */

#define TXNS 200

struct writes {
	struct fx *fx;
	int committed[THREADS];
};

/* One round, all the writer's transactions: each third rolls back. */
static bool write_events(PGconn *c, int thread, int round, void *ctx, struct errbuf *err)
{
	struct writes *w = ctx;

	(void)round;
	for (int i = 0; i < TXNS; i++) {
		bool rollback = i % 3 == 2;
		if (!pgfx_append_event(c, w->fx->chat, rollback, false, err))
			return false;
		w->committed[thread] += !rollback;
	}
	return true;
}


/* The notifications 1..n, in that order and no other, within 30 s. */
static void hear_in_order(PGconn *c, long long n)
{
	long long next = 1, deadline = pgfx_now_ms() + 30000;

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
		long long left = deadline - pgfx_now_ms();
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
	long long total = 0;

	PGconn *listener = PQconnectdb(pgserver_conninfo(fx->db.server));
	assert_int_equal(PQstatus(listener), CONNECTION_OK);
	PGresult *r = PQexec(listener, "LISTEN " PG_EVENTS_CHANNEL);
	assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
	PQclear(r);

	/* one round: the writers start at once, each with all its writes */
	struct pgfx_race race = racing(fx, THREADS, 1, "writer");
	struct writes w = {.fx = fx};
	race.turn = write_events;
	race.ctx = &w;
	pgfx_race(&race);
	for (int i = 0; i < THREADS; i++) {
		assert_int_equal(w.committed[i], TXNS - TXNS / 3);
		total += w.committed[i];
	}

	/* exactly 1..N, N the commits: no hole, no duplicate */
	assert_int_equal(pgfx_assert_log_gap_free(fx->db.c), total);
	/* each frame was built with its row's seq */
	assert_int_equal(number(fx,
				"SELECT count(*) FROM events WHERE json <> '{\"seq\":' || seq || '}'",
				0, NULL),
			 0);
	hear_in_order(listener, total);
	PQfinish(listener);
}

static void test_an_event_needs_its_chat(void **state)
{
	struct fx *fx = *state;
	struct errbuf err = {""};
	uuid_str nobody;
	int64_t seq = 0;

	pgfx_new_id(nobody);
	struct pg_event ev = {0, nobody, EVENT_CHAT_UPDATED, 0, false, "{}"};
	assert_true(pg_exec(fx->db.c, "BEGIN", "begin", &err));
	assert_true(pg_event_seq_next(fx->db.c, &seq, &err));
	ev.seq = seq;
	assert_false(pg_event_append(fx->db.c, &ev, &err));
	assert_non_null(strstr(err.msg, "no chat"));
	assert_true(pg_exec(fx->db.c, "ROLLBACK", "roll back", &err));
}

/* ---- takeover ----------------------------------------------------------- */

#define ROUNDS 50

/* Each round's outcome, per racer, and the holder after it. */
struct takeovers {
	struct fx *fx;
	bool won[THREADS][ROUNDS];
	char holder[ROUNDS][UUID_STRLEN + 1];
};

static bool take_the_chat(PGconn *c, int thread, int round, void *ctx, struct errbuf *err)
{
	struct takeovers *t = ctx;
	struct fx *fx = t->fx;

	return pg_exec(c, "BEGIN", "begin", err) &&
	       pg_takeover(c, fx->chat, fx->agents[thread], NULL, &t->won[thread][round], err) &&
	       pg_exec(c, "COMMIT", "commit", err);
}

/* The chat back with the bot, nobody holding it. */
static void give_back(struct fx *fx)
{
	run(fx, "UPDATE chats SET mode = 0, responder_type = 0, responder_id = NULL WHERE id = $1",
	    1, (const char *[]){fx->chat});
}

static void give_back_round(int round, void *ctx)
{
	struct takeovers *t = ctx;

	(void)round;
	give_back(t->fx);
}

/* Who holds the chat after a round. */
static void note_holder(int round, void *ctx)
{
	struct takeovers *t = ctx;
	const char *p[] = {t->fx->chat};
	PGresult *res = pgfx_sql(t->fx->db.c,
				 "SELECT coalesce(responder_id::text, '') FROM chats WHERE id = $1",
				 1, p);
	snprintf(t->holder[round], sizeof t->holder[round], "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
}

static void test_a_takeover_race_has_one_winner(void **state)
{
	struct fx *fx = *state;
	struct takeovers t = {.fx = fx};
	int winners[ROUNDS] = {0}, winner[ROUNDS] = {0};

	struct pgfx_race race = racing(fx, THREADS, ROUNDS, "racer");
	race.turn = take_the_chat;
	race.before = give_back_round;
	race.after = note_holder;
	race.ctx = &t;
	pgfx_race(&race);
	for (int round = 0; round < ROUNDS; round++) {
		for (int i = 0; i < THREADS; i++)
			if (t.won[i][round]) {
				winners[round]++;
				winner[round] = i;
			}
		if (winners[round] != 1)
			fail_msg("round %d: %d winners", round, winners[round]);
		/* and the chat is the winner's */
		assert_string_equal(t.holder[round], fx->agents[winner[round]]);
	}
}

static void test_a_takeover_needs_the_holder_it_expects(void **state)
{
	struct fx *fx = *state;
	struct errbuf err = {""};
	bool won = true;

	give_back(fx);
	assert_true(pg_takeover(fx->db.c, fx->chat, fx->agents[0], NULL, &won, &err));
	assert_true(won);
	/* held now: a takeover expecting nobody loses, one expecting the
	 * holder (a supervisor's forced takeover) wins */
	assert_true(pg_takeover(fx->db.c, fx->chat, fx->agents[1], NULL, &won, &err));
	assert_false(won);
	assert_true(pg_takeover(fx->db.c, fx->chat, fx->agents[1], fx->agents[0], &won, &err));
	assert_true(won);
	/* a stopped chat is nobody's to take */
	run(fx, "UPDATE chats SET state = 1 WHERE id = $1", 1, (const char *[]){fx->chat});
	assert_true(pg_takeover(fx->db.c, fx->chat, fx->agents[2], fx->agents[1], &won, &err));
	assert_false(won);
	run(fx, "UPDATE chats SET state = 0 WHERE id = $1", 1, (const char *[]){fx->chat});
}

/* ---- replies ------------------------------------------------------------ */

#define SENDERS 4
#define REPLY_ROUNDS 20

struct replies {
	struct fx *fx;
	uuid_str id[SENDERS][REPLY_ROUNDS];
	int64_t seq[SENDERS][REPLY_ROUNDS];
	bool created[SENDERS][REPLY_ROUNDS];
};

/* Round i's client_msg_id. */
static void client_msg_id(int round, char out[16])
{
	snprintf(out, 16, "retry-%d", round);
}

static bool send_reply(PGconn *c, int thread, int i, void *ctx, struct errbuf *err)
{
	struct replies *s = ctx;
	char key[16];

	client_msg_id(i, key);
	/* the same agent's one reply, sent from every connection */
	struct pg_reply r = {.chat_id = s->fx->thread, .author_id = s->fx->agents[0],
			     .author_name = "Agent 0", .text = "On it", .client_msg_id = key};
	return pg_exec(c, "BEGIN", "begin", err) &&
	       pg_reply_insert(c, &r, s->id[thread][i], &s->seq[thread][i],
			       &s->created[thread][i], err) &&
	       pg_exec(c, "COMMIT", "commit", err);
}

static void test_a_reply_is_stored_once_per_client_msg_id(void **state)
{
	struct fx *fx = *state;
	struct replies s = {.fx = fx};
	struct pgfx_race race = racing(fx, SENDERS, REPLY_ROUNDS, "sender");
	race.turn = send_reply;
	race.ctx = &s;
	pgfx_race(&race);
	for (int round = 0; round < REPLY_ROUNDS; round++) {
		char key[16];
		int created = 0;
		client_msg_id(round, key);
		for (int i = 0; i < SENDERS; i++) {
			created += s.created[i][round];
			/* every sender was answered with the one message */
			assert_string_equal(s.id[i][round], s.id[0][round]);
			assert_int_equal(s.seq[i][round], round + 1);
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
	assert_true(pg_reply_insert(fx->db.c, &r, first, &seq1, &created, &err));
	assert_true(created);
	r.author_id = fx->agents[2];
	r.author_name = "Agent 2";
	assert_true(pg_reply_insert(fx->db.c, &r, second, &seq2, &created, &err));
	assert_true(created);
	assert_string_not_equal(first, second);
	assert_int_equal(seq2, seq1 + 1);
	/* a note without a client_msg_id is simply appended */
	struct pg_reply note = {.chat_id = fx->thread, .author_id = fx->agents[1],
				.author_name = "Agent 1", .text = "fyi", .internal = true};
	assert_true(pg_reply_insert(fx->db.c, &note, first, &seq1, &created, &err));
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
	return cmocka_run_group_tests(tests, setup, pgfx_teardown);
}
