/*
 * db_events.c — the event log: appending one event per change, replay, and
 * retention (see db.h).
 *
 * Retention compacts rather than truncates: below the floor, only the last
 * event of each chat before the floor survives. Replay needs only the events
 * at or above the floor (db_events_oldest), but the list cursors need "the
 * chat as of seq S" for any S >= floor - 1, and that is a chat's latest event
 * row with seq <= S, which compaction keeps (db_list.c).
 *
 * Ingest accounts see a part of the log only (INGEST_SCOPE): a bridge for
 * one platform must not read another platform's customers. The same
 * predicate filters replay (in the query) and live events (the server asks
 * db_ingest_may_see for each), so the two can never disagree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "db_internal.h"
#include "log.h"

/* Events pruned per step: small enough that a step costs a few milliseconds
 * after the commit that triggers it. */
#define PRUNE_BATCH 2000

/* SQL for "the chat `chat` is in the scope of the ingest account `acct`":
 * the account created it, or was granted its creator or its platform label
 * (db_grants.c). Chats from before v1.1 have no source, so no ingest
 * account sees them. */
#define INGEST_SCOPE(chat, acct)                                                          \
	"EXISTS (SELECT 1 FROM chats c WHERE c.id = " chat " AND (c.source_account_id = " \
	acct " OR EXISTS (SELECT 1 FROM ingest_grants g WHERE g.account_id = " acct       \
	" AND ((g.kind = 0 AND g.source = c.source_account_id)"                            \
	" OR (g.kind = 1 AND g.source = c.source_platform)))))"

static bool pending_push(struct db *db, int64_t seq, const char *chat_id, const char *source,
			 char *json, bool note)
{
	if (db->npending == db->pending_cap) {
		size_t cap = db->pending_cap ? db->pending_cap * 2 : 4;
		struct pending_event *p = realloc(db->pending, cap * sizeof *p);
		if (!p)
			return false;
		db->pending = p;
		db->pending_cap = cap;
	}
	struct pending_event *p = &db->pending[db->npending++];
	*p = (struct pending_event){seq, json, strlen(json), note, {0}, {0}};
	snprintf(p->chat_id, sizeof p->chat_id, "%s", chat_id);
	snprintf(p->source, sizeof p->source, "%s", source);
	return true;
}

bool event_seq_next(struct db *db, int64_t *seq, struct api_error *err)
{
	bool found;

	return db_get_int(db, "SELECT coalesce(max(seq), 0) + 1 FROM events", NO_ARGS, seq, &found,
			  err);
}

bool chat_changed(struct db *db, const char *id, enum event_type type, const struct message *m,
		  int64_t now, struct chat *out, struct api_error *err)
{
	int64_t seq = 0;

	return event_seq_next(db, &seq, err) &&
	       db_run(db, "UPDATE chats SET " CHAT_BUMP("?", "?") " WHERE id = ?",
		      ARGS(ARG_I(now), ARG_I(seq), ARG_T(id)), NULL, err) &&
	       chat_event(db, id, type, m, seq, now, out, err);
}

bool chat_event(struct db *db, const char *id, enum event_type type, const struct message *m,
		int64_t seq, int64_t now, struct chat *out, struct api_error *err)
{
	uuid_str chat_id;

	/* Copied: callers often pass out->id, which chat_free(out) clears. */
	snprintf(chat_id, sizeof chat_id, "%s", id);
	chat_free(out);
	if (!chat_load(db, chat_id, out, err))
		return false;

	struct event ev = {.type = type, .seq = seq, .at = now, .chat = out,
			   .message = (struct message *)m};
	bool note = m && m->role == MSG_ROLE_NOTE;
	char *json = event_to_string(&ev);
	if (!json)
		return db_oom(err);
	bool ok = db_run(db,
			 "INSERT INTO events (seq, chat_id, type, at, note, json, " SNAPSHOT_COLUMNS
			 ") SELECT ?, id, ?, ?, ?, ?, " SNAPSHOT_COLUMNS " FROM chats WHERE id = ?",
			 ARGS(ARG_I(seq), ARG_I(type), ARG_I(now), ARG_I(note), ARG_T(json),
			      ARG_T(chat_id)),
			 NULL, err);
	if (ok && !pending_push(db, seq, chat_id, out->source.account_id, json, note))
		ok = db_oom(err);
	if (!ok)
		free(json);
	return ok;
}

int64_t db_events_head(struct db *db)
{
	struct api_error err;
	int64_t head = 0;
	bool found;

	db_get_int(db, "SELECT coalesce(max(seq), 0) FROM events", NO_ARGS, &head, &found, &err);
	return head;
}

int64_t db_events_oldest(struct db *db)
{
	return db->floor;
}

bool db_ingest_may_see(struct db *db, const char *ingest_id, const char *chat_id)
{
	struct api_error err;
	int64_t yes = 0;
	bool found;

	return db_get_int(db, "SELECT " INGEST_SCOPE("?1", "?2"),
			  ARGS(ARG_T(chat_id), ARG_T(ingest_id)), &yes, &found, &err) &&
	       found && yes;
}

/* The next `limit` events after `since`; for an ingest account only those
 * in its scope, never notes. */
static sqlite3_stmt *events_query(struct db *db, int64_t since, int limit, const char *ingest_id,
				  struct api_error *err)
{
	if (!ingest_id)
		return db_query(db,
				"SELECT seq, json, note, chat_id FROM events WHERE seq > ?"
				" ORDER BY seq LIMIT ?",
				ARGS(ARG_I(since), ARG_I(limit)), err);
	return db_query(db,
			"SELECT seq, json, note, chat_id FROM events e WHERE seq > ?2 AND note = 0"
			" AND " INGEST_SCOPE("e.chat_id", "?1") " ORDER BY seq LIMIT ?3",
			ARGS(ARG_T(ingest_id), ARG_I(since), ARG_I(limit)), err);
}

int db_events_after(struct db *db, int64_t since, int limit, const char *ingest_id,
		    db_event_fn *fn, void *ctx)
{
	struct api_error err;
	struct pending_event *list;
	int n = 0, rc = SQLITE_DONE;
	bool ok = true;

	if (limit <= 0)
		return 0;
	if (since < db->floor - 1)
		since = db->floor - 1; /* below the floor only compacted leftovers remain */
	list = calloc((size_t)limit, sizeof *list);
	sqlite3_stmt *st = list ? events_query(db, since, limit, ingest_id, &err) : NULL;
	if (!st) {
		free(list);
		return -1;
	}
	/* Collect first, call back after: a callback may use the db. */
	while (ok && (rc = db_step(db, st, &err)) == SQLITE_ROW) {
		list[n].seq = sqlite3_column_int64(st, 0);
		list[n].json = col_strdup(st, 1, &ok);
		list[n].len = (size_t)sqlite3_column_bytes(st, 1);
		list[n].note = sqlite3_column_int(st, 2) != 0;
		col_uuid(st, 3, list[n].chat_id);
		n++;
	}
	ok = ok && rc == SQLITE_DONE;
	db_release(db, st);
	for (int i = 0; i < n; i++) {
		struct db_event ev = {list[i].seq, list[i].json, list[i].len, list[i].note,
				      list[i].chat_id, list[i].source};
		if (ok)
			fn(ctx, &ev);
		free(list[i].json);
	}
	free(list);
	return ok ? n : -1;
}

/* Move the floor up by at most one batch: drop the events below the new
 * floor except each chat's last one, and the older leftovers those replace.
 * Runs in its own transaction, after the commit that made the log long. */
void events_prune(struct db *db, int64_t head)
{
	struct api_error err;
	int64_t floor = db->floor;

	if ((head - floor + 1) * 10 <= db->retained * 12)
		return;
	int64_t cutoff = head - db->retained + 1;
	if (cutoff > floor + PRUNE_BATCH)
		cutoff = floor + PRUNE_BATCH;

	bool ok = db_begin_write(db, &err) &&
		  db_run(db,
			 "DELETE FROM events WHERE seq IN (SELECT (SELECT max(o.seq) FROM events o"
			 " WHERE o.chat_id = w.chat_id AND o.seq < ?) FROM (SELECT DISTINCT chat_id"
			 " FROM events WHERE seq >= ? AND seq < ?) w)",
			 ARGS(ARG_I(floor), ARG_I(floor), ARG_I(cutoff)), NULL, &err) &&
		  db_run(db,
			 "DELETE FROM events WHERE seq >= ? AND seq < ? AND EXISTS (SELECT 1"
			 " FROM events l WHERE l.chat_id = events.chat_id AND l.seq > events.seq"
			 " AND l.seq < ?)",
			 ARGS(ARG_I(floor), ARG_I(cutoff), ARG_I(cutoff)), NULL, &err) &&
		  db_run(db, "UPDATE meta SET value = ? WHERE key = 'events_floor'",
			 ARGS(ARG_I(cutoff)), NULL, &err);
	if (db_finish(db, ok, &err))
		db->floor = cutoff;
	else
		log_warn("pruning old events failed; will retry: %s", err.description);
}
