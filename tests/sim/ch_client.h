/*
 * ch_client.h — the chats simulator from a cmocka test: its defaults, its
 * authorization header and error bodies, on top of the platform-neutral
 * sim_client.h. The binary is $CHATS_SIM (make check sets it).
 */
#ifndef HANDOFF_SIM_CH_CLIENT_H
#define HANDOFF_SIM_CH_CLIENT_H

#include "sim_client.h"

#define CHSIM_API_KEY "sim-key"

/* An API request with the key in "authorization" and a JSON Content-Type;
 * idempotency_key (may be NULL) goes in Idempotency-Key. */
struct simc_reply chsim_api(struct simc *s, const char *method, const char *path,
			    const char *body);
struct simc_reply chsim_api_key(struct simc *s, const char *method, const char *path,
				const char *body, const char *idempotency_key);

/* The "message" of an API error body, "" when none. */
const char *chsim_error_message(const struct simc_reply *r);

#endif
