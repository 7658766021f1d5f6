/*
 * test_storage_parity.c — one set of cases, run through each back end's
 * storage table (storage.h): SQLite on a file of its own, PostgreSQL on a
 * database of its own on this program's server (pgserver.c). What an
 * agent or a bridge would see must not depend on the back end: the same
 * answers, the same errors with the same words, the same thread.
 *
 * Each case runs once per back end, on a fresh database, through
 * st->ops only, as the hub calls it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pgserver.h"
#include "storage.h"
#include "storage_pg.h"

/* The program's PostgreSQL server and scratch directory, for every case. */
static struct pgserver *server;
static char scratch[] = "/tmp/handoff-parity-XXXXXX";

enum backend_kind { BACKEND_SQLITE, BACKEND_POSTGRESQL };

/* One case's state: the back end it runs on, its handle, its people. */
struct fx {
	enum backend_kind kind;
	struct storage *st;
	struct agent bot, ana, ben, sue; /* an ingest account, two agents, a supervisor */
};

static const struct storage_settings settings = {EVENTS_RETAINED, DEFAULT_CAPACITY, NULL};

/* A fresh database of the case's back end, opened through its table. */
static struct storage *fresh_storage(enum backend_kind kind)
{
	static int n;
	char target[512], name[32];
	struct errbuf err = {""};
	struct storage *st;
	int found;

	snprintf(name, sizeof name, "parity%d", ++n);
	if (kind == BACKEND_SQLITE) {
		snprintf(target, sizeof target, "%s/%s.db", scratch, name);
		st = storage_sqlite_open(target, &settings, &found, &err);
	} else {
		char conninfo[400];
		if (!pgserver_create_db(server, name, conninfo, sizeof conninfo))
			fail_msg("cannot create database %s", name);
		snprintf(target, sizeof target, "postgres:%s", conninfo);
		st = storage_pg_open(target, &settings, &found, &err);
	}
	if (!st)
		fail_msg("open %s: %s", target, err.msg);
	assert_int_equal(found, 0);
	return st;
}

static void add_account(struct fx *fx, const char *name, enum account_role role, struct agent *a)
{
	char token[TOKEN_STRLEN + 1];
	struct errbuf err = {""};

	if (!fx->st->ops->account_add(fx->st, name, NULL, role, token, a, &err))
		fail_msg("account_add %s: %s", name, err.msg);
}

static int case_setup(void **state)
{
	enum backend_kind kind = *(enum backend_kind *)*state;
	struct fx *fx = calloc(1, sizeof *fx);

	assert_non_null(fx);
	fx->kind = kind;
	fx->st = fresh_storage(kind);
	add_account(fx, "bot", ACCOUNT_INGEST, &fx->bot);
	add_account(fx, "Ana", ACCOUNT_AGENT, &fx->ana);
	add_account(fx, "Ben", ACCOUNT_AGENT, &fx->ben);
	add_account(fx, "Sue", ACCOUNT_SUPERVISOR, &fx->sue);
	*state = fx;
	return 0;
}

static int case_teardown(void **state)
{
	struct fx *fx = *state;

	agent_free(&fx->bot);
	agent_free(&fx->ana);
	agent_free(&fx->ben);
	agent_free(&fx->sue);
	fx->st->ops->close(fx->st);
	free(fx);
	return 0;
}

/* A customer's message from the bot's platform, escalated or not, into
 * the chat `external_id` names; the chat into *c. */
static void customer_says(struct fx *fx, const char *external_id, const char *text,
			  bool escalate, struct chat *c)
{
	struct ingest in = {
		.external_id = external_id,
		.source_platform = "widgetco",
		.channel_type = CHANNEL_WIDGET,
		.channel_name = "site",
		.owner_external_id = "cust-1",
		.owner_name = "Customer",
		.role = MSG_ROLE_USER,
		.text = text,
		.escalate = escalate,
	};
	struct message m;
	struct api_error err;
	bool created;

	if (!fx->st->ops->ingest(fx->st, &fx->bot, &in, c, &m, &created, &err))
		fail_msg("ingest: %s", err.description);
	assert_true(created);
	message_free(&m);
}

/* ---- cases ---------------------------------------------------------------- */

static void token_names_its_account(void **state)
{
	struct fx *fx = *state;
	char token[TOKEN_STRLEN + 1];
	struct agent a, who;
	struct errbuf err = {""};

	assert_true(fx->st->ops->account_add(fx->st, "Cleo", "cleo@example.com", ACCOUNT_AGENT,
					     token, &a, &err));
	assert_true(fx->st->ops->authenticate(fx->st, token, &who));
	assert_string_equal(who.id, a.id);
	assert_string_equal(who.name, "Cleo");
	assert_int_equal(who.role, ACCOUNT_AGENT);
	agent_free(&who);
	token[10] = token[10] == 'a' ? 'b' : 'a';
	assert_false(fx->st->ops->authenticate(fx->st, token, &who));
	agent_free(&a);
}

static void escalated_chat_waits_for_one_taker(void **state)
{
	struct fx *fx = *state;
	struct chat c, got;
	struct api_error err;

	customer_says(fx, "ext-1", "I want a human", true, &c);
	assert_true(c.escalated);
	assert_int_equal(c.mode, CHAT_MODE_AI);

	assert_true(fx->st->ops->takeover(fx->st, &fx->ana, c.id, false, &got, &err));
	assert_int_equal(got.mode, CHAT_MODE_AGENT);
	assert_string_equal(got.responder.id, fx->ana.id);
	assert_true(got.version > c.version);
	chat_free(&got);

	/* Ben comes second: told who has it, and nothing changes. */
	assert_false(fx->st->ops->takeover(fx->st, &fx->ben, c.id, false, &got, &err));
	assert_int_equal(err.type, API_CONFLICT);
	assert_non_null(strstr(err.description, "Ana"));
	assert_false(fx->st->ops->handback(fx->st, &fx->ben, c.id, &got, &err));

	/* A supervisor may force it; then it is hers to hand back. */
	assert_true(fx->st->ops->takeover(fx->st, &fx->sue, c.id, true, &got, &err));
	assert_string_equal(got.responder.id, fx->sue.id);
	chat_free(&got);
	assert_true(fx->st->ops->handback(fx->st, &fx->sue, c.id, &got, &err));
	assert_int_equal(got.mode, CHAT_MODE_AI);
	assert_string_equal(got.responder.id, "");
	chat_free(&got);

	assert_true(fx->st->ops->chat_get(fx->st, c.id, &got, &err));
	/* the customer's message and four system ones: escalated, Ana
	 * joined, Sue joined, Sue left */
	assert_int_equal(got.message_count, 5);
	chat_free(&got);
	chat_free(&c);
}

static void ingest_retry_stores_once(void **state)
{
	struct fx *fx = *state;
	struct ingest in = {
		.external_id = "ext-2",
		.external_message_id = "m-1",
		.channel_type = CHANNEL_WIDGET,
		.channel_name = "site",
		.owner_name = "Customer",
		.role = MSG_ROLE_USER,
		.text = "hello",
	};
	struct chat c1, c2;
	struct message m1, m2;
	struct api_error err;
	bool created;

	assert_true(fx->st->ops->ingest(fx->st, &fx->bot, &in, &c1, &m1, &created, &err));
	assert_true(created);
	in.text = "hello (sent again)";
	assert_true(fx->st->ops->ingest(fx->st, &fx->bot, &in, &c2, &m2, &created, &err));
	assert_false(created);
	assert_string_equal(m2.id, m1.id);
	assert_string_equal(m2.text, "hello");
	assert_int_equal(c2.message_count, 1);
	message_free(&m1);
	message_free(&m2);
	chat_free(&c1);
	chat_free(&c2);
}

static void unknown_chat_is_not_found(void **state)
{
	struct fx *fx = *state;
	struct chat c;
	struct api_error err;
	const char *nobody = "00000000-0000-4000-8000-000000000000";

	assert_false(fx->st->ops->chat_get(fx->st, nobody, &c, &err));
	assert_int_equal(err.type, API_RESOURCE_NOT_FOUND);
	assert_false(fx->st->ops->takeover(fx->st, &fx->ana, nobody, false, &c, &err));
	assert_int_equal(err.type, API_RESOURCE_NOT_FOUND);
}

static void agents_show_held_chats_and_capacity(void **state)
{
	struct fx *fx = *state;
	struct chat c, got;
	struct agent a, *list;
	struct api_error err;
	size_t n;

	customer_says(fx, "ext-3", "help", true, &c);
	assert_true(fx->st->ops->takeover(fx->st, &fx->ben, c.id, false, &got, &err));
	chat_free(&got);
	assert_true(fx->st->ops->agent_set_capacity(fx->st, fx->ben.id, 5, &a, &err));
	assert_int_equal(a.capacity, 5);
	agent_free(&a);

	assert_true(fx->st->ops->agents_list(fx->st, &list, &n, &err));
	assert_int_equal(n, 3); /* Ana, Ben, Sue: never the ingest account */
	assert_string_equal(list[0].name, "Ana");
	assert_int_equal(list[0].active_chats, 0);
	assert_int_equal(list[0].capacity, DEFAULT_CAPACITY);
	assert_string_equal(list[1].name, "Ben");
	assert_int_equal(list[1].active_chats, 1);
	assert_int_equal(list[1].capacity, 5);
	for (size_t i = 0; i < n; i++)
		agent_free(&list[i]);
	free(list);

	assert_false(fx->st->ops->agent_get(fx->st, fx->bot.id, &a, &err));
	assert_int_equal(err.type, API_RESOURCE_NOT_FOUND);
	chat_free(&c);
}

static int group_setup(void **state)
{
	(void)state;
	if (!mkdtemp(scratch))
		return -1;
	server = pgserver_start();
	return server ? 0 : -1;
}

static int group_teardown(void **state)
{
	char cmd[sizeof scratch + 16];

	(void)state;
	pgserver_stop(server);
	snprintf(cmd, sizeof cmd, "rm -rf %s", scratch);
	return system(cmd) == 0 ? 0 : -1;
}

static enum backend_kind on_sqlite = BACKEND_SQLITE, on_postgresql = BACKEND_POSTGRESQL;

/* A case twice, named by its back end so that a failure says which. */
#define BOTH(fn)                                                        \
	{#fn " (sqlite)", fn, case_setup, case_teardown, &on_sqlite},   \
	{#fn " (postgresql)", fn, case_setup, case_teardown, &on_postgresql}

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(token_names_its_account),
		BOTH(escalated_chat_waits_for_one_taker),
		BOTH(ingest_retry_stores_once),
		BOTH(unknown_chat_is_not_found),
		BOTH(agents_show_held_chats_and_capacity),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
