/*
 * editbuf.c — the composer's text and cursor (see editbuf.h).
 */
#include <stdlib.h>
#include <string.h>

#include "editbuf.h"
#include "textwidth.h"
#include "utf8.h"

void editbuf_init(struct editbuf *e, size_t max_chars)
{
	memset(e, 0, sizeof *e);
	e->max_chars = max_chars;
}

void editbuf_free(struct editbuf *e)
{
	free(e->text);
	editbuf_init(e, e->max_chars);
}

void editbuf_clear(struct editbuf *e)
{
	e->len = e->cursor = 0;
	if (e->text)
		e->text[0] = '\0';
}

static bool reserve(struct editbuf *e, size_t more)
{
	if (e->len + more + 1 <= e->cap)
		return true;
	size_t cap = e->cap ? e->cap : 64;
	while (cap < e->len + more + 1)
		cap *= 2;
	char *t = realloc(e->text, cap);
	if (!t)
		return false;
	t[e->len] = '\0'; /* a first allocation has no terminator yet */
	e->text = t;
	e->cap = cap;
	return true;
}

bool editbuf_set(struct editbuf *e, const char *text)
{
	size_t n = strlen(text);

	if (!utf8_valid(text, n))
		return false;
	editbuf_clear(e);
	if (!reserve(e, n))
		return false;
	memcpy(e->text, text, n + 1);
	e->len = e->cursor = n;
	return true;
}

size_t editbuf_chars(const struct editbuf *e)
{
	return e->len ? utf8_count(e->text, e->len) : 0;
}

bool editbuf_has_text(const struct editbuf *e)
{
	for (size_t i = 0; i < e->len; i++)
		if (e->text[i] != ' ' && e->text[i] != '\n')
			return true;
	return false;
}

bool editbuf_insert(struct editbuf *e, unsigned cp)
{
	char enc[4];
	size_t n;

	if ((cp < 0x20 && cp != '\n') || (cp >= 0x7f && cp < 0xa0))
		return false;
	if (!(n = utf8_encode(cp, enc)))
		return false;
	if (e->max_chars && editbuf_chars(e) >= e->max_chars)
		return false;
	if (!reserve(e, n))
		return false;
	memmove(e->text + e->cursor + n, e->text + e->cursor, e->len - e->cursor + 1);
	memcpy(e->text + e->cursor, enc, n);
	e->len += n;
	e->cursor += n;
	return true;
}

/* The code point at byte `at` and its length. */
static size_t cp_at(const struct editbuf *e, size_t at, unsigned *cp)
{
	size_t n = utf8_decode(e->text + at, e->len - at, cp);

	return n ? n : 1; /* never happens on valid text; never loops either */
}

/* Start of the code point that ends at `at`. */
static size_t cp_before(const struct editbuf *e, size_t at)
{
	while (at > 0 && ((unsigned char)e->text[--at] & 0xc0) == 0x80)
		;
	return at;
}

/* One character (a code point and the zero-width marks after it) forward
 * or back from `at`. */
static size_t char_next(const struct editbuf *e, size_t at)
{
	unsigned cp;

	if (at >= e->len)
		return e->len;
	at += cp_at(e, at, &cp);
	while (at < e->len) {
		size_t n = cp_at(e, at, &cp);
		if (cp_width(cp) != 0 || cp == '\n')
			break;
		at += n;
	}
	return at;
}

static size_t char_prev(const struct editbuf *e, size_t at)
{
	unsigned cp;

	while (at > 0) {
		at = cp_before(e, at);
		cp_at(e, at, &cp);
		if (cp_width(cp) != 0 || cp == '\n')
			break;
	}
	return at;
}

static void cut(struct editbuf *e, size_t from, size_t to)
{
	memmove(e->text + from, e->text + to, e->len - to + 1);
	e->len -= to - from;
	e->cursor = from;
}

bool editbuf_backspace(struct editbuf *e)
{
	if (e->cursor == 0)
		return false;
	cut(e, char_prev(e, e->cursor), e->cursor);
	return true;
}

bool editbuf_delete(struct editbuf *e)
{
	if (e->cursor >= e->len)
		return false;
	size_t cur = e->cursor;
	cut(e, cur, char_next(e, cur));
	return true;
}

static size_t line_start(const struct editbuf *e, size_t at)
{
	while (at > 0 && e->text[at - 1] != '\n')
		at--;
	return at;
}

static size_t line_end(const struct editbuf *e, size_t at)
{
	while (at < e->len && e->text[at] != '\n')
		at++;
	return at;
}

bool editbuf_kill_to_end(struct editbuf *e)
{
	size_t cur = e->cursor, end = line_end(e, cur);

	if (end == cur)
		return editbuf_delete(e); /* at a line's end: join the next line */
	cut(e, cur, end);
	return true;
}

bool editbuf_kill_to_start(struct editbuf *e)
{
	size_t start = line_start(e, e->cursor);

	if (start == e->cursor)
		return false;
	cut(e, start, e->cursor);
	return true;
}

bool editbuf_kill_word(struct editbuf *e)
{
	size_t at = e->cursor;

	while (at > 0 && (e->text[at - 1] == ' ' || e->text[at - 1] == '\n'))
		at--;
	while (at > 0 && e->text[at - 1] != ' ' && e->text[at - 1] != '\n')
		at--;
	if (at == e->cursor)
		return false;
	cut(e, at, e->cursor);
	return true;
}

void editbuf_left(struct editbuf *e)
{
	e->cursor = char_prev(e, e->cursor);
}

void editbuf_right(struct editbuf *e)
{
	e->cursor = char_next(e, e->cursor);
}

void editbuf_home(struct editbuf *e)
{
	e->cursor = line_start(e, e->cursor);
}

void editbuf_end(struct editbuf *e)
{
	e->cursor = line_end(e, e->cursor);
}

/* The wrapped rows of the text (caller frees) and how many. */
static struct wrap_line *rows_of(const struct editbuf *e, int width, size_t *n)
{
	const char *s = e->text ? e->text : "";
	*n = text_wrap(s, e->len, width, NULL, 0);
	struct wrap_line *rows = malloc(*n * sizeof *rows);

	if (rows)
		text_wrap(s, e->len, width, rows, *n);
	return rows;
}

/* The row holding byte `at`: a cursor right at a soft break inside a word
 * shows at the start of the next row, as editors do. */
static size_t row_of(const struct wrap_line *rows, size_t n, size_t at)
{
	size_t r = 0;

	while (r + 1 < n && rows[r + 1].start <= at)
		r++;
	return r;
}

void editbuf_cursor_pos(const struct editbuf *e, int width, int *row, int *col)
{
	size_t n, r;
	struct wrap_line *rows = rows_of(e, width, &n);

	*row = *col = 0;
	if (!rows)
		return;
	r = row_of(rows, n, e->cursor);
	size_t into = e->cursor - rows[r].start;
	if (into > rows[r].len)
		into = rows[r].len; /* on a dropped space at the break */
	*row = (int)r;
	*col = text_width((e->text ? e->text : "") + rows[r].start, into);
	free(rows);
}

bool editbuf_vertical(struct editbuf *e, int dir, int width)
{
	size_t n, r;
	struct wrap_line *rows = rows_of(e, width, &n);
	int row, col;
	bool moved = false;

	if (!rows)
		return false;
	editbuf_cursor_pos(e, width, &row, &col);
	r = (size_t)row;
	if ((dir < 0 && r > 0) || (dir > 0 && r + 1 < n)) {
		const struct wrap_line *to = &rows[dir < 0 ? r - 1 : r + 1];
		e->cursor = to->start + text_fit(e->text + to->start, to->len, col, NULL);
		moved = true;
	}
	free(rows);
	return moved;
}
