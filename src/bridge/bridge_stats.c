/*
 * bridge_stats.c — the platform's own daily conversation counts, carried
 * to the hub (POST /v1/ingest/stats) at start and then every
 * `stats_interval_ms` (an hour by default; 0 never), for a platform with a
 * `daily_counts` operation. Each round reports the last STATS_DAYS UTC
 * days whole: the hub keeps the last report of each day, so a count the
 * platform revised, or a round lost to a failure, is set right by the
 * next one. Nothing is retried in between.
 */
#include <stdlib.h>

#include "api.h"
#include "bridge.h"
#include "bridge_config.h"
#include "log.h"
#include "timeutil.h"

#define STATS_DAYS 30

struct bstats {
	struct bridge *b;
	uv_timer_t timer;
	bool busy;                 /* a round is in flight */
	bool stopped;              /* the round's callbacks start nothing more */
};

static void on_stored(void *ctx, struct api_result *r)
{
	struct bstats *s = ctx;

	s->busy = false;
	if (r->err != API_ERR_NONE)
		log_warn("daily counts: the hub refused them: %s", r->text);
	else
		log_debug("daily counts: %lld days reported", (long long)r->stored);
	if (s->stopped)
		free(s);
	else
		bridge_drain_check(s->b);
}

static void on_counts(void *ctx, struct pf_result *r)
{
	struct bstats *s = ctx;
	struct api_stats_day *days = NULL;
	struct errbuf why;

	if (s->stopped || s->b->draining || !s->b->hub || r->status != PF_OK || !r->ndays) {
		if (r->status != PF_OK && !s->stopped)
			log_warn("daily counts: %s", r->text);
		s->busy = false;
		if (s->stopped)
			free(s);
		return;
	}
	if ((days = calloc(r->ndays, sizeof *days))) {
		for (size_t i = 0; i < r->ndays; i++) {
			date_format(r->days[i].day, days[i].date);
			days[i].conversations = r->days[i].conversations;
		}
	}
	if (!days || !api_ingest_stats(s->b->hub, s->b->pf->name, days, r->ndays, on_stored, s,
				       &why)) {
		log_warn("daily counts: %s", days ? why.msg : "out of memory");
		s->busy = false;
	}
	free(days);
}

static void on_tick(uv_timer_t *t)
{
	struct bstats *s = t->data;
	struct errbuf why;
	int64_t today = ts_now() / 86400000;

	if (s->busy || s->b->draining || !s->b->pc)
		return;
	s->busy = true;
	if (!s->b->pf->daily_counts(s->b->pc, today - (STATS_DAYS - 1), today, on_counts, s,
				    &why)) {
		log_warn("daily counts: %s", why.msg);
		s->busy = false;
	}
}

struct bstats *bstats_start(struct bridge *b)
{
	struct bstats *s;

	if (!b->pf->daily_counts || !b->cfg->stats_interval_ms || !(s = calloc(1, sizeof *s)))
		return NULL;
	s->b = b;
	uv_timer_init(b->loop, &s->timer);
	s->timer.data = s;
	uv_timer_start(&s->timer, on_tick, 0, b->cfg->stats_interval_ms);
	return s;
}

static void on_timer_closed(uv_handle_t *h)
{
	struct bstats *s = h->data;

	/* A round in flight frees it from its callback (the platform and the
	 * hub client cancel theirs on close). */
	if (s->busy)
		s->stopped = true;
	else
		free(s);
}

void bstats_stop(struct bstats *s)
{
	if (s)
		uv_close((uv_handle_t *)&s->timer, on_timer_closed);
}
