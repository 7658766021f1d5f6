/*
 * jumpscroll.h — where the newest row of the open thread sits while the
 * agent follows its bottom.
 *
 * A terminal scrolls only whole rows: with the chat list beside the
 * thread, moving the thread up by one row means rewriting every row of
 * the thread pane (about 1.2 KB at 120x30), once per message. So beside
 * the list the thread never moves by a row: a new message is drawn into
 * the blank rows under the newest, and when none are left the pane moves
 * up by half its height at once, as xterm's jump scroll does (the
 * newest row then in the middle, blank rows under it). The pane is
 * rewritten once per half page, whatever the pace: a conversation at two
 * messages a second and a burst at a hundred cost the same per message.
 * When the rows for messages change (the composer opens or grows, a reply
 * is pending) the top row stays where it is and the blank rows give or
 * take the difference.
 *
 * A thread that fits in the pane whole starts at its top row. Opening a
 * chat, scrolling back to the bottom, or more new rows than half the pane
 * put the newest row on the bottom row. A thread alone on the screen
 * spans the full width, so the terminal scrolls it cheaply: it moves row
 * by row, the newest on the bottom row.
 *
 * Pure arithmetic on rows, so it is tested without a terminal.
 */
#ifndef HANDOFF_UI_JUMPSCROLL_H
#define HANDOFF_UI_JUMPSCROLL_H

struct jumpscroll {
	int area;            /* rows for messages at the last frame */
	int slack;           /* blank rows left under the newest row */
};

/*
 * A frame is about to draw the thread, following its bottom, in `area`
 * rows. `rows`: how many rows the whole thread takes when all of it is
 * loaded and fits in fewer than `area`, else -1. `grown`: rows new under
 * what the last frame drew (0: none), or -1 when that is not known or the
 * thread must end on the bottom row (another chat, back from scrolling,
 * alone on the screen). Returns the blank rows to leave under the newest.
 */
int jumpscroll_frame(struct jumpscroll *j, int grown, int area, int rows);

#endif
