/*
 * ch_sim.h — the chats simulator's own state: the workspace's data and the
 * settings its options and control routes change. The common parts (fault
 * switches, counters) are in struct sim (sim.h).
 */
#ifndef HANDOFF_SIM_CH_SIM_H
#define HANDOFF_SIM_CH_SIM_H

#include <stdbool.h>
#include <stddef.h>

#include "ch_store.h"
#include "sim.h"

struct ch_sim {
	struct ch_store store;
	const char *api_key;     /* the only key the authorization header may carry */
	size_t page_size;        /* pageSize when the request has none */
	bool newest_first;       /* list order: createdAt descending (else ascending) */
	bool bot_auto;           /* the bot answers each customer message */
};

#endif
