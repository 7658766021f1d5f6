/*
 * sim_faults.h — the fault switches, applied around every API request of
 * any simulator.
 *
 * Order: a 429 or a 5xx answers instead of the API (nothing is done; the
 * body is the platform's error); then a pending "pages change" lets the
 * platform insert records before a next-page fetch; the API does its work;
 * then a "drop" hangs up on the answer (the work stays done: the client
 * cannot tell whether it happened) or a "slow" delays it.
 */
#ifndef HANDOFF_SIM_FAULTS_H
#define HANDOFF_SIM_FAULTS_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "sim_http.h"

#define SIM_FAULTS_ONLY_MAX 63

/* Each switch counts the requests (or webhook events, or page fetches) it
 * still applies to, and is spent one per use. */
struct sim_faults {
	unsigned rate_limited;   /* answer 429 with Retry-After */
	int retry_after;         /* its seconds */
	unsigned server_error;   /* answer error_status (5xx) */
	int error_status;
	unsigned slow;           /* answer after delay_ms */
	unsigned delay_ms;
	unsigned drop;           /* do the work, then hang up without answering */
	unsigned webhook_twice;  /* deliver the event's webhook twice */
	unsigned page_change;    /* before a next-page fetch, add page_insert records */
	unsigned page_insert;
	/* Non-empty: the switches act only on requests whose path, query or
	 * body contains it (a conversation's id: one conversation fails while
	 * the others go through); the rest pass untouched and spend nothing. */
	char only[SIM_FAULTS_ONLY_MAX + 1];
};

struct sim;

/* All off, the parameters at their defaults. */
void sim_faults_reset(struct sim_faults *f);

/* Set the switches named in `o` (see doc/simulators.md); false with a
 * sentence in `why` when a field is not a count, a status or a delay
 * ("only": a string of at most SIM_FAULTS_ONLY_MAX bytes). */
bool sim_faults_set(struct sim_faults *f, const cJSON *o, char *why, size_t n);
cJSON *sim_faults_json(const struct sim_faults *f);

/* True when a fault answered the request in place of the API. */
bool sim_faults_before(struct sim *sim, const struct sim_req *req, struct sim_resp *resp);
void sim_faults_after(struct sim *sim, const struct sim_req *req, struct sim_resp *resp);

/* How many times to deliver the next event's webhook (1, or 2 under fault). */
int sim_faults_webhook_copies(struct sim_faults *f);

#endif
