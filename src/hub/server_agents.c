/*
 * server_agents.c — who is available (online, away, offline) and
 * auto-assignment's rounds.
 *
 * Status is ephemeral, like presence: the hub derives it from the event
 * streams it holds (server_events.c) and those the other hubs on its
 * database say they hold (server_share.c), and forgets it on restart. An
 * agent is online while one of their streams is open and not away, away
 * while every open one is, offline without one, whichever hub the streams
 * are on. A console says it is away (a
 * key, or idle for a while) with {"type":"away","away":true|false} on its
 * stream. Each change of an agent's status, and each new capacity, goes to
 * every stream that reads ephemeral frames as
 * {"type":"agent","agent":{... as in GET /v1/agents ...}} (a stream that
 * sent an away message reads these: the console sends its state after
 * every hello).
 *
 * With --auto-assign, a round (db_offers_round) runs after each committed
 * event, each change of status, each pass, and when the earliest offer
 * expires; rounds are coalesced, at least ROUND_MIN_MS apart. The
 * offered agent's streams get {"type":"offer","chat_id":…,"seconds":N},
 * and seconds 0 when the offer ends without them (expired, taken by
 * someone else, withdrawn); the hubs holding their streams pass it on. A
 * round offers to the agents online on any hub, and every hub that sees
 * an agent leave "online" withdraws their offers (the second finds none).
 */
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "jsonfield.h"
#include "log.h"
#include "server_internal.h"

/* At most this many agents' ids go into a round (the streams' distinct
 * accounts beyond it wait for the next round: a hub of thousands of
 * consoles is not what auto-assignment is for). */
#define ROUND_AGENTS_MAX 512

/* Rounds are at least this far apart: a round is a write transaction, and
 * under a flood of ingest every loop turn commits; a chat waits 50 ms
 * more for its offer at worst. */
#define ROUND_MIN_MS 50

bool agents_init(struct server *s)
{
	if (uv_timer_init(s->loop, &s->agents.round) != 0)
		return false;
	s->agents.round.data = s;
	s->agents.ready = true;
	return true;
}

void agents_close(struct server *s)
{
	if (s->agents.ready && !uv_is_closing((uv_handle_t *)&s->agents.round))
		uv_close((uv_handle_t *)&s->agents.round, NULL);
}

void agents_offer_here(struct server *s, const char *id, const char *chat_id, int64_t seconds)
{
	struct event ev = {.type = EVENT_OFFER, .offer.seconds = seconds};
	char *text;

	snprintf(ev.offer.chat_id, sizeof ev.offer.chat_id, "%s", chat_id);
	if ((text = event_to_string(&ev)))
		events_tell_readers(s, id, text, strlen(text));
	free(text);
}

static void tell_notes(struct server *s, const struct offer_note *notes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		agents_offer_here(s, notes[i].agent_id, notes[i].chat_id, notes[i].seconds);
		share_offer(s, notes[i].agent_id, notes[i].chat_id, notes[i].seconds);
	}
}

static void on_round(uv_timer_t *t)
{
	struct server *s = t->data;
	const char *online[ROUND_AGENTS_MAX];
	struct offer_note notes[OFFER_ROUND_MAX];
	size_t n = 0;
	int64_t next = 0;
	struct api_error err;

	if (s->stopping)
		return;
	s->agents.last_round = uv_now(s->loop);
	size_t nonline = share_online(s, online, events_online(s, online, ROUND_AGENTS_MAX),
				      ROUND_AGENTS_MAX);
	if (!s->st->ops->offers_round(s->st, online, nonline, s->limits.offer_seconds, notes, &n,
				      &next, &err)) {
		log_error("auto-assignment: %s", err.description);
		return;
	}
	tell_notes(s, notes, n);
	/* A full round may have left chats behind: go on at once. */
	if (n == OFFER_ROUND_MAX)
		next = ts_now();
	if (next) {
		int64_t now = ts_now();
		uv_timer_start(&s->agents.round, on_round, next > now ? (uint64_t)(next - now) : 0,
			       0);
	}
}

void agents_kick(struct server *s)
{
	uint64_t now, due;

	if (!s->limits.auto_assign || s->stopping || !s->agents.ready)
		return;
	now = uv_now(s->loop);
	due = s->agents.last_round ? s->agents.last_round + ROUND_MIN_MS : now;
	uv_timer_start(&s->agents.round, on_round, due > now ? due - now : 0, 0);
}

/* The "agent" frame of agent `id` as GET /v1/agents shows them now, or
 * NULL (free it). */
static char *agent_frame(struct server *s, const char *id)
{
	struct agent a;
	struct api_error err;

	if (s->stopping || !s->st->ops->agent_get(s->st, id, &a, &err))
		return NULL;
	a.status = agents_status(s, id);
	struct event ev = {.type = EVENT_AGENT, .agent = &a};
	char *text = event_to_string(&ev);
	agent_free(&a);
	return text;
}

static void broadcast_frame(struct server *s, char *text)
{
	if (text)
		events_broadcast(s, READERS_AGENTS, text, strlen(text), NULL);
	free(text);
}

/*
 * A threaded back end reads the agent on a worker thread, one agent at a
 * time in the order asked, so frames go out in the order of the changes;
 * the status is the streams' as they are when the read is done.
 */
struct agent_ask {
	uv_work_t req;
	struct server *s;
	uuid_str id;
	struct agent a;
	bool ok;
	struct agent_ask *next;
};

static void ask_next(struct server *s);

static void ask_work(uv_work_t *req)
{
	struct agent_ask *k = req->data;
	struct errbuf why;
	struct api_error err;
	struct storage *st = k->s->st->ops->for_thread(k->s->st, &why);

	k->ok = st && st->ops->agent_get(st, k->id, &k->a, &err);
}

static void ask_done(uv_work_t *req, int status)
{
	struct agent_ask *k = req->data;
	struct server *s = k->s;

	s->agents.ask_busy = false;
	if (k->ok) {
		if (status == 0 && !s->stopping) {
			k->a.status = agents_status(s, k->id);
			struct event ev = {.type = EVENT_AGENT, .agent = &k->a};
			broadcast_frame(s, event_to_string(&ev));
		}
		agent_free(&k->a);
	}
	free(k);
	ask_next(s);
}

static void ask_next(struct server *s)
{
	struct agent_ask *k = s->agents.asks;

	if (!k || s->agents.ask_busy)
		return;
	s->agents.asks = k->next;
	if (!s->agents.asks)
		s->agents.asks_last = &s->agents.asks;
	if (s->stopping || uv_queue_work(s->loop, &k->req, ask_work, ask_done) != 0) {
		free(k);
		ask_next(s);
		return;
	}
	s->agents.ask_busy = true;
}

static void tell_agent(struct server *s, const char *id)
{
	if (!s->st->ops->threaded) {
		broadcast_frame(s, agent_frame(s, id));
		return;
	}
	struct agent_ask *k = calloc(1, sizeof *k);
	if (!k)
		return;
	k->s = s;
	k->req.data = k;
	snprintf(k->id, sizeof k->id, "%s", id);
	if (!s->agents.asks_last)
		s->agents.asks_last = &s->agents.asks;
	*s->agents.asks_last = k;
	s->agents.asks_last = &k->next;
	ask_next(s);
}

void agents_changed(void *ctx, const char *id)
{
	struct server *s = ctx;

	if (id)
		tell_agent(s, id);
	agents_kick(s);
}

enum agent_status agents_status(void *ctx, const char *id)
{
	enum agent_status here = events_agent_status(ctx, id), there = share_status_of(ctx, id);

	/* online < away < offline: the best is the least */
	return here < there ? here : there;
}

struct agent_presence *agents_statuses(struct server *s, size_t *count)
{
	struct agent_presence *mine = events_statuses(s, count);

	return mine ? share_statuses(s, mine, count) : NULL;
}

void agents_stream_changed(struct server *s, const char *id, enum agent_status before)
{
	share_status(s, id, events_agent_status(s, id));
	agents_moved(s, id, before);
}

void agents_moved(struct server *s, const char *id, enum agent_status before)
{
	enum agent_status now = agents_status(s, id);
	struct offer_note notes[OFFER_ROUND_MAX];
	struct api_error err;
	size_t n = 0;

	if (now == before || s->stopping)
		return;
	log_debug("agents: %s is %s", id, agent_status_name(now));
	/* Offers wait for an agent who is there: one who left or went away
	 * gets none, and what they had goes to the next (not as a pass). */
	if (now != AGENT_ONLINE && s->limits.auto_assign) {
		if (s->st->ops->offers_withdraw(s->st, id, notes, &n, &err))
			tell_notes(s, notes, n);
		else
			log_error("auto-assignment: %s", err.description);
	}
	agents_changed(s, id);
}

/* {"type":"away","away":true|false}: exactly these two members. */
int agents_receive(const char *text, size_t len, bool *away)
{
	struct errbuf err;
	cJSON *j = json_parse_text(text, len, &err);
	const cJSON *type = j ? cJSON_GetObjectItemCaseSensitive(j, "type") : NULL;
	int r = 0;

	if (cJSON_IsObject(j) && cJSON_IsString(type) && strcmp(type->valuestring, "away") == 0)
		r = cJSON_GetArraySize(j) == 2 && jf_bool(j, "away", JF_REQUIRED, away, &err) ? 1
											      : -1;
	cJSON_Delete(j);
	return r;
}

void agents_first_words(struct server *s, struct events_client *c, const char *id)
{
	struct chat_offer offers[OFFER_ROUND_MAX];
	struct api_error err;
	size_t n = 0;
	char *text;

	/* Its own agent as the hub sees it: the console knows it was heard. */
	if ((text = agent_frame(s, id)))
		events_send_to(c, text, strlen(text));
	free(text);
	if (!s->limits.auto_assign || !s->st->ops->offers_of(s->st, id, offers, &n, &err))
		return;
	for (size_t i = 0; i < n; i++) {
		struct event ev = {.type = EVENT_OFFER, .offer = offers[i]};
		if ((text = event_to_string(&ev)))
			events_send_to(c, text, strlen(text));
		free(text);
	}
}
