/*
 * test_layout.c — the screen's rectangles at every size from 1x1 to
 * 300x100: inside the screen, never overlapping, split only when wide.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "layout.h"

static void assert_inside(struct rect r, int rows, int cols)
{
	assert_true(r.h >= 0 && r.w >= 0);
	if (r.h == 0 || r.w == 0)
		return;
	assert_true(r.y >= 0 && r.x >= 0);
	assert_true(r.y + r.h <= rows);
	assert_true(r.x + r.w <= cols);
}

static bool overlap(struct rect a, struct rect b)
{
	if (!a.h || !a.w || !b.h || !b.w)
		return false;
	return a.y < b.y + b.h && b.y < a.y + a.h && a.x < b.x + b.w && b.x < a.x + a.w;
}

static void every_size_is_sane(void **state)
{
	(void)state;
	for (int rows = 0; rows <= 100; rows++) {
		for (int cols = 0; cols <= 300; cols++) {
			for (int focus = PANE_LIST; focus <= PANE_THREAD; focus++) {
				struct layout l;
				layout_compute(&l, rows, cols, focus);
				struct rect all[] = {l.header, l.list, l.thread, l.status, l.fbar};
				for (size_t i = 0; i < 5; i++) {
					assert_inside(all[i], rows, cols);
					for (size_t j = i + 1; j < 5; j++)
						assert_false(overlap(all[i], all[j]));
				}
				assert_int_equal(l.split, cols >= LAYOUT_SPLIT_MIN_COLS);
			}
		}
	}
}

static void classic_80x24_is_one_pane(void **state)
{
	struct layout l;

	(void)state;
	layout_compute(&l, 24, 80, PANE_LIST);
	assert_false(l.split);
	assert_int_equal(l.header.y, 0);
	assert_int_equal(l.list.y, 1);
	assert_int_equal(l.list.h, 21);
	assert_int_equal(l.list.w, 80);
	assert_int_equal(l.thread.w, 0);
	assert_int_equal(l.status.y, 22);
	assert_int_equal(l.fbar.y, 23);

	layout_compute(&l, 24, 80, PANE_THREAD);
	assert_int_equal(l.thread.w, 80);
	assert_int_equal(l.list.w, 0);
}

static void wide_screen_splits(void **state)
{
	struct layout l;

	(void)state;
	layout_compute(&l, 40, 160, PANE_THREAD);
	assert_true(l.split);
	assert_int_equal(l.list.w, 64);
	assert_int_equal(l.rule_x, 64);
	assert_int_equal(l.thread.x, 65);
	assert_int_equal(l.thread.w, 95);
	assert_int_equal(l.list.h, 37);

	layout_compute(&l, 30, 100, PANE_LIST);
	assert_int_equal(l.list.w, 40);
	assert_int_equal(l.thread.w, 59);
}

static void details_beside_when_wide_over_when_narrow(void **state)
{
	struct layout l;

	(void)state;
	layout_compute(&l, 40, 160, PANE_THREAD);
	layout_details(&l, 160);
	assert_true(l.details_side);
	assert_int_equal(l.details.x, 160 - LAYOUT_DETAILS_COLS);
	assert_int_equal(l.details.w, LAYOUT_DETAILS_COLS);
	assert_int_equal(l.details.y, l.thread.y);
	assert_int_equal(l.details.h, l.thread.h);
	/* The thread ends where the details' rule begins. */
	assert_int_equal(l.thread.x + l.thread.w, l.details.x - 1);

	/* 80x24: the whole body, the pane under it unchanged. */
	layout_compute(&l, 24, 80, PANE_THREAD);
	layout_details(&l, 80);
	assert_false(l.details_side);
	assert_int_equal(l.details.x, 0);
	assert_int_equal(l.details.y, 1);
	assert_int_equal(l.details.w, 80);
	assert_int_equal(l.details.h, 21);
	assert_int_equal(l.thread.w, 80);

	/* Split but too narrow for three: over both panes. */
	layout_compute(&l, 30, 110, PANE_LIST);
	layout_details(&l, 110);
	assert_false(l.details_side);
	assert_int_equal(l.details.w, 110);
	assert_int_equal(l.details.x, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_size_is_sane),
		cmocka_unit_test(classic_80x24_is_one_pane),
		cmocka_unit_test(wide_screen_splits),
		cmocka_unit_test(details_beside_when_wide_over_when_narrow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
