/*
 * bp_error.h — the Botpress Cloud API's error answers.
 *
 * The API doc ("Errors") gives each error as {"type", "description",
 * "status"} with the HTTP status it comes with; these are those, and only
 * those. The description is the doc's sentence unless the caller has a
 * more precise one (which names the field or header at fault).
 */
#ifndef HANDOFF_SIM_BP_ERROR_H
#define HANDOFF_SIM_BP_ERROR_H

#include "sim_http.h"

enum bp_err {
	BP_ERR_UNKNOWN,
	BP_ERR_INTERNAL,
	BP_ERR_UNAUTHORIZED,
	BP_ERR_FORBIDDEN,
	BP_ERR_PAYLOAD_TOO_LARGE,
	BP_ERR_INVALID_PAYLOAD,
	BP_ERR_UNSUPPORTED_MEDIA_TYPE,
	BP_ERR_METHOD_NOT_FOUND,
	BP_ERR_RESOURCE_NOT_FOUND,
	BP_ERR_REFERENCE_NOT_FOUND,
	BP_ERR_INVALID_QUERY,
	BP_ERR_RATE_LIMITED,
};

/* Fill `resp` with the error; description NULL: the doc's. `status`
 * overrides the doc's status when non-zero (a 502 or 503 fault still says
 * "Internal"). */
void bp_error(struct sim_resp *resp, enum bp_err e, const char *description);
void bp_error_status(struct sim_resp *resp, enum bp_err e, int status);

#endif
