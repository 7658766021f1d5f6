/*
 * layout.h — where each part of the screen goes for a terminal size.
 *
 *   row 0          header: queue tabs with counts, connection, agent
 *   rows 1..h-3    the chat list | the open thread (side by side from
 *                  LAYOUT_SPLIT_MIN_COLS columns; below that, one at a
 *                  time: the focused one takes the width)
 *   row h-2        status line: what just happened, errors in words
 *   row h-1        function bar: the main keys (htop style)
 *
 * Pure arithmetic, so it is tested without a terminal; any size, even a
 * nonsensical one, gives rectangles inside the screen (possibly empty).
 */
#ifndef HANDOFF_UI_LAYOUT_H
#define HANDOFF_UI_LAYOUT_H

#include <stdbool.h>

#define LAYOUT_SPLIT_MIN_COLS 100
#define LAYOUT_LIST_MIN_COLS 38
#define LAYOUT_LIST_MAX_COLS 64
/* The customer details: a side pane of this width at the right from
 * LAYOUT_DETAILS_SIDE_MIN_COLS columns (the thread keeps 60 and more);
 * below that, an overlay over the list and the thread. */
#define LAYOUT_DETAILS_SIDE_MIN_COLS 130
#define LAYOUT_DETAILS_COLS 36

enum pane { PANE_LIST, PANE_THREAD };

struct rect {
	int y, x, h, w;
};

struct layout {
	struct rect header, list, thread, status, fbar;
	bool split;      /* both panes shown, a one-column rule between them */
	int rule_x;      /* the rule's column when split */
	struct rect details;  /* the customer details when shown (layout_details) */
	bool details_side;    /* beside the thread, a rule at details.x - 1 */
};

void layout_compute(struct layout *l, int rows, int cols, enum pane focus);

/* Make room for the customer details in a computed layout: a side pane
 * taken from the thread when the screen is wide enough, else the whole
 * body (an overlay, the panes stay under it). */
void layout_details(struct layout *l, int cols);

#endif
