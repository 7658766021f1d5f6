/*
 * th_error.c — the error table of the chatbot threads simulator (see
 * th_error.h).
 */
#include "th_error.h"

#include <stdlib.h>

#include <cjson/cJSON.h>

static const struct {
	const char *code;
	const char *message;
	int status;
} ERRORS[] = {
	[TH_ERR_BAD_REQUEST] = {"BAD_REQUEST", "The request is invalid", 400},
	[TH_ERR_UNAUTHORIZED] = {"UNAUTHORIZED", "The API key is missing, malformed or invalid",
				 401},
	[TH_ERR_NOT_FOUND] = {"NOT_FOUND", "The requested resource does not exist", 404},
	[TH_ERR_METHOD_NOT_ALLOWED] = {"METHOD_NOT_ALLOWED",
				       "This method is not allowed on this path", 405},
	[TH_ERR_PAYLOAD_TOO_LARGE] = {"PAYLOAD_TOO_LARGE", "The request body is too large", 413},
	[TH_ERR_UNSUPPORTED_MEDIA_TYPE] = {"UNSUPPORTED_MEDIA_TYPE",
					   "The request body must be application/json", 415},
	[TH_ERR_TOO_MANY_REQUESTS] = {"TOO_MANY_REQUESTS", "Too many requests", 429},
	[TH_ERR_INTERNAL] = {"INTERNAL_SERVER_ERROR", "Something went wrong", 500},
};

static void fill(struct sim_resp *resp, enum th_err e, const char *message, int status)
{
	cJSON *o = cJSON_CreateObject();

	resp->status = status ? status : ERRORS[e].status;
	cJSON_AddBoolToObject(o, "success", 0);
	cJSON_AddStringToObject(o, "message", message ? message : ERRORS[e].message);
	cJSON_AddNullToObject(o, "data");
	cJSON_AddStringToObject(o, "error", ERRORS[e].code);
	free(resp->body);
	resp->body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
}

void th_error(struct sim_resp *resp, enum th_err e, const char *message)
{
	fill(resp, e, message, 0);
}

void th_error_status(struct sim_resp *resp, enum th_err e, int status)
{
	fill(resp, e, NULL, status);
}
