/*
 * db_list.c — GET /v1/chats: filtered, sorted pages with exact cursors (see
 * db.h).
 *
 * Plain keyset pagination is not exact while chats change: a chat not yet
 * visited that gets a new message jumps above the cursor and is never seen.
 * So a walk is pinned to the event seq S that was the head at its first
 * page, and pages are cut from the chats *as of S*:
 *
 *   A. chats unchanged since S (last_event_seq <= S): their current row is
 *      their state at S — one indexed query on the chats table;
 *   B. chats changed since S: their state at S is their latest event row
 *      with seq <= S (events carry the filter and sort columns), and chats
 *      created after S have none, so they are left out.
 *
 * Both run the same WHERE clause (same column names) and the same "after the
 * cursor" condition; the two sorted lists are merged here, and the page
 * shows the chats as they are now. Every chat that matched at S is returned
 * exactly once. The first page has nothing changed since S, so it is query
 * A alone.
 *
 * The cursor is hex of "S.key.id.sort.hash", where hash covers the filters,
 * so a cursor cannot be replayed with other filters.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"
#include "list_walk.h"
#include "utf8.h"

#define SQL_MAX    2048
#define ARGS_MAX   16
#define CURSOR_MAX 128 /* the cursor's text, before hex */

/* A statement being built: its text and its arguments in order. */
struct sqlbuf {
	char sql[SQL_MAX];
	size_t len;
	struct sqlarg args[ARGS_MAX];
	size_t nargs;
	char *pattern; /* the LIKE pattern args point to (owned) */
};

__attribute__((format(printf, 2, 3)))
static void sb_printf(struct sqlbuf *b, const char *fmt, ...);

static void sb_printf(struct sqlbuf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(b->sql + b->len, SQL_MAX - b->len, fmt, ap);
	va_end(ap);
	/* Every statement here is far below SQL_MAX; a cut one would not
	 * prepare, which fails the call rather than running something else. */
	if (n > 0)
		b->len = b->len + (size_t)n < SQL_MAX ? b->len + (size_t)n : SQL_MAX - 1;
}

static void sb_arg(struct sqlbuf *b, struct sqlarg a)
{
	if (b->nargs < ARGS_MAX)
		b->args[b->nargs++] = a;
}

static void sb_int(struct sqlbuf *b, int64_t v)
{
	sb_arg(b, (struct sqlarg)ARG_I(v));
}

static void sb_text(struct sqlbuf *b, const char *s)
{
	sb_arg(b, (struct sqlarg)ARG_T(s));
}

/* "%text%" with LIKE's wildcards and escape character escaped. */
static char *like_pattern(const char *text)
{
	char *p = malloc(2 * strlen(text) + 3), *o = p;

	if (!p)
		return NULL;
	*o++ = '%';
	for (; *text; text++) {
		if (*text == '%' || *text == '_' || *text == '\\')
			*o++ = '\\';
		*o++ = *text;
	}
	*o++ = '%';
	*o = '\0';
	return p;
}

/* " AND …" for every filter of q but the text. The columns exist, with
 * these names and meanings, in chats, in event rows and in chat_counts. */
static void add_filters(struct sqlbuf *b, const struct chat_query *q, const struct agent *me)
{
	/* mode and escalated are written as literals, not parameters: only
	 * then can SQLite match the partial indexes chats_queue and chats_held. */
	if (q->mode >= 0)
		sb_printf(b, " AND mode = %d", q->mode == CHAT_MODE_AGENT);
	if (q->escalated >= 0)
		sb_printf(b, " AND escalated = %d", q->escalated != 0);
	if (q->waiting)
		sb_printf(b, " AND escalated = 1 AND mode = %d", CHAT_MODE_AI);
	switch (q->responder) {
	case RESPONDER_ANY:
		break;
	case RESPONDER_IS_ME:
	case RESPONDER_IS_AGENT:
		sb_printf(b, " AND responder_id = ?");
		sb_text(b, q->responder == RESPONDER_IS_ME ? me->id : q->responder_id);
		break;
	case RESPONDER_IS_NONE:
		sb_printf(b, " AND responder_type <> %d", RESPONDER_AGENT);
		break;
	case RESPONDER_IS_BOT:
		sb_printf(b, " AND responder_type = %d", RESPONDER_BOT);
		break;
	}
	if (q->status >= 0) {
		sb_printf(b, " AND ticket_status = ?");
		sb_int(b, q->status);
	}
	if (q->channel >= 0) {
		sb_printf(b, " AND channel_type = ?");
		sb_int(b, q->channel);
	}
	if (q->source) {
		sb_printf(b, " AND source_platform = ?");
		sb_text(b, q->source);
	}
}

/* " AND …" for the text q: the exact rule, on chats and event rows alike. */
static bool add_text(struct sqlbuf *b, const struct chat_query *q)
{
	if (q->q) {
		/* LIKE folds ASCII case only; non-ASCII letters match exactly. */
		if (!(b->pattern = like_pattern(q->q)))
			return false;
		sb_printf(b, " AND (title LIKE ? ESCAPE '\\' OR owner_name LIKE ? ESCAPE '\\'"
			     " OR latest_text LIKE ? ESCAPE '\\')");
		for (int i = 0; i < 3; i++)
			sb_text(b, b->pattern);
	}
	return true;
}

/* How a sort orders rows, and which rows come after a cursor. */
static const struct sort_spec {
	const char *key, *dir, *after;
} sorts[] = {
	[SORT_RECENT] = {"recent_key", "DESC", "<"},
	[SORT_WAITING] = {"wait_key", "ASC", ">"},
};

/* A fingerprint of the filters and sort: the filter SQL and its values say
 * exactly which chats match. */
static bool filter_hash(const struct chat_query *q, const struct agent *me, uint64_t *out)
{
	struct sqlbuf b = {.len = 0};
	uint64_t h = LIST_FNV_BASIS;

	add_filters(&b, q, me);
	if (!add_text(&b, q))
		return false;
	h = list_fnv(h, b.sql, b.len + 1);
	for (size_t i = 0; i < b.nargs; i++) {
		h = list_fnv(h, &b.args[i].i, sizeof b.args[i].i);
		if (b.args[i].s)
			h = list_fnv(h, b.args[i].s, strlen(b.args[i].s) + 1);
	}
	h = list_fnv(h, &q->sort, sizeof q->sort);
	free(b.pattern);
	*out = h;
	return true;
}

/* ---- cursors ------------------------------------------------------------ */

struct cursor {
	int64_t snap; /* S: the head when the walk began */
	int64_t key;  /* sort key and id of the last row returned, as of S */
	uuid_str id;
	int sort;
	uint64_t hash;
};

static int cursor_text(const struct cursor *c, char out[CURSOR_MAX])
{
	return snprintf(out, CURSOR_MAX, "%" PRId64 ".%" PRId64 ".%s.%d.%016" PRIx64, c->snap,
			c->key, c->id, c->sort, c->hash);
}

static char *cursor_encode(const struct cursor *c)
{
	char text[CURSOR_MAX];
	int n = cursor_text(c, text);

	return cursor_armour(text, (size_t)n);
}

/* Strict: lowercase hex of a text that, parsed and printed again, is
 * identical — no other spelling of the same cursor is accepted. */
static bool cursor_decode(const char *s, struct cursor *c)
{
	char text[CURSOR_MAX], again[CURSOR_MAX];
	int used = 0;

	if (!cursor_unarmour(s, text, sizeof text))
		return false;
	if (sscanf(text, "%" SCNd64 ".%" SCNd64 ".%36[-0-9a-f].%d.%16" SCNx64 "%n", &c->snap,
		   &c->key, c->id, &c->sort, &c->hash, &used) != 5 ||
	    (size_t)used != strlen(text) || !uuid_valid(c->id))
		return false;
	cursor_text(c, again);
	return strcmp(text, again) == 0;
}

/* ---- text search --------------------------------------------------------- */

/*
 * LIKE alone would check every chat. A q of FTS_MIN_CHARS characters or more
 * is first looked up in chats_fts: a trigram phrase query finds the chats
 * whose title, owner name or latest preview contain it, folding case more
 * widely than LIKE does, so they are candidates that LIKE then checks (the
 * rule stays LIKE's). A shorter q has no trigram; it is one token of
 * chats_grams instead, which holds every character and pair of characters
 * of the same columns (db_grams.c).
 *
 * The index alone first says whether there are at most CANDIDATES_MAX
 * candidates: it reads up to CANDIDATES_MAX + 1 rowids, and no chat row.
 * With few, one pass reads those chats (by the rowids kept: a second
 * phrase lookup would cost as much as the first) with their sort key and
 * whether they match q and the filters, and that is the whole answer: the
 * exact count, and the page, cut and sorted here (the chats unchanged since
 * the walk began; the changed ones come from their event rows as for any
 * filter). With more, the term is common enough that a walk of the sort's
 * index, checking each row, fills a page sooner; and the count is what
 * that walk found, a lower bound (meta.total_capped). Counting further
 * would read a chat row per candidate, which is what took a common term
 * over its time budget.
 */
#define FTS_MIN_CHARS  3
#define CANDIDATES_MAX 1000

struct candidate {
	struct row_key row;
	int64_t last_event_seq;
};

struct text_search {
	char *phrase;      /* the FTS5 query (owned); NULL when there is no q */
	const char *index; /* the FTS5 table it is asked of */
	bool few;          /* at most CANDIDATES_MAX candidates: pages are cut from them */
	char *rowids;      /* when few, the candidates' rowids: a JSON array (owned) */
	int64_t matched;   /* when few, how many candidates match q and the filters */
	struct candidate *rows; /* those that match, when few (owned) */
};

/* q as one FTS5 phrase: in double quotes, with its quotes doubled. */
static char *fts_phrase(const char *text)
{
	char *p = malloc(2 * strlen(text) + 3), *o = p;

	if (!p)
		return NULL;
	*o++ = '"';
	for (; *text; text++) {
		if (*text == '"')
			*o++ = '"';
		*o++ = *text;
	}
	*o++ = '"';
	*o = '\0';
	return p;
}

/* The phrase's candidates, up to CANDIDATES_MAX + 1: rowids from the index
 * alone. */
static void candidates_lookup_sql(struct sqlbuf *b, const struct text_search *t)
{
	sb_printf(b, "SELECT rowid FROM %s WHERE %s MATCH ? LIMIT %d", t->index, t->index,
		  CANDIDATES_MAX + 1);
	sb_text(b, t->phrase);
}

/* The few candidates' chats: id, sort key, last event and whether each
 * matches q and its filters. */
static bool candidates_sql(struct sqlbuf *b, const struct chat_query *q, const struct agent *me,
			   const struct text_search *t)
{
	sb_printf(b, "SELECT id, %s, last_event_seq, (1", sorts[q->sort].key);
	add_filters(b, q, me);
	if (!add_text(b, q))
		return false;
	sb_printf(b, ") FROM chats WHERE rowid IN (SELECT value FROM json_each(?))");
	sb_text(b, t->rowids);
	return true;
}

/* n rowids as a JSON array, for json_each. */
static char *rowids_json(const int64_t *ids, size_t n)
{
	/* "[", up to 20 characters and a comma a rowid, "]" */
	size_t cap = 21 * n + 3, len = 1;
	char *s = malloc(cap);

	if (!s)
		return NULL;
	s[0] = '[';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len, "%s%" PRId64, i ? "," : "", ids[i]);
	snprintf(s + len, cap - len, "]");
	return s;
}

/* Look the candidates up, CANDIDATES_MAX + 1 at most: t->few, and when few
 * their rowids in t->rowids. */
static bool candidates_lookup(struct db *db, struct text_search *t, struct api_error *err)
{
	int64_t ids[CANDIDATES_MAX];
	struct sqlbuf b = {.len = 0};
	size_t n = 0;
	int rc = SQLITE_DONE;

	candidates_lookup_sql(&b, t);
	sqlite3_stmt *st = db_query(db, b.sql, b.args, b.nargs, err);
	while (st && (rc = db_step(db, st, err)) == SQLITE_ROW && n++ < CANDIDATES_MAX)
		ids[n - 1] = sqlite3_column_int64(st, 0);
	db_release(db, st);
	if (!st || (rc != SQLITE_DONE && rc != SQLITE_ROW))
		return false;
	t->few = n <= CANDIDATES_MAX;
	return !t->few || (t->rowids = rowids_json(ids, n)) || db_oom(err);
}

static bool text_search_init(struct db *db, const struct chat_query *q, const struct agent *me,
			     struct text_search *t, struct api_error *err)
{
	struct sqlbuf b = {.len = 0};
	int rc = SQLITE_DONE;

	memset(t, 0, sizeof *t);
	if (!q->q)
		return true;
	t->index = utf8_count(q->q, strlen(q->q)) < FTS_MIN_CHARS ? "chats_grams" : "chats_fts";
	if (!(t->phrase = fts_phrase(q->q)))
		return db_oom(err);
	if (!candidates_lookup(db, t, err))
		return false;
	if (!t->few)
		return true;
	if (!candidates_sql(&b, q, me, t) ||
	    !(t->rows = malloc(CANDIDATES_MAX * sizeof *t->rows))) {
		free(b.pattern);
		return db_oom(err);
	}
	sqlite3_stmt *st = db_query(db, b.sql, b.args, b.nargs, err);
	while (st && (rc = db_step(db, st, err)) == SQLITE_ROW) {
		if (!sqlite3_column_int(st, 3))
			continue;
		struct candidate *c = &t->rows[t->matched++];
		col_uuid(st, 0, c->row.id);
		c->row.key = sqlite3_column_int64(st, 1);
		c->last_event_seq = sqlite3_column_int64(st, 2);
	}
	db_release(db, st);
	free(b.pattern);
	qsort(t->rows, (size_t)t->matched, sizeof *t->rows,
	      q->sort == SORT_RECENT ? rows_newest_first : rows_oldest_first);
	return st && rc == SQLITE_DONE;
}

static void text_search_free(struct text_search *t)
{
	free(t->phrase);
	free(t->rowids);
	free(t->rows);
}

/* Query A for few candidates: those that match, unchanged since S and
 * after the cursor, in order, up to `limit`. */
static size_t cut_candidates(const struct text_search *t, enum chat_sort sort,
			     const struct cursor *cur, int64_t snap, size_t limit,
			     struct row_key *rows)
{
	struct row_key after = {.key = cur ? cur->key : 0};
	size_t n = 0;

	if (cur)
		memcpy(after.id, cur->id, sizeof after.id);
	for (int64_t i = 0; i < t->matched && n < limit; i++) {
		const struct candidate *c = &t->rows[i];
		if (!cur || (c->last_event_seq <= snap && row_before(&after, &c->row, sort)))
			rows[n++] = c->row;
	}
	return n;
}

/* ---- pages -------------------------------------------------------------- */

struct strbuf_plan {
	char *text;
	size_t cap, len;
};

/* The statement of query A (snapshot_rows false) or B: (id, key) rows as of
 * S that match q and come after the cursor (none: from the start). Query A
 * of a q with few candidates is cut from them instead (cut_candidates). */
static bool page_sql(struct sqlbuf *b, bool snapshot_rows, const struct chat_query *q,
		     const struct agent *me, const struct cursor *cur, int64_t snap, int limit)
{
	const struct sort_spec *s = &sorts[q->sort];

	if (snapshot_rows) {
		/* No DISTINCT on the changed chats: a repeat is harmless in IN (…),
		 * and DISTINCT makes SQLite scan the whole events_chat index
		 * instead of the seq range. */
		sb_printf(b,
			  "SELECT id, %s FROM (SELECT e.chat_id AS id, " SNAPSHOT_COLUMNS
			  " FROM events e WHERE e.seq IN (SELECT (SELECT max(p.seq) FROM events p"
			  " WHERE p.chat_id = w.chat_id AND p.seq <= ?) FROM (SELECT chat_id"
			  " FROM events WHERE seq > ?) w)) WHERE 1",
			  s->key);
		sb_int(b, snap);
		sb_int(b, snap);
	} else {
		sb_printf(b, "SELECT id, %s FROM chats WHERE 1", s->key);
		if (cur) {
			sb_printf(b, " AND last_event_seq <= ?");
			sb_int(b, snap);
		}
	}
	add_filters(b, q, me);
	if (!add_text(b, q))
		return false;
	if (cur) {
		sb_printf(b, " AND (%s, id) %s (?, ?)", s->key, s->after);
		sb_int(b, cur->key);
		sb_text(b, cur->id);
	}
	sb_printf(b, " ORDER BY %s %s, id %s LIMIT ?", s->key, s->dir, s->dir);
	sb_int(b, limit);
	return true;
}

/* Up to `limit` rows of query A or B into rows. */
static bool page_rows(struct db *db, bool snapshot_rows, const struct chat_query *q,
		      const struct agent *me, const struct text_search *t,
		      const struct cursor *cur, int64_t snap, int limit, struct row_key *rows,
		      size_t *n, struct api_error *err)
{
	struct sqlbuf b = {.len = 0};
	int rc = SQLITE_DONE;

	*n = 0;
	if (!snapshot_rows && t->few) {
		*n = cut_candidates(t, q->sort, cur, snap, (size_t)limit, rows);
		return true;
	}
	if (!page_sql(&b, snapshot_rows, q, me, cur, snap, limit)) {
		free(b.pattern);
		return db_oom(err);
	}
	sqlite3_stmt *st = db_query(db, b.sql, b.args, b.nargs, err);
	while (st && (rc = db_step(db, st, err)) == SQLITE_ROW && *n < (size_t)limit) {
		col_uuid(st, 0, rows[*n].id);
		rows[*n].key = sqlite3_column_int64(st, 1);
		(*n)++;
	}
	db_release(db, st);
	free(b.pattern);
	return st && (rc == SQLITE_DONE || rc == SQLITE_ROW);
}

static bool has_filters(const struct chat_query *q)
{
	return q->mode >= 0 || q->escalated >= 0 || q->waiting || q->responder != RESPONDER_ANY ||
	       q->status >= 0 || q->channel >= 0 || q->source || q->q;
}

/* The statement that counts the chats matching q without a text search:
 * it sums chat_counts, whose rows are the few combinations of the filter
 * columns (db.c). */
static void count_sql(struct sqlbuf *b, const struct chat_query *q, const struct agent *me)
{
	sb_printf(b, "SELECT coalesce(sum(n), 0) FROM chat_counts WHERE 1");
	add_filters(b, q, me);
}

/* meta.total. A q counts its few candidates that match; with many, the
 * `walked` matches the page's walk found are a lower bound, and exact when
 * that walk was the whole list (`walked_all`). */
static bool count_matching(struct db *db, const struct chat_query *q, const struct agent *me,
			   const struct text_search *t, int64_t walked, bool walked_all,
			   struct chat_page *p, struct api_error *err)
{
	struct sqlbuf b = {.len = 0};
	bool found;

	if (t->phrase) {
		p->total = t->few ? t->matched : walked;
		p->total_capped = !t->few && !walked_all;
		return true;
	}
	/* No filter at all: every chat, counted once and then kept up to date
	 * (db_internal.h). */
	bool all = !has_filters(q);
	if (all && db->chat_count >= 0) {
		p->total = db->chat_count;
		return true;
	}
	count_sql(&b, q, me);
	bool ok = db_get_int(db, b.sql, b.args, b.nargs, &p->total, &found, err);
	if (ok && all)
		db->chat_count = p->total;
	return ok;
}

/* The rows of the page (as of S), whether more follow, and how many
 * matching chats the walk found (the page and the one past it). */
static bool page_keys(struct db *db, const struct chat_query *q, const struct agent *me,
		      const struct text_search *t, const struct cursor *cur, int64_t snap,
		      struct row_key *page, size_t *n, bool *more, size_t *found,
		      struct api_error *err)
{
	size_t cap = (size_t)q->limit + 1, na = 0, nb = 0;
	struct row_key *a = calloc(cap, sizeof *a), *b = calloc(cap, sizeof *b);
	bool ok = a && b;

	if (!ok)
		ok = db_oom(err);
	/* One row past the limit tells whether another page exists. */
	ok = ok && page_rows(db, false, q, me, t, cur, snap, (int)cap, a, &na, err);
	ok = ok && (!cur || page_rows(db, true, q, me, t, cur, snap, (int)cap, b, &nb, err));
	if (ok) {
		*n = rows_merge(a, na, b, nb, q->sort, (size_t)q->limit, page);
		*more = na + nb > (size_t)q->limit;
		*found = na + nb;
	}
	free(a);
	free(b);
	return ok;
}

static bool list_page(struct db *db, const struct chat_query *q, const struct agent *me,
		      const struct cursor *cur, uint64_t hash, struct chat_page *p,
		      struct api_error *err)
{
	int64_t head = db_events_head(db), snap = cur ? cur->snap : head;
	struct row_key *rows = calloc((size_t)q->limit, sizeof *rows);
	struct text_search t = {0};
	size_t n = 0, found = 0;
	bool more = false;

	if (!rows)
		return db_oom(err);
	bool ok = true;
	if (snap > head)
		ok = api_error_set(err, API_INVALID_QUERY, "cursor: not a cursor of this list");
	else if (snap < db->floor - 1)
		ok = api_error_set(err, API_INVALID_QUERY, "cursor expired; start the list again");
	/* A first page with no more after it walked every matching chat. */
	ok = ok && text_search_init(db, q, me, &t, err) &&
	     page_keys(db, q, me, &t, cur, snap, rows, &n, &more, &found, err) &&
	     count_matching(db, q, me, &t, (int64_t)found, !cur && !more, p, err);
	text_search_free(&t);
	if (ok && !(p->chats = calloc(n ? n : 1, sizeof *p->chats)))
		ok = db_oom(err);
	/* The page lists the chats as they are now. */
	for (size_t i = 0; ok && i < n; i++) {
		ok = chat_load(db, rows[i].id, &p->chats[i], err);
		p->count += ok;
		ok = ok && db_chat_unread(db, me, &p->chats[i], err);
	}
	if (ok && more && n) {
		struct cursor next = {.snap = snap, .key = rows[n - 1].key, .sort = q->sort,
				      .hash = hash};
		memcpy(next.id, rows[n - 1].id, sizeof next.id);
		if (!(p->next_cursor = cursor_encode(&next)))
			ok = db_oom(err);
	}
	free(rows);
	return ok;
}

/* ---- query plans ---------------------------------------------------------- */

/* Append "label: detail" for each row of `b`'s query plan. */
static bool explain_into(struct db *db, const char *label, const struct sqlbuf *b,
			 struct strbuf_plan *out, struct api_error *err)
{
	char sql[SQL_MAX + 32];
	int rc = SQLITE_DONE;

	snprintf(sql, sizeof sql, "EXPLAIN QUERY PLAN %s", b->sql);
	sqlite3_stmt *st = db_query(db, sql, b->args, b->nargs, err);
	while (st && (rc = db_step(db, st, err)) == SQLITE_ROW) {
		const unsigned char *d = sqlite3_column_text(st, 3);
		int n = snprintf(out->text + out->len, out->cap - out->len, "%s: %s\n", label,
				 d ? (const char *)d : "");
		if (n > 0 && out->len + (size_t)n < out->cap)
			out->len += (size_t)n;
	}
	db_release(db, st);
	return st && rc == SQLITE_DONE;
}

bool chat_list_plans(struct db *db, const struct agent *me, const struct chat_query *q,
		     char *out, size_t len, struct api_error *err)
{
	struct strbuf_plan plan = {out, len, 0};
	struct cursor cur = {.snap = db_events_head(db), .sort = q->sort};
	struct sqlbuf a = {.len = 0}, a2 = {.len = 0}, b = {.len = 0}, c = {.len = 0};
	struct text_search t;

	out[0] = '\0';
	memcpy(cur.id, "00000000-0000-4000-8000-000000000000", sizeof cur.id);
	bool ok = text_search_init(db, q, me, &t, err);
	/* Few candidates: the pages are cut from the one pass over them. */
	bool built = t.few ? candidates_sql(&a, q, me, &t) && candidates_sql(&a2, q, me, &t)
			   : page_sql(&a, false, q, me, NULL, cur.snap, q->limit + 1) &&
				     page_sql(&a2, false, q, me, &cur, cur.snap, q->limit + 1);
	built = built && page_sql(&b, true, q, me, &cur, cur.snap, q->limit + 1);
	if (q->q)
		candidates_lookup_sql(&c, &t);
	else
		count_sql(&c, q, me);
	ok = ok && (built || db_oom(err));
	ok = ok && explain_into(db, "first", &a, &plan, err) &&
	     explain_into(db, "next", &a2, &plan, err) &&
	     explain_into(db, "changed", &b, &plan, err) &&
	     explain_into(db, "count", &c, &plan, err);
	text_search_free(&t);
	free(a.pattern);
	free(a2.pattern);
	free(b.pattern);
	return ok;
}

bool db_chats_list(struct db *db, const struct agent *me, const struct chat_query *q,
		   struct chat_page *out, struct api_error *err)
{
	struct chat_page p = {0};
	struct cursor cur;
	uint64_t hash;

	if (q->limit < 1 || q->limit > 200)
		return api_error_set(err, API_INVALID_QUERY, "limit: must be 1..200");
	if (q->sort != SORT_RECENT && q->sort != SORT_WAITING)
		return api_error_set(err, API_INVALID_QUERY, "sort: must be recent or waiting");
	if (!filter_hash(q, me, &hash))
		return db_oom(err);
	if (q->cursor && !cursor_decode(q->cursor, &cur))
		return api_error_set(err, API_INVALID_QUERY, "cursor: malformed");
	if (q->cursor && (cur.sort != (int)q->sort || cur.hash != hash))
		return api_error_set(err, API_INVALID_QUERY,
				     "cursor: belongs to a list with other filters");
	if ((q->q && q->q[0] && !db_text_catch_up(db, err)) || !db_begin_read(db, err))
		return false;
	bool ok = list_page(db, q, me, q->cursor ? &cur : NULL, hash, &p, err);
	if (!db_finish(db, ok, err)) {
		chat_page_free(&p);
		return false;
	}
	*out = p;
	return true;
}
