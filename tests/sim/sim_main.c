/*
 * sim_main.c — a simulator's start-up, request dispatch and shutdown (see
 * sim.h): everything a platform's main would otherwise repeat.
 */
#include "sim.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "log.h"
#include "sim_control.h"
#include "sim_demo.h"

enum { OPT_PORT = SIM_OPT_FIRST, OPT_WEBHOOK, OPT_SECRET, OPT_DEMO, OPT_HELP };

static const struct option COMMON[] = {
	{"port", required_argument, NULL, OPT_PORT},
	{"webhook", required_argument, NULL, OPT_WEBHOOK},
	{"webhook-secret", required_argument, NULL, OPT_SECRET},
	{"demo", no_argument, NULL, OPT_DEMO},
	{"help", no_argument, NULL, OPT_HELP},
};
#define NCOMMON (sizeof COMMON / sizeof COMMON[0])
/* Room for the platform's options in the merged table. */
#define MAX_OPTIONS 32

static void handle(void *ctx, const struct sim_req *req, struct sim_resp *resp)
{
	struct sim *sim = ctx;
	const char *prefix = sim->plat->api_prefix;

	if (strncmp(req->path, "/_sim/", 6) == 0) {
		sim_control_handle(sim, req, resp);
	} else if (strncmp(req->path, prefix, strlen(prefix)) == 0) {
		sim->api_requests++;
		if (sim_faults_before(sim, req, resp))
			return;
		sim->plat->api(sim->state, req, resp);
		sim_faults_after(sim, req, resp);
	} else {
		sim->plat->error(resp, 404);
	}
}

void sim_emit(struct sim *sim, const cJSON *event)
{
	char *body;

	if (!sim_webhook_enabled(sim->webhook))
		return;
	body = cJSON_PrintUnformatted(event);
	if (body)
		sim_webhook_push(sim->webhook, body, sim_faults_webhook_copies(&sim->faults));
	free(body);
}

void sim_emit_to(struct sim *sim, const char *url, const char *secret, const cJSON *event)
{
	char *body;

	if (!url || !*url)
		return;
	body = cJSON_PrintUnformatted(event);
	if (body)
		sim_webhook_push_to(sim->webhook, url, secret, body,
				    sim_faults_webhook_copies(&sim->faults));
	free(body);
}

static void on_signal(uv_signal_t *s, int signum)
{
	struct sim *sim = s->data;

	log_info("%s: signal %d, stopping", sim->plat->name, signum);
	sim_http_stop(sim->http);
	sim_webhook_close(sim->webhook);
	sim_demo_stop(sim->demo);
	uv_close((uv_handle_t *)&sim->sigterm, NULL);
	uv_close((uv_handle_t *)&sim->sigint, NULL);
}

static void usage(const struct sim_platform *p, FILE *f)
{
	fprintf(f, "usage: %s [--port N] [--webhook URL --webhook-secret S]%s %s\n", p->name,
		p->demo_open ? " [--demo]" : "", p->usage);
}

/* The common options then the platform's, NULL-terminated, into opts. */
static bool merge_options(const struct sim_platform *p, struct option *opts)
{
	size_t n = 0;

	for (; n < NCOMMON; n++)
		opts[n] = COMMON[n];
	for (const struct option *o = p->options; o->name; o++) {
		if (n == MAX_OPTIONS - 1)
			return false;
		opts[n++] = *o;
	}
	opts[n] = (struct option){0};
	return true;
}

int sim_main(const struct sim_platform *p, void *state, int argc, char **argv)
{
	struct option opts[MAX_OPTIONS];
	const char *webhook = NULL, *secret = "";
	int port = 0, ch, rc, bound = 0;
	bool demo = false;
	struct sim sim = {.plat = p, .state = state};

	if (!merge_options(p, opts)) {
		log_error("%s: too many options", p->name);
		return 2;
	}
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case OPT_PORT: port = atoi(optarg); break;
		case OPT_WEBHOOK: webhook = optarg; break;
		case OPT_SECRET: secret = optarg; break;
		case OPT_DEMO: demo = true; break;
		case OPT_HELP: usage(p, stdout); return 0;
		default:
			if (ch == '?' || p->option(state, ch, optarg) < 0) {
				usage(p, stderr);
				return 2;
			}
		}
	}
	if (optind != argc || port < 0 || port > 65535 || (demo && !p->demo_open)) {
		usage(p, stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	uv_loop_init(&sim.loop);
	sim_faults_reset(&sim.faults);
	sim.webhook = sim_webhook_new(&sim.loop, p->webhook_header, p->webhook_sign);
	if (!sim.webhook || sim_webhook_configure(sim.webhook, webhook, secret) < 0 ||
	    p->start(state, &sim) < 0) {
		log_error("%s: out of memory", p->name);
		return 1;
	}
	if ((rc = sim_http_start(&sim.loop, "127.0.0.1", port, handle, &sim, &sim.http, &bound)) <
	    0) {
		log_error("%s: cannot listen on 127.0.0.1:%d: %s", p->name, port, uv_strerror(rc));
		return 1;
	}
	if (demo && !(sim.demo = sim_demo_start(&sim))) {
		log_error("%s: out of memory", p->name);
		return 1;
	}
	uv_signal_init(&sim.loop, &sim.sigterm);
	uv_signal_init(&sim.loop, &sim.sigint);
	sim.sigterm.data = sim.sigint.data = &sim;
	uv_signal_start(&sim.sigterm, on_signal, SIGTERM);
	uv_signal_start(&sim.sigint, on_signal, SIGINT);
	log_info("%s: listening on 127.0.0.1:%d", p->name, bound);
	printf("%d\n", bound);
	fflush(stdout);

	uv_run(&sim.loop, UV_RUN_DEFAULT);
	uv_loop_close(&sim.loop);
	p->stop(state);
	curl_global_cleanup();
	return 0;
}
