/*
 * bench_console_irc.c — the reference side of bench_console: a private
 * ngircd on loopback and a minimal IRC bot that feeds #bench, plus the
 * small helpers both sides share (see bench_console.h).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_console.h"

extern char **environ;

static const char *const texts[] = {
	"Hi, my parcel still has not arrived, order 51877",
	"Can I change the delivery address?",
	"The discount code WINTER20 says it is invalid",
	"I was charged twice for the same order",
	"How do I reset my password? The link in the mail does not work for me.",
};

void bench_line(int i, char *buf, size_t len)
{
	snprintf(buf, len, "line %04d %s", i + 1, texts[i % 5]);
}

int64_t bench_now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

void bench_sleep_until(int64_t ns)
{
	struct timespec t = {.tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000};
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR)
		;
}

bool bench_have(const char *name)
{
	char path[4096];
	const char *p = getenv("PATH");
	char dirs[4096];
	snprintf(dirs, sizeof dirs, "%s:/usr/sbin:/sbin", p ? p : "/usr/bin:/bin");
	for (char *save, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(path, sizeof path, "%s/%s", d, name);
		if (access(path, X_OK) == 0)
			return true;
	}
	return false;
}

/* One "Name: N kB" figure of a status file. */
static long status_field(const char *text, const char *name)
{
	const char *at = strstr(text, name);
	return at ? atol(at + strlen(name)) : 0;
}

static bool read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return true;
}

bool proc_read(pid_t pid, struct proc_sample *s)
{
	char path[64], text[4096];
	memset(s, 0, sizeof *s);
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if (!read_text(path, text, sizeof text))
		return false;
	/* Fields after the command name, which may hold spaces: state is 3rd,
	 * utime 14th, stime 15th. */
	const char *p = strrchr(text, ')');
	unsigned long ut = 0, st = 0;
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return false;
	s->cpu_s = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
	snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
	if (!read_text(path, text, sizeof text))
		return false;
	s->hwm_kb = status_field(text, "VmHWM:");
	s->rss_kb = status_field(text, "VmRSS:");
	/* Context switches are counted per thread: add up every thread's. */
	snprintf(path, sizeof path, "/proc/%ld/task", (long)pid);
	DIR *d = opendir(path);
	for (struct dirent *e; d && (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		char tpath[400];
		snprintf(tpath, sizeof tpath, "%s/%s/status", path, e->d_name);
		if (!read_text(tpath, text, sizeof text))
			continue;
		long v = status_field(text, "\nvoluntary_ctxt_switches:");
		s->sleeps += v;
		s->wakeups += v + status_field(text, "nonvoluntary_ctxt_switches:");
	}
	if (d)
		closedir(d);
	return true;
}

/* ---- IRC ---------------------------------------------------------------- */

static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof a;
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	close(fd);
	return ntohs(a.sin_port);
}

/* Read from fd into x->buf until `want` appears (then drop what precedes
 * and includes it), answering PINGs; false at the deadline. */
static bool read_until(struct irc *x, int fd, const char *want, int timeout_ms)
{
	int64_t deadline = bench_now_ns() + (int64_t)timeout_ms * 1000000;
	for (;;) {
		char *at = x->buf ? memmem(x->buf, x->len, want, strlen(want)) : NULL;
		if (at) {
			size_t used = (size_t)(at - x->buf) + strlen(want);
			memmove(x->buf, x->buf + used, x->len - used);
			x->len -= used;
			return true;
		}
		int64_t left = (deadline - bench_now_ns()) / 1000000;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return false;
		if (x->len + 4096 > x->cap) {
			x->cap = (x->len + 4096) * 2;
			x->buf = realloc(x->buf, x->cap);
			assert_non_null(x->buf);
		}
		ssize_t n = read(fd, x->buf + x->len, 4096);
		if (n <= 0)
			return false;
		x->len += (size_t)n;
		if (fd == x->fd && memmem(x->buf, x->len, "PING ", 5)) {
			const char *pong = "PONG :bench.local\r\n";
			(void)!write(x->fd, pong, strlen(pong));
		}
	}
}

static void send_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			fail_msg("irc: write: %s", strerror(errno));
		s += w;
		n -= (size_t)w;
	}
}

void irc_start(struct irc *x, const char *dir)
{
	char conf[512];
	memset(x, 0, sizeof *x);
	x->fd = -1;
	x->port = free_port();
	snprintf(conf, sizeof conf, "%s/ngircd.conf", dir);
	FILE *f = fopen(conf, "w");
	assert_non_null(f);
	fprintf(f, "[Global]\nName = bench.local\nInfo = bench\nAdminInfo1 = bench\n"
		   "AdminInfo2 = bench\nAdminEMail = bench@localhost\nPorts = %d\n"
		   "Listen = 127.0.0.1\nMotdPhrase = bench\nPidFile = %s/ngircd.pid\n"
		   "[Limits]\nMaxPenaltyTime = 0\nMaxConnectionsIP = 0\nPingTimeout = 600\n"
		   "[Options]\nDNS = no\nIdent = no\nPAM = no\n",
		   x->port, dir);
	fclose(f);

	int out[2];
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, out[1], 2);
	char *argv[] = {"ngircd", "-n", "-f", conf, NULL};
	char *env[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
	int rc = posix_spawnp(&x->ngircd, "ngircd", &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	if (rc != 0)
		fail_msg("irc: cannot start ngircd: %s", strerror(rc));
	/* It says "ready" once it listens. */
	bool ready = read_until(x, out[0], "ready", 10000);
	close(out[0]);
	if (!ready)
		fail_msg("irc: ngircd did not get ready within 10 s");

	x->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)x->port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (connect(x->fd, (struct sockaddr *)&a, sizeof a) != 0)
		fail_msg("irc: connect: %s", strerror(errno));
	x->len = 0;
	const char *hello = "NICK feeder\r\nUSER feeder 0 * :bench feeder\r\n";
	send_all(x->fd, hello, strlen(hello));
	if (!read_until(x, x->fd, " 001 ", 10000))
		fail_msg("irc: no welcome from ngircd");
	const char *join = "JOIN #bench\r\n";
	send_all(x->fd, join, strlen(join));
	if (!read_until(x, x->fd, " 366 ", 10000))
		fail_msg("irc: could not join #bench");
}

void irc_wait_join(struct irc *x, const char *nick, int timeout_ms)
{
	char want[64];
	snprintf(want, sizeof want, ":%s!", nick);
	if (!read_until(x, x->fd, want, timeout_ms) || !read_until(x, x->fd, "JOIN", 1000))
		fail_msg("irc: %s did not join #bench within %d ms", nick, timeout_ms);
}

void irc_feed(struct irc *x, int count, int rate, int64_t t0)
{
	for (int i = 0; i < count; i++) {
		char line[160], msg[200];
		bench_sleep_until(t0 + (int64_t)i * 1000000000 / rate);
		bench_line(i, line, sizeof line);
		int n = snprintf(msg, sizeof msg, "PRIVMSG #bench :%s\r\n", line);
		send_all(x->fd, msg, (size_t)n);
	}
}

void irc_stop(struct irc *x)
{
	if (x->fd >= 0) {
		const char *quit = "QUIT :done\r\n";
		(void)!write(x->fd, quit, strlen(quit));
		close(x->fd);
		x->fd = -1;
	}
	if (x->ngircd > 0) {
		kill(x->ngircd, SIGTERM);
		waitpid(x->ngircd, NULL, 0);
		x->ngircd = 0;
	}
	free(x->buf);
	x->buf = NULL;
	x->len = x->cap = 0;
}
