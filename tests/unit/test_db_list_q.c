/*
 * test_db_list_q.c — GET /v1/chats?q= as a client sees it on either side of
 * the candidate cap: with at most 1,000 candidates in the text index,
 * meta.total is exact; with more, it is a lower bound (meta.total_capped)
 * that the count finds in the index without reading the chats; and on both
 * sides the cursor walk lists every matching chat exactly once and nothing
 * else, alone or with a filter.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>

#include "test_db_fixture.h"

#define CHATS_MAX 1100
#define PLAN_MAX  8192

/* The chats made so far, whether each matches q=Über (LIKE's rule), and
 * whether Ana took it over (responder=none leaves it out). */
struct corpus {
	uuid_str id[CHATS_MAX];
	bool match[CHATS_MAX], taken[CHATS_MAX];
	size_t n;
};

/* Make chats up to `upto` candidates of q=Über, owned in turn by "Über
 * alles" and "ÜBER ALLES", who match (LIKE folds ASCII letters), and "über
 * alles", who does not (LIKE keeps non-ASCII case; the trigram index folds
 * it, so it is a candidate all the same). The owner's name, unlike the
 * preview, stays when Ana takes over every 5th. */
static void make_candidates(struct fx *fx, struct corpus *c, size_t upto)
{
	static const char *const owners[] = {"Über alles", "ÜBER ALLES", "über alles"};
	struct api_error err;
	struct chat ch;
	struct message m;

	for (; c->n < upto; c->n++) {
		struct ingest in = {.channel_type = CHANNEL_WIDGET, .owner_name = owners[c->n % 3],
				    .role = MSG_ROLE_USER, .text = "hello"};
		if (!db_ingest(fx->db, &fx->bot, &in, &ch, &m, NULL, &err))
			fail_msg("ingest: %s", err.description);
		memcpy(c->id[c->n], ch.id, sizeof(uuid_str));
		chat_free(&ch);
		message_free(&m);
		c->match[c->n] = c->n % 3 != 2;
		c->taken[c->n] = c->n % 5 == 0;
		if (c->taken[c->n]) {
			if (!db_takeover(fx->db, &fx->ana, c->id[c->n], false, &ch, &err))
				fail_msg("takeover: %s", err.description);
			chat_free(&ch);
		}
	}
	fx_forget_events(fx);
}

/* Does chat i belong in the list of q? */
static bool expected(const struct corpus *c, size_t i, const struct chat_query *q)
{
	if (!c->match[i])
		return false;
	switch (q->responder) {
	case RESPONDER_IS_NONE:
		return !c->taken[i];
	case RESPONDER_IS_ME:
		return c->taken[i];
	default:
		return true;
	}
}

struct walk {
	int64_t first_total; /* meta of the first page */
	bool first_capped;
	size_t pages;
};

/* Walk every page of q: each chat listed must be expected and listed once,
 * and every expected chat listed; each page's total is at least the chats
 * on it and at most the chats that match, and capped unless exact. */
static struct walk walk_all(struct fx *fx, const struct corpus *c, struct chat_query q)
{
	struct walk w = {0};
	struct api_error err;
	bool seen[CHATS_MAX] = {false};
	size_t want = 0, listed = 0;
	char *cursor = NULL;

	for (size_t i = 0; i < c->n; i++)
		want += expected(c, i, &q);
	do {
		struct chat_page p = {0};
		q.cursor = cursor;
		if (!db_chats_list(fx->db, &fx->ana, &q, &p, &err))
			fail_msg("list: %s", err.description);
		if (!w.pages++) {
			w.first_total = p.total;
			w.first_capped = p.total_capped;
		}
		if (p.total < (int64_t)p.count || p.total > (int64_t)want)
			fail_msg("page %zu: total %" PRId64 " with %zu chats on it, %zu matching",
				 w.pages, p.total, p.count, want);
		if (!p.total_capped && p.total != (int64_t)want)
			fail_msg("page %zu: total %" PRId64 " not capped, %zu matching", w.pages,
				 p.total, want);
		for (size_t k = 0; k < p.count; k++) {
			size_t i = 0;
			while (i < c->n && strcmp(c->id[i], p.chats[k].id) != 0)
				i++;
			if (i == c->n || !expected(c, i, &q))
				fail_msg("%s listed, does not match", p.chats[k].id);
			if (seen[i])
				fail_msg("%s listed twice", p.chats[k].id);
			seen[i] = true;
			listed++;
		}
		free(cursor);
		cursor = p.next_cursor;
		p.next_cursor = NULL;
		chat_page_free(&p);
	} while (cursor);
	if (listed != want)
		fail_msg("%zu chats listed, %zu match", listed, want);
	return w;
}

static struct chat_query query(enum responder_filter responder, enum chat_sort sort, int limit)
{
	struct chat_query q;

	chat_query_init(&q);
	q.q = "Über";
	q.responder = responder;
	q.sort = sort;
	q.limit = limit;
	return q;
}

/* 1,000 candidates: the count is exact, with a filter too; one more and it
 * is a lower bound, the walks as whole as before. */
static void test_total_exact_up_to_1000_candidates_then_a_lower_bound(void **state)
{
	struct fx *fx = *state;
	struct corpus *c = calloc(1, sizeof *c);
	struct walk w;

	make_candidates(fx, c, 1000);
	w = walk_all(fx, c, query(RESPONDER_ANY, SORT_RECENT, 50));
	assert_false(w.first_capped);
	assert_int_equal(w.first_total, 667);
	w = walk_all(fx, c, query(RESPONDER_IS_NONE, SORT_WAITING, 50));
	assert_false(w.first_capped);
	assert_int_equal(w.first_total, 534);

	make_candidates(fx, c, 1001);
	for (int sort = SORT_RECENT; sort <= SORT_WAITING; sort++) {
		w = walk_all(fx, c, query(RESPONDER_ANY, (enum chat_sort)sort, 50));
		assert_true(w.first_capped);
		/* the first page and the one past it: all the walk found */
		assert_int_equal(w.first_total, 51);
		assert_int_equal(w.pages, 14);
		w = walk_all(fx, c, query(RESPONDER_IS_NONE, (enum chat_sort)sort, 50));
		assert_true(w.first_capped);
		assert_int_equal(w.first_total, 51);
	}
	free(c);
}

/* Many candidates, but the first page's walk reached the end of the list:
 * it saw every match, so its total is exact and not capped. */
static void test_many_candidates_walked_whole_are_counted_exactly(void **state)
{
	struct fx *fx = *state;
	struct corpus *c = calloc(1, sizeof *c);

	make_candidates(fx, c, CHATS_MAX);
	struct walk w = walk_all(fx, c, query(RESPONDER_IS_ME, SORT_RECENT, 200));
	assert_int_equal(w.pages, 1);
	assert_false(w.first_capped);
	assert_int_equal(w.first_total, 147); /* every 5th of 1,100, 2 in 3 of them */
	/* the same chats over pages: no page knows the whole count */
	w = walk_all(fx, c, query(RESPONDER_IS_ME, SORT_RECENT, 100));
	assert_int_equal(w.pages, 2);
	assert_true(w.first_capped);
	assert_int_equal(w.first_total, 101);
	free(c);
}

/* With more than 1,000 candidates the count asks the text index alone: no
 * statement of its plan reads the chats table, through either index. */
static void test_many_candidates_counted_from_the_index_alone(void **state)
{
	struct fx *fx = *state;
	struct corpus *c = calloc(1, sizeof *c);
	static const char *const terms[] = {"Über", "Üb", "alles"};
	struct api_error err;
	char plan[PLAN_MAX];

	make_candidates(fx, c, 1001);
	for (size_t t = 0; t < sizeof terms / sizeof terms[0]; t++) {
		struct chat_query q = query(RESPONDER_IS_NONE, SORT_RECENT, 50);
		q.q = terms[t];
		if (!chat_list_plans(fx->db, &fx->ana, &q, plan, sizeof plan, &err))
			fail_msg("plans: %s", err.description);
		bool counted = false;
		for (const char *l = plan; *l;) {
			const char *end = strchr(l, '\n');
			size_t n = end ? (size_t)(end - l) : strlen(l);
			char line[256];
			snprintf(line, sizeof line, "%.*s", (int)n, l);
			if (strncmp(line, "count: ", 7) == 0) {
				counted = counted || strstr(line, "VIRTUAL TABLE");
				const char *chats = strstr(line, " chats");
				if (chats && (chats[6] == ' ' || chats[6] == '\0'))
					fail_msg("q=%s: the count reads the chats:\n%s", terms[t], plan);
			}
			l += n + (end != NULL);
		}
		if (!counted)
			fail_msg("q=%s: no count from the text index in\n%s", terms[t], plan);
	}
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_total_exact_up_to_1000_candidates_then_a_lower_bound, fx_setup,
			fx_teardown),
		cmocka_unit_test_setup_teardown(test_many_candidates_walked_whole_are_counted_exactly,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_many_candidates_counted_from_the_index_alone, fx_setup,
						fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
