/*
 * cli.h — what the scripting commands share: the program's state, parsed
 * arguments, exit statuses, and waiting for one API call on the loop.
 *
 * A command handler (commands.h) starts calls through api.h and waits for
 * each with cli_wait, which runs the uv loop until that call's callback
 * ran: nothing blocks, and a handler still reads top to bottom.
 */
#ifndef HANDOFF_CLI_H
#define HANDOFF_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include <uv.h>

#include "api.h"
#include "settings.h"
#include "uuid.h"

/* Exit statuses, as the protocol fixes them. */
enum {
	EXIT_OK = 0,
	EXIT_SERVER = 1,      /* the hub refused (its description on stderr) */
	EXIT_USAGE = 2,       /* bad command line */
	EXIT_UNREACHABLE = 3, /* no answer from the hub */
};

struct cli_command;

struct cli {
	uv_loop_t loop;
	struct api *api;
	struct config cfg;
	bool json;            /* --json: one JSON document (or JSON lines) on stdout */
	FILE *out, *err;
};

/* The longest option list a command may have. */
#define CLI_MAX_OPTIONS 16

/* A command line after the command name: positional arguments and the
 * values of the command's options (indexed as in cmd->options). */
struct cli_args {
	const struct cli_command *cmd;
	int argc;
	char **argv;
	const char *value[CLI_MAX_OPTIONS];
	bool set[CLI_MAX_OPTIONS];
};

/* The value of option `name` (long name without dashes), or NULL when the
 * command line did not give it; a flag's value is "" when set. */
const char *cli_opt(const struct cli_args *a, const char *name);
bool cli_flag(const struct cli_args *a, const char *name);

/* One pending API call. */
struct cli_wait {
	bool done;
	struct api_result r;  /* payload taken: free with api_result_free */
};

/* The api_done_fn to pass with a struct cli_wait as ctx. */
void cli_on_done(void *ctx, struct api_result *r);

/* Run the loop until `w` is done. On success returns EXIT_OK (the payload
 * is in w->r); otherwise prints "handoff: CMD: why" on stderr and returns
 * EXIT_SERVER or EXIT_UNREACHABLE. */
int cli_wait(struct cli *cli, const char *cmd, struct cli_wait *w);

/* "handoff: CMD: message" and the hint to --help on stderr; returns
 * EXIT_USAGE. */
__attribute__((format(printf, 3, 4)))
int cli_usage_error(struct cli *cli, const char *cmd, const char *fmt, ...);

/* AGENT as an id, or the one agent or supervisor whose name it is (case
 * aside), asking the hub's /v1/agents; errors are reported as CMD's. */
int cli_resolve_agent(struct cli *cli, const char *cmd, const char *who,
		      char id[UUID_STRLEN + 1]);

/* A call that could not even start (bad id, empty text): a usage error. */
int cli_start_failed(struct cli *cli, const char *cmd, const struct errbuf *why);

#endif
