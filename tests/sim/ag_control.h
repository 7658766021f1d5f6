/*
 * ag_control.h — the agents simulator's own control routes, under /_sim/
 * next to the common ones (sim_control.h). doc/simulators.md lists the
 * paths.
 */
#ifndef HANDOFF_SIM_AG_CONTROL_H
#define HANDOFF_SIM_AG_CONTROL_H

#include "ag_sim.h"

extern const struct sim_route AG_CONTROL_ROUTES[];

/* The conversation a route's "*" names (of any live agent), or NULL. */
void *ag_control_find(void *state, const char *id);

#endif
