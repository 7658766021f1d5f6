/*
 * search_text.h — what a message search does to text whichever back end
 * indexed it (db_search.c on SQLite, pg_search.c on PostgreSQL): split the
 * words of a query, and cut a hit's snippet around its matches. Both back
 * ends refuse the same queries and answer snippets of the same shape, so
 * a client cannot tell which one it asked.
 */
#ifndef HANDOFF_HUB_SEARCH_TEXT_H
#define HANDOFF_HUB_SEARCH_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "apierror.h"
#include "db.h" /* struct search_hit, struct search_page */

/* Words of the text searched, at most; more are refused rather than made
 * into a query that walks many index lists. */
#define SEARCH_WORDS_MAX 8

/* Bytes [start, end) of a text. */
struct search_span {
	size_t start, end;
};

/* The words of `text` into words[] (*n of them, 1..SEARCH_WORDS_MAX): runs
 * of ASCII letters and digits, and of any non-ASCII characters, which each
 * index's own rules then read (they keep letters). Everything else
 * separates words, so nothing typed is query syntax. No word, or more than
 * SEARCH_WORDS_MAX, is API_INVALID_QUERY. */
bool search_words(const char *text, struct search_span words[SEARCH_WORDS_MAX], size_t *n,
		  struct api_error *err);

/* h's snippet: SEARCH_SNIPPET_CHARS characters of `text` from a little
 * before the first match, with snippet_start, and the matches (byte ranges
 * of text, ascending) that lie inside it as characters of the snippet, up
 * to SEARCH_MATCHES_MAX. With no match the snippet is the text's start.
 * False when out of memory. */
bool search_snippet(const char *text, const struct search_span *matches, size_t n,
		    struct search_hit *h);

#endif
