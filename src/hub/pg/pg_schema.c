/*
 * pg_schema.c — the PostgreSQL schema's migration steps (run by pg.c).
 *
 * Step 1 is SQLite's schema as its 15 steps leave it (db.c), in
 * PostgreSQL's types: ids are uuid (the hub's ids are UUID v4 strings,
 * which a uuid column takes and gives back as they were), flags boolean,
 * counts and times bigint — times stay milliseconds since the epoch, as the
 * hub and SQLite hold them — and enum values integer, with the numbers the
 * hub's SQL spells (pg_internal.h pins them). Columns and indexes keep
 * SQLite's names, so the queries port one by one.
 *
 * Left out for now, each to come with the code that reads it:
 * - the chats' and messages' FTS5 indexes of SQLite (chats_fts,
 *   chats_grams, messages_fts) and the notes that keep them
 *   (chats_text_dirty, messages_text_dirty) have no counterpart in step 1:
 *   messages are searched since step 2, the list's q has its trigram and
 *   gram indexes since step 3;
 * - chat_counts, the per-filter totals SQLite keeps by triggers. Under
 *   PostgreSQL's concurrent writers, a trigger moving a count from one row
 *   to another in each writer's own order can deadlock two of them; the
 *   list counts a walk once, on its first page (pg_list.c).
 *
 * A released step is never edited; a change is a new step at the end.
 */
#include "pg_internal.h"

const char *const pg_migrations[] = {
	/* 1: the whole first schema */
	"CREATE TABLE schema_version ("
	" id integer PRIMARY KEY CHECK (id = 1), version integer NOT NULL);"
	"INSERT INTO schema_version VALUES (1, 0);"

	"CREATE TABLE meta (key text PRIMARY KEY, value bigint NOT NULL);"
	"INSERT INTO meta VALUES ('events_floor', 1);"

	/*
	 * The event seq: one counter row, taken by
	 * UPDATE event_seq SET seq = seq + 1 … RETURNING seq (pg_events.c).
	 * The UPDATE takes the row's lock and keeps it until COMMIT or
	 * ROLLBACK, so a second writer's UPDATE waits until the first
	 * transaction ends, then reads the value it left. That makes the log
	 * gap-free: a transaction that rolls back rolls its increment back
	 * too, and the next writer takes the same number again. And it makes
	 * seq order commit order: a writer gets its seq only after every
	 * smaller seq has committed or gone, so a reader that sees seq N sees
	 * everything below it, and NOTIFYs (delivered in commit order) arrive
	 * in seq order. A sequence (nextval) would do neither: it is not
	 * transactional and hands numbers out in call order. The price is one
	 * writer of events at a time, which is why a write transaction takes
	 * its seq as its last step, keeping the lock for as short as it can.
	 */
	"CREATE TABLE event_seq ("
	" id integer PRIMARY KEY CHECK (id = 1), seq bigint NOT NULL);"
	"INSERT INTO event_seq VALUES (1, 0);"

	"CREATE TABLE accounts ("
	" id uuid PRIMARY KEY, name text NOT NULL, email text, role integer NOT NULL,"
	" token_hash text NOT NULL UNIQUE, created_at bigint NOT NULL,"
	" capacity bigint, assigned_at bigint);"

	"CREATE TABLE channels ("
	" id uuid PRIMARY KEY, type integer NOT NULL, name text NOT NULL,"
	" UNIQUE (type, name));"

	"CREATE TABLE owners ("
	" id uuid PRIMARY KEY, external_id text UNIQUE, name text NOT NULL, email text,"
	" phone text);"

	/* Chats keep denormalised copies of what lists filter and sort on,
	 * and the two sort keys, stored (PostgreSQL computes generated
	 * columns on write only), so one indexed query answers a page. */
	"CREATE TABLE chats ("
	" id uuid PRIMARY KEY, external_id text UNIQUE, title text,"
	" channel_id uuid NOT NULL REFERENCES channels (id), channel_type integer NOT NULL,"
	" owner_id uuid NOT NULL REFERENCES owners (id), owner_name text NOT NULL,"
	" created_at bigint NOT NULL, updated_at bigint NOT NULL,"
	" latest_text text, latest_at bigint, latest_role integer,"
	" previous_text text, previous_at bigint, previous_role integer,"
	" responder_type integer NOT NULL, responder_id uuid REFERENCES accounts (id),"
	" mode integer NOT NULL, escalated boolean NOT NULL, escalated_at bigint,"
	" ticket_id text, ticket_status integer, state integer NOT NULL,"
	" rating_score integer, rating_feedback text, rating_suggested text,"
	" rating_by uuid, rating_at bigint,"
	" message_count bigint NOT NULL, version bigint NOT NULL,"
	" last_event_seq bigint NOT NULL,"
	" source_platform text, source_account_id uuid REFERENCES accounts (id),"
	" awaiting_since bigint,"
	" recent_key bigint GENERATED ALWAYS AS (coalesce(latest_at, created_at)) STORED,"
	" wait_key bigint GENERATED ALWAYS AS"
	"  (CASE WHEN escalated THEN escalated_at ELSE 9223372036854775807 END) STORED);"
	/* An index per list filter and sort (SQLite's, as its step 15 left
	 * them): the queue agents watch, the chats agents hold, and each
	 * filter by either sort key. The responder and status indexes hold
	 * only the chats that have one: every query compares them with =. */
	"CREATE INDEX chats_recent ON chats (recent_key, id);"
	"CREATE INDEX chats_waiting ON chats (wait_key, id);"
	"CREATE INDEX chats_queue ON chats (wait_key, id) WHERE escalated AND mode = 0;"
	"CREATE INDEX chats_held ON chats (recent_key, id) WHERE mode = 1;"
	"CREATE INDEX chats_held_w ON chats (wait_key, id) WHERE mode = 1;"
	"CREATE INDEX chats_escalated ON chats (escalated, recent_key, id);"
	"CREATE INDEX chats_escalated_w ON chats (escalated, wait_key, id);"
	"CREATE INDEX chats_rtype ON chats (responder_type, recent_key, id);"
	"CREATE INDEX chats_rtype_w ON chats (responder_type, wait_key, id);"
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
	" WHERE responder_id IS NOT NULL AND ticket_status IS NOT NULL;"
	"CREATE INDEX chats_channel ON chats (channel_type, recent_key, id);"
	"CREATE INDEX chats_channel_w ON chats (channel_type, wait_key, id);"
	"CREATE INDEX chats_source ON chats (source_platform, recent_key, id);"
	"CREATE INDEX chats_source_w ON chats (source_platform, wait_key, id);"
	"CREATE INDEX chats_owner ON chats (owner_id, recent_key, id);"
	"CREATE INDEX chats_created ON chats (created_at);"
	"CREATE INDEX chats_rated ON chats (rating_at) WHERE rating_at IS NOT NULL;"

	/* A thread's messages are numbered 1, 2, … (seq). The two partial
	 * unique indexes are what make a retry store nothing: a reply's
	 * client_msg_id is its author's key in the chat (another agent
	 * reusing it writes a message of their own), an ingested message's
	 * external_message_id its ingest account's. */
	"CREATE TABLE messages ("
	" id uuid PRIMARY KEY, chat_id uuid NOT NULL REFERENCES chats (id),"
	" seq bigint NOT NULL, created_at bigint NOT NULL, role integer NOT NULL,"
	" system_type integer NOT NULL, author_id uuid, author_name text NOT NULL,"
	" text text NOT NULL, client_msg_id text, external_message_id text,"
	" ingest_account_id uuid REFERENCES accounts (id), UNIQUE (chat_id, seq));"
	"CREATE UNIQUE INDEX messages_client ON messages (chat_id, author_id, client_msg_id)"
	" WHERE client_msg_id IS NOT NULL;"
	"CREATE UNIQUE INDEX messages_external ON messages"
	" (chat_id, ingest_account_id, external_message_id)"
	" WHERE external_message_id IS NOT NULL;"
	"CREATE INDEX messages_system ON messages (system_type, created_at)"
	" WHERE system_type <> 0;"
	/* the dashboard's agents' replies by time (role 2: agent) */
	"CREATE INDEX messages_agent ON messages (created_at) WHERE role = 2;"

	/* The event log. Each row carries the chat's list columns as they
	 * were at that event: "the chat as of seq S" is its latest event row
	 * with seq <= S, which is what makes list cursors exact. The frame is
	 * text, not jsonb: it is sent to clients byte for byte as built. */
	"CREATE TABLE events ("
	" seq bigint PRIMARY KEY, chat_id uuid NOT NULL, type integer NOT NULL,"
	" at bigint NOT NULL, note boolean NOT NULL, json text NOT NULL,"
	" mode integer NOT NULL, escalated boolean NOT NULL, responder_type integer NOT NULL,"
	" responder_id uuid, ticket_status integer, channel_type integer NOT NULL, title text,"
	" owner_name text NOT NULL, latest_text text, recent_key bigint NOT NULL,"
	" wait_key bigint NOT NULL, source_platform text);"
	"CREATE INDEX events_chat ON events (chat_id, seq);"

	/* The sources an ingest account may read besides its own chats:
	 * another ingest account's chats (kind 0, source its id) or a
	 * platform label's (kind 1). */
	"CREATE TABLE ingest_grants ("
	" account_id uuid NOT NULL REFERENCES accounts (id), kind integer NOT NULL,"
	" source text NOT NULL, PRIMARY KEY (account_id, kind, source));"

	/* Canned replies: the team's have no owner, an agent's own have one;
	 * a name is unique among each (SQLite's one index on
	 * coalesce(owner_id, '') as two partial ones). */
	"CREATE TABLE canned_replies ("
	" id uuid PRIMARY KEY, name text NOT NULL, text text NOT NULL,"
	" owner_id uuid REFERENCES accounts (id),"
	" created_by uuid NOT NULL REFERENCES accounts (id), created_at bigint NOT NULL);"
	"CREATE UNIQUE INDEX canned_replies_shared ON canned_replies (name)"
	" WHERE owner_id IS NULL;"
	"CREATE UNIQUE INDEX canned_replies_own ON canned_replies (owner_id, name)"
	" WHERE owner_id IS NOT NULL;"

	/* Read marks: the highest seq each agent saw of each chat. */
	"CREATE TABLE chat_reads ("
	" account_id uuid NOT NULL REFERENCES accounts (id),"
	" chat_id uuid NOT NULL REFERENCES chats (id), seq bigint NOT NULL,"
	" PRIMARY KEY (account_id, chat_id));"

	/* The platforms' own daily counts: one row per ingest account and
	 * UTC day (days since 1970-01-01); a new report replaces the old. */
	"CREATE TABLE platform_daily ("
	" account_id uuid NOT NULL REFERENCES accounts (id), day bigint NOT NULL,"
	" platform text NOT NULL, conversations bigint NOT NULL, updated_at bigint NOT NULL,"
	" PRIMARY KEY (account_id, day));"
	"CREATE INDEX platform_daily_day ON platform_daily (day);"

	/* Auto-assignment: one open offer per chat at most (the primary key
	 * makes a second offer of a chat impossible, from any hub), and who
	 * passed which waiting chat. */
	"CREATE TABLE offers ("
	" chat_id uuid PRIMARY KEY REFERENCES chats (id),"
	" agent_id uuid NOT NULL REFERENCES accounts (id), expires_at bigint NOT NULL);"
	"CREATE INDEX offers_agent ON offers (agent_id);"
	"CREATE TABLE offer_passes ("
	" chat_id uuid NOT NULL REFERENCES chats (id),"
	" agent_id uuid NOT NULL REFERENCES accounts (id),"
	" PRIMARY KEY (chat_id, agent_id));",

	/*
	 * 2: searching messages (pg_search.c), as SQLite's messages_fts does:
	 * every word of the query, by stem, case and diacritics folded.
	 *
	 * Words: letters and digits separated by anything else, as FTS5's
	 * unicode61 reads them. PostgreSQL's own parser would keep
	 * "ana@example.com", "refund-policy" or "v1.2" whole (an email, a
	 * hyphenated word, a version), where SQLite finds "ana" or "refund"
	 * in them; so handoff_search_text first turns every ASCII character
	 * that is not a letter or digit, and the common non-ASCII punctuation,
	 * symbols and emoji, into a space. One character for one, so a match's
	 * offsets in that text are its offsets in the message.
	 *
	 * Folding and stems: the configuration handoff_search runs each word
	 * through unaccent (a filtering dictionary: "pâté" goes on as "pate")
	 * and then the Snowball English stemmer, which lowercases. The
	 * stemmer is used without the 'english' configuration's stop words,
	 * which a query would silently drop: on SQLite "refund or pate" needs
	 * an "or" too. Snowball's English is Porter's second stemmer; FTS5's
	 * porter is his first (1980). They agree on the inflections a search
	 * meets ("refunds", "refunded", "refunding" are "refund") and differ on
	 * a few derivations ("generously": gener / generous) and irregular
	 * forms Snowball knows ("skies" is "sky"), so a rare word may match on
	 * one back end and not the other. Case folding beyond what unaccent
	 * maps is the database's LC_CTYPE's: a C-locale database folds Greek
	 * or Cyrillic capitals only where unaccent does.
	 *
	 * The index: GIN on handoff_search_doc(text), to_tsvector with a named
	 * configuration, which is IMMUTABLE (unaccent() is not; here unaccent
	 * is a dictionary, not a function call); search_path is pinned so that
	 * it reads the same configuration from any session, or pg_restore. A
	 * search that finds nothing, or little, reads the index only.
	 */
	"CREATE EXTENSION IF NOT EXISTS unaccent;"
	"CREATE TEXT SEARCH DICTIONARY handoff_stem (TEMPLATE = snowball, LANGUAGE = english);"
	"CREATE TEXT SEARCH CONFIGURATION handoff_search (COPY = simple);"
	"ALTER TEXT SEARCH CONFIGURATION handoff_search ALTER MAPPING FOR asciiword, word,"
	" numword, asciihword, hword, numhword, hword_asciipart, hword_part, hword_numpart"
	" WITH unaccent, handoff_stem;"
	"CREATE FUNCTION handoff_search_text(t text) RETURNS text LANGUAGE sql IMMUTABLE"
	" PARALLEL SAFE AS $$ SELECT regexp_replace(t, '["
	"\\x01-\\x2f\\x3a-\\x40\\x5b-\\x60\\x7b-\\x7f"
	"\\u0080-\\u00a9\\u00ab-\\u00b1\\u00b4\\u00b6-\\u00b8\\u00bb\\u00bf\\u00d7\\u00f7"
	"\\u2000-\\u206f\\u2190-\\u21ff\\u2500-\\u2775\\u2794-\\u27bf"
	"\\u3000-\\u3004\\u3008-\\u3020\\u3030\\u303d-\\u303f\\ufe00-\\ufe0f"
	"\\U0001f300-\\U0001faff]', ' ', 'g') $$;"
	/* COST: what parsing and stemming a message costs, so that the
	 * planner weighs reading the newest messages and testing each (below)
	 * against the index. */
	"CREATE FUNCTION handoff_search_doc(t text) RETURNS tsvector LANGUAGE sql IMMUTABLE"
	" PARALLEL SAFE COST 1000 SET search_path FROM CURRENT"
	" AS $$ SELECT to_tsvector('handoff_search', handoff_search_text(t)) $$;"
	/* A query's words as one tsquery: each word's lexemes, all required;
	 * NULL (which matches nothing) when the words have none, rather than
	 * plainto_tsquery's empty query and the NOTICE it sends the client. */
	"CREATE FUNCTION handoff_search_query(words text) RETURNS tsquery LANGUAGE sql"
	" IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT AS $$"
	" SELECT CASE WHEN cardinality(l) > 0 THEN array_to_string(array("
	"  SELECT '''' || replace(replace(x, '\\', '\\\\'), '''', '''''') || ''''"
	"  FROM unnest(l) x), ' & ')::tsquery END"
	" FROM (SELECT tsvector_to_array(handoff_search_doc(words)) AS l) s $$;"
	"CREATE INDEX messages_search ON messages USING gin (handoff_search_doc(text));"
	/* The newest messages first, for a word that many messages hold: the
	 * GIN index gives its rows in no order, so the page would be a sort
	 * of them all (half a second at 100,000 messages), where reading the
	 * newest and testing each stops at the page's end, as FTS5's newest
	 * first lists do. The planner picks by the word's frequency. */
	"CREATE INDEX messages_newest ON messages (created_at);",

	/* 3: the chat list. For q, trigram indexes (pg_trgm, a trusted extension
	 * a database owner may create) on the three columns q looks in, folded
	 * as the rule folds them (PG_FOLD), so FOLD(col) LIKE '%q%' is an index
	 * lookup whose recheck is the rule itself. A q of one or two characters
	 * has no trigram: it is looked up in an index of every character and
	 * pair of characters of each column, folded (SQLite's chats_grams), the
	 * rule then checking the candidates (pg_list.c). */
	"CREATE EXTENSION IF NOT EXISTS pg_trgm;"
	"CREATE INDEX chats_q_title ON chats USING gin (" PG_FOLD("title") " gin_trgm_ops);"
	"CREATE INDEX chats_q_owner ON chats USING gin (" PG_FOLD("owner_name") " gin_trgm_ops);"
	"CREATE INDEX chats_q_latest ON chats USING gin (" PG_FOLD("latest_text") " gin_trgm_ops);"
	"CREATE FUNCTION chat_grams(a text, b text, c text) RETURNS text[]"
	" LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$"
	" SELECT coalesce(array_agg(DISTINCT substr(v, i, n)), '{}')"
	" FROM (SELECT " PG_FOLD("x") " AS v FROM unnest(ARRAY[a, b, c]) AS x"
	" WHERE x IS NOT NULL) t, generate_series(1, length(v)) AS i, (VALUES (1), (2)) AS w (n)"
	" WHERE i + n - 1 <= length(v) $$;"
	"CREATE INDEX chats_q_grams ON chats USING gin (" PG_CHAT_GRAMS ");"
	/* A held chat has mode 1, an agent responder and an id: the planner,
	 * taking filters for independent, would think "held by me" rare and
	 * sort the agent's chats rather than walk an index in order. */
	"CREATE STATISTICS chats_holder (dependencies)"
	" ON mode, responder_type, responder_id, escalated FROM chats;",

	/* 4: chat_grams in linear time. Step 3's took substr(v, i, n) for each
	 * position, and in UTF-8 each substr counts from the start: quadratic
	 * in the columns' length, and every ingest computes it for the chat's
	 * new preview: 24 ms of server CPU for a typical chat (title 30,
	 * owner 12, preview 120 characters), 154 ms for the longest (200, 200,
	 * 120). Now each column is split into characters once and each is
	 * paired with the next (lead): the same grams, in 0.9 and 1.3 ms. */
	"CREATE OR REPLACE FUNCTION chat_grams(a text, b text, c text) RETURNS text[]"
	" LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$"
	" SELECT coalesce(array_agg(DISTINCT g), '{}')"
	" FROM (SELECT ch, lead(ch) OVER (PARTITION BY col ORDER BY pos) AS nx"
	"  FROM unnest(ARRAY[a, b, c]) WITH ORDINALITY AS v (t, col),"
	"   regexp_split_to_table(" PG_FOLD("t") ", '') WITH ORDINALITY AS s (ch, pos)"
	"  WHERE t <> '') w, LATERAL (VALUES (ch), (ch || nx)) AS x (g)"
	" WHERE g IS NOT NULL $$;",
};

_Static_assert(sizeof pg_migrations / sizeof pg_migrations[0] == PG_SCHEMA_VERSION,
	       "PG_SCHEMA_VERSION is the count of steps");
