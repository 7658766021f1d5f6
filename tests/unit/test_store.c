/*
 * test_store.c — the store's chats and views: the hub's orders and filters,
 * idempotent apply, change notifications, and a property test against a
 * brute-force sort.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "store_fixture.h"

static struct store *new_store(struct fx_log *log)
{
	struct store *s = store_new();

	assert_non_null(s);
	if (log)
		assert_true(store_subscribe(s, fx_record, log));
	return s;
}

static void put(struct store *s, const struct chat *c)
{
	assert_int_equal(store_put_chat(s, c, NULL), STORE_CHANGED);
}

/* The view's ids top to bottom, as a string of chat numbers "3,1,2". */
static void view_ids(const struct store *s, enum view_kind k, char *out, size_t len)
{
	const struct view *v = store_view(s, k);
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < view_count(v); i++) {
		const struct chat *c = view_at(v, i);
		unsigned n = (unsigned)strtoul(c->id + 24, NULL, 16);
		used += (size_t)snprintf(out + used, len - used, "%s%u", i ? "," : "", n);
		assert_int_equal(view_index_of(v, c->id), i);
	}
	assert_null(view_at(v, view_count(v)));
}

#define assert_view(s, k, want)                                                     \
	do {                                                                         \
		char got_[512];                                                      \
		view_ids((s), (k), got_, sizeof got_);                               \
		assert_string_equal(got_, (want));                                  \
	} while (0)

/* recent: latest message newest first; ties on the time by id, descending;
 * a chat without messages by its created_at. */
static void test_recent_order_and_ties(void **state)
{
	struct store *s = new_store(NULL);
	struct chat c;

	(void)state;
	fx_chat(&c, 1, FX_T0 + 100);
	put(s, &c);
	fx_chat(&c, 2, FX_T0 + 300);
	put(s, &c);
	fx_chat(&c, 3, FX_T0 + 100); /* ties with 1: higher id first */
	put(s, &c);
	fx_chat(&c, 4, 0);
	c.latest.present = false;
	c.created_at = FX_T0 + 200;  /* no messages: created_at counts */
	put(s, &c);
	assert_view(s, VIEW_ALL, "2,4,3,1");
	assert_view(s, VIEW_UNASSIGNED, "2,4,3,1");
	assert_int_equal(view_count(store_view(s, VIEW_WAITING)), 0);
	assert_int_equal(store_chat_count(s), 4);
	store_free(s);
}

/* waiting: escalated_at oldest first, ties by id ascending; escalated but
 * held (mode AGENT) is not waiting. */
static void test_waiting_order_and_filter(void **state)
{
	struct store *s = new_store(NULL);
	struct chat c;

	(void)state;
	fx_chat(&c, 5, FX_T0 + 900);
	fx_escalate(&c, FX_T0 + 50);
	put(s, &c);
	fx_chat(&c, 6, FX_T0 + 10);
	fx_escalate(&c, FX_T0 + 20);
	put(s, &c);
	fx_chat(&c, 7, FX_T0 + 10);
	fx_escalate(&c, FX_T0 + 50); /* ties with 5: lower id first */
	put(s, &c);
	fx_chat(&c, 8, FX_T0 + 10);
	fx_escalate(&c, FX_T0 + 1);
	fx_hold(&c, FX_OTHER);       /* escalated, but an agent holds it */
	put(s, &c);
	assert_view(s, VIEW_WAITING, "6,5,7");
	assert_view(s, VIEW_UNASSIGNED, "5,7,6");
	assert_view(s, VIEW_ALL, "5,8,7,6");
	store_free(s);
}

/* A stopped chat is still listed in ALL (the hub lists it). */
static void test_stopped_chat_stays_in_all(void **state)
{
	struct store *s = new_store(NULL);
	struct chat c;

	(void)state;
	fx_chat(&c, 1, FX_T0);
	c.state = CHAT_STATE_STOPPED;
	c.responder.type = RESPONDER_NONE;
	put(s, &c);
	assert_view(s, VIEW_ALL, "1");
	assert_view(s, VIEW_UNASSIGNED, "1");
	store_free(s);
}

/* A new latest message moves the chat to the top: one CHANGED per view
 * with old and new rows. */
static void test_move_on_new_latest_message(void **state)
{
	struct fx_log log = {0};
	struct store *s = new_store(&log);
	struct chat c;

	(void)state;
	for (unsigned i = 1; i <= 3; i++) {
		fx_chat(&c, i, FX_T0 + i);
		put(s, &c);
	}
	assert_view(s, VIEW_ALL, "3,2,1");
	log.n = 0;
	fx_chat(&c, 1, FX_T0 + 10);
	c.version = 2;
	put(s, &c);
	assert_view(s, VIEW_ALL, "1,3,2");
	assert_int_equal(log.n, 2); /* ALL and UNASSIGNED */
	const struct store_change *ch = fx_find(&log, STORE_CHAT_CHANGED, VIEW_ALL);
	assert_non_null(ch);
	assert_int_equal(ch->old_index, 2);
	assert_int_equal(ch->new_index, 0);
	assert_string_equal(ch->chat_id, c.id);
	assert_non_null(fx_find(&log, STORE_CHAT_CHANGED, VIEW_UNASSIGNED));

	/* A change that keeps the order is "in place": old == new. */
	log.n = 0;
	fx_chat(&c, 3, FX_T0 + 3);
	c.title = "Renamed";
	c.version = 2;
	put(s, &c);
	ch = fx_find(&log, STORE_CHAT_CHANGED, VIEW_ALL);
	assert_non_null(ch);
	assert_int_equal(ch->old_index, 1);
	assert_int_equal(ch->new_index, 1);
	assert_string_equal(store_chat(s, c.id)->title, "Renamed");
	store_free(s);
}

/* Takeover by me: the chat leaves WAITING and UNASSIGNED, enters MINE. */
static void test_takeover_moves_waiting_to_mine(void **state)
{
	struct fx_log log = {0};
	struct store *s = new_store(&log);
	struct chat c, other;
	struct message m;

	(void)state;
	assert_true(store_set_me(s, FX_ME));
	fx_chat(&other, 2, FX_T0 + 1);
	fx_escalate(&other, FX_T0 + 1);
	put(s, &other);
	fx_chat(&c, 1, FX_T0);
	fx_escalate(&c, FX_T0 + 5);
	put(s, &c);
	assert_view(s, VIEW_WAITING, "2,1");
	log.n = 0;

	fx_hold(&c, FX_ME);
	c.latest.at = FX_T0 + 50;
	c.latest.role = MSG_ROLE_SYSTEM;
	fx_message(&m, c.id, 2);
	struct event e = {.type = EVENT_MESSAGE_CREATED, .seq = 10, .chat = &c, .message = &m};
	assert_int_equal(store_apply_event(s, &e, NULL), STORE_CHANGED);

	assert_view(s, VIEW_WAITING, "2");
	assert_view(s, VIEW_MINE, "1");
	assert_view(s, VIEW_UNASSIGNED, "2");
	assert_view(s, VIEW_ALL, "1,2");
	const struct store_change *ch = fx_find(&log, STORE_CHAT_REMOVED, VIEW_WAITING);
	assert_non_null(ch);
	assert_int_equal(ch->old_index, 1);
	assert_int_equal(ch->new_index, VIEW_NONE);
	ch = fx_find(&log, STORE_CHAT_ADDED, VIEW_MINE);
	assert_non_null(ch);
	assert_int_equal(ch->old_index, VIEW_NONE);
	assert_int_equal(ch->new_index, 0);
	assert_non_null(fx_find(&log, STORE_CHAT_REMOVED, VIEW_UNASSIGNED));
	ch = fx_find(&log, STORE_CHAT_CHANGED, VIEW_ALL);
	assert_non_null(ch);
	assert_int_equal(ch->old_index, 1);
	assert_int_equal(ch->new_index, 0);
	assert_int_equal(log.n, 4); /* no thread is open: no THREAD_CHANGED */
	store_free(s);
}

/* The same event twice: the second changes nothing and tells nobody. */
static void test_idempotent_apply(void **state)
{
	struct fx_log log = {0};
	struct store *s = new_store(&log);
	struct chat c;

	(void)state;
	fx_chat(&c, 1, FX_T0);
	struct event e = {.type = EVENT_CHAT_CREATED, .seq = 1, .chat = &c};
	assert_int_equal(store_apply_event(s, &e, NULL), STORE_CHANGED);
	size_t heard = log.n;
	assert_int_equal(heard, 2); /* ALL, UNASSIGNED */
	assert_int_equal(store_apply_event(s, &e, NULL), STORE_UNCHANGED);
	assert_int_equal(log.n, heard);
	assert_int_equal(store_chat_count(s), 1);
	store_free(s);
}

/* An older version never replaces a newer one (events and pages race). */
static void test_older_version_ignored(void **state)
{
	struct fx_log log = {0};
	struct store *s = new_store(&log);
	struct chat c;

	(void)state;
	fx_chat(&c, 1, FX_T0);
	c.title = "v5";
	c.version = 5;
	put(s, &c);
	log.n = 0;
	c.title = "v4";
	c.version = 4;
	assert_int_equal(store_put_chat(s, &c, NULL), STORE_UNCHANGED);
	struct event e = {.type = EVENT_CHAT_UPDATED, .chat = &c};
	assert_int_equal(store_apply_event(s, &e, NULL), STORE_UNCHANGED);
	assert_string_equal(store_chat(s, c.id)->title, "v5");
	assert_int_equal(log.n, 0);
	c.title = "v6";
	c.version = 6;
	assert_int_equal(store_apply_event(s, &e, NULL), STORE_CHANGED);
	assert_string_equal(store_chat(s, c.id)->title, "v6");
	store_free(s);
}

/* MINE is empty until me is known; setting it rebuilds MINE (VIEW_RESET);
 * a hello event sets it. */
static void test_mine_follows_set_me(void **state)
{
	struct fx_log log = {0};
	struct store *s = new_store(&log);
	struct chat c;

	(void)state;
	fx_chat(&c, 1, FX_T0);
	fx_hold(&c, FX_ME);
	put(s, &c);
	fx_chat(&c, 2, FX_T0 + 1);
	fx_hold(&c, FX_OTHER);
	put(s, &c);
	assert_int_equal(view_count(store_view(s, VIEW_MINE)), 0);
	assert_string_equal(store_me(s), "");

	log.n = 0;
	assert_true(store_set_me(s, FX_ME));
	assert_view(s, VIEW_MINE, "1");
	assert_int_equal(log.n, 1);
	assert_int_equal(log.c[0].kind, STORE_VIEW_RESET);
	assert_int_equal(log.c[0].view, VIEW_MINE);
	assert_true(store_set_me(s, FX_ME)); /* the same again: nothing to tell */
	assert_int_equal(log.n, 1);

	struct agent other = {.name = "Bo"};
	memcpy(other.id, FX_OTHER, sizeof other.id);
	struct event hello = {.type = EVENT_HELLO, .head = 7, .me = &other};
	assert_int_equal(store_apply_event(s, &hello, NULL), STORE_CHANGED);
	assert_string_equal(store_me(s), FX_OTHER);
	assert_view(s, VIEW_MINE, "2");
	assert_int_equal(store_apply_event(s, &hello, NULL), STORE_UNCHANGED);
	assert_true(store_set_me(s, NULL));
	assert_int_equal(view_count(store_view(s, VIEW_MINE)), 0);
	store_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recent_order_and_ties),
		cmocka_unit_test(test_waiting_order_and_filter),
		cmocka_unit_test(test_stopped_chat_stays_in_all),
		cmocka_unit_test(test_move_on_new_latest_message),
		cmocka_unit_test(test_takeover_moves_waiting_to_mine),
		cmocka_unit_test(test_idempotent_apply),
		cmocka_unit_test(test_older_version_ignored),
		cmocka_unit_test(test_mine_follows_set_me),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
