/*
 * tmux.c — drive a program in a private tmux server (see tmux.h).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
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

#include "tmux.h"

extern char **environ;

/* No tmux command should take long; this only bounds a wedged server. */
#define CMD_TIMEOUT_MS 10000

/* ---- small helpers --------------------------------------------------------- */

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A growable NULL-terminated vector of borrowed or owned strings. */
struct strv {
	char **v;
	size_t n, cap;
};

static void strv_push(struct strv *s, const char *str)
{
	if (s->n + 2 > s->cap) {
		s->cap = s->cap * 2 + 16;
		s->v = realloc(s->v, s->cap * sizeof *s->v);
		assert_non_null(s->v);
	}
	s->v[s->n++] = (char *)str;
	s->v[s->n] = NULL;
}

/* A growable byte buffer, always NUL-terminated. */
struct buf {
	char *data;
	size_t len, cap;
};

static void buf_add(struct buf *b, const char *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->data = realloc(b->data, b->cap);
		assert_non_null(b->data);
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

/* ---- the private server ------------------------------------------------------ */

static struct {
	bool init;
	bool keep;              /* HANDOFF_E2E_KEEP: leave everything for a look */
	char socket[48];
	char root[40];          /* /tmp/handoff-e2e-XXXXXX: every session's dir */
	char socket_path[200];  /* tmux leaves its socket file behind */
	char **env;             /* this process's environment without $TMUX */
	int watchdog_fd;        /* write end of the watchdog's pipe */
	int sessions;           /* sessions started, for unique names */
} srv = {.watchdog_fd = -1};

const char *tmux_socket(void)
{
	return srv.socket;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void server_at_exit(void)
{
	tmux_server_kill();
	if (!srv.keep) {
		nftw(srv.root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
		unlink(srv.socket_path);
	}
	if (srv.keep)
		fprintf(stderr, "e2e: kept tmux server: tmux -L %s attach\n", srv.socket);
	if (srv.env) {
		for (char **e = srv.env; *e; e++)
			free(*e);
		free(srv.env);
		srv.env = NULL;
	}
}

/* The environment of every tmux command: ours, without what would point
 * tmux at the developer's own server, and a UTF-8 locale so the server
 * keeps wide characters. */
static char **command_env(void)
{
	size_t n = 0;
	while (environ[n])
		n++;
	char **env = calloc(n + 2, sizeof *env);
	assert_non_null(env);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (!strncmp(environ[i], "TMUX=", 5) || !strncmp(environ[i], "TMUX_PANE=", 10) ||
		    !strncmp(environ[i], "LC_ALL=", 7))
			continue;
		env[k++] = strdup(environ[i]);
	}
	env[k++] = strdup("LC_ALL=C.UTF-8");
	env[k] = NULL;
	return env;
}

/*
 * The watchdog: a shell in its own session whose stdin is a pipe only this
 * process writes to. It reads until end of file, which comes when this
 * process is gone however it ended (a crash, a sanitizer abort, a timeout's
 * SIGKILL), then kills the server and removes the temporary files. No
 * polling, no sleeping.
 */
static void start_watchdog(void)
{
	int fds[2];
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[0], 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
	char *argv[] = {"sh", "-c", "cat >/dev/null; tmux -L \"$0\" kill-server; rm -rf \"$1\" \"$2\"",
			srv.socket, srv.root, srv.socket_path, NULL};
	pid_t pid;
	int rc = posix_spawnp(&pid, "sh", &fa, &attr, argv, srv.env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(fds[0]);
	if (rc != 0) {
		close(fds[1]);
		fail_msg("e2e: cannot start the tmux watchdog: %s", strerror(rc));
	}
	srv.watchdog_fd = fds[1];
}

static void server_init(void)
{
	if (srv.init)
		return;
	srv.init = true;
	const char *keep = getenv("HANDOFF_E2E_KEEP");
	srv.keep = keep && *keep && strcmp(keep, "0") != 0;
	snprintf(srv.socket, sizeof srv.socket, "handoff-e2e-%ld", (long)getpid());
	snprintf(srv.root, sizeof srv.root, "/tmp/handoff-e2e-XXXXXX");
	assert_non_null(mkdtemp(srv.root));
	/* Where tmux puts a -L socket (tmux(1), -L). */
	const char *tmpdir = getenv("TMUX_TMPDIR");
	snprintf(srv.socket_path, sizeof srv.socket_path, "%s/tmux-%ld/%s",
		 tmpdir && *tmpdir ? tmpdir : "/tmp", (long)getuid(), srv.socket);
	srv.env = command_env();
	atexit(server_at_exit);
	if (srv.keep)
		fprintf(stderr, "e2e: HANDOFF_E2E_KEEP is set; watch with: tmux -L %s attach\n",
			srv.socket);
	else
		start_watchdog();
}

/* ---- running one tmux command -------------------------------------------------- */

struct cmd_result {
	int status;             /* exit status; -1 timeout; -2 killed by a signal */
	struct buf out, err;
};

static void cmd_result_free(struct cmd_result *r)
{
	free(r->out.data);
	free(r->err.data);
	memset(r, 0, sizeof *r);
}

/* Wait for pid until deadline; SIGKILL it after that. Never leaves a zombie. */
static int reap(pid_t pid, long long deadline)
{
	int status = 0;
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd >= 0) {
		long long left = deadline - mono_ms();
		struct pollfd p = {.fd = pidfd, .events = POLLIN};
		int ready = left > 0 ? poll(&p, 1, (int)left) : 0;
		close(pidfd);
		if (ready <= 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return -2;
}

/* `tmux -u -L SOCKET -f /dev/null ARGS...`, its output collected. */
static void run_tmux(char *const *args, struct cmd_result *r)
{
	memset(r, 0, sizeof *r);
	buf_add(&r->out, "", 0);
	buf_add(&r->err, "", 0);
	struct strv argv = {0};
	strv_push(&argv, "tmux");
	strv_push(&argv, "-u");
	strv_push(&argv, "-L");
	strv_push(&argv, srv.socket);
	strv_push(&argv, "-f");
	strv_push(&argv, "/dev/null");
	for (char *const *a = args; *a; a++)
		strv_push(&argv, *a);

	int out[2], err[2];
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	assert_int_equal(pipe2(err, O_CLOEXEC), 0);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, err[1], 2);
	pid_t pid;
	int rc = posix_spawnp(&pid, "tmux", &fa, NULL, argv.v, srv.env);
	posix_spawn_file_actions_destroy(&fa);
	free(argv.v);
	close(out[1]);
	close(err[1]);
	if (rc != 0) {
		close(out[0]);
		close(err[0]);
		cmd_result_free(r);
		fail_msg("e2e: cannot run tmux: %s (is tmux installed?)", strerror(rc));
	}

	long long deadline = mono_ms() + CMD_TIMEOUT_MS;
	struct pollfd p[2] = {{.fd = out[0], .events = POLLIN}, {.fd = err[0], .events = POLLIN}};
	struct buf *dst[2] = {&r->out, &r->err};
	int open_fds = 2;
	while (open_fds > 0) {
		long long left = deadline - mono_ms();
		if (left <= 0 || poll(p, 2, (int)left) <= 0)
			break;
		for (int i = 0; i < 2; i++) {
			if (p[i].fd < 0 || !p[i].revents)
				continue;
			char chunk[8192];
			ssize_t n = read(p[i].fd, chunk, sizeof chunk);
			if (n > 0) {
				buf_add(dst[i], chunk, (size_t)n);
			} else if (n == 0 || errno != EINTR) {
				close(p[i].fd);
				p[i].fd = -1;
				open_fds--;
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if (p[i].fd >= 0)
			close(p[i].fd);
	r->status = reap(pid, deadline);
}

/* Join args for an error message. */
static void describe(char *const *args, char *dst, size_t len)
{
	size_t n = 0;
	dst[0] = '\0';
	for (char *const *a = args; *a && n + 1 < len; a++)
		n += (size_t)snprintf(dst + n, len - n, "%s%s", a == args ? "" : " ", *a);
}

/* Run a tmux command that must succeed; fails the test, quoting tmux,
 * otherwise. The output is returned (owned by the caller) when out is set. */
static void tmux_must(char **out, char *const *args)
{
	struct cmd_result r;
	run_tmux(args, &r);
	if (r.status != 0) {
		char what[512], err[512];
		describe(args, what, sizeof what);
		snprintf(err, sizeof err, "%s", r.err.data);
		err[strcspn(err, "\n")] = '\0';
		int status = r.status;
		cmd_result_free(&r);
		if (status == -1)
			fail_msg("e2e: `tmux -L %s %s` did not finish within %d ms", srv.socket, what,
				 CMD_TIMEOUT_MS);
		fail_msg("e2e: `tmux -L %s %s` failed (exit %d): %s", srv.socket, what, status,
			 *err ? err : "(nothing on stderr)");
	}
	if (out) {
		*out = r.out.data;
		r.out.data = NULL;
	}
	cmd_result_free(&r);
}

/* The same with a variable list of arguments, NULL-terminated (on the
 * stack: a failure longjmps out, and must leave nothing to free). */
__attribute__((sentinel))
static void tmux_do(char **out, ...)
{
	char *args[32];
	size_t n = 0;
	va_list ap;
	va_start(ap, out);
	for (char *a; (a = va_arg(ap, char *)) && n + 1 < sizeof args / sizeof *args;)
		args[n++] = a;
	va_end(ap);
	args[n] = NULL;
	tmux_must(out, args);
}

/* A format of the pane (display-message -p), owned by the caller. */
static char *query(struct tmux *t, const char *format)
{
	char *out = NULL;
	tmux_do(&out, "display-message", "-p", "-t", t->session, format, (char *)NULL);
	out[strcspn(out, "\n")] = '\0';
	return out;
}

void tmux_server_kill(void)
{
	if (!srv.init || srv.keep)
		return;
	struct cmd_result r;
	char *args[] = {"kill-server", NULL};
	run_tmux(args, &r); /* "no server running" is fine: it exits when empty */
	cmd_result_free(&r);
}

/* ---- sessions -------------------------------------------------------------------- */

static void add_env(struct strv *env, const char *entry)
{
	size_t name_len = strcspn(entry, "=");
	for (size_t i = 0; i < env->n; i++) {
		if (!strncmp(env->v[i], entry, name_len) && env->v[i][name_len] == '=') {
			/* Replace or remove the default of the same name. */
			if (entry[name_len] == '=') {
				free(env->v[i]);
				env->v[i] = strdup(entry);
			} else {
				free(env->v[i]);
				memmove(&env->v[i], &env->v[i + 1], (env->n - i) * sizeof *env->v);
				env->n--;
			}
			return;
		}
	}
	if (entry[name_len] == '=')
		strv_push(env, strdup(entry));
}

void tmux_start(struct tmux *t, int cols, int rows, const char *const *env,
		const char *const *argv)
{
	assert_non_null(argv);
	assert_non_null(argv[0]);
	server_init();
	memset(t, 0, sizeof *t);
	t->out_fd = t->wake_fd = -1;
	t->cols = cols;
	t->rows = rows;
	snprintf(t->session, sizeof t->session, "e2e%d", ++srv.sessions);
	snprintf(t->dir, sizeof t->dir, "%s/%s", srv.root, t->session);
	assert_int_equal(mkdir(t->dir, 0700), 0);

	char out_path[96], wake_path[96];
	snprintf(out_path, sizeof out_path, "%s/out.fifo", t->dir);
	snprintf(wake_path, sizeof wake_path, "%s/wake.fifo", t->dir);
	assert_int_equal(mkfifo(out_path, 0600), 0);
	assert_int_equal(mkfifo(wake_path, 0600), 0);
	/* Read-write: opening never blocks, and with us as a writer the FIFO
	 * never reports end of file or hang-up, so poll() wakes only on data. */
	t->out_fd = open(out_path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	t->wake_fd = open(wake_path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	assert_true(t->out_fd >= 0 && t->wake_fd >= 0);
	t->started = true;

	/* The program's environment, built here so it is exactly known. */
	struct strv penv = {0};
	char home[96];
	snprintf(home, sizeof home, "HOME=%s", t->dir);
	const char *defaults[] = {"TERM=tmux-256color", "LANG=C.UTF-8", "LC_ALL=C.UTF-8",
				  "PATH=/usr/local/bin:/usr/bin:/bin", home};
	for (size_t i = 0; i < sizeof defaults / sizeof *defaults; i++)
		strv_push(&penv, strdup(defaults[i]));
	const char *san[] = {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"};
	for (size_t i = 0; i < sizeof san / sizeof *san; i++) {
		const char *v = getenv(san[i]);
		if (v) {
			char *e = NULL;
			assert_true(asprintf(&e, "%s=%s", san[i], v) > 0);
			strv_push(&penv, e);
		}
	}
	for (const char *const *e = env; e && *e; e++)
		add_env(&penv, *e);

	/*
	 * The pane first waits on a tmux channel, opened only once pipe-pane is
	 * in place, then runs `env -i VARS... ARGV...`: the program's first
	 * byte is already piped. The shell stays to write down the exit status
	 * (128 + N for signal N) and wake us: tmux 3.3a sometimes leaves a dead
	 * pane's process unreaped for many seconds, and its own status with it.
	 * The shell survives SIGINT/SIGQUIT (a caught signal is default again
	 * in the program) so a C-c to the program cannot lose the status.
	 */
	char gate[128], size_x[16], size_y[16], hook_cmd[160], pipe_cmd[320];
	snprintf(gate, sizeof gate, "%s-%s-go", srv.socket, t->session);
	snprintf(size_x, sizeof size_x, "%d", cols);
	snprintf(size_y, sizeof size_y, "%d", rows);
	snprintf(hook_cmd, sizeof hook_cmd, "run-shell -b 'printf w >> %s'", wake_path);
	/* When tmux closes the pipe, cat has copied everything: say so. */
	snprintf(pipe_cmd, sizeof pipe_cmd, "cat >> %s; touch %s/done; printf w >> %s", out_path,
		 t->dir, wake_path);

	struct strv a = {0};
	/* exit-empty off: a server that exits with its last session races
	 * the next test's start ("server exited unexpectedly"); ours lives
	 * until kill-server at exit (or the watchdog's). */
	const char *head[] = {
		"set-option", "-s", "exit-empty", "off", ";",
		"set-option", "-g", "status", "off", ";",
		"set-option", "-g", "remain-on-exit", "on", ";",
		"new-session", "-d", "-s", t->session, "-x", size_x, "-y", size_y,
		"sh", "-c",
		"tmux -u -L \"$0\" wait-for \"$1\" || exit 125; d=$2; shift 2; trap : INT QUIT;"
		" env -i \"$@\"; s=$?; echo $s > \"$d/status.tmp\" && mv \"$d/status.tmp\" \"$d/status\";"
		" { printf w >> \"$d/wake.fifo\"; } 2>/dev/null; exit $s",
		srv.socket, gate, t->dir};
	for (size_t i = 0; i < sizeof head / sizeof *head; i++)
		strv_push(&a, head[i]);
	for (size_t i = 0; i < penv.n; i++)
		strv_push(&a, penv.v[i]);
	for (const char *const *p = argv; *p; p++)
		strv_push(&a, *p);
	/* window-size manual only after the session exists: set globally on
	 * an empty server, it crashes tmux 3.3a. */
	const char *tail[] = {
		";", "set-option", "-w", "-t", t->session, "window-size", "manual",
		";", "set-hook", "-t", t->session, "pane-died", hook_cmd,
		";", "set-hook", "-t", t->session, "window-resized", hook_cmd,
		";", "pipe-pane", "-o", "-t", t->session, pipe_cmd,
		";", "wait-for", "-S", gate};
	for (size_t i = 0; i < sizeof tail / sizeof *tail; i++)
		strv_push(&a, tail[i]);

	struct cmd_result r;
	run_tmux(a.v, &r);
	int status = r.status;
	char err[512];
	snprintf(err, sizeof err, "%s", r.err.data);
	err[strcspn(err, "\n")] = '\0';
	cmd_result_free(&r);
	for (size_t i = 0; i < penv.n; i++)
		free(penv.v[i]);
	free(penv.v);
	free(a.v);
	if (status != 0)
		fail_msg("e2e: tmux could not start `%s` in a %dx%d session (exit %d): %s", argv[0],
			 cols, rows, status, *err ? err : "(nothing on stderr)");
}

void tmux_send_keys(struct tmux *t, ...)
{
	char *args[64] = {"send-keys", "-t", t->session};
	size_t n = 3;
	va_list ap;
	va_start(ap, t);
	for (char *k; (k = va_arg(ap, char *));) {
		if (n + 1 >= sizeof args / sizeof *args)
			fail_msg("e2e: tmux_send_keys: too many keys at once");
		args[n++] = k;
	}
	va_end(ap);
	args[n] = NULL;
	tmux_must(NULL, args);
}

void tmux_type(struct tmux *t, const char *text)
{
	if (!*text)
		return;
	/* "--": text starting with '-' is text, not an option. */
	tmux_do(NULL, "send-keys", "-l", "-t", t->session, "--", text, (char *)NULL);
}

/* Read whatever the FIFOs hold; counts the program's bytes. */
static void drain(struct tmux *t)
{
	char chunk[65536];
	ssize_t n;
	while ((n = read(t->out_fd, chunk, sizeof chunk)) > 0) {
		t->bytes += (unsigned long long)n;
		if (t->tee_fd > 0 && write(t->tee_fd, chunk, (size_t)n) != n)
			fail_msg("e2e: tmux_tee: %s", strerror(errno));
	}
	while (read(t->wake_fd, chunk, sizeof chunk) > 0)
		;
}

/*
 * One line of history comes along: when the program exits, tmux's "Pane is
 * dead" line scrolls the screen up by one, and the line it pushes off is
 * part of the last screen. While the program runs, that line is dropped.
 */
static const char *capture(struct tmux *t, bool ansi, char *buf, size_t len)
{
	assert_true(t->started);
	drain(t);
	char *out = NULL;
	/* tmux draws its line once the terminal is closed and the status known. */
	const char *fmt = "#{?pane_dead,#{pane_dead_status}#{pane_dead_signal},}|#{history_size}";
	if (ansi)
		tmux_do(&out, "display-message", "-p", "-t", t->session, fmt, ";", "capture-pane",
			"-p", "-e", "-S", "-1", "-t", t->session, (char *)NULL);
	else
		tmux_do(&out, "display-message", "-p", "-t", t->session, fmt, ";", "capture-pane",
			"-p", "-S", "-1", "-t", t->session, (char *)NULL);
	/* tmux's "Pane is dead" line is there when anything precedes the bar. */
	char *bar = strchr(out, '|');
	bool dead = bar && bar != out;
	int hsize = bar ? atoi(bar + 1) : 0;
	char *screen = strchr(out, '\n');
	if (!bar || !screen) {
		free(out);
		fail_msg("e2e: capture-pane of %s answered nonsense", t->session);
	}
	screen++;
	if (!dead && hsize > 0) {
		char *nl = strchr(screen, '\n');
		screen = nl ? nl + 1 : screen + strlen(screen);
	}
	free(t->screen);
	t->screen = strdup(screen);
	free(out);
	assert_non_null(t->screen);
	if (buf && len)
		snprintf(buf, len, "%s", t->screen);
	return t->screen;
}

const char *tmux_screen(struct tmux *t, char *buf, size_t len)
{
	return capture(t, false, buf, len);
}

const char *tmux_screen_ansi(struct tmux *t, char *buf, size_t len)
{
	return capture(t, true, buf, len);
}

/* Two integers from one display-message format. */
static void query2(struct tmux *t, const char *format, int *a, int *b)
{
	char *s = query(t, format);
	int x = -1, y = -1;
	if (sscanf(s, "%d %d", &x, &y) != 2) {
		char copy[128];
		snprintf(copy, sizeof copy, "%s", s);
		free(s);
		fail_msg("e2e: tmux answered \"%s\" to \"%s\"", copy, format);
	}
	free(s);
	if (a)
		*a = x;
	if (b)
		*b = y;
}

void tmux_cursor(struct tmux *t, int *x, int *y)
{
	query2(t, "#{cursor_x} #{cursor_y}", x, y);
}

void tmux_size(struct tmux *t, int *cols, int *rows)
{
	query2(t, "#{pane_width} #{pane_height}", cols, rows);
}

/*
 * Dead means the exit status is known. tmux's own #{pane_dead} turns 1 as
 * soon as the terminal closes, which can be before the process is reaped;
 * the "Pane is dead" line and the pane-died hook (our wake-up) come only
 * with the status.
 */
/* The exit status the pane's shell wrote down, or -1 while running. */
static int status_file(struct tmux *t)
{
	char path[96], line[32] = "";
	snprintf(path, sizeof path, "%s/status", t->dir);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	bool ok = fgets(line, sizeof line, f) != NULL;
	fclose(f);
	return ok ? atoi(line) : -1;
}

/* True once tmux has read the program's terminal to its end (the screen
 * is final): tmux's #{pane_dead}. */
static bool terminal_closed(struct tmux *t)
{
	char *s = query(t, "#{pane_dead}");
	bool closed = s[0] == '1';
	free(s);
	return closed;
}

bool tmux_pane_dead(struct tmux *t, int *status)
{
	int code = status_file(t);
	if (code >= 0 && !terminal_closed(t))
		code = -1;
	if (status)
		*status = code;
	return code >= 0;
}

/* ---- waiting ------------------------------------------------------------------- */

/* A check; sets *recheck_ms when tmux will not wake us for the change it
 * waits for (see check_dead). */
typedef bool (*checker)(struct tmux *t, void *ctx, int *recheck_ms);

/*
 * Check, and until the deadline block in poll() on the two FIFOs: anything
 * the program writes, and any hook tmux runs, arrives there only after tmux
 * has applied it to the screen, so a capture after a wake-up sees it. The
 * last check happens after the deadline: a capture once more before giving
 * up.
 */
static bool wait_loop(struct tmux *t, checker check, void *ctx, int timeout_ms)
{
	long long deadline = mono_ms() + timeout_ms;
	for (;;) {
		drain(t);
		int recheck_ms = -1;
		if (check(t, ctx, &recheck_ms))
			return true;
		long long left = deadline - mono_ms();
		if (left <= 0)
			return false;
		if (recheck_ms >= 0 && recheck_ms < left)
			left = recheck_ms;
		struct pollfd p[2] = {{.fd = t->out_fd, .events = POLLIN},
				      {.fd = t->wake_fd, .events = POLLIN}};
		if (poll(p, 2, (int)left) < 0 && errno != EINTR)
			fail_msg("e2e: poll: %s", strerror(errno));
	}
}

struct pred_ctx {
	tmux_pred pred;
	void *ctx;
};

static bool check_pred(struct tmux *t, void *ctx, int *recheck_ms)
{
	(void)recheck_ms;
	struct pred_ctx *pc = ctx;
	return pc->pred(capture(t, false, NULL, 0), pc->ctx);
}

bool tmux_try_wait_until(struct tmux *t, tmux_pred pred, void *ctx, int timeout_ms)
{
	struct pred_ctx pc = {pred, ctx};
	return wait_loop(t, check_pred, &pc, timeout_ms);
}

/* Fail at the test's line, showing the screen the wait saw last. */
static void fail_with_screen(struct tmux *t, const char *what, int timeout_ms, const char *file,
			     int line)
{
	print_error("ERROR: e2e: %s: not true within %d ms. Last screen (%dx%d, session %s, "
		    "socket %s):\n"
		    "----8<----\n%s----8<----\n",
		    what, timeout_ms, t->cols, t->rows, t->session, srv.socket,
		    t->screen ? t->screen : "(none captured)\n");
	_fail(file, line);
}

bool tmux_wait_until_at(struct tmux *t, tmux_pred pred, void *ctx, int timeout_ms,
			const char *what, const char *file, int line)
{
	if (!tmux_try_wait_until(t, pred, ctx, timeout_ms))
		fail_with_screen(t, what, timeout_ms, file, line);
	return true;
}

static bool has_text(const char *screen, void *ctx)
{
	return strstr(screen, ctx) != NULL;
}

static bool lacks_text(const char *screen, void *ctx)
{
	return strstr(screen, ctx) == NULL;
}

bool tmux_wait_for_at(struct tmux *t, const char *text, int timeout_ms, const char *file,
		      int line)
{
	if (!tmux_try_wait_until(t, has_text, (void *)text, timeout_ms)) {
		char what[256];
		snprintf(what, sizeof what, "waiting for \"%s\" on the screen", text);
		fail_with_screen(t, what, timeout_ms, file, line);
	}
	return true;
}

bool tmux_wait_gone_at(struct tmux *t, const char *text, int timeout_ms, const char *file,
		       int line)
{
	if (!tmux_try_wait_until(t, lacks_text, (void *)text, timeout_ms)) {
		char what[256];
		snprintf(what, sizeof what, "waiting for \"%s\" to leave the screen", text);
		fail_with_screen(t, what, timeout_ms, file, line);
	}
	return true;
}

/*
 * The status file comes with a wake-up; tmux reading the terminal to its
 * end, just before or after, comes with none: in that short window only,
 * ask again shortly.
 */
static bool check_dead(struct tmux *t, void *ctx, int *recheck_ms)
{
	int *status = ctx;
	int code = status_file(t);
	if (code < 0)
		return false;
	if (!terminal_closed(t)) {
		*recheck_ms = 10;
		return false;
	}
	*status = code;
	return true;
}

int tmux_wait_dead_at(struct tmux *t, int timeout_ms, const char *file, int line)
{
	int status = -1;
	if (!wait_loop(t, check_dead, &status, timeout_ms)) {
		capture(t, false, NULL, 0);
		fail_with_screen(t, "waiting for the program to exit", timeout_ms, file, line);
	}
	return status;
}

void tmux_resize(struct tmux *t, int cols, int rows)
{
	char x[16], y[16];
	snprintf(x, sizeof x, "%d", cols);
	snprintf(y, sizeof y, "%d", rows);
	tmux_do(NULL, "resize-window", "-t", t->session, "-x", x, "-y", y, (char *)NULL);
	int c, r;
	tmux_size(t, &c, &r);
	if (c != cols || r != rows)
		fail_msg("e2e: resized to %dx%d but the pane is %dx%d", cols, rows, c, r);
	t->cols = cols;
	t->rows = rows;
}

unsigned long long tmux_bytes_written(struct tmux *t)
{
	drain(t);
	return t->bytes;
}

static bool check_done(struct tmux *t, void *ctx, int *recheck_ms)
{
	(void)recheck_ms;
	return access(ctx, F_OK) == 0;
}

void tmux_tee(struct tmux *t, int fd)
{
	drain(t);
	t->tee_fd = fd;
}

unsigned long long tmux_bytes_final(struct tmux *t, int timeout_ms)
{
	if (!tmux_pane_dead(t, NULL))
		fail_msg("e2e: tmux_bytes_final: the program in %s is still running", t->session);
	/* tmux keeps a dead pane's pipe open; only the pane's end closes it.
	 * That ends cat's input; once cat has copied the rest, the pipe
	 * command marks it done and wakes us. */
	tmux_do(NULL, "kill-session", "-t", t->session, (char *)NULL);
	char done[96];
	snprintf(done, sizeof done, "%s/done", t->dir);
	if (!wait_loop(t, check_done, done, timeout_ms))
		fail_msg("e2e: the copy of %s's output did not end within %d ms", t->session,
			 timeout_ms);
	drain(t);
	return t->bytes;
}

int tmux_server_pid(void)
{
	char *s = NULL;
	tmux_do(&s, "display-message", "-p", "#{pid}", (char *)NULL);
	int pid = atoi(s);
	free(s);
	return pid;
}

/* ---- the end ----------------------------------------------------------------------- */

void tmux_kill(struct tmux *t)
{
	if (!t->started)
		return;
	t->started = false;
	struct cmd_result r;
	if (srv.keep) {
		/* Leave the session on screen, but stop tmux writing into FIFOs
		 * that are about to go away. */
		char *args[] = {"set-hook", "-u", "-t", t->session, "pane-died", ";",
				"set-hook", "-u", "-t", t->session, "window-resized", ";",
				"pipe-pane", "-t", t->session, NULL};
		run_tmux(args, &r);
		fprintf(stderr, "e2e: kept session %s (HOME %s): tmux -L %s attach -t %s\n",
			t->session, t->dir, srv.socket, t->session);
	} else {
		char *args[] = {"kill-session", "-t", t->session, NULL};
		run_tmux(args, &r); /* it may be gone already: that is fine */
	}
	cmd_result_free(&r);

	/* Unlink before closing: a late writer then finds no FIFO instead of
	 * blocking forever on one without a reader. */
	char path[96];
	snprintf(path, sizeof path, "%s/out.fifo", t->dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/wake.fifo", t->dir);
	unlink(path);
	if (!srv.keep)
		nftw(t->dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	if (t->out_fd >= 0)
		close(t->out_fd);
	if (t->wake_fd >= 0)
		close(t->wake_fd);
	t->out_fd = t->wake_fd = -1;
	free(t->screen);
	t->screen = NULL;
}
