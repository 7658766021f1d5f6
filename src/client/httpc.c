/*
 * httpc.c — libcurl multi-socket on libuv (see httpc.h).
 *
 * curl tells us which sockets to watch (socket callback) and when to wake it
 * up (timer callback); libuv watches and wakes, and we hand each event back
 * with curl_multi_socket_action. Finished transfers are collected after
 * every such call.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "httpc.h"

#define DEFAULT_TIMEOUT_MS 15000L
/* An answer bigger than this is not one the API sends: refuse to hold it. */
#define MAX_ANSWER_BYTES (16L * 1024 * 1024)

struct transfer {
	struct httpc *h;
	CURL *easy;
	struct curl_slist *headers;
	char *request_body;
	char *body;
	size_t len, cap;
	bool too_large;
	char *retry_after;
	char error[CURL_ERROR_SIZE];
	httpc_done_fn *done;
	void *ctx;
	struct transfer *prev, *next;
};

/* A socket curl asked us to watch. */
struct watched {
	uv_poll_t poll; /* first: the handle's address is the struct's */
	curl_socket_t fd;
	struct httpc *h;
	struct watched *prev, *next;
};

struct httpc {
	uv_loop_t *loop;
	CURLM *multi;
	uv_timer_t timer;
	struct transfer *transfers;
	struct watched *watched;
	size_t pending;
	bool closing;
	int open_handles; /* uv handles not yet closed: free h when 0 */
};

/* ---- finishing ------------------------------------------------------------ */

static void transfer_free(struct transfer *t)
{
	curl_slist_free_all(t->headers);
	free(t->request_body);
	free(t->body);
	free(t->retry_after);
	free(t);
}

static void unlink_transfer(struct httpc *h, struct transfer *t)
{
	if (t->prev)
		t->prev->next = t->next;
	else
		h->transfers = t->next;
	if (t->next)
		t->next->prev = t->prev;
	h->pending--;
}

/* Detach `t` from curl and tell its owner how it went. */
static void finish(struct transfer *t, CURLcode rc, const char *cancelled)
{
	struct httpc *h = t->h;
	struct httpc_result r = {0};

	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &r.status);
	curl_multi_remove_handle(h->multi, t->easy);
	curl_easy_cleanup(t->easy);
	unlink_transfer(h, t);

	r.body = t->body ? t->body : "";
	r.body_len = t->len;
	r.retry_after = t->retry_after;
	if (cancelled) {
		r.error = cancelled;
	} else if (t->too_large) {
		r.error = "the answer is too large";
	} else if (rc != CURLE_OK) {
		r.error = t->error[0] ? t->error : curl_easy_strerror(rc);
	}
	if (r.error)
		r.status = 0;
	t->done(t->ctx, &r);
	transfer_free(t);
}

static void collect_finished(struct httpc *h)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(h->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		struct transfer *t;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
		finish(t, msg->data.result, NULL);
	}
}

/* ---- curl → libuv ---------------------------------------------------------- */

static void on_handle_closed(uv_handle_t *handle)
{
	struct httpc *h = handle->data;

	if (handle != (uv_handle_t *)&h->timer)
		free(handle); /* a struct watched: its poll handle comes first */
	if (--h->open_handles == 0 && h->closing)
		free(h);
}

static void on_socket_ready(uv_poll_t *poll, int status, int events)
{
	struct watched *w = (struct watched *)poll;
	struct httpc *h = w->h;
	int flags = 0, running;

	if (status < 0)
		flags = CURL_CSELECT_ERR;
	if (events & UV_READABLE)
		flags |= CURL_CSELECT_IN;
	if (events & UV_WRITABLE)
		flags |= CURL_CSELECT_OUT;
	curl_multi_socket_action(h->multi, w->fd, flags, &running);
	collect_finished(h);
}

static void unwatch(struct httpc *h, struct watched *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		h->watched = w->next;
	if (w->next)
		w->next->prev = w->prev;
	uv_poll_stop(&w->poll);
	uv_close((uv_handle_t *)&w->poll, on_handle_closed);
}

static int on_curl_socket(CURL *easy, curl_socket_t fd, int action, void *userp, void *socketp)
{
	struct httpc *h = userp;
	struct watched *w = socketp;

	if (action == CURL_POLL_REMOVE) {
		if (w) {
			if (!h->closing) /* the multi handle is being torn down */
				curl_multi_assign(h->multi, fd, NULL);
			unwatch(h, w);
		}
		return 0;
	}
	if (!w) {
		w = calloc(1, sizeof *w);
		if (!w || uv_poll_init_socket(h->loop, &w->poll, fd) != 0) {
			free(w);
			return -1; /* curl fails this transfer */
		}
		w->fd = fd;
		w->h = h;
		w->poll.data = h;
		w->next = h->watched;
		if (w->next)
			w->next->prev = w;
		h->watched = w;
		h->open_handles++;
		curl_multi_assign(h->multi, fd, w);
	}
	int events = (action & CURL_POLL_IN ? UV_READABLE : 0) |
		     (action & CURL_POLL_OUT ? UV_WRITABLE : 0);
	uv_poll_start(&w->poll, events, on_socket_ready);
	return 0;
}

static void on_timer(uv_timer_t *timer)
{
	struct httpc *h = timer->data;
	int running;

	curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	collect_finished(h);
}

static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
	struct httpc *h = userp;

	if (timeout_ms < 0)
		uv_timer_stop(&h->timer);
	else
		uv_timer_start(&h->timer, on_timer, (uint64_t)timeout_ms, 0);
	return 0;
}

/* ---- transfers ------------------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t add = size * n;

	if (t->len + add > (size_t)MAX_ANSWER_BYTES) {
		t->too_large = true;
		return 0; /* makes curl abort the transfer */
	}
	if (t->len + add + 1 > t->cap) {
		size_t cap = (t->len + add + 1) * 2;
		char *grown = realloc(t->body, cap);
		if (!grown)
			return 0;
		t->body = grown;
		t->cap = cap;
	}
	memcpy(t->body + t->len, data, add);
	t->len += add;
	t->body[t->len] = '\0';
	return add;
}

static size_t on_header(char *line, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * n;
	static const char name[] = "retry-after:";

	if (len > sizeof name - 1 && strncasecmp(line, name, sizeof name - 1) == 0) {
		const char *v = line + sizeof name - 1;
		size_t vlen = len - (sizeof name - 1);
		while (vlen && (*v == ' ' || *v == '\t'))
			v++, vlen--;
		while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' '))
			vlen--;
		free(t->retry_after);
		t->retry_after = strndup(v, vlen);
	}
	return len;
}

/* "Name: value"; a NULL value makes "Name:", which tells curl to send no
 * such header at all. */
static bool add_header(struct transfer *t, const char *name, const char *value)
{
	char line[512];
	struct curl_slist *l;

	if ((size_t)snprintf(line, sizeof line, "%s:%s%s", name, value ? " " : "",
			     value ? value : "") >= sizeof line)
		return false;
	l = curl_slist_append(t->headers, line);
	if (!l)
		return false;
	t->headers = l;
	return true;
}

static bool configure(struct transfer *t, const struct httpc_request *req)
{
	CURL *e = t->easy;
	bool ok = true;

	if (req->token) {
		char bearer[400];
		ok = (size_t)snprintf(bearer, sizeof bearer, "Bearer %s", req->token) < sizeof bearer &&
		     add_header(t, "Authorization", bearer);
	}
	for (const char *const *hd = req->headers; ok && hd && *hd; hd++) {
		struct curl_slist *l = curl_slist_append(t->headers, *hd);
		ok = l != NULL;
		if (l)
			t->headers = l;
	}
	if (ok && req->body)
		ok = add_header(t, "Content-Type", "application/json");
	/* A POST without a body (takeover, handback, stop) says so: a server
	 * may otherwise read its body up to the end of the connection, and lws
	 * hubs then close the connection after the answer. */
	if (ok && !req->body && strcmp(req->method, "GET") != 0)
		ok = add_header(t, "Content-Length", "0");
	/* No "100 continue" round trip: bodies are small. */
	ok = ok && add_header(t, "Expect", NULL);
	if (!ok)
		return false;

	curl_easy_setopt(e, CURLOPT_URL, req->url);
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(e, CURLOPT_PRIVATE, t);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, req->timeout_ms ? req->timeout_ms : DEFAULT_TIMEOUT_MS);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_USERAGENT, "handoff/" PACKAGE_VERSION);
	if (req->fresh_connection) {
		curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	}
	if (req->insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (req->body) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->request_body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)req->body_len);
	}
	return true;
}

bool httpc_start(struct httpc *h, const struct httpc_request *req, struct errbuf *err)
{
	struct transfer *t = calloc(1, sizeof *t);

	if (!t)
		return errbuf_set(err, "out of memory");
	t->h = h;
	t->done = req->done;
	t->ctx = req->ctx;
	t->easy = curl_easy_init();
	/* curl reads the body while sending, after this call returns. */
	if (req->body) {
		t->request_body = malloc(req->body_len + 1);
		if (t->request_body) {
			memcpy(t->request_body, req->body, req->body_len);
			t->request_body[req->body_len] = '\0';
		}
	}
	if (!t->easy || (req->body && !t->request_body) || !configure(t, req)) {
		if (t->easy)
			curl_easy_cleanup(t->easy);
		transfer_free(t);
		return errbuf_set(err, "cannot prepare the request");
	}
	if (curl_multi_add_handle(h->multi, t->easy) != CURLM_OK) {
		curl_easy_cleanup(t->easy);
		transfer_free(t);
		return errbuf_set(err, "cannot start the request");
	}
	t->next = h->transfers;
	if (t->next)
		t->next->prev = t;
	h->transfers = t;
	h->pending++;
	return true;
}

size_t httpc_pending(const struct httpc *h)
{
	return h->pending;
}

struct httpc *httpc_new(uv_loop_t *loop, struct errbuf *err)
{
	struct httpc *h = calloc(1, sizeof *h);

	if (!h) {
		errbuf_set(err, "out of memory");
		return NULL;
	}
	h->loop = loop;
	h->multi = curl_multi_init();
	if (!h->multi) {
		free(h);
		errbuf_set(err, "cannot start libcurl");
		return NULL;
	}
	uv_timer_init(loop, &h->timer);
	h->timer.data = h;
	h->open_handles = 1;
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	return h;
}

void httpc_free(struct httpc *h)
{
	if (!h)
		return;
	while (h->transfers)
		finish(h->transfers, CURLE_OK, "cancelled");
	/* curl may keep idle connections past their transfers and need not
	 * announce their end while cleaning up: close whatever is still watched.
	 * h goes with the last handle closed. */
	h->closing = true;
	curl_multi_cleanup(h->multi);
	while (h->watched)
		unwatch(h, h->watched);
	uv_timer_stop(&h->timer);
	uv_close((uv_handle_t *)&h->timer, on_handle_closed);
}
