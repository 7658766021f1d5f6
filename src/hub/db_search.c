/*
 * db_search.c — the messages that match a text, newest first, each with a
 * snippet and where the words matched in it (see db.h).
 *
 * messages_fts (db.c, migration step 6) indexes every message's text by
 * word stems (unicode61: letters and digits, case and diacritics folded;
 * then porter: "refunded" and "refunds" are "refund"). A search matches the
 * messages that contain every word of the text, by stem. Not by prefix: an
 * FTS5 prefix query merges the whole doclist of every matching term before
 * it yields one row, while a word's doclist is read newest first and stops
 * at the page's end. The match offsets come
 * from FTS5 itself, through the auxiliary function match_offsets below, so
 * they are the tokens the index matched, however the text spells them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"
#include "search_text.h"

/* ---- match_offsets(messages_fts): "start end start end …" in bytes ------ */

struct token_walk {
	const int *want; /* token indexes, ascending */
	int nwant, next, index;
	char *out;
	size_t len, cap;
};

static int on_token(void *ctx, int flags, const char *token, int ntoken, int start, int end)
{
	struct token_walk *w = ctx;

	(void)token, (void)ntoken;
	if (flags & FTS5_TOKEN_COLOCATED)
		return SQLITE_OK;
	while (w->next < w->nwant && w->want[w->next] == w->index) {
		int n = snprintf(w->out + w->len, w->cap - w->len, "%s%d %d", w->len ? " " : "",
				 start, end);
		if (n < 0 || (size_t)n >= w->cap - w->len)
			return SQLITE_NOMEM;
		w->len += (size_t)n;
		w->next++;
	}
	w->index++;
	return SQLITE_OK;
}

static int by_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* The byte ranges of the matched tokens of the current row: xInst gives
 * token indexes, and tokenizing the text again maps them to bytes (what
 * FTS5's own highlight() does). */
static void match_offsets(const Fts5ExtensionApi *x, Fts5Context *fc, sqlite3_context *ctx,
			  int nval, sqlite3_value **vals)
{
	struct token_walk w = {0};
	const char *text;
	int ninst, len, rc;

	(void)nval, (void)vals;
	if ((rc = x->xInstCount(fc, &ninst)) != SQLITE_OK ||
	    (rc = x->xColumnText(fc, 0, &text, &len)) != SQLITE_OK) {
		sqlite3_result_error_code(ctx, rc);
		return;
	}
	int *want = malloc(((size_t)ninst + 1) * sizeof *want);
	w.cap = (size_t)ninst * 24 + 1;
	w.out = malloc(w.cap);
	if (!want || !w.out) {
		free(want);
		free(w.out);
		sqlite3_result_error_nomem(ctx);
		return;
	}
	w.out[0] = '\0';
	for (int i = 0; i < ninst; i++) {
		int phrase, col;
		if ((rc = x->xInst(fc, i, &phrase, &col, &want[i])) != SQLITE_OK)
			break;
	}
	if (rc == SQLITE_OK) {
		qsort(want, (size_t)ninst, sizeof *want, by_int);
		w.want = want;
		w.nwant = ninst;
		rc = x->xTokenize(fc, text, len, &w, on_token);
	}
	free(want);
	if (rc == SQLITE_OK)
		sqlite3_result_text(ctx, w.out, (int)w.len, free);
	else {
		free(w.out);
		sqlite3_result_error_code(ctx, rc);
	}
}

bool db_search_register(sqlite3 *conn)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(conn, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	return api && api->iVersion >= 2 &&
	       api->xCreateFunction(api, "match_offsets", NULL, match_offsets, NULL) == SQLITE_OK &&
	       db_grams_register(api);
}

/* ---- the query ------------------------------------------------------------ */

/* The text as an FTS5 query: each word (search_text.c) a term in double
 * quotes, so nothing the customer typed is FTS5 syntax. A word holds no
 * quote: quotes separate words. */
static char *fts_query(const char *text, struct api_error *err)
{
	struct search_span words[SEARCH_WORDS_MAX];
	size_t n;

	if (!search_words(text, words, &n, err))
		return NULL;
	char *q = malloc(strlen(text) + 3 * n + 1), *o = q;
	if (!q) {
		db_oom(err);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		o += sprintf(o, "%s\"%.*s\"", i ? " " : "", (int)(words[i].end - words[i].start),
			     text + words[i].start);
	*o = '\0';
	return q;
}

/* ---- hits ----------------------------------------------------------------- */

/* The snippet around the matches match_offsets gave ("start end …", bytes). */
static bool make_snippet(const char *text, const char *offsets, struct search_hit *h)
{
	struct search_span spans[SEARCH_MATCHES_MAX];
	size_t n = 0, len = strlen(text);
	int s, e, used;

	for (const char *p = offsets;
	     n < SEARCH_MATCHES_MAX && sscanf(p, "%d %d%n", &s, &e, &used) == 2; p += used)
		if (s >= 0 && e >= s && (size_t)e <= len)
			spans[n++] = (struct search_span){(size_t)s, (size_t)e};
	return search_snippet(text, spans, n, h);
}

static bool run_search(struct db *db, const char *query, bool with_notes, int limit,
		       struct search_page *p, struct api_error *err)
{
	int rc;
	sqlite3_stmt *st = db_query(
		db,
		"SELECT m.chat_id, m.id, m.seq, m.created_at, m.role, m.text,"
		" match_offsets(messages_fts) FROM messages_fts JOIN messages m"
		" ON m.rowid = messages_fts.rowid WHERE messages_fts MATCH ?"
		" AND (? OR m.role <> ?) ORDER BY messages_fts.rowid DESC LIMIT ?",
		ARGS(ARG_T(query), ARG_I(with_notes), ARG_I(MSG_ROLE_NOTE), ARG_I(limit)), err);

	if (!st)
		return false;
	if (!(p->hits = calloc((size_t)limit, sizeof *p->hits))) {
		db_release(db, st);
		return db_oom(err);
	}
	while ((rc = db_step(db, st, err)) == SQLITE_ROW && p->count < (size_t)limit) {
		struct search_hit *h = &p->hits[p->count];
		const char *text = (const char *)sqlite3_column_text(st, 5);
		const char *offsets = (const char *)sqlite3_column_text(st, 6);
		col_uuid(st, 0, h->chat_id);
		col_uuid(st, 1, h->message_id);
		h->seq = sqlite3_column_int64(st, 2);
		h->created_at = sqlite3_column_int64(st, 3);
		h->role = sqlite3_column_int(st, 4);
		if (!make_snippet(text ? text : "", offsets ? offsets : "", h)) {
			db_release(db, st);
			return db_oom(err);
		}
		p->count++;
	}
	db_release(db, st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW;
}

bool db_search(struct db *db, const char *text, bool with_notes, int limit,
	       struct search_page *out, struct api_error *err)
{
	struct search_page p = {0};

	if (limit < 1 || limit > 100)
		return api_error_set(err, API_INVALID_QUERY, "limit: must be 1..100");
	char *query = fts_query(text, err);
	if (!query)
		return false;
	bool ok = db_text_catch_up(db, err) && db_begin_read(db, err) &&
		  run_search(db, query, with_notes, limit, &p, err);
	free(query);
	if (!db_finish(db, ok, err)) {
		search_page_free(&p);
		return false;
	}
	*out = p;
	return true;
}
