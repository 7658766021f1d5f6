/*
 * pg_search.c — db_search's meaning on PostgreSQL (see pg.h): the messages
 * that contain every word of a text, newest first, each with a snippet and
 * where the words matched in it.
 *
 * The index and the rules it reads words by (handoff_search_doc: separators,
 * unaccent, Snowball stems; how they compare with SQLite's FTS5 porter
 * stemmer) are schema step 2's (pg_schema.c). The query's words are split
 * as SQLite splits them (search_text.c), so both back ends refuse the same
 * texts, and handoff_search_query turns them into one tsquery, every
 * word's stems required.
 *
 * Where the words matched: ts_headline with HighlightAll marks, in the
 * message as the index read it (handoff_search_text, one character for
 * one), each word whose stem the query holds, between two control
 * characters that text cannot hold (the separators made them spaces). Its
 * marks in characters are the matches' offsets in the message: the same
 * words the index matched, however the message spells them. Only the
 * page's hits are marked: the LIMIT is applied in the inner query first.
 *
 * FTS5 reads its lists newest first and stops at the page's end; a GIN
 * index gives its rows in no order. So there are two ways: few matches,
 * the index then a sort of those; many, the newest messages first
 * (messages_newest), each tested, until the page is full. For one word
 * the planner picks well by the index's statistics. For several it takes
 * them for independent, so two common words that never meet (a search
 * that finds nothing) looked common together, and the walk tested every
 * message: 0.6 s at 60,000 messages, past a minute at 100,000 chats. So a
 * search of several words first counts its matches in the index alone, up
 * to FEW_MAX, and then takes the index and a sort when they are few, the
 * walk when they are many (and so dense enough to fill a page soon).
 */
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"
#include "search_text.h"
#include "utf8.h"

/* The marks ts_headline puts around a match, and its options. */
#define MARK_START "\x01"
#define MARK_END   "\x02"
#define MARKS      "HighlightAll=true, StartSel=" MARK_START ", StopSel=" MARK_END

/* $1 the words, $2 notes too, $3 the note role, $4 the limit, $5 the
 * marks. Messages of one millisecond go by seq within a chat, then id. */
#define SEARCH_SQL                                                                           \
	"SELECT h.chat_id, h.id, h.seq, h.created_at, h.role, h.text,"                       \
	" ts_headline('handoff_search', handoff_search_text(h.text),"                        \
	" handoff_search_query($1), $5)"                                                     \
	" FROM (SELECT m.chat_id, m.id, m.seq, m.created_at, m.role, m.text FROM messages m" \
	" WHERE handoff_search_doc(m.text) @@ handoff_search_query($1)"                      \
	" AND ($2::boolean OR m.role <> $3::integer)"                                        \
	" ORDER BY m.created_at DESC, m.seq DESC, m.id DESC LIMIT $4) h"                     \
	" ORDER BY h.created_at DESC, h.seq DESC, h.id DESC"

/* Matches up to which the index and a sort answer a search of several
 * words: a sort of 10,000 rows costs about what the walk's tests cost to
 * fill a page when 10,000 messages match. */
#define FEW_MAX "10000"

/* $1 the words, $2 notes too, $3 the note role: how many messages match,
 * up to FEW_MAX + 1, read from the index (the transaction allows no other
 * way, search_planned). */
#define COUNT_SQL                                                                     \
	"SELECT count(*) > " FEW_MAX " FROM (SELECT 1 FROM messages m"                \
	" WHERE handoff_search_doc(m.text) @@ handoff_search_query($1)"               \
	" AND ($2::boolean OR m.role <> $3::integer) LIMIT " FEW_MAX " + 1) s"

/* The words, separated by single spaces, for handoff_search_query. */
static char *query_words(const char *text, struct api_error *err)
{
	struct search_span w[SEARCH_WORDS_MAX];
	size_t n = 0, len = 0;

	if (!search_words(text, w, &n, err))
		return NULL;
	char *q = malloc(strlen(text) + 1);
	if (!q) {
		api_error_set(err, API_INTERNAL, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (i)
			q[len++] = ' ';
		memcpy(q + len, text + w[i].start, w[i].end - w[i].start);
		len += w[i].end - w[i].start;
	}
	q[len] = '\0';
	return q;
}

/* The marked words of `marked` (text as ts_headline gave it back) as byte
 * ranges of `text`: marks are counted in characters, which the index's
 * text shares with the message. *n is 0 when the two disagree in length,
 * which they never should: then the snippet is the text's start. */
static void marked_spans(const char *text, const char *marked, struct search_span *spans,
			 size_t max, size_t *n)
{
	size_t chars = 0, at = 0, start = 0, len = strlen(text), count = 0;
	bool open = false;

	/* Walk both at once: every character of marked but a mark is the
	 * next one of text. */
	for (const char *p = marked; *p; p++) {
		if (*p == MARK_START[0]) {
			open = true;
			start = at;
		} else if (*p == MARK_END[0]) {
			if (open && count < max)
				spans[count++] = (struct search_span){start, at};
			open = false;
		} else if (((unsigned char)*p & 0xC0) != 0x80) {
			/* a character's first byte; the rest count with it */
			chars++;
			if (at < len)
				at += utf8_prefix_bytes(text + at, 1);
		}
	}
	*n = chars == utf8_count(text, len) ? count : 0;
}

static bool hit_from_row(const PGresult *r, int row, struct search_hit *h)
{
	struct search_span spans[SEARCH_MATCHES_MAX];
	size_t n = 0;
	const char *text = PQgetvalue(r, row, 5);

	memset(h, 0, sizeof *h);
	pg_col_uuid(r, row, 0, h->chat_id);
	pg_col_uuid(r, row, 1, h->message_id);
	h->seq = pg_col_int(r, row, 2);
	h->created_at = pg_col_int(r, row, 3);
	h->role = (enum msg_role)pg_col_int(r, row, 4);
	marked_spans(text, PQgetvalue(r, row, 6), spans, SEARCH_MATCHES_MAX, &n);
	return search_snippet(text, spans, n, h);
}

/* A search of several words, its way chosen by its count (see the top):
 * the count may read the index only, and the search then the index and a
 * sort, or the newest messages and no bitmap. */
static PGresult *search_planned(PGconn *conn, const char *const *params, struct errbuf *why)
{
	PGresult *many = NULL, *r = NULL;

	if (pg_exec(conn, "BEGIN; SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off",
		    "plan a search", why) &&
	    (many = pg_query(conn, COUNT_SQL, 3, params, "count a search's matches", why)) &&
	    (strcmp(PQgetvalue(many, 0, 0), "f") == 0 ||
	     pg_exec(conn, "SET LOCAL enable_indexscan = on; SET LOCAL enable_bitmapscan = off",
		     "plan a search", why)))
		r = pg_query(conn, SEARCH_SQL, 5, params, "search messages", why);
	PQclear(many);
	if (!pg_finish(conn, r != NULL, "search messages", why)) {
		PQclear(r);
		return NULL;
	}
	return r;
}

bool pg_search(PGconn *conn, const char *text, bool with_notes, int limit,
	       struct search_page *out, struct api_error *err)
{
	char limit_text[PG_INT_LEN], note[PG_INT_LEN];
	struct search_page p = {0};
	struct errbuf why;

	if (limit < 1 || limit > 100)
		return api_error_set(err, API_INVALID_QUERY, "limit: must be 1..100");
	char *words = query_words(text, err);
	if (!words)
		return false;
	const char *params[] = {words, with_notes ? "true" : "false", pg_int(MSG_ROLE_NOTE, note),
				pg_int(limit, limit_text), MARKS};
	/* One word: one statement, so one snapshot, no transaction. */
	PGresult *r = strchr(words, ' ') ? search_planned(conn, params, &why)
					 : pg_query(conn, SEARCH_SQL, 5, params, "search messages",
						    &why);
	free(words);
	if (!r)
		return pg_api_fail(err, &why);
	int rows = PQntuples(r);
	bool ok = !rows || (p.hits = calloc((size_t)rows, sizeof *p.hits));
	for (int i = 0; ok && i < rows; i++) {
		ok = hit_from_row(r, i, &p.hits[i]);
		p.count += ok;
	}
	PQclear(r);
	if (!ok) {
		search_page_free(&p);
		return api_error_set(err, API_INTERNAL, "out of memory");
	}
	*out = p;
	return true;
}
