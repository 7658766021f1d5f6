/*
 * pg_list.c — GET /v1/chats on PostgreSQL: db_chats_list's filters, sorts
 * and exact cursors (see db.h, and db_list.c, whose design this is).
 *
 * A walk is pinned to the event seq S that was the head at its first page,
 * and pages are cut from the chats *as of S*: those unchanged since S
 * (last_event_seq <= S) from the chats table (query A), those changed since
 * from their latest event row with seq <= S (query B; event rows carry the
 * list columns under the same names, so one WHERE clause serves both), the
 * two sorted lists merged here. Every chat that matched at S is returned
 * exactly once; chats created after S have no event at S and are left out.
 *
 * Each page is one REPEATABLE READ, READ ONLY transaction, so the head, the
 * two queries and the chats it shows are one snapshot. Under PostgreSQL's
 * concurrent writers that is still exact: the event counter's row lock
 * makes seq order commit order, so a snapshot that sees seq N sees every
 * event below it, and no chat row changed by a transaction it cannot see.
 *
 * Totals. SQLite keeps a count per combination of the filter columns with
 * triggers (chat_counts); here writers run at once, and triggers moving
 * counts between rows in each writer's order would deadlock them. So a
 * walk counts once, on its first page (one count(*) over the filter's
 * index), and its cursor carries the number: on the pages after the first,
 * meta.total is the size of the walk, the chats that matched when it began
 * — the very chats its pages return — not those matching now. A q counts
 * on every page as db_list.c does: its candidates when they are few, else
 * a lower bound (total_capped), each bounded by CANDIDATES_MAX.
 *
 * The cursor is hex of "S.key.id.sort.total.hash", where hash covers
 * the filters, so a cursor cannot be replayed with other filters.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"
#include "list_walk.h"
#include "utf8.h"
#include "uuid.h"

#define SQL_MAX    2048
#define ARGS_MAX   16
#define CURSOR_MAX 160 /* the cursor's text, before hex */

/* A statement being built: its text and its parameters ($1, $2, …). */
struct sqlbuf {
	char sql[SQL_MAX];
	size_t len;
	const char *args[ARGS_MAX];
	char ints[ARGS_MAX][PG_INT_LEN]; /* the text of integer parameters */
	int nargs;
	char *pattern; /* the LIKE pattern an arg points to (owned) */
	char gram[16]; /* a short q's gram: two characters of UTF-8 at most */
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
	 * parse, which fails the call rather than running something else. */
	if (n > 0)
		b->len = b->len + (size_t)n < SQL_MAX ? b->len + (size_t)n : SQL_MAX - 1;
}

/* A text parameter; returns its number, for "$%d". */
static int sb_text(struct sqlbuf *b, const char *s)
{
	if (b->nargs < ARGS_MAX)
		b->args[b->nargs++] = s;
	return b->nargs;
}

static int sb_int(struct sqlbuf *b, int64_t v)
{
	if (b->nargs >= ARGS_MAX)
		return b->nargs;
	return sb_text(b, pg_int(v, b->ints[b->nargs]));
}

/* "%text%" for LIKE, with its wildcards and escape character escaped and
 * ASCII letters folded, as PG_FOLD folds the columns. */
static char *like_pattern(const char *text)
{
	char *p = malloc(2 * strlen(text) + 3), *o = p;

	if (!p)
		return NULL;
	*o++ = '%';
	for (; *text; text++) {
		char c = *text;
		if (c == '%' || c == '_' || c == '\\')
			*o++ = '\\';
		*o++ = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	*o++ = '%';
	*o = '\0';
	return p;
}

/* " AND …" for every filter of q but the text. The columns exist, with
 * these names and meanings, in chats and in event rows. */
static void add_filters(struct sqlbuf *b, const struct chat_query *q, const struct agent *me)
{
	/* mode and escalated are literals, not parameters: the planner
	 * matches them to the partial indexes chats_queue and chats_held. */
	if (q->mode >= 0)
		sb_printf(b, " AND mode = %d", q->mode == CHAT_MODE_AGENT);
	if (q->escalated >= 0)
		sb_printf(b, " AND escalated = %s", q->escalated ? "true" : "false");
	if (q->waiting)
		sb_printf(b, " AND escalated AND mode = %d", CHAT_MODE_AI);
	switch (q->responder) {
	case RESPONDER_ANY:
		break;
	case RESPONDER_IS_ME:
	case RESPONDER_IS_AGENT: {
		const char *id = q->responder == RESPONDER_IS_ME ? me->id : q->responder_id;
		/* Not an id: no chat has it as responder (and PostgreSQL would
		 * refuse it as a uuid). */
		if (uuid_valid(id))
			sb_printf(b, " AND responder_id = $%d", sb_text(b, id));
		else
			sb_printf(b, " AND false");
		break;
	}
	case RESPONDER_IS_NONE:
		sb_printf(b, " AND responder_type <> %d", RESPONDER_AGENT);
		break;
	case RESPONDER_IS_BOT:
		sb_printf(b, " AND responder_type = %d", RESPONDER_BOT);
		break;
	}
	if (q->status >= 0)
		sb_printf(b, " AND ticket_status = $%d", sb_int(b, q->status));
	if (q->channel >= 0)
		sb_printf(b, " AND channel_type = $%d", sb_int(b, q->channel));
	if (q->source)
		sb_printf(b, " AND source_platform = $%d", sb_text(b, q->source));
}

/* " AND …" for the text q: SQLite's rule (LIKE, ASCII case folded), on
 * chats and event rows alike. */
static bool add_text(struct sqlbuf *b, const struct chat_query *q)
{
	if (!q->q)
		return true;
	if (!(b->pattern = like_pattern(q->q)))
		return false;
	int n = sb_text(b, b->pattern);
	sb_printf(b,
		  " AND (" PG_FOLD("title") " LIKE $%d OR " PG_FOLD("owner_name") " LIKE $%d"
		  " OR " PG_FOLD("latest_text") " LIKE $%d)",
		  n, n, n);
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
	for (int i = 0; i < b.nargs; i++)
		h = list_fnv(h, b.args[i], strlen(b.args[i]) + 1);
	h = list_fnv(h, &q->sort, sizeof q->sort);
	free(b.pattern);
	*out = h;
	return true;
}

static bool oom(struct api_error *err)
{
	return api_error_set(err, API_INTERNAL, "out of memory");
}

/* ---- cursors ------------------------------------------------------------ */

struct cursor {
	int64_t snap;  /* S: the head when the walk began */
	int64_t key;   /* sort key and id of the last row returned, as of S */
	uuid_str id;
	int sort;
	int64_t total; /* the walk's count, made on its first page (0 for a q) */
	uint64_t hash;
};

static int cursor_text(const struct cursor *c, char out[CURSOR_MAX])
{
	return snprintf(out, CURSOR_MAX,
			"%" PRId64 ".%" PRId64 ".%s.%d.%" PRId64 ".%016" PRIx64, c->snap, c->key,
			c->id, c->sort, c->total, c->hash);
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
	if (sscanf(text,
		   "%" SCNd64 ".%" SCNd64 ".%36[-0-9a-f].%d.%" SCNd64 ".%16" SCNx64 "%n",
		   &c->snap, &c->key, c->id, &c->sort, &c->total, &c->hash, &used) != 6 ||
	    (size_t)used != strlen(text) || !uuid_valid(c->id) || c->total < 0)
		return false;
	cursor_text(c, again);
	return strcmp(text, again) == 0;
}

/* ---- rows ---------------------------------------------------------------- */

/* pg_query answering as the protocol does. */
static PGresult *run(PGconn *conn, const struct sqlbuf *b, const char *what,
		     struct api_error *err)
{
	struct errbuf why;
	PGresult *r = pg_query(conn, b->sql, b->nargs, b->args, what, &why);

	if (!r)
		pg_api_fail(err, &why);
	return r;
}

/* ---- text search --------------------------------------------------------- */

/*
 * The rule alone would check every chat. A q of TRGM_MIN_CHARS characters
 * or more is first looked up through the trigram indexes (migration step
 * 2), whose recheck is the rule itself, so what they give are exactly the
 * chats whose text matches, up to CANDIDATES_MAX + 1. With few, that one
 * pass is the whole answer, as in db_list.c: the exact count (those that
 * also match the filters), and the pages, cut and sorted here (the chats
 * unchanged since the walk began; the changed ones come from their event
 * rows as for any filter). With more, the term is common enough that a
 * walk of the sort's index, checking each row, fills a page sooner, and
 * the count is what that walk found, a lower bound (total_capped).
 *
 * A shorter q has no trigram (pg_trgm would read its whole index): it is
 * looked up, the same way, in the index of every character and pair of
 * characters (chats_q_grams, as SQLite's chats_grams).
 */
#define TRGM_MIN_CHARS 3
#define CANDIDATES_MAX 1000

struct candidate {
	struct row_key row;
	int64_t last_event_seq;
};

struct text_search {
	bool active;  /* there is a q, looked up */
	bool few;     /* at most CANDIDATES_MAX candidates: pages are cut from them */
	int64_t matched;        /* when few, how many match the filters too */
	struct candidate *rows; /* those, in the sort's order (owned) */
};

/* The candidates' chats: id, sort key, last event and whether each matches
 * the filters, up to CANDIDATES_MAX + 1. A short q names its gram too, for
 * the gram index; the rule then checks what it found. */
static bool candidates_sql(struct sqlbuf *b, const struct chat_query *q, const struct agent *me)
{
	sb_printf(b, "SELECT id, %s, last_event_seq, (true", sorts[q->sort].key);
	add_filters(b, q, me);
	sb_printf(b, ") FROM chats WHERE true");
	if (!add_text(b, q))
		return false;
	if (utf8_count(q->q, strlen(q->q)) < TRGM_MIN_CHARS && strlen(q->q) < sizeof b->gram) {
		/* the gram: the pattern without its % and escapes */
		char *gram = b->gram;
		for (const char *p = b->pattern + 1; p[1]; p++) {
			if (*p == '\\')
				p++;
			*gram++ = *p;
		}
		*gram = '\0';
		sb_printf(b, " AND " PG_CHAT_GRAMS " @> ARRAY[$%d]::text[]", sb_text(b, b->gram));
	}
	sb_printf(b, " LIMIT %d", CANDIDATES_MAX + 1);
	return true;
}

static bool text_search_init(PGconn *conn, const struct chat_query *q, const struct agent *me,
			     struct text_search *t, struct api_error *err)
{
	struct sqlbuf b = {.len = 0};

	memset(t, 0, sizeof *t);
	if (!q->q)
		return true;
	t->active = true;
	if (!candidates_sql(&b, q, me)) {
		free(b.pattern);
		return oom(err);
	}
	PGresult *r = run(conn, &b, "look q up", err);
	free(b.pattern);
	if (!r)
		return false;
	int n = PQntuples(r);
	t->few = n <= CANDIDATES_MAX;
	if (t->few && n && !(t->rows = malloc((size_t)n * sizeof *t->rows))) {
		PQclear(r);
		return oom(err);
	}
	for (int i = 0; t->few && i < n; i++) {
		if (strcmp(PQgetvalue(r, i, 3), "t") != 0)
			continue;
		struct candidate *c = &t->rows[t->matched++];
		pg_col_uuid(r, i, 0, c->row.id);
		c->row.key = pg_col_int(r, i, 1);
		c->last_event_seq = pg_col_int(r, i, 2);
	}
	PQclear(r);
	if (t->matched)
		qsort(t->rows, (size_t)t->matched, sizeof *t->rows,
		      q->sort == SORT_RECENT ? rows_newest_first : rows_oldest_first);
	return true;
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

/* The statement of query A (snapshot_rows false) or B: (id, key) rows as of
 * S that match q and come after the cursor (none: from the start). */
static bool page_sql(struct sqlbuf *b, bool snapshot_rows, const struct chat_query *q,
		     const struct agent *me, const struct cursor *cur, int64_t snap, int limit)
{
	const struct sort_spec *s = &sorts[q->sort];

	if (snapshot_rows) {
		/* Each chat with an event after S, once, and its latest event
		 * row at or before S (events_chat, read backwards from S): the
		 * cost is the events since S, not the chats. Column names are
		 * the chats table's, so the filters read the same. */
		int n = sb_int(b, snap);
		sb_printf(b,
			  "SELECT s.id, s.%s FROM (SELECT DISTINCT chat_id FROM events"
			  " WHERE seq > $%d) w CROSS JOIN LATERAL (SELECT e.chat_id AS id, mode,"
			  " escalated, responder_type, responder_id, ticket_status, channel_type,"
			  " title, owner_name, latest_text, recent_key, wait_key, source_platform"
			  " FROM events e WHERE e.chat_id = w.chat_id AND e.seq <= $%d"
			  " ORDER BY e.seq DESC LIMIT 1) s WHERE true",
			  s->key, n, n);
	} else {
		sb_printf(b, "SELECT id, %s FROM chats WHERE true", s->key);
		if (cur)
			sb_printf(b, " AND last_event_seq <= $%d", sb_int(b, snap));
	}
	add_filters(b, q, me);
	if (!add_text(b, q))
		return false;
	if (cur) {
		int k = sb_int(b, cur->key);
		int id = sb_text(b, cur->id);
		sb_printf(b, " AND (%s, id) %s ($%d, $%d::uuid)", s->key, s->after, k, id);
	}
	sb_printf(b, " ORDER BY %s %s, id %s LIMIT %d", s->key, s->dir, s->dir, limit);
	return true;
}

/* Up to `limit` rows of query A or B into rows. */
static bool page_rows(PGconn *conn, bool snapshot_rows, const struct chat_query *q,
		      const struct agent *me, const struct text_search *t,
		      const struct cursor *cur, int64_t snap, int limit, struct row_key *rows,
		      size_t *n, struct api_error *err)
{
	struct sqlbuf b = {.len = 0};

	*n = 0;
	if (!snapshot_rows && t->few) {
		*n = cut_candidates(t, q->sort, cur, snap, (size_t)limit, rows);
		return true;
	}
	if (!page_sql(&b, snapshot_rows, q, me, cur, snap, limit)) {
		free(b.pattern);
		return oom(err);
	}
	PGresult *r = run(conn, &b, snapshot_rows ? "list changed chats" : "list chats", err);
	free(b.pattern);
	if (!r)
		return false;
	for (int i = 0; i < PQntuples(r) && *n < (size_t)limit; i++, (*n)++) {
		pg_col_uuid(r, i, 0, rows[*n].id);
		rows[*n].key = pg_col_int(r, i, 1);
	}
	PQclear(r);
	return true;
}

/* The rows of the page (as of S), whether more follow, and how many
 * matching chats the walk found (the page and the one past it). */
static bool page_keys(PGconn *conn, const struct chat_query *q, const struct agent *me,
		      const struct text_search *t, const struct cursor *cur, int64_t snap,
		      struct row_key *page, size_t *n, bool *more, size_t *found,
		      struct api_error *err)
{
	size_t cap = (size_t)q->limit + 1, na = 0, nb = 0;
	struct row_key *a = calloc(cap, sizeof *a), *b = calloc(cap, sizeof *b);
	bool ok = a && b;

	if (!ok)
		ok = oom(err);
	/* One row past the limit tells whether another page exists. The
	 * first page has nothing changed since S: query A alone. */
	ok = ok && page_rows(conn, false, q, me, t, cur, snap, (int)cap, a, &na, err);
	ok = ok && (!cur || page_rows(conn, true, q, me, t, cur, snap, (int)cap, b, &nb, err));
	if (ok) {
		*n = rows_merge(a, na, b, nb, q->sort, (size_t)q->limit, page);
		*more = na + nb > (size_t)q->limit;
		*found = na + nb;
	}
	free(a);
	free(b);
	return ok;
}

/* meta.total. A q counts on every page as db_list.c does: its few
 * candidates that match, or with many the `walked` matches the page's walk
 * found, a lower bound, exact when that walk was the whole list
 * (`walked_all`).
 * Anything else is one count(*) over the filter's index, made on the
 * walk's first page and carried by its cursor. */
static bool count_matching(PGconn *conn, const struct chat_query *q, const struct agent *me,
			   const struct text_search *t, const struct cursor *cur, int64_t walked,
			   bool walked_all, struct chat_page *p, struct api_error *err)
{
	struct sqlbuf b = {.len = 0};

	if (q->q) {
		p->total = t->few ? t->matched : walked;
		p->total_capped = !t->few && !walked_all;
		return true;
	}
	if (cur) {
		p->total = cur->total;
		return true;
	}
	sb_printf(&b, "SELECT count(*) FROM chats WHERE true");
	add_filters(&b, q, me);
	PGresult *r = run(conn, &b, "count chats", err);
	if (!r)
		return false;
	p->total = pg_col_int(r, 0, 0);
	PQclear(r);
	return true;
}

/* The head seq and the events floor, in the page's snapshot. */
static bool head_and_floor(PGconn *conn, int64_t *head, int64_t *floor, struct api_error *err)
{
	struct errbuf why;
	PGresult *r = pg_query(conn,
			       "SELECT (SELECT seq FROM event_seq WHERE id = 1),"
			       " (SELECT value FROM meta WHERE key = 'events_floor')",
			       0, NULL, "read the event head", &why);

	if (!r)
		return pg_api_fail(err, &why);
	*head = pg_col_int(r, 0, 0);
	*floor = pg_col_int(r, 0, 1);
	PQclear(r);
	return true;
}

static bool list_page(PGconn *conn, const struct chat_query *q, const struct agent *me,
		      const struct cursor *cur, uint64_t hash, struct chat_page *p,
		      struct api_error *err)
{
	struct row_key *rows = calloc((size_t)q->limit, sizeof *rows);
	struct text_search t = {0};
	int64_t head = 0, floor = 0;
	size_t n = 0, found = 0;
	bool more = false;

	if (!rows)
		return oom(err);
	bool ok = head_and_floor(conn, &head, &floor, err);
	int64_t snap = cur ? cur->snap : head;
	if (ok && snap > head)
		ok = api_error_set(err, API_INVALID_QUERY, "cursor: not a cursor of this list");
	else if (ok && snap < floor - 1)
		ok = api_error_set(err, API_INVALID_QUERY, "cursor expired; start the list again");
	ok = ok && text_search_init(conn, q, me, &t, err) &&
	     page_keys(conn, q, me, &t, cur, snap, rows, &n, &more, &found, err);
	/* A first page with no more after it walked every matching chat. */
	ok = ok && count_matching(conn, q, me, &t, cur, (int64_t)found, !cur && !more, p, err);
	free(t.rows);
	uuid_str *ids = ok ? calloc(n ? n : 1, sizeof *ids) : NULL;
	if (ok && (!ids || !(p->chats = calloc(n ? n : 1, sizeof *p->chats))))
		ok = oom(err);
	for (size_t i = 0; ok && i < n; i++)
		memcpy(ids[i], rows[i].id, sizeof ids[i]);
	/* The page lists the chats as they are now (in this snapshot), read
	 * in two statements, not two a chat: PostgreSQL is a round trip
	 * away, not a library call. */
	ok = ok && pg_chats_load(conn, ids, n, p->chats, err);
	if (ok)
		p->count = n;
	ok = ok && pg_chats_unread(conn, me, ids, n, p->chats, err);
	free(ids);
	if (ok && more && n) {
		struct cursor next = {.snap = snap, .key = rows[n - 1].key, .sort = q->sort,
				      .total = p->total, .hash = hash};
		memcpy(next.id, rows[n - 1].id, sizeof next.id);
		if (!(p->next_cursor = cursor_encode(&next)))
			ok = oom(err);
	}
	free(rows);
	return ok;
}

bool pg_chats_list(PGconn *conn, const struct agent *me, const struct chat_query *q,
		   struct chat_page *out, struct api_error *err)
{
	struct chat_page p = {0};
	struct cursor cur;
	struct errbuf why;
	uint64_t hash;

	if (q->limit < 1 || q->limit > 200)
		return api_error_set(err, API_INVALID_QUERY, "limit: must be 1..200");
	if (q->sort != SORT_RECENT && q->sort != SORT_WAITING)
		return api_error_set(err, API_INVALID_QUERY, "sort: must be recent or waiting");
	if (!filter_hash(q, me, &hash))
		return oom(err);
	if (q->cursor && !cursor_decode(q->cursor, &cur))
		return api_error_set(err, API_INVALID_QUERY, "cursor: malformed");
	if (q->cursor && (cur.sort != (int)q->sort || cur.hash != hash))
		return api_error_set(err, API_INVALID_QUERY,
				     "cursor: belongs to a list with other filters");
	/* One snapshot for the head, the queries and the chats shown. */
	if (!pg_exec(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", "begin a list",
		     &why))
		return pg_api_fail(err, &why);
	bool ok = list_page(conn, q, me, q->cursor ? &cur : NULL, hash, &p, err);
	if (!pg_finish(conn, ok, "end a list", &why) && ok)
		ok = pg_api_fail(err, &why);
	if (!ok) {
		chat_page_free(&p);
		return false;
	}
	*out = p;
	return true;
}

/* ---- query plans ---------------------------------------------------------- */

/* Append "label: line" for each line of `b`'s plan (EXPLAIN, costs off). */
static bool explain_into(PGconn *conn, const char *label, const struct sqlbuf *b, char *out,
			 size_t cap, size_t *len, struct api_error *err)
{
	char sql[SQL_MAX + 32];
	struct errbuf why;

	snprintf(sql, sizeof sql, "EXPLAIN (COSTS OFF) %s", b->sql);
	PGresult *r = pg_query(conn, sql, b->nargs, b->args, "explain a list", &why);
	if (!r)
		return pg_api_fail(err, &why);
	for (int i = 0; i < PQntuples(r); i++) {
		int n = snprintf(out + *len, cap - *len, "%s: %s\n", label, PQgetvalue(r, i, 0));
		if (n > 0 && *len + (size_t)n < cap)
			*len += (size_t)n;
	}
	PQclear(r);
	return true;
}

bool pg_chat_list_plans(PGconn *conn, const struct agent *me, const struct chat_query *q,
			char *out, size_t len, struct api_error *err)
{
	struct cursor cur = {.sort = q->sort};
	struct sqlbuf look = {.len = 0}, a = {.len = 0}, a2 = {.len = 0}, b = {.len = 0},
		      c = {.len = 0};
	struct text_search t = {0};
	int64_t head = 0, floor = 0;
	size_t used = 0;

	out[0] = '\0';
	memcpy(cur.id, "00000000-0000-4000-8000-000000000000", sizeof cur.id);
	bool ok = head_and_floor(conn, &head, &floor, err) &&
		  text_search_init(conn, q, me, &t, err);
	cur.snap = head;
	/* A q looked up has its lookup; with few candidates that one pass is
	 * the page, with many the page walks as any filter's does. */
	bool built = !t.active || candidates_sql(&look, q, me);
	if (!t.few)
		built = built && page_sql(&a, false, q, me, NULL, head, q->limit + 1) &&
			page_sql(&a2, false, q, me, &cur, head, q->limit + 1);
	built = built && page_sql(&b, true, q, me, &cur, head, q->limit + 1);
	if (!q->q) {
		sb_printf(&c, "SELECT count(*) FROM chats WHERE true");
		add_filters(&c, q, me);
	}
	ok = ok && (built || oom(err));
	ok = ok && (!t.active || explain_into(conn, "lookup", &look, out, len, &used, err)) &&
	     (t.few || (explain_into(conn, "first", &a, out, len, &used, err) &&
			explain_into(conn, "next", &a2, out, len, &used, err))) &&
	     explain_into(conn, "changed", &b, out, len, &used, err) &&
	     (q->q || explain_into(conn, "count", &c, out, len, &used, err));
	free(t.rows);
	free(look.pattern);
	free(a.pattern);
	free(a2.pattern);
	free(b.pattern);
	return ok;
}
