/*
 * ag_sim.h — the agents simulator's own state: the workspace's data and
 * the settings its options and control routes change. The common parts
 * (fault switches, webhook, counters) are in struct sim (sim.h).
 */
#ifndef HANDOFF_SIM_AG_SIM_H
#define HANDOFF_SIM_AG_SIM_H

#include <stdbool.h>
#include <stddef.h>

#include "ag_store.h"
#include "sim.h"

struct ag_sim {
	struct ag_store store;
	struct sim *sim;            /* to push events */
	const char *key;            /* the workspace secret API key */
	const char *auth_header;    /* where it goes: "Authorization" (as a Bearer
				     * token) or a header holding the bare key */
	const char *workspace_id, *agent_id, *client_id;
	size_t page_size;
	bool bot_auto;              /* the agent answers the platform's own customers */
};

#endif
