/*
 * test_canned.c — canned replies in core: the fuzzy match a picker ranks
 * by, the expansion of placeholders, the name rule and the JSON round trip.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "canned.h"

static void test_match_subsequence(void **state)
{
	(void)state;
	/* Letters of the name in order, case aside. */
	assert_true(canned_match("rfd", "refund-policy", NULL) >= 0);
	assert_true(canned_match("RFD", "refund-policy", NULL) >= 0);
	assert_true(canned_match("dfr", "refund-policy", NULL) < 0);
	assert_true(canned_match("refundx", "refund-policy", NULL) < 0);
	/* Everything matches nothing typed. */
	assert_int_equal(canned_match("", "greet", "Hello"), 0);
}

static void test_match_ranks(void **state)
{
	(void)state;
	/* A run beats scattered letters; the start of the name counts. */
	assert_true(canned_match("ref", "refund", NULL) > canned_match("ref", "rate-of-exchange",
									 NULL));
	assert_true(canned_match("gr", "greet", NULL) > canned_match("gr", "agree", NULL));
	/* Any name match ranks above a text-only match. */
	int by_text = canned_match("parcel", "ship", "Your parcel is on its way");
	assert_true(by_text >= 0);
	assert_true(canned_match("s", "ship", "x") > by_text);
	assert_true(canned_match("PARCEL", "ship", "Your parcel is on its way") >= 0);
	assert_true(canned_match("parcels", "ship", "Your parcel is on its way") < 0);
}

static void test_expand(void **state)
{
	(void)state;
	char *s = canned_expand("Hi {customer}, {agent} here about {chat_title}. {other} {",
				"Carla", "Ana", "Order 42");
	assert_string_equal(s, "Hi Carla, Ana here about Order 42. {other} {");
	free(s);
	s = canned_expand("{customer}{customer}", NULL, "Ana", NULL);
	assert_string_equal(s, "");
	free(s);
	s = canned_expand("{agent}{agent}", "", "Zoë", "");
	assert_string_equal(s, "ZoëZoë");
	free(s);
}

static void test_name_and_json(void **state)
{
	struct errbuf err;
	struct canned r = {.name = "greet", .text = "Hi {customer}", .shared = true,
			   .created_at = 1700000000000}, back;
	(void)state;

	assert_true(canned_name_valid("greet.v2_x-1", &err));
	assert_false(canned_name_valid("", &err));
	assert_false(canned_name_valid("two words", &err));
	assert_false(canned_name_valid("0123456789012345678901234567890123", &err));
	strcpy(r.id, "3f1c2a4e-9b7d-4c1e-8a2f-1d3e5f7a9b0c");
	cJSON *j = canned_to_json(&r);
	assert_non_null(j);
	assert_true(canned_from_json(j, &back, &err));
	assert_string_equal(back.name, "greet");
	assert_string_equal(back.text, "Hi {customer}");
	assert_true(back.shared);
	assert_string_equal(back.owner_id, "");
	assert_true(back.created_at == r.created_at);
	canned_free(&back);
	cJSON_ReplaceItemInObject(j, "name", cJSON_CreateString("bad name"));
	assert_false(canned_from_json(j, &back, &err));
	cJSON_Delete(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_subsequence),
		cmocka_unit_test(test_match_ranks),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_name_and_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
