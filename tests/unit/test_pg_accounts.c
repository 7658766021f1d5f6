/*
 * test_pg_accounts.c — accounts on a real PostgreSQL (pgserver.c), with
 * the meaning test_db.c checks on SQLite: a token authenticates and only
 * its hash is stored; ensure finds or creates, once even when hubs ensure
 * one name at once; the agents list counts held chats and shows capacity,
 * by name; capacity can be set.
 *
 * Threads never assert (cmocka's failures jump within the main thread):
 * they record what they saw, and the main thread checks it after joining.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg.h"
#include "pg_fixture.h"

struct fx {
	struct pgfx db; /* first: pgfx_teardown frees the whole */
	uuid_str channel, owner;
};

static void run(struct fx *fx, const char *text, int n, const char *const *params)
{
	pgfx_run(fx->db.c, text, n, params);
}

static long long number(struct fx *fx, const char *text, int n, const char *const *params)
{
	return pgfx_number(fx->db.c, text, n, params);
}

static void add(struct fx *fx, const char *name, enum account_role role, struct agent *out,
		char token[TOKEN_STRLEN + 1])
{
	char t[TOKEN_STRLEN + 1];
	struct errbuf err = {""};

	if (!pg_account_add(fx->db.c, name, NULL, role, token ? token : t, out, &err))
		fail_msg("pg_account_add: %s", err.msg);
}

/* A running chat held by agent `holder`. */
static void held_chat(struct fx *fx, const char *holder)
{
	uuid_str id;

	pgfx_new_id(id);
	const char *p[] = {id, fx->channel, fx->owner, holder};
	run(fx,
	    "INSERT INTO chats (id, channel_id, channel_type, owner_id, owner_name, created_at,"
	    " updated_at, responder_type, responder_id, mode, escalated, state, message_count,"
	    " version, last_event_seq) VALUES ($1, $2, 0, $3, 'Customer', 0, 0, 1, $4, 1, false,"
	    " 0, 0, 1, 0)",
	    4, p);
}

/* Ana, an agent holding one chat, and the ingest account "Aria (bot)". */
static void ana_and_bot(struct fx *fx, struct agent *ana, struct agent *bot)
{
	add(fx, "Ana", ACCOUNT_AGENT, ana, NULL);
	add(fx, "Aria (bot)", ACCOUNT_INGEST, bot, NULL);
	held_chat(fx, ana->id);
}

/* Ids that name no agent: nobody's (a new id, into nobody), the ingest
 * account's, and one that is no uuid at all. */
static void not_agents(const struct agent *bot, uuid_str nobody, const char *out[3])
{
	pgfx_new_id(nobody);
	out[0] = nobody;
	out[1] = bot->id;
	out[2] = "not-a-uuid";
}

static void free_list(struct agent *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		agent_free(&list[i]);
	free(list);
}

static int setup(void **state)
{
	struct fx *fx = pgfx_new(state, sizeof *fx, true);

	if (!fx)
		return -1;
	/* TRUNCATE … CASCADE names every table it reaches, each a NOTICE */
	run(fx, "SET client_min_messages = warning", 0, NULL);
	return 0;
}

/* Each test starts without accounts or chats, and with a channel and an
 * owner for the chats it makes. */
static int empty(void **state)
{
	struct fx *fx = *state;

	run(fx, "TRUNCATE accounts, channels, owners CASCADE", 0, NULL);
	pgfx_channel_and_owner(fx->db.c, fx->channel, fx->owner);
	return 0;
}

/* ---- tokens ------------------------------------------------------------- */

static void test_tokens_authenticate_and_only_their_hash_is_stored(void **state)
{
	struct fx *fx = *state;
	char token[TOKEN_STRLEN + 1], wrong[TOKEN_STRLEN + 1], hash[TOKEN_HASH_HEXLEN + 1];
	struct agent ana, who;

	add(fx, "Ana", ACCOUNT_AGENT, &ana, token);
	assert_int_equal(strlen(token), TOKEN_STRLEN);
	assert_memory_equal(token, "hot_", 4);
	assert_true(pg_authenticate(fx->db.c, token, &who));
	assert_string_equal(who.id, ana.id);
	assert_string_equal(who.name, "Ana");
	assert_null(who.email);
	assert_int_equal(who.role, ACCOUNT_AGENT);
	assert_int_equal(who.active_chats, -1);
	agent_free(&who);

	memcpy(wrong, token, sizeof wrong);
	wrong[10] = wrong[10] == 'a' ? 'b' : 'a';
	assert_false(pg_authenticate(fx->db.c, wrong, &who));
	assert_false(pg_authenticate(fx->db.c, "", &who));
	assert_false(pg_authenticate(fx->db.c, NULL, &who));

	/* The row holds the token's hash, the same as SQLite's (token.h), and
	 * its text is nowhere in the table, while the name is: the row's text
	 * is really being searched. */
	assert_true(token_hash(token, hash));
	assert_int_equal(number(fx, "SELECT count(*) FROM accounts WHERE id = $1"
				    " AND token_hash = $2",
				2, (const char *[]){ana.id, hash}),
			 1);
	assert_int_equal(number(fx, "SELECT count(*) FROM accounts a"
				    " WHERE strpos(a::text, $1) > 0",
				1, (const char *[]){token + 4}),
			 0);
	assert_int_equal(number(fx, "SELECT count(*) FROM accounts a"
				    " WHERE strpos(a::text, 'Ana') > 0",
				0, NULL),
			 1);
	agent_free(&ana);
}

static void test_add_keeps_the_email_and_needs_a_name(void **state)
{
	struct fx *fx = *state;
	char token[TOKEN_STRLEN + 1] = "";
	struct errbuf err = {""};
	struct agent ben, who;

	assert_true(pg_account_add(fx->db.c, "Ben", "ben@example.org", ACCOUNT_SUPERVISOR, token,
				   &ben, &err));
	assert_string_equal(ben.email, "ben@example.org");
	assert_int_equal(ben.role, ACCOUNT_SUPERVISOR);
	assert_true(pg_authenticate(fx->db.c, token, &who));
	assert_string_equal(who.email, "ben@example.org");
	agent_free(&who);
	agent_free(&ben);

	assert_false(pg_account_add(fx->db.c, "", NULL, ACCOUNT_AGENT, token, &ben, &err));
	assert_non_null(strstr(err.msg, "name"));
	assert_int_equal(number(fx, "SELECT count(*) FROM accounts", 0, NULL), 1);
}

/* ---- ensure ------------------------------------------------------------- */

static void test_ensure_finds_by_name_and_role(void **state)
{
	struct fx *fx = *state;
	struct errbuf err = {""};
	struct agent ana, first, again, other_role;

	/* "Ana" exists as an agent: found, not duplicated */
	add(fx, "Ana", ACCOUNT_AGENT, &ana, NULL);
	assert_true(pg_account_ensure(fx->db.c, "Ana", ACCOUNT_AGENT, &first, &err));
	assert_string_equal(first.id, ana.id);
	agent_free(&first);
	/* a new name is created once, then found */
	assert_true(pg_account_ensure(fx->db.c, "Aria (bot)", ACCOUNT_INGEST, &first, &err));
	assert_true(pg_account_ensure(fx->db.c, "Aria (bot)", ACCOUNT_INGEST, &again, &err));
	assert_string_equal(first.id, again.id);
	assert_string_equal(again.name, "Aria (bot)");
	assert_int_equal(again.role, ACCOUNT_INGEST);
	/* the same name with another role is another account */
	assert_true(pg_account_ensure(fx->db.c, "Aria (bot)", ACCOUNT_AGENT, &other_role, &err));
	assert_string_not_equal(other_role.id, first.id);
	assert_int_equal(number(fx, "SELECT count(*) FROM accounts", 0, NULL), 3);
	/* and each call left no transaction open */
	assert_int_equal(PQtransactionStatus(fx->db.c), PQTRANS_IDLE);
	agent_free(&ana);
	agent_free(&first);
	agent_free(&again);
	agent_free(&other_role);
}

static void test_ensure_refuses_to_run_inside_a_transaction(void **state)
{
	struct fx *fx = *state;
	struct errbuf err = {""};
	struct agent a;

	run(fx, "BEGIN", 0, NULL);
	assert_false(pg_account_ensure(fx->db.c, "Bot", ACCOUNT_INGEST, &a, &err));
	assert_non_null(strstr(err.msg, "inside a transaction"));
	/* the caller's transaction is still the caller's */
	assert_int_equal(PQtransactionStatus(fx->db.c), PQTRANS_INTRANS);
	run(fx, "ROLLBACK", 0, NULL);
	assert_int_equal(number(fx, "SELECT count(*) FROM accounts", 0, NULL), 0);
}

#define ENSURERS 4
#define ENSURE_ROUNDS 25

struct ensured {
	uuid_str id[ENSURERS][ENSURE_ROUNDS];
};

/* Round i's name, new to the database. */
static void round_name(int round, char out[32])
{
	snprintf(out, 32, "Demo bot %d", round);
}

/* Round `round`'s name ensured from connection `thread`: the id it got. */
static bool ensure_round(PGconn *c, int thread, int round, void *ctx, struct errbuf *err)
{
	struct ensured *e = ctx;
	char name[32];
	struct agent a;

	round_name(round, name);
	if (!pg_account_ensure(c, name, ACCOUNT_INGEST, &a, err))
		return false;
	memcpy(e->id[thread][round], a.id, sizeof e->id[thread][round]);
	agent_free(&a);
	return true;
}

static void test_ensure_from_four_connections_at_once_creates_once(void **state)
{
	struct fx *fx = *state;
	struct ensured e = {0};

	pgfx_race(&(struct pgfx_race){.conninfo = pgserver_conninfo(fx->db.server),
				      .threads = ENSURERS, .rounds = ENSURE_ROUNDS,
				      .turn = ensure_round, .ctx = &e, .who = "ensurer"});
	for (int round = 0; round < ENSURE_ROUNDS; round++) {
		char name[32];
		round_name(round, name);
		/* one account, and every connection was given it */
		assert_int_equal(number(fx, "SELECT count(*) FROM accounts WHERE name = $1", 1,
					(const char *[]){name}),
				 1);
		for (int i = 0; i < ENSURERS; i++)
			assert_string_equal(e.id[i][round], e.id[0][round]);
	}
}

/* ---- agents: held chats and capacity ------------------------------------ */

static void test_agents_list_counts_held_chats_and_shows_capacity(void **state)
{
	struct fx *fx = *state;
	struct api_error err = {0};
	struct agent cleo, ana, ben, bot, *list = NULL;
	size_t n = 0;

	/* added out of order */
	add(fx, "Cleo", ACCOUNT_AGENT, &cleo, NULL);
	add(fx, "ben", ACCOUNT_SUPERVISOR, &ben, NULL);
	add(fx, "Ana", ACCOUNT_AGENT, &ana, NULL);
	add(fx, "Aria (bot)", ACCOUNT_INGEST, &bot, NULL);
	held_chat(fx, cleo.id);
	held_chat(fx, cleo.id);
	held_chat(fx, ben.id);
	run(fx, "UPDATE accounts SET capacity = 7 WHERE id = $1", 1, (const char *[]){ana.id});

	assert_true(pg_agents_list(fx->db.c, 3, &list, &n, &err));
	assert_int_equal(n, 3); /* no ingest account */
	/* bytewise, as SQLite orders: capitals first */
	assert_string_equal(list[0].name, "Ana");
	assert_string_equal(list[1].name, "Cleo");
	assert_string_equal(list[2].name, "ben");
	assert_string_equal(list[1].id, cleo.id);
	assert_int_equal(list[0].active_chats, 0);
	assert_int_equal(list[1].active_chats, 2);
	assert_int_equal(list[2].active_chats, 1);
	assert_int_equal(list[0].capacity, 7);
	assert_int_equal(list[1].capacity, 3);
	assert_int_equal(list[2].capacity, 3);
	assert_int_equal(list[2].role, ACCOUNT_SUPERVISOR);
	free_list(list, n);

	/* another default capacity is shown for whoever has none set */
	assert_true(pg_agents_list(fx->db.c, 5, &list, &n, &err));
	assert_int_equal(list[0].capacity, 7);
	assert_int_equal(list[2].capacity, 5);
	free_list(list, n);

	agent_free(&cleo);
	agent_free(&ana);
	agent_free(&ben);
	agent_free(&bot);
}

static void test_agents_list_of_none_is_empty(void **state)
{
	struct fx *fx = *state;
	struct api_error err = {0};
	struct agent *list = NULL;
	size_t n = 1;

	assert_true(pg_agents_list(fx->db.c, 3, &list, &n, &err));
	assert_int_equal(n, 0);
	free(list);
}

static void test_agent_get_finds_agents_only(void **state)
{
	struct fx *fx = *state;
	struct api_error err = {0};
	struct agent ana, bot, got;
	uuid_str nobody;

	ana_and_bot(fx, &ana, &bot);
	assert_true(pg_agent_get(fx->db.c, 3, ana.id, &got, &err));
	assert_string_equal(got.name, "Ana");
	assert_int_equal(got.active_chats, 1);
	assert_int_equal(got.capacity, 3);
	agent_free(&got);

	const char *missing[3];
	not_agents(&bot, nobody, missing);
	for (size_t i = 0; i < 3; i++) {
		err = (struct api_error){0};
		assert_false(pg_agent_get(fx->db.c, 3, missing[i], &got, &err));
		assert_int_equal(err.type, API_RESOURCE_NOT_FOUND);
	}
	agent_free(&ana);
	agent_free(&bot);
}

static void test_set_capacity_changes_the_agent_only(void **state)
{
	struct fx *fx = *state;
	struct api_error err = {0};
	struct agent ana, bot, got;
	uuid_str nobody;

	ana_and_bot(fx, &ana, &bot);
	assert_true(pg_agent_set_capacity(fx->db.c, ana.id, 5, &got, &err));
	assert_string_equal(got.id, ana.id);
	assert_string_equal(got.name, "Ana");
	assert_int_equal(got.capacity, 5);
	assert_int_equal(got.active_chats, 1);
	agent_free(&got);
	/* stored: the list shows it whatever the default */
	assert_true(pg_agent_get(fx->db.c, 3, ana.id, &got, &err));
	assert_int_equal(got.capacity, 5);
	agent_free(&got);
	/* zero is a capacity too (no chats offered), not "unset" */
	assert_true(pg_agent_set_capacity(fx->db.c, ana.id, 0, &got, &err));
	assert_int_equal(got.capacity, 0);
	agent_free(&got);

	const char *missing[3];
	not_agents(&bot, nobody, missing);
	for (size_t i = 0; i < 3; i++) {
		err = (struct api_error){0};
		assert_false(pg_agent_set_capacity(fx->db.c, missing[i], 4, &got, &err));
		assert_int_equal(err.type, API_RESOURCE_NOT_FOUND);
	}
	/* the ingest account was left as it was */
	assert_int_equal(number(fx, "SELECT count(*) FROM accounts WHERE capacity IS NOT NULL", 0,
				NULL),
			 1);
	agent_free(&ana);
	agent_free(&bot);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, empty)
	const struct CMUnitTest tests[] = {
		T(test_tokens_authenticate_and_only_their_hash_is_stored),
		T(test_add_keeps_the_email_and_needs_a_name),
		T(test_ensure_finds_by_name_and_role),
		T(test_ensure_refuses_to_run_inside_a_transaction),
		T(test_ensure_from_four_connections_at_once_creates_once),
		T(test_agents_list_counts_held_chats_and_shows_capacity),
		T(test_agents_list_of_none_is_empty),
		T(test_agent_get_finds_agents_only),
		T(test_set_capacity_changes_the_agent_only),
	};
#undef T
	return cmocka_run_group_tests(tests, setup, pgfx_teardown);
}
