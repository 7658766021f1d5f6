/*
 * db_chats.c — reading a chat, and the changes that are only chat.updated:
 * PATCH (title, ticket status) and rating (see db.h).
 */
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"

static const char chat_select[] =
	"SELECT c.id, c.title, ch.id, ch.name, ch.type, o.id, o.external_id, o.name, o.email,"
	" c.created_at, c.updated_at, c.latest_text, c.latest_at, c.latest_role,"
	" c.previous_text, c.previous_at, c.previous_role, c.responder_type, c.responder_id,"
	" a.name, c.mode, c.escalated, c.escalated_at, c.ticket_id, c.ticket_status, c.state,"
	" c.rating_score, c.rating_feedback, c.rating_suggested, c.rating_by, c.rating_at,"
	" c.message_count, c.version, c.source_account_id, s.name, c.source_platform,"
	" c.awaiting_since"
	" FROM chats c JOIN channels ch ON ch.id = c.channel_id JOIN owners o ON o.id = c.owner_id"
	" LEFT JOIN accounts a ON a.id = c.responder_id"
	" LEFT JOIN accounts s ON s.id = c.source_account_id WHERE c.id = ?";

/* Columns `col`.. `col + 2` of chat_select as a preview (text, at, role). */
static void preview_from_row(sqlite3_stmt *st, int col, struct preview *p, bool *ok)
{
	p->present = sqlite3_column_type(st, col + 1) != SQLITE_NULL;
	if (!p->present)
		return;
	p->text = col_strdup(st, col, ok);
	p->at = sqlite3_column_int64(st, col + 1);
	p->role = sqlite3_column_int(st, col + 2);
}

static bool chat_from_row(sqlite3_stmt *st, struct chat *c)
{
	bool ok = true;

	memset(c, 0, sizeof *c);
	col_uuid(st, 0, c->id);
	c->title = col_strdup(st, 1, &ok);
	col_uuid(st, 2, c->channel.id);
	c->channel.name = col_strdup(st, 3, &ok);
	c->channel.type = sqlite3_column_int(st, 4);
	col_uuid(st, 5, c->owner.id);
	c->owner.external_id = col_strdup(st, 6, &ok);
	c->owner.name = col_strdup(st, 7, &ok);
	c->owner.email = col_strdup(st, 8, &ok);
	c->created_at = sqlite3_column_int64(st, 9);
	c->updated_at = sqlite3_column_int64(st, 10);
	preview_from_row(st, 11, &c->latest, &ok);
	preview_from_row(st, 14, &c->previous, &ok);
	c->responder.type = sqlite3_column_int(st, 17);
	col_uuid(st, 18, c->responder.id);
	c->responder.name = col_strdup(st, 19, &ok);
	c->mode = sqlite3_column_int(st, 20);
	c->escalated = sqlite3_column_int(st, 21) != 0;
	c->escalated_at = col_ts(st, 22);
	c->ticket.present = sqlite3_column_type(st, 23) != SQLITE_NULL;
	col_uuid(st, 23, c->ticket.id);
	c->ticket.status = sqlite3_column_int(st, 24);
	c->state = sqlite3_column_int(st, 25);
	c->rating.present = sqlite3_column_type(st, 26) != SQLITE_NULL;
	c->rating.score = sqlite3_column_int(st, 26);
	c->rating.feedback = col_strdup(st, 27, &ok);
	c->rating.suggested_answer = col_strdup(st, 28, &ok);
	col_uuid(st, 29, c->rating.by);
	c->rating.at = col_ts(st, 30);
	c->message_count = sqlite3_column_int64(st, 31);
	c->version = sqlite3_column_int64(st, 32);
	c->unread = -1; /* the caller's, added by db_chat_unread where asked */
	c->source.present = sqlite3_column_type(st, 33) != SQLITE_NULL;
	col_uuid(st, 33, c->source.account_id);
	c->source.account_name = col_strdup(st, 34, &ok);
	c->source.platform = col_strdup(st, 35, &ok);
	c->awaiting_reply_since = col_ts(st, 36);
	if (!ok)
		chat_free(c);
	return ok;
}

bool chat_load(struct db *db, const char *chat_id, struct chat *out, struct api_error *err)
{
	sqlite3_stmt *st = db_query(db, chat_select, ARGS(ARG_T(chat_id)), err);

	if (!st)
		return false;
	int rc = db_step(db, st, err);
	bool ok = rc == SQLITE_ROW && chat_from_row(st, out);
	db_release(db, st);
	if (rc == SQLITE_DONE)
		return api_error_set(err, API_RESOURCE_NOT_FOUND, "no chat with id %s", chat_id);
	return ok || rc != SQLITE_ROW || db_oom(err);
}

bool db_chat_get(struct db *db, const char *chat_id, struct chat *out, struct api_error *err)
{
	struct chat c = {0};

	if (!db_begin_read(db, err))
		return false;
	bool ok = chat_load(db, chat_id, &c, err);
	if (!db_finish(db, ok, err)) {
		chat_free(&c);
		return false;
	}
	*out = c;
	return true;
}

bool chat_transaction(struct db *db, const char *chat_id, chat_change_fn *change, void *arg,
		      struct chat *out, struct api_error *err)
{
	struct chat c = {0};

	if (!db_begin_write(db, err))
		return false;
	bool ok = chat_load(db, chat_id, &c, err) && change(db, arg, &c, ts_now(), err);
	if (!db_finish(db, ok, err)) {
		chat_free(&c);
		return false;
	}
	*out = c;
	return true;
}

/* ---- PATCH ------------------------------------------------------------ */

struct patch {
	const char *title;
	int ticket_status;
};

static bool apply_patch(struct db *db, void *arg, struct chat *c, int64_t now,
			struct api_error *err)
{
	const struct patch *p = arg;
	bool new_title = p->title && !(c->title && strcmp(c->title, p->title) == 0);
	bool new_status = p->ticket_status >= 0 &&
			  !(c->ticket.present && (int)c->ticket.status == p->ticket_status);
	uuid_str ticket_id;
	struct errbuf why;

	if (!new_title && !new_status)
		return true; /* nothing changes: no version, no event */
	if (new_title && !db_run(db, "UPDATE chats SET title = ? WHERE id = ?",
				 ARGS(ARG_T(p->title), ARG_T(c->id)), NULL, err))
		return false;
	if (new_status) {
		/* Setting a status on a chat without a ticket opens one. */
		if (c->ticket.present)
			memcpy(ticket_id, c->ticket.id, sizeof ticket_id);
		else if (!uuid_generate(ticket_id, &why))
			return api_error_set(err, API_INTERNAL, "%s", why.msg);
		if (!db_run(db, "UPDATE chats SET ticket_id = ?, ticket_status = ? WHERE id = ?",
			    ARGS(ARG_T(ticket_id), ARG_I(p->ticket_status), ARG_T(c->id)), NULL,
			    err))
			return false;
	}
	return chat_changed(db, c->id, EVENT_CHAT_UPDATED, NULL, now, c, err);
}

bool db_chat_patch(struct db *db, const struct agent *me, const char *chat_id,
		   const char *title, int ticket_status, struct chat *out, struct api_error *err)
{
	struct patch p = {title, ticket_status};

	(void)me; /* any agent may retitle or file a chat, held or not */
	return chat_transaction(db, chat_id, apply_patch, &p, out, err);
}

/* ---- rating ------------------------------------------------------------ */

struct rating_change {
	const struct agent *me;
	int score;
	const char *feedback, *suggested_answer;
};

static bool apply_rating(struct db *db, void *arg, struct chat *c, int64_t now,
			 struct api_error *err)
{
	const struct rating_change *r = arg;

	/* A new rating replaces the previous one: the chat has one rating. */
	return db_run(db,
		      "UPDATE chats SET rating_score = ?, rating_feedback = ?, rating_suggested = ?,"
		      " rating_by = ?, rating_at = ? WHERE id = ?",
		      ARGS(ARG_I(r->score), ARG_T(r->feedback), ARG_T(r->suggested_answer),
			   ARG_T(r->me->id), ARG_I(now), ARG_T(c->id)),
		      NULL, err) &&
	       chat_changed(db, c->id, EVENT_CHAT_UPDATED, NULL, now, c, err);
}

bool db_rate(struct db *db, const struct agent *me, const char *chat_id, int score,
	     const char *feedback, const char *suggested_answer, struct chat *out,
	     struct api_error *err)
{
	struct rating_change r = {me, score, feedback, suggested_answer};

	if (score < 1 || score > 5)
		return api_error_set(err, API_INVALID_PAYLOAD, "score: must be 1..5");
	return chat_transaction(db, chat_id, apply_rating, &r, out, err);
}
