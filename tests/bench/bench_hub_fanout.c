/*
 * bench_hub_fanout.c — event fan-out of a real handoffd: one publisher
 * ingests messages on an absolute schedule at a steady rate, every event
 * goes to C WebSocket clients, and each client measures how late it got
 * each event.
 *
 *   bench_hub_fanout [CLIENTS [RATE [SECONDS]]]     defaults 100 2000 60
 *
 * Prints two Markdown tables: the whole run, and every 10 s window with
 * the hub's memory and write-ahead log, so growth over the run shows.
 * Budget: 2,000 events/s to each of 100 clients with p99 <= 50 ms, and no
 * client dropped.
 *
 * Each ingest goes into an existing chat, so it is exactly one event
 * (message.created). Latency is timed from the message's scheduled time:
 * when the publisher cannot send on time (every request slot busy because
 * the hub answers slowly), the wait counts, as it would for a bridge whose
 * platform does not wait. The older measure, from the time the request
 * was actually sent, is printed beside it.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "bench_hub.h"

#define RECEIVERS 4     /* receiver threads */
#define CHATS 50        /* chats the publisher writes into, round robin */
#define INFLIGHT 64     /* publisher requests in flight at most */
#define DRAIN_MS 10000  /* how long receivers wait for stragglers */
#define WINDOW_S 10

static int clients = 100, rate = 2000, seconds = 60;

static int by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The whole run. Rates are over the time from the first scheduled publish
 * to the last event (per client: to its own last event), so a backlog still
 * draining after the publisher stopped lowers them. */
static void report_run(const struct streams *s, const struct pacer *p, const struct schedule *sch,
		       int64_t end)
{
	struct samples due = {0}, sent = {0}, answer = {0};
	double *per = calloc((size_t)clients, sizeof *per);
	int64_t start = schedule_due(sch, 0), last = end;
	long dropped = 0, missing = 0;
	int k = 0;

	for (int t = 0; t < s->nr; t++) {
		const struct receiver *r = &s->r[t];
		for (int w = 0; w < sch->windows; w++)
			samples_merge(&due, &r->due_lat[w]);
		samples_merge(&sent, &r->sent_lat);
		for (int i = 0; i < r->n; i++, k++) {
			const struct stream *c = &r->st[i];
			per[k] = c->tagged ? c->tagged / ((double)(c->last_ns - start) / 1e9) : 0;
			dropped += c->closed;
			missing += p->ok - c->tagged;
			if (c->last_ns > last)
				last = c->last_ns;
		}
	}
	for (int w = 0; w < sch->windows; w++)
		samples_merge(&answer, &p->answer[w]);
	samples_sort(&due);
	samples_sort(&sent);
	samples_sort(&answer);
	qsort(per, (size_t)clients, sizeof *per, by_double);
	double p99 = samples_ms(&due, 0.99);
	/* 1 % slack: the rate is skewed by the edges of the run. */
	bool rate_met = !missing && per[0] >= rate * 0.99;

	printf("\n%d clients, %d events/s for %d s: %ld published, %ld refused "
	       "(%ld without an answer, last status %ld), %ld sent > 1 period late\n\n",
	       clients, rate, seconds, p->ok, p->failed, p->no_answer, p->last_status, p->late);
	printf("| measure | figure | budget |\n|---|---|---|\n");
	printf("| publish rate (ingest POSTs, 1 event each) | %.0f /s | %d /s |\n",
	       p->ok / ((double)(end - start) / 1e9), rate);
	printf("| ingest answer from schedule p50 / p99 / max | %.2f / %.2f / %.2f ms | none |\n",
	       samples_ms(&answer, 0.5), samples_ms(&answer, 0.99), samples_ms(&answer, 1));
	printf("| events per client: min / median | %.0f / %.0f /s | %d /s each: %s |\n", per[0],
	       per[clients / 2], rate, rate_met ? "met" : "MISSED");
	printf("| deliveries, all clients | %.0f /s | %ld /s |\n",
	       (double)due.n / ((double)(last - start) / 1e9), (long)rate * clients);
	printf("| scheduled → received p50 / p99 / max | %.2f / %.2f / %.2f ms | p99 ≤ 50 ms: %s |\n",
	       samples_ms(&due, 0.5), p99, samples_ms(&due, 1), p99 <= 50.0 ? "met" : "MISSED");
	printf("| sent → received p50 / p99 / max (older measure) | %.2f / %.2f / %.2f ms | none |\n",
	       samples_ms(&sent, 0.5), samples_ms(&sent, 0.99), samples_ms(&sent, 1));
	printf("| clients dropped / events missing | %ld / %ld | 0 / 0: %s |\n", dropped, missing,
	       dropped || missing ? "MISSED" : "met");
	free(per);
	free(due.us);
	free(sent.us);
	free(answer.us);
}

/* Every window: latency by scheduled time, and the hub as the probe saw
 * it; then, when a backlog was still draining, what came after. */
static void report_windows(const struct streams *s, const struct pacer *p,
			   const struct schedule *sch, const struct hub_probe *probe)
{
	char label[48], cells[128];
	long frames;

	printf("\n| window | deliveries /s | scheduled → received p50 / p99 / max ms "
	       "| ingest answer p99 ms | hub CPU | hub RSS end (max) MB | WAL max / end MB "
	       "| db MB |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
	for (int w = 0; w < sch->windows; w++) {
		struct samples lat = {0}, answer = p->answer[w];
		double len_s = window_seconds(sch, w);
		streams_window(s, w, &lat, &frames);
		samples_sort(&answer);
		window_label(sch, w, label, sizeof label);
		hub_window_cells(&probe->w[w], len_s, cells, sizeof cells);
		printf("| %s | %.0f | %.2f / %.2f / %.2f | %.2f | %s |\n", label, frames / len_s,
		       samples_ms(&lat, 0.5), samples_ms(&lat, 0.99), samples_ms(&lat, 1),
		       samples_ms(&answer, 0.99), cells);
		free(lat.us);
	}
	double after = hub_probe_after_s(probe);
	streams_window(s, sch->windows, NULL, &frames);
	if (after > 0 && frames) {
		hub_window_cells(&probe->w[sch->windows], after, cells, sizeof cells);
		printf("| after the schedule, %.1f s | %.0f | | | %s |\n", after, frames / after,
		       cells);
	}
}

static void bench(void **state)
{
	(void)state;
	struct hub h;
	struct streams s;
	struct pacer p;
	struct schedule sch;
	struct hub_probe probe;
	char ingest_token[HUB_TOKEN_MAX], agent_token[HUB_TOKEN_MAX];
	char(*chat_ids)[37] = calloc(CHATS, sizeof *chat_ids);

	hub_init(&h);
	hub_token(&h, "Bench bridge", "ingest", ingest_token);
	hub_token(&h, "Bench agent", "agent", agent_token);
	/* The hub's capacity is measured, not its rate limits; and streams and
	 * publisher all come from 127.0.0.1, where consoles come from many
	 * addresses, so not its per-address cap either. */
	hub_start(&h, "--max-connections-per-address", "1024", NULL);
	schedule_init(&sch, rate, seconds, WINDOW_S);
	pacer_init(&p, &h, "/v1/ingest/messages", ingest_token, INFLIGHT, &sch);
	for (int i = 0; i < CHATS; i++) {
		char ext[32];
		snprintf(ext, sizeof ext, "fanout-%d", i);
		ingest(&h, ingest_token, ext, "user", "hello", false, chat_ids[i]);
	}
	streams_start(&s, &h, agent_token, clients, RECEIVERS, &sch);
	schedule_begin(&sch);
	hub_probe_start(&probe, &h, &sch);

	publish_tagged(&p, &sch, chat_ids, CHATS);
	int64_t end = now_ns();
	streams_finish(&s, p.ok, DRAIN_MS);
	hub_probe_stop(&probe);
	report_run(&s, &p, &sch, end);
	report_windows(&s, &p, &sch, &probe);

	hub_probe_free(&probe);
	streams_free(&s);
	pacer_free(&p);
	hub_cleanup(&h);
	free(chat_ids);
}

int main(int argc, char **argv)
{
	int *const args[] = {&clients, &rate, &seconds};

	return bench_hub_main(argc, argv, "usage: bench_hub_fanout [CLIENTS [RATE [SECONDS]]]\n", args,
			      bench);
}
