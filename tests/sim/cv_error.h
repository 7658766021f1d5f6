/*
 * cv_error.h — the Conversations API's error answers.
 *
 * The platform's API documents its errors as {"type": "APIError", "code",
 * "message"} with these codes and statuses; a wrong method is answered
 * {"error": "Method Not Allowed <METHOD>: <path>"} instead. The statuses the
 * doc does not give (an unknown id, rate limiting, an oversized body) are
 * the simulator's choice, with the nearest code (doc/simulators.md).
 */
#ifndef HANDOFF_SIM_CV_ERROR_H
#define HANDOFF_SIM_CV_ERROR_H

#include "sim_http.h"

enum cv_err {
	CV_ERR_API,             /* 500, 7000 */
	CV_ERR_API_KEY,         /* 403, 7001 */
	CV_ERR_JSON,            /* 403, 7002 */
	CV_ERR_PARAM,           /* 400, 7003 */
	CV_ERR_NOT_FOUND,       /* 404, 7003: the simulator's choice */
	CV_ERR_TOO_LARGE,       /* 413, 7003: likewise */
	CV_ERR_RATE_LIMITED,    /* 429, 7000: likewise */
};

/* Fill `resp`; message NULL: the code's own. status 0: the error's. */
void cv_error(struct sim_resp *resp, enum cv_err e, const char *message, int status);

/* 405 {"error": "Method Not Allowed METHOD: path"}. */
void cv_error_method(struct sim_resp *resp, const char *method, const char *path);

#endif
