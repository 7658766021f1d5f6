/*
 * demo_hub.c — `handoff --demo`: a private `handoffd --demo` on a free
 * loopback port, with its database in a fresh temporary directory, the
 * simulated platforms with their bridges beside it (demo_bridges.h), and
 * the console on it as the demo's agent. Quitting the console — or handoff
 * ending any other way — stops them all and removes the directory
 * (demo_proc.h): nothing is left behind.
 *
 * The hub is the handoffd next to this handoff binary (a build tree, or
 * the same bin directory once installed), else $HANDOFFD, else the one on
 * PATH. Every log goes to a file in the directory, never to the screen.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "console_run.h"
#include "demo_bridges.h"
#include "demo_hub.h"
#include "demo_proc.h"

#define START_TIMEOUT_MS 15000
#define LISTENING "listening on 127.0.0.1:"

/* The hub, once its accounts are in the database; its port, or 0 with
 * the reason in err. */
static int start_hub(struct demo_procs *p, const char *hubd, const char *db,
		     struct errbuf *err)
{
	char *argv[] = {(char *)hubd, "--demo", "--db", (char *)db, "--listen", "127.0.0.1:0",
			NULL};
	char after[32], last[400];
	pid_t hub = demo_spawn(p, argv, "hub.log", NULL);

	if (hub < 0) {
		errbuf_set(err, "cannot run %s: %s", hubd, strerror(errno));
		return 0;
	}
	if (!demo_wait_log(p, "hub.log", LISTENING, hub, demo_now_ms() + START_TIMEOUT_MS, after,
			   sizeof after)) {
		demo_log_last_line(p, "hub.log", last, sizeof last);
		errbuf_set(err, "the demo hub did not start within %d s: %s", START_TIMEOUT_MS / 1000,
			   last);
		return 0;
	}
	return atoi(after);
}

int cli_demo(struct cli *cli, const struct config_args *given)
{
	char hubd[PATH_MAX], db[PATH_MAX], server[64], token[PATH_MAX + 16], state[PATH_MAX];
	char notice[512];
	int status = EXIT_UNREACHABLE, port;
	struct demo_procs procs;
	struct demo_bridges bridges = {0};
	struct errbuf err;

	if (!demo_procs_init(&procs, &err)) {
		fprintf(cli->err, "handoff: --demo: %s\n", err.msg);
		return EXIT_SERVER;
	}
	demo_find("handoffd", ".", "HANDOFFD", true, hubd, sizeof hubd);
	demo_path(&procs, "demo.db", db, sizeof db);
	bridges.hubd = hubd;
	bridges.db = db;
	if (!demo_bridges_prepare(&bridges, &procs)) {
		fprintf(cli->err, "handoff: --demo: out of memory\n");
	} else if ((port = start_hub(&procs, hubd, db, &err)) <= 0) {
		fprintf(cli->err, "handoff: --demo: %s\n", err.msg);
	} else {
		bridges.hub_port = port;
		demo_bridges_start(&bridges, &procs);
		demo_bridges_notice(&bridges, notice, sizeof notice);
		if (notice[0])
			fprintf(cli->err, "%s\n", notice);
		snprintf(server, sizeof server, "http://127.0.0.1:%d", port);
		snprintf(token, sizeof token, "%s.demo-token", db);
		demo_path(&procs, "state", state, sizeof state);
		mkdir(state, 0700);
		struct config_args ca = {server, token, given->theme, false};
		if (!config_load(&cli->cfg, &ca, NULL, &err)) {
			fprintf(cli->err, "handoff: --demo: %s\n", err.msg);
		} else {
			status = console_run(&cli->cfg, state);
			config_free(&cli->cfg);
		}
	}
	demo_bridges_free(&bridges);
	demo_procs_end(&procs);
	return status;
}
