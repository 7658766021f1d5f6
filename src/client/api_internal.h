/*
 * api_internal.h — what the files of the API client share (api.c: calls
 * and retries; api_decode.c: answers; api_endpoints.c: one function per
 * endpoint). Not for users of api.h.
 */
#ifndef HANDOFF_API_INTERNAL_H
#define HANDOFF_API_INTERNAL_H

#include <cjson/cJSON.h>

#include "api.h"

/* What a call's answer decodes into (the api_result field it sets). */
enum api_payload {
	API_P_HEALTH,
	API_P_AGENT,
	API_P_AGENTS,
	API_P_CHATS,
	API_P_CHAT,
	API_P_MESSAGES,
	API_P_MESSAGE,
	API_P_INGEST,      /* chat and message */
	API_P_STATS,
	API_P_STORED,      /* {"stored": n} */
	API_P_INGEST_BATCH, /* outcomes, ids only */
	API_P_CANNED_LIST,
	API_P_CANNED,
	API_P_OWNER,
	API_P_NONE,        /* any 2xx will do: the answer is not kept */
	API_P_SEARCH,
	API_P_DASHBOARD,
};

/* Start `method` on server_url + `path` (which includes its query string).
 * `body` (may be NULL) is consumed in every case. */
bool api_call_start(struct api *a, const char *method, const char *path, cJSON *body,
		    enum api_payload what, bool retry_safe, api_done_fn *done, void *ctx,
		    struct errbuf *err);

/* Decode a 2xx answer into the field of `r` that `what` names; false with
 * the failing field in `err` (r untouched then). */
bool api_decode(enum api_payload what, long status, const char *body, size_t len,
		struct api_result *r, struct errbuf *err);

#endif
