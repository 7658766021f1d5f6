/*
 * ag_error.c — the error table of the simulated agents API (see
 * ag_error.h).
 */
#include "ag_error.h"

#include <stdlib.h>

#include <cjson/cJSON.h>

static const struct {
	const char *code;
	const char *message;
	int status;
} ERRORS[] = {
	[AG_ERR_INVALID_REQUEST] = {"invalid_request", "The request is invalid.", 400},
	[AG_ERR_UNAUTHORIZED] = {"unauthorized", "A valid workspace secret API key is required.",
				 401},
	[AG_ERR_FORBIDDEN] = {"forbidden", "This resource belongs to another workspace.", 403},
	[AG_ERR_NOT_FOUND] = {"not_found", "The requested resource does not exist.", 404},
	[AG_ERR_METHOD_NOT_ALLOWED] = {"method_not_allowed",
				       "This path does not take this method.", 405},
	[AG_ERR_PAYLOAD_TOO_LARGE] = {"payload_too_large", "The request body is too large.", 413},
	[AG_ERR_UNSUPPORTED_MEDIA_TYPE] = {"unsupported_media_type",
					   "The body must be sent as application/json.", 415},
	[AG_ERR_RATE_LIMITED] = {"rate_limited", "Too many requests; retry later.", 429},
	[AG_ERR_INTERNAL] = {"internal_error", "An internal error occurred.", 500},
};

void ag_error(struct sim_resp *resp, enum ag_err e, const char *message, int status)
{
	cJSON *o = cJSON_CreateObject(), *err = cJSON_AddObjectToObject(o, "error");

	resp->status = status ? status : ERRORS[e].status;
	cJSON_AddStringToObject(err, "code", ERRORS[e].code);
	cJSON_AddStringToObject(err, "message", message ? message : ERRORS[e].message);
	cJSON_AddNumberToObject(err, "status", resp->status);
	free(resp->body);
	resp->body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
}
