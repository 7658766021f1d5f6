/*
 * cv_control.h — the conversations simulator's own control routes, under
 * /_sim/ next to the common ones (sim_control.h). doc/simulators.md lists
 * the paths.
 */
#ifndef HANDOFF_SIM_CV_CONTROL_H
#define HANDOFF_SIM_CV_CONTROL_H

#include "cv_sim.h"

extern const struct sim_route CV_CONTROL_ROUTES[];

/* The conversation a route's "*" names, or NULL. */
void *cv_control_find(void *state, const char *id);

#endif
