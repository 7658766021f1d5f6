/*
 * jumpscroll.h — how the open thread follows a burst of messages.
 *
 * A terminal scrolls only whole rows: with the chat list beside the
 * thread, moving the thread up by one row means rewriting every row of
 * the thread pane (about 1.4 KB at 120x30), once per message. When
 * messages come faster than anyone reads them (JUMP_BURST_GROWTHS frames
 * that grew the thread within JUMP_BURST_MS), the thread jumps instead, as
 * xterm's jump scroll does: when the newest row reaches the bottom, the
 * pane moves up by half its height, and the next messages are drawn into
 * the blank rows under it without moving anything. Every message is still
 * drawn in the first frame after it arrives. JUMP_SETTLE_MS after the
 * last one the newest message goes back to the bottom. A thread alone on
 * the screen spans the full width: the terminal scrolls it, no jump.
 *
 * Pure arithmetic on rows and times, so it is tested without a terminal.
 */
#ifndef HANDOFF_UI_JUMPSCROLL_H
#define HANDOFF_UI_JUMPSCROLL_H

#include <stdint.h>

#define JUMP_BURST_GROWTHS 4
#define JUMP_BURST_MS 1000
#define JUMP_SETTLE_MS 500

struct jumpscroll {
	int area;            /* rows of the message area at the last frame */
	int slack;           /* blank rows left under the newest row */
	int64_t grew[JUMP_BURST_GROWTHS]; /* when the thread last grew (ms), a ring */
	unsigned growths;    /* frames that grew the thread, ever */
};

/*
 * A frame is about to draw the thread at the bottom in `area` rows, with
 * `grown` rows new under what the last frame drew (0: none; negative: not
 * known — another chat, scrolled up, or more than a screenful), at `now`
 * (monotonic ms). Returns the blank rows to leave under the newest row.
 */
int jumpscroll_frame(struct jumpscroll *j, int grown, int area, int64_t now);

/* The burst is over: the newest row goes back to the bottom. */
void jumpscroll_settle(struct jumpscroll *j);

#endif
