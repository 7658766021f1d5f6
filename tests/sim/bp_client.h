/*
 * bp_client.h — the Botpress simulator from a cmocka test: its defaults,
 * its API headers and error bodies, on top of the platform-neutral
 * sim_client.h. The binary is $BOTPRESS_SIM (make check sets it).
 */
#ifndef HANDOFF_SIM_BP_CLIENT_H
#define HANDOFF_SIM_BP_CLIENT_H

#include "sim_client.h"

#define BPSIM_TOKEN "sim-token"
#define BPSIM_BOT "bot-sim"
#define BPSIM_SIGNATURE_HEADER "x-bp-signature"

/* An API request with the token, x-bot-id and Content-Type. */
struct simc_reply bpsim_api(struct simc *s, const char *method, const char *path,
			    const char *body);

/* The error "type" of an API error body, "" when none. */
const char *bpsim_error_type(const struct simc_reply *r);

#endif
