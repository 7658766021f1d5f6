/*
 * th_sim.h — the chatbot threads simulator's own state: the chatbot's
 * threads and the settings its options and control routes change. The
 * common parts (fault switches, webhook, counters) are in struct sim.
 */
#ifndef HANDOFF_SIM_TH_SIM_H
#define HANDOFF_SIM_TH_SIM_H

#include <stdbool.h>

#include "sim.h"
#include "th_store.h"

struct th_sim {
	struct th_store store;
	struct sim *sim;            /* to push messages */
	const char *token;          /* the API's Bearer token */
	const char *chatbot_id;
	const char *webhook_header; /* option; NULL: the table's default */
	size_t page_size;
	bool bot_auto;              /* the AI answers each question in AI mode */
};

#endif
