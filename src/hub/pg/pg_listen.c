/*
 * pg_listen.c — one hub's feed of the shared event log (see pg_listen.h).
 *
 * Hubs sharing one database each serve their own clients, and a client
 * must see every event, whichever hub wrote it. So each hub follows the
 * events table itself, and hands what it reads to its clients.
 *
 * In order, never skipping, never repeating. The listener keeps `last`,
 * the seq of the last event it handed over, and only ever asks for what
 * follows it: SELECT … WHERE seq > last ORDER BY seq, a page at a time.
 * The log's counter (event_seq, pg_schema.c) makes seq order commit order:
 * a reader that sees seq N sees every seq below it. So a read finds the
 * events after `last` without a hole, and no later read can turn up one
 * below what it passed; `last` moving only forward, nothing is handed over
 * twice (a row at or below it is dropped). A row beyond last + 1 can mean
 * only that the retention deleted what lay between before this listener
 * read it: that row is handed over with `missed` saying how many are gone,
 * and the feed goes on from there rather than wait for events that will
 * never come.
 *
 * Nothing committed is missed. What says there is more to read is NOTIFY
 * handoff_events, which each event's transaction sends at COMMIT
 * (pg_events.c); its payload, the event's seq, is only a hint. On every
 * connection LISTEN is issued before the first read: an event committed
 * before the read took its snapshot is in the read, and one committed
 * after it was committed after the LISTEN, so its NOTIFY comes. A NOTIFY
 * of an event after `last` that arrives while a read runs marks "read
 * again after this one"; so does a full page.
 *
 * Never blocking the loop. Everything runs on the hub's libuv loop through
 * libpq's asynchronous calls — PQconnectStartParams and PQconnectPoll,
 * then PQsendQuery*, PQflush, PQconsumeInput, PQisBusy, PQgetResult —
 * with the connection's socket watched by a uv_poll_t for what libpq waits
 * for. A page is bounded (PAGE rows), handed over in one callback. What
 * libpq does not do asynchronously is resolve a host name (getaddrinfo,
 * while connecting): with hostaddr or a socket directory in the conninfo,
 * nothing here ever waits.
 *
 * The socket. PQconnectPoll may close its socket and open another (the
 * next host of a list, a retry without SSL), perhaps with the same number,
 * so while connecting the watch is started afresh after each call, on a
 * new uv_poll_t when the descriptor changed (a poll handle is bound to
 * one); the old handle is closed first, which takes its descriptor out of
 * epoll, and freed when libuv calls back. For the same reason the handle
 * is always closed before PQfinish closes the socket.
 *
 * The hubs' notes. The connection also LISTENs on PG_NOTES_CHANNEL, whose
 * payloads go to the notes callback as they are heard, and sends the
 * notes queued by pg_listener_notify, one `SELECT pg_notify(…)` at a
 * time between the event reads (a read that is due goes first: the feed
 * must not fall behind). A session hears its own NOTIFYs, so a hub hears
 * its own notes too. The queue outlives a lost connection, bounded by
 * NOTES_QUEUED: a note whose answer was lost with the connection is sent
 * again, so a note may come twice, never out of order from one hub. On
 * stop, notes still queued (a hub's goodbye) are sent first, for at most
 * LINGER_MS, the connection otherwise idle: nothing is handed over then.
 *
 * Losing the connection (a server restart, pg_terminate_backend, the
 * network). Every failure — connecting, a statement, the socket — ends the
 * connection the same way: one warning for the outage (attempts failing
 * until a read succeeds again are logged for debugging only), with
 * libpq's message, which names the host but never repeats the conninfo
 * (it may hold a password); the poll handle closed; PQfinish; and a new
 * attempt on a timer whose delay doubles from RETRY_MIN_MS to
 * RETRY_MAX_MS, back to the minimum once a read succeeds. The attempt is a
 * fresh start — LISTEN, then read from `last` — so nothing is lost and,
 * `last` being exactly where the old connection stopped, nothing repeats.
 * Why the server ended a connection, when it says, is logged too. An
 * attempt has CONNECT_TIMEOUT_S to connect (libpq leaves that to
 * asynchronous callers), and TCP keepalives, unless the conninfo sets them
 * otherwise, notice a network gone silent under an idle connection within
 * a minute.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pg_internal.h"
#include "pg_listen.h"

#define PAGE 1000
#define RETRY_MIN_MS 50
#define RETRY_MAX_MS 2000
#define CONNECT_TIMEOUT_S 10
/* Notes waiting to be sent, at most: a few heartbeats' worth of a busy
 * hub's snapshots; more means the database is away, and the next
 * heartbeat after it is back says everything again. */
#define NOTES_QUEUED 1024
/* How long a stop waits for the queued notes to go out. */
#define LINGER_MS 1000

enum phase {
	WAITING,    /* no connection: the timer starts the next attempt */
	CONNECTING, /* PQconnectPoll until it says OK; the timer is its deadline */
	LISTENING,  /* LISTEN sent */
	READING,    /* a page's SELECT sent */
	NOTIFYING,  /* the first queued note's pg_notify sent */
	IDLE,       /* up to date, until a NOTIFY */
};

struct pg_listener {
	uv_loop_t *loop;
	char *conninfo;
	pg_listen_fn *fn;
	void *ctx;
	int64_t last;

	PGconn *conn;       /* NULL while WAITING */
	enum phase phase;
	bool again;         /* read again once this read (or none) is over */
	bool flushing;      /* libpq has a statement still to send */
	bool down;          /* an outage was logged; no read has succeeded since */
	int delay_ms;       /* before the next attempt after a failure */

	uv_poll_t *poll;    /* the socket's watch, NULL when none */
	int poll_fd;
	int poll_events;    /* what it watches for; 0: start it again */
	uv_timer_t timer;   /* the next attempt, or the current one's deadline */
	int handles;        /* open or closing: freed when none are left */

	pg_note_fn *note_fn;
	void *note_ctx;
	struct queued_note {
		struct queued_note *next;
		char text[];
	} *notes, **notes_last; /* to send, oldest first */
	size_t nnotes;
	bool notes_full;    /* a note was dropped: logged once until one fits */

	bool stopping;
	bool lingering;     /* stopping, once the queued notes are out */
	void (*done)(void *ctx);
	void *done_ctx;
};

static void on_io(uv_poll_t *poll, int status, int events);
static void on_timer(uv_timer_t *timer);
static void finish(struct pg_listener *l);

static void released(struct pg_listener *l)
{
	if (--l->handles > 0 || !l->stopping)
		return;
	if (l->done)
		l->done(l->done_ctx);
	while (l->notes) {
		struct queued_note *n = l->notes;
		l->notes = n->next;
		free(n);
	}
	free(l->conninfo);
	free(l);
}

static void timer_closed(uv_handle_t *h)
{
	released(h->data);
}

static void poll_closed(uv_handle_t *h)
{
	struct pg_listener *l = h->data;

	free(h);
	released(l);
}

static void unwatch(struct pg_listener *l)
{
	if (!l->poll)
		return;
	uv_close((uv_handle_t *)l->poll, poll_closed);
	l->poll = NULL;
}

/* Watch the connection's socket for `events`. `fresh`: libpq may have
 * replaced the socket since (while connecting), even by one with the same
 * number, so the watch is started again although nothing seems to change. */
static bool watch(struct pg_listener *l, int events, bool fresh)
{
	int fd = PQsocket(l->conn);

	if (fd < 0)
		return false;
	if (l->poll && l->poll_fd != fd)
		unwatch(l);
	if (!l->poll) {
		uv_poll_t *p = malloc(sizeof *p);
		if (!p || uv_poll_init_socket(l->loop, p, fd) != 0) {
			free(p);
			return false;
		}
		p->data = l;
		l->handles++;
		l->poll = p;
		l->poll_fd = fd;
		fresh = true;
	}
	if (fresh || events != l->poll_events) {
		if (uv_poll_start(l->poll, events, on_io) != 0)
			return false;
		l->poll_events = events;
	}
	return true;
}

static void disconnect(struct pg_listener *l)
{
	unwatch(l);
	PQfinish(l->conn);
	l->conn = NULL;
	l->flushing = false;
}

/* End the connection after a failure and try again later. The reason is
 * `why` if given, else the failed statement's result `res`, else the
 * connection's message. */
static void fail(struct pg_listener *l, const PGresult *res, const char *why)
{
	struct errbuf err;

	if (l->lingering) {
		finish(l); /* no retry for the last words */
		return;
	}
	if (why)
		errbuf_set(&err, "postgresql: events feed: %s", why);
	else
		pg_fail(&err, "events feed", l->conn, res);
	/* One warning an outage: the attempts that fail during it are news
	 * only to whoever debugs it. */
	log_msg(l->down ? LOG_DEBUG : LOG_WARN, "%s; trying again", err.msg);
	l->down = true;
	disconnect(l);
	l->phase = WAITING;
	uv_timer_start(&l->timer, on_timer, (uint64_t)l->delay_ms, 0);
	l->delay_ms = l->delay_ms * 2 < RETRY_MAX_MS ? l->delay_ms * 2 : RETRY_MAX_MS;
}

/* What the server says outside a statement's result — above all why it
 * ends the connection ("terminating connection due to administrator
 * command") — goes to the log, not to libpq's default, stderr. */
static void on_notice(void *arg, const char *message)
{
	size_t n = strlen(message);

	(void)arg;
	while (n > 0 && (message[n - 1] == '\n' || message[n - 1] == ' '))
		n--;
	log_info("postgresql: events feed: the server says: %.*s", (int)n, message);
}

static void connect_start(struct pg_listener *l)
{
	/* The keepalives first, so that the conninfo may set its own; the
	 * application_name last, so that it is always ours. */
	const char *const keys[] = {"keepalives_idle", "keepalives_interval", "keepalives_count",
				    "dbname", "application_name", NULL};
	const char *const values[] = {"30", "10", "3", l->conninfo, PG_LISTEN_APPLICATION, NULL};

	l->conn = PQconnectStartParams(keys, values, 1);
	if (!l->conn || PQstatus(l->conn) == CONNECTION_BAD) {
		fail(l, NULL, NULL);
		return;
	}
	PQsetNoticeProcessor(l->conn, on_notice, NULL);
	l->phase = CONNECTING;
	uv_timer_start(&l->timer, on_timer, CONNECT_TIMEOUT_S * 1000, 0);
	/* libpq's rule: before the first PQconnectPoll, wait to write */
	if (!watch(l, UV_WRITABLE, true))
		fail(l, NULL, "cannot watch the connection's socket");
}

static void on_timer(uv_timer_t *timer)
{
	struct pg_listener *l = timer->data;

	if (l->lingering) {
		finish(l); /* the notes did not go out in time */
	} else if (l->phase == CONNECTING) {
		char why[64];
		snprintf(why, sizeof why, "no connection within %d s", CONNECT_TIMEOUT_S);
		fail(l, NULL, why);
	} else {
		connect_start(l);
	}
}

/* A statement handed to libpq (`queued`, what PQsend* returned), sent as
 * far as the socket takes it now: false on failure, which is handled. */
static bool sent(struct pg_listener *l, int queued)
{
	int flushed = queued ? PQflush(l->conn) : -1;

	l->flushing = flushed == 1;
	if (flushed < 0)
		fail(l, NULL, NULL);
	return flushed >= 0;
}

static bool read_page(struct pg_listener *l)
{
	char after[PG_INT_LEN], page[PG_INT_LEN];
	const char *params[] = {pg_int(l->last, after), pg_int(PAGE, page)};

	l->again = false;
	l->phase = READING;
	return sent(l, PQsendQueryParams(l->conn,
					 "SELECT e.seq, e.chat_id, e.note, e.json,"
					 " coalesce(c.source_account_id::text, '')"
					 " FROM events e JOIN chats c ON c.id = e.chat_id"
					 " WHERE e.seq > $1 ORDER BY e.seq LIMIT $2",
					 2, NULL, params, NULL, NULL, 0));
}

/* The oldest queued note, handed to the server to send. */
static bool notify_first(struct pg_listener *l)
{
	const char *params[] = {l->notes->text};

	l->phase = NOTIFYING;
	return sent(l, PQsendQueryParams(l->conn, "SELECT pg_notify('" PG_NOTES_CHANNEL "', $1)",
					 1, NULL, params, NULL, NULL, 0));
}

/* Hand a page's rows over: false when fn stopped the listener. */
static bool hand_over(struct pg_listener *l, const PGresult *res)
{
	if (l->stopping)
		return true; /* a read that ends while the last notes go out */
	for (int i = 0, n = PQntuples(res); i < n; i++) {
		int64_t seq = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		/* What was handed over is never again, whatever a read returns. */
		if (seq <= l->last)
			continue;
		struct pg_listened ev = {
			.seq = seq,
			.chat_id = PQgetvalue(res, i, 1),
			.note = PQgetvalue(res, i, 2)[0] == 't',
			.json = PQgetvalue(res, i, 3),
			.len = (size_t)PQgetlength(res, i, 3),
			.source = PQgetvalue(res, i, 4),
			.missed = seq - l->last - 1,
		};
		if (ev.missed)
			log_warn("postgresql: events feed: events %lld to %lld were pruned before "
				 "this hub read them", (long long)l->last + 1, (long long)seq - 1);
		l->last = seq;
		l->fn(l->ctx, &ev);
		if (l->stopping)
			return false;
	}
	if (PQntuples(res) == PAGE)
		l->again = true;
	return true;
}

/* The statement in flight has ended. */
static void finished(struct pg_listener *l)
{
	if (l->phase == LISTENING) {
		l->again = true; /* the first read: from `last` */
	} else {
		if (l->phase == NOTIFYING) {
			struct queued_note *n = l->notes;
			if (!(l->notes = n->next))
				l->notes_last = &l->notes;
			l->nnotes--;
			free(n);
		}
		l->delay_ms = RETRY_MIN_MS;
		if (l->down)
			log_info("postgresql: events feed: connected again, up to date at seq %lld",
				 (long long)l->last);
		l->down = false;
	}
	l->phase = IDLE;
}

/* Take the results of the statement in flight as far as they have
 * arrived: false when the listener failed or was stopped meanwhile. */
static bool collect(struct pg_listener *l)
{
	while ((l->phase == LISTENING || l->phase == READING || l->phase == NOTIFYING) &&
	       !PQisBusy(l->conn)) {
		PGresult *res = PQgetResult(l->conn);
		if (!res) {
			finished(l);
			continue;
		}
		ExecStatusType want = l->phase == LISTENING ? PGRES_COMMAND_OK : PGRES_TUPLES_OK;
		bool ok = PQresultStatus(res) == want;
		if (!ok && l->phase == NOTIFYING && PQstatus(l->conn) == CONNECTION_OK) {
			/* The server refused this note (one its encoding cannot
			 * hold, say): sent again it would be refused again, so it
			 * is dropped, and the next one goes. */
			struct errbuf why;
			pg_fail(&why, "hubs' notes", l->conn, res);
			log_warn("%s; that note is dropped", why.msg);
			ok = true;
		}
		if (!ok)
			fail(l, res, NULL);
		else if (l->phase == READING)
			ok = hand_over(l, res);
		PQclear(res);
		if (!ok)
			return false;
	}
	return true;
}

/* Drain the NOTIFYs libpq has parsed. A note goes to the notes callback
 * (which may queue notes of its own). Of the events' channel, one of an
 * event after `last` means read again; a payload that is no seq (not
 * ours) counts as news too: the read will tell. */
static void hear(struct pg_listener *l)
{
	PGnotify *n;

	while (l->conn && (n = PQnotifies(l->conn))) {
		if (strcmp(n->relname, PG_NOTES_CHANNEL) == 0) {
			if (l->note_fn && !l->stopping)
				l->note_fn(l->note_ctx, n->extra, strlen(n->extra));
		} else {
			char *end;
			long long seq = strtoll(n->extra, &end, 10);
			if (end == n->extra || *end || seq > l->last)
				l->again = true;
		}
		PQfreemem(n);
	}
}

/* Start what is due when no statement is in flight — the read, else the
 * next note — and wait for what libpq needs next. */
static void advance(struct pg_listener *l)
{
	if (!l->conn || l->phase == CONNECTING)
		return;
	if (l->lingering && l->phase == IDLE && !l->notes) {
		finish(l);
		return;
	}
	if (l->phase == IDLE && l->again && !l->stopping && !read_page(l))
		return;
	if (l->phase == IDLE && l->notes && !notify_first(l))
		return;
	if (!watch(l, UV_READABLE | (l->flushing ? UV_WRITABLE : 0), false))
		fail(l, NULL, "cannot watch the connection's socket");
}

/* After any progress. */
static void proceed(struct pg_listener *l)
{
	hear(l);
	advance(l);
}

static void connecting(struct pg_listener *l)
{
	bool watched;

	switch (PQconnectPoll(l->conn)) {
	case PGRES_POLLING_READING:
		watched = watch(l, UV_READABLE, true);
		break;
	case PGRES_POLLING_WRITING:
		watched = watch(l, UV_WRITABLE, true);
		break;
	case PGRES_POLLING_OK:
		uv_timer_stop(&l->timer);
		l->phase = LISTENING;
		if (PQsetnonblocking(l->conn, 1) != 0) {
			fail(l, NULL, NULL);
			return;
		}
		/* fresh: the socket may have changed at this PQconnectPoll */
		if (sent(l, PQsendQuery(l->conn, "LISTEN " PG_EVENTS_CHANNEL
						 "; LISTEN " PG_NOTES_CHANNEL)) &&
		    !watch(l, UV_READABLE | (l->flushing ? UV_WRITABLE : 0), true))
			fail(l, NULL, "cannot watch the connection's socket");
		return;
	default:
		fail(l, NULL, NULL);
		return;
	}
	if (!watched)
		fail(l, NULL, "cannot watch the connection's socket");
}

static void on_io(uv_poll_t *poll, int status, int events)
{
	struct pg_listener *l = poll->data;

	if (status < 0) {
		/* An error on the socket (POLLERR; libuv has stopped the
		 * handle): libpq's next step on it says which, so take that
		 * step, and watch again if it finds none. */
		l->poll_events = 0;
		events = UV_READABLE;
	}
	if (l->phase == CONNECTING) {
		connecting(l);
		return;
	}
	if ((events & UV_READABLE) && !PQconsumeInput(l->conn)) {
		fail(l, NULL, NULL);
		return;
	}
	if (l->flushing && !sent(l, 1))
		return;
	if (collect(l))
		proceed(l);
}

struct pg_listener *pg_listener_start(uv_loop_t *loop, const char *conninfo, int64_t after_seq,
				      pg_listen_fn *fn, void *ctx, struct errbuf *err)
{
	/* Only what can never connect fails here; the rest is retried. Not
	 * libpq's message: it may quote the conninfo. */
	PQconninfoOption *options = PQconninfoParse(conninfo, NULL);
	if (!options) {
		errbuf_set(err, "postgresql: events feed: the conninfo does not parse");
		return NULL;
	}
	PQconninfoFree(options);
	if (after_seq < 0) {
		errbuf_set(err, "postgresql: events feed: no event seq %lld", (long long)after_seq);
		return NULL;
	}
	struct pg_listener *l = calloc(1, sizeof *l);
	char *copy = strdup(conninfo);
	if (!l || !copy) {
		free(l);
		free(copy);
		errbuf_set(err, "postgresql: events feed: out of memory");
		return NULL;
	}
	*l = (struct pg_listener){.loop = loop, .conninfo = copy, .fn = fn, .ctx = ctx,
				  .last = after_seq, .delay_ms = RETRY_MIN_MS, .handles = 1};
	l->notes_last = &l->notes;
	uv_timer_init(loop, &l->timer);
	l->timer.data = l;
	connect_start(l);
	return l;
}

int64_t pg_listener_last(const struct pg_listener *l)
{
	return l->last;
}

void pg_listener_on_notes(struct pg_listener *l, pg_note_fn *fn, void *ctx)
{
	l->note_fn = fn;
	l->note_ctx = ctx;
}

bool pg_listener_notify(struct pg_listener *l, const char *note, size_t len)
{
	struct queued_note *n;

	if (l->stopping || len > PG_NOTE_MAX || memchr(note, '\0', len))
		return false;
	if (l->nnotes == NOTES_QUEUED || !(n = malloc(sizeof *n + len + 1))) {
		if (!l->notes_full)
			log_warn("postgresql: hubs' notes: %zu waiting to be sent; dropping more",
				 l->nnotes);
		l->notes_full = true;
		return false;
	}
	l->notes_full = false;
	memcpy(n->text, note, len);
	n->text[len] = '\0';
	n->next = NULL;
	*l->notes_last = n;
	l->notes_last = &n->next;
	l->nnotes++;
	if (l->phase == IDLE)
		advance(l);
	return true;
}

/* Close the connection and the handles: freed once libuv is done. */
static void finish(struct pg_listener *l)
{
	l->lingering = false;
	l->phase = WAITING;
	disconnect(l);
	if (!uv_is_closing((uv_handle_t *)&l->timer))
		uv_close((uv_handle_t *)&l->timer, timer_closed);
}

void pg_listener_stop(struct pg_listener *l, void (*done)(void *ctx), void *ctx)
{
	l->stopping = true;
	l->done = done;
	l->done_ctx = ctx;
	if (l->notes && l->conn && l->phase != CONNECTING) {
		l->lingering = true;
		uv_timer_start(&l->timer, on_timer, LINGER_MS, 0);
		advance(l);
		return;
	}
	finish(l);
}
