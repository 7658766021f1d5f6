/*
 * test_hub_search.c — GET /v1/search (v1.1) on a real handoffd: the
 * messages containing every word of q, newest first, from any message of
 * the thread (not only the latest), with a snippet and where the words
 * matched in it; agents' notes for agents; ingest accounts refused; bad q.
 * And GET /v1/chats?q= answering meta.total_capped. On SQLite, the hub
 * indexes messages' text a little after their commit, by itself.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <poll.h>
#include <sqlite3.h>

#include "harness.h"

static struct hub hub;
static char ana[HUB_TOKEN_MAX], bot[HUB_TOKEN_MAX];

static const struct account accounts[] = {
	{"Ana", "agent", ana},
	{"Search bridge", "ingest", bot},
	{NULL},
};

static int setup(void **state)
{
	hub_up(&hub, accounts);
	*state = &hub;
	return 0;
}

/* GET /v1/search?<query> as token; the results array (owned by r). */
static cJSON *search(struct reply *r, const char *token, const char *query)
{
	char path[512];
	snprintf(path, sizeof path, "/v1/search?%s", query);
	*r = http(&hub, "GET", path, token, NULL);
	cJSON *results = cJSON_GetObjectItemCaseSensitive(expect_status(r, 200), "results");
	assert_true(cJSON_IsArray(results));
	return results;
}

static const char *str(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	assert_true(cJSON_IsString(v));
	return v->valuestring;
}

static double num(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	assert_true(cJSON_IsNumber(v));
	return v->valuedouble;
}

/* The text of each match of hit h, by its offsets in characters of the
 * snippet, joined by "|". */
static void matched_words(const cJSON *h, char *out, size_t len)
{
	const char *snippet = str(h, "snippet");
	const cJSON *m;
	size_t used = 0;

	out[0] = '\0';
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(h, "matches")) {
		int start = cJSON_GetArrayItem(m, 0)->valueint, n = cJSON_GetArrayItem(m, 1)->valueint;
		const char *p = snippet;
		/* characters to bytes */
		for (int i = 0; i < start; i++)
			for (p++; (*p & 0xC0) == 0x80; p++)
				;
		const char *e = p;
		for (int i = 0; i < n; i++)
			for (e++; (*e & 0xC0) == 0x80; e++)
				;
		used += (size_t)snprintf(out + used, len - used, "%s%.*s", used ? "|" : "",
					 (int)(e - p), p);
	}
}

static void test_search_finds_any_message_with_snippet_and_matches(void **state)
{
	struct reply r;
	char chat[37], other[37], words[256];

	(void)state;
	ingest(&hub, bot, "s-1", "user", "My parcel was REFUNDED twice, pâté included", false, chat);
	ingest(&hub, bot, "s-1", "user", "thanks, all good now", false, NULL);
	ingest(&hub, bot, "s-2", "user", "Can I get a refund for the pate?", false, other);

	/* An earlier message of the thread is found, not only the latest;
	 * words are prefixes, case and diacritics folded; newest first. */
	cJSON *hits = search(&r, ana, "q=refund%20pate");
	assert_int_equal(cJSON_GetArraySize(hits), 2);
	cJSON *h = cJSON_GetArrayItem(hits, 0);
	assert_string_equal(str(h, "chat_id"), other);
	h = cJSON_GetArrayItem(hits, 1);
	assert_string_equal(str(h, "chat_id"), chat);
	assert_int_equal((int)num(h, "seq"), 1);
	assert_string_equal(str(h, "role"), "user");
	assert_int_equal((int)num(h, "snippet_start"), 0);
	matched_words(h, words, sizeof words);
	assert_string_equal(words, "REFUNDED|pâté");
	reply_free(&r);

	/* Every word must be there. */
	hits = search(&r, ana, "q=refund%20courier");
	assert_int_equal(cJSON_GetArraySize(hits), 0);
	reply_free(&r);
	/* FTS5 syntax in q is text: quotes, stars, brackets, a minus, and NEAR
	 * is a word like any other (no message has one starting so). */
	hits = search(&r, ana, "q=%22refund*%20(-pate%5E");
	assert_int_equal(cJSON_GetArraySize(hits), 2);
	reply_free(&r);
	hits = search(&r, ana, "q=refund%20NEAR%20pate");
	assert_int_equal(cJSON_GetArraySize(hits), 0);
	reply_free(&r);
	hits = search(&r, ana, "q=refund%20OR%20courier"); /* not "either" */
	assert_int_equal(cJSON_GetArraySize(hits), 0);
	reply_free(&r);
}

static void test_long_message_snippet_is_cut_around_the_match(void **state)
{
	struct reply r;
	char text[2048], words[256];

	(void)state;
	size_t n = 0;
	for (int i = 0; i < 60; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "filler%d ", i);
	snprintf(text + n, sizeof text - n, "the Zanzibar receipt is lost");
	ingest(&hub, bot, "s-long", "user", text, false, NULL);
	cJSON *hits = search(&r, ana, "q=zanzibar");
	assert_int_equal(cJSON_GetArraySize(hits), 1);
	cJSON *h = cJSON_GetArrayItem(hits, 0);
	assert_true(num(h, "snippet_start") > 0);
	assert_true(strlen(str(h, "snippet")) <= 160 * 4);
	assert_non_null(strstr(str(h, "snippet"), "Zanzibar"));
	matched_words(h, words, sizeof words);
	assert_string_equal(words, "Zanzibar");
	reply_free(&r);
}

static void test_notes_are_found_by_agents_and_ingest_is_refused(void **state)
{
	struct reply r;
	char chat[37], path[96];

	(void)state;
	ingest(&hub, bot, "s-note", "user", "hello there", false, chat);
	snprintf(path, sizeof path, "/v1/chats/%s/messages", chat);
	r = http(&hub, "POST", path, ana,
		 "{\"text\":\"reseller, check the VAT number\",\"internal\":true,"
		 "\"client_msg_id\":\"note-1\"}");
	expect_status(&r, 201);
	reply_free(&r);
	cJSON *hits = search(&r, ana, "q=vat%20reseller");
	assert_int_equal(cJSON_GetArraySize(hits), 1);
	assert_string_equal(str(cJSON_GetArrayItem(hits, 0), "role"), "note");
	reply_free(&r);

	r = http(&hub, "GET", "/v1/search?q=vat", bot, NULL);
	expect_status(&r, 403);
	reply_free(&r);
}

static void test_bad_queries_are_refused(void **state)
{
	static const char *const bad[] = {
		"/v1/search", "/v1/search?q=", "/v1/search?q=%2A%22%20-", "/v1/search?q=a&limit=0",
		"/v1/search?q=a&limit=101", "/v1/search?q=a+b+c+d+e+f+g+h+i", "/v1/search?q=a&x=1",
	};
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct reply r = http(&hub, "GET", bad[i], ana, NULL);
		if (r.status != 400)
			fail_msg("%s: %ld %s", bad[i], r.status, r.body ? r.body : "");
		assert_string_equal(error_type(&r), "InvalidQuery");
		reply_free(&r);
	}
}

/* On SQLite the hub's commits leave the text to index; it catches up a
 * little later by itself, so its file's index has every message without
 * any search asking (another reader, a backup, a stop by kill -9). */
static void test_text_indexed_without_a_search(void **state)
{
	sqlite3 *conn;
	int behind = -1, found = 0;

	(void)state;
	if (hub_on_pg())
		skip(); /* PostgreSQL indexes in the message's own transaction */
	ingest(&hub, bot, "s-9", "user", "an okapi in the garden", false, NULL);
	assert_int_equal(sqlite3_open_v2(hub.db, &conn, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_busy_timeout(conn, 1000);
	for (long long deadline = now_ms() + 5000; now_ms() < deadline; poll(NULL, 0, 10)) {
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(conn,
				       "SELECT (SELECT count(*) FROM messages_text_dirty),"
				       " (SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'okapi')",
				       -1, &st, NULL) != SQLITE_OK)
			fail_msg("%s", sqlite3_errmsg(conn));
		if (sqlite3_step(st) == SQLITE_ROW) {
			behind = sqlite3_column_int(st, 0);
			found = sqlite3_column_int(st, 1);
		}
		sqlite3_finalize(st);
		if (behind == 0 && found == 1)
			break;
	}
	sqlite3_close(conn);
	assert_int_equal(behind, 0);
	assert_int_equal(found, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_search_finds_any_message_with_snippet_and_matches),
		cmocka_unit_test(test_long_message_snippet_is_cut_around_the_match),
		cmocka_unit_test(test_notes_are_found_by_agents_and_ingest_is_refused),
		cmocka_unit_test(test_bad_queries_are_refused),
		cmocka_unit_test(test_text_indexed_without_a_search),
	};
	return cmocka_run_group_tests(tests, setup, hub_teardown);
}
