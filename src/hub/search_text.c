/*
 * search_text.c — a query's words and a hit's snippet, for both back ends'
 * search (see search_text.h).
 */
#include <stdlib.h>
#include <string.h>

#include "search_text.h"
#include "utf8.h"

bool search_words(const char *text, struct search_span words[SEARCH_WORDS_MAX], size_t *n,
		  struct api_error *err)
{
	size_t len = strlen(text), count = 0;
	bool in_word = false;

	for (size_t at = 0; at < len;) {
		unsigned cp;
		size_t clen = utf8_decode(text + at, len - at, &cp);
		/* Letters and digits of ASCII, and every non-ASCII character:
		 * the index's tokenizer decides on those (it keeps letters). An
		 * invalid byte separates. */
		bool word = clen && (cp >= 0x80 || (cp >= '0' && cp <= '9') ||
				     ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z'));
		if (word && !in_word) {
			if (count == SEARCH_WORDS_MAX)
				return api_error_set(err, API_INVALID_QUERY, "q: at most %d words",
						     SEARCH_WORDS_MAX);
			words[count++].start = at;
		}
		at += clen ? clen : 1;
		if (word)
			words[count - 1].end = at;
		in_word = word;
	}
	if (!count)
		return api_error_set(err, API_INVALID_QUERY, "q: give at least one word");
	*n = count;
	return true;
}

/* The byte where the character `chars` characters before `at` starts. */
static size_t back_chars(const char *s, size_t at, size_t chars)
{
	while (at > 0 && chars > 0) {
		at--;
		if (((unsigned char)s[at] & 0xC0) != 0x80)
			chars--;
	}
	return at;
}

bool search_snippet(const char *text, const struct search_span *matches, size_t n,
		    struct search_hit *h)
{
	size_t len = strlen(text), first = 0;

	if (n && matches[0].start <= len)
		first = matches[0].start;
	/* A quarter of the snippet before the first match: the words that
	 * lead to it, then as much as fits of what follows. */
	size_t from = back_chars(text, first, SEARCH_SNIPPET_CHARS / 4);
	size_t bytes = utf8_prefix_bytes(text + from, SEARCH_SNIPPET_CHARS);
	if (!(h->snippet = strndup(text + from, bytes)))
		return false;
	h->snippet_start = (int64_t)utf8_count(text, from);
	h->nmatches = 0;
	for (size_t i = 0; i < n && h->nmatches < SEARCH_MATCHES_MAX; i++) {
		const struct search_span *m = &matches[i];
		if (m->end < m->start || m->start < from || m->end > from + bytes)
			continue;
		h->matches[h->nmatches].start = (int)utf8_count(text + from, m->start - from);
		h->matches[h->nmatches].len = (int)utf8_count(text + m->start, m->end - m->start);
		h->nmatches++;
	}
	return true;
}
