/*
 * cv_client.h — the conversations simulator from a cmocka test: its
 * defaults, its API headers and error bodies, on top of the
 * platform-neutral sim_client.h. The binary is $CONVERSATIONS_SIM (make
 * check sets it).
 */
#ifndef HANDOFF_SIM_CV_CLIENT_H
#define HANDOFF_SIM_CV_CLIENT_H

#include "sim_client.h"

#define CVSIM_API_KEY "sim-api-key"
#define CVSIM_AGENT "agent@example.com"

/* An API request with API-KEY and Content-Type (the user side). */
struct simc_reply cvsim_api(struct simc *s, const char *method, const char *path,
			    const char *body);

/* The same, as an agent: with AGENT-EMAIL: CVSIM_AGENT. */
struct simc_reply cvsim_agent(struct simc *s, const char *method, const char *path,
			      const char *body);

/* The "code" of an API error body, 0 when none. */
int cvsim_error_code(const struct simc_reply *r);

#endif
