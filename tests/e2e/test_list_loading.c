/*
 * test_list_loading.c — the console against a hub with thousands of chats:
 * at start it asks the hub for the pages its screen needs and no more, the
 * Waiting tab opens on the chat that has waited longest, and while nothing
 * happens it wakes only for what changes on screen.
 *
 * The hub's database is filled the way the benchmarks fill it
 * (tests/bench/bench_fill.h: every 10th chat waiting, "Customer 0" the
 * first escalated), then every time in it is moved ten minutes back, so
 * the waits show in minutes. The hub runs with --verbose: its log has a
 * line per request, which is how the test sees what the console asked
 * for. Wake-ups are the console's voluntary context switches (/proc,
 * bench_console.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sqlite3.h>

#include "bench_console.h"
#include "bench_fill.h"
#include "console_fixture.h"
#include "timeutil.h"

/* 150 waiting chats: two pages of the console's 100. */
#define CHATS 1500

static char agent[HUB_TOKEN_MAX], agent_file[160], bridge[HUB_TOKEN_MAX];

static int setup(void **state)
{
	char *err = NULL;
	sqlite3 *db;

	if (!getenv("HANDOFF_BIN"))
		fail_msg("HANDOFF_BIN is not set (make check sets it)");
	curl_global_init(CURL_GLOBAL_DEFAULT);
	hub_init(&hub);
	bench_fill(hub.db, CHATS, agent);
	assert_int_equal(sqlite3_open(hub.db, &db), SQLITE_OK);
	if (sqlite3_exec(db,
			 "UPDATE chats SET created_at = created_at - 600000,"
			 " latest_at = latest_at - 600000, escalated_at = escalated_at - 600000",
			 NULL, NULL, &err) != SQLITE_OK)
		fail_msg("sqlite: %s", err);
	sqlite3_close(db);
	hub_token(&hub, "Widget bridge", "ingest", bridge);
	hub_start(&hub, "--verbose", NULL);
	hub_token_file(&hub, "agent", agent, agent_file, sizeof agent_file);
	*state = &hub;
	return 0;
}

/* How many lines of `log` from `from` on contain all of `a` and `b`. */
static int count_lines(const char *log, size_t from, const char *a, const char *b)
{
	int n = 0;
	for (const char *l = log + from; *l;) {
		const char *end = strchr(l, '\n');
		size_t len = end ? (size_t)(end - l) : strlen(l);
		char line[1024];
		snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line ? len : sizeof line - 1),
			 l);
		n += strstr(line, a) && strstr(line, b);
		l += len + (end != NULL);
	}
	return n;
}

/* The hub's log once its part from `from` on holds `needle` (hub_log_wait
 * for one part of the log). */
static char *log_wait_from(size_t from, const char *needle)
{
	long long deadline = now_ms() + WAIT;
	for (;;) {
		char *text = hub_log(&hub);
		if (strlen(text) > from && strstr(text + from, needle))
			return text;
		free(text);
		if (now_ms() > deadline)
			fail_msg("no \"%s\" in the hub's log within %d ms", needle, WAIT);
		nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
	}
}

/* The id of the chat the hub lists first in its waiting queue. */
static void longest_wait(char id[37])
{
	struct reply r = http(&hub, "GET", "/v1/chats?waiting=true&sort=waiting&limit=1", agent,
			      NULL);
	cJSON *j = expect_status(&r, 200);
	const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "chats"), 0);
	const cJSON *jid = cJSON_GetObjectItem(first, "id");
	assert_true(cJSON_IsString(jid));
	snprintf(id, 37, "%s", jid->valuestring);
	reply_free(&r);
}

/* The console's pid: the one process of this program's whose HOME is the
 * pane's private directory. */
static pid_t console_pid(const struct tmux *t)
{
	char want[120];
	pid_t found = 0;
	DIR *d = opendir("/proc");

	snprintf(want, sizeof want, "HOME=%s", t->dir);
	for (struct dirent *e; d && (e = readdir(d));) {
		char path[300], exe[4096], env[16384];
		long pid = atol(e->d_name);
		if (pid <= 0)
			continue;
		snprintf(path, sizeof path, "/proc/%ld/exe", pid);
		ssize_t n = readlink(path, exe, sizeof exe - 1);
		if (n <= 0)
			continue;
		exe[n] = '\0';
		if (strcmp(exe, getenv("HANDOFF_BIN")) != 0)
			continue;
		snprintf(path, sizeof path, "/proc/%ld/environ", pid);
		FILE *f = fopen(path, "r");
		size_t k = f ? fread(env, 1, sizeof env - 1, f) : 0;
		if (f)
			fclose(f);
		for (size_t i = 0; i < k; i += strlen(env + i) + 1) {
			env[k] = '\0';
			if (strcmp(env + i, want) == 0)
				found = (pid_t)pid;
		}
	}
	if (d)
		closedir(d);
	if (!found)
		fail_msg("no handoff process with %s", want);
	return found;
}

/* ---- a proxy that holds the Waiting page back ---------------------------- */

/* On a hub with 100,000 chats the Waiting page often comes back after the
 * All page, whose chats include the newest escalations; here it always
 * does: the console reaches the hub through this proxy, which forwards
 * bytes as they come but holds a request for the waiting queue back for a
 * while first. */
#define HOLD_MS 300

struct pump {
	int from, to;
	bool hold;  /* client to hub: hold the waiting queue's requests */
};

static void *pump(void *arg)
{
	struct pump p = *(struct pump *)arg;
	char buf[16384];
	ssize_t n;

	free(arg);
	while ((n = read(p.from, buf, sizeof buf - 1)) > 0) {
		buf[n] = '\0';
		if (p.hold && strstr(buf, "waiting=true"))
			nanosleep(&(struct timespec){0, HOLD_MS * 1000000L}, NULL);
		if (send(p.to, buf, (size_t)n, MSG_NOSIGNAL) != n)
			break;
	}
	shutdown(p.to, SHUT_WR);
	return NULL;
}

static void start_pump(int from, int to, bool hold)
{
	struct pump *p = malloc(sizeof *p);
	pthread_t th;
	assert_non_null(p);
	*p = (struct pump){from, to, hold};
	assert_int_equal(pthread_create(&th, NULL, pump, p), 0);
	pthread_detach(th);
}

/* The hub itself: the fixture's `hub` names the proxy while it runs. */
static struct hub behind;

static void *proxy_accept(void *arg)
{
	int lfd = *(int *)arg;
	for (int c; (c = accept(lfd, NULL, NULL)) >= 0;) {
		int h = hub_connect(&behind, NULL);
		start_pump(c, h, true);
		start_pump(h, c, false);
	}
	return NULL;
}

/* Start the proxy; its port. */
static int proxy_start(void)
{
	static int lfd;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	pthread_t th;

	behind = hub;
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(lfd, 16), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&a, &len), 0);
	assert_int_equal(pthread_create(&th, NULL, proxy_accept, &lfd), 0);
	pthread_detach(th);
	return ntohs(a.sin_port);
}

/* Start after start, the All page (with the newest escalations among its
 * chats) comes back first: still one page of each list, and Enter opens
 * the longest wait. The next page comes when the agent scrolls to it. */
static void test_start_loads_one_page_and_selects_the_longest_wait(void **state)
{
	(void)state;
	char id[37], want[128], name[16];
	struct tmux t;

	longest_wait(id);
	/* In the log before the first start's lines are counted. */
	free(hub_log_wait(&hub, "limit=* 200"));
	snprintf(want, sizeof want, "GET /v1/chats/%s/messages", id);
	int port = hub.port;
	/* The fixture's consoles go to hub.port. */
	hub.port = proxy_start();
	for (int i = 0; i < 3; i++) {
		char *before = hub_log(&hub);
		size_t from = strlen(before);
		free(before);
		snprintf(name, sizeof name, "start%d", i);
		console_start(&t, &(struct console_opts){.name = name, .token_file = agent_file});
		/* The hub's first waiting row is on screen: its page came. */
		tmux_wait_for(&t, "Customer 0 ", WAIT);
		tmux_send_keys(&t, "Enter", NULL);
		char *log = log_wait_from(from, "/messages");
		/* The chat opened is the one the hub lists first. */
		if (count_lines(log, from, want, " 200 ") != 1)
			fail_msg("start %d opened another chat than %s:\n%s", i, id, log + from);
		int waiting = count_lines(log, from, "GET /v1/chats?", "waiting=");
		int pages = count_lines(log, from, "GET /v1/chats?", " 200 ");
		if (waiting != 1 || pages != 3)
			fail_msg("start %d: %d waiting pages, %d pages in all (want 1 and 3):\n%s", i,
				 waiting, pages, log + from);
		free(log);
		console_quit(&t);
	}
	hub.port = port;
	/* Where the rows shown near the end of what is loaded, the next page
	 * comes: End brings the rest of the queue, all 150 and no "+". */
	console_start(&t, &(struct console_opts){.name = "end", .token_file = agent_file});
	tmux_wait_for(&t, "Customer 0 ", WAIT);
	tmux_send_keys(&t, "End", NULL);
	tmux_wait_for(&t, "1 Waiting 150 ", WAIT);
	/* The selection follows the end as the pages come (test_list_end). */
	tmux_wait_for(&t, "Customer 1490 ", WAIT);
	console_quit(&t);
}

/* Wake-ups of the console (its voluntary context switches: each is a
 * wait in the loop that ended) over `seconds` of doing nothing. */
static long wakeups_over(pid_t pid, int seconds)
{
	struct proc_sample a, z;
	assert_true(proc_read(pid, &a));
	/* The measurement window itself: nothing is awaited here. */
	bench_sleep_until(bench_now_ns() + (int64_t)seconds * 1000000000);
	assert_true(proc_read(pid, &z));
	return z.sleeps - a.sleeps;
}

/* A wait counted in minutes on screen ("waited 10m"; 11m once the tests
 * before this one took a minute, as they can on a busy machine). */
static bool minutes_shown(const char *screen, void *ctx)
{
	(void)ctx;
	for (const char *at = strstr(screen, "waited "); at; at = strstr(at + 1, "waited ")) {
		const char *p = at + strlen("waited ");
		const char *digits = p;
		while (*p >= '0' && *p <= '9')
			p++;
		if (p > digits && *p == 'm')
			return true;
	}
	return false;
}

/* The rows a tab shows (120x30: two lines a row, fewer than SHOWN_ROWS)
 * turn to their next minute each at its own time: their escalations and
 * latest messages are spread over as long as the fill took, seconds on a
 * busy machine, and the console rightly wakes for each row that changes.
 * Sleep until a moment from which the next `seconds` (with half a second
 * either side) hold none of those turns of the first SHOWN_ROWS chats the
 * tab's query (`filters`) lists, within the next minute. Choosing where a
 * measuring window starts is not a wait for something to happen. */
#define SHOWN_ROWS 20
static void sleep_to_quiet_minute(const char *filters, int seconds)
{
	char path[128];
	snprintf(path, sizeof path, "/v1/chats?%slimit=%d", filters, SHOWN_ROWS);
	struct reply r = http(&hub, "GET", path, agent, NULL);
	cJSON *j = expect_status(&r, 200);
	int64_t since[2 * SHOWN_ROWS], now = ts_now(), span = seconds * 1000 + 1000;
	static const char *const times[] = {"escalated_at", "at"};
	struct errbuf err;
	const cJSON *c;
	int n = 0;

	cJSON_ArrayForEach(c, cJSON_GetObjectItem(j, "chats")) {
		assert_true(n + 2 <= 2 * SHOWN_ROWS);
		/* A row shows its wait or its latest message's age: both. */
		const cJSON *holders[] = {c, cJSON_GetObjectItem(c, "latest_message")};
		for (int k = 0; k < 2; k++) {
			const cJSON *at = cJSON_GetObjectItem(holders[k], times[k]);
			if (!cJSON_IsString(at))
				continue;
			if (!ts_parse(at->valuestring, &since[n], &err))
				fail_msg("%s %s: %s", times[k], at->valuestring, err.msg);
			n++;
		}
	}
	reply_free(&r);
	assert_true(n > 0);
	for (int64_t from = now; from < now + 60000; from += 50) {
		bool quiet = true;
		/* From half a second before `from`: a redraw that just began. */
		for (int i = 0; i < n && quiet; i++)
			quiet = 60000 - (from - 500 - since[i]) % 60000 > span;
		if (!quiet)
			continue;
		if (from > ts_now())
			bench_sleep_until(bench_now_ns() + (from - ts_now()) * 1000000);
		return;
	}
	fail_msg("no %d s in the next minute without a shown row's age changing", seconds);
}

/* Every wait on screen is counted in minutes: nothing to wake for but the
 * next minute (and a keep-alive now and then). */
static void test_idle_with_minutes_shown_sleeps(void **state)
{
	(void)state;
	struct tmux t;

	console_start(&t, &(struct console_opts){.name = "minutes", .token_file = agent_file});
	tmux_wait_until(&t, minutes_shown, NULL, WAIT);
	pid_t pid = console_pid(&t);
	/* The window holds no row's next minute: the wake-ups for it are
	 * right, and they are as many as the rows whose minute turns. */
	sleep_to_quiet_minute("waiting=true&sort=waiting&", 6);
	/* Over 6 s: a console that ticks every second wakes 6 times or more;
	 * one asleep till the next minute wakes at most for the tail of its
	 * start (a page's answer, the stream's first frames) and a keep-alive. */
	long n = wakeups_over(pid, 6);
	if (n > 3)
		fail_msg("the console woke %ld times in 6 s with only minutes on screen", n);
	console_quit(&t);
}

/* The age at the end of the line of `screen` holding `text`, in seconds
 * ("12s"), or -1. */
static int age_shown(const char *screen, const char *text)
{
	const char *l = line_with(screen, text);
	if (!l)
		return -1;
	size_t len = strcspn(l, "\n");
	const char *p = l + len;
	while (p > l && p[-1] != ' ')
		p--;
	int s;
	char unit;
	return sscanf(p, "%d%c", &s, &unit) == 2 && unit == 's' ? s : -1;
}

/* A chat that has just spoken shows its age in seconds: the list changes
 * every second, and the console wakes once a second for it, not more. */
static void test_idle_with_seconds_shown_wakes_once_a_second(void **state)
{
	(void)state;
	struct tmux t;

	console_start(&t, &(struct console_opts){.name = "seconds", .token_file = agent_file});
	ingest(&hub, bridge, "just-now", "user", "hello from just now", false, NULL);
	tmux_send_keys(&t, "3", NULL);
	tmux_wait_for(&t, "hello from just now", WAIT);
	pid_t pid = console_pid(&t);
	/* No other row's minute turns in the window (see above). */
	sleep_to_quiet_minute("", 3);
	int age = age_shown(tmux_screen(&t, NULL, 0), "Maria G.");
	assert_true(age >= 0);
	long n = wakeups_over(pid, 3);
	/* Once a second, and one more for where the window falls. */
	if (n > 4)
		fail_msg("the console woke %ld times in 3 s with one age in seconds on screen", n);
	/* And the age went on: the clock is not simply off. */
	int later = age_shown(tmux_screen(&t, NULL, 0), "Maria G.");
	if (later < age + 2)
		fail_msg("the age went from %ds to %ds in 3 s", age, later);
	console_quit(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start_loads_one_page_and_selects_the_longest_wait),
		cmocka_unit_test(test_idle_with_minutes_shown_sleeps),
		cmocka_unit_test(test_idle_with_seconds_shown_wakes_once_a_second),
	};
	return cmocka_run_group_tests(tests, setup, console_fixture_teardown);
}
