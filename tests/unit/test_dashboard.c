/*
 * test_dashboard.c — the team dashboard's figures (src/client/dashboard.c):
 * read from a snapshot, moved by events (once each, in seq order, those
 * that came while the snapshot was on its way included), and by time
 * alone: the wait grows, a clock crosses its target, a minute's replies
 * leave the hour, a new day starts the counts again.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "dashboard.h"
#include "timeutil.h"

#define ANA "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
#define BEN "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
#define C1  "11111111-1111-4111-8111-111111111111"
#define C2  "22222222-2222-4222-8222-222222222222"

/* 2026-12-01T10:00:30.000Z */
static int64_t t0;

static struct dashboard *snapshot(void)
{
	char text[2048], replies[512];
	size_t n = 0;
	struct errbuf err;

	/* Ana replied three times in the snapshot's minute. */
	for (int i = 0; i < DASHBOARD_MINUTES; i++)
		n += (size_t)snprintf(replies + n, sizeof replies - n, "%s%d", i ? "," : "",
				      i == DASHBOARD_MINUTES - 1 ? 3 : 0);
	snprintf(text, sizeof text,
		 "{\"now\":\"2026-12-01T10:00:30.000Z\",\"seq\":10,"
		 "\"targets\":{\"first_response_s\":60,\"next_response_s\":300},"
		 "\"today\":{\"date\":\"2026-12-01\",\"conversations\":1,\"escalations\":1,"
		 "\"taken_over\":0,\"replies\":3},"
		 "\"chats\":[{\"id\":\"" C1 "\",\"waiting\":true,"
		 "\"escalated_at\":\"2026-12-01T10:00:10.000Z\","
		 "\"awaiting_reply_since\":\"2026-12-01T10:00:10.000Z\",\"holder\":null}],"
		 "\"agents\":[{\"id\":\"" ANA "\",\"name\":\"Ana\",\"email\":null,\"role\":\"agent\","
		 "\"active_chats\":0,\"replies_by_minute\":[%s],\"first_responses_ms\":[]},"
		 "{\"id\":\"" BEN "\",\"name\":\"Ben\",\"email\":null,\"role\":\"agent\","
		 "\"active_chats\":0,\"replies_by_minute\":[%s],\"first_responses_ms\":[4000]}]}",
		 replies, replies);
	cJSON *j = cJSON_Parse(text);
	assert_non_null(j);
	struct dashboard *d = dashboard_from_json(j, &err);
	cJSON_Delete(j);
	if (!d)
		fail_msg("%s", err.msg);
	return d;
}

/* An event on a chat: after it, the chat is `waiting`, or held by
 * `holder` (NULL: neither), and its clock runs from `since`. */
static struct chat chat_after(const char *id, bool waiting, const char *holder, int64_t since)
{
	struct chat c = {0};

	snprintf(c.id, sizeof c.id, "%s", id);
	c.escalated = waiting || holder;
	c.escalated_at = c.escalated ? t0 - 20000 : TS_NONE;
	c.mode = holder ? CHAT_MODE_AGENT : CHAT_MODE_AI;
	c.responder.type = holder ? RESPONDER_AGENT : RESPONDER_BOT;
	snprintf(c.responder.id, sizeof c.responder.id, "%s", holder ? holder : "");
	c.awaiting_reply_since = since;
	c.created_at = t0 - 60000;
	return c;
}

static bool apply(struct dashboard *d, int64_t seq, struct chat *c, enum msg_role role,
		  enum system_type st, const char *author, int64_t at)
{
	struct message m = {0};
	struct event e = {.type = EVENT_MESSAGE_CREATED, .seq = seq, .chat = c, .message = &m};

	m.role = role;
	m.system_type = st;
	snprintf(m.author.id, sizeof m.author.id, "%s", author ? author : "");
	m.created_at = at;
	return dashboard_apply(d, &e);
}

static void takeover_by_ana(struct dashboard *d, int64_t seq, int64_t at)
{
	struct chat c = chat_after(C1, false, ANA, TS_NONE);
	apply(d, seq, &c, MSG_ROLE_SYSTEM, SYSTEM_TYPE_AGENT_JOINED, ANA, at);
}

static void reply_by_ana(struct dashboard *d, int64_t seq, int64_t at)
{
	struct chat c = chat_after(C1, false, ANA, TS_NONE);
	apply(d, seq, &c, MSG_ROLE_AGENT, SYSTEM_TYPE_NONE, ANA, at);
}

static void agent(const struct dashboard *d, size_t i, int64_t now, struct dashboard_agent *a)
{
	dashboard_agent(d, i, now, a);
}

static void test_snapshot_figures_and_time(void **state)
{
	(void)state;
	struct dashboard *d = snapshot();
	struct dashboard_figures f;
	struct dashboard_agent a;

	dashboard_figures(d, t0, &f);
	assert_int_equal(f.waiting, 1);
	assert_int_equal(f.longest_wait_ms, 20000);
	assert_int_equal(f.breached_first, 0);
	assert_string_equal(f.date, "2026-12-01");
	assert_int_equal(f.replies, 3);
	assert_int_equal(f.nagents, 2);
	agent(d, 1, t0, &a);
	assert_string_equal(a.agent->name, "Ben");
	assert_int_equal(a.median_first_ms, 4000);
	/* While a chat waits the wait ticks each second. */
	assert_int_equal(dashboard_changes_at(d, t0 + 250), t0 + 1000);
	/* Its clock reaches the 60 s target 40 s later: a breach by time alone. */
	dashboard_figures(d, t0 + 40000, &f);
	assert_int_equal(f.breached_first, 1);
	assert_int_equal(f.longest_wait_ms, 60000);
	dashboard_free(d);
}

static void test_events_once_each(void **state)
{
	(void)state;
	struct dashboard *d = snapshot();
	struct dashboard_figures f;
	struct dashboard_agent a;

	/* Ana takes the waiting chat 25 s after its escalation. */
	takeover_by_ana(d, 11, t0 + 5000);
	takeover_by_ana(d, 11, t0 + 5000); /* the same event again */
	reply_by_ana(d, 9, t0 + 6000);     /* older than the snapshot: in it */
	dashboard_figures(d, t0 + 6000, &f);
	assert_int_equal(f.waiting, 0);
	assert_int_equal(f.longest_wait_ms, -1);
	assert_int_equal(f.held, 1);
	assert_int_equal(f.taken_over, 1);
	assert_int_equal(f.replies, 3);
	agent(d, 0, t0 + 6000, &a);
	assert_int_equal(a.held, 1);
	assert_int_equal(a.first_responses, 1);
	assert_int_equal(a.median_first_ms, 25000);
	assert_int_equal(a.replies_hour, 3);

	/* A reply counts in the hour and today; nothing waits, so the next
	 * change by time is the hour's end for those replies' minute. */
	reply_by_ana(d, 12, t0 + 10000);
	agent(d, 0, t0 + 10000, &a);
	assert_int_equal(a.replies_hour, 4);
	dashboard_figures(d, t0 + 10000, &f);
	assert_int_equal(f.replies, 4);
	int64_t minute_end = (t0 / 60000 + 60) * 60000;
	assert_int_equal(dashboard_changes_at(d, t0 + 10000), minute_end);

	/* The customer writes: the held chat's 300 s clock breaches later. */
	struct chat c = chat_after(C1, false, ANA, t0 + 20000);
	apply(d, 13, &c, MSG_ROLE_USER, SYSTEM_TYPE_NONE, NULL, t0 + 20000);
	agent(d, 0, t0 + 320000, &a);
	assert_int_equal(a.breached, 1);

	/* A handback: held by nobody, out of the dashboard. */
	c = chat_after(C1, false, NULL, TS_NONE);
	apply(d, 14, &c, MSG_ROLE_SYSTEM, SYSTEM_TYPE_AGENT_LEFT, ANA, t0 + 30000);
	dashboard_figures(d, t0 + 30000, &f);
	assert_int_equal(f.held, 0);
	dashboard_free(d);
}

static void test_the_hour_rolls(void **state)
{
	(void)state;
	struct dashboard *d = snapshot();
	struct dashboard_agent a;
	int64_t minute = t0 / 60000 * 60000;

	/* The snapshot's minute is in the hour for 59 more minutes. */
	agent(d, 0, minute + 59 * 60000 + 59999, &a);
	assert_int_equal(a.replies_hour, 3);
	agent(d, 0, minute + 60 * 60000, &a);
	assert_int_equal(a.replies_hour, 0);
	/* A reply an hour later reuses the bucket: the old count is gone. */
	reply_by_ana(d, 11, minute + 60 * 60000 + 5000);
	agent(d, 0, minute + 60 * 60000 + 5000, &a);
	assert_int_equal(a.replies_hour, 1);
	dashboard_free(d);
}

static void test_events_while_loading(void **state)
{
	(void)state;
	struct dashboard *d = dashboard_new();
	struct dashboard_figures f;

	takeover_by_ana(d, 9, t0 - 1000);  /* in the snapshot already */
	reply_by_ana(d, 11, t0 + 1000);    /* after it */
	assert_false(dashboard_loaded(d));
	dashboard_load(d, snapshot());
	dashboard_figures(d, t0 + 1000, &f);
	assert_int_equal(f.replies, 4);
	assert_int_equal(f.taken_over, 0);
	/* The reset after a resync waits for the next snapshot again. */
	dashboard_reset(d);
	assert_false(dashboard_loaded(d));
	dashboard_free(d);
}

static void test_a_new_day(void **state)
{
	(void)state;
	struct dashboard *d = snapshot();
	struct dashboard_figures f;
	struct dashboard_agent a;
	int64_t midnight = (t0 / 86400000 + 1) * 86400000;

	assert_false(dashboard_tick(d, midnight - 1));
	assert_true(dashboard_tick(d, midnight));
	dashboard_figures(d, midnight, &f);
	assert_string_equal(f.date, "2026-12-02");
	assert_int_equal(f.conversations, 0);
	assert_int_equal(f.replies, 0);
	agent(d, 1, midnight, &a);
	assert_int_equal(a.median_first_ms, -1);
	/* The chat still waits: waits are not daily. */
	assert_int_equal(f.waiting, 1);
	dashboard_free(d);
}

static void test_bad_snapshots(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"{}",
		"{\"now\":\"2026-12-01T10:00:30.000Z\",\"seq\":-1}",
		"{\"now\":\"2026-12-01T10:00:30.000Z\",\"seq\":1,\"today\":{\"date\":\"x\"}}",
		"{\"now\":\"2026-12-01T10:00:30.000Z\",\"seq\":1,\"today\":{\"date\":\"2026-12-01\","
		"\"conversations\":0,\"escalations\":0,\"taken_over\":0,\"replies\":0},"
		"\"chats\":[{\"id\":\"nope\",\"waiting\":true}],\"agents\":[]}",
		"{\"now\":\"2026-12-01T10:00:30.000Z\",\"seq\":1,\"today\":{\"date\":\"2026-12-01\","
		"\"conversations\":0,\"escalations\":0,\"taken_over\":0,\"replies\":0},"
		"\"chats\":[],\"agents\":[{\"id\":\"" ANA "\",\"name\":\"Ana\",\"email\":null,"
		"\"role\":\"agent\",\"replies_by_minute\":[1,2],\"first_responses_ms\":[]}]}",
	};
	struct errbuf err;

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		cJSON *j = cJSON_Parse(bad[i]);
		assert_non_null(j);
		assert_null(dashboard_from_json(j, &err));
		cJSON_Delete(j);
	}
}

static int setup(void **state)
{
	struct errbuf err;
	(void)state;
	return ts_parse("2026-12-01T10:00:30.000Z", &t0, &err) ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snapshot_figures_and_time),
		cmocka_unit_test(test_events_once_each),
		cmocka_unit_test(test_the_hour_rolls),
		cmocka_unit_test(test_events_while_loading),
		cmocka_unit_test(test_a_new_day),
		cmocka_unit_test(test_bad_snapshots),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
