/*
 * harness.c — run a real handoffd and talk to it (see harness.h).
 */
#define _GNU_SOURCE
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "harness.h"

long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *handoffd_path(void)
{
	const char *p = getenv("HANDOFFD");
	return p ? p : "./handoffd";
}

bool hub_on_pg(void)
{
	return getenv("HANDOFF_TEST_PG") != NULL;
}

/* Create database `name` on the PostgreSQL server of HANDOFF_TEST_PG (a
 * copy of `template` when not NULL) with PostgreSQL's own createdb, and
 * write its --db target into out. */
static void pg_database(const char *name, const char *template, char *out, size_t len)
{
	const char *conninfo = getenv("HANDOFF_TEST_PG"); /* "host=… dbname=handoff user=…" */
	const char *db = strstr(conninfo, "dbname=handoff");
	char maintenance[512];
	int status;

	assert_non_null(db);
	snprintf(maintenance, sizeof maintenance, "--maintenance-db=%s", conninfo);
	pid_t pid = fork();
	if (pid == 0) {
		if (template)
			execl(PG_BINDIR "/createdb", "createdb", maintenance, "-T", template, name,
			      (char *)NULL);
		else
			execl(PG_BINDIR "/createdb", "createdb", maintenance, name, (char *)NULL);
		_exit(127);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	snprintf(out, len, "postgres:%.*sdbname=%s%s", (int)(db - conninfo), conninfo, name,
		 db + strlen("dbname=handoff"));
}

/* hub_init, the database on PostgreSQL a copy of `people`'s when given
 * (SQLite's file is copied by hub_up_from). */
static void hub_init_as(struct hub *h, const struct hub *people)
{
	static int made;

	memset(h, 0, sizeof *h);
	h->pid = -1;
	snprintf(h->dir, sizeof h->dir, "/tmp/handoff-test-XXXXXX");
	assert_non_null(mkdtemp(h->dir));
	if (!hub_on_pg()) {
		snprintf(h->db, sizeof h->db, "%s/hub.db", h->dir);
		return;
	}
	snprintf(h->pg_name, sizeof h->pg_name, "hub_%ld_%d", (long)getpid(), ++made);
	pg_database(h->pg_name, people ? people->pg_name : NULL, h->db, sizeof h->db);
}

void hub_init(struct hub *h)
{
	hub_init_as(h, NULL);
}

void hub_init_replica(struct hub *h, const struct hub *first)
{
	memset(h, 0, sizeof *h);
	h->pid = -1;
	snprintf(h->dir, sizeof h->dir, "/tmp/handoff-test-XXXXXX");
	assert_non_null(mkdtemp(h->dir));
	snprintf(h->db, sizeof h->db, "%s", first->db);
	snprintf(h->pg_name, sizeof h->pg_name, "%s", first->pg_name);
}

/* Run handoffd with argv, capture stdout (and stderr too when
 * with_stderr); returns the exit status. */
static int run_capture(char *const argv[], char *out, size_t outlen, bool with_stderr)
{
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], 1);
		if (with_stderr)
			dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	size_t n = 0;
	ssize_t r;
	while ((r = read(fds[0], out + n, outlen - 1 - n)) > 0)
		n += (size_t)r;
	out[n] = '\0';
	close(fds[0]);
	int status;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Append the NULL-ended arguments in ap to argv[argc..], and the NULL,
 * within max entries. */
static void append_args(char **argv, int argc, int max, va_list ap)
{
	for (char *a; (a = va_arg(ap, char *)) && argc < max - 1;)
		argv[argc++] = a;
	argv[argc] = NULL;
}

int handoffd_run(char *out, size_t outlen, ...)
{
	char *argv[32] = {(char *)handoffd_path()};
	va_list ap;
	va_start(ap, outlen);
	append_args(argv, 1, 32, ap);
	va_end(ap);
	return run_capture(argv, out, outlen, true);
}

char *hub_add_account(struct hub *h, const char *name, const char *role)
{
	static char tokens[16][128];
	static int next;
	char *out = tokens[next++ % 16];
	char *argv[] = {(char *)handoffd_path(), "agent", "add", (char *)name, "--role", (char *)role,
			"--db", h->db, NULL};

	assert_int_equal(run_capture(argv, out, 128, false), 0);
	out[strcspn(out, "\n")] = '\0';
	assert_true(strlen(out) >= 32);
	return out;
}

/* The hub's stderr is copied to <dir>/hub.log by this thread, which also
 * spots the "listening on HOST:PORT" line and wakes hub_start. */
struct log_reader {
	int fd;
	FILE *log;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int port;
	bool done;
};

static void *read_hub_log(void *arg)
{
	struct log_reader *lr = arg;
	char line[4096];
	size_t n = 0;
	char c;

	while (read(lr->fd, &c, 1) == 1) {
		fputc(c, lr->log);
		if (c != '\n' && n < sizeof line - 1) {
			line[n++] = c;
			continue;
		}
		line[n] = '\0';
		n = 0;
		fflush(lr->log);
		const char *at = strstr(line, "listening on 127.0.0.1:");
		if (at) {
			pthread_mutex_lock(&lr->mu);
			lr->port = atoi(at + strlen("listening on 127.0.0.1:"));
			pthread_cond_signal(&lr->cv);
			pthread_mutex_unlock(&lr->mu);
		}
	}
	pthread_mutex_lock(&lr->mu);
	lr->done = true;
	pthread_cond_signal(&lr->cv);
	pthread_mutex_unlock(&lr->mu);
	fclose(lr->log);
	close(lr->fd);
	free(lr);
	return NULL;
}

void hub_start(struct hub *h, ...)
{
	/* No request rate limits: a test drives a hub far faster than people
	 * do. The caller's arguments come after, so a rate-limit test sets
	 * its own (the last of an option wins). */
	char *argv[32] = {(char *)handoffd_path(), "--listen", "127.0.0.1:0", "--db", h->db,
			  "--rate", "0", "--ingest-rate", "0"};
	va_list ap;
	va_start(ap, h);
	append_args(argv, 9, 31, ap);
	va_end(ap);

	int fds[2];
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], 2);
		int devnull = open("/dev/null", O_RDWR);
		dup2(devnull, 0);
		dup2(devnull, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);

	char path[160];
	snprintf(path, sizeof path, "%s/hub.log", h->dir);
	struct log_reader *lr = calloc(1, sizeof *lr);
	lr->fd = fds[0];
	lr->log = fopen(path, "a");
	assert_non_null(lr->log);
	pthread_mutex_init(&lr->mu, NULL);
	pthread_cond_init(&lr->cv, NULL);

	/* The reader owns lr from here on, but the port is read under its lock
	 * before it can finish: done is set only at EOF, after we stop waiting. */
	pthread_mutex_lock(&lr->mu);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, read_hub_log, lr), 0);
	pthread_detach(t);
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 10;
	while (!lr->port && !lr->done)
		if (pthread_cond_timedwait(&lr->cv, &lr->mu, &deadline) == ETIMEDOUT)
			break;
	int port = lr->port;
	bool died = lr->done;
	pthread_mutex_unlock(&lr->mu);

	h->pid = pid;
	if (!port) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		h->pid = -1;
		fail_msg("handoffd did not start (%s); see %s", died ? "it exited" : "timeout", path);
	}
	h->port = port;
}

char *hub_log(const struct hub *h)
{
	char path[160];
	snprintf(path, sizeof path, "%s/hub.log", h->dir);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t cap = 1 << 16, len = 0;
	char *text = malloc(cap);
	assert_non_null(text);
	for (size_t n; (n = fread(text + len, 1, cap - 1 - len, f)) > 0;) {
		len += n;
		if (len == cap - 1) {
			cap *= 2;
			text = realloc(text, cap);
			assert_non_null(text);
		}
	}
	fclose(f);
	text[len] = '\0';
	return text;
}

char *hub_log_wait(const struct hub *h, const char *needle)
{
	long long deadline = now_ms() + 10000;
	for (;;) {
		char *text = hub_log(h);
		if (strstr(text, needle))
			return text;
		free(text);
		if (now_ms() > deadline)
			fail_msg("no \"%s\" in %s/hub.log within 10 s", needle, h->dir);
		nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
	}
}

int hub_connect(const struct hub *h, const char *source)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	if (source) {
		struct sockaddr_in from = {.sin_family = AF_INET};
		assert_int_equal(inet_pton(AF_INET, source, &from.sin_addr), 1);
		assert_int_equal(bind(fd, (struct sockaddr *)&from, sizeof from), 0);
	}
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)h->port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	return fd;
}

bool hub_hung_up(int fd, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	char buf[4096];

	for (long long left; (left = deadline - now_ms()) > 0;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, (int)left) <= 0)
			return false;
		ssize_t n = read(fd, buf, sizeof buf);
		if (n <= 0)
			return true;
	}
	return false;
}

/* True when fd becomes readable within timeout_ms. */
static bool wait_readable(int fd, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	return poll(&p, 1, timeout_ms) > 0;
}

static void hub_signal_and_wait(struct hub *h, int sig)
{
	if (h->pid <= 0)
		return;
	/* A pidfd becomes readable when the process exits: a wait with a
	 * deadline, without polling waitpid in a loop. */
	int pidfd = (int)syscall(SYS_pidfd_open, h->pid, 0);
	assert_true(pidfd >= 0);
	kill(h->pid, sig);
	int status = 0;
	pid_t r = 0;
	if (wait_readable(pidfd, 10000))
		r = waitpid(h->pid, &status, 0);
	close(pidfd);
	if (r != h->pid) {
		kill(h->pid, SIGKILL);
		waitpid(h->pid, &status, 0);
		h->pid = -1;
		fail_msg("handoffd did not stop within 10 s of signal %d", sig);
	}
	h->pid = -1;
	if (sig == SIGTERM) {
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			fail_msg("handoffd exited badly after SIGTERM (status 0x%x); see %s/hub.log",
				 status, h->dir);
	}
}

void hub_stop(struct hub *h)
{
	hub_signal_and_wait(h, SIGTERM);
}

void hub_kill(struct hub *h)
{
	hub_signal_and_wait(h, SIGKILL);
}

void hub_cleanup(struct hub *h)
{
	if (h->pid > 0)
		hub_stop(h);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", h->dir);
	if (getenv("HANDOFF_KEEP_TEST_DIRS"))
		fprintf(stderr, "kept %s\n", h->dir);
	else if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", h->dir);
}

void hub_token(struct hub *h, const char *name, const char *role, char *token)
{
	snprintf(token, HUB_TOKEN_MAX, "%s", hub_add_account(h, name, role));
}

void hub_accounts(struct hub *h, const struct account *accounts)
{
	/* libcurl's own start is not thread-safe: done once, before any request. */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	hub_init(h);
	for (const struct account *a = accounts; a && a->name; a++)
		hub_token(h, a->name, a->role, a->token);
}

void hub_up(struct hub *h, const struct account *accounts)
{
	hub_accounts(h, accounts);
	hub_start(h, NULL);
}

/* Copy the file `from` to `to` when it exists. */
static void copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY);
	if (in < 0 && errno == ENOENT)
		return;
	assert_true(in >= 0);
	int out = open(to, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(out >= 0);
	for (ssize_t n; (n = read(in, buf, sizeof buf)) > 0;)
		assert_int_equal(write(out, buf, (size_t)n), n);
	close(in);
	close(out);
}

void hub_up_from(struct hub *h, const struct hub *people)
{
	char from[600], to[600];

	curl_global_init(CURL_GLOBAL_DEFAULT);
	hub_init_as(h, people);
	if (!hub_on_pg()) {
		copy_file(people->db, h->db);
		snprintf(from, sizeof from, "%s-wal", people->db);
		snprintf(to, sizeof to, "%s-wal", h->db);
		copy_file(from, to);
	}
	hub_start(h, NULL);
}

int hub_teardown(void **state)
{
	hub_cleanup(*state);
	curl_global_cleanup();
	return 0;
}

void hub_url(const struct hub *h, const char *path, char *out, size_t len)
{
	int n = snprintf(out, len, "http://127.0.0.1:%d%s", h->port, path);
	assert_true(n > 0 && (size_t)n < len);
}

void hub_token_file(const struct hub *h, const char *name, const char *token, char *path,
		    size_t len)
{
	int n = snprintf(path, len, "%s/%s.token", h->dir, name);
	assert_true(n > 0 && (size_t)n < len);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", token);
	fclose(f);
	assert_int_equal(chmod(path, 0600), 0);
}

void hub_account_id(struct hub *h, const char *token, char out[37])
{
	struct reply r = http(h, "GET", "/v1/me", token, NULL);
	cJSON *id = cJSON_GetObjectItemCaseSensitive(expect_status(&r, 200), "id");
	assert_true(cJSON_IsString(id));
	snprintf(out, 37, "%s", id->valuestring);
	reply_free(&r);
}

/* ---- HTTP ---------------------------------------------------------------- */

size_t http_keep_body(char *p, size_t size, size_t n, void *out)
{
	char **body = out;
	size_t old = *body ? strlen(*body) : 0, add = size * n;
	char *grown = realloc(*body, old + add + 1);

	assert_non_null(grown);
	memcpy(grown + old, p, add);
	grown[old + add] = '\0';
	*body = grown;
	return add;
}

/* One request made ready on its own easy handle; request_finish turns what
 * came back into a reply and frees the rest. */
struct request {
	CURL *c;
	struct curl_slist *hdrs;
	char *body;
};

static void request_open(struct request *q, struct hub *h, const char *method, const char *path,
			 const char *token, const char *body, size_t body_len,
			 const char *content_type)
{
	char url[2048], line[512];

	memset(q, 0, sizeof *q);
	q->c = curl_easy_init();
	assert_non_null(q->c);
	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", h->port, path);
	curl_easy_setopt(q->c, CURLOPT_URL, url);
	curl_easy_setopt(q->c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(q->c, CURLOPT_TIMEOUT_MS, 20000L);
	curl_easy_setopt(q->c, CURLOPT_WRITEFUNCTION, http_keep_body);
	curl_easy_setopt(q->c, CURLOPT_WRITEDATA, &q->body);
	if (token) {
		snprintf(line, sizeof line, "Authorization: Bearer %s", token);
		q->hdrs = curl_slist_append(q->hdrs, line);
	}
	if (body) {
		snprintf(line, sizeof line, "Content-Type: %s",
			 content_type ? content_type : "application/json");
		q->hdrs = curl_slist_append(q->hdrs, line);
		curl_easy_setopt(q->c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(q->c, CURLOPT_POSTFIELDSIZE, (long)body_len);
	}
	q->hdrs = curl_slist_append(q->hdrs, "Expect:");
	curl_easy_setopt(q->c, CURLOPT_HTTPHEADER, q->hdrs);
}

static struct reply request_finish(struct request *q)
{
	struct reply r = {0};
	char *ct = NULL;

	curl_easy_getinfo(q->c, CURLINFO_RESPONSE_CODE, &r.status);
	curl_easy_getinfo(q->c, CURLINFO_CONTENT_TYPE, &ct);
	r.content_type = ct ? strdup(ct) : NULL;
	r.body = q->body ? q->body : strdup("");
	r.json = cJSON_Parse(r.body);
	curl_slist_free_all(q->hdrs);
	curl_easy_cleanup(q->c);
	return r;
}

struct reply http_raw(struct hub *h, const char *method, const char *path, const char *token,
		      const char *body, size_t body_len, const char *content_type)
{
	struct request q;

	request_open(&q, h, method, path, token, body, body_len, content_type);
	CURLcode rc = curl_easy_perform(q.c);
	if (rc != CURLE_OK)
		fail_msg("%s %s: %s", method, path, curl_easy_strerror(rc));
	return request_finish(&q);
}

void http_all_at_once(struct hub *h, const char *method, const char *path, const char *body,
		      int n, const char *const tokens[], struct reply replies[])
{
	struct hub **hubs = calloc((size_t)n, sizeof *hubs);
	const char **paths = calloc((size_t)n, sizeof *paths);
	const char **bodies = calloc((size_t)n, sizeof *bodies);

	assert_true(hubs && paths && bodies);
	for (int i = 0; i < n; i++) {
		hubs[i] = h;
		paths[i] = path;
		bodies[i] = body;
	}
	http_each_at_once(n, hubs, method, paths, bodies, tokens, replies);
	free(hubs);
	free(paths);
	free(bodies);
}

void http_each_at_once(int n, struct hub *const hubs[], const char *method,
		       const char *const paths[], const char *const bodies[],
		       const char *const tokens[], struct reply replies[])
{
	CURLM *m = curl_multi_init();
	struct request *q = calloc((size_t)n, sizeof *q);

	assert_non_null(q);
	for (int i = 0; i < n; i++) {
		request_open(&q[i], hubs[i], method, paths[i], tokens[i], bodies[i],
			     bodies[i] ? strlen(bodies[i]) : 0, NULL);
		curl_multi_add_handle(m, q[i].c);
	}
	int running = 1;
	while (running) {
		curl_multi_perform(m, &running);
		if (running)
			curl_multi_poll(m, NULL, 0, 1000, NULL);
	}
	for (int i = 0; i < n; i++) {
		curl_multi_remove_handle(m, q[i].c);
		replies[i] = request_finish(&q[i]);
	}
	free(q);
	curl_multi_cleanup(m);
}

struct reply http(struct hub *h, const char *method, const char *path, const char *token,
		  const char *body)
{
	return http_raw(h, method, path, token, body, body ? strlen(body) : 0, NULL);
}

void hub_act(struct hub *h, const char *token, const char *chat, const char *action,
	     const char *body)
{
	char path[128];

	snprintf(path, sizeof path, "/v1/chats/%s/%s", chat, action);
	struct reply r = http(h, "POST", path, token, body);
	expect_status(&r, 200);
	reply_free(&r);
}

void reply_free(struct reply *r)
{
	cJSON_Delete(r->json);
	free(r->body);
	free(r->content_type);
	memset(r, 0, sizeof *r);
}

static const char *error_field(const struct reply *r, const char *name)
{
	cJSON *e = cJSON_GetObjectItemCaseSensitive(r->json, "error");
	cJSON *v = cJSON_GetObjectItemCaseSensitive(e, name);
	return cJSON_IsString(v) ? v->valuestring : "";
}

const char *error_type(const struct reply *r)
{
	return error_field(r, "type");
}

const char *error_description(const struct reply *r)
{
	return error_field(r, "description");
}

cJSON *expect_status(struct reply *r, long status)
{
	if (r->status != status)
		fail_msg("expected HTTP %ld, got %ld: %s", status, r->status, r->body);
	assert_non_null(r->json);
	return r->json;
}

void ingest(struct hub *h, const char *ingest_token, const char *external_id, const char *role,
	    const char *text, bool escalate, char out_chat_id[37])
{
	cJSON *b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "external_id", external_id);
	cJSON *ch = cJSON_AddObjectToObject(b, "channel");
	cJSON_AddStringToObject(ch, "type", "widget");
	cJSON_AddStringToObject(ch, "name", "Website");
	cJSON *ow = cJSON_AddObjectToObject(b, "owner");
	cJSON_AddStringToObject(ow, "external_id", external_id);
	cJSON_AddStringToObject(ow, "name", "Maria G.");
	cJSON_AddStringToObject(b, "role", role);
	cJSON_AddStringToObject(b, "text", text);
	cJSON_AddBoolToObject(b, "escalate", escalate);
	char *body = cJSON_PrintUnformatted(b);
	struct reply r = http(h, "POST", "/v1/ingest/messages", ingest_token, body);
	cJSON *j = expect_status(&r, 201);
	cJSON *id = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "chat"), "id");
	assert_true(cJSON_IsString(id));
	if (out_chat_id)
		snprintf(out_chat_id, 37, "%s", id->valuestring);
	reply_free(&r);
	free(body);
	cJSON_Delete(b);
}

/* ---- WebSocket ----------------------------------------------------------- */

enum fill { FILL_OK, FILL_TIMEOUT, FILL_EOF };

/* Read more bytes into w->buf before the deadline. */
static enum fill ws_fill(struct ws *w, long long deadline)
{
	long long left = deadline - now_ms();
	if (left <= 0 || !wait_readable(w->fd, (int)left))
		return FILL_TIMEOUT;
	if (w->cap - w->len < 65536) {
		w->cap = w->cap * 2 + 65536;
		w->buf = realloc(w->buf, w->cap);
	}
	ssize_t n = read(w->fd, w->buf + w->len, w->cap - w->len);
	if (n <= 0)
		return FILL_EOF;
	w->len += (size_t)n;
	return FILL_OK;
}

bool ws_connect(struct ws *w, struct hub *h, const char *token, const char *query, int *status)
{
	return ws_connect_rcvbuf(w, h, token, query, status, 0);
}

bool ws_connect_rcvbuf(struct ws *w, struct hub *h, const char *token, const char *query,
		       int *status, int rcvbuf)
{
	memset(w, 0, sizeof *w);
	w->fd = socket(AF_INET, SOCK_STREAM, 0);
	/* Before connect, so the TCP window is small from the start. */
	if (rcvbuf)
		setsockopt(w->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)h->port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(w->fd, (struct sockaddr *)&a, sizeof a), 0);

	char req[1024];
	int n = snprintf(req, sizeof req,
			 "GET /v1/events%s%s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
			 "Upgrade: websocket\r\nConnection: Upgrade\r\n"
			 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
			 "Sec-WebSocket-Protocol: handoff.v1\r\n%s%s%s\r\n",
			 query ? "?" : "", query ? query : "", h->port, token ? "Authorization: Bearer " : "",
			 token ? token : "", token ? "\r\n" : "");
	assert_int_equal(write(w->fd, req, (size_t)n), n);

	long long deadline = now_ms() + 10000;
	char *end;
	while (!(w->buf && (end = memmem(w->buf, w->len, "\r\n\r\n", 4))))
		if (ws_fill(w, deadline) != FILL_OK)
			fail_msg("no answer to the WebSocket upgrade");
	int code = 0;
	sscanf((char *)w->buf, "HTTP/1.%*c %d", &code);
	if (status)
		*status = code;
	size_t head = (size_t)(end + 4 - (char *)w->buf);
	memmove(w->buf, w->buf + head, w->len - head);
	w->len -= head;
	return code == 101;
}

/* Parse one complete frame at the start of buf: returns its total size, or 0
 * when more bytes are needed. */
static size_t frame_size(const unsigned char *b, size_t len, int *opcode, size_t *payload_off,
			 uint64_t *payload_len)
{
	if (len < 2)
		return 0;
	*opcode = b[0] & 0x0f;
	uint64_t plen = b[1] & 0x7f;
	size_t off = 2;
	if (plen == 126) {
		if (len < 4)
			return 0;
		plen = ((uint64_t)b[2] << 8) | b[3];
		off = 4;
	} else if (plen == 127) {
		if (len < 10)
			return 0;
		plen = 0;
		for (int i = 0; i < 8; i++)
			plen = (plen << 8) | b[2 + i];
		off = 10;
	}
	if (b[1] & 0x80)
		off += 4; /* servers never mask, but be exact */
	if (len < off + plen)
		return 0;
	*payload_off = off;
	*payload_len = plen;
	return off + (size_t)plen;
}

cJSON *ws_next(struct ws *w, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	char *msg = NULL;
	size_t msg_len = 0;

	for (;;) {
		int op;
		size_t off, total;
		uint64_t plen;
		while (!(total = frame_size(w->buf, w->len, &op, &off, &plen)))
			if (ws_fill(w, deadline) != FILL_OK) {
				free(msg);
				return NULL;
			}
		bool fin = w->buf[0] & 0x80;
		if (op == 8) { /* close */
			free(msg);
			return NULL;
		}
		if (op == 1 || op == 0) {
			msg = realloc(msg, msg_len + plen + 1);
			memcpy(msg + msg_len, w->buf + off, plen);
			msg_len += plen;
			msg[msg_len] = '\0';
		}
		memmove(w->buf, w->buf + total, w->len - total);
		w->len -= total;
		if ((op == 1 || op == 0) && fin) {
			cJSON *j = cJSON_Parse(msg);
			if (!j)
				fail_msg("event frame is not JSON: %.200s", msg);
			free(msg);
			return j;
		}
	}
}

int ws_close_code(struct ws *w, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	for (;;) {
		int op;
		size_t off, total;
		uint64_t plen;
		while (!(total = frame_size(w->buf, w->len, &op, &off, &plen))) {
			enum fill f = ws_fill(w, deadline);
			if (f != FILL_OK)
				return f == FILL_EOF ? 0 : -1;
		}
		if (op == 8)
			return plen >= 2 ? w->buf[off] << 8 | w->buf[off + 1] : 1005;
		memmove(w->buf, w->buf + total, w->len - total);
		w->len -= total;
	}
}

bool ws_closed(struct ws *w, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	for (;;) {
		int op;
		size_t off, total;
		uint64_t plen;
		while (!(total = frame_size(w->buf, w->len, &op, &off, &plen))) {
			enum fill f = ws_fill(w, deadline);
			if (f != FILL_OK)
				return f == FILL_EOF;
		}
		if (op == 8)
			return true;
		memmove(w->buf, w->buf + total, w->len - total);
		w->len -= total;
	}
}

void ws_send_text(struct ws *w, const char *text)
{
	static const unsigned char key[4] = {0x5a, 0x13, 0xc4, 0x7e};
	size_t len = strlen(text), n = 0;
	unsigned char *f = malloc(len + 14);

	assert_non_null(f);
	f[n++] = 0x81; /* FIN, text */
	if (len < 126) {
		f[n++] = (unsigned char)(0x80 | len);
	} else {
		assert_true(len <= 0xffff);
		f[n++] = 0x80 | 126;
		f[n++] = (unsigned char)(len >> 8);
		f[n++] = (unsigned char)len;
	}
	memcpy(f + n, key, 4);
	n += 4;
	for (size_t i = 0; i < len; i++)
		f[n++] = (unsigned char)(text[i] ^ key[i % 4]);
	assert_int_equal(write(w->fd, f, n), (ssize_t)n);
	free(f);
}

void ws_say_away(struct ws *w, bool away)
{
	ws_send_text(w, away ? "{\"type\":\"away\",\"away\":true}"
			     : "{\"type\":\"away\",\"away\":false}");
}

void ws_open_console(struct ws *w, struct hub *h, const char *token)
{
	assert_true(ws_connect(w, h, token, NULL, NULL));
	cJSON *hello = ws_next(w, 5000);
	assert_non_null(hello);
	assert_string_equal(cJSON_GetObjectItem(hello, "type")->valuestring, "hello");
	cJSON_Delete(hello);
	ws_send_text(w, "{\"type\":\"viewing\",\"chat_id\":null}");
	ws_say_away(w, false);
	for (cJSON *f = NULL;; cJSON_Delete(f)) {
		assert_non_null(f = ws_next(w, 5000));
		const cJSON *type = cJSON_GetObjectItem(f, "type");
		if (cJSON_IsString(type) && strcmp(type->valuestring, "agent") == 0) {
			cJSON_Delete(f);
			return;
		}
	}
}

void ws_close(struct ws *w)
{
	if (w->fd >= 0)
		close(w->fd);
	free(w->buf);
	memset(w, 0, sizeof *w);
	w->fd = -1;
}
