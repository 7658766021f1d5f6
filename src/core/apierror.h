/*
 * apierror.h — the protocol's typed errors: {"error":{"type","description","status"}}.
 *
 * Shared by the hub (which sends them) and the client (which shows the
 * description to the agent as is: "chat is held by agent Ana").
 */
#ifndef HANDOFF_APIERROR_H
#define HANDOFF_APIERROR_H

#include <stdbool.h>

#include <cjson/cJSON.h>

enum api_error_type {
	API_OK = 0,
	API_INVALID_PAYLOAD,      /* 400 */
	API_INVALID_QUERY,        /* 400 */
	API_UNAUTHORIZED,         /* 401 */
	API_FORBIDDEN,            /* 403 */
	API_RESOURCE_NOT_FOUND,   /* 404 */
	API_METHOD_NOT_FOUND,     /* 405 */
	API_CONFLICT,             /* 409 */
	API_PAYLOAD_TOO_LARGE,    /* 413 */
	API_UNSUPPORTED_MEDIA,    /* 415 */
	API_RATE_LIMITED,         /* 429 */
	API_INTERNAL,             /* 500 */
};

#define API_DESCRIPTION_LEN 256

struct api_error {
	enum api_error_type type;
	char description[API_DESCRIPTION_LEN];
};

/* Wire name ("Conflict") and HTTP status (409) of a type. */
const char *api_error_name(enum api_error_type t);
int api_error_status(enum api_error_type t);

/* Fill `e` (printf-style); always returns false so failing paths can
 * `return api_error_set(e, API_CONFLICT, "chat is held by agent %s", name);`.
 * `e` may be NULL. */
__attribute__((format(printf, 3, 4)))
bool api_error_set(struct api_error *e, enum api_error_type t, const char *fmt, ...);

/* The error body as the protocol spells it (caller deletes). */
cJSON *api_error_to_json(const struct api_error *e);

/* Decode an error body; false when it is not one. */
bool api_error_from_json(const cJSON *j, struct api_error *out);

#endif
