/*
 * test_hub_stall.c — the database stalls, the hub's loop does not.
 *
 * On PostgreSQL a hub runs its handlers on worker threads and answers a
 * token it has seen from memory, so one request stuck behind a lock holds
 * a worker and nothing else: the streams keep moving (presence frames go
 * from one console to another), a request whose work needs no locked
 * table is answered, and the stuck one completes once the lock goes.
 *
 * The lock is taken as a careless operator or a long migration would:
 * another session holds ACCESS EXCLUSIVE on `chats` (the list's table) and
 * on `accounts` (where tokens are looked up), and the test waits until the
 * server reports the hub's query waiting on it.
 *
 * Only on PostgreSQL (tests/pg/test_hub_stall.pg): SQLite's hub runs on
 * one thread by design, so without HANDOFF_TEST_PG the program exits 77.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* How long the loop may take to pass a presence frame on while the
 * database is stuck: far more than it needs (a few ms), far less than the
 * lock is held. */
#define LIVE_MS 2000

static struct hub hub;
static char ana[HUB_TOKEN_MAX], ben[HUB_TOKEN_MAX], bot[HUB_TOKEN_MAX];
static char chat[37];

static const struct account accounts[] = {
	{"Ana", "agent", ana},
	{"Ben", "agent", ben},
	{"Bridge", "ingest", bot},
	{NULL},
};

static int setup(void **state)
{
	hub_up(&hub, accounts);
	ingest(&hub, bot, "stall-1", "user", "is anyone there?", true, chat);
	*state = &hub;
	return 0;
}

static int teardown(void **state)
{
	return hub_teardown(state);
}

/* A session of its own on the hub's database ("postgres:CONNINFO"). */
static PGconn *db_session(void)
{
	assert_true(strncmp(hub.db, "postgres:", 9) == 0);
	PGconn *c = PQconnectdb(hub.db + 9);
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	return c;
}

static void db_do(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
}

/* Until some session of the hub's database waits for a lock. */
static void wait_for_lock_waiter(PGconn *c)
{
	long long deadline = now_ms() + 10000;

	for (;;) {
		PGresult *r = PQexec(c, "SELECT count(*) FROM pg_stat_activity"
					" WHERE datname = current_database() AND wait_event_type = 'Lock'");
		assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
		int waiting = atoi(PQgetvalue(r, 0, 0));
		PQclear(r);
		if (waiting > 0)
			return;
		if (now_ms() > deadline)
			fail_msg("no query of the hub waits on the lock");
		poll(NULL, 0, 5);
	}
}

struct stuck {
	pthread_t thread;
	struct reply r;
	atomic_bool done;
};

static void *list_chats(void *arg)
{
	struct stuck *st = arg;

	st->r = http(&hub, "GET", "/v1/chats?limit=5", ana, NULL);
	atomic_store(&st->done, true);
	return NULL;
}

/* The next presence frame on w, skipping anything else. */
static cJSON *next_presence(struct ws *w, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	cJSON *f;

	while (now_ms() < deadline && (f = ws_next(w, (int)(deadline - now_ms())))) {
		const cJSON *type = cJSON_GetObjectItem(f, "type");
		if (cJSON_IsString(type) && strcmp(type->valuestring, "presence") == 0)
			return f;
		cJSON_Delete(f);
	}
	return NULL;
}

static bool views(const cJSON *frame, const char *name)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, cJSON_GetObjectItem(frame, "viewing")) {
		if (strcmp(cJSON_GetObjectItem(a, "name")->valuestring, name) == 0)
			return true;
	}
	return false;
}

static void test_a_stuck_query_holds_only_its_request(void **state)
{
	(void)state;
	struct ws wa, wb;
	struct stuck st = {0};
	char msg[96];

	ws_open_console(&wa, &hub, ana);
	ws_open_console(&wb, &hub, ben);
	/* Both tokens are known to the hub now (each stream was admitted). */

	PGconn *locker = db_session();
	db_do(locker, "BEGIN");
	db_do(locker, "LOCK TABLE chats, accounts IN ACCESS EXCLUSIVE MODE");

	assert_int_equal(pthread_create(&st.thread, NULL, list_chats, &st), 0);
	wait_for_lock_waiter(locker);

	/* The stream moves: Ana opens the chat, Ben's console hears it. */
	snprintf(msg, sizeof msg, "{\"type\":\"viewing\",\"chat_id\":\"%s\"}", chat);
	long long sent = now_ms();
	ws_send_text(&wa, msg);
	cJSON *f;
	while ((f = next_presence(&wb, LIVE_MS)) && !views(f, "Ana"))
		cJSON_Delete(f);
	if (!f)
		fail_msg("no presence frame within %d ms while the database was stuck", LIVE_MS);
	print_message("presence passed on in %lld ms with a query stuck\n", now_ms() - sent);
	cJSON_Delete(f);

	/* A request that needs no locked table is answered, its token from
	 * memory: accounts is locked too. */
	struct reply me = http(&hub, "GET", "/v1/me", ben, NULL);
	cJSON *body = expect_status(&me, 200);
	assert_string_equal(cJSON_GetObjectItem(body, "name")->valuestring, "Ben");
	reply_free(&me);

	/* The stuck request is still stuck: the lock is what holds it. */
	assert_false(atomic_load(&st.done));
	db_do(locker, "ROLLBACK");
	PQfinish(locker);

	assert_int_equal(pthread_join(st.thread, NULL), 0);
	body = expect_status(&st.r, 200);
	assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(body, "chats")) >= 1);
	reply_free(&st.r);
	ws_close(&wa);
	ws_close(&wb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_stuck_query_holds_only_its_request),
	};

	if (!hub_on_pg()) {
		printf("test_hub_stall: the hub runs handlers on workers only on PostgreSQL "
		       "(run tests/pg/test_hub_stall.pg); skipped\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
