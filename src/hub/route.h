/*
 * route.h — how the HTTP layer hands a request to a handler.
 *
 * The API is a table of routes (routes.c): method, path pattern, the roles
 * that may call it, and the handler. The HTTP layer (server.c) matches the
 * table, authenticates, checks roles, sizes and content types, and turns the
 * handler's answer — or its api_error — into the response; a handler sees a
 * validated request and never writes HTTP itself.
 */
#ifndef HANDOFF_HUB_ROUTE_H
#define HANDOFF_HUB_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "apierror.h"
#include "model.h"

struct storage;

enum http_method { HTTP_GET, HTTP_POST, HTTP_PATCH, HTTP_PUT, HTTP_DELETE, HTTP_OTHER };

/* Role bits for route.roles. */
#define ROLE_BIT(r) (1u << (r))
#define ROLES_AGENTS (ROLE_BIT(ACCOUNT_AGENT) | ROLE_BIT(ACCOUNT_SUPERVISOR))
#define ROLES_ANY (ROLES_AGENTS | ROLE_BIT(ACCOUNT_INGEST))
#define ROLES_PUBLIC 0u /* no token needed, and never rate-limited */

struct query_param {
	char *name;
	char *value; /* percent-decoded, valid UTF-8 */
};

#define ROUTE_MAX_IDS 2

struct request {
	enum http_method method;
	const char *path;                  /* without the query string */
	const struct query_param *params;  /* in order of appearance */
	size_t nparams;
	const cJSON *body;                 /* parsed JSON body, or NULL when none */
	const struct agent *caller;        /* NULL only on ROLES_PUBLIC routes */
	const char *ids[ROUTE_MAX_IDS];    /* the {id} segments, validated UUIDs */
	struct storage *st;                /* the back end, this thread's handle */
	/* Count `n` requests more against the caller's rate limit (a batch
	 * counts as its items; the request itself was one), even past empty:
	 * the caller's next requests wait until it has refilled. */
	void (*charge)(const struct request *req, unsigned n);
	void *server;                      /* charge's */
	/* Send a frame that is not in the event log to the live event streams
	 * of one account (v1.1: chat.read, for that agent's other consoles). */
	void (*tell)(void *ctx, const char *account_id, const char *json, size_t len);
	void *tell_ctx;
	/* v1.1, agents (tell_ctx is theirs too): an agent's status now, and
	 * "agent `id` changed" (its capacity; NULL: a pass, only for
	 * auto-assignment to run again). */
	enum agent_status (*agent_status)(void *ctx, const char *id);
	void (*agent_changed)(void *ctx, const char *id);
	const struct wait_targets *targets; /* the hub's (v1.1); NULL: none */
};

struct response {
	int status;                        /* 200 / 201 */
	cJSON *body;                       /* owned by the response; sent and deleted */
};

/* Fill `res` and return true, or fill `err` and return false. */
typedef bool route_fn(const struct request *req, struct response *res, struct api_error *err);

struct route {
	enum http_method method;
	const char *pattern;               /* "/v1/chats/{id}/messages": {id} is a UUID */
	unsigned roles;                    /* ROLE_BIT()s, or ROLES_PUBLIC */
	route_fn *handler;
	const char *const *params;         /* the query parameters it accepts (NULL-terminated) */
	/* The handler reads agents' statuses (agent_status): a handler run
	 * on a worker thread gets a copy of them, taken only when it will
	 * (server_work.c). */
	bool statuses;
};

extern const struct route api_routes[];
extern const size_t api_routes_count;

#endif
