/*
 * pg_offers.c — auto-assignment's offers on PostgreSQL (see pg.h): the
 * rounds, a pass, a withdrawal, the offers an agent has, and the accept,
 * a takeover that needs the open offer. db_agents.c's queries, one by one.
 *
 * SQLite has one writer; here several hubs run rounds at the same moment,
 * over the same waiting chats and the same agents. Two guarantees hold:
 *
 * - A chat is offered once at a time: offers' primary key is the chat,
 *   and a round's INSERT is ON CONFLICT DO NOTHING.
 *
 * - Offers never give an agent more than their free room (capacity, less
 *   the chats held and the offers open). No constraint can say "at most N
 *   rows per agent", and a room read by one round is stale as soon as
 *   another round offers. Two rounds walking the same queue meet on its
 *   first chat, where the second's insert waits for the first's COMMIT;
 *   but their queues differ when a pass or an expiry lands between their
 *   reads (or when hubs' clocks disagree on an expiry): then each offers a
 *   different chat to Ana, each seeing her last place free, and neither
 *   waits. So rounds take turns: each first takes a transaction-scoped
 *   advisory lock (freed at COMMIT or ROLLBACK, or with a dead hub's
 *   connection), and under READ COMMITTED each of its later statements
 *   has a snapshot taken after the lock was granted, so it sees every
 *   offer the round before made. Passes and withdrawals take their turn
 *   too: a pass is what changes a queue under a round, and in turn no two
 *   writers of offers lock offer rows in orders that make them wait for
 *   each other in a circle. Rounds are short (OFFER_ROUND_MAX inserts at
 *   most), so hubs' rounds queue briefly.
 *
 * The accept is a takeover (pg_actions.c) and takes no turn: it locks the
 * chat, then deletes its offer. A round locks the chats whose offers it
 * ends (FOR KEY SHARE) before it deletes them, and a pass locks its chat
 * likewise, so everyone goes chat, then offer, and no one waits in a
 * circle. A round waits for a chat's writer (its FOR UPDATE); those never
 * wait for a round. Capacity bounds offers, not takeovers, as in SQLite: a
 * manual takeover may still fill a place a round is offering.
 */
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"
#include "timeutil.h"
#include "uuid.h"

/* The turn rounds, passes and withdrawals take. Advisory lock keys are
 * shared by every user of the database: this one is "hoffers" in ASCII
 * (0x686f6666657273), beside pg.c's migration lock ("handoff"). */
#define OFFERS_LOCK "29395883173180019"

/* Room left of an agent `a.` (the accounts row): capacity, less the chats
 * held and the offers open; `cap` is the parameter of the default
 * capacity. */
#define FREE_ROOM(cap)                                                            \
	"(coalesce(a.capacity, " cap "::bigint) - (SELECT count(*) FROM chats c"   \
	" WHERE c.responder_id = a.id) - (SELECT count(*) FROM offers f"           \
	" WHERE f.agent_id = a.id))"

/* A chat `c.` waits for an agent: escalated, the bot still has it, running. */
#define WAITING "(c.escalated AND c.mode = 0 AND c.state = 0)"

static const char not_offered[] = "the chat is not offered to you (or no longer)";

static bool oom(struct api_error *err)
{
	return api_error_set(err, API_INTERNAL, "out of memory");
}

static bool run_only(PGconn *conn, const char *sql, int n, const char *const *params,
		     const char *what, struct api_error *err)
{
	PGresult *r = pg_api_query(conn, sql, n, params, what, err);

	PQclear(r);
	return r != NULL;
}

static bool take_turn(PGconn *conn, struct api_error *err)
{
	return run_only(conn, "SELECT pg_advisory_xact_lock(" OFFERS_LOCK ")", 0, NULL,
			"wait for the offers' turn", err);
}

static bool begin(PGconn *conn, const char *what, struct api_error *err)
{
	struct errbuf why;

	return pg_exec(conn, "BEGIN", what, &why) || pg_api_fail(err, &why);
}

static bool finish(PGconn *conn, bool ok, const char *what, struct api_error *err)
{
	struct errbuf why;

	if (!pg_finish(conn, ok, what, &why) && ok)
		ok = pg_api_fail(err, &why);
	return ok;
}

static void note_add(struct offer_note *notes, size_t *n, const char *chat, const char *agent,
		     int64_t seconds)
{
	memcpy(notes[*n].chat_id, chat, sizeof notes[*n].chat_id);
	memcpy(notes[*n].agent_id, agent, sizeof notes[*n].agent_id);
	notes[(*n)++].seconds = seconds;
}

/* ---- a round ------------------------------------------------------------- */

/* Lock the chats of the offers to end (expired, or the chat no longer
 * waits: taken, handed back, stopped), at most `max`: their ids into
 * *array (an array literal), NULL when there are none. The chats first,
 * in a statement of their own (see the top), so that the DELETE after,
 * with a snapshot of its own, sees what their writers did. */
static bool lock_ending(PGconn *conn, const char *at, int64_t max, char **array,
			struct api_error *err)
{
	char limit[PG_INT_LEN];
	const char *params[] = {at, pg_int(max, limit)};
	PGresult *r = pg_api_query(conn,
				   "SELECT array_agg(id)::text FROM (SELECT c.id FROM offers f"
				   " JOIN chats c ON c.id = f.chat_id"
				   " WHERE f.expires_at <= $1 OR NOT " WAITING
				   " ORDER BY c.id LIMIT $2 FOR KEY SHARE OF c) l",
				   2, params, "lock the chats of ending offers", err);
	bool ok = true;

	if (!r)
		return false;
	*array = pg_col_str(r, 0, 0, &ok);
	PQclear(r);
	return ok || oom(err);
}

/* End the offers that expired (a pass each) or whose chat no longer waits,
 * as many as notes last, noting each. */
static bool offers_end(PGconn *conn, int64_t now, struct offer_note *notes, size_t *n,
		       struct api_error *err)
{
	char at[PG_INT_LEN], *chats;

	if (!lock_ending(conn, pg_int(now, at), OFFER_ROUND_MAX - (int64_t)*n, &chats, err))
		return false;
	if (chats) {
		const char *params[] = {at, chats};
		/* Each deleted offer that had expired is its agent's pass; an
		 * offer an accept took meanwhile is gone, neither ended nor
		 * noted here. */
		PGresult *r = pg_api_query(
			conn,
			"WITH d AS (DELETE FROM offers f USING chats c WHERE c.id = f.chat_id"
			" AND f.chat_id = ANY($2::uuid[]) AND (f.expires_at <= $1 OR NOT " WAITING ")"
			" RETURNING f.chat_id, f.agent_id, f.expires_at <= $1 AS expired),"
			" p AS (INSERT INTO offer_passes SELECT chat_id, agent_id FROM d"
			" WHERE expired ON CONFLICT DO NOTHING)"
			" SELECT chat_id, agent_id FROM d",
			2, params, "end offers", err);
		free(chats);
		if (!r)
			return false;
		for (int i = 0; i < PQntuples(r) && *n < OFFER_ROUND_MAX; i++) {
			uuid_str chat, agent;
			pg_col_uuid(r, i, 0, chat);
			pg_col_uuid(r, i, 1, agent);
			note_add(notes, n, chat, agent, 0);
		}
		PQclear(r);
	}
	/* Passes matter while a chat waits; one taken and escalated again
	 * later is offered to everyone afresh. */
	return run_only(conn,
			"DELETE FROM offer_passes p WHERE NOT EXISTS (SELECT 1 FROM chats c"
			" WHERE c.id = p.chat_id AND c.escalated AND c.mode = 0)",
			0, NULL, "forget passes", err);
}

/* Offer waiting chats without an offer, oldest first, while notes last:
 * each to the agent of `online` ($1, an array literal) with the most free
 * room, ties to the one longest without a new chat, never to one who
 * passed it. */
static bool offers_make(PGconn *conn, const char *online, int64_t default_capacity,
			int64_t now, int64_t seconds, struct offer_note *notes, size_t *n,
			struct api_error *err)
{
	char cap[PG_INT_LEN], max[PG_INT_LEN], expires[PG_INT_LEN];
	const char *params[] = {pg_int(OFFER_ROUND_MAX, max)};

	/* Spelled like the queue's partial index (chats_queue). */
	PGresult *chats = pg_api_query(conn,
				       "SELECT id FROM chats c WHERE escalated AND mode = 0"
				       " AND state = 0 AND NOT EXISTS (SELECT 1 FROM offers f"
				       " WHERE f.chat_id = c.id) ORDER BY wait_key, id LIMIT $1",
				       1, params, "read the queue", err);
	if (!chats)
		return false;
	int nchats = PQntuples(chats);
	const char *room_params[] = {online, pg_int(default_capacity, cap)};
	PGresult *room = NULL;
	bool ok = true, anyone = false;

	/* Nobody online has room: the queue waits, without a look for each
	 * of its chats. */
	if (nchats) {
		room = pg_api_query(conn,
				    "SELECT EXISTS (SELECT 1 FROM accounts a WHERE a.id = ANY($1::uuid[])"
				    " AND a.role <> 2 AND " FREE_ROOM("$2") " > 0)",
				    2, room_params, "look for room", err);
		ok = room != NULL;
		anyone = ok && strcmp(PQgetvalue(room, 0, 0), "t") == 0;
		PQclear(room);
	}
	pg_int(now + seconds * 1000, expires);
	for (int i = 0; ok && anyone && i < nchats && *n < OFFER_ROUND_MAX; i++) {
		const char *chat = PQgetvalue(chats, i, 0);
		const char *offer_params[] = {online, chat, cap, expires};
		/* The pick and the offer in one statement, one snapshot; the
		 * chat must still wait (it may have been taken since the
		 * queue was read). */
		PGresult *r = pg_api_query(
			conn,
			"INSERT INTO offers (chat_id, agent_id, expires_at)"
			" SELECT $2::uuid, a.id, $4::bigint FROM accounts a"
			" WHERE a.id = ANY($1::uuid[]) AND a.role <> 2 AND " FREE_ROOM("$3") " > 0"
			" AND NOT EXISTS (SELECT 1 FROM offer_passes p WHERE p.chat_id = $2::uuid"
			" AND p.agent_id = a.id)"
			" AND EXISTS (SELECT 1 FROM chats c WHERE c.id = $2::uuid AND " WAITING ")"
			" ORDER BY " FREE_ROOM("$3") " DESC, coalesce(a.assigned_at, 0), a.id LIMIT 1"
			" ON CONFLICT (chat_id) DO NOTHING RETURNING agent_id",
			4, offer_params, "offer a chat", err);
		ok = r != NULL;
		if (ok && PQntuples(r) == 1) {
			uuid_str agent;
			pg_col_uuid(r, 0, 0, agent);
			note_add(notes, n, chat, agent, seconds);
		}
		PQclear(r);
	}
	PQclear(chats);
	return ok;
}

/* When the earliest open offer expires, 0 when none. */
static bool next_expiry(PGconn *conn, int64_t *next_ms, struct api_error *err)
{
	PGresult *r = pg_api_query(conn, "SELECT coalesce(min(expires_at), 0) FROM offers", 0, NULL,
				   "read the next expiry", err);
	if (!r)
		return false;
	*next_ms = pg_col_int(r, 0, 0);
	PQclear(r);
	return true;
}

bool pg_offers_round(PGconn *conn, int64_t default_capacity, const char *const *online,
		     size_t nonline, int64_t seconds, struct offer_note *notes, size_t *n,
		     int64_t *next_ms, struct api_error *err)
{
	char *ids = pg_uuid_array(online, nonline);
	int64_t now = ts_now();

	*n = 0;
	*next_ms = 0;
	if (!ids)
		return oom(err);
	bool ok = begin(conn, "begin a round of offers", err) && take_turn(conn, err) &&
		  offers_end(conn, now, notes, n, err) &&
		  (nonline == 0 ||
		   offers_make(conn, ids, default_capacity, now, seconds, notes, n, err)) &&
		  next_expiry(conn, next_ms, err);
	free(ids);
	if (!finish(conn, ok, "end a round of offers", err)) {
		*n = 0;
		*next_ms = 0;
		return false;
	}
	return true;
}

/* ---- an agent's answer --------------------------------------------------- */

/* An accept's offer: it must be the agent's and still open; it ends here
 * whatever follows (a chat taken meanwhile is then 409 "held"). The chat's
 * row is locked already (pg_chat_transaction): chat, then offer. */
static bool offer_take(PGconn *conn, const char *chat_id, const char *agent_id, int64_t now,
		       struct api_error *err)
{
	char at[PG_INT_LEN];
	const char *params[] = {chat_id, agent_id, pg_int(now, at)};
	PGresult *r = pg_api_query(conn,
				   "DELETE FROM offers WHERE chat_id = $1 AND agent_id = $2"
				   " AND expires_at > $3",
				   3, params, "take an offer", err);
	if (!r)
		return false;
	bool taken = strcmp(PQcmdTuples(r), "1") == 0;
	PQclear(r);
	return taken || api_error_set(err, API_CONFLICT, "%s", not_offered);
}

static bool accept(PGconn *conn, void *arg, struct chat *c, int64_t now, struct api_error *err)
{
	const struct pg_action *a = arg;

	/* A stopped chat's refusal is handover_takeover's, offer or not. */
	if (c->state != CHAT_STATE_STOPPED && !offer_take(conn, c->id, a->me->id, now, err))
		return false;
	return pg_take(conn, arg, c, now, err);
}

bool pg_offer_accept(PGconn *conn, const struct agent *me, const char *chat_id,
		     struct chat *out, struct api_error *err)
{
	struct pg_action a = {me, false};

	return pg_chat_transaction(conn, chat_id, accept, &a, out, err);
}

bool pg_offer_pass(PGconn *conn, const struct agent *me, const char *chat_id,
		   struct api_error *err)
{
	const char *params[] = {chat_id, me->id};
	PGresult *r = NULL;

	/* Not a uuid: offered to nobody (and a type error to PostgreSQL). */
	if (!uuid_valid(chat_id))
		return api_error_set(err, API_CONFLICT, "%s", not_offered);
	/* The chat, then its offer, as an accept locks them. */
	bool ok = begin(conn, "begin a pass", err) && take_turn(conn, err) &&
		  run_only(conn, "SELECT 1 FROM chats WHERE id = $1 FOR KEY SHARE", 1, params,
			   "lock a passed chat", err) &&
		  (r = pg_api_query(conn,
				    "WITH d AS (DELETE FROM offers WHERE chat_id = $1 AND agent_id = $2"
				    " RETURNING chat_id, agent_id),"
				    " p AS (INSERT INTO offer_passes SELECT chat_id, agent_id FROM d"
				    " ON CONFLICT DO NOTHING)"
				    " SELECT count(*) FROM d",
				    2, params, "pass an offer", err)) != NULL;
	ok = ok && (pg_col_int(r, 0, 0) == 1 || api_error_set(err, API_CONFLICT, "%s", not_offered));
	PQclear(r);
	return finish(conn, ok, "end a pass", err);
}

/* ---- agents going and coming --------------------------------------------- */

bool pg_offers_withdraw(PGconn *conn, const char *agent_id, struct offer_note *notes, size_t *n,
			struct api_error *err)
{
	char max[PG_INT_LEN];
	const char *params[] = {agent_id, pg_int(OFFER_ROUND_MAX, max)};
	PGresult *r = NULL;

	*n = 0;
	if (!uuid_valid(agent_id))
		return true; /* nobody's id: no offers */
	/* Every offer ends; the first OFFER_ROUND_MAX are noted, as in SQLite. */
	bool ok = begin(conn, "begin a withdrawal", err) && take_turn(conn, err) &&
		  (r = pg_api_query(conn,
				    "WITH d AS (DELETE FROM offers WHERE agent_id = $1 RETURNING chat_id)"
				    " SELECT chat_id FROM d LIMIT $2",
				    2, params, "withdraw offers", err)) != NULL;
	for (int i = 0; ok && i < PQntuples(r); i++) {
		uuid_str chat;
		pg_col_uuid(r, i, 0, chat);
		note_add(notes, n, chat, agent_id, 0);
	}
	PQclear(r);
	if (!finish(conn, ok, "end a withdrawal", err)) {
		*n = 0;
		return false;
	}
	return true;
}

bool pg_offers_of(PGconn *conn, const char *agent_id, struct chat_offer *out, size_t *n,
		  struct api_error *err)
{
	char at[PG_INT_LEN], max[PG_INT_LEN];
	int64_t now = ts_now();
	const char *params[] = {agent_id, pg_int(now, at), pg_int(OFFER_ROUND_MAX, max)};

	*n = 0;
	if (!uuid_valid(agent_id))
		return true;
	/* One statement: a transaction and a snapshot of its own. */
	PGresult *r = pg_api_query(conn,
				   "SELECT chat_id, expires_at FROM offers WHERE agent_id = $1"
				   " AND expires_at > $2 ORDER BY expires_at, chat_id LIMIT $3",
				   3, params, "read an agent's offers", err);
	if (!r)
		return false;
	for (int i = 0; i < PQntuples(r); i++) {
		pg_col_uuid(r, i, 0, out[*n].chat_id);
		/* Rounded up: an offer with 200 ms left is still open. */
		out[(*n)++].seconds = (pg_col_int(r, i, 1) - now + 999) / 1000;
	}
	PQclear(r);
	return true;
}
