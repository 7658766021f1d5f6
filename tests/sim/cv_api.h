/*
 * cv_api.h — the Conversations API (/webapi/v2/conversations...) of the
 * simulator: the doc's endpoints with its headers, fields, pages and error
 * objects; doc/simulators.md lists them and the paths the doc leaves out.
 */
#ifndef HANDOFF_SIM_CV_API_H
#define HANDOFF_SIM_CV_API_H

#include <stdbool.h>

#include "cv_sim.h"
#include "sim_http.h"

/* Answer one request whose path starts with /webapi/. */
void cv_api_handle(struct cv_sim *sim, const struct sim_req *req, struct sim_resp *resp);

/* True for a request that walks to a next page: the conversation list with
 * a cursor, or a conversation's chats with pageNo above 1 (then
 * *conversation_id, malloc'd, names it; else NULL). */
bool cv_api_is_next_page(const struct sim_req *req, char **conversation_id);

#endif
