/*
 * ch_control.h — the chats simulator's own control routes, under /_sim/
 * next to the common ones (sim_control.h). doc/simulators.md lists the
 * paths.
 */
#ifndef HANDOFF_SIM_CH_CONTROL_H
#define HANDOFF_SIM_CH_CONTROL_H

#include "ch_sim.h"

extern const struct sim_route CH_CONTROL_ROUTES[];

/* The chat a route's "*" names, or NULL. */
void *ch_control_find(void *state, const char *id);

#endif
