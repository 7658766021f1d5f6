/*
 * test_db_actions.c — takeover, handback, assign, stop, rating and PATCH.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>

#include "test_db_fixture.h"

/* The system message the last event carried. */
static const struct message *last_message(struct fx *fx)
{
	assert_true(fx->nevents > 0);
	assert_int_equal(fx->events[fx->nevents - 1].ev.type, EVENT_MESSAGE_CREATED);
	return fx->events[fx->nevents - 1].ev.message;
}

static void test_takeover_gives_the_chat_to_the_first_agent(void **state)
{
	struct fx *fx = *state;
	struct api_error err;
	struct chat c;
	uuid_str id;

	fx_new_chat(fx, "help", true, id);
	assert_true(db_takeover(fx->db, &fx->ana, id, false, &c, &err));
	assert_int_equal(c.mode, CHAT_MODE_AGENT);
	assert_int_equal(c.responder.type, RESPONDER_AGENT);
	assert_string_equal(c.responder.id, fx->ana.id);
	assert_string_equal(c.responder.name, "Ana");
	assert_true(c.escalated);
	assert_false(chat_is_waiting(&c));
	assert_int_equal(c.version, 4);
	chat_free(&c);
	const struct message *m = last_message(fx);
	assert_int_equal(m->system_type, SYSTEM_TYPE_AGENT_JOINED);
	assert_string_equal(m->text, "Ana joined the conversation");
	assert_string_equal(m->author.id, fx->ana.id);

	size_t events = fx->nevents;
	fx_expect_error(db_takeover(fx->db, &fx->cleo, id, false, &c, &err), &err, API_CONFLICT,
			"chat is held by agent Ana");
	/* the holder again: 200, no change, no event */
	assert_true(db_takeover(fx->db, &fx->ana, id, false, &c, &err));
	assert_int_equal(c.version, 4);
	chat_free(&c);
	assert_int_equal(fx->nevents, events);
}

static void test_force_is_for_supervisors(void **state)
{
	struct fx *fx = *state;
	struct api_error err;
	struct chat c;
	uuid_str id;

	fx_new_chat(fx, "help", false, id);
	fx_expect_error(db_takeover(fx->db, &fx->cleo, id, true, &c, &err), &err, API_FORBIDDEN,
			NULL);
	assert_true(db_takeover(fx->db, &fx->ana, id, false, &c, &err));
	chat_free(&c);
	fx_expect_error(db_takeover(fx->db, &fx->cleo, id, true, &c, &err), &err, API_FORBIDDEN,
			NULL);
	assert_true(db_takeover(fx->db, &fx->ben, id, true, &c, &err));
	assert_string_equal(c.responder.id, fx->ben.id);
	chat_free(&c);
	const struct message *m = last_message(fx);
	assert_int_equal(m->system_type, SYSTEM_TYPE_CHAT_REASSIGNED);
	assert_string_equal(m->text, "Ben took over the chat from Ana");
}

static void test_handback_returns_the_chat_to_the_bot(void **state)
{
	struct fx *fx = *state;
	struct api_error err;
	struct chat c;
	uuid_str id;

	fx_new_chat(fx, "help", true, id);
	fx_expect_error(db_handback(fx->db, &fx->ana, id, &c, &err), &err, API_CONFLICT,
			"chat is not held by an agent");
	assert_true(db_takeover(fx->db, &fx->ana, id, false, &c, &err));
	chat_free(&c);
	fx_expect_error(db_handback(fx->db, &fx->cleo, id, &c, &err), &err, API_CONFLICT,
			"chat is held by agent Ana");
	assert_true(db_handback(fx->db, &fx->ana, id, &c, &err));
	assert_int_equal(c.mode, CHAT_MODE_AI);
	assert_int_equal(c.responder.type, RESPONDER_BOT);
	assert_string_equal(c.responder.id, "");
	assert_false(c.escalated);
	assert_int_equal(c.escalated_at, TS_NONE);
	chat_free(&c);
	assert_string_equal(last_message(fx)->text, "Ana left; the bot is back");
	assert_int_equal(last_message(fx)->system_type, SYSTEM_TYPE_AGENT_LEFT);

	/* a supervisor may hand back someone else's chat */
	assert_true(db_takeover(fx->db, &fx->cleo, id, false, &c, &err));
	chat_free(&c);
	assert_true(db_handback(fx->db, &fx->ben, id, &c, &err));
	chat_free(&c);
	assert_string_equal(last_message(fx)->text, "Ben handed the chat back to the bot");
}

static void test_assign_rules(void **state)
{
	struct fx *fx = *state;
	struct api_error err;
	struct chat c;
	uuid_str id;

	fx_new_chat(fx, "help", true, id);
	/* an unheld chat: any agent may assign it */
	assert_true(db_assign(fx->db, &fx->ana, id, fx->cleo.id, &c, &err));
	assert_string_equal(c.responder.id, fx->cleo.id);
	assert_int_equal(c.mode, CHAT_MODE_AGENT);
	chat_free(&c);
	assert_int_equal(last_message(fx)->system_type, SYSTEM_TYPE_CHAT_REASSIGNED);
	assert_string_equal(last_message(fx)->text, "Ana assigned the chat to Cleo");

	/* to the current holder: no change, no event */
	size_t events = fx->nevents;
	assert_true(db_assign(fx->db, &fx->ana, id, fx->cleo.id, &c, &err));
	chat_free(&c);
	assert_int_equal(fx->nevents, events);

	/* someone else's chat: only a supervisor */
	fx_expect_error(db_assign(fx->db, &fx->ana, id, fx->ana.id, &c, &err), &err, API_CONFLICT,
			"chat is held by agent Cleo");
	assert_true(db_assign(fx->db, &fx->ben, id, fx->ana.id, &c, &err));
	chat_free(&c);
	assert_string_equal(last_message(fx)->text, "Ben reassigned the chat to Ana");
	/* the holder may pass it on */
	assert_true(db_assign(fx->db, &fx->ana, id, fx->cleo.id, &c, &err));
	assert_string_equal(c.responder.name, "Cleo");
	chat_free(&c);
}

static void test_stop_then_reply_is_refused(void **state)
{
	struct fx *fx = *state;
	struct api_error err;
	struct message m;
	struct chat c;
	bool created;
	uuid_str id;

	fx_new_chat(fx, "help", true, id);
	assert_true(db_takeover(fx->db, &fx->ana, id, false, &c, &err));
	chat_free(&c);
	fx_expect_error(db_stop(fx->db, &fx->cleo, id, &c, &err), &err, API_CONFLICT,
			"chat is held by agent Ana");
	assert_true(db_stop(fx->db, &fx->ana, id, &c, &err));
	assert_int_equal(c.state, CHAT_STATE_STOPPED);
	assert_int_equal(c.responder.type, RESPONDER_NONE);
	assert_false(chat_is_waiting(&c));
	chat_free(&c);
	assert_int_equal(last_message(fx)->system_type, SYSTEM_TYPE_CONVERSATION_STOPPED);
	assert_string_equal(last_message(fx)->text, "Ana stopped the conversation");

	size_t events = fx->nevents;
	assert_true(db_stop(fx->db, &fx->ana, id, &c, &err)); /* twice: harmless */
	chat_free(&c);
	assert_int_equal(fx->nevents, events);
	fx_expect_error(db_reply(fx->db, &fx->ana, id, "hi", "x", false, &m, &created, &err), &err,
			API_CONFLICT, "chat is stopped");
	fx_expect_error(db_takeover(fx->db, &fx->ana, id, false, &c, &err), &err, API_CONFLICT,
			"chat is stopped");
}

static void test_rating_and_patch_are_chat_updated(void **state)
{
	struct fx *fx = *state;
	struct api_error err;
	struct chat c;
	uuid_str id;

	fx_new_chat(fx, "help", false, id);
	assert_true(db_rate(fx->db, &fx->ana, id, 4, "quick", NULL, &c, &err));
	assert_true(c.rating.present);
	assert_int_equal(c.rating.score, 4);
	assert_string_equal(c.rating.feedback, "quick");
	assert_null(c.rating.suggested_answer);
	assert_string_equal(c.rating.by, fx->ana.id);
	assert_int_equal(c.version, 3);
	chat_free(&c);
	assert_int_equal(fx->events[fx->nevents - 1].ev.type, EVENT_CHAT_UPDATED);
	fx_expect_error(db_rate(fx->db, &fx->ana, id, 6, NULL, NULL, &c, &err), &err,
			API_INVALID_PAYLOAD, NULL);

	assert_true(db_chat_patch(fx->db, &fx->ana, id, "Refund", -1, &c, &err));
	assert_string_equal(c.title, "Refund");
	assert_false(c.ticket.present);
	chat_free(&c);
	assert_true(db_chat_patch(fx->db, &fx->ana, id, NULL, TICKET_PENDING, &c, &err));
	assert_true(c.ticket.present);
	assert_true(uuid_valid(c.ticket.id));
	assert_int_equal(c.ticket.status, TICKET_PENDING);
	uuid_str ticket;
	memcpy(ticket, c.ticket.id, sizeof ticket);
	chat_free(&c);
	assert_true(db_chat_patch(fx->db, &fx->ana, id, "Refund 2", TICKET_SOLVED, &c, &err));
	assert_string_equal(c.ticket.id, ticket); /* same ticket */
	assert_int_equal(c.ticket.status, TICKET_SOLVED);
	assert_int_equal(c.version, 6);
	chat_free(&c);
	/* nothing new: no version, no event */
	size_t events = fx->nevents;
	assert_true(db_chat_patch(fx->db, &fx->ana, id, "Refund 2", TICKET_SOLVED, &c, &err));
	assert_int_equal(c.version, 6);
	chat_free(&c);
	assert_int_equal(fx->nevents, events);
	fx_expect_error(db_chat_patch(fx->db, &fx->ana, "11111111-2222-4333-8444-555555555555",
				      "x", -1, &c, &err),
			&err, API_RESOURCE_NOT_FOUND, NULL);
}

/* Threads, each with its own connection, race for one chat. */
#define RACERS 8

struct racer {
	const char *path, *chat_id;
	struct agent me;
	pthread_barrier_t *start;
	bool won;
	struct api_error err;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	struct errbuf eb;
	struct chat c;
	struct db *db = db_open(r->path, &eb);

	pthread_barrier_wait(r->start);
	if (db) {
		r->won = db_takeover(db, &r->me, r->chat_id, false, &c, &r->err);
		if (r->won)
			chat_free(&c);
	} else {
		r->err.type = API_INTERNAL;
	}
	db_close(db);
	return NULL;
}

static void test_simultaneous_takeovers_have_one_winner(void **state)
{
	struct fx *fx = *state;
	struct racer r[RACERS];
	pthread_t th[RACERS];
	pthread_barrier_t start;
	uuid_str id;
	struct chat c;
	int winners = 0;

	fx_new_chat(fx, "help", true, id);
	pthread_barrier_init(&start, NULL, RACERS);
	for (int i = 0; i < RACERS; i++) {
		char name[16];
		snprintf(name, sizeof name, "Racer %d", i);
		r[i] = (struct racer){.path = fx->path, .chat_id = id, .start = &start};
		fx_account(fx, name, ACCOUNT_AGENT, &r[i].me, NULL);
		pthread_create(&th[i], NULL, race, &r[i]);
	}
	for (int i = 0; i < RACERS; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&start);

	fx_get(fx, id, &c);
	for (int i = 0; i < RACERS; i++) {
		if (r[i].won) {
			winners++;
			assert_string_equal(c.responder.id, r[i].me.id);
		} else {
			assert_int_equal(r[i].err.type, API_CONFLICT);
			char expected[64];
			snprintf(expected, sizeof expected, "chat is held by agent %s", c.responder.name);
			assert_string_equal(r[i].err.description, expected);
		}
		agent_free(&r[i].me);
	}
	assert_int_equal(winners, 1);
	assert_int_equal(c.version, 4); /* created, message, escalated, joined */
	chat_free(&c);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_takeover_gives_the_chat_to_the_first_agent),
		T(test_force_is_for_supervisors),
		T(test_handback_returns_the_chat_to_the_bot),
		T(test_assign_rules),
		T(test_stop_then_reply_is_refused),
		T(test_rating_and_patch_are_chat_updated),
		T(test_simultaneous_takeovers_have_one_winner),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
