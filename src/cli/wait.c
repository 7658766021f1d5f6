/*
 * wait.c — waiting for API calls on the loop, and reporting their failures
 * with the right exit status.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "textsafe.h"

void cli_on_done(void *ctx, struct api_result *r)
{
	struct cli_wait *w = ctx;

	api_result_take(&w->r, r);
	w->done = true;
}

int cli_wait(struct cli *cli, const char *cmd, struct cli_wait *w)
{
	/* api.h bounds every call (timeouts, a retry budget), so this ends. */
	while (!w->done)
		uv_run(&cli->loop, UV_RUN_ONCE);
	switch (w->r.err) {
	case API_ERR_NONE:
		return EXIT_OK;
	case API_ERR_UNREACHABLE:
		fprintf(cli->err, "handoff: %s: %s\n", cmd, w->r.text);
		return EXIT_UNREACHABLE;
	case API_ERR_SERVER:
	case API_ERR_BAD_ANSWER:
	case API_ERR_CANCELLED:
		break;
	}
	/* The hub's own words, verbatim but neutralised: a description can
	 * quote what a user typed (an agent's name), and stderr is a terminal. */
	char *safe = textsafe_dup(w->r.text, strlen(w->r.text), 0);
	fprintf(cli->err, "handoff: %s: %s\n", cmd, safe ? safe : "(out of memory)");
	free(safe);
	return EXIT_SERVER;
}

int cli_usage_error(struct cli *cli, const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(cli->err, "handoff: %s%s", cmd ? cmd : "", cmd ? ": " : "");
	va_start(ap, fmt);
	vfprintf(cli->err, fmt, ap);
	va_end(ap);
	fprintf(cli->err, "\nTry 'handoff %s%s--help'.\n", cmd ? cmd : "", cmd ? " " : "");
	return EXIT_USAGE;
}

int cli_start_failed(struct cli *cli, const char *cmd, const struct errbuf *why)
{
	return cli_usage_error(cli, cmd, "%s", why->msg);
}
