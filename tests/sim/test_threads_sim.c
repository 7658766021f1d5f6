/*
 * test_threads_sim.c — the chatbot threads simulator, run as a process on
 * a loopback port and driven over HTTP as the bridge will drive it: the
 * Bearer key and the {success, message, data} envelope, Fetch Thread and
 * its query flags, the thread list walked while threads start, the AI/AGENT
 * modes and escalation, typed and system messages, reactions and sources,
 * the fault switches, and each thread's webhook with its token.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "th_client.h"

static int setup(void **state)
{
	return simc_setup(state, "THREADS_SIM");
}

/* A customer starts a thread; its id into out. */
static void start_thread(struct simc *s, const char *text, char out[64])
{
	cJSON *j = simc_ctl(s, "POST", "/_sim/threads", "{\"text\":\"%s\"}", text);
	snprintf(out, 64, "%s", simc_str_at(j, "threadId", NULL));
	cJSON_Delete(j);
}

/* POST /_sim/threads/{id}/{what} with a body; the answer freed. */
static void act(struct simc *s, const char *thread, const char *what, const char *body)
{
	char path[160];

	snprintf(path, sizeof path, "/_sim/threads/%s/%s", thread, what);
	cJSON_Delete(simc_ctl(s, "POST", path, "%s", body));
}

/* Fetch Thread through the API: data.thread (caller frees the reply). */
static const cJSON *fetch(struct simc *s, const char *thread, const char *query,
			  struct simc_reply *r)
{
	char path[256];

	snprintf(path, sizeof path, THSIM_BASE "/threads/%s%s", thread, query);
	*r = thsim_api(s, "GET", path, NULL);
	assert_int_equal(r->status, 200);
	assert_true(cJSON_IsTrue(simc_at(r->json, "success", NULL)));
	assert_string_equal(simc_str_at(r->json, "message", NULL), "Fetched the thread successfully");
	return simc_at(simc_at(r->json, "data", NULL), "thread", NULL);
}

static void patch_mode(struct simc *s, const char *thread, const char *mode)
{
	char path[160], body[64];

	snprintf(path, sizeof path, THSIM_BASE "/threads/%s", thread);
	snprintf(body, sizeof body, "{\"mode\":\"%s\"}", mode);
	struct simc_reply r = thsim_api(s, "PATCH", path, body);
	assert_int_equal(r.status, 200);
	assert_true(cJSON_IsTrue(simc_at(r.json, "success", NULL)));
	assert_true(cJSON_IsNull(simc_at(r.json, "data", NULL)));
	simc_reply_free(&r);
}

/* The agent's reply through the API; its messageId into id (may be NULL). */
static struct simc_reply agent_reply(struct simc *s, const char *thread, const char *text)
{
	char body[256];

	snprintf(body, sizeof body,
		 "{\"threadId\":\"%s\",\"message\":\"%s\",\"from\":\"AGENT\",\"agentName\":\"Ann\"}",
		 thread, text);
	return thsim_api(s, "POST", THSIM_BASE "/message", body);
}

/* How many messages of a thread came through the API with this answer. */
static int api_messages(struct simc *s, const char *thread, const char *text)
{
	char path[128];
	int n = 0;
	const cJSON *m;

	snprintf(path, sizeof path, "/_sim/threads/%s", thread);
	cJSON *j = simc_ctl(s, "GET", path, "%s", "");
	cJSON_ArrayForEach(m, simc_at(j, "messages", NULL))
		if (strcmp(simc_str_at(m, "origin", NULL), "api") == 0 &&
		    strcmp(simc_str_at(m, "answer", "text"), text) == 0)
			n++;
	cJSON_Delete(j);
	return n;
}

static void expect_error(struct simc_reply *r, long status, const char *code)
{
	assert_int_equal(r->status, status);
	assert_string_equal(thsim_error_code(r), code);
	/* The doc's envelope, success false. */
	assert_true(cJSON_IsFalse(simc_at(r->json, "success", NULL)));
	assert_non_null(simc_str_at(r->json, "message", NULL));
	assert_true(cJSON_IsNull(simc_at(r->json, "data", NULL)));
	simc_reply_free(r);
}

static void test_auth_and_errors(void **state)
{
	struct simc *s = *state;
	const char *no_auth[] = {NULL};
	const char *bad_key[] = {"Authorization: Bearer nope", NULL};
	const char *not_bearer[] = {"Authorization: " THSIM_TOKEN, NULL};
	const char *text_body[] = {"Authorization: Bearer " THSIM_TOKEN,
				   "Content-Type: text/plain", NULL};
	char t[64], path[160];
	struct simc_reply r;

	start_thread(s, "hello", t);
	snprintf(path, sizeof path, THSIM_BASE "/threads/%s", t);
	r = simc_raw(s, "GET", path, no_auth, NULL);
	expect_error(&r, 401, "UNAUTHORIZED");
	r = simc_raw(s, "GET", path, bad_key, NULL);
	expect_error(&r, 401, "UNAUTHORIZED");
	r = simc_raw(s, "GET", path, not_bearer, NULL);
	expect_error(&r, 401, "UNAUTHORIZED");
	r = simc_raw(s, "PATCH", path, text_body, "{}");
	expect_error(&r, 415, "UNSUPPORTED_MEDIA_TYPE");
	r = thsim_api(s, "PATCH", path, "{not json");
	expect_error(&r, 400, "BAD_REQUEST");
	r = thsim_api(s, "PATCH", path, "{\"mode\":\"HUMAN\"}");
	expect_error(&r, 400, "BAD_REQUEST");
	r = thsim_api(s, "DELETE", path, NULL);
	expect_error(&r, 405, "METHOD_NOT_ALLOWED");
	snprintf(path, sizeof path, "/v0/chatbots/another/threads/%s", t);
	r = thsim_api(s, "GET", path, NULL);
	expect_error(&r, 404, "NOT_FOUND");
	r = thsim_api(s, "GET", THSIM_BASE "/threads/00000000-0000-4000-a000-000000000000", NULL);
	expect_error(&r, 404, "NOT_FOUND");
	snprintf(path, sizeof path, THSIM_BASE "/threads/%s?skipMessages=yes", t);
	r = thsim_api(s, "GET", path, NULL);
	expect_error(&r, 400, "BAD_REQUEST");
	r = thsim_api(s, "POST", THSIM_BASE "/message", "{\"message\":\"x\",\"from\":\"AGENT\"}");
	expect_error(&r, 400, "BAD_REQUEST");
	r = thsim_api(s, "POST", THSIM_BASE "/message", "{\"from\":\"USER\"}");
	expect_error(&r, 400, "BAD_REQUEST");
	r = thsim_api(s, "GET", THSIM_BASE "/threads?limit=0", NULL);
	expect_error(&r, 400, "BAD_REQUEST");
	r = thsim_api(s, "GET", THSIM_BASE "/threads?lastThreadId=nope", NULL);
	expect_error(&r, 400, "BAD_REQUEST");
	r = thsim_api(s, "GET", "/v0/nothing", NULL);
	expect_error(&r, 404, "NOT_FOUND");

	/* None of it changed the thread. */
	const cJSON *th = fetch(s, t, "", &r);
	assert_string_equal(simc_str_at(th, "mode", NULL), "AI");
	assert_int_equal(cJSON_GetArraySize(simc_at(th, "messages", NULL)), 1);
	simc_reply_free(&r);
}

static void test_fetch_thread_fields_and_flags(void **state)
{
	struct simc *s = *state;
	char t[64];
	struct simc_reply r;

	cJSON *j = simc_ctl(s, "POST", "/_sim/threads",
			    "{\"text\":\"Where is my order?\",\"name\":\"Bo\",\"email\":\"bo@x.org\"}");
	snprintf(t, sizeof t, "%s", simc_str_at(j, "threadId", NULL));
	char user[64];
	snprintf(user, sizeof user, "%s", simc_str_at(j, "chatUserId", NULL));
	cJSON_Delete(j);

	const cJSON *th = fetch(s, t, "", &r);
	assert_string_equal(simc_str_at(th, "threadId", NULL), t);
	assert_string_equal(simc_str_at(th, "chatbotId", NULL), THSIM_CHATBOT);
	assert_string_equal(simc_str_at(th, "chatUserId", NULL), user);
	assert_string_equal(simc_str_at(th, "mode", NULL), "AI");
	assert_non_null(simc_str_at(th, "startedAt", NULL));
	assert_non_null(simc_str_at(th, "updatedAt", NULL));
	assert_true(cJSON_IsNull(simc_at(th, "endedAt", NULL)));
	assert_true(cJSON_IsFalse(simc_at(th, "isEscalated", NULL)));
	assert_true(cJSON_IsNull(simc_at(th, "webhookUrl", NULL)));
	assert_true(cJSON_IsNull(simc_at(th, "webhookToken", NULL)));
	assert_true(cJSON_IsNumber(simc_at(th, "totalMessagesRead", NULL)));
	/* includeChatUser defaults to false. */
	assert_true(cJSON_IsNull(simc_at(th, "chatUser", NULL)));
	const cJSON *m = cJSON_GetArrayItem(simc_at(th, "messages", NULL), 0);
	assert_non_null(simc_str_at(m, "messageId", NULL));
	assert_string_equal(simc_str_at(m, "messageType", NULL), "NORMAL_MESSAGE");
	assert_string_equal(simc_str_at(m, "question", "text"), "Where is my order?");
	assert_non_null(simc_str_at(m, "question", "timestamp"));
	/* Not answered yet. */
	assert_true(cJSON_IsNull(simc_at(m, "answer", NULL)));
	assert_true(cJSON_IsNull(simc_at(m, "systemMessageType", NULL)));
	assert_string_equal(simc_str_at(m, "reaction", NULL), "NEUTRAL");
	assert_true(cJSON_IsArray(simc_at(m, "sources", NULL)));
	assert_true(cJSON_IsArray(simc_at(m, "prompts", NULL)));
	assert_true(cJSON_IsFalse(simc_at(m, "isEscalated", NULL)));
	assert_non_null(simc_at(m, "iconUrl", NULL));
	assert_non_null(simc_at(m, "gptModel", NULL));
	simc_reply_free(&r);

	th = fetch(s, t, "?skipMessages=true&includeChatUser=true", &r);
	assert_null(simc_at(th, "messages", NULL));
	assert_string_equal(simc_str_at(th, "chatUser", "id"), user);
	assert_string_equal(simc_str_at(th, "chatUser", "name"), "Bo");
	assert_string_equal(simc_str_at(th, "chatUser", "email"), "bo@x.org");
	assert_true(cJSON_IsNull(simc_at(th, "chatUser", "phoneNumber")));
	assert_true(cJSON_IsBool(simc_at(th, "chatUser", "isVerified")));
	assert_non_null(simc_str_at(th, "chatUser", "createdAt"));
	assert_non_null(simc_str_at(th, "chatUser", "updatedAt"));
	simc_reply_free(&r);

	/* The customer leaves: endedAt is set. */
	act(s, t, "end", "{}");
	th = fetch(s, t, "?skipMessages=true", &r);
	assert_non_null(simc_str_at(th, "endedAt", NULL));
	simc_reply_free(&r);
}

/* Walk the thread list to its end (a page shorter than the limit ends it);
 * every id into ids[], most recent first. Returns the number of pages. */
static int walk(struct simc *s, const char *limit, char ids[][64], int *n, int max)
{
	char url[256], last[64] = "";
	int pages = 0, got, want = atoi(limit);

	*n = 0;
	do {
		snprintf(url, sizeof url, THSIM_BASE "/threads?limit=%s%s%s", limit,
			 last[0] ? "&lastThreadId=" : "", last);
		struct simc_reply r = thsim_api(s, "GET", url, NULL);
		assert_int_equal(r.status, 200);
		assert_string_equal(simc_str_at(r.json, "message", NULL),
				    "Fetched the chatbot threads successfully");
		const cJSON *it;
		got = 0;
		cJSON_ArrayForEach(it, simc_at(simc_at(r.json, "data", NULL), "threads", NULL)) {
			assert_true(*n < max);
			/* List items are threads without their messages. */
			assert_null(simc_at(it, "messages", NULL));
			assert_non_null(simc_str_at(it, "mode", NULL));
			snprintf(ids[(*n)++], 64, "%s", simc_str_at(it, "threadId", NULL));
			snprintf(last, sizeof last, "%s", simc_str_at(it, "threadId", NULL));
			got++;
		}
		simc_reply_free(&r);
		pages++;
	} while (got == want);
	return pages;
}

static void assert_unique(char ids[][64], int n)
{
	for (int i = 0; i < n; i++)
		for (int k = i + 1; k < n; k++)
			assert_string_not_equal(ids[i], ids[k]);
}

static void test_pagination_walks_every_thread_once(void **state)
{
	struct simc *s = *state;
	static char ids[200][64];
	char first[64], newest[64];
	int n;

	start_thread(s, "the oldest", first);
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/seed", "{\"threads\":43,\"messages\":2}"));
	start_thread(s, "the newest", newest);

	/* 45 threads, 20 a page: 20, 20, 5. */
	assert_int_equal(walk(s, "20", ids, &n, 200), 3);
	assert_int_equal(n, 45);
	assert_unique(ids, n);
	assert_string_equal(ids[0], newest);     /* most recently started first */
	assert_string_equal(ids[44], first);
	/* Another page size; an exact multiple ends with an empty page. */
	assert_int_equal(walk(s, "15", ids, &n, 200), 4);
	assert_int_equal(n, 45);
	assert_unique(ids, n);

	/* Without limit, the configured page size. */
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/config", "{\"pageSize\":7}"));
	struct simc_reply r = thsim_api(s, "GET", THSIM_BASE "/threads", NULL);
	const cJSON *list = simc_at(simc_at(r.json, "data", NULL), "threads", NULL);
	assert_int_equal(cJSON_GetArraySize(list), 7);
	/* Each item carries its last message: the seeded answer. */
	const cJSON *last = simc_at(cJSON_GetArrayItem(list, 1), "lastMessage", "answer");
	assert_string_equal(simc_str_at(last, "text", NULL), "seeded answer 2");
	simc_reply_free(&r);
}

static void test_pages_changing_while_walked(void **state)
{
	struct simc *s = *state;
	static char ids[200][64], again[200][64];
	int n, m;

	cJSON_Delete(simc_ctl(s, "POST", "/_sim/seed", "{\"threads\":50}"));
	/* Three threads start before each of the next two page fetches. */
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/faults", "{\"pageChange\":2,\"pageInsert\":3}"));
	walk(s, "20", ids, &n, 200);
	/* The walk saw the 50 that were there, each once. */
	assert_int_equal(n, 50);
	assert_unique(ids, n);
	/* Both switches were spent, by the two next-page fetches only. */
	cJSON *f = simc_ctl(s, "GET", "/_sim/faults", "%s", "");
	assert_int_equal(simc_at(f, "pageChange", NULL)->valueint, 0);
	cJSON_Delete(f);

	/* A new walk from the top sees all 56, the late ones first. */
	walk(s, "20", again, &m, 200);
	assert_int_equal(m, 56);
	assert_unique(again, m);
	assert_string_equal(again[6], ids[0]);
}

/* The n-th message (from the end when n < 0) of a fetched thread. */
static const cJSON *msg_at(const cJSON *th, int n)
{
	const cJSON *msgs = simc_at(th, "messages", NULL);
	return cJSON_GetArrayItem(msgs, n < 0 ? cJSON_GetArraySize(msgs) + n : n);
}

static void test_modes_escalation_takeover_hand_back(void **state)
{
	struct simc *s = *state;
	char t[64], path[160];
	static const char *const json[] = {"Content-Type: application/json", NULL};
	struct simc_reply r;
	const cJSON *th;

	start_thread(s, "How do refunds work?", t);
	/* The AI answers the pending question: the same message, with sources. */
	act(s, t, "bot", "{\"text\":\"Within 30 days.\",\"sources\":[\"https://shop/refunds\"]}");
	th = fetch(s, t, "", &r);
	assert_int_equal(cJSON_GetArraySize(simc_at(th, "messages", NULL)), 1);
	assert_string_equal(simc_str_at(msg_at(th, 0), "answer", "text"), "Within 30 days.");
	assert_string_equal(cJSON_GetArrayItem(simc_at(msg_at(th, 0), "sources", NULL), 0)->valuestring,
			    "https://shop/refunds");
	assert_non_null(simc_str_at(msg_at(th, 0), "gptModel", NULL));
	simc_reply_free(&r);

	/* The chatbot escalates: isEscalated and the system message. */
	act(s, t, "customer", "{\"text\":\"That is not enough\"}");
	act(s, t, "escalate", "{\"text\":\"I will get a colleague.\"}");
	th = fetch(s, t, "", &r);
	assert_true(cJSON_IsTrue(simc_at(th, "isEscalated", NULL)));
	assert_string_equal(simc_str_at(msg_at(th, 1), "answer", "text"), "I will get a colleague.");
	assert_string_equal(simc_str_at(msg_at(th, -1), "messageType", NULL), "SYSTEM_MESSAGE");
	assert_string_equal(simc_str_at(msg_at(th, -1), "systemMessageType", NULL),
			    "CONVERSATION_ESCALATED");
	assert_true(cJSON_IsTrue(simc_at(msg_at(th, -1), "isEscalated", NULL)));
	/* Escalated alone does not silence the AI; the mode does. */
	assert_string_equal(simc_str_at(th, "mode", NULL), "AI");
	simc_reply_free(&r);

	/* Takeover: mode AGENT, and the AI stays silent. */
	patch_mode(s, t, "AGENT");
	snprintf(path, sizeof path, "/_sim/threads/%s/bot", t);
	r = simc_raw(s, "POST", path, json, "{\"text\":\"I am still here\"}");
	assert_int_equal(r.status, 409);
	assert_true(cJSON_IsTrue(simc_at(r.json, "silent", NULL)));
	simc_reply_free(&r);
	/* Even with the AI on automatic, a customer message stays unanswered,
	 * typed USER_MESSAGE. */
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/config", "{\"botAuto\":true}"));
	act(s, t, "customer", "{\"text\":\"Hello? Anyone?\"}");
	th = fetch(s, t, "", &r);
	assert_string_equal(simc_str_at(th, "mode", NULL), "AGENT");
	assert_string_equal(simc_str_at(msg_at(th, -1), "messageType", NULL), "USER_MESSAGE");
	assert_true(cJSON_IsNull(simc_at(msg_at(th, -1), "answer", NULL)));
	int before = cJSON_GetArraySize(simc_at(th, "messages", NULL));
	simc_reply_free(&r);

	/* The agent replies: an AGENT_MESSAGE with the agent's name. */
	r = agent_reply(s, t, "Hi, Ann here.");
	assert_int_equal(r.status, 200);
	assert_string_equal(simc_str_at(r.json, "message", NULL), "Sent the message successfully");
	const cJSON *sent = simc_at(simc_at(r.json, "data", NULL), "message", NULL);
	assert_string_equal(simc_str_at(sent, "messageType", NULL), "AGENT_MESSAGE");
	assert_string_equal(simc_str_at(sent, "agentName", NULL), "Ann");
	assert_string_equal(simc_str_at(sent, "threadId", NULL), t);
	simc_reply_free(&r);
	th = fetch(s, t, "", &r);
	assert_int_equal(cJSON_GetArraySize(simc_at(th, "messages", NULL)), before + 1);
	assert_string_equal(simc_str_at(msg_at(th, -1), "answer", "text"), "Hi, Ann here.");
	simc_reply_free(&r);
	assert_int_equal(api_messages(s, t, "Hi, Ann here."), 1);

	/* Hand back: mode AI, and the AI answers again. */
	patch_mode(s, t, "AI");
	act(s, t, "customer", "{\"text\":\"thanks\"}");
	th = fetch(s, t, "", &r);
	assert_string_equal(simc_str_at(msg_at(th, -1), "messageType", NULL), "NORMAL_MESSAGE");
	assert_non_null(simc_str_at(msg_at(th, -1), "answer", "text"));
	simc_reply_free(&r);

	/* The API's escalate call does what the chatbot's escalation does. */
	char t2[64];
	start_thread(s, "second", t2);
	snprintf(path, sizeof path, THSIM_BASE "/threads/%s/escalate", t2);
	r = thsim_api(s, "POST", path, "{\"escalationPrompt\":\"Talk to a person\"}");
	assert_int_equal(r.status, 200);
	assert_string_equal(simc_str_at(r.json, "message", NULL),
			    "Escalated the conversation successfully");
	simc_reply_free(&r);
	th = fetch(s, t2, "", &r);
	assert_true(cJSON_IsTrue(simc_at(th, "isEscalated", NULL)));
	assert_string_equal(simc_str_at(msg_at(th, -1), "systemMessageType", NULL),
			    "CONVERSATION_ESCALATED");
	assert_string_equal(simc_str_at(msg_at(th, -1), "answer", "text"), "Talk to a person");
	simc_reply_free(&r);
}

static void test_system_types_reactions_and_chat_user(void **state)
{
	struct simc *s = *state;
	static const char *const types[] = {
		"CONVERSATION_ESCALATED", "EXCEEDED_USAGE_LIMITS", "EMAIL_VERIFIED",
		"ENTERED_WRONG_OTP", "PROVIDED_EMAIL", "PERSONA_SELECTED",
		"PROBLEMS_WITH_UPSTREAM_PROVIDER",
	};
	char t[64], body[128], path[160];
	struct simc_reply r;
	const cJSON *th;

	start_thread(s, "hi", t);
	for (int i = 0; i < 7; i++) {
		snprintf(body, sizeof body, "{\"type\":\"%s\"}", types[i]);
		act(s, t, "system", body);
	}
	th = fetch(s, t, "", &r);
	for (int i = 0; i < 7; i++) {
		const cJSON *m = msg_at(th, 1 + i);
		assert_string_equal(simc_str_at(m, "messageType", NULL), "SYSTEM_MESSAGE");
		assert_string_equal(simc_str_at(m, "systemMessageType", NULL), types[i]);
		/* A readable notice. */
		assert_true(strlen(simc_str_at(m, "answer", "text")) > 5);
	}
	char msg_id[64];
	snprintf(msg_id, sizeof msg_id, "%s", simc_str_at(msg_at(th, 0), "messageId", NULL));
	simc_reply_free(&r);

	/* The customer reacts to a message. */
	snprintf(body, sizeof body, "{\"messageId\":\"%s\",\"reaction\":\"NEGATIVE\"}", msg_id);
	act(s, t, "reaction", body);
	th = fetch(s, t, "", &r);
	assert_string_equal(simc_str_at(msg_at(th, 0), "reaction", NULL), "NEGATIVE");
	simc_reply_free(&r);

	/* PATCH sets the chat user's details. */
	snprintf(path, sizeof path, THSIM_BASE "/threads/%s", t);
	r = thsim_api(s, "PATCH", path,
		      "{\"chatUser\":{\"name\":\"Cy\",\"email\":\"cy@x.org\",\"phoneNumber\":\"+15\"}}");
	assert_int_equal(r.status, 200);
	simc_reply_free(&r);
	th = fetch(s, t, "?includeChatUser=true&skipMessages=true", &r);
	assert_string_equal(simc_str_at(th, "chatUser", "name"), "Cy");
	assert_string_equal(simc_str_at(th, "chatUser", "phoneNumber"), "+15");
	simc_reply_free(&r);
}

static void test_faults_429_and_5xx(void **state)
{
	struct simc *s = *state;
	char t[64];
	struct simc_reply r;

	start_thread(s, "hello", t);
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/faults",
			       "{\"rateLimited\":2,\"retryAfter\":7,\"serverError\":1,"
			       "\"errorStatus\":503}"));
	for (int i = 0; i < 2; i++) {
		r = agent_reply(s, t, "refused");
		assert_int_equal(r.retry_after, 7);
		expect_error(&r, 429, "TOO_MANY_REQUESTS");
	}
	r = agent_reply(s, t, "refused");
	expect_error(&r, 503, "INTERNAL_SERVER_ERROR");
	r = agent_reply(s, t, "accepted");
	assert_int_equal(r.status, 200);
	assert_int_equal(r.retry_after, -1);
	simc_reply_free(&r);
	/* The refused requests did nothing. */
	assert_int_equal(api_messages(s, t, "refused"), 0);
	assert_int_equal(api_messages(s, t, "accepted"), 1);

	/* The control interface is never faulted. */
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/faults", "{\"serverError\":5}"));
	cJSON *f = simc_ctl(s, "GET", "/_sim/faults", "%s", "");
	assert_int_equal(simc_at(f, "serverError", NULL)->valueint, 5);
	cJSON_Delete(f);
}

static void test_fault_drop_after_the_work(void **state)
{
	struct simc *s = *state;
	char t[64];
	struct simc_reply r;

	start_thread(s, "hello", t);
	patch_mode(s, t, "AGENT");
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/faults", "{\"drop\":1}"));
	r = agent_reply(s, t, "reply once");
	assert_int_equal(r.status, 0);
	assert_int_equal(r.curl_code, CURLE_GOT_NOTHING);
	simc_reply_free(&r);
	/* The work was done: a bridge that fetches the thread before posting
	 * again finds its reply there, once. */
	const cJSON *th = fetch(s, t, "", &r);
	assert_string_equal(simc_str_at(msg_at(th, -1), "answer", "text"), "reply once");
	simc_reply_free(&r);
	assert_int_equal(api_messages(s, t, "reply once"), 1);
}

/* The API's list, for the slow fault. */
static struct simc_reply list_threads(struct simc *s)
{
	return thsim_api(s, "GET", THSIM_BASE "/threads", NULL);
}

static void test_fault_slow(void **state)
{
	simc_expect_slow_once(*state, list_threads);
}

static void test_webhooks_per_thread_with_token(void **state)
{
	struct simc *s = *state;
	struct hookrx h, h2;
	char t[64], t2[64], path[160], body[256];
	struct simc_reply r;

	hookrx_listen(&h, THSIM_WEBHOOK_HEADER);
	/* The chatbot-wide default: new threads start with it. */
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/webhook",
			       "{\"url\":\"http://127.0.0.1:%d/hook\",\"secret\":\"tok-1\"}", h.port));
	start_thread(s, "hi", t);
	const cJSON *th = fetch(s, t, "?skipMessages=true", &r);
	assert_non_null(strstr(simc_str_at(th, "webhookUrl", NULL), "/hook"));
	assert_string_equal(simc_str_at(th, "webhookToken", NULL), "tok-1");
	simc_reply_free(&r);

	/* The question, then its answer (the same message, updated), then the
	 * escalation notice: each pushed with the thread's token. */
	act(s, t, "bot", "{\"text\":\"hello\"}");
	act(s, t, "escalate", "{}");
	assert_true(hookrx_wait(&h, 3, 5000));
	for (int i = 0; i < 3; i++)
		assert_string_equal(h.signatures[i], "tok-1");
	cJSON *a = cJSON_Parse(h.bodies[0]), *b = cJSON_Parse(h.bodies[1]),
	      *c = cJSON_Parse(h.bodies[2]);
	assert_string_equal(simc_str_at(a, "event", NULL), "MESSAGE_CREATED");
	assert_string_equal(simc_str_at(a, "threadId", NULL), t);
	assert_string_equal(simc_str_at(a, "chatbotId", NULL), THSIM_CHATBOT);
	assert_string_equal(simc_str_at(a, "message", "messageType"), "NORMAL_MESSAGE");
	assert_true(cJSON_IsNull(simc_at(a, "message", "answer")));
	assert_string_equal(simc_str_at(b, "event", NULL), "MESSAGE_UPDATED");
	assert_string_equal(simc_str_at(b, "message", "messageId"),
			    simc_str_at(a, "message", "messageId"));
	assert_string_equal(simc_str_at(simc_at(b, "message", NULL), "answer", "text"), "hello");
	assert_string_equal(simc_str_at(c, "message", "systemMessageType"), "CONVERSATION_ESCALATED");
	assert_true(cJSON_IsTrue(simc_at(c, "isEscalated", NULL)));
	cJSON_Delete(a);
	cJSON_Delete(b);
	cJSON_Delete(c);

	/* A thread's own URL and token, set by PATCH, win; the agent's own
	 * messages are pushed too, twice under webhookTwice. */
	hookrx_listen(&h2, THSIM_WEBHOOK_HEADER);
	start_thread(s, "other", t2);
	assert_true(hookrx_wait(&h, 4, 5000));
	snprintf(path, sizeof path, THSIM_BASE "/threads/%s", t2);
	snprintf(body, sizeof body,
		 "{\"mode\":\"AGENT\",\"webhookUrl\":\"http://127.0.0.1:%d/t2\","
		 "\"webhookToken\":\"tok-2\"}", h2.port);
	r = thsim_api(s, "PATCH", path, body);
	assert_int_equal(r.status, 200);
	simc_reply_free(&r);
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/faults", "{\"webhookTwice\":1}"));
	r = agent_reply(s, t2, "from the agent");
	simc_reply_free(&r);
	assert_true(hookrx_wait(&h2, 2, 5000));
	assert_string_equal(h2.signatures[0], "tok-2");
	assert_string_equal(h2.bodies[0], h2.bodies[1]);
	a = cJSON_Parse(h2.bodies[0]);
	assert_string_equal(simc_str_at(a, "message", "messageType"), "AGENT_MESSAGE");
	assert_string_equal(simc_str_at(a, "mode", NULL), "AGENT");
	cJSON_Delete(a);
	act(s, t2, "customer", "{\"text\":\"ok\"}");
	assert_true(hookrx_wait(&h2, 3, 5000));
	assert_false(hookrx_wait(&h2, 4, 300));
	/* Nothing of t2 went to the default URL after the PATCH. */
	assert_false(hookrx_wait(&h, 5, 300));

	/* The header's name is a setting. */
	struct hookrx h3;
	hookrx_listen(&h3, "Authorization-Token");
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/config",
			       "{\"webhookHeader\":\"Authorization-Token\"}"));
	snprintf(body, sizeof body, "{\"webhookUrl\":\"http://127.0.0.1:%d/t3\"}", h3.port);
	r = thsim_api(s, "PATCH", path, body);
	simc_reply_free(&r);
	act(s, t2, "customer", "{\"text\":\"still there?\"}");
	assert_true(hookrx_wait(&h3, 1, 5000));
	assert_string_equal(h3.signatures[0], "tok-2");

	assert_int_equal(simc_webhooks_sent(s, 8, 5000), 8);
	hookrx_stop(&h3);
	hookrx_stop(&h2);
	hookrx_stop(&h);
}

static void test_bot_auto_answers_and_escalates(void **state)
{
	struct simc *s = *state;
	char t[64], path[160];

	cJSON_Delete(simc_ctl(s, "POST", "/_sim/config", "{\"botAuto\":true}"));
	start_thread(s, "where is my order?", t);
	act(s, t, "customer", "{\"text\":\"I want a human\"}");
	snprintf(path, sizeof path, "/_sim/threads/%s", t);
	cJSON *j = simc_ctl(s, "GET", path, "%s", "");
	const cJSON *msgs = simc_at(j, "messages", NULL);
	/* Two answered questions, then the escalation notice. */
	assert_int_equal(cJSON_GetArraySize(msgs), 3);
	assert_non_null(simc_str_at(cJSON_GetArrayItem(msgs, 0), "answer", "text"));
	assert_string_equal(simc_str_at(cJSON_GetArrayItem(msgs, 2), "systemMessageType", NULL),
			    "CONVERSATION_ESCALATED");
	assert_string_equal(simc_str_at(cJSON_GetArrayItem(msgs, 2), "origin", NULL), "system");
	assert_true(cJSON_IsTrue(simc_at(j, "thread", "isEscalated")));
	cJSON_Delete(j);

	/* A message sent through the API as the USER is answered too. */
	struct simc_reply r = thsim_api(s, "POST", THSIM_BASE "/message",
					"{\"message\":\"What can you do?\",\"from\":\"USER\"}");
	assert_int_equal(r.status, 200);
	const cJSON *m = simc_at(simc_at(r.json, "data", NULL), "message", NULL);
	assert_string_equal(simc_str_at(m, "messageType", NULL), "NORMAL_MESSAGE");
	assert_string_equal(simc_str_at(m, "question", "text"), "What can you do?");
	assert_non_null(simc_str_at(m, "answer", "text"));
	/* ...in a new thread, since it named none. */
	assert_string_not_equal(simc_str_at(m, "threadId", NULL), t);
	simc_reply_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_auth_and_errors, setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_fetch_thread_fields_and_flags, setup,
						simc_teardown),
		cmocka_unit_test_setup_teardown(test_pagination_walks_every_thread_once, setup,
						simc_teardown),
		cmocka_unit_test_setup_teardown(test_pages_changing_while_walked, setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_modes_escalation_takeover_hand_back, setup,
						simc_teardown),
		cmocka_unit_test_setup_teardown(test_system_types_reactions_and_chat_user, setup,
						simc_teardown),
		cmocka_unit_test_setup_teardown(test_faults_429_and_5xx, setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_fault_drop_after_the_work, setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_fault_slow, setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_webhooks_per_thread_with_token, setup,
						simc_teardown),
		cmocka_unit_test_setup_teardown(test_bot_auto_answers_and_escalates, setup,
						simc_teardown),
	};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
