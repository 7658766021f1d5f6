/*
 * jumpscroll.c — the thread's jumps during a burst (see jumpscroll.h).
 */
#include <stdbool.h>

#include "jumpscroll.h"

int jumpscroll_frame(struct jumpscroll *j, int grown, int area, int64_t now)
{
	if (grown < 0 || area != j->area) {
		j->area = area;
		j->slack = 0;
		return 0;
	}
	if (grown == 0)
		return j->slack;
	j->grew[j->growths++ % JUMP_BURST_GROWTHS] = now;
	/* The slot written next holds the oldest of the last few. */
	bool burst = j->growths >= JUMP_BURST_GROWTHS &&
		     now - j->grew[j->growths % JUMP_BURST_GROWTHS] < JUMP_BURST_MS;
	if (grown <= j->slack)
		j->slack -= grown;          /* into the blank rows: nothing moves */
	else if (burst && grown < area / 2)
		j->slack = area / 2;        /* one jump of half the pane */
	else
		j->slack = 0;               /* row by row, the newest at the bottom */
	return j->slack;
}

void jumpscroll_settle(struct jumpscroll *j)
{
	j->slack = 0;
}
