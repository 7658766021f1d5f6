/*
 * pg_messages.c — a chat's thread on PostgreSQL (see pg.h): a reply stored
 * once per client_msg_id, the whole reply or note as db_reply makes it,
 * and pages of messages as db_messages_list reads them.
 *
 * Two things could go wrong when replies arrive at once, and each has its
 * own guard:
 * - two messages taking the same seq in a thread: the chat's row is locked
 *   (SELECT … FOR UPDATE) before its message_count is read, so appends to
 *   one chat take their turns, each until its COMMIT;
 * - one client_msg_id stored twice (a retry racing the original, from the
 *   same or another hub): the unique index messages_client refuses the
 *   second row, and ON CONFLICT DO NOTHING turns that into "stored
 *   nothing", after which the first message is read back. A conflicting
 *   row still being written makes the INSERT wait for its transaction: if
 *   that commits, nothing is stored here; if it rolls back, this one is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handover.h"
#include "pg_internal.h"
#include "timeutil.h"

/* id and *seq of the message this author already wrote in the chat under
 * client_msg_id; READ COMMITTED gives this statement a snapshot taken
 * after the conflict, so the committed row is there to read. */
static bool read_existing(PGconn *conn, const struct pg_reply *r, uuid_str id, int64_t *seq,
			  struct errbuf *err)
{
	const char *params[] = {r->chat_id, r->author_id, r->client_msg_id};
	PGresult *res = pg_query(conn,
				 "SELECT id, seq FROM messages WHERE chat_id = $1 AND author_id = $2"
				 " AND client_msg_id = $3",
				 3, params, "read a reply back", err);
	if (!res)
		return false;
	bool ok = PQntuples(res) == 1 ||
		  errbuf_set(err, "postgresql: read a reply back: it is not there");
	if (ok) {
		snprintf(id, UUID_STRLEN + 1, "%s", PQgetvalue(res, 0, 0));
		*seq = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	}
	PQclear(res);
	return ok;
}

/* Lock the chat's row for this transaction and read its message count. */
static bool lock_chat(PGconn *conn, const char *chat_id, int64_t *count, struct errbuf *err)
{
	const char *params[] = {chat_id};
	PGresult *res = pg_query(conn, "SELECT message_count FROM chats WHERE id = $1 FOR UPDATE",
				 1, params, "lock a chat", err);
	if (!res)
		return false;
	bool ok = PQntuples(res) == 1 || errbuf_set(err, "postgresql: lock a chat: no chat %s",
						     chat_id);
	if (ok)
		*count = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return ok;
}

/* Insert the reply as message count + 1 of its chat, which the caller
 * locked and counted; *created false when its client_msg_id was used
 * (then id and *seq are the first message's, nothing stored). */
static bool reply_row(PGconn *conn, const struct pg_reply *r, int64_t count, uuid_str id,
		      int64_t *seq, bool *created, struct errbuf *err)
{
	char new_id[UUID_STRLEN + 1], seq_text[PG_INT_LEN], at[PG_INT_LEN], role[PG_INT_LEN];

	if (!uuid_generate(new_id, err))
		return false;
	const char *params[] = {new_id, r->chat_id, pg_int(count + 1, seq_text), pg_int(r->at, at),
				pg_int(r->internal ? MSG_ROLE_NOTE : MSG_ROLE_AGENT, role),
				r->author_id, r->author_name, r->text, r->client_msg_id};
	PGresult *res = pg_query(conn,
				 "INSERT INTO messages (id, chat_id, seq, created_at, role, system_type,"
				 " author_id, author_name, text, client_msg_id)"
				 " VALUES ($1, $2, $3, $4, $5, 0, $6, $7, $8, $9)"
				 " ON CONFLICT (chat_id, author_id, client_msg_id)"
				 " WHERE client_msg_id IS NOT NULL DO NOTHING",
				 9, params, "store a reply", err);
	if (!res)
		return false;
	*created = strcmp(PQcmdTuples(res), "1") == 0;
	PQclear(res);
	if (!*created)
		return read_existing(conn, r, id, seq, err);
	snprintf(id, UUID_STRLEN + 1, "%s", new_id);
	*seq = count + 1;
	return true;
}

bool pg_reply_insert(PGconn *conn, const struct pg_reply *r, uuid_str id, int64_t *seq,
		     bool *created, struct errbuf *err)
{
	char seq_text[PG_INT_LEN];
	int64_t count = 0;

	if (!lock_chat(conn, r->chat_id, &count, err) ||
	    !reply_row(conn, r, count, id, seq, created, err))
		return false;
	if (!*created)
		return true;
	const char *bump[] = {r->chat_id, pg_int(*seq, seq_text)};
	PGresult *res = pg_query(conn, "UPDATE chats SET message_count = $2 WHERE id = $1", 2, bump,
				 "count a reply", err);
	PQclear(res);
	return res != NULL;
}

bool pg_message_from_row(const PGresult *r, int row, struct message *m)
{
	bool ok = true;

	memset(m, 0, sizeof *m);
	pg_col_uuid(r, row, 0, m->id);
	pg_col_uuid(r, row, 1, m->chat_id);
	m->seq = pg_col_int(r, row, 2);
	m->created_at = pg_col_int(r, row, 3);
	m->role = (enum msg_role)pg_col_int(r, row, 4);
	m->system_type = (enum system_type)pg_col_int(r, row, 5);
	pg_col_uuid(r, row, 6, m->author.id);
	m->author.name = pg_col_str(r, row, 7, &ok);
	m->text = pg_col_str(r, row, 8, &ok);
	m->client_msg_id = pg_col_str(r, row, 9, &ok);
	m->external_message_id = pg_col_str(r, row, 10, &ok);
	if (!ok)
		message_free(m);
	return ok;
}

/* ---- the whole reply -------------------------------------------------- */

/* The message `me` already wrote in the chat under client_msg_id, if any
 * (spelled like the unique index messages_client, which answers it). The
 * key is the author's: another agent reusing it writes a message of their
 * own. */
static bool find_by_client_id(PGconn *conn, const char *chat_id, const struct agent *me,
			      const char *client_msg_id, struct message *out, bool *found,
			      struct api_error *err)
{
	const char *params[] = {chat_id, me->id, client_msg_id};
	struct errbuf why;
	PGresult *r = pg_query(conn,
			       "SELECT " PG_MESSAGE_COLUMNS " FROM messages WHERE chat_id = $1"
			       " AND author_id = $2 AND client_msg_id = $3",
			       3, params, "find a reply", &why);

	if (!r)
		return pg_api_fail(err, &why);
	*found = PQntuples(r) == 1;
	bool ok = !*found || pg_message_from_row(r, 0, out) ||
		  api_error_set(err, API_INTERNAL, "out of memory");
	PQclear(r);
	return ok;
}

struct reply {
	const struct agent *me;
	const char *text, *client_msg_id;
	bool internal;
	struct message msg; /* the result */
	bool created;
};

/* The reply on chat c, read with its row locked: every writer of the
 * chat's thread takes that lock, so the lookup below sees every message
 * committed before, and a retry racing its original from another hub
 * finds it here once the original has committed. */
static bool reply(PGconn *conn, struct chat *c, struct reply *r, struct api_error *err)
{
	struct errbuf why;
	uuid_str id;
	int64_t seq = 0;
	bool found = false, made = false;

	/* A retry of a message already stored answers with the first one, even
	 * if the chat changed hands since: the client only wants to know it
	 * arrived. */
	if (r->client_msg_id &&
	    !find_by_client_id(conn, c->id, r->me, r->client_msg_id, &r->msg, &found, err))
		return false;
	if (found)
		return true;
	if (!r->internal && !handover_may_reply(c, r->me, err))
		return false;

	struct pg_reply row = {.chat_id = c->id, .author_id = r->me->id,
			       .author_name = r->me->name, .text = r->text,
			       .client_msg_id = r->client_msg_id, .internal = r->internal,
			       .at = ts_now()};
	if (!reply_row(conn, &row, c->message_count, id, &seq, &made, &why))
		return pg_api_fail(err, &why);
	/* The unique index found what the lookup did not: not possible
	 * under the lock, but the index, not the lookup, is the guarantee. */
	if (!made)
		return find_by_client_id(conn, c->id, r->me, r->client_msg_id, &r->msg, &found,
					 err);
	/* Borrowed strings: the copy below is the caller's. */
	struct message m = {.seq = seq, .created_at = row.at,
			    .role = r->internal ? MSG_ROLE_NOTE : MSG_ROLE_AGENT,
			    .author.name = r->me->name, .text = (char *)r->text,
			    .client_msg_id = (char *)r->client_msg_id};
	memcpy(m.id, id, sizeof m.id);
	memcpy(m.chat_id, c->id, sizeof m.chat_id);
	memcpy(m.author.id, r->me->id, sizeof m.author.id);
	r->created = true;
	return pg_message_added(conn, &m, c, err) &&
	       (message_copy(&r->msg, &m) || api_error_set(err, API_INTERNAL, "out of memory"));
}

bool pg_reply(PGconn *conn, const struct agent *me, const char *chat_id, const char *text,
	      const char *client_msg_id, bool internal, struct message *out, bool *created,
	      struct api_error *err)
{
	struct reply r = {.me = me, .text = text, .client_msg_id = client_msg_id,
			  .internal = internal};
	struct chat c = {0};
	struct errbuf why;

	if (!pg_exec(conn, "BEGIN", "begin a reply", &why))
		return pg_api_fail(err, &why);
	bool ok = pg_chat_load(conn, chat_id, true, &c, err) && reply(conn, &c, &r, err);
	if (!pg_finish(conn, ok, "end a reply", &why) && ok)
		ok = pg_api_fail(err, &why);
	chat_free(&c);
	if (!ok) {
		message_free(&r.msg);
		return false;
	}
	*out = r.msg;
	*created = r.created;
	return true;
}

/* ---- pages ------------------------------------------------------------ */

/* The page's messages and, last, the chat's count: one statement, so one
 * snapshot, and no row at all when there is no such chat. The thread's
 * newest page is the one before count + 1 ($2 NULL). */
#define PAGE_BEFORE                                                                    \
	"SELECT m.*, c.message_count FROM chats c LEFT JOIN LATERAL (SELECT "             \
	PG_MESSAGE_COLUMNS " FROM messages WHERE chat_id = c.id"                         \
	" AND seq < coalesce($2::bigint, c.message_count + 1) ORDER BY seq DESC LIMIT $3) m" \
	" ON true WHERE c.id = $1"
#define PAGE_AFTER                                                                     \
	"SELECT m.*, c.message_count FROM chats c LEFT JOIN LATERAL (SELECT "             \
	PG_MESSAGE_COLUMNS " FROM messages WHERE chat_id = c.id"                         \
	" AND seq > $2 ORDER BY seq LIMIT $3) m ON true WHERE c.id = $1"

static void page_clear(struct message_page *p)
{
	for (size_t i = 0; i < p->count; i++)
		message_free(&p->messages[i]);
	free(p->messages);
	memset(p, 0, sizeof *p);
}

/* The rows of `r` into p, ascending whichever way the query walked. */
static bool page_from_rows(const PGresult *r, bool backwards, struct message_page *p)
{
	int rows = PQntuples(r);

	/* a chat without (more) messages is one row of NULLs */
	if (rows == 1 && PQgetisnull(r, 0, 0))
		return true;
	p->messages = calloc((size_t)rows, sizeof *p->messages);
	if (!p->messages)
		return false;
	for (int i = 0; i < rows; i++) {
		if (!pg_message_from_row(r, backwards ? rows - 1 - i : i, &p->messages[i]))
			return false;
		p->count++;
	}
	return true;
}

bool pg_messages_list(PGconn *conn, const char *chat_id, int64_t before_seq, int64_t after_seq,
		      int limit, struct message_page *out, struct api_error *err)
{
	struct message_page p = {0};
	char bound[PG_INT_LEN], lim[PG_INT_LEN];
	struct errbuf why;
	bool backwards = after_seq < 0;

	if (limit < 1 || limit > 100)
		return api_error_set(err, API_INVALID_QUERY, "limit: must be 1..100");
	if (before_seq && after_seq >= 0)
		return api_error_set(err, API_INVALID_QUERY,
				     "before_seq and after_seq cannot be combined");
	if (!uuid_valid(chat_id))
		return api_error_set(err, API_RESOURCE_NOT_FOUND, "no chat with id %s", chat_id);
	const char *params[] = {chat_id,
				backwards ? (before_seq ? pg_int(before_seq, bound) : NULL)
					  : pg_int(after_seq, bound),
				pg_int(limit, lim)};
	PGresult *r = pg_query(conn, backwards ? PAGE_BEFORE : PAGE_AFTER, 3, params,
			       "read a page of messages", &why);
	if (!r)
		return pg_api_fail(err, &why);
	if (PQntuples(r) == 0) {
		PQclear(r);
		return api_error_set(err, API_RESOURCE_NOT_FOUND, "no chat with id %s", chat_id);
	}
	int64_t count = pg_col_int(r, 0, PQnfields(r) - 1);
	bool ok = page_from_rows(r, backwards, &p);
	PQclear(r);
	if (!ok) {
		page_clear(&p);
		return api_error_set(err, API_INTERNAL, "out of memory");
	}
	/* seq is gap-free from 1: anything below the first one exists. */
	if (p.count)
		p.has_more_before = p.messages[0].seq > 1;
	else
		p.has_more_before = after_seq > 0 && count > 0;
	*out = p;
	return true;
}
