/*
 * server_http.c — plain HTTP requests: collect, check, dispatch, answer.
 *
 * A connection carries one request at a time (keep-alive reuses it). Each
 * request must arrive whole, headers and body, within request_timeout_s of
 * the connection's accept or of the previous answer (an lws timer,
 * LWS_CALLBACK_TIMER): lws itself only times out a body that stops, not one
 * that trickles in a byte a second. And the bodies being received hold at
 * most max_body_memory between them: a body announced beyond what is left
 * is answered 429 before it is read.
 *
 *   LWS_CALLBACK_HTTP        the head: admit_request (404/405, 401, 403, 400),
 *                            then the body's announced size and type
 *                            (413, 415); a request without a body is
 *                            dispatched at once. A token the back end
 *                            must look up on a worker (server_lookup.c)
 *                            pauses the connection until the answer,
 *                            then the request is admitted again;
 *   LWS_CALLBACK_HTTP_BODY   collect up to SERVER_MAX_BODY (else 413);
 *   ..._BODY_COMPLETION      parse it (400) and dispatch to the handler;
 *   LWS_CALLBACK_HTTP_WRITEABLE   the answer: headers, then the body in
 *                            chunks, one write per callback.
 *
 * An answer given before the body was read (an early error) closes the
 * connection after it: the unread body would otherwise be taken for the
 * next request.
 *
 * So does the answer to a POST, PUT or PATCH that announces no body at all
 * (no Content-Length): lws 4.1 takes such a body to run to the end of the
 * connection, and once the answer is out it would silently discard what
 * comes next — the client's next request — until the keep-alive timeout
 * hangs up. lws has no call to say "there is no body", so the answer says
 * Connection: close and the client reconnects at once. A request that says
 * Content-Length: 0, as our client does, keeps its connection.
 */
#include <stdlib.h>
#include <string.h>

#include "server_head.h"
#include "server_internal.h"
#include "jsonfield.h"
#include "log.h"

/* Body bytes written per WRITEABLE: big answers (a page of 200 chats) go
 * out in pieces so one client never holds the loop for long. */
#define WRITE_CHUNK (16 * 1024)

/* Room for our response headers. */
#define HEAD_ROOM 1024

enum conn_phase {
	CONN_IDLE,   /* no request yet, or between two */
	CONN_LOOKUP, /* its token is looked up on a worker (server_lookup.c) */
	CONN_BODY,   /* collecting the body */
	CONN_WORK,   /* its handler runs on a worker thread (server_work.c) */
	CONN_ANSWER, /* writing the answer */
};

/* lws's per-connection user data of the "http" protocol (zeroed by lws). */
struct http_conn {
	enum conn_phase phase;
	enum http_method method;
	char *path;
	struct admission adm;
	char *body;
	size_t body_len;
	bool close_after;    /* the request was not read to its end */
	bool body_whole;     /* it was, while its token was looked up */
	size_t body_reserved; /* of server->body_bytes, for this body */
	uint64_t started;    /* uv_hrtime() when the head arrived */
	/* the answer */
	int status;
	unsigned allow;      /* methods for the Allow: of a 405 */
	unsigned retry_after; /* seconds, for the Retry-After: of a 429 */
	bool head_sent;
	unsigned char *out;  /* LWS_PRE bytes of headroom, then out_len bytes */
	size_t out_len, out_sent;
	struct work *work;   /* while CONN_WORK */
	struct lookup *lookup; /* while CONN_LOOKUP */
};

static void conn_reset(struct server *s, struct http_conn *c)
{
	if (c->work)
		work_orphan(c->work);
	if (c->lookup)
		lookup_orphan(c->lookup);
	s->body_bytes -= c->body_reserved;
	admission_free(&c->adm);
	free(c->path);
	free(c->body);
	free(c->out);
	memset(c, 0, sizeof *c);
}

/* The compact JSON text of `j` (deleted) after LWS_PRE bytes of headroom,
 * as lws_write wants it; NULL when out of memory. */
static unsigned char *encode_with_headroom(cJSON *j, size_t *len)
{
	char *text = j ? cJSON_PrintUnformatted(j) : NULL;
	unsigned char *buf = NULL;

	cJSON_Delete(j);
	if (text) {
		*len = strlen(text);
		buf = malloc(LWS_PRE + *len);
		if (buf)
			memcpy(buf + LWS_PRE, text, *len);
	}
	free(text);
	return buf;
}

/* "GET, PATCH" for the method bits in `allow`. */
static void allow_list(unsigned allow, char *out, size_t outlen)
{
	size_t used = 0;

	out[0] = '\0';
	for (int m = HTTP_GET; m < HTTP_OTHER; m++) {
		if (!(allow & (1u << m)))
			continue;
		int n = snprintf(out + used, outlen - used, "%s%s", used ? ", " : "",
				 http_method_name(m));
		if (n < 0 || (size_t)n >= outlen - used)
			break;
		used += (size_t)n;
	}
}

static int write_head(struct lws *wsi, int status, size_t content_len, unsigned allow,
		      unsigned retry_after, bool close)
{
	unsigned char buf[LWS_PRE + HEAD_ROOM];
	unsigned char *start = buf + LWS_PRE, *p = start, *end = buf + sizeof buf - 1;
	char methods[64], retry[16];

	if (lws_add_http_common_headers(wsi, (unsigned)status, "application/json", content_len, &p,
					end))
		return -1;
	snprintf(retry, sizeof retry, "%u", retry_after ? retry_after : 1);
	if (status == 429 &&
	    lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_RETRY_AFTER,
					 (const unsigned char *)retry, (int)strlen(retry), &p, end))
		return -1;
	allow_list(allow, methods, sizeof methods);
	if (methods[0] && lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_ALLOW,
						       (const unsigned char *)methods,
						       (int)strlen(methods), &p, end))
		return -1;
	if (close && lws_add_http_header_by_token(wsi, WSI_TOKEN_CONNECTION,
						  (const unsigned char *)"close", 5, &p, end))
		return -1;
	return lws_finalize_write_http_header(wsi, start, &p, end) ? -1 : 0;
}

/* Make `body` (consumed) the answer; it goes out on WRITEABLE. */
static int conn_answer(struct lws *wsi, struct http_conn *c, int status, cJSON *body)
{
	c->out = encode_with_headroom(body, &c->out_len);
	if (!c->out) {
		log_error("http: out of memory encoding an answer");
		return -1; /* nothing sensible left to say: hang up */
	}
	c->status = status;
	c->phase = CONN_ANSWER;
	lws_callback_on_writable(wsi);
	return 0;
}

static int conn_answer_error(struct lws *wsi, struct http_conn *c, const struct api_error *err)
{
	if (err->type == API_INTERNAL)
		log_error("%s %s: %s", http_method_name(c->method) ? http_method_name(c->method) : "?",
			  c->path ? c->path : "?", err->description);
	if (err->type == API_METHOD_NOT_FOUND)
		c->allow = c->adm.match.allowed;
	c->retry_after = c->adm.retry_after;
	return conn_answer(wsi, c, api_error_status(err->type), api_error_to_json(err));
}

static void charge_request(const struct request *req, unsigned n)
{
	if (req->caller)
		charge_caller(req->server, req->caller, n);
}

/* The request is ours to answer, however long a worker takes: lws would
 * otherwise take a connection it hears nothing on for its idle timeout
 * (5 s) as dead and close it, and a slow query's client would get no
 * answer at all. Our own answer, an error included, always comes. */
static void answer_awaited(struct lws *wsi)
{
	lws_set_timeout(wsi, NO_PENDING_TIMEOUT, 0);
}

/* Hand the request and `body` (taken over) to a worker thread. */
static int conn_dispatch_work(struct lws *wsi, struct http_conn *c, cJSON *body)
{
	struct work_request r = {c->method, c->path, c->adm, body};
	struct api_error err;

	c->path = NULL;
	memset(&c->adm, 0, sizeof c->adm);
	c->work = work_start(server_of(wsi), wsi, &r, &err);
	if (!c->work) {
		/* Taken back, for the answer and its log line. */
		c->path = r.path;
		c->adm = r.adm;
		cJSON_Delete(r.body);
		return conn_answer_error(wsi, c, &err);
	}
	c->phase = CONN_WORK;
	answer_awaited(wsi);
	return 0;
}

void http_work_done(struct lws *wsi, struct work *w, struct work_request *r, bool ok,
		    int status, cJSON *body, const struct api_error *err)
{
	struct http_conn *c = lws_wsi_user(wsi);

	if (!c || c->work != w)
		return;
	c->work = NULL;
	c->path = r->path;
	c->adm = r->adm;
	cJSON_Delete(r->body);
	memset(r, 0, sizeof *r);
	if ((ok ? conn_answer(wsi, c, status ? status : 200, body) : conn_answer_error(wsi, c, err)) <
	    0)
		lws_set_timeout(wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
}

/* Run the route's handler on `body` (taken over: NULL for none). */
static int conn_dispatch(struct lws *wsi, struct http_conn *c, cJSON *body)
{
	if (server_of(wsi)->st->ops->threaded)
		return conn_dispatch_work(wsi, c, body);

	const struct route_match *m = &c->adm.match;
	struct request req = {
		.method = c->method,
		.path = c->path,
		.params = c->adm.query.params,
		.nparams = c->adm.query.n,
		.body = body,
		.caller = c->adm.has_caller ? &c->adm.caller : NULL,
		.st = server_of(wsi)->st,
		.charge = charge_request,
		.server = server_of(wsi),
		.tell = events_tell,
		.tell_ctx = server_of(wsi),
		.agent_status = agents_status,
		.agent_changed = agents_changed,
		.targets = &server_of(wsi)->limits.targets,
	};
	struct response res = {0};
	struct api_error err = {API_INTERNAL, "the handler gave no answer"};

	for (size_t i = 0; i < m->nids; i++)
		req.ids[i] = m->ids[i];
	bool ok = m->route->handler(&req, &res, &err) && res.body;
	cJSON_Delete(body);
	if (!ok) {
		cJSON_Delete(res.body);
		return conn_answer_error(wsi, c, &err);
	}
	return conn_answer(wsi, c, res.status ? res.status : 200, res.body);
}

/* What a request says of its body: its Content-Length (0: none), or one
 * of these. */
#define BODY_CHUNKED (-1)    /* lws 4.1 cannot read those: refused */
#define BODY_BAD_LENGTH (-2) /* a Content-Length that is not a number */

static int64_t body_announced(struct lws *wsi)
{
	char cl[32];
	int64_t length;

	if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING))
		return BODY_CHUNKED;
	if (!lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH))
		return 0;
	if (!request_header(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH, cl, sizeof cl) ||
	    !head_parse_uint(cl, &length))
		return BODY_BAD_LENGTH;
	return length;
}

/* A body-bearing method with no Content-Length: see the top comment. */
static bool body_unbounded(struct lws *wsi, enum http_method method)
{
	return (method == HTTP_POST || method == HTTP_PUT || method == HTTP_PATCH) &&
	       !lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH);
}

static bool content_type_is_json(struct lws *wsi)
{
	char ct[128];

	return request_header(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE, ct, sizeof ct) &&
	       head_content_type_is_json(ct);
}

static bool too_large(struct api_error *err)
{
	return api_error_set(err, API_PAYLOAD_TOO_LARGE, "the body is larger than %d bytes",
			     SERVER_MAX_BODY);
}

/* May a body announced as `length` (not 0) be read? */
static bool body_acceptable(struct lws *wsi, int64_t length, struct api_error *err)
{
	if (length == BODY_CHUNKED)
		return api_error_set(err, API_INVALID_PAYLOAD, "send the body with a Content-Length "
				     "(chunked bodies are not accepted)");
	if (length == BODY_BAD_LENGTH)
		return api_error_set(err, API_INVALID_PAYLOAD, "Content-Length is not a number");
	if (length > SERVER_MAX_BODY)
		return too_large(err);
	if (!content_type_is_json(wsi))
		return api_error_set(err, API_UNSUPPORTED_MEDIA,
				     "the body must be Content-Type: application/json");
	return true;
}

static int conn_body_done(struct lws *wsi, struct http_conn *c);

/* The request is admitted: its body, if it has one, is checked and read. */
static int conn_admitted(struct lws *wsi, struct http_conn *c)
{
	struct api_error err;
	int64_t length = body_announced(wsi);
	struct server *s = server_of(wsi);

	if (length == 0)
		return conn_dispatch(wsi, c, NULL);
	if (!body_acceptable(wsi, length, &err))
		return conn_answer_error(wsi, c, &err);
	if ((size_t)length > s->limits.max_body_memory - s->body_bytes) {
		api_error_set(&err, API_RATE_LIMITED, "the hub is receiving too many bodies at "
			      "once: retry");
		return conn_answer_error(wsi, c, &err);
	}
	c->body_reserved = (size_t)length;
	s->body_bytes += c->body_reserved;
	c->phase = CONN_BODY;
	/* What lws had read with the head came while the token was looked up
	 * (pausing the connection stops only further reads). */
	return c->body_whole ? conn_body_done(wsi, c) : 0;
}

/* Nothing more is read from the connection (its body waits in the
 * socket) until the worker's answer about its token. */
static int conn_look_up(struct lws *wsi, struct http_conn *c)
{
	struct api_error err;

	c->lookup = lookup_start(server_of(wsi), wsi, c->adm.lookup);
	c->adm.lookup = NULL; /* taken */
	if (!c->lookup) {
		api_error_set(&err, API_INTERNAL, "cannot queue the request");
		return conn_answer_error(wsi, c, &err);
	}
	lws_rx_flow_control(wsi, 0);
	c->phase = CONN_LOOKUP;
	answer_awaited(wsi);
	return 0;
}

void http_lookup_done(struct lws *wsi, struct lookup *l, const struct token_answer *answer)
{
	struct http_conn *c = lws_wsi_user(wsi);
	struct api_error err;
	int r;

	if (!c || c->lookup != l)
		return;
	c->lookup = NULL;
	c->phase = CONN_IDLE;
	lws_rx_flow_control(wsi, 1);
	admission_free(&c->adm);
	if (!answer->asked) {
		api_error_set(&err, API_INTERNAL, "the hub is stopping");
		r = conn_answer_error(wsi, c, &err);
	} else if (!admit_request(server_of(wsi), wsi, c->method, c->path, true, answer, &c->adm,
				&err))
		r = conn_answer_error(wsi, c, &err);
	else
		r = conn_admitted(wsi, c);
	if (r < 0)
		lws_set_timeout(wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
}

static int conn_begin(struct lws *wsi, struct http_conn *c, const char *path)
{
	struct api_error err;
	const struct token_answer not_asked = {0};

	conn_reset(server_of(wsi), c);
	c->started = uv_hrtime();
	c->method = request_method(wsi);
	c->path = strdup(path);
	if (!c->path)
		return -1;
	c->close_after = body_announced(wsi) != 0 || body_unbounded(wsi, c->method);
	if (admit_request(server_of(wsi), wsi, c->method, path, true, &not_asked, &c->adm, &err))
		return conn_admitted(wsi, c);
	return c->adm.lookup ? conn_look_up(wsi, c) : conn_answer_error(wsi, c, &err);
}

static int conn_body(struct lws *wsi, struct http_conn *c, const char *in, size_t len)
{
	struct api_error err;

	if ((c->phase != CONN_BODY && c->phase != CONN_LOOKUP) || !len)
		return 0; /* an early answer is on its way: drop what still comes */
	if (len > SERVER_MAX_BODY - c->body_len) {
		if (c->phase == CONN_LOOKUP)
			return -1; /* paused, yet more than a body: not a client of ours */
		too_large(&err);
		return conn_answer_error(wsi, c, &err);
	}
	char *grown = realloc(c->body, c->body_len + len);
	if (!grown)
		return -1;
	memcpy(grown + c->body_len, in, len);
	c->body = grown;
	c->body_len += len;
	return 0;
}

static int conn_body_done(struct lws *wsi, struct http_conn *c)
{
	struct api_error err;
	struct errbuf why;

	if (c->phase == CONN_LOOKUP)
		c->body_whole = true; /* read on once the request is admitted */
	if (c->phase != CONN_BODY)
		return 0;
	c->close_after = false;
	cJSON *body = json_parse_text(c->body, c->body_len, &why);
	if (!body) {
		api_error_set(&err, API_INVALID_PAYLOAD, "%s", why.msg);
		return conn_answer_error(wsi, c, &err);
	}
	if (cJSON_IsObject(body))
		return conn_dispatch(wsi, c, body);
	cJSON_Delete(body);
	api_error_set(&err, API_INVALID_PAYLOAD, "the body must be a JSON object");
	return conn_answer_error(wsi, c, &err);
}

/* The request's debug line, once its answer is out: what an operator needs
 * to follow a client (never its token: the account is named instead). */
static void log_request(const struct http_conn *c)
{
	char target[512];
	const char *method = http_method_name(c->method);

	if (!log_enabled(LOG_DEBUG))
		return;
	request_target(c->path, &c->adm.query, target, sizeof target);
	log_debug("http: %s %s %d %.1f ms %s", method ? method : "?", target, c->status,
		  (double)(uv_hrtime() - c->started) / 1e6,
		  c->adm.has_caller ? c->adm.caller.name : "-");
}

/* One write per WRITEABLE: the headers, then each chunk of the body. */
static int conn_write(struct lws *wsi, struct http_conn *c)
{
	if (!c->head_sent) {
		if (write_head(wsi, c->status, c->out_len, c->allow, c->retry_after, c->close_after) < 0)
			return -1;
		c->head_sent = true;
		lws_callback_on_writable(wsi);
		return 0;
	}
	size_t n = c->out_len - c->out_sent;
	if (n > WRITE_CHUNK)
		n = WRITE_CHUNK;
	bool last = c->out_sent + n == c->out_len;
	/* The bytes before this chunk are sent already: they are its headroom. */
	if (lws_write(wsi, c->out + LWS_PRE + c->out_sent, n,
		      last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)n)
		return -1;
	c->out_sent += n;
	if (!last) {
		lws_callback_on_writable(wsi);
		return 0;
	}
	bool close = c->close_after;
	log_request(c);
	conn_reset(server_of(wsi), c);
	if (close || lws_http_transaction_completed(wsi))
		return -1;
	/* The next request's clock starts now. */
	lws_set_timer_usecs(wsi, (lws_usec_t)server_of(wsi)->limits.request_timeout_s *
			    LWS_US_PER_SEC);
	return 0;
}

int http_refuse_now(struct lws *wsi, const struct api_error *err, unsigned retry_after)
{
	size_t len;
	unsigned char *buf = encode_with_headroom(api_error_to_json(err), &len);
	int rc = -1;

	if (buf && write_head(wsi, api_error_status(err->type), len, 0, retry_after, false) == 0 &&
	    lws_write(wsi, buf + LWS_PRE, len, LWS_WRITE_HTTP_FINAL) == (int)len)
		rc = 1;
	free(buf);
	return rc;
}

static int http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
			 void *in, size_t len)
{
	struct http_conn *c = user;

	switch (reason) {
	case LWS_CALLBACK_HTTP:
		return conn_begin(wsi, c, in);
	case LWS_CALLBACK_HTTP_BODY:
		return conn_body(wsi, c, in, len);
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		return conn_body_done(wsi, c);
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return c->phase == CONN_ANSWER ? conn_write(wsi, c) : 0;
	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE: {
		int rc = events_confirm_upgrade(server_of(wsi), wsi, in);
		if (rc == 0) /* a stream, not a request: no deadline */
			lws_set_timer_usecs(wsi, LWS_SET_TIMER_USEC_CANCEL);
		return rc;
	}
	case LWS_CALLBACK_TIMER:
		/* An answer being made or on its way means the request came
		 * in time (a lookup: it is the hub that is slow). */
		if (c && (c->phase == CONN_LOOKUP || c->phase == CONN_WORK ||
			  c->phase == CONN_ANSWER))
			return 0;
		log_debug("http: a request did not arrive within %u s: closing",
			  server_of(wsi)->limits.request_timeout_s);
		return -1;
	case LWS_CALLBACK_WSI_DESTROY:
		/* Any connection, upgraded or not: `user` is not ours to read. */
		accept_release(server_of(wsi), wsi);
		return 0;
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		/* A WebSocket that asked for no subprotocol, or for "http". */
		return -1;
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
	case LWS_CALLBACK_CLOSED_HTTP:
		if (c)
			conn_reset(server_of(wsi), c);
		return 0;
	default:
		return 0;
	}
}

const struct lws_protocols server_http_protocol = {
	"http", http_callback, sizeof(struct http_conn), 0, 0, NULL, 0,
};
