/*
 * bridge_state.c — the bridge's SQLite file (bridge_state.h).
 *
 * Statements are kept once prepared (STMT_CACHE of them, by their text): a
 * backfill asks a few questions per message of tens of thousands, and
 * preparing cost more than answering. The code stays one function per
 * question. A failing statement is logged and reported as false; callers
 * treat that as "could not record" and retry the work, which is idempotent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "bridge_state.h"
#include "log.h"

#define STMT_CACHE 32

struct bstate {
	sqlite3 *db;
	struct {
		char *sql;
		sqlite3_stmt *st;
		bool busy;            /* handed out by prep, not yet released */
	} cache[STMT_CACHE];
};

static const char schema[] =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA synchronous=NORMAL;"
	"CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS convs (conv_id TEXT PRIMARY KEY, chat_id TEXT NOT NULL DEFAULT '',"
	"  handoff TEXT NOT NULL DEFAULT '', meta TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX IF NOT EXISTS convs_chat ON convs (chat_id);"
	"CREATE TABLE IF NOT EXISTS msgs (platform_id TEXT PRIMARY KEY, hub_id TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS outq (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL,"
	"  chat_id TEXT NOT NULL, conv_id TEXT NOT NULL, payload TEXT NOT NULL,"
	"  attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX IF NOT EXISTS outq_conv ON outq (conv_id, id);";

/* Columns added after the first release: a state db made before them gets
 * them here (SQLite has no ADD COLUMN IF NOT EXISTS). */
static const struct {
	const char *table, *column, *decl;
} added_columns[] = {
	/* The newest hub message seq of the chat whose event was turned
	 * into jobs: a resync walks the chat from there. */
	{"convs", "msg_seq", "INTEGER NOT NULL DEFAULT 0"},
};

static bool has_column(sqlite3 *db, const char *table, const char *column)
{
	char sql[96];
	sqlite3_stmt *st = NULL;
	bool found = false;

	snprintf(sql, sizeof sql, "PRAGMA table_info(%s)", table);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return false;
	while (!found && sqlite3_step(st) == SQLITE_ROW)
		found = strcmp((const char *)sqlite3_column_text(st, 1), column) == 0;
	sqlite3_finalize(st);
	return found;
}

static bool add_columns(sqlite3 *db, char **msg)
{
	for (size_t i = 0; i < sizeof added_columns / sizeof added_columns[0]; i++) {
		char sql[160];
		if (has_column(db, added_columns[i].table, added_columns[i].column))
			continue;
		snprintf(sql, sizeof sql, "ALTER TABLE %s ADD COLUMN %s %s", added_columns[i].table,
			 added_columns[i].column, added_columns[i].decl);
		if (sqlite3_exec(db, sql, NULL, NULL, msg) != SQLITE_OK)
			return false;
	}
	return true;
}

struct bstate *bstate_open(const char *path, struct errbuf *err)
{
	struct bstate *s = calloc(1, sizeof *s);
	char *msg = NULL;

	if (!s) {
		errbuf_set(err, "out of memory");
		return NULL;
	}
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		errbuf_set(err, "state db %s: %s", path, sqlite3_errmsg(s->db));
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 2000);
	if (sqlite3_exec(s->db, schema, NULL, NULL, &msg) != SQLITE_OK ||
	    !add_columns(s->db, &msg)) {
		errbuf_set(err, "state db %s: %s", path, msg ? msg : "cannot create tables");
		sqlite3_free(msg);
		goto fail;
	}
	return s;
fail:
	sqlite3_close(s->db);
	free(s);
	return NULL;
}

void bstate_close(struct bstate *s)
{
	if (!s)
		return;
	for (int i = 0; i < STMT_CACHE; i++) {
		sqlite3_finalize(s->cache[i].st);
		free(s->cache[i].sql);
	}
	sqlite3_close(s->db);
	free(s);
}

static bool exec(struct bstate *s, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return true;
	log_error("state db: %s: %s", sql, msg ? msg : "?");
	sqlite3_free(msg);
	return false;
}

bool bstate_begin(struct bstate *s)
{
	return exec(s, "BEGIN IMMEDIATE");
}

bool bstate_commit(struct bstate *s)
{
	if (exec(s, "COMMIT"))
		return true;
	bstate_rollback(s);
	return false;
}

void bstate_rollback(struct bstate *s)
{
	exec(s, "ROLLBACK");
}

/* `sql` prepared (kept for the next call when there is room) with the
 * strings bound in order (NULL binds NULL); release() it after use. */
static sqlite3_stmt *prep(struct bstate *s, const char *sql, int n, const char *const *args)
{
	sqlite3_stmt *st = NULL;
	int slot = -1;

	for (int i = 0; i < STMT_CACHE && !st; i++) {
		if (!s->cache[i].sql) {
			slot = i; /* the slots fill in order: no match beyond */
			break;
		}
		if (!s->cache[i].busy && strcmp(s->cache[i].sql, sql) == 0)
			st = s->cache[slot = i].st;
	}
	if (!st && sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		log_error("state db: %s: %s", sql, sqlite3_errmsg(s->db));
		sqlite3_finalize(st);
		return NULL;
	}
	if (slot >= 0 && !s->cache[slot].sql && (s->cache[slot].sql = strdup(sql)))
		s->cache[slot].st = st;
	if (slot >= 0 && s->cache[slot].st == st)
		s->cache[slot].busy = true;
	for (int i = 0; i < n; i++)
		sqlite3_bind_text(st, i + 1, args[i], -1, SQLITE_TRANSIENT);
	return st;
}

/* Done with a statement of prep(): reset for its next use, or finalized
 * when it is not kept. */
static void release(struct bstate *s, sqlite3_stmt *st)
{
	for (int i = 0; i < STMT_CACHE; i++)
		if (s->cache[i].st == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			s->cache[i].busy = false;
			return;
		}
	sqlite3_finalize(st);
}

/* Run a statement that returns no row. */
static bool run(struct bstate *s, const char *sql, int n, const char *const *args)
{
	sqlite3_stmt *st = prep(s, sql, n, args);
	int rc;

	if (!st)
		return false;
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		log_error("state db: %s: %s", sql, sqlite3_errmsg(s->db));
	release(s, st);
	return rc == SQLITE_DONE;
}

/* The first column of the first row as a new string (*out NULL: no row). */
static bool text_of(struct bstate *s, const char *sql, int n, const char *const *args, char **out)
{
	sqlite3_stmt *st = prep(s, sql, n, args);
	int rc;

	*out = NULL;
	if (!st)
		return false;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		*out = strdup(v ? v : "");
		rc = *out ? SQLITE_DONE : SQLITE_NOMEM;
	}
	release(s, st);
	return rc == SQLITE_DONE;
}

static char *col(sqlite3_stmt *st, int i)
{
	const char *v = (const char *)sqlite3_column_text(st, i);
	return strdup(v ? v : "");
}

bool bstate_kv_get(struct bstate *s, const char *key, char **out)
{
	return text_of(s, "SELECT value FROM kv WHERE key = ?", 1, &key, out);
}

bool bstate_kv_set(struct bstate *s, const char *key, const char *value)
{
	const char *a[] = {key, value};
	return run(s, "INSERT INTO kv (key, value) VALUES (?, ?) "
		      "ON CONFLICT (key) DO UPDATE SET value = excluded.value", 2, a);
}

bool bstate_conv_chat(struct bstate *s, const char *conv_id, char chat_id[37])
{
	char *v = NULL;

	chat_id[0] = '\0';
	if (!text_of(s, "SELECT chat_id FROM convs WHERE conv_id = ?", 1, &conv_id, &v))
		return false;
	if (v)
		snprintf(chat_id, 37, "%s", v);
	free(v);
	return chat_id[0] != '\0';
}

bool bstate_chat_conv(struct bstate *s, const char *chat_id, char **conv_id)
{
	return text_of(s, "SELECT conv_id FROM convs WHERE chat_id = ? AND chat_id <> ''", 1,
		       &chat_id, conv_id) && *conv_id;
}

static bool conv_upsert(struct bstate *s, const char *column, const char *conv_id,
			const char *value)
{
	char sql[200];
	const char *a[] = {conv_id, value};

	snprintf(sql, sizeof sql,
		 "INSERT INTO convs (conv_id, %s) VALUES (?, ?) "
		 "ON CONFLICT (conv_id) DO UPDATE SET %s = excluded.%s", column, column, column);
	return run(s, sql, 2, a);
}

bool bstate_conv_set_chat(struct bstate *s, const char *conv_id, const char *chat_id)
{
	return conv_upsert(s, "chat_id", conv_id, chat_id);
}

bool bstate_conv_handoff(struct bstate *s, const char *conv_id, char **out)
{
	if (!text_of(s, "SELECT handoff FROM convs WHERE conv_id = ?", 1, &conv_id, out))
		return false;
	if (!*out)
		*out = strdup("");
	return *out != NULL;
}

bool bstate_conv_set_handoff(struct bstate *s, const char *conv_id, const char *value)
{
	return conv_upsert(s, "handoff", conv_id, value);
}

bool bstate_conv_requested_prune(struct bstate *s, char *const *keep, size_t nkeep)
{
	sqlite3_stmt *st = prep(s, "SELECT conv_id FROM convs WHERE handoff = 'requested'", 0, NULL);
	char **drop = NULL;
	size_t ndrop = 0;
	bool ok = st != NULL;

	while (ok && sqlite3_step(st) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		bool kept = false;
		for (size_t i = 0; i < nkeep && !kept; i++)
			kept = strcmp(keep[i], id) == 0;
		if (kept)
			continue;
		char **grown = realloc(drop, (ndrop + 1) * sizeof *drop);
		if (!grown || !(grown[ndrop] = strdup(id))) {
			drop = grown ? grown : drop;
			ok = false;
			break;
		}
		drop = grown;
		ndrop++;
	}
	release(s, st);
	for (size_t i = 0; i < ndrop; i++) {
		ok = ok && bstate_conv_set_handoff(s, drop[i], "");
		free(drop[i]);
	}
	free(drop);
	return ok;
}

bool bstate_conv_meta(struct bstate *s, const char *chat_id, char **out)
{
	return text_of(s, "SELECT meta FROM convs WHERE chat_id = ? AND chat_id <> ''", 1, &chat_id,
		       out);
}

bool bstate_conv_set_meta(struct bstate *s, const char *chat_id, const char *meta)
{
	const char *a[] = {meta, chat_id};
	return run(s, "UPDATE convs SET meta = ? WHERE chat_id = ?", 2, a);
}

int64_t bstate_conv_msg_seq(struct bstate *s, const char *chat_id)
{
	char *v = NULL;
	int64_t seq = 0;

	if (text_of(s, "SELECT msg_seq FROM convs WHERE chat_id = ? AND chat_id <> ''", 1, &chat_id,
		    &v) && v)
		seq = strtoll(v, NULL, 10);
	free(v);
	return seq;
}

bool bstate_conv_set_msg_seq(struct bstate *s, const char *chat_id, int64_t seq)
{
	char buf[24];
	const char *a[] = {buf, chat_id};

	snprintf(buf, sizeof buf, "%lld", (long long)seq);
	return run(s, "UPDATE convs SET msg_seq = max(msg_seq, CAST(? AS INTEGER)) WHERE chat_id = ?",
		   2, a);
}

bool bstate_conv_chats(struct bstate *s, char ***chat_ids, size_t *n)
{
	sqlite3_stmt *st = prep(s, "SELECT chat_id FROM convs WHERE chat_id <> '' ORDER BY rowid",
				0, NULL);
	char **v = NULL;
	size_t len = 0;
	bool ok = st != NULL;

	while (ok && sqlite3_step(st) == SQLITE_ROW) {
		char **grown = realloc(v, (len + 1) * sizeof *v);
		ok = grown && (grown[len] = col(st, 0));
		v = grown ? grown : v;
		len += ok;
	}
	release(s, st);
	*chat_ids = v;
	*n = len;
	return ok;
}

bool bstate_msg_known(struct bstate *s, const char *platform_id)
{
	char *v = NULL;
	bool known = text_of(s, "SELECT hub_id FROM msgs WHERE platform_id = ?", 1, &platform_id,
			     &v) && v;
	free(v);
	return known;
}

bool bstate_msg_add(struct bstate *s, const char *platform_id, const char *hub_id)
{
	const char *a[] = {platform_id, hub_id};
	return run(s, "INSERT OR IGNORE INTO msgs (platform_id, hub_id) VALUES (?, ?)", 2, a);
}

bool bstate_job_push(struct bstate *s, const char *kind, const char *chat_id, const char *conv_id,
		     const char *payload)
{
	const char *a[] = {kind, chat_id, conv_id, payload};
	return run(s, "INSERT INTO outq (kind, chat_id, conv_id, payload) VALUES (?, ?, ?, ?)", 4,
		   a);
}

static bool job_read(sqlite3_stmt *st, struct bjob *j)
{
	j->id = sqlite3_column_int64(st, 0);
	j->kind = col(st, 1);
	j->chat_id = col(st, 2);
	j->conv_id = col(st, 3);
	j->payload = col(st, 4);
	j->attempts = sqlite3_column_int(st, 5);
	j->next_at = sqlite3_column_int64(st, 6);
	if (j->kind && j->chat_id && j->conv_id && j->payload)
		return true;
	bjob_free(j);
	return false;
}

/* The oldest job of each conversation: only it may run. */
#define CONV_HEAD "id = (SELECT min(i.id) FROM outq i WHERE i.conv_id = o.conv_id)"

size_t bstate_job_heads(struct bstate *s, int64_t now, struct bjob *out, size_t max,
			int64_t *next_at)
{
	sqlite3_stmt *st = prep(s, "SELECT id, kind, chat_id, conv_id, payload, attempts, next_at "
				   "FROM outq o WHERE next_at <= ? AND " CONV_HEAD
				   " ORDER BY id LIMIT ?", 0, NULL);
	size_t n = 0;

	*next_at = 0;
	if (!st)
		return 0;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, (int64_t)max);
	while (n < max && sqlite3_step(st) == SQLITE_ROW) {
		memset(&out[n], 0, sizeof out[n]);
		if (job_read(st, &out[n]))
			n++;
	}
	release(s, st);
	st = prep(s, "SELECT min(next_at) FROM outq o WHERE next_at > ? AND " CONV_HEAD, 0, NULL);
	if (st) {
		sqlite3_bind_int64(st, 1, now);
		if (sqlite3_step(st) == SQLITE_ROW)
			*next_at = sqlite3_column_int64(st, 0);
		release(s, st);
	}
	return n;
}

static bool run_ids(struct bstate *s, const char *sql, int64_t a, int64_t b, int64_t c, int n)
{
	sqlite3_stmt *st = prep(s, sql, 0, NULL);
	int64_t v[] = {a, b, c};
	int rc;

	if (!st)
		return false;
	for (int i = 0; i < n; i++)
		sqlite3_bind_int64(st, i + 1, v[i]);
	rc = sqlite3_step(st);
	release(s, st);
	return rc == SQLITE_DONE;
}

bool bstate_job_done(struct bstate *s, int64_t id)
{
	return run_ids(s, "DELETE FROM outq WHERE id = ?", id, 0, 0, 1);
}

bool bstate_job_drop(struct bstate *s, const char *kind, const char *chat_id, int *dropped)
{
	const char *args[] = {kind, chat_id};
	bool ok = run(s, "DELETE FROM outq WHERE kind = ? AND chat_id = ?", 2, args);

	*dropped = ok ? sqlite3_changes(s->db) : 0;
	return ok;
}

bool bstate_job_later(struct bstate *s, int64_t id, int attempts, int64_t next_at)
{
	return run_ids(s, "UPDATE outq SET attempts = ?, next_at = ? WHERE id = ?", attempts,
		       next_at, id, 3);
}

int64_t bstate_job_count(struct bstate *s)
{
	sqlite3_stmt *st = prep(s, "SELECT count(*) FROM outq", 0, NULL);
	int64_t n = -1;

	if (st && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	release(s, st);
	return n;
}

void bjob_free(struct bjob *j)
{
	free(j->kind);
	free(j->chat_id);
	free(j->conv_id);
	free(j->payload);
	memset(j, 0, sizeof *j);
}
