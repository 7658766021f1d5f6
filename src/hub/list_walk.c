/*
 * list_walk.c — a walk's rows and a cursor's armour, for both back ends'
 * chat lists (see list_walk.h).
 */
#include <stdlib.h>
#include <string.h>

#include "list_walk.h"

bool row_before(const struct row_key *a, const struct row_key *b, enum chat_sort sort)
{
	int c = a->key < b->key ? -1 : a->key > b->key ? 1 : strcmp(a->id, b->id);

	return sort == SORT_RECENT ? c > 0 : c < 0;
}

int rows_newest_first(const void *a, const void *b)
{
	return row_before(a, b, SORT_RECENT) ? -1 : row_before(b, a, SORT_RECENT);
}

int rows_oldest_first(const void *a, const void *b)
{
	return row_before(a, b, SORT_WAITING) ? -1 : row_before(b, a, SORT_WAITING);
}

size_t rows_merge(const struct row_key *a, size_t na, const struct row_key *b, size_t nb,
		  enum chat_sort sort, size_t limit, struct row_key *out)
{
	size_t i = 0, j = 0, n = 0;

	while (n < limit && (i < na || j < nb)) {
		if (j == nb || (i < na && row_before(&a[i], &b[j], sort)))
			out[n++] = a[i++];
		else
			out[n++] = b[j++];
	}
	return n;
}

uint64_t list_fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ULL;
	return h;
}

char *cursor_armour(const char *text, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char *out = malloc(2 * len + 1);

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hex[(unsigned char)text[i] >> 4];
		out[2 * i + 1] = hex[(unsigned char)text[i] & 0x0F];
	}
	out[2 * len] = '\0';
	return out;
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

bool cursor_unarmour(const char *s, char *text, size_t cap)
{
	size_t n = strlen(s);

	if (n == 0 || n % 2 || n / 2 >= cap)
		return false;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
			return false;
		text[i] = (char)(hi << 4 | lo);
	}
	text[n / 2] = '\0';
	return true;
}
