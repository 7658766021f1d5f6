/*
 * test_jumpscroll.c — where the open thread's newest row sits: the blank
 * rows under it, when it jumps, what a change of the rows for messages
 * does (ui/jumpscroll.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "jumpscroll.h"

#define AREA 26

/* A chat opened on a full pane, then n messages of one row each; the
 * blank rows after each in slack[]. */
static void feed(struct jumpscroll *j, int n, int *slack)
{
	memset(j, 0, sizeof *j);
	assert_int_equal(jumpscroll_frame(j, -1, AREA, -1), 0); /* opened: at the bottom */
	for (int i = 0; i < n; i++)
		slack[i] = jumpscroll_frame(j, 1, AREA, -1);
}

/* At any pace: the first new row finds no blank row and the pane jumps up
 * half its height; the next go into the blank rows, nothing moving, until
 * none is left, and it jumps again. */
static void test_messages_fill_blank_rows_then_jump_half_a_pane(void **state)
{
	struct jumpscroll j;
	int slack[2 * AREA];

	(void)state;
	feed(&j, 2 * AREA, slack);
	int half = AREA / 2;
	for (int i = 0; i < 2 * AREA; i++)
		assert_int_equal(slack[i], half - i % (half + 1));
	/* A frame that adds nothing keeps the place. */
	assert_int_equal(jumpscroll_frame(&j, 0, AREA, -1), slack[2 * AREA - 1]);
}

/* A thread that fits starts at the top row and grows downwards; the first
 * row past the pane jumps. */
static void test_a_short_thread_starts_at_the_top(void **state)
{
	struct jumpscroll j;

	(void)state;
	memset(&j, 0, sizeof j);
	assert_int_equal(jumpscroll_frame(&j, -1, AREA, 3), AREA - 3);
	assert_int_equal(jumpscroll_frame(&j, 2, AREA, 5), AREA - 5);
	assert_int_equal(jumpscroll_frame(&j, AREA - 5, AREA, -1), 0); /* exactly full */
	assert_int_equal(jumpscroll_frame(&j, 1, AREA, -1), AREA / 2);
}

/* Fewer or more rows for messages (the composer, a pending reply): the
 * top row stays while blank rows allow; with none, and nothing new, the
 * newest goes to the bottom row rather than jumping. */
static void test_a_new_area_keeps_the_top_row(void **state)
{
	struct jumpscroll j;
	int slack[4];

	(void)state;
	feed(&j, 4, slack);
	assert_int_equal(slack[3], AREA / 2 - 3);
	assert_int_equal(jumpscroll_frame(&j, 0, AREA - 2, -1), AREA / 2 - 5);
	/* The pending reply becomes the reply: one row new, one row more. */
	assert_int_equal(jumpscroll_frame(&j, 1, AREA - 1, -1), AREA / 2 - 5);
	/* Nine rows fewer: more than the blank rows. */
	assert_int_equal(jumpscroll_frame(&j, 0, AREA - 10, -1), 0);
}

/* Not known, or more than half the pane at once: the bottom row. */
static void test_unknown_or_large_growth_ends_on_the_bottom_row(void **state)
{
	struct jumpscroll j;
	int slack[3];

	(void)state;
	feed(&j, 3, slack);
	assert_true(slack[2] > 0);
	assert_int_equal(jumpscroll_frame(&j, -1, AREA, -1), 0);
	feed(&j, 3, slack);
	assert_int_equal(jumpscroll_frame(&j, AREA, AREA, -1), 0);
	feed(&j, 1, slack);
	/* One row more than the upper half holds. */
	assert_int_equal(jumpscroll_frame(&j, AREA - AREA / 2 + 1, AREA, -1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_messages_fill_blank_rows_then_jump_half_a_pane),
		cmocka_unit_test(test_a_short_thread_starts_at_the_top),
		cmocka_unit_test(test_a_new_area_keeps_the_top_row),
		cmocka_unit_test(test_unknown_or_large_growth_ends_on_the_bottom_row),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
