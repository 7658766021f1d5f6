/*
 * test_pg_ingest.c — ingest on the PostgreSQL back end, on a real server
 * (pgserver.c): what test_db_ingest.c holds SQLite to — the first message
 * makes the chat, the next ones append, a retried external_message_id is
 * stored once — and what only concurrent writers can break: one chat for
 * a new external_id however many connections ingest into it at once, its
 * messages 1..N, and the event log gap-free.
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

#include "codec.h"
#include "pg.h"
#include "pg_fixture.h"

#define THREADS 8
#define ROUNDS 10

struct fx {
	struct pgfx db; /* first: pgfx_teardown frees the whole; db.c the
			 * main thread's, to look */
	uuid_str bot_id;
	struct agent bot; /* the ingest account */
};

static PGresult *sql(struct fx *fx, const char *text, int n, const char *const *params)
{
	return pgfx_sql(fx->db.c, text, n, params);
}

static long long number(struct fx *fx, const char *text, int n, const char *const *params)
{
	return pgfx_number(fx->db.c, text, n, params);
}

static int setup(void **state)
{
	struct fx *fx = pgfx_new(state, sizeof *fx, true);
	struct errbuf err = {""};

	if (!fx)
		return -1;
	if (!uuid_generate(fx->bot_id, &err))
		return -1;
	memcpy(fx->bot.id, fx->bot_id, sizeof fx->bot.id);
	fx->bot.name = "Widget bot";
	fx->bot.role = ACCOUNT_INGEST;
	fx->bot.active_chats = -1;
	const char *p[] = {fx->bot_id};
	PGresult *r = PQexecParams(fx->db.c,
				   "INSERT INTO accounts (id, name, role, token_hash, created_at)"
				   " VALUES ($1, 'Widget bot', 2, 'token', 0)",
				   1, NULL, p, NULL, NULL, 0);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "the ingest account: %s", PQerrorMessage(fx->db.c));
	PQclear(r);
	return ok ? 0 : -1;
}

/* A customer's message `text` in conversation `conv`, platform message id
 * `ext` (may be NULL). */
static struct ingest customer(const char *conv, const char *ext, const char *text, bool escalate)
{
	return (struct ingest){.external_id = conv, .external_message_id = ext,
			       .source_platform = "botpress", .channel_type = CHANNEL_API,
			       .owner_external_id = "cust-1", .role = MSG_ROLE_USER,
			       .text = text, .escalate = escalate};
}

static void ingest_ok(struct fx *fx, const struct ingest *in, struct chat *c, struct message *m,
		      bool *created)
{
	struct api_error err = {0};

	if (!pg_ingest(fx->db.c, &fx->bot, in, c, m, created, &err))
		fail_msg("ingest: %s", err.description);
}

static void assert_log_gap_free(struct fx *fx)
{
	pgfx_assert_log_gap_free(fx->db.c);
}

/* The frame of event `seq`, which the caller frees. */
static char *event_json(struct fx *fx, int64_t seq)
{
	char s[24];
	snprintf(s, sizeof s, "%lld", (long long)seq);
	PGresult *r = sql(fx, "SELECT json FROM events WHERE seq = $1", 1, (const char *[]){s});
	assert_int_equal(PQntuples(r), 1);
	char *json = strdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	assert_non_null(json);
	return json;
}

static int64_t head(struct fx *fx)
{
	return number(fx, "SELECT seq FROM event_seq", 0, NULL);
}

static void test_first_ingest_creates_the_chat_and_the_next_appends(void **state)
{
	struct fx *fx = *state;
	struct ingest first = customer("conv-1", NULL, "hello", false);
	struct ingest second = customer("conv-1", NULL, "anyone?", false);
	struct chat c1, c2, got;
	struct message m1, m2;
	struct api_error err = {0};
	bool created = false;
	int64_t before = head(fx);

	ingest_ok(fx, &first, &c1, &m1, &created);
	assert_true(created);
	assert_int_equal(m1.seq, 1);
	assert_string_equal(m1.chat_id, c1.id);
	assert_string_equal(m1.author.name, "cust-1"); /* unnamed: their platform id */
	assert_int_equal(c1.message_count, 1);
	assert_int_equal(c1.version, 2); /* created, then the message */
	assert_true(c1.latest.present);
	assert_string_equal(c1.latest.text, "hello");
	assert_false(c1.previous.present);
	assert_string_equal(c1.channel.name, "api");
	assert_true(c1.source.present);
	assert_string_equal(c1.source.account_id, fx->bot.id);
	assert_string_equal(c1.source.account_name, "Widget bot");
	assert_string_equal(c1.source.platform, "botpress");
	/* chat.created, then message.created, one seq after the other */
	assert_int_equal(head(fx), before + 2);
	char *json = event_json(fx, before + 1);
	assert_non_null(strstr(json, "\"type\":\"chat.created\""));
	free(json);

	ingest_ok(fx, &second, &c2, &m2, &created);
	assert_true(created);
	assert_string_equal(c2.id, c1.id);
	assert_int_equal(m2.seq, 2);
	assert_int_equal(c2.message_count, 2);
	assert_int_equal(c2.version, 3);
	assert_string_equal(c2.latest.text, "anyone?");
	assert_string_equal(c2.previous.text, "hello");
	assert_int_equal(head(fx), before + 3);
	assert_int_equal(number(fx, "SELECT count(*) FROM chats WHERE external_id = 'conv-1'", 0,
				NULL),
			 1);

	/* the frame is the shared builder's, for the chat and message the
	 * ingest returned, with its seq */
	struct event ev = {.type = EVENT_MESSAGE_CREATED, .seq = before + 3, .at = m2.created_at,
			   .chat = &c2, .message = &m2};
	char *want = event_to_string(&ev);
	json = event_json(fx, before + 3);
	assert_string_equal(json, want);
	free(json);
	free(want);

	/* and a get reads the chat the ingest returned */
	assert_true(pg_chat_get(fx->db.c, c2.id, &got, &err));
	char *a = chat_to_string(&got), *b = chat_to_string(&c2);
	assert_string_equal(a, b);
	free(a);
	free(b);
	assert_int_equal(number(fx, "SELECT last_event_seq FROM chats WHERE id = $1", 1,
				(const char *[]){c2.id}),
			 before + 3);
	assert_log_gap_free(fx);
	chat_free(&got);
	chat_free(&c1);
	chat_free(&c2);
	message_free(&m1);
	message_free(&m2);
}

static void test_duplicate_is_the_first_message_and_nothing_else(void **state)
{
	struct fx *fx = *state;
	struct ingest first = customer("conv-2", "ext-1", "first", true);
	struct ingest again = customer("conv-2", "ext-1", "second", true);
	struct chat c1, c2;
	struct message m1, m2;
	bool created = false;
	int64_t before = head(fx);

	ingest_ok(fx, &first, &c1, &m1, &created);
	assert_true(created);
	assert_string_equal(m1.external_message_id, "ext-1");
	/* the message and its escalation, each announced after chat.created */
	assert_true(c1.escalated);
	assert_int_equal(c1.escalated_at, m1.created_at);
	assert_int_equal(c1.awaiting_reply_since, m1.created_at);
	assert_int_equal(c1.message_count, 2);
	assert_int_equal(c1.latest.role, MSG_ROLE_SYSTEM);
	assert_int_equal(head(fx), before + 3);
	char *json = event_json(fx, before + 3);
	assert_non_null(strstr(json, "Escalated to a human agent"));
	free(json);
	before = head(fx);

	ingest_ok(fx, &again, &c2, &m2, &created);
	assert_false(created);
	assert_string_equal(m2.id, m1.id);
	assert_string_equal(m2.text, "first");
	assert_string_equal(c2.id, c1.id);
	assert_int_equal(c2.version, c1.version);
	assert_int_equal(c2.message_count, 2);
	assert_int_equal(head(fx), before);
	assert_int_equal(number(fx,
				"SELECT count(*) FROM messages WHERE external_message_id = 'ext-1'",
				0, NULL),
			 1);
	assert_log_gap_free(fx);
	chat_free(&c1);
	chat_free(&c2);
	message_free(&m1);
	message_free(&m2);
}

static void test_the_handoff_rules_refuse_and_store_nothing(void **state)
{
	struct fx *fx = *state;
	struct ingest in = customer("conv-3", NULL, "hi", false);
	struct api_error err = {0};
	struct chat c, none;
	struct message m;
	bool created = false;

	ingest_ok(fx, &in, &c, &m, &created);
	message_free(&m);
	int64_t before = head(fx);
	PQclear(sql(fx, "UPDATE chats SET state = 1 WHERE id = $1", 1, (const char *[]){c.id}));
	assert_false(pg_ingest(fx->db.c, &fx->bot, &in, &none, &m, &created, &err));
	assert_int_equal(err.type, API_CONFLICT);
	assert_int_equal(head(fx), before);
	assert_int_equal(number(fx, "SELECT message_count FROM chats WHERE id = $1", 1,
				(const char *[]){c.id}),
			 1);

	/* the bot speaks as its ingest account, and stays silent while an
	 * agent holds the chat */
	struct ingest bot = {.role = MSG_ROLE_BOT, .text = "I can help"};
	struct chat after;
	memcpy(bot.chat_id, c.id, sizeof bot.chat_id);
	PQclear(sql(fx, "UPDATE chats SET state = 0 WHERE id = $1", 1, (const char *[]){c.id}));
	ingest_ok(fx, &bot, &after, &m, &created);
	assert_string_equal(m.author.id, fx->bot.id);
	assert_string_equal(m.author.name, "Widget bot");
	assert_int_equal(m.seq, 2);
	assert_null(m.external_message_id);
	chat_free(&after);
	message_free(&m);
	before = head(fx);
	PQclear(sql(fx, "UPDATE chats SET mode = 1 WHERE id = $1", 1, (const char *[]){c.id}));
	assert_false(pg_ingest(fx->db.c, &fx->bot, &bot, &none, &m, &created, &err));
	assert_int_equal(err.type, API_CONFLICT);
	assert_non_null(strstr(err.description, "bot must stay silent"));
	assert_int_equal(head(fx), before);

	/* a chat_id names an existing chat, or nothing is made */
	struct ingest unknown = {.role = MSG_ROLE_USER, .text = "lost"};
	assert_true(uuid_generate(unknown.chat_id, &(struct errbuf){""}));
	assert_false(pg_ingest(fx->db.c, &fx->bot, &unknown, &none, &m, &created, &err));
	assert_int_equal(err.type, API_RESOURCE_NOT_FOUND);
	assert_false(pg_chat_get(fx->db.c, unknown.chat_id, &none, &err));
	assert_int_equal(err.type, API_RESOURCE_NOT_FOUND);
	assert_false(pg_chat_get(fx->db.c, "not-a-uuid", &none, &err));
	assert_int_equal(err.type, API_RESOURCE_NOT_FOUND);
	assert_int_equal(head(fx), before);
	chat_free(&c);
}

/* ---- at once, from many connections --------------------------------- */

/* What each sender got in each round. */
struct senders {
	struct fx *fx;
	bool same_ext; /* every sender the one external_message_id */
	uuid_str chat[THREADS][ROUNDS], message[THREADS][ROUNDS];
	int64_t seq[THREADS][ROUNDS];
	bool created[THREADS][ROUNDS];
};

static void conversation(int round, bool same_ext, char out[32])
{
	snprintf(out, 32, "race-%s-%d", same_ext ? "ext" : "new", round);
}

static bool send_at_once(PGconn *pc, int thread, int i, void *ctx, struct errbuf *why)
{
	struct senders *s = ctx;
	struct api_error err = {0};
	char conv[32], text[32];
	struct chat c;
	struct message m;

	conversation(i, s->same_ext, conv);
	snprintf(text, sizeof text, "from %d", thread);
	struct ingest in = customer(conv, s->same_ext ? "the-one" : NULL, text, false);
	if (!pg_ingest(pc, &s->fx->bot, &in, &c, &m, &s->created[thread][i], &err)) {
		/* the runner's buffer says it; an empty description would not */
		snprintf(why->msg, sizeof why->msg, "%s",
			 err.description[0] ? err.description : "pg_ingest failed");
		return false;
	}
	memcpy(s->chat[thread][i], c.id, sizeof s->chat[thread][i]);
	memcpy(s->message[thread][i], m.id, sizeof s->message[thread][i]);
	s->seq[thread][i] = m.seq;
	chat_free(&c);
	message_free(&m);
	return true;
}

static void race(struct fx *fx, struct senders *s)
{
	pgfx_race(&(struct pgfx_race){.conninfo = pgserver_conninfo(fx->db.server),
				      .threads = THREADS, .rounds = ROUNDS, .turn = send_at_once,
				      .ctx = s, .who = "sender"});
}

static void test_a_new_external_id_makes_one_chat(void **state)
{
	struct fx *fx = *state;
	struct senders s = {.fx = fx, .same_ext = false};

	race(fx, &s);
	for (int round = 0; round < ROUNDS; round++) {
		char conv[32];
		bool seen[THREADS + 1] = {false};
		conversation(round, false, conv);
		const char *p[] = {conv};
		assert_int_equal(number(fx, "SELECT count(*) FROM chats WHERE external_id = $1", 1,
					p),
				 1);
		for (int i = 0; i < THREADS; i++) {
			/* one chat for all, and each its own seq of 1..N */
			assert_true(s.created[i][round]);
			assert_string_equal(s.chat[i][round], s.chat[0][round]);
			assert_in_range(s.seq[i][round], 1, THREADS);
			assert_false(seen[s.seq[i][round]]);
			seen[s.seq[i][round]] = true;
		}
		const char *c[] = {s.chat[0][round]};
		assert_int_equal(number(fx, "SELECT message_count FROM chats WHERE id = $1", 1, c),
				 THREADS);
		assert_int_equal(number(fx, "SELECT count(*) FROM messages WHERE chat_id = $1", 1,
					c),
				 THREADS);
		/* one chat.created, a message.created each */
		assert_int_equal(number(fx,
					"SELECT count(*) FROM events WHERE chat_id = $1"
					" AND type = 0",
					1, c),
				 1);
		assert_int_equal(number(fx, "SELECT count(*) FROM events WHERE chat_id = $1", 1, c),
				 THREADS + 1);
		assert_int_equal(number(fx, "SELECT version FROM chats WHERE id = $1", 1, c),
				 THREADS + 1);
	}
	assert_log_gap_free(fx);
}

static void test_an_external_message_id_sent_at_once_is_stored_once(void **state)
{
	struct fx *fx = *state;
	struct senders s = {.fx = fx, .same_ext = true};

	race(fx, &s);
	for (int round = 0; round < ROUNDS; round++) {
		int created = 0;
		for (int i = 0; i < THREADS; i++) {
			created += s.created[i][round];
			/* every sender was answered with the one message */
			assert_string_equal(s.chat[i][round], s.chat[0][round]);
			assert_string_equal(s.message[i][round], s.message[0][round]);
			assert_int_equal(s.seq[i][round], 1);
		}
		assert_int_equal(created, 1);
		const char *c[] = {s.chat[0][round]};
		assert_int_equal(number(fx, "SELECT count(*) FROM messages WHERE chat_id = $1", 1,
					c),
				 1);
		assert_int_equal(number(fx, "SELECT count(*) FROM events WHERE chat_id = $1", 1, c),
				 2);
	}
	assert_log_gap_free(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_ingest_creates_the_chat_and_the_next_appends),
		cmocka_unit_test(test_duplicate_is_the_first_message_and_nothing_else),
		cmocka_unit_test(test_the_handoff_rules_refuse_and_store_nothing),
		cmocka_unit_test(test_a_new_external_id_makes_one_chat),
		cmocka_unit_test(test_an_external_message_id_sent_at_once_is_stored_once),
	};
	return cmocka_run_group_tests(tests, setup, pgfx_teardown);
}
