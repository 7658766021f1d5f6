/*
 * pg_ingest.c — db_ingest's and db_ingest_batch's meaning on PostgreSQL
 * (see pg.h): find or create the chat, refuse what the handoff forbids,
 * append the message, escalate once and record the events, in one
 * transaction; a batch runs the same steps for each item, in one.
 *
 * SQLite runs one writer at a time, so db_ingest.c may look and then
 * write. Here other connections write meanwhile, and each race is the
 * database's to decide:
 * - a new external_id: the INSERT of its chat is ON CONFLICT (external_id)
 *   DO NOTHING. Of several at once, one goes in; the others wait for its
 *   transaction, then insert nothing, undo what they made for it (their
 *   channel and owner steps, to a savepoint) and use the chat that won;
 * - a chat's message seqs: its row is locked (FOR UPDATE, or by the
 *   INSERT that made it) before anything reads its count, so appends take
 *   their turns, each until its COMMIT;
 * - a retried external_message_id: looked up under that lock, which every
 *   writer of the chat's messages takes, so the lookup sees every message
 *   committed before; the unique index messages_external refuses a second
 *   row whatever happens;
 * - the events' seqs: taken together as the last step (pg_event_seqs), when the
 *   JSON of each can be built with its seq, by the builder SQLite's
 *   events use (codec.c's event_to_string), from chats read by the same
 *   query as SQLite's (pg_chats.c).
 *
 * pg_system_message, pg_message_added and pg_chat_changed lend these
 * steps (append, record, then emit) to the other operations that change a
 * chat (pg_actions.c, pg_chat_ops.c, pg_messages.c), so every change's
 * events are built and numbered one way.
 *
 * Locks are taken in one order by every ingest — channel, owner, chat,
 * event counter — so two ingests never wait for each other in a circle. A
 * batch, which takes them item after item, takes what it will wait for
 * first, in an order every batch uses (see "a batch's locks").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "enums.h"
#include "pg_internal.h"
#include "timeutil.h"
#include "utf8.h"
#include "uuid.h"

/* An event waiting for its seq, with the chat as its change left it. */
struct pending {
	enum event_type type;
	int64_t at;
	bool note;              /* a note's message.created */
	struct chat chat;
	struct message message; /* message.created's */
};

/* The transaction's state: what ingest works on (me, in: NULL for the
 * lent steps), and the events waiting for their seqs — a single ingest
 * has up to three (chat.created, the message's, the escalation's), a
 * batch three an item. */
struct txn {
	PGconn *conn;
	const struct agent *me;
	const struct ingest *in;
	int64_t now;
	struct chat chat; /* as it is now in the transaction */
	struct pending *ev;
	size_t nev, cap;
	bool locked; /* a batch's locks are held (see "a batch's locks") */
};

static bool oom(struct api_error *err)
{
	return api_error_set(err, API_INTERNAL, "out of memory");
}

/* pg_query answering as the protocol does. */
static PGresult *run(struct txn *t, const char *sql, int n, const char *const *params,
		     const char *what, struct api_error *err)
{
	struct errbuf why;
	PGresult *r = pg_query(t->conn, sql, n, params, what, &why);

	if (!r)
		pg_api_fail(err, &why);
	return r;
}

static bool run_only(struct txn *t, const char *sql, int n, const char *const *params,
		     const char *what, struct api_error *err)
{
	PGresult *r = run(t, sql, n, params, what, err);

	PQclear(r);
	return r != NULL;
}

/* The id of the one row a statement returned, and whether there was one. */
static bool one_id(struct txn *t, const char *sql, int n, const char *const *params,
		   const char *what, uuid_str id, bool *found, struct api_error *err)
{
	PGresult *r = run(t, sql, n, params, what, err);

	if (!r)
		return false;
	*found = PQntuples(r) == 1;
	if (*found)
		pg_col_uuid(r, 0, 0, id);
	PQclear(r);
	return true;
}

static bool new_id(uuid_str id, struct api_error *err)
{
	struct errbuf why;

	return uuid_generate(id, &why) || api_error_set(err, API_INTERNAL, "%s", why.msg);
}

/* ---- a batch's locks ------------------------------------------------------- */

/*
 * A batch locks many rows, item after item, where a single ingest locks
 * one chat (and its channel and owner): two batches naming the same chats,
 * customers or new channels in another order would each hold what the
 * other waits for, and PostgreSQL would end one of them with a deadlock,
 * an error SQLite's batches never meet. So a batch first takes, in one
 * order every batch uses, what it will wait for:
 * - a transaction advisory lock per conversation it may create (by
 *   external_id), per customer it may create or update (by external id)
 *   and per channel it may create (one that does not exist yet), in the
 *   byte order of their keys;
 * - then the rows of the chats that exist already, named by id or by
 *   external_id, in id order (ORDER BY is applied before FOR UPDATE
 *   locks the rows it returns).
 * Two batches then wait for each other at most once, at the start. A
 * single ingest holds one chat at a time, so it never closes a circle
 * with a batch over chats; but one that makes a new conversation would
 * hold its customer's (or new channel's) row while it waited for the
 * batch making the same conversation, and the batch could want that
 * customer for a later item. So it takes a one-item batch's locks first.
 */

/* The seed of the advisory keys' hash: "batch" (keys are shared by every
 * user of the database; another seed keeps these apart from others'). */
#define BATCH_LOCK_SEED "7"

struct keys {
	char **v;
	size_t n, cap;
};

/* "kind:a[:b]", or a alone for no kind; NULL when out of memory. */
static char *key_make(const char *kind, const char *a, const char *b)
{
	size_t len = strlen(kind) + strlen(a) + (b ? strlen(b) : 0) + 3;
	char *key = malloc(len);

	if (key)
		snprintf(key, len, "%s%s%s%s%s", kind, *kind ? ":" : "", a, b ? ":" : "",
			 b ? b : "");
	return key;
}

static bool key_add(struct keys *k, const char *kind, const char *a, const char *b)
{
	char *key = key_make(kind, a, b);

	if (!key)
		return false;
	if (k->n == k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 16;
		char **v = realloc(k->v, cap * sizeof *v);
		if (!v) {
			free(key);
			return false;
		}
		k->v = v;
		k->cap = cap;
	}
	k->v[k->n++] = key;
	return true;
}

static void keys_free(struct keys *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->v[i]);
	free(k->v);
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The keys as an array parameter (pg_text_array), sorted and without
 * duplicates when `sorted`; NULL when out of memory. */
static char *array_literal(struct keys *k, bool sorted)
{
	if (sorted && k->n > 1) { /* qsort takes no NULL, even for nothing */
		qsort(k->v, k->n, sizeof *k->v, key_cmp);
		size_t kept = 1;
		for (size_t i = 1; i < k->n; i++) {
			if (strcmp(k->v[i], k->v[kept - 1]) == 0)
				free(k->v[i]);
			else
				k->v[kept++] = k->v[i];
		}
		k->n = kept;
	}
	return pg_text_array((const char *const *)k->v, k->n);
}

/* What the items name, into the three sets of keys. */
static bool batch_keys(const struct pg_ingest_item *items, size_t n, struct keys *locks,
		       struct keys *ids, struct keys *external)
{
	char type[PG_INT_LEN];

	for (size_t i = 0; i < n; i++) {
		const struct ingest *in = items[i].in;
		if (in->chat_id[0]) {
			/* an id that is no uuid names no chat: its item is 404 */
			if (uuid_valid(in->chat_id) && !key_add(ids, "", in->chat_id, NULL))
				return false;
			continue;
		}
		/* what a new chat creates: itself, its customer, its channel */
		const char *channel = in->channel_name ? in->channel_name
						       : channel_type_name(in->channel_type);
		if ((in->external_id && (!key_add(external, "", in->external_id, NULL) ||
					 !key_add(locks, "chat", in->external_id, NULL))) ||
		    (in->owner_external_id && !key_add(locks, "owner", in->owner_external_id, NULL)) ||
		    !key_add(locks, "channel", pg_int(in->channel_type, type), channel))
			return false;
	}
	return true;
}

static bool batch_lock(struct txn *t, const struct pg_ingest_item *items, size_t n,
		       struct api_error *err)
{
	struct keys locks = {0}, ids = {0}, external = {0};
	char *l = NULL, *i = NULL, *e = NULL;
	bool ok = batch_keys(items, n, &locks, &ids, &external) &&
		  (l = array_literal(&locks, true)) && (i = array_literal(&ids, false)) &&
		  (e = array_literal(&external, false));

	if (!ok)
		ok = oom(err);
	/* unnest gives the array's elements in its order, and the target list
	 * is evaluated a row at a time: the locks are taken in key order. A
	 * channel that exists (committed) is skipped: inserting it again is
	 * ON CONFLICT DO NOTHING, which waits for nobody, and its key would
	 * make every new chat of the channel, from every hub, take turns. */
	ok = ok &&
	     (locks.n == 0 ||
	      run_only(t,
		       "SELECT pg_advisory_xact_lock(hashtextextended(k, " BATCH_LOCK_SEED "))"
		       " FROM unnest($1::text[]) k WHERE k NOT LIKE 'channel:%' OR NOT EXISTS"
		       " (SELECT 1 FROM channels c WHERE 'channel:' || c.type || ':' || c.name = k)",
		       1, (const char *[]){l}, "lock a batch's keys", err)) &&
	     (ids.n + external.n == 0 ||
	      run_only(t,
		       "SELECT 1 FROM chats WHERE id = ANY($1::uuid[]) OR external_id = ANY($2::text[])"
		       " ORDER BY id FOR UPDATE",
		       2, (const char *[]){i, e}, "lock a batch's chats", err));
	free(l);
	free(i);
	free(e);
	keys_free(&locks);
	keys_free(&ids);
	keys_free(&external);
	return ok;
}

/* ---- the chat ------------------------------------------------------------ */

/* The channel (type, name), created on first use. Two statements: the
 * SELECT takes a snapshot of its own, after the INSERT waited for anyone
 * inserting the same channel, so it sees their row. */
static bool channel_id(struct txn *t, uuid_str id, struct api_error *err)
{
	const struct ingest *in = t->in;
	const char *name = in->channel_name ? in->channel_name
					    : channel_type_name(in->channel_type);
	char type[PG_INT_LEN];
	bool found = false;

	if (!new_id(id, err))
		return false;
	const char *params[] = {id, pg_int(in->channel_type, type), name};
	return run_only(t,
			"INSERT INTO channels (id, type, name) VALUES ($1, $2, $3)"
			" ON CONFLICT (type, name) DO NOTHING",
			3, params, "add a channel", err) &&
	       one_id(t, "SELECT id FROM channels WHERE type = $1 AND name = $2", 2, params + 1,
		      "find a channel", id, &found, err) &&
	       (found || api_error_set(err, API_INTERNAL, "the channel is gone"));
}

/* The owner with this external id, else a new one, in one statement: an
 * existing owner keeps its name, and gets an email or phone it has none
 * of yet (SQLite's rule); unnamed customers go by their platform id, or
 * as "Customer". An owner without an external id is always new. */
static bool owner_id(struct txn *t, uuid_str id, char **name, struct api_error *err)
{
	const struct ingest *in = t->in;
	const char *n = in->owner_name	      ? in->owner_name
			: in->owner_external_id ? in->owner_external_id
						: "Customer";
	bool ok = true;

	if (!new_id(id, err))
		return false;
	const char *params[] = {id, in->owner_external_id, n, in->owner_email, in->owner_phone};
	PGresult *r = run(t,
			  "INSERT INTO owners (id, external_id, name, email, phone)"
			  " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (external_id) DO UPDATE"
			  " SET email = coalesce(owners.email, excluded.email),"
			  " phone = coalesce(owners.phone, excluded.phone) RETURNING id, name",
			  5, params, "add an owner", err);
	if (!r)
		return false;
	pg_col_uuid(r, 0, 0, id);
	*name = pg_col_str(r, 0, 1, &ok);
	PQclear(r);
	return ok || oom(err);
}

/* A new chat in AI mode, version 1, its source the calling account; *made
 * is false when another transaction created the chat of this external_id
 * first, and then nothing of this attempt is left. */
static bool create_chat(struct txn *t, uuid_str id, bool *made, struct api_error *err)
{
	const struct ingest *in = t->in;
	char type[PG_INT_LEN], now[PG_INT_LEN];
	uuid_str channel, owner;
	char *owner_name = NULL;

	if (!new_id(id, err) ||
	    !run_only(t, "SAVEPOINT new_chat", 0, NULL, "begin a chat", err) ||
	    !channel_id(t, channel, err) || !owner_id(t, owner, &owner_name, err))
		return false;
	const char *params[] = {id, in->external_id, channel, pg_int(in->channel_type, type),
				owner, owner_name, pg_int(t->now, now), in->source_platform,
				t->me->id};
	bool ok = one_id(t,
			 "INSERT INTO chats (id, external_id, channel_id, channel_type, owner_id,"
			 " owner_name, created_at, updated_at, source_platform, source_account_id,"
			 " responder_type, mode, escalated, state, message_count, version,"
			 " last_event_seq)"
			 " VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, 0, 0, false, 0, 0, 1, 0)"
			 " ON CONFLICT (external_id) DO NOTHING RETURNING id",
			 9, params, "add a chat", id, made, err) &&
		  run_only(t,
			   *made ? "RELEASE SAVEPOINT new_chat" : "ROLLBACK TO SAVEPOINT new_chat",
			   0, NULL, "end a chat", err);
	free(owner_name);
	return ok;
}

/* An event of the change that left the chat as it is now (read again into
 * the event, and into t->chat); `m` for message.created. */
static bool record(struct txn *t, enum event_type type, const struct message *m,
		   struct api_error *err)
{
	if (t->nev == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 4;
		struct pending *ev = realloc(t->ev, cap * sizeof *ev);
		if (!ev)
			return oom(err);
		t->ev = ev;
		t->cap = cap;
	}
	struct pending *p = &t->ev[t->nev];

	*p = (struct pending){.type = type, .at = t->now,
			      .note = m && m->role == MSG_ROLE_NOTE};
	if (!pg_chat_load(t->conn, t->chat.id, false, &p->chat, err))
		return false;
	t->nev++;
	/* m may borrow from t->chat (a customer's name): copied first */
	if (m && !message_copy(&p->message, m))
		return oom(err);
	chat_free(&t->chat);
	return chat_copy(&t->chat, &p->chat) || oom(err);
}

/* The chat the message belongs to, locked, into t->chat: by id (which
 * must exist), by external id, or a new one (chat.created). A chat_id wins
 * over an external_id. */
static bool find_or_create(struct txn *t, struct api_error *err)
{
	const struct ingest *in = t->in;
	const char *params[] = {in->external_id};
	uuid_str id = "";
	bool found = false, made = false;

	if (in->chat_id[0])
		return pg_chat_load(t->conn, in->chat_id, true, &t->chat, err);
	/* Found and locked in one statement (an external_id never changes, so
	 * the row FOR UPDATE waited for still matches); read in the next, as
	 * pg_chat_load explains. */
	if (in->external_id &&
	    !one_id(t, "SELECT id FROM chats WHERE external_id = $1 FOR UPDATE", 1, params,
		    "find a chat", id, &found, err))
		return false;
	if (found)
		return pg_chat_load(t->conn, id, false, &t->chat, err);
	if ((!t->locked && !batch_lock(t, &(struct pg_ingest_item){.in = in}, 1, err)) ||
	    !create_chat(t, id, &made, err))
		return false;
	if (made) {
		memcpy(t->chat.id, id, sizeof id);
		return record(t, EVENT_CHAT_CREATED, NULL, err);
	}
	/* Lost the race to create it: the winner has committed (its INSERT
	 * waited for that), so a new snapshot finds its chat. */
	if (!(one_id(t, "SELECT id FROM chats WHERE external_id = $1", 1, params, "find a chat",
		     id, &found, err) &&
	      (found || api_error_set(err, API_INTERNAL, "the new chat is gone"))))
		return false;
	return pg_chat_load(t->conn, id, true, &t->chat, err);
}

/* ---- messages -------------------------------------------------------- */

/* The message this account already ingested into the chat under
 * external_message_id, if any (spelled like messages_external, which
 * answers it). */
static bool find_external(struct txn *t, struct message *out, bool *found, struct api_error *err)
{
	const char *params[] = {t->chat.id, t->me->id, t->in->external_message_id};
	PGresult *r = run(t,
			  "SELECT " PG_MESSAGE_COLUMNS " FROM messages WHERE chat_id = $1"
			  " AND ingest_account_id = $2 AND external_message_id = $3",
			  3, params, "find an ingested message", err);

	if (!r)
		return false;
	*found = PQntuples(r) == 1;
	bool ok = !*found || pg_message_from_row(r, 0, out) || oom(err);
	PQclear(r);
	return ok;
}

/* The chat's side of message m, just stored (its seq the locked chat's
 * count + 1): the count, the previews and the wait clock as SQLite's
 * store_message moves them — a note moves neither — then message.created
 * recorded. */
static bool count(struct txn *t, const struct message *m, struct api_error *err)
{
	char at[PG_INT_LEN], role[PG_INT_LEN], agent[PG_INT_LEN], user[PG_INT_LEN];

	pg_int(m->created_at, at);
	if (m->role == MSG_ROLE_NOTE) {
		const char *params[] = {at, m->chat_id};
		return run_only(t,
				"UPDATE chats SET message_count = message_count + 1,"
				" version = version + 1, updated_at = $1 WHERE id = $2",
				2, params, "count a note", err) &&
		       record(t, EVENT_MESSAGE_CREATED, m, err);
	}
	char *preview = strndup(m->text, utf8_prefix_bytes(m->text, PREVIEW_MAX_CHARS));
	if (!preview)
		return oom(err);
	/* SET expressions see the row before the UPDATE: latest shifts to
	 * previous. The wait clock as in SQLite: an agent's message answers
	 * whoever waited; a customer's, in a chat an agent holds, starts the
	 * next-response clock unless an older one still runs. */
	const char *params[] = {preview, at, pg_int(m->role, role), pg_int(MSG_ROLE_AGENT, agent),
				pg_int(MSG_ROLE_USER, user), m->chat_id};
	bool ok = run_only(t,
			   "UPDATE chats SET message_count = message_count + 1,"
			   " previous_text = latest_text, previous_at = latest_at,"
			   " previous_role = latest_role, latest_text = $1, latest_at = $2,"
			   " latest_role = $3, awaiting_since = CASE"
			   "  WHEN $3::integer = $4::integer THEN NULL"
			   "  WHEN $3::integer = $5::integer AND mode = 1"
			   "   THEN coalesce(awaiting_since, $2)"
			   "  ELSE awaiting_since END,"
			   " version = version + 1, updated_at = $2 WHERE id = $6",
			   6, params, "count a message", err);
	free(preview);
	return ok && record(t, EVENT_MESSAGE_CREATED, m, err);
}

/* Append m to t->chat's thread, its seq the locked chat's count + 1 (given
 * back in m), then count it. */
static bool append(struct txn *t, struct message *m, const char *ingest_account_id,
		   struct api_error *err)
{
	char at[PG_INT_LEN], role[PG_INT_LEN], system[PG_INT_LEN];

	if (!new_id(m->id, err))
		return false;
	memcpy(m->chat_id, t->chat.id, sizeof m->chat_id);
	m->created_at = t->now;
	const char *params[] = {m->id, m->chat_id, pg_int(t->now, at), pg_int(m->role, role),
				pg_int(m->system_type, system),
				m->author.id[0] ? m->author.id : NULL, m->author.name, m->text,
				m->external_message_id, ingest_account_id};
	PGresult *r = run(t,
			  "INSERT INTO messages (id, chat_id, seq, created_at, role, system_type,"
			  " author_id, author_name, text, external_message_id, ingest_account_id)"
			  " SELECT $1, id, message_count + 1, $3, $4, $5, $6, $7, $8, $9, $10"
			  " FROM chats WHERE id = $2 RETURNING seq",
			  10, params, "add a message", err);
	if (!r)
		return false;
	m->seq = pg_col_int(r, 0, 0);
	PQclear(r);
	return count(t, m, err);
}

/* Escalate the chat unless it is already (escalating twice adds nothing),
 * with the system message that says so. */
static bool escalate(struct txn *t, struct api_error *err)
{
	char at[PG_INT_LEN];
	const char *params[] = {pg_int(t->now, at), t->chat.id};
	/* a waiting chat's first-response clock starts now; a held chat's
	 * next-response clock is its own */
	PGresult *r = run(t,
			  "UPDATE chats SET escalated = true, escalated_at = $1,"
			  " awaiting_since = CASE WHEN mode = 0 THEN $1 ELSE awaiting_since END"
			  " WHERE id = $2 AND NOT escalated",
			  2, params, "escalate a chat", err);
	if (!r)
		return false;
	bool changed = strcmp(PQcmdTuples(r), "1") == 0;
	PQclear(r);
	struct message m = {.role = MSG_ROLE_SYSTEM,
			    .system_type = SYSTEM_TYPE_CONVERSATION_ESCALATED,
			    .author.name = (char *)"system",
			    .text = (char *)"Escalated to a human agent"};
	return !changed || append(t, &m, NULL, err);
}

/* ---- events ------------------------------------------------------------ */

/* Forget the pending events from `from` on (a batch's refused item's). */
static void drop(struct txn *t, size_t from)
{
	while (t->nev > from) {
		struct pending *p = &t->ev[--t->nev];
		chat_free(&p->chat);
		message_free(&p->message);
	}
}

static void txn_free(struct txn *t)
{
	drop(t, 0);
	free(t->ev);
	t->ev = NULL;
	t->cap = 0;
}

/* The last step, in two statements however many events: the
 * transaction's seqs taken together, each event's JSON built with its
 * own, then every event appended, and each chat's row told its last one,
 * at once (pg_events_append).
 *
 * Each row copies the chat's list columns as the whole change left them,
 * where SQLite's copy them as each event left them. The two agree for
 * every reader: a list walk is pinned to a head seq, and the counter's
 * lock makes every head the last seq of a committed transaction, never
 * one between the events of this one. */
static bool emit(struct txn *t, struct api_error *err)
{
	struct errbuf why;
	int64_t first = 0;

	if (t->nev == 0)
		return true;
	if (!pg_event_seqs(t->conn, t->nev, &first, &why))
		return pg_api_fail(err, &why);
	struct pg_event *rows = calloc(t->nev, sizeof *rows);
	bool ok = rows != NULL;
	for (size_t i = 0; ok && i < t->nev; i++) {
		struct pending *p = &t->ev[i];
		struct event ev = {.type = p->type, .at = p->at, .chat = &p->chat,
				   .seq = first + (int64_t)i};
		if (p->type == EVENT_MESSAGE_CREATED)
			ev.message = &p->message;
		rows[i] = (struct pg_event){ev.seq, p->chat.id, p->type, p->at, p->note,
					    event_to_string(&ev)};
		ok = rows[i].json != NULL;
	}
	if (!ok)
		oom(err);
	else if (!pg_events_append(t->conn, rows, t->nev, &why))
		ok = pg_api_fail(err, &why);
	for (size_t i = 0; rows && i < t->nev; i++)
		free((char *)rows[i].json);
	free(rows);
	return ok;
}

/* ---- the steps lent to other operations --------------------------------- */

/* Emit what `ok` steps recorded and hand the chat after them to *chat
 * (freed first); on failure the chat is left as it was. */
static bool lend(struct txn *t, bool ok, struct chat *chat, struct api_error *err)
{
	ok = ok && emit(t, err);
	txn_free(t);
	if (!ok) {
		chat_free(&t->chat);
		return false;
	}
	chat_free(chat);
	*chat = t->chat;
	return true;
}

bool pg_system_message(PGconn *conn, const char *chat_id, enum system_type type,
		       const struct agent *me, const char *text, int64_t now, struct chat *chat,
		       struct api_error *err)
{
	/* The ingest's own steps, with nothing to ingest: append, then the
	 * event with its seq taken last. */
	struct txn t = {.conn = conn, .now = now};
	struct message m = {.role = MSG_ROLE_SYSTEM, .system_type = type,
			    .author.name = me ? me->name : (char *)"system", .text = (char *)text};

	memcpy(t.chat.id, chat_id, sizeof t.chat.id);
	if (me)
		memcpy(m.author.id, me->id, sizeof m.author.id);
	return lend(&t, append(&t, &m, NULL, err), chat, err);
}

bool pg_message_added(PGconn *conn, const struct message *m, struct chat *chat,
		      struct api_error *err)
{
	struct txn t = {.conn = conn, .now = m->created_at};

	memcpy(t.chat.id, m->chat_id, sizeof t.chat.id);
	return lend(&t, count(&t, m, err), chat, err);
}

bool pg_chat_changed(PGconn *conn, const char *chat_id, enum event_type type, int64_t now,
		     struct chat *chat, struct api_error *err)
{
	struct txn t = {.conn = conn, .now = now};
	char at[PG_INT_LEN];
	const char *params[] = {pg_int(now, at), chat_id};

	memcpy(t.chat.id, chat_id, sizeof t.chat.id);
	bool ok = run_only(&t, "UPDATE chats SET version = version + 1, updated_at = $1"
			       " WHERE id = $2",
			   2, params, "bump a chat", err) &&
		  record(&t, type, NULL, err);
	return lend(&t, ok, chat, err);
}

/* ---- one ingest ------------------------------------------------------------ */

/* in's steps, its events recorded (not emitted) and the chat after it in
 * t->chat; a refusal is an error that wrote nothing. */
static bool ingest(struct txn *t, const struct ingest *in, struct message *m, bool *created,
		   struct api_error *err)
{
	bool found = false;

	t->in = in;
	t->now = ts_now();
	if (!find_or_create(t, err))
		return false;
	/* A retry of a message already stored answers with the first one and
	 * does nothing else, even if the chat was since stopped or taken. */
	if (in->external_message_id && !find_external(t, m, &found, err))
		return false;
	if (found)
		return true;
	*created = true;
	if (t->chat.state == CHAT_STATE_STOPPED)
		return api_error_set(err, API_CONFLICT, "chat is stopped");
	if (in->role == MSG_ROLE_BOT && t->chat.mode == CHAT_MODE_AGENT)
		return api_error_set(err, API_CONFLICT,
				     "an agent holds this chat; the bot must stay silent");

	/* Customers have no account; a bot speaks as its ingest account. The
	 * strings are borrowed, and copied into the event's message. */
	bool bot = in->role == MSG_ROLE_BOT;
	struct message add = {.role = in->role,
			      .author.name = bot ? t->me->name : t->chat.owner.name,
			      .text = (char *)in->text,
			      .external_message_id = (char *)in->external_message_id};
	if (bot)
		memcpy(add.author.id, t->me->id, sizeof add.author.id);
	if (!append(t, &add, t->me->id, err))
		return false;
	if (!message_copy(m, &t->ev[t->nev - 1].message))
		return oom(err);
	return !in->escalate || escalate(t, err);
}

bool pg_ingest(PGconn *conn, const struct agent *me, const struct ingest *in, struct chat *chat,
	       struct message *message, bool *created, struct api_error *err)
{
	struct txn t = {.conn = conn, .me = me};
	struct message m = {0};
	struct errbuf why;
	bool is_new = false;

	if (!ingest_valid(in, err))
		return false;
	if (!pg_exec(t.conn, "BEGIN", "begin an ingest", &why))
		return pg_api_fail(err, &why);
	bool ok = ingest(&t, in, &m, &is_new, err) && emit(&t, err);
	/* A refusal (stopped chat) or a failure leaves nothing behind. */
	if (!pg_finish(t.conn, ok, "end an ingest", &why) && ok)
		ok = pg_api_fail(err, &why);
	txn_free(&t);
	if (!ok) {
		chat_free(&t.chat);
		message_free(&m);
		return false;
	}
	*chat = t.chat;
	*message = m;
	if (created)
		*created = is_new;
	return true;
}

/* ---- a batch ----------------------------------------------------------------- */

/* ingest_result_free's work, which is SQLite's library's (db_ingest.c):
 * this one links without it. */
static void result_clear(struct ingest_result *r)
{
	chat_free(&r->chat);
	message_free(&r->message);
	memset(r, 0, sizeof *r);
}

/* A statement that ends one item's savepoint, and starts the next one's
 * in the same round trip (PQexec takes several). */
static bool savepoint(struct txn *t, const char *sql, struct api_error *err)
{
	struct errbuf why;

	return pg_exec(t->conn, sql, "a batch item's savepoint", &why) || pg_api_fail(err, &why);
}

/* An item in the savepoint "item", which the caller has set: a refusal
 * (stopped chat, a bot while an agent holds it, unknown chat_id) rolls
 * back to it and forgets the item's events, so it refuses only itself, as
 * in SQLite, whatever the item had written, and leaves the savepoint for
 * the next item; a stored item releases it and, unless `last`, sets the
 * next item's. A database error fails the batch. */
static bool batch_item(struct txn *t, const struct pg_ingest_item *item, bool last,
		       struct api_error *err)
{
	struct ingest_result *r = item->out;
	size_t mark = t->nev;

	t->me = item->me;
	r->error = (struct api_error){API_OK, ""};
	if (ingest(t, item->in, &r->message, &r->created, &r->error)) {
		r->chat = t->chat; /* moved: the next item loads its own */
		memset(&t->chat, 0, sizeof t->chat);
		return savepoint(t, last ? "RELEASE SAVEPOINT item"
					 : "RELEASE SAVEPOINT item; SAVEPOINT item",
				 err);
	}
	chat_free(&t->chat);
	struct api_error refused = r->error;
	result_clear(r);
	r->error = refused;
	drop(t, mark);
	if (refused.type == API_INTERNAL) {
		*err = refused;
		return false;
	}
	return savepoint(t, "ROLLBACK TO SAVEPOINT item", err);
}

/* One transaction for the items, one commit instead of n; every item's
 * events take their seqs together at the end, so the event counter's lock
 * is held once, for the shortest time. */
bool pg_ingest_items(PGconn *conn, const struct pg_ingest_item *items, size_t n,
		     struct api_error *err)
{
	struct txn t = {.conn = conn};
	struct errbuf db;
	bool ok = true;

	for (size_t i = 0; i < n; i++)
		memset(items[i].out, 0, sizeof *items[i].out);
	if (!pg_exec(conn, "BEGIN", "begin an ingest batch", &db))
		return pg_api_fail(err, &db);
	ok = t.locked = batch_lock(&t, items, n, err);
	ok = ok && (n == 0 || savepoint(&t, "SAVEPOINT item", err));
	for (size_t i = 0; i < n && ok; i++)
		ok = batch_item(&t, &items[i], i == n - 1, err);
	ok = ok && emit(&t, err);
	if (!pg_finish(conn, ok, "end an ingest batch", &db) && ok)
		ok = pg_api_fail(err, &db);
	txn_free(&t);
	chat_free(&t.chat);
	if (ok)
		return true;
	for (size_t i = 0; i < n; i++)
		result_clear(items[i].out);
	return false;
}

bool pg_ingest_batch(PGconn *conn, const struct agent *me, const struct ingest *items, size_t n,
		     struct ingest_result *out, struct api_error *err)
{
	struct api_error why;

	memset(out, 0, n * sizeof *out);
	for (size_t i = 0; i < n; i++)
		if (!ingest_valid(&items[i], &why))
			return api_error_set(err, API_INVALID_PAYLOAD, "items[%zu].%s", i,
					     why.description);
	struct pg_ingest_item *each = malloc((n ? n : 1) * sizeof *each);
	if (!each)
		return oom(err);
	for (size_t i = 0; i < n; i++)
		each[i] = (struct pg_ingest_item){me, &items[i], &out[i]};
	bool ok = pg_ingest_items(conn, each, n, err);
	free(each);
	return ok;
}
