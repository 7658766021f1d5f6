/*
 * session.c — a session's life, what the stream brings, and loading the
 * lists and the open thread (see session.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "session_internal.h"

/* What the views are called when a load fails ("cannot load the waiting
 * queue: ..."). */
static const char *const view_labels[VIEW_COUNT] = {
	[VIEW_WAITING] = "waiting queue",
	[VIEW_MINE] = "list of your chats",
	[VIEW_UNASSIGNED] = "unassigned chats",
	[VIEW_ALL] = "list of all chats",
	[VIEW_SEARCH] = "search results",
	[VIEW_FILTER] = "filtered list",
	[VIEW_SAVED] = "saved view",     [VIEW_SAVED + 1] = "saved view",
	[VIEW_SAVED + 2] = "saved view", [VIEW_SAVED + 3] = "saved view",
	[VIEW_SAVED + 4] = "saved view",
};
_Static_assert(VIEW_SAVED_MAX == 5, "a label for every saved view");

/* Loaded after every hello that needs a reload; the others on demand. */
static const bool view_loaded_at_start[VIEW_COUNT] = {
	[VIEW_WAITING] = true,
	[VIEW_MINE] = true,
	[VIEW_ALL] = true,
};

void session_notice(struct session *s, bool error, const char *fmt, ...)
{
	char text[ERRBUF_LEN * 2];
	va_list ap;

	if (s->closing || !s->cb.on_notice)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	s->cb.on_notice(s->ctx, error, text);
}

/* ---- lists -------------------------------------------------------------- */

/* The hub's filters for a view spec (they combine with AND, as the spec's
 * fields do). */
static void spec_filter(const struct view_spec *spec, struct api_chat_filter *f)
{
	if (!spec)
		return;
	if (spec->status >= 0)
		f->status = ticket_status_name(spec->status);
	if (spec->channel >= 0)
		f->channel = channel_type_name(spec->channel);
	if (spec->source[0])
		f->source = spec->source;
	if (spec->escalated >= 0)
		f->escalated = spec->escalated ? API_TRISTATE_TRUE : API_TRISTATE_FALSE;
	f->responder = spec->holder == HOLDER_ME       ? "me"
		       : spec->holder == HOLDER_NOBODY ? "none"
		       : spec->holder == HOLDER_AGENT  ? spec->agent
						       : NULL;
}

/* The API filter that gives a view's chats, in the view's order. */
static void view_filter(const struct session *s, enum view_kind v, struct api_chat_filter *f)
{
	memset(f, 0, sizeof *f);
	f->limit = SESSION_PAGE_SIZE;
	switch (v) {
	case VIEW_WAITING:
		f->waiting = true;
		f->sort = "waiting";
		break;
	case VIEW_MINE:
		f->responder = "me";
		break;
	case VIEW_UNASSIGNED:
		f->responder = "none";
		break;
	case VIEW_ALL:
		break;
	case VIEW_SEARCH:
		f->q = store_search(s->store);
		break;
	default:
		spec_filter(store_filter(s->store, v), f);
		break;
	}
}

struct page_call {
	struct session *s;
	enum view_kind view;
	unsigned generation;
};

static void on_page(void *ctx, struct api_result *r)
{
	struct page_call *pc = ctx;
	struct session *s = pc->s;
	struct view_pages *vp = &s->views[pc->view];
	struct errbuf err;

	/* A page of before a reload (or a new search) is of no use now. */
	if (s->closing || pc->generation != vp->generation) {
		free(pc);
		return;
	}
	vp->in_flight = false;
	if (r->err != API_ERR_NONE) {
		session_notice(s, true, "cannot load the %s: %s", view_labels[pc->view], r->text);
	} else {
		for (size_t i = 0; i < r->chats->n; i++)
			if (store_put_chat(s->store, &r->chats->chats[i], &err) == STORE_FAILED)
				log_warn("session: a chat of the %s: %s", view_labels[pc->view],
					 err.msg);
		free(vp->cursor);
		vp->cursor = r->chats->next_cursor; /* taken */
		r->chats->next_cursor = NULL;
		vp->complete = vp->cursor == NULL;
		vp->loaded = true;
	}
	free(pc);
}

bool session_view_more(struct session *s, enum view_kind v)
{
	struct view_pages *vp = &s->views[v];
	struct api_chat_filter f;
	struct errbuf err;

	if (vp->in_flight || vp->complete || (v == VIEW_SEARCH && !store_search(s->store)) ||
	    (v >= VIEW_FILTER && !store_filter(s->store, v)))
		return false;
	struct page_call *pc = malloc(sizeof *pc);
	if (!pc)
		return false;
	*pc = (struct page_call){s, v, vp->generation};
	view_filter(s, v, &f);
	f.cursor = vp->cursor;
	if (!api_chats(s->api, &f, on_page, pc, &err)) {
		session_notice(s, true, "cannot load the %s: %s", view_labels[v], err.msg);
		free(pc);
		return false;
	}
	vp->started = vp->in_flight = true;
	return true;
}

bool session_view_complete(const struct session *s, enum view_kind v)
{
	return s->views[v].complete;
}

bool session_view_loaded(const struct session *s, enum view_kind v)
{
	return s->views[v].loaded;
}

bool session_loading(const struct session *s)
{
	for (int v = 0; v < VIEW_COUNT; v++)
		if (s->views[v].in_flight)
			return true;
	return false;
}

/* Forget a view's pages; a page still on its way is dropped on arrival. */
static void view_reset(struct view_pages *vp)
{
	free(vp->cursor);
	vp->cursor = NULL;
	vp->generation++;
	vp->in_flight = vp->complete = vp->started = vp->loaded = false;
}

bool session_search(struct session *s, const char *query, struct errbuf *err)
{
	if (!store_set_search(s->store, query && *query ? query : NULL, err))
		return false;
	view_reset(&s->views[VIEW_SEARCH]);
	if (query && *query)
		session_view_more(s, VIEW_SEARCH);
	return true;
}

bool session_filter(struct session *s, enum view_kind v, const struct view_spec *spec,
		    struct errbuf *err)
{
	if (!store_set_filter(s->store, v, spec, err))
		return false;
	view_reset(&s->views[v]);
	/* Before the first hello, the lists' first load takes it. */
	if (spec && s->has_me)
		session_view_more(s, v);
	return true;
}

/* ---- the open thread ---------------------------------------------------- */

struct thread_call {
	struct session *s;
	unsigned generation;
};

static void on_messages(void *ctx, struct api_result *r)
{
	struct thread_call *tc = ctx;
	struct session *s = tc->s;
	struct errbuf err;

	if (s->closing || tc->generation != s->thread_generation) {
		free(tc);
		return;
	}
	s->thread_loading = false;
	if (r->err != API_ERR_NONE)
		session_notice(s, true, "cannot load the messages: %s", r->text);
	else if (store_put_messages(s->store, s->open_chat, r->messages->messages, r->messages->n,
				    r->messages->has_more_before, &err) == STORE_FAILED)
		session_notice(s, true, "cannot show the messages: %s", err.msg);
	free(tc);
}

/* Ask for the messages before `before_seq` (0: the newest). */
static bool fetch_thread_page(struct session *s, int64_t before_seq)
{
	struct thread_call *tc = malloc(sizeof *tc);
	struct errbuf err;

	if (!tc)
		return false;
	*tc = (struct thread_call){s, s->thread_generation};
	if (!api_messages(s->api, s->open_chat, before_seq, -1, SESSION_THREAD_PAGE, on_messages, tc,
			  &err)) {
		session_notice(s, true, "cannot load the messages: %s", err.msg);
		free(tc);
		return false;
	}
	s->thread_loading = true;
	return true;
}

void session_close_thread(struct session *s)
{
	if (!s->open_chat[0])
		return;
	store_thread_drop(s->store, s->open_chat);
	s->open_chat[0] = '\0';
	stream_set_viewing(s->stream, NULL);
	s->thread_generation++;
	s->thread_loading = false;
}

void session_set_away(struct session *s, bool away)
{
	stream_set_away(s->stream, away);
}

void session_typing(struct session *s)
{
	stream_typing(s->stream, s->open_chat);
}

const char *session_open_chat(const struct session *s)
{
	return s->open_chat;
}

bool session_open_thread(struct session *s, const char *chat_id, struct errbuf *err)
{
	if (strcmp(chat_id, s->open_chat) == 0)
		return true;
	session_close_thread(s);
	/* Open before fetching, so live messages that arrive meanwhile stay. */
	if (store_thread_open(s->store, chat_id, err) == STORE_FAILED)
		return false;
	snprintf(s->open_chat, sizeof s->open_chat, "%s", chat_id);
	stream_set_viewing(s->stream, chat_id);
	return fetch_thread_page(s, 0);
}

bool session_thread_older(struct session *s)
{
	const struct thread *t = s->open_chat[0] ? store_thread(s->store, s->open_chat) : NULL;

	if (!t || s->thread_loading || thread_has_beginning(t))
		return false;
	/* The highest seq missing below what is held: a hole a live event
	 * left, else the messages before the oldest. */
	int64_t missing = thread_gap_below(t, thread_newest_loaded(t) + 1);
	return missing > 0 && fetch_thread_page(s, missing + 1);
}

/* ---- the stream --------------------------------------------------------- */

static void on_hello(void *ctx, const struct event *hello)
{
	struct session *s = ctx;

	if (!hello->me)
		return;
	/* A hub restarted with other settings says so in its next hello. */
	s->targets = hello->targets;
	if (s->has_me)
		agent_free(&s->me);
	/* A failed copy (out of memory) leaves "me" unset. */
	s->has_me = agent_copy(&s->me, hello->me);
	/* Sets me, and forgets presence: the new connection brings it again. */
	store_apply_event(s->store, hello, &(struct errbuf){{0}});
}

/* Whether event `e` is a colleague handing this agent a chat: the
 * reassignment notice, the chat now held by me, the notice not mine. */
static bool given_to_me(const struct session *s, const struct event *e)
{
	const struct message *m = e->message;

	return s->has_me && m && e->chat && m->system_type == SYSTEM_TYPE_CHAT_REASSIGNED &&
	       e->chat->responder.type == RESPONDER_AGENT &&
	       strcmp(e->chat->responder.id, s->me.id) == 0 && strcmp(m->author.id, s->me.id) != 0;
}

/* Whether event `e` is the customer writing in a chat the agent holds. */
static bool answered_me(const struct session *s, const struct event *e)
{
	const struct message *m = e->message;

	return s->has_me && m && e->chat && m->role == MSG_ROLE_USER &&
	       e->chat->responder.type == RESPONDER_AGENT &&
	       strcmp(e->chat->responder.id, s->me.id) == 0;
}

static void on_event(void *ctx, const struct event *e)
{
	struct session *s = ctx;
	struct errbuf err;

	if (e->type == EVENT_OFFER) {
		if (s->cb.on_offer && !s->closing)
			s->cb.on_offer(s->ctx, &e->offer);
		return;
	}
	session_dashboard_event(s, e);
	if (store_apply_event(s->store, e, &err) == STORE_FAILED)
		log_warn("session: event %lld not applied: %s", (long long)e->seq, err.msg);
	else if (given_to_me(s, e) && s->cb.on_assigned && !s->closing)
		s->cb.on_assigned(s->ctx, e->chat, e->message);
	else if (answered_me(s, e) && s->cb.on_answer && !s->closing)
		s->cb.on_answer(s->ctx, e->chat, e->message);
}

static void read_send(struct session *s);

static void on_read(void *ctx, struct api_result *r)
{
	struct session *s = ctx;

	if (s->closing)
		return;
	s->read.in_flight = false;
	if (r->err != API_ERR_NONE)
		log_warn("session: read mark not kept: %s", r->text);
	if (s->read.wanted > s->read.sent)
		read_send(s);
}

static void read_send(struct session *s)
{
	struct errbuf err;

	s->read.sent = s->read.wanted;
	s->read.in_flight = api_mark_read(s->api, s->read.chat, s->read.wanted, on_read, s, &err);
	if (!s->read.in_flight)
		log_warn("session: read mark not sent: %s", err.msg);
}

void session_mark_read(struct session *s, const char *chat_id, int64_t seq)
{
	if (strcmp(s->read.chat, chat_id) != 0) {
		snprintf(s->read.chat, sizeof s->read.chat, "%s", chat_id);
		s->read.wanted = s->read.sent = 0;
	}
	if (seq <= s->read.wanted)
		return;
	s->read.wanted = seq;
	if (!s->read.in_flight)
		read_send(s);
}

/* The stream says what we hold cannot be brought up to date: start over
 * with the first pages and the open thread's newest messages. */
static void on_resync(void *ctx)
{
	struct session *s = ctx;
	struct errbuf err;
	uuid_str open;

	snprintf(open, sizeof open, "%s", s->open_chat);
	session_close_thread(s);
	store_clear(s->store);
	for (int v = 0; v < VIEW_COUNT; v++) {
		/* Filtered views load when they have a filter: saved views
		 * are tabs with counts from the start. */
		bool again = view_loaded_at_start[v] || s->views[v].started || v >= VIEW_FILTER;
		view_reset(&s->views[v]);
		if (again)
			session_view_more(s, (enum view_kind)v);
	}
	if (open[0] && !session_open_thread(s, open, &err))
		session_notice(s, true, "cannot reopen the chat: %s", err.msg);
	session_dashboard_resync(s);
}

static void on_state(void *ctx, const struct stream_status *st)
{
	struct session *s = ctx;

	/* Replies go out while the hub is live; typed offline, they wait. */
	outbox_set_online(s->outbox, st->state == STREAM_LIVE);
	session_outbox_arm(s);
	if (s->cb.on_state && !s->closing)
		s->cb.on_state(s->ctx, st);
}

/* ---- life --------------------------------------------------------------- */

struct session *session_new(uv_loop_t *loop, const struct config *cfg, const char *state_dir,
			    const struct session_callbacks *cb, void *ctx, struct errbuf *err)
{
	static const struct stream_callbacks stream_cb = {on_hello, on_event, on_resync, on_state};
	struct session *s = calloc(1, sizeof *s);

	if (!s) {
		errbuf_set(err, "out of memory");
		return NULL;
	}
	s->loop = loop;
	s->cb = *cb;
	s->ctx = ctx;
	struct outbox_options oo = {
		.dir = state_dir,
		.send = session_outbox_send,
		.send_ctx = s,
		.changed = session_outbox_changed,
		.changed_ctx = s,
		.held = session_actions_hold,
		.held_ctx = s,
	};
	if (!(s->store = store_new())) {
		errbuf_set(err, "out of memory");
	} else if ((s->api = api_new(loop, cfg->server, cfg->token, cfg->insecure, err)) &&
		   (s->stream = stream_new(loop, cfg->server, cfg->token, cfg->insecure, &stream_cb,
					   s, err)) &&
		   (s->outbox = outbox_open(&oo, err))) {
		uv_timer_init(loop, &s->outbox_timer);
		s->outbox_timer.data = s;
		s->timer_ready = true;
		return s;
	}
	session_free(s);
	return NULL;
}

void session_start(struct session *s)
{
	/* A console reads agents' status and offers (v1.1): it says it is
	 * here on every connection. */
	stream_set_away(s->stream, false);
	stream_start(s->stream, -1);
}

static void on_timer_closed(uv_handle_t *h)
{
	free(h->data);
}

void session_free(struct session *s)
{
	if (!s)
		return;
	s->closing = true;
	/* Cancelled calls are called back now and, seeing `closing`, report
	 * nothing: the outbox keeps their replies on disk as they were. */
	api_free(s->api);
	session_actions_free(s);
	session_dashboard_close(s);
	stream_free(s->stream);
	outbox_close(s->outbox);
	store_free(s->store);
	for (int v = 0; v < VIEW_COUNT; v++)
		free(s->views[v].cursor);
	if (s->has_me)
		agent_free(&s->me);
	if (s->timer_ready)
		uv_close((uv_handle_t *)&s->outbox_timer, on_timer_closed);
	else
		free(s);
}

struct store *session_store(struct session *s)
{
	return s->store;
}

const struct agent *session_me(const struct session *s)
{
	return s->has_me ? &s->me : NULL;
}

const struct wait_targets *session_targets(const struct session *s)
{
	return &s->targets;
}
