/*
 * pane.h — what the moving keys do in the pane that has the focus, as a
 * small class of function pointers (htop's Panel idea): the list moves its
 * selection, the thread scrolls. Actions call the focused pane's and never
 * ask which one it is.
 */
#ifndef HANDOFF_UI_PANE_H
#define HANDOFF_UI_PANE_H

#include "console.h"

struct pane_class {
	const char *name;
	/* `dir` is +1 towards the end (down, the newest), -1 towards the start. */
	void (*step)(struct console *c, int dir);
	void (*page)(struct console *c, int dir);
	void (*edge)(struct console *c, int dir);
};

/* The pane the keys go to: the customer details while they have the
 * keys, the thread when it is open and focused, else the list. */
const struct pane_class *pane_focused(const struct console *c);

#endif
