/*
 * botpress_sim.c — a simulated Botpress Cloud bot for tests and the demo.
 *
 *   botpress_sim [--port N] [--token T] [--bot-id ID] [--webhook URL
 *                 --webhook-secret S] [--bot-auto] [--page-size N]
 *
 * Serves the chat API (/v1/chat/..., bp_api.c) and the control interface
 * (/_sim/..., bp_control.c) on 127.0.0.1; port 0 (the default) lets the
 * kernel choose, and the port is printed alone on the first line of stdout
 * once the server listens. State lives in memory only: every run starts
 * empty. SIGTERM or SIGINT ends it cleanly. doc/simulators.md has the rest.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <uv.h>

#include "bp_api.h"
#include "bp_control.h"
#include "bp_error.h"
#include "bp_faults.h"
#include "bp_sim.h"
#include "log.h"
#include "sim_http.h"

struct app {
	uv_loop_t loop;
	uv_signal_t sigterm, sigint;
	struct sim_http *http;
	struct bp_sim sim;
};

static void handle(void *ctx, const struct sim_req *req, struct sim_resp *resp)
{
	struct bp_sim *sim = ctx;

	if (strncmp(req->path, "/_sim/", 6) == 0) {
		bp_control_handle(sim, req, resp);
	} else if (strncmp(req->path, "/v1/", 4) == 0) {
		sim->api_requests++;
		if (bp_faults_before(sim, req, resp))
			return;
		bp_api_handle(&sim->store, sim->token, req, resp);
		bp_faults_after(sim, resp);
	} else {
		bp_error(resp, BP_ERR_RESOURCE_NOT_FOUND, "No such endpoint.");
	}
}

static void on_event(void *ctx, const struct bp_event *ev)
{
	struct bp_sim *sim = ctx;
	cJSON *j;
	char *body;

	if (!bp_webhook_enabled(sim->webhook))
		return;
	j = bp_event_json(ev);
	body = j ? cJSON_PrintUnformatted(j) : NULL;
	if (body)
		bp_webhook_push(sim->webhook, body, bp_faults_webhook_copies(&sim->faults));
	free(body);
	cJSON_Delete(j);
}

static void on_signal(uv_signal_t *s, int signum)
{
	struct app *a = s->data;

	log_info("botpress_sim: signal %d, stopping", signum);
	sim_http_stop(a->http);
	bp_webhook_close(a->sim.webhook);
	uv_close((uv_handle_t *)&a->sigterm, NULL);
	uv_close((uv_handle_t *)&a->sigint, NULL);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: botpress_sim [--port N] [--token T] [--bot-id ID]\n"
		   "                    [--webhook URL --webhook-secret S] [--bot-auto]"
		   " [--page-size N]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"port", required_argument, NULL, 'p'},
		{"token", required_argument, NULL, 't'},
		{"bot-id", required_argument, NULL, 'b'},
		{"webhook", required_argument, NULL, 'w'},
		{"webhook-secret", required_argument, NULL, 's'},
		{"bot-auto", no_argument, NULL, 'a'},
		{"page-size", required_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *token = "sim-token", *bot_id = "bot-sim", *webhook = NULL, *secret = "";
	int port = 0, page_size = BP_PAGE_SIZE, bot_auto = 0, ch, rc;
	struct app a;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'p': port = atoi(optarg); break;
		case 't': token = optarg; break;
		case 'b': bot_id = optarg; break;
		case 'w': webhook = optarg; break;
		case 's': secret = optarg; break;
		case 'a': bot_auto = 1; break;
		case 'n': page_size = atoi(optarg); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || port < 0 || port > 65535 || page_size < 1) {
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	memset(&a, 0, sizeof a);
	uv_loop_init(&a.loop);
	bp_store_init(&a.sim.store, bot_id);
	a.sim.store.page_size = (size_t)page_size;
	a.sim.store.on_event = on_event;
	a.sim.store.hook_ctx = &a.sim;
	a.sim.token = token;
	a.sim.bot_auto = bot_auto;
	a.sim.faults.retry_after = 1;
	a.sim.faults.error_status = 500;
	a.sim.faults.page_insert = 1;
	a.sim.webhook = bp_webhook_new(&a.loop);
	if (!a.sim.webhook || bp_webhook_configure(a.sim.webhook, webhook, secret) < 0) {
		log_error("botpress_sim: out of memory");
		return 1;
	}

	int bound = 0;
	if ((rc = sim_http_start(&a.loop, "127.0.0.1", port, handle, &a.sim, &a.http, &bound)) < 0) {
		log_error("botpress_sim: cannot listen on 127.0.0.1:%d: %s", port, uv_strerror(rc));
		return 1;
	}
	uv_signal_init(&a.loop, &a.sigterm);
	uv_signal_init(&a.loop, &a.sigint);
	a.sigterm.data = a.sigint.data = &a;
	uv_signal_start(&a.sigterm, on_signal, SIGTERM);
	uv_signal_start(&a.sigint, on_signal, SIGINT);
	log_info("botpress_sim: listening on 127.0.0.1:%d (bot %s)", bound, bot_id);
	printf("%d\n", bound);
	fflush(stdout);

	uv_run(&a.loop, UV_RUN_DEFAULT);
	uv_loop_close(&a.loop);
	bp_store_free(&a.sim.store);
	curl_global_cleanup();
	return 0;
}
