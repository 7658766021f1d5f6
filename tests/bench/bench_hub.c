/*
 * bench_hub.c — schedule, paced publisher, event streams and hub probe for
 * the hub benchmarks that run for minutes (bench_hub.h).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench_hub.h"

#define BODY_MAX 1024
#define PROBE_MS 100

int64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

int bench_hub_main(int argc, char **argv, const char *usage, int *const args[3],
		   void (*test)(void **state))
{
	for (int i = 0; i < 3; i++) {
		if (argc > i + 1)
			*args[i] = atoi(argv[i + 1]);
		if (*args[i] < 1 || argc > 4) {
			fputs(usage, stderr);
			return 2;
		}
	}
	const struct CMUnitTest tests[] = {{"bench", test, NULL, NULL, NULL}};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p)
		fail_msg("out of memory");
	return p;
}

/* ---- samples ---------------------------------------------------------------- */

void samples_add(struct samples *s, uint32_t us)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 65536;
		s->us = xrealloc(s->us, s->cap * sizeof *s->us);
	}
	s->us[s->n++] = us;
}

void samples_merge(struct samples *into, const struct samples *from)
{
	for (size_t i = 0; i < from->n; i++)
		samples_add(into, from->us[i]);
}

static int by_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

void samples_sort(struct samples *s)
{
	qsort(s->us, s->n, sizeof *s->us, by_u32);
}

double samples_ms(const struct samples *s, double q)
{
	return s->n ? s->us[(size_t)(q * (double)(s->n - 1))] / 1000.0 : 0;
}

/* Microseconds from `from` to `to`, 0 when negative (clock quirks). */
static uint32_t us_between(int64_t from, int64_t to)
{
	return to > from ? (uint32_t)((to - from) / 1000) : 0;
}

/* ---- schedule --------------------------------------------------------------- */

void schedule_init(struct schedule *s, int rate, int seconds, int window_s)
{
	s->period_ns = 1000000000 / rate;
	s->total = (long)rate * seconds;
	s->window_ns = (int64_t)window_s * 1000000000;
	s->windows = (seconds + window_s - 1) / window_s;
	atomic_store(&s->start, INT64_MAX);
}

void schedule_begin(struct schedule *s)
{
	/* A little ahead, so the first deadline is not already past. */
	atomic_store(&s->start, now_ns() + 10000000);
}

int64_t schedule_due(const struct schedule *s, long i)
{
	return atomic_load(&s->start) + i * s->period_ns;
}

int schedule_window(const struct schedule *s, int64_t t)
{
	int w = schedule_slot(s, t);
	return w < s->windows ? w : s->windows - 1;
}

int schedule_slot(const struct schedule *s, int64_t t)
{
	int64_t start = atomic_load(&s->start);

	if (t <= start) /* also before schedule_begin */
		return 0;
	if (t - start >= s->total * s->period_ns)
		return s->windows;
	return (int)((t - start) / s->window_ns);
}

int64_t schedule_end(const struct schedule *s)
{
	return schedule_due(s, s->total);
}

double window_seconds(const struct schedule *s, int w)
{
	int64_t len = s->total * s->period_ns - w * s->window_ns;
	return (double)(len < s->window_ns ? len : s->window_ns) / 1e9;
}

void hub_window_cells(const struct hub_window *hw, double len_s, char *out, size_t len)
{
	char server[32] = "";

	if (hw->server_cpu_s > 0)
		snprintf(server, sizeof server, " (+ server %.0f %%)",
			 len_s > 0 ? 100 * hw->server_cpu_s / len_s : 0);
	snprintf(out, len, "%.0f %%%s | %.1f (%.1f) | %.1f / %.1f | %.1f",
		 len_s > 0 ? 100 * hw->cpu_s / len_s : 0, server, hw->rss_kb / 1024.0,
		 hw->rss_max_kb / 1024.0, hw->wal_max / 1e6, hw->wal_end / 1e6, hw->db_end / 1e6);
}

void window_label(const struct schedule *s, int w, char *out, size_t len)
{
	int from = (int)(w * s->window_ns / 1000000000);
	int to = (int)((w + 1) * s->window_ns / 1000000000);
	int end = (int)((s->total * s->period_ns + 999999999) / 1000000000);
	snprintf(out, len, "%d–%d s", from, to < end ? to : end);
}

/* ---- paced publisher ------------------------------------------------------ */

struct pace_slot {
	CURL *easy;
	int64_t due, sent;
	char body[BODY_MAX];
};

static size_t discard(char *p, size_t s, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return s * n;
}

void pacer_init(struct pacer *p, const struct hub *h, const char *path, const char *token,
		int inflight, const struct schedule *sch)
{
	char url[160], auth[192];

	memset(p, 0, sizeof *p);
	p->sch = sch;
	p->inflight = inflight;
	p->multi = curl_multi_init();
	p->slots = calloc((size_t)inflight, sizeof *p->slots);
	p->idle = calloc((size_t)inflight, sizeof *p->idle);
	p->answer = calloc((size_t)sch->windows, sizeof *p->answer);
	if (!p->multi || !p->slots || !p->idle || !p->answer)
		fail_msg("out of memory");
	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", h->port, path);
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
	p->hdrs = curl_slist_append(p->hdrs, auth);
	p->hdrs = curl_slist_append(p->hdrs, "Content-Type: application/json");
	p->hdrs = curl_slist_append(p->hdrs, "Expect:");
	for (int i = 0; i < inflight; i++) {
		struct pace_slot *s = &p->slots[i];
		s->easy = curl_easy_init();
		curl_easy_setopt(s->easy, CURLOPT_URL, url);
		curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, p->hdrs);
		curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, s->body);
		curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, discard);
		curl_easy_setopt(s->easy, CURLOPT_PRIVATE, s);
		p->idle[p->nidle++] = s;
	}
}

void publish_tagged(struct pacer *p, const struct schedule *sch, char chat_ids[][37], int nchats)
{
	char body[256];

	for (long i = 0; i < sch->total; i++) {
		int64_t due = schedule_due(sch, i);
		pacer_wait(p, due);
		snprintf(body, sizeof body,
			 "{\"chat_id\":\"%s\",\"role\":\"user\",\"text\":\"" BENCH_TAG "%lld s=%lld\"}",
			 chat_ids[i % nchats], (long long)due, (long long)now_ns());
		pacer_send(p, due, body);
	}
	pacer_drain(p);
}

void pacer_free(struct pacer *p)
{
	for (int i = 0; i < p->inflight; i++)
		curl_easy_cleanup(p->slots[i].easy);
	curl_multi_cleanup(p->multi);
	curl_slist_free_all(p->hdrs);
	for (int w = 0; w < p->sch->windows; w++)
		free(p->answer[w].us);
	free(p->answer);
	free(p->sent_answer.us);
	free(p->slots);
	free(p->idle);
}

/* Collect finished requests and make their slots idle again. */
static void pacer_reap(struct pacer *p)
{
	CURLMsg *m;
	int left;

	curl_multi_perform(p->multi, &left);
	while ((m = curl_multi_info_read(p->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		struct pace_slot *s;
		long status = 0;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&s);
		curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &status);
		if (m->data.result == CURLE_OK && (status == 200 || status == 201)) {
			int64_t now = now_ns();
			p->ok++;
			samples_add(&p->answer[schedule_window(p->sch, s->due)], us_between(s->due, now));
			samples_add(&p->sent_answer, us_between(s->sent, now));
		} else {
			p->failed++;
			p->no_answer += m->data.result != CURLE_OK;
			p->last_status = status;
		}
		curl_multi_remove_handle(p->multi, m->easy_handle);
		p->idle[p->nidle++] = s;
	}
}

/* Serve the requests in flight until `due` (CLOCK_MONOTONIC ns); the last
 * fraction of a millisecond is slept to the exact deadline. */
static void pacer_run_until(struct pacer *p, int64_t due)
{
	for (;;) {
		pacer_reap(p);
		int64_t left = due - now_ns();
		if (left <= 0)
			return;
		if (left < 1000000) {
			struct timespec ts = {.tv_sec = due / 1000000000, .tv_nsec = due % 1000000000};
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
			return;
		}
		curl_multi_poll(p->multi, NULL, 0, (int)(left / 1000000), NULL);
	}
}

void pacer_wait(struct pacer *p, int64_t due)
{
	pacer_run_until(p, due);
	while (!p->nidle)
		pacer_run_until(p, now_ns() + 1000000);
}

void pacer_send(struct pacer *p, int64_t due, const char *body)
{
	struct pace_slot *s = p->idle[--p->nidle];

	s->due = due;
	s->sent = now_ns();
	if (s->sent - due > p->sch->period_ns)
		p->late++;
	snprintf(s->body, sizeof s->body, "%s", body);
	curl_multi_add_handle(p->multi, s->easy);
	pacer_reap(p); /* get the request onto the wire now */
}

void pacer_drain(struct pacer *p)
{
	while (p->nidle < p->inflight)
		pacer_run_until(p, now_ns() + 1000000);
}

/* ---- event streams ---------------------------------------------------------- */

/* One read of what the socket has into the harness reader's buffer, so the
 * complete frames can be taken without waiting. False at EOF. */
static bool ws_take_input(struct ws *w)
{
	if (w->cap - w->len < 65536) {
		w->cap = w->cap * 2 + 65536;
		w->buf = xrealloc(w->buf, w->cap);
	}
	ssize_t n = read(w->fd, w->buf + w->len, w->cap - w->len);
	if (n > 0)
		w->len += (size_t)n;
	return n > 0 || (n < 0 && errno == EINTR);
}

/* Answer a ping (RFC 6455 5.5.2) with a masked pong of its payload, as
 * every client must: lws hangs up a stream that has not proved alive for
 * 310 s, which a soak of 10 minutes reaches. */
static void stream_pong(struct stream *c, const unsigned char *payload, size_t len)
{
	static const unsigned char key[4] = {0x5a, 0x17, 0xc3, 0x9e};
	unsigned char out[2 + 4 + 125];

	if (len > 125)
		return; /* not a valid ping: the hub closes it anyway */
	out[0] = 0x8a; /* FIN, opcode 10: pong */
	out[1] = (unsigned char)(0x80 | len);
	memcpy(out + 2, key, 4);
	for (size_t i = 0; i < len; i++)
		out[6 + i] = payload[i] ^ key[i % 4];
	if (write(c->ws.fd, out, 6 + len) != (ssize_t)(6 + len))
		c->closed = true;
}

/* The tag of the event's own message, or NULL. "message" is the last
 * member of a message.created frame, after the chat, whose latest and
 * previous messages may carry other tags; `"message":{` cannot match
 * `"latest_message":{`. Texts are ours and hold no quotes. */
static const char *frame_tag(const unsigned char *p, size_t len)
{
	static const char key[] = "\"message\":{";
	const char *m = memmem(p, len, key, sizeof key - 1);

	if (!m)
		return NULL;
	size_t rest = len - (size_t)(m - (const char *)p);
	return memmem(m, rest, BENCH_TAG, sizeof BENCH_TAG - 1);
}

/* Take every complete frame out of the stream's buffer: count each event,
 * record the latency of those whose message carries our tag, answer pings.
 * The frames are read here rather than with cJSON, as a console would
 * route them: 100 clients at 2,000 events/s are 200,000 frames a second,
 * and parsing each in full took a whole core of a 2-core machine away from
 * the hub being measured. Server frames are unmasked. */
static void stream_drain(struct receiver *r, struct stream *c)
{
	struct ws *w = &c->ws;
	size_t off = 0;

	while (w->len - off >= 2) {
		const unsigned char *p = w->buf + off;
		size_t avail = w->len - off, hl = 2;
		uint64_t plen = p[1] & 0x7f;
		if (plen == 126) {
			if (avail < 4)
				break;
			plen = (uint64_t)p[2] << 8 | p[3];
			hl = 4;
		} else if (plen == 127) {
			if (avail < 10)
				break;
			plen = 0;
			for (int i = 2; i < 10; i++)
				plen = plen << 8 | p[i];
			hl = 10;
		}
		if (avail < hl + plen)
			break;
		if ((p[0] & 0x0f) == 0x9) {
			stream_pong(c, p + hl, plen);
			off += hl + plen;
			continue;
		}
		const char *tag = frame_tag(p + hl, plen);
		int64_t now = now_ns();
		off += hl + plen;
		r->frames[schedule_slot(r->all->sch, now)]++;
		if (!tag)
			continue; /* hello, chat.created, notices */
		char *end;
		long long due = strtoll(tag + sizeof BENCH_TAG - 1, &end, 10);
		long long sent = strncmp(end, " s=", 3) ? due : strtoll(end + 3, NULL, 10);
		c->tagged++;
		c->last_ns = now;
		samples_add(&r->due_lat[schedule_window(r->all->sch, due)], us_between(due, now));
		samples_add(&r->sent_lat, us_between(sent, now));
	}
	memmove(w->buf, w->buf + off, w->len - off);
	w->len -= off;
}

/* Done when every open stream has every tagged event, or at the drain
 * deadline (the rest then count as missing). */
static bool receiver_done(const struct receiver *r)
{
	long expected = atomic_load(&r->all->expected);

	if (expected < 0)
		return false;
	if (now_ns() > atomic_load(&r->all->deadline_ns))
		return true;
	for (int i = 0; i < r->n; i++)
		if (!r->st[i].closed && r->st[i].tagged < expected)
			return false;
	return true;
}

static void *receive(void *arg)
{
	struct receiver *r = arg;
	struct pollfd *pfd = calloc((size_t)r->n, sizeof *pfd);

	if (!pfd)
		fail_msg("out of memory");
	for (int i = 0; i < r->n; i++)
		pfd[i] = (struct pollfd){.fd = r->st[i].ws.fd, .events = POLLIN};
	while (!receiver_done(r)) {
		if (poll(pfd, (nfds_t)r->n, 50) < 0 && errno != EINTR)
			fail_msg("poll: %s", strerror(errno));
		for (int i = 0; i < r->n; i++) {
			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			struct stream *c = &r->st[i];
			if (!ws_take_input(&c->ws)) {
				c->closed = true;
				pfd[i].fd = -1; /* poll ignores it from now on */
			}
			stream_drain(r, c);
		}
	}
	free(pfd);
	return NULL;
}

void streams_start(struct streams *s, struct hub *h, const char *token, int n, int receivers,
		   const struct schedule *sch)
{
	memset(s, 0, sizeof *s);
	s->sch = sch;
	s->n = n;
	s->nr = receivers < n ? receivers : n;
	s->r = calloc((size_t)s->nr, sizeof *s->r);
	if (!s->r)
		fail_msg("out of memory");
	atomic_store(&s->expected, -1);
	atomic_store(&s->deadline_ns, INT64_MAX);
	for (int t = 0; t < s->nr; t++) {
		struct receiver *r = &s->r[t];
		r->all = s;
		r->st = calloc((size_t)n / (size_t)s->nr + 1, sizeof *r->st);
		r->due_lat = calloc((size_t)sch->windows, sizeof *r->due_lat);
		r->frames = calloc((size_t)sch->windows + 1, sizeof *r->frames);
		if (!r->st || !r->due_lat || !r->frames)
			fail_msg("out of memory");
	}
	for (int i = 0; i < n; i++) {
		struct receiver *to = &s->r[i % s->nr];
		int status;
		struct ws *w = &to->st[to->n++].ws;
		if (!ws_connect(w, h, token, NULL, &status))
			fail_msg("stream %d: upgrade refused (%d)", i, status);
		/* The stream starts after the head its hello names: on
		 * PostgreSQL the hello comes once a worker has read the log's
		 * head, and what is published before it is not the stream's. */
		cJSON *hello = ws_next(w, 10000);
		const cJSON *type = cJSON_GetObjectItem(hello, "type");
		if (!cJSON_IsString(type) || strcmp(type->valuestring, "hello") != 0)
			fail_msg("stream %d: no hello", i);
		cJSON_Delete(hello);
	}
	for (int t = 0; t < s->nr; t++)
		if (pthread_create(&s->r[t].thread, NULL, receive, &s->r[t]))
			fail_msg("pthread_create failed");
}

void streams_finish(struct streams *s, long expected, int drain_ms)
{
	atomic_store(&s->deadline_ns, now_ns() + (int64_t)drain_ms * 1000000);
	atomic_store(&s->expected, expected);
	for (int t = 0; t < s->nr; t++)
		pthread_join(s->r[t].thread, NULL);
}

void streams_window(const struct streams *s, int w, struct samples *lat, long *frames)
{
	*frames = 0;
	for (int t = 0; t < s->nr; t++) {
		if (lat && w < s->sch->windows)
			samples_merge(lat, &s->r[t].due_lat[w]);
		*frames += s->r[t].frames[w];
	}
	if (lat)
		samples_sort(lat);
}

void streams_free(struct streams *s)
{
	for (int t = 0; t < s->nr; t++) {
		struct receiver *r = &s->r[t];
		for (int i = 0; i < r->n; i++)
			ws_close(&r->st[i].ws);
		for (int w = 0; w < s->sch->windows; w++)
			free(r->due_lat[w].us);
		free(r->due_lat);
		free(r->sent_lat.us);
		free(r->frames);
		free(r->st);
	}
	free(s->r);
}

/* ---- the hub's memory and files ------------------------------------------- */

static long long file_bytes(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

/* The bytes of every file under a directory (nftw has no context
 * argument: the probe is one thread, so a static total will do). */
static _Thread_local long long tree_total;

static int tree_add(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)path;
	(void)ftw;
	if (type == FTW_F)
		tree_total += (long long)st->st_size;
	return 0;
}

static long long tree_bytes(const char *dir)
{
	tree_total = 0;
	nftw(dir, tree_add, 16, FTW_PHYS);
	return tree_total;
}

/* CPU time so far of the PostgreSQL server whose postmaster is `pm`: its
 * own and its children's (one backend per connection), seconds. */
static double server_cpu_seconds(pid_t pm)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	double total = pm > 0 ? hub_cpu_seconds(pm) : 0;

	while (pm > 0 && d && (e = readdir(d))) {
		char path[300], buf[512];
		int ppid = 0;
		pid_t pid = (pid_t)atoi(e->d_name);
		if (pid <= 0)
			continue;
		snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		size_t n = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
		buf[n] = '\0';
		const char *after = strrchr(buf, ')');
		if (after && sscanf(after + 2, "%*c %d", &ppid) == 1 && ppid == pm)
			total += hub_cpu_seconds(pid);
	}
	if (d)
		closedir(d);
	return total;
}

long hub_rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = 0;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* User + system CPU time of pid so far, seconds. */
double hub_cpu_seconds(pid_t pid)
{
	char path[64], buf[1024];
	unsigned long utime = 0, stime = 0;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* After the command name in parentheses: state is field 3, utime 14. */
	const char *p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime,
			 &stime) != 2)
		return 0;
	return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

static void *probe(void *arg)
{
	struct hub_probe *p = arg;
	int64_t next = now_ns();
	double mark = p->cpu_base, prev = p->cpu_base;
	double server_mark = p->server_cpu_base, server_prev = p->server_cpu_base;
	int last = -1;

	while (!atomic_load(&p->stop)) {
		int64_t now = now_ns();
		int w = schedule_slot(p->sch, now);
		struct hub_window *hw = &p->w[w];
		long rss = hub_rss_kb(p->pid);
		long long wal = p->server ? tree_bytes(p->wal) : file_bytes(p->wal);
		double cpu = hub_cpu_seconds(p->pid), server = server_cpu_seconds(p->server);
		if (w != last) {
			/* the window's CPU counts from the last sample before it */
			mark = prev;
			server_mark = server_prev;
			last = w;
		}
		prev = cpu;
		server_prev = server;
		hw->cpu_s = cpu - mark;
		hw->server_cpu_s = server - server_mark;
		hw->rss_kb = rss;
		hw->rss_max_kb = rss > hw->rss_max_kb ? rss : hw->rss_max_kb;
		hw->wal_end = wal;
		hw->wal_max = wal > hw->wal_max ? wal : hw->wal_max;
		hw->db_end = p->server ? tree_bytes(p->db) : file_bytes(p->db);
		p->last_ns = now;
		next += PROBE_MS * 1000000;
		struct timespec ts = {.tv_sec = next / 1000000000, .tv_nsec = next % 1000000000};
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	}
	return NULL;
}

void hub_probe_start(struct hub_probe *p, const struct hub *h, const struct schedule *sch)
{
	char path[640];
	int pm = 0;

	memset(p, 0, sizeof *p);
	p->pid = h->pid;
	p->sch = sch;
	const char *host = strncmp(h->db, "postgres:", 9) == 0 ? strstr(h->db, "host=") : NULL;
	if (host) {
		/* The private server of tests/integration/with_pg: its socket
		 * directory holds its data directory (tests/unit/pgserver.c). */
		char data[500];
		int n = (int)strcspn(host + 5, " ");
		snprintf(data, sizeof data, "%.*s/data", n, host + 5);
		snprintf(p->wal, sizeof p->wal, "%s/pg_wal", data);
		snprintf(p->db, sizeof p->db, "%s/base", data);
		snprintf(path, sizeof path, "%s/postmaster.pid", data);
		FILE *f = fopen(path, "r");
		if (!f || fscanf(f, "%d", &pm) != 1)
			fail_msg("cannot read %s", path);
		fclose(f);
		p->server = (pid_t)pm;
	} else {
		snprintf(p->wal, sizeof p->wal, "%s-wal", h->db);
		snprintf(p->db, sizeof p->db, "%s", h->db);
	}
	p->w = calloc((size_t)sch->windows + 1, sizeof *p->w);
	if (!p->w)
		fail_msg("out of memory");
	p->cpu_base = hub_cpu_seconds(p->pid);
	p->server_cpu_base = server_cpu_seconds(p->server);
	if (pthread_create(&p->thread, NULL, probe, p))
		fail_msg("pthread_create failed");
}

void hub_probe_stop(struct hub_probe *p)
{
	atomic_store(&p->stop, true);
	pthread_join(p->thread, NULL);
}

double hub_probe_after_s(const struct hub_probe *p)
{
	int64_t end = schedule_end(p->sch);
	return p->last_ns > end ? (double)(p->last_ns - end) / 1e9 : 0;
}

void hub_probe_free(struct hub_probe *p)
{
	free(p->w);
}
