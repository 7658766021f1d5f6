/*
 * test_hub_api.c — every endpoint and every error of Handoff API v1 against
 * a real handoffd (one hub for the group; each test makes its own chats).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"

static struct hub hub;
static char ana[HUB_TOKEN_MAX], ben[HUB_TOKEN_MAX], sue[HUB_TOKEN_MAX], bot[HUB_TOKEN_MAX];
static char ana_id[37], ben_id[37];

static const char *str(const cJSON *j, const char *path)
{
	char buf[128];
	snprintf(buf, sizeof buf, "%s", path);
	const cJSON *cur = j;
	for (char *p = strtok(buf, "."); p; p = strtok(NULL, "."))
		cur = cJSON_GetObjectItemCaseSensitive(cur, p);
	return cJSON_IsString(cur) ? cur->valuestring : NULL;
}

static double num(const cJSON *j, const char *path)
{
	char buf[128];
	snprintf(buf, sizeof buf, "%s", path);
	const cJSON *cur = j;
	for (char *p = strtok(buf, "."); p; p = strtok(NULL, "."))
		cur = cJSON_GetObjectItemCaseSensitive(cur, p);
	if (!cJSON_IsNumber(cur))
		fail_msg("%s is not a number", path);
	return cur->valuedouble;
}

static const struct account accounts[] = {
	{"Ana", "agent", ana},
	{"Ben", "agent", ben},
	{"Sue", "supervisor", sue},
	{"Widget bridge", "ingest", bot},
	{NULL},
};

static int setup(void **state)
{
	hub_up(&hub, accounts);
	hub_account_id(&hub, ana, ana_id);
	hub_account_id(&hub, ben, ben_id);
	*state = &hub;
	return 0;
}

/* POST path with body as `token`, expecting `status`; returns the reply. */
static struct reply post(const char *token, const char *path, const char *body, long status)
{
	struct reply r = http(&hub, "POST", path, token, body);
	expect_status(&r, status);
	return r;
}

static void test_health_needs_no_token_and_the_rest_does(void **state)
{
	(void)state;
	struct reply r = http(&hub, "GET", "/v1/health", NULL, NULL);
	cJSON *health = expect_status(&r, 200);
	assert_string_equal(str(health, "status"), "ok");
	/* the back end the hub serves from, as an operator checks it */
	assert_string_equal(str(health, "backend"), hub_on_pg() ? "postgresql" : "sqlite");
	assert_non_null(strstr(r.content_type, "application/json"));
	reply_free(&r);

	r = http(&hub, "GET", "/v1/me", NULL, NULL);
	assert_int_equal(r.status, 401);
	assert_string_equal(error_type(&r), "Unauthorized");
	assert_int_equal((int)num(r.json, "error.status"), 401);
	reply_free(&r);

	r = http(&hub, "GET", "/v1/me", "hot_0000000000000000000000000000000000000000000000000000000000000000", NULL);
	assert_int_equal(r.status, 401);
	reply_free(&r);

	r = http(&hub, "GET", "/v1/me", ana, NULL);
	cJSON *me = expect_status(&r, 200);
	assert_string_equal(str(me, "name"), "Ana");
	assert_string_equal(str(me, "role"), "agent");
	reply_free(&r);
}

static void test_the_database_is_private(void **state)
{
	(void)state;
	struct stat st;
	if (hub_on_pg())
		skip(); /* a server's files are the server's, not the hub's */
	assert_int_equal(stat(hub.db, &st), 0);
	assert_int_equal(st.st_mode & 077, 0);
}

static void test_an_agent_added_while_running_signs_in_at_once(void **state)
{
	(void)state;
	char *late = hub_add_account(&hub, "Late Larry", "agent");
	struct reply r = http(&hub, "GET", "/v1/me", late, NULL);
	assert_string_equal(str(expect_status(&r, 200), "name"), "Late Larry");
	reply_free(&r);
}

static void test_roles_are_enforced(void **state)
{
	(void)state;
	struct reply r = http(&hub, "GET", "/v1/chats", bot, NULL);
	assert_int_equal(r.status, 403);
	assert_string_equal(error_type(&r), "Forbidden");
	reply_free(&r);

	r = http(&hub, "POST", "/v1/ingest/messages", ana, "{\"role\":\"user\",\"text\":\"hi\"}");
	assert_int_equal(r.status, 403);
	reply_free(&r);
}

static void test_unknown_routes_methods_and_params(void **state)
{
	(void)state;
	struct reply r = http(&hub, "GET", "/v1/nope", ana, NULL);
	assert_int_equal(r.status, 404);
	assert_string_equal(error_type(&r), "ResourceNotFound");
	reply_free(&r);

	r = http(&hub, "DELETE", "/v1/chats", ana, NULL);
	assert_int_equal(r.status, 405);
	assert_string_equal(error_type(&r), "MethodNotFound");
	reply_free(&r);

	r = http(&hub, "GET", "/v1/chats?colour=blue", ana, NULL);
	assert_int_equal(r.status, 400);
	assert_string_equal(error_type(&r), "InvalidQuery");
	reply_free(&r);

	r = http(&hub, "GET", "/v1/chats/not-a-uuid", ana, NULL);
	assert_int_equal(r.status, 400);
	assert_string_equal(error_type(&r), "InvalidQuery");
	reply_free(&r);

	r = http(&hub, "GET", "/v1/chats/3f1c2a4e-9b7d-4c1e-8a2f-1d3e5f7a9b0c", ana, NULL);
	assert_int_equal(r.status, 404);
	assert_string_equal(error_type(&r), "ResourceNotFound");
	reply_free(&r);

	r = http(&hub, "GET", "/v1/chats?limit=0", ana, NULL);
	assert_int_equal(r.status, 400);
	reply_free(&r);
	r = http(&hub, "GET", "/v1/chats?limit=201", ana, NULL);
	assert_int_equal(r.status, 400);
	reply_free(&r);
	r = http(&hub, "GET", "/v1/chats?mode=HUMAN", ana, NULL);
	assert_int_equal(r.status, 400);
	reply_free(&r);
}

static void test_bad_bodies(void **state)
{
	(void)state;
	char chat[37], path[128];
	ingest(&hub, bot, "bodies-1", "user", "hello", false, chat);
	snprintf(path, sizeof path, "/v1/chats/%s", chat);

	struct reply r = http_raw(&hub, "PATCH", path, ana, "{\"title\":\"x\"}", 13, "text/plain");
	assert_int_equal(r.status, 415);
	assert_string_equal(error_type(&r), "UnsupportedMediaType");
	reply_free(&r);

	r = http_raw(&hub, "PATCH", path, ana, "{\"title\":", 9, NULL);
	assert_int_equal(r.status, 400);
	assert_string_equal(error_type(&r), "InvalidPayload");
	reply_free(&r);

	r = http_raw(&hub, "PATCH", path, ana, "{\"title\":\"\xff\"}", 13, NULL);
	assert_int_equal(r.status, 400);
	assert_string_equal(error_type(&r), "InvalidPayload");
	reply_free(&r);

	size_t big = 64 * 1024 + 1;
	char *huge = malloc(big + 1);
	memset(huge, ' ', big);
	huge[0] = '{';
	huge[big - 1] = '}';
	huge[big] = '\0';
	r = http_raw(&hub, "PATCH", path, ana, huge, big, NULL);
	assert_int_equal(r.status, 413);
	assert_string_equal(error_type(&r), "PayloadTooLarge");
	reply_free(&r);
	free(huge);

	/* the hub is still fine afterwards */
	r = http(&hub, "GET", "/v1/health", NULL, NULL);
	assert_int_equal(r.status, 200);
	reply_free(&r);
}

static void test_ingest_maps_external_ids_and_escalates_once(void **state)
{
	(void)state;
	char a[37], b[37], path[128];
	ingest(&hub, bot, "ext-map-1", "user", "Where is my parcel?", false, a);
	ingest(&hub, bot, "ext-map-1", "bot", "Let me look that up.", false, b);
	assert_string_equal(a, b);
	ingest(&hub, bot, "ext-map-1", "user", "A human please", true, NULL);
	ingest(&hub, bot, "ext-map-1", "user", "Hello??", true, NULL);

	snprintf(path, sizeof path, "/v1/chats/%s", a);
	struct reply r = http(&hub, "GET", path, ana, NULL);
	cJSON *c = expect_status(&r, 200);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(c, "escalated")));
	assert_string_equal(str(c, "mode"), "AI");
	assert_string_equal(str(c, "latest_message.preview"), "Hello??");
	assert_string_equal(str(c, "latest_message.role"), "user");
	/* 4 messages + one escalation notice, not two */
	assert_int_equal((int)num(c, "message_count"), 5);
	reply_free(&r);

	snprintf(path, sizeof path, "/v1/chats/%s/messages", a);
	r = http(&hub, "GET", path, ana, NULL);
	cJSON *msgs = cJSON_GetObjectItem(expect_status(&r, 200), "messages");
	assert_int_equal(cJSON_GetArraySize(msgs), 5);
	int escalations = 0;
	for (int i = 0; i < 5; i++) {
		cJSON *m = cJSON_GetArrayItem(msgs, i);
		assert_int_equal((int)num(m, "seq"), i + 1);
		const char *st = str(m, "system_type");
		if (st && strcmp(st, "CONVERSATION_ESCALATED") == 0)
			escalations++;
	}
	assert_int_equal(escalations, 1);
	reply_free(&r);
}

static void test_takeover_reply_handback(void **state)
{
	(void)state;
	char chat[37], path[160];
	ingest(&hub, bot, "flow-1", "user", "I need a human", true, chat);

	/* a reply before taking over is refused, in words */
	snprintf(path, sizeof path, "/v1/chats/%s/messages", chat);
	struct reply r = http(&hub, "POST", path, ana, "{\"text\":\"hi\",\"client_msg_id\":\"m1\"}");
	assert_int_equal(r.status, 409);
	assert_string_equal(error_type(&r), "Conflict");
	reply_free(&r);

	snprintf(path, sizeof path, "/v1/chats/%s/takeover", chat);
	r = post(ana, path, NULL, 200);
	assert_string_equal(str(r.json, "mode"), "AGENT");
	assert_string_equal(str(r.json, "responder.type"), "agent");
	assert_string_equal(str(r.json, "responder.id"), ana_id);
	int version = (int)num(r.json, "version");
	reply_free(&r);

	/* again by the holder: 200, nothing changes */
	r = post(ana, path, NULL, 200);
	assert_int_equal((int)num(r.json, "version"), version);
	reply_free(&r);

	/* by another agent: 409 naming the holder */
	r = http(&hub, "POST", path, ben, NULL);
	assert_int_equal(r.status, 409);
	assert_non_null(strstr(error_description(&r), "Ana"));
	reply_free(&r);

	/* an agent may not force */
	r = http(&hub, "POST", path, ben, "{\"force\":true}");
	assert_int_equal(r.status, 403);
	reply_free(&r);

	/* the bot is silenced while an agent holds the chat */
	cJSON *b = cJSON_Parse("{\"role\":\"bot\",\"text\":\"I can help!\"}");
	cJSON_AddStringToObject(b, "chat_id", chat);
	char *body = cJSON_PrintUnformatted(b);
	r = http(&hub, "POST", "/v1/ingest/messages", bot, body);
	assert_int_equal(r.status, 409);
	reply_free(&r);
	free(body);
	cJSON_Delete(b);

	/* reply, and the same client_msg_id again: 200 with the first message */
	snprintf(path, sizeof path, "/v1/chats/%s/messages", chat);
	r = post(ana, path, "{\"text\":\"Hi Maria, Ana here.\",\"client_msg_id\":\"reply-1\"}", 201);
	assert_string_equal(str(r.json, "role"), "agent");
	char first_id[37];
	snprintf(first_id, sizeof first_id, "%s", str(r.json, "id"));
	reply_free(&r);
	r = post(ana, path, "{\"text\":\"Hi Maria, Ana here.\",\"client_msg_id\":\"reply-1\"}", 200);
	assert_string_equal(str(r.json, "id"), first_id);
	reply_free(&r);

	/* a note by anyone, never the latest message */
	r = post(ben, path, "{\"text\":\"VIP customer\",\"client_msg_id\":\"note-1\",\"internal\":true}", 201);
	assert_string_equal(str(r.json, "role"), "note");
	reply_free(&r);
	snprintf(path, sizeof path, "/v1/chats/%s", chat);
	r = http(&hub, "GET", path, ana, NULL);
	assert_string_equal(str(expect_status(&r, 200), "latest_message.preview"), "Hi Maria, Ana here.");
	assert_null(strstr(r.body, "VIP customer"));
	reply_free(&r);

	/* hand back: only the holder (or a supervisor) */
	snprintf(path, sizeof path, "/v1/chats/%s/handback", chat);
	r = http(&hub, "POST", path, ben, NULL);
	assert_int_equal(r.status, 409);
	reply_free(&r);
	r = post(ana, path, NULL, 200);
	assert_string_equal(str(r.json, "mode"), "AI");
	assert_string_equal(str(r.json, "responder.type"), "bot");
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(r.json, "escalated")));
	reply_free(&r);
}

static void test_supervisor_forces_and_assigns(void **state)
{
	(void)state;
	char chat[37], path[160], body[128];
	ingest(&hub, bot, "force-1", "user", "help", true, chat);
	snprintf(path, sizeof path, "/v1/chats/%s/takeover", chat);
	struct reply r = post(ana, path, NULL, 200);
	reply_free(&r);
	r = post(sue, path, "{\"force\":true}", 200);
	assert_string_equal(str(r.json, "responder.name"), "Sue");
	reply_free(&r);

	snprintf(path, sizeof path, "/v1/chats/%s/assign", chat);
	snprintf(body, sizeof body, "{\"agent_id\":\"%s\"}", ben_id);
	r = post(sue, path, body, 200);
	assert_string_equal(str(r.json, "responder.id"), ben_id);
	reply_free(&r);

	r = http(&hub, "POST", path, sue, "{\"agent_id\":\"3f1c2a4e-9b7d-4c1e-8a2f-1d3e5f7a9b0c\"}");
	assert_int_equal(r.status, 404);
	reply_free(&r);

	snprintf(path, sizeof path, "/v1/chats/%s/messages", chat);
	r = http(&hub, "GET", path, ana, NULL);
	assert_non_null(strstr(r.body, "CHAT_REASSIGNED"));
	reply_free(&r);
}

static void test_rating_title_status_stop(void **state)
{
	(void)state;
	char chat[37], path[160];
	ingest(&hub, bot, "meta-1", "user", "Thanks, bye", false, chat);

	snprintf(path, sizeof path, "/v1/chats/%s/rating", chat);
	struct reply r = post(ana, path, "{\"score\":4,\"feedback\":\"polite\"}", 200);
	assert_int_equal((int)num(r.json, "rating.score"), 4);
	assert_string_equal(str(r.json, "rating.feedback"), "polite");
	assert_string_equal(str(r.json, "rating.by"), ana_id);
	reply_free(&r);
	r = http(&hub, "POST", path, ana, "{\"score\":6}");
	assert_int_equal(r.status, 400);
	reply_free(&r);

	snprintf(path, sizeof path, "/v1/chats/%s", chat);
	r = http(&hub, "PATCH", path, ana, "{\"title\":\"Parcel lost\",\"ticket_status\":\"pending\"}");
	cJSON *c = expect_status(&r, 200);
	assert_string_equal(str(c, "title"), "Parcel lost");
	assert_string_equal(str(c, "ticket.status"), "pending");
	reply_free(&r);
	r = http(&hub, "PATCH", path, ana, "{\"title\":\"\"}");
	assert_int_equal(r.status, 400);
	reply_free(&r);

	snprintf(path, sizeof path, "/v1/chats/%s/stop", chat);
	r = post(ana, path, NULL, 200);
	assert_string_equal(str(r.json, "state"), "stopped");
	reply_free(&r);

	cJSON *b = cJSON_Parse("{\"role\":\"bot\",\"text\":\"anything else?\"}");
	cJSON_AddStringToObject(b, "chat_id", chat);
	char *body = cJSON_PrintUnformatted(b);
	r = http(&hub, "POST", "/v1/ingest/messages", bot, body);
	assert_int_equal(r.status, 409);
	reply_free(&r);
	free(body);
	cJSON_Delete(b);
}

static void test_list_filters_and_agents(void **state)
{
	(void)state;
	char chat[37], path[160];
	/* escalated first, so that the customer's words are the latest preview */
	ingest(&hub, bot, "filter-1", "user", "I want a person", true, chat);
	ingest(&hub, bot, "filter-1", "user", "Zebra-striped umbrella order", false, NULL);

	struct reply r = http(&hub, "GET", "/v1/chats?waiting=true&sort=waiting&limit=200", ana, NULL);
	cJSON *list = cJSON_GetObjectItem(expect_status(&r, 200), "chats");
	bool found = false;
	cJSON *c;
	cJSON_ArrayForEach(c, list) {
		assert_true(cJSON_IsTrue(cJSON_GetObjectItem(c, "escalated")));
		assert_string_equal(str(c, "mode"), "AI");
		found |= strcmp(str(c, "id"), chat) == 0;
	}
	assert_true(found);
	reply_free(&r);

	r = http(&hub, "GET", "/v1/chats?q=zebra-STRIPED", ana, NULL);
	list = cJSON_GetObjectItem(expect_status(&r, 200), "chats");
	assert_int_equal(cJSON_GetArraySize(list), 1);
	assert_int_equal((int)num(r.json, "meta.total"), 1);
	/* one candidate: counted exactly, and said so */
	assert_true(cJSON_IsFalse(
		cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "meta"), "total_capped")));
	reply_free(&r);

	snprintf(path, sizeof path, "/v1/chats/%s/takeover", chat);
	r = post(ben, path, NULL, 200);
	reply_free(&r);
	r = http(&hub, "GET", "/v1/chats?responder=me&limit=200", ben, NULL);
	list = cJSON_GetObjectItem(expect_status(&r, 200), "chats");
	cJSON_ArrayForEach(c, list)
		assert_string_equal(str(c, "responder.id"), ben_id);
	assert_true(cJSON_GetArraySize(list) >= 1);
	reply_free(&r);

	r = http(&hub, "GET", "/v1/agents", ana, NULL);
	list = cJSON_GetObjectItem(expect_status(&r, 200), "agents");
	found = false;
	cJSON_ArrayForEach(c, list) {
		assert_true(cJSON_IsNumber(cJSON_GetObjectItem(c, "active_chats")));
		assert_string_not_equal(str(c, "role"), "ingest");
		found |= strcmp(str(c, "id"), ben_id) == 0 && num(c, "active_chats") >= 1;
	}
	assert_true(found);
	reply_free(&r);
}

static void test_stats_daily(void **state)
{
	(void)state;
	struct reply r = http(&hub, "GET", "/v1/stats/daily?from=2026-01-01&to=2026-01-03", ana, NULL);
	cJSON *days = cJSON_GetObjectItem(expect_status(&r, 200), "days");
	assert_int_equal(cJSON_GetArraySize(days), 3);
	assert_string_equal(str(cJSON_GetArrayItem(days, 2), "date"), "2026-01-03");
	assert_int_equal((int)num(cJSON_GetArrayItem(days, 0), "conversations"), 0);
	reply_free(&r);

	r = http(&hub, "GET", "/v1/stats/daily?from=2024-01-01&to=2026-01-01", ana, NULL);
	assert_int_equal(r.status, 400);
	reply_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_health_needs_no_token_and_the_rest_does),
		cmocka_unit_test(test_the_database_is_private),
		cmocka_unit_test(test_an_agent_added_while_running_signs_in_at_once),
		cmocka_unit_test(test_roles_are_enforced),
		cmocka_unit_test(test_unknown_routes_methods_and_params),
		cmocka_unit_test(test_bad_bodies),
		cmocka_unit_test(test_ingest_maps_external_ids_and_escalates_once),
		cmocka_unit_test(test_takeover_reply_handback),
		cmocka_unit_test(test_supervisor_forces_and_assigns),
		cmocka_unit_test(test_rating_title_status_stop),
		cmocka_unit_test(test_list_filters_and_agents),
		cmocka_unit_test(test_stats_daily),
	};
	return cmocka_run_group_tests(tests, setup, hub_teardown);
}
