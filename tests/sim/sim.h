/*
 * sim.h — what every platform simulator shares, and the table a platform
 * fills in to get it.
 *
 * A simulator is its store, its API routes, its actors and a main of a few
 * lines: `return sim_main(&PLATFORM, &state, argc, argv);`. sim_main
 * parses the common options (--port, --webhook, --webhook-secret, --demo), listens
 * on 127.0.0.1 (port 0: the kernel chooses), prints the port alone on the
 * first line of stdout, and runs until SIGTERM or SIGINT (exit 0). Around
 * the platform's API it applies the fault switches (sim_faults.h); under
 * /_sim/ it serves the common control routes (faults, webhook, stats) and
 * the platform's own (sim_control.h). doc/simulators.md, "Writing a
 * simulator", tells how to add one.
 */
#ifndef HANDOFF_SIM_H
#define HANDOFF_SIM_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>
#include <uv.h>

#include "sim_faults.h"
#include "sim_http.h"
#include "sim_webhook.h"

struct sim_ctl;
struct sim_demo;

/* A control route of the platform: method, path after /_sim ("*" stands
 * for one path segment, an id the platform's find() looks up). */
struct sim_route {
	const char *method;
	const char *path;
	void (*fn)(struct sim_ctl *c);
};

struct sim_platform {
	const char *name;               /* the program's name, for logs and usage */
	const char *usage;              /* its own options, for the usage line */
	const struct option *options;   /* its own long options ({0} ends them); their
					 * val must be below SIM_OPT_FIRST */
	const char *api_prefix;         /* requests under it are the API, counted and
					 * subject to the faults ("/v1/") */
	const char *webhook_header;     /* the header that carries the signature */
	sim_sign_fn webhook_sign;       /* its value, from the secret and the body */
	const struct sim_route *routes; /* its /_sim/ routes, {NULL} ends them */
	const char *not_found;          /* the 404 sentence when find() finds nothing */

	/* One of its options (ch the option's val); < 0: a bad value. */
	int (*option)(void *state, int ch, const char *arg);
	/* After the options: set up the store; < 0: out of memory. */
	int (*start)(void *state, struct sim *sim);
	void (*stop)(void *state);
	/* Answer one API request (faults already applied). */
	void (*api)(void *state, const struct sim_req *req, struct sim_resp *resp);
	/* Fill resp with the platform's error body for `status`: 429 (rate-limit
	 * fault), 5xx (server-error fault), 404 (a path outside the API). */
	void (*error)(struct sim_resp *resp, int status);
	/* The "pages change" fault: when req walks to a next page, create
	 * `insert` records in front of the walk and return true. */
	bool (*page_change)(void *state, const struct sim_req *req, unsigned insert);
	/* The record id of a "*" in a control route, or NULL. */
	void *(*find)(void *state, const char *id);
	/* Add its counts to GET /_sim/stats. */
	void (*stats)(void *state, cJSON *o);

	/* The demo's customers (--demo, sim_demo.h). A new customer named
	 * `name` opens a conversation with `text`, answered by the platform's
	 * bot as with --bot-auto (which the demo turns on); the
	 * conversation's id, as find() takes it, into id; false when out of
	 * memory. */
	bool (*demo_open)(void *state, const char *name, const char *text, char *id,
			  size_t idlen);
	/* The customer of a conversation (find()'s record) writes `text`. */
	void (*demo_say)(void *state, void *item, const char *text);
};

/* Common options take vals from here up. */
#define SIM_OPT_FIRST 0x1000

struct sim {
	const struct sim_platform *plat;
	void *state;                    /* the platform's */
	uv_loop_t loop;
	uv_signal_t sigterm, sigint;
	struct sim_http *http;
	struct sim_webhook *webhook;
	struct sim_faults faults;
	unsigned long api_requests;
	struct sim_demo *demo;          /* NULL: no --demo */
};

int sim_main(const struct sim_platform *p, void *state, int argc, char **argv);

/* Push one event to the webhook, if one is configured: twice under the
 * duplicate-delivery fault. */
void sim_emit(struct sim *sim, const cJSON *event);

/* The same to a given URL and secret (a record's own webhook); nothing when
 * url is NULL or "". */
void sim_emit_to(struct sim *sim, const char *url, const char *secret, const cJSON *event);

#endif
