/*
 * session_dashboard.c — the team dashboard while the console shows it:
 * one GET /v1/dashboard when it opens (and after the hub's resync, or a
 * refresh), then every event of the stream applied to it (dashboard.h).
 * Nothing polls: between events only the caller's clock moves the figures
 * that count time.
 */
#include <stdlib.h>

#include "dashboard.h"
#include "log.h"
#include "session_internal.h"

/* A snapshot call; its generation tells an answer to a dashboard closed
 * or reloaded since from the current one. */
struct dash_call {
	struct session *s;
	unsigned generation;
};

static void changed(struct session *s)
{
	if (s->dash.changed && !s->closing)
		s->dash.changed(s->dash.ctx);
}

static void on_snapshot(void *ctx, struct api_result *r)
{
	struct dash_call *call = ctx;
	struct session *s = call->s;
	bool current = call->generation == s->dash.generation;

	free(call);
	if (s->closing || !current || !s->dash.d)
		return;
	s->dash.loading = false;
	if (r->err != API_ERR_NONE) {
		session_notice(s, true, "cannot read the team's figures: %s", r->text);
	} else {
		dashboard_load(s->dash.d, r->dashboard);
		r->dashboard = NULL;
	}
	changed(s);
}

static bool fetch(struct session *s, struct errbuf *err)
{
	struct dash_call *call = malloc(sizeof *call);

	if (!call)
		return errbuf_set(err, "out of memory");
	call->s = s;
	call->generation = ++s->dash.generation;
	if (!api_dashboard(s->api, on_snapshot, call, err)) {
		free(call);
		return false;
	}
	s->dash.loading = true;
	return true;
}

bool session_dashboard_open(struct session *s, void (*on_change)(void *ctx), void *ctx,
			    struct errbuf *err)
{
	if (!s->dash.d && !(s->dash.d = dashboard_new()))
		return errbuf_set(err, "out of memory");
	s->dash.changed = on_change;
	s->dash.ctx = ctx;
	dashboard_reset(s->dash.d);
	if (!fetch(s, err)) {
		session_dashboard_close(s);
		return false;
	}
	return true;
}

bool session_dashboard_refresh(struct session *s, struct errbuf *err)
{
	if (!s->dash.d)
		return errbuf_set(err, "the dashboard is not open");
	dashboard_reset(s->dash.d);
	return fetch(s, err);
}

void session_dashboard_close(struct session *s)
{
	dashboard_free(s->dash.d);
	s->dash.d = NULL;
	s->dash.changed = NULL;
	s->dash.loading = false;
	s->dash.generation++; /* an answer on its way is dropped */
}

struct dashboard *session_dashboard(struct session *s)
{
	return s->dash.d;
}

bool session_dashboard_loading(const struct session *s)
{
	return s->dash.loading;
}

void session_dashboard_event(struct session *s, const struct event *e)
{
	if (s->dash.d && dashboard_apply(s->dash.d, e))
		changed(s);
}

void session_dashboard_resync(struct session *s)
{
	struct errbuf err;

	if (!s->dash.d)
		return;
	if (!session_dashboard_refresh(s, &err))
		log_warn("session: dashboard not reloaded: %s", err.msg);
	changed(s);
}
