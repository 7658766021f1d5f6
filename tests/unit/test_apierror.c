/*
 * test_apierror.c — typed errors: names, statuses, the body both ways.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "apierror.h"

static void test_names_and_statuses_match_the_protocol(void **state)
{
	(void)state;
	static const struct {
		enum api_error_type t;
		const char *name;
		int status;
	} table[] = {
		{API_INVALID_PAYLOAD, "InvalidPayload", 400}, {API_INVALID_QUERY, "InvalidQuery", 400},
		{API_UNAUTHORIZED, "Unauthorized", 401},      {API_FORBIDDEN, "Forbidden", 403},
		{API_RESOURCE_NOT_FOUND, "ResourceNotFound", 404},
		{API_METHOD_NOT_FOUND, "MethodNotFound", 405}, {API_CONFLICT, "Conflict", 409},
		{API_PAYLOAD_TOO_LARGE, "PayloadTooLarge", 413},
		{API_UNSUPPORTED_MEDIA, "UnsupportedMediaType", 415},
		{API_RATE_LIMITED, "RateLimited", 429},       {API_INTERNAL, "Internal", 500},
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		assert_string_equal(api_error_name(table[i].t), table[i].name);
		assert_int_equal(api_error_status(table[i].t), table[i].status);
	}
}

static void test_body_round_trip(void **state)
{
	(void)state;
	struct api_error e, back;

	assert_false(api_error_set(&e, API_CONFLICT, "chat is held by agent %s", "Ana"));
	cJSON *j = api_error_to_json(&e);
	char *text = cJSON_PrintUnformatted(j);
	assert_string_equal(text, "{\"error\":{\"type\":\"Conflict\",\"description\":"
				  "\"chat is held by agent Ana\",\"status\":409}}");
	assert_true(api_error_from_json(j, &back));
	assert_int_equal(back.type, API_CONFLICT);
	assert_string_equal(back.description, "chat is held by agent Ana");
	free(text);
	cJSON_Delete(j);
}

static void test_unknown_type_reads_as_internal(void **state)
{
	(void)state;
	struct api_error e;
	cJSON *j = cJSON_Parse("{\"error\":{\"type\":\"Teapot\",\"description\":\"short and stout\"}}");
	assert_true(api_error_from_json(j, &e));
	assert_int_equal(e.type, API_INTERNAL);
	cJSON_Delete(j);
	j = cJSON_Parse("{\"chats\":[]}");
	assert_false(api_error_from_json(j, &e));
	cJSON_Delete(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_and_statuses_match_the_protocol),
		cmocka_unit_test(test_body_round_trip),
		cmocka_unit_test(test_unknown_type_reads_as_internal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
