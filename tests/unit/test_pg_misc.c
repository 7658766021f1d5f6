/*
 * test_pg_misc.c — canned replies, stats and ingest grants on the
 * PostgreSQL back end, on a real server (pgserver.c): what the SQLite
 * back end is held to (test_db.c's stats, the hub's replies, platform
 * stats and ingest scope tests) — who sees and may remove which reply, a
 * name used twice in one scope is 409; one row per day with zeros; a
 * repeated report replaces the earlier; a grant widens an ingest
 * account's scope and a revoke narrows it back, scope failing closed —
 * and what only concurrent writers can break: of hubs adding one name at
 * once exactly one wins and the others get 409, overlapping reports never
 * deadlock, a grant given by several at once is stored once.
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

#include "canned.h"
#include "pg.h"
#include "pg_fixture.h"

#define THREADS 8
#define ROUNDS 10
#define MS_PER_DAY 86400000LL

struct fx {
	struct pgfx db; /* first: pgfx_teardown frees the whole */
	struct agent ana, ben, sue, bot, bot2;
};

static int setup(void **state)
{
	struct fx *fx = pgfx_new(state, sizeof *fx, true);

	if (!fx)
		return -1;
	pgfx_account(fx->db.c, &fx->ana, "Ana", ACCOUNT_AGENT);
	pgfx_account(fx->db.c, &fx->ben, "Ben", ACCOUNT_AGENT);
	pgfx_account(fx->db.c, &fx->sue, "Sue", ACCOUNT_SUPERVISOR);
	pgfx_account(fx->db.c, &fx->bot, "Bridge", ACCOUNT_INGEST);
	pgfx_account(fx->db.c, &fx->bot2, "Other bridge", ACCOUNT_INGEST);
	return 0;
}

/* A customer's message in conversation `conv` from ingest account `bot`,
 * on `platform`; the chat to *out (freed by the caller) */
static void ingest(struct fx *fx, const struct agent *bot, const char *conv, const char *platform,
		   bool escalate, struct chat *out)
{
	struct ingest in = {.external_id = conv, .source_platform = platform,
			    .channel_type = CHANNEL_API, .owner_external_id = conv,
			    .role = MSG_ROLE_USER, .text = "hello", .escalate = escalate};
	struct message m;
	struct api_error err = {0};

	if (!pg_ingest(fx->db.c, bot, &in, out, &m, NULL, &err))
		fail_msg("ingest: %s", err.description);
	message_free(&m);
}

/* ---- canned replies -------------------------------------------------------- */

static void add_ok(struct fx *fx, const struct agent *me, const char *name, const char *text,
		   bool shared, char *id)
{
	struct canned r;
	struct api_error err = {0};

	if (!pg_canned_add(fx->db.c, me, name, text, shared, &r, &err))
		fail_msg("add %s: %s", name, err.description);
	assert_string_equal(r.name, name);
	assert_string_equal(r.text, text);
	assert_int_equal(r.shared, shared);
	assert_string_equal(r.owner_id, shared ? "" : me->id);
	assert_true(r.created_at > 0);
	if (id)
		memcpy(id, r.id, sizeof r.id);
	canned_free(&r);
}

/* The names `me` sees, in order, "a,b,c"; shared ones as "a*". */
static void names(struct fx *fx, const struct agent *me, char *out, size_t len)
{
	struct canned *list;
	struct api_error err = {0};
	size_t n, k = 0;

	if (!pg_canned_list(fx->db.c, me, &list, &n, &err))
		fail_msg("list: %s", err.description);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		k += (size_t)snprintf(out + k, len - k, "%s%s%s", k ? "," : "", list[i].name,
				      list[i].shared ? "*" : "");
		canned_free(&list[i]);
	}
	free(list);
}

static void remove_fails(struct fx *fx, const struct agent *me, const char *id,
			 enum api_error_type type)
{
	struct canned r;
	struct api_error err = {0};

	assert_false(pg_canned_remove(fx->db.c, me, id, &r, &err));
	assert_int_equal(err.type, type);
}

static void test_canned_shared_and_personal(void **state)
{
	struct fx *fx = *state;
	char shared[UUID_STRLEN + 1], mine[UUID_STRLEN + 1], seen[256];
	struct canned r;
	struct api_error err = {0};

	add_ok(fx, &fx->sue, "greet", "Hi {customer}, {agent} here.", true, shared);
	add_ok(fx, &fx->ana, "bye", "Bye {customer}!", false, mine);
	/* The same name may be the team's and one agent's own. */
	add_ok(fx, &fx->ben, "greet", "Yo", false, NULL);
	/* Names bytewise: capitals first, as on SQLite. */
	add_ok(fx, &fx->ana, "Zed", "z", false, NULL);

	/* Everyone sees the shared one, first on a tie; only its owner a
	 * personal one. */
	names(fx, &fx->ana, seen, sizeof seen);
	assert_string_equal(seen, "Zed,bye,greet*");
	names(fx, &fx->ben, seen, sizeof seen);
	assert_string_equal(seen, "greet*,greet");
	names(fx, &fx->sue, seen, sizeof seen);
	assert_string_equal(seen, "greet*");

	/* A name used twice in one scope. */
	assert_false(pg_canned_add(fx->db.c, &fx->ana, "bye", "again", false, &r, &err));
	assert_int_equal(err.type, API_CONFLICT);
	assert_false(pg_canned_add(fx->db.c, &fx->sue, "greet", "again", true, &r, &err));
	assert_int_equal(err.type, API_CONFLICT);
	add_ok(fx, &fx->ben, "bye", "Ben's own bye", false, NULL); /* Ana's is hers */

	/* Another's personal reply does not exist for Ben or Sue; a shared one
	 * is the supervisor's to remove. */
	remove_fails(fx, &fx->ben, mine, API_RESOURCE_NOT_FOUND);
	remove_fails(fx, &fx->sue, mine, API_RESOURCE_NOT_FOUND);
	remove_fails(fx, &fx->ana, shared, API_FORBIDDEN);
	remove_fails(fx, &fx->ana, "not-an-id", API_RESOURCE_NOT_FOUND);
	assert_true(pg_canned_remove(fx->db.c, &fx->sue, shared, &r, &err));
	assert_string_equal(r.id, shared);
	assert_string_equal(r.name, "greet");
	assert_true(r.shared);
	canned_free(&r);
	remove_fails(fx, &fx->sue, shared, API_RESOURCE_NOT_FOUND);

	assert_true(pg_canned_remove(fx->db.c, &fx->ana, mine, &r, &err));
	assert_string_equal(r.text, "Bye {customer}!");
	assert_string_equal(r.owner_id, fx->ana.id);
	canned_free(&r);
	names(fx, &fx->ana, seen, sizeof seen);
	assert_string_equal(seen, "Zed");
	names(fx, &fx->ben, seen, sizeof seen);
	assert_string_equal(seen, "bye,greet");
}

struct canned_race {
	struct fx *fx;
	int added[ROUNDS], conflicts[ROUNDS];
	char unexpected[256];
};

/* Every thread adds the round's shared name at once. */
static bool add_same_name(PGconn *c, int thread, int round, void *ctx, struct errbuf *err)
{
	struct canned_race *r = ctx;
	char name[32];
	struct canned out;
	struct api_error aerr = {0};

	(void)thread;
	(void)err;
	snprintf(name, sizeof name, "race-%d", round);
	if (pg_canned_add(c, &r->fx->sue, name, "x", true, &out, &aerr)) {
		canned_free(&out);
		__atomic_add_fetch(&r->added[round], 1, __ATOMIC_SEQ_CST);
	} else if (aerr.type == API_CONFLICT) {
		__atomic_add_fetch(&r->conflicts[round], 1, __ATOMIC_SEQ_CST);
	} else {
		snprintf(r->unexpected, sizeof r->unexpected, "%s", aerr.description);
	}
	return true;
}

static void test_canned_name_race_has_one_winner(void **state)
{
	struct fx *fx = *state;
	struct canned_race r = {.fx = fx};

	pgfx_race(&(struct pgfx_race){.conninfo = pgserver_conninfo(fx->db.server),
				       .threads = THREADS, .rounds = ROUNDS, .turn = add_same_name,
				       .ctx = &r, .who = "hub"});
	assert_string_equal(r.unexpected, "");
	for (int i = 0; i < ROUNDS; i++) {
		assert_int_equal(r.added[i], 1);
		assert_int_equal(r.conflicts[i], THREADS - 1);
	}
	assert_int_equal(pgfx_number(fx->db.c,
				     "SELECT count(*) FROM canned_replies WHERE name LIKE 'race-%'",
				     0, NULL),
			 ROUNDS);
}

/* ---- stats ------------------------------------------------------------------- */

static void test_stats_count_per_day_with_zeros(void **state)
{
	struct fx *fx = *state;
	struct day_stats *days;
	struct api_error err = {0};
	struct chat a, b, c;
	size_t n;
	int64_t today = ts_now() / MS_PER_DAY;

	/* what the days hold before: other tests' chats */
	assert_true(pg_stats_daily(fx->db.c, today, today, &days, &n, &err));
	struct day_stats before = days[0];
	free(days);

	ingest(fx, &fx->bot, "stats-1", "widget", true, &a);
	ingest(fx, &fx->bot, "stats-2", "widget", false, &b);
	if (!pg_takeover_chat(fx->db.c, &fx->ana, a.id, false, &c, &err))
		fail_msg("takeover: %s", err.description);
	chat_free(&c);
	char at[24];
	snprintf(at, sizeof at, "%lld", (long long)ts_now());
	pgfx_run(fx->db.c, "UPDATE chats SET rating_score = 4, rating_at = $2 WHERE id = $1", 2,
		 (const char *[]){b.id, at});
	/* a chat rated three days ago, created today */
	snprintf(at, sizeof at, "%lld", (long long)((today - 3) * MS_PER_DAY + 5));
	pgfx_run(fx->db.c, "UPDATE chats SET rating_score = 2, rating_at = $2 WHERE id = $1", 2,
		 (const char *[]){a.id, at});

	assert_true(pg_stats_daily(fx->db.c, today - 4, today, &days, &n, &err));
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(days[i].day, today - 4 + (int64_t)i);
	assert_int_equal(days[0].conversations, 0);
	assert_int_equal(days[0].ratings, 0);
	assert_int_equal(days[1].ratings, 1);
	assert_int_equal(days[1].rating_sum, 2);
	assert_int_equal(days[1].conversations, 0);
	assert_int_equal(days[4].conversations, before.conversations + 2);
	assert_int_equal(days[4].escalations, before.escalations + 1);
	assert_int_equal(days[4].taken_over, before.taken_over + 1);
	assert_int_equal(days[4].ratings, before.ratings + 1);
	assert_int_equal(days[4].rating_sum, before.rating_sum + 4);
	free(days);
	chat_free(&a);
	chat_free(&b);

	/* a day of the future is a row of zeros */
	assert_true(pg_stats_daily(fx->db.c, today + 1, today + 1, &days, &n, &err));
	assert_int_equal(n, 1);
	assert_int_equal(days[0].day, today + 1);
	assert_int_equal(days[0].conversations + days[0].escalations + days[0].taken_over +
				 days[0].ratings + days[0].rating_sum,
			 0);
	free(days);

	assert_false(pg_stats_daily(fx->db.c, today, today - 1, &days, &n, &err));
	assert_int_equal(err.type, API_INVALID_QUERY);
	assert_false(pg_stats_daily(fx->db.c, today - 366, today, &days, &n, &err));
	assert_int_equal(err.type, API_INVALID_QUERY);
	assert_true(pg_stats_daily(fx->db.c, today - 365, today, &days, &n, &err));
	assert_int_equal(n, 366);
	assert_int_equal(days[365].day, today);
	free(days);
}

static void report(struct fx *fx, const struct agent *me, const char *platform,
		   const struct platform_day *days, size_t n)
{
	struct api_error err = {0};

	if (!pg_stats_ingest(fx->db.c, me, platform, days, n, &err))
		fail_msg("report: %s", err.description);
}

static void test_platform_reports_replace_and_group(void **state)
{
	struct fx *fx = *state;
	struct platform_stats *p;
	struct api_error err = {0};
	size_t n;

	report(fx, &fx->bot, "telegram", (struct platform_day[]){{100, 5}, {101, 7}, {90, 1}}, 3);
	/* a repeated day replaces the earlier report; given twice in one
	 * report, the last stands */
	report(fx, &fx->bot, "telegram", (struct platform_day[]){{101, 9}, {102, 4}, {102, 6}}, 3);
	report(fx, &fx->bot2, "telegram", (struct platform_day[]){{100, 3}}, 1);
	report(fx, &fx->bot2, "Acme", (struct platform_day[]){{101, 2}}, 1);
	report(fx, &fx->bot, "telegram", NULL, 0); /* nothing, and no error */

	assert_true(pg_stats_platforms(fx->db.c, 100, 102, &p, &n, &err));
	/* platforms bytewise ("Acme" first), then bridges in the order they
	 * were added; only the days reported, oldest first */
	assert_int_equal(n, 3);
	assert_string_equal(p[0].platform, "Acme");
	assert_string_equal(p[0].account_id, fx->bot2.id);
	assert_int_equal(p[0].n, 1);
	assert_int_equal(p[0].days[0].day, 101);
	assert_int_equal(p[0].days[0].conversations, 2);
	assert_string_equal(p[1].platform, "telegram");
	assert_string_equal(p[1].account_id, fx->bot.id);
	assert_int_equal(p[1].n, 3);
	assert_int_equal(p[1].days[0].day, 100);
	assert_int_equal(p[1].days[0].conversations, 5);
	assert_int_equal(p[1].days[1].conversations, 9);
	assert_int_equal(p[1].days[2].day, 102);
	assert_int_equal(p[1].days[2].conversations, 6);
	assert_string_equal(p[2].account_id, fx->bot2.id);
	assert_int_equal(p[2].n, 1);
	assert_int_equal(p[2].days[0].conversations, 3);
	db_platform_stats_free(p, n);

	/* a window with no report: no group at all */
	assert_true(pg_stats_platforms(fx->db.c, 200, 300, &p, &n, &err));
	assert_int_equal(n, 0);
	db_platform_stats_free(p, n);
}

struct report_race {
	struct fx *fx;
};

/* Every thread reports the same ten days for one bridge at once, half of
 * them in reverse order: rows locked in two orders would deadlock. */
static bool report_days(PGconn *c, int thread, int round, void *ctx, struct errbuf *err)
{
	struct report_race *r = ctx;
	struct platform_day days[10];
	struct api_error aerr = {0};

	for (int i = 0; i < 10; i++) {
		int day = thread % 2 ? 9 - i : i;
		days[i] = (struct platform_day){1000 + day, thread * 100 + round};
	}
	return pg_stats_ingest(c, &r->fx->bot, "race", days, 10, &aerr) ||
	       errbuf_set(err, "report: %s", aerr.description);
}

static void test_overlapping_reports_never_deadlock(void **state)
{
	struct fx *fx = *state;
	struct report_race r = {fx};

	pgfx_race(&(struct pgfx_race){.conninfo = pgserver_conninfo(fx->db.server),
				       .threads = THREADS, .rounds = ROUNDS, .turn = report_days,
				       .ctx = &r, .who = "hub"});
	/* one row per day, each some thread's whole last report */
	assert_int_equal(pgfx_number(fx->db.c,
				     "SELECT count(*) FROM platform_daily WHERE platform = 'race'",
				     0, NULL),
			 10);
	assert_int_equal(pgfx_number(fx->db.c,
				     "SELECT count(*) FROM platform_daily WHERE platform = 'race'"
				     " AND conversations % 100 <> $1",
				     1, (const char *[]){"9"}),
			 0);
}

/* ---- grants and scope ---------------------------------------------------------- */

static bool grant(struct fx *fx, const char *ingest_ref, enum grant_kind kind, const char *source,
		  bool revoke)
{
	struct errbuf err = {""};
	bool changed = false;

	if (!pg_grant(fx->db.c, ingest_ref, kind, source, revoke, &changed, &err))
		fail_msg("grant: %s", err.msg);
	return changed;
}

static void grant_fails(struct fx *fx, const char *ingest_ref, enum grant_kind kind,
			const char *source, const char *why)
{
	struct errbuf err = {""};
	bool changed = false;

	assert_false(pg_grant(fx->db.c, ingest_ref, kind, source, false, &changed, &err));
	assert_string_equal(err.msg, why);
}

static void test_grants_widen_and_narrow_the_scope(void **state)
{
	struct fx *fx = *state;
	struct chat mine, theirs;
	PGconn *c = fx->db.c;

	ingest(fx, &fx->bot, "scope-1", "whatsapp", false, &mine);
	ingest(fx, &fx->bot2, "scope-2", "telegram", false, &theirs);
	/* its own chats only */
	assert_true(pg_ingest_may_see(c, fx->bot.id, mine.id));
	assert_false(pg_ingest_may_see(c, fx->bot.id, theirs.id));
	assert_true(pg_ingest_may_see(c, fx->bot2.id, theirs.id));

	/* another bridge's chats, by its name; granting twice changes nothing */
	assert_true(grant(fx, "Bridge", GRANT_ACCOUNT, "Other bridge", false));
	assert_false(grant(fx, fx->bot.id, GRANT_ACCOUNT, fx->bot2.id, false));
	assert_true(pg_ingest_may_see(c, fx->bot.id, theirs.id));
	assert_false(pg_ingest_may_see(c, fx->bot2.id, mine.id)); /* one way */
	assert_true(grant(fx, "Bridge", GRANT_ACCOUNT, fx->bot2.id, true));
	assert_false(grant(fx, "Bridge", GRANT_ACCOUNT, "Other bridge", true));
	assert_false(pg_ingest_may_see(c, fx->bot.id, theirs.id));

	/* a platform's chats, by its label */
	assert_true(grant(fx, "Bridge", GRANT_PLATFORM, "telegram", false));
	assert_true(pg_ingest_may_see(c, fx->bot.id, theirs.id));
	assert_true(grant(fx, "Bridge", GRANT_PLATFORM, "telegram", true));
	assert_false(pg_ingest_may_see(c, fx->bot.id, theirs.id));

	/* only ingest accounts, named once */
	grant_fails(fx, "Ana", GRANT_PLATFORM, "telegram", "no ingest account \"Ana\"");
	grant_fails(fx, "Bridge", GRANT_ACCOUNT, "Nobody", "no ingest account \"Nobody\"");
	struct agent twin;
	pgfx_account(fx->db.c, &twin, "Bridge", ACCOUNT_INGEST);
	grant_fails(fx, "Bridge", GRANT_PLATFORM, "telegram",
		    "several ingest accounts are called \"Bridge\": give its id");
	assert_true(grant(fx, fx->bot.id, GRANT_PLATFORM, "telegram", false));
	assert_true(grant(fx, fx->bot.id, GRANT_PLATFORM, "telegram", true));
	pgfx_run(c, "UPDATE accounts SET name = 'Twin' WHERE id = $1", 1,
		 (const char *[]){twin.id});

	/* nothing else is in scope, and an error says no */
	assert_false(pg_ingest_may_see(c, fx->bot.id, "not-an-id"));
	assert_false(pg_ingest_may_see(c, "not-an-id", mine.id));
	assert_false(pg_ingest_may_see(c, fx->ana.id, mine.id));
	pgfx_run(c, "BEGIN", 0, NULL);
	PQclear(PQexec(c, "SELECT 1 / 0")); /* the transaction is aborted */
	assert_false(pg_ingest_may_see(c, fx->bot.id, mine.id));
	pgfx_run(c, "ROLLBACK", 0, NULL);
	assert_true(pg_ingest_may_see(c, fx->bot.id, mine.id));
	chat_free(&mine);
	chat_free(&theirs);
}

struct grant_race {
	struct fx *fx;
	int changed[ROUNDS];
};

/* Even rounds grant, odd ones revoke, all threads at once. */
static bool grant_at_once(PGconn *c, int thread, int round, void *ctx, struct errbuf *err)
{
	struct grant_race *r = ctx;
	bool changed = false;

	(void)thread;
	if (!pg_grant(c, r->fx->bot.id, GRANT_PLATFORM, "line", round % 2, &changed, err))
		return false;
	if (changed)
		__atomic_add_fetch(&r->changed[round], 1, __ATOMIC_SEQ_CST);
	return true;
}

static void test_a_grant_given_at_once_is_stored_once(void **state)
{
	struct fx *fx = *state;
	struct grant_race r = {fx, {0}};

	pgfx_race(&(struct pgfx_race){.conninfo = pgserver_conninfo(fx->db.server),
				       .threads = THREADS, .rounds = ROUNDS, .turn = grant_at_once,
				       .ctx = &r, .who = "operator"});
	for (int i = 0; i < ROUNDS; i++)
		assert_int_equal(r.changed[i], 1);
	assert_int_equal(pgfx_number(fx->db.c,
				     "SELECT count(*) FROM ingest_grants WHERE source = 'line'", 0,
				     NULL),
			 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canned_shared_and_personal),
		cmocka_unit_test(test_canned_name_race_has_one_winner),
		cmocka_unit_test(test_stats_count_per_day_with_zeros),
		cmocka_unit_test(test_platform_reports_replace_and_group),
		cmocka_unit_test(test_overlapping_reports_never_deadlock),
		cmocka_unit_test(test_grants_widen_and_narrow_the_scope),
		cmocka_unit_test(test_a_grant_given_at_once_is_stored_once),
	};
	return cmocka_run_group_tests(tests, setup, pgfx_teardown);
}
