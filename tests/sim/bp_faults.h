/*
 * bp_faults.h — the fault switches, applied around every /v1/ request.
 *
 * Order: a 429 or a 5xx answers instead of the API (nothing is done); then
 * a pending "pages change" inserts records before a next-page fetch; the
 * API does its work; then a "drop" hangs up on the answer (the work stays
 * done: the client cannot tell whether it happened) or a "slow" delays it.
 */
#ifndef HANDOFF_SIM_BP_FAULTS_H
#define HANDOFF_SIM_BP_FAULTS_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "bp_sim.h"
#include "sim_http.h"

/* Set the switches named in `o` (see doc/simulators.md); false with a
 * sentence in `why` when a field is not a count, a status or a delay. */
bool bp_faults_set(struct bp_faults *f, const cJSON *o, char *why, size_t n);
cJSON *bp_faults_json(const struct bp_faults *f);

/* True when a fault answered the request in place of the API. */
bool bp_faults_before(struct bp_sim *sim, const struct sim_req *req, struct sim_resp *resp);
void bp_faults_after(struct bp_sim *sim, struct sim_resp *resp);

/* How many times to deliver the next event's webhook (1, or 2 under fault). */
int bp_faults_webhook_copies(struct bp_faults *f);

#endif
