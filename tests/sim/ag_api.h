/*
 * ag_api.h — the workspace / AI agents API (/v3/...) of the simulator:
 * Get Client, the agent endpoints (get, create/edit, delete, Chat
 * Interact, Configure State) and the agent's conversations.
 * doc/simulators.md lists the paths and fields.
 */
#ifndef HANDOFF_SIM_AG_API_H
#define HANDOFF_SIM_AG_API_H

#include <stdbool.h>

#include "ag_sim.h"
#include "sim_http.h"

/* Answer one request whose path starts with /v3/. */
void ag_api_handle(struct ag_sim *ag, const struct sim_req *req, struct sim_resp *resp);

/* True for a GET of an agent's conversation list that carries a cursor:
 * the request that walks to a next page (the "pages change while walked"
 * fault acts just before it). *agent_id (malloc'd) gets the agent's id. */
bool ag_api_next_page(const struct sim_req *req, char **agent_id);

#endif
