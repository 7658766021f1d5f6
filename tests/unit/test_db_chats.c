/*
 * test_db_chats.c — listing chats: every filter, both sorts, cursors, and
 * exact pagination while chats change.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_db_fixture.h"

#define MAX_IDS 1024

struct ids {
	uuid_str id[MAX_IDS];
	size_t n;
};

/* One page into ids (appended); returns the next cursor (caller frees). */
static char *page_into(struct fx *fx, const struct agent *me, struct chat_query *q,
		       struct ids *out, int64_t *total)
{
	struct chat_page p = {0};
	struct api_error err;

	if (!db_chats_list(fx->db, me, q, &p, &err))
		fail_msg("chats_list: %s", err.description);
	assert_true(p.count <= (size_t)q->limit);
	for (size_t i = 0; i < p.count; i++) {
		assert_true(out->n < MAX_IDS);
		memcpy(out->id[out->n++], p.chats[i].id, sizeof(uuid_str));
	}
	if (total)
		*total = p.total;
	char *next = p.next_cursor;
	p.next_cursor = NULL;
	chat_page_free(&p);
	return next;
}

/* Walk every page of q from the start. */
static void walk(struct fx *fx, const struct agent *me, struct chat_query q, struct ids *out)
{
	char *cursor = NULL;

	out->n = 0;
	q.cursor = NULL;
	do {
		char *next = page_into(fx, me, &q, out, NULL);
		free(cursor);
		q.cursor = cursor = next;
	} while (cursor);
}

static bool has(const struct ids *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->id[i], id) == 0)
			return true;
	return false;
}

/* A chat on `channel` from `owner` with one message. */
static void new_chat_on(struct fx *fx, enum channel_type channel, const char *owner,
			const char *text, bool escalate, uuid_str id)
{
	struct ingest in = {.channel_type = channel, .owner_name = owner, .role = MSG_ROLE_USER,
			    .text = text, .escalate = escalate};
	struct api_error err;
	struct message m;
	struct chat c;

	if (!db_ingest(fx->db, &fx->bot, &in, &c, &m, NULL, &err))
		fail_msg("ingest: %s", err.description);
	memcpy(id, c.id, sizeof(uuid_str));
	chat_free(&c);
	message_free(&m);
}

/* Five chats, each distinguished by one property. */
struct five {
	uuid_str waiting, mine, ticket, whatsapp, cleos;
};

static void make_five(struct fx *fx, struct five *f)
{
	struct api_error err;
	struct chat c;

	new_chat_on(fx, CHANNEL_WIDGET, "Maria G.", "Refund please", true, f->waiting);
	new_chat_on(fx, CHANNEL_WIDGET, "Jon", "agent now", true, f->mine);
	assert_true(db_takeover(fx->db, &fx->ana, f->mine, false, &c, &err));
	chat_free(&c);
	new_chat_on(fx, CHANNEL_WIDGET, "Kim", "about my bill", false, f->ticket);
	assert_true(db_chat_patch(fx->db, &fx->ana, f->ticket, "Invoice 100%", TICKET_OPEN, &c,
				  &err));
	chat_free(&c);
	new_chat_on(fx, CHANNEL_WHATSAPP, "Li Wei", "ni hao", false, f->whatsapp);
	new_chat_on(fx, CHANNEL_WIDGET, "Sam", "hello", false, f->cleos);
	assert_true(db_takeover(fx->db, &fx->cleo, f->cleos, false, &c, &err));
	chat_free(&c);
}

/* The ids q finds, as a set, must be exactly the `n` given. */
static void expect_set(struct fx *fx, struct chat_query q, size_t n, ...)
{
	struct ids got;
	va_list ap;

	walk(fx, &fx->ana, q, &got);
	if (got.n != n)
		fail_msg("q=%s mode=%d esc=%d resp=%d: %zu chats, expected %zu", q.q ? q.q : "",
			 q.mode, q.escalated, q.responder, got.n, n);
	va_start(ap, n);
	for (size_t i = 0; i < n; i++)
		assert_true(has(&got, va_arg(ap, const char *)));
	va_end(ap);
}

static void test_every_filter(void **state)
{
	struct fx *fx = *state;
	struct chat_query q, base;
	struct five f;

	make_five(fx, &f);
	chat_query_init(&base);
	base.limit = 2;
	expect_set(fx, base, 5, f.waiting, f.mine, f.ticket, f.whatsapp, f.cleos);

	q = base, q.mode = CHAT_MODE_AGENT;
	expect_set(fx, q, 2, f.mine, f.cleos);
	q = base, q.escalated = 1;
	expect_set(fx, q, 2, f.waiting, f.mine);
	q = base, q.escalated = 0;
	expect_set(fx, q, 3, f.ticket, f.whatsapp, f.cleos);
	q = base, q.waiting = true;
	expect_set(fx, q, 1, f.waiting);
	q = base, q.responder = RESPONDER_IS_ME;
	expect_set(fx, q, 1, f.mine);
	q = base, q.responder = RESPONDER_IS_NONE;
	expect_set(fx, q, 3, f.waiting, f.ticket, f.whatsapp);
	q = base, q.responder = RESPONDER_IS_BOT;
	expect_set(fx, q, 3, f.waiting, f.ticket, f.whatsapp);
	q = base, q.responder = RESPONDER_IS_AGENT;
	memcpy(q.responder_id, fx->cleo.id, sizeof q.responder_id);
	expect_set(fx, q, 1, f.cleos);
	q = base, q.status = TICKET_OPEN;
	expect_set(fx, q, 1, f.ticket);
	q = base, q.channel = CHANNEL_WHATSAPP;
	expect_set(fx, q, 1, f.whatsapp);
	q = base, q.q = "BILL"; /* latest preview, any case */
	expect_set(fx, q, 1, f.ticket);
	q = base, q.q = "a human agent"; /* system messages are previews too */
	expect_set(fx, q, 1, f.waiting);
	q = base, q.q = "li w"; /* owner name */
	expect_set(fx, q, 1, f.whatsapp);
	q = base, q.q = "100%"; /* title; % is a character, not a wildcard */
	expect_set(fx, q, 1, f.ticket);
	q = base, q.q = "%";
	expect_set(fx, q, 1, f.ticket);
	q = base, q.q = "_";
	expect_set(fx, q, 0);
	q = base, q.mode = CHAT_MODE_AGENT, q.responder = RESPONDER_IS_ME;
	expect_set(fx, q, 1, f.mine);
}

static void test_sorts_and_total(void **state)
{
	struct fx *fx = *state;
	struct chat_query q;
	struct ids got = {.n = 0};
	struct five f;
	int64_t total;

	make_five(fx, &f);
	/* newest message first: the last chat written to leads (or ties with
	 * the leader: timestamps are milliseconds, and a fast build writes
	 * several chats in one; ties go by id) */
	fx_ingest_ex(fx, f.ticket, NULL, MSG_ROLE_USER, "anyone?", false, NULL, NULL);
	chat_query_init(&q);
	q.limit = 200;
	free(page_into(fx, &fx->ana, &q, &got, &total));
	assert_int_equal(total, 5);
	struct chat a, b;
	fx_get(fx, got.id[0], &a);
	fx_get(fx, f.ticket, &b);
	assert_int_equal(a.latest.at, b.latest.at);
	chat_free(&a);
	chat_free(&b);

	for (size_t i = 1; i < got.n; i++) {
		fx_get(fx, got.id[i - 1], &a);
		fx_get(fx, got.id[i], &b);
		assert_true(a.latest.at > b.latest.at ||
			    (a.latest.at == b.latest.at && strcmp(a.id, b.id) > 0));
		chat_free(&a);
		chat_free(&b);
	}

	/* waiting: escalated oldest first, then the rest */
	q.sort = SORT_WAITING;
	got.n = 0;
	free(page_into(fx, &fx->ana, &q, &got, &total));
	assert_int_equal(got.n, 5);
	for (size_t i = 1; i < got.n; i++) {
		fx_get(fx, got.id[i - 1], &a);
		fx_get(fx, got.id[i], &b);
		int64_t ka = a.escalated ? a.escalated_at : INT64_MAX;
		int64_t kb = b.escalated ? b.escalated_at : INT64_MAX;
		assert_true(ka < kb || (ka == kb && strcmp(a.id, b.id) < 0));
		chat_free(&a);
		chat_free(&b);
	}
	assert_true(has(&got, f.waiting));
	assert_true(strcmp(got.id[0], f.waiting) == 0 || strcmp(got.id[0], f.mine) == 0);
	q.waiting = true;
	got.n = 0;
	free(page_into(fx, &fx->ana, &q, &got, &total));
	assert_int_equal(total, 1);
	assert_string_equal(got.id[0], f.waiting);
	/* The unfiltered total is counted once and then kept: chats created
	 * since must show, messages into existing ones must not add any. */
	chat_query_init(&q);
	q.limit = 200;
	fx_ingest_ex(fx, NULL, "total-1", MSG_ROLE_USER, "new one", false, NULL, NULL);
	fx_ingest_ex(fx, NULL, "total-2", MSG_ROLE_USER, "another", false, NULL, NULL);
	fx_ingest_ex(fx, NULL, "total-2", MSG_ROLE_USER, "same chat", false, NULL, NULL);
	struct ids more = {.n = 0};
	free(page_into(fx, &fx->ana, &q, &more, &total));
	assert_int_equal(total, 7);
	assert_int_equal(more.n, 7);
}

static void test_cursors_are_checked(void **state)
{
	struct fx *fx = *state;
	struct chat_query q;
	struct chat_page p;
	struct api_error err;
	struct ids got = {.n = 0};
	struct five f;

	make_five(fx, &f);
	chat_query_init(&q);
	q.limit = 2;
	char *cursor = page_into(fx, &fx->ana, &q, &got, NULL);
	assert_non_null(cursor);

	static const char *const bad[] = {"", "zz", "abc", "00", "ABCD"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		q.cursor = bad[i];
		fx_expect_error(db_chats_list(fx->db, &fx->ana, &q, &p, &err), &err,
				API_INVALID_QUERY, NULL);
	}
	/* a cursor is tied to its filters and sort */
	q.cursor = cursor;
	q.mode = CHAT_MODE_AI;
	fx_expect_error(db_chats_list(fx->db, &fx->ana, &q, &p, &err), &err, API_INVALID_QUERY,
			NULL);
	q.mode = -1;
	q.sort = SORT_WAITING;
	fx_expect_error(db_chats_list(fx->db, &fx->ana, &q, &p, &err), &err, API_INVALID_QUERY,
			NULL);
	/* responder=me means someone else for another agent */
	q.sort = SORT_RECENT;
	q.responder = RESPONDER_IS_ME;
	q.cursor = NULL;
	char *mine = page_into(fx, &fx->ana, &q, &got, NULL);
	assert_null(mine); /* Ana holds one chat: one page */
	q.limit = 200;
	q.limit = 0;
	q.cursor = NULL;
	fx_expect_error(db_chats_list(fx->db, &fx->ana, &q, &p, &err), &err, API_INVALID_QUERY,
			NULL);
	free(cursor);
}

/* The pagination guarantee: walking while chats change returns every chat
 * that matched at the start exactly once. */
static void walk_while_changing(struct fx *fx, struct chat_query q, const struct ids *all,
				bool take_over)
{
	struct ids seen = {.n = 0};
	struct api_error err;
	struct chat c;
	char *cursor = NULL;
	unsigned rnd = 7;
	uuid_str fresh;

	q.cursor = NULL;
	do {
		char *next = page_into(fx, &fx->ana, &q, &seen, NULL);
		free(cursor);
		q.cursor = cursor = next;
		/* between pages: an unvisited chat and a visited one change, and
		 * a chat appears */
		for (int k = 0; k < 2; k++) {
			rnd = rnd * 1103515245u + 12345u;
			const char *id = all->id[(rnd >> 8) % all->n];
			if (take_over && k == 0) {
				if (!db_takeover(fx->db, &fx->ben, id, true, &c, &err))
					fail_msg("takeover: %s", err.description);
				chat_free(&c);
			} else {
				fx_ingest_ex(fx, id, NULL, MSG_ROLE_USER, "news", false, NULL, NULL);
			}
		}
		fx_new_chat(fx, "late", true, fresh);
	} while (cursor);

	for (size_t i = 0; i < all->n; i++) {
		size_t times = 0;
		for (size_t j = 0; j < seen.n; j++)
			times += strcmp(seen.id[j], all->id[i]) == 0;
		if (times != 1)
			fail_msg("chat %zu seen %zu times", i, times);
	}
	assert_int_equal(seen.n, all->n);
}

static void test_walking_while_chats_change_is_exact(void **state)
{
	struct fx *fx = *state;
	struct chat_query q;
	struct ids all = {.n = 0};

	for (int i = 0; i < 300; i++)
		fx_new_chat(fx, "hello", i % 3 == 0, all.id[all.n++]);
	chat_query_init(&q);
	q.limit = 7;
	walk_while_changing(fx, q, &all, false);
}

static void test_walking_the_waiting_queue_while_agents_take_chats(void **state)
{
	struct fx *fx = *state;
	struct chat_query q;
	struct ids all = {.n = 0};
	uuid_str other;

	for (int i = 0; i < 120; i++) {
		fx_new_chat(fx, "need a human", true, all.id[all.n++]);
		fx_new_chat(fx, "just browsing", false, other);
	}
	chat_query_init(&q);
	q.waiting = true;
	q.sort = SORT_WAITING;
	q.limit = 7;
	walk_while_changing(fx, q, &all, true);
}

/* A chat whose state at the walk's start is only in a compacted event. */
static void test_walk_is_exact_across_compaction(void **state)
{
	struct fx *fx = *state;
	struct chat_query q;
	struct ids all = {.n = 0}, seen = {.n = 0};

	db_set_retention(fx->db, 10);
	for (int i = 0; i < 20; i++)
		fx_new_chat(fx, "x", false, all.id[all.n++]);
	assert_true(db_events_oldest(fx->db) > 2); /* the first chat's events are below it */
	chat_query_init(&q);
	q.limit = 3;
	char *cursor = page_into(fx, &fx->ana, &q, &seen, NULL);
	/* the oldest chat (last in the walk) jumps to the top */
	fx_ingest_ex(fx, all.id[0], NULL, MSG_ROLE_USER, "back again", false, NULL, NULL);
	while (cursor) {
		q.cursor = cursor;
		char *next = page_into(fx, &fx->ana, &q, &seen, NULL);
		free(cursor);
		cursor = next;
	}
	assert_int_equal(seen.n, 20);
	for (size_t i = 0; i < all.n; i++)
		assert_true(has(&seen, all.id[i]));
}

#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_every_filter),
		T(test_sorts_and_total),
		T(test_cursors_are_checked),
		T(test_walking_while_chats_change_is_exact),
		T(test_walking_the_waiting_queue_while_agents_take_chats),
		T(test_walk_is_exact_across_compaction),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
