/*
 * bench_console_keys.c — console key → hub applied: how long after the
 * agent presses a key the hub has done it.
 *
 *   bench_console_keys [CHATS]      default 20
 *
 * Prints a Markdown table. HANDOFF_BIN and HANDOFFD name the programs.
 *
 * The console (`handoff` against a real handoffd) runs in a 120x30 tmux
 * pane, on the waiting queue of CHATS escalated chats. For each chat, in
 * turn: `t` takes over the top of the queue, which moves to the Mine tab;
 * there (`2`) `r`, the reply's text and Enter send a reply and `b` hands
 * it back; `1` goes back to the queue. The clock starts just before the key is handed to
 * tmux and stops when a WebSocket watcher (the hub's event stream, read
 * with no sleep) receives the event the hub sends once it has committed
 * the change: AGENT_JOINED, the reply's message.created, AGENT_LEFT. So a
 * figure includes `tmux send-keys` (a process start, measured on its own
 * in the last column), the console's request, the hub's transaction and
 * the event's way back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "harness.h"
#include "tmux.h"

#define WAIT 20000

enum step { STEP_TAKEOVER, STEP_REPLY, STEP_HANDBACK, STEPS };

static int chats = 20;

struct samples {
	double ms[STEPS][1000];
	double keys_ms[1000];    /* tmux send-keys alone */
	size_t n[STEPS], nkeys;
};

static int by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The p-th percentile of v[0..n) (nearest rank); sorts v. */
static double pct(double *v, size_t n, int p)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof *v, by_double);
	size_t k = (size_t)((p * n + 99) / 100);
	return v[k ? k - 1 : 0];
}

/* CLOCK_MONOTONIC in ms, to the microsecond. */
static double clock_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static const char *str(const cJSON *o, const char *name)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(o, name));
	return s ? s : "";
}

/* Read events until a message.created whose message has system_type
 * `system` (or, when NULL, the text `text`); returns its chat id into
 * chat[37] and the time it arrived. Fails showing the console's screen. */
static double wait_event(struct tmux *tm, struct ws *w, const char *system, const char *text,
			    char chat[37])
{
	char screen[8192];

	long long deadline = now_ms() + WAIT;

	while (now_ms() < deadline) {
		cJSON *e = ws_next(w, WAIT);
		double at = clock_ms();
		if (!e)
			break;
		const cJSON *m = cJSON_GetObjectItem(e, "message");
		bool match = strcmp(str(e, "type"), "message.created") == 0 && m &&
			     (system ? strcmp(str(m, "system_type"), system) == 0
				     : strcmp(str(m, "text"), text) == 0);
		if (match)
			snprintf(chat, 37, "%s", str(cJSON_GetObjectItem(e, "chat"), "id"));
		cJSON_Delete(e);
		if (match)
			return at;
	}
	fail_msg("bench: no %s event within %d ms; the console shows:\n%s",
		 system ? system : text, WAIT, tmux_screen(tm, screen, sizeof screen));
	return 0;
}

/* Press `key` and time it until the event; the chat it was on to chat. */
static void timed_key(struct samples *s, enum step step, struct tmux *tm, struct ws *w,
		      const char *key, const char *system, const char *text, char chat[37])
{
	double t0 = clock_ms();
	tmux_send_keys(tm, key, NULL);
	double t1 = clock_ms();
	double t2 = wait_event(tm, w, system, text, chat);

	s->ms[step][s->n[step]++] = t2 - t0;
	s->keys_ms[s->nkeys++] = t1 - t0;
}

static void bench_keys(void **state)
{
	(void)state;
	struct hub hub;
	struct tmux tm;
	struct ws w;
	static struct samples s;
	char agent[HUB_TOKEN_MAX], bot[HUB_TOKEN_MAX];
	char url[64], token_path[200], st[260], cf[260], ext[32];
	char text[64], chat[37], first[37];
	char (*done)[37] = calloc((size_t)chats, sizeof *done);

	hub_init(&hub);
	hub_token(&hub, "Ana", "agent", agent);
	hub_token(&hub, "Widget bridge", "ingest", bot);
	/* The hub's capacity is measured, not its rate limits. */
	hub_start(&hub, NULL);
	for (int i = 0; i < chats; i++) {
		snprintf(ext, sizeof ext, "keys-%d", i);
		ingest(&hub, bot, ext, "user", "a human please", true, NULL);
	}
	hub_url(&hub, "", url, sizeof url);
	hub_token_file(&hub, "agent", agent, token_path, sizeof token_path);
	snprintf(st, sizeof st, "XDG_STATE_HOME=%s/state", hub.dir);
	snprintf(cf, sizeof cf, "XDG_CONFIG_HOME=%s/config", hub.dir);
	const char *env[] = {st, cf, NULL};
	const char *argv[] = {getenv("HANDOFF_BIN"), "--server", url, "--token-file", token_path,
			      NULL};
	assert_true(ws_connect(&w, &hub, agent, NULL, NULL));
	cJSON_Delete(ws_next(&w, WAIT)); /* the hello */
	tmux_start(&tm, 120, 30, env, argv);
	tmux_wait_for(&tm, "live", WAIT);
	tmux_wait_for(&tm, "a human please", WAIT);

	for (int i = 0; i < chats; i++) {
		timed_key(&s, STEP_TAKEOVER, &tm, &w, "t", "AGENT_JOINED", NULL, first);
		snprintf(text, sizeof text, "bench reply %d", i);
		/* The chat has left the queue for Mine, where it is alone. */
		tmux_wait_for(&tm, "Mine 1", WAIT);
		tmux_send_keys(&tm, "2", "r", NULL);
		tmux_wait_for(&tm, "Enter sends", WAIT);
		tmux_type(&tm, text);
		tmux_wait_for(&tm, text, WAIT);
		timed_key(&s, STEP_REPLY, &tm, &w, "Enter", NULL, text, chat);
		assert_string_equal(chat, first);
		timed_key(&s, STEP_HANDBACK, &tm, &w, "b", "AGENT_LEFT", NULL, chat);
		assert_string_equal(chat, first);
		/* Once the console has the answer the chat has left Mine;
		 * back to the queue, whose top is the next chat. */
		tmux_wait_for(&tm, "Handed back to the bot", WAIT);
		tmux_send_keys(&tm, "1", NULL);
		for (int k = 0; k < i; k++)
			if (strcmp(done[k], first) == 0)
				fail_msg("bench: chat %s taken over twice", first);
		memcpy(done[i], first, sizeof done[i]);
	}
	free(done);
	tmux_kill(&tm);
	ws_close(&w);
	hub_cleanup(&hub);

	static const char *const label[STEPS] = {
		[STEP_TAKEOVER] = "`t` takeover → AGENT_JOINED",
		[STEP_REPLY] = "Enter in the composer → message.created",
		[STEP_HANDBACK] = "`b` handback → AGENT_LEFT",
	};
	printf("\nConsole key → hub applied: from handing the key to tmux until the hub's event "
	       "stream (a watcher, no sleep) shows the change; %d chats, one after another\n\n",
	       chats);
	printf("| key | n | p50 ms | p99 ms | max ms | of which tmux send-keys p50 ms |\n"
	       "|---|---:|---:|---:|---:|---:|\n");
	double keys50 = pct(s.keys_ms, s.nkeys, 50);
	for (int k = 0; k < STEPS; k++) {
		double p50 = pct(s.ms[k], s.n[k], 50), p99 = pct(s.ms[k], s.n[k], 99),
		       max = pct(s.ms[k], s.n[k], 100);
		printf("| %s | %zu | %.2f | %.2f | %.2f | %.2f |\n", label[k], s.n[k], p50, p99, max,
		       keys50);
	}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		chats = atoi(argv[1]);
	if (chats < 1 || chats > 1000) {
		fprintf(stderr, "usage: bench_console_keys [CHATS(1-1000)]\n");
		return 2;
	}
	if (!getenv("HANDOFF_BIN") || !getenv("HANDOFFD")) {
		fprintf(stderr, "bench_console_keys: set HANDOFF_BIN and HANDOFFD\n");
		return 2;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bench_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
