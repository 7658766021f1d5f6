/*
 * db.c — opening and migrating the database, the statement cache,
 * transactions and delivery of committed events (see db.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"
#include "log.h"

/* ---- schema -------------------------------------------------------------- */

/*
 * Migration steps, in order: step i brings the schema from user_version i to
 * i + 1. A released step is never edited; a change is a new step at the end.
 *
 * Chats keep denormalised copies of what lists filter and sort on (channel
 * type, owner name, previews), and two generated sort keys, so one indexed
 * query answers a page. Each event row carries those same columns as they
 * were at that version: "the chat as of event seq S" is then its latest
 * event row with seq <= S, which is what makes list cursors exact (db_list.c).
 */
static const char *const migrations[] = {
	/* 1: the whole first schema */
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
	"INSERT INTO meta VALUES ('events_floor', 1);"

	"CREATE TABLE accounts ("
	" id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT, role INTEGER NOT NULL,"
	" token_hash TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL);"

	"CREATE TABLE channels ("
	" id TEXT PRIMARY KEY, type INTEGER NOT NULL, name TEXT NOT NULL,"
	" UNIQUE (type, name));"

	"CREATE TABLE owners ("
	" id TEXT PRIMARY KEY, external_id TEXT UNIQUE, name TEXT NOT NULL, email TEXT);"

	"CREATE TABLE chats ("
	" id TEXT PRIMARY KEY, external_id TEXT UNIQUE, title TEXT,"
	" channel_id TEXT NOT NULL REFERENCES channels (id), channel_type INTEGER NOT NULL,"
	" owner_id TEXT NOT NULL REFERENCES owners (id), owner_name TEXT NOT NULL,"
	" created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
	" latest_text TEXT, latest_at INTEGER, latest_role INTEGER,"
	" previous_text TEXT, previous_at INTEGER, previous_role INTEGER,"
	" responder_type INTEGER NOT NULL, responder_id TEXT REFERENCES accounts (id),"
	" mode INTEGER NOT NULL, escalated INTEGER NOT NULL, escalated_at INTEGER,"
	" ticket_id TEXT, ticket_status INTEGER, state INTEGER NOT NULL,"
	" rating_score INTEGER, rating_feedback TEXT, rating_suggested TEXT,"
	" rating_by TEXT, rating_at INTEGER,"
	" message_count INTEGER NOT NULL, version INTEGER NOT NULL,"
	" last_event_seq INTEGER NOT NULL,"
	" recent_key INTEGER GENERATED ALWAYS AS (coalesce(latest_at, created_at)) VIRTUAL,"
	" wait_key INTEGER GENERATED ALWAYS AS"
	"  (CASE WHEN escalated THEN escalated_at ELSE 9223372036854775807 END) VIRTUAL);"
	"CREATE INDEX chats_recent ON chats (recent_key, id);"
	"CREATE INDEX chats_waiting ON chats (wait_key, id);"
	/* The queue agents watch (waiting=true) and the chats agents hold, with
	 * their counts, without a scan. The list spells these terms literally
	 * (db_list.c) so the planner can use the partial indexes. */
	"CREATE INDEX chats_queue ON chats (wait_key, id) WHERE escalated = 1 AND mode = 0;"
	"CREATE INDEX chats_held ON chats (recent_key, id) WHERE mode = 1;"
	"CREATE INDEX chats_responder ON chats (responder_id, recent_key, id);"
	"CREATE INDEX chats_status ON chats (ticket_status, recent_key, id);"
	"CREATE INDEX chats_channel ON chats (channel_type, recent_key, id);"
	"CREATE INDEX chats_created ON chats (created_at);"

	"CREATE TABLE messages ("
	" id TEXT PRIMARY KEY, chat_id TEXT NOT NULL REFERENCES chats (id),"
	" seq INTEGER NOT NULL, created_at INTEGER NOT NULL, role INTEGER NOT NULL,"
	" system_type INTEGER NOT NULL, author_id TEXT, author_name TEXT NOT NULL,"
	" text TEXT NOT NULL, client_msg_id TEXT,"
	" UNIQUE (chat_id, seq), UNIQUE (chat_id, client_msg_id));"
	"CREATE INDEX messages_system ON messages (system_type, created_at)"
	" WHERE system_type <> 0;"

	"CREATE TABLE events ("
	" seq INTEGER PRIMARY KEY AUTOINCREMENT, chat_id TEXT NOT NULL, type INTEGER NOT NULL,"
	" at INTEGER NOT NULL, note INTEGER NOT NULL, json TEXT NOT NULL,"
	" mode INTEGER NOT NULL, escalated INTEGER NOT NULL, responder_type INTEGER NOT NULL,"
	" responder_id TEXT, ticket_status INTEGER, channel_type INTEGER NOT NULL, title TEXT,"
	" owner_name TEXT NOT NULL, latest_text TEXT, recent_key INTEGER NOT NULL,"
	" wait_key INTEGER NOT NULL);"
	"CREATE INDEX events_chat ON events (chat_id, seq);",

	/* 2: protocol v1.1, for bridges. A chat's source: the ingest account
	 * that created it and the platform label it gave; events carry the
	 * label because lists filter on it (see SNAPSHOT_COLUMNS). Chats from
	 * before this step have no source (NULL). Ingested messages remember
	 * the account that sent them and the platform's message id; the unique
	 * index is what makes a retried ingest store nothing (db_ingest.c). */
	"ALTER TABLE chats ADD COLUMN source_platform TEXT;"
	"ALTER TABLE chats ADD COLUMN source_account_id TEXT REFERENCES accounts (id);"
	"ALTER TABLE events ADD COLUMN source_platform TEXT;"
	"CREATE INDEX chats_source ON chats (source_platform, recent_key, id);"
	"ALTER TABLE messages ADD COLUMN external_message_id TEXT;"
	"ALTER TABLE messages ADD COLUMN ingest_account_id TEXT REFERENCES accounts (id);"
	"CREATE UNIQUE INDEX messages_external ON messages"
	" (chat_id, ingest_account_id, external_message_id)"
	" WHERE external_message_id IS NOT NULL;",

	/* 3: a client_msg_id is the author's key, not the chat's: with the
	 * v1 UNIQUE (chat_id, client_msg_id), an agent who reused another's
	 * id was answered with the other's message. That constraint belongs
	 * to the table, so the table is rebuilt without it. */
	"CREATE TABLE messages_new ("
	" id TEXT PRIMARY KEY, chat_id TEXT NOT NULL REFERENCES chats (id),"
	" seq INTEGER NOT NULL, created_at INTEGER NOT NULL, role INTEGER NOT NULL,"
	" system_type INTEGER NOT NULL, author_id TEXT, author_name TEXT NOT NULL,"
	" text TEXT NOT NULL, client_msg_id TEXT, external_message_id TEXT,"
	" ingest_account_id TEXT REFERENCES accounts (id), UNIQUE (chat_id, seq));"
	"INSERT INTO messages_new SELECT id, chat_id, seq, created_at, role, system_type,"
	" author_id, author_name, text, client_msg_id, external_message_id, ingest_account_id"
	" FROM messages;"
	"DROP TABLE messages;"
	"ALTER TABLE messages_new RENAME TO messages;"
	"CREATE INDEX messages_system ON messages (system_type, created_at)"
	" WHERE system_type <> 0;"
	"CREATE UNIQUE INDEX messages_external ON messages"
	" (chat_id, ingest_account_id, external_message_id)"
	" WHERE external_message_id IS NOT NULL;"
	"CREATE UNIQUE INDEX messages_client ON messages (chat_id, author_id, client_msg_id)"
	" WHERE client_msg_id IS NOT NULL;",

	/* 4: the sources an ingest account may read besides its own chats
	 * (db_events.c): another ingest account's chats (kind 0, source is
	 * its id) or a platform label's (kind 1). */
	"CREATE TABLE ingest_grants ("
	" account_id TEXT NOT NULL REFERENCES accounts (id), kind INTEGER NOT NULL,"
	" source TEXT NOT NULL, PRIMARY KEY (account_id, kind, source));",

	/* canned replies (v1.1): shared ones have no owner; a personal one
	 * belongs to the agent who made it. A name is unique among what one
	 * agent sees of each kind, so the shortcut typed finds one reply
	 * (the team's and an agent's own may share a name). */
	"CREATE TABLE canned_replies ("
	" id TEXT PRIMARY KEY, name TEXT NOT NULL, text TEXT NOT NULL,"
	" owner_id TEXT REFERENCES accounts (id), created_by TEXT NOT NULL REFERENCES accounts (id),"
	" created_at INTEGER NOT NULL);"
	"CREATE UNIQUE INDEX canned_replies_name ON canned_replies (coalesce(owner_id, ''), name);",

	/* 6: every list filter indexed, counts without a walk, and search.
	 *
	 * An index per filter and sort, so a page of any filter is an ordered
	 * index walk that stops at the page's end (db_list.c).
	 *
	 * chat_counts holds how many chats have each combination of the filter
	 * columns; a filtered meta.total sums its few matching rows instead of
	 * counting the chats. NULLs are stored as -1 / '' so each combination
	 * is one row of the primary key; no filter compares with those values.
	 * Triggers keep it in the transaction that changes the chat.
	 *
	 * chats_fts indexes the text q matches (title, owner name, latest
	 * preview) by trigrams: a q of 3 characters or more is a phrase query
	 * that finds the few candidates, which LIKE then checks (db_list.c).
	 * messages_fts indexes every message's text by word stems, for search
	 * (db_search.c). Both read their text from the table they index by
	 * rowid (external content) and are kept by triggers. A VACUUM may
	 * renumber those rowids: after one, rebuild both
	 * (INSERT INTO chats_fts (chats_fts) VALUES ('rebuild'), the same for
	 * messages_fts). */
	"CREATE INDEX chats_escalated ON chats (escalated, recent_key, id);"
	"CREATE INDEX chats_escalated_w ON chats (escalated, wait_key, id);"
	"CREATE INDEX chats_held_w ON chats (wait_key, id) WHERE mode = 1;"
	"CREATE INDEX chats_rtype ON chats (responder_type, recent_key, id);"
	"CREATE INDEX chats_rtype_w ON chats (responder_type, wait_key, id);"
	"CREATE INDEX chats_responder_w ON chats (responder_id, wait_key, id);"
	"CREATE INDEX chats_status_w ON chats (ticket_status, wait_key, id);"
	"CREATE INDEX chats_channel_w ON chats (channel_type, wait_key, id);"
	"CREATE INDEX chats_source_w ON chats (source_platform, wait_key, id);"
	/* "my open tickets": two filters whose chats rarely meet, so walking
	 * either one's index alone may read all of its chats */
	"CREATE INDEX chats_responder_status ON chats (responder_id, ticket_status, recent_key, id);"
	"CREATE INDEX chats_responder_status_w ON chats"
	" (responder_id, ticket_status, wait_key, id);"

	"CREATE TABLE chat_counts ("
	" mode INTEGER NOT NULL, escalated INTEGER NOT NULL, responder_type INTEGER NOT NULL,"
	" responder_id TEXT NOT NULL, ticket_status INTEGER NOT NULL,"
	" channel_type INTEGER NOT NULL, source_platform TEXT NOT NULL, n INTEGER NOT NULL,"
	" PRIMARY KEY (mode, escalated, responder_type, responder_id, ticket_status,"
	" channel_type, source_platform)) WITHOUT ROWID;"
	"INSERT INTO chat_counts SELECT mode, escalated, responder_type,"
	" coalesce(responder_id, ''), coalesce(ticket_status, -1), channel_type,"
	" coalesce(source_platform, ''), count(*) FROM chats GROUP BY 1, 2, 3, 4, 5, 6, 7;"
	"CREATE TRIGGER chat_counts_insert AFTER INSERT ON chats BEGIN"
	" INSERT INTO chat_counts VALUES (new.mode, new.escalated, new.responder_type,"
	"  coalesce(new.responder_id, ''), coalesce(new.ticket_status, -1), new.channel_type,"
	"  coalesce(new.source_platform, ''), 1) ON CONFLICT DO UPDATE SET n = n + 1;"
	" END;"
	"CREATE TRIGGER chat_counts_update AFTER UPDATE OF mode, escalated, responder_type,"
	" responder_id, ticket_status, channel_type, source_platform ON chats"
	" WHEN old.mode IS NOT new.mode OR old.escalated IS NOT new.escalated"
	" OR old.responder_type IS NOT new.responder_type"
	" OR old.responder_id IS NOT new.responder_id"
	" OR old.ticket_status IS NOT new.ticket_status"
	" OR old.channel_type IS NOT new.channel_type"
	" OR old.source_platform IS NOT new.source_platform BEGIN"
	" UPDATE chat_counts SET n = n - 1 WHERE mode = old.mode AND escalated = old.escalated"
	"  AND responder_type = old.responder_type"
	"  AND responder_id = coalesce(old.responder_id, '')"
	"  AND ticket_status = coalesce(old.ticket_status, -1)"
	"  AND channel_type = old.channel_type"
	"  AND source_platform = coalesce(old.source_platform, '');"
	" INSERT INTO chat_counts VALUES (new.mode, new.escalated, new.responder_type,"
	"  coalesce(new.responder_id, ''), coalesce(new.ticket_status, -1), new.channel_type,"
	"  coalesce(new.source_platform, ''), 1) ON CONFLICT DO UPDATE SET n = n + 1;"
	" END;"

	"CREATE VIRTUAL TABLE chats_fts USING fts5 (title, owner_name, latest_text,"
	" content = 'chats', content_rowid = 'rowid', tokenize = 'trigram');"
	"INSERT INTO chats_fts (chats_fts) VALUES ('rebuild');"
	/* Every message replaces a chat's preview: a delete and an insert in
	 * chats_fts, whose deleted entries stay in its segments until they
	 * merge. Merging sooner (2 segments a level, not 4) keeps a phrase
	 * lookup reading mostly live entries. */
	"INSERT INTO chats_fts (chats_fts, rank) VALUES ('automerge', 2);"
	"CREATE TRIGGER chats_fts_insert AFTER INSERT ON chats BEGIN"
	" INSERT INTO chats_fts (rowid, title, owner_name, latest_text)"
	"  VALUES (new.rowid, new.title, new.owner_name, new.latest_text);"
	" END;"
	"CREATE TRIGGER chats_fts_update AFTER UPDATE OF title, owner_name, latest_text ON chats"
	" WHEN old.title IS NOT new.title OR old.owner_name IS NOT new.owner_name"
	" OR old.latest_text IS NOT new.latest_text BEGIN"
	" INSERT INTO chats_fts (chats_fts, rowid, title, owner_name, latest_text)"
	"  VALUES ('delete', old.rowid, old.title, old.owner_name, old.latest_text);"
	" INSERT INTO chats_fts (rowid, title, owner_name, latest_text)"
	"  VALUES (new.rowid, new.title, new.owner_name, new.latest_text);"
	" END;"

	"CREATE VIRTUAL TABLE messages_fts USING fts5 (text, content = 'messages',"
	" content_rowid = 'rowid', tokenize = 'porter unicode61 remove_diacritics 2');"
	"INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');"
	"CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN"
	" INSERT INTO messages_fts (rowid, text) VALUES (new.rowid, new.text);"
	" END;",

	/* 7: owner details (GET /v1/owners/{id}): the customer's phone, and
	 * their chats newest first without a scan (db_owners.c). */
	"ALTER TABLE owners ADD COLUMN phone TEXT;"
	"CREATE INDEX chats_owner ON chats (owner_id, recent_key, id);",

	/* 8: read marks: how far each agent has read each chat (db_reads.c),
	 * the highest seq they saw; a chat without a row is unread from its
	 * first message. */
	"CREATE TABLE chat_reads ("
	" account_id TEXT NOT NULL REFERENCES accounts (id),"
	" chat_id TEXT NOT NULL REFERENCES chats (id), seq INTEGER NOT NULL,"
	" PRIMARY KEY (account_id, chat_id)) WITHOUT ROWID;",

	/* 9: wait-time targets (v1.1): when the chat's clock started, kept by
	 * the writes that start and stop it (db_ingest.c, db_messages.c,
	 * db_actions.c) so that no list computes it. Chats waiting or held
	 * before this step start their clock at their next change. */
	"ALTER TABLE chats ADD COLUMN awaiting_since INTEGER;",

	/* 10: platform daily counts (v1.1): what a bridge reports of its platform's
	 * own count, one row per ingest account and UTC day; a new report for
	 * the same day replaces the old one (POST /v1/ingest/stats). */
	"CREATE TABLE platform_daily ("
	" account_id TEXT NOT NULL REFERENCES accounts (id), day INTEGER NOT NULL,"
	" platform TEXT NOT NULL, conversations INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
	" PRIMARY KEY (account_id, day));"
	"CREATE INDEX platform_daily_day ON platform_daily (day);"
	"CREATE INDEX chats_rated ON chats (rating_at) WHERE rating_at IS NOT NULL;",

	/* 11: agents' capacity and auto-assignment (v1.1, db_agents.c). An
	 * account's capacity (NULL: the hub's default) and when it last got a
	 * chat (the tie-break of auto-assignment); the open offers, one per
	 * chat at most (the primary key is what makes two hubs' offers of one
	 * chat impossible); and who passed which waiting chat, so that it goes
	 * to the next agent. */
	"ALTER TABLE accounts ADD COLUMN capacity INTEGER;"
	"ALTER TABLE accounts ADD COLUMN assigned_at INTEGER;"
	"CREATE TABLE offers ("
	" chat_id TEXT PRIMARY KEY REFERENCES chats (id),"
	" agent_id TEXT NOT NULL REFERENCES accounts (id), expires_at INTEGER NOT NULL);"
	"CREATE INDEX offers_agent ON offers (agent_id);"
	"CREATE TABLE offer_passes ("
	" chat_id TEXT NOT NULL REFERENCES chats (id),"
	" agent_id TEXT NOT NULL REFERENCES accounts (id),"
	" PRIMARY KEY (chat_id, agent_id)) WITHOUT ROWID;",
	/* 12: the team dashboard (v1.1, db_dashboard.c): the agents' replies by
	 * time, for "replies in the last hour" and "today", without a walk of
	 * every message. Partial, so it holds the agents' replies only. */
	"CREATE INDEX messages_agent ON messages (created_at) WHERE role = 2;",
	/* 13: a q of 1 or 2 characters has no trigram in chats_fts; this index
	 * holds every character and pair of characters of the same columns
	 * (tokenizer handoff_grams, db_grams.c), so such a q is one lookup
	 * (db_list.c). Whether a chat has a gram is all it keeps (detail none).
	 * Opening the database needs handoff_grams from now on: a connection
	 * without it cannot write these columns. */
	"CREATE VIRTUAL TABLE chats_grams USING fts5 (title, owner_name, latest_text,"
	" content = 'chats', content_rowid = 'rowid', tokenize = 'handoff_grams',"
	" detail = 'none');"
	"INSERT INTO chats_grams (chats_grams) VALUES ('rebuild');"
	"CREATE TRIGGER chats_grams_insert AFTER INSERT ON chats BEGIN"
	" INSERT INTO chats_grams (rowid, title, owner_name, latest_text)"
	"  VALUES (new.rowid, new.title, new.owner_name, new.latest_text);"
	" END;"
	"CREATE TRIGGER chats_grams_update AFTER UPDATE OF title, owner_name, latest_text ON chats"
	" WHEN old.title IS NOT new.title OR old.owner_name IS NOT new.owner_name"
	" OR old.latest_text IS NOT new.latest_text BEGIN"
	" INSERT INTO chats_grams (chats_grams, rowid, title, owner_name, latest_text)"
	"  VALUES ('delete', old.rowid, old.title, old.owner_name, old.latest_text);"
	" INSERT INTO chats_grams (rowid, title, owner_name, latest_text)"
	"  VALUES (new.rowid, new.title, new.owner_name, new.latest_text);"
	" END;",
	/* 14: the text indexes (chats_fts, chats_grams, messages_fts) are kept
	 * at COMMIT, not by a trigger per change. Every message replaces its
	 * chat's preview, and a trigger re-indexed the chat in both chat
	 * indexes for each one: a backfill's new chat with two messages was
	 * indexed five times in one transaction. And once an FTS5 table has
	 * been written in a transaction, SQLite 3.40 makes it flush its
	 * pending terms to disk at the start of every later statement (its
	 * xSavepoint), so a batch of 50 messages wrote some 50 tiny segments
	 * to each index, to be merged again. Together that was over a third
	 * of the hub's work in a backfill (doc/performance.md, "Backfill").
	 * Now a change only notes the row: a chat in chats_text_dirty, with
	 * the text the indexes hold for it (the first note of a transaction
	 * wins: later ones would be the transaction's own text), a message in
	 * messages_text_dirty; db_finish indexes each noted row once, with its
	 * final text, as the last statements before COMMIT (flush_text);
	 * the hub's own commits now leave that to db_text_catch_up, for many
	 * at once (db.h). A writer other than the hub (the sqlite3 shell)
	 * leaves its notes for the hub's next flush. */
	"DROP TRIGGER chats_fts_insert; DROP TRIGGER chats_fts_update;"
	"DROP TRIGGER chats_grams_insert; DROP TRIGGER chats_grams_update;"
	"DROP TRIGGER messages_fts_insert;"
	"CREATE TABLE chats_text_dirty (id INTEGER PRIMARY KEY, fresh INTEGER NOT NULL,"
	" title TEXT, owner_name TEXT, latest_text TEXT);"
	"CREATE TRIGGER chats_text_insert AFTER INSERT ON chats BEGIN"
	" INSERT OR IGNORE INTO chats_text_dirty VALUES (new.rowid, 1, NULL, NULL, NULL);"
	" END;"
	"CREATE TRIGGER chats_text_update AFTER UPDATE OF title, owner_name, latest_text ON chats"
	" WHEN old.title IS NOT new.title OR old.owner_name IS NOT new.owner_name"
	" OR old.latest_text IS NOT new.latest_text BEGIN"
	" INSERT OR IGNORE INTO chats_text_dirty"
	"  VALUES (old.rowid, 0, old.title, old.owner_name, old.latest_text);"
	" END;"
	"CREATE TABLE messages_text_dirty (id INTEGER PRIMARY KEY);"
	"CREATE TRIGGER messages_text_insert AFTER INSERT ON messages BEGIN"
	" INSERT INTO messages_text_dirty VALUES (new.rowid);"
	" END;",
	/* 15: the six indexes of the responder and ticket status filters hold
	 * only the chats that have one. responder_id and ticket_status are
	 * NULL in a chat no agent holds or filed (every chat a bridge brings
	 * in, until an agent takes it), yet each such chat had an entry in all
	 * six, written at its insert and, in three (recent_key), moved again at
	 * every message: a backfill paid for entries no query reads. Every
	 * query of these columns compares them with "=" (db_list.c's filters,
	 * db_agents.c's FREE_ROOM), which a NULL never meets, so SQLite uses
	 * the partial index for each of them as before (test_db_list_index). */
	"DROP INDEX chats_responder; DROP INDEX chats_responder_w;"
	"DROP INDEX chats_status; DROP INDEX chats_status_w;"
	"DROP INDEX chats_responder_status; DROP INDEX chats_responder_status_w;"
	"CREATE INDEX chats_responder ON chats (responder_id, recent_key, id)"
	" WHERE responder_id IS NOT NULL;"
	"CREATE INDEX chats_responder_w ON chats (responder_id, wait_key, id)"
	" WHERE responder_id IS NOT NULL;"
	"CREATE INDEX chats_status ON chats (ticket_status, recent_key, id)"
	" WHERE ticket_status IS NOT NULL;"
	"CREATE INDEX chats_status_w ON chats (ticket_status, wait_key, id)"
	" WHERE ticket_status IS NOT NULL;"
	"CREATE INDEX chats_responder_status ON chats (responder_id, ticket_status, recent_key, id)"
	" WHERE responder_id IS NOT NULL AND ticket_status IS NOT NULL;"
	"CREATE INDEX chats_responder_status_w ON chats"
	" (responder_id, ticket_status, wait_key, id)"
	" WHERE responder_id IS NOT NULL AND ticket_status IS NOT NULL;",
};

#define N_MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))
_Static_assert(N_MIGRATIONS == DB_SCHEMA_VERSION, "DB_SCHEMA_VERSION is the count of steps");

static bool exec(struct db *db, const char *sql, struct errbuf *err)
{
	char *msg = NULL;

	if (sqlite3_exec(db->conn, sql, NULL, NULL, &msg) == SQLITE_OK)
		return true;
	errbuf_set(err, "database: %s", msg ? msg : sqlite3_errmsg(db->conn));
	sqlite3_free(msg);
	return false;
}

/* The schema version the file has (db->schema_found), refused when it is
 * newer than this handoffd knows: its steps cannot be undone here, and
 * writing to a schema it does not know could corrupt it. */
static bool read_schema(struct db *db, struct errbuf *err)
{
	sqlite3_stmt *st;
	int v = 0;

	if (sqlite3_prepare_v2(db->conn, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return errbuf_set(err, "database: %s", sqlite3_errmsg(db->conn));
	bool ok = sqlite3_step(st) == SQLITE_ROW;
	if (ok)
		v = sqlite3_column_int(st, 0);
	else
		errbuf_set(err, "database: cannot read the schema version: %s",
			   sqlite3_errmsg(db->conn));
	sqlite3_finalize(st);
	if (!ok)
		return false;
	if (v > N_MIGRATIONS)
		return errbuf_set(err, "database: schema version %d is newer than this handoffd (%d)",
				  v, N_MIGRATIONS);
	db->schema_found = v;
	return true;
}

/* Apply the missing steps, each in its own transaction with its version
 * bump, so an interrupted upgrade resumes where it stopped. */
static bool migrate(struct db *db, struct errbuf *err)
{
	char bump[64];

	for (int v = db->schema_found; v < N_MIGRATIONS; v++) {
		snprintf(bump, sizeof bump, "PRAGMA user_version = %d;", v + 1);
		if (!exec(db, "BEGIN IMMEDIATE;", err))
			return false;
		if (!exec(db, migrations[v], err) || !exec(db, bump, err) ||
		    !exec(db, "COMMIT;", err)) {
			exec(db, "ROLLBACK;", NULL);
			errbuf_prefix(err, "migration");
			return false;
		}
	}
	return true;
}

int db_schema_found(const struct db *db)
{
	return db->schema_found;
}

/*
 * WAL lets readers run beside the one writer. synchronous=NORMAL in WAL mode
 * writes each commit into the WAL file before COMMIT returns but syncs it to
 * disk only at checkpoints: a killed process (kill -9, crash) loses nothing,
 * because the data is already in the kernel's page cache; only a power cut
 * or kernel crash could lose the last commits. The contract is kill -9, and
 * this saves an fsync on every request.
 *
 * The page cache may grow to 64 MiB (SQLite's default is 2 MiB): a queue
 * page counts every matching chat, and with 100,000 chats the default cache
 * re-read the same index pages from the file for every page served
 * (doc/performance.md). The cache grows only as pages are used.
 *
 * The busy timeout is not among them: db_open sets it before it reads the
 * schema version, which comes before these pragmas (see there).
 */
static const char pragmas[] = "PRAGMA journal_mode = WAL;"
			      "PRAGMA synchronous = NORMAL;"
			      "PRAGMA foreign_keys = ON;"
			      "PRAGMA cache_size = -65536;";

/* How long a statement waits for another connection's lock. */
#define BUSY_TIMEOUT_MS 5000

/* SQLite's memory statistics (SQLITE_CONFIG_MEMSTATUS) take a
 * process-wide mutex around every allocation and free, some 400 of each
 * per ingest, and the hub reads none of them (sqlite3_status, soft heap
 * limits): with the connections' mutexes (DB_OPEN_FLAGS) that was 5 % of
 * an ingest's instructions (doc/performance.md, "Ingest: instruction
 * counts"). Settable only before SQLite initialises, which the first open
 * does; later calls would be refused, so only the first db_open asks. */
static void sqlite_configure(void)
{
	static bool done;

	if (!done)
		sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	done = true;
}

struct db *db_open(const char *path, struct errbuf *err)
{
	struct db *db = calloc(1, sizeof *db);
	struct api_error aerr;
	bool found = false;

	if (!db) {
		errbuf_set(err, "database: out of memory");
		return NULL;
	}
	db->retained = EVENTS_RETAINED;
	db->default_capacity = DEFAULT_CAPACITY;
	db->chat_count = -1;
	sqlite_configure();
	if (sqlite3_open_v2(path, &db->conn, DB_OPEN_FLAGS | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		errbuf_set(err, "database %s: %s", path,
			   db->conn ? sqlite3_errmsg(db->conn) : "out of memory");
		db_close(db);
		return NULL;
	}
	/* The version is read before anything can write: a file that is not a
	 * database, or one from a newer handoffd, is refused as it was found
	 * (journal_mode = WAL alone would rewrite a header). */
	sqlite3_busy_timeout(db->conn, BUSY_TIMEOUT_MS);
	if (!read_schema(db, err) || !exec(db, pragmas, err) ||
	    (!db_search_register(db->conn) &&
	     !errbuf_set(err, "database: cannot register match_offsets and handoff_grams with FTS5")) ||
	    !migrate(db, err) || !db_checkpointer_start(db, path, err)) {
		db_close(db);
		return NULL;
	}
	if (!db_get_int(db, "SELECT value FROM meta WHERE key = 'events_floor'", NO_ARGS,
			&db->floor, &found, &aerr) ||
	    !found) {
		errbuf_set(err, "database: cannot read the events floor");
		db_close(db);
		return NULL;
	}
	/* Another process may have left notes unindexed. */
	db->text_behind = true;
	return db;
}

static void pending_clear(struct db *db)
{
	for (size_t i = 0; i < db->npending; i++)
		free(db->pending[i].json);
	db->npending = 0;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	if (db->conn && db->text_later) {
		struct api_error ignored;
		db_text_catch_up(db, &ignored); /* the file's indexes whole */
	}
	db_checkpointer_stop(db);
	for (int i = 0; i < STMT_SLOTS; i++)
		sqlite3_finalize(db->stmts[i].st);
	pending_clear(db);
	free(db->pending);
	sqlite3_close(db->conn);
	free(db);
}

void db_set_event_listener(struct db *db, db_event_fn *fn, void *ctx)
{
	db->listener = fn;
	db->listener_ctx = ctx;
}

void db_set_retention(struct db *db, int64_t retained)
{
	db->retained = retained;
}

/* ---- statement cache ------------------------------------------------------ */

/* The key of a statement's SQL text, taken at every db_query and
 * db_release: eight bytes a step (FNV-1a's constants, a word for a byte,
 * and a shift to fold the high bits down), because the statements of an
 * ingest are long and a byte a step was 6 % of the hub's work in a
 * backfill. */
static uint64_t sql_hash(const char *s)
{
	size_t n = strlen(s);
	uint64_t h = 1469598103934665603ULL ^ n, w;

	for (; n >= sizeof w; n -= sizeof w, s += sizeof w) {
		memcpy(&w, s, sizeof w);
		h = (h ^ w) * 1099511628211ULL;
		h ^= h >> 29;
	}
	for (; n; n--, s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* The slot holding `sql`, or the empty slot where it belongs. */
static struct stmt_slot *stmt_slot(struct db *db, const char *sql, uint64_t h)
{
	for (size_t i = h % STMT_SLOTS;; i = (i + 1) % STMT_SLOTS) {
		struct stmt_slot *s = &db->stmts[i];
		if (!s->st || (s->hash == h && strcmp(sqlite3_sql(s->st), sql) == 0))
			return s;
	}
}

/* texts: SQLITE_TRANSIENT has SQLite copy each text, for a statement the
 * caller steps later; SQLITE_STATIC binds the caller's own, for one
 * stepped and released before the call returns (db_run, db_get_int):
 * db_release clears the bindings, so none outlives the call. */
static bool bind_args(sqlite3_stmt *st, const struct sqlarg *args, size_t n,
		      sqlite3_destructor_type texts)
{
	int rc = SQLITE_OK;

	for (size_t i = 0; rc == SQLITE_OK && i < n; i++) {
		int idx = (int)i + 1;
		if (args[i].kind == SQLARG_INT)
			rc = sqlite3_bind_int64(st, idx, args[i].i);
		else if (args[i].kind == SQLARG_TEXT && args[i].s)
			rc = sqlite3_bind_text(st, idx, args[i].s, -1, texts);
		else
			rc = sqlite3_bind_null(st, idx);
	}
	return rc == SQLITE_OK;
}

static sqlite3_stmt *query(struct db *db, const char *sql, const struct sqlarg *args, size_t n,
			   sqlite3_destructor_type texts, struct api_error *err)
{
	uint64_t h = sql_hash(sql);
	struct stmt_slot *slot = stmt_slot(db, sql, h);
	sqlite3_stmt *st = slot->st;

	if (!st) {
		if (sqlite3_prepare_v3(db->conn, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) !=
		    SQLITE_OK) {
			db_fail(db, err, "prepare");
			return NULL;
		}
		if (db->nstmts < STMT_CACHE_MAX) {
			slot->hash = h;
			slot->st = st;
			db->nstmts++;
		}
	}
	if (!bind_args(st, args, n, texts)) {
		db_fail(db, err, "bind");
		db_release(db, st);
		return NULL;
	}
	return st;
}

sqlite3_stmt *db_query(struct db *db, const char *sql, const struct sqlarg *args, size_t n,
		       struct api_error *err)
{
	return query(db, sql, args, n, SQLITE_TRANSIENT, err);
}

void db_release(struct db *db, sqlite3_stmt *st)
{
	if (!st)
		return;
	/* The cache never drops a statement, so until it is full every one is
	 * in it, and the slot (a hash of the SQL again) need not be looked up. */
	if (db->nstmts >= STMT_CACHE_MAX) {
		const char *sql = sqlite3_sql(st);
		if (stmt_slot(db, sql, sql_hash(sql))->st != st) {
			sqlite3_finalize(st); /* not cached: the cache was full */
			return;
		}
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

bool db_fail(struct db *db, struct api_error *err, const char *what)
{
	log_error("database %s: %s", what, sqlite3_errmsg(db->conn));
	return api_error_set(err, API_INTERNAL, "database error");
}

bool db_oom(struct api_error *err)
{
	return api_error_set(err, API_INTERNAL, "out of memory");
}

int db_step(struct db *db, sqlite3_stmt *st, struct api_error *err)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		/* A constraint is a rule broken by the caller's data, not a crash;
		 * callers that expect one check for it before writing. */
		db_fail(db, err, "step");
	}
	return rc;
}

bool db_run(struct db *db, const char *sql, const struct sqlarg *args, size_t n, int *changes,
	    struct api_error *err)
{
	sqlite3_stmt *st = query(db, sql, args, n, SQLITE_STATIC, err);

	if (!st)
		return false;
	int rc = db_step(db, st, err);
	db_release(db, st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return false;
	if (changes)
		*changes = sqlite3_changes(db->conn);
	return true;
}

bool db_get_int(struct db *db, const char *sql, const struct sqlarg *args, size_t n,
		int64_t *out, bool *found, struct api_error *err)
{
	sqlite3_stmt *st = query(db, sql, args, n, SQLITE_STATIC, err);

	if (!st)
		return false;
	int rc = db_step(db, st, err);
	*found = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL;
	if (*found)
		*out = sqlite3_column_int64(st, 0);
	db_release(db, st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

char *col_strdup(sqlite3_stmt *st, int col, bool *ok)
{
	const unsigned char *s = sqlite3_column_text(st, col);
	char *copy;

	if (!s)
		return NULL;
	copy = strdup((const char *)s);
	if (!copy)
		*ok = false;
	return copy;
}

int64_t col_ts(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL ? TS_NONE : sqlite3_column_int64(st, col);
}

void col_uuid(sqlite3_stmt *st, int col, uuid_str out)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	snprintf(out, UUID_STRLEN + 1, "%s", s ? (const char *)s : "");
}

/* ---- transactions -------------------------------------------------------- */

bool db_begin_write(struct db *db, struct api_error *err)
{
	return db_run(db, db->bulk ? "SAVEPOINT op" : "BEGIN IMMEDIATE", NO_ARGS, NULL, err);
}

bool db_begin_read(struct db *db, struct api_error *err)
{
	return db_run(db, db->bulk ? "SAVEPOINT op" : "BEGIN", NO_ARGS, NULL, err);
}

bool db_bulk_begin(struct db *db, struct api_error *err)
{
	db->bulk = db_run(db, "BEGIN IMMEDIATE", NO_ARGS, NULL, err);
	return db->bulk;
}

/* The chats noted in chats_text_dirty, out of a text index with what it
 * holds for them and in with their text as it is now, as one statement:
 * SQLite 3.40 has an FTS5 table written earlier in the transaction flush
 * its pending terms as a segment of their own at the start of every later
 * statement (its xSavepoint), so a delete and an insert in two statements
 * wrote two segments per index and commit. k puts every delete before the
 * inserts: a row's old terms must go before its new ones come. */
#define CHATS_TEXT_REINDEX(index)                                                          \
	"INSERT INTO " index " (" index ", rowid, title, owner_name, latest_text)"          \
	" SELECT cmd, id, title, owner_name, latest_text FROM ("                          \
	"SELECT 0 AS k, 'delete' AS cmd, id, title, owner_name, latest_text"              \
	" FROM chats_text_dirty WHERE NOT fresh"                                          \
	" UNION ALL SELECT 1, NULL, c.rowid, c.title, c.owner_name, c.latest_text"        \
	" FROM chats_text_dirty d JOIN chats c ON c.rowid = d.id) ORDER BY k"

/* Index the rows noted in chats_text_dirty and messages_text_dirty
 * (migration step 14) once each, with their text as it is now: a chat out
 * with what the indexes hold and in with its final text, a message in.
 * Runs inside the transaction, before COMMIT: the writer's own (so the
 * indexes never differ from the tables for a reader) or, with
 * db_text_later, db_text_catch_up's. */
static bool flush_text(struct db *db, struct api_error *err)
{
	static const char *const steps[] = {
		CHATS_TEXT_REINDEX("chats_fts"),
		CHATS_TEXT_REINDEX("chats_grams"),
		"DELETE FROM chats_text_dirty",
		"INSERT INTO messages_fts (rowid, text) SELECT m.rowid, m.text"
		" FROM messages_text_dirty d JOIN messages m ON m.rowid = d.id",
		"DELETE FROM messages_text_dirty",
	};
	int noted = 0;

	/* A read wrote nothing to note; most writes note nothing either
	 * (actions that leave the text): one lookup, not five statements. */
	if (sqlite3_txn_state(db->conn, "main") != SQLITE_TXN_WRITE)
		return true;
	sqlite3_stmt *st = db_query(db, "SELECT EXISTS (SELECT 1 FROM chats_text_dirty)"
				    " OR EXISTS (SELECT 1 FROM messages_text_dirty)", NO_ARGS,
				    err);
	if (!st)
		return false;
	int rc = db_step(db, st, err);
	if (rc == SQLITE_ROW)
		noted = sqlite3_column_int(st, 0);
	db_release(db, st);
	if (rc != SQLITE_ROW)
		return false;
	for (size_t i = 0; noted && i < sizeof steps / sizeof *steps; i++)
		if (!db_run(db, steps[i], NO_ARGS, NULL, err))
			return false;
	return true;
}

void db_text_later(struct db *db, bool later)
{
	db->text_later = later;
}

bool db_text_catch_up(struct db *db, struct api_error *err)
{
	struct api_error ignored;

	/* A bulk fill indexes once, at its end (db_bulk_end). */
	if (!db->text_behind || db->bulk)
		return true;
	if (!db_run(db, "BEGIN IMMEDIATE", NO_ARGS, NULL, err))
		return false;
	if (!flush_text(db, err) || !db_run(db, "COMMIT", NO_ARGS, NULL, err)) {
		db_run(db, "ROLLBACK", NO_ARGS, NULL, &ignored);
		return false;
	}
	db->text_behind = false;
	return true;
}

bool db_bulk_end(struct db *db, struct api_error *err)
{
	db->bulk = false;
	return flush_text(db, err) && db_run(db, "COMMIT", NO_ARGS, NULL, err);
}

/* Hand the committed events to the listener. The list is detached first so
 * a listener may itself call into the db. */
static void deliver_pending(struct db *db)
{
	struct pending_event *list = db->pending;
	size_t n = db->npending;

	if (!n)
		return;
	/* Seqs are appended in order: the last is the log's head. A listener
	 * that commits events of its own has pruned up to those already. */
	int64_t head = list[n - 1].seq;
	db->pending = NULL;
	db->npending = db->pending_cap = 0;
	for (size_t i = 0; i < n; i++) {
		struct db_event ev = {list[i].seq, list[i].json, list[i].len, list[i].note,
				      list[i].chat_id, list[i].source};
		if (db->listener)
			db->listener(db->listener_ctx, &ev);
		free(list[i].json);
	}
	free(list);
	events_prune(db, head);
}

bool db_finish(struct db *db, bool ok, struct api_error *err)
{
	bool wrote = sqlite3_txn_state(db->conn, "main") == SQLITE_TXN_WRITE;

	if (ok && (db->bulk || db->text_later || flush_text(db, err)) &&
	    db_run(db, db->bulk ? "RELEASE op" : "COMMIT", NO_ARGS, NULL, err)) {
		db->text_behind |= wrote && db->text_later;
		if (db->chat_count >= 0)
			db->chat_count += db->chats_created;
		db->chats_created = 0;
		deliver_pending(db);
		return true;
	}
	db->chats_created = 0;
	if (db->bulk) {
		struct api_error ignored;
		db_run(db, "ROLLBACK TO op", NO_ARGS, NULL, &ignored);
		db_run(db, "RELEASE op", NO_ARGS, NULL, &ignored);
	} else if (!sqlite3_get_autocommit(db->conn)) {
		struct api_error ignored;
		db_run(db, "ROLLBACK", NO_ARGS, NULL, &ignored);
	}
	pending_clear(db);
	return false;
}
