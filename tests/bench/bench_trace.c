/*
 * bench_trace.c — the console's frame trace, read while it runs: the
 * console writes one line per frame to fd 9 (ui/trace.h), which is a FIFO
 * that a thread here reads into an array the benchmark waits on.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench_console.h"

static void trace_line(struct trace *t, const char *l)
{
	struct frame fr = {0};
	int64_t ns;
	if (sscanf(l, "exec %" SCNd64, &ns) == 1) {
		t->exec_ns = ns;
	} else if (sscanf(l, "frame %" SCNd64 " list=%ld seq=%" SCNd64 " loading=%d in=%" SCNd64,
			  &fr.ns, &fr.list, &fr.seq, &fr.loading, &fr.in) >= 4) {
		if (t->n == t->cap) {
			t->cap = t->cap * 2 + 1024;
			t->f = realloc(t->f, t->cap * sizeof *t->f);
		}
		t->f[t->n++] = fr;
	}
}

static void *trace_reader(void *arg)
{
	struct trace *t = arg;
	while (!atomic_load(&t->stop)) {
		struct pollfd p = {.fd = t->fd, .events = POLLIN};
		if (poll(&p, 1, 100) <= 0)
			continue;
		char chunk[8192];
		ssize_t n = read(t->fd, chunk, sizeof chunk);
		if (n <= 0)
			continue;
		pthread_mutex_lock(&t->mu);
		for (ssize_t i = 0; i < n; i++) {
			if (chunk[i] != '\n') {
				if (t->plen + 1 < sizeof t->part)
					t->part[t->plen++] = chunk[i];
				continue;
			}
			t->part[t->plen] = '\0';
			trace_line(t, t->part);
			t->plen = 0;
		}
		pthread_cond_broadcast(&t->cv);
		pthread_mutex_unlock(&t->mu);
	}
	return NULL;
}

void trace_open(struct trace *t, const char *dir)
{
	memset(t, 0, sizeof *t);
	snprintf(t->fifo, sizeof t->fifo, "%s/trace.fifo", dir);
	unlink(t->fifo);
	assert_int_equal(mkfifo(t->fifo, 0600), 0);
	/* Read-write: never blocks, never sees end of file. */
	t->fd = open(t->fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	assert_true(t->fd >= 0);
	pthread_mutex_init(&t->mu, NULL);
	pthread_cond_init(&t->cv, NULL);
	assert_int_equal(pthread_create(&t->thread, NULL, trace_reader, t), 0);
}

void trace_close(struct trace *t)
{
	atomic_store(&t->stop, true);
	pthread_join(t->thread, NULL);
	close(t->fd);
	unlink(t->fifo);
	free(t->f);
	t->f = NULL;
}

bool has_list(const struct frame *f, long arg)
{
	return f->list >= arg;
}

bool has_seq(const struct frame *f, long arg)
{
	return f->seq >= arg;
}

/* Rows shown and no page of any list on its way: start's loading is over. */
bool settled(const struct frame *f, long arg)
{
	(void)arg;
	return f->list > 0 && !f->loading;
}

/* Index of the first frame from `from` on that satisfies pred, waiting up
 * to timeout_ms; -1 on timeout. */
long trace_wait(struct trace *t, size_t from, frame_pred pred, long arg, int timeout_ms)
{
	int64_t deadline = bench_now_ns() + (int64_t)timeout_ms * 1000000;
	long found = -1;
	pthread_mutex_lock(&t->mu);
	for (;;) {
		for (size_t i = from; i < t->n; i++)
			if (pred(&t->f[i], arg)) {
				found = (long)i;
				break;
			}
		if (found >= 0 || bench_now_ns() >= deadline)
			break;
		from = t->n;
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 50000000; /* re-check the deadline now and then */
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&t->cv, &t->mu, &ts);
	}
	pthread_mutex_unlock(&t->mu);
	return found;
}

size_t trace_count(struct trace *t)
{
	pthread_mutex_lock(&t->mu);
	size_t n = t->n;
	pthread_mutex_unlock(&t->mu);
	return n;
}
