/*
 * conversations_sim.c — a simulated conversations platform (conversations
 * with rating, title and daily counts) for tests and the demo.
 *
 *   conversations_sim [--port N] [--api-key K] [--bot-auto]
 *                     [--chat-page-size N]
 *
 * Serves the Conversations API (/webapi/v2/conversations..., cv_api.c) and
 * the control interface (/_sim/..., cv_control.c and the common routes);
 * start-up and the fault switches are the common ones (sim.h). The doc
 * describes no push, so nothing is ever delivered to a webhook. State
 * lives in memory only: every run starts empty. doc/simulators.md has the
 * rest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cv_actors.h"
#include "cv_api.h"
#include "cv_control.h"
#include "cv_error.h"
#include "cv_sim.h"

enum { OPT_API_KEY = 1, OPT_BOT_AUTO, OPT_CHAT_PAGE_SIZE };

static const struct option OPTIONS[] = {
	{"api-key", required_argument, NULL, OPT_API_KEY},
	{"bot-auto", no_argument, NULL, OPT_BOT_AUTO},
	{"chat-page-size", required_argument, NULL, OPT_CHAT_PAGE_SIZE},
	{NULL, 0, NULL, 0},
};

static int option(void *state, int ch, const char *arg)
{
	struct cv_sim *cv = state;

	switch (ch) {
	case OPT_API_KEY: cv->api_key = arg; return 0;
	case OPT_BOT_AUTO: cv->bot_auto = true; return 0;
	case OPT_CHAT_PAGE_SIZE:
		return atoi(arg) < 1 ? -1 : (cv->chat_page_size = (size_t)atoi(arg), 0);
	}
	return -1;
}

static int start(void *state, struct sim *sim)
{
	struct cv_sim *cv = state;

	(void)sim;
	return cv_store_init(&cv->store) ? 0 : -1;
}

static void stop(void *state)
{
	struct cv_sim *cv = state;

	cv_store_free(&cv->store);
}

static void api(void *state, const struct sim_req *req, struct sim_resp *resp)
{
	cv_api_handle(state, req, resp);
}

static void error(struct sim_resp *resp, int status)
{
	if (status == 404)
		cv_error(resp, CV_ERR_NOT_FOUND, "No such endpoint.", 0);
	else if (status == 429)
		cv_error(resp, CV_ERR_RATE_LIMITED, NULL, 0);
	else
		cv_error(resp, CV_ERR_API, NULL, status);
}

/* Changes in front of a walk. Walking chats: the customer writes more (new
 * chats land on the last page). Walking conversations: new conversations
 * start, and the conversation that would come last gets a chat, which
 * moves it to the top of the live order. */
static bool page_change(void *state, const struct sim_req *req, unsigned insert)
{
	struct cv_sim *cv = state;
	char *conv_id;

	if (!cv_api_is_next_page(req, &conv_id))
		return false;
	struct cv_conv *c = conv_id ? cv_conv_find(&cv->store, conv_id) : NULL;
	for (unsigned i = 0; i < insert; i++) {
		struct cv_chat *ch;
		if (conv_id) {
			if (c)
				cv_chat_add(&cv->store, c, CV_SENDER_USER,
					    "written while the pages were walked", NULL, 0);
			continue;
		}
		if (cv->store.convs.n)
			cv_chat_add(&cv->store, cv->store.convs.v[0], CV_SENDER_USER,
				    "written while the list was walked", NULL, 0);
		cv_customer_start(cv, "Late", "Customer", "started while the list was walked", 0,
				  &ch);
	}
	free(conv_id);
	return true;
}

static void stats(void *state, cJSON *o)
{
	const struct cv_store *s = &((struct cv_sim *)state)->store;

	cJSON_AddNumberToObject(o, "conversations", (double)s->convs.n);
	cJSON_AddNumberToObject(o, "chats", (double)s->chats);
}

/* The demo's customer, named "First Last"; the bot answers them. */
static bool demo_open(void *state, const char *name, const char *text, char *id, size_t idlen)
{
	struct cv_sim *cv = state;
	const char *space = strchr(name, ' ');
	char first[64];
	struct cv_chat *ch;
	struct cv_conv *c;

	snprintf(first, sizeof first, "%.*s", space ? (int)(space - name) : (int)strlen(name),
		 name);
	cv->bot_auto = true;
	if (!(c = cv_customer_start(cv, first, space ? space + 1 : "", text, 0, &ch)))
		return false;
	snprintf(id, idlen, "%s", c->id);
	return true;
}

/* Nothing once the conversation was stopped: the platform refuses it. */
static void demo_say(void *state, void *item, const char *text)
{
	struct cv_conv *c = item;

	if (!c->is_end)
		cv_customer_say(state, c, text);
}

static const struct sim_platform CONVERSATIONS = {
	.name = "conversations_sim",
	.usage = "[--api-key K] [--bot-auto] [--chat-page-size N]",
	.options = OPTIONS,
	.api_prefix = "/webapi/",
	/* The doc has no push; the common webhook stays unused (nothing is
	 * emitted), its header only what sim_main needs to set it up. */
	.webhook_header = "x-sim-signature",
	.webhook_sign = sim_sign_hmac_sha256_hex,
	.routes = CV_CONTROL_ROUTES,
	.not_found = "no conversation with this id",
	.option = option,
	.start = start,
	.stop = stop,
	.api = api,
	.error = error,
	.page_change = page_change,
	.find = cv_control_find,
	.stats = stats,
	.demo_open = demo_open,
	.demo_say = demo_say,
};

int main(int argc, char **argv)
{
	static struct cv_sim cv = {
		.api_key = "sim-api-key", .chat_page_size = CV_CHAT_PAGE_SIZE,
	};

	return sim_main(&CONVERSATIONS, &cv, argc, argv);
}
