/*
 * th_control.h — the chatbot threads simulator's own control routes, under
 * /_sim/ next to the common ones (sim_control.h). doc/simulators.md lists
 * the paths.
 */
#ifndef HANDOFF_SIM_TH_CONTROL_H
#define HANDOFF_SIM_TH_CONTROL_H

#include "th_sim.h"

extern const struct sim_route TH_CONTROL_ROUTES[];

/* The thread a route's "*" names, or NULL. */
void *th_control_find(void *state, const char *id);

#endif
