/*
 * store_thread.c — one chat's messages in seq order, and what is missing
 * (see store.h).
 *
 * A thread is a sorted array of message pointers with free room at both
 * ends (a deque), so the two common cases — a live message at the end, a
 * scrollback page at the front — are amortised O(1) per message, and
 * thread_at(i) is O(1). Filling a gap in the middle moves pointers, which
 * is cheap for any real conversation.
 *
 * Which seqs are loaded needs no bookkeeping of its own: seq is per chat,
 * from 1, gap-free (protocol), so the held seqs themselves show every gap.
 * The only fact they cannot show is "this chat has no messages at all",
 * which a page with has_more_before false and nothing in it tells.
 */
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

struct thread {
	struct message **buf;
	size_t cap, head, count;     /* messages are buf[head .. head + count) */
	bool known_empty;            /* an empty page said nothing precedes it */
};

struct thread *thread_new(void)
{
	return calloc(1, sizeof(struct thread));
}

void thread_free(struct thread *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->count; i++) {
		message_free(t->buf[t->head + i]);
		free(t->buf[t->head + i]);
	}
	free(t->buf);
	free(t);
}

static int64_t seq_at(const struct thread *t, size_t i)
{
	return t->buf[t->head + i]->seq;
}

/* The number of held messages with a seq below `seq`. */
static size_t lower_bound(const struct thread *t, int64_t seq)
{
	size_t lo = 0, hi = t->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (seq_at(t, mid) < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool held(const struct thread *t, int64_t seq)
{
	size_t p = lower_bound(t, seq);

	return p < t->count && seq_at(t, p) == seq;
}

/* Make room for `front` more at the front and `back` more at the back,
 * doubling (amortised O(1) per message at either end). */
static bool reserve(struct thread *t, size_t front, size_t back)
{
	if (t->head >= front && t->cap - t->head - t->count >= back)
		return true;
	size_t need = t->count + front + back, cap = need < 8 ? 16 : 2 * need;
	struct message **buf = malloc(cap * sizeof *buf);

	if (!buf)
		return false;
	size_t head = front + (cap - need) / 2;
	if (t->count)
		memcpy(&buf[head], &t->buf[t->head], t->count * sizeof *buf);
	free(t->buf);
	t->buf = buf;
	t->cap = cap;
	t->head = head;
	return true;
}

/* Put m at index p; there is room on a side that allows it (reserve). */
static void place(struct thread *t, size_t p, struct message *m)
{
	bool room_front = t->head > 0, room_back = t->head + t->count < t->cap;

	if (room_front && (!room_back || p < t->count - p)) {
		memmove(&t->buf[t->head - 1], &t->buf[t->head], p * sizeof *t->buf);
		t->head--;
	} else {
		memmove(&t->buf[t->head + p + 1], &t->buf[t->head + p],
			(t->count - p) * sizeof *t->buf);
	}
	t->buf[t->head + p] = m;
	t->count++;
}

int thread_insert_one(struct thread *t, struct message *m)
{
	size_t p = lower_bound(t, m->seq);

	if (p < t->count && seq_at(t, p) == m->seq)
		return 0;
	if (!reserve(t, p == 0 && t->count ? 1 : 0, p == 0 && t->count ? 0 : 1))
		return -1;
	place(t, p, m);
	return 1;
}

void thread_remove_seq(struct thread *t, int64_t seq)
{
	size_t p = lower_bound(t, seq);

	if (p == t->count || seq_at(t, p) != seq)
		return;
	message_free(t->buf[t->head + p]);
	free(t->buf[t->head + p]);
	memmove(&t->buf[t->head + p], &t->buf[t->head + p + 1],
		(t->count - p - 1) * sizeof *t->buf);
	t->count--;
}

static int by_seq(const void *a, const void *b)
{
	const struct message *x = *(const struct message *const *)a;
	const struct message *y = *(const struct message *const *)b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void free_copies(struct message **copies, size_t k)
{
	for (size_t i = 0; i < k; i++) {
		message_free(copies[i]);
		free(copies[i]);
	}
	free(copies);
}

/* Merge the sorted new messages into a fresh buffer (a page that lands in
 * the middle). O(count + k). */
static bool merge_into(struct thread *t, struct message **add, size_t k)
{
	size_t cap = 2 * (t->count + k), i = 0, j = 0, n = 0, head = (cap - t->count - k) / 2;
	struct message **buf = malloc(cap * sizeof *buf);

	if (!buf)
		return false;
	while (i < t->count || j < k) {
		if (j == k || (i < t->count && seq_at(t, i) < add[j]->seq))
			buf[head + n++] = t->buf[t->head + i++];
		else
			buf[head + n++] = add[j++];
	}
	free(t->buf);
	t->buf = buf;
	t->cap = cap;
	t->head = head;
	t->count = n;
	return true;
}

int thread_put(struct thread *t, const struct message *msgs, size_t n, bool has_more_before,
	       int64_t *from, int64_t *to, bool *marked_empty)
{
	const struct message **fresh = malloc((n ? n : 1) * sizeof *fresh);
	struct message **add = malloc((n ? n : 1) * sizeof *add);
	size_t k = 0, m = 0;
	bool ok = fresh && add;

	for (size_t i = 0; ok && i < n; i++)
		if (!held(t, msgs[i].seq))
			fresh[k++] = &msgs[i];
	if (ok)
		qsort(fresh, k, sizeof *fresh, by_seq);
	/* Copy, dropping repeats within the page itself. */
	for (size_t i = 0; ok && i < k; i++) {
		if (m && add[m - 1]->seq == fresh[i]->seq)
			continue;
		struct message *c = malloc(sizeof *c);
		if (!c || !message_copy(c, fresh[i])) {
			free(c);
			ok = false;
			break;
		}
		add[m++] = c;
	}
	free(fresh);
	if (ok && m) {
		if (!t->count || add[0]->seq > seq_at(t, t->count - 1)) {
			ok = reserve(t, 0, m);
			for (size_t i = 0; ok && i < m; i++)
				place(t, t->count, add[i]);
		} else if (add[m - 1]->seq < seq_at(t, 0)) {
			ok = reserve(t, m, 0);
			for (size_t i = m; ok && i > 0; i--)
				place(t, 0, add[i - 1]);
		} else {
			ok = merge_into(t, add, m);
		}
	}
	if (!ok) {
		if (add)
			free_copies(add, m);
		return -1;
	}
	*marked_empty = !has_more_before && !t->known_empty && t->count == 0;
	if (!has_more_before)
		t->known_empty = true;
	*from = m ? add[0]->seq : 0;
	*to = m ? add[m - 1]->seq : 0;
	free(add);
	return (int)m;
}

size_t thread_count(const struct thread *t)
{
	return t ? t->count : 0;
}

const struct message *thread_at(const struct thread *t, size_t i)
{
	return t && i < t->count ? t->buf[t->head + i] : NULL;
}

size_t thread_index_of(const struct thread *t, int64_t seq)
{
	if (!t)
		return VIEW_NONE;
	size_t p = lower_bound(t, seq);
	return p < t->count && seq_at(t, p) == seq ? p : VIEW_NONE;
}

int64_t thread_oldest_loaded(const struct thread *t)
{
	return t && t->count ? seq_at(t, 0) : 0;
}

int64_t thread_newest_loaded(const struct thread *t)
{
	return t && t->count ? seq_at(t, t->count - 1) : 0;
}

bool thread_has_beginning(const struct thread *t)
{
	if (!t)
		return false;
	return t->count ? seq_at(t, 0) == 1 : t->known_empty;
}

int64_t thread_gap_below(const struct thread *t, int64_t seq)
{
	if (seq <= 1)
		return 0;
	size_t p = t ? lower_bound(t, seq) : 0;
	if (p == 0 || seq_at(t, p - 1) < seq - 1)
		return seq - 1;
	/* held[p-1] == seq-1: walk back over the run that ends there. Within a
	 * run seq - index is constant; find where it starts by bisection. */
	size_t lo = 0, hi = p - 1;
	int64_t top = seq_at(t, p - 1);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (top - seq_at(t, mid) == (int64_t)(p - 1 - mid))
			hi = mid;
		else
			lo = mid + 1;
	}
	return seq_at(t, lo) - 1;
}
