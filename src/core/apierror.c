/*
 * apierror.c — typed API errors (see apierror.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "apierror.h"

static const struct {
	const char *name;
	int status;
} error_types[] = {
	[API_OK] = {"Ok", 200},
	[API_INVALID_PAYLOAD] = {"InvalidPayload", 400},
	[API_INVALID_QUERY] = {"InvalidQuery", 400},
	[API_UNAUTHORIZED] = {"Unauthorized", 401},
	[API_FORBIDDEN] = {"Forbidden", 403},
	[API_RESOURCE_NOT_FOUND] = {"ResourceNotFound", 404},
	[API_METHOD_NOT_FOUND] = {"MethodNotFound", 405},
	[API_CONFLICT] = {"Conflict", 409},
	[API_PAYLOAD_TOO_LARGE] = {"PayloadTooLarge", 413},
	[API_UNSUPPORTED_MEDIA] = {"UnsupportedMediaType", 415},
	[API_RATE_LIMITED] = {"RateLimited", 429},
	[API_INTERNAL] = {"Internal", 500},
};

#define N_TYPES ((int)(sizeof error_types / sizeof error_types[0]))

const char *api_error_name(enum api_error_type t)
{
	return (int)t >= 0 && (int)t < N_TYPES ? error_types[t].name : "Internal";
}

int api_error_status(enum api_error_type t)
{
	return (int)t >= 0 && (int)t < N_TYPES ? error_types[t].status : 500;
}

bool api_error_set(struct api_error *e, enum api_error_type t, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return false;
	e->type = t;
	va_start(ap, fmt);
	vsnprintf(e->description, sizeof e->description, fmt, ap);
	va_end(ap);
	return false;
}

cJSON *api_error_to_json(const struct api_error *e)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *inner = cJSON_AddObjectToObject(root, "error");

	if (!inner || !cJSON_AddStringToObject(inner, "type", api_error_name(e->type)) ||
	    !cJSON_AddStringToObject(inner, "description", e->description) ||
	    !cJSON_AddNumberToObject(inner, "status", api_error_status(e->type))) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

bool api_error_from_json(const cJSON *j, struct api_error *out)
{
	const cJSON *inner = cJSON_GetObjectItemCaseSensitive(j, "error");
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(inner, "type");
	const cJSON *desc = cJSON_GetObjectItemCaseSensitive(inner, "description");

	if (!cJSON_IsString(type) || !cJSON_IsString(desc))
		return false;
	out->type = API_INTERNAL;
	for (int i = 1; i < N_TYPES; i++)
		if (strcmp(error_types[i].name, type->valuestring) == 0)
			out->type = i;
	snprintf(out->description, sizeof out->description, "%s", desc->valuestring);
	return true;
}
