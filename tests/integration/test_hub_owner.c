/*
 * test_hub_owner.c — protocol v1.1 customer details against a real
 * handoffd: an owner's email and phone given at ingest, GET
 * /v1/owners/{id} with their chats newest first, who may read it (agents
 * and supervisors, not ingest accounts), and bad input.
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

static struct hub hub;
static char ana[HUB_TOKEN_MAX], sue[HUB_TOKEN_MAX], bridge[HUB_TOKEN_MAX];

static const struct account accounts[] = {
	{"Ana", "agent", ana},
	{"Sue", "supervisor", sue},
	{"Bridge", "ingest", bridge},
	{NULL},
};

static int setup(void **state)
{
	hub_up(&hub, accounts);
	*state = &hub;
	return 0;
}

static const char *str(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Ingest one customer message into conversation `conv` of the customer
 * `owner_json` (an object's text); returns the reply (status checked). */
static struct reply ingest_owner(const char *conv, const char *owner_json, long status)
{
	char body[1024];

	snprintf(body, sizeof body,
		 "{\"external_id\":\"%s\",\"owner\":%s,\"role\":\"user\",\"text\":\"hi\"}", conv,
		 owner_json);
	struct reply r = http(&hub, "POST", "/v1/ingest/messages", bridge, body);
	expect_status(&r, status);
	return r;
}

/* The chat id an ingest answered with. */
static void chat_of(const struct reply *r, char id[37])
{
	const char *s = str(cJSON_GetObjectItemCaseSensitive(r->json, "chat"), "id");
	assert_non_null(s);
	snprintf(id, 37, "%s", s);
}

/* The owner id of the chat an ingest answered with. */
static void owner_of(const struct reply *r, char id[37])
{
	const cJSON *owner = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(r->json, "chat"), "owner");
	assert_non_null(str(owner, "id"));
	snprintf(id, 37, "%s", str(owner, "id"));
}

static void test_owner_details_and_chats_newest_first(void **state)
{
	char owner[37], path[128], ids[3][37];
	(void)state;

	struct reply r = ingest_owner("o1-a", "{\"external_id\":\"cust-o1\",\"name\":\"Maria G.\","
					      "\"email\":\"maria@example.com\","
					      "\"phone\":\"+34 600 111 222\"}", 201);
	owner_of(&r, owner);
	chat_of(&r, ids[0]);
	reply_free(&r);
	r = ingest_owner("o1-b", "{\"external_id\":\"cust-o1\"}", 201);
	chat_of(&r, ids[1]);
	reply_free(&r);
	r = ingest_owner("o1-c", "{\"external_id\":\"cust-o1\"}", 201);
	chat_of(&r, ids[2]);
	reply_free(&r);
	/* Another customer's chat is not theirs. */
	r = ingest_owner("o1-x", "{\"external_id\":\"cust-o1x\"}", 201);
	reply_free(&r);

	snprintf(path, sizeof path, "/v1/owners/%s", owner);
	const char *const readers[] = {ana, sue};
	for (int i = 0; i < 2; i++) {
		r = http(&hub, "GET", path, readers[i], NULL);
		cJSON *j = expect_status(&r, 200);
		const cJSON *o = cJSON_GetObjectItemCaseSensitive(j, "owner");
		assert_string_equal(str(o, "id"), owner);
		assert_string_equal(str(o, "external_id"), "cust-o1");
		assert_string_equal(str(o, "name"), "Maria G.");
		assert_string_equal(str(o, "email"), "maria@example.com");
		assert_string_equal(str(o, "phone"), "+34 600 111 222");
		const cJSON *chats = cJSON_GetObjectItemCaseSensitive(j, "chats");
		assert_int_equal(cJSON_GetArraySize(chats), 3);
		/* Each of their chats once, whole chat objects, newest first. */
		int seen = 0;
		const char *prev_at = NULL;
		for (int k = 0; k < 3; k++) {
			const cJSON *c = cJSON_GetArrayItem(chats, k);
			const cJSON *co = cJSON_GetObjectItemCaseSensitive(c, "owner");
			assert_string_equal(str(co, "id"), owner);
			for (int m = 0; m < 3; m++)
				if (strcmp(str(c, "id"), ids[m]) == 0)
					seen |= 1 << m;
			const char *at = str(cJSON_GetObjectItemCaseSensitive(c, "latest_message"),
					     "at");
			assert_non_null(at);
			if (prev_at)
				assert_true(strcmp(prev_at, at) >= 0);
			prev_at = at;
		}
		assert_int_equal(seen, 7);
		reply_free(&r);
	}
}

/* A customer first seen without contact details gets them from a later
 * conversation; details they have are kept. */
static void test_later_ingest_fills_in_missing_details(void **state)
{
	char owner[37], path[128];
	(void)state;

	struct reply r = ingest_owner("o2-a", "{\"external_id\":\"cust-o2\",\"name\":\"Li\","
					      "\"email\":\"li@example.com\"}", 201);
	owner_of(&r, owner);
	reply_free(&r);
	r = ingest_owner("o2-b", "{\"external_id\":\"cust-o2\",\"email\":\"other@example.com\","
				 "\"phone\":\"555-0100\"}", 201);
	reply_free(&r);

	snprintf(path, sizeof path, "/v1/owners/%s", owner);
	r = http(&hub, "GET", path, ana, NULL);
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(expect_status(&r, 200), "owner");
	assert_string_equal(str(o, "email"), "li@example.com");
	assert_string_equal(str(o, "phone"), "555-0100");
	reply_free(&r);
}

static void test_ingest_may_not_read_owners(void **state)
{
	char owner[37], path[128];
	(void)state;

	struct reply r = ingest_owner("o3-a", "{\"external_id\":\"cust-o3\"}", 201);
	owner_of(&r, owner);
	reply_free(&r);
	snprintf(path, sizeof path, "/v1/owners/%s", owner);
	r = http(&hub, "GET", path, bridge, NULL);
	expect_status(&r, 403);
	reply_free(&r);
	r = http(&hub, "GET", path, NULL, NULL);
	expect_status(&r, 401);
	reply_free(&r);
}

static void test_unknown_and_malformed_ids(void **state)
{
	(void)state;

	struct reply r = http(&hub, "GET", "/v1/owners/7f2c1a9e-3b4d-4e5f-8a6b-0c1d2e3f4a5b", ana,
			      NULL);
	expect_status(&r, 404);
	assert_string_equal(error_type(&r), "ResourceNotFound");
	reply_free(&r);
	r = http(&hub, "GET", "/v1/owners/not-a-uuid", ana, NULL);
	expect_status(&r, 400);
	reply_free(&r);
	r = http(&hub, "GET", "/v1/owners/7f2c1a9e-3b4d-4e5f-8a6b-0c1d2e3f4a5b?limit=1", ana, NULL);
	expect_status(&r, 400);
	reply_free(&r);
	r = http(&hub, "POST", "/v1/owners/7f2c1a9e-3b4d-4e5f-8a6b-0c1d2e3f4a5b", ana, "{}");
	expect_status(&r, 405);
	reply_free(&r);
}

static void test_bad_phone_is_refused(void **state)
{
	char long_phone[200];
	(void)state;

	struct reply r = ingest_owner("o4-a", "{\"external_id\":\"cust-o4\",\"phone\":5550100}", 400);
	assert_string_equal(error_type(&r), "InvalidPayload");
	assert_non_null(strstr(error_description(&r), "owner"));
	reply_free(&r);
	r = ingest_owner("o4-b", "{\"external_id\":\"cust-o4\",\"phone\":\"\"}", 400);
	reply_free(&r);
	snprintf(long_phone, sizeof long_phone, "{\"phone\":\"%065d\"}", 1);
	r = ingest_owner("o4-c", long_phone, 400);
	reply_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_owner_details_and_chats_newest_first),
		cmocka_unit_test(test_later_ingest_fills_in_missing_details),
		cmocka_unit_test(test_ingest_may_not_read_owners),
		cmocka_unit_test(test_unknown_and_malformed_ids),
		cmocka_unit_test(test_bad_phone_is_refused),
	};
	return cmocka_run_group_tests(tests, setup, hub_teardown);
}
