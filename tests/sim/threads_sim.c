/*
 * threads_sim.c — a simulated chatbot with threads in AI or AGENT mode, for
 * tests and the demo.
 *
 *   threads_sim [--port N] [--webhook URL --webhook-secret S] [--token T]
 *               [--chatbot-id ID] [--bot-auto] [--page-size N]
 *               [--webhook-header NAME]
 *
 * Serves the chatbot threads API (/v0/chatbots/{chatbotId}/..., th_api.c)
 * and the control interface (/_sim/..., th_control.c and the common
 * routes). Messages are pushed to each thread's own webhook URL with its
 * token in a header; --webhook and --webhook-secret are the chatbot-wide
 * default a new thread starts with. State lives in memory only.
 * doc/simulators.md has the rest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "th_actors.h"
#include "th_api.h"
#include "th_control.h"
#include "th_error.h"
#include "th_sim.h"

enum { OPT_TOKEN = 1, OPT_CHATBOT_ID, OPT_BOT_AUTO, OPT_PAGE_SIZE, OPT_WEBHOOK_HEADER };

static const struct option OPTIONS[] = {
	{"token", required_argument, NULL, OPT_TOKEN},
	{"chatbot-id", required_argument, NULL, OPT_CHATBOT_ID},
	{"bot-auto", no_argument, NULL, OPT_BOT_AUTO},
	{"page-size", required_argument, NULL, OPT_PAGE_SIZE},
	{"webhook-header", required_argument, NULL, OPT_WEBHOOK_HEADER},
	{NULL, 0, NULL, 0},
};

static int option(void *state, int ch, const char *arg)
{
	struct th_sim *th = state;
	int n;

	switch (ch) {
	case OPT_TOKEN: th->token = arg; return 0;
	case OPT_CHATBOT_ID: th->chatbot_id = arg; return 0;
	case OPT_BOT_AUTO: th->bot_auto = true; return 0;
	case OPT_PAGE_SIZE:
		n = atoi(arg);
		if (n < 1 || n > TH_PAGE_MAX)
			return -1;
		th->page_size = (size_t)n;
		return 0;
	case OPT_WEBHOOK_HEADER:
		if (!*arg || strpbrk(arg, ": \r\n"))
			return -1;
		th->webhook_header = arg;
		return 0;
	}
	return -1;
}

static int start(void *state, struct sim *sim)
{
	struct th_sim *th = state;

	if (!th_store_init(&th->store, th->chatbot_id))
		return -1;
	th->sim = sim;
	th->store.page_size = th->page_size;
	if (th->webhook_header && sim_webhook_set_header(sim->webhook, th->webhook_header) < 0)
		return -1;
	return 0;
}

static void stop(void *state)
{
	th_store_free(&((struct th_sim *)state)->store);
}

static void api(void *state, const struct sim_req *req, struct sim_resp *resp)
{
	th_api_handle(state, req, resp);
}

static void error(struct sim_resp *resp, int status)
{
	if (status == 404)
		th_error(resp, TH_ERR_NOT_FOUND, "No such endpoint");
	else if (status == 429)
		th_error(resp, TH_ERR_TOO_MANY_REQUESTS, NULL);
	else
		th_error_status(resp, TH_ERR_INTERNAL, status);
}

/* New threads in front of a walk of the thread list: customers who start
 * a thread while the pages are walked. */
static bool page_change(void *state, const struct sim_req *req, unsigned insert)
{
	struct th_sim *th = state;
	struct th_msg *m;

	if (!th_api_is_next_page(th, req))
		return false;
	for (unsigned i = 0; i < insert; i++)
		th_customer_start(th, "Late Customer", NULL, "started while the pages were walked",
				  &m);
	return true;
}

static void stats(void *state, cJSON *o)
{
	const struct th_store *s = &((struct th_sim *)state)->store;

	cJSON_AddNumberToObject(o, "threads", (double)s->threads.n);
	cJSON_AddNumberToObject(o, "messages", (double)s->msgs.n);
}

/* The demo's customers start threads in AI mode; the AI answers them. */
static bool demo_open(void *state, const char *name, const char *text, char *id, size_t idlen)
{
	struct th_sim *th = state;
	struct th_msg *m;
	struct th_thread *t;

	th->bot_auto = true;
	if (!(t = th_customer_start(th, name, NULL, text, &m)))
		return false;
	snprintf(id, idlen, "%s", t->id);
	return true;
}

static void demo_say(void *state, void *item, const char *text)
{
	th_user_say(state, item, text, TH_ORIGIN_CUSTOMER);
}

static const struct sim_platform THREADS = {
	.name = "threads_sim",
	.usage = "[--token T] [--chatbot-id ID] [--bot-auto] [--page-size N] "
		 "[--webhook-header NAME]",
	.options = OPTIONS,
	.api_prefix = "/v0/",
	/* The doc says the thread's token goes "in header" without naming it;
	 * doc/simulators.md says why this one (--webhook-header changes it). */
	.webhook_header = "X-Webhook-Token",
	.webhook_sign = sim_sign_token,
	.routes = TH_CONTROL_ROUTES,
	.not_found = "no thread with this id",
	.option = option,
	.start = start,
	.stop = stop,
	.api = api,
	.error = error,
	.page_change = page_change,
	.find = th_control_find,
	.stats = stats,
	.demo_open = demo_open,
	.demo_say = demo_say,
};

int main(int argc, char **argv)
{
	static struct th_sim th = {
		.token = "sim-token", .chatbot_id = "sim-chatbot", .page_size = TH_PAGE_SIZE,
	};

	return sim_main(&THREADS, &th, argc, argv);
}
