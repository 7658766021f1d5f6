/*
 * jumpscroll.c — where the open thread's newest row sits (see jumpscroll.h).
 */
#include "jumpscroll.h"

int jumpscroll_frame(struct jumpscroll *j, int grown, int area, int rows)
{
	int was = j->area;

	j->area = area;
	if (rows >= 0 && rows < area)
		return j->slack = area - rows;  /* all of it, from the top row */
	if (grown < 0)
		return j->slack = 0;            /* the newest on the bottom row */
	/* The top row stays: new rows take blank ones, and a change in the
	 * rows for messages gives or takes blank ones at the bottom. */
	int slack = j->slack + (area - was) - grown;
	if (slack >= 0)
		return j->slack = slack;
	/* Fewer rows for messages and nothing new (the composer opened): the
	 * newest on the bottom row, as much of the thread above as fits. */
	if (grown == 0)
		return j->slack = 0;
	/* No room left: up by half the pane at once, unless the new rows
	 * alone fill that half. */
	return j->slack = grown + area / 2 <= area ? area / 2 : 0;
}
