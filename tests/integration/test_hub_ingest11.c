/*
 * test_hub_ingest11.c — protocol v1.1 for bridges against a real handoffd:
 * ingest idempotency by external_message_id (one message, one set of
 * events, also when duplicates race) and a chat's source (in answers,
 * lists, events and the source filter); v1 requests work as before.
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
#define RACERS  12

static struct hub hub;
static char ana[HUB_TOKEN_MAX], bridge[HUB_TOKEN_MAX], other_bridge[HUB_TOKEN_MAX];
static char bridge_id[37];

static const cJSON *at(const cJSON *j, const char *path)
{
	char buf[128];
	snprintf(buf, sizeof buf, "%s", path);
	const cJSON *cur = j;
	for (char *p = strtok(buf, "."); p && cur; p = strtok(NULL, "."))
		cur = cJSON_GetObjectItemCaseSensitive(cur, p);
	return cur;
}

/* The string at `path`, or NULL. */
static const char *opt_str(const cJSON *j, const char *path)
{
	const cJSON *v = at(j, path);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The string at `path`; the test fails when there is none. */
static const char *str(const cJSON *j, const char *path)
{
	const char *s = opt_str(j, path);
	if (!s)
		fail_msg("%s is not a string", path);
	return s;
}

static long long num(const cJSON *j, const char *path)
{
	const cJSON *v = at(j, path);
	if (!cJSON_IsNumber(v))
		fail_msg("%s is not a number", path);
	return (long long)v->valuedouble;
}

static const struct account accounts[] = {
	{"Ana", "agent", ana},
	{"Botpress bridge", "ingest", bridge},
	{"Other bridge", "ingest", other_bridge},
	{NULL},
};

static int setup(void **state)
{
	hub_up(&hub, accounts);
	hub_account_id(&hub, bridge, bridge_id);
	*state = &hub;
	return 0;
}

/* POST one ingest body as `token`, expecting `status`. */
static struct reply post_ingest(const char *token, const char *body, long status)
{
	struct reply r = http(&hub, "POST", "/v1/ingest/messages", token, body);
	expect_status(&r, status);
	return r;
}

/* An ingest body for conversation `conv`, message `msg` (NULL: no
 * external_message_id), platform label `platform` (NULL: no source). */
static char *ingest_body(const char *conv, const char *msg, const char *platform,
			 const char *text, bool escalate)
{
	cJSON *b = cJSON_CreateObject();
	if (conv)
		cJSON_AddStringToObject(b, "external_id", conv);
	if (msg)
		cJSON_AddStringToObject(b, "external_message_id", msg);
	if (platform)
		cJSON_AddStringToObject(cJSON_AddObjectToObject(b, "source"), "platform", platform);
	cJSON_AddStringToObject(b, "role", "user");
	cJSON_AddStringToObject(b, "text", text);
	cJSON_AddBoolToObject(b, "escalate", escalate);
	char *s = cJSON_PrintUnformatted(b);
	cJSON_Delete(b);
	return s;
}

static struct reply ingest_msg(const char *token, const char *conv, const char *msg,
			       const char *platform, const char *text, bool escalate, long status)
{
	char *body = ingest_body(conv, msg, platform, text, escalate);
	struct reply r = post_ingest(token, body, status);
	free(body);
	return r;
}

/* Connect to the event stream and consume the hello. */
static void connect_stream(struct ws *w, const char *token, char me_id[37])
{
	assert_true(ws_connect(w, &hub, token, NULL, NULL));
	cJSON *hello = ws_next(w, WAIT_MS);
	assert_non_null(hello);
	assert_string_equal(str(hello, "type"), "hello");
	if (me_id)
		snprintf(me_id, 37, "%s", str(hello, "me.id"));
	cJSON_Delete(hello);
}

/* The next event, which must be of `type`; caller deletes. */
static cJSON *next_event(struct ws *w, const char *type)
{
	cJSON *e = ws_next(w, WAIT_MS);
	assert_non_null(e);
	assert_string_equal(str(e, "type"), type);
	return e;
}

/* How many messages of the chat contain `needle`. */
static int count_in_thread(const char *chat_id, const char *needle)
{
	char path[128];
	snprintf(path, sizeof path, "/v1/chats/%s/messages?limit=100", chat_id);
	struct reply r = http(&hub, "GET", path, ana, NULL);
	const cJSON *list = at(expect_status(&r, 200), "messages"), *m;
	int n = 0;
	cJSON_ArrayForEach(m, list)
	{
		const char *t = opt_str(m, "text"), *s = opt_str(m, "system_type");
		n += (t && strstr(t, needle)) || (s && strcmp(s, needle) == 0);
	}
	reply_free(&r);
	return n;
}

static void test_same_external_message_id_twice_stores_one_and_emits_nothing(void **state)
{
	(void)state;
	struct ws w;
	connect_stream(&w, ana, NULL);

	struct reply first = ingest_msg(bridge, "bp-conv-1", "bp-msg-1", "botpress", "hello there",
					true, 201);
	char chat_id[37], msg_id[37];
	snprintf(chat_id, sizeof chat_id, "%s", str(first.json, "chat.id"));
	snprintf(msg_id, sizeof msg_id, "%s", str(first.json, "message.id"));
	assert_string_equal(str(first.json, "message.external_message_id"), "bp-msg-1");
	/* chat.created, the customer's message, the escalation notice */
	cJSON_Delete(next_event(&w, "chat.created"));
	cJSON *e = next_event(&w, "message.created");
	assert_string_equal(str(e, "message.id"), msg_id);
	assert_string_equal(str(e, "message.external_message_id"), "bp-msg-1");
	cJSON_Delete(e);
	e = next_event(&w, "message.created");
	assert_string_equal(str(e, "message.system_type"), "CONVERSATION_ESCALATED");
	long long version = num(at(e, "chat"), "version");
	cJSON_Delete(e);

	/* the retry, even with other text: 200 with the first message */
	struct reply again = ingest_msg(bridge, "bp-conv-1", "bp-msg-1", "botpress",
					"hello there (resent)", true, 200);
	assert_string_equal(str(again.json, "message.id"), msg_id);
	assert_string_equal(str(again.json, "message.text"), "hello there");
	assert_string_equal(str(again.json, "message.external_message_id"), "bp-msg-1");
	assert_string_equal(str(again.json, "chat.id"), chat_id);
	assert_int_equal(num(again.json, "chat.version"), version);
	assert_int_equal(num(again.json, "chat.message_count"), 2);
	reply_free(&again);
	reply_free(&first);

	/* No event for the retry: the next one is the marker's. */
	struct reply marker = ingest_msg(bridge, "bp-conv-1", "bp-msg-2", "botpress", "marker",
					 false, 201);
	e = next_event(&w, "message.created");
	assert_string_equal(str(e, "message.text"), "marker");
	assert_int_equal(num(at(e, "chat"), "version"), version + 1);
	cJSON_Delete(e);
	reply_free(&marker);
	ws_close(&w);

	assert_int_equal(count_in_thread(chat_id, "hello there"), 1);
	assert_int_equal(count_in_thread(chat_id, "CONVERSATION_ESCALATED"), 1);
}

/* A retried escalating message after a handback does not escalate again:
 * it is the same platform message, already handled. */
static void test_duplicate_never_escalates_twice(void **state)
{
	(void)state;
	struct reply r = ingest_msg(bridge, "bp-conv-esc", "m-1", "botpress", "human please", true,
				    201);
	char chat_id[37], path[128];
	snprintf(chat_id, sizeof chat_id, "%s", str(r.json, "chat.id"));
	assert_true(cJSON_IsTrue(at(r.json, "chat.escalated")));
	reply_free(&r);

	snprintf(path, sizeof path, "/v1/chats/%s/takeover", chat_id);
	r = http(&hub, "POST", path, ana, NULL);
	expect_status(&r, 200);
	reply_free(&r);
	snprintf(path, sizeof path, "/v1/chats/%s/handback", chat_id);
	r = http(&hub, "POST", path, ana, NULL);
	assert_false(cJSON_IsTrue(at(expect_status(&r, 200), "escalated")));
	reply_free(&r);

	r = ingest_msg(bridge, "bp-conv-esc", "m-1", "botpress", "human please", true, 200);
	assert_false(cJSON_IsTrue(at(r.json, "chat.escalated")));
	reply_free(&r);
	assert_int_equal(count_in_thread(chat_id, "CONVERSATION_ESCALATED"), 1);
}

/* The retry of a stored message is answered even once the chat is stopped
 * (the bridge must learn the hub's id); a new message is refused. */
static void test_retry_on_a_stopped_chat_answers_the_first(void **state)
{
	(void)state;
	struct reply r = ingest_msg(bridge, "bp-conv-stop", "m-1", NULL, "bye", false, 201);
	char chat_id[37], msg_id[37], path[128];
	snprintf(chat_id, sizeof chat_id, "%s", str(r.json, "chat.id"));
	snprintf(msg_id, sizeof msg_id, "%s", str(r.json, "message.id"));
	reply_free(&r);
	snprintf(path, sizeof path, "/v1/chats/%s/stop", chat_id);
	r = http(&hub, "POST", path, ana, NULL);
	expect_status(&r, 200);
	reply_free(&r);

	r = ingest_msg(bridge, "bp-conv-stop", "m-1", NULL, "bye", false, 200);
	assert_string_equal(str(r.json, "message.id"), msg_id);
	reply_free(&r);
	r = ingest_msg(bridge, "bp-conv-stop", "m-2", NULL, "still there?", false, 409);
	reply_free(&r);
}

/* The id is unique per (ingest account, chat): the same id in another chat,
 * or from another account in the same chat, is another message. */
static void test_scope_is_account_and_chat(void **state)
{
	(void)state;
	struct reply a = ingest_msg(bridge, "bp-scope-a", "same-id", NULL, "in a", false, 201);
	struct reply b = ingest_msg(bridge, "bp-scope-b", "same-id", NULL, "in b", false, 201);
	assert_string_not_equal(str(a.json, "message.id"), str(b.json, "message.id"));
	struct reply c = ingest_msg(other_bridge, "bp-scope-a", "same-id", NULL, "other", false, 201);
	assert_string_equal(str(c.json, "chat.id"), str(a.json, "chat.id"));
	assert_string_not_equal(str(c.json, "message.id"), str(a.json, "message.id"));

	/* the same by chat_id instead of external_id */
	char body[256];
	snprintf(body, sizeof body,
		 "{\"chat_id\":\"%s\",\"external_message_id\":\"same-id\",\"role\":\"user\","
		 "\"text\":\"by chat id\"}",
		 str(a.json, "chat.id"));
	struct reply d = post_ingest(bridge, body, 200);
	assert_string_equal(str(d.json, "message.id"), str(a.json, "message.id"));
	reply_free(&a);
	reply_free(&b);
	reply_free(&c);
	reply_free(&d);
}

/* ---- racing duplicates ---------------------------------------------------- */

/* RACERS copies of one ingest on the wire at once; statuses and message
 * ids back. */
static void ingest_all_at_once(const char *body, long statuses[], char ids[][37])
{
	const char *tokens[RACERS];
	struct reply r[RACERS];

	for (int i = 0; i < RACERS; i++)
		tokens[i] = bridge;
	http_all_at_once(&hub, "POST", "/v1/ingest/messages", body, RACERS, tokens, r);
	for (int i = 0; i < RACERS; i++) {
		const char *id = opt_str(r[i].json, "message.id");
		statuses[i] = r[i].status;
		snprintf(ids[i], 37, "%s", id ? id : "");
		reply_free(&r[i]);
	}
}

/* Racing copies of one message, first into an existing chat, then as the
 * opening message of a new chat: one 201, the rest 200 with the same
 * message, and one message stored. */
static void test_racing_duplicates_store_exactly_one(void **state)
{
	(void)state;
	struct reply r = ingest_msg(bridge, "bp-race", "open", NULL, "opening", false, 201);
	char chat_id[37];
	snprintf(chat_id, sizeof chat_id, "%s", str(r.json, "chat.id"));
	reply_free(&r);

	const char *convs[] = {"bp-race", "bp-race-new"};
	for (size_t k = 0; k < 2; k++) {
		char *body = ingest_body(convs[k], "raced-1", NULL, "raced words", false);
		long statuses[RACERS];
		char ids[RACERS][37];
		ingest_all_at_once(body, statuses, ids);
		free(body);
		int created = 0;
		for (int i = 0; i < RACERS; i++) {
			assert_true(statuses[i] == 200 || statuses[i] == 201);
			created += statuses[i] == 201;
			assert_string_equal(ids[i], ids[0]);
		}
		assert_int_equal(created, 1);
	}
	assert_int_equal(count_in_thread(chat_id, "raced words"), 1);
	r = http(&hub, "GET", "/v1/chats?q=raced%20words", ana, NULL);
	assert_int_equal(num(expect_status(&r, 200), "meta.total"), 2);
	reply_free(&r);
}

/* ---- source --------------------------------------------------------------- */

static void expect_source(const cJSON *chat, const char *platform)
{
	if (platform)
		assert_string_equal(str(chat, "source.platform"), platform);
	else
		assert_true(cJSON_IsNull(at(chat, "source.platform")));
	assert_string_equal(str(chat, "source.account.id"), bridge_id);
	assert_string_equal(str(chat, "source.account.name"), "Botpress bridge");
}

/* The source is set by the ingest that creates the chat and shown
 * everywhere the chat is: the answer, GET, the list and events. The
 * bridge's own stream shows it too, so it can tell its chats (account id
 * = its hello's me.id). */
static void test_source_round_trips(void **state)
{
	(void)state;
	struct ws agent, own;
	char me_id[37];
	connect_stream(&agent, ana, NULL);
	connect_stream(&own, bridge, me_id);
	assert_string_equal(me_id, bridge_id);

	struct reply r = ingest_msg(bridge, "src-1", NULL, "botpress", "from botpress", false, 201);
	char chat_id[37], path[128];
	snprintf(chat_id, sizeof chat_id, "%s", str(r.json, "chat.id"));
	expect_source(at(r.json, "chat"), "botpress");
	reply_free(&r);

	struct ws *streams[] = {&agent, &own};
	for (int i = 0; i < 2; i++) {
		cJSON *e = next_event(streams[i], "chat.created");
		expect_source(at(e, "chat"), "botpress");
		cJSON_Delete(e);
		e = next_event(streams[i], "message.created");
		expect_source(at(e, "chat"), "botpress");
		cJSON_Delete(e);
		ws_close(streams[i]);
	}

	snprintf(path, sizeof path, "/v1/chats/%s", chat_id);
	r = http(&hub, "GET", path, ana, NULL);
	expect_source(expect_status(&r, 200), "botpress");
	reply_free(&r);

	/* set only at creation: a later ingest naming another platform changes nothing */
	r = ingest_msg(bridge, "src-1", NULL, "intercom", "again", false, 201);
	expect_source(at(r.json, "chat"), "botpress");
	reply_free(&r);

	/* no source on the request: the account alone */
	r = ingest_msg(bridge, "src-none", NULL, NULL, "no platform", false, 201);
	expect_source(at(r.json, "chat"), NULL);
	reply_free(&r);
}

static bool list_has(const cJSON *list, const char *id)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, list)
	{
		if (strcmp(str(c, "id"), id) == 0)
			return true;
	}
	return false;
}

/* ?source= lists exactly that platform's chats, also across pages while
 * chats change (the walk reads event rows for those). */
static void test_source_filter(void **state)
{
	(void)state;
	char ids[3][37], other[37];
	for (int i = 0; i < 3; i++) {
		char conv[32];
		snprintf(conv, sizeof conv, "flt-zendesk-%d", i);
		struct reply r = ingest_msg(bridge, conv, NULL, "zendesk", "hi", false, 201);
		snprintf(ids[i], sizeof ids[i], "%s", str(r.json, "chat.id"));
		reply_free(&r);
	}
	struct reply r = ingest_msg(bridge, "flt-other", NULL, "intercom", "hi", false, 201);
	snprintf(other, sizeof other, "%s", str(r.json, "chat.id"));
	reply_free(&r);

	r = http(&hub, "GET", "/v1/chats?source=zendesk", ana, NULL);
	const cJSON *page = expect_status(&r, 200);
	assert_int_equal(num(page, "meta.total"), 3);
	for (int i = 0; i < 3; i++)
		assert_true(list_has(at(page, "chats"), ids[i]));
	assert_false(list_has(at(page, "chats"), other));
	reply_free(&r);

	/* one chat per page; after the first page the newest chat gets a
	 * message, which moves it in the sort: the walk still returns each
	 * of the three once and nothing else */
	int seen[3] = {0}, pages = 0;
	char cursor[512] = "";
	do {
		char path[700];
		snprintf(path, sizeof path, "/v1/chats?source=zendesk&limit=1%s%s",
			 cursor[0] ? "&cursor=" : "", cursor);
		r = http(&hub, "GET", path, ana, NULL);
		const cJSON *p = expect_status(&r, 200), *c;
		cJSON_ArrayForEach(c, at(p, "chats"))
		{
			int hit = 0;
			for (int i = 0; i < 3; i++)
				if (strcmp(str(c, "id"), ids[i]) == 0)
					seen[i]++, hit = 1;
			assert_true(hit);
		}
		const char *next = opt_str(p, "meta.next_cursor");
		snprintf(cursor, sizeof cursor, "%s", next ? next : "");
		reply_free(&r);
		if (pages++ == 0) {
			struct reply m = ingest_msg(bridge, "flt-zendesk-0", NULL, NULL, "bump",
						    false, 201);
			reply_free(&m);
		}
	} while (cursor[0] && pages < 10);
	for (int i = 0; i < 3; i++)
		assert_int_equal(seen[i], 1);

	r = http(&hub, "GET", "/v1/chats?source=Zendesk", ana, NULL);
	expect_status(&r, 400);
	assert_string_equal(error_type(&r), "InvalidQuery");
	reply_free(&r);
}

/* ---- v1 clients and validation -------------------------------------------- */

/* A v1 bridge sends neither field: every ingest is a new message, as in
 * v1, and the answer carries the new fields as null / the account. */
static void test_v1_requests_work_as_before(void **state)
{
	(void)state;
	const char *body = "{\"external_id\":\"v1-conv\",\"role\":\"user\",\"text\":\"old bridge\"}";
	struct reply a = post_ingest(bridge, body, 201);
	struct reply b = post_ingest(bridge, body, 201);
	assert_true(cJSON_IsNull(at(a.json, "message.external_message_id")));
	assert_string_not_equal(str(a.json, "message.id"), str(b.json, "message.id"));
	expect_source(at(a.json, "chat"), NULL);
	assert_int_equal(count_in_thread(str(a.json, "chat.id"), "old bridge"), 2);
	reply_free(&a);
	reply_free(&b);
}

static void test_bad_v1_1_fields_are_refused(void **state)
{
	(void)state;
	char long_id[260], body[400];
	memset(long_id, 'x', 201);
	long_id[201] = '\0';
	const struct {
		const char *body, *expect;
	} cases[] = {
		{"{\"external_message_id\":\"m-1\",\"role\":\"user\",\"text\":\"x\"}",
		 "external_message_id: needs chat_id or external_id"},
		{"{\"external_id\":\"c\",\"external_message_id\":\"has space\",\"role\":\"user\","
		 "\"text\":\"x\"}",
		 "external_message_id: must be 1 to 200 printable ASCII"},
		{"{\"external_id\":\"c\",\"external_message_id\":\"\",\"role\":\"user\",\"text\":\"x\"}",
		 "external_message_id: must be 1 to 200 printable ASCII"},
		{"{\"external_id\":\"c\",\"external_message_id\":7,\"role\":\"user\",\"text\":\"x\"}",
		 "external_message_id: must be a string"},
		{"{\"external_id\":\"c\",\"source\":{\"platform\":\"Botpress\"},\"role\":\"user\","
		 "\"text\":\"x\"}",
		 "source: platform: must be 1 to 32 of a-z 0-9 . _ -"},
		{"{\"external_id\":\"c\",\"source\":\"botpress\",\"role\":\"user\",\"text\":\"x\"}",
		 "source: must be an object"},
		{NULL, "external_message_id: must be at most 200"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *b = cases[i].body;
		if (!b) {
			snprintf(body, sizeof body,
				 "{\"external_id\":\"c\",\"external_message_id\":\"%s\","
				 "\"role\":\"user\",\"text\":\"x\"}",
				 long_id);
			b = body;
		}
		struct reply r = post_ingest(bridge, b, 400);
		assert_string_equal(error_type(&r), "InvalidPayload");
		if (!strstr(error_description(&r), cases[i].expect))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, error_description(&r),
				 cases[i].expect);
		reply_free(&r);
	}
	/* nothing of it was stored: chat "c" is new now */
	struct reply r = ingest_msg(bridge, "c", "ok", NULL, "x", false, 201);
	assert_int_equal(num(r.json, "chat.message_count"), 1);
	assert_int_equal(num(r.json, "chat.version"), 2);
	reply_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_external_message_id_twice_stores_one_and_emits_nothing),
		cmocka_unit_test(test_duplicate_never_escalates_twice),
		cmocka_unit_test(test_retry_on_a_stopped_chat_answers_the_first),
		cmocka_unit_test(test_scope_is_account_and_chat),
		cmocka_unit_test(test_racing_duplicates_store_exactly_one),
		cmocka_unit_test(test_source_round_trips),
		cmocka_unit_test(test_source_filter),
		cmocka_unit_test(test_v1_requests_work_as_before),
		cmocka_unit_test(test_bad_v1_1_fields_are_refused),
	};
	return cmocka_run_group_tests(tests, setup, hub_teardown);
}
