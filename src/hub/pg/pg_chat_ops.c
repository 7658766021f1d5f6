/*
 * pg_chat_ops.c — the chat actions besides takeover and handback on
 * PostgreSQL (see pg.h): PATCH and rating, which are only chat.updated,
 * and assign and stop, which change who holds the chat; and the
 * transaction every one of them runs in.
 *
 * Each reads the chat with its row locked, decides as SQLite does
 * (handover.h for assign and stop, the same comparisons for PATCH), and
 * writes. The lock is what makes two hubs acting on one chat at once take
 * turns: the second reads the chat as the first committed it, so it
 * decides on what is there (already assigned, already stopped), and the
 * version moves once per change. Holder changes are still conditioned on
 * the holder read (pg_move_to, pg_stop_held): the database, not the read,
 * is the last word.
 */
#include <stdio.h>
#include <string.h>

#include "handover.h"
#include "pg_internal.h"
#include "timeutil.h"
#include "uuid.h"

bool pg_chat_transaction(PGconn *conn, const char *chat_id, pg_chat_change_fn *change, void *arg,
			 struct chat *out, struct api_error *err)
{
	struct chat c = {0};
	struct errbuf why;

	if (!pg_exec(conn, "BEGIN", "begin a change of a chat", &why))
		return pg_api_fail(err, &why);
	bool ok = pg_chat_load(conn, chat_id, true, &c, err) &&
		  change(conn, arg, &c, ts_now(), err);
	if (!pg_finish(conn, ok, "end a change of a chat", &why) && ok)
		ok = pg_api_fail(err, &why);
	if (!ok) {
		chat_free(&c);
		return false;
	}
	*out = c;
	return true;
}

/* A statement whose result does not matter, answering as the protocol
 * does. */
static bool run(PGconn *conn, const char *sql, int n, const char *const *params,
		const char *what, struct api_error *err)
{
	struct errbuf why;
	PGresult *r = pg_query(conn, sql, n, params, what, &why);

	if (!r)
		return pg_api_fail(err, &why);
	PQclear(r);
	return true;
}

/* ---- PATCH ------------------------------------------------------------ */

struct patch {
	const char *title;
	int ticket_status;
};

static bool apply_patch(PGconn *conn, void *arg, struct chat *c, int64_t now,
			struct api_error *err)
{
	const struct patch *p = arg;
	bool new_title = p->title && !(c->title && strcmp(c->title, p->title) == 0);
	bool new_status = p->ticket_status >= 0 &&
			  !(c->ticket.present && (int)c->ticket.status == p->ticket_status);
	char status[PG_INT_LEN];
	uuid_str ticket_id;
	struct errbuf why;

	if (!new_title && !new_status)
		return true; /* nothing changes: no version, no event */
	if (new_title && !run(conn, "UPDATE chats SET title = $1 WHERE id = $2", 2,
			      (const char *[]){p->title, c->id}, "retitle a chat", err))
		return false;
	if (new_status) {
		/* Setting a status on a chat without a ticket opens one. */
		if (c->ticket.present)
			memcpy(ticket_id, c->ticket.id, sizeof ticket_id);
		else if (!uuid_generate(ticket_id, &why))
			return api_error_set(err, API_INTERNAL, "%s", why.msg);
		const char *params[] = {ticket_id, pg_int(p->ticket_status, status), c->id};
		if (!run(conn, "UPDATE chats SET ticket_id = $1, ticket_status = $2 WHERE id = $3", 3,
			 params, "file a chat", err))
			return false;
	}
	return pg_chat_changed(conn, c->id, EVENT_CHAT_UPDATED, now, c, err);
}

bool pg_chat_patch(PGconn *conn, const struct agent *me, const char *chat_id, const char *title,
		   int ticket_status, struct chat *out, struct api_error *err)
{
	struct patch p = {title, ticket_status};

	(void)me; /* any agent may retitle or file a chat, held or not */
	return pg_chat_transaction(conn, chat_id, apply_patch, &p, out, err);
}

/* ---- rating ------------------------------------------------------------ */

struct rating_change {
	const struct agent *me;
	int score;
	const char *feedback, *suggested_answer;
};

static bool apply_rating(PGconn *conn, void *arg, struct chat *c, int64_t now,
			 struct api_error *err)
{
	const struct rating_change *r = arg;
	char score[PG_INT_LEN], at[PG_INT_LEN];
	const char *params[] = {pg_int(r->score, score), r->feedback, r->suggested_answer,
				r->me->id, pg_int(now, at), c->id};

	/* A new rating replaces the previous one: the chat has one rating. */
	return run(conn,
		   "UPDATE chats SET rating_score = $1, rating_feedback = $2,"
		   " rating_suggested = $3, rating_by = $4, rating_at = $5 WHERE id = $6",
		   6, params, "rate a chat", err) &&
	       pg_chat_changed(conn, c->id, EVENT_CHAT_UPDATED, now, c, err);
}

bool pg_rate(PGconn *conn, const struct agent *me, const char *chat_id, int score,
	     const char *feedback, const char *suggested_answer, struct chat *out,
	     struct api_error *err)
{
	struct rating_change r = {me, score, feedback, suggested_answer};

	if (score < 1 || score > 5)
		return api_error_set(err, API_INVALID_PAYLOAD, "score: must be 1..5");
	return pg_chat_transaction(conn, chat_id, apply_rating, &r, out, err);
}

/* ---- assign and stop ----------------------------------------------------- */

struct assign {
	const struct agent *me;
	struct agent target;
};

/* The account `id` names (name and role are all assign needs); *found
 * false for none. Accounts are never deleted, so it is read before the
 * chat's transaction, as SQLite reads it. */
static bool target_load(PGconn *conn, const char *id, struct agent *out, bool *found,
			struct api_error *err)
{
	struct errbuf why;

	*found = false;
	if (!uuid_valid(id)) /* names no account, and would be a type error */
		return true;
	PGresult *r = pg_query(conn, "SELECT name, role FROM accounts WHERE id = $1", 1,
			       (const char *[]){id}, "find an agent", &why);
	if (!r)
		return pg_api_fail(err, &why);
	bool ok = true;
	*found = PQntuples(r) == 1;
	if (*found) {
		snprintf(out->id, sizeof out->id, "%s", id);
		out->name = pg_col_str(r, 0, 0, &ok);
		out->role = (enum account_role)pg_col_int(r, 0, 1);
	}
	PQclear(r);
	return ok || api_error_set(err, API_INTERNAL, "out of memory");
}

static bool apply_assign(PGconn *conn, void *arg, struct chat *c, int64_t now,
			 struct api_error *err)
{
	const struct assign *a = arg;
	struct handover h;

	if (!handover_assign(c, a->me, &a->target, &h, err))
		return false;
	return !h.change || (pg_move_to(conn, c, a->target.id, now, err) &&
			     pg_system_message(conn, c->id, h.type, a->me, h.text, now, c, err));
}

bool pg_assign(PGconn *conn, const struct agent *me, const char *chat_id, const char *agent_id,
	       struct chat *out, struct api_error *err)
{
	struct assign a = {.me = me};
	bool found = false;

	if (!target_load(conn, agent_id, &a.target, &found, err))
		return false;
	bool ok = handover_assign_target(&a.target, found, agent_id, err) &&
		  pg_chat_transaction(conn, chat_id, apply_assign, &a, out, err);
	agent_free(&a.target);
	return ok;
}

static bool apply_stop(PGconn *conn, void *arg, struct chat *c, int64_t now,
		       struct api_error *err)
{
	const struct agent *me = arg;
	struct handover h;

	if (!handover_stop(c, me, &h, err))
		return false;
	return !h.change || (pg_stop_held(conn, c, err) &&
			     pg_system_message(conn, c->id, h.type, me, h.text, now, c, err));
}

bool pg_stop(PGconn *conn, const struct agent *me, const char *chat_id, struct chat *out,
	     struct api_error *err)
{
	return pg_chat_transaction(conn, chat_id, apply_stop, (void *)me, out, err);
}
