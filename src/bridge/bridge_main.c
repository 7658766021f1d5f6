/*
 * bridge_main.c — handoff-bridge: options, wiring, signals.
 *
 *   handoff-bridge --config FILE [--verbose]   run the bridge
 *   handoff-bridge --config FILE --check       check both sides and exit
 *
 * SIGTERM (or SIGINT) drains: no new poll, delivery, event or job starts;
 * what is in flight (an ingest, a platform call) finishes and is recorded;
 * then everything closes and the process exits 0. After drain_timeout_ms
 * what is still in flight is cancelled: it is recorded as not done and
 * redone after the restart, which the idempotent calls make harmless.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "api.h"
#include "bridge.h"
#include "bridge_check.h"
#include "log.h"

#define EXIT_USAGE 2

struct runner {
	struct bridge b;        /* first: bridge_drain_check finds its runner */
	uv_signal_t sigterm, sigint;
	uv_timer_t drain_timer;
	bool shut;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: handoff-bridge --config FILE [--check] [--verbose]\n"
		   "  --config FILE   the bridge's settings (handoff-bridge(8))\n"
		   "  --check         verify the platform credentials and the hub token, print\n"
		   "                  what each side shows, and exit (0: both fine)\n"
		   "  --verbose       debug lines in the log\n");
}

static void on_closed(uv_handle_t *h)
{
	(void)h;
}

/* Everything in flight is over (or given up): close it all; the loop runs
 * dry and main returns. Payload calls cancelled here land in the inbound
 * and outbound callbacks, which see `draining` and start nothing. */
static void shutdown_now(uv_timer_t *t)
{
	struct runner *r = t->data;
	struct bridge *b = &r->b;

	if (r->shut)
		return;
	r->shut = true;
	webhook_stop(b->wh);
	bstats_stop(b->stats);
	b->stats = NULL;
	api_free(b->hub);
	b->hub = NULL;
	b->pf->close(b->pc);
	b->pc = NULL;
	inbound_free(b->in);
	outbound_free(b->out);
	b->in = NULL;
	b->out = NULL;
	uv_close((uv_handle_t *)&r->sigterm, on_closed);
	uv_close((uv_handle_t *)&r->sigint, on_closed);
	uv_close((uv_handle_t *)&r->drain_timer, on_closed);
	log_info("stopped");
}

void bridge_drain_check(struct bridge *b)
{
	struct runner *r = (struct runner *)b;

	if (!b->draining || r->shut)
		return;
	if ((!b->in || inbound_idle(b->in)) && (!b->out || outbound_idle(b->out)))
		uv_timer_start(&r->drain_timer, shutdown_now, 0, 0);
}

static void on_signal(uv_signal_t *s, int signum)
{
	struct runner *r = s->data;

	if (r->b.draining)
		return;
	log_info("signal %d: draining (at most %u ms)", signum, r->b.cfg->drain_ms);
	r->b.draining = true;
	webhook_stop(r->b.wh);
	uv_timer_start(&r->drain_timer, shutdown_now, r->b.cfg->drain_ms, 0);
	bridge_drain_check(&r->b);
}

static int run(struct runner *r)
{
	struct bridge *b = &r->b;
	struct errbuf why;

	if (!(b->st = bstate_open(b->cfg->state_db, &why)) || !(b->in = inbound_new(b)) ||
	    !(b->out = outbound_new(b, &why))) {
		log_error("%s", b->in ? why.msg : "cannot start");
		return 1;
	}
	if (b->cfg->webhook_host && !(b->wh = webhook_start(b, &why))) {
		log_error("%s", why.msg);
		return 1;
	}
	uv_signal_init(b->loop, &r->sigterm);
	uv_signal_init(b->loop, &r->sigint);
	uv_timer_init(b->loop, &r->drain_timer);
	r->sigterm.data = r->sigint.data = r->drain_timer.data = r;
	uv_signal_start(&r->sigterm, on_signal, SIGTERM);
	uv_signal_start(&r->sigint, on_signal, SIGINT);
	log_info("bridge for %s at %s -> hub %s (poll %u..%u ms, %lld platform calls queued)",
		 b->pf->name, b->cfg->platform_url, b->cfg->hub_url, b->cfg->poll_min_ms,
		 b->cfg->poll_max_ms, (long long)bstate_job_count(b->st));
	inbound_start(b->in);
	outbound_start(b->out);
	b->stats = bstats_start(b);
	uv_run(b->loop, UV_RUN_DEFAULT);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'}, {"check", no_argument, NULL, 'k'},
		{"verbose", no_argument, NULL, 'v'},      {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *config = NULL;
	bool check = false;
	struct runner r;
	struct bridge_config cfg;
	struct errbuf why;
	uv_loop_t loop;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "c:kvh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': config = optarg; break;
		case 'k': check = true; break;
		case 'v': log_set_level(LOG_DEBUG); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (!config || optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!bridge_config_load(&cfg, config, &why)) {
		fprintf(stderr, "handoff-bridge: %s\n", why.msg);
		return EXIT_USAGE;
	}
	memset(&r, 0, sizeof r);
	uv_loop_init(&loop);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	r.b.loop = &loop;
	r.b.cfg = &cfg;
	r.b.pf = cfg.platform;
	r.b.pc = cfg.platform->open(&loop, &cfg, &why);
	r.b.hub = r.b.pc ? api_new(&loop, cfg.hub_url, cfg.ingest_token, false, &why) : NULL;
	if (!r.b.hub) {
		fprintf(stderr, "handoff-bridge: %s\n", why.msg);
		rc = 1;
	} else if (check) {
		api_set_retry(r.b.hub, 0, 0);
		rc = bridge_check(&r.b) ? 0 : 1;
	} else {
		rc = run(&r);
	}
	if (!r.shut) { /* --check, or a failed start: close what was opened */
		api_free(r.b.hub);
		if (r.b.pc)
			r.b.pf->close(r.b.pc);
		inbound_free(r.b.in);
		outbound_free(r.b.out);
		webhook_stop(r.b.wh);
	}
	uv_run(&loop, UV_RUN_DEFAULT);
	webhook_free(r.b.wh);
	bstate_close(r.b.st);
	uv_loop_close(&loop);
	curl_global_cleanup();
	bridge_config_free(&cfg);
	return rc;
}
