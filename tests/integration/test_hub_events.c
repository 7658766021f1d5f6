/*
 * test_hub_events.c — the live event stream: hello, replay from since,
 * resync, live delivery, notes withheld from ingest clients; and what
 * survives a restart and a kill -9.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define WAIT_MS 5000

static struct hub hub;
static char ana[HUB_TOKEN_MAX], bot[HUB_TOKEN_MAX];

static const struct account accounts[] = {
	{"Ana", "agent", ana},
	{"Widget bridge", "ingest", bot},
	{NULL},
};

static int setup(void **state)
{
	hub_up(&hub, accounts);
	*state = &hub;
	return 0;
}

static long long seq_of(const cJSON *ev)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(ev, "seq");
	return cJSON_IsNumber(s) ? (long long)s->valuedouble : -1;
}

static const char *type_of(const cJSON *ev)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(ev, "type");
	return cJSON_IsString(t) ? t->valuestring : "";
}

/* Connect and consume hello; returns head. */
static long long connect_hello(struct ws *w, const char *token, const char *query)
{
	assert_true(ws_connect(w, &hub, token, query, NULL));
	cJSON *hello = ws_next(w, WAIT_MS);
	assert_non_null(hello);
	assert_string_equal(type_of(hello), "hello");
	assert_non_null(cJSON_GetObjectItem(hello, "me"));
	long long head = (long long)cJSON_GetObjectItem(hello, "head")->valuedouble;
	cJSON_Delete(hello);
	return head;
}

static void test_hello_then_live_events_in_order(void **state)
{
	(void)state;
	struct ws w;
	long long head = connect_hello(&w, ana, NULL);

	char chat[37];
	ingest(&hub, bot, "live-1", "user", "first words", false, chat);
	/* a new chat: chat.created then message.created, seqs consecutive */
	cJSON *e1 = ws_next(&w, WAIT_MS), *e2 = ws_next(&w, WAIT_MS);
	assert_non_null(e1);
	assert_non_null(e2);
	assert_string_equal(type_of(e1), "chat.created");
	assert_string_equal(type_of(e2), "message.created");
	assert_int_equal(seq_of(e1), head + 1);
	assert_int_equal(seq_of(e2), head + 2);
	cJSON *msg = cJSON_GetObjectItem(e2, "message");
	assert_string_equal(cJSON_GetObjectItem(msg, "text")->valuestring, "first words");
	cJSON_Delete(e1);
	cJSON_Delete(e2);
	ws_close(&w);
}

static void test_replay_since_misses_nothing_and_repeats_nothing(void **state)
{
	(void)state;
	struct ws w;
	long long head = connect_hello(&w, ana, NULL);
	ws_close(&w);

	/* while disconnected, 10 messages arrive */
	for (int i = 0; i < 10; i++) {
		char text[32];
		snprintf(text, sizeof text, "offline %d", i);
		ingest(&hub, bot, "replay-1", "user", text, false, NULL);
	}
	char query[64];
	snprintf(query, sizeof query, "since=%lld", head);
	long long head2 = connect_hello(&w, ana, query);
	assert_true(head2 >= head + 10);

	/* replayed in order, then one more live one after them */
	ingest(&hub, bot, "replay-1", "user", "live again", false, NULL);
	long long expect = head + 1;
	bool saw_live = false;
	for (cJSON *e; !saw_live && (e = ws_next(&w, WAIT_MS));) {
		assert_int_equal(seq_of(e), expect);
		expect++;
		cJSON *m = cJSON_GetObjectItem(e, "message");
		cJSON *t = m ? cJSON_GetObjectItem(m, "text") : NULL;
		saw_live = t && strcmp(t->valuestring, "live again") == 0;
		cJSON_Delete(e);
	}
	assert_true(saw_live);
	/* and nothing after it */
	assert_null(ws_next(&w, 200));
	ws_close(&w);
}

static void test_since_in_the_future_means_resync(void **state)
{
	(void)state;
	struct ws w;
	connect_hello(&w, ana, "since=999999999");
	cJSON *e = ws_next(&w, WAIT_MS);
	assert_non_null(e);
	assert_string_equal(type_of(e), "resync");
	cJSON_Delete(e);
	ws_close(&w);
}

static void test_events_need_a_token(void **state)
{
	(void)state;
	struct ws w;
	int status = 0;
	assert_false(ws_connect(&w, &hub, NULL, NULL, &status));
	assert_int_equal(status, 401);
	ws_close(&w);
}

static void test_notes_never_reach_ingest_clients(void **state)
{
	(void)state;
	struct ws agent_ws, ingest_ws;
	char chat[37], path[160];

	ingest(&hub, bot, "notes-1", "user", "hello", false, chat);
	connect_hello(&agent_ws, ana, NULL);
	connect_hello(&ingest_ws, bot, NULL);

	snprintf(path, sizeof path, "/v1/chats/%s/messages", chat);
	struct reply r = http(&hub, "POST", path, ana,
			      "{\"text\":\"SECRET-NOTE customer is rude\",\"client_msg_id\":\"n1\",\"internal\":true}");
	assert_int_equal(r.status, 201);
	reply_free(&r);
	ingest(&hub, bot, "notes-1", "user", "after the note", false, NULL);

	/* the agent sees the note then the message; the ingest client only the message */
	cJSON *a1 = ws_next(&agent_ws, WAIT_MS), *a2 = ws_next(&agent_ws, WAIT_MS);
	assert_non_null(a1);
	assert_non_null(a2);
	char *note_event = cJSON_PrintUnformatted(a1);
	assert_non_null(strstr(note_event, "SECRET-NOTE"));
	free(note_event);
	cJSON *i1 = ws_next(&ingest_ws, WAIT_MS);
	assert_non_null(i1);
	char *text = cJSON_PrintUnformatted(i1);
	assert_null(strstr(text, "SECRET-NOTE"));
	assert_non_null(strstr(text, "after the note"));
	free(text);
	cJSON_Delete(a1);
	cJSON_Delete(a2);
	cJSON_Delete(i1);
	ws_close(&agent_ws);
	ws_close(&ingest_ws);
}

static void test_everything_answered_survives_kill_9(void **state)
{
	(void)state;
	char chat[37], path[160];
	ingest(&hub, bot, "durable-1", "user", "before the crash", true, chat);
	snprintf(path, sizeof path, "/v1/chats/%s/takeover", chat);
	struct reply r = http(&hub, "POST", path, ana, NULL);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	struct ws w;
	long long head = connect_hello(&w, ana, NULL);
	ws_close(&w);

	hub_kill(&hub);
	hub_start(&hub, NULL);

	snprintf(path, sizeof path, "/v1/chats/%s", chat);
	r = http(&hub, "GET", path, ana, NULL);
	cJSON *c = expect_status(&r, 200);
	assert_string_equal(cJSON_GetObjectItem(c, "mode")->valuestring, "AGENT");
	reply_free(&r);
	/* and the event log went on from where it was */
	assert_int_equal(connect_hello(&w, ana, NULL), head);
	ws_close(&w);

	hub_stop(&hub); /* a clean SIGTERM exits 0 */
	hub_start(&hub, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hello_then_live_events_in_order),
		cmocka_unit_test(test_replay_since_misses_nothing_and_repeats_nothing),
		cmocka_unit_test(test_since_in_the_future_means_resync),
		cmocka_unit_test(test_events_need_a_token),
		cmocka_unit_test(test_notes_never_reach_ingest_clients),
		cmocka_unit_test(test_everything_answered_survives_kill_9),
	};
	return cmocka_run_group_tests(tests, setup, hub_teardown);
}
