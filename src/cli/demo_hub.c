/*
 * demo_hub.c — `handoff --demo`: a private `handoffd --demo` on a free
 * loopback port, with its database in a fresh temporary directory, and the
 * console on it as the demo's agent. Quitting the console stops the hub
 * and removes the directory: nothing is left behind.
 *
 * The hub is the handoffd next to this handoff binary (a build tree, or
 * the same bin directory once installed), else $HANDOFFD, else the one on
 * PATH. Its log goes to hub.log in the directory, never to the screen.
 */
#define _GNU_SOURCE /* pipe2, nftw */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "demo_hub.h"
#include "console_run.h"

extern char **environ;

#define START_TIMEOUT_MS 15000

/* The handoffd to run (static buffer). */
static const char *find_hub(void)
{
	static char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof path - 16);

	if (n > 0) {
		path[n] = '\0';
		char *slash = strrchr(path, '/');
		if (slash) {
			strcpy(slash + 1, "handoffd");
			if (access(path, X_OK) == 0)
				return path;
		}
	}
	const char *env = getenv("HANDOFFD");
	return env && *env ? env : "handoffd";
}

static long long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Read the hub's log from `fd` until it says where it listens; the port,
 * or 0 (with its last words in `why`) when it died or took too long. */
static int wait_for_port(int fd, char *why, size_t whylen)
{
	char buf[8192];
	size_t len = 0;
	long long deadline = now_ms() + START_TIMEOUT_MS;

	snprintf(why, whylen, "the demo hub did not start within %d s", START_TIMEOUT_MS / 1000);
	for (;;) {
		long long left = deadline - now_ms();
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return 0;
		ssize_t got = read(fd, buf + len, sizeof buf - 1 - len);
		if (got <= 0) {
			/* It exited: its last line says why. */
			buf[len] = '\0';
			char *last = len ? strrchr(buf, '\n') : NULL;
			while (last && last > buf && last[1] == '\0') {
				*last = '\0';
				last = strrchr(buf, '\n');
			}
			snprintf(why, whylen, "the demo hub stopped: %.400s", last ? last + 1 : buf);
			return 0;
		}
		len += (size_t)got;
		buf[len] = '\0';
		const char *at = strstr(buf, "listening on 127.0.0.1:");
		if (at)
			return atoi(at + strlen("listening on 127.0.0.1:"));
		if (len == sizeof buf - 1)
			len = 0; /* a long log without the line: keep reading */
	}
}

/* Copy the rest of the hub's log into the directory until it exits, in a
 * child of ours, so the pipe never fills and stalls the hub. */
static pid_t drain_log(int fd, const char *dir)
{
	char path[PATH_MAX];
	pid_t pid;

	snprintf(path, sizeof path, "%s/hub.log", dir);
	pid = fork();
	if (pid != 0)
		return pid;
	int out = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	char buf[4096];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		if (out >= 0 && write(out, buf, (size_t)n) != n)
			break;
	_exit(0);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* SIGTERM, and wait for it to exit (a pidfd becomes readable then); it
 * stops in well under a second, SIGKILL after 5. */
static void stop_hub(pid_t hub)
{
	int pidfd = (int)syscall(SYS_pidfd_open, hub, 0);

	kill(hub, SIGTERM);
	if (pidfd >= 0) {
		struct pollfd p = {.fd = pidfd, .events = POLLIN};
		if (poll(&p, 1, 5000) <= 0)
			kill(hub, SIGKILL);
		close(pidfd);
	}
	waitpid(hub, NULL, 0);
}

int cli_demo(struct cli *cli, const struct config_args *given)
{
	char dir[] = "/tmp/handoff-demo-XXXXXX", db[64], listen[] = "127.0.0.1:0";
	char server[64], token[96], state[64], why[512];
	int fds[2], status = EXIT_UNREACHABLE;
	struct errbuf err;

	if (!mkdtemp(dir)) {
		fprintf(cli->err, "handoff: --demo: cannot make a directory in /tmp: %s\n",
			strerror(errno));
		return EXIT_SERVER;
	}
	snprintf(db, sizeof db, "%s/demo.db", dir);
	if (pipe2(fds, O_CLOEXEC) != 0) {
		fprintf(cli->err, "handoff: --demo: %s\n", strerror(errno));
		rmdir(dir);
		return EXIT_SERVER;
	}

	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDERR_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	const char *hub_path = find_hub();
	char *argv[] = {(char *)hub_path, "--demo", "--db", db, "--listen", listen, NULL};
	pid_t hub;
	int rc = posix_spawnp(&hub, hub_path, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (rc != 0) {
		fprintf(cli->err, "handoff: --demo: cannot run %s: %s\n", hub_path, strerror(rc));
		close(fds[0]);
		rmdir(dir);
		return EXIT_SERVER;
	}

	int port = wait_for_port(fds[0], why, sizeof why);
	pid_t drainer = drain_log(fds[0], dir);
	close(fds[0]);
	if (port <= 0) {
		fprintf(cli->err, "handoff: --demo: %s\n", why);
	} else {
		snprintf(server, sizeof server, "http://127.0.0.1:%d", port);
		snprintf(token, sizeof token, "%s.demo-token", db);
		snprintf(state, sizeof state, "%s/state", dir);
		mkdir(state, 0700);
		struct config_args ca = {server, token, given->theme, false};
		if (!config_load(&cli->cfg, &ca, NULL, &err)) {
			fprintf(cli->err, "handoff: --demo: %s\n", err.msg);
		} else {
			status = console_run(&cli->cfg, state);
			config_free(&cli->cfg);
		}
	}
	stop_hub(hub);
	if (drainer > 0)
		waitpid(drainer, NULL, 0);
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	return status;
}
