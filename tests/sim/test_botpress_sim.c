/*
 * test_botpress_sim.c — the Botpress simulator, run as a process on a
 * loopback port and driven over HTTP as the bridge will drive it: the
 * doc's headers and error objects, nextToken walks, get-or-create, the
 * handoff tag, the fault switches and the signed webhooks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "bp_client.h"

static int setup(void **state)
{
	return simc_setup(state, "BOTPRESS_SIM");
}

/* Start a conversation as the customer; its id into out. */
static void start_conv(struct simc *s, const char *text, char out[64])
{
	cJSON *j = simc_ctl(s, "POST", "/_sim/conversations", "{\"text\":\"%s\"}", text);
	snprintf(out, 64, "%s", simc_str_at(j, "conversationId", NULL));
	cJSON_Delete(j);
}

/* How many messages of a conversation came through the API (the agent). */
static int api_messages(struct simc *s, const char *conv, const char *text)
{
	char path[128];
	int n = 0;
	const cJSON *m;

	snprintf(path, sizeof path, "/_sim/conversations/%s", conv);
	cJSON *j = simc_ctl(s, "GET", path, "%s", "");
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(j, "messages"))
		if (strcmp(simc_str_at(m, "origin", NULL), "api") == 0 &&
		    strcmp(simc_str_at(m, "payload", "text"), text) == 0)
			n++;
	cJSON_Delete(j);
	return n;
}

static void expect_error(struct simc_reply *r, long status, const char *type)
{
	assert_int_equal(r->status, status);
	assert_string_equal(bpsim_error_type(r), type);
	/* The doc's error object: type, description, status. */
	assert_non_null(simc_str_at(r->json, "description", NULL));
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(r->json, "status");
	assert_true(cJSON_IsNumber(st) && st->valueint == status);
	simc_reply_free(r);
}

static void test_auth_and_errors(void **state)
{
	struct simc *s = *state;
	const char *no_auth[] = {"x-bot-id: " BPSIM_BOT, NULL};
	const char *bad_token[] = {"Authorization: Bearer nope", "x-bot-id: " BPSIM_BOT, NULL};
	const char *no_bot[] = {"Authorization: Bearer " BPSIM_TOKEN, NULL};
	const char *other_bot[] = {"Authorization: Bearer " BPSIM_TOKEN, "x-bot-id: another", NULL};
	const char *text_body[] = {"Authorization: Bearer " BPSIM_TOKEN, "x-bot-id: " BPSIM_BOT,
				   "Content-Type: text/plain", NULL};
	struct simc_reply r;

	r = simc_raw(s, "GET", "/v1/chat/conversations", no_auth, NULL);
	expect_error(&r, 401, "Unauthorized");
	r = simc_raw(s, "GET", "/v1/chat/conversations", bad_token, NULL);
	expect_error(&r, 401, "Unauthorized");
	r = simc_raw(s, "GET", "/v1/chat/conversations", no_bot, NULL);
	expect_error(&r, 400, "InvalidPayload");
	r = simc_raw(s, "GET", "/v1/chat/conversations", other_bot, NULL);
	expect_error(&r, 403, "Forbidden");
	r = simc_raw(s, "POST", "/v1/chat/users", text_body, "{}");
	expect_error(&r, 415, "UnsupportedMediaType");
	r = bpsim_api(s, "POST", "/v1/chat/users", "{not json");
	expect_error(&r, 400, "InvalidPayload");
	r = bpsim_api(s, "GET", "/v1/chat/conversations/conv_0000000000000000", NULL);
	expect_error(&r, 404, "ResourceNotFound");
	r = bpsim_api(s, "DELETE", "/v1/chat/users/get-or-create", NULL);
	expect_error(&r, 405, "MethodNotFound");
	r = bpsim_api(s, "POST", "/v1/chat/messages",
		      "{\"conversationId\":\"conv_0000000000000000\",\"userId\":\"" BPSIM_BOT
		      "\",\"type\":\"text\",\"payload\":{\"text\":\"x\"}}");
	expect_error(&r, 400, "ReferenceNotFound");
	r = bpsim_api(s, "GET", "/v1/chat/conversations?nextToken=garbage", NULL);
	expect_error(&r, 400, "InvalidQuery");

	/* With both headers right, the list answers. */
	r = bpsim_api(s, "GET", "/v1/chat/conversations", NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(cJSON_GetObjectItemCaseSensitive(r.json, "conversations"));
	simc_reply_free(&r);
}

/* Walk a list to its end; every id goes into ids[] (most recent first).
 * Returns the number of pages. */
static int walk(struct simc *s, const char *path, const char *key, char ids[][64], int *n,
		int max)
{
	char url[512];
	char *token = NULL;
	int pages = 0;

	*n = 0;
	do {
		if (token) {
			char *enc = simc_urlencode(token);
			snprintf(url, sizeof url, "%s%snextToken=%s", path,
				 strchr(path, '?') ? "&" : "?", enc);
			free(enc);
		} else {
			snprintf(url, sizeof url, "%s", path);
		}
		free(token);
		token = NULL;
		struct simc_reply r = bpsim_api(s, "GET", url, NULL);
		assert_int_equal(r.status, 200);
		const cJSON *it;
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(r.json, key)) {
			assert_true(*n < max);
			snprintf(ids[(*n)++], 64, "%s", simc_str_at(it, "id", NULL));
		}
		const char *t = simc_str_at(r.json, "meta", "nextToken");
		if (t)
			token = strdup(t);
		simc_reply_free(&r);
		pages++;
	} while (token);
	return pages;
}

static void assert_unique(char ids[][64], int n)
{
	for (int i = 0; i < n; i++)
		for (int k = i + 1; k < n; k++)
			assert_string_not_equal(ids[i], ids[k]);
}

/* Read from fd until `want` answers ("HTTP/1.1 ") have fully arrived or
 * the deadline passes; returns how many arrived. */
static int read_answers(int fd, char *buf, size_t cap, int want)
{
	size_t n = 0;
	long long deadline = simc_now_ms() + 5000;
	int got = 0;

	while (got < want && simc_now_ms() < deadline) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 100) <= 0)
			continue;
		ssize_t r = read(fd, buf + n, cap - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
		buf[n] = '\0';
		/* Each answer here ends with its JSON body's closing brace. */
		got = 0;
		for (const char *p2 = buf; (p2 = strstr(p2, "HTTP/1.1 200")) != NULL; p2++)
			got++;
		if (got == want && buf[n - 1] != '}')
			got--;
	}
	return got;
}

static void test_keep_alive_and_pipelining(void **state)
{
	struct simc *s = *state;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)s->port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	static const char get[] = "GET /v1/chat/conversations HTTP/1.1\r\nHost: sim\r\n"
				  "Authorization: Bearer " BPSIM_TOKEN "\r\n"
				  "x-bot-id: " BPSIM_BOT "\r\n\r\n";
	static const char post_head[] = "POST /v1/chat/users HTTP/1.1\r\nHost: sim\r\n"
					"Authorization: Bearer " BPSIM_TOKEN "\r\n"
					"x-bot-id: " BPSIM_BOT "\r\n"
					"Content-Type: application/json\r\n"
					"Content-Length: 14\r\n\r\n{\"name\":";
	char buf[8192];
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	/* Two requests in one write: two answers, in order. */
	char two[sizeof get * 2];
	snprintf(two, sizeof two, "%s%s", get, get);
	assert_int_equal(write(fd, two, strlen(two)), (ssize_t)strlen(two));
	assert_int_equal(read_answers(fd, buf, sizeof buf, 2), 2);
	/* The same connection again, a body arriving in two pieces. */
	assert_int_equal(write(fd, post_head, strlen(post_head)), (ssize_t)strlen(post_head));
	assert_int_equal(write(fd, "\"Ann\"}", 6), 6);
	assert_int_equal(read_answers(fd, buf, sizeof buf, 1), 1);
	assert_non_null(strstr(buf, "\"name\":\"Ann\""));
	close(fd);
}

static void test_pagination_walks_every_item_once(void **state)
{
	struct simc *s = *state;
	static char ids[200][64];
	char first[64], last[64];
	int n;

	start_conv(s, "the oldest", first);
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/seed", "{\"conversations\":43}"));
	start_conv(s, "the newest", last);

	/* 45 conversations, the doc's 20 a page: 20, 20, 5, then no token. */
	assert_int_equal(walk(s, "/v1/chat/conversations", "conversations", ids, &n, 200),
			 3);
	assert_int_equal(n, 45);
	assert_unique(ids, n);
	assert_string_equal(ids[0], last);       /* most recent first */
	assert_string_equal(ids[44], first);

	/* Messages of one conversation, most recent first, across pages. */
	char path[128];
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/config", "{\"pageSize\":3}"));
	/* A config with one bad key changes nothing, the good key neither. */
	assert_int_equal(simc_ctl_status(s, "/_sim/config", "{\"pageSize\":2,\"botAuto\":\"yes\"}"),
			 400);
	assert_int_equal(simc_ctl_status(s, "/_sim/config", "{\"pageSize\":1001}"), 400);
	for (int i = 0; i < 6; i++) {
		snprintf(path, sizeof path, "/_sim/conversations/%s/customer", first);
		cJSON_Delete(simc_ctl(s, "POST", path, "{\"text\":\"more %d\"}", i));
	}
	snprintf(path, sizeof path, "/v1/chat/messages?conversationId=%s", first);
	assert_int_equal(walk(s, path, "messages", ids, &n, 200), 3);
	assert_int_equal(n, 7);
	assert_unique(ids, n);
	struct simc_reply r = bpsim_api(s, "GET", path, NULL);
	assert_string_equal(simc_str_at(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r.json,
		"messages"), 0), "payload", "text"), "more 5");
	simc_reply_free(&r);

	/* A token sent without URL-encoding ('+' reads as a space) is refused. */
	r = bpsim_api(s, "GET", "/v1/chat/conversations", NULL);
	snprintf(path, sizeof path, "/v1/chat/conversations?nextToken=%s",
		 simc_str_at(r.json, "meta", "nextToken"));
	simc_reply_free(&r);
	r = bpsim_api(s, "GET", path, NULL);
	expect_error(&r, 400, "InvalidQuery");

	/* Events page the same way. */
	assert_true(walk(s, "/v1/chat/events", "events", ids, &n, 200) > 1);
	assert_unique(ids, n);
}

static void test_pages_changing_while_walked(void **state)
{
	struct simc *s = *state;
	static char ids[200][64], again[200][64];
	int n, m;

	cJSON_Delete(simc_ctl(s, "POST", "/_sim/seed", "{\"conversations\":50}"));
	/* Three records land in front of each of the next two page fetches. */
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/faults", "{\"pageChange\":2,\"pageInsert\":3}"));
	walk(s, "/v1/chat/conversations", "conversations", ids, &n, 200);
	/* The walk saw the 50 that were there, each once; not the new ones. */
	assert_int_equal(n, 50);
	assert_unique(ids, n);

	/* A new walk from the top sees all 56. */
	walk(s, "/v1/chat/conversations", "conversations", again, &m, 200);
	assert_int_equal(m, 56);
	assert_unique(again, m);
	assert_string_equal(again[6], ids[0]);
}

static void test_get_or_create_is_idempotent(void **state)
{
	struct simc *s = *state;
	char conv[64], body[512], agent[64];
	struct simc_reply r;

	start_conv(s, "I need help", conv);

	/* The agent's user: the same tags give the same user. */
	r = bpsim_api(s, "POST", "/v1/chat/users/get-or-create",
		      "{\"tags\":{\"handoff:agent\":\"7\"},\"name\":\"Agent Smith\"}");
	assert_int_equal(r.status, 200);
	snprintf(agent, sizeof agent, "%s", simc_str_at(r.json, "user", "id"));
	simc_reply_free(&r);
	r = bpsim_api(s, "POST", "/v1/chat/users/get-or-create",
		      "{\"tags\":{\"handoff:agent\":\"7\"},\"name\":\"Agent Smith\"}");
	assert_string_equal(simc_str_at(r.json, "user", "id"), agent);
	simc_reply_free(&r);

	snprintf(body, sizeof body,
		 "{\"conversationId\":\"%s\",\"userId\":\"%s\",\"type\":\"text\","
		 "\"payload\":{\"text\":\"Hello, I am Smith\"},\"tags\":{\"handoff:id\":\"m-1\"}}",
		 conv, agent);
	r = bpsim_api(s, "POST", "/v1/chat/messages/get-or-create", body);
	assert_int_equal(r.status, 200);
	char first[64];
	snprintf(first, sizeof first, "%s", simc_str_at(r.json, "message", "id"));
	assert_string_equal(simc_str_at(r.json, "message", "direction"), "outgoing");
	assert_string_equal(simc_str_at(r.json, "message", "userId"), agent);
	simc_reply_free(&r);
	r = bpsim_api(s, "POST", "/v1/chat/messages/get-or-create", body);
	assert_string_equal(simc_str_at(r.json, "message", "id"), first);
	simc_reply_free(&r);
	assert_int_equal(api_messages(s, conv, "Hello, I am Smith"), 1);

	/* Another tag value is another message. */
	snprintf(body, sizeof body,
		 "{\"conversationId\":\"%s\",\"userId\":\"%s\",\"type\":\"text\","
		 "\"payload\":{\"text\":\"Hello, I am Smith\"},\"tags\":{\"handoff:id\":\"m-2\"}}",
		 conv, agent);
	r = bpsim_api(s, "POST", "/v1/chat/messages/get-or-create", body);
	assert_string_not_equal(simc_str_at(r.json, "message", "id"), first);
	simc_reply_free(&r);
	assert_int_equal(api_messages(s, conv, "Hello, I am Smith"), 2);

	/* The message list filters by tag. */
	char path[256];
	snprintf(path, sizeof path, "/v1/chat/messages?conversationId=%s&tags%%5Bhandoff%%3Aid%%5D=m-1",
		 conv);
	r = bpsim_api(s, "GET", path, NULL);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.json, "messages")), 1);
	simc_reply_free(&r);
}

static void test_handoff_tag_silences_the_bot(void **state)
{
	struct simc *s = *state;
	char conv[64], path[160], put[160];
	struct simc_reply r;

	start_conv(s, "hi bot", conv);
	snprintf(path, sizeof path, "/_sim/conversations/%s/bot", conv);
	snprintf(put, sizeof put, "/v1/chat/conversations/%s", conv);
	cJSON_Delete(simc_ctl(s, "POST", path, "{\"text\":\"hello human\"}"));

	/* The bot escalates: the tag shows, and the tag filter finds it. */
	snprintf(path, sizeof path, "/_sim/conversations/%s/escalate", conv);
	cJSON_Delete(simc_ctl(s, "POST", path, "{\"text\":\"Let me find you a person\"}"));
	r = bpsim_api(s, "GET", put, NULL);
	assert_string_equal(simc_str_at(cJSON_GetObjectItemCaseSensitive(r.json, "conversation"),
				   "tags", "handoff"), "requested");
	simc_reply_free(&r);
	r = bpsim_api(s, "GET", "/v1/chat/conversations?tags%5Bhandoff%5D=requested", NULL);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.json,
				"conversations")), 1);
	simc_reply_free(&r);

	/* An agent takes over: the bot stays silent. */
	r = bpsim_api(s, "PUT", put, "{\"tags\":{\"handoff\":\"human\"}}");
	assert_int_equal(r.status, 200);
	simc_reply_free(&r);
	snprintf(path, sizeof path, "/_sim/conversations/%s/bot", conv);
	static const char *const json[] = {"Content-Type: application/json", NULL};
	r = simc_raw(s, "POST", path, json, "{\"text\":\"I am still here\"}");
	assert_int_equal(r.status, 409);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r.json, "silent")));
	simc_reply_free(&r);

	/* Handed back (the tag unset with an empty value): the bot speaks. */
	r = bpsim_api(s, "PUT", put, "{\"tags\":{\"handoff\":\"\"}}");
	assert_null(simc_str_at(cJSON_GetObjectItemCaseSensitive(r.json, "conversation"), "tags",
			   "handoff"));
	simc_reply_free(&r);
	cJSON_Delete(simc_ctl(s, "POST", path, "{\"text\":\"back again\"}"));

	/* States hold a payload per conversation and name. */
	snprintf(path, sizeof path, "/v1/chat/states/conversation/%s/handoff", conv);
	r = bpsim_api(s, "GET", path, NULL);
	expect_error(&r, 404, "ResourceNotFound");
	r = bpsim_api(s, "POST", path, "{\"payload\":{\"holder\":\"agent-7\"}}");
	assert_int_equal(r.status, 200);
	simc_reply_free(&r);
	r = bpsim_api(s, "PATCH", path, "{\"payload\":{\"since\":\"now\"}}");
	assert_string_equal(simc_str_at(cJSON_GetObjectItemCaseSensitive(r.json, "state"), "payload",
				   "holder"), "agent-7");
	assert_string_equal(simc_str_at(cJSON_GetObjectItemCaseSensitive(r.json, "state"), "payload",
				   "since"), "now");
	assert_string_equal(simc_str_at(r.json, "state", "conversationId"), conv);
	simc_reply_free(&r);
}

static void test_faults_429_and_5xx(void **state)
{
	struct simc *s = *state;
	struct simc_reply r;

	cJSON_Delete(simc_ctl(s, "POST", "/_sim/faults",
			       "{\"rateLimited\":2,\"retryAfter\":7,\"serverError\":1,"
			       "\"errorStatus\":503}"));
	for (int i = 0; i < 2; i++) {
		r = bpsim_api(s, "POST", "/v1/chat/users", "{\"name\":\"x\"}");
		assert_int_equal(r.retry_after, 7);
		expect_error(&r, 429, "RateLimited");
	}
	r = bpsim_api(s, "POST", "/v1/chat/users", "{\"name\":\"x\"}");
	expect_error(&r, 503, "Internal");
	r = bpsim_api(s, "POST", "/v1/chat/users", "{\"name\":\"x\"}");
	assert_int_equal(r.status, 200);
	assert_int_equal(r.retry_after, -1);
	simc_reply_free(&r);

	/* The refused requests did nothing: one user exists. */
	r = bpsim_api(s, "GET", "/v1/chat/users", NULL);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.json, "users")), 1);
	simc_reply_free(&r);

	/* The control interface is never faulted. */
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/faults", "{\"serverError\":5}"));
	cJSON *f = simc_ctl(s, "GET", "/_sim/faults", "%s", "");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(f, "serverError")->valueint, 5);
	cJSON_Delete(f);
}

static void test_fault_drop_after_the_work(void **state)
{
	struct simc *s = *state;
	char conv[64], body[512];
	struct simc_reply r;

	start_conv(s, "hello", conv);
	snprintf(body, sizeof body,
		 "{\"conversationId\":\"%s\",\"userId\":\"" BPSIM_BOT "\",\"type\":\"text\","
		 "\"payload\":{\"text\":\"reply once\"},\"tags\":{\"hub\":\"42\"}}", conv);
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/faults", "{\"drop\":1}"));
	r = bpsim_api(s, "POST", "/v1/chat/messages/get-or-create", body);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.curl_code, CURLE_GOT_NOTHING);
	simc_reply_free(&r);
	/* The work was done; the retry finds it instead of posting again. */
	r = bpsim_api(s, "POST", "/v1/chat/messages/get-or-create", body);
	assert_int_equal(r.status, 200);
	simc_reply_free(&r);
	assert_int_equal(api_messages(s, conv, "reply once"), 1);
}

/* The API's list, for the slow fault. */
static struct simc_reply list_conversations(struct simc *s)
{
	return bpsim_api(s, "GET", "/v1/chat/conversations", NULL);
}

static void test_fault_slow(void **state)
{
	simc_expect_slow_once(*state, list_conversations);
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
	char conv[64], path[160], sig[65];

	hookrx_listen(&h, BPSIM_SIGNATURE_HEADER);
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/webhook",
			       "{\"url\":\"http://127.0.0.1:%d/hook\",\"secret\":\"s3cret\"}", h.port));
	start_conv(s, "hi", conv);
	/* conversation_created, then message_created. */
	assert_true(hookrx_wait(&h, 2, 5000));
	for (int i = 0; i < 2; i++) {
		hmac_hex("s3cret", h.bodies[i], sig);
		assert_non_null(h.signatures[i]);
		assert_string_equal(h.signatures[i], sig);
	}
	cJSON *ev = cJSON_Parse(h.bodies[1]);
	assert_string_equal(simc_str_at(ev, "type", NULL), "message_created");
	assert_string_equal(simc_str_at(ev, "payload", "conversationId"), conv);
	cJSON_Delete(ev);

	/* The next event is delivered twice, the same event id both times. */
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/faults", "{\"webhookTwice\":1}"));
	snprintf(path, sizeof path, "/_sim/conversations/%s/customer", conv);
	cJSON_Delete(simc_ctl(s, "POST", path, "{\"text\":\"again\"}"));
	assert_true(hookrx_wait(&h, 4, 5000));
	cJSON *a = cJSON_Parse(h.bodies[2]), *b = cJSON_Parse(h.bodies[3]);
	assert_string_equal(simc_str_at(a, "id", NULL), simc_str_at(b, "id", NULL));
	assert_string_equal(simc_str_at(a, "payload", "conversationId"), conv);
	cJSON_Delete(a);
	cJSON_Delete(b);
	cJSON_Delete(simc_ctl(s, "POST", path, "{\"text\":\"once more\"}"));
	assert_true(hookrx_wait(&h, 5, 5000));
	assert_false(hookrx_wait(&h, 6, 300));

	assert_int_equal(simc_webhooks_sent(s, 5, 5000), 5);
	hookrx_stop(&h);
}

static void test_bot_auto_answers_and_escalates(void **state)
{
	struct simc *s = *state;
	char conv[64], path[160];

	cJSON_Delete(simc_ctl(s, "POST", "/_sim/config", "{\"botAuto\":true}"));
	start_conv(s, "where is my order?", conv);
	snprintf(path, sizeof path, "/_sim/conversations/%s/customer", conv);
	cJSON_Delete(simc_ctl(s, "POST", path, "{\"text\":\"I want a human\"}"));
	snprintf(path, sizeof path, "/_sim/conversations/%s", conv);
	cJSON *j = simc_ctl(s, "GET", path, "%s", "");
	/* customer, bot, customer, bot's handoff line; then silence. */
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "messages")), 4);
	assert_string_equal(simc_str_at(cJSON_GetObjectItemCaseSensitive(j, "conversation"), "tags",
				   "handoff"), "requested");
	assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "botMaySpeak")));
	cJSON_Delete(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_auth_and_errors, setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_keep_alive_and_pipelining, setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_pagination_walks_every_item_once, setup,
						simc_teardown),
		cmocka_unit_test_setup_teardown(test_pages_changing_while_walked, setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_get_or_create_is_idempotent, setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_handoff_tag_silences_the_bot, setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_faults_429_and_5xx, setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_fault_drop_after_the_work, setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_fault_slow, setup, simc_teardown),
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
