/*
 * ch_api.h — the Chats API (/api/v1/...) of the simulator: the doc's chat
 * endpoints, and the message endpoints a bridge needs beside them, with
 * the doc's fields, authorization header and errors. doc/simulators.md
 * lists them.
 */
#ifndef HANDOFF_SIM_CH_API_H
#define HANDOFF_SIM_CH_API_H

#include <stdbool.h>

#include "ch_sim.h"
#include "sim_http.h"

/* Answer one request whose path starts with /api/v1/. */
void ch_api_handle(struct ch_sim *sim, const struct sim_req *req, struct sim_resp *resp);

/* True for a GET of a chat list past its first page (pageNumber > 1): the
 * request the "pages change while walked" fault acts just before. */
bool ch_api_is_next_page(const struct sim_req *req);

#endif
