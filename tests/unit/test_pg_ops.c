/*
 * test_pg_ops.c — the chat actions, replies, message pages, ingest batches
 * and the event log's reads on the PostgreSQL back end, on a real server
 * (pgserver.c): what test_db_actions.c and test_db.c hold SQLite to —
 * assign's and stop's rules and texts, PATCH and rating as chat.updated,
 * a reply only from the holder and once per client_msg_id, notes that
 * never become previews, pages by seq, replay in order and an ingest
 * account's scope, retention that keeps the replayable window — and what
 * only concurrent writers can break: a reply storm with repeated
 * client_msg_ids from several connections, and assigns and a stop racing
 * on one chat.
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

struct fx {
	struct pgfx db; /* first: pgfx_teardown frees the whole */
	struct agent ana, ben, cleo; /* agents */
	struct agent sue;            /* a supervisor */
	struct agent bot, rasa;      /* ingest accounts */
	int convs;                   /* conversations made so far */
};

static const char unknown_id[] = "11111111-2222-4333-8444-555555555555";

static long long number(struct fx *fx, const char *text, int n, const char *const *params)
{
	return pgfx_number(fx->db.c, text, n, params);
}

static int setup(void **state)
{
	struct fx *fx = pgfx_new(state, sizeof *fx, true);

	if (!fx)
		return -1;
	pgfx_account(fx->db.c, &fx->ana, "Ana", ACCOUNT_AGENT);
	pgfx_account(fx->db.c, &fx->ben, "Ben", ACCOUNT_AGENT);
	pgfx_account(fx->db.c, &fx->cleo, "Cleo", ACCOUNT_AGENT);
	pgfx_account(fx->db.c, &fx->sue, "Sue", ACCOUNT_SUPERVISOR);
	pgfx_account(fx->db.c, &fx->bot, "Widget bot", ACCOUNT_INGEST);
	pgfx_account(fx->db.c, &fx->rasa, "Rasa bot", ACCOUNT_INGEST);
	return 0;
}

/* ---- helpers ---------------------------------------------------------------- */

static int64_t head(struct fx *fx)
{
	struct errbuf err = {""};
	int64_t h = -1;

	if (!pg_events_head(fx->db.c, &h, &err))
		fail_msg("head: %s", err.msg);
	return h;
}

static int64_t oldest(struct fx *fx)
{
	struct errbuf err = {""};
	int64_t o = -1;

	if (!pg_events_oldest(fx->db.c, &o, &err))
		fail_msg("oldest: %s", err.msg);
	return o;
}

/* A message into chat `id` ("" for a new conversation, whose id is then
 * written into id) from `from`'s platform. */
static void ingest(struct fx *fx, const struct agent *from, const char *platform, uuid_str id,
		   enum msg_role role, const char *text, bool escalate)
{
	char conv[32];
	struct ingest in = {.source_platform = platform, .channel_type = CHANNEL_API,
			    .role = role, .text = text, .escalate = escalate};
	struct api_error err = {0};
	struct chat c;
	struct message m;

	if (id[0]) {
		memcpy(in.chat_id, id, sizeof in.chat_id);
	} else {
		snprintf(conv, sizeof conv, "conv-%d", ++fx->convs);
		in.external_id = conv;
	}
	if (!pg_ingest(fx->db.c, from, &in, &c, &m, NULL, &err))
		fail_msg("ingest: %s", err.description);
	memcpy(id, c.id, sizeof c.id);
	chat_free(&c);
	message_free(&m);
}

/* A new chat with the customer's first message (escalated when asked),
 * from the widget bot: version 2, or 3 with the escalation's message. */
static void new_chat(struct fx *fx, const char *text, bool escalate, uuid_str id)
{
	id[0] = '\0';
	ingest(fx, &fx->bot, "botpress", id, MSG_ROLE_USER, text, escalate);
}

static void get(struct fx *fx, const char *id, struct chat *c)
{
	struct api_error err = {0};

	if (!pg_chat_get(fx->db.c, id, c, &err))
		fail_msg("get: %s", err.description);
}

static long long messages_of(struct fx *fx, const char *chat)
{
	return number(fx, "SELECT count(*) FROM messages WHERE chat_id = $1", 1,
		      (const char *[]){chat});
}

static long long events_of(struct fx *fx, const char *chat)
{
	return number(fx, "SELECT count(*) FROM events WHERE chat_id = $1", 1,
		      (const char *[]){chat});
}

/* The chat's last message is a system message of `type` saying `text`. */
static void last_system(struct fx *fx, const char *chat, enum system_type type, const char *text)
{
	PGresult *r = pgfx_sql(fx->db.c,
			       "SELECT system_type, text FROM messages WHERE chat_id = $1"
			       " ORDER BY seq DESC LIMIT 1",
			       1, (const char *[]){chat});
	assert_int_equal(PQntuples(r), 1);
	assert_int_equal(atoi(PQgetvalue(r, 0, 0)), type);
	assert_string_equal(PQgetvalue(r, 0, 1), text);
	PQclear(r);
}

/* The type of the chat's last event. */
static int last_event_type(struct fx *fx, const char *chat)
{
	return (int)number(fx, "SELECT type FROM events WHERE chat_id = $1 ORDER BY seq DESC LIMIT 1",
			   1, (const char *[]){chat});
}

/* `ok` was false with error `type` (and `text`, unless NULL). */
static void expect_error(bool ok, const struct api_error *err, enum api_error_type type,
			 const char *text)
{
	assert_false(ok);
	assert_int_equal(err->type, type);
	if (text)
		assert_string_equal(err->description, text);
}

static void take(struct fx *fx, const struct agent *me, const char *chat)
{
	struct api_error err = {0};
	struct chat c;

	if (!pg_takeover_chat(fx->db.c, me, chat, false, &c, &err))
		fail_msg("takeover: %s", err.description);
	chat_free(&c);
}

static void page_free(struct message_page *p)
{
	for (size_t i = 0; i < p->count; i++)
		message_free(&p->messages[i]);
	free(p->messages);
	memset(p, 0, sizeof *p);
}

/* ---- assign, stop, rating, PATCH ------------------------------------------ */

static void test_assign_rules(void **state)
{
	struct fx *fx = *state;
	struct api_error err = {0};
	struct chat c;
	uuid_str id;

	new_chat(fx, "help", true, id);
	/* an unheld chat: any agent may assign it */
	assert_true(pg_assign(fx->db.c, &fx->ana, id, fx->cleo.id, &c, &err));
	assert_string_equal(c.responder.id, fx->cleo.id);
	assert_string_equal(c.responder.name, "Cleo");
	assert_int_equal(c.mode, CHAT_MODE_AGENT);
	assert_int_equal(c.version, 4);
	assert_int_equal(c.awaiting_reply_since, TS_NONE); /* the first response */
	chat_free(&c);
	last_system(fx, id, SYSTEM_TYPE_CHAT_REASSIGNED, "Ana assigned the chat to Cleo");
	assert_int_equal(last_event_type(fx, id), EVENT_MESSAGE_CREATED);

	/* to the current holder: no change, no event */
	int64_t before = head(fx);
	assert_true(pg_assign(fx->db.c, &fx->ana, id, fx->cleo.id, &c, &err));
	assert_int_equal(c.version, 4);
	chat_free(&c);
	assert_int_equal(head(fx), before);

	/* someone else's chat: only a supervisor */
	expect_error(pg_assign(fx->db.c, &fx->ana, id, fx->ana.id, &c, &err), &err, API_CONFLICT,
		     "chat is held by agent Cleo");
	assert_int_equal(head(fx), before);
	assert_true(pg_assign(fx->db.c, &fx->sue, id, fx->ana.id, &c, &err));
	chat_free(&c);
	last_system(fx, id, SYSTEM_TYPE_CHAT_REASSIGNED, "Sue reassigned the chat to Ana");
	/* the holder may pass it on */
	assert_true(pg_assign(fx->db.c, &fx->ana, id, fx->cleo.id, &c, &err));
	assert_string_equal(c.responder.name, "Cleo");
	assert_int_equal(c.version, 6);
	chat_free(&c);
	last_system(fx, id, SYSTEM_TYPE_CHAT_REASSIGNED, "Ana reassigned the chat to Cleo");

	/* whom to: an agent or a supervisor that exists */
	before = head(fx);
	expect_error(pg_assign(fx->db.c, &fx->ana, id, unknown_id, &c, &err), &err,
		     API_RESOURCE_NOT_FOUND, NULL);
	expect_error(pg_assign(fx->db.c, &fx->ana, id, "not-a-uuid", &c, &err), &err,
		     API_RESOURCE_NOT_FOUND, NULL);
	expect_error(pg_assign(fx->db.c, &fx->ana, id, fx->bot.id, &c, &err), &err,
		     API_INVALID_PAYLOAD, "agent_id: must be an agent or a supervisor");
	expect_error(pg_assign(fx->db.c, &fx->ana, unknown_id, fx->ana.id, &c, &err), &err,
		     API_RESOURCE_NOT_FOUND, NULL);
	assert_int_equal(head(fx), before);
	pgfx_assert_log_gap_free(fx->db.c);
}

static void test_stop_then_reply_is_refused(void **state)
{
	struct fx *fx = *state;
	struct api_error err = {0};
	struct message m;
	struct chat c;
	bool created;
	uuid_str id;

	new_chat(fx, "help", true, id);
	take(fx, &fx->ana, id);
	expect_error(pg_stop(fx->db.c, &fx->cleo, id, &c, &err), &err, API_CONFLICT,
		     "chat is held by agent Ana");
	assert_true(pg_stop(fx->db.c, &fx->ana, id, &c, &err));
	assert_int_equal(c.state, CHAT_STATE_STOPPED);
	assert_int_equal(c.responder.type, RESPONDER_NONE);
	assert_string_equal(c.responder.id, "");
	assert_int_equal(c.mode, CHAT_MODE_AI);
	assert_false(c.escalated);
	assert_false(chat_is_waiting(&c));
	assert_int_equal(c.version, 5);
	chat_free(&c);
	last_system(fx, id, SYSTEM_TYPE_CONVERSATION_STOPPED, "Ana stopped the conversation");

	int64_t before = head(fx);
	assert_true(pg_stop(fx->db.c, &fx->ana, id, &c, &err)); /* twice: harmless */
	assert_int_equal(c.version, 5);
	chat_free(&c);
	assert_int_equal(head(fx), before);
	expect_error(pg_reply(fx->db.c, &fx->ana, id, "hi", "x", false, &m, &created, &err), &err,
		     API_CONFLICT, "chat is stopped");
	expect_error(pg_takeover_chat(fx->db.c, &fx->ana, id, false, &c, &err), &err,
		     API_CONFLICT, "chat is stopped");
	expect_error(pg_assign(fx->db.c, &fx->sue, id, fx->ana.id, &c, &err), &err, API_CONFLICT,
		     "chat is stopped");
	assert_int_equal(head(fx), before);

	/* a chat nobody holds may be stopped by any agent */
	new_chat(fx, "bye", false, id);
	assert_true(pg_stop(fx->db.c, &fx->ben, id, &c, &err));
	assert_int_equal(c.state, CHAT_STATE_STOPPED);
	chat_free(&c);
	last_system(fx, id, SYSTEM_TYPE_CONVERSATION_STOPPED, "Ben stopped the conversation");
	expect_error(pg_stop(fx->db.c, &fx->ben, unknown_id, &c, &err), &err,
		     API_RESOURCE_NOT_FOUND, NULL);
	pgfx_assert_log_gap_free(fx->db.c);
}

static void test_rating_and_patch_are_chat_updated(void **state)
{
	struct fx *fx = *state;
	struct api_error err = {0};
	struct chat c;
	uuid_str id;

	new_chat(fx, "help", false, id);
	assert_true(pg_rate(fx->db.c, &fx->ana, id, 4, "quick", NULL, &c, &err));
	assert_true(c.rating.present);
	assert_int_equal(c.rating.score, 4);
	assert_string_equal(c.rating.feedback, "quick");
	assert_null(c.rating.suggested_answer);
	assert_string_equal(c.rating.by, fx->ana.id);
	assert_true(c.rating.at > 0);
	assert_int_equal(c.version, 3);
	chat_free(&c);
	assert_int_equal(last_event_type(fx, id), EVENT_CHAT_UPDATED);
	int64_t before = head(fx);
	expect_error(pg_rate(fx->db.c, &fx->ana, id, 6, NULL, NULL, &c, &err), &err,
		     API_INVALID_PAYLOAD, "score: must be 1..5");
	assert_int_equal(head(fx), before);
	/* a new rating replaces the previous one */
	assert_true(pg_rate(fx->db.c, &fx->ben, id, 2, NULL, "say sorry", &c, &err));
	assert_int_equal(c.rating.score, 2);
	assert_null(c.rating.feedback);
	assert_string_equal(c.rating.suggested_answer, "say sorry");
	assert_string_equal(c.rating.by, fx->ben.id);
	assert_int_equal(c.version, 4);
	chat_free(&c);

	assert_true(pg_chat_patch(fx->db.c, &fx->ana, id, "Refund", -1, &c, &err));
	assert_string_equal(c.title, "Refund");
	assert_false(c.ticket.present);
	assert_int_equal(c.version, 5);
	chat_free(&c);
	assert_true(pg_chat_patch(fx->db.c, &fx->ana, id, NULL, TICKET_PENDING, &c, &err));
	assert_true(c.ticket.present);
	assert_true(uuid_valid(c.ticket.id));
	assert_int_equal(c.ticket.status, TICKET_PENDING);
	assert_string_equal(c.title, "Refund");
	uuid_str ticket;
	memcpy(ticket, c.ticket.id, sizeof ticket);
	chat_free(&c);
	assert_true(pg_chat_patch(fx->db.c, &fx->ana, id, "Refund 2", TICKET_SOLVED, &c, &err));
	assert_string_equal(c.ticket.id, ticket); /* same ticket */
	assert_int_equal(c.ticket.status, TICKET_SOLVED);
	assert_int_equal(c.version, 7);
	chat_free(&c);
	assert_int_equal(last_event_type(fx, id), EVENT_CHAT_UPDATED);
	/* nothing new: no version, no event */
	before = head(fx);
	assert_true(pg_chat_patch(fx->db.c, &fx->ana, id, "Refund 2", TICKET_SOLVED, &c, &err));
	assert_int_equal(c.version, 7);
	chat_free(&c);
	assert_int_equal(head(fx), before);
	/* every change one event: created, message, two ratings, three patches */
	assert_int_equal(events_of(fx, id), 7);
	expect_error(pg_chat_patch(fx->db.c, &fx->ana, unknown_id, "x", -1, &c, &err), &err,
		     API_RESOURCE_NOT_FOUND, NULL);
	expect_error(pg_rate(fx->db.c, &fx->ana, unknown_id, 3, NULL, NULL, &c, &err), &err,
		     API_RESOURCE_NOT_FOUND, NULL);
	pgfx_assert_log_gap_free(fx->db.c);
}

/* ---- messages and replies ----------------------------------------------- */

static void test_messages_pages_by_seq(void **state)
{
	struct fx *fx = *state;
	struct message_page p = {0};
	struct api_error err = {0};
	char text[16];
	uuid_str id;

	new_chat(fx, "m1", false, id);
	for (int i = 2; i <= 12; i++) {
		snprintf(text, sizeof text, "m%d", i);
		ingest(fx, &fx->bot, NULL, id, MSG_ROLE_USER, text, false);
	}
	assert_true(pg_messages_list(fx->db.c, id, 0, -1, 5, &p, &err));
	assert_int_equal(p.count, 5);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(p.messages[i].seq, 8 + (int64_t)i);
	assert_string_equal(p.messages[4].text, "m12");
	assert_string_equal(p.messages[4].chat_id, id);
	assert_true(p.has_more_before);
	page_free(&p);

	assert_true(pg_messages_list(fx->db.c, id, 8, -1, 5, &p, &err));
	assert_int_equal(p.count, 5);
	assert_int_equal(p.messages[0].seq, 3);
	assert_true(p.has_more_before);
	page_free(&p);

	assert_true(pg_messages_list(fx->db.c, id, 3, -1, 5, &p, &err));
	assert_int_equal(p.count, 2);
	assert_int_equal(p.messages[0].seq, 1);
	assert_string_equal(p.messages[0].text, "m1");
	assert_false(p.has_more_before);
	page_free(&p);

	assert_true(pg_messages_list(fx->db.c, id, 0, 10, 5, &p, &err));
	assert_int_equal(p.count, 2);
	assert_int_equal(p.messages[0].seq, 11);
	assert_true(p.has_more_before);
	page_free(&p);

	/* after_seq=0 is a bound: the oldest page, not the newest. */
	assert_true(pg_messages_list(fx->db.c, id, 0, 0, 5, &p, &err));
	assert_int_equal(p.count, 5);
	assert_int_equal(p.messages[0].seq, 1);
	assert_false(p.has_more_before);
	page_free(&p);

	/* past the end: empty, and there is more before */
	assert_true(pg_messages_list(fx->db.c, id, 0, 12, 5, &p, &err));
	assert_int_equal(p.count, 0);
	assert_true(p.has_more_before);
	page_free(&p);

	expect_error(pg_messages_list(fx->db.c, id, 0, -1, 101, &p, &err), &err,
		     API_INVALID_QUERY, NULL);
	expect_error(pg_messages_list(fx->db.c, id, 0, -1, 0, &p, &err), &err, API_INVALID_QUERY,
		     NULL);
	expect_error(pg_messages_list(fx->db.c, id, 5, 2, 5, &p, &err), &err, API_INVALID_QUERY,
		     "before_seq and after_seq cannot be combined");
	expect_error(pg_messages_list(fx->db.c, unknown_id, 0, -1, 5, &p, &err), &err,
		     API_RESOURCE_NOT_FOUND, NULL);
	expect_error(pg_messages_list(fx->db.c, "nope", 0, -1, 5, &p, &err), &err,
		     API_RESOURCE_NOT_FOUND, NULL);
}

static void test_reply_needs_the_holder(void **state)
{
	struct fx *fx = *state;
	struct api_error err = {0};
	struct message m;
	struct chat c;
	bool created;
	uuid_str id;

	new_chat(fx, "help", true, id);
	int64_t before = head(fx);
	expect_error(pg_reply(fx->db.c, &fx->ana, id, "hi", "r1", false, &m, &created, &err), &err,
		     API_CONFLICT, "take over the chat before replying");
	take(fx, &fx->cleo, id);
	expect_error(pg_reply(fx->db.c, &fx->ana, id, "hi", "r1", false, &m, &created, &err), &err,
		     API_CONFLICT, "chat is held by agent Cleo");
	assert_int_equal(head(fx), before + 1); /* only the takeover's */

	/* a customer waits for the agent's answer... */
	ingest(fx, &fx->bot, NULL, id, MSG_ROLE_USER, "still there?", false);
	get(fx, id, &c);
	assert_true(c.awaiting_reply_since != TS_NONE);
	chat_free(&c);
	assert_true(pg_reply(fx->db.c, &fx->cleo, id, "Hi, I am Cleo", "r1", false, &m, &created,
			     &err));
	assert_true(created);
	assert_int_equal(m.role, MSG_ROLE_AGENT);
	assert_string_equal(m.author.id, fx->cleo.id);
	assert_string_equal(m.author.name, "Cleo");
	assert_string_equal(m.client_msg_id, "r1");
	assert_string_equal(m.chat_id, id);
	assert_int_equal(m.seq, 5); /* message, escalation, joined, customer, reply */
	message_free(&m);
	/* ...which the reply gives: previews, version and the wait clock move */
	get(fx, id, &c);
	assert_string_equal(c.latest.text, "Hi, I am Cleo");
	assert_int_equal(c.latest.role, MSG_ROLE_AGENT);
	assert_string_equal(c.previous.text, "still there?");
	assert_int_equal(c.awaiting_reply_since, TS_NONE);
	assert_int_equal(c.message_count, 5);
	assert_int_equal(c.version, 6);
	chat_free(&c);
	assert_int_equal(last_event_type(fx, id), EVENT_MESSAGE_CREATED);
	/* the chat names its last event */
	assert_int_equal(number(fx, "SELECT last_event_seq FROM chats WHERE id = $1", 1,
				(const char *[]){id}),
			 head(fx));
	expect_error(pg_reply(fx->db.c, &fx->cleo, unknown_id, "x", NULL, false, &m, &created, &err),
		     &err, API_RESOURCE_NOT_FOUND, NULL);
	pgfx_assert_log_gap_free(fx->db.c);
}

static void test_reply_is_idempotent_by_client_msg_id(void **state)
{
	struct fx *fx = *state;
	struct api_error err = {0};
	struct message first, again, other;
	struct chat c;
	bool created;
	uuid_str id;

	new_chat(fx, "help", false, id);
	take(fx, &fx->ana, id);
	assert_true(pg_reply(fx->db.c, &fx->ana, id, "once", "abc-1", false, &first, &created,
			     &err));
	assert_true(created);
	int64_t before = head(fx);
	assert_true(pg_reply(fx->db.c, &fx->ana, id, "twice", "abc-1", false, &again, &created,
			     &err));
	assert_false(created);
	assert_string_equal(again.id, first.id);
	assert_int_equal(again.seq, first.seq);
	assert_string_equal(again.text, "once");
	message_free(&again);
	assert_int_equal(head(fx), before);
	get(fx, id, &c);
	assert_int_equal(c.message_count, 3);
	assert_int_equal(c.version, 4);
	chat_free(&c);

	/* even once the chat changed hands: the client only wants to know */
	before = head(fx);
	assert_true(pg_handback(fx->db.c, &fx->ana, id, &c, &err));
	chat_free(&c);
	assert_true(pg_reply(fx->db.c, &fx->ana, id, "thrice", "abc-1", false, &again, &created,
			     &err));
	assert_false(created);
	assert_string_equal(again.id, first.id);
	message_free(&again);
	/* the key is the author's: Ben's abc-1 is a note of his own */
	assert_true(pg_reply(fx->db.c, &fx->ben, id, "mine", "abc-1", true, &other, &created,
			     &err));
	assert_true(created);
	assert_string_not_equal(other.id, first.id);
	assert_int_equal(head(fx), before + 2); /* the handback and the note */
	message_free(&first);
	message_free(&other);
	pgfx_assert_log_gap_free(fx->db.c);
}

static void test_notes_never_become_previews(void **state)
{
	struct fx *fx = *state;
	struct api_error err = {0};
	struct message m;
	struct chat c;
	bool created;
	uuid_str id;

	new_chat(fx, "customer text", false, id);
	ingest(fx, &fx->bot, NULL, id, MSG_ROLE_BOT, "bot text", false);
	/* any agent, not holding the chat */
	assert_true(pg_reply(fx->db.c, &fx->ana, id, "secret note", "n1", true, &m, &created, &err));
	assert_true(created);
	assert_int_equal(m.role, MSG_ROLE_NOTE);
	assert_int_equal(m.seq, 3);
	message_free(&m);
	get(fx, id, &c);
	assert_string_equal(c.latest.text, "bot text");
	assert_string_equal(c.previous.text, "customer text");
	assert_int_equal(c.message_count, 3);
	assert_int_equal(c.version, 4);
	chat_free(&c);

	/* its event is a note's; the one before is not */
	PGresult *r = pgfx_sql(fx->db.c,
			       "SELECT note, json FROM events WHERE chat_id = $1 ORDER BY seq DESC"
			       " LIMIT 2",
			       1, (const char *[]){id});
	assert_int_equal(PQntuples(r), 2);
	assert_string_equal(PQgetvalue(r, 0, 0), "t");
	assert_non_null(strstr(PQgetvalue(r, 0, 1), "\"secret note\""));
	assert_string_equal(PQgetvalue(r, 1, 0), "f");
	PQclear(r);

	/* notes stay allowed after stop, replies do not */
	assert_true(pg_stop(fx->db.c, &fx->ben, id, &c, &err));
	chat_free(&c);
	assert_true(pg_reply(fx->db.c, &fx->ana, id, "after", "n2", true, &m, &created, &err));
	assert_int_equal(m.seq, 5);
	message_free(&m);
	pgfx_assert_log_gap_free(fx->db.c);
}

/* ---- events ---------------------------------------------------------------- */

struct replay {
	int n;
	int64_t seq[64];
	bool note[64];
	char chat[64][UUID_STRLEN + 1];
	char *json[64];
};

static void replay_record(void *ctx, const struct db_event *e)
{
	struct replay *r = ctx;

	if (r->n == 64)
		return;
	r->seq[r->n] = e->seq;
	r->note[r->n] = e->note;
	snprintf(r->chat[r->n], sizeof r->chat[r->n], "%s", e->chat_id);
	r->json[r->n] = strndup(e->json, e->len);
	/* the length is the frame's, and replay knows no source */
	assert_int_equal(strlen(e->json), e->len);
	assert_string_equal(e->source, "");
	r->n++;
}

static void replay_free(struct replay *r)
{
	for (int i = 0; i < r->n; i++)
		free(r->json[i]);
	memset(r, 0, sizeof *r);
}

static int replay(struct fx *fx, int64_t since, int limit, const char *ingest_id,
		  struct replay *r)
{
	replay_free(r);
	return pg_events_after(fx->db.c, since, limit, ingest_id, replay_record, r);
}

static void test_every_change_is_one_event(void **state)
{
	struct fx *fx = *state;
	struct api_error err = {0};
	struct replay r = {0};
	struct chat c;
	uuid_str id;
	int64_t from = head(fx);

	new_chat(fx, "hi", true, id);
	take(fx, &fx->ana, id);
	take(fx, &fx->ana, id); /* no change */
	expect_error(pg_takeover_chat(fx->db.c, &fx->cleo, id, false, &c, &err), &err,
		     API_CONFLICT, NULL);
	assert_true(pg_handback(fx->db.c, &fx->ana, id, &c, &err));
	chat_free(&c);

	/* created, message, escalation, joined, left: seqs one after the
	 * other, each frame carrying its seq and the chat's next version */
	assert_int_equal(replay(fx, from, 100, NULL, &r), 5);
	for (int i = 0; i < 5; i++) {
		char want[48];
		assert_int_equal(r.seq[i], from + 1 + i);
		assert_string_equal(r.chat[i], id);
		assert_false(r.note[i]);
		snprintf(want, sizeof want, "\"seq\":%lld", (long long)(from + 1 + i));
		assert_non_null(strstr(r.json[i], want));
		snprintf(want, sizeof want, "\"version\":%d", i + 1);
		assert_non_null(strstr(r.json[i], want));
	}
	assert_int_equal(head(fx), from + 5);
	assert_int_equal(oldest(fx), 1);
	replay_free(&r);
}

static void test_events_after_replays_in_order(void **state)
{
	struct fx *fx = *state;
	struct api_error err = {0};
	struct replay r = {0};
	struct message m;
	bool created;
	uuid_str a, b;
	int64_t from = head(fx);

	new_chat(fx, "a", false, a);
	assert_true(pg_reply(fx->db.c, &fx->ana, a, "note", "n", true, &m, &created, &err));
	message_free(&m);
	new_chat(fx, "b", false, b);
	assert_int_equal(head(fx), from + 5);

	assert_int_equal(replay(fx, from + 1, 100, NULL, &r), 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(r.seq[i], from + 2 + i);
	assert_true(r.note[1]);
	assert_string_equal(r.chat[1], a);
	assert_string_equal(r.chat[3], b);
	assert_int_equal(replay(fx, from, 2, NULL, &r), 2);
	assert_int_equal(r.seq[1], from + 2);
	assert_int_equal(replay(fx, from + 5, 2, NULL, &r), 0);
	assert_int_equal(replay(fx, from, 0, NULL, &r), 0);
	replay_free(&r);
}

/* An ingest account replays the chats it created and those of the sources
 * granted to it, never a note. */
static void test_an_ingest_account_replays_only_its_scope(void **state)
{
	struct fx *fx = *state;
	struct api_error err = {0};
	struct replay r = {0};
	struct message m;
	bool created;
	uuid_str widget, rasa;
	int64_t from = head(fx);

	new_chat(fx, "from the widget", false, widget);
	assert_true(pg_reply(fx->db.c, &fx->ana, widget, "note", "scope-n", true, &m, &created,
			     &err));
	message_free(&m);
	rasa[0] = '\0';
	ingest(fx, &fx->rasa, "rasa", rasa, MSG_ROLE_USER, "from rasa", false);

	/* everyone's replay: 5 events; the widget bot's: its chat, no note */
	assert_int_equal(replay(fx, from, 100, NULL, &r), 5);
	assert_int_equal(replay(fx, from, 100, fx->bot.id, &r), 2);
	for (int i = 0; i < 2; i++) {
		assert_string_equal(r.chat[i], widget);
		assert_false(r.note[i]);
	}
	assert_int_equal(replay(fx, from, 100, fx->rasa.id, &r), 2);
	assert_string_equal(r.chat[0], rasa);
	assert_true(pg_ingest_may_see(fx->db.c, fx->bot.id, widget));
	assert_false(pg_ingest_may_see(fx->db.c, fx->bot.id, rasa));
	assert_false(pg_ingest_may_see(fx->db.c, fx->rasa.id, widget));
	assert_false(pg_ingest_may_see(fx->db.c, "nope", widget));

	/* granted the widget bot's platform label, rasa sees its chat too */
	pgfx_run(fx->db.c, "INSERT INTO ingest_grants VALUES ($1, 1, 'botpress')", 1,
		 (const char *[]){fx->rasa.id});
	assert_int_equal(replay(fx, from, 100, fx->rasa.id, &r), 4);
	assert_true(pg_ingest_may_see(fx->db.c, fx->rasa.id, widget));
	for (int i = 0; i < 4; i++)
		assert_false(r.note[i]);
	pgfx_run(fx->db.c, "DELETE FROM ingest_grants", 0, NULL);
	assert_int_equal(replay(fx, from, 100, fx->rasa.id, &r), 2);
	/* and granted the account itself, the same */
	pgfx_run(fx->db.c, "INSERT INTO ingest_grants VALUES ($1, 0, $2)", 2,
		 (const char *[]){fx->rasa.id, fx->bot.id});
	assert_int_equal(replay(fx, from, 100, fx->rasa.id, &r), 4);
	assert_true(pg_ingest_may_see(fx->db.c, fx->rasa.id, widget));
	pgfx_run(fx->db.c, "DELETE FROM ingest_grants", 0, NULL);
	/* an id that is no account's sees nothing */
	assert_int_equal(replay(fx, from, 100, unknown_id, &r), 0);
	replay_free(&r);
}

static void test_failed_operation_appends_nothing(void **state)
{
	struct fx *fx = *state;
	struct api_error err = {0};
	struct chat c;
	uuid_str id;

	new_chat(fx, "hi", false, id);
	int64_t before = head(fx);
	expect_error(pg_assign(fx->db.c, &fx->ana, id, unknown_id, &c, &err), &err,
		     API_RESOURCE_NOT_FOUND, NULL);
	expect_error(pg_assign(fx->db.c, &fx->ana, id, fx->bot.id, &c, &err), &err,
		     API_INVALID_PAYLOAD, NULL);
	/* refused inside the write transaction: rolled back */
	expect_error(pg_handback(fx->db.c, &fx->ana, id, &c, &err), &err, API_CONFLICT,
		     "chat is not held by an agent");
	assert_int_equal(head(fx), before);
	get(fx, id, &c);
	assert_int_equal(c.version, 2);
	chat_free(&c);
}

/* ---- batches -------------------------------------------------------------------- */

static struct ingest item(const char *conv, const char *ext, enum msg_role role, const char *text)
{
	return (struct ingest){.external_id = conv, .external_message_id = ext,
			       .source_platform = "botpress", .channel_type = CHANNEL_API,
			       .role = role, .text = text};
}

static void results_free(struct ingest_result *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		chat_free(&out[i].chat);
		message_free(&out[i].message);
	}
}

static void test_a_refused_item_refuses_only_itself(void **state)
{
	struct fx *fx = *state;
	struct api_error err = {0};
	struct ingest_result out[6];
	struct chat c;
	uuid_str stopped, held;

	new_chat(fx, "stop me", false, stopped);
	assert_true(pg_stop(fx->db.c, &fx->ana, stopped, &c, &err));
	chat_free(&c);
	new_chat(fx, "hold me", false, held);
	take(fx, &fx->ana, held);
	int64_t before = head(fx);

	struct ingest items[6] = {
		item("batch-1", "b1", MSG_ROLE_USER, "first"),
		item(NULL, NULL, MSG_ROLE_USER, "to nobody"),
		item(NULL, NULL, MSG_ROLE_USER, "too late"),
		item(NULL, NULL, MSG_ROLE_BOT, "bot while held"),
		item("batch-1", "b2", MSG_ROLE_USER, "second"),
		item("batch-1", "b1", MSG_ROLE_USER, "first again"),
	};
	memcpy(items[1].chat_id, unknown_id, sizeof items[1].chat_id);
	memcpy(items[2].chat_id, stopped, sizeof items[2].chat_id);
	memcpy(items[3].chat_id, held, sizeof items[3].chat_id);
	items[4].escalate = true;
	assert_true(pg_ingest_batch(fx->db.c, &fx->bot, items, 6, out, &err));

	assert_int_equal(out[0].error.type, API_OK);
	assert_true(out[0].created);
	assert_int_equal(out[0].message.seq, 1);
	assert_int_equal(out[1].error.type, API_RESOURCE_NOT_FOUND);
	assert_int_equal(out[2].error.type, API_CONFLICT);
	assert_string_equal(out[2].error.description, "chat is stopped");
	assert_int_equal(out[3].error.type, API_CONFLICT);
	assert_string_equal(out[3].error.description,
			    "an agent holds this chat; the bot must stay silent");
	for (int i = 1; i <= 3; i++) {
		assert_false(out[i].created);
		assert_string_equal(out[i].chat.id, "");
		assert_null(out[i].message.text);
	}
	assert_int_equal(out[4].error.type, API_OK);
	assert_true(out[4].created);
	assert_string_equal(out[4].chat.id, out[0].chat.id);
	assert_int_equal(out[4].message.seq, 2);
	assert_true(out[4].chat.escalated);
	assert_int_equal(out[4].chat.message_count, 3); /* and the escalation's */
	/* a retry inside the batch is the first message, nothing stored */
	assert_int_equal(out[5].error.type, API_OK);
	assert_false(out[5].created);
	assert_string_equal(out[5].message.id, out[0].message.id);
	assert_string_equal(out[5].message.text, "first");

	/* created, first, second, escalation: one seq after the other */
	assert_int_equal(head(fx), before + 4);
	assert_int_equal(events_of(fx, out[0].chat.id), 4);
	assert_int_equal(number(fx, "SELECT last_event_seq FROM chats WHERE id = $1", 1,
				(const char *[]){out[0].chat.id}),
			 before + 4);
	/* the refused chats are as they were */
	assert_int_equal(messages_of(fx, stopped), 2);
	assert_int_equal(messages_of(fx, held), 2);
	results_free(out, 6);
	pgfx_assert_log_gap_free(fx->db.c);
}

static void test_an_invalid_item_refuses_the_batch(void **state)
{
	struct fx *fx = *state;
	struct api_error err = {0};
	struct ingest_result out[2];
	struct ingest items[2] = {
		item("batch-2", NULL, MSG_ROLE_USER, "fine"),
		item("batch-2", NULL, MSG_ROLE_USER, NULL),
	};
	int64_t before = head(fx);

	expect_error(pg_ingest_batch(fx->db.c, &fx->bot, items, 2, out, &err), &err,
		     API_INVALID_PAYLOAD, "items[1].text: is required");
	items[1] = item(NULL, "x", MSG_ROLE_USER, "no chat to be unique in");
	expect_error(pg_ingest_batch(fx->db.c, &fx->bot, items, 2, out, &err), &err,
		     API_INVALID_PAYLOAD, "items[1].external_message_id: needs chat_id or external_id");
	assert_int_equal(head(fx), before);
	assert_int_equal(number(fx, "SELECT count(*) FROM chats WHERE external_id = 'batch-2'", 0,
				NULL),
			 0);
	/* an empty batch is nothing to do */
	assert_true(pg_ingest_batch(fx->db.c, &fx->bot, items, 0, out, &err));
	assert_int_equal(head(fx), before);
}

/* ---- races -------------------------------------------------------------------- */

#define STORM_THREADS 4
#define STORM_ROUNDS 10
#define STORM_KEYS 5 /* client_msg_ids a round, each sent by every thread */

struct storm {
	struct fx *fx;
	uuid_str chat;
	/* per thread, round and key: created, and the message's id and seq */
	bool created[STORM_THREADS][STORM_ROUNDS][STORM_KEYS];
	uuid_str id[STORM_THREADS][STORM_ROUNDS][STORM_KEYS];
	int64_t seq[STORM_THREADS][STORM_ROUNDS][STORM_KEYS];
};

/* Every thread sends the round's keys, each from a different one first,
 * as retries from several hubs would. */
static bool storm_turn(PGconn *c, int thread, int round, void *ctx, struct errbuf *err)
{
	struct storm *s = ctx;

	for (int i = 0; i < STORM_KEYS; i++) {
		int k = (i + thread) % STORM_KEYS;
		char key[32], text[48];
		struct api_error why = {0};
		struct message m;
		snprintf(key, sizeof key, "storm-%d-%d", round, k);
		snprintf(text, sizeof text, "reply %d of round %d", k, round);
		if (!pg_reply(c, &s->fx->ana, s->chat, text, key, false, &m,
			      &s->created[thread][round][k], &why))
			return errbuf_set(err, "reply: %s", why.description);
		memcpy(s->id[thread][round][k], m.id, sizeof m.id);
		s->seq[thread][round][k] = m.seq;
		message_free(&m);
	}
	return true;
}

static void test_a_reply_storm_stores_each_reply_once(void **state)
{
	struct fx *fx = *state;
	static struct storm s; /* large for a stack */
	struct chat c;

	memset(&s, 0, sizeof s);
	s.fx = fx;
	new_chat(fx, "storm", false, s.chat);
	take(fx, &fx->ana, s.chat);
	int64_t before = head(fx);
	pgfx_race(&(struct pgfx_race){.conninfo = pgserver_conninfo(fx->db.server),
				      .threads = STORM_THREADS, .rounds = STORM_ROUNDS,
				      .turn = storm_turn, .ctx = &s, .who = "replier"});

	/* each key stored once: one thread created it, all got its id */
	for (int round = 0; round < STORM_ROUNDS; round++)
		for (int k = 0; k < STORM_KEYS; k++) {
			int made = 0;
			for (int t = 0; t < STORM_THREADS; t++) {
				made += s.created[t][round][k];
				assert_string_equal(s.id[t][round][k], s.id[0][round][k]);
				assert_int_equal(s.seq[t][round][k], s.seq[0][round][k]);
			}
			if (made != 1)
				fail_msg("round %d key %d: created %d times", round, k, made);
		}
	/* the thread is 1..N without a gap; one event a reply */
	long long n = 2 + STORM_ROUNDS * STORM_KEYS; /* the customer's, joined, the replies */
	assert_int_equal(messages_of(fx, s.chat), n);
	assert_int_equal(number(fx, "SELECT count(DISTINCT seq) FROM messages WHERE chat_id = $1",
				1, (const char *[]){s.chat}),
			 n);
	assert_int_equal(number(fx, "SELECT max(seq) FROM messages WHERE chat_id = $1", 1,
				(const char *[]){s.chat}),
			 n);
	assert_int_equal(number(fx, "SELECT count(*) FROM messages WHERE chat_id = $1"
				    " AND client_msg_id IS NOT NULL",
				1, (const char *[]){s.chat}),
			 STORM_ROUNDS * STORM_KEYS);
	assert_int_equal(head(fx), before + STORM_ROUNDS * STORM_KEYS);
	get(fx, s.chat, &c);
	assert_int_equal(c.message_count, n);
	assert_int_equal(c.version, 3 + STORM_ROUNDS * STORM_KEYS);
	chat_free(&c);
	pgfx_assert_log_gap_free(fx->db.c);
}

#define HOLDER_THREADS 4
#define HOLDER_ROUNDS 15

struct holders {
	struct fx *fx;
	uuid_str chat[HOLDER_ROUNDS];
	bool ok[HOLDER_THREADS][HOLDER_ROUNDS];
	enum api_error_type refused[HOLDER_THREADS][HOLDER_ROUNDS];
	char said[HOLDER_THREADS][HOLDER_ROUNDS][API_DESCRIPTION_LEN];
};

/* A fresh chat a round, which the bot has. */
static void holders_stage(int round, void *ctx)
{
	struct holders *h = ctx;

	new_chat(h->fx, "who takes me", true, h->chat[round]);
}

/* Sue assigns to Ana, to Ben and to Cleo, and stops, all at once. */
static bool holders_turn(PGconn *c, int thread, int round, void *ctx, struct errbuf *err)
{
	struct holders *h = ctx;
	const struct agent *to[] = {&h->fx->ana, &h->fx->ben, &h->fx->cleo};
	struct api_error why = {0};
	struct chat out;

	h->ok[thread][round] =
		thread < 3 ? pg_assign(c, &h->fx->sue, h->chat[round], to[thread]->id, &out, &why)
			   : pg_stop(c, &h->fx->sue, h->chat[round], &out, &why);
	if (h->ok[thread][round]) {
		chat_free(&out);
		return true;
	}
	h->refused[thread][round] = why.type;
	snprintf(h->said[thread][round], sizeof h->said[thread][round], "%s", why.description);
	return why.type == API_CONFLICT || errbuf_set(err, "%s", why.description);
}

static void test_assigns_and_a_stop_at_once_leave_a_consistent_chat(void **state)
{
	struct fx *fx = *state;
	static struct holders h;
	const struct agent *to[] = {&fx->ana, &fx->ben, &fx->cleo};
	int stopped_first = 0;

	memset(&h, 0, sizeof h);
	h.fx = fx;
	pgfx_race(&(struct pgfx_race){.conninfo = pgserver_conninfo(fx->db.server),
				      .threads = HOLDER_THREADS, .rounds = HOLDER_ROUNDS,
				      .turn = holders_turn, .before = holders_stage, .ctx = &h,
				      .who = "supervisor"});
	for (int round = 0; round < HOLDER_ROUNDS; round++) {
		const char *id = h.chat[round];
		int changes = 0;
		struct chat c;

		/* the stop always goes through; an assign fails only after it */
		assert_true(h.ok[3][round]);
		for (int t = 0; t < HOLDER_THREADS; t++) {
			changes += h.ok[t][round];
			if (!h.ok[t][round]) {
				assert_int_equal(h.refused[t][round], API_CONFLICT);
				assert_string_equal(h.said[t][round], "chat is stopped");
			}
		}
		stopped_first += changes == 1;
		/* one system message, one event and one version a change */
		get(fx, id, &c);
		assert_int_equal(c.state, CHAT_STATE_STOPPED);
		assert_int_equal(c.responder.type, RESPONDER_NONE);
		assert_int_equal(c.message_count, 2 + changes);
		assert_int_equal(c.version, 3 + changes);
		assert_int_equal(messages_of(fx, id), 2 + changes);
		assert_int_equal(events_of(fx, id), 3 + changes);
		assert_int_equal(number(fx, "SELECT count(DISTINCT seq) FROM messages"
					    " WHERE chat_id = $1",
					1, (const char *[]){id}),
				 2 + changes);
		chat_free(&c);
		last_system(fx, id, SYSTEM_TYPE_CONVERSATION_STOPPED, "Sue stopped the conversation");
		/* each assign that went through is told once, in the order the
		 * lock gave them turns: the first "assigned", the next ones
		 * "reassigned" */
		for (int t = 0; t < 3; t++) {
			char text[64];
			snprintf(text, sizeof text, "%%the chat to %s", to[t]->name);
			assert_int_equal(number(fx, "SELECT count(*) FROM messages WHERE chat_id = $1"
						    " AND text LIKE $2",
						2, (const char *[]){id, text}),
					 h.ok[t][round]);
		}
		if (changes > 1)
			assert_int_equal(number(fx, "SELECT count(*) FROM messages WHERE chat_id = $1"
						    " AND text LIKE 'Sue assigned %'",
						1, (const char *[]){id}),
					 1);
		/* the chat names its last event, and the event frames their
		 * versions in seq order */
		assert_int_equal(number(fx, "SELECT last_event_seq FROM chats WHERE id = $1", 1,
					(const char *[]){id}),
				 number(fx, "SELECT max(seq) FROM events WHERE chat_id = $1", 1,
					(const char *[]){id}));
		PGresult *r = pgfx_sql(fx->db.c,
				       "SELECT json FROM events WHERE chat_id = $1 ORDER BY seq", 1,
				       (const char *[]){id});
		for (int i = 0; i < PQntuples(r); i++) {
			char want[32];
			snprintf(want, sizeof want, "\"version\":%d", i + 1);
			assert_non_null(strstr(PQgetvalue(r, i, 0), want));
		}
		PQclear(r);
	}
	(void)stopped_first; /* how often the stop won is the scheduler's */
	pgfx_assert_log_gap_free(fx->db.c);
}

#define BATCH_THREADS 4
#define BATCH_ROUNDS 6
#define BATCH_CHATS 4 /* existing chats a round, which every batch names */

struct batches {
	struct fx *fx;
	char conv[BATCH_ROUNDS][BATCH_CHATS][32];
	uuid_str chat[BATCH_ROUNDS][BATCH_CHATS];
	char fresh[BATCH_ROUNDS][2][32]; /* two new conversations a round */
	int made[BATCH_THREADS][BATCH_ROUNDS]; /* items stored */
};

static void batches_stage(int round, void *ctx)
{
	struct batches *b = ctx;
	struct api_error err = {0};

	for (int i = 0; i < BATCH_CHATS; i++) {
		snprintf(b->conv[round][i], sizeof b->conv[round][i], "br-%d-%d", round, i);
		struct ingest in = item(b->conv[round][i], NULL, MSG_ROLE_USER, "first");
		struct chat c;
		struct message m;
		if (!pg_ingest(b->fx->db.c, &b->fx->bot, &in, &c, &m, NULL, &err))
			fail_msg("ingest: %s", err.description);
		memcpy(b->chat[round][i], c.id, sizeof c.id);
		chat_free(&c);
		message_free(&m);
	}
	for (int i = 0; i < 2; i++)
		snprintf(b->fresh[round][i], sizeof b->fresh[round][i], "bn-%d-%d", round, i);
}

/* Each thread names the round's chats in an order of its own (even
 * threads by external_id, odd ones by chat_id), and the two new
 * conversations with their two customers crossed. */
static bool batches_turn(PGconn *c, int thread, int round, void *ctx, struct errbuf *err)
{
	struct batches *b = ctx;
	struct ingest items[BATCH_CHATS + 2];
	struct ingest_result out[BATCH_CHATS + 2];
	struct api_error why = {0};
	size_t n = 0;

	for (int i = 0; i < BATCH_CHATS; i++) {
		int k = thread % 2 ? BATCH_CHATS - 1 - (i + thread) % BATCH_CHATS
				   : (i + thread) % BATCH_CHATS;
		items[n] = item(thread % 2 ? NULL : b->conv[round][k], NULL, MSG_ROLE_USER, "more");
		if (thread % 2)
			memcpy(items[n].chat_id, b->chat[round][k], sizeof items[n].chat_id);
		n++;
	}
	for (int i = 0; i < 2; i++) {
		int k = (i + thread) % 2;
		items[n] = item(b->fresh[round][k], NULL, MSG_ROLE_USER, "new");
		items[n].owner_external_id = k == (thread / 2) % 2 ? "cust-a" : "cust-b";
		n++;
	}
	if (!pg_ingest_batch(c, &b->fx->bot, items, n, out, &why))
		return errbuf_set(err, "batch: %s", why.description);
	for (size_t i = 0; i < n; i++) {
		b->made[thread][round] += out[i].error.type == API_OK && out[i].created;
		chat_free(&out[i].chat);
		message_free(&out[i].message);
	}
	return true;
}

static void test_batches_naming_the_same_chats_at_once_all_go_in(void **state)
{
	struct fx *fx = *state;
	static struct batches b;

	memset(&b, 0, sizeof b);
	b.fx = fx;
	pgfx_race(&(struct pgfx_race){.conninfo = pgserver_conninfo(fx->db.server),
				      .threads = BATCH_THREADS, .rounds = BATCH_ROUNDS,
				      .turn = batches_turn, .before = batches_stage, .ctx = &b,
				      .who = "batch"});
	for (int round = 0; round < BATCH_ROUNDS; round++) {
		for (int t = 0; t < BATCH_THREADS; t++)
			assert_int_equal(b.made[t][round], BATCH_CHATS + 2);
		/* each chat: its first message, then one of every batch, 1..N */
		for (int i = 0; i < BATCH_CHATS; i++) {
			const char *id = b.chat[round][i];
			struct chat c;
			assert_int_equal(messages_of(fx, id), 1 + BATCH_THREADS);
			assert_int_equal(number(fx, "SELECT max(seq) FROM messages WHERE chat_id = $1",
						1, (const char *[]){id}),
					 1 + BATCH_THREADS);
			get(fx, id, &c);
			assert_int_equal(c.version, 2 + BATCH_THREADS);
			chat_free(&c);
		}
		/* each new conversation made once, with every batch's message */
		for (int i = 0; i < 2; i++)
			assert_int_equal(number(fx, "SELECT count(*) FROM messages m JOIN chats c"
						    " ON c.id = m.chat_id WHERE c.external_id = $1",
						1, (const char *[]){b.fresh[round][i]}),
					 BATCH_THREADS);
	}
	pgfx_assert_log_gap_free(fx->db.c);
}

#define MIX_THREADS 4
#define MIX_ROUNDS 30

struct mix {
	struct fx *fx;
	char e[MIX_ROUNDS][32], f[MIX_ROUNDS][32], o[MIX_ROUNDS][32], x[MIX_ROUNDS][32];
};

static void mix_stage(int round, void *ctx)
{
	struct mix *m = ctx;

	snprintf(m->e[round], sizeof m->e[round], "mix-%d-e", round);
	snprintf(m->f[round], sizeof m->f[round], "mix-%d-f", round);
	snprintf(m->o[round], sizeof m->o[round], "mix-%d-o", round);
	snprintf(m->x[round], sizeof m->x[round], "mix-%d-x", round);
}

/* Thread 0 batches a new conversation E (customer X), then a new one F
 * for customer O; the others ingest into E, one at a time, as customer O:
 * the circle a single ingest could close with a batch, holding O while
 * it waits for E. */
static bool mix_turn(PGconn *c, int thread, int round, void *ctx, struct errbuf *err)
{
	struct mix *m = ctx;
	struct api_error why = {0};

	if (thread == 0) {
		struct ingest items[2] = {item(m->e[round], NULL, MSG_ROLE_USER, "batched"),
					  item(m->f[round], NULL, MSG_ROLE_USER, "batched")};
		struct ingest_result out[2];
		items[0].owner_external_id = m->x[round];
		items[1].owner_external_id = m->o[round];
		if (!pg_ingest_batch(c, &m->fx->bot, items, 2, out, &why))
			return errbuf_set(err, "batch: %s", why.description);
		results_free(out, 2);
		return true;
	}
	struct ingest in = item(m->e[round], NULL, MSG_ROLE_USER, "single");
	struct chat chat;
	struct message msg;
	in.owner_external_id = m->o[round];
	if (!pg_ingest(c, &m->fx->bot, &in, &chat, &msg, NULL, &why))
		return errbuf_set(err, "ingest: %s", why.description);
	chat_free(&chat);
	message_free(&msg);
	return true;
}

static void test_a_batch_and_ingests_making_one_chat_all_go_in(void **state)
{
	struct fx *fx = *state;
	static struct mix m;

	memset(&m, 0, sizeof m);
	m.fx = fx;
	pgfx_race(&(struct pgfx_race){.conninfo = pgserver_conninfo(fx->db.server),
				      .threads = MIX_THREADS, .rounds = MIX_ROUNDS,
				      .turn = mix_turn, .before = mix_stage, .ctx = &m,
				      .who = "ingester"});
	for (int round = 0; round < MIX_ROUNDS; round++) {
		assert_int_equal(number(fx, "SELECT count(*) FROM messages m JOIN chats c"
					    " ON c.id = m.chat_id WHERE c.external_id = $1",
					1, (const char *[]){m.e[round]}),
				 MIX_THREADS);
		assert_int_equal(number(fx, "SELECT count(*) FROM chats WHERE external_id = $1", 1,
					(const char *[]){m.f[round]}),
				 1);
	}
	pgfx_assert_log_gap_free(fx->db.c);
}

/* ---- retention (last: it cuts the log's start) ---------------------------------- */

static bool prune_turn(PGconn *c, int thread, int round, void *ctx, struct errbuf *err)
{
	(void)thread;
	(void)round;
	(void)ctx;
	return pg_events_prune(c, 10, err);
}

static void test_old_events_are_compacted_and_replay_starts_at_the_floor(void **state)
{
	struct fx *fx = *state;
	struct errbuf err = {""};
	struct replay r = {0};
	uuid_str id;

	for (int i = 0; i < 20; i++)
		new_chat(fx, "x", false, id);
	long long chats = number(fx, "SELECT count(*) FROM chats", 0, NULL);
	int64_t h = head(fx);
	assert_true(h > 40);
	assert_int_equal(oldest(fx), 1);

	/* within a fifth over the window: nothing to do yet */
	assert_true(pg_events_prune(fx->db.c, h - h / 6, &err));
	assert_int_equal(oldest(fx), 1);

	if (!pg_events_prune(fx->db.c, 10, &err))
		fail_msg("prune: %s", err.msg);
	int64_t floor = oldest(fx);
	assert_int_equal(floor, h - 10 + 1);
	/* at or above the floor, the whole log; below it, each chat's last
	 * event only (what the list cursors need), no chat left without one */
	char fl[24];
	snprintf(fl, sizeof fl, "%lld", (long long)floor);
	assert_int_equal(number(fx, "SELECT count(*) FROM events WHERE seq >= $1", 1,
				(const char *[]){fl}),
			 10);
	assert_int_equal(number(fx, "SELECT count(*) FROM events WHERE seq < $1", 1,
				(const char *[]){fl}),
			 number(fx, "SELECT count(DISTINCT chat_id) FROM events WHERE seq < $1", 1,
				(const char *[]){fl}));
	assert_int_equal(number(fx, "SELECT count(DISTINCT chat_id) FROM events", 0, NULL), chats);

	/* replay offers only the contiguous retained events */
	assert_int_equal(replay(fx, 0, 64, NULL, &r), 10);
	assert_int_equal(r.seq[0], floor);
	assert_int_equal(r.seq[9], h);
	assert_int_equal(replay(fx, floor, 64, NULL, &r), 9);

	/* hubs pruning at once take turns on the floor: each prunes from
	 * where the other left it, and the window is what was asked */
	new_chat(fx, "y", false, id);
	new_chat(fx, "z", false, id);
	assert_int_equal(head(fx), h + 4); /* 14 in the window: 12 allowed */
	pgfx_race(&(struct pgfx_race){.conninfo = pgserver_conninfo(fx->db.server),
				      .threads = 4, .rounds = 1, .turn = prune_turn,
				      .who = "pruner"});
	assert_int_equal(oldest(fx), h + 4 - 10 + 1);
	assert_int_equal(replay(fx, 0, 64, NULL, &r), 10);
	assert_int_equal(number(fx, "SELECT count(DISTINCT chat_id) FROM events", 0, NULL),
			 chats + 2);
	replay_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_assign_rules),
		cmocka_unit_test(test_stop_then_reply_is_refused),
		cmocka_unit_test(test_rating_and_patch_are_chat_updated),
		cmocka_unit_test(test_messages_pages_by_seq),
		cmocka_unit_test(test_reply_needs_the_holder),
		cmocka_unit_test(test_reply_is_idempotent_by_client_msg_id),
		cmocka_unit_test(test_notes_never_become_previews),
		cmocka_unit_test(test_every_change_is_one_event),
		cmocka_unit_test(test_events_after_replays_in_order),
		cmocka_unit_test(test_an_ingest_account_replays_only_its_scope),
		cmocka_unit_test(test_failed_operation_appends_nothing),
		cmocka_unit_test(test_a_refused_item_refuses_only_itself),
		cmocka_unit_test(test_an_invalid_item_refuses_the_batch),
		cmocka_unit_test(test_a_reply_storm_stores_each_reply_once),
		cmocka_unit_test(test_assigns_and_a_stop_at_once_leave_a_consistent_chat),
		cmocka_unit_test(test_batches_naming_the_same_chats_at_once_all_go_in),
		cmocka_unit_test(test_a_batch_and_ingests_making_one_chat_all_go_in),
		cmocka_unit_test(test_old_events_are_compacted_and_replay_starts_at_the_floor),
	};
	return cmocka_run_group_tests(tests, setup, pgfx_teardown);
}
