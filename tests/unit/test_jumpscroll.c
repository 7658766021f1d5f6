/*
 * test_jumpscroll.c — when the thread moves row by row, when it jumps, and
 * back to the bottom after a burst (ui/jumpscroll.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "jumpscroll.h"

#define AREA 26

/* Messages of one row each `gap_ms` apart, from t = 1000; the slack after
 * each in slack[]. */
static void feed(struct jumpscroll *j, int n, int gap_ms, int *slack)
{
	jumpscroll_frame(j, -1, AREA, 0); /* the first frame of the chat */
	for (int i = 0; i < n; i++)
		slack[i] = jumpscroll_frame(j, 1, AREA, 1000 + (int64_t)i * gap_ms);
}

static void test_slow_messages_move_row_by_row(void **state)
{
	struct jumpscroll j;
	int slack[20];

	(void)state;
	memset(&j, 0, sizeof j);
	/* Three a second is a conversation, not a burst. */
	feed(&j, 20, 400, slack);
	for (int i = 0; i < 20; i++)
		assert_int_equal(slack[i], 0);
}

static void test_burst_jumps_half_a_pane(void **state)
{
	struct jumpscroll j;
	int slack[40];

	(void)state;
	memset(&j, 0, sizeof j);
	feed(&j, 40, 10, slack);
	/* Row by row until four frames grew it within a second... */
	for (int i = 0; i < JUMP_BURST_GROWTHS - 1; i++)
		assert_int_equal(slack[i], 0);
	/* ...then half the pane at once, filled one row per message. */
	assert_int_equal(slack[JUMP_BURST_GROWTHS - 1], AREA / 2);
	for (int i = JUMP_BURST_GROWTHS; i < JUMP_BURST_GROWTHS + AREA / 2; i++)
		assert_int_equal(slack[i], AREA / 2 - (i - JUMP_BURST_GROWTHS + 1));
	assert_int_equal(slack[JUMP_BURST_GROWTHS + AREA / 2], AREA / 2);
	/* A frame that adds nothing keeps the place; the end of the burst
	 * goes back to the bottom. */
	assert_true(slack[39] > 0);
	assert_int_equal(jumpscroll_frame(&j, 0, AREA, 2000), slack[39]);
	jumpscroll_settle(&j);
	assert_int_equal(jumpscroll_frame(&j, 0, AREA, 2000), 0);
}

static void test_unknown_growth_or_new_size_follows_the_bottom(void **state)
{
	struct jumpscroll j;
	int slack[10];

	(void)state;
	memset(&j, 0, sizeof j);
	feed(&j, 10, 10, slack);
	assert_true(slack[9] > 0);
	/* Another chat, scrolled up, a screenful at once: */
	assert_int_equal(jumpscroll_frame(&j, -1, AREA, 1100), 0);
	feed(&j, 10, 10, slack);
	/* The composer opened: fewer rows. */
	assert_int_equal(jumpscroll_frame(&j, 1, AREA - 3, 1200), 0);
	/* More new rows than half the pane: no jump can hold them. */
	feed(&j, 10, 10, slack);
	assert_int_equal(jumpscroll_frame(&j, AREA, AREA, 1110), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slow_messages_move_row_by_row),
		cmocka_unit_test(test_burst_jumps_half_a_pane),
		cmocka_unit_test(test_unknown_growth_or_new_size_follows_the_bottom),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
