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

enum pane { PANE_LIST, PANE_THREAD };

struct rect {
	int y, x, h, w;
};

struct layout {
	struct rect header, list, thread, status, fbar;
	bool split;      /* both panes shown, a one-column rule between them */
	int rule_x;      /* the rule's column when split */
};

void layout_compute(struct layout *l, int rows, int cols, enum pane focus);

#endif
