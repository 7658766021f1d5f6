/*
 * bp_sim.h — the Botpress simulator's own state: the bot's data and the
 * settings its options and control routes change. The common parts (fault
 * switches, webhook, counters) are in struct sim (sim.h).
 */
#ifndef HANDOFF_SIM_BP_SIM_H
#define HANDOFF_SIM_BP_SIM_H

#include <stdbool.h>
#include <stddef.h>

#include "bp_store.h"
#include "sim.h"

struct bp_sim {
	struct bp_store store;
	struct sim *sim;         /* to push events */
	const char *token;       /* the API's Bearer token */
	const char *bot_id;
	size_t page_size;
	bool bot_auto;           /* the bot answers each customer message */
};

#endif
