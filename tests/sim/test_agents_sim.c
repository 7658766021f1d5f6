/*
 * test_agents_sim.c — the AI agents simulator, run as a process on a
 * loopback port and driven over HTTP as the bridge will drive it: the key,
 * the error bodies, Get Client, the agent endpoints, Chat Interact and
 * Configure State through every state the bridge uses, exactly-once
 * through a dropped answer, cursor walks while the list grows, the fault
 * switches and the signed webhooks.
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
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "ag_client.h"

static int setup(void **state)
{
	return simc_setup(state, "AGENTS_SIM");
}

static int int_at(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = simc_at(o, a, b);
	assert_true(cJSON_IsNumber(v));
	return v->valueint;
}

static void expect_error(struct simc_reply *r, long status, const char *code)
{
	assert_int_equal(r->status, status);
	assert_string_equal(agsim_error_code(r), code);
	/* The chosen error object: code, message, status. */
	assert_non_null(simc_str_at(r->json, "error", "message"));
	assert_int_equal(int_at(r->json, "error", "status"), status);
	simc_reply_free(r);
}

/* Chat Interact on the default agent; the answer (caller frees). */
static cJSON *interact(struct simc *s, const char *conv, const char *msg_id, const char *text)
{
	char body[512];
	struct simc_reply r;

	snprintf(body, sizeof body,
		 "{\"conversationId\":\"%s\",\"messageId\":\"%s\",\"message\":\"%s\"}", conv,
		 msg_id, text);
	r = agsim_api(s, "POST", "/v3/agents/" AGSIM_AGENT "/interact", body);
	assert_int_equal(r.status, 200);
	cJSON *j = r.json;
	r.json = NULL;
	simc_reply_free(&r);
	return j;
}

/* Configure State on the default agent; the answer (caller frees). */
static cJSON *set_state(struct simc *s, const char *conv, const char *st)
{
	char body[256];
	struct simc_reply r;

	snprintf(body, sizeof body, "{\"conversationId\":\"%s\",\"state\":\"%s\"}", conv, st);
	r = agsim_api(s, "POST", "/v3/agents/" AGSIM_AGENT "/state", body);
	assert_int_equal(r.status, 200);
	cJSON *j = r.json;
	r.json = NULL;
	simc_reply_free(&r);
	return j;
}

static cJSON *readback(struct simc *s, const char *conv)
{
	char path[160];

	snprintf(path, sizeof path, "/_sim/conversations/%s", conv);
	return simc_ctl(s, "GET", path, "%s", "");
}

/* How many messages of `origin` with this text the conversation holds. */
static int count_msgs(struct simc *s, const char *conv, const char *origin, const char *text)
{
	cJSON *j = readback(s, conv);
	const cJSON *m;
	int n = 0;

	cJSON_ArrayForEach(m, simc_at(j, "conversation", "messages"))
		if (strcmp(simc_str_at(m, "origin", NULL), origin) == 0 &&
		    strcmp(simc_str_at(m, "text", NULL), text) == 0)
			n++;
	cJSON_Delete(j);
	return n;
}

static void test_auth_and_errors(void **state)
{
	struct simc *s = *state;
	const char *no_key[] = {"Content-Type: application/json", NULL};
	const char *bad_key[] = {"Authorization: Bearer nope", NULL};
	const char *bare_key[] = {"Authorization: " AGSIM_KEY, NULL};
	const char *text_body[] = {"Authorization: Bearer " AGSIM_KEY,
				   "Content-Type: text/plain", NULL};
	struct simc_reply r;

	r = simc_raw(s, "GET", "/v3/agents/" AGSIM_AGENT, no_key, NULL);
	expect_error(&r, 401, "unauthorized");
	r = simc_raw(s, "GET", "/v3/agents/" AGSIM_AGENT, bad_key, NULL);
	expect_error(&r, 401, "unauthorized");
	r = simc_raw(s, "GET", "/v3/agents/" AGSIM_AGENT, bare_key, NULL);
	expect_error(&r, 401, "unauthorized");
	/* The key is checked before anything else, even an unknown path. */
	r = simc_raw(s, "GET", "/v3/nowhere", no_key, NULL);
	expect_error(&r, 401, "unauthorized");
	r = simc_raw(s, "POST", "/v3/agents", text_body, "{}");
	expect_error(&r, 415, "unsupported_media_type");
	r = agsim_api(s, "POST", "/v3/agents", "{not json");
	expect_error(&r, 400, "invalid_request");
	r = agsim_api(s, "POST", "/v3/agents", "{\"name\":\"\"}");
	expect_error(&r, 400, "invalid_request");
	r = agsim_api(s, "GET", "/v3/agents/agent-nobody", NULL);
	expect_error(&r, 404, "not_found");
	r = agsim_api(s, "GET", "/v3/nowhere", NULL);
	expect_error(&r, 404, "not_found");
	r = agsim_api(s, "PUT", "/v3/agents/" AGSIM_AGENT, "{}");
	expect_error(&r, 405, "method_not_allowed");
	r = agsim_api(s, "POST", "/v3/agents/" AGSIM_AGENT "/interact",
		      "{\"conversationId\":\"has space\",\"message\":\"x\"}");
	expect_error(&r, 400, "invalid_request");
	r = agsim_api(s, "POST", "/v3/agents/" AGSIM_AGENT "/state",
		      "{\"conversationId\":\"never-seen\",\"state\":\"human\"}");
	expect_error(&r, 404, "not_found");
	r = agsim_api(s, "GET", "/v3/agents/" AGSIM_AGENT "/conversations?cursor=garbage", NULL);
	expect_error(&r, 400, "invalid_request");
	r = agsim_api(s, "GET", "/other", NULL);
	expect_error(&r, 404, "not_found");
	/* Over 1 MiB: refused unread. */
	size_t big = 1100 * 1024;
	char *huge = malloc(big + 1);
	memset(huge, ' ', big);
	huge[0] = '{';
	huge[big - 1] = '}';
	huge[big] = '\0';
	r = agsim_api(s, "POST", "/v3/agents", huge);
	free(huge);
	expect_error(&r, 413, "payload_too_large");

	r = agsim_api(s, "GET", "/v3/agents/" AGSIM_AGENT, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(simc_str_at(r.json, "id", NULL), AGSIM_AGENT);
	simc_reply_free(&r);
}

/* --auth-header: the key bare in another header, and nowhere else. */
static void test_auth_header_setting(void **state)
{
	struct simc s2;
	const char *x_key[] = {"x-api-key: " AGSIM_KEY, NULL};
	struct simc_reply r;

	(void)state;
	simc_start(&s2, "AGENTS_SIM", "--auth-header", "x-api-key", "--key", AGSIM_KEY, NULL);
	r = simc_raw(&s2, "GET", "/v3/agents/" AGSIM_AGENT, x_key, NULL);
	assert_int_equal(r.status, 200);
	simc_reply_free(&r);
	r = agsim_api(&s2, "GET", "/v3/agents/" AGSIM_AGENT, NULL);
	expect_error(&r, 401, "unauthorized");
	simc_stop(&s2);
}

static void test_get_client(void **state)
{
	struct simc *s = *state;
	struct simc_reply r;
	const cJSON *users;

	r = agsim_api(s, "GET", "/v3/workspace/clients/" AGSIM_CLIENT, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(simc_str_at(r.json, "id", NULL), AGSIM_CLIENT);
	assert_string_equal(simc_str_at(r.json, "name", NULL), "Sim Client Co");
	assert_string_equal(simc_str_at(r.json, "orgId", NULL), "org-sim");
	assert_string_equal(simc_str_at(r.json, "ownerUid", NULL), "ws-sim");
	assert_non_null(simc_str_at(r.json, "email", NULL));
	assert_non_null(simc_str_at(r.json, "password", NULL));
	assert_non_null(simc_str_at(r.json, "photoUrl", NULL));
	assert_true(cJSON_IsTrue(simc_at(r.json, "isOrgAdmin", NULL)));
	assert_true(cJSON_IsObject(simc_at(r.json, "notifications", NULL)));
	/* The doc's six hrefs. */
	assert_int_equal(cJSON_GetArraySize(simc_at(r.json, "hrefs", NULL)), 6);
	assert_string_equal(cJSON_GetArrayItem(simc_at(r.json, "hrefs", NULL), 2)->valuestring,
			    "/convos");
	/* The other user of the org, itself a client object. */
	users = simc_at(r.json, "orgUsers", NULL);
	assert_int_equal(cJSON_GetArraySize(users), 1);
	assert_string_equal(simc_str_at(cJSON_GetArrayItem(users, 0), "name", NULL), "Sim Client Staff");
	assert_false(cJSON_IsTrue(simc_at(cJSON_GetArrayItem(users, 0), "isOrgAdmin", NULL)));
	simc_reply_free(&r);

	/* A client added through the control interface; one of another
	 * workspace is forbidden; an unknown one is not found. */
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/clients",
			      "{\"id\":\"c-2\",\"name\":\"Beta LLC\",\"orgId\":\"org-beta\"}"));
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/clients",
			      "{\"id\":\"c-3\",\"name\":\"Elsewhere\",\"ownerUid\":\"ws-other\"}"));
	r = agsim_api(s, "GET", "/v3/workspace/clients/c-2", NULL);
	assert_string_equal(simc_str_at(r.json, "name", NULL), "Beta LLC");
	assert_int_equal(cJSON_GetArraySize(simc_at(r.json, "orgUsers", NULL)), 0);
	simc_reply_free(&r);
	r = agsim_api(s, "GET", "/v3/workspace/clients/c-3", NULL);
	expect_error(&r, 403, "forbidden");
	r = agsim_api(s, "GET", "/v3/workspace/clients/c-404", NULL);
	expect_error(&r, 404, "not_found");
}

static void test_agent_create_edit_delete(void **state)
{
	struct simc *s = *state;
	struct simc_reply r;
	char id[64], path[160], body[256];

	r = agsim_api(s, "POST", "/v3/agents",
		      "{\"name\":\"Support bot\",\"clientId\":\"" AGSIM_CLIENT "\","
		      "\"prompt\":\"Be kind\"}");
	assert_int_equal(r.status, 200);
	snprintf(id, sizeof id, "%s", simc_str_at(r.json, "id", NULL));
	assert_string_equal(simc_str_at(r.json, "clientId", NULL), AGSIM_CLIENT);
	simc_reply_free(&r);

	/* Edit: only the fields given change. */
	snprintf(body, sizeof body, "{\"agentId\":\"%s\",\"name\":\"Support bot 2\"}", id);
	r = agsim_api(s, "POST", "/v3/agents", body);
	assert_string_equal(simc_str_at(r.json, "id", NULL), id);
	assert_string_equal(simc_str_at(r.json, "name", NULL), "Support bot 2");
	assert_string_equal(simc_str_at(r.json, "prompt", NULL), "Be kind");
	simc_reply_free(&r);
	r = agsim_api(s, "POST", "/v3/agents", "{\"agentId\":\"agent-nobody\",\"name\":\"x\"}");
	expect_error(&r, 404, "not_found");
	r = agsim_api(s, "POST", "/v3/agents", "{\"name\":\"x\",\"clientId\":\"c-none\"}");
	expect_error(&r, 400, "invalid_request");

	/* The new agent answers with its own name. */
	snprintf(path, sizeof path, "/v3/agents/%s/interact", id);
	r = agsim_api(s, "POST", path, "{\"message\":\"hello\"}");
	assert_int_equal(r.status, 200);
	assert_string_equal(simc_str_at(simc_at(r.json, "reply", NULL), "text", NULL),
			    "Thanks! I am Support bot 2; message 1 noted.");
	/* No conversationId: a new conversation with an id of ours. */
	assert_non_null(simc_str_at(r.json, "conversationId", NULL));
	simc_reply_free(&r);
	/* The user object is kept as given, and shows on the conversation. */
	r = agsim_api(s, "POST", path,
		      "{\"conversationId\":\"hub-u\",\"message\":\"hi\","
		      "\"user\":{\"name\":\"Ann\",\"email\":\"ann@example.com\"}}");
	assert_int_equal(r.status, 200);
	simc_reply_free(&r);
	r = agsim_api(s, "POST", path, "{\"message\":\"hi\",\"user\":\"Ann\"}");
	expect_error(&r, 400, "invalid_request");
	snprintf(path, sizeof path, "/v3/agents/%s/conversations/hub-u", id);
	r = agsim_api(s, "GET", path, NULL);
	assert_string_equal(simc_str_at(simc_at(r.json, "user", NULL), "name", NULL), "Ann");
	simc_reply_free(&r);

	/* Deleted: gone from every endpoint. */
	snprintf(path, sizeof path, "/v3/agents/%s", id);
	r = agsim_api(s, "DELETE", path, NULL);
	assert_int_equal(r.status, 200);
	assert_true(cJSON_IsTrue(simc_at(r.json, "deleted", NULL)));
	simc_reply_free(&r);
	r = agsim_api(s, "GET", path, NULL);
	expect_error(&r, 404, "not_found");
	snprintf(path, sizeof path, "/v3/agents/%s/interact", id);
	r = agsim_api(s, "POST", path, "{\"message\":\"hello\"}");
	expect_error(&r, 404, "not_found");
}

/* ai -> escalated (by the agent) -> human (Configure State) -> ai (hand
 * back): the agent answers only in "ai". */
static void test_states_and_silence(void **state)
{
	struct simc *s = *state;
	cJSON *j;

	j = interact(s, "hub-7", "m-1", "where is my parcel?");
	assert_string_equal(simc_str_at(j, "state", NULL), "ai");
	assert_false(cJSON_IsTrue(simc_at(j, "escalated", NULL)));
	assert_string_equal(simc_str_at(simc_at(j, "reply", NULL), "role", NULL), "assistant");
	assert_string_equal(simc_str_at(simc_at(j, "reply", NULL), "text", NULL),
			    "Thanks! I am Sim Agent; message 1 noted.");
	cJSON_Delete(j);

	/* The customer asks for a person: the agent hands off. */
	j = interact(s, "hub-7", "m-2", "let me talk to a human");
	assert_string_equal(simc_str_at(j, "state", NULL), "escalated");
	assert_true(cJSON_IsTrue(simc_at(j, "escalated", NULL)));
	assert_int_equal(int_at(j, "stateVersion", NULL), 1);
	assert_string_equal(simc_str_at(simc_at(j, "reply", NULL), "text", NULL),
			    "Let me connect you with a human agent.");
	cJSON_Delete(j);

	/* Escalated: the message is kept, the agent says nothing. */
	j = interact(s, "hub-7", "m-3", "hello?");
	assert_true(cJSON_IsNull(simc_at(j, "reply", NULL)));
	assert_false(cJSON_IsTrue(simc_at(j, "escalated", NULL)));
	cJSON_Delete(j);

	/* A human takes over; saying it twice changes nothing the second time. */
	j = set_state(s, "hub-7", "human");
	assert_true(cJSON_IsTrue(simc_at(j, "changed", NULL)));
	assert_string_equal(simc_str_at(j, "state", NULL), "human");
	assert_int_equal(int_at(j, "stateVersion", NULL), 2);
	cJSON_Delete(j);
	j = set_state(s, "hub-7", "human");
	assert_false(cJSON_IsTrue(simc_at(j, "changed", NULL)));
	assert_int_equal(int_at(j, "stateVersion", NULL), 2);
	cJSON_Delete(j);

	/* While a human holds it, the agent is silent whoever asks. */
	j = interact(s, "hub-7", "m-4", "are you there bot?");
	assert_true(cJSON_IsNull(simc_at(j, "reply", NULL)));
	assert_string_equal(simc_str_at(j, "state", NULL), "human");
	cJSON_Delete(j);
	static const char *const json[] = {"Content-Type: application/json", NULL};
	struct simc_reply r = simc_raw(s, "POST", "/_sim/conversations/hub-7/bot", json,
				       "{\"text\":\"I am still here\"}");
	assert_int_equal(r.status, 409);
	assert_true(cJSON_IsTrue(simc_at(r.json, "silent", NULL)));
	simc_reply_free(&r);

	/* An unknown state is refused. */
	r = agsim_api(s, "POST", "/v3/agents/" AGSIM_AGENT "/state",
		      "{\"conversationId\":\"hub-7\",\"state\":\"paused\"}");
	expect_error(&r, 400, "invalid_request");

	/* Handed back: the agent answers again. */
	cJSON_Delete(set_state(s, "hub-7", "ai"));
	j = interact(s, "hub-7", "m-5", "thanks, one more thing");
	assert_non_null(simc_str_at(simc_at(j, "reply", NULL), "text", NULL));
	cJSON_Delete(j);

	/* The read-back: who changed what, and the calls made while silent. */
	j = readback(s, "hub-7");
	const cJSON *ch = simc_at(j, "stateChanges", NULL);
	assert_int_equal(cJSON_GetArraySize(ch), 3);
	assert_string_equal(simc_str_at(cJSON_GetArrayItem(ch, 0), "by", NULL), "ai");
	assert_string_equal(simc_str_at(cJSON_GetArrayItem(ch, 1), "state", NULL), "human");
	assert_string_equal(simc_str_at(cJSON_GetArrayItem(ch, 1), "by", NULL), "api");
	assert_string_equal(simc_str_at(cJSON_GetArrayItem(ch, 2), "state", NULL), "ai");
	assert_int_equal(int_at(j, "interactCalls", NULL), 5);
	assert_int_equal(int_at(j, "interactWhileSilent", NULL), 2);
	assert_true(cJSON_IsTrue(simc_at(j, "botMaySpeak", NULL)));
	/* 5 user messages, 3 answers. */
	assert_int_equal(cJSON_GetArraySize(simc_at(j, "conversation", "messages")), 8);
	cJSON_Delete(j);

	/* The API shows the same conversation. */
	r = agsim_api(s, "GET", "/v3/agents/" AGSIM_AGENT "/conversations/hub-7", NULL);
	assert_string_equal(simc_str_at(r.json, "state", NULL), "ai");
	assert_int_equal(cJSON_GetArraySize(simc_at(r.json, "messages", NULL)), 8);
	simc_reply_free(&r);
}

/* A control-side escalation shows in the API and silences the agent. */
static void test_escalate_from_control(void **state)
{
	struct simc *s = *state;
	cJSON *j;

	cJSON_Delete(interact(s, "hub-9", "m-1", "hi"));
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/conversations/hub-9/escalate",
			      "{\"text\":\"A colleague will take over.\"}"));
	assert_int_equal(count_msgs(s, "hub-9", "bot", "A colleague will take over."), 1);
	j = interact(s, "hub-9", "m-2", "ok");
	assert_string_equal(simc_str_at(j, "state", NULL), "escalated");
	assert_true(cJSON_IsNull(simc_at(j, "reply", NULL)));
	cJSON_Delete(j);
	struct simc_reply r = agsim_api(s, "GET",
					"/v3/agents/" AGSIM_AGENT "/conversations?state=escalated",
					NULL);
	assert_int_equal(cJSON_GetArraySize(simc_at(r.json, "conversations", NULL)), 1);
	simc_reply_free(&r);
	r = agsim_api(s, "GET", "/v3/agents/" AGSIM_AGENT "/conversations?state=human", NULL);
	assert_int_equal(cJSON_GetArraySize(simc_at(r.json, "conversations", NULL)), 0);
	simc_reply_free(&r);
}

/* The answer is lost after the work was done: the retry with the same
 * messageId gets the first answer back, and the agent was asked once. */
static void test_interact_exactly_once_through_drop(void **state)
{
	struct simc *s = *state;
	const char *body = "{\"conversationId\":\"hub-3\",\"messageId\":\"hub-msg-41\","
			   "\"message\":\"reply once\"}";
	char reply_id[64];
	struct simc_reply r;

	cJSON_Delete(simc_ctl(s, "POST", "/_sim/faults", "{\"drop\":1}"));
	r = agsim_api(s, "POST", "/v3/agents/" AGSIM_AGENT "/interact", body);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.curl_code, CURLE_GOT_NOTHING);
	simc_reply_free(&r);
	r = agsim_api(s, "POST", "/v3/agents/" AGSIM_AGENT "/interact", body);
	assert_int_equal(r.status, 200);
	assert_true(cJSON_IsTrue(simc_at(r.json, "replayed", NULL)));
	snprintf(reply_id, sizeof reply_id, "%s", simc_str_at(simc_at(r.json, "reply", NULL), "id", NULL));
	simc_reply_free(&r);
	assert_int_equal(count_msgs(s, "hub-3", "api", "reply once"), 1);
	cJSON *j = readback(s, "hub-3");
	assert_int_equal(cJSON_GetArraySize(simc_at(j, "conversation", "messages")), 2);
	assert_string_equal(
		simc_str_at(cJSON_GetArrayItem(simc_at(j, "conversation", "messages"), 1), "id", NULL),
		reply_id);
	assert_int_equal(int_at(j, "interactCalls", NULL), 2);
	cJSON_Delete(j);

	/* Another messageId is another message. */
	cJSON_Delete(interact(s, "hub-3", "hub-msg-42", "reply once"));
	assert_int_equal(count_msgs(s, "hub-3", "api", "reply once"), 2);
}

/* Walk an agent's conversation list to its end (limit 0: the default);
 * the ids go into ids[]. Returns the number of pages. */
static int walk(struct simc *s, int limit, char ids[][64], int *n, int max)
{
	char url[512];
	char *cursor = NULL;
	int pages = 0;

	*n = 0;
	do {
		int len = snprintf(url, sizeof url, "/v3/agents/" AGSIM_AGENT "/conversations?");
		if (limit)
			len += snprintf(url + len, sizeof url - len, "limit=%d&", limit);
		if (cursor) {
			char *enc = simc_urlencode(cursor);
			snprintf(url + len, sizeof url - len, "cursor=%s", enc);
			free(enc);
		}
		free(cursor);
		cursor = NULL;
		struct simc_reply r = agsim_api(s, "GET", url, NULL);
		assert_int_equal(r.status, 200);
		const cJSON *it;
		cJSON_ArrayForEach(it, simc_at(r.json, "conversations", NULL)) {
			assert_true(*n < max);
			snprintf(ids[(*n)++], 64, "%s", simc_str_at(it, "id", NULL));
		}
		const char *c = simc_str_at(r.json, "nextCursor", NULL);
		if (c)
			cursor = strdup(c);
		else
			assert_true(cJSON_IsNull(simc_at(r.json, "nextCursor", NULL)));
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

static void test_pagination_walks_every_item_once(void **state)
{
	struct simc *s = *state;
	static char ids[200][64];
	char path[256];
	int n;

	cJSON_Delete(interact(s, "the-oldest", "m-1", "first"));
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/seed", "{\"conversations\":43,\"messages\":3}"));
	cJSON_Delete(interact(s, "the-newest", "m-1", "last"));
	/* Another agent's conversations are not in this agent's list. */
	struct simc_reply r = agsim_api(s, "POST", "/v3/agents", "{\"name\":\"Other\"}");
	snprintf(path, sizeof path, "/v3/agents/%s/interact", simc_str_at(r.json, "id", NULL));
	simc_reply_free(&r);
	r = agsim_api(s, "POST", path, "{\"message\":\"not listed\"}");
	simc_reply_free(&r);

	/* 45 conversations, 20 a page: 20, 20, 5, then a null cursor. */
	assert_int_equal(walk(s, 0, ids, &n, 200), 3);
	assert_int_equal(n, 45);
	assert_unique(ids, n);
	assert_string_equal(ids[0], "the-newest");  /* most recent first */
	assert_string_equal(ids[44], "the-oldest");
	assert_int_equal(walk(s, 7, ids, &n, 200), 7);
	assert_int_equal(n, 45);
	assert_unique(ids, n);

	/* A seeded conversation: customer and agent in turn. */
	snprintf(path, sizeof path, "/v3/agents/" AGSIM_AGENT "/conversations/%s", ids[1]);
	r = agsim_api(s, "GET", path, NULL);
	assert_int_equal(cJSON_GetArraySize(simc_at(r.json, "messages", NULL)), 3);
	assert_string_equal(simc_str_at(cJSON_GetArrayItem(simc_at(r.json, "messages", NULL), 1), "role",
				   NULL), "assistant");
	simc_reply_free(&r);

	/* A cursor sent without URL-encoding ('+' reads as a space) is refused,
	 * and so is a limit out of range. */
	r = agsim_api(s, "GET", "/v3/agents/" AGSIM_AGENT "/conversations", NULL);
	snprintf(path, sizeof path, "/v3/agents/" AGSIM_AGENT "/conversations?cursor=%s",
		 simc_str_at(r.json, "nextCursor", NULL));
	simc_reply_free(&r);
	r = agsim_api(s, "GET", path, NULL);
	expect_error(&r, 400, "invalid_request");
	r = agsim_api(s, "GET", "/v3/agents/" AGSIM_AGENT "/conversations?limit=101", NULL);
	expect_error(&r, 400, "invalid_request");
}

static void test_pages_changing_while_walked(void **state)
{
	struct simc *s = *state;
	static char ids[200][64], again[200][64];
	int n, m;

	cJSON_Delete(simc_ctl(s, "POST", "/_sim/seed", "{\"conversations\":50}"));
	/* Three conversations land in front of each of the next two page fetches. */
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/faults", "{\"pageChange\":2,\"pageInsert\":3}"));
	walk(s, 0, ids, &n, 200);
	/* The walk saw the 50 that were there, each once; not the new ones. */
	assert_int_equal(n, 50);
	assert_unique(ids, n);
	cJSON *f = simc_ctl(s, "GET", "/_sim/faults", "%s", "");
	assert_int_equal(int_at(f, "pageChange", NULL), 0);
	cJSON_Delete(f);

	/* A new walk from the top sees all 56, the new ones first. */
	walk(s, 0, again, &m, 200);
	assert_int_equal(m, 56);
	assert_unique(again, m);
	assert_string_equal(again[6], ids[0]);
}

static void test_faults_429_5xx_and_slow(void **state)
{
	struct simc *s = *state;
	struct simc_reply r;

	cJSON_Delete(simc_ctl(s, "POST", "/_sim/faults",
			      "{\"rateLimited\":2,\"retryAfter\":7,\"serverError\":1,"
			      "\"errorStatus\":503}"));
	for (int i = 0; i < 2; i++) {
		r = agsim_api(s, "POST", "/v3/agents/" AGSIM_AGENT "/interact",
			      "{\"conversationId\":\"hub-5\",\"message\":\"x\"}");
		assert_int_equal(r.retry_after, 7);
		expect_error(&r, 429, "rate_limited");
	}
	r = agsim_api(s, "POST", "/v3/agents/" AGSIM_AGENT "/interact",
		      "{\"conversationId\":\"hub-5\",\"message\":\"x\"}");
	expect_error(&r, 503, "internal_error");
	/* The refused calls did nothing: no conversation yet. */
	struct simc_reply g = agsim_api(s, "GET", "/v3/agents/" AGSIM_AGENT "/conversations/hub-5",
					NULL);
	expect_error(&g, 404, "not_found");
	r = agsim_api(s, "POST", "/v3/agents/" AGSIM_AGENT "/interact",
		      "{\"conversationId\":\"hub-5\",\"message\":\"x\"}");
	assert_int_equal(r.status, 200);
	assert_int_equal(r.retry_after, -1);
	simc_reply_free(&r);
	assert_int_equal(count_msgs(s, "hub-5", "api", "x"), 1);

	/* Slow: this answer late, the next one not. */
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/faults", "{\"slow\":1,\"delayMs\":400}"));
	r = agsim_api(s, "GET", "/v3/agents/" AGSIM_AGENT, NULL);
	assert_int_equal(r.status, 200);
	assert_true(r.elapsed_ms >= 400);
	simc_reply_free(&r);
	r = agsim_api(s, "GET", "/v3/agents/" AGSIM_AGENT, NULL);
	assert_true(r.elapsed_ms < 400);
	simc_reply_free(&r);

	/* The control interface is never faulted. */
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/faults", "{\"serverError\":5}"));
	cJSON_Delete(readback(s, "hub-5"));
	cJSON *st = simc_ctl(s, "GET", "/_sim/stats", "%s", "");
	assert_int_equal(int_at(st, "conversations", NULL), 1);
	cJSON_Delete(st);
}

static void hmac_hex(const char *secret, const char *body, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;

	HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)body, strlen(body),
	     md, &len);
	for (unsigned i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

static void test_webhooks_signed_and_duplicated(void **state)
{
	struct simc *s = *state;
	struct hookrx h;
	char sig[65];

	hookrx_listen(&h, AGSIM_SIGNATURE_HEADER);
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/webhook",
			      "{\"url\":\"http://127.0.0.1:%d/hook\",\"secret\":\"s3cret\"}", h.port));
	/* The user's message and the agent's answer. */
	cJSON_Delete(interact(s, "hub-1", "m-1", "hi"));
	assert_true(hookrx_wait(&h, 2, 5000));
	for (int i = 0; i < 2; i++) {
		hmac_hex("s3cret", h.bodies[i], sig);
		assert_non_null(h.signatures[i]);
		assert_string_equal(h.signatures[i], sig);
	}
	cJSON *ev = cJSON_Parse(h.bodies[1]);
	assert_string_equal(simc_str_at(ev, "type", NULL), "message.created");
	assert_string_equal(simc_str_at(ev, "conversationId", NULL), "hub-1");
	assert_string_equal(simc_str_at(ev, "agentId", NULL), AGSIM_AGENT);
	assert_string_equal(simc_str_at(simc_at(ev, "message", NULL), "role", NULL), "assistant");
	cJSON_Delete(ev);

	/* A state change, delivered twice with the same event id. */
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/faults", "{\"webhookTwice\":1}"));
	cJSON_Delete(set_state(s, "hub-1", "human"));
	assert_true(hookrx_wait(&h, 4, 5000));
	cJSON *a = cJSON_Parse(h.bodies[2]), *b = cJSON_Parse(h.bodies[3]);
	assert_string_equal(simc_str_at(a, "type", NULL), "conversation.state_changed");
	assert_string_equal(simc_str_at(a, "state", NULL), "human");
	assert_string_equal(simc_str_at(a, "id", NULL), simc_str_at(b, "id", NULL));
	cJSON_Delete(a);
	cJSON_Delete(b);
	/* Silent while human: the message alone, no answer. */
	cJSON_Delete(interact(s, "hub-1", "m-2", "anyone?"));
	assert_true(hookrx_wait(&h, 5, 5000));
	assert_false(hookrx_wait(&h, 6, 300));

	assert_int_equal(simc_webhooks_sent(s, 5, 5000), 5);
	hookrx_stop(&h);
}

/* The platform's own channel: with botAuto the agent answers its customers
 * and escalates one who asks for a human, then stays silent. */
static void test_bot_auto_answers_and_escalates(void **state)
{
	struct simc *s = *state;
	char conv[64], path[160];

	cJSON_Delete(simc_ctl(s, "POST", "/_sim/config", "{\"botAuto\":true}"));
	cJSON *j = simc_ctl(s, "POST", "/_sim/conversations", "{\"text\":\"where is my order?\"}");
	snprintf(conv, sizeof conv, "%s", simc_str_at(j, "conversationId", NULL));
	cJSON_Delete(j);
	snprintf(path, sizeof path, "/_sim/conversations/%s/customer", conv);
	cJSON_Delete(simc_ctl(s, "POST", path, "{\"text\":\"I want a human\"}"));
	cJSON_Delete(simc_ctl(s, "POST", path, "{\"text\":\"hello?\"}"));
	j = readback(s, conv);
	/* customer, agent, customer, the agent's handoff line, customer. */
	assert_int_equal(cJSON_GetArraySize(simc_at(j, "conversation", "messages")), 5);
	assert_string_equal(simc_str_at(simc_at(j, "conversation", NULL), "state", NULL), "escalated");
	assert_false(cJSON_IsTrue(simc_at(j, "botMaySpeak", NULL)));
	cJSON_Delete(j);
	assert_int_equal(count_msgs(s, conv, "ai", "Let me connect you with a human agent."), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_auth_and_errors, setup, simc_teardown),
		cmocka_unit_test(test_auth_header_setting),
		cmocka_unit_test_setup_teardown(test_get_client, setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_agent_create_edit_delete, setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_states_and_silence, setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_escalate_from_control, setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_interact_exactly_once_through_drop, setup,
						simc_teardown),
		cmocka_unit_test_setup_teardown(test_pagination_walks_every_item_once, setup,
						simc_teardown),
		cmocka_unit_test_setup_teardown(test_pages_changing_while_walked, setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_faults_429_5xx_and_slow, setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_webhooks_signed_and_duplicated, setup,
						simc_teardown),
		cmocka_unit_test_setup_teardown(test_bot_auto_answers_and_escalates, setup,
						simc_teardown),
	};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
