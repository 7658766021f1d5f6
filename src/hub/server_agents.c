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
 *
 * What these changes ask of the database runs as jobs, one at a time in
 * the order asked (on a worker for a threaded back end, at once on the
 * loop otherwise): an agent's frame, a round, a withdrawal, a console's
 * first words. The order is what keeps a round honest: a round is given
 * the agents online when it is asked for, and an agent who leaves after
 * that has their withdrawal queued behind it, so it finds and takes back
 * what the round offered them. Frames go out in the order of the changes.
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

static void job_ask(struct server *s, struct agent_job *j);

static void on_round(uv_timer_t *t);
void agents_kick(struct server *s)
{
	uint64_t now, due;

	if (!s->limits.auto_assign || s->stopping || !s->agents.ready)
		return;
	now = uv_now(s->loop);
	due = s->agents.last_round ? s->agents.last_round + ROUND_MIN_MS : now;
	uv_timer_start(&s->agents.round, on_round, due > now ? due - now : 0, 0);
}

static void broadcast_frame(struct server *s, char *text)
{
	if (text)
		events_broadcast(s, READERS_AGENTS, text, strlen(text), NULL);
	free(text);
}

/* The "agent" frame of `a` with its status now (free it). */
static char *frame_of(struct server *s, struct agent *a)
{
	a->status = agents_status(s, a->id);
	struct event ev = {.type = EVENT_AGENT, .agent = a};
	return event_to_string(&ev);
}

/* ---- the agents' jobs ----------------------------------------------------- */

enum job_kind {
	JOB_FRAME,  /* read an agent, send everyone their frame */
	JOB_ROUND,  /* an auto-assignment round */
	JOB_WITHDRAW, /* take back what an agent who left was offered */
	JOB_WORDS,  /* a console's own frame and its open offers */
};

struct agent_job {
	uv_work_t req;
	struct server *s;
	enum job_kind kind;
	uuid_str id;                      /* the agent (all but a round) */
	struct events_client *client;     /* words: the stream, NULL once it closed */
	uuid_str *online;                 /* round: the agents online when asked */
	size_t nonline;
	/* what the database answered */
	bool ok, has_agent;
	struct api_error err;
	struct agent a;
	struct offer_note notes[OFFER_ROUND_MAX];
	struct chat_offer offers[OFFER_ROUND_MAX];
	size_t n;
	int64_t next;
	struct agent_job *next_job;
};

/* The job's database work, on a worker or on the loop. */
static void job_work_on(struct agent_job *j, struct storage *st)
{
	const struct storage_ops *ops = st->ops;
	const char *online[ROUND_AGENTS_MAX];

	switch (j->kind) {
	case JOB_FRAME:
		j->ok = j->has_agent = ops->agent_get(st, j->id, &j->a, &j->err);
		break;
	case JOB_ROUND:
		for (size_t i = 0; i < j->nonline; i++)
			online[i] = j->online[i];
		j->ok = ops->offers_round(st, online, j->nonline, j->s->limits.offer_seconds,
					  j->notes, &j->n, &j->next, &j->err);
		break;
	case JOB_WITHDRAW:
		j->ok = ops->offers_withdraw(st, j->id, j->notes, &j->n, &j->err);
		break;
	case JOB_WORDS:
		j->ok = j->has_agent = ops->agent_get(st, j->id, &j->a, &j->err);
		if (j->ok && j->s->limits.auto_assign)
			j->ok = ops->offers_of(st, j->id, j->offers, &j->n, &j->err);
		break;
	}
}

static void job_work(uv_work_t *req)
{
	struct agent_job *j = req->data;
	struct errbuf why;
	struct storage *st = j->s->st->ops->for_thread(j->s->st, &why);

	if (st)
		job_work_on(j, st);
	else
		api_error_set(&j->err, API_INTERNAL, "%s", why.msg);
}

static void round_done(struct server *s, struct agent_job *j)
{
	tell_notes(s, j->notes, j->n);
	/* A full round may have left chats behind: go on at once. */
	int64_t next = j->n == OFFER_ROUND_MAX || s->agents.round_again ? ts_now() : j->next;
	s->agents.round_again = false;
	if (next && !s->stopping) {
		int64_t now = ts_now();
		uint64_t in = next > now ? (uint64_t)(next - now) : 0;
		/* A change since this round was asked for (an agent back, say)
		 * armed a round due sooner: putting it off until the next offer
		 * expires would leave their chat waiting for that long. */
		if (uv_is_active((uv_handle_t *)&s->agents.round) &&
		    uv_timer_get_due_in(&s->agents.round) <= in)
			return;
		uv_timer_start(&s->agents.round, on_round, in, 0);
	}
}

static void words_done(struct server *s, struct agent_job *j)
{
	struct events_client *c = j->client;
	char *text = NULL;

	/* Its own agent as the hub sees it: the console knows it was heard. */
	if (!c)
		return;
	if (j->has_agent && (text = frame_of(s, &j->a)))
		events_send_to(c, text, strlen(text));
	free(text);
	for (size_t i = 0; j->ok && i < j->n; i++) {
		struct event ev = {.type = EVENT_OFFER, .offer = j->offers[i]};
		if ((text = event_to_string(&ev)))
			events_send_to(c, text, strlen(text));
		free(text);
	}
}

static void job_free(struct agent_job *j)
{
	if (j->has_agent)
		agent_free(&j->a);
	free(j->online);
	free(j);
}

/* On the loop: the job's answer goes out, then the next job runs. */
static void job_done(struct agent_job *j, bool ran)
{
	struct server *s = j->s;

	s->agents.jobs = j->next_job;
	if (!s->agents.jobs)
		s->agents.jobs_last = &s->agents.jobs;
	s->agents.job_busy = false;
	if (ran && !j->ok && j->kind != JOB_FRAME)
		log_error("auto-assignment: %s", j->err.description);
	if (j->kind == JOB_ROUND)
		s->agents.round_queued = false;
	if (ran && !s->stopping) {
		switch (j->kind) {
		case JOB_FRAME:
			if (j->has_agent)
				broadcast_frame(s, frame_of(s, &j->a));
			break;
		case JOB_ROUND:
			round_done(s, j);
			break;
		case JOB_WITHDRAW:
			if (j->ok)
				tell_notes(s, j->notes, j->n);
			break;
		case JOB_WORDS:
			words_done(s, j);
			break;
		}
	}
	job_free(j);
}

static void job_next(struct server *s);

static void job_after_work(uv_work_t *req, int status)
{
	struct agent_job *j = req->data;
	struct server *s = j->s;

	job_done(j, status == 0);
	job_next(s);
}

/* Run the head of the queue unless one runs: on a worker for a threaded
 * back end, else here and now (and so each one in turn). */
static void job_next(struct server *s)
{
	struct agent_job *j;

	while ((j = s->agents.jobs) && !s->agents.job_busy) {
		if (s->stopping) {
			job_done(j, false);
			continue;
		}
		/* busy while it runs, here too: what its commit sets off may ask
		 * for another job, which must wait its turn */
		s->agents.job_busy = true;
		if (!s->st->ops->threaded) {
			job_work_on(j, s->st);
			job_done(j, true);
			continue;
		}
		if (uv_queue_work(s->loop, &j->req, job_work, job_after_work) != 0)
			job_done(j, false);
	}
}

static void job_ask(struct server *s, struct agent_job *j)
{
	j->s = s;
	j->req.data = j;
	if (!s->agents.jobs_last)
		s->agents.jobs_last = &s->agents.jobs;
	*s->agents.jobs_last = j;
	s->agents.jobs_last = &j->next_job;
	job_next(s);
}

static struct agent_job *job_new(enum job_kind kind, const char *id)
{
	struct agent_job *j = calloc(1, sizeof *j);

	if (j) {
		j->kind = kind;
		if (id)
			snprintf(j->id, sizeof j->id, "%s", id);
	}
	return j;
}

static void on_round(uv_timer_t *t)
{
	struct server *s = t->data;
	const char *online[ROUND_AGENTS_MAX];

	if (s->stopping)
		return;
	if (s->agents.round_queued) {
		s->agents.round_again = true; /* once the one queued is done */
		return;
	}
	s->agents.last_round = uv_now(s->loop);
	size_t n = share_online(s, online, events_online(s, online, ROUND_AGENTS_MAX),
				ROUND_AGENTS_MAX);
	struct agent_job *j = job_new(JOB_ROUND, NULL);
	if (!j || (n && !(j->online = calloc(n, sizeof *j->online)))) {
		free(j);
		log_error("auto-assignment: out of memory");
		return;
	}
	/* A copy: the streams that named them may close before it runs. */
	for (size_t i = 0; i < n; i++)
		snprintf(j->online[i], sizeof j->online[i], "%s", online[i]);
	j->nonline = n;
	s->agents.round_queued = true;
	job_ask(s, j);
}

static void tell_agent(struct server *s, const char *id)
{
	struct agent_job *j = job_new(JOB_FRAME, id);

	if (j)
		job_ask(s, j);
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

	if (now == before || s->stopping)
		return;
	log_debug("agents: %s is %s", id, agent_status_name(now));
	/* Offers wait for an agent who is there: one who left or went away
	 * gets none, and what they had goes to the next (not as a pass). */
	if (now != AGENT_ONLINE && s->limits.auto_assign) {
		struct agent_job *j = job_new(JOB_WITHDRAW, id);
		if (j)
			job_ask(s, j);
		else
			log_error("auto-assignment: out of memory");
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
	struct agent_job *j = job_new(JOB_WORDS, id);

	if (!j)
		return;
	j->client = c;
	job_ask(s, j);
}

void agents_forget_client(struct server *s, struct events_client *c)
{
	for (struct agent_job *j = s->agents.jobs; j; j = j->next_job)
		if (j->client == c)
			j->client = NULL;
}
