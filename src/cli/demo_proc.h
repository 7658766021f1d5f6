/*
 * demo_proc.h — the processes `handoff --demo` runs (the hub, the
 * simulators, the bridges) and the temporary directory they share.
 *
 * Each starts in its own process group (a Ctrl-C or hang-up meant for the
 * console reaches the console only), with its log appended to a file of
 * the directory, never the screen. A keeper process, forked first, holds
 * the read end of a pipe only handoff can write: handoff tells it each
 * child it starts, and when the pipe ends — because handoff quit, or was
 * killed by any signal — the keeper stops the children (SIGTERM, SIGKILL
 * after 5 s) and removes the directory. So nothing outlives the demo
 * however it ends. Children also get SIGTERM when handoff dies
 * (PR_SET_PDEATHSIG), in case the keeper itself was killed.
 */
#ifndef HANDOFF_CLI_DEMO_PROC_H
#define HANDOFF_CLI_DEMO_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "errbuf.h"

#define DEMO_MAX_PROCS 32

struct demo_procs {
	char dir[256];       /* the temporary directory, under $TMPDIR or /tmp */
	int keeper_fd;       /* our end of the keeper's pipe */
	pid_t keeper;
	pid_t pids[DEMO_MAX_PROCS];
	size_t n;
};

/* Make the directory and start the keeper. */
bool demo_procs_init(struct demo_procs *p, struct errbuf *err);

/* Stop every child, remove the directory, and reap them all. */
void demo_procs_end(struct demo_procs *p);

/* The path of `name` in the directory, into out. */
void demo_path(const struct demo_procs *p, const char *name, char *out, size_t len);

/* A program of the demo: `name` in `sub` ("." or "tests/sim") of the
 * directory this handoff runs from (a build tree, or the bin directory it
 * is installed in); then $<env> (env may be NULL); then, when on_path,
 * `name` for PATH to find. False when none of these is there. */
bool demo_find(const char *name, const char *sub, const char *env, bool on_path, char *out,
	       size_t len);

/* Start argv (argv[0] as demo_find gave it) with stdout and stderr
 * appended to the directory's file `log`; with out_fd, stdout is a pipe
 * whose read end goes there. The child's pid, or -1 (errno set). */
pid_t demo_spawn(struct demo_procs *p, char *const argv[], const char *log, int *out_fd);

/* Run argv to its end, its first line of stdout into out (newline cut),
 * its stderr into `log`; its exit status, -1 when it could not run. */
int demo_run(struct demo_procs *p, char *const argv[], const char *log, char *out, size_t len);

/* Wait until the directory's file `log` holds `text`, while `pid` runs,
 * until `deadline_ms` (CLOCK_MONOTONIC); what follows the text on its
 * line into after (may be NULL). False when pid exited or time ran out. */
bool demo_wait_log(const struct demo_procs *p, const char *log, const char *text, pid_t pid,
		   long long deadline_ms, char *after, size_t len);

/* The last line of the directory's file `log` into out ("" when none):
 * why a program that would not start stopped. */
void demo_log_last_line(const struct demo_procs *p, const char *log, char *out, size_t len);

/* Read the first line `fd` gives (a simulator's port) before the
 * deadline; false when it closed or time ran out. Closes fd. */
bool demo_read_line(int fd, long long deadline_ms, char *out, size_t len);

/* CLOCK_MONOTONIC in ms. */
long long demo_now_ms(void);

#endif
