/*
 * chats_sim.c — a simulated chats workspace (chats with responders and
 * tickets) for tests and the demo.
 *
 *   chats_sim [--port N] [--api-key K] [--bot-auto] [--page-size N]
 *             [--order oldest|newest]
 *
 * Serves the Chats API (/api/v1/..., ch_api.c) and the control interface
 * (/_sim/..., ch_control.c and the common routes); start-up and the fault
 * switches are the common ones (sim.h). The platform pushes nothing: a
 * bridge polls. State lives in memory only: every run starts empty.
 * doc/simulators.md has the rest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ch_actors.h"
#include "ch_api.h"
#include "ch_control.h"
#include "ch_error.h"
#include "ch_sim.h"

enum { OPT_API_KEY = 1, OPT_BOT_AUTO, OPT_PAGE_SIZE, OPT_ORDER };

static const struct option OPTIONS[] = {
	{"api-key", required_argument, NULL, OPT_API_KEY},
	{"bot-auto", no_argument, NULL, OPT_BOT_AUTO},
	{"page-size", required_argument, NULL, OPT_PAGE_SIZE},
	{"order", required_argument, NULL, OPT_ORDER},
	{NULL, 0, NULL, 0},
};

static int option(void *state, int ch, const char *arg)
{
	struct ch_sim *sim = state;
	int n;

	switch (ch) {
	case OPT_API_KEY: sim->api_key = arg; return 0;
	case OPT_BOT_AUTO: sim->bot_auto = true; return 0;
	case OPT_PAGE_SIZE:
		n = atoi(arg);
		if (n < 1 || n > CH_PAGE_SIZE_MAX)
			return -1;
		sim->page_size = (size_t)n;
		return 0;
	case OPT_ORDER:
		if (strcmp(arg, "oldest") != 0 && strcmp(arg, "newest") != 0)
			return -1;
		sim->newest_first = strcmp(arg, "newest") == 0;
		return 0;
	}
	return -1;
}

static int start(void *state, struct sim *sim)
{
	(void)sim; /* nothing to push: the platform has no webhook */
	return ch_store_init(&((struct ch_sim *)state)->store) ? 0 : -1;
}

static void stop(void *state)
{
	ch_store_free(&((struct ch_sim *)state)->store);
}

static void api(void *state, const struct sim_req *req, struct sim_resp *resp)
{
	ch_api_handle(state, req, resp);
}

static void error(struct sim_resp *resp, int status)
{
	if (status == 404)
		ch_error(resp, CH_ERR_NO_ROUTE, 0);
	else if (status == 429)
		ch_error(resp, CH_ERR_RATE_LIMITED, 0);
	else
		ch_error(resp, CH_ERR_INTERNAL, status);
}

/* New chats before a page past the first is read: where they land in the
 * walk depends on the list order (at its end oldest first, in front of it
 * newest first, shifting every page by `insert`). */
static bool page_change(void *state, const struct sim_req *req, unsigned insert)
{
	struct ch_sim *sim = state;

	if (!ch_api_is_next_page(req))
		return false;
	for (unsigned i = 0; i < insert; i++) {
		struct ch_msg *m;
		ch_customer_start(sim, "Late Customer", &sim->store.channels[CH_WIDGET], NULL,
				  "started while the pages were walked", &m);
	}
	return true;
}

static void stats(void *state, cJSON *o)
{
	const struct ch_store *s = &((struct ch_sim *)state)->store;

	cJSON_AddNumberToObject(o, "chats", (double)s->chats.n);
	cJSON_AddNumberToObject(o, "messages", (double)s->msgs.n);
	cJSON_AddNumberToObject(o, "owners", (double)s->owners.n);
}

/* The demo's customers come through the website widget; the bot answers
 * them. */
static bool demo_open(void *state, const char *name, const char *text, char *id, size_t idlen)
{
	struct ch_sim *sim = state;
	struct ch_msg *m;
	struct ch_chat *c;

	sim->bot_auto = true;
	if (!(c = ch_customer_start(sim, name, &sim->store.channels[CH_WIDGET], NULL, text, &m)))
		return false;
	snprintf(id, idlen, "%s", c->id);
	return true;
}

/* Nothing from a removed chat or a blocked owner: the platform refuses it. */
static void demo_say(void *state, void *item, const char *text)
{
	struct ch_chat *c = item;

	if (!c->removed && !c->owner->blocked)
		ch_customer_say(state, c, text);
}

static const struct sim_platform CHATS = {
	.name = "chats_sim",
	.usage = "[--api-key K] [--bot-auto] [--page-size N] [--order oldest|newest]",
	.options = OPTIONS,
	.api_prefix = "/api/v1/",
	/* The platform has no outgoing webhook (doc/simulators.md): these
	 * serve /_sim/webhook, which stays unused. */
	.webhook_header = "x-chats-sim-signature",
	.webhook_sign = sim_sign_hmac_sha256_hex,
	.routes = CH_CONTROL_ROUTES,
	.not_found = "no chat with this id",
	.option = option,
	.start = start,
	.stop = stop,
	.api = api,
	.error = error,
	.page_change = page_change,
	.find = ch_control_find,
	.stats = stats,
	.demo_open = demo_open,
	.demo_say = demo_say,
};

int main(int argc, char **argv)
{
	static struct ch_sim sim = {.api_key = "sim-key", .page_size = CH_PAGE_SIZE};

	return sim_main(&CHATS, &sim, argc, argv);
}
