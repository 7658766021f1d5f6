/*
 * layout.c — the screen's rectangles for a size (see layout.h).
 */
#include <string.h>

#include "layout.h"

static int clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static struct rect row(int y, int cols)
{
	return (struct rect){y, 0, 1, cols};
}

void layout_compute(struct layout *l, int rows, int cols, enum pane focus)
{
	memset(l, 0, sizeof *l);
	rows = rows < 0 ? 0 : rows;
	cols = cols < 0 ? 0 : cols;

	/* The fixed rows claim the screen from the bottom up, then the top:
	 * on a tiny terminal the function bar goes last. */
	if (rows >= 1)
		l->fbar = row(rows - 1, cols);
	if (rows >= 2)
		l->status = row(rows - 2, cols);
	if (rows >= 3)
		l->header = row(0, cols);
	int body_y = rows >= 3 ? 1 : 0, body_h = rows > 3 ? rows - 3 : 0;

	if (cols >= LAYOUT_SPLIT_MIN_COLS) {
		/* Two fifths for the list: rows of names and previews read well
		 * at 40 to 64 columns; the thread gets the rest for the text. */
		int lw = clamp(cols * 2 / 5, LAYOUT_LIST_MIN_COLS, LAYOUT_LIST_MAX_COLS);
		l->split = true;
		l->list = (struct rect){body_y, 0, body_h, lw};
		l->rule_x = lw;
		l->thread = (struct rect){body_y, lw + 1, body_h, cols - lw - 1};
	} else if (focus == PANE_LIST) {
		l->list = (struct rect){body_y, 0, body_h, cols};
		l->thread = (struct rect){body_y, 0, 0, 0};
	} else {
		l->thread = (struct rect){body_y, 0, body_h, cols};
		l->list = (struct rect){body_y, 0, 0, 0};
	}
}

void layout_details(struct layout *l, int cols)
{
	struct rect body = l->split ? (struct rect){l->list.y, 0, l->list.h, cols}
			   : l->list.w ? l->list : l->thread;

	if (l->split && cols >= LAYOUT_DETAILS_SIDE_MIN_COLS) {
		l->details_side = true;
		l->thread.w -= LAYOUT_DETAILS_COLS + 1;
		l->details = (struct rect){body.y, cols - LAYOUT_DETAILS_COLS, body.h,
					   LAYOUT_DETAILS_COLS};
	} else {
		l->details_side = false;
		l->details = body;
	}
}
