/*
 * test_hub_replies.c — canned replies over HTTP (v1.1): who may add and
 * remove shared and personal replies, who sees which, and what bad input
 * is refused with which typed error.
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

enum who { ANA, BEN, SUE, BOT, NWHO };

static struct hub hub;
static char tokens[NWHO][HUB_TOKEN_MAX];

static const struct account accounts[] = {
	{"Ana", "agent", tokens[ANA]},
	{"Ben", "agent", tokens[BEN]},
	{"Sue", "supervisor", tokens[SUE]},
	{"Bridge", "ingest", tokens[BOT]},
	{NULL},
};

static int setup(void **state)
{
	hub_up(&hub, accounts);
	*state = &hub;
	return 0;
}

/* POST /v1/replies as `who`, expecting `status`; the new id to id[37]. */
static void add(enum who who, const char *body, long status, char id[37])
{
	struct reply r = http(&hub, "POST", "/v1/replies", tokens[who], body);
	cJSON *j = expect_status(&r, status);

	if (id && status == 201)
		snprintf(id, 37, "%s", cJSON_GetObjectItem(j, "id")->valuestring);
	reply_free(&r);
}

/* The names `who` sees, in the hub's order, "a,b,c". */
static void names(enum who who, char *out, size_t len)
{
	struct reply r = http(&hub, "GET", "/v1/replies", tokens[who], NULL);
	cJSON *j = expect_status(&r, 200);
	const cJSON *item;
	size_t k = 0;

	out[0] = '\0';
	cJSON_ArrayForEach(item, cJSON_GetObjectItem(j, "replies"))
		k += (size_t)snprintf(out + k, len - k, "%s%s", k ? "," : "",
				      cJSON_GetObjectItem(item, "name")->valuestring);
	reply_free(&r);
}

static void expect_error(const char *method, const char *path, enum who who, const char *body,
			 long status, const char *type)
{
	struct reply r = http(&hub, method, path, tokens[who], body);

	assert_int_equal(r.status, status);
	assert_string_equal(error_type(&r), type);
	reply_free(&r);
}

static void test_shared_and_personal(void **state)
{
	char shared[37], mine[37], path[64], seen[256];
	(void)state;

	add(SUE, "{\"name\":\"greet\",\"text\":\"Hi {customer}, {agent} here.\",\"shared\":true}",
	    201, shared);
	add(ANA, "{\"name\":\"bye\",\"text\":\"Bye {customer}!\"}", 201, mine);
	/* The same name may be the team's and one agent's own. */
	add(BEN, "{\"name\":\"greet\",\"text\":\"Yo\"}", 201, NULL);

	/* Everyone sees the shared one; only its owner a personal one. */
	names(ANA, seen, sizeof seen);
	assert_string_equal(seen, "bye,greet");
	names(BEN, seen, sizeof seen);
	assert_string_equal(seen, "greet,greet");
	names(SUE, seen, sizeof seen);
	assert_string_equal(seen, "greet");

	struct reply r = http(&hub, "GET", "/v1/replies", tokens[ANA], NULL);
	cJSON *j = expect_status(&r, 200);
	const cJSON *item;
	cJSON_ArrayForEach(item, cJSON_GetObjectItem(j, "replies")) {
		bool is_shared = cJSON_IsTrue(cJSON_GetObjectItem(item, "shared"));
		assert_string_equal(cJSON_GetObjectItem(item, "text")->valuestring,
				    is_shared ? "Hi {customer}, {agent} here." : "Bye {customer}!");
		assert_true(is_shared ? cJSON_IsNull(cJSON_GetObjectItem(item, "owner_id"))
				      : cJSON_IsString(cJSON_GetObjectItem(item, "owner_id")));
	}
	reply_free(&r);

	/* Another's personal reply does not exist for Ben or Sue; a shared one
	 * is the supervisor's to remove. */
	snprintf(path, sizeof path, "/v1/replies/%s", mine);
	expect_error("DELETE", path, BEN, NULL, 404, "ResourceNotFound");
	expect_error("DELETE", path, SUE, NULL, 404, "ResourceNotFound");
	snprintf(path, sizeof path, "/v1/replies/%s", shared);
	expect_error("DELETE", path, ANA, NULL, 403, "Forbidden");

	r = http(&hub, "DELETE", path, tokens[SUE], NULL);
	j = expect_status(&r, 200);
	assert_string_equal(cJSON_GetObjectItem(j, "id")->valuestring, shared);
	reply_free(&r);
	expect_error("DELETE", path, SUE, NULL, 404, "ResourceNotFound");

	snprintf(path, sizeof path, "/v1/replies/%s", mine);
	r = http(&hub, "DELETE", path, tokens[ANA], NULL);
	expect_status(&r, 200);
	reply_free(&r);
	names(ANA, seen, sizeof seen);
	assert_string_equal(seen, "");
	names(BEN, seen, sizeof seen);
	assert_string_equal(seen, "greet");
}

static void test_roles(void **state)
{
	(void)state;

	/* Agents keep personal replies, never shared ones. */
	expect_error("POST", "/v1/replies", ANA, "{\"name\":\"team\",\"text\":\"x\",\"shared\":true}",
		     403, "Forbidden");
	/* A bridge has no business with replies at all. */
	expect_error("GET", "/v1/replies", BOT, NULL, 403, "Forbidden");
	expect_error("POST", "/v1/replies", BOT, "{\"name\":\"b\",\"text\":\"x\"}", 403,
		     "Forbidden");
	expect_error("DELETE", "/v1/replies/3f1c2a4e-9b7d-4c1e-8a2f-1d3e5f7a9b0c", BOT, NULL, 403,
		     "Forbidden");
	struct reply r = http(&hub, "GET", "/v1/replies", NULL, NULL);
	assert_int_equal(r.status, 401);
	reply_free(&r);
}

static void test_bad_input(void **state)
{
	static const char *const bodies[] = {
		"{\"text\":\"no name\"}",
		"{\"name\":\"no-text\"}",
		"{\"name\":\"\",\"text\":\"x\"}",
		"{\"name\":\"two words\",\"text\":\"x\"}",
		"{\"name\":\"a-name-far-longer-than-thirty-two-chars\",\"text\":\"x\"}",
		"{\"name\":\"e\",\"text\":\"\"}",
		"{\"name\":\"e\",\"text\":\"x\",\"shared\":\"yes\"}",
		"{\"name\":7,\"text\":\"x\"}",
		"[1]",
		"{\"name\":\"esc\\u001b\",\"text\":\"x\"}",
	};
	char dup_body[128];
	(void)state;

	for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++)
		expect_error("POST", "/v1/replies", SUE, bodies[i], 400, "InvalidPayload");

	/* A text over the limit (a reply's, 4000 characters). */
	size_t n = 4001;
	char *big = malloc(n + 64);
	assert_non_null(big);
	int k = snprintf(big, 64, "{\"name\":\"big\",\"text\":\"");
	memset(big + k, 'x', n);
	strcpy(big + k + n, "\"}");
	expect_error("POST", "/v1/replies", ANA, big, 400, "InvalidPayload");
	free(big);

	expect_error("DELETE", "/v1/replies/not-an-id", ANA, NULL, 400, "InvalidQuery");

	/* A name used twice in the same scope. */
	snprintf(dup_body, sizeof dup_body, "{\"name\":\"dup\",\"text\":\"x\"}");
	add(ANA, dup_body, 201, NULL);
	expect_error("POST", "/v1/replies", ANA, dup_body, 409, "Conflict");

	char seen[256];
	names(SUE, seen, sizeof seen);
	assert_null(strstr(seen, "big"));
	assert_null(strstr(seen, "esc"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared_and_personal),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_bad_input),
	};
	return cmocka_run_group_tests(tests, setup, hub_teardown);
}
