/*
 * test_pg_actions.c — takeover and handback on the PostgreSQL back end, on
 * a real server (pgserver.c): what test_db_actions.c holds SQLite to — the
 * holder changes, the version moves, a system message and its event are
 * stored, a chat held by another is 409 naming them and changes nothing,
 * a supervisor may force — and what only concurrent writers can break:
 * one winner of every race, the others told who won.
 *
 * Threads never assert (cmocka's failures jump within the main thread):
 * they record what they got, and the main thread checks it after joining.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "pg.h"
#include "pg_fixture.h"

#define THREADS 8
#define ROUNDS 20

struct fx {
	struct pgfx db; /* first: pgfx_teardown frees the whole */
	struct agent agents[THREADS]; /* agents[0] Ana, [1] Ben, … */
	char names[THREADS][16];
	struct agent sue;             /* a supervisor */
	uuid_str channel, owner;
};

static long long number(struct fx *fx, const char *text, int n, const char *const *params)
{
	return pgfx_number(fx->db.c, text, n, params);
}

static int setup(void **state)
{
	struct fx *fx = pgfx_new(state, sizeof *fx, true);

	if (!fx)
		return -1;
	for (int i = 0; i < THREADS; i++) {
		snprintf(fx->names[i], sizeof fx->names[i], "Agent %d", i);
		pgfx_account(fx->db.c, &fx->agents[i], fx->names[i], ACCOUNT_AGENT);
	}
	pgfx_account(fx->db.c, &fx->sue, "Sue", ACCOUNT_SUPERVISOR);
	pgfx_channel_and_owner(fx->db.c, fx->channel, fx->owner);
	return 0;
}

/* A new chat the bot has, escalated, with no messages. */
static void new_chat(struct fx *fx, uuid_str id)
{
	pgfx_new_id(id);
	const char *p[] = {id, fx->channel, fx->owner};
	pgfx_run(fx->db.c,
		 "INSERT INTO chats (id, channel_id, channel_type, owner_id, owner_name, created_at,"
		 " updated_at, responder_type, mode, escalated, escalated_at, state, message_count,"
		 " version, last_event_seq) VALUES ($1, $2, 0, $3, 'Customer', 0, 0, 0, 0, true, 0,"
		 " 0, 0, 1, 0)",
		 3, p);
}

static long long messages_of(struct fx *fx, const char *chat)
{
	return number(fx, "SELECT count(*) FROM messages WHERE chat_id = $1", 1,
		      (const char *[]){chat});
}

static long long events_of(struct fx *fx, const char *chat)
{
	return number(fx, "SELECT count(*) FROM events WHERE chat_id = $1", 1,
		      (const char *[]){chat});
}

/* The text of the chat's last message. */
static void last_text(struct fx *fx, const char *chat, const char *want)
{
	PGresult *r = pgfx_sql(fx->db.c,
			       "SELECT text FROM messages WHERE chat_id = $1 ORDER BY seq DESC"
			       " LIMIT 1",
			       1, (const char *[]){chat});
	assert_int_equal(PQntuples(r), 1);
	assert_string_equal(PQgetvalue(r, 0, 0), want);
	PQclear(r);
}

static void take_ok(struct fx *fx, const struct agent *me, const char *chat, bool force,
		    struct chat *out)
{
	struct api_error err = {0};

	if (!pg_takeover_chat(fx->db.c, me, chat, force, out, &err))
		fail_msg("takeover: %s", err.description);
}

static void test_a_takeover_gives_the_chat_to_the_agent(void **state)
{
	struct fx *fx = *state;
	const struct agent *ana = &fx->agents[0];
	uuid_str id;
	struct chat c, again;

	new_chat(fx, id);
	take_ok(fx, ana, id, false, &c);
	assert_int_equal(c.responder.type, RESPONDER_AGENT);
	assert_string_equal(c.responder.id, ana->id);
	assert_string_equal(c.responder.name, "Agent 0");
	assert_int_equal(c.mode, CHAT_MODE_AGENT);
	assert_int_equal(c.version, 2);
	assert_int_equal(c.message_count, 1);
	assert_int_equal(c.awaiting_reply_since, TS_NONE); /* the first response */
	last_text(fx, id, "Agent 0 joined the conversation");
	assert_int_equal(events_of(fx, id), 1);
	pgfx_assert_log_gap_free(fx->db.c);
	chat_free(&c);

	/* taking one's own chat again changes nothing */
	take_ok(fx, ana, id, false, &again);
	assert_int_equal(again.version, 2);
	assert_int_equal(events_of(fx, id), 1);
	chat_free(&again);
}

static void test_a_held_chat_is_409_naming_the_holder(void **state)
{
	struct fx *fx = *state;
	uuid_str id;
	struct chat c, out = {0};
	struct api_error err = {0};

	new_chat(fx, id);
	take_ok(fx, &fx->agents[0], id, false, &c);
	chat_free(&c);
	assert_false(pg_takeover_chat(fx->db.c, &fx->agents[1], id, false, &out, &err));
	assert_int_equal(err.type, API_CONFLICT);
	assert_string_equal(err.description, "chat is held by agent Agent 0");
	/* nothing stored: one message, one event, still Ana's */
	assert_int_equal(messages_of(fx, id), 1);
	assert_int_equal(events_of(fx, id), 1);
	assert_true(pg_chat_get(fx->db.c, id, &c, &err));
	assert_string_equal(c.responder.id, fx->agents[0].id);
	assert_int_equal(c.version, 2);
	chat_free(&c);

	/* an agent may not force */
	assert_false(pg_takeover_chat(fx->db.c, &fx->agents[1], id, true, &out, &err));
	assert_int_equal(err.type, API_FORBIDDEN);
	pgfx_assert_log_gap_free(fx->db.c);
}

static void test_a_supervisor_may_force(void **state)
{
	struct fx *fx = *state;
	uuid_str id;
	struct chat c;

	new_chat(fx, id);
	take_ok(fx, &fx->agents[0], id, false, &c);
	chat_free(&c);
	take_ok(fx, &fx->sue, id, true, &c);
	assert_string_equal(c.responder.id, fx->sue.id);
	assert_int_equal(c.version, 3);
	last_text(fx, id, "Sue took over the chat from Agent 0");
	assert_int_equal(events_of(fx, id), 2);
	pgfx_assert_log_gap_free(fx->db.c);
	chat_free(&c);
}

static void test_the_holder_hands_back_to_the_bot(void **state)
{
	struct fx *fx = *state;
	uuid_str id;
	struct chat c, out = {0};
	struct api_error err = {0};

	new_chat(fx, id);
	/* nobody holds it yet */
	assert_false(pg_handback(fx->db.c, &fx->agents[0], id, &out, &err));
	assert_int_equal(err.type, API_CONFLICT);
	take_ok(fx, &fx->agents[0], id, false, &c);
	chat_free(&c);

	/* another agent may not */
	assert_false(pg_handback(fx->db.c, &fx->agents[1], id, &out, &err));
	assert_int_equal(err.type, API_CONFLICT);
	assert_string_equal(err.description, "chat is held by agent Agent 0");
	assert_int_equal(events_of(fx, id), 1);

	if (!pg_handback(fx->db.c, &fx->agents[0], id, &c, &err))
		fail_msg("handback: %s", err.description);
	assert_int_equal(c.responder.type, RESPONDER_BOT);
	assert_string_equal(c.responder.id, "");
	assert_int_equal(c.mode, CHAT_MODE_AI);
	assert_false(c.escalated); /* handing back ends the escalation */
	assert_int_equal(c.escalated_at, TS_NONE);
	assert_int_equal(c.version, 3);
	last_text(fx, id, "Agent 0 left; the bot is back");
	assert_int_equal(events_of(fx, id), 2);
	pgfx_assert_log_gap_free(fx->db.c);
	chat_free(&c);

	/* a supervisor may hand back anyone's chat */
	take_ok(fx, &fx->agents[1], id, false, &c);
	chat_free(&c);
	if (!pg_handback(fx->db.c, &fx->sue, id, &c, &err))
		fail_msg("handback: %s", err.description);
	assert_int_equal(c.responder.type, RESPONDER_BOT);
	last_text(fx, id, "Sue handed the chat back to the bot");
	chat_free(&c);
}

static void test_an_unknown_chat_is_404(void **state)
{
	struct fx *fx = *state;
	uuid_str id;
	struct chat out = {0};
	struct api_error err = {0};

	pgfx_new_id(id);
	assert_false(pg_takeover_chat(fx->db.c, &fx->agents[0], id, false, &out, &err));
	assert_int_equal(err.type, API_RESOURCE_NOT_FOUND);
	assert_false(pg_handback(fx->db.c, &fx->agents[0], id, &out, &err));
	assert_int_equal(err.type, API_RESOURCE_NOT_FOUND);
}

/* ---- the race ------------------------------------------------------------- */

struct race {
	struct fx *fx;
	uuid_str chat;
	bool won[THREADS][ROUNDS];
	enum api_error_type lost[THREADS][ROUNDS];
	char said[THREADS][ROUNDS][sizeof ((struct api_error *)0)->description]; /* a loser's */
	char holder[ROUNDS][UUID_STRLEN + 1];
};

static bool take_it(PGconn *c, int thread, int round, void *ctx, struct errbuf *err)
{
	struct race *r = ctx;
	struct chat out;
	struct api_error why = {0};

	r->won[thread][round] =
		pg_takeover_chat(c, &r->fx->agents[thread], r->chat, false, &out, &why);
	if (r->won[thread][round]) {
		chat_free(&out);
		return true;
	}
	r->lost[thread][round] = why.type;
	snprintf(r->said[thread][round], sizeof r->said[thread][round], "%s", why.description);
	/* a database error ends the race; a 409 is a result */
	return why.type == API_CONFLICT || errbuf_set(err, "takeover: %s", why.description);
}

/* The chat back with the bot, nobody holding it. */
static void give_back(int round, void *ctx)
{
	struct race *r = ctx;

	(void)round;
	pgfx_run(r->fx->db.c,
		 "UPDATE chats SET mode = 0, responder_type = 0, responder_id = NULL WHERE id = $1",
		 1, (const char *[]){r->chat});
}

static void note_holder(int round, void *ctx)
{
	struct race *r = ctx;
	PGresult *res = pgfx_sql(r->fx->db.c,
				 "SELECT coalesce(responder_id::text, '') FROM chats WHERE id = $1",
				 1, (const char *[]){r->chat});
	snprintf(r->holder[round], sizeof r->holder[round], "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
}

static void test_a_takeover_race_has_one_winner(void **state)
{
	struct fx *fx = *state;
	static struct race r; /* large for a stack */

	memset(&r, 0, sizeof r);
	r.fx = fx;
	new_chat(fx, r.chat);
	struct pgfx_race race = {.conninfo = pgserver_conninfo(fx->db.server),
				 .threads = THREADS, .rounds = ROUNDS, .turn = take_it,
				 .before = give_back, .after = note_holder, .ctx = &r,
				 .who = "racer"};
	pgfx_race(&race);
	for (int round = 0; round < ROUNDS; round++) {
		int winners = 0, winner = 0;
		for (int i = 0; i < THREADS; i++)
			if (r.won[i][round]) {
				winners++;
				winner = i;
			}
		if (winners != 1)
			fail_msg("round %d: %d winners", round, winners);
		assert_string_equal(r.holder[round], fx->agents[winner].id);
		char want[64];
		snprintf(want, sizeof want, "chat is held by agent %s", fx->names[winner]);
		for (int i = 0; i < THREADS; i++) {
			if (i == winner)
				continue;
			assert_int_equal(r.lost[i][round], API_CONFLICT);
			assert_string_equal(r.said[i][round], want);
		}
	}
	/* one system message and one event per round, nothing of the losers */
	assert_int_equal(messages_of(fx, r.chat), ROUNDS);
	assert_int_equal(events_of(fx, r.chat), ROUNDS);
	pgfx_assert_log_gap_free(fx->db.c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_takeover_gives_the_chat_to_the_agent),
		cmocka_unit_test(test_a_held_chat_is_409_naming_the_holder),
		cmocka_unit_test(test_a_supervisor_may_force),
		cmocka_unit_test(test_the_holder_hands_back_to_the_bot),
		cmocka_unit_test(test_an_unknown_chat_is_404),
		cmocka_unit_test(test_a_takeover_race_has_one_winner),
	};
	return cmocka_run_group_tests(tests, setup, pgfx_teardown);
}
