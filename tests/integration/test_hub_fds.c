/*
 * test_hub_fds.c — the hub out of file descriptors: it raises a low soft
 * limit at start, refuses what it cannot hold with a few log lines (not one
 * per accept attempt), and answers again once descriptors come back.
 */
#define _GNU_SOURCE /* prlimit */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <curl/curl.h>

#include "harness.h"

/* The limits: the one the hub starts with, the one it is then squeezed to,
 * and how many connections the test throws at it. */
#define START_SOFT 200
#define SQUEEZED 96
#define CONNECTIONS 160

static struct hub hub;
static bool too_few_fds; /* the hard limit here leaves no room to try */

/* Start the hub with a soft limit of START_SOFT: it inherits it. */
static int setup(void **state)
{
	struct rlimit mine, low;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	hub_init(&hub);
	*state = &hub;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &mine), 0);
	too_few_fds = mine.rlim_max != RLIM_INFINITY && mine.rlim_max < CONNECTIONS * 3;
	if (too_few_fds)
		return 0;
	low = mine;
	low.rlim_cur = START_SOFT;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	/* Idle connections must outlive the test. */
	hub_start(&hub, "--request-timeout", "60", "--max-connections-per-address", "1000", NULL);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &mine), 0);
	return 0;
}

static void test_the_soft_limit_is_raised_at_start(void **state)
{
	(void)state;
	struct rlimit rl;
	if (too_few_fds)
		skip();
	assert_int_equal(prlimit(hub.pid, RLIMIT_NOFILE, NULL, &rl), 0);
	assert_true(rl.rlim_cur > START_SOFT);
}

/* How many descriptors process `pid` has open. */
static int open_fds(pid_t pid)
{
	char path[64];
	int n = 0;

	snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
	DIR *d = opendir(path);
	assert_non_null(d);
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Lines of the log about running out of descriptors: lws's own, or ours. */
static int emfile_lines(void)
{
	char *log = hub_log(&hub);
	int n = 0;
	for (char *line = strtok(log, "\n"); line; line = strtok(NULL, "\n"))
		n += strstr(line, "errno 24") || strstr(line, "out of file descriptors");
	free(log);
	return n;
}

static void test_out_of_descriptors_refuses_quietly_and_recovers(void **state)
{
	(void)state;
	struct rlimit squeezed, rl;
	int fds[CONNECTIONS];

	if (too_few_fds)
		skip();
	assert_int_equal(prlimit(hub.pid, RLIMIT_NOFILE, NULL, &rl), 0);
	squeezed = rl;
	squeezed.rlim_cur = SQUEEZED;
	assert_int_equal(prlimit(hub.pid, RLIMIT_NOFILE, &squeezed, NULL), 0);

	for (int i = 0; i < CONNECTIONS; i++)
		fds[i] = hub_connect(&hub, NULL);
	/* Those past the descriptors are told, not left waiting: the last one
	 * is closed by the hub. */
	assert_true(hub_hung_up(fds[CONNECTIONS - 1], 10000));
	free(hub_log_wait(&hub, "out of file descriptors"));
	int lines = emfile_lines();
	assert_true(lines >= 1 && lines <= 3);

	/* Descriptors come back (the hub has closed its ends): it answers
	 * again by itself. */
	for (int i = 0; i < CONNECTIONS; i++)
		close(fds[i]);
	long long deadline = now_ms() + 10000;
	while (open_fds(hub.pid) > SQUEEZED / 2)
		assert_true(now_ms() < deadline);
	struct reply r = http(&hub, "GET", "/v1/health", NULL, NULL);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	assert_true(emfile_lines() <= 3);
	assert_int_equal(prlimit(hub.pid, RLIMIT_NOFILE, &rl, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_soft_limit_is_raised_at_start),
		cmocka_unit_test(test_out_of_descriptors_refuses_quietly_and_recovers),
	};
	return cmocka_run_group_tests(tests, setup, hub_teardown);
}
