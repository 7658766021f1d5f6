/*
 * bp_api.h — the Botpress Cloud chat API (/v1/chat/...) of the simulator:
 * the endpoints a bridge uses, with the doc's paths, fields, required
 * headers and error objects. doc/simulators.md lists them.
 */
#ifndef HANDOFF_SIM_BP_API_H
#define HANDOFF_SIM_BP_API_H

#include <stdbool.h>

#include "bp_store.h"
#include "sim_http.h"

/* Answer one request whose path starts with /v1/. `token` is the only
 * Bearer token accepted; the store's bot_id is the only x-bot-id. */
void bp_api_handle(struct bp_store *s, const char *token, const struct sim_req *req,
		   struct sim_resp *resp);

/* Adds "requestsByRoute": {"GET /v1/chat/users/{}": n, ...} to `o`: the
 * requests each route answered (authorized, whatever the outcome). */
void bp_api_stats(cJSON *o);

/* True for a GET on a list endpoint that carries a nextToken: the request
 * that walks to a next page (the "pages change while walked" fault acts
 * just before it). Sets *conversation_id (malloc'd, may be NULL) from the
 * query's conversationId. */
bool bp_api_is_next_page(const struct sim_req *req, char **conversation_id);

#endif
