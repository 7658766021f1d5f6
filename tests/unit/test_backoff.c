/*
 * test_backoff.c — jittered backoff, Retry-After, the retry policy.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>

#include "backoff.h"

/* 1994-11-06T08:49:37Z, the date in RFC 9110's example. */
#define RFC_DATE_MS INT64_C(784111777000)

static void test_delays_double_within_jitter_and_cap(void **state)
{
	struct backoff b;
	uint64_t d = 500;

	(void)state;
	backoff_init(&b, BACKOFF_BASE_S, BACKOFF_CAP_S, 42);
	for (int i = 0; i < 40; i++) {
		uint64_t got = backoff_next_ms(&b);

		assert_in_range(got, d / 2, d);
		d = d * 2 > 30000 ? 30000 : d * 2;
	}
}

/* Jitter must actually spread: over many draws at the cap both halves of
 * [15 s, 30 s] are hit. */
static void test_jitter_spreads(void **state)
{
	struct backoff b;
	bool low = false, high = false;

	(void)state;
	backoff_init(&b, BACKOFF_BASE_S, BACKOFF_CAP_S, 7);
	for (int i = 0; i < 200; i++) {
		uint64_t got = backoff_next_ms(&b);

		if (i < 10)
			continue;
		low |= got < 22500;
		high |= got >= 22500;
	}
	assert_true(low && high);
}

static void test_reset_starts_over(void **state)
{
	struct backoff b;

	(void)state;
	backoff_init(&b, BACKOFF_BASE_S, BACKOFF_CAP_S, 1);
	for (int i = 0; i < 10; i++)
		backoff_next_ms(&b);
	backoff_reset(&b);
	assert_in_range(backoff_next_ms(&b), 250, 500);
	assert_in_range(backoff_next_ms(&b), 500, 1000);
}

static void test_same_seed_same_delays(void **state)
{
	struct backoff a, b, c;
	bool differ = false;

	(void)state;
	backoff_init(&a, BACKOFF_BASE_S, BACKOFF_CAP_S, 1234);
	backoff_init(&b, BACKOFF_BASE_S, BACKOFF_CAP_S, 1234);
	backoff_init(&c, BACKOFF_BASE_S, BACKOFF_CAP_S, 1235);
	for (int i = 0; i < 20; i++) {
		uint64_t x = backoff_next_ms(&a);

		assert_int_equal(x, backoff_next_ms(&b));
		differ |= x != backoff_next_ms(&c);
	}
	assert_true(differ);
}

/* Seed 0 would freeze xorshift at 0 and every delay at d/2. */
static void test_seed_zero_still_jitters(void **state)
{
	struct backoff b;
	bool off_floor = false;

	(void)state;
	backoff_init(&b, BACKOFF_BASE_S, BACKOFF_CAP_S, 0);
	for (int i = 0; i < 20; i++)
		off_floor |= backoff_next_ms(&b) != (i < 6 ? 250u << i : 15000u);
	assert_true(off_floor);
}

static void test_retry_after_seconds(void **state)
{
	uint64_t ms = 1;

	(void)state;
	assert_true(retry_after_parse("120", 0, &ms));
	assert_int_equal(ms, 120000);
	assert_true(retry_after_parse(" 0\t", 0, &ms));
	assert_int_equal(ms, 0);
	assert_true(retry_after_parse("86400", 0, &ms));
	assert_int_equal(ms, RETRY_AFTER_MAX_MS);
	assert_true(retry_after_parse("99999999999999999999999999", 0, &ms));
	assert_int_equal(ms, RETRY_AFTER_MAX_MS);
}

static void test_retry_after_date(void **state)
{
	const char *date = "Sun, 06 Nov 1994 08:49:37 GMT";
	uint64_t ms = 1;

	(void)state;
	assert_true(retry_after_parse(date, RFC_DATE_MS - 30000, &ms));
	assert_int_equal(ms, 30000);
	assert_true(retry_after_parse(date, RFC_DATE_MS + 5000, &ms));
	assert_int_equal(ms, 0);
	assert_true(retry_after_parse(date, RFC_DATE_MS - 7200000, &ms));
	assert_int_equal(ms, RETRY_AFTER_MAX_MS);
	assert_true(retry_after_parse("Thu, 29 Feb 2024 23:59:59 GMT", 0, &ms));
	assert_int_equal(ms, RETRY_AFTER_MAX_MS);
	assert_true(retry_after_parse("Thu, 29 Feb 2024 23:59:59 GMT",
				      INT64_C(1709251199000) - 1000, &ms));
	assert_int_equal(ms, 1000);
}

static void test_retry_after_garbage_refused(void **state)
{
	static const char *const bad[] = {
		"", " ", "-5", "1.5", "12abc", "soon", "0x10",
		"Sun, 06 Nov 1994 08:49:37 UTC",	/* only GMT */
		"Mon, 06 Nov 1994 08:49:37 GMT",	/* wrong weekday */
		"Sun, 6 Nov 1994 08:49:37 GMT",		/* day needs 2 digits */
		"Sun, 06 Nop 1994 08:49:37 GMT",
		"Thu, 30 Feb 2023 08:49:37 GMT",
		"Sun, 06 Nov 1994 24:00:00 GMT",
		"Sun, 06 Nov 1994 08:49:37 GMT x",
		"Sunday, 06-Nov-94 08:49:37 GMT",	/* RFC 850 */
		"Sun Nov  6 08:49:37 1994",		/* asctime */
	};
	uint64_t ms = 77;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		if (retry_after_parse(bad[i], 0, &ms))
			fail_msg("accepted \"%s\"", bad[i]);
	}
	assert_int_equal(ms, 77);
}

static const struct {
	const char *method;
	long status;
	bool conn_error;
	bool retry;
} policy[] = {
	{"GET", 429, false, true},
	{"POST", 429, false, true},
	{"PATCH", 429, false, true},
	{"GET", 500, false, true},
	{"GET", 502, false, true},
	{"PUT", 503, false, true},
	{"DELETE", 504, false, true},
	{"HEAD", 503, false, true},
	{"GET", 501, false, false},
	{"GET", 505, false, false},
	{"POST", 500, false, false},
	{"POST", 503, false, false},
	{"PATCH", 503, false, false},
	{"GET", 0, true, true},
	{"PUT", 0, true, true},
	{"POST", 0, true, false},
	{"PATCH", 0, true, false},
	{"GET", 200, false, false},
	{"GET", 400, false, false},
	{"GET", 404, false, false},
	{"GET", 409, false, false},
	{"get", 503, false, false},	/* methods are case-sensitive */
};

static void test_retry_policy_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof policy / sizeof *policy; i++) {
		if (should_retry(policy[i].method, policy[i].status, policy[i].conn_error) !=
		    policy[i].retry)
			fail_msg("%s %ld conn=%d: expected retry=%d", policy[i].method,
				 policy[i].status, policy[i].conn_error, policy[i].retry);
	}
	assert_true(http_method_idempotent("PUT"));
	assert_false(http_method_idempotent("POST"));
	assert_false(http_method_idempotent("PATCH"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delays_double_within_jitter_and_cap),
		cmocka_unit_test(test_jitter_spreads),
		cmocka_unit_test(test_reset_starts_over),
		cmocka_unit_test(test_same_seed_same_delays),
		cmocka_unit_test(test_seed_zero_still_jitters),
		cmocka_unit_test(test_retry_after_seconds),
		cmocka_unit_test(test_retry_after_date),
		cmocka_unit_test(test_retry_after_garbage_refused),
		cmocka_unit_test(test_retry_policy_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
