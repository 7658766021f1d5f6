/*
 * ag_error.h — the error answers of the simulated agents API.
 *
 * The doc gives no error body, so the simulator chooses one shape for
 * every error (doc/simulators.md):
 *
 *   {"error": {"code": "not_found", "message": "...", "status": 404}}
 *
 * with the usual HTTP status for each case; the codes are these, and only
 * these.
 */
#ifndef HANDOFF_SIM_AG_ERROR_H
#define HANDOFF_SIM_AG_ERROR_H

#include "sim_http.h"

enum ag_err {
	AG_ERR_INVALID_REQUEST,
	AG_ERR_UNAUTHORIZED,
	AG_ERR_FORBIDDEN,
	AG_ERR_NOT_FOUND,
	AG_ERR_METHOD_NOT_ALLOWED,
	AG_ERR_PAYLOAD_TOO_LARGE,
	AG_ERR_UNSUPPORTED_MEDIA_TYPE,
	AG_ERR_RATE_LIMITED,
	AG_ERR_INTERNAL,
};

/* Fill `resp` with the error; message NULL: the default sentence. status
 * 0: the code's own; otherwise that one (a 503 fault is still "internal"). */
void ag_error(struct sim_resp *resp, enum ag_err e, const char *message, int status);

#endif
