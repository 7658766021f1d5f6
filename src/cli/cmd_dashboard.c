/*
 * cmd_dashboard.c — `dashboard`: the team dashboard's snapshot
 * (GET /v1/dashboard) as the console shows it when it opens: waiting now,
 * the longest wait, breaches of the hub's targets, today's counts, then
 * one line per agent (held, held past the next-response target, replies in
 * the last hour, median first response today, first responses today).
 * The figures are worked out by the same code as the console's
 * (dashboard.h), at this machine's clock. --json: one object.
 */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "dashboard.h"
#include "print.h"
#include "textsafe.h"
#include "timeutil.h"

/* Seconds, or JSON null for "none" (-1 ms). */
static bool add_seconds(cJSON *o, const char *name, int64_t ms)
{
	return ms < 0 ? cJSON_AddNullToObject(o, name) != NULL
		      : cJSON_AddNumberToObject(o, name, (double)(ms / 1000)) != NULL;
}

static cJSON *dashboard_json(const struct dashboard *d, int64_t now)
{
	struct dashboard_figures f;
	cJSON *j = cJSON_CreateObject(), *today = cJSON_CreateObject();
	cJSON *agents = cJSON_CreateArray();

	dashboard_figures(d, now, &f);
	bool ok = j && today && agents && cJSON_AddNumberToObject(j, "waiting", (double)f.waiting) &&
		  add_seconds(j, "longest_wait_s", f.longest_wait_ms) &&
		  cJSON_AddNumberToObject(j, "held", (double)f.held) &&
		  cJSON_AddNumberToObject(j, "breached_first_response", (double)f.breached_first) &&
		  cJSON_AddNumberToObject(j, "breached_next_response", (double)f.breached_next) &&
		  cJSON_AddStringToObject(today, "date", f.date) &&
		  cJSON_AddNumberToObject(today, "conversations", (double)f.conversations) &&
		  cJSON_AddNumberToObject(today, "escalations", (double)f.escalations) &&
		  cJSON_AddNumberToObject(today, "taken_over", (double)f.taken_over) &&
		  cJSON_AddNumberToObject(today, "replies", (double)f.replies);
	for (size_t i = 0; ok && i < f.nagents; i++) {
		struct dashboard_agent a;
		cJSON *o = cJSON_CreateObject();
		dashboard_agent(d, i, now, &a);
		ok = o && cJSON_AddItemToArray(agents, o) &&
		     cJSON_AddStringToObject(o, "id", a.agent->id) &&
		     cJSON_AddStringToObject(o, "name", a.agent->name) &&
		     cJSON_AddNumberToObject(o, "held", (double)a.held) &&
		     cJSON_AddNumberToObject(o, "held_breached", (double)a.breached) &&
		     cJSON_AddNumberToObject(o, "replies_last_hour", (double)a.replies_hour) &&
		     add_seconds(o, "median_first_response_s", a.median_first_ms) &&
		     cJSON_AddNumberToObject(o, "first_responses", (double)a.first_responses);
	}
	if (ok && cJSON_AddItemToObject(j, "today", today)) {
		today = NULL;
		ok = cJSON_AddItemToObject(j, "agents", agents);
		agents = ok ? NULL : agents;
	} else {
		ok = false;
	}
	cJSON_Delete(today);
	cJSON_Delete(agents);
	if (!ok) {
		cJSON_Delete(j);
		j = NULL;
	}
	return j;
}

/* A clock, "-" for none (-1 ms). */
static void clock_words(int64_t ms, char *out, size_t len)
{
	if (ms < 0)
		snprintf(out, len, "-");
	else
		clock_format(ms / 1000, out, len);
}

static void print_table(FILE *f, const struct dashboard *d, int64_t now)
{
	struct dashboard_figures fig;
	char wait[32], median[32];

	dashboard_figures(d, now, &fig);
	clock_words(fig.longest_wait_ms, wait, sizeof wait);
	fprintf(f, "waiting %lld, longest wait %s, held %lld\n", (long long)fig.waiting, wait,
		(long long)fig.held);
	if (fig.targets.first_response_s || fig.targets.next_response_s)
		fprintf(f, "breached: %lld waiting past the first-response target (%llds), "
			   "%lld held past the next-response target (%llds)\n",
			(long long)fig.breached_first, (long long)fig.targets.first_response_s,
			(long long)fig.breached_next, (long long)fig.targets.next_response_s);
	else
		fprintf(f, "breached: no wait-time targets set on the hub\n");
	fprintf(f, "today %s UTC: %lld conversations, %lld escalations, %lld takeovers, "
		   "%lld replies\n\n",
		fig.date, (long long)fig.conversations, (long long)fig.escalations,
		(long long)fig.taken_over, (long long)fig.replies);
	fprintf(f, "%-24s %5s %5s %10s %11s %7s\n", "AGENT", "HELD", "LATE", "REPLIES/H",
		"MEDIAN_1ST", "FIRSTS");
	for (size_t i = 0; i < fig.nagents; i++) {
		struct dashboard_agent a;
		dashboard_agent(d, i, now, &a);
		char *name = textsafe_dup(a.agent->name, strlen(a.agent->name), 0);
		clock_words(a.median_first_ms, median, sizeof median);
		fprintf(f, "%-24s %5lld %5lld %10lld %11s %7zu\n", name ? name : "?",
			(long long)a.held, (long long)a.breached, (long long)a.replies_hour, median,
			a.first_responses);
		free(name);
	}
}

int cmd_dashboard(struct cli *cli, const struct cli_args *a)
{
	struct cli_wait w = {0};
	struct errbuf err;
	(void)a;

	if (!api_dashboard(cli->api, cli_on_done, &w, &err))
		return cli_start_failed(cli, "dashboard", &err);
	int status = cli_wait(cli, "dashboard", &w);
	if (status != EXIT_OK)
		return status;
	int64_t now = ts_now();
	if (cli->json)
		print_json(cli->out, dashboard_json(w.r.dashboard, now));
	else
		print_table(cli->out, w.r.dashboard, now);
	api_result_free(&w.r);
	return status;
}
