/*
 * bench_console.c — the console (`handoff` against a real handoffd) in
 * tmux, side by side with WeeChat on a local ngircd, and its own budgets
 * (doc/performance.md).
 *
 *   bench_console [RUNS [IDLE_SECONDS [CHATS]]]      defaults 3 60 100000
 *
 * Prints Markdown tables. HANDOFF_BIN and HANDOFFD name the programs;
 * BENCH_ONLY=PATTERN runs only the parts whose name matches it (cmocka's
 * filter, "*" any run of characters): bench_start_and_memory can run
 * alone; bench_latency and bench_idle use the hub bench_side_by_side
 * starts.
 *
 * Programs run in a 120x30 tmux pane through this same binary as a
 * launcher (`bench_console --exec FIFO PIDFILE PROG ARGS...`): it writes
 * its pid (the program keeps it across exec), writes "exec <ns>" into the
 * FIFO, puts the FIFO on fd 9 with HANDOFF_TRACE_FD=9 and execs. The
 * console then writes one trace line per frame there (ui/trace.h), which a
 * thread here reads. WeeChat ignores fd 9.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "bench_console.h"
#include "bench_fill.h"
#include "harness.h"
#include "db.h"
#include "tmux.h"

#define COLS 120
#define ROWS 30
#define LINES_FED 1000
#define PACE 100          /* lines per second, both sides */
/* A conversation's pace: the thread moves at each line, no burst. */
#define SLOW_LINES 60
#define SLOW_PACE 2
#define FAST_RATE 1000
#define FAST_COUNT 3000
#define FEEDERS 4         /* hub feeder threads */
#define WAIT 20000
#define TRACE_FD 9
/* Chats in the console's All tab, buffers in WeeChat's list: both lists
 * full, as at work (the console shows 13 of them, two rows each). */
#define LISTED 20

static int runs = 3, idle_s = 60, chats = 100000;
static char self_exe[4096];
static bool have_weechat;

/* ---- the launcher -------------------------------------------------------- */

static int launcher(int argc, char **argv)
{
	if (argc < 5)
		return 125;
	int fd = open(argv[2], O_WRONLY | O_CLOEXEC);
	if (fd < 0 || dup2(fd, TRACE_FD) != TRACE_FD)
		return 126;
	FILE *pf = fopen(argv[3], "w");
	if (!pf)
		return 126;
	fprintf(pf, "%ld\n", (long)getpid());
	fclose(pf);
	char line[64];
	int n = snprintf(line, sizeof line, "exec %" PRId64 "\n", bench_now_ns());
	(void)!write(TRACE_FD, line, (size_t)n);
	setenv("HANDOFF_TRACE_FD", "9", 1);
	execv(argv[4], argv + 4);
	return 127;
}

/* ---- programs in tmux ---------------------------------------------------- */

struct prog {
	struct tmux tm;
	struct trace tr;
	pid_t pid;
	char pidfile[300];
};

static pid_t wait_pid(const char *path)
{
	/* The launcher writes it before exec; the program's first frame (or
	 * screen) comes after, so callers look once something showed. */
	FILE *f = fopen(path, "r");
	long pid = 0;
	if (f) {
		if (fscanf(f, "%ld", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	if (pid <= 0)
		fail_msg("bench: no pid in %s", path);
	return (pid_t)pid;
}

/* Start argv in a COLS x ROWS pane through the launcher. */
static void prog_start(struct prog *p, const char *dir, const char *const *env,
		       const char *const *argv)
{
	const char *a[32] = {self_exe, "--exec", NULL, NULL};
	size_t n = 4;
	memset(p, 0, sizeof *p);
	trace_open(&p->tr, dir);
	snprintf(p->pidfile, sizeof p->pidfile, "%s/prog.pid", dir);
	unlink(p->pidfile);
	a[2] = p->tr.fifo;
	a[3] = p->pidfile;
	for (; *argv && n < 31; argv++)
		a[n++] = *argv;
	a[n] = NULL;
	tmux_start(&p->tm, COLS, ROWS, env, a);
}

/* Bytes written since the start, exactly: SIGKILL, so neither program adds
 * its exit output (the same for both), then count the copy to its end. */
static unsigned long long prog_bytes_end(struct prog *p)
{
	kill(p->pid, SIGKILL);
	tmux_wait_dead(&p->tm, WAIT);
	return tmux_bytes_final(&p->tm, WAIT);
}

static void prog_stop(struct prog *p)
{
	tmux_kill(&p->tm);
	trace_close(&p->tr);
}

/* ---- the hub side -------------------------------------------------------- */

struct bench_hub {
	struct hub h;
	char agent[TOKEN_STRLEN + 1];
	char bot[TOKEN_STRLEN + 1];
	char token_path[200];
	char url[64];
	int starts;
};

static void bench_hub_ready(struct bench_hub *b)
{
	hub_url(&b->h, "", b->url, sizeof b->url);
	hub_token_file(&b->h, "agent", b->agent, b->token_path, sizeof b->token_path);
}

/* Start the console on hub b, each time with fresh state and config. */
static void console_start(struct prog *p, struct bench_hub *b)
{
	char dir[200], st[260], cf[260];
	snprintf(dir, sizeof dir, "%s/run%d", b->h.dir, ++b->starts);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(st, sizeof st, "XDG_STATE_HOME=%s/state", dir);
	snprintf(cf, sizeof cf, "XDG_CONFIG_HOME=%s/config", dir);
	const char *env[] = {st, cf, NULL};
	const char *argv[] = {getenv("HANDOFF_BIN"), "--server", b->url, "--token-file",
			      b->token_path, NULL};
	prog_start(p, dir, env, argv);
}

struct feed {
	struct bench_hub *b;
	const char *chat;
	int count, rate, k;
	int64_t t0;
	int64_t *sent, *answered, *seq;
};

/* One feeder thread: lines k, k + FEEDERS, ... at their absolute times,
 * over one keep-alive connection; records when each POST was sent and
 * answered, and the message's seq from the answer. */
static void *feeder(void *arg)
{
	struct feed *fd = arg;
	char url[128], auth[128];
	CURL *c = curl_easy_init();
	struct curl_slist *hdrs = NULL;
	snprintf(url, sizeof url, "%s/v1/ingest/messages", fd->b->url);
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", fd->b->bot);
	hdrs = curl_slist_append(hdrs, auth);
	hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, http_keep_body);
	for (int i = fd->k; i < fd->count; i += FEEDERS) {
		char line[160], body[400], *reply = NULL;
		bench_line(i, line, sizeof line);
		snprintf(body, sizeof body, "{\"chat_id\":\"%s\",\"role\":\"user\",\"text\":\"%s\"}",
			 fd->chat, line);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply);
		bench_sleep_until(fd->t0 + (int64_t)i * 1000000000 / fd->rate);
		fd->sent[i] = bench_now_ns();
		CURLcode rc = curl_easy_perform(c);
		fd->answered[i] = bench_now_ns();
		cJSON *j = rc == CURLE_OK ? cJSON_Parse(reply) : NULL;
		const cJSON *s = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "message"), "seq");
		fd->seq[i] = cJSON_IsNumber(s) ? (int64_t)s->valuedouble : -1;
		if (fd->seq[i] < 0)
			fprintf(stderr, "bench: ingest %d failed: %s\n", i, reply ? reply : "");
		cJSON_Delete(j);
		free(reply);
	}
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	return NULL;
}

/* Feed count lines at rate into chat; fills sent/answered/seq[count]. */
static void hub_feed(struct bench_hub *b, const char *chat, int count, int rate, int64_t *sent,
		     int64_t *answered, int64_t *seq)
{
	struct feed f[FEEDERS];
	pthread_t th[FEEDERS];
	int64_t t0 = bench_now_ns() + 20000000;
	for (int k = 0; k < FEEDERS; k++) {
		f[k] = (struct feed){b, chat, count, rate, k, t0, sent, answered, seq};
		assert_int_equal(pthread_create(&th[k], NULL, feeder, &f[k]), 0);
	}
	for (int k = 0; k < FEEDERS; k++)
		pthread_join(th[k], NULL);
}

/* ---- statistics ---------------------------------------------------------- */

static int by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, by_double);
	return n ? (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2) : 0;
}

static double pct(double *v, size_t n, int p)
{
	qsort(v, n, sizeof *v, by_double);
	if (!n)
		return 0;
	size_t i = (n * (size_t)p + 99) / 100;
	return v[i ? i - 1 : 0];
}

struct lat {
	double *sent_ms, *ans_ms;
	double *own_ms;         /* the console's part: the thread changed → frame sent */
	size_t n, cap;
	double cpu_s, feed_s;   /* the console's CPU over the feeds, their length */
	size_t frames, lines;   /* frames drawn for so many lines: merged when fewer */
};

/* For each line, the first frame that drew its seq: latency from the POST's
 * sending (an upper bound of publish → screen) and from its answer (the
 * hub published before answering: a lower bound); and the console's own
 * part, from the first change to the open thread the frame drew (at or
 * before this line's arrival: an upper bound) to the frame's end. */
static void latency_add(struct lat *l, struct trace *t, size_t from, int count,
			const int64_t *sent, const int64_t *ans, const int64_t *seq)
{
	pthread_mutex_lock(&t->mu);
	for (int i = 0; i < count; i++) {
		if (seq[i] < 0)
			continue;
		for (size_t k = from; k < t->n; k++) {
			if (t->f[k].seq < seq[i])
				continue;
			if (l->n == l->cap) {
				l->cap = l->cap * 2 + 4096;
				l->sent_ms = realloc(l->sent_ms, l->cap * sizeof(double));
				l->ans_ms = realloc(l->ans_ms, l->cap * sizeof(double));
				l->own_ms = realloc(l->own_ms, l->cap * sizeof(double));
			}
			l->sent_ms[l->n] = (double)(t->f[k].ns - sent[i]) / 1e6;
			l->ans_ms[l->n] = (double)(t->f[k].ns - ans[i]) / 1e6;
			l->own_ms[l->n] = t->f[k].in ? (double)(t->f[k].ns - t->f[k].in) / 1e6 : 0;
			l->n++;
			break;
		}
	}
	pthread_mutex_unlock(&t->mu);
}

/* ---- 1 and 2: the feed, side by side, and the latency ---------------------- */

struct side {
	double cpu[16], mb[16], hwm[16], secs[16];
	int n;
	struct termbytes tb; /* every run's bytes, by what they are */
};

/* Copy what the program writes from now on into a file in dir. */
static int tee_start(struct prog *p, const char *dir)
{
	char path[300];
	snprintf(path, sizeof path, "%s/tee.bytes", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	tmux_tee(&p->tm, fd);
	return fd;
}

/* After prog_bytes_end: classify the copy into s->tb. */
static void tee_end(struct side *s, int fd, const char *dir)
{
	char path[300];
	snprintf(path, sizeof path, "%s/tee.bytes", dir);
	close(fd);
	assert_true(termbytes_file(&s->tb, path));
	unlink(path);
}

static struct bench_hub feedhub;
static char feed_chat[37];
static struct lat lat100, lat1000, lat2;

static void setup_feedhub(void)
{
	hub_init(&feedhub.h);
	snprintf(feedhub.agent, sizeof feedhub.agent, "%s",
		 hub_add_account(&feedhub.h, "Ana", "agent"));
	snprintf(feedhub.bot, sizeof feedhub.bot, "%s",
		 hub_add_account(&feedhub.h, "Widget bridge", "ingest"));
	/* The hub's capacity is measured, not its rate limits. */
	hub_start(&feedhub.h, NULL);
	bench_hub_ready(&feedhub);
	for (int i = 1; i < LISTED; i++) {
		char ext[32], text[64];
		snprintf(ext, sizeof ext, "bench-listed-%d", i);
		snprintf(text, sizeof text, "chat %d of the list: %s", i, i % 2 ? "thanks!" : "ok");
		ingest(&feedhub.h, feedhub.bot, ext, "user", text, false, NULL);
	}
}

/* A fresh chat with one message, not waiting (no clock ticking). */
static void new_feed_chat(int run)
{
	char ext[32];
	snprintf(ext, sizeof ext, "bench-feed-%d", run);
	ingest(&feedhub.h, feedhub.bot, ext, "user", "hello, the feed starts now", false,
	       feed_chat);
}

/* Open the newest chat's thread from the All tab. */
static void open_thread(struct prog *p)
{
	tmux_wait_for(&p->tm, "live", WAIT);
	tmux_send_keys(&p->tm, "3", NULL);
	tmux_wait_for(&p->tm, "the feed starts", WAIT);
	tmux_send_keys(&p->tm, "Enter", NULL);
	tmux_wait_for(&p->tm, "Maria G.", WAIT);
	tmux_wait_for(&p->tm, "hello, the feed", WAIT);
}

static void console_feed_run(struct side *s, int run, int rate, int count, struct lat *lat)
{
	struct prog p;
	int64_t *sent = calloc((size_t)count, 8), *ans = calloc((size_t)count, 8),
		*seq = calloc((size_t)count, 8), top = 0;

	new_feed_chat(run);
	console_start(&p, &feedhub);
	open_thread(&p);
	p.pid = wait_pid(p.pidfile);
	int tee = s ? tee_start(&p, feedhub.h.dir) : -1;
	unsigned long long b0 = tmux_bytes_written(&p.tm);
	size_t f0 = trace_count(&p.tr);
	struct proc_sample a, z;
	assert_true(proc_read(p.pid, &a));
	int64_t t0 = bench_now_ns();
	hub_feed(&feedhub, feed_chat, count, rate, sent, ans, seq);
	/* The feeders' lines reach the hub in any order (on a busy machine
	 * one of them can fall far behind the others, and its lines are then
	 * the thread's last): the feed is on the screen with the frame that
	 * drew the highest seq the hub gave, whatever its text. */
	for (int i = 0; i < count; i++)
		top = seq[i] > top ? seq[i] : top;
	if (trace_wait(&p.tr, f0, has_seq, (long)top, WAIT) < 0)
		fail_msg("bench: the console never drew message %lld:\n%s", (long long)top,
			 tmux_screen(&p.tm, NULL, 0));
	assert_true(proc_read(p.pid, &z));
	int64_t t1 = bench_now_ns();
	if (lat) {
		latency_add(lat, &p.tr, f0, count, sent, ans, seq);
		lat->cpu_s += z.cpu_s - a.cpu_s;
		lat->feed_s += (double)(t1 - t0) / 1e9;
		lat->frames += trace_count(&p.tr) - f0;
		lat->lines += (size_t)count;
	}
	unsigned long long b1 = prog_bytes_end(&p);
	if (s) {
		tee_end(s, tee, feedhub.h.dir);
		s->cpu[s->n] = z.cpu_s - a.cpu_s;
		s->mb[s->n] = (double)(b1 - b0) / 1e6;
		s->hwm[s->n] = (double)z.hwm_kb / 1024;
		s->secs[s->n] = (double)(t1 - t0) / 1e9;
		s->n++;
	}
	prog_stop(&p);
	free(sent);
	free(ans);
	free(seq);
}

/* WeeChat in its own pane, on a private ngircd in `dir` (created), showing
 * #bench with LISTED buffers in its list (the core buffer, the server,
 * #bench and more channels); returns once it is there and its pid known. */
static void weechat_start(struct prog *p, struct irc *x, const char *dir)
{
	char wdir[260], cmd[1024], chans[512] = "#bench";

	assert_int_equal(mkdir(dir, 0700), 0);
	irc_start(x, dir);
	snprintf(wdir, sizeof wdir, "%s/weechat", dir);
	for (int i = 4; i <= LISTED; i++)
		snprintf(chans + strlen(chans), sizeof chans - strlen(chans), ",#list%02d", i);
	snprintf(cmd, sizeof cmd,
		 "/server add bench 127.0.0.1/%d;/set irc.server.bench.nicks wee;"
		 "/set irc.server.bench.autojoin %s;/connect bench",
		 x->port, chans);
	const char *argv[] = {"/usr/bin/weechat", "--dir", wdir, "-r", cmd, NULL};
	prog_start(p, dir, NULL, argv);
	irc_wait_join(x, "wee", WAIT);
	char last[16];
	snprintf(last, sizeof last, "#list%02d", LISTED);
	tmux_wait_for(&p->tm, last, WAIT);
	tmux_type(&p->tm, "/buffer #bench");
	tmux_send_keys(&p->tm, "Enter", NULL);
	tmux_wait_for(&p->tm, "feeder", WAIT);
	p->pid = wait_pid(p->pidfile);
}
static void weechat_feed_run(struct side *s, int run, int rate, int count)
{
	struct irc x;
	struct prog p;
	char dir[200], last[160], want[16];

	snprintf(dir, sizeof dir, "%s/irc%d", feedhub.h.dir, run);
	weechat_start(&p, &x, dir);
	int tee = tee_start(&p, dir);
	unsigned long long b0 = tmux_bytes_written(&p.tm);
	struct proc_sample a, z;
	assert_true(proc_read(p.pid, &a));
	int64_t t0 = bench_now_ns();
	irc_feed(&x, count, rate, t0 + 20000000);
	bench_line(count - 1, last, sizeof last);
	snprintf(want, sizeof want, "%.9s", last);
	tmux_wait_for(&p.tm, want, WAIT);
	assert_true(proc_read(p.pid, &z));
	int64_t t1 = bench_now_ns();
	unsigned long long b1 = prog_bytes_end(&p);
	tee_end(s, tee, dir);
	s->cpu[s->n] = z.cpu_s - a.cpu_s;
	s->mb[s->n] = (double)(b1 - b0) / 1e6;
	s->hwm[s->n] = (double)z.hwm_kb / 1024;
	s->secs[s->n] = (double)(t1 - t0) / 1e9;
	s->n++;
	prog_stop(&p);
	irc_stop(&x);
}

static const char *verdict(bool met)
{
	return met ? "met" : "MISSED";
}

/* One pace's table: each run's bytes and CPU, the medians, the bytes'
 * classes. */
static void side_report(struct side *con, struct side *wee, int count, int rate)
{
	printf("\n%d lines at %d lines/s into one chat (console) or #bench (WeeChat), %dx%d tmux "
	       "panes, %d chats or buffers listed; median of %d runs; from the feed's start until "
	       "the last line is on screen\n\n",
	       count, rate, COLS, ROWS, LISTED, runs);
	/* Each run's bytes and CPU, in order: a loaded machine shows here. */
	for (int r = 0; r < con->n; r++)
		printf("run %d: console %.3f MB %.2f s CPU; WeeChat %.3f MB %.2f s CPU\n", r + 1,
		       con->mb[r], con->cpu[r], r < wee->n ? wee->mb[r] : 0,
		       r < wee->n ? wee->cpu[r] : 0);
	printf("\n| measure | console | WeeChat | console / WeeChat | budget |\n|---|---:|---:|---:|---|\n");
	double cc = median(con->cpu, (size_t)con->n), cb = median(con->mb, (size_t)con->n),
	       ch = median(con->hwm, (size_t)con->n), cs = median(con->secs, (size_t)con->n);
	if (have_weechat) {
		double wc = median(wee->cpu, (size_t)wee->n), wb = median(wee->mb, (size_t)wee->n),
		       wh = median(wee->hwm, (size_t)wee->n), ws = median(wee->secs, (size_t)wee->n);
		printf("| CPU s (user+sys) | %.2f | %.2f | %.2f | ≤ 0.7: %s |\n", cc, wc, cc / wc,
		       verdict(cc <= 0.7 * wc));
		printf("| MB to the terminal | %.3f | %.3f | %.2f | ≤ 1: %s |\n", cb, wb, cb / wb,
		       verdict(cb <= wb));
		printf("| peak RSS MB (VmHWM) | %.1f | %.1f | %.2f | none |\n", ch, wh, ch / wh);
		printf("| feed period s | %.2f | %.2f | | |\n", cs, ws);
		printf("\nWhat the bytes are, all runs\n\n");
		termbytes_table(&con->tb, (double)con->n * count, &wee->tb, (double)wee->n * count);
	} else {
		printf("| CPU s (user+sys) | %.2f | skipped | | |\n", cc);
		printf("| MB to the terminal | %.3f | skipped | | |\n", cb);
		printf("| peak RSS MB (VmHWM) | %.1f | skipped | | |\n", ch);
		termbytes_table(&con->tb, (double)con->n * count, NULL, 0);
		printf("\nWeeChat row skipped: weechat (weechat-curses) or ngircd is not installed; "
		       "tests/bench/run.sh installs them when run as root.\n");
	}
	fflush(stdout);
}

/* The same lines to both programs, at a burst's pace and a conversation's.
 * The bursts all go to one chat, so that the list holds LISTED; each
 * conversation gets a fresh one (its last line must not be on the screen
 * before it is sent), one more chat listed per run. */
static void bench_side_by_side(void **state)
{
	(void)state;
	struct side con = {0}, wee = {0}, con2 = {0}, wee2 = {0};
	setup_feedhub();
	for (int r = 0; r < runs; r++) {
		console_feed_run(&con, 0, PACE, LINES_FED, &lat100);
		if (have_weechat)
			weechat_feed_run(&wee, r, PACE, LINES_FED);
	}
	side_report(&con, &wee, LINES_FED, PACE);
	for (int r = 0; r < runs; r++) {
		console_feed_run(&con2, 200 + r, SLOW_PACE, SLOW_LINES, &lat2);
		if (have_weechat)
			weechat_feed_run(&wee2, 200 + r, SLOW_PACE, SLOW_LINES);
	}
	side_report(&con2, &wee2, SLOW_LINES, SLOW_PACE);
}

static void bench_latency(void **state)
{
	(void)state;
	for (int r = 0; r < runs; r++)
		console_feed_run(NULL, 100 + r, FAST_RATE, FAST_COUNT, &lat1000);
	printf("\nEvent → screen: from the ingest POST (sent; answered) to the end of the "
	       "doupdate() of the first frame that drew the message (HANDOFF_TRACE_FD), all runs "
	       "pooled\n\n");
	printf("| rate | events | p50 ms (sent; answered) | p99 ms (sent; answered) | max ms (sent) | "
	       "in the console p50; p99 ms | budget p99 ≤ 10 ms |\n|---|---:|---:|---:|---:|---:|---|\n");
	struct lat *ls[] = {&lat2, &lat100, &lat1000};
	int rates[] = {SLOW_PACE, PACE, FAST_RATE};
	for (int i = 0; i < 3; i++) {
		struct lat *l = ls[i];
		double s50 = pct(l->sent_ms, l->n, 50), s99 = pct(l->sent_ms, l->n, 99),
		       smax = pct(l->sent_ms, l->n, 100);
		double a50 = pct(l->ans_ms, l->n, 50), a99 = pct(l->ans_ms, l->n, 99);
		double o50 = pct(l->own_ms, l->n, 50), o99 = pct(l->own_ms, l->n, 99);
		printf("| %d /s | %zu | %.2f; %.2f | %.2f; %.2f | %.2f | %.2f; %.2f | %s |\n", rates[i],
		       l->n, s50, a50, s99, a99, smax, o50, o99, verdict(s99 <= 10.0));
	}
	for (int i = 0; i < 3; i++)
		printf("\nAt %d /s the console drew %zu frames for %zu lines and used %.2f s CPU over "
		       "%.2f s of feed.\n",
		       rates[i], ls[i]->frames, ls[i]->lines, ls[i]->cpu_s, ls[i]->feed_s);
	fflush(stdout);
}

/* ---- 5: idle --------------------------------------------------------------- */

static void idle_row(const char *label, pid_t pid, int secs)
{
	struct proc_sample a, z;
	assert_true(proc_read(pid, &a));
	bench_sleep_until(bench_now_ns() + (int64_t)secs * 1000000000);
	assert_true(proc_read(pid, &z));
	double cpu = z.cpu_s - a.cpu_s, wps = (double)(z.sleeps - a.sleeps) / secs;
	printf("| %s | %d | %.2f | %ld | %.2f | %ld | %s |\n", label, secs, cpu,
	       z.sleeps - a.sleeps, wps, z.wakeups - a.wakeups,
	       verdict(cpu <= 0.01 * secs && wps <= 1.0));
	fflush(stdout);
}

static void bench_idle(void **state)
{
	(void)state;
	struct prog p, w;
	struct irc x;
	console_start(&p, &feedhub);
	tmux_wait_for(&p.tm, "live", WAIT);
	/* The Waiting tab, empty: nothing on screen counts time. */
	tmux_wait_for(&p.tm, "Nobody is waiting", WAIT);
	p.pid = wait_pid(p.pidfile);
	if (have_weechat) {
		char dir[200];
		snprintf(dir, sizeof dir, "%s/irc-idle", feedhub.h.dir);
		weechat_start(&w, &x, dir);
	}
	printf("\nIdle: nothing happens; CPU, wake-ups (voluntary context switches) and all "
	       "context switches (with preemptions), all threads, over the period\n\n");
	printf("| program | s | CPU s | wake-ups | per s | all switches | budget ~0 CPU, ≤ 1 "
	       "wake-up/s |\n|---|---:|---:|---:|---:|---:|---|\n");
	/* Both at once: neither does anything, so neither disturbs the other. */
	if (have_weechat) {
		struct proc_sample wa, wz;
		assert_true(proc_read(w.pid, &wa));
		idle_row("console, nobody waiting", p.pid, idle_s);
		assert_true(proc_read(w.pid, &wz));
		/* WeeChat's period is the console's plus two /proc reads. */
		printf("| WeeChat, in #bench | %d | %.2f | %ld | %.2f | %ld | none |\n", idle_s,
		       wz.cpu_s - wa.cpu_s, wz.sleeps - wa.sleeps,
		       (double)(wz.sleeps - wa.sleeps) / idle_s, wz.wakeups - wa.wakeups);
		prog_stop(&w);
		irc_stop(&x);
	} else {
		idle_row("console, nobody waiting", p.pid, idle_s);
	}
	/* One waiting chat: its wait shows in seconds for a minute (the
	 * clock wakes once a second), then in minutes (once a minute). */
	ingest(&feedhub.h, feedhub.bot, "bench-waiting", "user", "a human please", true, NULL);
	tmux_send_keys(&p.tm, "1", NULL);
	tmux_wait_for(&p.tm, "a human please", WAIT);
	idle_row("console, one waiting chat, its wait in seconds", p.pid, idle_s < 50 ? idle_s : 50);
	tmux_wait_for(&p.tm, "waited 1m", 70000);
	idle_row("console, one waiting chat, its wait in minutes", p.pid, idle_s);
	prog_stop(&p);
	hub_cleanup(&feedhub.h);
}

/* ---- 3 and 4: start with many chats, memory with 10,000 held --------------- */

static void bench_start_and_memory(void **state)
{
	(void)state;
	struct bench_hub b = {0};
	double ms[16];
	int starts = runs + 2 < 16 ? runs + 2 : 16;

	hub_init(&b.h);
	int64_t t0 = bench_now_ns();
	bench_fill(b.h.db, chats, b.agent);
	fprintf(stderr, "filled %d chats in %.1f s\n", chats, (double)(bench_now_ns() - t0) / 1e9);
	/* The hub's capacity is measured, not its rate limits. */
	hub_start(&b.h, NULL);
	bench_hub_ready(&b);

	/* The first start meets the hub's caches cold (SQLite's page cache,
	 * the indexes' pages); the ones after find them warm. */
	struct prog p;
	double settle[16];
	for (int i = 0; i < starts; i++) {
		console_start(&p, &b);
		long k = trace_wait(&p.tr, 0, has_list, 1, WAIT);
		long z = trace_wait(&p.tr, 0, settled, 0, WAIT);
		if (k < 0 || z < 0)
			fail_msg("bench: the console painted no chat list, or did not settle, "
				 "within %d ms", WAIT);
		pthread_mutex_lock(&p.tr.mu);
		ms[i] = (double)(p.tr.f[k].ns - p.tr.exec_ns) / 1e6;
		settle[i] = (double)(p.tr.f[z].ns - p.tr.exec_ns) / 1e6;
		pthread_mutex_unlock(&p.tr.mu);
		if (i + 1 < starts)
			prog_stop(&p);
	}
	double warm = median(ms + 1, (size_t)starts - 1), warm_settle = median(settle + 1,
										(size_t)starts - 1);
	printf("\nStart, %d chats on the hub: exec to the end of the first frame with list rows "
	       "(first paint), and to the first frame with rows and no list page on its way "
	       "(settled); cold: the first start after the hub started, warm: median of the %d "
	       "after\n\n",
	       chats, starts - 1);
	printf("| start | first paint ms | settled ms | budget first paint ≤ 100 ms |\n"
	       "|---|---:|---:|---|\n");
	printf("| cold | %.1f | %.1f | %s |\n", ms[0], settle[0], verdict(ms[0] <= 100));
	printf("| warm (min %.1f, max %.1f) | %.1f | %.1f | %s |\n", ms[1], ms[starts - 1], warm,
	       warm_settle, verdict(warm <= 100));
	fflush(stdout);

	/* Memory: the All tab, End: the selection follows the end as each
	 * page asks for the next, until 10,000 chats have been scrolled
	 * through; a move up stops it there, End again goes on to the last. */
	p.pid = wait_pid(p.pidfile);
	tmux_wait_for(&p.tm, "live", WAIT);
	tmux_send_keys(&p.tm, "3", NULL);
	printf("\nMemory: the All tab scrolled to its end (End), page after page\n\n"
	       "| chats scrolled through | RSS MB | peak RSS MB | s | budget ≤ 32 MB at 10,000 |\n"
	       "|---:|---:|---:|---:|---|\n");
	long have = 0, marks[] = {10000, chats};
	int64_t m0 = bench_now_ns();
	for (int m = 0; m < 2; m++) {
		size_t from = trace_count(&p.tr);
		tmux_send_keys(&p.tm, "End", NULL);
		if (trace_wait(&p.tr, from, has_list, marks[m], 300000) < 0)
			fail_msg("bench: the All list stopped short of %ld chats:\n%s", marks[m],
				 tmux_screen(&p.tm, NULL, 0));
		/* Stop following; the page on its way, if any, still goes in. */
		from = trace_count(&p.tr);
		tmux_send_keys(&p.tm, "Up", NULL);
		long k = trace_wait(&p.tr, from, settled, 0, WAIT);
		if (k < 0)
			fail_msg("bench: a page of the All list never came");
		pthread_mutex_lock(&p.tr.mu);
		have = p.tr.f[k].list;
		pthread_mutex_unlock(&p.tr.mu);
		struct proc_sample s;
		assert_true(proc_read(p.pid, &s));
		printf("| %ld | %.1f | %.1f | %.1f | %s |\n", have, s.rss_kb / 1024.0,
		       s.hwm_kb / 1024.0, (double)(bench_now_ns() - m0) / 1e9,
		       m ? "none" : verdict(s.hwm_kb <= 32 * 1024));
		fflush(stdout);
	}
	prog_stop(&p);
	hub_cleanup(&b.h);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--exec") == 0)
		return launcher(argc, argv);
	if (argc > 1)
		runs = atoi(argv[1]);
	if (argc > 2)
		idle_s = atoi(argv[2]);
	if (argc > 3)
		chats = atoi(argv[3]);
	if (runs < 1 || runs > 14 || idle_s < 1 || chats < 10000) {
		fprintf(stderr, "usage: bench_console [RUNS(1-14) [IDLE_SECONDS [CHATS(>=10000)]]]\n");
		return 2;
	}
	if (!getenv("HANDOFF_BIN") || !getenv("HANDOFFD")) {
		fprintf(stderr, "bench_console: set HANDOFF_BIN and HANDOFFD\n");
		return 2;
	}
	ssize_t n = readlink("/proc/self/exe", self_exe, sizeof self_exe - 1);
	if (n <= 0)
		return 2;
	self_exe[n] = '\0';
	have_weechat = bench_have("weechat") && bench_have("ngircd");
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (getenv("BENCH_ONLY"))
		cmocka_set_test_filter(getenv("BENCH_ONLY"));
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bench_side_by_side),
		cmocka_unit_test(bench_latency),
		cmocka_unit_test(bench_idle),
		cmocka_unit_test(bench_start_and_memory),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
