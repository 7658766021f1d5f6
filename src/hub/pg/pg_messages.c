/*
 * pg_messages.c — a reply stored once per client_msg_id (see pg.h).
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

#include "pg_internal.h"

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

bool pg_reply_insert(PGconn *conn, const struct pg_reply *r, uuid_str id, int64_t *seq,
		     bool *created, struct errbuf *err)
{
	char new_id[UUID_STRLEN + 1], seq_text[PG_INT_LEN], at[PG_INT_LEN], role[PG_INT_LEN];
	int64_t count = 0;

	if (!uuid_generate(new_id, err) || !lock_chat(conn, r->chat_id, &count, err))
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

	const char *bump[] = {r->chat_id, seq_text};
	res = pg_query(conn, "UPDATE chats SET message_count = $2 WHERE id = $1", 2, bump,
		       "count a reply", err);
	if (!res)
		return false;
	PQclear(res);
	snprintf(id, UUID_STRLEN + 1, "%s", new_id);
	*seq = count + 1;
	return true;
}
