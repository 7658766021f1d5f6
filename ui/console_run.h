/*
 * console_run.h — starting the console, for main (which must not see curses.h:
 * src/ never includes it).
 */
#ifndef HANDOFF_UI_CONSOLE_RUN_H
#define HANDOFF_UI_CONSOLE_RUN_H

#include "settings.h"

/* Run the console until the agent quits; the exit status. The outbox
 * lives in `state_dir`. */
int console_run(const struct config *cfg, const char *state_dir);

#endif
