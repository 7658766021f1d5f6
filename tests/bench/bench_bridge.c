/*
 * bench_bridge.c — a real handoffd, a real handoff-bridge and a platform's
 * simulator on loopback, one row per platform (the table below); what an
 * agent waits for:
 *
 *   inbound   a customer's message in an open conversation on the
 *             platform -> its message.created on the hub's event stream:
 *             pushed where the platform pushes (the bridge's webhook),
 *             else polled every POLL_MS;
 *   reply     an agent's reply accepted by the hub -> the message on the
 *             platform (the simulator's read-back, asked every READ_MS);
 *   backfill  N Botpress conversations of 2 messages waiting on the
 *             platform when the bridge starts -> all N chats in the hub;
 *   AI answer a customer's message in a chat granted to an AI agents
 *             bridge (agents simulator) -> the agent's reply on the hub's
 *             event stream.
 *
 *   bench_bridge [SAMPLES [BACKFILL]]     defaults 200 1000; SAMPLES 0:
 *                                         the backfill alone
 *
 * Prints Markdown tables (doc/performance.md, "Bridges"). Goals: pushed
 * p99 <= 50 ms, polled max <= interval + 100 ms, backfill >= 1,000
 * conversations/s.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <poll.h>
#include <sys/resource.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ag_client.h"
#include "bridge_proc.h"

#define POLL_MS 200
#define READ_MS 2

/* A platform as the benchmark drives it: its world, how the bridge hears
 * of a message, and the simulator's control routes for its conversations
 * (POST /_sim/<route> starts one, POST /_sim/<route>/{id}/customer makes a
 * customer message, GET /_sim/<route>/{id} reads it back). */
struct bench_platform {
	const struct world_platform *world;
	enum { POLLED, PUSHED, PUSHED_PER_CONVERSATION } heard;
	const char *route;
	const char *id_field;      /* the conversation's id in the start answer */
	const char *messages;      /* the read-back's list of messages */
};

static const struct bench_platform platforms[] = {
	{&world_botpress, PUSHED, "conversations", "conversationId", "messages"},
	/* The bridge gives each thread its webhook when it first reads it. */
	{&world_threads, PUSHED_PER_CONVERSATION, "threads", "threadId", "messages"},
	{&world_chats, POLLED, "chats", "chatId", "messages"},
	{&world_conversations, POLLED, "conversations", "conversationId", "chats"},
};

static int samples = 200, backfill = 1000;

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

/* Sorts v; its p50, p99 and max into out. */
static void percentiles(long long *v, int n, long long out[3])
{
	qsort(v, (size_t)n, sizeof *v, cmp_ll);
	out[0] = v[n / 2];
	out[1] = v[n * 99 / 100];
	out[2] = v[n - 1];
}

/* The bridge's config for how this platform is heard. */
static void config_for(const struct bench_platform *p, char *out, size_t n)
{
	int port = free_port();

	if (p->heard == POLLED) {
		snprintf(out, n, "poll_min_ms = %d\npoll_max_ms = %d\n", POLL_MS, POLL_MS);
		return;
	}
	/* Pushed: polling parked after the round at start. */
	snprintf(out, n,
		 "poll_min_ms = 600000\npoll_max_ms = 600000\n"
		 "webhook_listen = 127.0.0.1:%d\nwebhook_secret_file = webhook.secret\n", port);
	if (p->heard == PUSHED_PER_CONVERSATION)
		snprintf(out + strlen(out), n - strlen(out), "webhook_url = http://127.0.0.1:%d/\n",
			 port);
}

/* A customer message in the open conversation, each `samples` times, until
 * the hub's event stream shows it. */
static void inbound(struct world *w, const struct bench_platform *p, const char *conv,
		    long long *v)
{
	struct ws ws;
	int status;
	char path[160];

	snprintf(path, sizeof path, "/_sim/%s/%s/customer", p->route, conv);
	assert_true(ws_connect(&ws, &w->hub, w->ana, NULL, &status));
	cJSON_Delete(ws_next(&ws, 5000)); /* hello */
	for (int i = 0; i < samples; i++) {
		char text[64];
		snprintf(text, sizeof text, "lag sample %d", i);
		long long t0 = now_ms();
		cJSON_Delete(simc_ctl(&w->sim, "POST", path, "{\"text\":\"%s\"}", text));
		for (;;) {
			cJSON *e = ws_next(&ws, 10000);
			assert_non_null(e);
			const char *t = jstr(e, "message.text");
			bool hit = t && strcmp(t, text) == 0;
			cJSON_Delete(e);
			if (hit)
				break;
		}
		v[i] = now_ms() - t0;
		/* Apart, as customers are: the next one is not already queued. */
		poll(NULL, 0, 5 + i % 7);
	}
	ws_close(&ws);
}

/* An agent reply, each `samples` times, until the platform holds it. */
static void reply(struct world *w, const struct bench_platform *p, const char *conv,
		  const char *chat, long long *v)
{
	char msg[37];

	hub_action(w, chat, "takeover");
	for (int i = 0; i < samples; i++) {
		long long t0 = now_ms();
		hub_reply(w, chat, "a reply", msg);
		while (sim_api_count(w, p->route, conv, p->messages) <= i) {
			assert_true(now_ms() - t0 < 10000);
			poll(NULL, 0, READ_MS);
		}
		v[i] = now_ms() - t0;
	}
}

static void bench_platform(const struct bench_platform *p)
{
	struct world w;
	char conf[512], conv[64], chat[37], path[64], heard[40];
	long long *in = calloc((size_t)samples, sizeof *in), in_q[3];
	long long *out = calloc((size_t)samples, sizeof *out), out_q[3];

	assert_non_null(in);
	assert_non_null(out);
	config_for(p, conf, sizeof conf);
	world_init_for(&w, p->world, conf);
	/* Open before the bridge starts: its first round reads it (and, where
	 * the platform pushes per conversation, hooks it). */
	snprintf(path, sizeof path, "/_sim/%s", p->route);
	cJSON *j = simc_ctl(&w.sim, "POST", path, "{\"text\":\"need a human\"}");
	snprintf(conv, sizeof conv, "%s", jstr(j, p->id_field));
	cJSON_Delete(j);
	bridge_start(&w);
	wait_for(&w, hub_has_chat, "need a human", "the chat");
	assert_true(hub_chat_by_preview(&w, "need a human", chat));

	inbound(&w, p, conv, in);
	reply(&w, p, conv, chat, out);
	percentiles(in, samples, in_q);
	percentiles(out, samples, out_q);
	if (p->heard == POLLED)
		snprintf(heard, sizeof heard, "polled every %d ms", POLL_MS);
	else
		snprintf(heard, sizeof heard, "pushed (webhook)");
	printf("| %s | %s | %d | %lld | %lld | %lld | %lld | %lld | %lld |\n", p->world->name, heard,
	       samples,
	       in_q[0], in_q[1], in_q[2], out_q[0], out_q[1], out_q[2]);
	world_free(&w);
	free(in);
	free(out);
}

/* The agent's reply on Ana's stream `ws` for the customer's message
 * `text`, written by the widget `token` into chat "bench-ai"; the lag. */
static long long ask(struct world *w, struct ws *ws, const char *token, const char *text)
{
	char body[256];
	long long t0 = now_ms();

	snprintf(body, sizeof body,
		 "{\"external_id\":\"bench-ai\",\"role\":\"user\",\"text\":\"%s\"}", text);
	struct reply r = http(&w->hub, "POST", "/v1/ingest/messages", token, body);
	assert_int_equal(r.status, 201);
	reply_free(&r);
	for (;;) {
		cJSON *e = ws_next(ws, 10000);
		assert_non_null(e);
		const char *role = jstr(e, "message.role"), *t = jstr(e, "message.text");
		bool hit = role && strcmp(role, "bot") == 0 && t && strncmp(t, "Thanks!", 7) == 0;
		cJSON_Delete(e);
		if (hit)
			return now_ms() - t0;
	}
}

static void bench_answer(void)
{
	const char *handoffd = getenv("HANDOFFD") ? getenv("HANDOFFD") : "./handoffd";
	char widget[HUB_TOKEN_MAX], cmd[512];
	long long *v = calloc((size_t)samples, sizeof *v);
	struct world w;
	struct ws ws;
	int status;

	world_init_for(&w, &world_agents, NULL);
	hub_token(&w.hub, "Website widget", "ingest", widget);
	snprintf(cmd, sizeof cmd,
		 "'%s' grant 'AI agent bridge' --account 'Website widget' --db '%s' >/dev/null 2>&1",
		 handoffd, w.hub.db);
	assert_int_equal(system(cmd), 0);
	bridge_start(&w);
	assert_true(ws_connect(&ws, &w.hub, w.ana, NULL, &status));
	cJSON_Delete(ws_next(&ws, 5000)); /* hello */
	ask(&w, &ws, widget, "warm-up"); /* the agent and its client read once */
	for (int i = 0; i < samples; i++) {
		v[i] = ask(&w, &ws, widget, "where is my order");
		poll(NULL, 0, 5 + i % 7);
	}
	ws_close(&ws);
	long long p[3];
	percentiles(v, samples, p);
	printf("| measure | samples | p50 | p99 | max |\n|---|---|---|---|---|\n");
	printf("| customer → AI agent's answer in the hub | %d | %lld ms | %lld ms | %lld ms |\n\n",
	       samples, p[0], p[1], p[2]);
	world_free(&w);
	free(v);
}

/* The hub's chat count (meta.total of a one-chat page: the wait itself
 * should cost the hub little); -1 when the hub does not answer. */
static int chats_in(struct world *w)
{
	struct reply r = http(&w->hub, "GET", "/v1/chats?limit=1", w->ana, NULL);
	const cJSON *total = jat(r.json, "meta.total");
	int n = r.status == 200 && total ? (int)total->valuedouble : -1;
	reply_free(&r);
	return n;
}

/* User + system seconds of this process and of its children reaped so far. */
static double cpu_s(void)
{
	struct rusage self, kids;

	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	return (double)(self.ru_utime.tv_sec + self.ru_stime.tv_sec + kids.ru_utime.tv_sec +
			kids.ru_stime.tv_sec) +
	       (double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec + kids.ru_utime.tv_usec +
			kids.ru_stime.tv_usec) / 1e6;
}

/* User + system seconds of a running process (/proc), 0 when unknown. */
static double proc_cpu_s(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut = 0, st = 0;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "re")))
		return 0;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* Fields 14 and 15, counted after the command's closing parenthesis. */
	if (!(p = strrchr(buf, ')')) ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return 0;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* The write calls a running process made (/proc: files and sockets by
 * write(), not send()): for the bridge, mostly its state db's and its
 * log's, whatever the machine's load. -1 when unknown. */
static long long proc_writes(pid_t pid)
{
	char path[64], line[128];
	long long n = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/io", (int)pid);
	if (!(f = fopen(path, "re")))
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "syscw: %lld", &n) == 1)
			break;
	fclose(f);
	return n;
}

/* The platform requests the backfill made, by route (the simulator's
 * stats), on one line. */
static void print_requests(struct world *w)
{
	cJSON *st = simc_ctl(&w->sim, "GET", "/_sim/stats", NULL);
	const cJSON *by = cJSON_GetObjectItemCaseSensitive(st, "requestsByRoute"), *r;
	int total = 0;

	printf("platform requests:");
	cJSON_ArrayForEach(r, by) {
		printf(" %s %d;", r->string, (int)r->valuedouble);
		total += (int)r->valuedouble;
	}
	printf(" %d in all\n", total);
	cJSON_Delete(st);
}

/* N conversations waiting on the platform when the bridge starts, until
 * the hub lists them all; the hub's count is read every 50 ms. CPU counts
 * every process (hub, bridge, simulator, this one) from the seed on. */
static void bench_backfill(void)
{
	struct world w;
	long long first = -1;
	int n;

	world_init(&w, "poll_min_ms = 50\npoll_max_ms = 200\n");
	cJSON_Delete(simc_ctl(&w.sim, "POST", "/_sim/seed", "{\"conversations\":%d,\"messages\":2}",
			       backfill));
	double cpu0 = cpu_s();
	long long t0 = now_ms();
	bridge_start(&w);
	long long deadline = t0 + 600000;
	while ((n = chats_in(&w)) < backfill) {
		if (n > 0 && first < 0)
			first = now_ms() - t0;
		assert_true(now_ms() < deadline);
		poll(NULL, 0, 50);
	}
	long long ms = now_ms() - t0;
	printf("CPU by process: hub %.1f s, bridge %.1f s, simulator %.1f s; "
	       "the bridge's write calls: %lld\n",
	       proc_cpu_s(w.hub.pid), proc_cpu_s(w.bridge), proc_cpu_s(w.sim.pid),
	       proc_writes(w.bridge));
	print_requests(&w);
	world_free(&w);
	printf("| backfill: %d conversations × 2 messages | %lld ms | %.0f conversations/s | "
	       "first chat in by %lld ms | CPU %.1f s, all processes | goal ≥ 1,000/s |\n",
	       backfill, ms, backfill * 1000.0 / (double)(ms ? ms : 1), first < 0 ? ms : first,
	       cpu_s() - cpu0);
}

static void run(void **state)
{
	(void)state;
	if (!samples) { /* the backfill alone */
		bench_backfill();
		return;
	}
	printf("| platform | inbound | samples | platform → hub p50 | p99 | max "
	       "| agent reply → platform p50 | p99 | max |\n"
	       "|---|---|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < sizeof platforms / sizeof *platforms; i++)
		bench_platform(&platforms[i]);
	printf("\n");
	bench_answer();
	bench_backfill();
}

int main(int argc, char **argv)
{
	if (argc > 1)
		samples = atoi(argv[1]);
	if (argc > 2)
		backfill = atoi(argv[2]);
	if ((samples && samples < 10) || backfill < 1) {
		fprintf(stderr, "usage: bench_bridge [SAMPLES>=10 or 0 [BACKFILL]]\n");
		return 2;
	}
	const struct CMUnitTest tests[] = {cmocka_unit_test(run)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
