/*
 * db_messages.c — a chat's thread: appending messages, reading pages of them,
 * and agents' replies and notes (see db.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"
#include "utf8.h"

#define MESSAGE_COLUMNS                                                                \
	"id, chat_id, seq, created_at, role, system_type, author_id, author_name, text, " \
	"client_msg_id, external_message_id"

static bool message_from_row(sqlite3_stmt *st, struct message *m)
{
	bool ok = true;

	memset(m, 0, sizeof *m);
	col_uuid(st, 0, m->id);
	col_uuid(st, 1, m->chat_id);
	m->seq = sqlite3_column_int64(st, 2);
	m->created_at = sqlite3_column_int64(st, 3);
	m->role = sqlite3_column_int(st, 4);
	m->system_type = sqlite3_column_int(st, 5);
	col_uuid(st, 6, m->author.id);
	m->author.name = col_strdup(st, 7, &ok);
	m->text = col_strdup(st, 8, &ok);
	m->client_msg_id = col_strdup(st, 9, &ok);
	m->external_message_id = col_strdup(st, 10, &ok);
	if (!ok)
		message_free(m);
	return ok;
}

/* The new message's row and the chat's count and previews, with the bump
 * of the change that records it (event `seq`, at the message's time). Notes
 * never become a preview, so no chat object carries a note's text. */
static bool store_message(struct db *db, const struct message *m, const char *ingest_account_id,
			  int64_t seq, struct api_error *err)
{
	if (!db_run(db,
		    "INSERT INTO messages (" MESSAGE_COLUMNS ", ingest_account_id)"
		    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
		    ARGS(ARG_T(m->id), ARG_T(m->chat_id), ARG_I(m->seq), ARG_I(m->created_at),
			 ARG_I(m->role), ARG_I(m->system_type),
			 ARG_T(m->author.id[0] ? m->author.id : NULL), ARG_T(m->author.name),
			 ARG_T(m->text), ARG_T(m->client_msg_id), ARG_T(m->external_message_id),
			 ARG_T(ingest_account_id)),
		    NULL, err))
		return false;
	if (m->role == MSG_ROLE_NOTE)
		return db_run(db,
			      "UPDATE chats SET message_count = message_count + 1, "
			      CHAT_BUMP("?", "?") " WHERE id = ?",
			      ARGS(ARG_I(m->created_at), ARG_I(seq), ARG_T(m->chat_id)), NULL, err);

	char *preview = strndup(m->text, utf8_prefix_bytes(m->text, PREVIEW_MAX_CHARS));
	if (!preview)
		return db_oom(err);
	/* SET expressions see the row before the UPDATE: latest shifts to
	 * previous. The wait clock (awaiting_since): an agent's message
	 * answers whoever waited; a customer's, in a chat an agent holds,
	 * starts the next-response clock unless an older one still runs. */
	bool ok = db_run(db,
			 "UPDATE chats SET message_count = message_count + 1,"
			 " previous_text = latest_text, previous_at = latest_at,"
			 " previous_role = latest_role, latest_text = ?1, latest_at = ?2,"
			 " latest_role = ?3, awaiting_since = CASE"
			 "  WHEN ?3 = ?4 THEN NULL"
			 "  WHEN ?3 = ?5 AND mode = 1 THEN coalesce(awaiting_since, ?2)"
			 "  ELSE awaiting_since END, " CHAT_BUMP("?2", "?7")
			 " WHERE id = ?6",
			 ARGS(ARG_T(preview), ARG_I(m->created_at), ARG_I(m->role),
			      ARG_I(MSG_ROLE_AGENT), ARG_I(MSG_ROLE_USER), ARG_T(m->chat_id),
			      ARG_I(seq)),
			 NULL, err);
	free(preview);
	return ok;
}

bool message_append(struct db *db, const char *chat_id, const struct message_spec *spec,
		    int64_t now, struct message *msg, struct chat *chat, struct api_error *err)
{
	/* The strings are borrowed from spec: m only lives for the event. */
	struct message m = {
		.created_at = now, .role = spec->role, .system_type = spec->system_type,
		.author.name = (char *)spec->author_name, .text = (char *)spec->text,
		.client_msg_id = (char *)spec->client_msg_id,
		.external_message_id = (char *)spec->external_message_id,
	};
	struct errbuf why;
	int64_t seq = 0;
	bool found;

	snprintf(m.chat_id, sizeof m.chat_id, "%s", chat_id);
	snprintf(m.author.id, sizeof m.author.id, "%s", spec->author_id ? spec->author_id : "");
	if (!db_get_int(db, "SELECT message_count + 1 FROM chats WHERE id = ?",
			ARGS(ARG_T(chat_id)), &m.seq, &found, err))
		return false;
	if (!found)
		return api_error_set(err, API_RESOURCE_NOT_FOUND, "no chat with id %s", chat_id);
	if (!uuid_generate(m.id, &why))
		return api_error_set(err, API_INTERNAL, "%s", why.msg);
	if (!event_seq_next(db, &seq, err) ||
	    !store_message(db, &m, spec->ingest_account_id, seq, err) ||
	    !chat_event(db, chat_id, EVENT_MESSAGE_CREATED, &m, seq, now, chat, err))
		return false;
	return !msg || message_copy(msg, &m) || db_oom(err);
}

bool system_message(struct db *db, const char *chat_id, enum system_type type,
		    const struct agent *me, const char *text, int64_t now, struct chat *chat,
		    struct api_error *err)
{
	struct message_spec spec = {
		.role = MSG_ROLE_SYSTEM, .system_type = type,
		.author_id = me ? me->id : NULL, .author_name = me ? me->name : "system",
		.text = text,
	};

	return message_append(db, chat_id, &spec, now, NULL, chat, err);
}

/* ---- reading ------------------------------------------------------------ */

/* Up to `limit` rows of `st` into p (which has room), reversed when the
 * query walked backwards, so the page is always ascending. */
static bool read_messages(struct db *db, sqlite3_stmt *st, bool backwards,
			  struct message_page *p, struct api_error *err)
{
	int rc;

	while ((rc = db_step(db, st, err)) == SQLITE_ROW) {
		if (!message_from_row(st, &p->messages[p->count]))
			return db_oom(err);
		p->count++;
	}
	for (size_t i = 0; backwards && i < p->count / 2; i++) {
		struct message t = p->messages[i];
		p->messages[i] = p->messages[p->count - 1 - i];
		p->messages[p->count - 1 - i] = t;
	}
	return rc == SQLITE_DONE;
}

static bool list_messages(struct db *db, const char *chat_id, int64_t before, int64_t after,
			  int limit, struct message_page *p, struct api_error *err)
{
	int64_t count;
	bool found;

	if (!db_get_int(db, "SELECT message_count FROM chats WHERE id = ?", ARGS(ARG_T(chat_id)),
			&count, &found, err))
		return false;
	if (!found)
		return api_error_set(err, API_RESOURCE_NOT_FOUND, "no chat with id %s", chat_id);
	p->messages = calloc((size_t)limit, sizeof *p->messages);
	if (!p->messages)
		return db_oom(err);

	/* Without a bound, the newest page is the one before count + 1. */
	bool backwards = after < 0;
	sqlite3_stmt *st =
		backwards ? db_query(db,
				     "SELECT " MESSAGE_COLUMNS " FROM messages WHERE chat_id = ?"
				     " AND seq < ? ORDER BY seq DESC LIMIT ?",
				     ARGS(ARG_T(chat_id), ARG_I(before ? before : count + 1),
					  ARG_I(limit)),
				     err)
			  : db_query(db,
				     "SELECT " MESSAGE_COLUMNS " FROM messages WHERE chat_id = ?"
				     " AND seq > ? ORDER BY seq LIMIT ?",
				     ARGS(ARG_T(chat_id), ARG_I(after), ARG_I(limit)), err);
	if (!st)
		return false;
	bool ok = read_messages(db, st, backwards, p, err);
	db_release(db, st);
	/* seq is gap-free from 1: anything below the first one exists. */
	if (p->count)
		p->has_more_before = p->messages[0].seq > 1;
	else
		p->has_more_before = after > 0 && count > 0;
	return ok;
}

bool db_messages_list(struct db *db, const char *chat_id, int64_t before_seq, int64_t after_seq,
		      int limit, struct message_page *out, struct api_error *err)
{
	struct message_page p = {0};

	if (limit < 1 || limit > 100)
		return api_error_set(err, API_INVALID_QUERY, "limit: must be 1..100");
	if (before_seq && after_seq >= 0)
		return api_error_set(err, API_INVALID_QUERY,
				     "before_seq and after_seq cannot be combined");
	if (!db_begin_read(db, err))
		return false;
	bool ok = list_messages(db, chat_id, before_seq, after_seq, limit, &p, err);
	if (!db_finish(db, ok, err)) {
		message_page_free(&p);
		return false;
	}
	*out = p;
	return true;
}

/* ---- replies and notes ------------------------------------------------- */

struct reply {
	const struct agent *me;
	const char *text, *client_msg_id;
	bool internal;
	struct message msg; /* the result */
	bool created;
};

/* The one message `st` (a SELECT of MESSAGE_COLUMNS) finds, if any. */
static bool find_message(struct db *db, sqlite3_stmt *st, struct message *out, bool *found,
			 struct api_error *err)
{
	if (!st)
		return false;
	int rc = db_step(db, st, err);
	*found = rc == SQLITE_ROW;
	bool ok = rc == SQLITE_DONE || (rc == SQLITE_ROW && (message_from_row(st, out) || db_oom(err)));
	db_release(db, st);
	return ok;
}

/* The message this author already wrote in this chat under client_msg_id,
 * if any. The key is the author's: another agent reusing it (by accident
 * or to read it) writes a message of their own. */
static bool find_by_client_id(struct db *db, const char *chat_id, const char *author_id,
			      const char *client_msg_id, struct message *out, bool *found,
			      struct api_error *err)
{
	/* Spelled like the unique index messages_client, which answers it. */
	return find_message(db,
			    db_query(db,
				     "SELECT " MESSAGE_COLUMNS " FROM messages WHERE chat_id = ?"
				     " AND author_id = ? AND client_msg_id = ?",
				     ARGS(ARG_T(chat_id), ARG_T(author_id), ARG_T(client_msg_id)),
				     err),
			    out, found, err);
}

bool message_find_external(struct db *db, const char *chat_id, const char *ingest_account_id,
			   const char *external_message_id, struct message *out, bool *found,
			   struct api_error *err)
{
	/* Spelled like the unique index messages_external, which answers it. */
	return find_message(db,
			    db_query(db,
				     "SELECT " MESSAGE_COLUMNS " FROM messages WHERE chat_id = ?"
				     " AND ingest_account_id = ? AND external_message_id = ?",
				     ARGS(ARG_T(chat_id), ARG_T(ingest_account_id),
					  ARG_T(external_message_id)),
				     err),
			    out, found, err);
}

/* A reply needs the caller to hold the chat; a note may be written by any
 * agent, on any chat, stopped ones included (filing notes after the fact). */
static bool may_reply(const struct chat *c, const struct agent *me, struct api_error *err)
{
	if (c->state == CHAT_STATE_STOPPED)
		return api_error_set(err, API_CONFLICT, "chat is stopped");
	if (c->mode != CHAT_MODE_AGENT || c->responder.type != RESPONDER_AGENT)
		return api_error_set(err, API_CONFLICT, "take over the chat before replying");
	if (strcmp(c->responder.id, me->id) != 0)
		return api_error_set(err, API_CONFLICT, "chat is held by agent %s",
				     c->responder.name ? c->responder.name : c->responder.id);
	return true;
}

static bool apply_reply(struct db *db, void *arg, struct chat *c, int64_t now,
			struct api_error *err)
{
	struct reply *r = arg;
	bool found = false;

	/* A retry of a message already stored answers with the first one, even
	 * if the chat changed hands since: the client only wants to know it
	 * arrived. */
	if (r->client_msg_id &&
	    !find_by_client_id(db, c->id, r->me->id, r->client_msg_id, &r->msg, &found, err))
		return false;
	if (found)
		return true;
	if (!r->internal && !may_reply(c, r->me, err))
		return false;

	struct message_spec spec = {
		.role = r->internal ? MSG_ROLE_NOTE : MSG_ROLE_AGENT,
		.author_id = r->me->id, .author_name = r->me->name,
		.text = r->text, .client_msg_id = r->client_msg_id,
	};
	r->created = true;
	return message_append(db, c->id, &spec, now, &r->msg, c, err);
}

bool db_reply(struct db *db, const struct agent *me, const char *chat_id, const char *text,
	      const char *client_msg_id, bool internal, struct message *out, bool *created,
	      struct api_error *err)
{
	struct reply r = {.me = me, .text = text, .client_msg_id = client_msg_id,
			  .internal = internal};
	struct chat c;

	if (!chat_transaction(db, chat_id, apply_reply, &r, &c, err)) {
		message_free(&r.msg);
		return false;
	}
	chat_free(&c);
	*out = r.msg;
	*created = r.created;
	return true;
}
