/*
 * trace.h — an opt-in frame trace for the benchmarks (tests/bench/,
 * doc/performance.md): with HANDOFF_TRACE_FD=N in the environment the
 * console writes one line per frame to file descriptor N, just after the
 * frame's doupdate() returned:
 *
 *   frame <CLOCK_MONOTONIC ns> list=<chats in the shown tab> seq=<newest
 *   message seq drawn in the open thread, 0 when none> loading=<1 while a
 *   page of a list is on its way, else 0> in=<CLOCK_MONOTONIC ns when the
 *   open thread first changed since the last frame, 0 when it did not>
 *
 * Off by default, and then it costs one getenv() at start and one branch
 * per frame. A failed write turns the trace off; it never stops the console.
 */
#ifndef HANDOFF_UI_TRACE_H
#define HANDOFF_UI_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Read HANDOFF_TRACE_FD once; true when tracing is on. */
bool trace_init(void);

/* True when tracing is on (after trace_init). */
bool trace_on(void);

/* Write one frame line: the frame ended now. */
void trace_frame(size_t list_rows, int64_t thread_seq, bool loading, int64_t thread_in_ns);

#endif
