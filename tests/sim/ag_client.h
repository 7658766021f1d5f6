/*
 * ag_client.h — the agents simulator from a cmocka test: its defaults, its
 * API headers and error bodies, on top of the platform-neutral
 * sim_client.h. The binary is $AGENTS_SIM (make check sets it).
 */
#ifndef HANDOFF_SIM_AG_CLIENT_H
#define HANDOFF_SIM_AG_CLIENT_H

#include "sim_client.h"

#define AGSIM_KEY "sim-key"
#define AGSIM_AGENT "agent-sim"
#define AGSIM_CLIENT "client-sim"
#define AGSIM_SIGNATURE_HEADER "x-agents-signature"

/* An API request with the key (Authorization: Bearer) and Content-Type. */
struct simc_reply agsim_api(struct simc *s, const char *method, const char *path,
			    const char *body);

/* The error code of an API error body ({"error": {"code", ...}}), "" when
 * none. */
const char *agsim_error_code(const struct simc_reply *r);

#endif
