/*
 * demo_proc.c — the demo's processes, its directory and its keeper (see
 * demo_proc.h).
 */
#define _GNU_SOURCE /* pipe2, nftw */
#include "demo_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STOP_TIMEOUT_MS 5000
#define LOG_POLL_MS     20

long long demo_now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void demo_path(const struct demo_procs *p, const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/%s", p->dir, name);
}

bool demo_find(const char *name, const char *sub, const char *env, bool on_path, char *out,
	       size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	const char *given = env ? getenv(env) : NULL;

	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(out, len, "%s/%s/%s", self, sub, name);
			if (access(out, X_OK) == 0)
				return true;
		}
	}
	if (given && *given) {
		snprintf(out, len, "%s", given);
		return true;
	}
	snprintf(out, len, "%s", name);
	return on_path;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Wait until every pidfd of fds[0..n) is readable (its process exited) or
 * the deadline passes; those of exited processes are closed and set to -1,
 * those still running stay. */
static void wait_exits(int *fds, size_t n, long long deadline)
{
	for (size_t i = 0; i < n; i++) {
		if (fds[i] < 0)
			continue;
		long long left = deadline - demo_now_ms();
		struct pollfd pf = {.fd = fds[i], .events = POLLIN};
		if (poll(&pf, 1, left > 0 ? (int)left : 0) > 0) {
			close(fds[i]);
			fds[i] = -1;
		}
	}
}

/* The keeper: collect the children's pids until the pipe ends, then stop
 * them all and remove the directory. */
static _Noreturn void keeper_main(int rfd, const char *dir)
{
	int fds[DEMO_MAX_PROCS];
	size_t n = 0;
	pid_t pid;
	ssize_t got;

	/* The terminal's signals are the console's business; ours is the pipe. */
	setpgid(0, 0);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	for (;;) {
		got = read(rfd, &pid, sizeof pid);
		if (got < 0 && errno == EINTR)
			continue;
		if (got != (ssize_t)sizeof pid)
			break;
		/* A pidfd names this process even after it is reaped. */
		int fd = (int)syscall(SYS_pidfd_open, pid, 0);
		if (fd >= 0 && n < DEMO_MAX_PROCS)
			fds[n++] = fd;
	}
	for (size_t i = n; i-- > 0;)
		syscall(SYS_pidfd_send_signal, fds[i], SIGTERM, NULL, 0);
	wait_exits(fds, n, demo_now_ms() + STOP_TIMEOUT_MS);
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			syscall(SYS_pidfd_send_signal, fds[i], SIGKILL, NULL, 0);
	wait_exits(fds, n, demo_now_ms() + STOP_TIMEOUT_MS);
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	_exit(0);
}

bool demo_procs_init(struct demo_procs *p, struct errbuf *err)
{
	const char *tmp = getenv("TMPDIR");
	int fds[2];

	memset(p, 0, sizeof *p);
	p->keeper_fd = -1;
	snprintf(p->dir, sizeof p->dir, "%s/handoff-demo-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(p->dir))
		return errbuf_set(err, "cannot make a directory in %s: %s", tmp && *tmp ? tmp : "/tmp",
				  strerror(errno));
	/* Close-on-exec: no child may hold the write end, or the pipe would
	 * not end when handoff does. */
	if (pipe2(fds, O_CLOEXEC) != 0 || (p->keeper = fork()) < 0) {
		errbuf_set(err, "%s", strerror(errno));
		rmdir(p->dir);
		return false;
	}
	if (p->keeper == 0) {
		close(fds[1]);
		keeper_main(fds[0], p->dir);
	}
	close(fds[0]);
	p->keeper_fd = fds[1];
	return true;
}

void demo_procs_end(struct demo_procs *p)
{
	close(p->keeper_fd);
	waitpid(p->keeper, NULL, 0);
	/* The keeper stopped them; one it could not name (no pidfds) is
	 * stopped here. */
	for (size_t i = 0; i < p->n; i++) {
		if (waitpid(p->pids[i], NULL, WNOHANG) == 0) {
			kill(p->pids[i], SIGKILL);
			waitpid(p->pids[i], NULL, 0);
		}
	}
}

static pid_t spawn(struct demo_procs *p, char *const argv[], const char *log, int *out_fd,
		   bool keep)
{
	char path[PATH_MAX];
	int out[2] = {-1, -1}, lfd;
	pid_t parent = getpid(), pid;

	if (keep && p->n == DEMO_MAX_PROCS) {
		errno = EMFILE;
		return -1;
	}
	demo_path(p, log, path, sizeof path);
	if ((lfd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) < 0)
		return -1;
	if (out_fd && pipe2(out, O_CLOEXEC) != 0) {
		close(lfd);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent || in < 0 || dup2(in, STDIN_FILENO) < 0 ||
		    dup2(out_fd ? out[1] : lfd, STDOUT_FILENO) < 0 || dup2(lfd, STDERR_FILENO) < 0)
			_exit(127);
		execvp(argv[0], argv);
		dprintf(STDERR_FILENO, "handoff --demo: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	close(lfd);
	if (out_fd) {
		close(out[1]);
		if (pid < 0)
			close(out[0]);
		else
			*out_fd = out[0];
	}
	if (pid > 0 && keep) {
		p->pids[p->n++] = pid;
		if (write(p->keeper_fd, &pid, sizeof pid) != (ssize_t)sizeof pid)
			kill(pid, SIGTERM); /* no keeper: better no child than a stray */
	}
	return pid;
}

pid_t demo_spawn(struct demo_procs *p, char *const argv[], const char *log, int *out_fd)
{
	return spawn(p, argv, log, out_fd, true);
}

int demo_run(struct demo_procs *p, char *const argv[], const char *log, char *out, size_t len)
{
	int fd, status;
	pid_t pid = spawn(p, argv, log, &fd, false);
	size_t n = 0;
	ssize_t got;

	if (pid < 0)
		return -1;
	while (n + 1 < len && (got = read(fd, out + n, len - 1 - n)) != 0) {
		if (got < 0 && errno != EINTR)
			break;
		n += got > 0 ? (size_t)got : 0;
	}
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
	close(fd);
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static bool running(pid_t pid)
{
	siginfo_t si = {0};

	/* WNOWAIT: look, but leave it for demo_procs_end to reap. */
	return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == 0;
}

/* The file's text (caller frees), "" when it is not there yet. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *s = NULL;
	size_t n = 0;

	if (!f)
		return strdup("");
	if (getdelim(&s, &n, '\0', f) < 0) {
		free(s);
		s = strdup("");
	}
	fclose(f);
	return s;
}

bool demo_wait_log(const struct demo_procs *p, const char *log, const char *text, pid_t pid,
		   long long deadline_ms, char *after, size_t len)
{
	char path[PATH_MAX];

	demo_path(p, log, path, sizeof path);
	for (;;) {
		bool alive = running(pid);
		char *s = slurp(path), *at = s ? strstr(s, text) : NULL;
		if (at && after) {
			at += strlen(text);
			snprintf(after, len, "%.*s", (int)strcspn(at, "\n"), at);
		}
		free(s);
		if (at)
			return true;
		if (!alive || demo_now_ms() >= deadline_ms)
			return false;
		poll(NULL, 0, LOG_POLL_MS);
	}
}

void demo_log_last_line(const struct demo_procs *p, const char *log, char *out, size_t len)
{
	char path[PATH_MAX], *s, *end, *start;

	demo_path(p, log, path, sizeof path);
	s = slurp(path);
	end = s ? s + strlen(s) : NULL;
	while (end && end > s && end[-1] == '\n')
		*--end = '\0';
	start = s ? strrchr(s, '\n') : NULL;
	snprintf(out, len, "%s", start ? start + 1 : s ? s : "");
	free(s);
}

bool demo_read_line(int fd, long long deadline_ms, char *out, size_t len)
{
	size_t n = 0;

	out[0] = '\0';
	while (n + 1 < len && !memchr(out, '\n', n)) {
		long long left = deadline_ms - demo_now_ms();
		struct pollfd pf = {.fd = fd, .events = POLLIN};
		ssize_t got;
		if (left <= 0 || poll(&pf, 1, (int)left) <= 0 ||
		    (got = read(fd, out + n, len - 1 - n)) <= 0)
			break;
		n += (size_t)got;
		out[n] = '\0';
	}
	close(fd);
	if (!memchr(out, '\n', n))
		return false;
	out[strcspn(out, "\n")] = '\0';
	return true;
}
