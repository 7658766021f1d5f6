/*
 * botpress_sim.c — a simulated Botpress Cloud bot for tests and the demo.
 *
 *   botpress_sim [--port N] [--webhook URL --webhook-secret S] [--token T]
 *                [--bot-id ID] [--bot-auto] [--page-size N]
 *
 * Serves the chat API (/v1/chat/..., bp_api.c) and the control interface
 * (/_sim/..., bp_control.c and the common routes); start-up, the fault
 * switches and the webhook are the common ones (sim.h). State lives in
 * memory only: every run starts empty. doc/simulators.md has the rest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bp_actors.h"
#include "bp_api.h"
#include "bp_control.h"
#include "bp_error.h"
#include "bp_sim.h"

enum { OPT_TOKEN = 1, OPT_BOT_ID, OPT_BOT_AUTO, OPT_PAGE_SIZE };

static const struct option OPTIONS[] = {
	{"token", required_argument, NULL, OPT_TOKEN},
	{"bot-id", required_argument, NULL, OPT_BOT_ID},
	{"bot-auto", no_argument, NULL, OPT_BOT_AUTO},
	{"page-size", required_argument, NULL, OPT_PAGE_SIZE},
	{NULL, 0, NULL, 0},
};

static int option(void *state, int ch, const char *arg)
{
	struct bp_sim *bp = state;

	switch (ch) {
	case OPT_TOKEN: bp->token = arg; return 0;
	case OPT_BOT_ID: bp->bot_id = arg; return 0;
	case OPT_BOT_AUTO: bp->bot_auto = true; return 0;
	case OPT_PAGE_SIZE: return atoi(arg) < 1 ? -1 : (bp->page_size = (size_t)atoi(arg), 0);
	}
	return -1;
}

/* Every new event goes to the webhook as the doc's Event object. */
static void on_event(void *ctx, const struct bp_event *ev)
{
	struct bp_sim *bp = ctx;
	cJSON *j = bp_event_json(ev);

	if (j)
		sim_emit(bp->sim, j);
	cJSON_Delete(j);
}

static int start(void *state, struct sim *sim)
{
	struct bp_sim *bp = state;

	if (!bp_store_init(&bp->store, bp->bot_id))
		return -1;
	bp->sim = sim;
	bp->store.page_size = bp->page_size;
	bp->store.on_event = on_event;
	bp->store.hook_ctx = bp;
	return 0;
}

static void stop(void *state)
{
	struct bp_sim *bp = state;

	bp_store_free(&bp->store);
}

static void api(void *state, const struct sim_req *req, struct sim_resp *resp)
{
	struct bp_sim *bp = state;

	bp_api_handle(&bp->store, bp->token, req, resp);
}

/* The doc's errors for what the common code answers: a 5xx fault still
 * says "Internal". */
static void error(struct sim_resp *resp, int status)
{
	if (status == 404)
		bp_error(resp, BP_ERR_RESOURCE_NOT_FOUND, "No such endpoint.");
	else if (status == 429)
		bp_error(resp, BP_ERR_RATE_LIMITED, NULL);
	else
		bp_error_status(resp, BP_ERR_INTERNAL, status);
}

/* New records in front of a walk: messages of the conversation being
 * walked, or new conversations (which also make events). */
static bool page_change(void *state, const struct sim_req *req, unsigned insert)
{
	struct bp_sim *bp = state;
	char *conv_id;

	if (!bp_api_is_next_page(req, &conv_id))
		return false;
	struct bp_conv *c = conv_id ? bp_conv_find(&bp->store, conv_id) : NULL;
	for (unsigned i = 0; i < insert; i++) {
		struct bp_msg *m;
		if (c)
			bp_msg_text(&bp->store, c, c->customer_id[0] ? c->customer_id
								     : bp->store.bot_id,
				    "written while the pages were walked", BP_ORIGIN_CUSTOMER);
		else
			bp_customer_start(bp, "Late Customer", "channel", "webchat",
					  "started while the pages were walked", &m);
	}
	free(conv_id);
	return true;
}

static void stats(void *state, cJSON *o)
{
	const struct bp_store *s = &((struct bp_sim *)state)->store;

	cJSON_AddNumberToObject(o, "conversations", (double)s->convs.n);
	cJSON_AddNumberToObject(o, "messages", (double)s->msgs.n);
	cJSON_AddNumberToObject(o, "events", (double)s->events.n);
	bp_api_stats(o);
}

/* The demo's customers come on the web chat; the bot answers them. */
static bool demo_open(void *state, const char *name, const char *text, char *id, size_t idlen)
{
	struct bp_sim *bp = state;
	struct bp_msg *m;
	struct bp_conv *c;

	bp->bot_auto = true;
	if (!(c = bp_customer_start(bp, name, "channel", "webchat", text, &m)))
		return false;
	snprintf(id, idlen, "%s", c->r.id);
	return true;
}

static void demo_say(void *state, void *item, const char *text)
{
	bp_customer_say(state, item, text);
}

static const struct sim_platform BOTPRESS = {
	.name = "botpress_sim",
	.usage = "[--token T] [--bot-id ID] [--bot-auto] [--page-size N]",
	.options = OPTIONS,
	.api_prefix = "/v1/",
	/* The doc describes no outgoing webhook; doc/simulators.md says why
	 * this header and scheme. */
	.webhook_header = "x-bp-signature",
	.webhook_sign = sim_sign_hmac_sha256_hex,
	.routes = BP_CONTROL_ROUTES,
	.not_found = "no conversation with this id",
	.option = option,
	.start = start,
	.stop = stop,
	.api = api,
	.error = error,
	.page_change = page_change,
	.find = bp_control_find,
	.stats = stats,
	.demo_open = demo_open,
	.demo_say = demo_say,
};

int main(int argc, char **argv)
{
	static struct bp_sim bp = {
		.token = "sim-token", .bot_id = "bot-sim", .page_size = BP_PAGE_SIZE,
	};

	return sim_main(&BOTPRESS, &bp, argc, argv);
}
