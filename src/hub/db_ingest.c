/*
 * db_ingest.c — customer and bot messages in (POST /v1/ingest/messages, see
 * db.h) and a batch of them in one transaction (POST /v1/ingest/batch):
 * find or create the chat, enforce the handoff, append the message and
 * escalate once.
 */
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"

/* The channel (type, name), created on first use; *id gets its id. */
static bool channel_id(struct db *db, enum channel_type type, const char *name, uuid_str id,
		       struct api_error *err)
{
	struct errbuf why;
	sqlite3_stmt *st;

	if (!uuid_generate(id, &why))
		return api_error_set(err, API_INTERNAL, "%s", why.msg);
	if (!db_run(db,
		    "INSERT INTO channels (id, type, name) VALUES (?, ?, ?)"
		    " ON CONFLICT (type, name) DO NOTHING",
		    ARGS(ARG_T(id), ARG_I(type), ARG_T(name)), NULL, err) ||
	    !(st = db_query(db, "SELECT id FROM channels WHERE type = ? AND name = ?",
			    ARGS(ARG_I(type), ARG_T(name)), err)))
		return false;
	int rc = db_step(db, st, err);
	if (rc == SQLITE_ROW)
		col_uuid(st, 0, id);
	db_release(db, st);
	return rc == SQLITE_ROW;
}

/* The owner: the known one with this external id, else a new one. An
 * existing owner keeps the name it was created with; an email or phone
 * it has none of yet is filled in (a bridge often learns them later in
 * the conversation), one it has is kept. */
static bool owner_id(struct db *db, const struct ingest *in, uuid_str id, char **name,
		     struct api_error *err)
{
	struct errbuf why;
	bool ok = true;

	if (in->owner_external_id) {
		sqlite3_stmt *st = db_query(db, "SELECT id, name FROM owners WHERE external_id = ?",
					    ARGS(ARG_T(in->owner_external_id)), err);
		if (!st)
			return false;
		int rc = db_step(db, st, err);
		if (rc == SQLITE_ROW) {
			col_uuid(st, 0, id);
			*name = col_strdup(st, 1, &ok);
		}
		db_release(db, st);
		if (rc == SQLITE_ROW && ok && (in->owner_email || in->owner_phone))
			return db_run(db,
				      "UPDATE owners SET email = coalesce(email, ?),"
				      " phone = coalesce(phone, ?) WHERE id = ?",
				      ARGS(ARG_T(in->owner_email), ARG_T(in->owner_phone), ARG_T(id)),
				      NULL, err);
		if (rc != SQLITE_DONE)
			return rc == SQLITE_ROW && (ok || db_oom(err));
	}
	/* Unnamed customers go by their platform id, or as "Customer". */
	const char *n = in->owner_name    ? in->owner_name
			: in->owner_external_id ? in->owner_external_id
						: "Customer";
	if (!uuid_generate(id, &why))
		return api_error_set(err, API_INTERNAL, "%s", why.msg);
	if (!(*name = strdup(n)))
		return db_oom(err);
	return db_run(db,
		      "INSERT INTO owners (id, external_id, name, email, phone) VALUES (?, ?, ?, ?, ?)",
		      ARGS(ARG_T(id), ARG_T(in->owner_external_id), ARG_T(n),
			   ARG_T(in->owner_email), ARG_T(in->owner_phone)),
		      NULL, err);
}

/* A new chat in AI mode, announced by chat.created (version 1, no message:
 * the insert makes chat_changed's bump itself). Its source is the calling
 * account and the platform it names. */
static bool create_chat(struct db *db, const struct agent *me, const struct ingest *in,
			int64_t now, struct chat *c, struct api_error *err)
{
	const char *channel_name = in->channel_name ? in->channel_name
						    : channel_type_name(in->channel_type);
	uuid_str id, channel, owner;
	char *owner_name = NULL;
	struct errbuf why;
	int64_t seq = 0;

	if (!uuid_generate(id, &why))
		return api_error_set(err, API_INTERNAL, "%s", why.msg);
	bool ok = channel_id(db, in->channel_type, channel_name, channel, err) &&
		  owner_id(db, in, owner, &owner_name, err) && event_seq_next(db, &seq, err) &&
		  db_run(db,
			 "INSERT INTO chats (id, external_id, channel_id, channel_type, owner_id,"
			 " owner_name, created_at, updated_at, source_platform, source_account_id,"
			 " responder_type, mode, escalated, state, message_count, version,"
			 " last_event_seq)"
			 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0, 1, ?)",
			 ARGS(ARG_T(id), ARG_T(in->external_id), ARG_T(channel),
			      ARG_I(in->channel_type), ARG_T(owner), ARG_T(owner_name), ARG_I(now),
			      ARG_I(now), ARG_T(in->source_platform), ARG_T(me->id), ARG_I(seq)),
			 NULL, err) &&
		  chat_event(db, id, EVENT_CHAT_CREATED, NULL, seq, now, c, err);
	free(owner_name);
	db->chats_created += ok;
	return ok;
}

/* The chat the message belongs to: `known` when the caller has it as it is
 * now, else by id (which must exist), by external id, or a new one. A
 * chat_id wins over an external_id. */
static bool find_or_create(struct db *db, const struct agent *me, const struct ingest *in,
			   const struct chat *known, int64_t now, struct chat *c,
			   struct api_error *err)
{
	if (known)
		return chat_copy(c, known) || db_oom(err);
	if (in->chat_id[0])
		return chat_load(db, in->chat_id, c, err);
	if (in->external_id) {
		sqlite3_stmt *st = db_query(db, "SELECT id FROM chats WHERE external_id = ?",
					    ARGS(ARG_T(in->external_id)), err);
		uuid_str id = "";
		if (!st)
			return false;
		int rc = db_step(db, st, err);
		if (rc == SQLITE_ROW)
			col_uuid(st, 0, id);
		db_release(db, st);
		if (rc == SQLITE_ROW)
			return chat_load(db, id, c, err);
		if (rc != SQLITE_DONE)
			return false;
	}
	return create_chat(db, me, in, now, c, err);
}

static bool ingest(struct db *db, const struct agent *me, const struct ingest *in,
		   const struct chat *known, struct chat *c, struct message *m, bool *created,
		   struct api_error *err)
{
	int64_t now = ts_now();
	int changes = 0;
	bool found = false;

	if (!find_or_create(db, me, in, known, now, c, err))
		return false;
	/*
	 * A retry of a message already stored answers with the first one and
	 * does nothing else (no escalation either), even if the chat has since
	 * been stopped or taken over: the bridge only wants to know it arrived
	 * and under which id. The write lock taken by BEGIN IMMEDIATE makes this
	 * lookup and the insert below one step for every writer; the unique
	 * index messages_external refuses a second row whatever happens.
	 */
	if (in->external_message_id &&
	    !message_find_external(db, c->id, me->id, in->external_message_id, m, &found, err))
		return false;
	if (found)
		return true;
	*created = true;
	if (c->state == CHAT_STATE_STOPPED)
		return api_error_set(err, API_CONFLICT, "chat is stopped");
	if (in->role == MSG_ROLE_BOT && c->mode == CHAT_MODE_AGENT)
		return api_error_set(err, API_CONFLICT,
				     "an agent holds this chat; the bot must stay silent");

	/* Customers have no account; a bot speaks as its ingest account. The
	 * name is copied because appending reloads *c. */
	bool bot = in->role == MSG_ROLE_BOT;
	char *author = strdup(bot ? me->name : c->owner.name);
	if (!author)
		return db_oom(err);
	struct message_spec spec = {
		.role = in->role, .author_id = bot ? me->id : NULL, .author_name = author,
		.text = in->text, .ingest_account_id = me->id,
		.external_message_id = in->external_message_id,
	};
	bool ok = message_append(db, c->id, &spec, now, m, c, err);
	free(author);
	if (!ok || !in->escalate)
		return ok;
	/* Escalating an escalated chat adds nothing. */
	return db_run(db,
		      "UPDATE chats SET escalated = 1, escalated_at = ?1,"
		      /* a waiting chat's first-response clock starts now; a
		       * held chat's next-response clock is its own */
		      " awaiting_since = CASE WHEN mode = 0 THEN ?1 ELSE awaiting_since END"
		      " WHERE id = ?2 AND escalated = 0",
		      ARGS(ARG_I(now), ARG_T(c->id)), &changes, err) &&
	       (changes == 0 || system_message(db, c->id, SYSTEM_TYPE_CONVERSATION_ESCALATED, NULL,
					       "Escalated to a human agent", now, c, err));
}

bool db_ingest(struct db *db, const struct agent *me, const struct ingest *in, struct chat *chat,
	       struct message *message, bool *created, struct api_error *err)
{
	struct chat c = {0};
	struct message m = {0};
	bool is_new = false;

	if (!ingest_valid(in, err) || !db_begin_write(db, err))
		return false;
	bool ok = ingest(db, me, in, NULL, &c, &m, &is_new, err);
	if (!db_finish(db, ok, err)) {
		chat_free(&c);
		message_free(&m);
		return false;
	}
	*chat = c;
	*message = m;
	if (created)
		*created = is_new;
	return true;
}

/* Whether b names the chat a named: the same chat_id, or neither has one
 * and both the same external_id. */
static bool same_chat(const struct ingest *a, const struct ingest *b)
{
	if (a->chat_id[0] || b->chat_id[0])
		return strcmp(a->chat_id, b->chat_id) == 0;
	return a->external_id && b->external_id && strcmp(a->external_id, b->external_id) == 0;
}

/*
 * One write transaction for the batch: one commit instead of n, which is
 * what a backfill pays for. ingest() refuses an item (a stopped chat, a
 * bot while an agent holds the chat, an unknown chat_id) before it writes
 * anything for it, so a refused item leaves the transaction as it was and
 * the others go on; anything else (the database failing) undoes the
 * batch.
 */
bool db_ingest_batch(struct db *db, const struct agent *me, const struct ingest *items, size_t n,
		     struct ingest_result *out, struct api_error *err)
{
	struct api_error why;
	bool ok = true;

	memset(out, 0, n * sizeof *out);
	for (size_t i = 0; i < n; i++)
		if (!ingest_valid(&items[i], &why))
			return api_error_set(err, API_INVALID_PAYLOAD, "items[%zu].%s", i,
					     why.description);
	if (!db_begin_write(db, err))
		return false;
	for (size_t i = 0; i < n && ok; i++) {
		struct ingest_result *r = &out[i];
		struct api_error refused = {API_OK, ""};
		/* A conversation's messages come one after the other (a backfill's
		 * two, for one): the chat the item before left is the chat as it
		 * is, for the last thing an ingest does is load it (chat_event) or
		 * find a retry, writing nothing after. Not loading it again saves
		 * a lookup and a five-table join an item. */
		const struct chat *known = i && out[i - 1].error.type == API_OK &&
						   same_chat(&items[i - 1], &items[i])
					   ? &out[i - 1].chat
					   : NULL;
		if (ingest(db, me, &items[i], known, &r->chat, &r->message, &r->created, &refused))
			continue;
		ingest_result_free(r);
		if (refused.type == API_INTERNAL) {
			*err = refused;
			ok = false;
		}
		r->error = refused;
	}
	if (db_finish(db, ok, err))
		return true;
	for (size_t i = 0; i < n; i++)
		ingest_result_free(&out[i]);
	return false;
}
