/*
 * test_store_thread.c — threads in the store: pages and live messages, gaps
 * and what the scrollback must fetch, idempotence, notifications.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "store_fixture.h"

#define MAX_PAGE 100

struct fixture {
	struct store *s;
	struct fx_log log;
	struct chat chat;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	assert_non_null(f);
	assert_non_null(f->s = store_new());
	assert_true(store_subscribe(f->s, fx_record, &f->log));
	fx_chat(&f->chat, 1, FX_T0);
	assert_int_equal(store_put_chat(f->s, &f->chat, NULL), STORE_CHANGED);
	f->log.n = 0;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_free(f->s);
	free(f);
	return 0;
}

/* A page of messages from..to, as GET …/messages answers it. */
static enum store_result put_page(struct fixture *f, int64_t from, int64_t to, bool more_before)
{
	struct message page[MAX_PAGE];
	size_t n = 0;

	for (int64_t q = from; q <= to && n < MAX_PAGE; q++)
		fx_message(&page[n++], f->chat.id, q);
	return store_put_messages(f->s, f->chat.id, page, n, more_before, NULL);
}

/* A live message.created for seq q (the chat's version moves on). */
static enum store_result live(struct fixture *f, int64_t q)
{
	struct message m;

	fx_message(&m, f->chat.id, q);
	f->chat.version++;
	f->chat.message_count = q > f->chat.message_count ? q : f->chat.message_count;
	struct event e = {.type = EVENT_MESSAGE_CREATED, .chat = &f->chat, .message = &m};
	return store_apply_event(f->s, &e, NULL);
}

static void assert_seqs_ascending(const struct thread *t)
{
	for (size_t i = 1; i < thread_count(t); i++)
		assert_true(thread_at(t, i - 1)->seq < thread_at(t, i)->seq);
}

/* The scenario: newest page 1..40 (has_more_before false), a live
 * event for 57 leaves a gap 41..56, the filling page closes it. */
static void test_gap_from_live_event_then_filled(void **state)
{
	struct fixture *f = *state;
	const struct thread *t;

	assert_int_equal(put_page(f, 1, 40, false), STORE_CHANGED);
	assert_non_null(t = store_thread(f->s, f->chat.id));
	assert_int_equal(thread_count(t), 40);
	assert_true(thread_has_beginning(t));
	assert_int_equal(thread_oldest_loaded(t), 1);
	assert_int_equal(thread_newest_loaded(t), 40);
	assert_int_equal(thread_gap_below(t, 41), 0);

	assert_int_equal(live(f, 57), STORE_CHANGED);
	assert_int_equal(thread_count(t), 41);
	assert_int_equal(thread_newest_loaded(t), 57);
	assert_int_equal(thread_gap_below(t, 58), 56); /* fetch before_seq=57 */
	assert_int_equal(thread_gap_below(t, 57), 56);
	assert_int_equal(thread_gap_below(t, 41), 0);
	assert_int_equal(thread_index_of(t, 57), 40);
	assert_int_equal(thread_index_of(t, 50), VIEW_NONE);

	f->log.n = 0;
	assert_int_equal(put_page(f, 7, 56, true), STORE_CHANGED); /* overlaps 7..40 */
	assert_int_equal(thread_count(t), 57);
	assert_seqs_ascending(t);
	assert_int_equal(thread_gap_below(t, 58), 0);
	const struct store_change *ch = fx_find(&f->log, STORE_THREAD_CHANGED, 0);
	assert_non_null(ch);
	assert_string_equal(ch->chat_id, f->chat.id);
	assert_int_equal(ch->seq_from, 41);
	assert_int_equal(ch->seq_to, 56);
	assert_int_equal(f->log.n, 1);
}

/* Scrollback from the newest page down to seq 1, page by page. */
static void test_scrollback_to_the_beginning(void **state)
{
	struct fixture *f = *state;
	const struct thread *t;

	assert_int_equal(put_page(f, 151, 200, true), STORE_CHANGED);
	t = store_thread(f->s, f->chat.id);
	assert_false(thread_has_beginning(t));
	int64_t gap;
	int pages = 0;
	while ((gap = thread_gap_below(t, thread_newest_loaded(t) + 1)) > 0) {
		int64_t from = gap - 49 < 1 ? 1 : gap - 49;
		assert_int_equal(put_page(f, from, gap, from > 1), STORE_CHANGED);
		pages++;
	}
	assert_int_equal(pages, 3);
	assert_int_equal(thread_count(t), 200);
	assert_true(thread_has_beginning(t));
	assert_seqs_ascending(t);
	for (size_t i = 0; i < 200; i++)
		assert_int_equal(thread_at(t, i)->seq, (int64_t)i + 1);
	assert_null(thread_at(t, 200));
}

/* Repeats, within a page and across pages and events, change nothing. */
static void test_duplicates_are_ignored(void **state)
{
	struct fixture *f = *state;
	struct message page[4];

	fx_message(&page[0], f->chat.id, 3);
	fx_message(&page[1], f->chat.id, 1);
	fx_message(&page[2], f->chat.id, 3); /* again, and out of order */
	fx_message(&page[3], f->chat.id, 2);
	assert_int_equal(store_put_messages(f->s, f->chat.id, page, 4, false, NULL), STORE_CHANGED);
	const struct thread *t = store_thread(f->s, f->chat.id);
	assert_int_equal(thread_count(t), 3);
	assert_seqs_ascending(t);

	f->log.n = 0;
	assert_int_equal(store_put_messages(f->s, f->chat.id, page, 4, false, NULL),
			 STORE_UNCHANGED);
	assert_int_equal(f->log.n, 0);

	/* The same message.created twice: the second is a no-op entirely. */
	struct message m;
	fx_message(&m, f->chat.id, 4);
	f->chat.version++;
	struct event e = {.type = EVENT_MESSAGE_CREATED, .chat = &f->chat, .message = &m};
	assert_int_equal(store_apply_event(f->s, &e, NULL), STORE_CHANGED);
	size_t heard = f->log.n;
	assert_non_null(fx_find(&f->log, STORE_THREAD_CHANGED, 0));
	assert_int_equal(store_apply_event(f->s, &e, NULL), STORE_UNCHANGED);
	assert_int_equal(f->log.n, heard);
	assert_int_equal(thread_count(t), 4);
}

/* Messages are kept only for open threads; an empty first page still tells
 * that the thread starts there. */
static void test_threads_open_on_demand(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(live(f, 1), STORE_CHANGED); /* the chat changed */
	assert_null(store_thread(f->s, f->chat.id));
	assert_int_equal(store_thread_open(f->s, f->chat.id, NULL), STORE_CHANGED);
	assert_int_equal(store_thread_open(f->s, f->chat.id, NULL), STORE_UNCHANGED);
	const struct thread *t = store_thread(f->s, f->chat.id);
	assert_int_equal(thread_count(t), 0);
	assert_false(thread_has_beginning(t));
	assert_int_equal(thread_gap_below(t, 2), 1);
	assert_int_equal(live(f, 2), STORE_CHANGED);
	assert_int_equal(thread_count(t), 1);

	store_thread_drop(f->s, f->chat.id);
	assert_null(store_thread(f->s, f->chat.id));

	struct chat empty;
	fx_chat(&empty, 2, FX_T0);
	assert_int_equal(store_put_chat(f->s, &empty, NULL), STORE_CHANGED);
	f->log.n = 0;
	assert_int_equal(store_put_messages(f->s, empty.id, NULL, 0, false, NULL), STORE_CHANGED);
	t = store_thread(f->s, empty.id);
	assert_true(thread_has_beginning(t));
	assert_int_equal(thread_oldest_loaded(t), 0);
	assert_int_equal(f->log.n, 1);
	assert_int_equal(store_put_messages(f->s, empty.id, NULL, 0, false, NULL), STORE_UNCHANGED);
}

/* Pages for unknown chats or with foreign messages are refused whole. */
static void test_bad_pages_are_refused(void **state)
{
	struct fixture *f = *state;
	struct errbuf err = {{0}};
	struct message page[2];
	uuid_str other;

	fx_id(other, 9);
	fx_message(&page[0], f->chat.id, 1);
	fx_message(&page[1], other, 2);
	assert_int_equal(store_put_messages(f->s, f->chat.id, page, 2, false, &err), STORE_FAILED);
	assert_true(err.msg[0] != '\0');
	assert_null(store_thread(f->s, f->chat.id)); /* not even opened */
	fx_message(&page[1], f->chat.id, 0);
	assert_int_equal(store_put_messages(f->s, f->chat.id, page, 2, false, &err), STORE_FAILED);
	assert_int_equal(store_put_messages(f->s, other, page, 1, false, &err), STORE_FAILED);
	assert_int_equal(store_thread_open(f->s, other, &err), STORE_FAILED);
	assert_null(store_thread(f->s, other));
	assert_int_equal(f->log.n, 0);

	/* A message event whose message belongs to another chat. */
	struct event e = {.type = EVENT_MESSAGE_CREATED, .chat = &f->chat, .message = &page[0]};
	memcpy(page[0].chat_id, other, sizeof other);
	f->chat.version++;
	assert_int_equal(store_apply_event(f->s, &e, &err), STORE_FAILED);
	assert_int_equal(store_chat(f->s, f->chat.id)->version, 1);
}

/* Random arrival order (ends, middle, repeats) against a plain bitmap. */
static void test_random_arrivals_match_reference(void **state)
{
	struct fixture *f = *state;
	enum { SEQS = 600 };
	static bool have[SEQS + 1];
	uint64_t x = 12345;

	memset(have, 0, sizeof have);
	assert_int_equal(store_thread_open(f->s, f->chat.id, NULL), STORE_CHANGED);
	const struct thread *t = store_thread(f->s, f->chat.id);
	for (int round = 0; round < 3000; round++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		int64_t q = 1 + (int64_t)(x % SEQS);
		if (x % 3 == 0) {
			int64_t to = q + (int64_t)(x % 7) > SEQS ? SEQS : q + (int64_t)(x % 7);
			bool fresh = false;
			for (int64_t i = q; i <= to; i++)
				fresh |= !have[i];
			assert_int_equal(put_page(f, q, to, true), fresh ? STORE_CHANGED : STORE_UNCHANGED);
			for (int64_t i = q; i <= to; i++)
				have[i] = true;
		} else {
			assert_int_equal(live(f, q), STORE_CHANGED); /* the chat always moves on */
			have[q] = true;
		}
		if (round % 100)
			continue;
		size_t n = 0;
		for (int64_t i = 1; i <= SEQS; i++)
			if (have[i])
				assert_int_equal(thread_at(t, n++)->seq, i);
		assert_int_equal(thread_count(t), n);
		for (int64_t below = 1; below <= SEQS + 1; below += 37) {
			int64_t want = below - 1;
			while (want > 0 && have[want])
				want--;
			assert_int_equal(thread_gap_below(t, below), want);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_gap_from_live_event_then_filled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scrollback_to_the_beginning, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicates_are_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads_open_on_demand, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_pages_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_arrivals_match_reference, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
