/*
 * handoff.c — `handoff`: global options and configuration; with a command,
 * dispatch to the command table (commands.c), the scripting interface;
 * without one, the console (ui/console_run.h).
 */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "commands.h"
#include "demo_hub.h"
#include "log.h"
#include "console_run.h"

static int run_command(struct cli *cli, const struct cli_command *cmd, const struct cli_args *a,
		       const struct config_args *ca)
{
	struct errbuf err;

	if (!config_load(&cli->cfg, ca, NULL, &err))
		return cli_usage_error(cli, NULL, "%s", err.msg);
	if (!cli->cfg.token) {
		config_free(&cli->cfg);
		return cli_usage_error(cli, NULL,
				       "no token: give --token-file FILE or set HANDOFF_TOKEN");
	}
	if (cli->cfg.insecure)
		fprintf(cli->err, "handoff: WARNING: --insecure: the hub's TLS certificate is NOT "
				  "verified; anyone on the path can read your token and chats\n");
	uv_loop_init(&cli->loop);
	cli->api = api_new(&cli->loop, cli->cfg.server, cli->cfg.token, cli->cfg.insecure, &err);
	int status;
	if (cli->api) {
		status = cmd->run(cli, a);
	} else {
		fprintf(cli->err, "handoff: %s\n", err.msg);
		status = EXIT_UNREACHABLE;
	}
	api_free(cli->api);
	uv_run(&cli->loop, UV_RUN_DEFAULT); /* let the handles close */
	uv_loop_close(&cli->loop);
	config_free(&cli->cfg);
	return status;
}

/* No command: the console. */
static int run_console(struct cli *cli, const struct config_args *ca)
{
	struct errbuf err;
	char state_dir[1024];

	/* A script that forgot its command must not get a full-screen UI on
	 * its pipe. */
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return cli_usage_error(cli, NULL, "no command given, and the console needs a "
						  "terminal");
	if (!config_load(&cli->cfg, ca, NULL, &err))
		return cli_usage_error(cli, NULL, "%s", err.msg);
	if (!cli->cfg.token) {
		config_free(&cli->cfg);
		return cli_usage_error(cli, NULL,
				       "no token: give --token-file FILE or set HANDOFF_TOKEN "
				       "(or try the demo: handoff --demo)");
	}
	if (!config_state_dir(state_dir, sizeof state_dir, NULL, &err)) {
		fprintf(cli->err, "handoff: %s\n", err.msg);
		config_free(&cli->cfg);
		return EXIT_SERVER;
	}
	if (cli->cfg.insecure)
		fprintf(cli->err, "handoff: WARNING: --insecure: the hub's TLS certificate is NOT "
				  "verified\n");
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int status = console_run(&cli->cfg, state_dir);
	curl_global_cleanup();
	config_free(&cli->cfg);
	return status;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"server", required_argument, NULL, 's'},
		{"token-file", required_argument, NULL, 't'},
		{"insecure", no_argument, NULL, 'k'},
		{"theme", required_argument, NULL, 'T'},
		{"demo", no_argument, NULL, 'D'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct cli cli = {.out = stdout, .err = stderr};
	struct config_args ca = {0};
	bool demo = false;
	int c;

	opterr = 0;
	/* "+": stop at the command name; its options are its own. */
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': ca.server = optarg; break;
		case 't': ca.token_file = optarg; break;
		case 'k': ca.insecure = true; break;
		case 'T': ca.theme = optarg; break;
		case 'D': demo = true; break;
		case 'j': cli.json = true; break;
		case 'h': cli_print_help(stdout); return EXIT_OK;
		case 'V': printf("handoff %s\n", PACKAGE_VERSION); return EXIT_OK;
		case ':':
			return cli_usage_error(&cli, NULL, "%s needs a value", argv[optind - 1]);
		default:
			return cli_usage_error(&cli, NULL, "unknown option %s", argv[optind - 1]);
		}
	}
	if (demo && optind < argc)
		return cli_usage_error(&cli, NULL, "--demo opens the console: give no command");
	if (demo && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)))
		return cli_usage_error(&cli, NULL, "--demo opens the console, which needs a terminal");
	if (demo) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		int st = cli_demo(&cli, &ca);
		curl_global_cleanup();
		return st;
	}
	if (optind >= argc)
		return run_console(&cli, &ca);
	const struct cli_command *cmd = cli_command_find(argv[optind]);
	if (!cmd)
		return cli_usage_error(&cli, NULL, "unknown command '%s'", argv[optind]);

	struct cli_args a;
	bool help;
	int status = cli_parse_args(&cli, cmd, argc - optind - 1, argv + optind + 1, &a, &help);
	if (status != EXIT_OK)
		return status;
	if (help) {
		cli_print_command_help(stdout, cmd);
		return EXIT_OK;
	}
	/* Scripts read stdout and stderr: the client core's progress lines
	 * (reconnecting...) would only be noise; commands say what matters. */
	log_set_level(LOG_WARN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	status = run_command(&cli, cmd, &a, &ca);
	curl_global_cleanup();
	if (fflush(stdout) != 0 && status == EXIT_OK)
		status = EXIT_SERVER; /* output lost (a closed pipe, a full disk) */
	return status;
}
