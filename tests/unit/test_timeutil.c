/*
 * test_timeutil.c — ISO 8601 UTC timestamps and calendar dates.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "timeutil.h"

/* Sentinel for "the output was left alone". */
#define UNTOUCHED INT64_C(42)

struct known {
	const char *text;
	int64_t ms;
};

/* Expected values computed independently (Python's datetime). */
static const struct known known[] = {
	{ "1970-01-01T00:00:00.000Z", 0 },
	{ "1970-01-01T00:00:00.001Z", 1 },
	{ "1970-01-01T23:59:59.999Z", 86399999 },
	{ "2000-01-01T00:00:00.000Z", INT64_C(946684800000) },
	{ "2000-02-29T00:00:00.000Z", INT64_C(951782400000) },
	{ "2024-02-29T12:34:56.789Z", INT64_C(1709210096789) },
	{ "2026-11-23T10:01:02.123Z", INT64_C(1795428062123) },
	{ "9999-12-31T23:59:59.999Z", INT64_C(253402300799999) },
};

/* Parse from a heap copy, so a read past the terminator is caught. */
static bool parse(const char *s, int64_t *ms, struct errbuf *err)
{
	char *p = malloc(strlen(s) + 1);
	bool ok;

	assert_non_null(p);
	strcpy(p, s);
	ok = ts_parse(p, ms, err);
	free(p);
	return ok;
}

static void test_parse_known(void **state)
{
	struct errbuf err;
	int64_t ms;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof known / sizeof known[0]; i++) {
		ms = UNTOUCHED;
		if (!parse(known[i].text, &ms, &err))
			fail_msg("%s refused: %s", known[i].text, err.msg);
		assert_int_equal(ms, known[i].ms);
	}
}

static void test_format_known(void **state)
{
	char out[TS_STRLEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof known / sizeof known[0]; i++) {
		assert_ptr_equal(ts_format(known[i].ms, out), out);
		assert_string_equal(out, known[i].text);
	}
}

static void test_format_clamps_out_of_range(void **state)
{
	char out[TS_STRLEN];

	(void)state;
	assert_string_equal(ts_format(-1, out), "1970-01-01T00:00:00.000Z");
	assert_string_equal(ts_format(TS_NONE, out), "1970-01-01T00:00:00.000Z");
	assert_string_equal(ts_format(INT64_MAX, out), "9999-12-31T23:59:59.999Z");
	assert_string_equal(ts_format(INT64_C(253402300800000), out),
			    "9999-12-31T23:59:59.999Z");
}

/* A timestamp that must be refused, and a word the message should contain
 * so the agent can tell what was wrong. */
struct refusal {
	const char *text;
	const char *why;
};

static const struct refusal refused[] = {
	{ "2023-02-29T00:00:00.000Z", "no day 29" },   /* not a leap year */
	{ "2100-02-29T00:00:00.000Z", "no day 29" },   /* century, not leap */
	{ "2024-02-30T00:00:00.000Z", "no day 30" },
	{ "2024-04-31T00:00:00.000Z", "no day 31" },
	{ "2024-01-00T00:00:00.000Z", "no day 00" },
	{ "2024-13-01T00:00:00.000Z", "month" },
	{ "2024-00-10T00:00:00.000Z", "month" },
	{ "1969-12-31T23:59:59.999Z", "year" },
	{ "0000-01-01T00:00:00.000Z", "year" },
	{ "2024-01-01T24:00:00.000Z", "hour" },
	{ "2024-01-01T00:60:00.000Z", "minute" },
	{ "2024-01-01T23:59:60.000Z", "second" },       /* no leap seconds */
	{ "2024-01-01T00:00:00Z", "milliseconds" },
	{ "2024-01-01T00:00:00.12Z", "milliseconds" },
	{ "2024-01-01T00:00:00.1234Z", "milliseconds" },
	{ "2024-01-01T00:00:00.000+00:00", "UTC" },
	{ "2024-01-01T00:00:00.000", "UTC" },
	{ "2024-01-01T00:00:00.000Z ", "like" },
	{ "2024-01-01T00:00:00.000Zjunk", "like" },
	{ " 2024-01-01T00:00:00.000Z", "like" },
	{ "2024-01-01t00:00:00.000z", "like" },
	{ "2024-01-01 00:00:00.000Z", "like" },
	{ "+2024-01-01T00:00:00.000Z", "like" },
	{ "2024-1-01T00:00:00.000Z", "like" },
	{ "2024-0a-01T00:00:00.000Z", "like" },
	{ "2024-01-01", "like" },
	{ "", "like" },
};

static void test_parse_refuses(void **state)
{
	struct errbuf err;
	int64_t ms;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		ms = UNTOUCHED;
		err.msg[0] = '\0';
		if (parse(refused[i].text, &ms, &err))
			fail_msg("accepted \"%s\"", refused[i].text);
		assert_int_equal(ms, UNTOUCHED);
		if (strstr(err.msg, refused[i].why) == NULL)
			fail_msg("\"%s\": message \"%s\" lacks \"%s\"",
				 refused[i].text, err.msg, refused[i].why);
	}
}

static void test_parse_null_errbuf(void **state)
{
	int64_t ms = UNTOUCHED;

	(void)state;
	assert_false(parse("2023-02-29T00:00:00.000Z", &ms, NULL));
	assert_false(parse("garbage", &ms, NULL));
	assert_int_equal(ms, UNTOUCHED);
}

static void test_round_trip_every_second_of_a_day(void **state)
{
	char out[TS_STRLEN];
	int64_t base = INT64_C(1709164800000); /* 2024-02-29T00:00:00.000Z */
	int64_t ms, back;
	int i;

	(void)state;
	for (i = 0; i < 86400; i++) {
		ms = base + i * INT64_C(1000) + i % 1000;
		back = -1;
		ts_format(ms, out);
		if (!ts_parse(out, &back, NULL) || back != ms)
			fail_msg("%s did not round trip", out);
	}
	assert_string_equal(out, "2024-02-29T23:59:59.399Z");
}

static void test_now(void **state)
{
	char out[TS_STRLEN];
	int64_t before = (int64_t)time(NULL) * 1000, now = ts_now(), back;

	(void)state;
	/* Same clock as time(2), in milliseconds: allow a little slack. */
	assert_in_range(now, before - 2000, before + 2000);
	assert_true(now > INT64_C(1704067200000)); /* after 2024-01-01 */
	assert_true(ts_parse(ts_format(now, out), &back, NULL));
	assert_int_equal(back, now);
}

static bool parse_date(const char *s, int64_t *days, struct errbuf *err)
{
	char *p = malloc(strlen(s) + 1);
	bool ok;

	assert_non_null(p);
	strcpy(p, s);
	ok = date_parse(p, days, err);
	free(p);
	return ok;
}

static void test_date_known(void **state)
{
	struct errbuf err;
	char out[11];
	int64_t days;

	(void)state;
	assert_true(parse_date("1970-01-01", &days, &err));
	assert_int_equal(days, 0);
	assert_true(parse_date("2024-02-29", &days, &err));
	assert_int_equal(days, 19782);
	assert_true(parse_date("9999-12-31", &days, &err));
	assert_int_equal(days, 2932896);
	assert_string_equal(date_format(0, out), "1970-01-01");
	assert_string_equal(date_format(19782, out), "2024-02-29");
	assert_string_equal(date_format(2932896, out), "9999-12-31");
	/* Clamped like timestamps. */
	assert_string_equal(date_format(-1, out), "1970-01-01");
	assert_string_equal(date_format(INT64_MAX, out), "9999-12-31");
}

static void test_date_refuses(void **state)
{
	static const char *const bad[] = {
		"2023-02-29", "2100-02-29", "2024-02-30", "2024-06-31",
		"2024-00-01", "2024-13-01", "2024-01-00", "1969-12-31",
		"2024-2-01", "20240201", "2024-02-01x", "2024/02/01",
		"2024-02-01T00:00:00.000Z", "", "2024-02-0",
	};
	struct errbuf err;
	int64_t days;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		days = UNTOUCHED;
		err.msg[0] = '\0';
		if (parse_date(bad[i], &days, &err))
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(days, UNTOUCHED);
		assert_true(strncmp(err.msg, "date", 4) == 0);
	}
}

static int month_len(int y, int m)
{
	static const int len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return len[m - 1];
}

/* Walk the calendar day by day from 1970 to 9999 with plain counting and
 * check both conversions against it: this pins down the closed-form
 * arithmetic everywhere, leap centuries included. */
static void test_every_date_against_a_naive_calendar(void **state)
{
	char want[32], got[11];
	int64_t days = 0, parsed;
	int y, m, d;

	(void)state;
	for (y = 1970; y <= 9999; y++) {
		for (m = 1; m <= 12; m++) {
			for (d = 1; d <= month_len(y, m); d++, days++) {
				snprintf(want, sizeof want, "%04d-%02d-%02d", y, m, d);
				date_format(days, got);
				if (strcmp(got, want) != 0)
					fail_msg("day %lld: %s, want %s",
						 (long long)days, got, want);
				if (!date_parse(want, &parsed, NULL) || parsed != days)
					fail_msg("%s parsed wrong", want);
			}
		}
	}
	assert_int_equal(days, 2932897);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_known),
		cmocka_unit_test(test_format_known),
		cmocka_unit_test(test_format_clamps_out_of_range),
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test(test_parse_null_errbuf),
		cmocka_unit_test(test_round_trip_every_second_of_a_day),
		cmocka_unit_test(test_now),
		cmocka_unit_test(test_date_known),
		cmocka_unit_test(test_date_refuses),
		cmocka_unit_test(test_every_date_against_a_naive_calendar),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
