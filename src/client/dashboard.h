/*
 * dashboard.h — the team dashboard's figures, kept live: one snapshot from
 * GET /v1/dashboard (v1.1), then every event of the stream after it.
 *
 * Pure data, like the store: no loop, no network. What it holds is what
 * events can keep exact:
 *   - the chats waiting or held (id, waiting, escalated_at, the clock
 *     awaiting_reply_since, the holder), from each event's chat: waiting
 *     now, the longest wait, held per agent and the breaches are counted
 *     from them at the time asked;
 *   - per agent, replies per minute over the last hour in a ring of
 *     DASHBOARD_MINUTES buckets, each tagged with its minute, so the hour
 *     rolls as time passes without a timer: a bucket older than the hour
 *     is not counted, and is reused when its minute comes round again;
 *   - per agent, today's first responses (escalation to takeover, ms);
 *   - today's counts: conversations, escalations, takeovers, replies. At
 *     the first event or tick of a new UTC day they start again from zero.
 *
 * Events at or below the snapshot's seq are in it already and change
 * nothing, so applying an event twice changes nothing. Events that come
 * while the snapshot is on its way wait (dashboard_apply keeps them) and
 * are applied after it, past its seq.
 *
 * Agents are rows from the snapshot's "agents" (GET /v1/agents' objects):
 * a row has the agent as the hub describes it, so what the hub adds to an
 * agent shows up here without a change of this file's figures.
 */
#ifndef HANDOFF_CLIENT_DASHBOARD_H
#define HANDOFF_CLIENT_DASHBOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "errbuf.h"
#include "model.h"

#define DASHBOARD_MINUTES 60

struct dashboard;

/* An empty dashboard, waiting for its snapshot (events given meanwhile
 * are kept for it). */
struct dashboard *dashboard_new(void);
void dashboard_free(struct dashboard *d);

/* Decode a GET /v1/dashboard answer into a new dashboard (loaded). */
struct dashboard *dashboard_from_json(const cJSON *j, struct errbuf *err);

/* Take the snapshot `snap` (freed) into `d`, then the events `d` kept
 * while it was on its way. */
void dashboard_load(struct dashboard *d, struct dashboard *snap);

/* Forget everything and wait for a new snapshot (after the hub's resync,
 * or a refresh). */
void dashboard_reset(struct dashboard *d);

bool dashboard_loaded(const struct dashboard *d);

/* Apply an event of the stream; true when it changed a figure. */
bool dashboard_apply(struct dashboard *d, const struct event *e);

/* One agent's row as of `now`. */
struct dashboard_agent {
	const struct agent *agent;   /* valid until the next change of d */
	int64_t held;                /* chats it holds */
	int64_t breached;            /* of those, past the next-response target */
	int64_t replies_hour;        /* replies in this minute and the 59 before */
	int64_t median_first_ms;     /* today's median first response; -1: none */
	size_t first_responses;      /* how many today */
};

/* The figures as of `now` (ms). */
struct dashboard_figures {
	int64_t waiting;             /* escalated chats the bot still has */
	int64_t longest_wait_ms;     /* of those, since the escalation; -1: none */
	int64_t held;                /* chats agents hold */
	int64_t breached_first;      /* waiting past the first-response target */
	int64_t breached_next;       /* held past the next-response target */
	char date[11];               /* the UTC day of the counts below */
	int64_t conversations, escalations, taken_over, replies;
	struct wait_targets targets;
	size_t nagents;
};

void dashboard_figures(const struct dashboard *d, int64_t now, struct dashboard_figures *out);

/* Row i (0 .. nagents-1, by name as the hub sent them) as of `now`. */
void dashboard_agent(const struct dashboard *d, size_t i, int64_t now,
		     struct dashboard_agent *out);

/* A new UTC day since the last event: today's counts start again. True
 * when that changed a figure. */
bool dashboard_tick(struct dashboard *d, int64_t now);

/* When, after `now`, time alone next changes a figure shown to the
 * second (the longest wait ticks every second while a chat waits; a clock
 * crosses its target; a minute's replies leave the hour; midnight UTC);
 * INT64_MAX when nothing will. */
int64_t dashboard_changes_at(const struct dashboard *d, int64_t now);

#endif
