/*
 * test_stream_frames.c — the stream against a scripted fake hub, for what a
 * real handoffd never sends: messages cut into fragments, a duplicate seq,
 * an unreadable frame, the same unreadable frame after every hello. The
 * fake hub is a thread with blocking sockets that
 * speaks just enough WebSocket (RFC 6455 handshake, unmasked frames).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libwebsockets.h>
#include <uv.h>

#include "../unit/fixtures.h"
#include "harness.h"
#include "stream.h"

#define WAIT_MS 10000
#define TOKEN "fake-hub-token-0123456789abcdef0123456789"

#define HELLO(head)                                                                    \
	"{\"type\":\"hello\",\"head\":" #head ",\"me\":{\"id\":\"" FIX_AGENT_ID          \
	"\",\"name\":\"Ana\",\"email\":null,\"role\":\"agent\"}}"
#define UPDATED(seq)                                                                   \
	"{\"seq\":" #seq ",\"type\":\"chat.updated\",\"at\":\"2026-11-23T10:01:02.123Z\"," \
	"\"chat\":" FIX_CHAT_MINIMAL_JSON "}"

/* ---- the fake hub ---------------------------------------------------------- */

#define MAX_CONNECTIONS 8

struct fake_hub {
	int listen_fd, port;
	char paths[MAX_CONNECTIONS][256]; /* request targets, by connection */
	bool auth_ok[MAX_CONNECTIONS], proto_ok[MAX_CONNECTIONS];
	long long accepted_ms[MAX_CONNECTIONS];
	int connections;
	pthread_t thread;
};

static bool read_request(int fd, char *buf, size_t n)
{
	size_t len = 0;

	while (len < n - 1) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, WAIT_MS) <= 0)
			return false;
		ssize_t r = read(fd, buf + len, n - 1 - len);
		if (r <= 0)
			return false;
		len += (size_t)r;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n"))
			return true;
	}
	return false;
}

/* The value of header `name` (case-insensitive) into out. */
static bool header(const char *req, const char *name, char *out, size_t n)
{
	for (const char *l = strstr(req, "\r\n"); l; l = strstr(l + 2, "\r\n")) {
		if (strncasecmp(l + 2, name, strlen(name)) == 0 && l[2 + strlen(name)] == ':') {
			const char *v = l + 3 + strlen(name);
			while (*v == ' ')
				v++;
			size_t len = strcspn(v, "\r");
			snprintf(out, n, "%.*s", (int)len, v);
			return true;
		}
	}
	return false;
}

static void send_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = write(fd, c, n);
		if (w <= 0)
			return;
		c += w;
		n -= (size_t)w;
	}
}

/* One unmasked frame: opcode 1 (text) or 0 (continuation). */
static void send_frame(int fd, int opcode, bool fin, const char *data, size_t n)
{
	unsigned char h[10];
	size_t hl = 2;

	h[0] = (unsigned char)((fin ? 0x80 : 0) | opcode);
	if (n < 126) {
		h[1] = (unsigned char)n;
	} else {
		h[1] = 126;
		h[2] = (unsigned char)(n >> 8);
		h[3] = (unsigned char)n;
		hl = 4;
	}
	send_all(fd, h, hl);
	send_all(fd, data, n);
}

static void send_text(int fd, const char *text)
{
	send_frame(fd, 1, true, text, strlen(text));
}

/* A text message cut into `parts` frames. */
static void send_fragmented(int fd, const char *text, int parts)
{
	size_t len = strlen(text), step = len / (size_t)parts, at = 0;

	for (int i = 0; i < parts; i++) {
		size_t n = i == parts - 1 ? len - at : step;
		send_frame(fd, i == 0 ? 1 : 0, i == parts - 1, text + at, n);
		at += n;
	}
}

/* Accept one client and answer its upgrade; -1 on failure. */
static int accept_upgrade(struct fake_hub *f, int i)
{
	struct pollfd p = {.fd = f->listen_fd, .events = POLLIN};
	char req[4096], key[128], value[256], accept_b64[64], resp[512];
	unsigned char sha[20];

	if (poll(&p, 1, WAIT_MS) <= 0)
		return -1;
	int fd = accept(f->listen_fd, NULL, NULL);
	if (fd < 0 || !read_request(fd, req, sizeof req) || !header(req, "Sec-WebSocket-Key", key, sizeof key)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	sscanf(req, "GET %255s", f->paths[i]);
	f->auth_ok[i] = header(req, "Authorization", value, sizeof value) &&
			strcmp(value, "Bearer " TOKEN) == 0;
	f->proto_ok[i] = header(req, "Sec-WebSocket-Protocol", value, sizeof value) &&
			 strcmp(value, "handoff.v1") == 0;
	strncat(key, "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", sizeof key - strlen(key) - 1);
	lws_SHA1((const unsigned char *)key, strlen(key), sha);
	lws_b64_encode_string((const char *)sha, 20, accept_b64, sizeof accept_b64);
	snprintf(resp, sizeof resp,
		 "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
		 "Sec-WebSocket-Accept: %s\r\nSec-WebSocket-Protocol: handoff.v1\r\n\r\n",
		 accept_b64);
	send_all(fd, resp, strlen(resp));
	f->accepted_ms[i] = now_ms();
	f->connections++;
	return fd;
}

/* Until the client hangs up (or the deadline). */
static void drain_until_closed(int fd)
{
	char buf[512];

	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, WAIT_MS) <= 0 || read(fd, buf, sizeof buf) <= 0)
			break;
	}
	close(fd);
}

static void *fake_hub_run(void *arg)
{
	struct fake_hub *f = arg;

	/* 1: a hello in three pieces, an event in two, the same event again,
	 * the next one, then a frame that is not an event. */
	int fd = accept_upgrade(f, 0);
	if (fd < 0)
		return NULL;
	send_fragmented(fd, HELLO(5), 3);
	send_fragmented(fd, UPDATED(6), 2);
	send_text(fd, UPDATED(6));
	send_text(fd, UPDATED(7));
	/* Presence (v1.1) has no seq: it passes, and the resume is still 7. */
	send_text(fd, "{\"type\":\"presence\",\"chat_id\":\"" FIX_CHAT_ID "\","
		      "\"viewing\":[{\"id\":\"" FIX_AGENT_ID "\",\"name\":\"Ben\"}],\"typing\":[]}");
	send_text(fd, "{\"seq\":8,\"type\":\"chat.updated\",\"at\":");
	drain_until_closed(fd);

	/* 2: the client must come back asking for what follows 7. */
	fd = accept_upgrade(f, 1);
	if (fd < 0)
		return NULL;
	send_text(fd, HELLO(9));
	send_text(fd, UPDATED(8));
	send_text(fd, UPDATED(9));
	drain_until_closed(fd);
	return NULL;
}

/* Connections 0-4 and 6-7: a hello, then a frame that is not an event.
 * Connection 5 applies an event before it: a healthy stream. */
#define POISON_HEALTHY_AT 5

static void *poison_hub_run(void *arg)
{
	struct fake_hub *f = arg;

	for (int i = 0; i < MAX_CONNECTIONS; i++) {
		int fd = accept_upgrade(f, i);
		if (fd < 0)
			return NULL;
		send_text(fd, HELLO(5));
		if (i == POISON_HEALTHY_AT)
			send_text(fd, UPDATED(6));
		send_text(fd, "{bad");
		drain_until_closed(fd);
	}
	return NULL;
}

static void fake_hub_start(struct fake_hub *f, void *(*script)(void *))
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;

	memset(f, 0, sizeof *f);
	f->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(f->listen_fd >= 0);
	assert_int_equal(bind(f->listen_fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(f->listen_fd, 4), 0);
	assert_int_equal(getsockname(f->listen_fd, (struct sockaddr *)&a, &len), 0);
	f->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&f->thread, NULL, script, f), 0);
}

/* ---- the client side ------------------------------------------------------- */

struct seen {
	int hellos, resyncs, nseq, presence;
	int64_t seqs[16];
	int unreadable;         /* attempts that ended on an unreadable frame */
};

static void on_hello(void *ctx, const struct event *hello)
{
	(void)hello;
	((struct seen *)ctx)->hellos++;
}

static void on_event(void *ctx, const struct event *e)
{
	struct seen *v = ctx;

	if (e->type == EVENT_PRESENCE) {
		v->presence += e->presence->nviewing == 1;
		return;
	}
	assert_true(v->nseq < 16);
	v->seqs[v->nseq++] = e->seq;
}

static void on_resync(void *ctx)
{
	((struct seen *)ctx)->resyncs++;
}

static void on_state(void *ctx, const struct stream_status *st)
{
	struct seen *v = ctx;

	if (st->state == STREAM_RETRYING && strstr(st->reason, "cannot read"))
		v->unreadable++;
}

static void on_tick(uv_timer_t *t)
{
	(void)t;
}

static void test_fragments_duplicates_and_an_unreadable_frame(void **state)
{
	(void)state;
	struct fake_hub f;
	struct seen v = {0};
	struct stream_callbacks cb = {on_hello, on_event, on_resync, on_state};
	uv_loop_t loop;
	uv_timer_t tick;
	char url[64];
	struct errbuf err;

	fake_hub_start(&f, fake_hub_run);
	assert_int_equal(uv_loop_init(&loop), 0);
	snprintf(url, sizeof url, "http://127.0.0.1:%d", f.port);
	struct stream *s = stream_new(&loop, url, TOKEN, false, &cb, &v, &err);
	assert_non_null(s);
	stream_set_backoff(s, 0.01, 0.02, 3);
	stream_start(s, -1);
	uv_timer_init(&loop, &tick);
	uv_timer_start(&tick, on_tick, 50, 50);
	long long deadline = now_ms() + WAIT_MS;
	while (v.nseq < 4 && now_ms() < deadline)
		uv_run(&loop, UV_RUN_ONCE);

	assert_int_equal(v.nseq, 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(v.seqs[i], 6 + i);
	assert_int_equal(stream_last_seq(s), 9);
	assert_int_equal(v.hellos, 2);
	assert_int_equal(v.resyncs, 1); /* the fresh start only */
	assert_int_equal(v.unreadable, 1);
	assert_int_equal(v.presence, 1);
	assert_int_equal(stream_status(s)->state, STREAM_LIVE);

	stream_free(s);
	uv_close((uv_handle_t *)&tick, NULL);
	assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
	assert_int_equal(uv_loop_close(&loop), 0);
	pthread_join(f.thread, NULL);
	close(f.listen_fd);

	assert_int_equal(f.connections, 2);
	assert_string_equal(f.paths[0], "/v1/events");
	assert_string_equal(f.paths[1], "/v1/events?since=7");
	assert_true(f.auth_ok[0] && f.auth_ok[1]);
	assert_true(f.proto_ok[0] && f.proto_ok[1]);
}

/*
 * A hub that greets and then sends a frame the client cannot read, on every
 * connection (a stored bad event replayed from since, a proxy mangling
 * frames): the hello must not reset the reconnect schedule, or the client
 * reconnects every base delay forever. Each gap between the hub's accepts
 * is the client's delay plus a little, so with base b the k-th gap is at
 * least b * 2^k / 2 (equal jitter), and no shorter than the one before.
 * Once a connection applies an event, the schedule starts afresh.
 */
static void test_unreadable_frame_after_every_hello_backs_off(void **state)
{
	(void)state;
	struct fake_hub f;
	struct seen v = {0};
	struct stream_callbacks cb = {on_hello, on_event, on_resync, on_state};
	const double base_s = 0.05;
	/* An attempt's own cost on loopback varies by a few ms, more on a
	 * loaded machine: growth is checked to this much. */
	const long long slack_ms = 50;
	uv_loop_t loop;
	uv_timer_t tick;
	char url[64];
	struct errbuf err;

	fake_hub_start(&f, poison_hub_run);
	assert_int_equal(uv_loop_init(&loop), 0);
	snprintf(url, sizeof url, "http://127.0.0.1:%d", f.port);
	struct stream *s = stream_new(&loop, url, TOKEN, false, &cb, &v, &err);
	assert_non_null(s);
	stream_set_backoff(s, base_s, 30, 3);
	stream_start(s, -1);
	uv_timer_init(&loop, &tick);
	uv_timer_start(&tick, on_tick, 50, 50);
	long long deadline = now_ms() + WAIT_MS;
	while (v.unreadable < MAX_CONNECTIONS && now_ms() < deadline)
		uv_run(&loop, UV_RUN_ONCE);
	assert_int_equal(v.unreadable, MAX_CONNECTIONS);
	assert_int_equal(v.hellos, MAX_CONNECTIONS);
	assert_int_equal(v.nseq, 1);

	stream_free(s);
	uv_close((uv_handle_t *)&tick, NULL);
	assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
	assert_int_equal(uv_loop_close(&loop), 0);
	pthread_join(f.thread, NULL);
	close(f.listen_fd);

	assert_int_equal(f.connections, MAX_CONNECTIONS);
	long long gap[MAX_CONNECTIONS - 1];
	for (int i = 0; i + 1 < MAX_CONNECTIONS; i++)
		gap[i] = f.accepted_ms[i + 1] - f.accepted_ms[i];
	/* Poisoned attempts: growing gaps, each at least its schedule's. */
	for (int k = 0; k < POISON_HEALTHY_AT; k++) {
		long long floor_ms = (long long)(base_s * 1000 * (1 << k) / 2);
		if (gap[k] < floor_ms)
			fail_msg("gap %d is %lld ms, the schedule says at least %lld", k, gap[k],
				 floor_ms);
		if (k > 0 && gap[k] + slack_ms < gap[k - 1])
			fail_msg("gap %d (%lld ms) is shorter than gap %d (%lld ms)", k, gap[k],
				 k - 1, gap[k - 1]);
	}
	/* Every attempt asked again for what follows the last event it had:
	 * the bad frame is never skipped. */
	for (int i = 1; i <= POISON_HEALTHY_AT; i++)
		assert_string_equal(f.paths[i], "/v1/events?since=5");
	assert_string_equal(f.paths[POISON_HEALTHY_AT + 1], "/v1/events?since=6");
	/* The healthy connection reset the schedule: back to the first delay,
	 * then growing again. */
	int h = POISON_HEALTHY_AT;
	if (gap[h] > 250)
		fail_msg("after a healthy connection the gap is %lld ms, not about %g s", gap[h],
			 base_s);
	assert_true(gap[h] < gap[h - 1]);
	assert_true(gap[h + 1] >= (long long)(base_s * 1000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fragments_duplicates_and_an_unreadable_frame),
		cmocka_unit_test(test_unreadable_frame_after_every_hello_backs_off),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
