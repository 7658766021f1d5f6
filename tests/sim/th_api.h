/*
 * th_api.h — the chatbot threads API (/v0/chatbots/{chatbotId}/...) of the
 * simulator: the doc's Fetch Thread, and the calls a bridge needs around
 * it (list, update the mode and webhook, escalate, send a message).
 * doc/simulators.md lists them and says where each choice comes from.
 */
#ifndef HANDOFF_SIM_TH_API_H
#define HANDOFF_SIM_TH_API_H

#include <stdbool.h>

#include "sim_http.h"
#include "th_sim.h"

/* Answer one request whose path starts with /v0/. */
void th_api_handle(struct th_sim *sim, const struct sim_req *req, struct sim_resp *resp);

/* True for a GET of the thread list that carries lastThreadId: the request
 * that walks to a next page. */
bool th_api_is_next_page(const struct th_sim *sim, const struct sim_req *req);

#endif
