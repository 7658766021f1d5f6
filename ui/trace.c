/*
 * trace.c — the opt-in frame trace (see trace.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

static int trace_fd = -1;

bool trace_init(void)
{
	const char *v = getenv("HANDOFF_TRACE_FD");
	char *end;
	long fd;

	if (!v || !*v)
		return false;
	errno = 0;
	fd = strtol(v, &end, 10);
	/* 0..2 are the terminal: a trace there would be drawn on the screen. */
	if (errno || *end || fd < 3 || fd > 65535)
		return false;
	trace_fd = (int)fd;
	return true;
}

bool trace_on(void)
{
	return trace_fd >= 0;
}

void trace_frame(size_t list_rows, int64_t thread_seq, bool loading, int64_t thread_in_ns)
{
	struct timespec ts;
	char line[144];

	if (trace_fd < 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	int n = snprintf(line, sizeof line,
			 "frame %" PRId64 " list=%zu seq=%" PRId64 " loading=%d in=%" PRId64 "\n",
			 (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec, list_rows, thread_seq, loading,
			 thread_in_ns);
	/* One short write per frame; a pipe takes it whole or not at all. */
	if (n <= 0 || write(trace_fd, line, (size_t)n) != n)
		trace_fd = -1;
}
