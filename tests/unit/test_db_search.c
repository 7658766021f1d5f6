/*
 * test_db_search.c — db_search: notes only for agents (with_notes), the
 * index kept in the message's own transaction or, with db_text_later, by
 * one catch-up for many (before every read that uses it, and at close),
 * and a database of an older schema searchable after its upgrade.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_db_fixture.h"

static size_t hits(struct fx *fx, const char *text, bool with_notes, struct search_page *p)
{
	struct api_error err;

	if (!db_search(fx->db, text, with_notes, 100, p, &err))
		fail_msg("search: %s", err.description);
	return p->count;
}

static void test_notes_only_with_notes(void **state)
{
	struct fx *fx = *state;
	struct search_page p;
	struct message m;
	struct api_error err;
	bool created;
	uuid_str chat;

	fx_new_chat(fx, "where is my parcel", false, chat);
	assert_true(db_reply(fx->db, &fx->ana, chat, "parcel lost by the courier, refund it", "n1",
			     true, &m, &created, &err));
	message_free(&m);
	assert_int_equal(hits(fx, "parcel", true, &p), 2);
	assert_int_equal(p.hits[0].role, MSG_ROLE_NOTE); /* newest first */
	assert_int_equal(p.hits[0].seq, 2);
	search_page_free(&p);
	assert_int_equal(hits(fx, "parcel", false, &p), 1);
	assert_int_equal(p.hits[0].role, MSG_ROLE_USER);
	search_page_free(&p);
	assert_int_equal(hits(fx, "courier", false, &p), 0);
	search_page_free(&p);
}

/* Rows of a text index that MATCH `what` (messages_fts or chats_fts),
 * read straight from the table: what db_search would find without
 * catching up first. */
static int indexed(struct fx *fx, const char *index, const char *what)
{
	char sql[160];
	sqlite3_stmt *st;
	int n = -1;

	snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE %s MATCH ?", index, index);
	assert_int_equal(sqlite3_prepare_v2(fx->db->conn, sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, what, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* With db_text_later, commits leave their text; a search, a list with q
 * and a catch-up index every message since, each once. */
static void test_later_text_is_found_by_every_read(void **state)
{
	struct fx *fx = *state;
	struct search_page p;
	struct chat_query q;
	struct chat_page page;
	struct api_error err;
	uuid_str a, b;

	db_text_later(fx->db, true);
	assert_true(db_text_catch_up(fx->db, &err)); /* what the fixture wrote */
	fx_new_chat(fx, "the toaster smokes", false, a);
	fx_new_chat(fx, "my toaster is fine", false, b);
	assert_int_equal(indexed(fx, "messages_fts", "toaster"), 0); /* not yet */
	assert_int_equal(hits(fx, "toaster", false, &p), 2);
	search_page_free(&p);
	assert_int_equal(indexed(fx, "messages_fts", "toaster"), 2);

	/* The chat list's q, through either of the chats' indexes. */
	fx_new_chat(fx, "a kettle this time", false, a);
	assert_int_equal(indexed(fx, "chats_fts", "\"kettle\""), 0);
	chat_query_init(&q);
	q.q = "kettle";
	q.escalated = 0;
	assert_true(db_chats_list(fx->db, &fx->ana, &q, &page, &err));
	assert_int_equal(page.count, 1);
	chat_page_free(&page);
	q.q = "tl"; /* the grams' index too */
	assert_true(db_chats_list(fx->db, &fx->ana, &q, &page, &err));
	assert_int_equal(page.count, 1);
	chat_page_free(&page);

	/* A catch-up with nothing behind writes nothing and succeeds. */
	assert_true(db_text_catch_up(fx->db, &err));
	assert_true(db_text_catch_up(fx->db, &err));
}

/* A database closed with text behind has its indexes whole: the next
 * process finds what the last one wrote without catching up itself. */
static void test_later_text_indexed_at_close(void **state)
{
	struct fx *fx = *state;
	struct errbuf e;
	uuid_str chat;

	db_text_later(fx->db, true);
	fx_new_chat(fx, "the parrot talks back", false, chat);
	assert_int_equal(indexed(fx, "messages_fts", "parrot"), 0);
	db_close(fx->db);
	if (!(fx->db = db_open(fx->path, &e)))
		fail_msg("reopen: %s", e.msg);
	assert_int_equal(indexed(fx, "messages_fts", "parrot"), 1);
}

/* Messages written before the search index existed are found after the
 * upgrade that builds it: the step fills it from the messages table. */
static void test_upgrade_indexes_existing_messages(void **state)
{
	struct fx *fx = *state;
	struct search_page p;
	struct chat_query q;
	struct chat_page page;
	struct api_error err;
	struct errbuf e;
	uuid_str chat;

	fx_new_chat(fx, "an old message about Zanzibar", false, chat);
	/* Back to schema 5: drop what steps 6 to 14 made, as a v5 database had. */
	assert_int_equal(sqlite3_exec(fx->db->conn,
				      "DROP TABLE messages_fts; DROP TABLE chats_fts;"
				      " DROP TABLE chat_counts; DROP TRIGGER chat_counts_insert;"
				      " DROP TRIGGER chat_counts_update;"
				      " DROP TABLE messages_text_dirty; DROP TRIGGER messages_text_insert;"
				      " DROP INDEX chats_escalated; DROP INDEX chats_escalated_w;"
				      " DROP INDEX chats_held_w; DROP INDEX chats_rtype;"
				      " DROP INDEX chats_rtype_w; DROP INDEX chats_responder_w;"
				      " DROP INDEX chats_status_w; DROP INDEX chats_channel_w;"
				      " DROP INDEX chats_source_w; DROP INDEX chats_responder_status;"
				      " DROP INDEX chats_responder_status_w; DROP INDEX chats_owner;"
				      " ALTER TABLE owners DROP COLUMN phone; DROP TABLE chat_reads;"
				      " ALTER TABLE chats DROP COLUMN awaiting_since; DROP TABLE platform_daily;"
				      " DROP INDEX chats_rated;"
				      " DROP TABLE offers; DROP TABLE offer_passes;"
				      " ALTER TABLE accounts DROP COLUMN capacity;"
				      " ALTER TABLE accounts DROP COLUMN assigned_at;"
				      " DROP INDEX messages_agent;"
				      " DROP TABLE chats_grams;"
				      " DROP TABLE chats_text_dirty; DROP TRIGGER chats_text_insert;"
				      " DROP TRIGGER chats_text_update;"
				      " PRAGMA user_version = 5;",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	db_close(fx->db);
	if (!(fx->db = db_open(fx->path, &e)))
		fail_msg("reopen: %s", e.msg);
	assert_int_equal(hits(fx, "zanzibar", false, &p), 1);
	search_page_free(&p);
	chat_query_init(&q);
	q.q = "zanzibar";
	q.escalated = 0;
	assert_true(db_chats_list(fx->db, &fx->ana, &q, &page, &err));
	assert_int_equal(page.count, 1);
	assert_int_equal(page.total, 1);
	chat_page_free(&page);
	q.q = "zA"; /* too short for trigrams: chats_grams, built by its step */
	assert_true(db_chats_list(fx->db, &fx->ana, &q, &page, &err));
	assert_int_equal(page.count, 1);
	assert_int_equal(page.total, 1);
	chat_page_free(&page);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_notes_only_with_notes, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_later_text_is_found_by_every_read, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_later_text_indexed_at_close, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_upgrade_indexes_existing_messages, fx_setup,
						fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
