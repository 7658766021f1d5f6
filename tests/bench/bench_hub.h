/*
 * bench_hub.h — what the hub benchmarks that run for minutes share: a
 * schedule cut into windows, a paced ingest publisher, WebSocket event
 * streams read by receiver threads, and a probe that samples the hub's
 * memory and database files. Everything is reported per window, so growth
 * over the run shows.
 *
 * Latency is timed from each message's *scheduled* time (an absolute
 * schedule at the target rate), not from when it was actually sent: a
 * publisher that falls behind must not hide the hub's stalls (coordinated
 * omission). The time it was sent is kept too, for the older measure.
 */
#ifndef HANDOFF_BENCH_HUB_H
#define HANDOFF_BENCH_HUB_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <curl/curl.h>

#include "harness.h"

/* In a message's text: "bench t=<scheduled ns> s=<sent ns>" (CLOCK_MONOTONIC;
 * benchmark and hub share the machine, so the clock is the same). */
#define BENCH_TAG "bench t="

int64_t now_ns(void);

/* A hub benchmark's main(): up to three positive integers from the command
 * line into *args[0..2] (the others keep their defaults; anything else
 * prints `usage` and returns 2), then `test` as the one cmocka test, with
 * curl initialised around it. */
int bench_hub_main(int argc, char **argv, const char *usage, int *const args[3],
		   void (*test)(void **state));

/* ---- samples ---------------------------------------------------------------- */

struct samples {
	uint32_t *us; /* durations, microseconds */
	size_t n, cap;
};

void samples_add(struct samples *s, uint32_t us);
/* Append every sample of `from`. */
void samples_merge(struct samples *into, const struct samples *from);
void samples_sort(struct samples *s);
/* The q-quantile of sorted samples, in ms (0 when there are none). */
double samples_ms(const struct samples *s, double q);

/* ---- schedule --------------------------------------------------------------- */

/* `rate` events a second from `start` for `seconds`, cut into windows of
 * `window_s` seconds (the last one may be shorter). */
struct schedule {
	atomic_llong start; /* set by schedule_begin; read by every thread */
	int64_t period_ns, window_ns;
	long total;  /* events scheduled */
	int windows;
};

void schedule_init(struct schedule *s, int rate, int seconds, int window_s);
/* Start the clock: the first event is due 10 ms from now. Before, every
 * time is in the first window. */
void schedule_begin(struct schedule *s);
/* Event i's scheduled time. */
int64_t schedule_due(const struct schedule *s, long i);
/* The window time t falls in, clamped to the first and last. */
int schedule_window(const struct schedule *s, int64_t t);
/* The same, but a time after the schedule is slot `windows`: what arrives
 * and what the hub does while a backlog drains is reported apart. */
int schedule_slot(const struct schedule *s, int64_t t);
/* When the last event's period ends. */
int64_t schedule_end(const struct schedule *s);

/* ---- paced publisher ------------------------------------------------------ */

struct pace_slot;

/* POSTs to one path on the schedule, over curl multi with at most
 * `inflight` requests on the wire; a slow answer delays neither the next
 * request nor anything else. When every slot is busy the next request
 * waits for one, and its answer time still counts from its schedule. */
struct pacer {
	CURLM *multi;
	struct curl_slist *hdrs;
	struct pace_slot *slots;
	struct pace_slot **idle;
	int nidle, inflight;
	const struct schedule *sch;
	long ok, failed, late;      /* late: sent more than one period after due */
	long no_answer;             /* of failed: the connection failed or closed */
	long last_status;           /* of failed: the last HTTP status (0: none) */
	struct samples *answer;     /* per window: scheduled → answered */
	struct samples sent_answer; /* whole run: sent → answered */
};

void pacer_init(struct pacer *p, const struct hub *h, const char *path, const char *token,
		int inflight, const struct schedule *sch);
/* Serve the requests in flight until `due`, and until a slot is idle. */
void pacer_wait(struct pacer *p, int64_t due);
/* Send `body` (copied; at most 1 KiB) for the event scheduled at `due`. */
void pacer_send(struct pacer *p, int64_t due, const char *body);
/* Wait for every answer. */
void pacer_drain(struct pacer *p);

/* The whole schedule through p: event i a user message tagged with its
 * scheduled and sent times (BENCH_TAG), into chat_ids[i % nchats]; then
 * every answer waited for. */
void publish_tagged(struct pacer *p, const struct schedule *sch, char chat_ids[][37], int nchats);
void pacer_free(struct pacer *p);

/* ---- event streams ---------------------------------------------------------- */

struct stream {
	struct ws ws;
	long tagged;     /* message.created events carrying BENCH_TAG */
	int64_t last_ns; /* when the last of them arrived */
	bool closed;     /* the hub closed it before the end */
};

struct receiver {
	struct streams *all;
	struct stream *st; /* this thread's share */
	int n;
	struct samples *due_lat; /* per window of the schedule: scheduled → received */
	struct samples sent_lat; /* whole run: sent → received */
	long *frames;            /* per slot of arrival: every frame (event) */
	pthread_t thread;
};

struct streams {
	const struct schedule *sch;
	struct receiver *r;
	int nr, n;
	atomic_long expected;    /* tagged events each stream should get; -1 while publishing */
	atomic_llong deadline_ns; /* receivers give up on stragglers then */
};

/* Open n streams on /v1/events as `token`, read by `receivers` threads
 * that start at once. */
void streams_start(struct streams *s, struct hub *h, const char *token, int n, int receivers,
		   const struct schedule *sch);
/* Tell the receivers each stream should get `expected` tagged events, wait
 * for them at most drain_ms, and join the threads. */
void streams_finish(struct streams *s, long expected, int drain_ms);
/* One window of every receiver merged: scheduled → received samples
 * (sorted; lat may be NULL) and frames; slot `windows` (after the
 * schedule) has frames only. */
void streams_window(const struct streams *s, int w, struct samples *lat, long *frames);
void streams_free(struct streams *s);

/* ---- the hub's memory and files ------------------------------------------- */

struct hub_window {
	long rss_kb;          /* VmRSS at the window's end */
	long rss_max_kb;      /* largest VmRSS sampled in it */
	long long wal_max;    /* largest -wal file sampled in it, bytes */
	long long wal_end;    /* -wal file at the window's end */
	long long db_end;     /* database file at the window's end */
	double cpu_s;         /* the hub's CPU time (user + system) in it */
	double server_cpu_s;  /* on PostgreSQL, the server's (every backend's) */
};

/* VmRSS of a process, kB (0 when unreadable). */
long hub_rss_kb(pid_t pid);

/* A process's CPU time so far, user and system, seconds. */
double hub_cpu_seconds(pid_t pid);

/* A thread that samples the hub every 100 ms, into slots of the schedule
 * (windows + 1: the last is after it). On PostgreSQL (a hub of with_pg's
 * server) the WAL is the server's pg_wal, the database every database's
 * files (base/), and the server's CPU is sampled beside the hub's. */
struct hub_probe {
	pid_t pid;
	pid_t server;       /* PostgreSQL's postmaster, 0 on SQLite */
	double server_cpu_base;
	char wal[600], db[600];
	const struct schedule *sch;
	struct hub_window *w;
	int64_t last_ns;    /* the last sample */
	double cpu_base;
	atomic_bool stop;
	pthread_t thread;
};

void hub_probe_start(struct hub_probe *p, const struct hub *h, const struct schedule *sch);
void hub_probe_stop(struct hub_probe *p);
/* How long the probe sampled after the schedule ended, seconds. */
double hub_probe_after_s(const struct hub_probe *p);
/* A window's "CPU | RSS end (max) | WAL max / end | db" cells of a table
 * row, `len_s` long. */
void hub_window_cells(const struct hub_window *hw, double len_s, char *out, size_t len);
void hub_probe_free(struct hub_probe *p);

/* A window's length on the schedule, seconds (the last may be shorter). */
double window_seconds(const struct schedule *s, int w);
/* A window's label "0–10 s" into out. */
void window_label(const struct schedule *s, int w, char *out, size_t len);

#endif
