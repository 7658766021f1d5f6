/*
 * commands.h — the table of scripting commands (tmux style).
 *
 * Each command is one entry: its name, usage, argument counts, options,
 * handler and help. `handoff --help` and `handoff CMD --help` are generated
 * from the table, and the option parser reads it, so adding a command is
 * one entry in commands.c plus the file with its handler.
 */
#ifndef HANDOFF_CLI_COMMANDS_H
#define HANDOFF_CLI_COMMANDS_H

#include <stdio.h>

#include "cli.h"

struct cli_option {
	const char *name;     /* long name: --name */
	const char *arg;      /* the value's name ("TEXT"), or NULL for a flag */
	const char *help;
};

typedef int cli_handler_fn(struct cli *cli, const struct cli_args *a);

struct cli_command {
	const char *name;
	const char *usage;    /* after the name: "ID [--force]" */
	int min_args, max_args;
	const struct cli_option *options; /* ends with {NULL}; may be NULL */
	cli_handler_fn *run;
	const char *help;     /* one or more sentences */
};

extern const struct cli_command cli_commands[];
extern const size_t cli_ncommands;

/* The command called `name`, or NULL. */
const struct cli_command *cli_command_find(const char *name);

/* Parse argv[0..argc) (what follows the command name) into `a`. "--json"
 * and "--help" are accepted after any command. Returns EXIT_OK, or
 * EXIT_USAGE after printing why; *help is set for --help. */
int cli_parse_args(struct cli *cli, const struct cli_command *cmd, int argc, char **argv,
		   struct cli_args *a, bool *help);

/* The help of the program (every command) and of one command. */
void cli_print_help(FILE *f);
void cli_print_command_help(FILE *f, const struct cli_command *cmd);

/* Handlers (cmd_*.c). */
cli_handler_fn cmd_chats, cmd_show;
cli_handler_fn cmd_takeover, cmd_handback, cmd_reply, cmd_note, cmd_rate, cmd_retitle,
	cmd_status, cmd_assign, cmd_stop, cmd_watch, cmd_replies,
	cmd_stats, cmd_search, cmd_agents, cmd_accept, cmd_pass, cmd_dashboard;

#endif
