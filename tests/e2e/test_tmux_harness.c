/*
 * test_tmux_harness.c — the e2e harness (tmux.h) proven on programs every
 * machine has (sh, printf, stty, od, env): typing, key names, UTF-8 and
 * wide characters, the exact environment, exit statuses, resizing, the byte
 * counter, and the cleanup of the private server when a test fails or the
 * test program dies.
 *
 * The last two re-run this program in a demo mode (argv[1]) as a child and
 * look at what it leaves behind.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tmux.h"

extern char **environ;

/* Generous: a loaded CI machine under ASan; nothing here waits this long
 * unless the harness is broken. */
#define WAIT_MS 10000

static struct tmux term;

static int teardown(void **state)
{
	(void)state;
	tmux_kill(&term);
	return 0;
}

#define SH(script) ((const char *const[]){"sh", "-c", (script), NULL})

static void test_typed_line_reaches_the_program(void **state)
{
	(void)state;
	tmux_start(&term, 60, 10, NULL, SH("while read x; do echo \"got:$x.\"; done"));
	tmux_type(&term, "hello world");
	tmux_send_keys(&term, "Enter", NULL);
	tmux_wait_for(&term, "got:hello world.", WAIT_MS);
	/* Text that looks like an option or a key name is still typed as is. */
	tmux_type(&term, "-l Enter C-a");
	tmux_send_keys(&term, "Enter", NULL);
	tmux_wait_for(&term, "got:-l Enter C-a.", WAIT_MS);
	/* The line echoed by the tty, then the program's answer below it. */
	char screen[4096];
	tmux_screen(&term, screen, sizeof screen);
	assert_non_null(strstr(screen, "hello world\ngot:hello world.\n"));
}

static void test_key_names_send_their_bytes(void **state)
{
	(void)state;
	/* Raw mode: every byte of every key reaches od unchanged. */
	tmux_start(&term, 60, 10, NULL,
		   SH("stty raw -echo; printf 'ready\\r\\n'; dd bs=1 count=9 2>/dev/null | od -An -tx1 | tr -d ' \\n';"
		      "printf '|end\\r\\n'; read x"));
	/* Keys typed before stty would be echoed and translated: wait. */
	tmux_wait_for(&term, "ready", WAIT_MS);
	tmux_send_keys(&term, "C-a", "Tab", "BTab", "Enter", "Escape", "M-x", NULL);
	/* C-a, Tab, BTab = ESC [ Z, Enter = CR, Escape, M-x = ESC x */
	tmux_wait_for(&term, "01091b5b5a0d1b1b78|end", WAIT_MS);
}

static void test_utf8_and_wide_characters(void **state)
{
	(void)state;
	tmux_start(&term, 40, 6, NULL, SH("printf 'caf\\303\\251 \\346\\227\\245\\346\\234\\254x'; read x"));
	tmux_wait_for(&term, "café 日本x", WAIT_MS);
	/* Two wide characters take two cells each: "café " 5 + 4 + "x" 1. */
	int x, y;
	tmux_cursor(&term, &x, &y);
	assert_int_equal(x, 10);
	assert_int_equal(y, 0);
}

static void test_environment_is_exactly_controlled(void **state)
{
	(void)state;
	/* Nothing of ours leaks in, $TMUX included (as when developing in tmux). */
	assert_int_equal(setenv("HANDOFF_E2E_LEAK", "leaked", 1), 0);
	assert_int_equal(setenv("TMUX", "/nonexistent/socket,1,0", 1), 0);
	const char *const env[] = {"FOO=bar baz", "LANG", "TERM=xterm-256color", NULL};
	tmux_start(&term, 80, 20, env, SH("env | sort; echo END"));
	unsetenv("HANDOFF_E2E_LEAK");
	unsetenv("TMUX");
	tmux_wait_for(&term, "END", WAIT_MS);
	const char *s = tmux_screen(&term, NULL, 0);
	assert_non_null(strstr(s, "FOO=bar baz\n"));
	assert_non_null(strstr(s, "TERM=xterm-256color\n"));
	assert_non_null(strstr(s, "LC_ALL=C.UTF-8\n"));
	assert_non_null(strstr(s, "HOME=/tmp/handoff-e2e-"));
	assert_null(strstr(s, "LANG="));
	assert_null(strstr(s, "LEAK"));
	assert_null(strstr(s, "TMUX"));
}

static void test_exit_status_and_last_screen_survive(void **state)
{
	(void)state;
	tmux_start(&term, 40, 6, NULL, SH("echo last words; exit 3"));
	assert_int_equal(tmux_wait_dead(&term, WAIT_MS), 3);
	int status;
	assert_true(tmux_pane_dead(&term, &status));
	assert_int_equal(status, 3);
	assert_non_null(strstr(tmux_screen(&term, NULL, 0), "last words"));
}

static void test_killed_by_a_signal(void **state)
{
	(void)state;
	tmux_start(&term, 40, 6, NULL, SH("echo alive; read x; kill -KILL $$"));
	tmux_wait_for(&term, "alive", WAIT_MS);
	int status;
	assert_false(tmux_pane_dead(&term, &status));
	assert_int_equal(status, -1);
	tmux_send_keys(&term, "Enter", NULL);
	assert_int_equal(tmux_wait_dead(&term, WAIT_MS), 128 + SIGKILL);
}

static void test_resize_reaches_the_program(void **state)
{
	(void)state;
	tmux_start(&term, 50, 8, NULL,
		   SH("trap 'echo \"winch $(stty size)\"' WINCH; echo \"start $(stty size)\";"
		      "while :; do sleep 60 & wait $!; done"));
	int cols, rows;
	tmux_size(&term, &cols, &rows);
	assert_int_equal(cols, 50);
	assert_int_equal(rows, 8);
	tmux_wait_for(&term, "start 8 50", WAIT_MS);
	tmux_resize(&term, 70, 12);
	tmux_wait_for(&term, "winch 12 70", WAIT_MS);
	tmux_resize(&term, 30, 5);
	tmux_wait_for(&term, "winch 5 30", WAIT_MS);
}

/* A predicate: at least *ctx lines saying "row N". */
static bool row_count_at_least(const char *screen, void *ctx)
{
	int want = *(int *)ctx, n = 0;
	for (const char *p = screen; (p = strstr(p, "row ")); p++)
		n++;
	return n >= want;
}

static void test_wait_until_and_gone(void **state)
{
	(void)state;
	tmux_start(&term, 40, 10, NULL,
		   SH("read x; for i in 1 2 3; do echo row $i; done; read x; clear; echo cleared;"
		      "read x"));
	int three = 3;
	/* Nothing is printed before Enter: the wait gives up, and its last
	 * capture is there to look at. */
	assert_false(tmux_try_wait_until(&term, row_count_at_least, &three, 300));
	assert_null(strstr(term.screen, "row"));
	tmux_send_keys(&term, "Enter", NULL);
	tmux_wait_until(&term, row_count_at_least, &three, WAIT_MS);
	tmux_send_keys(&term, "Enter", NULL);
	tmux_wait_gone(&term, "row 2", WAIT_MS);
	tmux_wait_for(&term, "cleared", WAIT_MS);
	assert_null(strstr(term.screen, "row"));
}

static void test_screen_with_attributes(void **state)
{
	(void)state;
	tmux_start(&term, 40, 6, NULL, SH("printf 'plain \\033[7mselected\\033[0m\\n'; read x"));
	tmux_wait_for(&term, "plain selected", WAIT_MS);
	const char *ansi = tmux_screen_ansi(&term, NULL, 0);
	assert_non_null(strstr(ansi, "\033[7mselected"));
}

static bool bytes_at_least(const char *screen, void *ctx)
{
	(void)screen;
	return tmux_bytes_written(&term) >= *(unsigned long long *)ctx;
}

static void test_bytes_written_are_counted(void **state)
{
	(void)state;
	/* 5000 bytes without a newline, so the tty adds nothing, then "END". */
	tmux_start(&term, 80, 24, NULL,
		   SH("head -c 5000 /dev/zero | tr '\\000' x; printf END; read x"));
	unsigned long long want = 5003;
	tmux_wait_until(&term, bytes_at_least, &want, WAIT_MS);
	tmux_wait_for(&term, "xEND", WAIT_MS);
	assert_int_equal(tmux_bytes_written(&term), 5003);
	/* What the tty echoes is written to the terminal too. */
	tmux_type(&term, "ab");
	want = 5005;
	tmux_wait_until(&term, bytes_at_least, &want, WAIT_MS);
	tmux_send_keys(&term, "Enter", NULL); /* echoed as CR LF */
	assert_int_equal(tmux_wait_dead(&term, WAIT_MS), 0);
	assert_int_equal(tmux_bytes_final(&term, WAIT_MS), 5007);
}

/* ---- cleanup when a test fails or the program dies ------------------------- */

/* Run this program with `mode`; its stdout+stderr into out. Returns its
 * wait status. */
static int run_self(const char *mode, char *out, size_t len)
{
	int fds[2];
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	char *argv[] = {"test_tmux_harness", (char *)mode, NULL};
	/* The child must clean up even when we are kept for a look. */
	const char *keep = getenv("HANDOFF_E2E_KEEP");
	char *saved = keep ? strdup(keep) : NULL;
	unsetenv("HANDOFF_E2E_KEEP");
	pid_t pid;
	int rc = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, environ);
	if (saved)
		setenv("HANDOFF_E2E_KEEP", saved, 1);
	free(saved);
	assert_int_equal(rc, 0);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	size_t n = 0;
	ssize_t r;
	struct pollfd p = {.fd = fds[0], .events = POLLIN};
	while (n + 1 < len && poll(&p, 1, 30000) > 0 && (r = read(fds[0], out + n, len - 1 - n)) > 0)
		n += (size_t)r;
	out[n] = '\0';
	close(fds[0]);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

/* Wait (deadline) until process pid is gone; it is not our child. */
static bool process_ends(int pid, int timeout_ms)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return errno == ESRCH;
	struct pollfd p = {.fd = fd, .events = POLLIN};
	bool gone = poll(&p, 1, timeout_ms) > 0;
	close(fd);
	return gone;
}

static int server_pid_in(const char *out)
{
	const char *at = strstr(out, "server-pid=");
	return at ? atoi(at + strlen("server-pid=")) : 0;
}

static void test_failed_wait_shows_screen_and_server_dies(void **state)
{
	(void)state;
	char out[16384];
	int status = run_self("--fail-demo", out, sizeof out);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) != 0);
	/* The failure names the wait, the test's own line, and the screen. */
	assert_non_null(strstr(out, "waiting for \"never shown\" on the screen"));
	assert_non_null(strstr(out, "test_tmux_harness.c:"));
	assert_non_null(strstr(out, "----8<----\nscreen says hi\n"));
	int pid = server_pid_in(out);
	assert_true(pid > 0);
	assert_true(process_ends(pid, WAIT_MS));
}

static void test_crashed_program_server_dies(void **state)
{
	(void)state;
	char out[4096];
	int status = run_self("--crash-demo", out, sizeof out);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	int pid = server_pid_in(out);
	assert_true(pid > 0);
	/* No atexit ran: the watchdog is what kills the server. */
	assert_true(process_ends(pid, WAIT_MS));
}

/* The demo modes' test: a wait that cannot succeed. */
static void demo_failing_wait(void **state)
{
	(void)state;
	tmux_start(&term, 30, 4, NULL, SH("echo screen says hi; read x"));
	tmux_wait_for(&term, "screen says hi", WAIT_MS);
	printf("server-pid=%d\n", tmux_server_pid());
	fflush(stdout);
	tmux_wait_for(&term, "never shown", 200);
}

static void demo_crash(void **state)
{
	(void)state;
	tmux_start(&term, 30, 4, NULL, SH("read x"));
	printf("server-pid=%d\n", tmux_server_pid());
	fflush(stdout);
	raise(SIGKILL);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--fail-demo")) {
		const struct CMUnitTest demo[] = {
			cmocka_unit_test_teardown(demo_failing_wait, teardown),
		};
		return cmocka_run_group_tests_name("fail demo", demo, NULL, NULL);
	}
	if (argc > 1 && !strcmp(argv[1], "--crash-demo")) {
		const struct CMUnitTest demo[] = {
			cmocka_unit_test(demo_crash),
		};
		return cmocka_run_group_tests_name("crash demo", demo, NULL, NULL);
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_typed_line_reaches_the_program, teardown),
		cmocka_unit_test_teardown(test_key_names_send_their_bytes, teardown),
		cmocka_unit_test_teardown(test_utf8_and_wide_characters, teardown),
		cmocka_unit_test_teardown(test_environment_is_exactly_controlled, teardown),
		cmocka_unit_test_teardown(test_exit_status_and_last_screen_survive, teardown),
		cmocka_unit_test_teardown(test_killed_by_a_signal, teardown),
		cmocka_unit_test_teardown(test_resize_reaches_the_program, teardown),
		cmocka_unit_test_teardown(test_wait_until_and_gone, teardown),
		cmocka_unit_test_teardown(test_screen_with_attributes, teardown),
		cmocka_unit_test_teardown(test_bytes_written_are_counted, teardown),
		cmocka_unit_test(test_failed_wait_shows_screen_and_server_dies),
		cmocka_unit_test(test_crashed_program_server_dies),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	tmux_server_kill();
	return failed;
}
