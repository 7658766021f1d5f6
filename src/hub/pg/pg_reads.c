/*
 * pg_reads.c — read marks on PostgreSQL (db_reads.c's meaning, see db.h):
 * how far each agent has read each chat, and what is left unread.
 *
 * A mark only moves up. Two consoles of one agent, on two hubs, may report
 * marks at once and out of order; one conditional upsert decides, not a
 * read in C: INSERT … ON CONFLICT DO UPDATE … WHERE new > old locks the
 * row it conflicts with and evaluates the WHERE on the row as the other
 * writer committed it, so a lower mark arriving second changes nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"

_Static_assert(UNREAD_MAX == 99, "UNREAD_MAX is spelled in UNREAD_OF");

/*
 * Messages after the mark that someone else wrote, counted up to
 * UNREAD_MAX: the inner LIMIT bounds the walk of (chat_id, seq), so a chat
 * of a million messages nobody read costs what one of a hundred does. A
 * customer's message has no author id, so it always counts. `chat` is the
 * chat's id as SQL; $1 the agent.
 */
#define UNREAD_OF(chat)                                                                     \
	"(SELECT count(*) FROM (SELECT 1 FROM messages m WHERE m.chat_id = " chat             \
	" AND m.seq > coalesce((SELECT r.seq FROM chat_reads r WHERE r.account_id = $1::uuid" \
	" AND r.chat_id = " chat "), 0) AND m.author_id IS DISTINCT FROM $1::uuid LIMIT 99) u)"

static bool unread_of(PGconn *conn, const char *chat_id, const char *agent_id, int64_t *out,
		      struct api_error *err)
{
	const char *params[] = {agent_id, chat_id};
	struct errbuf why;
	PGresult *r = pg_query(conn, "SELECT " UNREAD_OF("$2::uuid"), 2, params,
			       "count unread messages", &why);

	if (!r)
		return pg_api_fail(err, &why);
	*out = pg_col_int(r, 0, 0);
	PQclear(r);
	return true;
}

bool pg_chat_unread(PGconn *conn, const struct agent *me, struct chat *c, struct api_error *err)
{
	/* Ingest accounts read no threads: their chats say nothing of it. */
	if (me->role == ACCOUNT_INGEST)
		return true;
	return unread_of(conn, c->id, me->id, &c->unread, err);
}

bool pg_chats_unread(PGconn *conn, const struct agent *me, const uuid_str *ids, size_t n,
		     struct chat *out, struct api_error *err)
{
	struct errbuf why;

	if (me->role == ACCOUNT_INGEST || !n)
		return true;
	char *list = pg_uuid_array_of(ids, n);
	if (!list)
		return api_error_set(err, API_INTERNAL, "out of memory");
	const char *params[] = {me->id, list};
	PGresult *r = pg_query(conn, "SELECT c.id, " UNREAD_OF("c.id")
				     " FROM unnest($2::uuid[]) AS c (id)",
			       2, params, "count unread messages", &why);
	free(list);
	if (!r)
		return pg_api_fail(err, &why);
	/* one row per id, in no promised order */
	for (int row = 0; row < PQntuples(r); row++) {
		uuid_str id;
		pg_col_uuid(r, row, 0, id);
		for (size_t i = 0; i < n; i++)
			if (strcmp(ids[i], id) == 0)
				out[i].unread = pg_col_int(r, row, 1);
	}
	PQclear(r);
	return true;
}

/* The mark moved up to seq, or not (*moved), then read back with what it
 * leaves unread: another hub may have moved it further meanwhile, and the
 * event tells the mark as it is. */
static bool mark(PGconn *conn, const struct agent *me, const struct chat *c, int64_t seq,
		 struct event *out, bool *moved, struct api_error *err)
{
	char s[PG_INT_LEN];
	const char *params[] = {me->id, c->id, pg_int(seq, s)};
	struct errbuf why;

	/* A mark is not a change of the chat: no version, no log event. */
	if (seq > c->message_count)
		return api_error_set(err, API_INVALID_PAYLOAD, "seq: the chat has %lld messages",
				     (long long)c->message_count);
	PGresult *r = pg_query(conn,
			       "INSERT INTO chat_reads (account_id, chat_id, seq) VALUES ($1, $2, $3)"
			       " ON CONFLICT (account_id, chat_id) DO UPDATE SET seq = excluded.seq"
			       " WHERE excluded.seq > chat_reads.seq",
			       3, params, "move a read mark", &why);
	if (!r)
		return pg_api_fail(err, &why);
	*moved = strcmp(PQcmdTuples(r), "1") == 0;
	PQclear(r);
	r = pg_query(conn, "SELECT seq FROM chat_reads WHERE account_id = $1 AND chat_id = $2", 2,
		     params, "read a read mark", &why);
	if (!r)
		return pg_api_fail(err, &why);
	bool found = PQntuples(r) == 1;
	if (found)
		out->read_seq = pg_col_int(r, 0, 0);
	PQclear(r);
	if (!found)
		return api_error_set(err, API_INTERNAL, "the read mark is gone");
	out->type = EVENT_CHAT_READ;
	memcpy(out->chat_id, c->id, sizeof out->chat_id);
	return unread_of(conn, c->id, me->id, &out->unread, err);
}

bool pg_chat_read(PGconn *conn, const struct agent *me, const char *chat_id, int64_t seq,
		  struct event *out, bool *moved, struct api_error *err)
{
	struct chat c = {0};
	struct errbuf why;
	bool went_up = false;

	if (seq < 1)
		return api_error_set(err, API_INVALID_PAYLOAD, "seq: must be 1 or more");
	memset(out, 0, sizeof *out);
	if (!pg_exec(conn, "BEGIN", "begin a read mark", &why))
		return pg_api_fail(err, &why);
	/* The chat is read, not locked: its message count only grows, so a
	 * seq within it stays within it, and readers never wait for writers. */
	bool ok = pg_chat_load(conn, chat_id, false, &c, err) &&
		  mark(conn, me, &c, seq, out, &went_up, err);
	if (!pg_finish(conn, ok, "end a read mark", &why) && ok)
		ok = pg_api_fail(err, &why);
	chat_free(&c);
	if (!ok) {
		memset(out, 0, sizeof *out);
		return false;
	}
	*moved = went_up;
	return true;
}
