/*
 * cv_error.c — the error table of the Conversations API (see cv_error.h).
 */
#include "cv_error.h"

#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

static const struct {
	int status, code;
	const char *message;
} ERRORS[] = {
	[CV_ERR_API] = {500, 7000, "Something went wrong."},
	[CV_ERR_API_KEY] = {403, 7001, "Invalid API Key"},
	[CV_ERR_JSON] = {403, 7002, "Invalid JSON"},
	[CV_ERR_PARAM] = {400, 7003, "Invalid Parameter"},
	[CV_ERR_NOT_FOUND] = {404, 7003, "Not Found"},
	[CV_ERR_TOO_LARGE] = {413, 7003, "Request body too large"},
	[CV_ERR_RATE_LIMITED] = {429, 7000, "Too Many Requests"},
};

static void answer(struct sim_resp *resp, int status, cJSON *o)
{
	resp->status = status;
	free(resp->body);
	resp->body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
}

void cv_error(struct sim_resp *resp, enum cv_err e, const char *message, int status)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "type", "APIError");
	cJSON_AddNumberToObject(o, "code", ERRORS[e].code);
	cJSON_AddStringToObject(o, "message", message ? message : ERRORS[e].message);
	answer(resp, status ? status : ERRORS[e].status, o);
}

void cv_error_method(struct sim_resp *resp, const char *method, const char *path)
{
	cJSON *o = cJSON_CreateObject();
	char why[512];

	snprintf(why, sizeof why, "Method Not Allowed %s: %s", method, path);
	cJSON_AddStringToObject(o, "error", why);
	answer(resp, 405, o);
}
