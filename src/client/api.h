/*
 * api.h — Handoff API v1 as asynchronous calls on the client's libuv loop.
 *
 * One function per endpoint of the protocol. Each starts the request and
 * returns at once; its completion callback runs later, exactly once, from
 * the loop (never from inside the starting call), with a struct api_result
 * that holds either the decoded answer or an error of one of three kinds:
 *
 *   API_ERR_SERVER       the hub answered with a typed error: `server` holds
 *                        its type and its description, verbatim
 *                        ("chat is held by agent Ana");
 *   API_ERR_UNREACHABLE  no answer: connection refused, timeout, TLS...;
 *   API_ERR_BAD_ANSWER   an answer that does not decode ("chats[3].mode: ...");
 *
 * plus API_ERR_CANCELLED for calls still pending when api_free ran.
 * `text` always holds one readable line for any error; it never contains
 * the token.
 *
 * Retries, so that a caller never has to write its own loop:
 *   - 429 for any method, after Retry-After (or the backoff when it has
 *     none); a Retry-After above API_RETRY_AFTER_MAX_MS is not waited for:
 *     the 429 is reported;
 *   - 5xx and transport errors for GET only (backoff.h, should_retry),
 *     since a POST or PATCH may have acted before its answer was lost;
 *   - api_send with `retry_safe`: also 5xx and transport errors, because
 *     the body's client_msg_id lets the hub drop a duplicate (200).
 * At most API_MAX_RETRIES retries (api_set_retry to change), jittered
 * exponential backoff from 0.5 s capped at 8 s, each wait on a uv_timer.
 * Every attempt has its own timeout, 15 s.
 *
 * Ownership: the result and its payload belong to the library and are freed
 * when the callback returns — except a payload pointer the callback sets to
 * NULL after taking it (free it later with chat_free + free, api_chat_page_free,
 * ...; api_result_take does all that in one call). Errors carry no payload.
 */
#ifndef HANDOFF_API_H
#define HANDOFF_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "apierror.h"
#include "errbuf.h"
#include "model.h"

#define API_MAX_RETRIES 4
#define API_RETRY_AFTER_MAX_MS 30000

enum api_err_kind {
	API_ERR_NONE = 0,   /* success: the payload is set */
	API_ERR_SERVER,
	API_ERR_UNREACHABLE,
	API_ERR_BAD_ANSWER,
	API_ERR_CANCELLED,
};

/* GET /v1/health */
struct api_health {
	char *status;
	char *version;
};

/* GET /v1/chats: one page. */
struct api_chat_page {
	struct chat *chats;
	size_t n;
	char *next_cursor;       /* NULL on the last page */
	int64_t total;           /* chats matching now */
};

/* GET /v1/chats/{id}/messages: ascending seq. */
struct api_message_page {
	struct message *messages;
	size_t n;
	bool has_more_before;
};

/* GET /v1/agents */
struct api_agent_list {
	struct agent *agents;    /* active_chats set */
	size_t n;
};

/* GET /v1/owners/{id} (v1.1): a customer and their chats, newest first. */
struct api_owner {
	struct owner owner;
	char *phone;             /* NULL when unknown */
	struct chat *chats;
	size_t n;
};

/* GET /v1/stats/daily: one row per day. */
struct api_stats_day {
	char date[11];           /* YYYY-MM-DD */
	int64_t conversations, escalations, taken_over;
	int64_t ratings;         /* v1.1; 0 from an older hub */
	double avg_rating;       /* meaningful when ratings > 0 */
};

/* v1.1: one bridge account's own platform counts; only the days it
 * reported (escalations, taken_over and ratings stay 0). */
struct api_stats_platform {
	char platform[SOURCE_PLATFORM_MAX_CHARS + 1];
	uuid_str account;
	struct api_stats_day *days;
	size_t n;
};

struct api_stats {
	struct api_stats_day *days;
	size_t n;
	struct api_stats_platform *platforms; /* none from an older hub */
	size_t nplatforms;
};

/* POST /v1/ingest/batch: one item's outcome, in the order sent. */
struct api_ingest_outcome {
	long status;                       /* 201 new, 200 there already; else the refusal's */
	uuid_str chat_id, message_id;      /* "" when refused */
	struct api_error error;            /* when refused */
};

struct api_ingest_batch {
	struct api_ingest_outcome *items;
	size_t n;
};

/* GET /v1/replies (v1.1): the shared canned replies and the caller's own. */
struct canned;
struct api_canned_list {
	struct canned *replies;
	size_t n;
};

/* GET /v1/search (v1.1): the newest messages matching a text. */
struct search_result;
struct api_search_list {
	struct search_result *results;
	size_t n;
};

struct dashboard;

struct api_result {
	enum api_err_kind err;
	long http_status;        /* the last answer's status, 0 when none */
	struct api_error server; /* API_ERR_SERVER: the hub's type and description */
	char text[ERRBUF_LEN];   /* any error, in words */

	/* On success exactly one of these is set, the one the call returns. */
	struct api_health *health;
	struct agent *agent;               /* api_me */
	struct api_agent_list *agents;
	struct api_chat_page *chats;
	struct chat *chat;                 /* get, patch, takeover, handback, assign, rating, stop;
					    * api_ingest (with message) */
	struct api_message_page *messages;
	struct message *message;           /* api_send, api_ingest */
	bool created;                      /* api_send, api_ingest: 201 (new) rather than 200 (duplicate) */
	struct api_stats *stats;
	struct api_ingest_batch *batch;    /* api_ingest_batch */
	struct api_canned_list *canned;    /* api_canned_list */
	struct canned *canned_one;         /* api_canned_add, api_canned_remove */
	struct api_owner *owner;           /* api_owner */
	int64_t stored;                    /* api_ingest_stats: the days stored */
	struct api_search_list *search;    /* api_search */
	struct dashboard *dashboard;       /* api_dashboard (dashboard.h) */
};

typedef void api_done_fn(void *ctx, struct api_result *r);

struct api;

/* A client of the hub at `server_url` (as config_check_server returns it:
 * no trailing slash). `token` is copied; NULL sends no Authorization (only
 * health works then). `insecure` skips TLS verification. */
struct api *api_new(uv_loop_t *loop, const char *server_url, const char *token, bool insecure,
		    struct errbuf *err);

/* Cancel every pending call — each callback runs once, before api_free
 * returns, with API_ERR_CANCELLED — and free the client once the loop has
 * closed its handles (keep running the loop). Callbacks must not start new
 * calls on an api being freed (those are refused). NULL is fine. */
void api_free(struct api *a);

/* Retry budget and first backoff delay (tests use small ones). */
void api_set_retry(struct api *a, unsigned max_retries, unsigned base_ms);

/* Calls in flight or waiting to retry. */
size_t api_pending(const struct api *a);

/* Move the payload out of `r` into `dst` (a zeroed struct api_result), so it
 * outlives the callback; free it with api_result_free. */
void api_result_take(struct api_result *dst, struct api_result *r);

/* Free every payload pointer still set in `r` and NULL them. */
void api_result_free(struct api_result *r);

void api_chat_page_free(struct api_chat_page *p);
void api_message_page_free(struct api_message_page *p);
void api_agent_list_free(struct api_agent_list *l);
void api_stats_free(struct api_stats *s);

/* POST /v1/ingest/stats (v1.1, ingest accounts): the platform's own
 * conversation count of `n` days (1..366; escalations etc. unused);
 * r->stored on success. Safe to retry: a day reported again replaces it. */
bool api_ingest_stats(struct api *a, const char *platform, const struct api_stats_day *days,
		      size_t n, api_done_fn *done, void *ctx, struct errbuf *err);
void api_health_free(struct api_health *h);
void api_canned_list_free(struct api_canned_list *l);
void api_owner_free(struct api_owner *o);
void api_search_list_free(struct api_search_list *l);

/* Filters of GET /v1/chats. NULL / 0 / API_TRISTATE_UNSET: not sent. The
 * strings go to the hub as given (URL-escaped), so it validates them. */
enum api_tristate { API_TRISTATE_UNSET = 0, API_TRISTATE_FALSE, API_TRISTATE_TRUE };

struct api_chat_filter {
	const char *mode;        /* "AI" | "AGENT" */
	enum api_tristate escalated;
	bool waiting;            /* waiting=true */
	const char *responder;   /* "me" | "none" | "bot" | agent uuid */
	const char *status;      /* ticket status */
	const char *channel;     /* channel type */
	const char *source;      /* source platform label (v1.1) */
	const char *q;           /* any user text */
	const char *sort;        /* "recent" | "waiting" */
	int limit;               /* 1..200; 0: the hub's default */
	const char *cursor;      /* from the previous page */
};

/* The query string for `f` ("" or "?mode=AI&q=a%20b"), newly allocated;
 * NULL when out of memory. Public for the tests. */
char *api_chat_query(const struct api_chat_filter *f);

/* Every call below returns false (with a reason in `err`) when it could not
 * start — an id that is not a uuid, an empty text, out of memory, an api
 * being freed; the callback then never runs. Otherwise true, and `done`
 * runs exactly once. Ids are validated here so that nothing a user typed
 * can change the path. */
bool api_health(struct api *a, api_done_fn *done, void *ctx, struct errbuf *err);
bool api_me(struct api *a, api_done_fn *done, void *ctx, struct errbuf *err);
bool api_agents(struct api *a, api_done_fn *done, void *ctx, struct errbuf *err);
bool api_chats(struct api *a, const struct api_chat_filter *f, api_done_fn *done, void *ctx,
	       struct errbuf *err);
bool api_chat_get(struct api *a, const char *chat_id, api_done_fn *done, void *ctx,
		  struct errbuf *err);

/* GET /v1/owners/{id} (agents and supervisors). */
bool api_owner(struct api *a, const char *owner_id, api_done_fn *done, void *ctx,
	       struct errbuf *err);

/* PATCH: `title` and/or `ticket_status` ("open"...); NULL leaves it as is
 * (at least one must be given). */
bool api_chat_patch(struct api *a, const char *chat_id, const char *title,
		    const char *ticket_status, api_done_fn *done, void *ctx, struct errbuf *err);

/* before_seq: 0 for none; after_seq: -1 for none, 0 from the first message
 * (not both); limit 0: the default. */
bool api_messages(struct api *a, const char *chat_id, int64_t before_seq, int64_t after_seq,
		  int limit, api_done_fn *done, void *ctx, struct errbuf *err);

/* POST a reply (`internal` false) or a note. `client_msg_id` must be set
 * (1..64 of [A-Za-z0-9_-]); keep the same one for every resend of this
 * message. `retry_safe` lets this call retry 5xx and transport errors like
 * a GET: the hub answers a resend with the first message (200,
 * created false) and stores nothing twice. */
bool api_send(struct api *a, const char *chat_id, const char *text, const char *client_msg_id,
	      bool internal, bool retry_safe, api_done_fn *done, void *ctx, struct errbuf *err);

bool api_takeover(struct api *a, const char *chat_id, bool force, api_done_fn *done, void *ctx,
		  struct errbuf *err);
bool api_handback(struct api *a, const char *chat_id, api_done_fn *done, void *ctx,
		  struct errbuf *err);
bool api_assign(struct api *a, const char *chat_id, const char *agent_id, api_done_fn *done,
		void *ctx, struct errbuf *err);

/* Auto-assignment (v1.1): take the chat the hub offered this agent (the
 * chat after, as takeover), or pass it on to the next agent (the chat as
 * it is). */
bool api_accept(struct api *a, const char *chat_id, api_done_fn *done, void *ctx,
		struct errbuf *err);
bool api_pass(struct api *a, const char *chat_id, api_done_fn *done, void *ctx,
	      struct errbuf *err);

/* PATCH /v1/agents/{id} {"capacity": n} (v1.1, supervisors): the agent
 * after, in `agent`. */
bool api_agent_capacity(struct api *a, const char *agent_id, int64_t capacity,
			api_done_fn *done, void *ctx, struct errbuf *err);

/* score 1..5; feedback and suggested_answer may be NULL (not sent). */
bool api_rating(struct api *a, const char *chat_id, int score, const char *feedback,
		const char *suggested_answer, api_done_fn *done, void *ctx, struct errbuf *err);
bool api_stop(struct api *a, const char *chat_id, api_done_fn *done, void *ctx,
	      struct errbuf *err);

/* POST /v1/chats/{id}/read {"seq": seq} (v1.1): the agent has read the
 * chat up to seq. The answer carries nothing the caller keeps: the hub
 * tells every stream of the agent (chat.read), this one's too. */
bool api_mark_read(struct api *a, const char *chat_id, int64_t seq, api_done_fn *done, void *ctx,
		   struct errbuf *err);

/* POST /v1/ingest/messages (ingest accounts). NULL strings are not sent.
 * The chat is `chat_id`, else the one of `external_id`, else a new one;
 * channel, owner and source count only when the chat is created. With an
 * `external_message_id` the hub answers a repeat with the first message
 * (200, created false) and stores nothing, so such a call is retried like
 * a GET (5xx, no answer); without one, only 429 is retried. The result
 * sets both `chat` (as it is now) and `message`. */
struct api_ingest_req {
	const char *chat_id;
	const char *external_id;
	const char *channel_type;          /* "widget", "api"...; NULL: the hub's default */
	const char *channel_name;
	const char *owner_external_id;
	const char *owner_name;
	const char *role;                  /* "user" | "bot" */
	const char *text;
	bool escalate;
	const char *external_message_id;   /* v1.1 */
	const char *source_platform;       /* v1.1: "botpress" */
};

bool api_ingest(struct api *a, const struct api_ingest_req *req, api_done_fn *done, void *ctx,
		struct errbuf *err);

/* POST /v1/ingest/batch (v1.1): `n` (1..INGEST_BATCH_MAX_ITEMS) requests
 * as api_ingest sends them, in one call; the hub takes them in order in
 * one transaction. Retried like api_ingest when every item has an
 * external_message_id. The result sets `batch`, one outcome per item. */
bool api_ingest_batch(struct api *a, const struct api_ingest_req *reqs, size_t n,
		      api_done_fn *done, void *ctx, struct errbuf *err);

/* GET /v1/dashboard (v1.1): the team's figures as of an event seq;
 * r->dashboard (free with dashboard_free). */
bool api_dashboard(struct api *a, api_done_fn *done, void *ctx, struct errbuf *err);

/* from, to: "YYYY-MM-DD". */
bool api_stats_daily(struct api *a, const char *from, const char *to, api_done_fn *done,
		     void *ctx, struct errbuf *err);

/* Canned replies (v1.1): list them; add one (`shared`: the team's, for
 * supervisors; else the caller's own); remove one by id. */
bool api_canned_list(struct api *a, api_done_fn *done, void *ctx, struct errbuf *err);
bool api_canned_add(struct api *a, const char *name, const char *text, bool shared,
		    api_done_fn *done, void *ctx, struct errbuf *err);
bool api_canned_remove(struct api *a, const char *id, api_done_fn *done, void *ctx,
		       struct errbuf *err);

/* GET /v1/search?q=&limit= (v1.1): the newest `limit` messages (1..100; 0:
 * the hub's default) holding every word of `text`, as searchres.h decodes
 * them (offsets checked against each snippet). */
bool api_search(struct api *a, const char *text, int limit, api_done_fn *done, void *ctx,
		struct errbuf *err);

/* A fresh client_msg_id (a uuid: 36 of [0-9a-f-]) into out[37]. */
bool api_new_client_msg_id(char out[UUID_STRLEN + 1], struct errbuf *err);

#endif
