/*
 * server_accept.c — the listening socket: the hub accepts connections
 * itself and hands each to lws (lws_adopt_socket_vhost), so that it
 * decides who gets in:
 *
 *   - at most max_per_address connections from one peer address and
 *     max_connections in all; one more is accepted and closed at once, so
 *     a crowd of idle or slow connections from one place cannot take the
 *     hub from everyone else;
 *   - out of file descriptors (EMFILE, ENFILE), lws 4.1 would retry the
 *     accept on every loop turn and log each failure, a million lines in
 *     seconds. Here the connections waiting are taken off the queue and
 *     closed with a descriptor kept aside for that (the spare), so their
 *     clients are told rather than left hanging, and the listener rests
 *     for ACCEPT_BACKOFF_MS. It resumes by itself as descriptors come back.
 *
 * max_connections is lowered to what RLIMIT_NOFILE leaves after
 * FD_RESERVE descriptors for the database, lws and the log, so the limit
 * normally refuses connections before the descriptors run out.
 * Refusals are logged once per LOG_INTERVAL_MS, with their count.
 */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server_internal.h"
#include "log.h"

/* Descriptors kept for everything but client connections. */
#define FD_RESERVE 64

/* How long the listener rests after EMFILE. */
#define ACCEPT_BACKOFF_MS 100

#define LOG_INTERVAL_MS 10000

/* Connections accepted per readable event: others get a turn in between. */
#define ACCEPT_BATCH 64

static int spare_open(void)
{
	return open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/* Count one refusal; true when it is time to log (then reset). */
static bool gate_pass(struct server *s, struct log_gate *g, unsigned *count)
{
	uint64_t now = uv_now(s->loop);

	g->count++;
	if (g->last && now - g->last < LOG_INTERVAL_MS)
		return false;
	*count = g->count;
	g->count = 0;
	g->last = now;
	return true;
}

static void peer_address(const struct sockaddr_storage *ss, struct peer *p)
{
	memset(p->addr, 0, sizeof p->addr);
	p->family = ss->ss_family;
	if (ss->ss_family == AF_INET)
		memcpy(p->addr, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	else if (ss->ss_family == AF_INET6)
		memcpy(p->addr, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
}

static unsigned connections_from(const struct listener *l, const struct peer *p)
{
	unsigned n = 0;

	for (size_t i = 0; i < l->npeers; i++)
		n += l->peers[i].family == p->family && !memcmp(l->peers[i].addr, p->addr, 16);
	return n;
}

static bool peers_reserve(struct listener *l)
{
	if (l->npeers < l->cap)
		return true;
	size_t cap = l->cap ? l->cap * 2 : 64;
	struct peer *grown = realloc(l->peers, cap * sizeof *grown);
	if (!grown)
		return false;
	l->peers = grown;
	l->cap = cap;
	return true;
}

/* A new connection `fd` from `ss`: hand it to lws, or close it. */
static void admit(struct server *s, int fd, const struct sockaddr_storage *ss)
{
	struct listener *l = &s->listener;
	struct peer p;
	unsigned count;

	peer_address(ss, &p);
	if (l->npeers >= l->max_connections ||
	    connections_from(l, &p) >= s->limits.max_per_address || !peers_reserve(l)) {
		close(fd);
		if (gate_pass(s, &l->over_limit, &count))
			log_warn("refusing connections over the limits (%u in all, %u per "
				 "address): %u since the last such line", l->max_connections,
				 s->limits.max_per_address, count);
		return;
	}
	/* An answer is written in pieces (headers, then body): with Nagle on,
	 * the second piece waits for the client's delayed ACK of the first,
	 * 40 ms on every answer of a kept-alive connection. lws sets this on
	 * the sockets it accepts; these it is only given. */
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	/* On failure lws closes the descriptor itself. */
	p.wsi = lws_adopt_socket_vhost(s->vhost, fd);
	if (!p.wsi)
		return;
	/* The clock of the first request starts now (server_http.c). */
	lws_set_timer_usecs(p.wsi, (lws_usec_t)s->limits.request_timeout_s * LWS_US_PER_SEC);
	l->peers[l->npeers++] = p;
}

static void on_readable(uv_poll_t *poll, int status, int events);

static void on_backoff(uv_timer_t *t)
{
	struct listener *l = t->data;

	uv_poll_start(&l->poll, UV_READABLE, on_readable);
}

/* EMFILE or ENFILE: see the top of this file. */
static void out_of_fds(struct server *s, int error)
{
	struct listener *l = &s->listener;
	unsigned count;

	if (l->spare_fd >= 0) {
		close(l->spare_fd);
		for (int i = 0, fd; i < ACCEPT_BATCH && (fd = accept(l->fd, NULL, NULL)) >= 0; i++)
			close(fd);
		l->spare_fd = spare_open();
	}
	uv_poll_stop(&l->poll);
	uv_timer_start(&l->backoff, on_backoff, ACCEPT_BACKOFF_MS, 0);
	if (gate_pass(s, &l->out_of_fds, &count))
		log_warn("out of file descriptors (%s): refusing connections for now, %u time(s) "
			 "since the last such line", strerror(error), count);
}

static void on_readable(uv_poll_t *poll, int status, int events)
{
	struct server *s = poll->data;

	(void)events;
	if (status < 0)
		return;
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof ss;
		int fd = accept4(s->listener.fd, (struct sockaddr *)&ss, &len,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			admit(s, fd, &ss);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
			out_of_fds(s, errno);
		return; /* EAGAIN: the queue is empty */
	}
}

/* A listening socket on host:port; -1 with err. */
static int listen_on(const char *host, int port, struct errbuf *err)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE | AI_NUMERICSERV}, *ai;
	char service[16];
	int one = 1, fd, rc;

	snprintf(service, sizeof service, "%d", port);
	rc = getaddrinfo(host, service, &hints, &ai);
	if (rc != 0) {
		errbuf_set(err, "%s: %s", host, gai_strerror(rc));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		/* [::] means IPv6 only: IPv4 is asked for with its own address. */
		if (ai->ai_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0) {
			errbuf_set(err, "%s", strerror(errno));
			close(fd);
			fd = -1;
		}
	} else {
		errbuf_set(err, "%s", strerror(errno));
	}
	freeaddrinfo(ai);
	return fd;
}

static int bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return -1;
	return ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
					      : ((struct sockaddr_in *)&ss)->sin_port);
}

/* max_connections, lowered to what the descriptor limit allows. */
static unsigned connections_allowed(unsigned wanted)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return wanted;
	rlim_t room = rl.rlim_cur > 2 * FD_RESERVE ? rl.rlim_cur - FD_RESERVE : rl.rlim_cur / 2;
	if (wanted > room) {
		log_warn("at most %llu connections: the descriptor limit is %llu",
			 (unsigned long long)room, (unsigned long long)rl.rlim_cur);
		return (unsigned)room;
	}
	return wanted;
}

bool accept_start(struct server *s, const char *host, int port, struct errbuf *err)
{
	struct listener *l = &s->listener;

	l->fd = listen_on(host, port, err);
	l->spare_fd = spare_open();
	if (l->fd < 0)
		return false;
	s->port = bound_port(l->fd);
	l->max_connections = connections_allowed(s->limits.max_connections);
	if (uv_poll_init_socket(s->loop, &l->poll, l->fd) != 0) {
		errbuf_set(err, "cannot watch the listening socket");
		return false;
	}
	uv_timer_init(s->loop, &l->backoff);
	l->poll.data = s;
	l->backoff.data = l;
	l->ready = true;
	uv_poll_start(&l->poll, UV_READABLE, on_readable);
	return true;
}

void accept_stop(struct server *s)
{
	struct listener *l = &s->listener;

	if (l->ready) {
		uv_close((uv_handle_t *)&l->poll, NULL);
		uv_close((uv_handle_t *)&l->backoff, NULL);
		l->ready = false;
	}
	if (l->fd >= 0)
		close(l->fd);
	if (l->spare_fd >= 0)
		close(l->spare_fd);
	l->fd = l->spare_fd = -1;
}

void accept_release(struct server *s, struct lws *wsi)
{
	struct listener *l = &s->listener;

	for (size_t i = 0; i < l->npeers; i++) {
		if (l->peers[i].wsi == wsi) {
			l->peers[i] = l->peers[--l->npeers];
			return;
		}
	}
}

void accept_free(struct server *s)
{
	accept_stop(s);
	free(s->listener.peers);
	s->listener.peers = NULL;
	s->listener.npeers = s->listener.cap = 0;
}
