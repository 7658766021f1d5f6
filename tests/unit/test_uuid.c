/*
 * test_uuid.c — lowercase UUID v4 validation and generation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "uuid.h"

#define GOOD "f47ac10b-58cc-4372-a567-0e02b2c3d479"

/* Check from a heap copy, so a read past the terminator is caught. */
static bool valid(const char *s)
{
	char *p = malloc(strlen(s) + 1);
	bool ok;

	assert_non_null(p);
	strcpy(p, s);
	ok = uuid_valid(p);
	free(p);
	return ok;
}

static void test_valid_accepts_v4(void **state)
{
	(void)state;
	assert_true(valid(GOOD));
	/* All four variant nibbles of RFC 4122. */
	assert_true(valid("00000000-0000-4000-8000-000000000000"));
	assert_true(valid("ffffffff-ffff-4fff-9fff-ffffffffffff"));
	assert_true(valid("01234567-89ab-4cde-afed-cba987654321"));
	assert_true(valid("01234567-89ab-4cde-bfed-cba987654321"));
}

static void test_valid_refuses(void **state)
{
	static const char *const bad[] = {
		"F47AC10B-58CC-4372-A567-0E02B2C3D479",  /* uppercase */
		"f47ac10b-58cc-4372-a567-0e02b2c3d47A",  /* one uppercase digit */
		"f47ac10b-58cc-1372-a567-0e02b2c3d479",  /* version 1 */
		"f47ac10b-58cc-5372-a567-0e02b2c3d479",  /* version 5 */
		"f47ac10b-58cc-f372-a567-0e02b2c3d479",  /* version nibble f */
		"f47ac10b-58cc-4372-c567-0e02b2c3d479",  /* variant c (Microsoft) */
		"f47ac10b-58cc-4372-7567-0e02b2c3d479",  /* variant 7 (NCS) */
		"f47ac10b-58cc-4372-0567-0e02b2c3d479",  /* variant 0 */
		"f47ac10b-58cc-4372-a567-0e02b2c3d47",   /* 35 characters */
		"f47ac10b-58cc-4372-a567-0e02b2c3d4790", /* 37 characters */
		"f47ac10b-58cc-4372-a567-0e02b2c3d479 ", /* trailing space */
		"f47ac10b58cc4372a5670e02b2c3d479",      /* no dashes */
		"f47ac10b58cc-4372-a567-0e02b2c3d479",   /* one dash missing */
		"f47ac10-b58cc-4372-a567-0e02b2c3d479",  /* dash misplaced */
		"f47ac10b-58cc-4372-a567_0e02b2c3d479",  /* not a dash */
		"{f47ac10b-58cc-4372-a567-0e02b2c3d479}", /* braces */
		"g47ac10b-58cc-4372-a567-0e02b2c3d479",  /* not hex */
		"00000000-0000-0000-0000-000000000000",  /* nil uuid */
		"f47ac10b",
		"",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (valid(bad[i]))
			fail_msg("accepted \"%s\"", bad[i]);
	}
}

static int cmp_ids(const void *a, const void *b)
{
	return strcmp(a, b);
}

#define N_IDS 2000

/* Generated ids are valid, all distinct, and the random bits really vary:
 * every free position takes more than one value, and the variant nibble
 * takes all four of 8, 9, a and b. */
static void test_generate(void **state)
{
	static const char variants[] = "89ab";
	static char ids[N_IDS][UUID_STRLEN + 1];
	bool variant_seen[4] = { false, false, false, false };
	struct errbuf err;
	size_t i, pos;

	(void)state;
	for (i = 0; i < N_IDS; i++) {
		memset(ids[i], 'x', sizeof ids[i]);
		if (!uuid_generate(ids[i], i % 2 ? &err : NULL))
			fail_msg("uuid_generate failed");
		assert_int_equal(strlen(ids[i]), UUID_STRLEN);
		if (!uuid_valid(ids[i]))
			fail_msg("generated invalid \"%s\"", ids[i]);
		variant_seen[strchr(variants, ids[i][19]) - variants] = true;
	}
	for (i = 0; i < 4; i++)
		assert_true(variant_seen[i]);
	for (pos = 0; pos < UUID_STRLEN; pos++) {
		if (pos == 8 || pos == 13 || pos == 14 || pos == 18 || pos == 23)
			continue;
		for (i = 1; i < N_IDS && ids[i][pos] == ids[0][pos]; i++)
			;
		if (i == N_IDS)
			fail_msg("position %zu is always '%c'", pos, ids[0][pos]);
	}
	qsort(ids, N_IDS, sizeof ids[0], cmp_ids);
	for (i = 1; i < N_IDS; i++) {
		if (strcmp(ids[i - 1], ids[i]) == 0)
			fail_msg("duplicate id %s", ids[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_accepts_v4),
		cmocka_unit_test(test_valid_refuses),
		cmocka_unit_test(test_generate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
