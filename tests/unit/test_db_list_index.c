/*
 * test_db_list_index.c — every chat list filter is answered from an index:
 * the query plans of each filter and sort hold no full scan of chats, the
 * filtered totals are exact while chats change hands, and q found through
 * the trigram index is exactly q's rule (LIKE), with a capped count when a
 * term has too many candidates.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>

#include "test_db_fixture.h"

#define PLAN_MAX 8192

/* One row of the filter table: a name and how it sets the query. */
struct filter_case {
	const char *name;
	void (*set)(struct chat_query *q, const struct fx *fx);
	bool text; /* a q with trigram candidates: the page sorts them */
};

static void f_none(struct chat_query *q, const struct fx *fx) { (void)q, (void)fx; }
static void f_waiting(struct chat_query *q, const struct fx *fx) { (void)fx, q->waiting = true; }
static void f_esc(struct chat_query *q, const struct fx *fx) { (void)fx, q->escalated = 1; }
static void f_not_esc(struct chat_query *q, const struct fx *fx) { (void)fx, q->escalated = 0; }
static void f_agent_mode(struct chat_query *q, const struct fx *fx)
{
	(void)fx, q->mode = CHAT_MODE_AGENT;
}
static void f_ai_mode(struct chat_query *q, const struct fx *fx) { (void)fx, q->mode = 0; }
static void f_me(struct chat_query *q, const struct fx *fx)
{
	(void)fx, q->responder = RESPONDER_IS_ME;
}
static void f_nobody(struct chat_query *q, const struct fx *fx)
{
	(void)fx, q->responder = RESPONDER_IS_NONE;
}
static void f_bot(struct chat_query *q, const struct fx *fx)
{
	(void)fx, q->responder = RESPONDER_IS_BOT;
}
static void f_agent(struct chat_query *q, const struct fx *fx)
{
	q->responder = RESPONDER_IS_AGENT;
	memcpy(q->responder_id, fx->cleo.id, sizeof q->responder_id);
}
static void f_status(struct chat_query *q, const struct fx *fx) { (void)fx, q->status = 0; }
static void f_channel(struct chat_query *q, const struct fx *fx)
{
	(void)fx, q->channel = CHANNEL_WIDGET;
}
static void f_source(struct chat_query *q, const struct fx *fx) { (void)fx, q->source = "bp"; }
static void f_q(struct chat_query *q, const struct fx *fx) { (void)fx, q->q = "refund"; }
static void f_q_none(struct chat_query *q, const struct fx *fx) { (void)fx, q->q = "zzqxj"; }
static void f_waiting_channel(struct chat_query *q, const struct fx *fx)
{
	(void)fx, q->waiting = true, q->channel = CHANNEL_WIDGET;
}
static void f_me_status(struct chat_query *q, const struct fx *fx)
{
	(void)fx, q->responder = RESPONDER_IS_ME, q->status = 0;
}
static void f_nobody_not_esc(struct chat_query *q, const struct fx *fx)
{
	(void)fx, q->responder = RESPONDER_IS_NONE, q->escalated = 0;
}
static void f_q_channel(struct chat_query *q, const struct fx *fx)
{
	(void)fx, q->q = "refund", q->channel = CHANNEL_WIDGET;
}

static const struct filter_case filters[] = {
	{"all", f_none, false},
	{"waiting=true", f_waiting, false},
	{"escalated=true", f_esc, false},
	{"escalated=false", f_not_esc, false},
	{"mode=AGENT", f_agent_mode, false},
	{"mode=AI", f_ai_mode, false},
	{"responder=me", f_me, false},
	{"responder=none", f_nobody, false},
	{"responder=bot", f_bot, false},
	{"responder=<agent>", f_agent, false},
	{"status=open", f_status, false},
	{"channel=widget", f_channel, false},
	{"source=bp", f_source, false},
	{"q=refund", f_q, true},
	{"q=<no hit>", f_q_none, true},
	{"waiting=true&channel=widget", f_waiting_channel, false},
	{"responder=me&status=open", f_me_status, false},
	{"responder=none&escalated=false", f_nobody_not_esc, false},
	{"q=refund&channel=widget", f_q_channel, true},
};

/* A few chats of every kind, so no filter is trivially empty. */
static void fill(struct fx *fx)
{
	struct api_error err;
	struct chat c;
	uuid_str id;

	for (int i = 0; i < 12; i++) {
		struct ingest in = {.channel_type = (enum channel_type)(i % 3),
				    .owner_name = i % 2 ? "Maria G." : "Jon",
				    .source_platform = i % 4 ? "bp" : NULL,
				    .role = MSG_ROLE_USER,
				    .text = i % 3 ? "I want a refund" : "hello",
				    .escalate = i % 2 == 0};
		struct message m;
		if (!db_ingest(fx->db, &fx->bot, &in, &c, &m, NULL, &err))
			fail_msg("ingest: %s", err.description);
		memcpy(id, c.id, sizeof id);
		chat_free(&c);
		message_free(&m);
		if (i % 4 == 0)
			assert_true(db_takeover(fx->db, i % 8 ? &fx->ana : &fx->cleo, id, false, &c,
						&err)), chat_free(&c);
		if (i % 3 == 1)
			assert_true(db_chat_patch(fx->db, &fx->ana, id, NULL, TICKET_OPEN, &c, &err)),
				chat_free(&c);
	}
}

/* A line of the plan that reads every row of chats: a table scan, or an
 * index walked to its end to be sorted afterwards. An ordered walk of a
 * sort's index ("SCAN chats USING INDEX chats_recent") stops at the page's
 * end and is allowed; a q sorts its few trigram candidates. */
static const char *full_scan(const char *plan, bool text)
{
	static char line[256];
	const char *p = plan;

	while (*p) {
		const char *end = strchr(p, '\n');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		snprintf(line, sizeof line, "%.*s", (int)n, p);
		bool page = strncmp(line, "first:", 6) == 0 || strncmp(line, "next:", 5) == 0;
		bool count = strncmp(line, "count:", 6) == 0;
		const char *d = strchr(line, ':') + 2;
		if (strcmp(d, "SCAN chats") == 0 || strcmp(d, "SCAN events") == 0 ||
		    strcmp(d, "SCAN e") == 0)
			return line;
		if (page && !text && strstr(d, "TEMP B-TREE"))
			return line;
		if (count && strncmp(d, "SCAN chats", 10) == 0 && (!d[10] || d[10] == ' '))
			return line;
		p = end ? end + 1 : p + n;
	}
	return NULL;
}

static void test_every_filter_and_sort_uses_an_index(void **state)
{
	struct fx *fx = *state;
	char plan[PLAN_MAX];
	struct api_error err;

	fill(fx);
	for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++) {
		for (int sort = SORT_RECENT; sort <= SORT_WAITING; sort++) {
			struct chat_query q;
			chat_query_init(&q);
			filters[i].set(&q, fx);
			q.sort = (enum chat_sort)sort;
			if (!chat_list_plans(fx->db, &fx->ana, &q, plan, sizeof plan, &err))
				fail_msg("plans: %s", err.description);
			const char *bad = full_scan(plan, filters[i].text);
			if (bad)
				fail_msg("%s sort=%s walks every chat: \"%s\"\n%s", filters[i].name,
					 sort ? "waiting" : "recent", bad, plan);
		}
	}
}

/* The ids of every page of q, and the first page's total. */
static size_t walk_count(struct fx *fx, struct chat_query q, int64_t *total, bool *capped)
{
	struct api_error err;
	char *cursor = NULL;
	size_t n = 0;

	q.limit = 3;
	do {
		struct chat_page p = {0};
		if (!db_chats_list(fx->db, &fx->ana, &q, &p, &err))
			fail_msg("list: %s", err.description);
		if (!cursor) {
			*total = p.total;
			*capped = p.total_capped;
		}
		n += p.count;
		free(cursor);
		q.cursor = cursor = p.next_cursor;
		p.next_cursor = NULL;
		chat_page_free(&p);
	} while (cursor);
	return n;
}

/* Every filter's total is the number of chats its walk returns, also after
 * chats changed hands, status and escalation. */
static void expect_totals(struct fx *fx)
{
	for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++) {
		struct chat_query q;
		int64_t total;
		bool capped;
		chat_query_init(&q);
		filters[i].set(&q, fx);
		size_t n = walk_count(fx, q, &total, &capped);
		if ((int64_t)n != total || capped)
			fail_msg("%s: walk returns %zu chats, meta.total %" PRId64 "%s",
				 filters[i].name, n, total, capped ? " (capped)" : "");
	}
}

static void test_totals_stay_exact_as_chats_change(void **state)
{
	struct fx *fx = *state;
	struct chat_query q;
	struct chat_page p = {0};
	struct api_error err;
	struct chat c;

	fill(fx);
	expect_totals(fx);
	/* Change every filter column of some chats. */
	chat_query_init(&q);
	q.limit = 200;
	assert_true(db_chats_list(fx->db, &fx->ana, &q, &p, &err));
	for (size_t i = 0; i < p.count; i++) {
		const char *id = p.chats[i].id;
		if (p.chats[i].mode == CHAT_MODE_AGENT && i % 2)
			assert_true(db_handback(fx->db, &fx->ben, id, &c, &err)), chat_free(&c);
		else if (p.chats[i].mode == CHAT_MODE_AI && i % 3 == 0)
			assert_true(db_takeover(fx->db, &fx->cleo, id, false, &c, &err)),
				chat_free(&c);
		if (i % 4 == 1)
			assert_true(db_chat_patch(fx->db, &fx->ana, id, NULL, TICKET_SOLVED, &c,
						  &err)),
				chat_free(&c);
		if (i == 5)
			assert_true(db_stop(fx->db, &fx->ben, id, &c, &err)), chat_free(&c);
	}
	chat_page_free(&p);
	fx_ingest_ex(fx, NULL, "late", MSG_ROLE_USER, "refund me too", true, NULL, NULL);
	expect_totals(fx);
}

struct q_case {
	const char *q;
	size_t n; /* chats it lists */
};

/* Each q lists its n chats, and says so in an exact total. */
static void expect_q(struct fx *fx, const struct q_case *cases, size_t ncases)
{
	for (size_t i = 0; i < ncases; i++) {
		struct chat_query q;
		int64_t total;
		bool capped;
		chat_query_init(&q);
		q.q = cases[i].q;
		size_t n = walk_count(fx, q, &total, &capped);
		if (n != cases[i].n || total != (int64_t)n || capped)
			fail_msg("q=%s: %zu chats, total %" PRId64 ", expected %zu", cases[i].q, n,
				 total, cases[i].n);
	}
}

/* q through chats_fts finds what LIKE finds: title, owner name, latest
 * preview, ASCII case folding only, not an earlier message. */
static void test_q_through_the_trigram_index_keeps_the_rule(void **state)
{
	struct fx *fx = *state;
	struct chat c;
	struct api_error err;
	uuid_str a, b, e;

	fx_new_chat(fx, "Where is my ORDER?", false, a);
	fx_new_chat(fx, "Élodie here", false, b);
	fx_new_chat(fx, "first words", false, e);
	fx_ingest_ex(fx, e, NULL, MSG_ROLE_USER, "second", false, NULL, NULL);
	assert_true(db_chat_patch(fx->db, &fx->ana, b, "Invoice \"100%\" due", -1, &c, &err));
	chat_free(&c);

	static const struct q_case cases[] = {
		{"order", 1}, {"ORDER?", 1}, {"élodie", 0}, {"Élodie", 1}, {"\"100%\"", 1},
		{"maria g", 3}, {"first words", 0}, {"second", 1}, {"zzz", 0},
	};
	expect_q(fx, cases, sizeof cases / sizeof cases[0]);
}

/* The text indexes agree with the tables they index (FTS5's own check of
 * an external-content index against its table). */
static void expect_text_indexes_whole(struct fx *fx)
{
	assert_int_equal(sqlite3_exec(fx->db->conn,
				      "INSERT INTO chats_fts (chats_fts, rank) VALUES ('integrity-check', 1);"
				      "INSERT INTO chats_grams (chats_grams, rank)"
				      " VALUES ('integrity-check', 1);"
				      "INSERT INTO messages_fts (messages_fts, rank)"
				      " VALUES ('integrity-check', 1);",
				      NULL, NULL, NULL),
			 SQLITE_OK);
}

/* The text indexes are kept at COMMIT, once per chat: a batch that makes a
 * chat and replaces its preview twice, a lone message, a retitle, and a
 * batch item refused after another changed the chat all leave q finding
 * each chat by its text now, never by a preview it had before. */
static void test_q_follows_text_changed_within_one_transaction(void **state)
{
	struct fx *fx = *state;
	struct ingest_result out[3];
	struct api_error err;
	struct chat c;
	const struct ingest batch[3] = {
		{.external_id = "dirty-1", .role = MSG_ROLE_USER, .text = "apple pie"},
		{.external_id = "dirty-1", .role = MSG_ROLE_BOT, .text = "banana split"},
		{.external_id = "dirty-1", .role = MSG_ROLE_USER, .text = "cherry tart"},
	};

	assert_true(db_ingest_batch(fx->db, &fx->bot, batch, 3, out, &err));
	uuid_str id;
	memcpy(id, out[0].chat.id, sizeof id);
	for (int i = 0; i < 3; i++)
		ingest_result_free(&out[i]);
	static const struct q_case after_batch[] = {
		{"cherry", 1}, {"banana", 0}, {"apple", 0}, {"ch", 1}, {"ap", 0},
	};
	expect_q(fx, after_batch, sizeof after_batch / sizeof after_batch[0]);
	expect_text_indexes_whole(fx);

	fx_ingest_ex(fx, id, NULL, MSG_ROLE_USER, "damson jam", false, NULL, NULL);
	assert_true(db_chat_patch(fx->db, &fx->ana, id, "Quince order", -1, &c, &err));
	chat_free(&c);
	static const struct q_case after_more[] = {
		{"damson", 1}, {"cherry", 0}, {"quince", 1}, {"qu", 1},
	};
	expect_q(fx, after_more, sizeof after_more / sizeof after_more[0]);
	expect_text_indexes_whole(fx);
}

/* A term with more candidates than a count goes through is still listed
 * whole, and its total says it stopped counting: the first page of 3 counts
 * the chats its walk found, those 3 and the one past them. */
static void test_q_with_many_candidates_caps_its_count(void **state)
{
	struct fx *fx = *state;
	struct chat_query q;
	int64_t total;
	bool capped;

	for (int i = 0; i < 1005; i++) {
		char ext[32];
		snprintf(ext, sizeof ext, "many-%d", i);
		fx_ingest_ex(fx, NULL, ext, MSG_ROLE_USER, i % 2 ? "common word" : "Common Word",
			     false, NULL, NULL);
	}
	chat_query_init(&q);
	q.q = "common";
	assert_int_equal(walk_count(fx, q, &total, &capped), 1005);
	assert_true(capped);
	assert_int_equal(total, 4);
	q.q = "co"; /* too short for trigrams: candidates of chats_grams */
	assert_int_equal(walk_count(fx, q, &total, &capped), 1005);
	assert_true(capped);
	assert_int_equal(total, 4);
}

/* A q of 1 or 2 characters goes through chats_grams (every character and
 * pair of characters) and finds what LIKE finds: at the end of a value, in a
 * value too short for a trigram, ASCII case folded only, '%' as itself, the
 * latest preview only. */
static void test_short_q_through_the_gram_index_keeps_the_rule(void **state)
{
	struct fx *fx = *state;
	struct chat c;
	struct api_error err;
	uuid_str a, b, d;

	fx_new_chat(fx, "Where is my ORDER?", false, a);
	fx_new_chat(fx, "Élodie paid 100%", false, b);
	fx_new_chat(fx, "xy first", false, d);
	fx_ingest_ex(fx, d, NULL, MSG_ROLE_USER, "then qz", false, NULL, NULL);
	assert_true(db_chat_patch(fx->db, &fx->ana, b, "Hi", -1, &c, &err));
	chat_free(&c);

	static const struct q_case cases[] = {
		{"?", 1}, {"R?", 1},  {"r?", 1}, {"qz", 1}, {"QZ", 1}, {"xy", 0}, {"hi", 1},
		{"É", 1}, {"é", 0},   {"%", 1},  {"_", 0},  {"0%", 1}, {"G.", 3}, {"a", 3},
		{"ñ", 0}, {"\"", 0}, {" q", 1},
	};
	expect_q(fx, cases, sizeof cases / sizeof cases[0]);
}

/* A q of 1 or 2 characters that matches nothing reads no chat: its page and
 * its count look it up in chats_grams, with every filter and sort. */
static void test_short_q_is_a_lookup(void **state)
{
	struct fx *fx = *state;
	char plan[PLAN_MAX];
	struct api_error err;
	static const char *const terms[] = {"qz", "q", "é"};

	fill(fx);
	for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++) {
		for (size_t t = 0; t < sizeof terms / sizeof terms[0]; t++) {
			struct chat_query q;
			chat_query_init(&q);
			filters[i].set(&q, fx);
			q.q = terms[t];
			q.sort = (enum chat_sort)(i % 2);
			if (!chat_list_plans(fx->db, &fx->ana, &q, plan, sizeof plan, &err))
				fail_msg("plans: %s", err.description);
			for (const char *l = plan; *l;) {
				char line[256];
				const char *end = strchr(l, '\n');
				size_t n = end ? (size_t)(end - l) : strlen(l);
				snprintf(line, sizeof line, "%.*s", (int)n, l);
				const char *d = strstr(line, ": ");
				bool page_or_count = strncmp(line, "first:", 6) == 0 ||
						     strncmp(line, "count:", 6) == 0;
				if (page_or_count && d &&
				    (strcmp(d + 2, "SCAN chats") == 0 ||
				     strncmp(d + 2, "SCAN chats USING", 16) == 0))
					fail_msg("q=%s with %s walks the chats:\n%s", terms[t],
						 filters[i].name, plan);
				l += n + (end != NULL);
			}
			if (!strstr(plan, "chats_grams"))
				fail_msg("q=%s with %s: no chats_grams in\n%s", terms[t],
					 filters[i].name, plan);
		}
	}
}

/* A walk of a q cut from its few candidates is as exact as any other: while
 * it goes, a chat not yet listed that gets a new message (and so jumps
 * above the cursor) still comes once, one already listed does not come
 * again, a chat created after the first page is not part of it, and the
 * sort=waiting order holds. */
static void test_q_walk_from_candidates_is_exact_while_chats_change(void **state)
{
	struct fx *fx = *state;
	struct api_error err;
	uuid_str other, last, seen[16];
	size_t nseen = 0;
	char *cursor = NULL;

	for (int i = 0; i < 7; i++)
		fx_new_chat(fx, i % 2 ? "refund please" : "a REFUND?", false, other);
	fx_new_chat(fx, "nothing to see", false, other);
	for (int sort = SORT_RECENT; sort <= SORT_WAITING; sort++) {
		struct chat_query q;
		chat_query_init(&q);
		q.q = "refund";
		q.sort = (enum chat_sort)sort;
		/* the chat listed last: a change keeps it there with sort=waiting
		 * (none is escalated), and takes it to the top with sort=recent */
		struct chat_page all = {0};
		q.limit = 50;
		assert_true(db_chats_list(fx->db, &fx->ana, &q, &all, &err));
		memcpy(last, all.chats[all.count - 1].id, sizeof last);
		chat_page_free(&all);
		q.limit = 3; /* a duplicate of the last chat would share the last page */
		nseen = 0;
		do {
			struct chat_page p = {0};
			q.cursor = cursor;
			if (!db_chats_list(fx->db, &fx->ana, &q, &p, &err))
				fail_msg("list: %s", err.description);
			/* the chat created during the first walk counts from then on */
			assert_int_equal(p.total, sort || cursor ? 8 : 7);
			for (size_t i = 0; i < p.count; i++) {
				for (size_t j = 0; j < nseen; j++)
					if (strcmp(seen[j], p.chats[i].id) == 0)
						fail_msg("%s listed twice", p.chats[i].id);
				memcpy(seen[nseen++], p.chats[i].id, sizeof(uuid_str));
			}
			if (!cursor) {
				/* the last (not yet listed) and the first listed change */
				fx_ingest_ex(fx, last, NULL, MSG_ROLE_USER,
					     "refund still missing", false, NULL, NULL);
				fx_ingest_ex(fx, p.chats[0].id, NULL, MSG_ROLE_USER,
					     "refund again", false, NULL, NULL);
				if (sort == SORT_RECENT)
					fx_new_chat(fx, "refund, new", false, other);
			}
			free(cursor);
			cursor = p.next_cursor;
			p.next_cursor = NULL;
			chat_page_free(&p);
		} while (cursor);
		if (nseen != 7 + (size_t)sort)
			fail_msg("sort %d: %zu chats listed, expected %d", sort, nseen, 7 + sort);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_filter_and_sort_uses_an_index, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_totals_stay_exact_as_chats_change, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_q_through_the_trigram_index_keeps_the_rule,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_q_with_many_candidates_caps_its_count,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_short_q_through_the_gram_index_keeps_the_rule,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_short_q_is_a_lookup, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_q_follows_text_changed_within_one_transaction,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_q_walk_from_candidates_is_exact_while_chats_change,
						fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
