/*
 * db_reads.c — read marks (v1.1): how far each agent has read each chat,
 * and what is left unread for them (see db.h).
 *
 * A mark is the highest seq the agent saw. It only moves forward: two
 * consoles of one agent may report marks out of order (the slower one
 * last), and a lower mark must not bring read messages back.
 */
#include <string.h>

#include "db_internal.h"

_Static_assert(UNREAD_MAX == 99, "UNREAD_MAX is spelled in unread_sql");

/*
 * Messages after the mark that someone else wrote, counted up to
 * UNREAD_MAX: the inner LIMIT bounds the walk of (chat_id, seq), so a
 * chat of a million messages nobody read costs what one of a hundred
 * does. A customer's message has no author id, so it always counts.
 */
static const char unread_sql[] =
	"SELECT count(*) FROM (SELECT 1 FROM messages WHERE chat_id = ?1 AND seq >"
	" coalesce((SELECT seq FROM chat_reads WHERE account_id = ?2 AND chat_id = ?1), 0)"
	" AND author_id IS NOT ?2 LIMIT 99)";

bool db_chat_unread(struct db *db, const struct agent *me, struct chat *c, struct api_error *err)
{
	bool found;

	/* Ingest accounts read no threads: their chats say nothing of it. */
	if (me->role == ACCOUNT_INGEST)
		return true;
	return db_get_int(db, unread_sql, ARGS(ARG_T(c->id), ARG_T(me->id)), &c->unread, &found,
			  err);
}

struct mark {
	const struct agent *me;
	int64_t seq;
	bool moved;
	struct event *out;
};

static bool apply_mark(struct db *db, void *arg, struct chat *c, int64_t now,
		       struct api_error *err)
{
	struct mark *m = arg;
	int changes = 0;
	bool found;

	(void)now; /* a mark is not a change of the chat: no version, no log event */
	if (m->seq > c->message_count)
		return api_error_set(err, API_INVALID_PAYLOAD,
				     "seq: the chat has %lld messages", (long long)c->message_count);
	if (!db_run(db,
		    "INSERT INTO chat_reads (account_id, chat_id, seq) VALUES (?, ?, ?)"
		    " ON CONFLICT (account_id, chat_id) DO UPDATE SET seq = excluded.seq"
		    " WHERE excluded.seq > chat_reads.seq",
		    ARGS(ARG_T(m->me->id), ARG_T(c->id), ARG_I(m->seq)), &changes, err))
		return false;
	m->moved = changes > 0;
	m->out->type = EVENT_CHAT_READ;
	memcpy(m->out->chat_id, c->id, sizeof m->out->chat_id);
	return db_get_int(db, "SELECT seq FROM chat_reads WHERE account_id = ? AND chat_id = ?",
			  ARGS(ARG_T(m->me->id), ARG_T(c->id)), &m->out->read_seq, &found, err) &&
	       db_get_int(db, unread_sql, ARGS(ARG_T(c->id), ARG_T(m->me->id)), &m->out->unread,
			  &found, err);
}

bool db_chat_read(struct db *db, const struct agent *me, const char *chat_id, int64_t seq,
		  struct event *out, bool *moved, struct api_error *err)
{
	struct mark m = {me, seq, false, out};
	struct chat c;

	if (seq < 1)
		return api_error_set(err, API_INVALID_PAYLOAD, "seq: must be 1 or more");
	memset(out, 0, sizeof *out);
	if (!chat_transaction(db, chat_id, apply_mark, &m, &c, err))
		return false;
	chat_free(&c);
	*moved = m.moved;
	return true;
}
