/*
 * bp_control.h — the control interface tests and the demo drive the
 * simulator with: HTTP under /_sim/ on the API's own port, no
 * authentication (loopback only), never subject to the fault switches.
 * doc/simulators.md lists the paths.
 */
#ifndef HANDOFF_SIM_BP_CONTROL_H
#define HANDOFF_SIM_BP_CONTROL_H

#include "bp_sim.h"
#include "sim_http.h"

void bp_control_handle(struct bp_sim *sim, const struct sim_req *req, struct sim_resp *resp);

#endif
