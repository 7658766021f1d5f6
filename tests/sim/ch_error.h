/*
 * ch_error.h — the Chats API's error answers.
 *
 * The doc names each error by a sentence and nothing else ("Unauthorized.",
 * "Chat not found.", ...); the simulator answers {"message": sentence} with
 * the status the sentence stands for. The ones the doc does not list (a
 * rate limit, a server error, an unknown path) follow the same shape
 * (doc/simulators.md).
 */
#ifndef HANDOFF_SIM_CH_ERROR_H
#define HANDOFF_SIM_CH_ERROR_H

#include "sim_http.h"

enum ch_err {
	CH_ERR_INVALID,            /* 400 Invalid data provided. */
	CH_ERR_UNAUTHORIZED,       /* 401 Unauthorized. */
	CH_ERR_CHAT_NOT_FOUND,     /* 404 Chat not found. */
	CH_ERR_UPDATE_NOT_FOUND,   /* 404 The chat was not found. (the update's) */
	CH_ERR_REF_NOT_FOUND,      /* 404 Channel or responder not found. */
	CH_ERR_NO_ROUTE,           /* 404, not in the doc */
	CH_ERR_METHOD,             /* 405, not in the doc */
	CH_ERR_TOO_LARGE,          /* 413, not in the doc */
	CH_ERR_MEDIA_TYPE,         /* 415, not in the doc */
	CH_ERR_RATE_LIMITED,       /* 429, not in the doc */
	CH_ERR_INTERNAL,           /* 500, not in the doc */
};

/* Fill resp with the error; `status` overrides its status when non-zero
 * (a 503 fault is still the internal error). */
void ch_error(struct sim_resp *resp, enum ch_err e, int status);

#endif
