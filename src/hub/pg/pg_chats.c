/*
 * pg_chats.c — a chat as the protocol shows it, read from its row and the
 * rows it names (see pg.h), and the columns-to-struct helpers the other
 * readers share.
 */
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"
#include "timeutil.h"
#include "uuid.h"

/* SQLite's chat_select (db_chats.c), column for column, so a chat reads
 * the same from either back end; CHAT_SELECT for one chat, CHAT_FROM for
 * those a WHERE clause names. */
#define CHAT_FROM                                                                          \
	"SELECT c.id, c.title, ch.id, ch.name, ch.type, o.id, o.external_id, o.name, o.email," \
	" c.created_at, c.updated_at, c.latest_text, c.latest_at, c.latest_role,"          \
	" c.previous_text, c.previous_at, c.previous_role, c.responder_type, c.responder_id," \
	" a.name, c.mode, c.escalated, c.escalated_at, c.ticket_id, c.ticket_status, c.state," \
	" c.rating_score, c.rating_feedback, c.rating_suggested, c.rating_by, c.rating_at,"  \
	" c.message_count, c.version, c.source_account_id, s.name, c.source_platform,"      \
	" c.awaiting_since"                                                                \
	" FROM chats c JOIN channels ch ON ch.id = c.channel_id"                           \
	" JOIN owners o ON o.id = c.owner_id LEFT JOIN accounts a ON a.id = c.responder_id" \
	" LEFT JOIN accounts s ON s.id = c.source_account_id"
#define CHAT_SELECT CHAT_FROM " WHERE c.id = $1"

char *pg_col_str(const PGresult *r, int row, int col, bool *ok)
{
	if (PQgetisnull(r, row, col))
		return NULL;
	char *s = strdup(PQgetvalue(r, row, col));
	if (!s)
		*ok = false;
	return s;
}

int64_t pg_col_int(const PGresult *r, int row, int col)
{
	return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

int64_t pg_col_ts(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? TS_NONE : pg_col_int(r, row, col);
}

void pg_col_uuid(const PGresult *r, int row, int col, uuid_str out)
{
	const char *v = PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col);
	size_t n = strnlen(v, UUID_STRLEN);

	memcpy(out, v, n);
	out[n] = '\0';
}

/* Columns `col`..`col + 2` as a preview (text, at, role). */
static void preview_from_row(const PGresult *r, int row, int col, struct preview *p, bool *ok)
{
	p->present = !PQgetisnull(r, row, col + 1);
	if (!p->present)
		return;
	p->text = pg_col_str(r, row, col, ok);
	p->at = pg_col_int(r, row, col + 1);
	p->role = (enum msg_role)pg_col_int(r, row, col + 2);
}

static bool flag(const PGresult *r, int row, int col)
{
	return strcmp(PQgetvalue(r, row, col), "t") == 0;
}

/* Row `row` of a CHAT_FROM result. */
static bool chat_from_row(const PGresult *r, int row, struct chat *c)
{
	bool ok = true;

	memset(c, 0, sizeof *c);
	pg_col_uuid(r, row, 0, c->id);
	c->title = pg_col_str(r, row, 1, &ok);
	pg_col_uuid(r, row, 2, c->channel.id);
	c->channel.name = pg_col_str(r, row, 3, &ok);
	c->channel.type = (enum channel_type)pg_col_int(r, row, 4);
	pg_col_uuid(r, row, 5, c->owner.id);
	c->owner.external_id = pg_col_str(r, row, 6, &ok);
	c->owner.name = pg_col_str(r, row, 7, &ok);
	c->owner.email = pg_col_str(r, row, 8, &ok);
	c->created_at = pg_col_int(r, row, 9);
	c->updated_at = pg_col_int(r, row, 10);
	preview_from_row(r, row, 11, &c->latest, &ok);
	preview_from_row(r, row, 14, &c->previous, &ok);
	c->responder.type = (enum responder_type)pg_col_int(r, row, 17);
	pg_col_uuid(r, row, 18, c->responder.id);
	c->responder.name = pg_col_str(r, row, 19, &ok);
	c->mode = (enum chat_mode)pg_col_int(r, row, 20);
	c->escalated = flag(r, row, 21);
	c->escalated_at = pg_col_ts(r, row, 22);
	c->ticket.present = !PQgetisnull(r, row, 23);
	pg_col_uuid(r, row, 23, c->ticket.id);
	c->ticket.status = (enum ticket_status)pg_col_int(r, row, 24);
	c->state = (enum chat_state)pg_col_int(r, row, 25);
	c->rating.present = !PQgetisnull(r, row, 26);
	c->rating.score = (int)pg_col_int(r, row, 26);
	c->rating.feedback = pg_col_str(r, row, 27, &ok);
	c->rating.suggested_answer = pg_col_str(r, row, 28, &ok);
	pg_col_uuid(r, row, 29, c->rating.by);
	c->rating.at = pg_col_ts(r, row, 30);
	c->message_count = pg_col_int(r, row, 31);
	c->version = pg_col_int(r, row, 32);
	c->unread = -1; /* the caller's, as in SQLite's chat_load */
	c->source.present = !PQgetisnull(r, row, 33);
	pg_col_uuid(r, row, 33, c->source.account_id);
	c->source.account_name = pg_col_str(r, row, 34, &ok);
	c->source.platform = pg_col_str(r, row, 35, &ok);
	c->awaiting_reply_since = pg_col_ts(r, row, 36);
	if (!ok)
		chat_free(c);
	return ok;
}

bool pg_chat_load(PGconn *conn, const char *chat_id, bool lock, struct chat *out,
		  struct api_error *err)
{
	const char *params[] = {chat_id};
	struct errbuf why;

	/* Every id the hub made is a v4 uuid; anything else names no chat,
	 * and would be a type error to PostgreSQL, not a 404. */
	if (!uuid_valid(chat_id))
		return api_error_set(err, API_RESOURCE_NOT_FOUND, "no chat with id %s", chat_id);
	/* The lock first, in a statement of its own, then the read in the
	 * next one: under READ COMMITTED that one's snapshot is taken after
	 * the lock was granted, so it sees all a previous holder of the lock
	 * committed. A single SELECT … FOR UPDATE would not: re-checking the
	 * row it waited for, PostgreSQL joins it to the other tables' rows as
	 * its first snapshot saw them, so a new responder's name would read
	 * as NULL. */
	if (lock) {
		PGresult *l = pg_query(conn, "SELECT 1 FROM chats WHERE id = $1 FOR UPDATE", 1,
				       params, "lock a chat", &why);
		if (!l)
			return pg_api_fail(err, &why);
		PQclear(l);
	}
	PGresult *r = pg_query(conn, CHAT_SELECT, 1, params, "read a chat", &why);

	if (!r)
		return pg_api_fail(err, &why);
	bool found = PQntuples(r) == 1;
	bool ok = found && chat_from_row(r, 0, out);
	PQclear(r);
	if (!found)
		return api_error_set(err, API_RESOURCE_NOT_FOUND, "no chat with id %s", chat_id);
	return ok || api_error_set(err, API_INTERNAL, "out of memory");
}

bool pg_chat_get(PGconn *conn, const char *chat_id, struct chat *out, struct api_error *err)
{
	struct chat c = {0};

	/* One statement, so one snapshot: no BEGIN needed for a consistent
	 * read of the chat and the rows it joins. */
	if (!pg_chat_load(conn, chat_id, false, &c, err))
		return false;
	*out = c;
	return true;
}

bool pg_chats_load(PGconn *conn, const uuid_str *ids, size_t n, struct chat *out,
		   struct api_error *err)
{
	struct errbuf why;
	size_t done = 0;

	memset(out, 0, n * sizeof *out);
	if (!n)
		return true;
	/* One statement for a page, not a round trip per chat. */
	char *list = pg_uuid_array_of(ids, n);
	if (!list)
		return api_error_set(err, API_INTERNAL, "out of memory");
	const char *params[] = {list};
	PGresult *r = pg_query(conn, CHAT_FROM " WHERE c.id = ANY ($1::uuid[])", 1, params,
			       "read chats", &why);
	free(list);
	if (!r)
		return pg_api_fail(err, &why);
	/* Rows come in no order: each goes to its id's place. */
	bool ok = true;
	for (int row = 0; ok && row < PQntuples(r); row++) {
		uuid_str id;
		pg_col_uuid(r, row, 0, id);
		for (size_t i = 0; i < n; i++)
			if (strcmp(ids[i], id) == 0 && !out[i].id[0]) {
				ok = chat_from_row(r, row, &out[i]);
				done += ok;
				break;
			}
	}
	PQclear(r);
	if (ok && done == n)
		return true;
	for (size_t i = 0; i < n; i++)
		chat_free(&out[i]);
	if (!ok)
		return api_error_set(err, API_INTERNAL, "out of memory");
	return api_error_set(err, API_RESOURCE_NOT_FOUND, "a chat is gone");
}
