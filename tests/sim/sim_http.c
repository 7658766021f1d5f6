/*
 * sim_http.c — see sim_http.h for why this is plain libuv.
 *
 * One connection reads into a growing buffer; once a whole request (head
 * and Content-Length body) is there the handler runs, and reading pauses
 * until its answer is written, so pipelined requests are answered in order
 * and a delayed answer holds back the ones behind it, as on a real server.
 */
#define _GNU_SOURCE /* memmem */
#include "sim_http.h"

#include <arpa/inet.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A head larger than this is refused (the bridge sends a few hundred bytes). */
#define MAX_HEAD (64 * 1024)
#define READ_CHUNK (64 * 1024)

struct conn {
	uv_tcp_t tcp;
	uv_timer_t timer;       /* the delay of a slow answer */
	struct sim_http *srv;
	char *buf;
	size_t len, cap;
	int handles;            /* open uv handles; freed when back to 0 */
	int busy;               /* an answer is waiting for its delay */
	int closing;
	int keep_alive;         /* of the request being answered */
	struct sim_resp pending;
	struct conn *prev, *next;
};

struct sim_http {
	uv_tcp_t listener;
	sim_handler handler;
	void *ctx;
	struct conn *conns;
};

struct write_req {
	uv_write_t req;
	struct conn *c;
	int close_after;
	char data[];
};

static void process(struct conn *c);
static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf);
static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);

const char *sim_req_header(const struct sim_req *r, const char *name)
{
	for (int i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = tolower(ch);
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

char *sim_url_decode(const char *src, size_t len)
{
	char *out = malloc(len + 1);
	size_t o = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		int ch = (unsigned char)src[i];
		if (ch == '%') {
			int hi = i + 2 < len ? hexval((unsigned char)src[i + 1]) : -1;
			int lo = i + 2 < len ? hexval((unsigned char)src[i + 2]) : -1;
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
				free(out);
				return NULL;
			}
			ch = hi * 16 + lo;
			i += 2;
		} else if (ch == '+') {
			ch = ' ';
		}
		out[o++] = (char)ch;
	}
	out[o] = '\0';
	return out;
}

void sim_path_params_free(char **params, int n)
{
	for (int i = 0; i < n; i++) {
		free(params[i]);
		params[i] = NULL;
	}
}

int sim_path_match(const char *pattern, const char *path, char **params, int max)
{
	int np = 0;

	while (*pattern && *path) {
		if (strncmp(pattern, "{}", 2) == 0) {
			size_t len = strcspn(path, "/");
			if (len == 0 || np == max || !(params[np] = sim_url_decode(path, len)))
				goto no;
			np++;
			pattern += 2;
			path += len;
		} else if (*pattern++ != *path++) {
			goto no;
		}
	}
	if (*pattern == '\0' && *path == '\0')
		return np;
no:
	sim_path_params_free(params, np);
	return -1;
}

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 402: return "Payment Required";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "Status";
	}
}

static void on_handle_closed(uv_handle_t *h)
{
	struct conn *c = h->data;

	if (--c->handles > 0)
		return;
	free(c->pending.body);
	free(c->buf);
	free(c);
}

static void conn_close(struct conn *c)
{
	if (c->closing)
		return;
	c->closing = 1;
	if (c->prev)
		c->prev->next = c->next;
	else
		c->srv->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
	uv_close((uv_handle_t *)&c->timer, on_handle_closed);
}

static void on_written(uv_write_t *w, int status)
{
	struct write_req *wr = (struct write_req *)w;
	struct conn *c = wr->c;
	int close_after = wr->close_after;

	free(wr);
	if (c->closing)
		return;
	if (status < 0 || close_after) {
		conn_close(c);
		return;
	}
	c->busy = 0;
	process(c);
}

/* Write the pending answer (or hang up, when the fault says so). */
static void answer(struct conn *c)
{
	struct sim_resp *r = &c->pending;
	const char *body = r->body ? r->body : "";
	size_t blen = strlen(body);
	char head[512];
	int n;

	if (r->action == SIM_RESP_DROP) {
		conn_close(c);
		return;
	}
	n = snprintf(head, sizeof head,
		     "HTTP/1.1 %d %s\r\n"
		     "Content-Type: application/json\r\n"
		     "Content-Length: %zu\r\n"
		     "%s",
		     r->status, reason(r->status), blen,
		     c->keep_alive ? "" : "Connection: close\r\n");
	if (r->retry_after >= 0)
		n += snprintf(head + n, sizeof head - n, "Retry-After: %d\r\n", r->retry_after);
	n += snprintf(head + n, sizeof head - n, "\r\n");

	struct write_req *wr = malloc(sizeof *wr + n + blen);
	if (!wr) {
		conn_close(c);
		return;
	}
	wr->c = c;
	wr->close_after = !c->keep_alive;
	memcpy(wr->data, head, n);
	memcpy(wr->data + n, body, blen);
	free(r->body);
	r->body = NULL;
	uv_buf_t b = uv_buf_init(wr->data, (unsigned)(n + blen));
	if (uv_write(&wr->req, (uv_stream_t *)&c->tcp, &b, 1, on_written) < 0) {
		free(wr);
		conn_close(c);
	}
}

static void on_delay(uv_timer_t *t)
{
	answer(t->data);
}

/* A head the parser refuses: say 400 and hang up. */
static void refuse(struct conn *c)
{
	memset(&c->pending, 0, sizeof c->pending);
	c->pending.status = 400;
	c->pending.body = strdup("{\"type\":\"InvalidPayload\","
				 "\"description\":\"Malformed HTTP request.\",\"status\":400}");
	c->pending.retry_after = -1;
	c->keep_alive = 0;
	c->busy = 1;
	uv_read_stop((uv_stream_t *)&c->tcp);
	answer(c);
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	char *e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

/* Parse the head held in `head` (NUL-terminated, modified in place).
 * Returns the Content-Length, or -1 when the head is malformed. */
static long long parse_head(char *head, struct sim_req *r, int *keep_alive)
{
	char *line, *save = NULL, *sp1, *sp2, *version;
	long long clen = 0;

	line = strtok_r(head, "\r\n", &save);
	if (!line || !(sp1 = strchr(line, ' ')) || !(sp2 = strchr(sp1 + 1, ' ')))
		return -1;
	*sp1 = *sp2 = '\0';
	r->method = line;
	version = sp2 + 1;
	char *target = sp1 + 1;
	if (target[0] != '/' || strncmp(version, "HTTP/1.", 7) != 0)
		return -1;
	*keep_alive = strcmp(version, "HTTP/1.1") == 0;
	char *q = strchr(target, '?');
	if (q)
		*q++ = '\0';
	r->path = target;
	r->query = q ? q : "";

	while ((line = strtok_r(NULL, "\r\n", &save)) != NULL) {
		char *colon = strchr(line, ':');
		if (!colon || colon == line || r->nheaders == SIM_HTTP_MAX_HEADERS)
			return -1;
		*colon = '\0';
		struct sim_header *h = &r->headers[r->nheaders++];
		h->name = line;
		h->value = trim(colon + 1);
		if (strcasecmp(h->name, "Transfer-Encoding") == 0)
			return -1;
		if (strcasecmp(h->name, "Content-Length") == 0) {
			char *end;
			if (!isdigit((unsigned char)h->value[0]))
				return -1;
			clen = strtoll(h->value, &end, 10);
			if (*end || clen < 0)
				return -1;
		}
		if (strcasecmp(h->name, "Connection") == 0) {
			if (strcasecmp(h->value, "close") == 0)
				*keep_alive = 0;
			else if (strcasecmp(h->value, "keep-alive") == 0)
				*keep_alive = 1;
		}
	}
	return clen;
}

/* Answer every complete request in the buffer, one at a time. */
static void process(struct conn *c)
{
	while (!c->busy && !c->closing) {
		char *end = c->len >= 4 ? memmem(c->buf, c->len, "\r\n\r\n", 4) : NULL;
		if (!end) {
			if (c->len > MAX_HEAD)
				refuse(c);
			else
				uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
			return;
		}
		size_t head_len = (size_t)(end - c->buf) + 4;
		char *head = malloc(head_len - 1);
		struct sim_req req;
		int keep_alive = 0;

		if (!head) {
			conn_close(c);
			return;
		}
		memcpy(head, c->buf, head_len - 2);
		head[head_len - 2] = '\0';
		memset(&req, 0, sizeof req);
		long long clen = parse_head(head, &req, &keep_alive);
		if (clen < 0) {
			free(head);
			refuse(c);
			return;
		}
		char *body = NULL;
		size_t consumed = head_len;
		if (clen > SIM_HTTP_MAX_BODY) {
			/* Answer at once without reading the body, then hang up. */
			req.too_large = 1;
			keep_alive = 0;
		} else if (c->len - head_len < (size_t)clen) {
			free(head);
			return; /* the body is still on its way */
		} else {
			consumed += (size_t)clen;
		}
		body = malloc(req.too_large ? 1 : (size_t)clen + 1);
		if (!body) {
			free(head);
			conn_close(c);
			return;
		}
		if (!req.too_large) {
			memcpy(body, c->buf + head_len, (size_t)clen);
			req.body_len = (size_t)clen;
		}
		body[req.body_len] = '\0';
		req.body = body;

		memset(&c->pending, 0, sizeof c->pending);
		c->pending.retry_after = -1;
		c->keep_alive = keep_alive;
		c->srv->handler(c->srv->ctx, &req, &c->pending);
		free(body);
		free(head);
		memmove(c->buf, c->buf + consumed, c->len - consumed);
		c->len -= consumed;

		c->busy = 1;
		uv_read_stop((uv_stream_t *)&c->tcp);
		if (c->pending.delay_ms > 0)
			uv_timer_start(&c->timer, on_delay, c->pending.delay_ms, 0);
		else
			answer(c);
	}
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct conn *c = h->data;

	if (c->cap - c->len < READ_CHUNK) {
		char *nb = realloc(c->buf, c->cap + READ_CHUNK);
		if (!nb) {
			*buf = uv_buf_init(NULL, 0);
			return;
		}
		c->buf = nb;
		c->cap += READ_CHUNK;
	}
	*buf = uv_buf_init(c->buf + c->len, (unsigned)(c->cap - c->len));
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct conn *c = s->data;

	if (nread < 0) {
		conn_close(c);
		return;
	}
	c->len += (size_t)nread;
	/* The body of an oversized request is never buffered whole. */
	if (c->len > MAX_HEAD + SIM_HTTP_MAX_BODY) {
		conn_close(c);
		return;
	}
	process(c);
}

static void on_connection(uv_stream_t *server, int status)
{
	struct sim_http *s = server->data;
	struct conn *c;

	if (status < 0 || !(c = calloc(1, sizeof *c)))
		return;
	c->srv = s;
	uv_tcp_init(server->loop, &c->tcp);
	uv_timer_init(server->loop, &c->timer);
	c->tcp.data = c->timer.data = c;
	c->handles = 2;
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	if (uv_accept(server, (uv_stream_t *)&c->tcp) < 0) {
		conn_close(c);
		return;
	}
	uv_tcp_nodelay(&c->tcp, 1);
	uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

int sim_http_start(uv_loop_t *loop, const char *host, int port, sim_handler h, void *ctx,
		   struct sim_http **out, int *bound_port)
{
	struct sockaddr_in addr;
	struct sockaddr_storage got;
	int len = sizeof got, rc;
	struct sim_http *s = calloc(1, sizeof *s);

	if (!s)
		return UV_ENOMEM;
	s->handler = h;
	s->ctx = ctx;
	if ((rc = uv_ip4_addr(host, port, &addr)) < 0) {
		free(s);
		return rc;
	}
	uv_tcp_init(loop, &s->listener);
	s->listener.data = s;
	if ((rc = uv_tcp_bind(&s->listener, (struct sockaddr *)&addr, 0)) < 0 ||
	    (rc = uv_listen((uv_stream_t *)&s->listener, 128, on_connection)) < 0 ||
	    (rc = uv_tcp_getsockname(&s->listener, (struct sockaddr *)&got, &len)) < 0) {
		sim_http_stop(s);
		return rc;
	}
	*bound_port = ntohs(((struct sockaddr_in *)&got)->sin_port);
	*out = s;
	return 0;
}

static void on_listener_closed(uv_handle_t *h)
{
	free(h->data);
}

void sim_http_stop(struct sim_http *s)
{
	while (s->conns)
		conn_close(s->conns);
	uv_close((uv_handle_t *)&s->listener, on_listener_closed);
}
