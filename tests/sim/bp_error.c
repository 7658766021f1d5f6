/*
 * bp_error.c — the error table of the Botpress Cloud API doc.
 */
#include "bp_error.h"

#include <stdlib.h>

#include <cjson/cJSON.h>

static const struct {
	const char *type;
	const char *description;
	int status;
} ERRORS[] = {
	[BP_ERR_UNKNOWN] = {"Unknown", "An unknown error occurred", 500},
	[BP_ERR_INTERNAL] = {"Internal", "An internal error occurred", 500},
	[BP_ERR_UNAUTHORIZED] = {"Unauthorized", "The request requires to be authenticated.", 401},
	[BP_ERR_FORBIDDEN] = {"Forbidden", "The requested action can't be peform by this resource.",
			      403},
	[BP_ERR_PAYLOAD_TOO_LARGE] = {"PayloadTooLarge", "The request payload is too large.", 413},
	[BP_ERR_INVALID_PAYLOAD] = {"InvalidPayload", "The request payload is invalid.", 400},
	[BP_ERR_UNSUPPORTED_MEDIA_TYPE] = {"UnsupportedMediaType",
		"The request is invalid because the content-type is not supported.", 415},
	[BP_ERR_METHOD_NOT_FOUND] = {"MethodNotFound", "The requested method does not exist.", 405},
	[BP_ERR_RESOURCE_NOT_FOUND] = {"ResourceNotFound",
		"The requested resource does not exist.", 404},
	[BP_ERR_REFERENCE_NOT_FOUND] = {"ReferenceNotFound",
		"The provided resource reference is missing. This is usually caused when providing "
		"an invalid id inside the payload of a request.", 400},
	[BP_ERR_INVALID_QUERY] = {"InvalidQuery",
		"The provided query is invalid. This is usually caused when providing an invalid "
		"parameter for querying a resource.", 400},
	[BP_ERR_RATE_LIMITED] = {"RateLimited", "The request has been rate limited.", 429},
};

static void fill(struct sim_resp *resp, enum bp_err e, const char *description, int status)
{
	cJSON *o = cJSON_CreateObject();

	resp->status = status ? status : ERRORS[e].status;
	cJSON_AddStringToObject(o, "type", ERRORS[e].type);
	cJSON_AddStringToObject(o, "description", description ? description : ERRORS[e].description);
	cJSON_AddNumberToObject(o, "status", resp->status);
	free(resp->body);
	resp->body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
}

void bp_error(struct sim_resp *resp, enum bp_err e, const char *description)
{
	fill(resp, e, description, 0);
}

void bp_error_status(struct sim_resp *resp, enum bp_err e, int status)
{
	fill(resp, e, NULL, status);
}
