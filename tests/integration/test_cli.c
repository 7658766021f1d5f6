/*
 * test_cli.c — the `handoff` binary ($HANDOFF_BIN) run as a subprocess
 * against a real handoffd: exit statuses, every page of `chats`, JSON
 * output, neutralised customer text, and two takeovers racing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

static struct hub hub;
static char ana[HUB_TOKEN_MAX], ben[HUB_TOKEN_MAX], sue[HUB_TOKEN_MAX], bot[HUB_TOKEN_MAX];
static char server[64];
static char ana_file[160], ben_file[160], sue_file[160];

static const struct account accounts[] = {
	{"Ana", "agent", ana},
	{"Ben", "agent", ben},
	{"Sue", "supervisor", sue},
	{"Widget bridge", "ingest", bot},
	{NULL},
};

static int setup(void **state)
{
	if (!getenv("HANDOFF_BIN"))
		fail_msg("HANDOFF_BIN is not set (make check sets it)");
	hub_up(&hub, accounts);
	hub_token_file(&hub, "Ana", ana, ana_file, sizeof ana_file);
	hub_token_file(&hub, "Ben", ben, ben_file, sizeof ben_file);
	hub_token_file(&hub, "Sue", sue, sue_file, sizeof sue_file);
	hub_url(&hub, "", server, sizeof server);
	*state = &hub;
	return 0;
}

/* ---- running handoff --------------------------------------------------------- */

struct proc {
	pid_t pid;
	int fd[2];          /* stdout, stderr; -1 once at EOF */
	char *buf[2];
	size_t len[2];
	int exit;           /* exit status, or -1 */
};

/* Start handoff with `args` (NULL-terminated) and its own environment: no
 * HANDOFF_* variables, and a config directory without a config file. */
static void proc_start(struct proc *p, const char *const *args)
{
	int out[2], err[2];
	const char *argv[32];
	int n = 0;

	argv[n++] = getenv("HANDOFF_BIN");
	for (; *args && n < 31; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	assert_int_equal(pipe(out), 0);
	assert_int_equal(pipe(err), 0);
	memset(p, 0, sizeof *p);
	p->exit = -1;
	p->pid = fork();
	assert_true(p->pid >= 0);
	if (p->pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		close(out[1]);
		close(err[1]);
		unsetenv("HANDOFF_SERVER");
		unsetenv("HANDOFF_TOKEN");
		setenv("XDG_CONFIG_HOME", hub.dir, 1);
		setenv("HOME", hub.dir, 1);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	p->fd[0] = out[0];
	p->fd[1] = err[0];
}

/* Wait up to timeout_ms for output of the started processes and append
 * what arrives to their buffers; returns how many pipes are still open. */
static int proc_pump(struct proc *ps, int nprocs, int timeout_ms)
{
	struct pollfd pfd[8];
	int map[8][2], n = 0;

	for (int i = 0; i < nprocs; i++)
		for (int k = 0; k < 2; k++)
			if (ps[i].fd[k] >= 0) {
				pfd[n] = (struct pollfd){.fd = ps[i].fd[k], .events = POLLIN};
				map[n][0] = i;
				map[n][1] = k;
				n++;
			}
	if (n == 0 || poll(pfd, (nfds_t)n, timeout_ms) <= 0)
		return n;
	for (int j = 0; j < n; j++) {
		if (!pfd[j].revents)
			continue;
		struct proc *p = &ps[map[j][0]];
		int k = map[j][1];
		char chunk[4096];
		ssize_t got = read(p->fd[k], chunk, sizeof chunk);
		if (got <= 0) {
			close(p->fd[k]);
			p->fd[k] = -1;
			continue;
		}
		p->buf[k] = realloc(p->buf[k], p->len[k] + (size_t)got + 1);
		memcpy(p->buf[k] + p->len[k], chunk, (size_t)got);
		p->len[k] += (size_t)got;
		p->buf[k][p->len[k]] = '\0';
	}
	return n;
}

/* Read every started process to EOF and reap it; fail after 20 s. */
static void proc_finish(struct proc *ps, int nprocs)
{
	long long deadline = now_ms() + 20000;
	while (proc_pump(ps, nprocs, (int)(deadline - now_ms())) > 0) {
		if (now_ms() >= deadline) {
			for (int i = 0; i < nprocs; i++)
				kill(ps[i].pid, SIGKILL);
			fail_msg("handoff still running after 20 s");
		}
	}
	for (int i = 0; i < nprocs; i++) {
		int st;
		assert_int_equal(waitpid(ps[i].pid, &st, 0), ps[i].pid);
		assert_true(WIFEXITED(st));
		ps[i].exit = WEXITSTATUS(st);
		for (int k = 0; k < 2; k++)
			if (!ps[i].buf[k])
				ps[i].buf[k] = calloc(1, 1);
	}
}

/* Read a running process until its stdout (k 0) or stderr (k 1) shows
 * `needle`; fail after 20 s. */
static void proc_wait_for(struct proc *p, int k, const char *needle)
{
	long long deadline = now_ms() + 20000;
	while (!p->buf[k] || !strstr(p->buf[k], needle)) {
		if (now_ms() >= deadline || proc_pump(p, 1, (int)(deadline - now_ms())) == 0) {
			kill(p->pid, SIGKILL);
			fail_msg("no \"%s\" from handoff; stdout: %s; stderr: %s", needle,
				 p->buf[0] ? p->buf[0] : "", p->buf[1] ? p->buf[1] : "");
		}
	}
}

static void proc_free(struct proc *p)
{
	free(p->buf[0]);
	free(p->buf[1]);
}

#define OUT(p) ((p)->buf[0])
#define ERR(p) ((p)->buf[1])

/* Run handoff as the owner of `token_path` with --server set. */
static struct proc run_as(const char *token_path, ...)
{
	const char *args[28];
	int n = 0;
	va_list ap;
	args[n++] = "--server";
	args[n++] = server;
	args[n++] = "--token-file";
	args[n++] = token_path;
	va_start(ap, token_path);
	for (const char *s; (s = va_arg(ap, const char *)) && n < 27;)
		args[n++] = s;
	va_end(ap);
	args[n] = NULL;
	struct proc p;
	proc_start(&p, args);
	proc_finish(&p, 1);
	return p;
}

static void expect_exit(struct proc *p, int status)
{
	if (p->exit != status)
		fail_msg("exit %d, expected %d; stdout: %s; stderr: %s", p->exit, status, OUT(p),
			 ERR(p));
}

/* ---- tests ----------------------------------------------------------------- */

static void test_chats_walks_every_page(void **state)
{
	(void)state;
	enum { N = 7 };
	char ids[N][37];
	for (int i = 0; i < N; i++) {
		char ext[32], text[64];
		snprintf(ext, sizeof ext, "cli-page-%d", i);
		snprintf(text, sizeof text, "pagewalk question %d", i);
		ingest(&hub, bot, ext, "user", text, false, ids[i]);
	}

	struct proc p = run_as(ana_file, "chats", "--search", "pagewalk", "--limit", "3", NULL);
	expect_exit(&p, 0);
	int lines = 0;
	for (char *s = OUT(&p); (s = strchr(s, '\n')); s++)
		lines++;
	assert_int_equal(lines, N);
	for (int i = 0; i < N; i++) {
		char *at = strstr(OUT(&p), ids[i]);
		assert_non_null(at);
		assert_null(strstr(at + 1, ids[i])); /* exactly once */
	}
	proc_free(&p);

	/* --json: one chat object per line, each parses */
	p = run_as(ana_file, "--json", "chats", "--search", "pagewalk", "--limit", "2", NULL);
	expect_exit(&p, 0);
	int seen[N] = {0}, count = 0;
	for (char *line = strtok(OUT(&p), "\n"); line; line = strtok(NULL, "\n")) {
		cJSON *j = cJSON_Parse(line);
		assert_non_null(j);
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "id");
		assert_true(cJSON_IsString(id));
		for (int i = 0; i < N; i++)
			seen[i] += !strcmp(id->valuestring, ids[i]);
		cJSON_Delete(j);
		count++;
	}
	assert_int_equal(count, N);
	for (int i = 0; i < N; i++)
		assert_int_equal(seen[i], 1);
	proc_free(&p);
}

static void test_show_neutralises_hostile_text(void **state)
{
	(void)state;
	char chat[37];
	ingest(&hub, bot, "cli-hostile", "user",
	       "hi \x1b[31mred\x1b]0;pwned\x07 \xc2\x9b" "2J done", false, chat);

	struct proc p = run_as(ana_file, "show", chat, NULL);
	expect_exit(&p, 0);
	assert_null(memchr(OUT(&p), 0x1b, p.len[0]));
	assert_null(memchr(OUT(&p), 0x07, p.len[0]));
	assert_null(strstr(OUT(&p), "\xc2\x9b"));
	assert_non_null(strstr(OUT(&p), "^[[31mred"));
	assert_non_null(strstr(OUT(&p), chat));
	proc_free(&p);

	p = run_as(ana_file, "show", "--json", chat, NULL);
	expect_exit(&p, 0);
	assert_null(memchr(OUT(&p), 0x1b, p.len[0]));
	assert_null(strstr(OUT(&p), "\xc2\x9b"));
	cJSON *j = cJSON_Parse(OUT(&p));
	assert_non_null(j);
	const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(j, "messages");
	assert_int_equal(cJSON_GetArraySize(msgs), 1);
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(msgs, 0), "text");
	/* the JSON still carries the text exactly */
	assert_string_equal(text->valuestring, "hi \x1b[31mred\x1b]0;pwned\x07 \xc2\x9b" "2J done");
	cJSON_Delete(j);
	proc_free(&p);
}

static void test_actions_succeed(void **state)
{
	(void)state;
	char chat[37];
	ingest(&hub, bot, "cli-actions", "user", "my parcel is late", true, chat);

	struct proc p = run_as(ana_file, "takeover", chat, NULL);
	expect_exit(&p, 0);
	assert_non_null(strstr(OUT(&p), "Ana"));
	proc_free(&p);

	p = run_as(ana_file, "--json", "reply", chat, "Let me check, one moment", NULL);
	expect_exit(&p, 0);
	cJSON *j = cJSON_Parse(OUT(&p));
	assert_non_null(j);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(j, "role")->valuestring, "agent");
	cJSON_Delete(j);
	proc_free(&p);

	const char *const steps[][4] = {
		{"note", chat, "customer is a regular", NULL},
		{"retitle", chat, "Late parcel", NULL},
		{"status", chat, "pending", NULL},
		{"rate", chat, "5", "--feedback=smooth"},
		{"assign", chat, "ben", NULL}, /* by name, any case */
	};
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		p = run_as(ana_file, steps[i][0], steps[i][1], steps[i][2], steps[i][3], NULL);
		expect_exit(&p, 0);
		proc_free(&p);
	}

	p = run_as(ana_file, "--json", "show", chat, NULL);
	expect_exit(&p, 0);
	j = cJSON_Parse(OUT(&p));
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(j, "chat");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(c, "title")->valuestring, "Late parcel");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(
				    cJSON_GetObjectItemCaseSensitive(c, "responder"), "name")
				    ->valuestring,
			    "Ben");
	cJSON_Delete(j);
	proc_free(&p);

	p = run_as(ben_file, "handback", chat, NULL);
	expect_exit(&p, 0);
	proc_free(&p);
	p = run_as(ben_file, "stop", chat, NULL);
	expect_exit(&p, 0);
	assert_non_null(strstr(OUT(&p), "stopped"));
	proc_free(&p);
}

static void test_server_errors_exit_1(void **state)
{
	(void)state;
	char chat[37];
	ingest(&hub, bot, "cli-conflict", "user", "hello", true, chat);

	struct proc p = run_as(ana_file, "takeover", chat, NULL);
	expect_exit(&p, 0);
	proc_free(&p);
	p = run_as(ben_file, "takeover", chat, NULL);
	expect_exit(&p, 1);
	assert_non_null(strstr(ERR(&p), "handoff: takeover: chat is held by agent Ana"));
	assert_string_equal(OUT(&p), "");
	proc_free(&p);
	p = run_as(ben_file, "reply", chat, "sneaky", NULL);
	expect_exit(&p, 1);
	proc_free(&p);
	p = run_as(ana_file, "show", "3f1c2a4e-9b7d-4c1e-8a2f-1d3e5f7a9b0c", NULL);
	expect_exit(&p, 1);
	proc_free(&p);
}

static void test_concurrent_takeover(void **state)
{
	(void)state;
	char chat[37];
	ingest(&hub, bot, "cli-race", "user", "anyone?", true, chat);

	const char *a[] = {"--server", server, "--token-file", ana_file, "takeover", chat, NULL};
	const char *b[] = {"--server", server, "--token-file", ben_file, "takeover", chat, NULL};
	struct proc ps[2];
	proc_start(&ps[0], a);
	proc_start(&ps[1], b);
	proc_finish(ps, 2);

	int winners = (ps[0].exit == 0) + (ps[1].exit == 0);
	assert_int_equal(winners, 1);
	int loser = ps[0].exit == 0 ? 1 : 0;
	assert_int_equal(ps[loser].exit, 1);
	const char *holder = loser == 1 ? "Ana" : "Ben";
	char want[80];
	snprintf(want, sizeof want, "chat is held by agent %s", holder);
	assert_non_null(strstr(ERR(&ps[loser]), want));
	proc_free(&ps[0]);
	proc_free(&ps[1]);
}

static void test_bad_usage_exits_2(void **state)
{
	(void)state;
	const char *const cases[][4] = {
		{NULL},
		{"frobnicate", NULL},
		{"show", NULL},
		{"show", "not-an-id", NULL},
		{"takeover", "a", "b", NULL},
		{"rate", "3f1c2a4e-9b7d-4c1e-8a2f-1d3e5f7a9b0c", "9", NULL},
		{"status", "3f1c2a4e-9b7d-4c1e-8a2f-1d3e5f7a9b0c", "done", NULL},
		{"chats", "--limit", "0", NULL},
		{"chats", "--status", "lost", NULL},
		{"chats", "--frob", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct proc p = run_as(ana_file, cases[i][0], cases[i][1], cases[i][2], cases[i][3],
				       NULL);
		expect_exit(&p, 2);
		assert_non_null(strstr(ERR(&p), "--help"));
		proc_free(&p);
	}
	const char *unknown_global[] = {"--frob", "chats", NULL};
	struct proc p;
	proc_start(&p, unknown_global);
	proc_finish(&p, 1);
	expect_exit(&p, 2);
	proc_free(&p);

	const char *help[] = {"takeover", "--help", NULL};
	proc_start(&p, help);
	proc_finish(&p, 1);
	expect_exit(&p, 0);
	assert_non_null(strstr(OUT(&p), "--force"));
	proc_free(&p);

	/* The console's own options are global ones: --help must name them. */
	const char *global_help[] = {"--help", NULL};
	proc_start(&p, global_help);
	proc_finish(&p, 1);
	expect_exit(&p, 0);
	assert_non_null(strstr(OUT(&p), "--demo"));
	assert_non_null(strstr(OUT(&p), "--theme"));
	assert_non_null(strstr(OUT(&p), "opens the console"));
	proc_free(&p);

	const char *version[] = {"--version", NULL};
	proc_start(&p, version);
	proc_finish(&p, 1);
	expect_exit(&p, 0);
	assert_non_null(strstr(OUT(&p), "handoff "));
	proc_free(&p);
}

static void test_unreachable_exits_3(void **state)
{
	(void)state;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
	socklen_t len = sizeof a;
	getsockname(s, (struct sockaddr *)&a, &len);
	close(s);
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", ntohs(a.sin_port));

	const char *args[] = {"--server", url, "--token-file", ana_file, "takeover",
			      "3f1c2a4e-9b7d-4c1e-8a2f-1d3e5f7a9b0c", NULL};
	struct proc p;
	proc_start(&p, args);
	proc_finish(&p, 1);
	expect_exit(&p, 3);
	assert_non_null(strstr(ERR(&p), "cannot reach"));
	proc_free(&p);

	/* --insecure says so loudly */
	const char *insecure[] = {"--server", url, "--insecure", "--token-file", ana_file,
				  "stop", "3f1c2a4e-9b7d-4c1e-8a2f-1d3e5f7a9b0c", NULL};
	proc_start(&p, insecure);
	proc_finish(&p, 1);
	expect_exit(&p, 3);
	assert_non_null(strstr(ERR(&p), "WARNING"));
	proc_free(&p);
}

/* `watch` across a hub killed and restarted on the same port: every event
 * exactly once, in order, the ones written while it was away included. */
static void test_watch_survives_a_hub_restart(void **state)
{
	(void)state;
	const char *args[] = {"--server", server, "--token-file", ana_file, "watch", NULL};
	struct proc w;
	char port[32], text[32];

	proc_start(&w, args);
	proc_wait_for(&w, 1, "watch: live");
	for (int i = 1; i <= 3; i++) {
		snprintf(text, sizeof text, "watch-before-%d", i);
		ingest(&hub, bot, "cli-watch", "user", text, false, NULL);
	}
	proc_wait_for(&w, 0, "watch-before-3");

	hub_kill(&hub);
	snprintf(port, sizeof port, "127.0.0.1:%d", hub.port);
	hub_start(&hub, "--listen", port, NULL);
	/* Written as soon as the hub is back: watch is still waiting out its
	 * backoff, so these come by replay from its last seq. */
	for (int i = 1; i <= 3; i++) {
		snprintf(text, sizeof text, "watch-after-%d", i);
		ingest(&hub, bot, "cli-watch", "user", text, false, NULL);
	}
	proc_wait_for(&w, 0, "watch-after-3");
	proc_wait_for(&w, 1, "live again");
	kill(w.pid, SIGTERM);
	proc_finish(&w, 1);
	expect_exit(&w, 0);

	/* One event per line, seqs contiguous from the first: no gap, no
	 * duplicate, and both sides of the restart are there. */
	long long prev = -1;
	int lines = 0;
	for (char *line = OUT(&w), *nl; (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = '\0';
		cJSON *j = cJSON_Parse(line);
		assert_non_null(j);
		long long seq = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(j, "seq"));
		if (prev >= 0 && seq != prev + 1)
			fail_msg("seq %lld after %lld", seq, prev);
		prev = seq;
		lines++;
		cJSON_Delete(j);
	}
	assert_true(lines >= 6);
	assert_non_null(strstr(ERR(&w), "reconnecting in"));
	proc_free(&w);
}

static void test_watch_gives_up_on_a_bad_token(void **state)
{
	(void)state;
	char path[200];
	snprintf(path, sizeof path, "%s/bad.token", hub.dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("not-a-real-token\n", f);
	fclose(f);
	assert_int_equal(chmod(path, 0600), 0);

	struct proc p = run_as(path, "watch", NULL);
	expect_exit(&p, 1);
	assert_non_null(strstr(ERR(&p), "401"));
	assert_null(strstr(ERR(&p), "not-a-real-token"));
	proc_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chats_walks_every_page),
		cmocka_unit_test(test_show_neutralises_hostile_text),
		cmocka_unit_test(test_actions_succeed),
		cmocka_unit_test(test_server_errors_exit_1),
		cmocka_unit_test(test_concurrent_takeover),
		cmocka_unit_test(test_bad_usage_exits_2),
		cmocka_unit_test(test_unreachable_exits_3),
		cmocka_unit_test(test_watch_gives_up_on_a_bad_token),
		cmocka_unit_test(test_watch_survives_a_hub_restart),
	};
	return cmocka_run_group_tests(tests, setup, hub_teardown);
}
