/*
 * bp_control.h — the Botpress simulator's own control routes, under
 * /_sim/ next to the common ones (sim_control.h). doc/simulators.md lists
 * the paths.
 */
#ifndef HANDOFF_SIM_BP_CONTROL_H
#define HANDOFF_SIM_BP_CONTROL_H

#include "bp_sim.h"

extern const struct sim_route BP_CONTROL_ROUTES[];

/* The conversation a route's "*" names, or NULL. */
void *bp_control_find(void *state, const char *id);

#endif
