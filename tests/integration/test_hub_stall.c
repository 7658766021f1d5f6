/*
 * test_hub_stall.c — the database stalls, the hub's loop does not.
 *
 * On PostgreSQL a hub runs its handlers on worker threads, answers a
 * token it has seen from memory and looks one it has not seen up on a
 * worker too, so one request stuck behind a lock holds a worker and
 * nothing else: the streams keep moving (presence frames go from one
 * console to another), a request whose work needs no locked table is
 * answered, and the stuck ones complete once the lock goes — a new
 * bridge's first ingest with its body whole, and one stuck longer than
 * lws lets a silent connection live. Nor can one client's stuck requests
 * take every worker.
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

/* How long the first case holds its lock: past lws's idle timeout. */
#define SLOW_MS 6000

static struct hub hub;
static char ana[HUB_TOKEN_MAX], ben[HUB_TOKEN_MAX], bot[HUB_TOKEN_MAX];
/* Accounts the hub has not seen a request of until the database stalls. */
static char cy[HUB_TOKEN_MAX], relay[HUB_TOKEN_MAX];
static char chat[37];

static const struct account accounts[] = {
	{"Ana", "agent", ana},
	{"Ben", "agent", ben},
	{"Bridge", "ingest", bot},
	{"Cy", "agent", cy},
	{"Relay", "ingest", relay},
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

/* A request made on a thread of its own, for as long as the lock holds it. */
struct stuck {
	pthread_t thread;
	const char *method, *path, *token, *body;
	struct reply r;
	atomic_bool done;
};

static void *request(void *arg)
{
	struct stuck *st = arg;

	st->r = http(&hub, st->method, st->path, st->token, st->body);
	atomic_store(&st->done, true);
	return NULL;
}

static void stuck_start(struct stuck *st, const char *method, const char *path,
			const char *token, const char *body)
{
	*st = (struct stuck){.method = method, .path = path, .token = token, .body = body};
	assert_int_equal(pthread_create(&st->thread, NULL, request, st), 0);
}

/* Until `n` sessions of the hub's database wait for a lock. */
static void wait_for_lock_waiters(PGconn *c, int n)
{
	long long deadline = now_ms() + 10000;

	for (;;) {
		PGresult *r = PQexec(c, "SELECT count(*) FROM pg_stat_activity"
					" WHERE datname = current_database() AND wait_event_type = 'Lock'");
		assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
		int waiting = atoi(PQgetvalue(r, 0, 0));
		PQclear(r);
		if (waiting >= n)
			return;
		if (now_ms() > deadline)
			fail_msg("%d of the hub's queries wait on the lock, not %d", waiting, n);
		poll(NULL, 0, 5);
	}
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

/* Ana opens the chat on her stream: Ben's console hears it while the
 * database is stuck, or the test fails. */
static void presence_still_moves(struct ws *wa, struct ws *wb)
{
	char msg[96];
	cJSON *f;

	snprintf(msg, sizeof msg, "{\"type\":\"viewing\",\"chat_id\":\"%s\"}", chat);
	long long sent = now_ms();
	ws_send_text(wa, msg);
	while ((f = next_presence(wb, LIVE_MS)) && !views(f, "Ana"))
		cJSON_Delete(f);
	if (!f)
		fail_msg("no presence frame within %d ms while the database was stuck", LIVE_MS);
	print_message("presence passed on in %lld ms with queries stuck\n", now_ms() - sent);
	cJSON_Delete(f);
	ws_send_text(wa, "{\"type\":\"viewing\",\"chat_id\":null}");
}

static PGconn *lock_tables(void)
{
	PGconn *locker = db_session();
	db_do(locker, "BEGIN");
	db_do(locker, "LOCK TABLE chats, accounts IN ACCESS EXCLUSIVE MODE");
	return locker;
}

static void unlock_tables(PGconn *locker)
{
	db_do(locker, "ROLLBACK");
	PQfinish(locker);
}

static void test_a_stuck_query_holds_only_its_request(void **state)
{
	(void)state;
	struct ws wa, wb;
	struct stuck list;

	ws_open_console(&wa, &hub, ana);
	ws_open_console(&wb, &hub, ben);
	/* Both tokens are known to the hub now (each stream was admitted). */

	PGconn *locker = lock_tables();
	long long asked = now_ms();
	stuck_start(&list, "GET", "/v1/chats?limit=5", ana, NULL);
	wait_for_lock_waiters(locker, 1);

	presence_still_moves(&wa, &wb);

	/* A request that needs no locked table is answered, its token from
	 * memory: accounts is locked too. */
	struct reply me = http(&hub, "GET", "/v1/me", ben, NULL);
	cJSON *body = expect_status(&me, 200);
	assert_string_equal(cJSON_GetObjectItem(body, "name")->valuestring, "Ben");
	reply_free(&me);

	/* The stuck request stays stuck, without an answer, for longer than
	 * lws lets a connection it hears nothing on live (5 s): the hub must
	 * still answer it once the lock goes, not have hung up. */
	while (now_ms() < asked + SLOW_MS) {
		assert_false(atomic_load(&list.done));
		poll(NULL, 0, 50);
	}
	unlock_tables(locker);

	assert_int_equal(pthread_join(list.thread, NULL), 0);
	body = expect_status(&list.r, 200);
	assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(body, "chats")) >= 1);
	reply_free(&list.r);
	ws_close(&wa);
	ws_close(&wb);
}

/* A new agent's first request, a new bridge's first ingest (with a body
 * larger than one read) and a wrong token all need the accounts table:
 * each waits on a worker, the streams do not. */
static void test_tokens_not_seen_wait_alone(void **state)
{
	(void)state;
	struct ws wa, wb;
	struct stuck me, first, wrong;
	char text[48 * 1024], body[sizeof text + 512];

	/* Text long enough to need many reads of the socket. */
	for (size_t i = 0; i < sizeof text - 1; i++)
		text[i] = (char)('a' + i % 26);
	text[sizeof text - 1] = '\0';
	snprintf(body, sizeof body,
		 "{\"external_id\":\"stall-relay\",\"channel\":{\"type\":\"widget\","
		 "\"name\":\"Website\"},\"owner\":{\"external_id\":\"stall-relay\","
		 "\"name\":\"Lee\"},\"role\":\"user\",\"text\":\"%s\",\"escalate\":false}",
		 text);

	ws_open_console(&wa, &hub, ana);
	ws_open_console(&wb, &hub, ben);

	PGconn *locker = lock_tables();
	stuck_start(&me, "GET", "/v1/me", cy, NULL);
	stuck_start(&first, "POST", "/v1/ingest/messages", relay, body);
	stuck_start(&wrong, "GET", "/v1/me", "hot_0000000000000000000000000000000000000000000000000000000000000000", NULL);
	wait_for_lock_waiters(locker, 3);

	presence_still_moves(&wa, &wb);
	assert_false(atomic_load(&me.done));
	assert_false(atomic_load(&first.done));
	assert_false(atomic_load(&wrong.done));
	unlock_tables(locker);

	assert_int_equal(pthread_join(me.thread, NULL), 0);
	assert_string_equal(cJSON_GetObjectItem(expect_status(&me.r, 200), "name")->valuestring,
			    "Cy");
	assert_int_equal(pthread_join(first.thread, NULL), 0);
	cJSON *msg = cJSON_GetObjectItem(expect_status(&first.r, 201), "message");
	assert_string_equal(cJSON_GetObjectItem(msg, "text")->valuestring, text);
	assert_int_equal(pthread_join(wrong.thread, NULL), 0);
	expect_status(&wrong.r, 401);
	reply_free(&me.r);
	reply_free(&first.r);
	reply_free(&wrong.r);
	ws_close(&wa);
	ws_close(&wb);
}

/* Until st is done or timeout_ms passed: whether it is. */
static bool done_within(struct stuck *st, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;

	while (!atomic_load(&st->done) && now_ms() < deadline)
		poll(NULL, 0, 2);
	return atomic_load(&st->done);
}

/* One client's requests stuck four at once (the pool's size) take two
 * workers, not all: another agent's request is answered meanwhile, and
 * the first client's all complete once the lock goes. */
static void test_one_client_cannot_take_every_worker(void **state)
{
	(void)state;
	struct stuck hog[4], other;

	PGconn *locker = lock_tables();
	for (int i = 0; i < 4; i++)
		stuck_start(&hog[i], "GET", "/v1/chats?limit=5", ana, NULL);
	wait_for_lock_waiters(locker, 2);

	stuck_start(&other, "GET", "/v1/me", ben, NULL);
	if (!done_within(&other, LIVE_MS))
		fail_msg("Ben's request waited behind Ana's stuck ones");
	for (int i = 0; i < 4; i++)
		assert_false(atomic_load(&hog[i].done));
	unlock_tables(locker);

	assert_int_equal(pthread_join(other.thread, NULL), 0);
	expect_status(&other.r, 200);
	reply_free(&other.r);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(hog[i].thread, NULL), 0);
		expect_status(&hog[i].r, 200);
		reply_free(&hog[i].r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_stuck_query_holds_only_its_request),
		cmocka_unit_test(test_tokens_not_seen_wait_alone),
		cmocka_unit_test(test_one_client_cannot_take_every_worker),
	};

	if (!hub_on_pg()) {
		printf("test_hub_stall: the hub runs handlers on workers only on PostgreSQL "
		       "(run tests/pg/test_hub_stall.pg); skipped\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
