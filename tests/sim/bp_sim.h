/*
 * bp_sim.h — the simulator's state: the bot's data, the webhook sender,
 * the fault switches and the settings the control interface changes.
 */
#ifndef HANDOFF_SIM_BP_SIM_H
#define HANDOFF_SIM_BP_SIM_H

#include <stdbool.h>

#include "bp_store.h"
#include "bp_webhook.h"

/* Fault switches: each counts the requests (or webhook events, or page
 * fetches) it still applies to, and is spent one per use. */
struct bp_faults {
	unsigned rate_limited;   /* answer 429 RateLimited with Retry-After */
	int retry_after;         /* its seconds */
	unsigned server_error;   /* answer error_status (5xx) "Internal" */
	int error_status;
	unsigned slow;           /* answer after delay_ms */
	unsigned delay_ms;
	unsigned drop;           /* do the work, then hang up without answering */
	unsigned webhook_twice;  /* deliver the event's webhook twice */
	unsigned page_change;    /* before a next-page fetch, add page_insert records */
	unsigned page_insert;
};

struct bp_sim {
	struct bp_store store;
	struct bp_webhook *webhook;
	struct bp_faults faults;
	const char *token;       /* the API's Bearer token */
	bool bot_auto;           /* the bot answers each customer message */
	unsigned long api_requests;
};

#endif
