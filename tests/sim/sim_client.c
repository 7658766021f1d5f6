/*
 * sim_client.c — see sim_client.h.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "sim_client.h"

#define START_DEADLINE_MS 10000
#define STOP_DEADLINE_MS 10000

long long simc_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void simc_start(struct simc *s, const char *env, ...)
{
	const char *bin = getenv(env);
	char *argv[32] = {(char *)bin};
	int argc = 1, fds[2];
	va_list ap;

	if (!bin)
		fail_msg("$%s is not set: run the test through make check", env);
	va_start(ap, env);
	for (char *a; (a = va_arg(ap, char *)) && argc < 30;)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;

	memset(s, 0, sizeof *s);
	s->env = env;
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid == 0) {
		dup2(fds[1], 1);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);

	/* The port is the first line of stdout; wait for it with a deadline. */
	char line[32];
	size_t n = 0;
	long long deadline = simc_now_ms() + START_DEADLINE_MS;
	while (n < sizeof line - 1 && (n == 0 || line[n - 1] != '\n')) {
		struct pollfd p = {.fd = fds[0], .events = POLLIN};
		long long left = deadline - simc_now_ms();
		assert_true(left > 0);
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		ssize_t r = read(fds[0], line + n, 1);
		assert_true(r == 1);
		n++;
	}
	line[n] = '\0';
	close(fds[0]);
	s->port = atoi(line);
	assert_true(s->port > 0);
	snprintf(s->base, sizeof s->base, "http://127.0.0.1:%d", s->port);
}

void simc_stop(struct simc *s)
{
	int status = -1;
	long long deadline = simc_now_ms() + STOP_DEADLINE_MS;

	assert_int_equal(kill(s->pid, SIGTERM), 0);
	while (waitpid(s->pid, &status, WNOHANG) == 0) {
		if (simc_now_ms() > deadline) {
			kill(s->pid, SIGKILL);
			waitpid(s->pid, &status, 0);
			fail_msg("the simulator of $%s did not stop on SIGTERM", s->env);
		}
		poll(NULL, 0, 10);
	}
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int simc_setup(void **state, const char *env)
{
	struct simc *s = calloc(1, sizeof *s);

	assert_non_null(s);
	simc_start(s, env, NULL);
	*state = s;
	return 0;
}

int simc_teardown(void **state)
{
	simc_stop(*state);
	free(*state);
	return 0;
}

void simc_reply_free(struct simc_reply *r)
{
	cJSON_Delete(r->json);
	free(r->body);
	memset(r, 0, sizeof *r);
}

struct buf {
	char *p;
	size_t n;
};

static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
	struct buf *b = ud;
	size_t len = size * nmemb;
	char *np = realloc(b->p, b->n + len + 1);

	if (!np)
		return 0;
	memcpy(np + b->n, p, len);
	b->p = np;
	b->n += len;
	b->p[b->n] = '\0';
	return len;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *ud)
{
	int *retry_after = ud;
	size_t len = size * nmemb;

	if (len > 12 && strncasecmp(p, "Retry-After:", 12) == 0)
		*retry_after = atoi(p + 12);
	return len;
}

struct simc_reply simc_raw(struct simc *s, const char *method, const char *path,
			    const char *const *headers, const char *body)
{
	struct simc_reply r = {.retry_after = -1};
	struct buf b = {0};
	struct curl_slist *h = NULL;
	char url[4096];
	CURL *c = curl_easy_init();
	long long t0 = simc_now_ms();

	assert_non_null(c);
	snprintf(url, sizeof url, "%s%s", s->base, path);
	/* No "Expect: 100-continue" pause, and no header curl adds by itself. */
	h = curl_slist_append(h, "Expect:");
	h = curl_slist_append(h, "Content-Type:");
	for (size_t i = 0; headers && headers[i]; i++)
		h = curl_slist_append(h, headers[i]);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &r.retry_after);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
	r.curl_code = (int)curl_easy_perform(c);
	if (r.curl_code == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
	r.elapsed_ms = simc_now_ms() - t0;
	r.body = b.p;
	r.json = b.p ? cJSON_Parse(b.p) : NULL;
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return r;
}

/* A control request with the JSON body fmt makes (none when empty). */
__attribute__((format(printf, 4, 0)))
static struct simc_reply ctl_call(struct simc *s, const char *method, const char *path,
				  const char *fmt, va_list ap)
{
	static const char *const headers[] = {"Content-Type: application/json", NULL};
	char body[4096];

	vsnprintf(body, sizeof body, fmt, ap);
	return simc_raw(s, method, path, headers, body[0] ? body : NULL);
}

cJSON *simc_ctl(struct simc *s, const char *method, const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	struct simc_reply r = ctl_call(s, method, path, fmt, ap);
	va_end(ap);
	if (r.status != 200)
		fail_msg("%s %s: status %ld, body %s", method, path, r.status,
			 r.body ? r.body : "(none)");
	cJSON *j = r.json;
	r.json = NULL;
	simc_reply_free(&r);
	assert_non_null(j);
	return j;
}

long simc_ctl_status(struct simc *s, const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	struct simc_reply r = ctl_call(s, "POST", path, fmt, ap);
	va_end(ap);
	long status = r.status;
	simc_reply_free(&r);
	return status;
}

void simc_expect_slow_once(struct simc *s, struct simc_reply (*call)(struct simc *s))
{
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/faults", "{\"slow\":1,\"delayMs\":400}"));
	struct simc_reply r = call(s);
	assert_int_equal(r.status, 200);
	assert_true(r.elapsed_ms >= 400);
	simc_reply_free(&r);
	r = call(s);
	assert_int_equal(r.status, 200);
	assert_true(r.elapsed_ms < 400);
	simc_reply_free(&r);
}

int simc_webhooks_sent(struct simc *s, int n, int timeout_ms)
{
	long long deadline = simc_now_ms() + timeout_ms;
	int sent;

	for (;;) {
		cJSON *st = simc_ctl(s, "GET", "/_sim/stats", "%s", "");
		const cJSON *v = simc_at(st, "webhooks", "sent");
		assert_true(cJSON_IsNumber(v));
		sent = v->valueint;
		cJSON_Delete(st);
		if (sent >= n || simc_now_ms() > deadline)
			return sent;
		poll(NULL, 0, 10);
	}
}

const cJSON *simc_at(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
	return b ? cJSON_GetObjectItemCaseSensitive(v, b) : v;
}

const char *simc_str_at(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = simc_at(o, a, b);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

char *simc_urlencode(const char *s)
{
	CURL *c = curl_easy_init();
	char *e = curl_easy_escape(c, s, 0), *out = strdup(e);

	curl_free(e);
	curl_easy_cleanup(c);
	return out;
}

/* ---- webhook receiver ------------------------------------------------- */

/* Read one request on `fd`: returns the body (malloc'd) and the value of
 * header `header` into sig (malloc'd), or NULL when the peer went away. */
static char *read_request(int fd, const char *header, char **sig)
{
	char pattern[128];
	size_t plen = (size_t)snprintf(pattern, sizeof pattern, "\r\n%s:", header);
	char *buf = NULL;
	size_t n = 0, cap = 0;
	size_t head = 0;        /* where the body starts, once the headers are in;
				 * an offset, since realloc moves buf */

	*sig = NULL;
	for (;;) {
		if (n + 4096 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap + 1);
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r <= 0) {
			free(buf);
			return NULL;
		}
		n += (size_t)r;
		buf[n] = '\0';
		char *end;
		if (!head && (end = strstr(buf, "\r\n\r\n")) != NULL) {
			*end = '\0';
			head = (size_t)(end - buf) + 4;
		}
		if (head) {
			const char *cl = strcasestr(buf, "\r\nContent-Length:");
			size_t want = cl ? strtoul(cl + 17, NULL, 10) : 0;
			if (n - head >= want) {
				const char *sh = strcasestr(buf, pattern);
				if (sh) {
					sh += plen;
					while (*sh == ' ')
						sh++;
					*sig = strndup(sh, strcspn(sh, "\r\n"));
				}
				char *body = strndup(buf + head, want);
				free(buf);
				return body;
			}
		}
	}
}

static void *hookrx_main(void *arg)
{
	struct hookrx *h = arg;
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

	for (;;) {
		int c = accept(h->fd, NULL, NULL);
		if (c < 0)
			break;
		char *sig, *body = read_request(c, h->header, &sig);
		if (body) {
			if (write(c, ok, sizeof ok - 1) < 0) {
				/* the sender gave up: it counts it as failed */
			}
			pthread_mutex_lock(&h->mu);
			if (h->n < 256) {
				h->bodies[h->n] = body;
				h->signatures[h->n] = sig;
				h->n++;
				body = sig = NULL;
			}
			pthread_cond_broadcast(&h->cv);
			pthread_mutex_unlock(&h->mu);
		}
		free(body);
		free(sig);
		close(c);
	}
	return NULL;
}

void hookrx_listen(struct hookrx *h, const char *header)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;

	memset(h, 0, sizeof *h);
	h->header = header;
	h->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(h->fd >= 0);
	assert_int_equal(bind(h->fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(h->fd, 16), 0);
	assert_int_equal(getsockname(h->fd, (struct sockaddr *)&a, &len), 0);
	h->port = ntohs(a.sin_port);
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	assert_int_equal(pthread_create(&h->thread, NULL, hookrx_main, h), 0);
}

void hookrx_stop(struct hookrx *h)
{
	/* shutdown wakes the blocked accept; the thread then ends. */
	shutdown(h->fd, SHUT_RDWR);
	pthread_join(h->thread, NULL);
	close(h->fd);
	for (int i = 0; i < h->n; i++) {
		free(h->bodies[i]);
		free(h->signatures[i]);
	}
	pthread_mutex_destroy(&h->mu);
	pthread_cond_destroy(&h->cv);
}

bool hookrx_wait(struct hookrx *h, int n, int timeout_ms)
{
	struct timespec until;
	bool ok;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&h->mu);
	while (h->n < n && pthread_cond_timedwait(&h->cv, &h->mu, &until) == 0)
		;
	ok = h->n >= n;
	pthread_mutex_unlock(&h->mu);
	return ok;
}
