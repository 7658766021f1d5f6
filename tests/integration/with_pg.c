/*
 * with_pg.c — run one integration test program against PostgreSQL: the
 * automake log compiler of the ".pg" tests (tests/integration/local.mk).
 *
 *   with_pg tests/pg/test_hub_api.pg
 *   with_pg -- tests/bench/bench_replicas 300 20
 *
 * starts a private server (pgserver.c), runs tests/integration/test_hub_api
 * with HANDOFF_TEST_PG set to the server's conninfo, so that the harness
 * gives each hub a fresh database on it instead of a SQLite file
 * (harness.c, hub_init), then stops the server. The exit status is the
 * program's, as automake's harness reads it (77: skipped).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pgserver.h"

int main(int argc, char **argv)
{
	char program[4096];
	char *const *run = NULL;
	const char *name = argc == 2 ? strrchr(argv[1], '/') : NULL;
	size_t n = name ? strlen(++name) : 0;

	if (argc > 2 && strcmp(argv[1], "--") == 0) {
		run = argv + 2; /* with_pg -- PROGRAM ARGS: a benchmark, say */
	} else if (n < 4 || strcmp(name + n - 3, ".pg") != 0 ||
		   snprintf(program, sizeof program, "tests/integration/%.*s", (int)(n - 3),
			    name) >= (int)sizeof program) {
		/* tests/pg/NAME.pg: the program is tests/integration/NAME */
		fprintf(stderr, "usage: with_pg tests/pg/PROGRAM.pg | with_pg -- PROGRAM [ARG...]\n");
		return 99;
	}

	struct pgserver *server = pgserver_start();
	if (!server)
		return 99; /* a hard error: the server would not start */
	setenv("HANDOFF_TEST_PG", pgserver_conninfo(server), 1);

	int status = 99;
	pid_t pid = fork();
	if (pid == 0) {
		if (run)
			execv(run[0], run);
		else
			execl(program, program, (char *)NULL);
		perror(run ? run[0] : program);
		_exit(99);
	}
	if (pid > 0 && waitpid(pid, &status, 0) == pid)
		status = WIFEXITED(status) ? WEXITSTATUS(status) : 99;
	pgserver_stop(server);
	return status;
}
