/*
 * bridge_check.c — `handoff-bridge --check`: ask both sides who we are and
 * print what each shows, so a wrong key, an unknown bot id, an unreachable
 * platform or a wrong hub token is found before the bridge runs. Both
 * questions go out at once; the exit status is 0 only when both answered.
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "bridge_check.h"
#include "enums.h"

struct check {
	struct bridge *b;
	int pending;
	bool ok;
};

static void on_platform(void *ctx, struct pf_result *r)
{
	struct check *c = ctx;

	if (r->status == PF_OK) {
		printf("platform: %s at %s: %s\n", c->b->pf->name, c->b->cfg->platform_url,
		       r->summary ? r->summary : "ok");
	} else {
		printf("platform: %s at %s: FAILED: %s\n", c->b->pf->name, c->b->cfg->platform_url,
		       r->text);
		c->ok = false;
	}
	c->pending--;
}

static void on_me(void *ctx, struct api_result *r)
{
	struct check *c = ctx;

	if (r->err == API_ERR_NONE) {
		const char *role = account_role_name(r->agent->role);
		printf("hub: %s: account \"%s\" (%s, id %s)\n", c->b->cfg->hub_url, r->agent->name,
		       role ? role : "?", r->agent->id);
		if (r->agent->role != ACCOUNT_INGEST) {
			printf("hub: FAILED: the bridge needs an ingest account\n");
			c->ok = false;
		}
	} else {
		printf("hub: %s: FAILED: %s\n", c->b->cfg->hub_url, r->text);
		c->ok = false;
	}
	c->pending--;
}

bool bridge_check(struct bridge *b)
{
	struct check c = {b, 0, true};
	struct errbuf why;

	if (b->pf->check(b->pc, on_platform, &c, &why))
		c.pending++;
	else {
		printf("platform: FAILED: %s\n", why.msg);
		c.ok = false;
	}
	if (api_me(b->hub, on_me, &c, &why))
		c.pending++;
	else {
		printf("hub: FAILED: %s\n", why.msg);
		c.ok = false;
	}
	while (c.pending > 0 && uv_run(b->loop, UV_RUN_ONCE))
		;
	fflush(stdout);
	return c.ok && c.pending == 0;
}
