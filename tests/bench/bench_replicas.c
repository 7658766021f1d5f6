/*
 * bench_replicas.c — hubs sharing one PostgreSQL database, beside one hub
 * on SQLite, in one run: what each replica costs and what a client of any
 * of them waits.
 *
 *   tests/integration/with_pg -- tests/bench/bench_replicas [RATE [SECONDS [STREAMS]]]
 *                                                 defaults 300 20 30
 *
 * with_pg starts a private PostgreSQL server (run it with
 * HANDOFF_PG_DURABLE=1 for fsync and synchronous commits, a production
 * server's settings). For each setup — SQLite, then PostgreSQL with 1, 2
 * and 3 hubs — it measures, on a fresh database:
 *
 *  - fan-out: a publisher ingests into existing chats through the first
 *    hub on an absolute schedule at RATE/s for SECONDS; STREAMS agent
 *    streams, spread evenly over the hubs, time each event from its
 *    scheduled publish time (so a hub that answers late is not hidden);
 *    every hub's CPU over the run;
 *  - ingest throughput: 8 requests kept in flight against the first hub
 *    for 5 s, each a new message in an existing chat: answered per second;
 *  - failover (2 hubs and more): a stream on hub A that has seen every
 *    event; A is killed (SIGKILL) while the publisher writes through B; a
 *    new stream on B with ?since= the last seq seen: time from the kill to
 *    B's hello, and to the stream having every event written meanwhile.
 *    A console waits its reconnect delay on top (0.5 s for the first try).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_hub.h"

#define MAX_HUBS 3
#define CHATS 20        /* chats the publisher writes into, round robin */
#define INFLIGHT 32     /* publisher requests in flight at most */
#define RECEIVERS 2     /* receiver threads per hub */
#define DRAIN_MS 10000
#define THROUGHPUT_S 5
#define THROUGHPUT_INFLIGHT 8
#define FAILOVER_WRITES 200

static int rate = 300, seconds = 20, nstreams = 30;

struct setup {
	const char *name;
	bool pg;
	int hubs;
};

static const struct setup setups[] = {
	{"SQLite, 1 hub", false, 1},
	{"PostgreSQL, 1 hub", true, 1},
	{"PostgreSQL, 2 hubs", true, 2},
	{"PostgreSQL, 3 hubs", true, 3},
};

struct result {
	double p50, p99, max;   /* scheduled → received, ms */
	double answer_p99;      /* ingest answer from schedule, ms */
	double cpu_pct;         /* all hubs' CPU over the run, % of one CPU */
	long missing, dropped;
	double throughput;      /* ingests answered per second, closed loop */
	double hello_ms, caught_up_ms; /* failover; < 0: not measured */
};

static void chats_for(struct hub *h, const char *bot, char ids[][37])
{
	char ext[32];

	for (int i = 0; i < CHATS; i++) {
		snprintf(ext, sizeof ext, "bench-%d", i);
		ingest(h, bot, ext, "user", "hello", false, ids[i]);
	}
}

static void fanout(struct hub *hubs, int n, const char *bot, const char *watcher,
		   char ids[][37], struct result *out)
{
	struct schedule sch;
	struct streams st[MAX_HUBS];
	struct pacer pub;
	struct samples lat = {0}, answer = {0};
	double cpu0[MAX_HUBS], cpu = 0;

	schedule_init(&sch, rate, seconds, seconds);
	for (int h = 0; h < n; h++)
		streams_start(&st[h], &hubs[h], watcher, nstreams / n, RECEIVERS, &sch);
	pacer_init(&pub, &hubs[0], "/v1/ingest/messages", bot, INFLIGHT, &sch);
	for (int h = 0; h < n; h++)
		cpu0[h] = hub_cpu_seconds(hubs[h].pid);
	schedule_begin(&sch);
	int64_t start = now_ns();
	publish_tagged(&pub, &sch, ids, CHATS);
	for (int h = 0; h < n; h++)
		streams_finish(&st[h], pub.ok, DRAIN_MS);
	double elapsed = (double)(now_ns() - start) / 1e9;
	for (int h = 0; h < n; h++)
		cpu += hub_cpu_seconds(hubs[h].pid) - cpu0[h];

	memset(out, 0, sizeof *out);
	for (int h = 0; h < n; h++) {
		long frames;
		struct samples w = {0};
		streams_window(&st[h], 0, &w, &frames);
		samples_merge(&lat, &w);
		free(w.us);
		for (int t = 0; t < st[h].nr; t++)
			for (int i = 0; i < st[h].r[t].n; i++) {
				out->missing += pub.ok - st[h].r[t].st[i].tagged;
				out->dropped += st[h].r[t].st[i].closed;
			}
	}
	samples_merge(&answer, &pub.answer[0]);
	samples_sort(&lat);
	samples_sort(&answer);
	out->p50 = samples_ms(&lat, 0.5);
	out->p99 = samples_ms(&lat, 0.99);
	out->max = samples_ms(&lat, 1);
	out->answer_p99 = samples_ms(&answer, 0.99);
	out->cpu_pct = 100 * cpu / elapsed;
	if (pub.failed)
		printf("  %ld ingests refused (last status %ld)\n", pub.failed, pub.last_status);
	free(lat.us);
	free(answer.us);
	pacer_free(&pub);
	for (int h = 0; h < n; h++)
		streams_free(&st[h]);
}

/* Closed loop: as many ingests as THROUGHPUT_INFLIGHT requests in flight
 * get answered, for THROUGHPUT_S seconds (a schedule far above that). */
static double throughput(struct hub *h, const char *bot, char ids[][37])
{
	struct schedule sch;
	struct pacer p;

	schedule_init(&sch, 100000, THROUGHPUT_S, THROUGHPUT_S);
	pacer_init(&p, h, "/v1/ingest/messages", bot, THROUGHPUT_INFLIGHT, &sch);
	schedule_begin(&sch);
	int64_t start = now_ns(), end = start + (int64_t)THROUGHPUT_S * 1000000000;
	char body[256];
	for (long i = 0; now_ns() < end; i++) {
		pacer_wait(&p, 0);
		snprintf(body, sizeof body,
			 "{\"chat_id\":\"%s\",\"role\":\"user\",\"text\":\"closed loop %ld\"}",
			 ids[i % CHATS], i);
		pacer_send(&p, now_ns(), body);
	}
	pacer_drain(&p);
	double r = p.ok / ((double)(now_ns() - start) / 1e9);
	pacer_free(&p);
	return r;
}

/* The seq of an event frame (0 for a frame without one). */
static long long seq_of(cJSON *e)
{
	cJSON *s = cJSON_GetObjectItemCaseSensitive(e, "seq");
	return cJSON_IsNumber(s) ? (long long)s->valuedouble : 0;
}

/* Kill hubs[0] under a stream that saw everything, write through hubs[1],
 * resume there. */
static void failover(struct hub *hubs, const char *bot, const char *watcher, struct result *out)
{
	struct ws a, b;
	long long last = 0, head = 0;

	ws_connect(&a, &hubs[0], watcher, NULL, NULL);
	cJSON *e = ws_next(&a, 5000); /* hello */
	cJSON_Delete(e);
	ingest(&hubs[1], bot, "failover", "user", "before", false, NULL);
	while ((e = ws_next(&a, 5000))) {
		last = seq_of(e);
		cJSON_Delete(e);
		if (last)
			break;
	}
	int64_t killed = now_ns();
	hub_kill(&hubs[0]);
	ws_close(&a);
	for (int i = 0; i < FAILOVER_WRITES; i++)
		ingest(&hubs[1], bot, "failover", "user", "while A is gone", false, NULL);

	char since[48];
	snprintf(since, sizeof since, "since=%lld", last);
	int64_t asked = now_ns();
	assert_true(ws_connect(&b, &hubs[1], watcher, since, NULL));
	e = ws_next(&b, 5000);
	int64_t hello = now_ns();
	cJSON *h = cJSON_GetObjectItemCaseSensitive(e, "head");
	head = cJSON_IsNumber(h) ? (long long)h->valuedouble : 0;
	cJSON_Delete(e);
	long replayed = 0;
	while (last < head && (e = ws_next(&b, 10000))) {
		long long s = seq_of(e);
		if (s) {
			last = s;
			replayed++;
		}
		cJSON_Delete(e);
	}
	int64_t caught_up = now_ns();
	ws_close(&b);
	/* The writes while A was gone are the bench's own pace, not the
	 * hub's: timed from the request for the new stream. */
	out->hello_ms = (double)(hello - asked) / 1e6;
	out->caught_up_ms = (double)(caught_up - asked) / 1e6;
	printf("  failover: %ld events replayed on B, %.0f ms from the kill to the new stream "
	       "(the bench's own writes)\n",
	       replayed, (double)(asked - killed) / 1e6);
}

static void run(const struct setup *su, const char *pg_conninfo, struct result *out)
{
	struct hub hubs[MAX_HUBS];
	char ids[CHATS][37];

	if (su->pg)
		setenv("HANDOFF_TEST_PG", pg_conninfo, 1);
	else
		unsetenv("HANDOFF_TEST_PG");
	hub_init(&hubs[0]);
	char *bot = strdup(hub_add_account(&hubs[0], "bench-bot", "ingest"));
	char *watcher = strdup(hub_add_account(&hubs[0], "watcher", "supervisor"));
	hub_start(&hubs[0], NULL);
	for (int h = 1; h < su->hubs; h++) {
		hub_init_replica(&hubs[h], &hubs[0]);
		hub_start(&hubs[h], NULL);
	}
	chats_for(&hubs[0], bot, ids);
	fanout(hubs, su->hubs, bot, watcher, ids, out);
	out->throughput = throughput(&hubs[0], bot, ids);
	out->hello_ms = out->caught_up_ms = -1;
	if (su->hubs > 1)
		failover(hubs, bot, watcher, out);
	for (int h = 0; h < su->hubs; h++)
		hub_cleanup(&hubs[h]);
	free(bot);
	free(watcher);
}

static void bench(void **state)
{
	const char *pg = getenv("HANDOFF_TEST_PG");
	struct result r[sizeof setups / sizeof setups[0]];

	(void)state;
	if (!pg)
		fail_msg("run under tests/integration/with_pg: it starts the PostgreSQL server");
	char *conninfo = strdup(pg);
	for (size_t i = 0; i < sizeof setups / sizeof setups[0]; i++) {
		printf("%s ...\n", setups[i].name);
		fflush(stdout);
		run(&setups[i], conninfo, &r[i]);
	}
	setenv("HANDOFF_TEST_PG", conninfo, 1);
	free(conninfo);

	printf("\n%d events/s for %d s into %d chats through the first hub, %d streams spread "
	       "over the hubs (PostgreSQL %s)\n\n",
	       rate, seconds, CHATS, nstreams,
	       getenv("HANDOFF_PG_DURABLE") ? "durable: fsync, synchronous commits"
					    : "as the tests run it: no fsync");
	printf("| setup | scheduled → received p50 / p99 / max ms | ingest answer p99 ms "
	       "| hubs' CPU | missing / dropped | ingests /s, 8 in flight "
	       "| failover: hello / caught up ms |\n|---|---:|---:|---:|---:|---:|---:|\n");
	for (size_t i = 0; i < sizeof setups / sizeof setups[0]; i++) {
		char fo[64] = "—";
		if (r[i].hello_ms >= 0)
			snprintf(fo, sizeof fo, "%.1f / %.1f", r[i].hello_ms, r[i].caught_up_ms);
		printf("| %s | %.2f / %.2f / %.2f | %.2f | %.0f %% | %ld / %ld | %.0f | %s |\n",
		       setups[i].name, r[i].p50, r[i].p99, r[i].max, r[i].answer_p99, r[i].cpu_pct,
		       r[i].missing, r[i].dropped, r[i].throughput, fo);
	}
}

int main(int argc, char **argv)
{
	int *const args[3] = {&rate, &seconds, &nstreams};

	return bench_hub_main(argc, argv,
			      "usage: with_pg -- bench_replicas [RATE [SECONDS [STREAMS]]]\n", args,
			      bench);
}
