/*
 * sim_control.h — the control interface tests and the demo drive a
 * simulator with: HTTP under /_sim/ on the API's own port, no
 * authentication (loopback only), never subject to the fault switches.
 *
 * The common routes (faults, webhook, stats) are here; a platform adds its
 * own (its actors, its seeding) as a table of struct sim_route, whose
 * functions use the helpers below. Answers are JSON; errors are
 * {"error": "<sentence>"} with 400 or 404. doc/simulators.md lists the
 * paths.
 */
#ifndef HANDOFF_SIM_CONTROL_H
#define HANDOFF_SIM_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "sim.h"

struct sim_ctl {
	struct sim *sim;
	void *state;            /* the platform's */
	const struct sim_req *req;
	struct sim_resp *resp;
	cJSON *body;            /* {} when the request has none */
	void *item;             /* what the platform's find() gave for the route's "*" */
};

void sim_control_handle(struct sim *sim, const struct sim_req *req, struct sim_resp *resp);

/* Answer `status` with `o` (taken; NULL: {}). */
void sim_ctl_reply(struct sim_ctl *c, int status, cJSON *o);

/* Answer 409 {"<what>": true}: a control route the conversation's state
 * refuses ("ended", "removed", "blocked"). */
void sim_ctl_refuse(struct sim_ctl *c, const char *what);
/* Answer 409 {"silent": true}: the platform's bot may not speak now (a
 * human holds the conversation), so a control route asking it to did
 * nothing. */
void sim_ctl_silent(struct sim_ctl *c);
/* Answer {"error": why}. */
void sim_ctl_fail(struct sim_ctl *c, int status, const char *why);
/* body[name] as a string, `def` when absent; NULL (answered 400) when
 * required and absent, or empty, or of another type. */
const char *sim_ctl_str(struct sim_ctl *c, const char *name, const char *def);

/* POST /_sim/config's keys every platform has: "botAuto" (a boolean) and
 * a page size named `size_key` (1..max). sim_ctl_config_ok checks them
 * (false when one is there and wrong; nothing is answered, so that the
 * platform checks its own keys too and answers 400 naming them all);
 * sim_ctl_config_set then sets those given. */
bool sim_ctl_config_ok(struct sim_ctl *c, const char *size_key, double max);
void sim_ctl_config_set(struct sim_ctl *c, const char *size_key, bool *bot_auto,
			size_t *page_size);

#endif
