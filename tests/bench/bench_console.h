/*
 * bench_console.h — shared pieces of bench_console: /proc readings, the
 * clock, and the IRC side (ngircd, a feeder bot, WeeChat) that the console
 * is compared with.
 */
#ifndef HANDOFF_BENCH_CONSOLE_H
#define HANDOFF_BENCH_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/types.h>

/* What the kernel accounts for one process (all its threads). */
struct proc_sample {
	double cpu_s;        /* utime + stime */
	long wakeups;        /* voluntary + involuntary context switches */
	long sleeps;         /* voluntary ones: each is a wait that ended, a wake-up */
	long hwm_kb;         /* VmHWM: peak RSS */
	long rss_kb;         /* VmRSS */
};

/* Read /proc/PID; false when the process is gone. */
bool proc_read(pid_t pid, struct proc_sample *s);

/* CLOCK_MONOTONIC in ns. */
int64_t bench_now_ns(void);

/* Sleep until CLOCK_MONOTONIC reaches `ns` (the feeders' pace). */
void bench_sleep_until(int64_t ns);

/* The text of chat line i (0-based), the same for IRC and the hub. */
void bench_line(int i, char *buf, size_t len);

/* True when `name` is an executable in PATH, /usr/sbin or /sbin. */
bool bench_have(const char *name);

/* ---- what the bytes to a terminal are (bench_termbytes.c) ---------------- */

enum tb_class { TB_TEXT, TB_CURSOR, TB_SGR, TB_CLEAR, TB_SCROLL, TB_OTHER, TB_COUNT };

/* Bytes per class; a sequence cut between two feeds is counted once whole. */
struct termbytes {
	unsigned long long n[TB_COUNT];
	int state;           /* where the parser is inside a sequence */
	size_t seq;          /* bytes of the sequence so far */
};

void termbytes_feed(struct termbytes *tb, const unsigned char *p, size_t n);

/* Feed a whole file; false when it cannot be read. */
bool termbytes_file(struct termbytes *tb, const char *path);

/* A Markdown table: bytes per message per class, the console's against
 * WeeChat's (NULL: skipped). */
void termbytes_table(const struct termbytes *con, double con_msgs, const struct termbytes *wee,
		     double wee_msgs);

/* ---- the console's frame trace (bench_trace.c) --------------------------- */

/* One frame the console drew (ui/trace.h): when, the rows of its list, the
 * newest message of the open thread, whether a page was on its way, when
 * the open thread first changed since the frame before (0: it did not). */
struct frame {
	int64_t ns;
	long list;
	int64_t seq;
	int loading;
	int64_t in;
};

struct trace {
	char fifo[300];
	int fd;
	pthread_t thread;
	atomic_bool stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int64_t exec_ns;
	struct frame *f;
	size_t n, cap;
	char part[256];
	size_t plen;
};

typedef bool (*frame_pred)(const struct frame *f, long arg);

/* A FIFO in `dir` read by a thread of its own into t->f. */
void trace_open(struct trace *t, const char *dir);
void trace_close(struct trace *t);

/* Predicates for trace_wait: the list has `arg` rows, the thread shows seq
 * `arg`, start's loading is over. */
bool has_list(const struct frame *f, long arg);
bool has_seq(const struct frame *f, long arg);
bool settled(const struct frame *f, long arg);

/* Index of the first frame from `from` on that satisfies pred, waiting up
 * to timeout_ms; -1 on timeout. */
long trace_wait(struct trace *t, size_t from, frame_pred pred, long arg, int timeout_ms);

/* Frames so far. */
size_t trace_count(struct trace *t);

/* ---- IRC ---------------------------------------------------------------- */

struct irc {
	pid_t ngircd;
	int port;
	int fd;              /* the feeder bot's connection */
	char *buf;           /* what it read and has not looked at yet */
	size_t len, cap;
};

/* Start ngircd on a free loopback port with a config in `dir` (no flood
 * penalties), connect the feeder "feeder" and join #bench. Fails the test
 * when any of it does not happen within a few seconds. */
void irc_start(struct irc *x, const char *dir);

/* Wait until `nick` joined #bench (the feeder sees the JOIN). */
void irc_wait_join(struct irc *x, const char *nick, int timeout_ms);

/* Send lines [0, count) to #bench at `rate` lines/s from t0 on. */
void irc_feed(struct irc *x, int count, int rate, int64_t t0);

/* Quit the feeder and stop ngircd. */
void irc_stop(struct irc *x);

#endif
