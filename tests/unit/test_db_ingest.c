/*
 * test_db_ingest.c — protocol v1.1 in the database: the unique index behind
 * ingest idempotency, a chat's source, and the indexes that keep both cheap.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_db_fixture.h"

/* Ingest `text` as a customer of conversation `conv` with platform message
 * id `ext` (may be NULL); *created says whether it was stored. */
static void ingest_ext(struct fx *fx, const char *conv, const char *ext, const char *platform,
		       const char *text, bool escalate, struct chat *c, struct message *m,
		       bool *created)
{
	struct ingest in = {.external_id = conv, .external_message_id = ext,
			    .source_platform = platform, .channel_type = CHANNEL_API,
			    .role = MSG_ROLE_USER, .text = text, .escalate = escalate};
	struct api_error err = {0};

	if (!db_ingest(fx->db, &fx->bot, &in, c, m, created, &err))
		fail_msg("ingest: %s", err.description);
}

static void test_duplicate_is_the_first_message_and_nothing_else(void **state)
{
	struct fx *fx = *state;
	struct chat c1, c2;
	struct message m1, m2;
	bool created;

	ingest_ext(fx, "conv-1", "ext-1", "botpress", "first", true, &c1, &m1, &created);
	assert_true(created);
	assert_string_equal(m1.external_message_id, "ext-1");
	size_t events = fx->nevents;
	int64_t head = db_events_head(fx->db);

	ingest_ext(fx, "conv-1", "ext-1", "botpress", "second", true, &c2, &m2, &created);
	assert_false(created);
	assert_string_equal(m2.id, m1.id);
	assert_string_equal(m2.text, "first");
	assert_string_equal(c2.id, c1.id);
	assert_int_equal(c2.version, c1.version);
	assert_int_equal(c2.message_count, 2); /* the message and its escalation */
	assert_int_equal(fx->nevents, events);
	assert_int_equal(db_events_head(fx->db), head);
	chat_free(&c1);
	chat_free(&c2);
	message_free(&m1);
	message_free(&m2);
}

/* The index, not the lookup in C, is what refuses a second row: a direct
 * INSERT of a copy fails, while messages without the id may repeat. */
static void test_unique_index_refuses_a_second_row(void **state)
{
	struct fx *fx = *state;
	struct chat c;
	struct message m;
	bool created;

	ingest_ext(fx, "conv-2", "ext-2", NULL, "once", false, &c, &m, &created);
	static const char copy[] =
		"INSERT INTO messages (id, chat_id, seq, created_at, role, system_type,"
		" author_name, text, external_message_id, ingest_account_id)"
		" SELECT ?, chat_id, seq + 100, created_at, role, system_type, author_name, text,"
		" external_message_id, ingest_account_id FROM messages WHERE id = ?";
	const char *new_ids[] = {"4b1c2a4e-9b7d-4c1e-8a2f-1d3e5f7a9b0c",
				 "5b1c2a4e-9b7d-4c1e-8a2f-1d3e5f7a9b0c"};
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(fx->db->conn, copy, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, new_ids[0], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, m.id, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_CONSTRAINT);
	assert_int_equal(sqlite3_extended_errcode(fx->db->conn), SQLITE_CONSTRAINT_UNIQUE);
	sqlite3_finalize(st);

	assert_int_equal(sqlite3_exec(fx->db->conn,
				      "UPDATE messages SET external_message_id = NULL", NULL, NULL,
				      NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(fx->db->conn, copy, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, new_ids[1], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, m.id, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	chat_free(&c);
	message_free(&m);
}

/* The source is the creating account and the label it gave; chats from
 * before v1.1 have none and show null. */
static void test_source_is_the_creating_account(void **state)
{
	struct fx *fx = *state;
	struct chat c, again;
	struct message m;
	bool created;

	ingest_ext(fx, "conv-3", NULL, "botpress", "hi", false, &c, &m, &created);
	assert_true(c.source.present);
	assert_string_equal(c.source.platform, "botpress");
	assert_string_equal(c.source.account_id, fx->bot.id);
	assert_string_equal(c.source.account_name, "Widget bot");
	assert_null(m.external_message_id);
	message_free(&m);

	assert_int_equal(sqlite3_exec(fx->db->conn,
				      "UPDATE chats SET source_platform = NULL,"
				      " source_account_id = NULL",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	fx_get(fx, c.id, &again);
	assert_false(again.source.present);
	char *json = chat_to_string(&again);
	assert_non_null(strstr(json, "\"source\":null"));
	free(json);
	chat_free(&again);
	chat_free(&c);
}

/* What SQLite plans for `sql`, as one string. */
static void query_plan(struct fx *fx, const char *sql, char *out, size_t size)
{
	char explain[512];
	sqlite3_stmt *st;
	size_t len = 0;

	snprintf(explain, sizeof explain, "EXPLAIN QUERY PLAN %s", sql);
	assert_int_equal(sqlite3_prepare_v2(fx->db->conn, explain, -1, &st, NULL), SQLITE_OK);
	out[0] = '\0';
	while (sqlite3_step(st) == SQLITE_ROW && len < size)
		len += (size_t)snprintf(out + len, size - len, "%s; ",
					(const char *)sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
}

/* The duplicate lookup and the source filter are index searches, not
 * scans, whatever the number of messages and chats. */
static void test_lookups_use_their_indexes(void **state)
{
	struct fx *fx = *state;
	char plan[1024];

	query_plan(fx,
		   "SELECT id FROM messages WHERE chat_id = 'a' AND ingest_account_id = 'b'"
		   " AND external_message_id = 'c'",
		   plan, sizeof plan);
	if (!strstr(plan, "messages_external"))
		fail_msg("duplicate lookup plan: %s", plan);
	query_plan(fx,
		   "SELECT id, recent_key FROM chats WHERE 1 AND source_platform = 'x'"
		   " ORDER BY recent_key DESC, id DESC LIMIT 51",
		   plan, sizeof plan);
	if (!strstr(plan, "chats_source") || strstr(plan, "TEMP B-TREE"))
		fail_msg("source filter plan: %s", plan);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_duplicate_is_the_first_message_and_nothing_else),
		T(test_unique_index_refuses_a_second_row),
		T(test_source_is_the_creating_account),
		T(test_lookups_use_their_indexes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
