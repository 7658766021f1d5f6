/*
 * bench_hub_soak.c — a real handoffd under a steady, realistic ingest for
 * minutes, watched for growth: its memory, its write-ahead log and
 * database file, ingest latency and events delivered, every 10 s.
 *
 *   bench_hub_soak [SECONDS [RATE [STREAMS]]]     defaults 600 300 20
 *
 * A bridge-like publisher sends RATE messages a second on an absolute
 * schedule (curl multi, at most 32 requests in flight) by external_id and
 * external_message_id, as the bridges do: 200 conversations are open at a
 * time, each a customer and a bot taking turns for 2 to 14 messages (8 on
 * average) of 20 to 500 characters; one in ten escalates on its third
 * message. A conversation that ends is replaced by a new one, so new chats
 * (about RATE / 8 a second) and messages into existing ones are mixed.
 * STREAMS agent consoles' event streams (/v1/events) read every event.
 *
 * Ingest latency is timed from each message's scheduled time, so a hub
 * that stalls shows even when the publisher falls behind. The random
 * choices come from a fixed seed: every run sends the same messages.
 *
 * Prints Markdown: the run's totals, then one row per 10 s window.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_hub.h"

#define OPEN 200        /* conversations open at once */
#define RECEIVERS 2     /* receiver threads for the streams */
#define INFLIGHT 32     /* publisher requests in flight at most */
#define DRAIN_MS 10000  /* how long receivers wait for stragglers */
#define WINDOW_S 10
#define ESCALATE_AT 3   /* the message on which one conversation in ten escalates */

static int seconds = 600, rate = 300, nstreams = 20;

struct conversation {
	long id;        /* external_id "soak-<id>" */
	int sent, len;  /* messages so far, and how many it will have */
	bool escalates;
};

struct soak {
	struct conversation open[OPEN];
	long next_id;   /* conversations begun */
	long escalated;
	uint64_t rng;
};

static uint64_t next_rand(struct soak *s)
{
	/* xorshift64: the same sequence every run. */
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return s->rng;
}

static void conversation_begin(struct soak *s, struct conversation *c)
{
	c->id = s->next_id++;
	c->sent = 0;
	c->len = 2 + (int)(next_rand(s) % 13);
	c->escalates = next_rand(s) % 10 == 0;
}

/* Words for the texts: what is measured is their length, not their sense. */
static const char *const words[] = {
	"hello", "order", "refund", "delivery", "account", "password", "thanks", "please",
	"tracking", "number", "invoice", "the", "my", "is", "not", "working", "since", "yesterday",
	"could", "you", "check", "again", "payment", "card", "address", "changed", "when", "will",
};

/* Message i of the run, due at `due`, into body[len]. */
static void next_message(struct soak *s, int64_t due, char *body, size_t len)
{
	struct conversation *c = &s->open[next_rand(s) % OPEN];
	char text[640];
	int target = 20 + (int)(next_rand(s) % 481);
	int n = snprintf(text, sizeof text, BENCH_TAG "%lld s=%lld", (long long)due,
			 (long long)now_ns());

	while (n < target) {
		const char *w = words[next_rand(s) % (sizeof words / sizeof *words)];
		n += snprintf(text + n, sizeof text - (size_t)n, " %s", w);
	}
	/* Customer first, then the bot, in turn; an escalated chat has no bot. */
	bool user = c->sent % 2 == 0 || (c->escalates && c->sent >= ESCALATE_AT - 1);
	bool escalate = c->escalates && c->sent == ESCALATE_AT - 1;
	s->escalated += escalate;
	snprintf(body, len,
		 "{\"external_id\":\"soak-%ld\",\"external_message_id\":\"m-%ld-%d\","
		 "\"channel\":{\"type\":\"widget\",\"name\":\"Website\"},"
		 "\"owner\":{\"external_id\":\"owner-%ld\",\"name\":\"Customer %ld\"},"
		 "\"role\":\"%s\",\"text\":\"%s\",\"escalate\":%s}",
		 c->id, c->id, c->sent, c->id, c->id, user ? "user" : "bot", text,
		 escalate ? "true" : "false");
	if (++c->sent == c->len)
		conversation_begin(s, c);
}

static void publish(struct pacer *p, const struct schedule *sch, struct soak *s)
{
	char body[1024];

	for (long i = 0; i < sch->total; i++) {
		int64_t due = schedule_due(sch, i);
		pacer_wait(p, due);
		next_message(s, due, body, sizeof body);
		pacer_send(p, due, body);
	}
	pacer_drain(p);
}

static void report(const struct streams *st, const struct pacer *p, const struct schedule *sch,
		   const struct hub_probe *probe, const struct soak *s, long rss_start_kb,
		   long long stop_ms)
{
	struct samples all = {0};
	long long wal_max = 0;
	long dropped = 0, missing = 0, frames_all = 0, frames;
	char label[48], cells[128];

	for (int t = 0; t < st->nr; t++)
		for (int i = 0; i < st->r[t].n; i++) {
			dropped += st->r[t].st[i].closed;
			missing += p->ok - st->r[t].st[i].tagged;
		}
	for (int w = 0; w < sch->windows; w++)
		samples_merge(&all, &p->answer[w]);
	for (int w = 0; w <= sch->windows; w++)
		wal_max = probe->w[w].wal_max > wal_max ? probe->w[w].wal_max : wal_max;
	samples_sort(&all);
	/* The hub as last sampled: after the schedule when a backlog drained. */
	const struct hub_window *last = &probe->w[hub_probe_after_s(probe) > 0 ? sch->windows
									      : sch->windows - 1];

	printf("\n%d messages/s for %d s, %d event streams: %ld stored, %ld refused "
	       "(%ld without an answer, last status %ld), %ld sent > 1 period late; "
	       "%ld chats (%ld escalated)\n\n",
	       rate, seconds, nstreams, p->ok, p->failed, p->no_answer, p->last_status, p->late,
	       s->next_id, s->escalated);
	printf("| measure | figure |\n|---|---|\n");
	printf("| ingest answer from schedule p50 / p99 / max | %.2f / %.2f / %.2f ms |\n",
	       samples_ms(&all, 0.5), samples_ms(&all, 0.99), samples_ms(&all, 1));
	printf("| hub RSS after start → at end | %.1f → %.1f MB |\n", rss_start_kb / 1024.0,
	       last->rss_kb / 1024.0);
	printf("| WAL largest sampled (every 100 ms) | %.1f MB |\n", wal_max / 1e6);
	printf("| database file at end | %.1f MB |\n", last->db_end / 1e6);
	printf("| streams dropped / tagged events missing | %ld / %ld |\n", dropped, missing);
	printf("| SIGTERM → exit | %lld ms |\n", stop_ms);

	printf("\n| window | stored /s | ingest p50 / p99 / max ms | events delivered /s "
	       "| event p99 ms | hub CPU | hub RSS end (max) MB | WAL max / end MB | db MB |\n"
	       "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	for (int w = 0; w < sch->windows; w++) {
		struct samples lat = {0}, answer = p->answer[w];
		double len_s = window_seconds(sch, w);
		streams_window(st, w, &lat, &frames);
		frames_all += frames;
		samples_sort(&answer);
		window_label(sch, w, label, sizeof label);
		hub_window_cells(&probe->w[w], len_s, cells, sizeof cells);
		printf("| %s | %.0f | %.2f / %.2f / %.2f | %.0f | %.2f | %s |\n", label,
		       answer.n / len_s, samples_ms(&answer, 0.5), samples_ms(&answer, 0.99),
		       samples_ms(&answer, 1), frames / len_s, samples_ms(&lat, 0.99), cells);
		free(lat.us);
	}
	double after = hub_probe_after_s(probe);
	streams_window(st, sch->windows, NULL, &frames);
	frames_all += frames;
	if (after > 0 && frames) {
		hub_window_cells(&probe->w[sch->windows], after, cells, sizeof cells);
		printf("| after the schedule, %.1f s | | | %.0f | | %s |\n", after, frames / after,
		       cells);
	}
	printf("\n%ld events delivered in all (every stream, every event type).\n", frames_all);
	free(all.us);
}

static void bench(void **state)
{
	(void)state;
	struct hub h;
	struct streams st;
	struct pacer p;
	struct schedule sch;
	struct hub_probe probe;
	struct soak *s = calloc(1, sizeof *s);
	char ingest_token[HUB_TOKEN_MAX], agent_token[HUB_TOKEN_MAX];

	assert_non_null(s);
	s->rng = 0x9e3779b97f4a7c15u;
	for (int i = 0; i < OPEN; i++) {
		conversation_begin(s, &s->open[i]);
		/* Stagger them, so conversations do not all end at once. */
		s->open[i].len += (int)(next_rand(s) % 3);
	}
	hub_init(&h);
	hub_token(&h, "Soak bridge", "ingest", ingest_token);
	hub_token(&h, "Soak agent", "agent", agent_token);
	/* Without rate limits (the publisher is paced) and, as streams and
	 * publisher all come from 127.0.0.1 where consoles come from many
	 * addresses, without the per-address cap: neither is measured. */
	hub_start(&h, "--max-connections-per-address", "1024", NULL);
	schedule_init(&sch, rate, seconds, WINDOW_S);
	pacer_init(&p, &h, "/v1/ingest/messages", ingest_token, INFLIGHT, &sch);
	streams_start(&st, &h, agent_token, nstreams, RECEIVERS, &sch);
	long rss_start = hub_rss_kb(h.pid);
	schedule_begin(&sch);
	hub_probe_start(&probe, &h, &sch);

	publish(&p, &sch, s);
	streams_finish(&st, p.ok, DRAIN_MS);
	hub_probe_stop(&probe);
	long long t0 = now_ms();
	hub_stop(&h);
	report(&st, &p, &sch, &probe, s, rss_start, now_ms() - t0);

	hub_probe_free(&probe);
	streams_free(&st);
	pacer_free(&p);
	hub_cleanup(&h);
	free(s);
}

int main(int argc, char **argv)
{
	int *const args[] = {&seconds, &rate, &nstreams};

	return bench_hub_main(argc, argv, "usage: bench_hub_soak [SECONDS [RATE [STREAMS]]]\n", args,
			      bench);
}
