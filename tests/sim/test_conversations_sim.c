/*
 * test_conversations_sim.c — the conversations simulator, run as a process
 * on a loopback port and driven over HTTP as the bridge will drive it: the
 * API-KEY and its error codes, cursor walks by last chat time and chat
 * pages of 100 while things change, the time-range filters, the latest 20
 * chats, state/assignee/category/title, stop, rating with feedback, the
 * daily counts, the bot's silence while a human holds the conversation,
 * and the fault switches.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "cv_client.h"

#define DAY_MS 86400000LL
#define MAX_IDS 400

static int setup(void **state)
{
	return simc_setup(state, "CONVERSATIONS_SIM");
}

static const cJSON *at(const cJSON *o, const char *a)
{
	return cJSON_GetObjectItemCaseSensitive(o, a);
}

static double num_at(const cJSON *o, const char *a)
{
	const cJSON *v = at(o, a);
	assert_true(cJSON_IsNumber(v));
	return v->valuedouble;
}

/* Start a conversation as the customer; its id into out. */
static void start_conv(struct simc *s, const char *text, char out[64])
{
	cJSON *j = simc_ctl(s, "POST", "/_sim/conversations", "{\"text\":\"%s\"}", text);
	snprintf(out, 64, "%s", simc_str_at(j, "conversationId", NULL));
	cJSON_Delete(j);
}

/* A control request on one conversation: /_sim/conversations/<id><tail>. */
static cJSON *ctl_conv(struct simc *s, const char *method, const char *id, const char *tail,
		       const char *body)
{
	char path[160];
	snprintf(path, sizeof path, "/_sim/conversations/%s%s", id, tail);
	return simc_ctl(s, method, path, "%s", body);
}

/* The read-back's field `name` (a string). */
static char *readback(struct simc *s, const char *id, const char *name)
{
	cJSON *j = ctl_conv(s, "GET", id, "", "");
	char *v = strdup(cJSON_IsString(at(j, name)) ? at(j, name)->valuestring
						      : cJSON_IsTrue(at(j, name)) ? "true" : "false");
	cJSON_Delete(j);
	return v;
}

/* How many chats of a conversation came through the API (an agent) with
 * this text. */
static int api_chats(struct simc *s, const char *id, const char *text)
{
	cJSON *j = ctl_conv(s, "GET", id, "", "");
	const cJSON *m;
	int n = 0;

	cJSON_ArrayForEach(m, at(j, "chats"))
		if (strcmp(simc_str_at(m, "origin", NULL), "api") == 0 &&
		    strcmp(simc_str_at(m, "message", NULL), text) == 0)
			n++;
	cJSON_Delete(j);
	return n;
}

static void expect_error(struct simc_reply *r, long status, int code)
{
	assert_int_equal(r->status, status);
	assert_string_equal(simc_str_at(r->json, "type", NULL), "APIError");
	assert_int_equal(cvsim_error_code(r), code);
	assert_non_null(simc_str_at(r->json, "message", NULL));
	simc_reply_free(r);
}

static void expect_ok(struct simc_reply *r)
{
	if (r->status != 200)
		fail_msg("status %ld: %s", r->status, r->body ? r->body : "");
	simc_reply_free(r);
}

static void test_auth_and_errors(void **state)
{
	struct simc *s = *state;
	const char *no_key[] = {"Content-Type: application/json", NULL};
	const char *bad_key[] = {"API-KEY: nope", NULL};
	const char *text_body[] = {"API-KEY: " CVSIM_API_KEY, "Content-Type: text/plain", NULL};
	const char *bad_agent[] = {"API-KEY: " CVSIM_API_KEY, "AGENT-EMAIL: nobody", NULL};
	char conv[64], path[160];
	struct simc_reply r;

	start_conv(s, "hello", conv);
	r = simc_raw(s, "GET", "/webapi/v2/conversations", no_key, NULL);
	expect_error(&r, 403, 7001);
	r = simc_raw(s, "GET", "/webapi/v2/conversations", bad_key, NULL);
	expect_error(&r, 403, 7001);
	snprintf(path, sizeof path, "/webapi/v2/conversations/%s/title", conv);
	r = cvsim_api(s, "PUT", path, "{not json");
	expect_error(&r, 403, 7002);
	r = simc_raw(s, "PUT", path, text_body, "{\"title\":\"x\"}");
	expect_error(&r, 403, 7002);
	r = cvsim_api(s, "PUT", path, "{\"title\":7}");
	expect_error(&r, 400, 7003);
	r = cvsim_api(s, "GET", "/webapi/v2/conversations?pageSize=51", NULL);
	expect_error(&r, 400, 7003);
	r = cvsim_api(s, "GET", "/webapi/v2/conversations?pageSize=1e300", NULL);
	expect_error(&r, 400, 7003);
	r = cvsim_api(s, "GET", "/webapi/v2/conversations?startedAt=nan", NULL);
	expect_error(&r, 400, 7003);
	r = cvsim_api(s, "GET", "/webapi/v2/conversations?cursor=garbage", NULL);
	expect_error(&r, 400, 7003);
	r = cvsim_api(s, "GET", "/webapi/v2/conversations?order=NEWEST", NULL);
	expect_error(&r, 400, 7003);
	r = cvsim_api(s, "GET", "/webapi/v2/conversations/conv_0000000000000000", NULL);
	expect_error(&r, 404, 7003);
	r = cvsim_api(s, "GET", "/webapi/v2/nothing", NULL);
	expect_error(&r, 404, 7003);
	snprintf(path, sizeof path, "/webapi/v2/conversations/%s/chats", conv);
	r = simc_raw(s, "GET", path, bad_agent, NULL);
	expect_error(&r, 400, 7003);
	/* Only an agent posts a chat. */
	r = cvsim_api(s, "POST", path, "{\"message\":\"hi\"}");
	expect_error(&r, 400, 7003);

	/* A wrong method: the doc's other error shape. */
	snprintf(path, sizeof path, "/webapi/v2/conversations/%s", conv);
	r = cvsim_api(s, "DELETE", path, NULL);
	assert_int_equal(r.status, 405);
	char want[200];
	snprintf(want, sizeof want, "Method Not Allowed DELETE: %s", path);
	assert_string_equal(simc_str_at(r.json, "error", NULL), want);
	simc_reply_free(&r);

	r = cvsim_api(s, "GET", "/webapi/v2/conversations", NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(cJSON_GetArraySize(at(r.json, "conversations")), 1);
	assert_true(cJSON_IsNull(at(r.json, "cursor")));
	simc_reply_free(&r);
}

/* Walk the conversation list from `path` (with its query) to its end; ids
 * into ids[], lastChatTime into times[] (when not NULL). Returns pages. */
static int walk(struct simc *s, const char *path, char ids[][64], double *times, int *n)
{
	char url[512];
	char *cursor = NULL;
	int pages = 0;

	*n = 0;
	do {
		snprintf(url, sizeof url, "%s%s%s%s", path, cursor ? (strchr(path, '?') ? "&" : "?")
								   : "",
			 cursor ? "cursor=" : "", cursor ? cursor : "");
		free(cursor);
		cursor = NULL;
		struct simc_reply r = cvsim_api(s, "GET", url, NULL);
		assert_int_equal(r.status, 200);
		const cJSON *it;
		cJSON_ArrayForEach(it, at(r.json, "conversations")) {
			assert_true(*n < MAX_IDS);
			if (times)
				times[*n] = num_at(it, "lastChatTime");
			snprintf(ids[(*n)++], 64, "%s", simc_str_at(it, "id", NULL));
		}
		assert_true(cJSON_IsString(at(r.json, "cursor")) || cJSON_IsNull(at(r.json, "cursor")));
		if (cJSON_IsString(at(r.json, "cursor")))
			cursor = strdup(simc_str_at(r.json, "cursor", NULL));
		simc_reply_free(&r);
		pages++;
	} while (cursor);
	return pages;
}

static void assert_unique(char ids[][64], int n)
{
	for (int i = 0; i < n; i++)
		for (int k = i + 1; k < n; k++)
			assert_string_not_equal(ids[i], ids[k]);
}

static void test_list_by_last_chat_time(void **state)
{
	struct simc *s = *state;
	static char ids[MAX_IDS][64];
	static double times[MAX_IDS];
	char first[64], last[64];
	int n;

	start_conv(s, "the oldest", first);
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/seed", "{\"conversations\":118}"));
	start_conv(s, "the newest", last);

	/* 120 conversations, the doc's 50 a page: 50, 50, 20, then no cursor. */
	assert_int_equal(walk(s, "/webapi/v2/conversations", ids, times, &n), 3);
	assert_int_equal(n, 120);
	assert_unique(ids, n);
	assert_string_equal(ids[0], last);
	assert_string_equal(ids[119], first);
	for (int i = 1; i < n; i++)
		assert_true(times[i - 1] >= times[i]);

	/* A new chat moves a conversation to the top. */
	cJSON_Delete(ctl_conv(s, "POST", first, "/customer", "{\"text\":\"still there?\"}"));
	walk(s, "/webapi/v2/conversations?pageSize=7", ids, NULL, &n);
	assert_int_equal(n, 120);
	assert_string_equal(ids[0], first);

	/* And the other order. */
	walk(s, "/webapi/v2/conversations?order=LAST_CHAT_TIME_ASC&pageSize=50", ids, times, &n);
	assert_int_equal(n, 120);
	assert_string_equal(ids[119], first);
	for (int i = 1; i < n; i++)
		assert_true(times[i - 1] <= times[i]);
}

static void test_list_walk_while_conversations_change(void **state)
{
	struct simc *s = *state;
	static char ids[MAX_IDS][64], again[MAX_IDS][64];
	int n, m;

	cJSON_Delete(simc_ctl(s, "POST", "/_sim/seed", "{\"conversations\":60}"));
	/* Before each of the next two page fetches, three conversations start
	 * and the one the walk would serve last jumps to the top. */
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/faults", "{\"pageChange\":2,\"pageInsert\":3}"));
	assert_int_equal(walk(s, "/webapi/v2/conversations?pageSize=20", ids, NULL, &n), 3);
	assert_int_equal(n, 60);
	assert_unique(ids, n);
	cJSON *f = simc_ctl(s, "GET", "/_sim/faults", "%s", "");
	assert_int_equal((int)num_at(f, "pageChange"), 0);
	cJSON_Delete(f);

	/* A new walk from the top sees all 66, once each. */
	walk(s, "/webapi/v2/conversations?pageSize=20", again, NULL, &m);
	assert_int_equal(m, 66);
	assert_unique(again, m);
}

/* Walk a conversation's chats by pageNo; ids into ids[], asserting the
 * timestamps ascend. Returns pages. */
static int walk_chats(struct simc *s, const char *conv, char ids[][64], int *n)
{
	char url[256];
	double prev = 0;
	int page = 0;
	bool more;

	*n = 0;
	do {
		snprintf(url, sizeof url, "/webapi/v2/conversations/%s/chats?pageNo=%d", conv, ++page);
		struct simc_reply r = cvsim_api(s, "GET", url, NULL);
		assert_int_equal(r.status, 200);
		const cJSON *it;
		cJSON_ArrayForEach(it, at(r.json, "chats")) {
			assert_true(*n < MAX_IDS);
			assert_true(num_at(it, "timestamp") >= prev);
			prev = num_at(it, "timestamp");
			snprintf(ids[(*n)++], 64, "%s", simc_str_at(it, "id", NULL));
		}
		assert_int_equal((int)num_at(r.json, "pageNo"), page);
		more = cJSON_IsTrue(at(r.json, "hasNext"));
		simc_reply_free(&r);
	} while (more);
	return page;
}

static void test_chats_paged_by_100_ascending(void **state)
{
	struct simc *s = *state;
	static char ids[MAX_IDS][64];
	char conv[64];
	int n;

	cJSON_Delete(simc_ctl(s, "POST", "/_sim/seed", "{\"conversations\":1,\"chats\":250}"));
	struct simc_reply r = cvsim_api(s, "GET", "/webapi/v2/conversations", NULL);
	snprintf(conv, sizeof conv, "%s",
		 simc_str_at(cJSON_GetArrayItem(at(r.json, "conversations"), 0), "id", NULL));
	simc_reply_free(&r);

	assert_int_equal(walk_chats(s, conv, ids, &n), 3);
	assert_int_equal(n, 250);
	assert_unique(ids, n);

	/* The customer writes five more before page 2: they land at the end
	 * and the walk sees each chat once. */
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/faults", "{\"pageChange\":1,\"pageInsert\":5}"));
	assert_int_equal(walk_chats(s, conv, ids, &n), 3);
	assert_int_equal(n, 255);
	assert_unique(ids, n);

	/* One chat by its id. */
	char path[256];
	snprintf(path, sizeof path, "/webapi/v2/conversations/%s/chats/%s", conv, ids[254]);
	r = cvsim_api(s, "GET", path, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(simc_str_at(r.json, "sender", NULL), "USER");
	simc_reply_free(&r);
}

static void test_get_has_the_latest_20_chats_and_variables(void **state)
{
	struct simc *s = *state;
	char path[200];
	cJSON *j = simc_ctl(s, "POST", "/_sim/conversations",
			    "{\"text\":\"chat 0\",\"variables\":{\"plan\":\"gold\",\"lang\":\"en\"}}");
	char conv[64];
	snprintf(conv, sizeof conv, "%s", simc_str_at(j, "conversationId", NULL));
	cJSON_Delete(j);
	for (int i = 1; i < 25; i++) {
		char body[64];
		snprintf(body, sizeof body, "{\"text\":\"chat %d\"}", i);
		cJSON_Delete(ctl_conv(s, "POST", conv, "/customer", body));
	}
	snprintf(path, sizeof path, "/webapi/v2/conversations/%s?variables=plan", conv);
	struct simc_reply r = cvsim_api(s, "GET", path, NULL);
	assert_int_equal(r.status, 200);
	const cJSON *chats = at(r.json, "chats");
	assert_int_equal(cJSON_GetArraySize(chats), 20);
	assert_string_equal(simc_str_at(cJSON_GetArrayItem(chats, 0), "message", NULL), "chat 5");
	assert_string_equal(simc_str_at(cJSON_GetArrayItem(chats, 19), "message", NULL), "chat 24");
	assert_int_equal((int)num_at(r.json, "chatCount"), 25);
	assert_string_equal(simc_str_at(r.json, "variables", "plan"), "gold");
	assert_null(simc_str_at(r.json, "variables", "lang"));
	assert_string_equal(simc_str_at(r.json, "user", "firstName"), "Casey");
	assert_false(cJSON_IsTrue(at(r.json, "isEnd")));
	simc_reply_free(&r);

	/* Comma separated, both. */
	snprintf(path, sizeof path, "/webapi/v2/conversations/%s?variables=plan%%2Clang", conv);
	r = cvsim_api(s, "GET", path, NULL);
	assert_string_equal(simc_str_at(r.json, "variables", "lang"), "en");
	simc_reply_free(&r);
}

static void test_filters(void **state)
{
	struct simc *s = *state;
	static char ids[MAX_IDS][64];
	char url[256], conv[64];
	int n;
	long long midnight = (long long)time(NULL) / 86400 * DAY_MS;

	/* Nine conversations over today and the two days before. */
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/seed", "{\"conversations\":9,\"days\":3}"));
	snprintf(url, sizeof url, "/webapi/v2/conversations?firstChatStartedAt=%lld", midnight);
	walk(s, url, ids, NULL, &n);
	assert_int_equal(n, 3);
	snprintf(url, sizeof url,
		 "/webapi/v2/conversations?firstChatStartedAt=%lld&firstChatEndAt=%lld",
		 midnight - 2 * DAY_MS, midnight - DAY_MS - 1);
	walk(s, url, ids, NULL, &n);
	assert_int_equal(n, 3);

	/* Last chat time: a conversation written to now is the only recent one. */
	start_conv(s, "a fresh question about invoices", conv);
	struct simc_reply r = cvsim_api(s, "GET", "/webapi/v2/conversations?pageSize=1", NULL);
	double last = num_at(cJSON_GetArrayItem(at(r.json, "conversations"), 0), "lastChatTime");
	simc_reply_free(&r);
	snprintf(url, sizeof url, "/webapi/v2/conversations?startedAt=%.0f", last);
	walk(s, url, ids, NULL, &n);
	assert_int_equal(n, 1);
	assert_string_equal(ids[0], conv);
	snprintf(url, sizeof url, "/webapi/v2/conversations?endAt=%.0f", last - 1);
	walk(s, url, ids, NULL, &n);
	assert_int_equal(n, 9);

	walk(s, "/webapi/v2/conversations?searchTerm=INVOICES", ids, NULL, &n);
	assert_int_equal(n, 1);

	/* By user, by category, and active only. */
	cJSON *j = ctl_conv(s, "GET", conv, "", "");
	snprintf(url, sizeof url, "/webapi/v2/conversations?userIds=%s",
		 simc_str_at(at(j, "conversation"), "user", "userId"));
	cJSON_Delete(j);
	walk(s, url, ids, NULL, &n);
	assert_int_equal(n, 1);
	snprintf(url, sizeof url, "/webapi/v2/conversations/%s", conv);
	expect_ok((r = cvsim_agent(s, "PATCH", url, "{\"categoryId\":\"cat-billing\"}"), &r));
	walk(s, "/webapi/v2/conversations?categoryId=cat-billing", ids, NULL, &n);
	assert_int_equal(n, 1);
	snprintf(url, sizeof url, "/webapi/v2/conversations/%s/stop", conv);
	expect_ok((r = cvsim_agent(s, "POST", url, NULL), &r));
	walk(s, "/webapi/v2/conversations?activeOnly=true", ids, NULL, &n);
	assert_int_equal(n, 9);
	walk(s, "/webapi/v2/conversations?activeOnly=false", ids, NULL, &n);
	assert_int_equal(n, 10);
}

static void test_state_assignee_category_title(void **state)
{
	struct simc *s = *state;
	char conv[64], other[64], path[160], body[300];
	struct simc_reply r;
	char *v;

	start_conv(s, "my card was charged twice", conv);
	start_conv(s, "another", other);
	snprintf(path, sizeof path, "/webapi/v2/conversations/%s", conv);
	r = cvsim_agent(s, "PUT", path,
			"{\"state\":\"in_progress\",\"assignee\":\"" CVSIM_AGENT "\","
			"\"categoryId\":\"cat-1\",\"title\":\"Double charge\"}");
	assert_int_equal(r.status, 200);
	assert_string_equal(simc_str_at(r.json, "state", NULL), "in_progress");
	assert_string_equal(simc_str_at(r.json, "assignee", NULL), CVSIM_AGENT);
	assert_string_equal(cJSON_GetArrayItem(at(r.json, "categories"), 0)->valuestring, "cat-1");
	simc_reply_free(&r);
	assert_string_equal((v = readback(s, conv, "title")), "Double charge");
	free(v);

	/* Every state of the enum, and nothing else. */
	static const char *const states[] = {"waiting", "resolved", "no", "in_progress"};
	for (size_t i = 0; i < 4; i++) {
		snprintf(body, sizeof body, "{\"state\":\"%s\"}", states[i]);
		expect_ok((r = cvsim_agent(s, "PATCH", path, body), &r));
		assert_string_equal((v = readback(s, conv, "state")), states[i]);
		free(v);
	}
	r = cvsim_agent(s, "PATCH", path, "{\"state\":\"closed\"}");
	expect_error(&r, 400, 7003);
	r = cvsim_agent(s, "PATCH", path, "{}");
	expect_error(&r, 400, 7003);
	/* Unassign and clear the category. */
	expect_ok((r = cvsim_agent(s, "PATCH", path, "{\"assignee\":\"\",\"categoryId\":null}"),
		   &r));
	assert_string_equal((v = readback(s, conv, "assignee")), "");
	free(v);
	assert_string_equal((v = readback(s, conv, "categoryId")), "");
	free(v);

	/* Set a conversation title. */
	snprintf(path, sizeof path, "/webapi/v2/conversations/%s/title", conv);
	r = cvsim_agent(s, "PUT", path, "{\"title\":\"Refund: card charged twice\"}");
	assert_int_equal(r.status, 200);
	assert_string_equal(simc_str_at(r.json, "title", NULL), "Refund: card charged twice");
	simc_reply_free(&r);

	/* Bulk update: only the conversations named. */
	snprintf(body, sizeof body,
		 "{\"conversationIds\":[\"%s\"],\"conversationInfo\":{\"state\":\"waiting\","
		 "\"categoryIds\":[\"cat-2\"]}}", other);
	r = cvsim_agent(s, "POST", "/webapi/v2/conversations/bulk_update", body);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body ? r.body : "", "");
	simc_reply_free(&r);
	assert_string_equal((v = readback(s, other, "state")), "waiting");
	free(v);
	assert_string_equal((v = readback(s, other, "categoryId")), "cat-2");
	free(v);
	assert_string_equal((v = readback(s, conv, "state")), "in_progress");
	free(v);
	r = cvsim_agent(s, "POST", "/webapi/v2/conversations/bulk_update",
			"{\"conversationInfo\":{\"state\":\"no\"}}");
	expect_error(&r, 400, 7003);
}

static void test_bot_silent_while_a_human_holds_it(void **state)
{
	struct simc *s = *state;
	char conv[64], path[160];
	struct simc_reply r;
	static const char *const json[] = {"Content-Type: application/json", NULL};
	char bot[160];

	start_conv(s, "hi bot", conv);
	snprintf(bot, sizeof bot, "/_sim/conversations/%s/bot", conv);
	cJSON_Delete(simc_ctl(s, "POST", bot, "{\"text\":\"hello\"}"));

	/* The bot escalates: "waiting", and it is silent. */
	cJSON_Delete(ctl_conv(s, "POST", conv, "/escalate", "{\"text\":\"Finding a person\"}"));
	snprintf(path, sizeof path, "/webapi/v2/conversations/%s", conv);
	r = cvsim_api(s, "GET", path, NULL);
	assert_string_equal(simc_str_at(r.json, "state", NULL), "waiting");
	simc_reply_free(&r);
	r = simc_raw(s, "POST", bot, json, "{\"text\":\"still me\"}");
	assert_int_equal(r.status, 409);
	assert_true(cJSON_IsTrue(at(r.json, "silent")));
	simc_reply_free(&r);

	/* An agent takes it: in_progress with an assignee; the agent writes,
	 * once; the bot stays silent. */
	expect_ok((r = cvsim_agent(s, "PATCH", path,
				   "{\"state\":\"in_progress\",\"assignee\":\"" CVSIM_AGENT "\"}"),
		   &r));
	snprintf(path, sizeof path, "/webapi/v2/conversations/%s/chats", conv);
	r = cvsim_agent(s, "POST", path, "{\"message\":\"Hi, I am Sam from support\"}");
	assert_int_equal(r.status, 200);
	assert_string_equal(simc_str_at(r.json, "sender", NULL), "AGENT");
	simc_reply_free(&r);
	assert_int_equal(api_chats(s, conv, "Hi, I am Sam from support"), 1);
	r = simc_raw(s, "POST", bot, json, "{\"text\":\"still me\"}");
	assert_int_equal(r.status, 409);
	simc_reply_free(&r);

	/* Handed back ("no"): the bot speaks. */
	snprintf(path, sizeof path, "/webapi/v2/conversations/%s", conv);
	expect_ok((r = cvsim_agent(s, "PATCH", path, "{\"state\":\"no\",\"assignee\":\"\"}"), &r));
	cJSON_Delete(simc_ctl(s, "POST", bot, "{\"text\":\"back again\"}"));

	/* With botAuto, asking for a human escalates. */
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/config", "{\"botAuto\":true}"));
	cJSON_Delete(ctl_conv(s, "POST", conv, "/customer", "{\"text\":\"I want a human\"}"));
	char *v = readback(s, conv, "state");
	assert_string_equal(v, "waiting");
	free(v);
	assert_string_equal((v = readback(s, conv, "botMaySpeak")), "false");
	free(v);
}

static void test_stop(void **state)
{
	struct simc *s = *state;
	char conv[64], path[160];
	struct simc_reply r;
	static const char *const json[] = {"Content-Type: application/json", NULL};

	start_conv(s, "please stop", conv);
	snprintf(path, sizeof path, "/webapi/v2/conversations/%s/stop", conv);
	r = cvsim_agent(s, "POST", path, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body ? r.body : "", "");
	simc_reply_free(&r);
	char *v = readback(s, conv, "isEnd");
	assert_string_equal(v, "true");
	free(v);

	/* Nobody writes in a stopped conversation. */
	snprintf(path, sizeof path, "/_sim/conversations/%s/customer", conv);
	r = simc_raw(s, "POST", path, json, "{\"text\":\"hello?\"}");
	assert_int_equal(r.status, 409);
	assert_true(cJSON_IsTrue(at(r.json, "ended")));
	simc_reply_free(&r);
	snprintf(path, sizeof path, "/_sim/conversations/%s/bot", conv);
	r = simc_raw(s, "POST", path, json, "{\"text\":\"hello?\"}");
	assert_int_equal(r.status, 409);
	simc_reply_free(&r);
	snprintf(path, sizeof path, "/webapi/v2/conversations/%s/chats", conv);
	r = cvsim_agent(s, "POST", path, "{\"message\":\"late\"}");
	expect_error(&r, 400, 7003);
	snprintf(path, sizeof path, "/webapi/v2/conversations/%s", conv);
	r = cvsim_api(s, "GET", path, NULL);
	assert_true(cJSON_IsTrue(at(r.json, "isEnd")));
	simc_reply_free(&r);
}

static void test_rating_with_feedback(void **state)
{
	struct simc *s = *state;
	char conv[64], path[200], bot_chat[64], user_chat[64];
	struct simc_reply r;

	cJSON *j = simc_ctl(s, "POST", "/_sim/conversations", "{\"text\":\"what is my balance\"}");
	snprintf(conv, sizeof conv, "%s", simc_str_at(j, "conversationId", NULL));
	snprintf(user_chat, sizeof user_chat, "%s", simc_str_at(j, "chatId", NULL));
	cJSON_Delete(j);
	j = ctl_conv(s, "POST", conv, "/bot", "{\"text\":\"It is 42.\"}");
	snprintf(bot_chat, sizeof bot_chat, "%s", simc_str_at(j, "chatId", NULL));
	cJSON_Delete(j);

	/* The agent's rating, with the selection and a suggested answer. */
	snprintf(path, sizeof path, "/webapi/v2/conversations/%s/chats/%s/feedback", conv,
		 bot_chat);
	r = cvsim_agent(s, "POST", path,
			"{\"rating\":false,\"feedbackSelection\":[\"inaccurate\",\"incomplete\"],"
			"\"suggestedAnswer\":\"Your balance is 24.\"}");
	assert_int_equal(r.status, 200);
	assert_true(cJSON_IsFalse(at(r.json, "agentRating")));
	assert_true(cJSON_IsNull(at(r.json, "rating")));
	simc_reply_free(&r);
	/* The user's (no AGENT-EMAIL) is the other field. */
	expect_ok((r = cvsim_api(s, "POST", path, "{\"rating\":true}"), &r));

	j = ctl_conv(s, "GET", conv, "", "");
	const cJSON *ch = cJSON_GetArrayItem(at(j, "chats"), 1);
	assert_true(cJSON_IsFalse(at(ch, "agentRating")));
	assert_true(cJSON_IsTrue(at(ch, "rating")));
	assert_string_equal(cJSON_GetArrayItem(at(ch, "feedbackSelection"), 1)->valuestring,
			    "incomplete");
	cJSON_Delete(j);
	/* The agent changes its mind; what it does not give again stays. */
	r = cvsim_agent(s, "POST", path, "{\"rating\":true}");
	assert_true(cJSON_IsTrue(at(r.json, "agentRating")));
	simc_reply_free(&r);
	j = ctl_conv(s, "GET", conv, "", "");
	ch = cJSON_GetArrayItem(at(j, "chats"), 1);
	assert_string_equal(simc_str_at(ch, "suggestedAnswer", NULL), "Your balance is 24.");
	cJSON_Delete(j);

	/* Cleared with null; a customer's chat cannot be rated; rating must be
	 * a boolean. */
	r = cvsim_agent(s, "POST", path, "{\"rating\":null}");
	assert_true(cJSON_IsNull(at(r.json, "agentRating")));
	simc_reply_free(&r);
	r = cvsim_agent(s, "POST", path, "{\"rating\":5}");
	expect_error(&r, 400, 7003);
	snprintf(path, sizeof path, "/webapi/v2/conversations/%s/chats/%s/feedback", conv,
		 user_chat);
	r = cvsim_agent(s, "POST", path, "{\"rating\":true}");
	expect_error(&r, 400, 7003);
	snprintf(path, sizeof path, "/webapi/v2/conversations/%s/chats/chat_nothing/feedback",
		 conv);
	r = cvsim_agent(s, "POST", path, "{\"rating\":true}");
	expect_error(&r, 404, 7003);
}

static void date_of(long long ms, char out[11])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

static void test_daily_count(void **state)
{
	struct simc *s = *state;
	long long now = (long long)time(NULL) * 1000;
	char from[11], to[11], url[160];
	struct simc_reply r;

	/* 3, 3 and 3 conversations today and the two days before; none on the
	 * three days before those. */
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/seed", "{\"conversations\":9,\"days\":3}"));
	date_of(now - 5 * DAY_MS, from);
	date_of(now, to);
	snprintf(url, sizeof url,
		 "/webapi/v2/conversations/daily_count?startDate=%s&endDate=%s", from, to);
	r = cvsim_api(s, "GET", url, NULL);
	assert_int_equal(r.status, 200);
	const cJSON *days = at(r.json, "dailyCounts");
	assert_int_equal(cJSON_GetArraySize(days), 6);
	static const int want[] = {0, 0, 0, 3, 3, 3};
	for (int i = 0; i < 6; i++) {
		char d[11];
		date_of(now - (5 - i) * DAY_MS, d);
		assert_string_equal(simc_str_at(cJSON_GetArrayItem(days, i), "date", NULL), d);
		assert_int_equal((int)num_at(cJSON_GetArrayItem(days, i), "count"), want[i]);
	}
	simc_reply_free(&r);

	snprintf(url, sizeof url,
		 "/webapi/v2/conversations/daily_count?startDate=%s&endDate=%s", to, from);
	r = cvsim_api(s, "GET", url, NULL);
	expect_error(&r, 400, 7003);
	r = cvsim_api(s, "GET", "/webapi/v2/conversations/daily_count?startDate=2026-1-1"
				"&endDate=2026-01-02", NULL);
	expect_error(&r, 400, 7003);
	r = cvsim_api(s, "GET", "/webapi/v2/conversations/daily_count?startDate=2024-01-01"
				"&endDate=2026-01-02", NULL);
	expect_error(&r, 400, 7003);
}

static void test_faults_429_and_5xx(void **state)
{
	struct simc *s = *state;
	char conv[64], path[160];
	struct simc_reply r;

	start_conv(s, "hello", conv);
	snprintf(path, sizeof path, "/webapi/v2/conversations/%s/chats", conv);
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/faults",
			       "{\"rateLimited\":2,\"retryAfter\":7,\"serverError\":1,"
			       "\"errorStatus\":503}"));
	for (int i = 0; i < 2; i++) {
		r = cvsim_agent(s, "POST", path, "{\"message\":\"reply\"}");
		assert_int_equal(r.retry_after, 7);
		expect_error(&r, 429, 7000);
	}
	r = cvsim_agent(s, "POST", path, "{\"message\":\"reply\"}");
	expect_error(&r, 503, 7000);
	expect_ok((r = cvsim_agent(s, "POST", path, "{\"message\":\"reply\"}"), &r));
	/* The refused requests did nothing. */
	assert_int_equal(api_chats(s, conv, "reply"), 1);

	/* The control interface is never faulted. */
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/faults", "{\"serverError\":5}"));
	cJSON *f = simc_ctl(s, "GET", "/_sim/faults", "%s", "");
	assert_int_equal((int)num_at(f, "serverError"), 5);
	cJSON_Delete(f);
}

static void test_fault_drop_after_the_work(void **state)
{
	struct simc *s = *state;
	char conv[64], path[160];
	struct simc_reply r;

	start_conv(s, "hello", conv);
	snprintf(path, sizeof path, "/webapi/v2/conversations/%s/chats", conv);
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/faults", "{\"drop\":1}"));
	r = cvsim_agent(s, "POST", path, "{\"message\":\"reply once\"}");
	assert_int_equal(r.status, 0);
	assert_int_equal(r.curl_code, CURLE_GOT_NOTHING);
	simc_reply_free(&r);
	/* The work was done: the chats show it, so a careful client looks
	 * before it posts again. */
	assert_int_equal(api_chats(s, conv, "reply once"), 1);
	snprintf(path, sizeof path, "/webapi/v2/conversations/%s", conv);
	r = cvsim_api(s, "GET", path, NULL);
	const cJSON *chats = at(r.json, "chats");
	assert_string_equal(simc_str_at(cJSON_GetArrayItem(chats, cJSON_GetArraySize(chats) - 1),
				   "message", NULL), "reply once");
	simc_reply_free(&r);
}

/* The API's list, for the slow fault. */
static struct simc_reply list_conversations(struct simc *s)
{
	return cvsim_api(s, "GET", "/webapi/v2/conversations", NULL);
}

static void test_fault_slow_and_no_push(void **state)
{
	struct simc *s = *state;
	struct hookrx h;
	char conv[64];

	simc_expect_slow_once(s, list_conversations);

	/* The doc has no push: even with a webhook set, nothing arrives. */
	hookrx_listen(&h, "x-sim-signature");
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/webhook",
			       "{\"url\":\"http://127.0.0.1:%d/hook\",\"secret\":\"s\"}", h.port));
	start_conv(s, "hi", conv);
	assert_false(hookrx_wait(&h, 1, 300));
	hookrx_stop(&h);
	cJSON *st = simc_ctl(s, "GET", "/_sim/stats", "%s", "");
	assert_int_equal((int)num_at(st, "conversations"), 1);
	assert_int_equal((int)num_at(st, "chats"), 1);
	cJSON_Delete(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_auth_and_errors, setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_list_by_last_chat_time, setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_list_walk_while_conversations_change, setup,
						simc_teardown),
		cmocka_unit_test_setup_teardown(test_chats_paged_by_100_ascending, setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_get_has_the_latest_20_chats_and_variables,
						setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_filters, setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_state_assignee_category_title, setup,
						simc_teardown),
		cmocka_unit_test_setup_teardown(test_bot_silent_while_a_human_holds_it, setup,
						simc_teardown),
		cmocka_unit_test_setup_teardown(test_stop, setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_rating_with_feedback, setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_daily_count, setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_faults_429_and_5xx, setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_fault_drop_after_the_work, setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_fault_slow_and_no_push, setup, simc_teardown),
	};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
