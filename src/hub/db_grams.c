/*
 * db_grams.c — the FTS5 tokenizer "handoff_grams", which indexes every
 * character and every pair of adjacent characters of a text (see
 * db_internal.h).
 *
 * A chat list's q of 1 or 2 characters has no trigram, so chats_fts cannot
 * find it, and checking LIKE on every chat reads all of them when nothing
 * matches (a 2-letter q with no hit took 200 ms at 100,000 chats).
 * chats_grams (db.c, migration step 13) indexes the chats' title, owner
 * name and preview with this tokenizer: a q of 1 or 2 characters is then
 * one token, and the chats that contain it are one lookup. ASCII letters
 * are folded to lower case, as LIKE folds them; every other character is
 * kept as it is, so the candidates are exactly the chats LIKE would match
 * (db_list.c checks LIKE on them all the same).
 *
 * Documents give every 1- and 2-character gram; a query gives the whole
 * text as one token (db_list.c only asks for 1 or 2 characters).
 */
#include <string.h>

#include "db_internal.h"

#define GRAM_MAX 8 /* two UTF-8 characters */

/* The length of the UTF-8 character at s (1 for a stray byte). */
static int char_len(const char *s, int n)
{
	unsigned char c = (unsigned char)s[0];
	int len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;

	return len <= n ? len : 1;
}

static void fold(char *out, const char *s, int n)
{
	for (int i = 0; i < n; i++)
		out[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] | 0x20) : s[i];
}

typedef int token_fn(void *ctx, int flags, const char *token, int ntoken, int start, int end);

static int grams_tokenize(Fts5Tokenizer *tok, void *ctx, int flags, const char *text, int n,
			  token_fn *emit)
{
	char gram[GRAM_MAX];

	(void)tok;
	if (flags & FTS5_TOKENIZE_QUERY) {
		if (n <= 0 || n > GRAM_MAX)
			return n <= 0 ? SQLITE_OK : emit(ctx, 0, text, n, 0, n);
		fold(gram, text, n);
		return emit(ctx, 0, gram, n, 0, n);
	}
	int rc = SQLITE_OK;
	for (int at = 0; rc == SQLITE_OK && at < n;) {
		int one = char_len(text + at, n - at);
		int two = at + one < n ? one + char_len(text + at + one, n - at - one) : one;
		fold(gram, text + at, two);
		rc = emit(ctx, 0, gram, one, at, at + one);
		if (rc == SQLITE_OK && two > one)
			rc = emit(ctx, 0, gram, two, at, at + two);
		at += one;
	}
	return rc;
}

/* The tokenizer keeps no state: any non-NULL handle will do. */
static int grams_create(void *ctx, const char **args, int nargs, Fts5Tokenizer **out)
{
	(void)args;
	*out = (Fts5Tokenizer *)ctx;
	return nargs ? SQLITE_ERROR : SQLITE_OK;
}

static void grams_delete(Fts5Tokenizer *tok)
{
	(void)tok;
}

bool db_grams_register(fts5_api *api)
{
	static fts5_tokenizer grams = {grams_create, grams_delete, grams_tokenize};
	static char handle;

	return api->xCreateTokenizer(api, "handoff_grams", &handle, &grams, NULL) == SQLITE_OK;
}
