/*
 * ch_error.c — the error table of the Chats API (see ch_error.h).
 */
#include "ch_error.h"

#include <stdlib.h>

#include <cjson/cJSON.h>

static const struct {
	int status;
	const char *message;
} ERRORS[] = {
	[CH_ERR_INVALID] = {400, "Invalid data provided."},
	[CH_ERR_UNAUTHORIZED] = {401, "Unauthorized."},
	[CH_ERR_CHAT_NOT_FOUND] = {404, "Chat not found."},
	[CH_ERR_UPDATE_NOT_FOUND] = {404, "The chat was not found."},
	[CH_ERR_REF_NOT_FOUND] = {404, "Channel or responder not found."},
	[CH_ERR_NO_ROUTE] = {404, "Route not found."},
	[CH_ERR_METHOD] = {405, "Method not allowed."},
	[CH_ERR_TOO_LARGE] = {413, "Payload too large."},
	[CH_ERR_MEDIA_TYPE] = {415, "Unsupported media type."},
	[CH_ERR_RATE_LIMITED] = {429, "Too many requests."},
	[CH_ERR_INTERNAL] = {500, "Internal server error."},
};

void ch_error(struct sim_resp *resp, enum ch_err e, int status)
{
	cJSON *o = cJSON_CreateObject();

	resp->status = status ? status : ERRORS[e].status;
	cJSON_AddStringToObject(o, "message", ERRORS[e].message);
	free(resp->body);
	resp->body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
}
