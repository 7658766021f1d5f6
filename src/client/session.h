/*
 * session.h — one signed-in console: the API client, the live stream, the
 * store and the outbox, wired together on one libuv loop.
 *
 * This is the data side of the console (doc/architecture.md, "Design": server →
 * events/api → store → views). The UI reads the store, calls the
 * session's actions, and hears back through three callbacks; nothing here
 * draws anything, so integration tests drive a session as the console
 * would.
 *
 * What the session does by itself:
 *   - applies every event of the stream to the store (idempotently), and
 *     sets "me" from the hello;
 *   - (re)loads the lists when the stream says so (a fresh start or a hub
 *     resync): the first page of every view loaded so far, and the open
 *     thread's newest messages;
 *   - sends the outbox while the stream is live (a reply typed offline
 *     waits; one the hub refuses becomes FAILED with the hub's words), and
 *     retries transient failures on a timer.
 * Pages of a view are fetched on demand (session_view_more), so a hub with
 * 100,000 chats costs the first page, not all of them.
 */
#ifndef HANDOFF_SESSION_H
#define HANDOFF_SESSION_H

#include <stdbool.h>

#include <uv.h>

#include "api.h"
#include "errbuf.h"
#include "model.h"
#include "settings.h"
#include "store.h"
#include "stream.h"

/* Rows asked for per page of a view. */
#define SESSION_PAGE_SIZE 100
/* Messages asked for per page of a thread. */
#define SESSION_THREAD_PAGE 50

/* Room for a reply's state in words: a reason of up to 500 characters
 * (outbox.h) and the words around it. */
#define SESSION_REPLY_STATE_LEN 2100

/* Where a reply the agent typed stands. */
enum session_reply_state {
	SESSION_REPLY_SENDING, /* on its way, or waiting for its first try */
	SESSION_REPLY_WAITING, /* a try failed for a passing reason: again in a few seconds */
	SESSION_REPLY_FAILED,  /* refused: stays until the agent retries or drops it */
	SESSION_REPLY_SENT,    /* the hub has it (reported once, then forgotten) */
};

/* A reply (or an internal note) of the outbox, as the agent sees it.
 * The pointers are valid until the next call into the session. */
struct session_reply {
	const char *client_msg_id;
	const char *chat_id;
	const char *text;
	bool internal;
	enum session_reply_state state;
	const char *reason;  /* FAILED: the hub's words; WAITING: the last failure */
	/* The state in words: "sending…", "hub unreachable; retrying in 4 s",
	 * "failed: chat is held by agent Ben". A WAITING reply's words change
	 * every second. */
	char words[SESSION_REPLY_STATE_LEN];
};

struct session_callbacks {
	/* The connection changed (header: live, reconnecting in N s, offline). */
	void (*on_state)(void *ctx, const struct stream_status *st);
	/* Something the agent should read on the status line; `error` when it
	 * is a failure ("cannot load the waiting queue: hub unreachable"). */
	void (*on_notice)(void *ctx, bool error, const char *text);
	/* A reply of the outbox changed state (sending, waiting, sent,
	 * failed). */
	void (*on_reply)(void *ctx, const struct session_reply *r);
	/* A colleague gave the signed-in agent chat `ch` (an assignment or a
	 * supervisor's reassignment, live from the stream); `notice` is the
	 * hub's CHAT_REASSIGNED message. Not for the agent's own actions. */
	void (*on_assigned)(void *ctx, const struct chat *ch, const struct message *notice);
	/* The customer wrote in a chat the signed-in agent holds (live from
	 * the stream). */
	void (*on_answer)(void *ctx, const struct chat *ch, const struct message *m);
	/* The hub offers the agent a chat for o->seconds, or (seconds 0) the
	 * offer is over (v1.1, auto-assignment). May be NULL. */
	void (*on_offer)(void *ctx, const struct chat_offer *o);
};

struct session;

/* A session for `cfg` (server, token, insecure) keeping its outbox in
 * `state_dir`. Nothing happens until session_start. */
struct session *session_new(uv_loop_t *loop, const struct config *cfg, const char *state_dir,
			    const struct session_callbacks *cb, void *ctx, struct errbuf *err);

/* Connect the stream; the lists load once the hub said hello. The stream
 * says the agent is here (not away) on every connection. */
void session_start(struct session *s);

/* Stop everything. Pending calls are cancelled, unsent replies stay in the
 * outbox journal for the next start. The loop must keep running until it
 * has no more handles (the API client and stream close theirs on it). */
void session_free(struct session *s);

struct store *session_store(struct session *s);

/* The signed-in account, from the hub's hello; NULL before it. */
const struct agent *session_me(const struct session *s);

/* The hub's wait-time targets, from its latest hello; zero: none. */
const struct wait_targets *session_targets(const struct session *s);

/* ---- lists -------------------------------------------------------------- */

/* Fetch the next page of a view (the first, if none was loaded). False
 * when there is nothing more, a page is already on its way, SEARCH has
 * no query or a filtered view no filter. */
bool session_view_more(struct session *s, enum view_kind v);

/* Whether every chat of the view is in the store (the last page came). */
bool session_view_complete(const struct session *s, enum view_kind v);

/* Whether a page of the view came since it was last (re)loaded: its first
 * rows are then the hub's first, not chats other views' pages brought. */
bool session_view_loaded(const struct session *s, enum view_kind v);

/* Whether a page of any view is on its way. */
bool session_loading(const struct session *s);

/* Set the search (NULL or "" clears it) and load its first page. */
bool session_search(struct session *s, const char *query, struct errbuf *err);

/* Set the filter of VIEW_FILTER or a saved view (NULL: none, the view is
 * empty) and load its first page (now, or with the other lists once the
 * hub said hello). */
bool session_filter(struct session *s, enum view_kind v, const struct view_spec *spec,
			   struct errbuf *err);

/* ---- the open thread ---------------------------------------------------- */

/* Open a chat's thread (closing the one open before): its newest messages
 * are fetched, and live ones kept from now on. */
bool session_open_thread(struct session *s, const char *chat_id, struct errbuf *err);

/* Fetch the messages just older than what the open thread holds. False
 * when it holds the beginning or a fetch is under way. */
bool session_thread_older(struct session *s);

/* Close the open thread (its messages leave the store). */
void session_close_thread(struct session *s);

/* The id of the chat whose thread is open; "" when none. */
const char *session_open_chat(const struct session *s);

/* The agent has read chat_id up to seq (its newest message): tell the hub
 * (api_mark_read). Calls may come as often as the screen changes: a mark
 * at or below one already asked for is dropped, and while one is in
 * flight only the newest waits behind it. */
void session_mark_read(struct session *s, const char *chat_id, int64_t seq);

/* A keystroke in the open chat's composer: the hub tells the colleagues
 * (stream_typing; the caller throttles). */
void session_typing(struct session *s);

/* ---- actions ------------------------------------------------------------ */

/* Called once with the outcome; on success the changed chat is already in
 * the store. `r->text` is the failure in words.
 *
 * The actions and replies on one chat reach the hub in the order given:
 * an action waits for the chat's action before it and for the replies
 * typed before it (sent or refused), and a reply typed after an action
 * is held until that action is done (session_actions.c). So an action
 * that returned true may start later, and its outcome comes after those
 * of the actions before it. Chats do not wait for each other. */
typedef void session_done_fn(void *ctx, const struct api_result *r);

bool session_takeover(struct session *s, const char *chat_id, bool force, session_done_fn *done,
		      void *ctx, struct errbuf *err);
bool session_handback(struct session *s, const char *chat_id, session_done_fn *done, void *ctx,
		      struct errbuf *err);
/* Answer the hub's offer of a chat (v1.1): accept (become its holder) or
 * pass it to the next agent. */
bool session_offer_answer(struct session *s, const char *chat_id, bool accept,
			  session_done_fn *done, void *ctx, struct errbuf *err);

/* Tell the hub the agent is away, or back (v1.1; kept across reconnects). */
void session_set_away(struct session *s, bool away);

bool session_assign(struct session *s, const char *chat_id, const char *agent_id,
		    session_done_fn *done, void *ctx, struct errbuf *err);
bool session_rate(struct session *s, const char *chat_id, int score, const char *feedback,
		  const char *suggested, session_done_fn *done, void *ctx, struct errbuf *err);
bool session_retitle(struct session *s, const char *chat_id, const char *title,
		     session_done_fn *done, void *ctx, struct errbuf *err);
bool session_set_status(struct session *s, const char *chat_id, const char *status,
			session_done_fn *done, void *ctx, struct errbuf *err);
bool session_stop_chat(struct session *s, const char *chat_id, session_done_fn *done, void *ctx,
		       struct errbuf *err);
/* The agents to assign to (GET /v1/agents); r->agents on success. */
bool session_agents(struct session *s, session_done_fn *done, void *ctx, struct errbuf *err);
/* The canned replies the agent may use (GET /v1/replies); r->canned. */
bool session_canned(struct session *s, session_done_fn *done, void *ctx, struct errbuf *err);
/* The daily counts from..to, YYYY-MM-DD (GET /v1/stats/daily); r->stats. */
bool session_stats(struct session *s, const char *from, const char *to, session_done_fn *done,
		   void *ctx, struct errbuf *err);

/* A customer and their chats (GET /v1/owners/{id}); r->owner on success,
 * and the chats go into the store. */
bool session_owner(struct session *s, const char *owner_id, session_done_fn *done, void *ctx,
		   struct errbuf *err);

/* The newest messages holding every word of `text` (GET /v1/search, at
 * most SESSION_SEARCH_LIMIT); r->search. */
#define SESSION_SEARCH_LIMIT 50
bool session_find_messages(struct session *s, const char *text, session_done_fn *done, void *ctx,
			   struct errbuf *err);

/* ---- the team dashboard (dashboard.h) ------------------------------------ */

struct dashboard;

/* Open the dashboard: its snapshot is asked for now (again after the
 * hub's resync), and every event after it is applied; on_change(ctx) is
 * called whenever a figure changed or the snapshot came. One at a time. */
bool session_dashboard_open(struct session *s, void (*on_change)(void *ctx), void *ctx,
			    struct errbuf *err);
/* Ask for a new snapshot (the figures are empty until it comes). */
bool session_dashboard_refresh(struct session *s, struct errbuf *err);
void session_dashboard_close(struct session *s);
/* The open dashboard, or NULL; whether its snapshot is on its way. */
struct dashboard *session_dashboard(struct session *s);
bool session_dashboard_loading(const struct session *s);

/* A reply (or an internal note) into the outbox: on disk when this returns
 * true, sent as soon as the hub is live; its progress comes through
 * on_reply. The client_msg_id goes to out_id (may be NULL). */
bool session_reply(struct session *s, const char *chat_id, const char *text, bool internal,
		   char *out_id, struct errbuf *err);

/* ---- replies not yet with the hub --------------------------------------- */

/* How many replies are still to be sent (not counting refused ones, which
 * wait for the agent): what quitting now would leave for the next start. */
size_t session_unsent(const struct session *s);

/* The next reply of chat `chat_id` the hub does not have, in the order
 * typed: start with *pos = 0, call until it returns false. Sent replies
 * are not listed (they are in the thread). */
bool session_replies_next(struct session *s, const char *chat_id, size_t *pos,
			  struct session_reply *out);

/* Send the refused replies of chat `chat_id` again; how many. */
int session_retry(struct session *s, const char *chat_id);

/* Give up a reply that is not on its way right now (refused, or waiting
 * to try again): it leaves the outbox and its journal. A reply tried
 * before may have reached the hub anyway (its answer lost): dropping stops
 * the tries, it cannot unsend. */
bool session_drop(struct session *s, const char *client_msg_id, struct errbuf *err);

#endif
