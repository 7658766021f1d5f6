/*
 * test_ratelimit.c — the token buckets, on a clock the test turns.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>

#include "ratelimit.h"

static void test_a_burst_then_the_rate(void **state)
{
	(void)state;
	struct ratelimit *rl = ratelimit_new(64);
	struct rate r = {2, 3};
	unsigned retry = 0;

	for (int i = 0; i < 3; i++)
		assert_true(ratelimit_take(rl, &r, "ana", 1000, &retry));
	assert_false(ratelimit_take(rl, &r, "ana", 1000, &retry));
	assert_int_equal(retry, 1); /* half a second, rounded up */
	assert_true(ratelimit_take(rl, &r, "ben", 1000, &retry));
	assert_false(ratelimit_take(rl, &r, "ana", 1400, &retry));
	assert_true(ratelimit_take(rl, &r, "ana", 1500, &retry));
	/* Idle for long: back to the burst, no more. */
	for (int i = 0; i < 3; i++)
		assert_true(ratelimit_take(rl, &r, "ana", 60000, &retry));
	assert_false(ratelimit_take(rl, &r, "ana", 60000, &retry));
	ratelimit_free(rl);
}

static void test_peek_takes_nothing_and_a_slow_rate_says_how_long(void **state)
{
	(void)state;
	struct ratelimit *rl = ratelimit_new(64);
	struct rate r = {0.2, 2};
	unsigned retry = 0;

	assert_true(ratelimit_peek(rl, &r, "10.0.0.1", 0, &retry));
	assert_true(ratelimit_take(rl, &r, "10.0.0.1", 0, &retry));
	assert_true(ratelimit_take(rl, &r, "10.0.0.1", 0, &retry));
	assert_false(ratelimit_peek(rl, &r, "10.0.0.1", 0, &retry));
	assert_int_equal(retry, 5);
	assert_false(ratelimit_peek(rl, &r, "10.0.0.1", 4000, &retry));
	assert_int_equal(retry, 1);
	assert_true(ratelimit_peek(rl, &r, "10.0.0.1", 5000, &retry));
	ratelimit_free(rl);
}

static void test_a_flood_of_keys_stays_in_the_table(void **state)
{
	(void)state;
	struct ratelimit *rl = ratelimit_new(16);
	struct rate r = {1, 1}, off = {0, 0};
	unsigned retry = 0;
	char key[32];

	assert_true(ratelimit_take(rl, &r, "victim", 0, &retry));
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof key, "k%d", i);
		assert_true(ratelimit_take(rl, &r, key, 0, &retry));
	}
	/* No limit: never refused, whatever the key. */
	for (int i = 0; i < 10; i++)
		assert_true(ratelimit_take(rl, &off, "any", 0, &retry));
	ratelimit_free(rl);
}

static void test_parse(void **state)
{
	(void)state;
	struct rate r;

	assert_true(rate_parse("20,100", &r));
	assert_true(r.per_sec == 20 && r.burst == 100);
	assert_true(rate_parse("0.2,30", &r));
	assert_true(rate_parse("0", &r));
	assert_true(r.per_sec == 0);
	assert_true(rate_parse("5", &r));
	assert_true(r.burst == 5);
	assert_false(rate_parse("", &r));
	assert_false(rate_parse("x", &r));
	assert_false(rate_parse("-1,5", &r));
	assert_false(rate_parse("5,0", &r));
	assert_false(rate_parse("5,", &r));
	assert_false(rate_parse("nan", &r));
	assert_false(rate_parse("inf,5", &r));
	assert_false(rate_parse("5,10x", &r));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_burst_then_the_rate),
		cmocka_unit_test(test_peek_takes_nothing_and_a_slow_rate_says_how_long),
		cmocka_unit_test(test_a_flood_of_keys_stays_in_the_table),
		cmocka_unit_test(test_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
