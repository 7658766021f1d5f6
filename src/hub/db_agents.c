/*
 * db_agents.c — agents' capacity and auto-assignment's offers (see db.h).
 *
 * An offer is a row of `offers`, one per chat at most (its primary key):
 * whoever inserts it first, in this hub or another on the same file, made
 * the offer, and every other insert changes nothing. Accepting it is a
 * takeover that also deletes the agent's open offer (db_actions.c), so the
 * one holder is decided like any takeover, by the conditional UPDATE of
 * the chat's holder: a colleague's manual takeover racing the accept wins
 * or loses as a whole. Status (online, away) is not here: it is the
 * server's, in memory (server_agents.c), and comes in as the list of ids
 * who may be offered a chat.
 */
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "db_internal.h"

void db_set_default_capacity(struct db *db, int64_t capacity)
{
	db->default_capacity = capacity;
}

bool db_agent_set_capacity(struct db *db, const char *id, int64_t capacity, struct agent *out,
			   struct api_error *err)
{
	int changes = 0;
	bool ok = db_begin_write(db, err) &&
		  db_run(db, "UPDATE accounts SET capacity = ? WHERE id = ? AND role <> 2",
			 ARGS(ARG_I(capacity), ARG_T(id)), &changes, err);

	ok = ok && (changes == 1 ||
		    api_error_set(err, API_RESOURCE_NOT_FOUND, "no agent with id %s", id));
	return db_finish(db, ok, err) && db_agent_get(db, id, out, err);
}

/* Room left of an agent `a.` (the accounts row): capacity, less the chats
 * held and the offers open. ?3 is the default capacity. */
#define FREE_ROOM                                                                   \
	"(coalesce(a.capacity, ?3) - (SELECT count(*) FROM chats c"               \
	" WHERE c.responder_id = a.id) - (SELECT count(*) FROM offers f"           \
	" WHERE f.agent_id = a.id))"

static bool note_add(struct offer_note *notes, size_t *n, const char *chat, const char *agent,
		     int64_t seconds)
{
	if (*n == OFFER_ROUND_MAX)
		return false;
	memcpy(notes[*n].chat_id, chat, sizeof notes[*n].chat_id);
	memcpy(notes[*n].agent_id, agent, sizeof notes[*n].agent_id);
	notes[(*n)++].seconds = seconds;
	return true;
}

/* End the offers that expired (a pass each) or whose chat no longer waits
 * (taken, handed back, stopped), noting each. */
static bool offers_end(struct db *db, int64_t now, struct offer_note *notes, size_t *n,
		       struct api_error *err)
{
	sqlite3_stmt *st = db_query(db,
				    "SELECT f.chat_id, f.agent_id, f.expires_at <= ?1 FROM offers f"
				    " JOIN chats c ON c.id = f.chat_id WHERE f.expires_at <= ?1"
				    " OR NOT (c.escalated = 1 AND c.mode = 0 AND c.state = 0)",
				    ARGS(ARG_I(now)), err);
	bool expired[OFFER_ROUND_MAX];
	uuid_str chat, agent;
	bool ok = st != NULL;
	int rc = SQLITE_DONE;

	/* The statement reads offers: the deletes wait until it is done. */
	while (ok && *n < OFFER_ROUND_MAX && (rc = db_step(db, st, err)) == SQLITE_ROW) {
		col_uuid(st, 0, chat);
		col_uuid(st, 1, agent);
		expired[*n] = sqlite3_column_int(st, 2);
		note_add(notes, n, chat, agent, 0);
	}
	ok = ok && (rc == SQLITE_DONE || rc == SQLITE_ROW);
	db_release(db, st);
	for (size_t i = 0; ok && i < *n; i++) {
		if (expired[i])
			ok = db_run(db, "INSERT OR IGNORE INTO offer_passes VALUES (?, ?)",
				    ARGS(ARG_T(notes[i].chat_id), ARG_T(notes[i].agent_id)), NULL,
				    err);
		ok = ok && db_run(db, "DELETE FROM offers WHERE chat_id = ?",
				  ARGS(ARG_T(notes[i].chat_id)), NULL, err);
	}
	/* Passes matter while a chat waits; one taken and escalated again
	 * later is offered to everyone afresh. */
	return ok && db_run(db,
			    "DELETE FROM offer_passes WHERE NOT EXISTS (SELECT 1 FROM chats c"
			    " WHERE c.id = offer_passes.chat_id AND c.escalated = 1 AND c.mode = 0)",
			    NO_ARGS, NULL, err);
}

/* The agent of `online` (a JSON array of ids, ?1) to offer chat ?2 to, or
 * *found false when nobody has room. */
static bool best_agent(struct db *db, const char *online, const char *chat, uuid_str out,
		       bool *found, struct api_error *err)
{
	sqlite3_stmt *st = db_query(
		db,
		"SELECT a.id FROM accounts a JOIN json_each(?1) o ON o.value = a.id"
		" WHERE a.role <> 2 AND " FREE_ROOM " > 0 AND NOT EXISTS (SELECT 1 FROM"
		" offer_passes p WHERE p.chat_id = ?2 AND p.agent_id = a.id)"
		" ORDER BY " FREE_ROOM " DESC, coalesce(a.assigned_at, 0), a.id LIMIT 1",
		ARGS(ARG_T(online), ARG_T(chat), ARG_I(db->default_capacity)), err);
	if (!st)
		return false;
	int rc = db_step(db, st, err);
	*found = rc == SQLITE_ROW;
	if (*found)
		col_uuid(st, 0, out);
	db_release(db, st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

/* Offer waiting chats without an offer, oldest first, while notes last. */
static bool offers_make(struct db *db, const char *online, int64_t now, int64_t seconds,
			struct offer_note *notes, size_t *n, struct api_error *err)
{
	/* Spelled like the queue's partial index (chats_queue). */
	sqlite3_stmt *st = db_query(db,
				    "SELECT id FROM chats WHERE escalated = 1 AND mode = 0"
				    " AND state = 0 AND id NOT IN (SELECT chat_id FROM offers)"
				    " ORDER BY wait_key, id LIMIT ?",
				    ARGS(ARG_I(OFFER_ROUND_MAX)), err);
	uuid_str chats[OFFER_ROUND_MAX], anyone;
	size_t nchats = 0;
	int rc = SQLITE_DONE;
	bool ok = st != NULL, room = false;

	while (ok && (rc = db_step(db, st, err)) == SQLITE_ROW)
		col_uuid(st, 0, chats[nchats++]);
	ok = ok && rc == SQLITE_DONE;
	db_release(db, st);
	/* Nobody online has room (no chat id passes nobody): the queue waits,
	 * without a look for each of its chats. */
	ok = ok && (!nchats || best_agent(db, online, "", anyone, &room, err));
	for (size_t i = 0; ok && room && i < nchats && *n < OFFER_ROUND_MAX; i++) {
		uuid_str agent;
		bool found = false;
		int changes = 0;
		ok = best_agent(db, online, chats[i], agent, &found, err);
		if (!ok || !found)
			continue;
		ok = db_run(db, "INSERT OR IGNORE INTO offers VALUES (?, ?, ?)",
			    ARGS(ARG_T(chats[i]), ARG_T(agent), ARG_I(now + seconds * 1000)),
			    &changes, err);
		if (ok && changes == 1)
			note_add(notes, n, chats[i], agent, seconds);
	}
	return ok;
}

/* The ids as a JSON array, for json_each. */
static char *ids_json(const char *const *ids, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	bool ok = a != NULL;

	for (size_t i = 0; ok && i < n; i++)
		ok = cJSON_AddItemToArray(a, cJSON_CreateString(ids[i]));
	char *s = ok ? cJSON_PrintUnformatted(a) : NULL;
	cJSON_Delete(a);
	return s;
}

bool db_offers_round(struct db *db, const char *const *online, size_t nonline, int64_t seconds,
		     struct offer_note *notes, size_t *n, int64_t *next_ms,
		     struct api_error *err)
{
	char *ids = ids_json(online, nonline);
	int64_t now = ts_now();
	bool found = false;

	*n = 0;
	*next_ms = 0;
	if (!ids)
		return db_oom(err);
	bool ok = db_begin_write(db, err) && offers_end(db, now, notes, n, err) &&
		  (nonline == 0 || offers_make(db, ids, now, seconds, notes, n, err)) &&
		  db_get_int(db, "SELECT min(expires_at) FROM offers", NO_ARGS, next_ms, &found,
			     err);
	free(ids);
	if (!db_finish(db, ok, err)) {
		*n = 0;
		return false;
	}
	return true;
}

bool db_offer_pass(struct db *db, const struct agent *me, const char *chat_id,
		   struct api_error *err)
{
	int changes = 0;
	bool ok = db_begin_write(db, err) &&
		  db_run(db, "DELETE FROM offers WHERE chat_id = ? AND agent_id = ?",
			 ARGS(ARG_T(chat_id), ARG_T(me->id)), &changes, err);

	ok = ok && (changes == 1 ||
		    api_error_set(err, API_CONFLICT, "the chat is not offered to you (or no longer)"));
	ok = ok && db_run(db, "INSERT OR IGNORE INTO offer_passes VALUES (?, ?)",
			  ARGS(ARG_T(chat_id), ARG_T(me->id)), NULL, err);
	return db_finish(db, ok, err);
}

bool db_offers_withdraw(struct db *db, const char *agent_id, struct offer_note *notes, size_t *n,
			struct api_error *err)
{
	sqlite3_stmt *st;
	int rc = SQLITE_DONE;

	*n = 0;
	if (!db_begin_write(db, err))
		return false;
	bool ok = (st = db_query(db, "SELECT chat_id FROM offers WHERE agent_id = ? LIMIT ?",
				 ARGS(ARG_T(agent_id), ARG_I(OFFER_ROUND_MAX)), err)) != NULL;
	while (ok && (rc = db_step(db, st, err)) == SQLITE_ROW) {
		uuid_str chat;
		col_uuid(st, 0, chat);
		note_add(notes, n, chat, agent_id, 0);
	}
	ok = ok && rc == SQLITE_DONE;
	db_release(db, st);
	ok = ok && db_run(db, "DELETE FROM offers WHERE agent_id = ?", ARGS(ARG_T(agent_id)), NULL,
			  err);
	if (!db_finish(db, ok, err)) {
		*n = 0;
		return false;
	}
	return true;
}

bool db_offers_of(struct db *db, const char *agent_id, struct chat_offer *out, size_t *n,
		  struct api_error *err)
{
	int64_t now = ts_now();
	int rc = SQLITE_DONE;

	*n = 0;
	if (!db_begin_read(db, err))
		return false;
	sqlite3_stmt *st = db_query(db,
				    "SELECT chat_id, expires_at FROM offers WHERE agent_id = ?"
				    " AND expires_at > ? ORDER BY expires_at LIMIT ?",
				    ARGS(ARG_T(agent_id), ARG_I(now), ARG_I(OFFER_ROUND_MAX)), err);
	bool ok = st != NULL;
	while (ok && (rc = db_step(db, st, err)) == SQLITE_ROW) {
		col_uuid(st, 0, out[*n].chat_id);
		/* Rounded up: an offer with 200 ms left is still open. */
		out[(*n)++].seconds = (sqlite3_column_int64(st, 1) - now + 999) / 1000;
	}
	ok = ok && rc == SQLITE_DONE;
	db_release(db, st);
	return db_finish(db, ok, err);
}
