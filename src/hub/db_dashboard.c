/*
 * db_dashboard.c — what GET /v1/dashboard (v1.1) reads: the chats waiting
 * and held (their clocks), each agent's replies per minute over the last
 * hour, today's replies, and each agent's first responses today.
 *
 * The answer is the raw material, not the figures: the console keeps it
 * up to date from events (src/client/dashboard.c) and computes waiting,
 * longest wait, breaches and medians from it, so the hub and the console
 * cannot disagree on a rule.
 *
 * A first response is a takeover (AGENT_JOINED) of a chat that was
 * waiting: the time from its escalation to the takeover. The chat was
 * waiting iff the last system message before the takeover is the
 * escalation (a handback, an assign or a stop since would have ended the
 * wait), which is also what a console sees live: the chat waiting before
 * the takeover's event.
 */
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"

#define MS_PER_MIN 60000LL
#define MS_PER_DAY 86400000LL

static int agent_index(const struct agent *agents, size_t n, const char *id)
{
	for (size_t i = 0; id && i < n; i++)
		if (strcmp(agents[i].id, id) == 0)
			return (int)i;
	return -1;
}

/* The queue, then the held chats: each through its partial index. */
static bool read_chats(struct db *db, struct dash_snapshot *d, struct api_error *err)
{
	static const char *const sql[] = {
		"SELECT id, escalated_at, awaiting_since, NULL FROM chats"
		" WHERE escalated = 1 AND mode = 0 ORDER BY wait_key, id",
		"SELECT id, CASE WHEN escalated THEN escalated_at END, awaiting_since, responder_id"
		" FROM chats WHERE mode = 1 ORDER BY recent_key, id",
	};
	size_t cap = 0;
	int rc = SQLITE_DONE;

	for (int k = 0; k < 2; k++) {
		sqlite3_stmt *st = db_query(db, sql[k], NO_ARGS, err);
		if (!st)
			return false;
		while ((rc = db_step(db, st, err)) == SQLITE_ROW) {
			if (d->nchats == cap) {
				cap = cap ? cap * 2 : 64;
				struct dash_chat *grown = realloc(d->chats, cap * sizeof *grown);
				if (!grown) {
					db_release(db, st);
					return db_oom(err);
				}
				d->chats = grown;
			}
			struct dash_chat *c = &d->chats[d->nchats++];
			col_uuid(st, 0, c->id);
			c->waiting = k == 0;
			c->escalated_at = col_ts(st, 1);
			c->awaiting_since = col_ts(st, 2);
			col_uuid(st, 3, c->holder);
		}
		db_release(db, st);
		if (rc != SQLITE_DONE)
			return false;
	}
	return true;
}

/* Replies of the last hour by agent and minute, and today's in all. The
 * terms spell the partial index messages_agent's "role = 2". */
static bool read_replies(struct db *db, const struct agent *agents, struct dash_snapshot *d,
			 struct api_error *err)
{
	int64_t minute = d->now / MS_PER_MIN, first = minute - (DASH_MINUTES - 1);
	int64_t day = d->now / MS_PER_DAY * MS_PER_DAY, end = (minute + 1) * MS_PER_MIN;
	bool found;
	int rc;

	sqlite3_stmt *st = db_query(db,
				    "SELECT author_id, created_at / ?, count(*) FROM messages"
				    " WHERE role = 2 AND created_at >= ? AND created_at < ? GROUP BY 1, 2",
				    ARGS(ARG_I(MS_PER_MIN), ARG_I(first * MS_PER_MIN), ARG_I(end)), err);
	if (!st)
		return false;
	while ((rc = db_step(db, st, err)) == SQLITE_ROW) {
		int a = agent_index(agents, d->nagents, (const char *)sqlite3_column_text(st, 0));
		int64_t m = sqlite3_column_int64(st, 1) - first;
		if (a >= 0 && m >= 0 && m < DASH_MINUTES)
			d->agents[a].replies[m] += sqlite3_column_int64(st, 2);
	}
	db_release(db, st);
	if (rc != SQLITE_DONE)
		return false;
	d->replies_today = 0;
	return db_get_int(db,
			  "SELECT count(*) FROM messages WHERE role = 2 AND created_at >= ?"
			  " AND created_at < ?",
			  ARGS(ARG_I(day), ARG_I(end)), &d->replies_today, &found, err);
}

static bool add_sample(struct dash_agent *a, int64_t ms)
{
	if ((a->nfirst & (a->nfirst - 1)) == 0) { /* 0, 1, 2, 4...: grow to double */
		int64_t *grown = realloc(a->first_ms, (a->nfirst ? a->nfirst * 2 : 1) * sizeof *grown);
		if (!grown)
			return false;
		a->first_ms = grown;
	}
	a->first_ms[a->nfirst++] = ms;
	return true;
}

/* Today's takeovers of waiting chats: the escalation before each is the
 * chat's latest notice that starts or ends a wait. */
static bool read_first_responses(struct db *db, const struct agent *agents,
				 struct dash_snapshot *d, struct api_error *err)
{
	int64_t day = d->now / MS_PER_DAY * MS_PER_DAY;
	int rc;
	sqlite3_stmt *st = db_query(
		db,
		"SELECT m.author_id, m.created_at - p.created_at FROM messages m"
		" JOIN messages p ON p.chat_id = m.chat_id AND p.seq ="
		"  (SELECT max(x.seq) FROM messages x WHERE x.chat_id = m.chat_id AND x.seq < m.seq"
		"   AND x.system_type IN (?1, ?2, ?3, ?4, ?5))"
		" WHERE m.system_type <> 0 AND m.system_type = ?2 AND m.created_at >= ?6"
		" AND m.created_at < ?7 AND p.system_type = ?1 ORDER BY m.created_at, m.id",
		ARGS(ARG_I(SYSTEM_TYPE_CONVERSATION_ESCALATED), ARG_I(SYSTEM_TYPE_AGENT_JOINED),
		     ARG_I(SYSTEM_TYPE_AGENT_LEFT), ARG_I(SYSTEM_TYPE_CHAT_REASSIGNED),
		     ARG_I(SYSTEM_TYPE_CONVERSATION_STOPPED), ARG_I(day), ARG_I(day + MS_PER_DAY)),
		err);
	if (!st)
		return false;
	bool ok = true;
	while (ok && (rc = db_step(db, st, err)) == SQLITE_ROW) {
		int a = agent_index(agents, d->nagents, (const char *)sqlite3_column_text(st, 0));
		if (a >= 0)
			ok = add_sample(&d->agents[a], sqlite3_column_int64(st, 1)) || db_oom(err);
	}
	db_release(db, st);
	return ok && rc == SQLITE_DONE;
}

bool db_dashboard(struct db *db, int64_t now, const struct agent *agents, size_t n,
		  struct dash_snapshot *out, struct api_error *err)
{
	memset(out, 0, sizeof *out);
	out->now = now;
	out->nagents = n;
	if (n && !(out->agents = calloc(n, sizeof *out->agents)))
		return db_oom(err);
	if (!db_begin_read(db, err)) {
		db_dashboard_free(out);
		return false;
	}
	out->seq = db_events_head(db);
	bool ok = read_chats(db, out, err) && read_replies(db, agents, out, err) &&
		  read_first_responses(db, agents, out, err);
	if (!db_finish(db, ok, err)) {
		db_dashboard_free(out);
		return false;
	}
	return true;
}

