/*
 * cmd_agents.c — `agents`: who is on the team, whether they are online,
 * away or offline, and how many chats they hold of how many they may
 * (GET /v1/agents, v1.1); `agents capacity NAME N` sets the latter
 * (supervisors). --json: one agent object per line, as the hub gives it.
 */
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "commands.h"
#include "print.h"
#include "textsafe.h"

/* NAME ROLE STATUS HELD/CAP; "-" for what a v1 hub does not say. */
static void print_agent(FILE *f, const struct agent *ag)
{
	char *name = textsafe_dup(ag->name, strlen(ag->name), 0);
	char load[48];

	if (ag->status != AGENT_STATUS_NONE)
		snprintf(load, sizeof load, "%lld/%lld", (long long)ag->active_chats,
			 (long long)ag->capacity);
	else
		snprintf(load, sizeof load, "%lld/-", (long long)ag->active_chats);
	fprintf(f, "%-24s %-10s %-7s %s\n", name ? name : "?", account_role_name(ag->role),
		ag->status != AGENT_STATUS_NONE ? agent_status_name(ag->status) : "-", load);
	free(name);
}

static int set_capacity(struct cli *cli, const struct cli_args *a)
{
	struct cli_wait w = {0};
	struct errbuf err;
	char id[UUID_STRLEN + 1], *end;

	if (a->argc != 3)
		return cli_usage_error(cli, "agents", "capacity wants NAME and N");
	long n = strtol(a->argv[2], &end, 10);
	if (!*a->argv[2] || *end || n < 0 || n > CAPACITY_MAX)
		return cli_usage_error(cli, "agents", "N must be a number from 0 to %d",
				       CAPACITY_MAX);
	int status = cli_resolve_agent(cli, "agents", a->argv[1], id);
	if (status != EXIT_OK)
		return status;
	if (!api_agent_capacity(cli->api, id, n, cli_on_done, &w, &err))
		return cli_start_failed(cli, "agents", &err);
	status = cli_wait(cli, "agents", &w);
	if (status == EXIT_OK) {
		if (cli->json)
			print_json(cli->out, agent_to_json(w.r.agent));
		else
			print_agent(cli->out, w.r.agent);
	}
	api_result_free(&w.r);
	return status;
}

int cmd_agents(struct cli *cli, const struct cli_args *a)
{
	struct cli_wait w = {0};
	struct errbuf err;

	if (a->argc >= 1 && strcmp(a->argv[0], "capacity") == 0)
		return set_capacity(cli, a);
	if (a->argc >= 1)
		return cli_usage_error(cli, "agents", "unknown subcommand '%s' (capacity)",
				       a->argv[0]);
	if (!api_agents(cli->api, cli_on_done, &w, &err))
		return cli_start_failed(cli, "agents", &err);
	int status = cli_wait(cli, "agents", &w);
	if (status != EXIT_OK)
		return status;
	if (!cli->json)
		fprintf(cli->out, "%-24s %-10s %-7s %s\n", "NAME", "ROLE", "STATUS", "HELD/CAP");
	for (size_t i = 0; i < w.r.agents->n; i++) {
		const struct agent *ag = &w.r.agents->agents[i];
		if (cli->json)
			print_json(cli->out, agent_to_json(ag));
		else
			print_agent(cli->out, ag);
	}
	api_result_free(&w.r);
	return EXIT_OK;
}
