/*
 * th_error.h — the chatbot threads API's error answers.
 *
 * The doc gives every answer as {"success", "message", "data"}; an error is
 * the same envelope with "success": false, "data": null, the sentence in
 * "message" and a code in "error" (doc/simulators.md: the statuses and
 * codes are the simulator's choice where the doc is silent). Only these.
 */
#ifndef HANDOFF_SIM_TH_ERROR_H
#define HANDOFF_SIM_TH_ERROR_H

#include "sim_http.h"

enum th_err {
	TH_ERR_BAD_REQUEST,
	TH_ERR_UNAUTHORIZED,
	TH_ERR_NOT_FOUND,
	TH_ERR_METHOD_NOT_ALLOWED,
	TH_ERR_PAYLOAD_TOO_LARGE,
	TH_ERR_UNSUPPORTED_MEDIA_TYPE,
	TH_ERR_TOO_MANY_REQUESTS,
	TH_ERR_INTERNAL,
};

/* Fill `resp` with the error; message NULL: the table's. `status`
 * overrides the table's when non-zero (a 502 fault is still INTERNAL). */
void th_error(struct sim_resp *resp, enum th_err e, const char *message);
void th_error_status(struct sim_resp *resp, enum th_err e, int status);

#endif
