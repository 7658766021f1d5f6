/*
 * test_pg_search.c — searching messages on the PostgreSQL back end, on a
 * real server (pgserver.c): what test_db_search.c and the hub's search
 * tests hold SQLite to — every word must match, by stem, case and
 * diacritics folded; notes only with notes; newest first; a snippet around
 * the first match with the matched words' places in characters; the same
 * queries refused — and what only PostgreSQL can get wrong: the words
 * split as SQLite splits them, a search that finds nothing answered from
 * the index at 100,000 messages, and a message found by any hub as soon
 * as it is committed.
 *
 * Threads never assert (cmocka's failures jump within the main thread):
 * they record what they got, and the main thread checks it after joining.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg.h"
#include "pg_fixture.h"
#include "utf8.h"

#define THREADS 6
#define ROUNDS 5
#define BIG 100000

struct fx {
	struct pgfx db; /* first: pgfx_teardown frees the whole */
	struct agent bot, ana;
	char *plans; /* what auto_explain said, from the notice receiver */
};

static int setup(void **state)
{
	struct fx *fx = pgfx_new(state, sizeof *fx, true);

	if (!fx)
		return -1;
	pgfx_account(fx->db.c, &fx->bot, "Search bridge", ACCOUNT_INGEST);
	pgfx_account(fx->db.c, &fx->ana, "Ana", ACCOUNT_AGENT);
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	if (fx)
		free(fx->plans);
	return pgfx_teardown(state);
}

/* Each test its own messages: what the one before stored is gone. */
static int empty(void **state)
{
	struct fx *fx = *state;

	pgfx_run(fx->db.c,
		 "TRUNCATE messages, events, chat_reads, offers, offer_passes, chats, owners,"
		 " channels",
		 0, NULL);
	return 0;
}

/* A customer's message in conversation `conv`; its chat's id to chat
 * (may be NULL). */
static void ingest_on(PGconn *c, const struct agent *bot, const char *conv, const char *text,
		      char *chat)
{
	struct ingest in = {.external_id = conv, .source_platform = "widget",
			    .channel_type = CHANNEL_API, .owner_external_id = conv,
			    .role = MSG_ROLE_USER, .text = text};
	struct chat ch;
	struct message m;
	struct api_error err = {0};

	if (!pg_ingest(c, bot, &in, &ch, &m, NULL, &err))
		fail_msg("ingest: %s", err.description);
	if (chat)
		memcpy(chat, ch.id, sizeof ch.id);
	chat_free(&ch);
	message_free(&m);
}

static void ingest(struct fx *fx, const char *conv, const char *text, char *chat)
{
	ingest_on(fx->db.c, &fx->bot, conv, text, chat);
}

/* An agent's note on the chat, as pg_reply stores one. */
static void note(struct fx *fx, const char *chat, const char *text)
{
	struct pg_reply r = {.chat_id = chat, .author_id = fx->ana.id, .author_name = "Ana",
			     .text = text, .internal = true, .at = ts_now()};
	struct errbuf err = {""};
	uuid_str id;
	int64_t seq;
	bool created;

	if (!pg_exec(fx->db.c, "BEGIN", "begin", &err) ||
	    !pg_reply_insert(fx->db.c, &r, id, &seq, &created, &err) ||
	    !pg_exec(fx->db.c, "COMMIT", "commit", &err))
		fail_msg("note: %s", err.msg);
}

static size_t hits(struct fx *fx, const char *text, bool with_notes, struct search_page *p)
{
	struct api_error err = {0};

	if (!pg_search(fx->db.c, text, with_notes, 100, p, &err))
		fail_msg("search %s: %s", text, err.description);
	return p->count;
}

/* The text of each match of hit h, by its offsets in characters of the
 * snippet, joined by "|". */
static void matched_words(const struct search_hit *h, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < h->nmatches; i++) {
		size_t from = utf8_prefix_bytes(h->snippet, (size_t)h->matches[i].start);
		size_t n = utf8_prefix_bytes(h->snippet + from, (size_t)h->matches[i].len);
		used += (size_t)snprintf(out + used, len - used, "%s%.*s", used ? "|" : "", (int)n,
					 h->snippet + from);
	}
}

static void test_notes_only_with_notes(void **state)
{
	struct fx *fx = *state;
	struct search_page p;
	char chat[UUID_STRLEN + 1];

	ingest(fx, "parcel", "where is my parcel", chat);
	note(fx, chat, "parcel lost by the courier, refund it");
	assert_int_equal(hits(fx, "parcel", true, &p), 2);
	assert_int_equal(p.hits[0].role, MSG_ROLE_NOTE); /* newest first */
	assert_int_equal(p.hits[0].seq, 2);
	assert_string_equal(p.hits[0].chat_id, chat);
	search_page_free(&p);
	assert_int_equal(hits(fx, "parcel", false, &p), 1);
	assert_int_equal(p.hits[0].role, MSG_ROLE_USER);
	assert_int_equal(p.hits[0].seq, 1);
	search_page_free(&p);
	assert_int_equal(hits(fx, "courier", false, &p), 0);
	search_page_free(&p);
	assert_int_equal(hits(fx, "courier", true, &p), 1);
	search_page_free(&p);
}

static void test_every_word_by_stem_case_and_diacritics_folded(void **state)
{
	struct fx *fx = *state;
	struct search_page p;
	char chat[UUID_STRLEN + 1], other[UUID_STRLEN + 1], words[256];

	ingest(fx, "s-1", "My parcel was REFUNDED twice, pâté included", chat);
	ingest(fx, "s-1", "thanks, all good now", NULL);
	ingest(fx, "s-2", "Can I get a refund for the pate?", other);

	/* An earlier message of the thread is found, not only the latest;
	 * "refund" finds "REFUNDED", "pate" finds "pâté"; newest first. */
	assert_int_equal(hits(fx, "refund pate", false, &p), 2);
	assert_string_equal(p.hits[0].chat_id, other);
	matched_words(&p.hits[0], words, sizeof words);
	assert_string_equal(words, "refund|pate");
	assert_string_equal(p.hits[1].chat_id, chat);
	assert_int_equal(p.hits[1].seq, 1);
	assert_int_equal(p.hits[1].role, MSG_ROLE_USER);
	assert_int_equal(p.hits[1].snippet_start, 0);
	assert_string_equal(p.hits[1].snippet, "My parcel was REFUNDED twice, pâté included");
	matched_words(&p.hits[1], words, sizeof words);
	assert_string_equal(words, "REFUNDED|pâté");
	/* in characters, not bytes: "pâté" starts at 30 and is 4 long */
	assert_int_equal(p.hits[1].matches[1].start, 30);
	assert_int_equal(p.hits[1].matches[1].len, 4);
	search_page_free(&p);

	/* the other way round: the query's diacritics and capitals fold too,
	 * and another form of the word finds the same stem */
	assert_int_equal(hits(fx, "PÂTÉ Refunding", false, &p), 2);
	search_page_free(&p);
	assert_int_equal(hits(fx, "refunds", false, &p), 2);
	search_page_free(&p);

	/* Every word must be there; a search that finds nothing is empty. */
	assert_int_equal(hits(fx, "refund courier", false, &p), 0);
	assert_null(p.hits);
	search_page_free(&p);
	/* Query syntax is text: quotes, stars, brackets, a minus; and "or",
	 * "near" and "the" are words like any other (no stop words). */
	assert_int_equal(hits(fx, "\"refund* (-pate^", false, &p), 2);
	search_page_free(&p);
	assert_int_equal(hits(fx, "refund NEAR pate", false, &p), 0);
	search_page_free(&p);
	assert_int_equal(hits(fx, "refund OR courier", false, &p), 0);
	search_page_free(&p);
	assert_int_equal(hits(fx, "the pate", false, &p), 1);
	assert_string_equal(p.hits[0].chat_id, other);
	search_page_free(&p);
	/* by stem, not by prefix */
	assert_int_equal(hits(fx, "ref", false, &p), 0);
	search_page_free(&p);
}

/* Words are letters and digits, as SQLite's unicode61 reads them: an
 * address, a hyphenated name or a version is several words. */
static void test_words_split_as_sqlite_splits_them(void **state)
{
	struct fx *fx = *state;
	struct search_page p;
	char words[256];

	ingest(fx, "w-1",
	       "mail ana@example.com about refund-policy v1.2 — “naïve” order_66🙂ok dʼoh", NULL);
	/* "dʼoh" is one word whose stem holds an apostrophe, which the
	 * query must quote */
	static const char *const found[] = {"ana", "example", "policy", "v1", "2", "naive",
					    "order", "66", "ok", "ANA refund", "dʼoh"};
	for (size_t i = 0; i < sizeof found / sizeof *found; i++) {
		if (hits(fx, found[i], false, &p) != 1)
			fail_msg("%s: not found", found[i]);
		search_page_free(&p);
	}
	assert_int_equal(hits(fx, "ana policy naive ok", false, &p), 1);
	matched_words(&p.hits[0], words, sizeof words);
	assert_string_equal(words, "ana|policy|naïve|ok");
	search_page_free(&p);
	/* a query of nothing but punctuation the index drops finds nothing */
	assert_int_equal(hits(fx, "—", false, &p), 0);
	search_page_free(&p);
}

static void test_long_message_snippet_is_cut_around_the_match(void **state)
{
	struct fx *fx = *state;
	struct search_page p;
	char text[2048], words[256];
	size_t n = 0;

	for (int i = 0; i < 60; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "filler%d ", i);
	size_t before = n; /* ASCII: characters */
	n += (size_t)snprintf(text + n, sizeof text - n, "the Zanzibar receipt is lost, Zanzibar");
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, " tail%d", i);
	ingest(fx, "s-long", text, NULL);
	assert_int_equal(hits(fx, "zanzibar", false, &p), 1);
	struct search_hit *h = &p.hits[0];
	/* a quarter of the snippet before the first match */
	assert_int_equal(h->snippet_start, (int64_t)(before + 4 - SEARCH_SNIPPET_CHARS / 4));
	assert_int_equal(utf8_count(h->snippet, strlen(h->snippet)), SEARCH_SNIPPET_CHARS);
	assert_memory_equal(h->snippet, text + h->snippet_start, strlen(h->snippet));
	matched_words(h, words, sizeof words);
	assert_string_equal(words, "Zanzibar|Zanzibar");
	assert_int_equal(h->matches[0].start, SEARCH_SNIPPET_CHARS / 4);
	search_page_free(&p);
}

static void test_limit_keeps_the_newest(void **state)
{
	struct fx *fx = *state;
	struct search_page p;
	struct api_error err = {0};

	/* one thread, so that messages of one millisecond still go by seq */
	for (int i = 1; i <= 5; i++)
		ingest(fx, "lim", i == 3 ? "a kiwi, and nothing else" : "a kiwi", NULL);
	assert_true(pg_search(fx->db.c, "kiwi", false, 3, &p, &err));
	assert_int_equal(p.count, 3);
	assert_int_equal(p.hits[0].seq, 5);
	assert_int_equal(p.hits[1].seq, 4);
	assert_int_equal(p.hits[2].seq, 3);
	assert_string_equal(p.hits[2].snippet, "a kiwi, and nothing else");
	search_page_free(&p);
}

static void test_bad_queries_are_refused(void **state)
{
	struct fx *fx = *state;
	static const char *const bad[] = {"", "   ", "*\" -", "a b c d e f g h i"};
	struct search_page p = {0};
	struct api_error err = {0};

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		if (pg_search(fx->db.c, bad[i], true, 10, &p, &err))
			fail_msg("\"%s\": accepted", bad[i]);
		assert_int_equal(err.type, API_INVALID_QUERY);
	}
	assert_false(pg_search(fx->db.c, "a", true, 0, &p, &err));
	assert_int_equal(err.type, API_INVALID_QUERY);
	assert_false(pg_search(fx->db.c, "a", true, 101, &p, &err));
	assert_int_equal(err.type, API_INVALID_QUERY);
	/* eight words are allowed */
	assert_true(pg_search(fx->db.c, "a b c d e f g h", true, 10, &p, &err));
	search_page_free(&p);
}

/* The hub's role need not be a superuser: a database's owner may create
 * unaccent (a trusted extension since PostgreSQL 13) and the rest of the
 * search step. */
static void test_a_database_owner_migrates_the_search_step(void **state)
{
	struct fx *fx = *state;
	char conninfo[256], *user;
	struct errbuf err = {""};
	struct search_page p;
	struct api_error aerr = {0};

	pgfx_run(fx->db.c, "CREATE ROLE hub_owner LOGIN NOSUPERUSER", 0, NULL);
	assert_true(pgserver_create_db(fx->db.server, "owned", conninfo, sizeof conninfo));
	pgfx_run(fx->db.c, "ALTER DATABASE owned OWNER TO hub_owner", 0, NULL);
	assert_non_null(user = strstr(conninfo, "user=handoff"));
	snprintf(user, sizeof conninfo - (size_t)(user - conninfo), "user=hub_owner");

	struct pg *pg = pg_open(conninfo, &err);
	if (!pg)
		fail_msg("pg_open as the owner: %s", err.msg);
	assert_int_equal(pg_schema_found(pg), 0);
	assert_true(pg_search(pg_conn(pg), "anything", true, 10, &p, &aerr));
	assert_int_equal(p.count, 0);
	search_page_free(&p);
	pg_close(pg);
}

/* ---- 100,000 messages ------------------------------------------------------ */

static void on_notice(void *ctx, const PGresult *res)
{
	struct fx *fx = ctx;
	const char *msg = PQresultErrorMessage(res);
	size_t had = fx->plans ? strlen(fx->plans) : 0;
	char *more = realloc(fx->plans, had + strlen(msg) + 1);

	if (more) {
		strcpy(more + had, msg);
		fx->plans = more;
	}
}

static double search_ms(struct fx *fx, const char *text, size_t *count)
{
	struct search_page p;
	long long t0 = pgfx_now_ms();

	*count = hits(fx, text, true, &p);
	long long t1 = pgfx_now_ms();
	search_page_free(&p);
	return (double)(t1 - t0);
}

/* search_ms with the plans of its statements in fx->plans (auto_explain
 * loaded, as the test below does first). */
static double explained_search_ms(struct fx *fx, const char *text, size_t *count)
{
	free(fx->plans);
	fx->plans = NULL;
	pgfx_run(fx->db.c, "SET auto_explain.log_min_duration = 0", 0, NULL);
	double ms = search_ms(fx, text, count);
	pgfx_run(fx->db.c, "SET auto_explain.log_min_duration = -1", 0, NULL);
	assert_non_null(fx->plans);
	return ms;
}

static void test_a_search_that_finds_nothing_reads_the_index(void **state)
{
	struct fx *fx = *state;
	char chat[UUID_STRLEN + 1];
	size_t count;

	ingest(fx, "big", "the first message", chat);
	/* 100,000 messages of a few words each, from a vocabulary of 2,000 */
	pgfx_run(fx->db.c,
		 "INSERT INTO messages (id, chat_id, seq, created_at, role, system_type,"
		 " author_name, text) SELECT gen_random_uuid(), $1, i + 1, i, 0, 0, 'x',"
		 " 'order ' || (i % 2000) || ' word' || (i % 1999) || ' shipped to gate '"
		 " || (i % 97) || ' thanks a lot '"
		 " || CASE WHEN i % 2 = 0 THEN 'paid' ELSE 'refunded' END"
		 " FROM generate_series(1, 100000) i",
		 1, (const char *[]){chat});
	pgfx_run(fx->db.c, "UPDATE chats SET message_count = 100001 WHERE id = $1", 1,
		 (const char *[]){chat});
	pgfx_run(fx->db.c, "ANALYZE messages", 0, NULL);
	ingest(fx, "big", "one more about a quokka", NULL);

	/* The plan pg_search's own statement ran with, as auto_explain tells
	 * it to this connection. */
	PQsetNoticeReceiver(fx->db.c, on_notice, fx);
	pgfx_run(fx->db.c, "LOAD 'auto_explain'", 0, NULL);
	pgfx_run(fx->db.c, "SET auto_explain.log_level = notice", 0, NULL);
	double none = explained_search_ms(fx, "zeppelin", &count);
	assert_int_equal(count, 0);
	if (!strstr(fx->plans, "Bitmap Index Scan on messages_search") ||
	    strstr(fx->plans, "Seq Scan on messages"))
		fail_msg("not from the index:\n%s", fx->plans);

	double one = search_ms(fx, "quokka", &count);
	assert_int_equal(count, 1);
	double some = search_ms(fx, "word7 gate", &count);
	size_t some_count = count;
	assert_true(some_count > 0);
	/* a word of every message: the newest read first, until the page is
	 * full, not all 100,000 matches sorted */
	size_t many_count;
	double many = explained_search_ms(fx, "thanks", &many_count);
	assert_int_equal(many_count, 100);
	if (!strstr(fx->plans, "Index Scan Backward using messages_newest"))
		fail_msg("not the newest first:\n%s", fx->plans);
	/* two words of half the messages each, never in one: the planner,
	 * taking them for independent, thought them common together and
	 * tested every message newest first */
	double apart = explained_search_ms(fx, "paid refunded", &count);
	assert_int_equal(count, 0);
	if (strstr(fx->plans, "messages_newest") ||
	    !strstr(fx->plans, "Bitmap Index Scan on messages_search"))
		fail_msg("two words never together, not from the index:\n%s", fx->plans);
	/* and two that meet in every other message: the newest first again */
	double together = explained_search_ms(fx, "paid thanks", &many_count);
	assert_int_equal(many_count, 100);
	if (!strstr(fx->plans, "Index Scan Backward using messages_newest"))
		fail_msg("two common words together, not the newest first:\n%s", fx->plans);
	printf("# %d messages: nothing %.0f ms, one %.0f ms, %zu hits %.0f ms,"
	       " a word of every message %.0f ms, two common words never together %.0f ms,"
	       " together %.0f ms\n",
	       BIG, none, one, some_count, some, many, apart, together);
	/* generous, for a loaded machine: the index answers in a few ms */
	assert_true(none < 1000);
}

/* ---- hubs at once ---------------------------------------------------------- */

struct race {
	struct fx *fx;
	int found[THREADS][ROUNDS]; /* what each thread's own search found */
};

/* Each thread ingests a message with the shared word and its own, then
 * searches its own at once: committed is found, from its connection as
 * from any other. */
static bool ingest_then_search(PGconn *c, int thread, int round, void *ctx, struct errbuf *err)
{
	struct race *r = ctx;
	char conv[32], text[96], own[32];
	struct chat ch;
	struct message m;
	struct search_page p;
	struct api_error aerr = {0};

	snprintf(conv, sizeof conv, "race-%d", thread);
	snprintf(own, sizeof own, "thread%dround%d", thread, round);
	snprintf(text, sizeof text, "albatross sighted by %s", own);
	struct ingest in = {.external_id = conv, .source_platform = "widget",
			    .channel_type = CHANNEL_API, .owner_external_id = conv,
			    .role = MSG_ROLE_USER, .text = text};
	if (!pg_ingest(c, &r->fx->bot, &in, &ch, &m, NULL, &aerr))
		return errbuf_set(err, "ingest: %s", aerr.description);
	chat_free(&ch);
	message_free(&m);
	if (!pg_search(c, own, false, 10, &p, &aerr))
		return errbuf_set(err, "search: %s", aerr.description);
	r->found[thread][round] = (int)p.count;
	search_page_free(&p);
	return true;
}

static void after_round(int round, void *ctx)
{
	struct race *r = ctx;
	struct search_page p;

	/* every thread's message of every round so far, from this hub */
	assert_int_equal(hits(r->fx, "albatross", false, &p), (size_t)THREADS * (round + 1));
	search_page_free(&p);
	for (int t = 0; t < THREADS; t++)
		assert_int_equal(r->found[t][round], 1);
}

static void test_committed_messages_are_found_by_every_hub(void **state)
{
	struct fx *fx = *state;
	struct race r = {.fx = fx};

	pgfx_race(&(struct pgfx_race){.conninfo = pgserver_conninfo(fx->db.server),
				       .threads = THREADS, .rounds = ROUNDS,
				       .turn = ingest_then_search, .after = after_round,
				       .ctx = &r, .who = "hub"});
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_notes_only_with_notes, empty),
		cmocka_unit_test_setup(test_every_word_by_stem_case_and_diacritics_folded, empty),
		cmocka_unit_test_setup(test_words_split_as_sqlite_splits_them, empty),
		cmocka_unit_test_setup(test_long_message_snippet_is_cut_around_the_match, empty),
		cmocka_unit_test_setup(test_limit_keeps_the_newest, empty),
		cmocka_unit_test_setup(test_bad_queries_are_refused, empty),
		cmocka_unit_test_setup(test_committed_messages_are_found_by_every_hub, empty),
		cmocka_unit_test(test_a_database_owner_migrates_the_search_step),
		cmocka_unit_test_setup(test_a_search_that_finds_nothing_reads_the_index, empty),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
