/*
 * test_db_bulk.c — the benchmarks' bulk fill (db_bulk_begin): many calls in
 * one transaction leave what separate transactions leave, and a call that
 * fails inside it undoes only its own writes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_db_fixture.h"

/* How many chats q lists (one page is enough here), and its total. */
static size_t listed(struct fx *fx, const char *text, int64_t *total)
{
	struct chat_query q;
	struct chat_page p = {0};
	struct api_error err;

	chat_query_init(&q);
	q.q = text;
	if (!db_chats_list(fx->db, &fx->ana, &q, &p, &err))
		fail_msg("list: %s", err.description);
	size_t n = p.count;
	*total = p.total;
	chat_page_free(&p);
	return n;
}

static void test_bulk_calls_commit_together_and_fail_alone(void **state)
{
	struct fx *fx = *state;
	struct api_error err;
	struct chat c;
	struct errbuf e;
	uuid_str a, b;
	int64_t total;

	assert_true(db_bulk_begin(fx->db, &err));
	fx_new_chat(fx, "bulk one", false, a);
	fx_new_chat(fx, "bulk two", false, b);
	/* Cleo cannot hand back a chat she does not hold: the call fails and
	 * rolls back alone, the enclosing transaction goes on. */
	assert_false(db_handback(fx->db, &fx->cleo, a, &c, &err));
	assert_true(db_takeover(fx->db, &fx->ana, b, false, &c, &err));
	chat_free(&c);
	assert_true(db_bulk_end(fx->db, &err));

	/* Committed: another connection sees it, with the triggers' rows. */
	db_close(fx->db);
	if (!(fx->db = db_open(fx->path, &e)))
		fail_msg("reopen: %s", e.msg);
	assert_int_equal(listed(fx, "Maria", &total), 2); /* chats_fts */
	assert_int_equal(total, 2);
	assert_int_equal(listed(fx, "ar", &total), 2); /* chats_grams */
	assert_int_equal(listed(fx, "bulk one", &total), 1);
	fx_get(fx, b, &c);
	assert_int_equal(c.mode, CHAT_MODE_AGENT);
	chat_free(&c);
	fx_get(fx, a, &c);
	assert_int_equal(c.mode, CHAT_MODE_AI);
	chat_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bulk_calls_commit_together_and_fail_alone,
						fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
