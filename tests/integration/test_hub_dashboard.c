/*
 * test_hub_dashboard.c — GET /v1/dashboard (v1.1): the snapshot the team
 * dashboard starts from, after real ingests, takeovers, replies, notes,
 * handbacks and a supervisor's reassignment; who may read it; bad input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "timeutil.h"

enum who { ANA, BEN, SUE, BOT, NWHO };

static struct hub hub;
static char tokens[NWHO][HUB_TOKEN_MAX];
static char ids[NWHO][37];

static const struct account accounts[] = {
	{"Ana", "agent", tokens[ANA]},
	{"Ben", "agent", tokens[BEN]},
	{"Sue", "supervisor", tokens[SUE]},
	{"Bridge", "ingest", tokens[BOT]},
	{NULL},
};

static int setup(void **state)
{
	hub_accounts(&hub, accounts);
	hub_start(&hub, "--first-response-target", "60", "--next-response-target", "300",
		  (char *)NULL);
	for (int i = ANA; i <= SUE; i++)
		hub_account_id(&hub, tokens[i], ids[i]);
	*state = &hub;
	return 0;
}

/* The snapshot as `who` reads it; cJSON_Delete it. */
static cJSON *dashboard(enum who who)
{
	struct reply r = http(&hub, "GET", "/v1/dashboard", tokens[who], NULL);
	cJSON *j = cJSON_Duplicate(expect_status(&r, 200), true);
	reply_free(&r);
	assert_non_null(j);
	return j;
}

static int64_t today(const cJSON *d, const char *name)
{
	const cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(d, "today"), name);
	assert_true(cJSON_IsNumber(v));
	return (int64_t)v->valuedouble;
}

static const cJSON *agent_row(const cJSON *d, enum who who)
{
	const cJSON *a;
	cJSON_ArrayForEach(a, cJSON_GetObjectItem(d, "agents"))
		if (!strcmp(cJSON_GetObjectItem(a, "id")->valuestring, ids[who]))
			return a;
	fail_msg("agent %d is not in the dashboard", (int)who);
	return NULL;
}

/* The agent's replies over the hour (every minute's bucket). */
static int64_t replies_hour(const cJSON *d, enum who who)
{
	const cJSON *m = cJSON_GetObjectItem(agent_row(d, who), "replies_by_minute");
	const cJSON *v;
	int64_t sum = 0;

	assert_int_equal(cJSON_GetArraySize(m), 60);
	cJSON_ArrayForEach(v, m)
		sum += (int64_t)v->valuedouble;
	return sum;
}

static const cJSON *first_responses(const cJSON *d, enum who who)
{
	const cJSON *f = cJSON_GetObjectItem(agent_row(d, who), "first_responses_ms");
	assert_true(cJSON_IsArray(f));
	return f;
}

/* The chat's entry in "chats", or NULL when it is neither waiting nor held. */
static const cJSON *chat_row(const cJSON *d, const char *chat)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(d, "chats"))
		if (!strcmp(cJSON_GetObjectItem(c, "id")->valuestring, chat))
			return c;
	return NULL;
}

static const char *holder(const cJSON *d, const char *chat)
{
	const cJSON *h = cJSON_GetObjectItem(chat_row(d, chat), "holder");
	return cJSON_IsString(h) ? h->valuestring : "";
}

static void reply(enum who who, const char *chat, const char *id, bool internal)
{
	char path[96], body[160];

	snprintf(path, sizeof path, "/v1/chats/%s/messages", chat);
	snprintf(body, sizeof body, "{\"text\":\"on it\",\"client_msg_id\":\"%s\",\"internal\":%s}",
		 id, internal ? "true" : "false");
	struct reply r = http(&hub, "POST", path, tokens[who], body);
	expect_status(&r, 201);
	reply_free(&r);
}

static int64_t ts_of(const cJSON *o, const char *name)
{
	int64_t ms;
	struct errbuf err;
	const cJSON *v = cJSON_GetObjectItem(o, name);
	assert_true(cJSON_IsString(v));
	assert_true(ts_parse(v->valuestring, &ms, &err));
	return ms;
}

/* Before anything happened: every agent in the table with nothing, the
 * hub's targets, today's date. */
static void test_empty_hub_lists_every_agent(void **state)
{
	(void)state;
	cJSON *d = dashboard(ANA);
	char date[11];

	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(d, "agents")), 3);
	for (int i = ANA; i <= SUE; i++) {
		assert_int_equal(replies_hour(d, i), 0);
		assert_int_equal(cJSON_GetArraySize(first_responses(d, i)), 0);
	}
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(d, "chats")), 0);
	const cJSON *t = cJSON_GetObjectItem(d, "targets");
	assert_int_equal(cJSON_GetObjectItem(t, "first_response_s")->valueint, 60);
	assert_int_equal(cJSON_GetObjectItem(t, "next_response_s")->valueint, 300);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(d, "today"), "date")->valuestring,
			    date_format(ts_now() / 86400000, date));
	assert_int_equal(today(d, "conversations"), 0);
	assert_int_equal(today(d, "replies"), 0);
	cJSON_Delete(d);
}

static void test_figures_follow_the_work(void **state)
{
	char c1[37], c2[37], c3[37], body[96];
	(void)state;

	cJSON *d0 = dashboard(SUE);
	int64_t seq0 = (int64_t)cJSON_GetObjectItem(d0, "seq")->valuedouble;
	cJSON_Delete(d0);

	/* Two escalations and a chat the bot handles alone. */
	ingest(&hub, tokens[BOT], "d-1", "user", "a human please", true, c1);
	ingest(&hub, tokens[BOT], "d-2", "user", "agent!", true, c2);
	ingest(&hub, tokens[BOT], "d-3", "user", "hi bot", false, c3);
	cJSON *d = dashboard(SUE);
	assert_true(cJSON_GetObjectItem(d, "seq")->valuedouble > (double)seq0);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(d, "chats")), 2);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(chat_row(d, c1), "waiting")));
	assert_string_equal(holder(d, c1), "");
	assert_null(chat_row(d, c3));
	/* The longest wait first, its clock from its escalation. */
	const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "chats"), 0);
	assert_string_equal(cJSON_GetObjectItem(first, "id")->valuestring, c1);
	assert_int_equal(ts_of(first, "escalated_at"), ts_of(first, "awaiting_reply_since"));
	int64_t escalated = ts_of(first, "escalated_at");
	assert_int_equal(today(d, "conversations"), 3);
	assert_int_equal(today(d, "escalations"), 2);
	assert_int_equal(today(d, "taken_over"), 0);
	cJSON_Delete(d);

	/* Ana answers the first: a first response, then two replies; her
	 * note is no reply. */
	hub_act(&hub, tokens[ANA], c1, "takeover", NULL);
	reply(ANA, c1, "a1", false);
	reply(ANA, c1, "a2", false);
	reply(ANA, c1, "a3", true);
	d = dashboard(ANA);
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(chat_row(d, c1), "waiting")));
	assert_string_equal(holder(d, c1), ids[ANA]);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(chat_row(d, c1), "awaiting_reply_since")));
	assert_int_equal(replies_hour(d, ANA), 2);
	assert_int_equal(replies_hour(d, BEN), 0);
	assert_int_equal(today(d, "replies"), 2);
	assert_int_equal(today(d, "taken_over"), 1);
	const cJSON *f = first_responses(d, ANA);
	assert_int_equal(cJSON_GetArraySize(f), 1);
	int64_t took = (int64_t)cJSON_GetArrayItem(f, 0)->valuedouble;
	assert_true(took >= 0 && took <= ts_now() - escalated);
	cJSON_Delete(d);

	/* A handback and a takeover of a chat nobody waits in: a takeover,
	 * no first response. */
	hub_act(&hub, tokens[ANA], c1, "handback", NULL);
	hub_act(&hub, tokens[ANA], c1, "takeover", NULL);
	/* Sue hands the second waiting chat to Ben: held by Ben, no first
	 * response of his (he did not take it). */
	snprintf(body, sizeof body, "{\"agent_id\":\"%s\"}", ids[BEN]);
	hub_act(&hub, tokens[SUE], c2, "assign", body);
	d = dashboard(BEN);
	assert_int_equal(cJSON_GetArraySize(first_responses(d, ANA)), 1);
	assert_int_equal(cJSON_GetArraySize(first_responses(d, BEN)), 0);
	assert_int_equal(today(d, "taken_over"), 2);
	assert_string_equal(holder(d, c2), ids[BEN]);
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(chat_row(d, c2), "waiting")));
	/* The customer writes to Ben: his chat owes an answer again. */
	ingest(&hub, tokens[BOT], "d-2", "user", "hello?", false, NULL);
	cJSON_Delete(d);
	d = dashboard(SUE);
	assert_true(cJSON_IsString(cJSON_GetObjectItem(chat_row(d, c2), "awaiting_reply_since")));
	cJSON_Delete(d);
}

static void test_who_may_read_it(void **state)
{
	(void)state;
	struct reply r = http(&hub, "GET", "/v1/dashboard", tokens[BOT], NULL);
	expect_status(&r, 403);
	reply_free(&r);
	r = http(&hub, "GET", "/v1/dashboard", NULL, NULL);
	expect_status(&r, 401);
	reply_free(&r);
	r = http(&hub, "GET", "/v1/dashboard?since=3", tokens[SUE], NULL);
	expect_status(&r, 400);
	assert_string_equal(error_type(&r), "InvalidQuery");
	reply_free(&r);
	r = http(&hub, "POST", "/v1/dashboard", tokens[SUE], "{}");
	expect_status(&r, 405);
	reply_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_hub_lists_every_agent),
		cmocka_unit_test(test_figures_follow_the_work),
		cmocka_unit_test(test_who_may_read_it),
	};
	return cmocka_run_group_tests(tests, setup, hub_teardown);
}
