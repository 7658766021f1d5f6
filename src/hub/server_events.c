/*
 * server_events.c — the event stream: GET /v1/events over WebSocket.
 *
 * Each client has `sent_upto`, the seq of the last event it was given (or
 * deliberately skipped: what an ingest client may not see, client_wants).
 * Two sources feed it, and sent_upto keeps them from overlapping or leaving
 * a gap:
 *
 *   - live: the db listener hands over each committed event once; a client
 *     takes it only when it is caught up (sent_upto == seq - 1);
 *   - replay: a client behind the head (it connected with ?since=) ignores
 *     live events and, each time its queue runs dry, reads the next batch
 *     after sent_upto from the db — which by then holds every live event it
 *     ignored. Once it reaches the head, the live events take over.
 *
 * A live event is encoded once into a refcounted frame that every client's
 * queue shares. A client whose queue would pass SERVER_MAX_WS_BACKLOG is
 * dropped on the spot: a slow reader never holds up the others, and it
 * comes back with ?since=.
 *
 * Writing is batched, as Redis flushes client buffers before it sleeps:
 * committing an event only queues it; at the end of the loop turn (a
 * uv_check), or FLUSH_MIN_MS after the previous flush if that was sooner,
 * every client with queued frames asks lws for one WRITEABLE, and that
 * callback sends all its queued frames, up to WRITE_BATCH_BYTES, in one
 * send(). Each flush costs two POLLOUT changes and a send() per client, so
 * under a flood flushes are spaced; a lone event still leaves at once. lws
 * itself would put one frame in each send() and turn POLLOUT on and off
 * around each; at 2,000 events/s to 100 clients those system calls were
 * the whole cost (doc/performance.md). To send several frames at once the
 * frames carry their own WebSocket header (server frames are unmasked and
 * we negotiate no extension, so the header is all there is), and go out
 * through lws_write(LWS_WRITE_HTTP), which lws 4.1 passes through as is on
 * a WebSocket connection (roles/ws/ops-ws.c: send_raw) and buffers like any
 * write when the socket takes only part of it.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "codec.h"
#include "server_head.h"
#include "server_internal.h"
#include "jsonfield.h"
#include "log.h"

/* Events read from the db per replay step: enough to keep a client busy,
 * few enough that a replaying client's queue stays far below the backlog
 * limit. */
#define REPLAY_BATCH 128

/* The longest WebSocket frame header: 2 bytes and a 64-bit length. */
#define WS_HEADER_MAX 10

/* A control frame's payload is at most 125 bytes, 2 of them the code. */
#define WS_CLOSE_REASON_MAX 123

/* Flushes are at least this far apart: at 2,000 events/s, 10 events to a
 * send(), for at most 5 ms more latency, and none when events are sparse.
 * Spacing pays only for many clients (each flush costs each client a
 * send() and two POLLOUT changes): with a few consoles, every turn flushes
 * and no event waits. */
#define FLUSH_MIN_MS 5
#define FLUSH_SPACING_CLIENTS 16

#define DROP_REASON "too slow: reconnect with ?since="

/* How long a dropped client has to read up to its close frame. */
#define DROP_GRACE_S 10

/* A data message from a client bigger than this is refused with 1009
 * rather than 1003 (see client_received): a presence message is under
 * 100 bytes. */
#define CLIENT_MESSAGE_MAX 512

/* One text frame, header included, shared by every queue it sits in. */
struct frame {
	unsigned refs;
	bool event;           /* an event of the log, not a hello or resync */
	size_t len;           /* header and payload */
	unsigned char data[]; /* LWS_PRE bytes of headroom, then len bytes */
};

/* A ring of frames waiting to be written. */
struct frame_queue {
	struct frame **items;
	size_t first, count, cap;
};

/* lws's per-connection user data of the "handoff.v1" protocol. */
struct replay_read;
struct start_read;

struct events_client {
	struct server *server;
	struct lws *wsi;
	struct agent me;
	bool has_me;
	bool has_since;
	int64_t since;
	int64_t sent_upto;
	struct frame_queue queue;
	size_t backlog;      /* bytes in the queue */
	bool write_requested; /* a WRITEABLE is on its way */
	bool linked;         /* in server->clients: receives live events */
	bool dropped;
	bool opened;         /* between client_start and the close: logged */
	const char *close_why; /* when we close it: why, for the log */
	uint64_t events_sent; /* for the log */
	bool presence;        /* it sent a presence message: it reads them too */
	bool away;            /* its console said the agent is away (v1.1) */
	bool agents;          /* it sent an away message: it reads agent and offer frames */
	char in[CLIENT_MESSAGE_MAX]; /* a client message being received */
	size_t inlen;
	struct replay_read *replay; /* a replay read on a worker thread, in flight */
	struct start_read *start;   /* the read of the log's head before hello, in flight */
	struct events_client *prev, *next;
};

/* ---- frames and queues ------------------------------------------------ */

/* A final text frame's header (RFC 6455 5.2, unmasked) for a payload of
 * `len` bytes, into out[WS_HEADER_MAX]; returns its length. */
static size_t ws_text_header(unsigned char *out, size_t len)
{
	size_t n = 0;

	out[n++] = 0x81; /* FIN, opcode 1: text */
	if (len < 126) {
		out[n++] = (unsigned char)len;
	} else if (len <= 0xffff) {
		out[n++] = 126;
		out[n++] = (unsigned char)(len >> 8);
		out[n++] = (unsigned char)len;
	} else {
		out[n++] = 127;
		for (int shift = 56; shift >= 0; shift -= 8)
			out[n++] = (unsigned char)((uint64_t)len >> shift);
	}
	return n;
}

static struct frame *frame_new(const char *json, size_t len, bool event)
{
	unsigned char header[WS_HEADER_MAX];
	size_t hlen = ws_text_header(header, len);
	struct frame *f = malloc(sizeof *f + LWS_PRE + hlen + len);

	if (!f)
		return NULL;
	f->refs = 1;
	f->event = event;
	f->len = hlen + len;
	memcpy(f->data + LWS_PRE, header, hlen);
	memcpy(f->data + LWS_PRE + hlen, json, len);
	return f;
}

static void frame_unref(struct frame *f)
{
	if (f && --f->refs == 0)
		free(f);
}

static bool queue_push(struct frame_queue *q, struct frame *f)
{
	if (q->count == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 16;
		struct frame **items = malloc(cap * sizeof *items);
		if (!items)
			return false;
		for (size_t i = 0; i < q->count; i++)
			items[i] = q->items[(q->first + i) % q->cap];
		free(q->items);
		q->items = items;
		q->first = 0;
		q->cap = cap;
	}
	q->items[(q->first + q->count++) % q->cap] = f;
	f->refs++;
	return true;
}

static struct frame *queue_peek(const struct frame_queue *q)
{
	return q->count ? q->items[q->first] : NULL;
}

static struct frame *queue_pop(struct frame_queue *q)
{
	if (!q->count)
		return NULL;
	struct frame *f = q->items[q->first];
	q->first = (q->first + 1) % q->cap;
	q->count--;
	return f;
}

static void queue_clear(struct frame_queue *q)
{
	struct frame *f;

	while ((f = queue_pop(q)))
		frame_unref(f);
	free(q->items);
	memset(q, 0, sizeof *q);
}

/* ---- clients ---------------------------------------------------------- */

static void client_link(struct events_client *c)
{
	struct server *s = c->server;

	c->prev = NULL;
	c->next = s->clients;
	if (s->clients)
		s->clients->prev = c;
	s->clients = c;
	s->nclients++;
	c->linked = true;
}

static void client_unlink(struct events_client *c)
{
	if (!c->linked)
		return;
	if (c->prev)
		c->prev->next = c->next;
	else
		c->server->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
	c->server->nclients--;
	c->linked = false;
}

/* Free its events and take it off the live list; safe to call more than
 * once. Who it is stays until it closes, for the log. */
static void replay_orphan(struct events_client *c);
static void start_read_orphan(struct events_client *c);

static void client_release(struct events_client *c)
{
	replay_orphan(c);
	start_read_orphan(c);
	if (c->server)
		agents_forget_client(c->server, c);
	bool agent = c->linked && c->me.role != ACCOUNT_INGEST;
	enum agent_status before = agent ? agents_status(c->server, c->me.id)
					 : AGENT_STATUS_NONE;

	if (c->server)
		presence_gone(c->server, c);
	client_unlink(c);
	if (agent)
		agents_stream_changed(c->server, c->me.id, before);
	queue_clear(&c->queue);
	c->backlog = 0;
}

static bool client_send(struct events_client *c, struct frame *f)
{
	if (!queue_push(&c->queue, f))
		return false;
	c->backlog += f->len;
	return true;
}

/* Ask lws for a WRITEABLE, once: asking again before it comes costs a
 * POLLOUT change for nothing. */
static void client_request_write(struct events_client *c)
{
	if (c->write_requested)
		return;
	c->write_requested = true;
	lws_callback_on_writable(c->wsi);
}

/* Let go of a client that cannot keep up (or that we cannot serve): it
 * gets no more events, its queue is freed now, and lws closes it soon. */
static void client_drop(struct events_client *c, const char *why)
{
	log_warn("events: closing the stream of %s: %s", c->has_me ? c->me.name : "?", why);
	client_release(c);
	c->dropped = true;
	c->close_why = why;
	/* The close goes out as a frame (1008 and why) from the next WRITEABLE,
	 * which comes once the socket has taken what lws still holds; a client
	 * that reads nothing more is cut after DROP_GRACE_S instead. */
	client_request_write(c);
	lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, DROP_GRACE_S);
}

/* Is there more for this client to write, now or after a db read? Not
 * while a read is in flight: its end asks for the write. */
static bool client_has_more(const struct events_client *c)
{
	return c->queue.count || (!c->replay && c->sent_upto < c->server->head);
}

/* ---- live events ------------------------------------------------------- */

/* Is a live event for this client? Ingest accounts get no notes and only
 * the chats in their scope; replay applies the same rule in its query
 * (db_events_after). A bridge's own chats are in its scope by the rule's
 * first term, known from the event: a query for each of a backfill's
 * events was 3 % of the hub's work. */
static bool client_wants(const struct events_client *c, const struct db_event *ev)
{
	struct storage *st = c->server->st;

	return c->me.role != ACCOUNT_INGEST ||
	       (!ev->note && (strcmp(ev->source, c->me.id) == 0 ||
			      st->ops->ingest_may_see(st, c->me.id, ev->chat_id)));
}

/* Give one committed event to a caught-up client. *shared is the event's
 * frame, made on first use so an event nobody takes is never copied. */
static void client_offer(struct events_client *c, const struct db_event *ev,
			 struct frame **shared)
{
	if (c->sent_upto != ev->seq - 1)
		return; /* replaying: its db reads will bring this event */
	c->sent_upto = ev->seq;
	if (!client_wants(c, ev))
		return;
	if (!*shared)
		*shared = frame_new(ev->json, ev->len, true);
	if (!*shared || c->backlog + (*shared)->len > SERVER_MAX_WS_BACKLOG ||
	    !client_send(c, *shared)) {
		client_drop(c, *shared ? DROP_REASON : "out of memory");
	}
}

/* Every client with frames queued asks for a write, so the events since
 * the last flush leave in one send() each. */
static void events_flush(struct server *s)
{
	s->flush_pending = false;
	s->last_flush = uv_now(s->loop);
	for (struct events_client *c = s->clients; c; c = c->next)
		if (c->queue.count)
			client_request_write(c);
}

static void on_flush_check(uv_check_t *check)
{
	uv_check_stop(check);
	events_flush(check->data);
}

static void on_flush_timer(uv_timer_t *t)
{
	events_flush(t->data);
}

/* Flush at the end of this turn, or when FLUSH_MIN_MS have passed since
 * the last flush. */
static void events_schedule_flush(struct server *s)
{
	uint64_t now = uv_now(s->loop), due = s->last_flush + FLUSH_MIN_MS;

	if (s->flush_pending)
		return;
	s->flush_pending = true;
	if (now >= due || s->nclients <= FLUSH_SPACING_CLIENTS)
		uv_check_start(&s->flush, on_flush_check);
	else
		uv_timer_start(&s->flush_later, on_flush_timer, due - now, 0);
}

/* Presence frames are few (each stream's are rate-limited), so each asks
 * for its write at once rather than waiting for the flush: they may come
 * from a timer (typing expired), after which the loop would block in poll
 * before the flush's uv_check ran. */
void events_broadcast(struct server *s, enum frame_readers readers, const char *json, size_t len,
		      const struct events_client *except)
{
	struct frame *f = frame_new(json, len, false);

	if (!f)
		return;
	for (struct events_client *c = s->clients; c; c = c->next) {
		bool reads = readers == READERS_AGENTS ? c->agents : c->presence;
		if (c == except || !reads || c->backlog + f->len > SERVER_MAX_WS_BACKLOG)
			continue;
		if (client_send(c, f))
			client_request_write(c);
	}
	frame_unref(f);
}

void events_send_to(struct events_client *c, const char *json, size_t len)
{
	struct frame *f = frame_new(json, len, false);

	if (f && c->backlog + f->len <= SERVER_MAX_WS_BACKLOG && client_send(c, f))
		client_request_write(c);
	frame_unref(f);
}

void events_on_commit(void *ctx, const struct db_event *ev)
{
	struct server *s = ctx;
	struct frame *shared = NULL;
	struct events_client *c, *next;

	if (ev->seq > s->head)
		s->head = ev->seq;
	for (c = s->clients; c; c = next) {
		next = c->next; /* client_offer may unlink c */
		client_offer(c, ev, &shared);
	}
	if (shared)
		events_schedule_flush(s);
	frame_unref(shared);
	/* A chat may wait, or an agent have room, now. */
	agents_kick(s);
	text_kick(s);
}

enum agent_status events_agent_status(struct server *s, const char *id)
{
	enum agent_status st = AGENT_OFFLINE;

	for (struct events_client *c = s->clients; c; c = c->next) {
		if (strcmp(c->me.id, id) != 0)
			continue;
		if (!c->away)
			return AGENT_ONLINE;
		st = AGENT_AWAY;
	}
	return st;
}

size_t events_online(struct server *s, const char **ids, size_t max)
{
	size_t n = 0;

	for (struct events_client *c = s->clients; c && n < max; c = c->next) {
		bool seen = c->away || c->me.role == ACCOUNT_INGEST;
		for (size_t i = 0; !seen && i < n; i++)
			seen = strcmp(ids[i], c->me.id) == 0;
		if (!seen)
			ids[n++] = c->me.id;
	}
	return n;
}

struct agent_presence *events_statuses(struct server *s, size_t *count)
{
	size_t n = 0, max = 0;

	for (struct events_client *c = s->clients; c; c = c->next)
		max++;
	struct agent_presence *out = malloc((max ? max : 1) * sizeof *out);
	if (!out)
		return NULL;
	for (struct events_client *c = s->clients; c; c = c->next) {
		bool seen = c->me.role == ACCOUNT_INGEST;
		for (size_t i = 0; !seen && i < n; i++)
			seen = strcmp(out[i].id, c->me.id) == 0;
		if (!seen) {
			memcpy(out[n].id, c->me.id, sizeof out[n].id);
			out[n++].status = events_agent_status(s, c->me.id);
		}
	}
	*count = n;
	return out;
}

void events_tell_readers(struct server *s, const char *account_id, const char *json, size_t len)
{
	struct frame *f = NULL;

	for (struct events_client *c = s->clients; c; c = c->next) {
		if (!c->agents || strcmp(c->me.id, account_id) != 0 ||
		    c->backlog + len > SERVER_MAX_WS_BACKLOG)
			continue;
		if (!f && !(f = frame_new(json, len, false)))
			return;
		if (client_send(c, f))
			client_request_write(c);
	}
	frame_unref(f);
}

void events_tell(void *ctx, const char *account_id, const char *json, size_t len)
{
	struct server *s = ctx;
	struct frame *f = NULL;
	struct events_client *c, *next;

	for (c = s->clients; c; c = next) {
		next = c->next; /* client_drop may unlink c */
		if (strcmp(c->me.id, account_id) != 0)
			continue;
		if (!f && !(f = frame_new(json, len, false)))
			return;
		if (c->backlog + f->len > SERVER_MAX_WS_BACKLOG || !client_send(c, f))
			client_drop(c, DROP_REASON);
	}
	if (f)
		events_schedule_flush(s);
	frame_unref(f);
}

bool events_init(struct server *s)
{
	if (uv_check_init(s->loop, &s->flush) != 0)
		return false;
	uv_timer_init(s->loop, &s->flush_later);
	s->flush.data = s->flush_later.data = s;
	s->flush_ready = true;
	return true;
}

void events_close(struct server *s)
{
	if (s->flush_ready && !uv_is_closing((uv_handle_t *)&s->flush)) {
		uv_close((uv_handle_t *)&s->flush, NULL);
		uv_close((uv_handle_t *)&s->flush_later, NULL);
	}
}

/* ---- replay ------------------------------------------------------------ */

static void replay_one(void *ctx, const struct db_event *ev)
{
	struct events_client *c = ctx;

	if (c->dropped)
		return;
	struct frame *f = frame_new(ev->json, ev->len, true);
	bool ok = f && client_send(c, f);
	frame_unref(f);
	if (!ok) {
		client_drop(c, "out of memory");
		return;
	}
	c->sent_upto = ev->seq;
}

/* Queue the next retained events after sent_upto that the client may see. */
static bool replay_batch(struct events_client *c)
{
	struct server *s = c->server;
	const char *ingest_id = c->me.role == ACCOUNT_INGEST ? c->me.id : NULL;
	int n = s->st->ops->events_after(s->st, c->sent_upto, REPLAY_BATCH, ingest_id,
					 replay_one, c);

	if (n < 0)
		return false;
	if (n == 0)
		c->sent_upto = s->head; /* nothing retained between: caught up */
	return true;
}

/*
 * A threaded back end's replay reads run on a worker thread, so a stream
 * catching up never holds the loop: the worker copies a batch of events
 * out, and the loop queues them when the read is done. Live events meanwhile
 * pass the stream by (its sent_upto is behind them): the reads bring them.
 * A read that finds nothing after sent_upto means the stream is caught up
 * to the head as it was when the read was queued (everything up to it had
 * committed), not as it is when the read ends: what came between is read
 * next.
 */
struct replay_read {
	uv_work_t req;
	struct events_client *client; /* NULL once the stream closed */
	struct server *server;
	int64_t after, head;
	uuid_str ingest_id;           /* "" for an agent's stream */
	struct replay_copy {
		int64_t seq;
		char *json;
		size_t len;
	} events[REPLAY_BATCH];
	int n;                        /* events copied */
	bool failed;                  /* the read failed, or a copy */
};

static void replay_collect(void *ctx, const struct db_event *ev)
{
	struct replay_read *r = ctx;
	struct replay_copy *e = &r->events[r->n];

	if (r->failed || r->n == REPLAY_BATCH)
		return;
	e->json = malloc(ev->len + 1);
	if (!e->json) {
		r->failed = true;
		return;
	}
	memcpy(e->json, ev->json, ev->len);
	e->json[ev->len] = '\0';
	e->len = ev->len;
	e->seq = ev->seq;
	r->n++;
}

static void replay_read_work(uv_work_t *req)
{
	struct replay_read *r = req->data;
	struct errbuf why;
	struct storage *st = r->server->st->ops->for_thread(r->server->st, &why);

	if (!st) {
		log_error("%s", why.msg);
		r->failed = true;
		return;
	}
	if (st->ops->events_after(st, r->after, REPLAY_BATCH,
				  r->ingest_id[0] ? r->ingest_id : NULL, replay_collect, r) < 0)
		r->failed = true;
}

static void replay_read_done(uv_work_t *req, int status)
{
	struct replay_read *r = req->data;
	struct events_client *c = r->client;

	if (c) {
		c->replay = NULL;
		if (status != 0 || r->failed) {
			client_drop(c, "cannot read the event log");
		} else {
			for (int i = 0; i < r->n && !c->dropped; i++) {
				struct db_event ev = {.seq = r->events[i].seq,
						      .json = r->events[i].json,
						      .len = r->events[i].len};
				replay_one(c, &ev);
			}
			if (r->n == 0 && c->sent_upto < r->head)
				c->sent_upto = r->head; /* caught up to the head it was read at */
			client_request_write(c);
		}
	}
	for (int i = 0; i < r->n; i++)
		free(r->events[i].json);
	free(r);
}

/* Queue the next batch's read on a worker; false when it cannot be. */
static bool replay_start(struct events_client *c)
{
	struct replay_read *r = calloc(1, sizeof *r);

	if (!r)
		return false;
	r->client = c;
	r->server = c->server;
	r->after = c->sent_upto;
	r->head = c->server->head;
	if (c->me.role == ACCOUNT_INGEST)
		memcpy(r->ingest_id, c->me.id, sizeof r->ingest_id);
	r->req.data = r;
	if (uv_queue_work(c->server->loop, &r->req, replay_read_work, replay_read_done) != 0) {
		free(r);
		return false;
	}
	c->replay = r;
	return true;
}

static void replay_orphan(struct events_client *c)
{
	if (c->replay)
		c->replay->client = NULL;
	c->replay = NULL;
}

/* ---- the connection ---------------------------------------------------- */

/* Read ?since= of an admitted request; false (with err) when malformed. */
static bool since_from(const struct admission *a, bool *has, int64_t *since,
		       struct api_error *err)
{
	*has = false;
	for (size_t i = 0; i < a->query.n; i++) {
		if (strcmp(a->query.params[i].name, "since") != 0)
			continue;
		if (!head_parse_uint(a->query.params[i].value, since))
			return api_error_set(err, API_INVALID_QUERY,
					     "since: must be a non-negative integer (an event seq)");
		*has = true;
	}
	return true;
}

/* Everything an upgrade to the stream is checked for, in the order plain
 * requests are. */
static bool admit_stream(struct server *s, struct lws *wsi, bool charge, struct admission *a,
			 bool *has_since, int64_t *since, struct api_error *err)
{
	char path[sizeof EVENTS_PATH];

	memset(a, 0, sizeof *a);
	/* lws upgrades only GETs; a path too long for the buffer is not ours. */
	if (!request_header(wsi, WSI_TOKEN_GET_URI, path, sizeof path) ||
	    strcmp(path, EVENTS_PATH) != 0)
		return api_error_set(err, API_RESOURCE_NOT_FOUND,
				     "no WebSocket endpoint here (the stream is " EVENTS_PATH ")");
	return admit_request(s, wsi, HTTP_GET, path, charge, NULL, a, err) &&
	       since_from(a, has_since, since, err);
}

static bool subprotocol_requested(struct lws *wsi)
{
	char buf[256];

	if (!request_header(wsi, WSI_TOKEN_PROTOCOL, buf, sizeof buf))
		return false;
	for (char *save = NULL, *p = strtok_r(buf, ", \t", &save); p;
	     p = strtok_r(NULL, ", \t", &save))
		if (strcmp(p, EVENTS_SUBPROTOCOL) == 0)
			return true;
	return false;
}

int events_confirm_upgrade(struct server *s, struct lws *wsi, const char *upgrade)
{
	struct admission a;
	struct api_error err;
	bool has_since, ok;
	int64_t since;

	if (strcasecmp(upgrade, "websocket") != 0)
		return 0; /* h2c: lws's business */
	ok = admit_stream(s, wsi, true, &a, &has_since, &since, &err);
	admission_free(&a);
	if (ok && !subprotocol_requested(wsi))
		ok = api_error_set(&err, API_INVALID_QUERY,
				   "the event stream needs subprotocol " EVENTS_SUBPROTOCOL);
	if (ok)
		return 0;
	log_debug("events: stream refused: %d %s", api_error_status(err.type), err.description);
	return http_refuse_now(wsi, &err, a.retry_after);
}

/* While the handshake's headers are still at hand: who, and since when
 * (the upgrade was admitted and counted already). */
static int client_filter(struct events_client *c, struct lws *wsi)
{
	struct admission a;
	struct api_error err;
	bool ok = admit_stream(server_of(wsi), wsi, false, &a, &c->has_since, &c->since, &err);

	if (ok) {
		c->me = a.caller; /* take it over */
		c->has_me = true;
		a.has_caller = false;
	}
	admission_free(&a);
	return ok ? 0 : -1;
}

/* Queue a frame of our own making; j is deleted. */
static bool client_send_json(struct events_client *c, cJSON *j)
{
	char *text = j ? cJSON_PrintUnformatted(j) : NULL;
	struct frame *f = text ? frame_new(text, strlen(text), false) : NULL;
	bool ok = f && client_send(c, f);

	cJSON_Delete(j);
	free(text);
	frame_unref(f);
	return ok;
}

static bool send_hello(struct events_client *c, int64_t head)
{
	struct event hello = {.type = EVENT_HELLO, .head = head, .me = &c->me,
			      .targets = c->server->limits.targets};

	return client_send_json(c, event_to_json(&hello));
}

static bool send_resync(struct events_client *c)
{
	return client_send_json(c, cJSON_Parse("{\"type\":\"resync\"}"));
}

/* hello at `head` (the log's, or this hub's when further on), then either
 * replay from since, a resync, or straight to live. `oldest`: the log's
 * floor, read only when the stream resumes (else 0). */
static int client_begin(struct events_client *c, int64_t head, int64_t oldest)
{
	struct server *s = c->server;

	if (head < s->head)
		head = s->head;
	if (!send_hello(c, head))
		return -1;
	c->sent_upto = head;
	if (c->has_since) {
		bool retained = c->since <= head && c->since + 1 >= oldest;
		if (retained)
			c->sent_upto = c->since;
		else if (!send_resync(c))
			return -1;
	}
	enum agent_status before = agents_status(s, c->me.id);
	client_link(c);
	client_request_write(c);
	c->opened = true;
	if (c->me.role != ACCOUNT_INGEST)
		agents_stream_changed(s, c->me.id, before);
	if (c->has_since)
		log_debug("events: stream opened for %s, since %lld (head %lld)", c->me.name,
			  (long long)c->since, (long long)head);
	else
		log_debug("events: stream opened for %s, from now (head %lld)", c->me.name,
			  (long long)head);
	return 0;
}

/*
 * A threaded back end reads the log's head (and floor) for a new stream on
 * a worker, so a failover that opens hundreds of streams at once never
 * holds the loop: the stream waits for its hello unlinked, receiving
 * nothing and read from by nobody, and begins when the read is done.
 */
struct start_read {
	uv_work_t req;
	struct events_client *client; /* NULL once the stream closed */
	struct server *server;
	bool since;
	int64_t head, oldest;
};

static void start_read_work(uv_work_t *req)
{
	struct start_read *r = req->data;
	struct errbuf why;
	struct storage *st = r->server->st->ops->for_thread(r->server->st, &why);

	r->head = st ? st->ops->events_head(st) : 0;
	r->oldest = st && r->since ? st->ops->events_oldest(st) : 0;
}

static void start_read_done(uv_work_t *req, int status)
{
	struct start_read *r = req->data;
	struct events_client *c = r->client;

	if (c) {
		c->start = NULL;
		if (status != 0 || c->server->stopping || client_begin(c, r->head, r->oldest) < 0)
			lws_set_timeout(c->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
		else
			lws_rx_flow_control(c->wsi, 1);
	}
	free(r);
}

/* The log's head, not only what this hub has handed out: on a shared
 * database the log may be further on (other hubs' writes the feed has yet
 * to bring, or a stream resuming from a hub that was ahead), and the
 * stream starts after what had committed when it opened. */
static int client_start(struct events_client *c, struct lws *wsi)
{
	struct server *s = server_of(wsi);

	c->server = s;
	c->wsi = wsi;
	if (!s->st->ops->threaded)
		return client_begin(c, s->st->ops->events_head(s->st),
				    c->has_since ? s->st->ops->events_oldest(s->st) : 0);
	struct start_read *r = calloc(1, sizeof *r);
	if (!r)
		return -1;
	r->client = c;
	r->server = s;
	r->since = c->has_since;
	r->req.data = r;
	if (uv_queue_work(s->loop, &r->req, start_read_work, start_read_done) != 0) {
		free(r);
		return -1;
	}
	c->start = r;
	/* What the client says waits in its socket until the hello is out:
	 * nothing may go to the stream before it. */
	lws_rx_flow_control(wsi, 0);
	return 0;
}

static void start_read_orphan(struct events_client *c)
{
	if (c->start)
		c->start->client = NULL;
	c->start = NULL;
}

/* The stream's end, logged once (lws may report it twice). */
static void client_closed(struct events_client *c)
{
	if (c->opened) {
		const char *why = c->close_why ? c->close_why
				  : c->server->stopping ? "the hub is stopping"
				  : "closed by the client";
		log_debug("events: stream of %s closed (%s) after %llu events",
			  c->has_me ? c->me.name : "?", why, (unsigned long long)c->events_sent);
		c->opened = false;
	}
	client_release(c);
	if (c->has_me)
		agent_free(&c->me);
	c->has_me = false;
}

/* Send the queued frames, as many as fit WRITE_BATCH_BYTES, in one write
 * (see the top of this file). A frame on its own is sent from where it
 * lies; several are gathered into the server's batch buffer. */
static bool client_write_batch(struct events_client *c)
{
	unsigned char *out = c->server->batch + LWS_PRE;
	struct frame *f = queue_peek(&c->queue);
	unsigned char *buf;
	size_t len = 0;

	if (c->queue.count == 1 || f->len >= WRITE_BATCH_BYTES) {
		f = queue_pop(&c->queue);
		buf = f->data + LWS_PRE;
		len = f->len;
		c->events_sent += f->event;
	} else {
		while ((f = queue_peek(&c->queue)) && len + f->len <= WRITE_BATCH_BYTES) {
			memcpy(out + len, f->data + LWS_PRE, f->len);
			len += f->len;
			c->events_sent += f->event;
			frame_unref(queue_pop(&c->queue));
		}
		buf = out;
		f = NULL;
	}
	c->backlog -= len;
	/* lws keeps what the socket did not take and sends it first next time. */
	int n = lws_write(c->wsi, buf, len, LWS_WRITE_HTTP);
	frame_unref(f);
	return n == (int)len;
}

/* A dropped client's close frame (RFC 6455 5.5.1): 1008 and why. lws 4.1
 * closes a stream whose WRITEABLE returns -1 with a bare FIN, whatever
 * lws_close_reason asked for, so the frame is written here like the
 * events, and lws sends it before it closes. Returns -1: close. */
static int client_write_close(struct events_client *c)
{
	unsigned char buf[LWS_PRE + 4 + WS_CLOSE_REASON_MAX], *p = buf + LWS_PRE;
	size_t why = strlen(c->close_why), n = 0;

	if (why > WS_CLOSE_REASON_MAX)
		why = WS_CLOSE_REASON_MAX;
	p[n++] = 0x88; /* FIN, opcode 8: close */
	p[n++] = (unsigned char)(2 + why);
	p[n++] = LWS_CLOSE_STATUS_POLICY_VIOLATION >> 8;
	p[n++] = LWS_CLOSE_STATUS_POLICY_VIOLATION & 0xff;
	memcpy(p + n, c->close_why, why);
	n += why;
	lws_write(c->wsi, p, n, LWS_WRITE_HTTP);
	return -1;
}

/* Everything queued, reading the next replay batch when the queue runs dry. */
static int client_write(struct events_client *c)
{
	c->write_requested = false;
	if (c->dropped)
		return client_write_close(c);
	if (!c->queue.count && c->sent_upto < c->server->head && !c->replay) {
		if (c->server->st->ops->threaded) {
			if (!replay_start(c)) {
				c->close_why = "out of memory";
				return -1;
			}
		} else if (!replay_batch(c)) {
			log_error("events: cannot read the event log for replay");
			c->close_why = "cannot read the event log";
			return -1;
		}
		if (c->dropped)
			return client_write_close(c);
	}
	if (c->queue.count && !client_write_batch(c)) {
		c->close_why = "write failed";
		return -1;
	}
	if (client_has_more(c))
		client_request_write(c);
	return 0;
}

/* What a client sends on the stream: presence and away messages only (lws
 * answers its pings). Anything else is refused at its first bytes, before lws
 * gathers more: with 1009 when it announces more than CLIENT_MESSAGE_MAX
 * bytes, else with 1003; so is any message from an ingest account, a
 * binary one, and one server_presence.c does not take. A text frame of
 * invalid UTF-8 never gets here: lws closes it with 1007
 * (LWS_SERVER_OPTION_VALIDATE_UTF8). lws 4.1 takes unmasked client frames
 * without a word and does not tell whether a frame was masked; an unmasked
 * presence message is therefore taken like a masked one. */
static int client_refuse(struct events_client *c, struct lws *wsi, bool big)
{
	const char *why = big ? "message too big" : "this stream takes no such message";

	c->close_why = why;
	lws_close_reason(wsi, big ? LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE
				  : LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE,
			 (unsigned char *)why, strlen(why));
	return -1;
}

static int client_received(struct events_client *c, struct lws *wsi, const void *in, size_t len)
{
	size_t rest = lws_remaining_packet_payload(wsi);

	if (c->inlen + len + rest > CLIENT_MESSAGE_MAX)
		return client_refuse(c, wsi, true);
	if (c->me.role == ACCOUNT_INGEST || lws_frame_is_binary(wsi) || c->dropped)
		return client_refuse(c, wsi, false);
	memcpy(c->in + c->inlen, in, len);
	c->inlen += len;
	if (rest || !lws_is_final_fragment(wsi))
		return 0; /* the rest is on its way */
	bool away = false;
	int said = agents_receive(c->in, c->inlen, &away);
	bool ok = said == 1 || (said == 0 && presence_receive(c->server, c, &c->me, c->in,
							      c->inlen));
	c->inlen = 0;
	if (!ok)
		return client_refuse(c, wsi, false);
	c->presence = true;
	if (said != 1)
		return 0;
	if (!c->agents) {
		c->agents = true;
		agents_first_words(c->server, c, c->me.id);
	}
	/* Away shares the stream's presence rate: a flood is ignored. */
	if (presence_admit(c->server, c, &c->me) && away != c->away) {
		enum agent_status before = agents_status(c->server, c->me.id);
		c->away = away;
		agents_stream_changed(c->server, c->me.id, before);
	}
	return 0;
}

static int events_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
			   void *in, size_t len)
{
	struct events_client *c = user;

	switch (reason) {
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		return client_filter(c, wsi);
	case LWS_CALLBACK_ESTABLISHED:
		return client_start(c, wsi);
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return client_write(c);
	case LWS_CALLBACK_RECEIVE:
		return client_received(c, wsi, in, len);
	case LWS_CALLBACK_CLOSED:
	case LWS_CALLBACK_WSI_DESTROY:
		if (c)
			client_closed(c);
		return 0;
	default:
		/* What clients send (pings are lws's) is of no interest. */
		return 0;
	}
}

bool events_not_upgraded(const struct request *req, struct response *res, struct api_error *err)
{
	(void)req;
	(void)res;
	return api_error_set(err, API_INVALID_QUERY,
			     EVENTS_PATH " is a WebSocket endpoint: upgrade with subprotocol "
			     EVENTS_SUBPROTOCOL);
}

/* tx_packet_size: without it lws hands a write to send() 4 KiB at a time
 * (its service buffer), buffering the rest for later WRITEABLEs, which
 * would undo the batching above. */
const struct lws_protocols server_events_protocol = {
	EVENTS_SUBPROTOCOL, events_callback, sizeof(struct events_client), 0, 0, NULL,
	WRITE_BATCH_BYTES,
};
