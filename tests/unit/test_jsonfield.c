/*
 * test_jsonfield.c — validated reads of single JSON members.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "jsonfield.h"

static cJSON *obj(const char *text)
{
	cJSON *j = cJSON_Parse(text);
	assert_non_null(j);
	return j;
}

static void test_presence_rules(void **state)
{
	(void)state;
	struct errbuf err = {{0}};
	cJSON *j = obj("{\"n\":null}");
	char *s = (char *)"untouched";

	assert_false(jf_string(j, "n", JF_REQUIRED, 10, &s, &err));
	assert_string_equal(err.msg, "n: must not be null");
	assert_false(jf_string(j, "gone", JF_NULLABLE, 10, &s, &err));
	assert_string_equal(err.msg, "gone: is missing");
	assert_true(jf_string(j, "gone", JF_OPTIONAL, 10, &s, &err));
	assert_string_equal(s, "untouched");
	assert_true(jf_string(j, "n", JF_OPTIONAL, 10, &s, &err));
	assert_string_equal(s, "untouched");
	assert_true(jf_string(j, "n", JF_NULLABLE, 10, &s, &err));
	assert_null(s);
	cJSON_Delete(j);
}

static void test_integers(void **state)
{
	(void)state;
	struct errbuf err = {{0}};
	cJSON *j = obj("{\"a\":3,\"f\":2.5,\"big\":1e20,\"neg\":-4,\"max\":9007199254740991,"
		       "\"s\":\"3\",\"t\":true}");
	int64_t v = 0;

	assert_true(jf_int(j, "a", JF_REQUIRED, 1, 5, &v, &err));
	assert_int_equal(v, 3);
	assert_true(jf_int(j, "max", JF_REQUIRED, 0, INT64_MAX, &v, &err));
	assert_int_equal(v, 9007199254740991LL);
	v = 77;
	assert_false(jf_int(j, "f", JF_REQUIRED, 0, 10, &v, &err));
	assert_string_equal(err.msg, "f: must be a whole number");
	assert_false(jf_int(j, "big", JF_REQUIRED, 0, INT64_MAX, &v, &err));
	assert_false(jf_int(j, "neg", JF_REQUIRED, 0, 10, &v, &err));
	assert_string_equal(err.msg, "neg: must be between 0 and 10");
	assert_false(jf_int(j, "s", JF_REQUIRED, 0, 10, &v, &err));
	assert_string_equal(err.msg, "s: must be a number");
	assert_false(jf_int(j, "t", JF_REQUIRED, 0, 10, &v, &err));
	assert_int_equal(v, 77);
	cJSON_Delete(j);
}

static void test_strings_count_characters(void **state)
{
	(void)state;
	struct errbuf err = {{0}};
	/* "héllo" is 5 characters in 6 bytes; the emoji is 1 character in 4 */
	cJSON *j = obj("{\"s\":\"h\xc3\xa9llo\",\"e\":\"\xf0\x9f\x98\x80\",\"empty\":\"\"}");
	char *s = NULL;

	assert_true(jf_string(j, "s", JF_REQUIRED, 5, &s, &err));
	free(s);
	assert_false(jf_string(j, "s", JF_REQUIRED, 4, &s, &err));
	assert_string_equal(err.msg, "s: must be at most 4 characters");
	assert_true(jf_string(j, "e", JF_REQUIRED, 1, &s, &err));
	free(s);
	assert_false(jf_string_range(j, "empty", JF_REQUIRED, 1, 10, &s, &err));
	assert_string_equal(err.msg, "empty: must not be empty");
	cJSON_Delete(j);
}

static void test_surrogate_escapes(void **state)
{
	(void)state;
	struct errbuf err = {{0}};
	const char *pair = "{\"s\":\"\\ud83d\\ude00\"}"; /* 😀 as a surrogate pair */
	const char *lone = "{\"s\":\"\\ud83d\"}";
	cJSON *j = json_parse_text(pair, strlen(pair), &err);
	char *s = NULL;

	assert_non_null(j);
	assert_true(jf_string(j, "s", JF_REQUIRED, 1, &s, &err));
	assert_string_equal(s, "\xf0\x9f\x98\x80");
	free(s);
	cJSON_Delete(j);
	assert_null(json_parse_text(lone, strlen(lone), &err));
}

/* What cJSON would read short is refused: a \u escape without four hex
 * digits reads as a NUL, and the text after it was lost (a message
 * "He\ue\u00e9 and more" arrived as "He"). */
static void test_bad_u_escapes(void **state)
{
	(void)state;
	struct errbuf err = {{0}};
	const char *refused[][2] = {
		{"{\"t\":\"He\\ue\\u00e9 and more\"}", "four hex digits"},
		{"{\"t\":\"x\\u00\"}", "four hex digits"},
		{"{\"t\":\"x\\u\"}", "four hex digits"},
		{"{\"t\":\"a\\u0000b\"}", "NUL"},
	};
	for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
		cJSON *j = json_parse_text(refused[i][0], strlen(refused[i][0]), &err);
		if (j)
			fail_msg("accepted: %s", refused[i][0]);
		assert_non_null(strstr(err.msg, refused[i][1]));
	}
	/* An escaped backslash before a 'u' is no escape; a whole escape is
	 * fine. */
	const char *fine = "{\"t\":\"C:\\\\users \\u00e9\"}";
	cJSON *j = json_parse_text(fine, strlen(fine), &err);
	assert_non_null(j);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(j, "t")->valuestring,
			    "C:\\users \xc3\xa9");
	cJSON_Delete(j);
}

static void test_uuid_timestamp_enum_bool(void **state)
{
	(void)state;
	struct errbuf err = {{0}};
	cJSON *j = obj("{\"id\":\"3f1c2a4e-9b7d-4c1e-8a2f-1d3e5f7a9b0c\",\"bad\":\"3f1c2a4e\","
		       "\"at\":\"2026-11-23T10:01:02.123Z\",\"mode\":\"AGENT\",\"b\":false,"
		       "\"sys\":null}");
	uuid_str id = "x";
	int64_t at = 0;
	int mode = -1, sys = -1;
	bool b = true;

	assert_true(jf_uuid(j, "id", JF_REQUIRED, id, &err));
	assert_string_equal(id, "3f1c2a4e-9b7d-4c1e-8a2f-1d3e5f7a9b0c");
	assert_false(jf_uuid(j, "bad", JF_REQUIRED, id, &err));
	assert_true(jf_timestamp(j, "at", JF_REQUIRED, &at, &err));
	assert_int_equal(at, 1795428062123LL);
	assert_false(jf_timestamp(j, "mode", JF_REQUIRED, &at, &err));
	assert_non_null(strstr(err.msg, "mode: "));
	assert_true(jf_enum(j, "mode", JF_REQUIRED, &chat_mode_table, &mode, &err));
	assert_int_equal(mode, CHAT_MODE_AGENT);
	assert_true(jf_enum(j, "sys", JF_NULLABLE, &system_type_table, &sys, &err));
	assert_int_equal(sys, SYSTEM_TYPE_NONE);
	assert_false(jf_enum(j, "sys", JF_NULLABLE, &chat_mode_table, &mode, &err));
	assert_true(jf_bool(j, "b", JF_REQUIRED, &b, &err));
	assert_false(b);
	cJSON_Delete(j);
}

static void test_encoders_write_nulls(void **state)
{
	(void)state;
	cJSON *o = cJSON_CreateObject();
	assert_true(json_add_string_or_null(o, "s", NULL));
	assert_true(json_add_uuid_or_null(o, "id", ""));
	assert_true(json_add_timestamp(o, "at", TS_NONE));
	assert_true(json_add_timestamp(o, "ts", 0));
	assert_true(json_add_int(o, "n", 1042));
	char *text = cJSON_PrintUnformatted(o);
	assert_string_equal(text, "{\"s\":null,\"id\":null,\"at\":null,"
				  "\"ts\":\"1970-01-01T00:00:00.000Z\",\"n\":1042}");
	free(text);
	cJSON_Delete(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_presence_rules),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_strings_count_characters),
		cmocka_unit_test(test_surrogate_escapes),
		cmocka_unit_test(test_bad_u_escapes),
		cmocka_unit_test(test_uuid_timestamp_enum_bool),
		cmocka_unit_test(test_encoders_write_nulls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
