/*
 * server_internal.h — what the server's files share: the server itself, the
 * checks every request passes (route, token, role, ids, query), and the two
 * lws protocols: plain HTTP (server_http.c) and the event stream
 * (server_events.c).
 */
#ifndef HANDOFF_HUB_SERVER_INTERNAL_H
#define HANDOFF_HUB_SERVER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <libwebsockets.h>

#include "storage.h"
#include "query.h"
#include "ratelimit.h"
#include "route.h"
#include "server.h"
#include "server_route.h"

#define EVENTS_PATH "/v1/events"
#define EVENTS_SUBPROTOCOL "handoff.v1"

struct events_client;

/* At most this much of the event stream goes into one send(); a single
 * bigger frame goes alone (server_events.c). */
#define WRITE_BATCH_BYTES (64 * 1024)

/* A refusal logged at most once per interval, with how many it stands for:
 * a flood of connections must not become a flood of log lines. */
struct log_gate {
	uint64_t last;               /* uv_now() of the last line */
	unsigned count;              /* refusals since */
};

/* One accepted connection, for the limits. */
struct peer {
	struct lws *wsi;
	int family;
	unsigned char addr[16];
};

/* The listening socket and what it admits (server_accept.c). */
struct listener {
	int fd, spare_fd;            /* spare_fd: a descriptor kept for EMFILE */
	uv_poll_t poll;
	uv_timer_t backoff;          /* resumes accepting after EMFILE */
	bool ready;                  /* the handles exist: close them */
	struct peer *peers;
	size_t npeers, cap;
	unsigned max_connections;    /* the limit, lowered to fit RLIMIT_NOFILE */
	struct log_gate over_limit, out_of_fds;
};

/* Who views and types where (server_presence.c): one entry per stream
 * that said so. */
struct presence_entry;
struct presence {
	struct presence_entry *entries;
	size_t n, cap;
	uv_timer_t expire;           /* the earliest typing to end */
	uint64_t last_key;           /* the last number given a stream's entry */
	bool ready;                  /* the timer exists: close it */
};

/* What the other hubs on the database hold (server_share.c). */
struct share_peer;
struct share {
	bool on;                     /* the back end carries notes between hubs */
	uuid_str id;                 /* this hub's, random at each start */
	uint64_t gen;                /* the number of the last snapshot sent */
	struct share_peer *peers;    /* the hubs heard lately */
	size_t npeers;
	uint64_t last_origin;        /* the last number given a peer */
	uv_timer_t beat;             /* the heartbeat: a snapshot, and who fell silent */
	bool warned;                 /* a bad note was logged: the next ones are not */
	bool ready;                  /* the timer exists: close it */
};

/* Auto-assignment's rounds (server_agents.c). */
struct agents_rounds {
	uv_timer_t round;            /* the next round: now, or when an offer expires */
	uint64_t last_round;         /* uv_now() of the last one, 0 none yet */
	/* What the agents' changes ask of the database (frames to read,
	 * rounds, withdrawals, a new console's first words), one at a time in
	 * the order asked: the head is the one running. */
	struct agent_job *jobs, **jobs_last;
	bool job_busy;
	bool round_queued;           /* a round is among the jobs */
	bool round_again;            /* and another was asked for meanwhile */
	bool ready;                  /* the timer exists: close it */
};

/* Requests on worker threads (server_work.c): those queued to libuv's pool,
 * and those an account has beyond its share, waiting their turn. */
struct work;
struct work_queue {
	struct work *running;        /* queued to the pool or running there */
	struct work *waiting, **waiting_last;
};

/* The text indexes' catch-up (server_text.c). */
struct text_later {
	uv_timer_t timer;
	bool ready; /* the timer exists: close it */
};

struct server {
	uv_loop_t *loop;
	void *foreign_loops[1];      /* lws wants an array of loops */
	struct storage *st;
	struct lws_context *ctx;     /* lws sets it to NULL once fully destroyed */
	struct lws_vhost *vhost;
	struct server_limits limits;
	struct listener listener;
	size_t body_bytes;           /* announced bodies being received */
	int port;
	bool stopping;
	struct route *routes;        /* api_routes, plus the event stream's own */
	size_t nroutes;
	struct ratelimit *accounts;  /* request buckets, by account id */
	struct ratelimit *addresses; /* wrong-token buckets, by peer address */
	struct lws_protocols protocols[3]; /* http, the stream, the terminator */
	struct events_client *clients; /* the established event streams */
	size_t nclients;
	int64_t head;                /* the latest event seq committed */
	uv_check_t flush;            /* writes out the events of a loop turn */
	uv_timer_t flush_later;      /* ... or a little later (FLUSH_MIN_MS) */
	uint64_t last_flush;         /* uv_now() of the last flush */
	bool flush_pending;
	bool flush_ready;            /* the flush handles exist: close them */
	struct presence presence;
	struct agents_rounds agents;
	struct work_queue works;
	struct share share;
	struct text_later text;
	unsigned char batch[LWS_PRE + WRITE_BATCH_BYTES]; /* frames gathered for one send */
};

/* ---- server_request.c: the head of a request -------------------------- */

/* What every request — plain or upgrade — is checked for before its body. */
struct admission {
	struct route_match match;
	struct query query;
	struct agent caller;         /* valid when has_caller */
	bool has_caller;
	unsigned retry_after;        /* the Retry-After of a 429, in seconds */
	char *lookup;                /* a token to look up on a worker first (a copy) */
};

/* What a worker found of a token the loop did not know (server_lookup.c). */
struct token_answer {
	bool asked;                  /* false: not looked up (yet) */
	bool found;
	struct agent account;        /* when found */
};

/* The method of the request line (lws hands its path to the callback). */
enum http_method request_method(struct lws *wsi);

/* The checks in protocol order: route (404/405), token (401), the rate
 * limits (429), role (403), path ids and query parameters (400). `charge`:
 * count the request against the limits (false to look at a request again,
 * as the stream does after its upgrade). On failure `a` still holds what
 * was learnt (a->match.allowed for a 405, a->retry_after for a 429);
 * admission_free it either way.
 *
 * `answer` NULL: the token is authenticated here and now. Otherwise, on a
 * back end that remembers tokens (storage.h, token_recall), a token it
 * has not found before stops the checks with a->lookup set and no error:
 * look it up on a worker, then admit the request again with the answer. */
/* Count `n` requests more against `caller`'s rate limit (ratelimit_charge). */
void charge_caller(struct server *s, const struct agent *caller, unsigned n);

bool admit_request(struct server *s, struct lws *wsi, enum http_method method, const char *path,
		   bool charge, const struct token_answer *answer, struct admission *a,
		   struct api_error *err);
void admission_free(struct admission *a);

/* ---- server_lookup.c: a token not seen yet, looked up on a worker ----- */

struct lookup;

/* Look `token` (taken over, wiped when done) up on a worker thread; the
 * answer comes through http_lookup_done on the loop. NULL when it cannot
 * be queued (token freed). */
struct lookup *lookup_start(struct server *s, struct lws *wsi, char *token);
/* The connection closed: the answer is dropped when it comes. */
void lookup_orphan(struct lookup *l);
void http_lookup_done(struct lws *wsi, struct lookup *l, const struct token_answer *answer);

/* The request's target as the log shows it: the path, then each query
 * parameter with its value hidden ("/v1/chats?status=*&q=*"). A value may
 * be customer text or, sent by mistake, a secret. */
void request_target(const char *path, const struct query *q, char *out, size_t len);

/* A copy of header `h` (NUL-terminated, "" when absent) into buf[len];
 * false when it does not fit or holds a NUL. */
bool request_header(struct lws *wsi, enum lws_token_indexes h, char *buf, size_t len);

/* ---- server_accept.c: the listening socket ------------------------------ */

/* Bind host:port and start accepting into s->vhost; false with err. */
bool accept_start(struct server *s, const char *host, int port, struct errbuf *err);

/* Stop accepting and close the listener (more than once is fine). */
void accept_stop(struct server *s);

/* accept_stop, and the list of connections freed. */
void accept_free(struct server *s);

/* LWS_CALLBACK_WSI_DESTROY: a connection is gone, its place is free. */
void accept_release(struct server *s, struct lws *wsi);

/* ---- server_http.c ------------------------------------------------------ */

/* protocols[0] of the vhost: every HTTP request lands there. */
extern const struct lws_protocols server_http_protocol;

/* Answer `err` at once, headers and body, and let lws finish the exchange:
 * for refusing an upgrade, where there is no later WRITEABLE. retry_after:
 * the Retry-After of a 429. Returns what LWS_CALLBACK_HTTP_CONFIRM_UPGRADE
 * should return. */
int http_refuse_now(struct lws *wsi, const struct api_error *err, unsigned retry_after);

/* ---- server_events.c ---------------------------------------------------- */

/* "handoff.v1": where a WebSocket upgrade asking for it lands. */
extern const struct lws_protocols server_events_protocol;

/* LWS_CALLBACK_HTTP_CONFIRM_UPGRADE: admit or refuse a WebSocket upgrade. */
int events_confirm_upgrade(struct server *s, struct lws *wsi, const char *upgrade);

/* The db's event listener: fans a committed event out to the streams. */
void events_on_commit(void *ctx, const struct db_event *ev);

/* Queue a frame outside the event log (no seq: it is neither replayed nor
 * counted in sent_upto) on every open stream of `account_id` (route.h). */
void events_tell(void *ctx, const char *account_id, const char *json, size_t len);

/* The per-turn flush of the event streams: set up with the server, closed
 * when it stops (events_close may be called more than once). */
bool events_init(struct server *s);
void events_close(struct server *s);

/* Who reads a frame that is not an event: the streams that sent a
 * presence message, or (v1.1, "agent" and "offer" frames) an away
 * message. A v1 client, which sends nothing, never gets a frame it cannot
 * read, nor does a console that speaks presence but predates agents'
 * status; an ingest account may send neither. */
enum frame_readers { READERS_PRESENCE, READERS_AGENTS };

/* Queue a frame that is not an event (no seq) for every stream of
 * `readers` but `except` (NULL: none); a stream too far behind to take it
 * goes without (it is not dropped). */
void events_broadcast(struct server *s, enum frame_readers readers, const char *json, size_t len,
		      const struct events_client *except);

/* The same for one stream (a snapshot for a stream that just asked). */
void events_send_to(struct events_client *c, const char *json, size_t len);

/* GET /v1/events without an upgrade. */
route_fn events_not_upgraded;

/* ---- server_presence.c --------------------------------------------------- */

/* The typing timer, set up with the server and closed when it stops. */
bool presence_init(struct server *s);
void presence_close(struct server *s);
void presence_free(struct server *s);

/* A message from an agent's stream `conn`: false when it is not a presence
 * message (the stream is then closed, as before v1.1). One past the
 * stream's rate is ignored. */
bool presence_receive(struct server *s, struct events_client *conn, const struct agent *me,
		      const char *text, size_t len);

/* Another message of the stream's (v1.1: away) counted against its
 * presence rate, as the stream's first presence message when it is: false
 * when it is to be ignored (past the rate). */
bool presence_admit(struct server *s, struct events_client *conn, const struct agent *me);

/* The stream `conn` ended or was dropped: it views and types nowhere. */
void presence_gone(struct server *s, struct events_client *conn);

/* Another hub's stream `key` (of the hub numbered `origin`, its agent and
 * name) views `viewing` and types in `typing` ("" for none), as that hub's
 * snapshot `gen` (or a note since) says: everyone here hears of it.
 * Returns 1 when the stream is new here, 0 when it was known, -1 when it
 * is new and there is no `room` for it (or no memory). */
int presence_remote(struct server *s, uint64_t origin, uint64_t key, const char *agent_id,
		    const char *name, const char *viewing, const char *typing, uint64_t gen,
		    bool room);

/* That stream ended: false when it was not known. */
bool presence_remote_gone(struct server *s, uint64_t origin, uint64_t key);

/* Forget the streams of `origin` last named before snapshot `gen`
 * (UINT64_MAX: all of them); returns how many. */
size_t presence_remote_sweep(struct server *s, uint64_t origin, uint64_t gen);

/* fn for each stream of this hub that said where it is, to tell the others. */
typedef void presence_view_fn(void *ctx, uint64_t key, const char *agent_id, const char *name,
			      const char *viewing, const char *typing);
void presence_each_local(struct server *s, presence_view_fn *fn, void *ctx);

/* ---- server_events.c: agents' streams (v1.1) ----------------------------- */

/* What agent `id`'s open streams on this hub make them: online, away or
 * offline (agents_status adds the other hubs'). */
enum agent_status events_agent_status(struct server *s, const char *id);

/* The agents online on this hub, each once, up to max (pointing into the
 * streams: valid until the loop turns). */
size_t events_online(struct server *s, const char **ids, size_t max);

/* An agent with a stream open, and what their streams make them. */
struct agent_presence {
	uuid_str id;
	enum agent_status status;
};

/* Every agent with a stream open on this hub, each once (*count of them;
 * free the array). NULL when out of memory. */
struct agent_presence *events_statuses(struct server *s, size_t *count);

/* Like events_tell, for auto-assignment's offers: only the streams of
 * `account_id` that read READERS_AGENTS frames get it. */
void events_tell_readers(struct server *s, const char *account_id, const char *json,
			 size_t len);

/* ---- server_agents.c ------------------------------------------------------ */

/* The round timer, set up with the server and closed when it stops. */
bool agents_init(struct server *s);
void agents_close(struct server *s);

/* Run an auto-assignment round soon (coalesced; nothing without
 * --auto-assign). */
void agents_kick(struct server *s);

/* route.h's hooks: agent `id` changed (capacity; NULL: only run a round),
 * and an agent's status now, the best over every hub (online, then away,
 * then offline). ctx is the server. */
void agents_changed(void *ctx, const char *id);
enum agent_status agents_status(void *ctx, const char *id);

/* Every agent online or away on any hub, each once with agents_status
 * (*count of them; free the array): the others are offline. NULL when out
 * of memory. */
struct agent_presence *agents_statuses(struct server *s, size_t *count);

/* A stream here of agent `id` opened, closed or changed its away flag;
 * `before` is agents_status before it. The other hubs hear of it, and
 * agents_moved follows. */
void agents_stream_changed(struct server *s, const char *id, enum agent_status before);

/* Agent `id`'s status may have moved from `before` (a stream here or
 * another hub's note): when it did, everyone is told and, when they are
 * no longer online, their offers go to others. */
void agents_moved(struct server *s, const char *id, enum agent_status before);

/* Offer frame {"type":"offer",...} for agent `id`'s streams on this hub
 * (seconds 0: the offer ended). */
void agents_offer_here(struct server *s, const char *id, const char *chat_id, int64_t seconds);

/* A client message: 1 an away message (*away), -1 a malformed one, 0 not
 * one (maybe presence). */
int agents_receive(const char *text, size_t len, bool *away);

/* Stream `c` of agent `id` sent its first away message: it gets the
 * agent's own "agent" frame and open offers. */
void agents_first_words(struct server *s, struct events_client *c, const char *id);
/* Stream `c` is closing: a first words' job for it sends nothing. */
void agents_forget_client(struct server *s, struct events_client *c);

/* ---- server_text.c: the text indexes a little after the writes ----------- */

bool text_init(struct server *s);
void text_close(struct server *s);
/* A commit: have the back end index its text soon (if it defers that). */
void text_kick(struct server *s);

/* ---- server_share.c: presence across hubs on one database ---------------- */

/* The heartbeat's timer, set up with the server; share_start begins
 * sharing once the event feed runs, when the back end carries notes. */
bool share_init(struct server *s);
void share_start(struct server *s);
void share_close(struct server *s);
void share_free(struct server *s);

/* Tell the other hubs: agent `id` is `here` on this hub's streams; stream
 * `key` views and types (name NULL: the stream ended); an offer frame for
 * agent `id`, for their streams on other hubs. */
void share_status(struct server *s, const char *id, enum agent_status here);
void share_view(struct server *s, uint64_t key, const char *agent_id, const char *name,
		const char *viewing, const char *typing);
void share_offer(struct server *s, const char *id, const char *chat_id, int64_t seconds);

/* Agent `id`'s best status on the other hubs (AGENT_OFFLINE: none). */
enum agent_status share_status_of(const struct server *s, const char *id);

/* Add the agents online on other hubs to ids[n..max) unless there already;
 * returns the new count (the ids valid until the loop turns). */
size_t share_online(const struct server *s, const char **ids, size_t n, size_t max);

/* Merge the other hubs' agents into list[*count] (this hub's), each once
 * with its best status; returns the list (perhaps moved), NULL when out of
 * memory (list freed). */
struct agent_presence *share_statuses(const struct server *s, struct agent_presence *list,
				      size_t *count);

/* ---- server_work.c: handlers on worker threads (threaded back ends) ---- */

/* What a request's handler reads, handed over to the work with it. */
struct work_request {
	enum http_method method;
	char *path;
	struct admission adm;
	cJSON *body;                 /* NULL when none */
};
void work_request_free(struct work_request *r);

struct work;

/* Run the route's handler on a worker thread with that thread's handle
 * (storage.h, for_thread), taking `taken` over (it is left empty); the
 * answer comes through http_work_done on the loop. An account with its
 * share of the workers busy already waits its turn in s->works.
 * NULL (err set, taken left as it was) when the work cannot be queued. */
struct work *work_start(struct server *s, struct lws *wsi, struct work_request *taken,
			struct api_error *err);

/* The connection closed: the work's answer goes nowhere. */
void work_orphan(struct work *w);

/* server_http.c: the work `w` of connection wsi is done; `body` (taken
 * over) the answer with `status` (0: 200) when ok, else err. `r` is the
 * request it ran, taken back for the log line. */
void http_work_done(struct lws *wsi, struct work *w, struct work_request *r, bool ok,
		    int status, cJSON *body, const struct api_error *err);

static inline struct server *server_of(struct lws *wsi)
{
	return lws_context_user(lws_get_context(wsi));
}

#endif
