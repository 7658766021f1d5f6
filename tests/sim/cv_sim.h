/*
 * cv_sim.h — the conversations simulator's own state: the platform's data
 * and the settings its options and control routes change. The common parts
 * (fault switches, webhook, counters) are in struct sim (sim.h).
 */
#ifndef HANDOFF_SIM_CV_SIM_H
#define HANDOFF_SIM_CV_SIM_H

#include <stdbool.h>
#include <stddef.h>

#include "cv_store.h"
#include "sim.h"

struct cv_sim {
	struct cv_store store;
	const char *api_key;     /* the only API-KEY accepted */
	size_t chat_page_size;   /* the doc's 100; smaller for tests */
	bool bot_auto;           /* the bot answers each customer message */
};

#endif
