/*
 * test_api.c — the API client (api.h) on a uv loop: every endpoint against
 * a real handoffd, typed errors, an unreachable hub, cancellation, and the
 * retry policy against a small fake HTTP server (a uv TCP listener in this
 * program answering canned responses: 503s and 429s with Retry-After).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

#include "api.h"
#include "harness.h"

static struct hub hub;
static char ana[HUB_TOKEN_MAX], ben[HUB_TOKEN_MAX], sue[HUB_TOKEN_MAX], bot[HUB_TOKEN_MAX];
static char base[64];

static const struct account accounts[] = {
	{"Ana", "agent", ana},
	{"Ben", "agent", ben},
	{"Sue", "supervisor", sue},
	{"Widget bridge", "ingest", bot},
	{NULL},
};

static int setup(void **state)
{
	hub_up(&hub, accounts);
	hub_url(&hub, "", base, sizeof base);
	*state = &hub;
	return 0;
}

/* ---- running calls ------------------------------------------------------------- */

struct outcome {
	bool done;
	int calls;
	struct api_result r; /* payload taken from the callback */
};

static void record(void *ctx, struct api_result *r)
{
	struct outcome *o = ctx;
	o->calls++;
	o->done = true;
	api_result_take(&o->r, r);
}

static void wait_for(uv_loop_t *loop, struct outcome *o)
{
	long long deadline = now_ms() + 15000;
	while (!o->done) {
		if (now_ms() > deadline)
			fail_msg("the call did not finish within 15 s");
		uv_run(loop, UV_RUN_ONCE);
	}
}

static void outcome_reset(struct outcome *o)
{
	api_result_free(&o->r);
	memset(o, 0, sizeof *o);
}

/* Expect success, else show what went wrong. */
static void expect_ok(struct outcome *o)
{
	if (o->r.err != API_ERR_NONE)
		fail_msg("call failed (kind %d, HTTP %ld): %s", o->r.err, o->r.http_status, o->r.text);
}

struct fixture {
	uv_loop_t loop;
	struct api *api;
};

static void open_api(struct fixture *f, const char *url, const char *token)
{
	struct errbuf err;
	uv_loop_init(&f->loop);
	f->api = api_new(&f->loop, url, token, false, &err);
	if (!f->api)
		fail_msg("api_new: %s", err.msg);
}

static void close_api(struct fixture *f)
{
	api_free(f->api);
	uv_run(&f->loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&f->loop), 0);
}

#define CALL(f, o, expr)                                         \
	do {                                                     \
		struct errbuf err_;                              \
		outcome_reset(o);                                \
		if (!(expr))                                     \
			fail_msg("could not start: %s", err_.msg); \
		assert_false((o)->done);                         \
		wait_for(&(f)->loop, o);                         \
		assert_int_equal((o)->calls, 1);                 \
	} while (0)

/* ---- against the real hub -------------------------------------------------------- */

static void test_every_endpoint_decodes(void **state)
{
	(void)state;
	struct fixture f;
	struct outcome o = {0};
	char chat[37], ana_id[37], ben_id[37];

	ingest(&hub, bot, "api-every", "user", "hello, anyone there?", false, chat);
	open_api(&f, base, ana);

	CALL(&f, &o, api_health(f.api, record, &o, &err_));
	expect_ok(&o);
	assert_string_equal(o.r.health->status, "ok");

	CALL(&f, &o, api_me(f.api, record, &o, &err_));
	expect_ok(&o);
	assert_string_equal(o.r.agent->name, "Ana");
	assert_int_equal(o.r.agent->role, ACCOUNT_AGENT);
	snprintf(ana_id, sizeof ana_id, "%s", o.r.agent->id);

	CALL(&f, &o, api_agents(f.api, record, &o, &err_));
	expect_ok(&o);
	ben_id[0] = '\0';
	for (size_t i = 0; i < o.r.agents->n; i++)
		if (!strcmp(o.r.agents->agents[i].name, "Ben"))
			snprintf(ben_id, sizeof ben_id, "%s", o.r.agents->agents[i].id);
	assert_string_not_equal(ben_id, "");

	struct api_chat_filter flt = {.escalated = API_TRISTATE_FALSE, .q = "anyone there", .limit = 10};
	CALL(&f, &o, api_chats(f.api, &flt, record, &o, &err_));
	expect_ok(&o);
	assert_int_equal(o.r.chats->n, 1);
	assert_int_equal(o.r.chats->total, 1);
	assert_null(o.r.chats->next_cursor);
	assert_string_equal(o.r.chats->chats[0].id, chat);

	CALL(&f, &o, api_chat_get(f.api, chat, record, &o, &err_));
	expect_ok(&o);
	assert_string_equal(o.r.chat->id, chat);
	assert_false(o.r.chat->escalated);

	CALL(&f, &o, api_chat_patch(f.api, chat, "Refund for order 7", "pending", record, &o, &err_));
	expect_ok(&o);
	assert_string_equal(o.r.chat->title, "Refund for order 7");
	assert_int_equal(o.r.chat->ticket.status, TICKET_PENDING);

	CALL(&f, &o, api_takeover(f.api, chat, false, record, &o, &err_));
	expect_ok(&o);
	assert_int_equal(o.r.chat->mode, CHAT_MODE_AGENT);
	assert_string_equal(o.r.chat->responder.id, ana_id);

	CALL(&f, &o, api_send(f.api, chat, "Hi, Ana here", "api-every-1", false, false, record, &o, &err_));
	expect_ok(&o);
	assert_true(o.r.created);
	assert_int_equal(o.r.message->role, MSG_ROLE_AGENT);
	int64_t seq = o.r.message->seq;
	CALL(&f, &o, api_send(f.api, chat, "Hi, Ana here", "api-every-1", false, true, record, &o, &err_));
	expect_ok(&o);
	assert_false(o.r.created); /* the duplicate: the first message back */
	assert_int_equal(o.r.message->seq, seq);
	CALL(&f, &o, api_send(f.api, chat, "customer seems upset", "api-every-2", true, true, record, &o, &err_));
	expect_ok(&o);
	assert_int_equal(o.r.message->role, MSG_ROLE_NOTE);

	CALL(&f, &o, api_messages(f.api, chat, 0, -1, 2, record, &o, &err_));
	expect_ok(&o);
	assert_int_equal(o.r.messages->n, 2);
	assert_true(o.r.messages->has_more_before);
	assert_string_equal(o.r.messages->messages[1].text, "customer seems upset");
	CALL(&f, &o, api_messages(f.api, chat, 2, -1, 0, record, &o, &err_));
	expect_ok(&o);
	assert_int_equal(o.r.messages->n, 1);
	assert_int_equal(o.r.messages->messages[0].seq, 1);
	assert_false(o.r.messages->has_more_before);
	CALL(&f, &o, api_messages(f.api, chat, 0, seq, 0, record, &o, &err_));
	expect_ok(&o);
	assert_int_equal(o.r.messages->n, 1);
	/* after_seq=0 is a bound (from the first message), not "none". */
	CALL(&f, &o, api_messages(f.api, chat, 0, 0, 1, record, &o, &err_));
	expect_ok(&o);
	assert_int_equal(o.r.messages->n, 1);
	assert_int_equal(o.r.messages->messages[0].seq, 1);

	CALL(&f, &o, api_rating(f.api, chat, 4, "quick", NULL, record, &o, &err_));
	expect_ok(&o);
	assert_true(o.r.chat->rating.present);
	assert_int_equal(o.r.chat->rating.score, 4);

	CALL(&f, &o, api_assign(f.api, chat, ben_id, record, &o, &err_));
	expect_ok(&o);
	assert_string_equal(o.r.chat->responder.id, ben_id);

	/* Ana no longer holds it; handback is Ben's (checked below for Ana). */
	CALL(&f, &o, api_handback(f.api, chat, record, &o, &err_));
	assert_int_equal(o.r.err, API_ERR_SERVER);
	assert_int_equal(o.r.server.type, API_CONFLICT);

	CALL(&f, &o, api_stop(f.api, chat, record, &o, &err_));
	assert_int_equal(o.r.err, API_ERR_SERVER); /* Ben holds it */
	close_api(&f);

	open_api(&f, base, ben);
	CALL(&f, &o, api_handback(f.api, chat, record, &o, &err_));
	expect_ok(&o);
	assert_int_equal(o.r.chat->mode, CHAT_MODE_AI);
	CALL(&f, &o, api_stop(f.api, chat, record, &o, &err_));
	expect_ok(&o);
	assert_int_equal(o.r.chat->state, CHAT_STATE_STOPPED);

	CALL(&f, &o, api_stats_daily(f.api, "2026-01-01", "2026-01-03", record, &o, &err_));
	expect_ok(&o);
	assert_int_equal(o.r.stats->n, 3);
	assert_string_equal(o.r.stats->days[2].date, "2026-01-03");
	outcome_reset(&o);
	close_api(&f);
}

static void test_typed_conflict_names_the_holder(void **state)
{
	(void)state;
	struct fixture f;
	struct outcome o = {0};
	char chat[37];

	ingest(&hub, bot, "api-conflict", "user", "help", true, chat);
	open_api(&f, base, ana);
	CALL(&f, &o, api_takeover(f.api, chat, false, record, &o, &err_));
	expect_ok(&o);
	close_api(&f);

	open_api(&f, base, ben);
	CALL(&f, &o, api_takeover(f.api, chat, false, record, &o, &err_));
	assert_int_equal(o.r.err, API_ERR_SERVER);
	assert_int_equal(o.r.http_status, 409);
	assert_int_equal(o.r.server.type, API_CONFLICT);
	assert_string_equal(o.r.server.description, "chat is held by agent Ana");
	assert_string_equal(o.r.text, "chat is held by agent Ana");
	assert_null(o.r.chat);
	/* force is for supervisors: 403 */
	CALL(&f, &o, api_takeover(f.api, chat, true, record, &o, &err_));
	assert_int_equal(o.r.server.type, API_FORBIDDEN);
	outcome_reset(&o);
	close_api(&f);

	/* a wrong token: 401, and the token is nowhere in the message */
	open_api(&f, base, "not-a-real-token-0123456789");
	CALL(&f, &o, api_me(f.api, record, &o, &err_));
	assert_int_equal(o.r.server.type, API_UNAUTHORIZED);
	assert_null(strstr(o.r.text, "not-a-real-token"));
	outcome_reset(&o);
	close_api(&f);
}

static void test_bad_arguments_never_start(void **state)
{
	(void)state;
	struct fixture f;
	struct outcome o = {0};
	struct errbuf err;

	open_api(&f, base, ana);
	assert_false(api_chat_get(f.api, "../../v1/me", record, &o, &err));
	assert_non_null(strstr(err.msg, "not a valid id"));
	assert_false(api_send(f.api, "3f1c2a4e-9b7d-4c1e-8a2f-1d3e5f7a9b0c", "", "x", false, false,
			      record, &o, &err));
	assert_false(api_chat_patch(f.api, "3f1c2a4e-9b7d-4c1e-8a2f-1d3e5f7a9b0c", NULL, NULL,
				    record, &o, &err));
	assert_false(api_rating(f.api, "3f1c2a4e-9b7d-4c1e-8a2f-1d3e5f7a9b0c", 6, NULL, NULL,
				record, &o, &err));
	assert_int_equal(api_pending(f.api), 0);
	close_api(&f);
	assert_int_equal(o.calls, 0);
}

static void test_query_escaping(void **state)
{
	(void)state;
	struct api_chat_filter flt = {.responder = "me", .q = "a b+c&d;e%f#é", .limit = 5,
				      .escalated = API_TRISTATE_FALSE};
	char *q = api_chat_query(&flt);
	assert_string_equal(q, "?escalated=false&responder=me&q=a%20b%2Bc%26d%3Be%25f%23%C3%A9&limit=5");
	free(q);
	struct api_chat_filter none = {0};
	q = api_chat_query(&none);
	assert_string_equal(q, "");
	free(q);

	/* and the hub reads it back as the same text */
	struct fixture f;
	struct outcome o = {0};
	char chat[37];
	ingest(&hub, bot, "api-escape", "user", "price 5+5 & 10% off; ok?", false, chat);
	open_api(&f, base, ana);
	struct api_chat_filter find = {.q = "5+5 & 10% off; ok?"};
	CALL(&f, &o, api_chats(f.api, &find, record, &o, &err_));
	expect_ok(&o);
	assert_int_equal(o.r.chats->n, 1);
	assert_string_equal(o.r.chats->chats[0].id, chat);
	outcome_reset(&o);
	close_api(&f);
}

static int closed_port(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
	socklen_t len = sizeof a;
	getsockname(s, (struct sockaddr *)&a, &len);
	close(s);
	return ntohs(a.sin_port);
}

static void test_unreachable_hub(void **state)
{
	(void)state;
	struct fixture f;
	struct outcome o = {0};
	char url[64];

	snprintf(url, sizeof url, "http://127.0.0.1:%d", closed_port());
	open_api(&f, url, "secret-token-never-shown");
	api_set_retry(f.api, 2, 1);
	CALL(&f, &o, api_me(f.api, record, &o, &err_));
	assert_int_equal(o.r.err, API_ERR_UNREACHABLE);
	assert_int_equal(o.r.http_status, 0);
	assert_non_null(strstr(o.r.text, "cannot reach"));
	assert_null(strstr(o.r.text, "secret-token"));
	outcome_reset(&o);
	close_api(&f);
}

static void test_free_cancels_pending_calls(void **state)
{
	(void)state;
	struct fixture f;
	struct outcome o[2] = {0};
	struct errbuf err;

	open_api(&f, base, ana);
	assert_true(api_me(f.api, record, &o[0], &err));
	assert_true(api_health(f.api, record, &o[1], &err));
	assert_int_equal(api_pending(f.api), 2);
	api_free(f.api);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(o[i].calls, 1);
		assert_int_equal(o[i].r.err, API_ERR_CANCELLED);
	}
	uv_run(&f.loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&f.loop), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(o[i].calls, 1);
}

/* ---- a fake hub for the retry policy --------------------------------------------- */

/* One canned answer; the head is built with the right Content-Length. */
struct canned {
	const char *status;  /* "503 Service Unavailable" */
	const char *headers; /* extra header lines, each ending in \r\n */
	const char *body;
};

struct fake {
	uv_tcp_t server;
	const struct canned *const *script; /* in order; the last repeats */
	int nscript;
	int requests;
	char last_method[8];
};

struct conn {
	uv_tcp_t tcp;
	struct fake *fake;
	char buf[8192];
	size_t len;
	bool answered;
	uv_write_t wr;
	char *out;
};

static void conn_closed(uv_handle_t *h)
{
	struct conn *c = h->data;
	free(c->out);
	free(c);
}

static void conn_written(uv_write_t *w, int status)
{
	(void)status;
	struct conn *c = w->data;
	uv_close((uv_handle_t *)&c->tcp, conn_closed);
}

static void conn_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
	(void)suggested;
	struct conn *c = h->data;
	*b = uv_buf_init(c->buf + c->len, (unsigned)(sizeof c->buf - c->len - 1));
}

/* A whole request: the head, and Content-Length bytes of body. */
static bool complete(struct conn *c)
{
	c->buf[c->len] = '\0';
	char *end = strstr(c->buf, "\r\n\r\n");
	if (!end)
		return false;
	const char *cl = strstr(c->buf, "Content-Length: ");
	size_t body = cl && cl < end ? (size_t)atol(cl + 16) : 0;
	return c->len >= (size_t)(end + 4 - c->buf) + body;
}

static void conn_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	(void)b;
	struct conn *c = s->data;
	if (n < 0) {
		if (!c->answered)
			uv_close((uv_handle_t *)&c->tcp, conn_closed);
		return;
	}
	c->len += (size_t)n;
	if (c->answered || !complete(c))
		return;
	c->answered = true;
	uv_read_stop(s);
	struct fake *fk = c->fake;
	snprintf(fk->last_method, sizeof fk->last_method, "%.*s",
		 (int)strcspn(c->buf, " "), c->buf);
	int i = fk->requests < fk->nscript ? fk->requests : fk->nscript - 1;
	fk->requests++;
	const struct canned *ans = fk->script[i];
	size_t size = strlen(ans->headers) + strlen(ans->body) + 256;
	c->out = malloc(size);
	snprintf(c->out, size,
		 "HTTP/1.1 %s\r\nContent-Type: application/json\r\nConnection: close\r\n"
		 "%sContent-Length: %zu\r\n\r\n%s",
		 ans->status, ans->headers, strlen(ans->body), ans->body);
	uv_buf_t out = uv_buf_init(c->out, (unsigned)strlen(c->out));
	c->wr.data = c;
	uv_write(&c->wr, s, &out, 1, conn_written);
}

static void on_conn(uv_stream_t *server, int status)
{
	assert_int_equal(status, 0);
	struct conn *c = calloc(1, sizeof *c);
	c->fake = server->data;
	uv_tcp_init(server->loop, &c->tcp);
	c->tcp.data = c;
	assert_int_equal(uv_accept(server, (uv_stream_t *)&c->tcp), 0);
	uv_read_start((uv_stream_t *)&c->tcp, conn_alloc, conn_read);
}

static int fake_start(uv_loop_t *loop, struct fake *fk)
{
	struct sockaddr_in a;
	uv_ip4_addr("127.0.0.1", 0, &a);
	uv_tcp_init(loop, &fk->server);
	fk->server.data = fk;
	assert_int_equal(uv_tcp_bind(&fk->server, (struct sockaddr *)&a, 0), 0);
	assert_int_equal(uv_listen((uv_stream_t *)&fk->server, 16, on_conn), 0);
	int len = sizeof a;
	uv_tcp_getsockname(&fk->server, (struct sockaddr *)&a, &len);
	return ntohs(a.sin_port);
}

static const struct canned unavailable = {"503 Service Unavailable", "",
	"{\"error\":{\"type\":\"Internal\",\"description\":\"try later\",\"status\":500}}"};
static const struct canned limited = {"429 Too Many Requests", "Retry-After: 0\r\n",
	"{\"error\":{\"type\":\"RateLimited\",\"description\":\"slow down\",\"status\":429}}"};
static const struct canned limited_long = {"429 Too Many Requests", "Retry-After: 7200\r\n",
	"{\"error\":{\"type\":\"RateLimited\",\"description\":\"slow down\",\"status\":429}}"};
static const struct canned healthy = {"200 OK", "", "{\"status\":\"ok\",\"version\":\"fake\"}"};
static const struct canned conflict = {"409 Conflict", "",
	"{\"error\":{\"type\":\"Conflict\",\"description\":\"chat is held by agent Ana\",\"status\":409}}"};
static const struct canned garbage = {"200 OK", "", "{\"status\":\"ok\",\"version\":17}"};
static const struct canned no_error_body = {"502 Bad Gateway", "", "<html>bad gateway</html>"};

static const char chat_id[] = "3f1c2a4e-9b7d-4c1e-8a2f-1d3e5f7a9b0c";

/* Run one call against a fake hub answering `script`; returns the outcome. */
static void against_fake(const struct canned *const *script, int n, struct fake *fk, struct outcome *o,
			 int which)
{
	struct fixture f;
	memset(fk, 0, sizeof *fk);
	fk->script = script;
	fk->nscript = n;
	uv_loop_init(&f.loop);
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", fake_start(&f.loop, fk));
	struct errbuf err;
	f.api = api_new(&f.loop, url, "tok", false, &err);
	api_set_retry(f.api, 3, 1);
	memset(o, 0, sizeof *o);
	bool ok = false;
	switch (which) {
	case 0: ok = api_health(f.api, record, o, &err); break;
	case 1: ok = api_takeover(f.api, chat_id, false, record, o, &err); break;
	case 2: ok = api_send(f.api, chat_id, "hi", "m-1", false, false, record, o, &err); break;
	case 3: ok = api_send(f.api, chat_id, "hi", "m-1", false, true, record, o, &err); break;
	}
	assert_true(ok);
	wait_for(&f.loop, o);
	assert_int_equal(o->calls, 1);
	api_free(f.api);
	uv_close((uv_handle_t *)&fk->server, NULL);
	uv_run(&f.loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&f.loop), 0);
}

static void test_get_is_retried_after_5xx_and_429(void **state)
{
	(void)state;
	struct fake fk;
	struct outcome o;
	const struct canned *const script[] = {&unavailable, &limited, &unavailable, &healthy};

	against_fake(script, 4, &fk, &o, 0);
	expect_ok(&o);
	assert_int_equal(fk.requests, 4);
	assert_string_equal(o.r.health->version, "fake");
	outcome_reset(&o);

	/* the budget ends it: 1 try + 3 retries, then the last error */
	const struct canned *const down[] = {&unavailable};
	against_fake(down, 1, &fk, &o, 0);
	assert_int_equal(fk.requests, 4);
	assert_int_equal(o.r.err, API_ERR_SERVER);
	assert_int_equal(o.r.http_status, 503);
	assert_string_equal(o.r.text, "try later");
	outcome_reset(&o);
}

static void test_post_is_not_retried_after_5xx(void **state)
{
	(void)state;
	struct fake fk;
	struct outcome o;
	const struct canned *const script[] = {&unavailable, &conflict};

	against_fake(script, 2, &fk, &o, 1);
	assert_string_equal(fk.last_method, "POST");
	assert_int_equal(fk.requests, 1);
	assert_int_equal(o.r.err, API_ERR_SERVER);
	assert_int_equal(o.r.http_status, 503);
	outcome_reset(&o);

	against_fake(script, 2, &fk, &o, 2); /* a send that is not retry_safe */
	assert_int_equal(fk.requests, 1);
	assert_int_equal(o.r.http_status, 503);
	outcome_reset(&o);

	against_fake(script, 2, &fk, &o, 3); /* retry_safe: resent */
	assert_int_equal(fk.requests, 2);
	assert_int_equal(o.r.http_status, 409);
	assert_string_equal(o.r.server.description, "chat is held by agent Ana");
	outcome_reset(&o);
}

static void test_post_is_retried_after_429(void **state)
{
	(void)state;
	struct fake fk;
	struct outcome o;
	const struct canned *const script[] = {&limited, &conflict};

	against_fake(script, 2, &fk, &o, 1);
	assert_int_equal(fk.requests, 2);
	assert_int_equal(o.r.server.type, API_CONFLICT);
	outcome_reset(&o);

	/* a Retry-After longer than anyone would wait: reported, not waited for */
	const struct canned *const later[] = {&limited_long, &conflict};
	against_fake(later, 2, &fk, &o, 1);
	assert_int_equal(fk.requests, 1);
	assert_int_equal(o.r.server.type, API_RATE_LIMITED);
	outcome_reset(&o);
}

static void test_bad_answer_names_the_field(void **state)
{
	(void)state;
	struct fake fk;
	struct outcome o;
	const struct canned *const script[] = {&garbage};

	against_fake(script, 1, &fk, &o, 0);
	assert_int_equal(o.r.err, API_ERR_BAD_ANSWER);
	assert_non_null(strstr(o.r.text, "version"));
	assert_null(o.r.health);
	outcome_reset(&o);

	/* a proxy's error page is not the hub's typed error (and a POST is
	 * not retried on it) */
	const struct canned *const proxy[] = {&no_error_body};
	against_fake(proxy, 1, &fk, &o, 1);
	assert_int_equal(fk.requests, 1);
	assert_int_equal(o.r.err, API_ERR_BAD_ANSWER);
	assert_int_equal(o.r.http_status, 502);
	outcome_reset(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_endpoint_decodes),
		cmocka_unit_test(test_typed_conflict_names_the_holder),
		cmocka_unit_test(test_bad_arguments_never_start),
		cmocka_unit_test(test_query_escaping),
		cmocka_unit_test(test_unreachable_hub),
		cmocka_unit_test(test_free_cancels_pending_calls),
		cmocka_unit_test(test_get_is_retried_after_5xx_and_429),
		cmocka_unit_test(test_post_is_not_retried_after_5xx),
		cmocka_unit_test(test_post_is_retried_after_429),
		cmocka_unit_test(test_bad_answer_names_the_field),
	};
	return cmocka_run_group_tests(tests, setup, hub_teardown);
}
