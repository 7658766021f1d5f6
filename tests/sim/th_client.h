/*
 * th_client.h — the chatbot threads simulator from a cmocka test: its
 * defaults, its API headers and error bodies, on top of the
 * platform-neutral sim_client.h. The binary is $THREADS_SIM (make check
 * sets it).
 */
#ifndef HANDOFF_SIM_TH_CLIENT_H
#define HANDOFF_SIM_TH_CLIENT_H

#include "sim_client.h"

#define THSIM_TOKEN "sim-token"
#define THSIM_CHATBOT "sim-chatbot"
#define THSIM_BASE "/v0/chatbots/" THSIM_CHATBOT
#define THSIM_WEBHOOK_HEADER "X-Webhook-Token"

/* An API request with the token and Content-Type. */
struct simc_reply thsim_api(struct simc *s, const char *method, const char *path,
			    const char *body);

/* The "error" code of an API error body, "" when none. */
const char *thsim_error_code(const struct simc_reply *r);

#endif
