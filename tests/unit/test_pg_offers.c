/*
 * test_pg_offers.c — auto-assignment's offers and the team dashboard on
 * the PostgreSQL back end, on a real server (pgserver.c), each group on a
 * server of its own.
 *
 * Offers: what test_hub_autoassign.c holds the SQLite hub to — a waiting
 * chat goes to the online agent with the most free room, ties to the one
 * longest without a new chat, never to an away, full or passing one;
 * accept makes them the holder (409 without an open offer), a pass or an
 * expiry offers it to the next, a withdrawal is no pass, an offer of a
 * chat taken meanwhile ends, a round notes OFFER_ROUND_MAX at most — and
 * what only hubs racing can break: rounds at once never offer a chat twice
 * nor an agent beyond their room, and end each expired offer once; and a
 * round caught in the middle while a pass and another hub's round go by,
 * the one interleaving that fills a place twice unless rounds take turns.
 *
 * Dashboard: what test_hub_dashboard.c reads after real ingests,
 * takeovers, replies, notes and handbacks — the waiting then held chats,
 * replies by minute, today's replies and first responses — and that its
 * figures and its seq are one moment while replies are being written.
 *
 * Threads never assert (cmocka's failures jump within the main thread):
 * they record what they got, and the main thread checks it after joining.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg.h"
#include "pg_fixture.h"
#include "timeutil.h"

#define AGENTS 6
#define SECONDS 60

struct fx {
	struct pgfx db; /* first: pgfx_teardown frees the whole */
	struct agent agents[AGENTS]; /* [0] Ana, [1] Ben, [2] Cy, then Dee, Eve, Fay */
	struct agent sue, bot;       /* a supervisor, the ingest account */
	int conv;                    /* external ids made so far */
};

static const char *const names[AGENTS] = {"Ana", "Ben", "Cy", "Dee", "Eve", "Fay"};

static PGresult *sql(struct fx *fx, const char *text, int n, const char *const *params)
{
	return pgfx_sql(fx->db.c, text, n, params);
}

static void run(struct fx *fx, const char *text, int n, const char *const *params)
{
	pgfx_run(fx->db.c, text, n, params);
}

static long long number(struct fx *fx, const char *text, int n, const char *const *params)
{
	return pgfx_number(fx->db.c, text, n, params);
}

static bool account(struct fx *fx, struct agent *a, const char *name, enum account_role role)
{
	char token[TOKEN_STRLEN + 1];
	struct errbuf err;

	if (pg_account_add(fx->db.c, name, NULL, role, token, a, &err))
		return true;
	fprintf(stderr, "account %s: %s\n", name, err.msg);
	return false;
}

static int setup(void **state)
{
	struct fx *fx = pgfx_new(state, sizeof *fx, true);
	bool ok = fx != NULL;

	for (int i = 0; ok && i < AGENTS; i++)
		ok = account(fx, &fx->agents[i], names[i], ACCOUNT_AGENT);
	ok = ok && account(fx, &fx->sue, "Sue", ACCOUNT_SUPERVISOR) &&
	     account(fx, &fx->bot, "Bridge", ACCOUNT_INGEST);
	return ok ? 0 : -1;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	for (int i = 0; fx && i < AGENTS; i++)
		agent_free(&fx->agents[i]);
	if (fx) {
		agent_free(&fx->sue);
		agent_free(&fx->bot);
	}
	return pgfx_teardown(state);
}

/* Nothing waits, nobody holds or was given a chat, no offers, no passes,
 * every capacity the default: each test starts from here. */
static void fresh(struct fx *fx)
{
	run(fx,
	    "UPDATE chats SET escalated = false, escalated_at = NULL, mode = 0, responder_type = 0,"
	    " responder_id = NULL",
	    0, NULL);
	run(fx, "DELETE FROM offers", 0, NULL);
	run(fx, "DELETE FROM offer_passes", 0, NULL);
	run(fx, "UPDATE accounts SET capacity = NULL, assigned_at = NULL", 0, NULL);
}

/* A customer's message in a new conversation; escalated when asked. */
static void new_chat(struct fx *fx, bool escalate, uuid_str id)
{
	char conv[32];
	struct api_error err = {0};
	struct chat c;
	struct message m;
	bool created = false;

	snprintf(conv, sizeof conv, "conv-%d", ++fx->conv);
	struct ingest in = {.external_id = conv, .channel_type = CHANNEL_API,
			    .owner_external_id = conv, .role = MSG_ROLE_USER,
			    .text = "a human please", .escalate = escalate};
	if (!pg_ingest(fx->db.c, &fx->bot, &in, &c, &m, &created, &err))
		fail_msg("ingest: %s", err.description);
	memcpy(id, c.id, sizeof(uuid_str));
	chat_free(&c);
	message_free(&m);
}

/* A customer's further message in the chat. */
static void customer_writes(struct fx *fx, const char *chat)
{
	struct api_error err = {0};
	struct chat c;
	struct message m;
	bool created = false;
	struct ingest in = {.role = MSG_ROLE_USER, .text = "hello?"};

	memcpy(in.chat_id, chat, sizeof in.chat_id);
	if (!pg_ingest(fx->db.c, &fx->bot, &in, &c, &m, &created, &err))
		fail_msg("ingest: %s", err.description);
	chat_free(&c);
	message_free(&m);
}

static void take(struct fx *fx, const struct agent *me, const char *chat)
{
	struct api_error err = {0};
	struct chat c;

	if (!pg_takeover_chat(fx->db.c, me, chat, false, &c, &err))
		fail_msg("takeover: %s", err.description);
	chat_free(&c);
}

static void hand_back(struct fx *fx, const struct agent *me, const char *chat)
{
	struct api_error err = {0};
	struct chat c;

	if (!pg_handback(fx->db.c, me, chat, &c, &err))
		fail_msg("handback: %s", err.description);
	chat_free(&c);
}

/* ---- offers -------------------------------------------------------------- */

struct round {
	struct offer_note notes[OFFER_ROUND_MAX];
	size_t n;
	int64_t next_ms;
};

/* A round with the agents `online` (indexes into fx->agents, -1 ends). */
static void round_of(struct fx *fx, const int *online, struct round *r)
{
	const char *ids[AGENTS + 2];
	size_t n = 0;
	struct api_error err = {0};

	for (; online[n] >= 0; n++)
		ids[n] = fx->agents[online[n]].id;
	if (!pg_offers_round(fx->db.c, 3, ids, n, SECONDS, r->notes, &r->n, &r->next_ms, &err))
		fail_msg("round: %s", err.description);
}

/* The round made exactly one note: `chat` offered to `agent` (for SECONDS)
 * or its offer ended (seconds 0). */
static void note_is(const struct offer_note *note, const char *chat, const struct agent *agent,
		    int64_t seconds)
{
	assert_string_equal(note->chat_id, chat);
	assert_string_equal(note->agent_id, agent->id);
	assert_int_equal(note->seconds, seconds);
}

static void only_note(const struct round *r, const char *chat, const struct agent *agent,
		      int64_t seconds)
{
	assert_int_equal(r->n, 1);
	note_is(&r->notes[0], chat, agent, seconds);
}

static size_t offers_of(struct fx *fx, const struct agent *a, struct chat_offer *out)
{
	size_t n = 99;
	struct api_error err = {0};

	if (!pg_offers_of(fx->db.c, a->id, out, &n, &err))
		fail_msg("offers of: %s", err.description);
	return n;
}

static void accept_ok(struct fx *fx, const struct agent *me, const char *chat)
{
	struct api_error err = {0};
	struct chat c;

	if (!pg_offer_accept(fx->db.c, me, chat, &c, &err))
		fail_msg("accept: %s", err.description);
	assert_string_equal(c.responder.id, me->id);
	assert_int_equal(c.mode, CHAT_MODE_AGENT);
	chat_free(&c);
}

static void accept_409(struct fx *fx, const struct agent *me, const char *chat)
{
	struct api_error err = {0};
	struct chat c = {0};

	assert_false(pg_offer_accept(fx->db.c, me, chat, &c, &err));
	assert_int_equal(err.type, API_CONFLICT);
}

static void pass_ok(struct fx *fx, const struct agent *me, const char *chat)
{
	struct api_error err = {0};

	if (!pg_offer_pass(fx->db.c, me, chat, &err))
		fail_msg("pass: %s", err.description);
}

static void pass_409(struct fx *fx, const struct agent *me, const char *chat)
{
	struct api_error err = {0};

	assert_false(pg_offer_pass(fx->db.c, me, chat, &err));
	assert_int_equal(err.type, API_CONFLICT);
	assert_string_equal(err.description, "the chat is not offered to you (or no longer)");
}

static void last_text(struct fx *fx, const char *chat, const char *want)
{
	PGresult *r = sql(fx, "SELECT text FROM messages WHERE chat_id = $1 ORDER BY seq DESC LIMIT 1",
			  1, (const char *[]){chat});
	assert_string_equal(PQgetvalue(r, 0, 0), want);
	PQclear(r);
}

/* Every open offer of the chat ends now, unanswered. */
static void expire(struct fx *fx, const char *chat)
{
	char at[24];

	snprintf(at, sizeof at, "%lld", (long long)ts_now() - 1);
	run(fx, "UPDATE offers SET expires_at = $2 WHERE chat_id = $1", 2,
	    (const char *[]){chat, at});
}

static void test_the_most_free_is_offered_and_accept_makes_the_holder(void **state)
{
	struct fx *fx = *state;
	const struct agent *ana = &fx->agents[0], *ben = &fx->agents[1];
	uuid_str bens, anas, first, second;
	struct round r;
	struct chat_offer offers[OFFER_ROUND_MAX];

	fresh(fx);
	/* Ben holds a chat; Ana was given one later but holds none: she has
	 * more room, which comes before who waited longest. */
	new_chat(fx, true, bens);
	new_chat(fx, true, anas);
	take(fx, ben, bens);
	take(fx, ana, anas);
	hand_back(fx, ana, anas);

	new_chat(fx, true, first);
	int64_t before = ts_now();
	round_of(fx, (const int[]){0, 1, -1}, &r);
	int64_t after = ts_now();
	only_note(&r, first, ana, SECONDS);
	assert_true(r.next_ms >= before + SECONDS * 1000 && r.next_ms <= after + SECONDS * 1000);
	assert_int_equal(offers_of(fx, ana, offers), 1);
	assert_string_equal(offers[0].chat_id, first);
	assert_in_range(offers[0].seconds, SECONDS - 1, SECONDS);
	assert_int_equal(offers_of(fx, ben, offers), 0);
	/* a round with nothing new changes nothing */
	round_of(fx, (const int[]){0, 1, -1}, &r);
	assert_int_equal(r.n, 0);

	/* Only the one offered may accept; it is a takeover, with its notice. */
	accept_409(fx, ben, first);
	accept_ok(fx, ana, first);
	last_text(fx, first, "Ana joined the conversation");
	assert_int_equal(offers_of(fx, ana, offers), 0);
	/* accepting again, or what was never offered, is a conflict */
	accept_409(fx, ana, first);
	round_of(fx, (const int[]){0, 1, -1}, &r);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.next_ms, 0);

	/* Now both hold one and Ana got hers last: a tie goes to Ben. */
	new_chat(fx, true, second);
	round_of(fx, (const int[]){0, 1, -1}, &r);
	only_note(&r, second, ben, SECONDS);
	accept_409(fx, ana, second);
	accept_ok(fx, ben, second);
}

static void test_a_pass_goes_to_the_next_and_nobody_free_waits(void **state)
{
	struct fx *fx = *state;
	const struct agent *ana = &fx->agents[0], *ben = &fx->agents[1], *cy = &fx->agents[2];
	uuid_str chat;
	struct round r;

	fresh(fx);
	new_chat(fx, true, chat);
	/* A tie between two never given a chat: by id. */
	bool ana_first = strcmp(ana->id, ben->id) < 0;
	const struct agent *first = ana_first ? ana : ben, *then = ana_first ? ben : ana;
	round_of(fx, (const int[]){0, 1, -1}, &r);
	only_note(&r, chat, first, SECONDS);

	/* A pass of what is not yours is a conflict, and changes nothing. */
	pass_409(fx, then, chat);
	pass_ok(fx, first, chat);
	pass_409(fx, first, chat);
	round_of(fx, (const int[]){0, 1, -1}, &r);
	only_note(&r, chat, then, SECONDS);
	accept_409(fx, first, chat);
	pass_ok(fx, then, chat);

	/* Both passed: it waits, held by nobody, until someone else can. */
	round_of(fx, (const int[]){0, 1, -1}, &r);
	assert_int_equal(r.n, 0);
	round_of(fx, (const int[]){0, 1, 2, -1}, &r);
	only_note(&r, chat, cy, SECONDS);
	accept_ok(fx, cy, chat);

	/* Passes last while the chat waits: escalated again later, it is
	 * everyone's afresh. */
	round_of(fx, (const int[]){0, 1, -1}, &r);
	hand_back(fx, cy, chat);
	run(fx, "UPDATE chats SET escalated = true, escalated_at = 1 WHERE id = $1", 1,
	    (const char *[]){chat});
	round_of(fx, (const int[]){0, 1, -1}, &r);
	only_note(&r, chat, first, SECONDS);

	/* what is no chat at all is offered to nobody, and no chat is 404 */
	struct api_error err = {0};
	struct chat none = {0};
	pass_409(fx, ana, "not-a-uuid");
	uuid_str unknown;
	pgfx_new_id(unknown);
	pass_409(fx, ana, unknown);
	assert_false(pg_offer_accept(fx->db.c, ana, unknown, &none, &err));
	assert_int_equal(err.type, API_RESOURCE_NOT_FOUND);
}

static void test_an_unanswered_offer_times_out_to_the_next(void **state)
{
	struct fx *fx = *state;
	const struct agent *ana = &fx->agents[0], *ben = &fx->agents[1];
	uuid_str chat;
	struct round r;
	struct chat_offer offers[OFFER_ROUND_MAX];

	fresh(fx);
	new_chat(fx, true, chat);
	round_of(fx, (const int[]){0, -1}, &r);
	only_note(&r, chat, ana, SECONDS);
	expire(fx, chat);
	/* over, though no round ended it yet */
	assert_int_equal(offers_of(fx, ana, offers), 0);
	accept_409(fx, ana, chat);

	/* The next round ends it, a pass of Ana's, and offers it to Ben. */
	round_of(fx, (const int[]){0, 1, -1}, &r);
	assert_int_equal(r.n, 2);
	note_is(&r.notes[0], chat, ana, 0);
	note_is(&r.notes[1], chat, ben, SECONDS);
	/* Ben's times out too: Ana is not offered it again. */
	expire(fx, chat);
	round_of(fx, (const int[]){0, -1}, &r);
	only_note(&r, chat, ben, 0);
	assert_int_equal(r.next_ms, 0);
	accept_409(fx, ben, chat);
}

static void test_never_to_an_away_or_full_agent(void **state)
{
	struct fx *fx = *state;
	const struct agent *ana = &fx->agents[0], *ben = &fx->agents[1];
	uuid_str chat, other;
	struct round r;
	struct agent after;
	struct api_error err = {0};
	struct offer_note notes[OFFER_ROUND_MAX];
	struct chat_offer offers[OFFER_ROUND_MAX];
	size_t n = 99;

	fresh(fx);
	/* Ana away (not online), Ben full: nobody is offered the chat, nor
	 * is a supervisor's or an ingest account's id among the online. */
	assert_true(pg_agent_set_capacity(fx->db.c, ben->id, 0, &after, &err));
	agent_free(&after);
	new_chat(fx, true, chat);
	const char *ids[] = {ben->id, fx->bot.id, "not-a-uuid"};
	struct round none;
	assert_true(pg_offers_round(fx->db.c, 3, ids, 3, SECONDS, none.notes, &none.n,
				    &none.next_ms, &err));
	assert_int_equal(none.n, 0);
	assert_int_equal(none.next_ms, 0);

	/* Ben gets room: the waiting chat is his. */
	assert_true(pg_agent_set_capacity(fx->db.c, ben->id, 1, &after, &err));
	agent_free(&after);
	round_of(fx, (const int[]){1, -1}, &r);
	only_note(&r, chat, ben, SECONDS);
	/* His one place is taken by the offer: the next chat waits for Ana,
	 * who gets it as soon as she is back. */
	new_chat(fx, true, other);
	round_of(fx, (const int[]){1, -1}, &r);
	assert_int_equal(r.n, 0);
	round_of(fx, (const int[]){0, 1, -1}, &r);
	only_note(&r, other, ana, SECONDS);

	/* Going away withdraws her open offers, without a pass: back, she is
	 * offered the chat again. */
	assert_true(pg_offers_withdraw(fx->db.c, ana->id, notes, &n, &err));
	assert_int_equal(n, 1);
	note_is(&notes[0], other, ana, 0);
	assert_int_equal(offers_of(fx, ana, offers), 0);
	accept_409(fx, ana, other);
	assert_true(pg_offers_withdraw(fx->db.c, ana->id, notes, &n, &err));
	assert_int_equal(n, 0);
	round_of(fx, (const int[]){1, -1}, &r);
	assert_int_equal(r.n, 0);
	round_of(fx, (const int[]){0, 1, -1}, &r);
	only_note(&r, other, ana, SECONDS);

	/* A supervisor is offered chats too. */
	uuid_str third;
	new_chat(fx, true, third);
	const char *sue[] = {fx->sue.id};
	assert_true(pg_offers_round(fx->db.c, 3, sue, 1, SECONDS, r.notes, &r.n, &r.next_ms,
				    &err));
	only_note(&r, third, &fx->sue, SECONDS);
}

static void test_an_offer_of_a_chat_taken_meanwhile_ends(void **state)
{
	struct fx *fx = *state;
	const struct agent *ana = &fx->agents[0], *ben = &fx->agents[1];
	uuid_str chat;
	struct round r;
	struct chat_offer offers[OFFER_ROUND_MAX];

	fresh(fx);
	new_chat(fx, true, chat);
	round_of(fx, (const int[]){0, -1}, &r);
	only_note(&r, chat, ana, SECONDS);
	/* Ben takes it by hand: Ana's offer is over, and ends next round. */
	take(fx, ben, chat);
	accept_409(fx, ana, chat);
	round_of(fx, (const int[]){0, -1}, &r);
	only_note(&r, chat, ana, 0);
	assert_int_equal(offers_of(fx, ana, offers), 0);
	/* It was no pass: handed back and escalated again, it is Ana's. */
	hand_back(fx, ben, chat);
	run(fx, "UPDATE chats SET escalated = true, escalated_at = 1 WHERE id = $1", 1,
	    (const char *[]){chat});
	round_of(fx, (const int[]){0, -1}, &r);
	only_note(&r, chat, ana, SECONDS);
}

static void test_a_round_notes_at_most_OFFER_ROUND_MAX(void **state)
{
	struct fx *fx = *state;
	enum { CHATS = OFFER_ROUND_MAX + 6 };
	const struct agent *ana = &fx->agents[0];
	static uuid_str chats[CHATS];
	struct round r;
	struct agent after;
	struct api_error err = {0};

	fresh(fx);
	assert_true(pg_agent_set_capacity(fx->db.c, ana->id, 1000, &after, &err));
	agent_free(&after);
	/* escalated in this order, oldest first, a ms apart */
	for (int i = 0; i < CHATS; i++) {
		char at[24];
		new_chat(fx, true, chats[i]);
		snprintf(at, sizeof at, "%d", 1000 + i);
		run(fx, "UPDATE chats SET escalated_at = $2 WHERE id = $1", 2,
		    (const char *[]){chats[i], at});
	}
	round_of(fx, (const int[]){0, -1}, &r);
	assert_int_equal(r.n, OFFER_ROUND_MAX);
	for (int i = 0; i < OFFER_ROUND_MAX; i++)
		note_is(&r.notes[i], chats[i], ana, SECONDS);
	round_of(fx, (const int[]){0, -1}, &r);
	assert_int_equal(r.n, CHATS - OFFER_ROUND_MAX);
	for (int i = OFFER_ROUND_MAX; i < CHATS; i++)
		note_is(&r.notes[i - OFFER_ROUND_MAX], chats[i], ana, SECONDS);

	/* Ending is bounded too: the rest end next round. */
	run(fx, "UPDATE offers SET expires_at = 0", 0, NULL);
	round_of(fx, (const int[]){0, -1}, &r);
	assert_int_equal(r.n, OFFER_ROUND_MAX);
	for (size_t i = 0; i < r.n; i++)
		assert_int_equal(r.notes[i].seconds, 0);
	round_of(fx, (const int[]){0, -1}, &r);
	assert_int_equal(r.n, CHATS - OFFER_ROUND_MAX);
	assert_int_equal(number(fx, "SELECT count(*) FROM offers", 0, NULL), 0);
}

/* ---- rounds racing ------------------------------------------------------- */

#define RACERS 4
#define RACE_ROUNDS 12
#define RACE_CHATS 40
#define RACE_EXPIRED 8 /* offers planted expired before each round */
#define ONLINE 4       /* agents each racer sees online */

struct race {
	struct fx *fx;
	uuid_str chats[RACE_CHATS];
	struct round got[RACERS][RACE_ROUNDS];
	char fault[256]; /* what `after` found wrong, for the main thread to fail on */
};

/* Racer i sees agents i..i+3 (of 6, wrapping) online: overlapping lists
 * that cover everyone. */
static int online_agent(int racer, int k)
{
	return (racer + k) % AGENTS;
}

static bool round_turn(PGconn *c, int thread, int round, void *ctx, struct errbuf *err)
{
	struct race *r = ctx;
	const char *ids[ONLINE];
	struct round *got = &r->got[thread][round];
	struct api_error why = {0};

	for (int k = 0; k < ONLINE; k++)
		ids[k] = r->fx->agents[online_agent(thread, k)].id;
	return pg_offers_round(c, 3, ids, ONLINE, SECONDS, got->notes, &got->n, &got->next_ms,
			       &why) ||
	       errbuf_set(err, "round: %s", why.description);
}

/* The stage: no offers, a few passes, RACE_EXPIRED expired offers, and
 * capacities that change from round to round (one left to the default). */
static void stage(int round, void *ctx)
{
	struct race *r = ctx;
	struct fx *fx = r->fx;

	run(fx, "DELETE FROM offers", 0, NULL);
	run(fx, "DELETE FROM offer_passes", 0, NULL);
	for (int i = 0; i < AGENTS; i++) {
		char cap[8];
		snprintf(cap, sizeof cap, "%d", (round + i) % 4 + 1);
		run(fx, "UPDATE accounts SET capacity = $2 WHERE id = $1", 2,
		    (const char *[]){fx->agents[i].id, i == round % AGENTS ? NULL : cap});
	}
	for (int i = 0; i < RACE_EXPIRED; i++)
		run(fx, "INSERT INTO offers VALUES ($1, $2, 0)", 2,
		    (const char *[]){r->chats[i], fx->agents[(round + i) % AGENTS].id});
	for (int i = 0; i < AGENTS; i++)
		run(fx, "INSERT INTO offer_passes VALUES ($1, $2)", 2,
		    (const char *[]){r->chats[RACE_EXPIRED + (round + i) % 10], fx->agents[i].id});
}

static int chat_index(const struct race *r, const char *id)
{
	for (int i = 0; i < RACE_CHATS; i++)
		if (strcmp(r->chats[i], id) == 0)
			return i;
	return -1;
}

static bool fault(struct race *r, const char *what, int round, int detail)
{
	if (!r->fault[0])
		snprintf(r->fault, sizeof r->fault, "round %d: %s (%d)", round, what, detail);
	return false;
}

/* What the racers did together, against the database. Rounds that read
 * the same queue also meet on the primary key (see pg_offers.c), so this
 * holds them to the whole outcome; the turn itself is the next test's. */
static void check_round(int round, void *ctx)
{
	struct race *r = ctx;
	struct fx *fx = r->fx;
	int made[RACE_CHATS] = {0}, ended[RACE_CHATS] = {0}, nmade = 0;

	for (int t = 0; t < RACERS; t++) {
		const struct round *g = &r->got[t][round];
		for (size_t k = 0; k < g->n; k++) {
			const struct offer_note *note = &g->notes[k];
			int i = chat_index(r, note->chat_id);
			if (i < 0)
				return (void)fault(r, "a note of another chat", round, t);
			if (note->seconds > 0) {
				made[i]++;
				nmade++;
				/* the offer noted is the one in the table */
				const char *p[] = {note->chat_id, note->agent_id};
				if (number(fx, "SELECT count(*) FROM offers WHERE chat_id = $1"
					       " AND agent_id = $2 AND expires_at > 0", 2, p) != 1)
					return (void)fault(r, "a noted offer is not there", round, i);
			} else {
				ended[i]++;
			}
		}
	}
	for (int i = 0; i < RACE_CHATS; i++) {
		if (made[i] > 1)
			return (void)fault(r, "a chat offered twice", round, i);
		if (ended[i] != (i < RACE_EXPIRED))
			return (void)fault(r, "an expired offer ended other than once", round, i);
	}
	if (number(fx, "SELECT count(*) FROM offers", 0, NULL) != nmade)
		return (void)fault(r, "offers nobody noted", round, nmade);
	/* Every agent's room is filled, never beyond: the chats outnumber
	 * the places, and each agent is online for some racer. */
	for (int i = 0; i < AGENTS; i++) {
		const char *p[] = {fx->agents[i].id};
		long long room = number(fx, "SELECT coalesce(capacity, 3) FROM accounts WHERE id = $1",
					1, p);
		long long offered = number(fx, "SELECT count(*) FROM offers WHERE agent_id = $1", 1, p);
		if (offered != room)
			return (void)fault(r, "an agent's offers are not their room", round,
					   (int)(offered * 100 + room));
	}
	/* each expiry a pass, and no offer to one who passed */
	if (number(fx, "SELECT count(*) FROM offer_passes", 0, NULL) != AGENTS + RACE_EXPIRED)
		return (void)fault(r, "passes", round, 0);
	if (number(fx, "SELECT count(*) FROM offers f JOIN offer_passes p USING (chat_id, agent_id)",
		   0, NULL) != 0)
		(void)fault(r, "an offer to one who passed", round, 0);
}

static void test_rounds_at_once_offer_a_chat_once_within_room(void **state)
{
	struct fx *fx = *state;
	static struct race r; /* large for a stack */

	fresh(fx);
	memset(&r, 0, sizeof r);
	r.fx = fx;
	for (int i = 0; i < RACE_CHATS; i++)
		new_chat(fx, true, r.chats[i]);
	struct pgfx_race race = {.conninfo = pgserver_conninfo(fx->db.server),
				 .threads = RACERS, .rounds = RACE_ROUNDS, .turn = round_turn,
				 .before = stage, .after = check_round, .ctx = &r,
				 .who = "hub"};
	pgfx_race(&race);
	if (r.fault[0])
		fail_msg("%s", r.fault);
}

/* ---- an accept racing takeovers and rounds ------------------------------- */

#define GRABBERS 8 /* 0-2 Ana accepting, 3-5 Ben, Cy, Dee taking over, 6-7 rounds */
#define GRAB_ROUNDS 10

struct grab {
	struct fx *fx;
	uuid_str chat[GRAB_ROUNDS];
	bool won[GRABBERS][GRAB_ROUNDS];
	enum api_error_type lost[GRABBERS][GRAB_ROUNDS];
};

static bool grab_turn(PGconn *c, int thread, int round, void *ctx, struct errbuf *err)
{
	struct grab *g = ctx;
	struct fx *fx = g->fx;
	struct api_error why = {0};
	struct chat out;
	bool won;

	if (thread >= 6) {
		const char *ids[AGENTS];
		struct round r;
		for (int i = 0; i < AGENTS; i++)
			ids[i] = fx->agents[i].id;
		return pg_offers_round(c, 3, ids, AGENTS, SECONDS, r.notes, &r.n, &r.next_ms,
				       &why) ||
		       errbuf_set(err, "round: %s", why.description);
	}
	if (thread < 3)
		won = pg_offer_accept(c, &fx->agents[0], g->chat[round], &out, &why);
	else
		won = pg_takeover_chat(c, &fx->agents[thread - 2], g->chat[round], false, &out,
				       &why);
	g->won[thread][round] = won;
	if (won)
		chat_free(&out);
	g->lost[thread][round] = why.type;
	/* a 409 is a result; anything else ends the race */
	return won || why.type == API_CONFLICT || errbuf_set(err, "%s", why.description);
}

/* A new waiting chat, offered to Ana (the round may first end her offer
 * of the last round's chat, taken by a colleague after the racing rounds
 * ran). */
static void offer_to_ana(int round, void *ctx)
{
	struct grab *g = ctx;
	struct round r;

	new_chat(g->fx, true, g->chat[round]);
	round_of(g->fx, (const int[]){0, -1}, &r);
	assert_in_range(r.n, 1, 2);
	if (r.n == 2)
		note_is(&r.notes[0], g->chat[round - 1], &g->fx->agents[0], 0);
	note_is(&r.notes[r.n - 1], g->chat[round], &g->fx->agents[0], SECONDS);
}

static void test_one_winner_between_an_accept_and_takeovers(void **state)
{
	struct fx *fx = *state;
	static struct grab g;

	fresh(fx);
	memset(&g, 0, sizeof g);
	g.fx = fx;
	run(fx, "UPDATE accounts SET capacity = 1000", 0, NULL);
	struct pgfx_race race = {.conninfo = pgserver_conninfo(fx->db.server),
				 .threads = GRABBERS, .rounds = GRAB_ROUNDS, .turn = grab_turn,
				 .before = offer_to_ana, .ctx = &g, .who = "grabber"};
	pgfx_race(&race);
	for (int round = 0; round < GRAB_ROUNDS; round++) {
		int winners = 0, winner = -1;
		for (int t = 0; t < 6; t++) {
			if (g.won[t][round]) {
				winners++;
				winner = t;
			} else {
				assert_int_equal(g.lost[t][round], API_CONFLICT);
			}
		}
		if (winners != 1)
			fail_msg("round %d: %d winners", round, winners);
		/* the winner holds it, with one join notice */
		const struct agent *holder = &fx->agents[winner < 3 ? 0 : winner - 2];
		const char *p[] = {g.chat[round]};
		PGresult *r = sql(fx, "SELECT responder_id FROM chats WHERE id = $1", 1, p);
		assert_string_equal(PQgetvalue(r, 0, 0), holder->id);
		PQclear(r);
		char joined[8];
		snprintf(joined, sizeof joined, "%d", (int)SYSTEM_TYPE_AGENT_JOINED);
		assert_int_equal(number(fx, "SELECT count(*) FROM messages WHERE chat_id = $1"
					    " AND system_type = $2",
					2, (const char *[]){g.chat[round], joined}),
				 1);
	}
	/* every offer of those chats ended: accepted, or ended by a round */
	struct round r;
	round_of(fx, (const int[]){0, -1}, &r);
	assert_int_equal(number(fx, "SELECT count(*) FROM offers", 0, NULL), 0);
	pgfx_assert_log_gap_free(fx->db.c);
}

/* ---- one round caught in the middle -------------------------------------- */

/* The moment the race above cannot aim at: hub A's round has read the
 * queue and is offering (its offer not yet committed) when Ben passes a
 * chat A's queue did not hold, and hub B's round starts. Without turns, B
 * sees Ana's room as if A offered nothing and gives her the passed chat,
 * while A gives her another: two offers on a capacity of one. A is held
 * in the middle by a lock the main connection takes on the chat A offers
 * (its insert checks the chat's key); what is waiting is read from
 * pg_stat_activity, never guessed by a sleep. */

struct caught {
	PGconn *a, *b;
	const char *online[1];
	const struct agent *ben;
	const char *passed;
	struct round got_a, got_b;
	bool ok_a, ok_b;
	atomic_bool done_b;
	char said[2][sizeof ((struct api_error *)0)->description];
};

static void *hub_a(void *arg)
{
	struct caught *k = arg;
	struct api_error err = {0};

	k->ok_a = pg_offers_round(k->a, 3, k->online, 1, SECONDS, k->got_a.notes, &k->got_a.n,
				  &k->got_a.next_ms, &err);
	snprintf(k->said[0], sizeof k->said[0], "%s", err.description);
	return NULL;
}

static void *ben_and_hub_b(void *arg)
{
	struct caught *k = arg;
	struct api_error err = {0};

	k->ok_b = pg_offer_pass(k->b, k->ben, k->passed, &err) &&
		  pg_offers_round(k->b, 3, k->online, 1, SECONDS, k->got_b.notes, &k->got_b.n,
				  &k->got_b.next_ms, &err);
	snprintf(k->said[1], sizeof k->said[1], "%s", err.description);
	atomic_store(&k->done_b, true);
	return NULL;
}

/* Until a backend other than this one waits for a lock (of `kind`, a
 * wait_event, or any), or `done` is set; the test fails at the deadline. */
static void until_waiting(struct fx *fx, const char *kind, atomic_bool *done)
{
	long long deadline = pgfx_now_ms() + 10000;

	while (!(done && atomic_load(done)) &&
	       number(fx,
		      "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid()"
		      " AND wait_event_type = 'Lock' AND ($1::text IS NULL OR wait_event = $1)",
		      1, (const char *[]){kind}) == 0)
		if (pgfx_now_ms() > deadline)
			fail_msg("nobody waits for a %s lock", kind ? kind : "");
}

static void test_a_round_never_fills_a_place_another_round_is_filling(void **state)
{
	struct fx *fx = *state;
	const struct agent *ana = &fx->agents[0], *ben = &fx->agents[1];
	static struct caught k;
	uuid_str older, newer;
	char later[24];
	struct errbuf why;
	struct agent after;
	struct api_error err = {0};
	pthread_t ta, tb;

	fresh(fx);
	memset(&k, 0, sizeof k);
	for (int i = 0; i < 2; i++) {
		assert_true(pg_agent_set_capacity(fx->db.c, fx->agents[i].id, 1, &after, &err));
		agent_free(&after);
	}
	new_chat(fx, true, older);
	new_chat(fx, true, newer);
	run(fx, "UPDATE chats SET escalated_at = 1 WHERE id = $1", 1, (const char *[]){older});
	/* the older chat is offered to Ben already */
	snprintf(later, sizeof later, "%lld", (long long)ts_now() + 60000);
	run(fx, "INSERT INTO offers VALUES ($1, $2, $3)", 3,
	    (const char *[]){older, ben->id, later});

	struct pg *a = pg_open(pgserver_conninfo(fx->db.server), &why);
	struct pg *b = a ? pg_open(pgserver_conninfo(fx->db.server), &why) : NULL;
	if (!b)
		fail_msg("connect: %s", why.msg);
	k.a = pg_conn(a);
	k.b = pg_conn(b);
	k.online[0] = ana->id;
	k.ben = ben;
	k.passed = older;

	/* Hub A stopped while it offers the newer chat to Ana. */
	assert_true(pg_exec(fx->db.c, "BEGIN", "begin", &why));
	run(fx, "SELECT 1 FROM chats WHERE id = $1 FOR UPDATE", 1, (const char *[]){newer});
	assert_int_equal(pthread_create(&ta, NULL, hub_a, &k), 0);
	until_waiting(fx, NULL, NULL);
	/* Ben passes the older chat, then hub B runs a round: both wait for
	 * A's turn to end (or, without turns, are done). */
	assert_int_equal(pthread_create(&tb, NULL, ben_and_hub_b, &k), 0);
	until_waiting(fx, "advisory", &k.done_b);
	assert_true(pg_exec(fx->db.c, "ROLLBACK", "rollback", &why));
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	pg_close(a);
	pg_close(b);
	if (!k.ok_a || !k.ok_b)
		fail_msg("hub A: %s; Ben and hub B: %s", k.said[0], k.said[1]);

	/* A offered the newer chat to Ana; B, after A, found her full. */
	only_note(&k.got_a, newer, ana, SECONDS);
	assert_int_equal(k.got_b.n, 0);
	assert_int_equal(number(fx, "SELECT count(*) FROM offers WHERE agent_id = $1", 1,
				(const char *[]){ana->id}),
			 1);
}

/* ---- the dashboard ------------------------------------------------------- */

#define MS_PER_MIN 60000LL
#define MS_PER_DAY 86400000LL

/* An agent's reply (or note) at `at`, with its event, as a hub writes it:
 * one transaction, the event's seq taken last. */
static bool reply_at(PGconn *c, const struct agent *me, const char *chat, bool internal,
		     int64_t at, struct errbuf *err)
{
	struct pg_reply reply = {.chat_id = chat, .author_id = me->id, .author_name = me->name,
				 .text = "on it", .internal = internal, .at = at};
	uuid_str id;
	int64_t seq, event = 0;
	bool created;

	if (!pg_exec(c, "BEGIN", "begin a reply", err))
		return false;
	bool ok = pg_reply_insert(c, &reply, id, &seq, &created, err) &&
		  pg_event_seq_next(c, &event, err);
	struct pg_event ev = {.seq = event, .chat_id = chat, .type = EVENT_MESSAGE_CREATED,
			      .at = at, .note = internal, .json = "{}"};
	ok = ok && pg_event_append(c, &ev, err);
	return pg_finish(c, ok, "end a reply", err);
}

static void reply(struct fx *fx, const struct agent *me, const char *chat, bool internal,
		  int64_t at)
{
	struct errbuf err;

	if (!reply_at(fx->db.c, me, chat, internal, at, &err))
		fail_msg("reply: %s", err.msg);
}

static void dashboard(struct fx *fx, int64_t now, size_t nagents, struct dash_snapshot *d)
{
	struct api_error err = {0};

	if (!pg_dashboard(fx->db.c, now, fx->agents, nagents, d, &err))
		fail_msg("dashboard: %s", err.description);
	assert_int_equal(d->now, now);
	assert_int_equal(d->nagents, nagents);
}

static const struct dash_chat *dash_chat(const struct dash_snapshot *d, const char *id)
{
	for (size_t i = 0; i < d->nchats; i++)
		if (strcmp(d->chats[i].id, id) == 0)
			return &d->chats[i];
	return NULL;
}

static int64_t hour_of(const struct dash_agent *a)
{
	int64_t sum = 0;

	for (int m = 0; m < DASH_MINUTES; m++)
		sum += a->replies[m];
	return sum;
}

static long long head(struct fx *fx)
{
	return number(fx, "SELECT coalesce(max(seq), 0) FROM events", 0, NULL);
}

static void test_an_empty_dashboard_lists_every_agent(void **state)
{
	struct fx *fx = *state;
	struct dash_snapshot d;

	dashboard(fx, ts_now(), 3, &d);
	assert_int_equal(d.seq, head(fx));
	assert_int_equal(d.nchats, 0);
	assert_int_equal(d.replies_today, 0);
	for (size_t i = 0; i < d.nagents; i++) {
		assert_int_equal(hour_of(&d.agents[i]), 0);
		assert_int_equal(d.agents[i].nfirst, 0);
	}
	db_dashboard_free(&d);
	/* nobody asked about: a snapshot of the chats alone */
	dashboard(fx, ts_now(), 0, &d);
	assert_null(d.agents);
	db_dashboard_free(&d);
}

static void test_the_figures_follow_the_work(void **state)
{
	struct fx *fx = *state;
	const struct agent *ana = &fx->agents[0], *ben = &fx->agents[1];
	uuid_str c1, c2, c3;
	struct dash_snapshot d;

	int64_t seq0 = head(fx);
	/* Two escalations and a chat the bot handles alone. */
	new_chat(fx, true, c1);
	new_chat(fx, true, c2);
	new_chat(fx, false, c3);
	dashboard(fx, ts_now(), 2, &d);
	assert_true(d.seq > seq0);
	assert_int_equal(d.seq, head(fx));
	assert_int_equal(d.nchats, 2);
	/* the longest wait first, its clock from its escalation */
	assert_string_equal(d.chats[0].id, c1);
	assert_string_equal(d.chats[1].id, c2);
	assert_true(d.chats[0].waiting);
	assert_string_equal(d.chats[0].holder, "");
	assert_true(d.chats[0].escalated_at != TS_NONE);
	assert_int_equal(d.chats[0].escalated_at, d.chats[0].awaiting_since);
	assert_null(dash_chat(&d, c3));
	int64_t escalated = d.chats[0].escalated_at;
	db_dashboard_free(&d);

	/* Ana answers the first: a first response, then two replies; her
	 * note is no reply. One reply half an hour ago, one beyond the hour. */
	take(fx, ana, c1);
	int64_t now = ts_now(), day = now / MS_PER_DAY * MS_PER_DAY;
	reply(fx, ana, c1, false, now);
	reply(fx, ana, c1, false, now);
	reply(fx, ana, c1, true, now);
	reply(fx, ana, c1, false, now - 30 * MS_PER_MIN);
	reply(fx, ana, c1, false, now - 60 * MS_PER_MIN);
	/* the supervisor's reply is counted in the day's total only */
	reply(fx, &fx->sue, c1, false, now);
	int64_t today = 3 + (now - 30 * MS_PER_MIN >= day) + (now - 60 * MS_PER_MIN >= day);
	dashboard(fx, now, 2, &d);
	const struct dash_chat *c = dash_chat(&d, c1);
	assert_non_null(c);
	assert_false(c->waiting);
	assert_string_equal(c->holder, ana->id);
	assert_int_equal(c->awaiting_since, TS_NONE);
	assert_int_equal(c->escalated_at, escalated);
	/* waiting, then held */
	assert_string_equal(d.chats[0].id, c2);
	assert_true(d.chats[0].waiting);
	assert_int_equal(d.agents[0].replies[DASH_MINUTES - 1], 2);
	assert_int_equal(d.agents[0].replies[DASH_MINUTES - 1 - 30], 1);
	assert_int_equal(hour_of(&d.agents[0]), 3);
	assert_int_equal(hour_of(&d.agents[1]), 0);
	assert_int_equal(d.replies_today, today);
	assert_int_equal(d.agents[0].nfirst, 1);
	assert_true(d.agents[0].first_ms[0] >= 0 && d.agents[0].first_ms[0] <= now - escalated);
	assert_int_equal(d.agents[1].nfirst, 0);
	db_dashboard_free(&d);

	/* A handback and a takeover of a chat nobody waits in: no first
	 * response. Ben takes the second, which waited: his first. */
	hand_back(fx, ana, c1);
	take(fx, ana, c1);
	take(fx, ben, c2);
	dashboard(fx, ts_now(), 2, &d);
	assert_int_equal(d.agents[0].nfirst, 1);
	assert_int_equal(d.agents[1].nfirst, 1);
	assert_int_equal(d.nchats, 2);
	assert_false(dash_chat(&d, c2)->waiting);
	assert_string_equal(dash_chat(&d, c2)->holder, ben->id);
	/* handed back, the escalation ended: held again, not escalated */
	assert_int_equal(dash_chat(&d, c1)->escalated_at, TS_NONE);
	db_dashboard_free(&d);

	/* The customer writes to Ben: his chat owes an answer again. */
	customer_writes(fx, c2);
	dashboard(fx, ts_now(), 2, &d);
	assert_true(dash_chat(&d, c2)->awaiting_since != TS_NONE);
	/* Only the agents asked about: Ben alone is agents[0]. */
	db_dashboard_free(&d);
	struct api_error err = {0};
	assert_true(pg_dashboard(fx->db.c, ts_now(), ben, 1, &d, &err));
	assert_int_equal(d.agents[0].nfirst, 1);
	assert_int_equal(hour_of(&d.agents[0]), 0);
	db_dashboard_free(&d);
}

/* ---- a snapshot while replies are written -------------------------------- */

#define SNAP_ROUNDS 5
#define SNAP_REPLIES 150

struct snap {
	struct fx *fx;
	uuid_str chat;
	int64_t now, seq0, today0;
	atomic_bool writing;
	int taken, mid, wrong; /* the reader's */
	char said[160];
};

/* Thread 0 writes replies; thread 1 takes snapshots until it is done,
 * each checked against the log: the replies counted are exactly those
 * whose events are at or below the snapshot's seq. */
static bool snap_turn(PGconn *c, int thread, int round, void *ctx, struct errbuf *err)
{
	struct snap *s = ctx;
	const struct agent *ana = &s->fx->agents[0];

	(void)round;
	if (thread == 0) {
		bool ok = true;
		for (int i = 0; ok && i < SNAP_REPLIES; i++)
			ok = reply_at(c, ana, s->chat, false, s->now, err);
		atomic_store(&s->writing, false);
		return ok;
	}
	long long deadline = pgfx_now_ms() + 30000;
	bool last = false;
	while (!last && pgfx_now_ms() < deadline) {
		struct dash_snapshot d;
		struct api_error why = {0};
		char seq0[24], seq[24];

		last = !atomic_load(&s->writing); /* one more once the writer is done */
		if (!pg_dashboard(c, s->now, s->fx->agents, 1, &d, &why))
			return errbuf_set(err, "dashboard: %s", why.description);
		snprintf(seq0, sizeof seq0, "%lld", (long long)s->seq0);
		snprintf(seq, sizeof seq, "%lld", (long long)d.seq);
		const char *p[] = {s->chat, seq0, seq};
		PGresult *r = PQexecParams(c,
					   "SELECT count(*) FROM events WHERE chat_id = $1"
					   " AND seq > $2 AND seq <= $3",
					   3, NULL, p, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			PQclear(r);
			db_dashboard_free(&d);
			return errbuf_set(err, "count events: %s", PQerrorMessage(c));
		}
		long long events = atoll(PQgetvalue(r, 0, 0));
		PQclear(r);
		s->taken++;
		s->mid += events > 0 && atomic_load(&s->writing);
		if (d.replies_today - s->today0 != events && !s->wrong++)
			snprintf(s->said, sizeof s->said, "seq %lld: %lld replies, %lld events",
				 (long long)d.seq, (long long)(d.replies_today - s->today0), events);
		db_dashboard_free(&d);
	}
	return true;
}

static void snap_stage(int round, void *ctx)
{
	struct snap *s = ctx;
	struct dash_snapshot d;

	(void)round;
	dashboard(s->fx, s->now, 1, &d);
	s->seq0 = d.seq;
	s->today0 = d.replies_today;
	db_dashboard_free(&d);
	atomic_store(&s->writing, true);
}

static void test_the_snapshot_is_one_moment(void **state)
{
	struct fx *fx = *state;
	static struct snap s;

	memset(&s, 0, sizeof s);
	s.fx = fx;
	/* the middle of today, whenever the test runs: every reply is today's */
	s.now = ts_now() / MS_PER_DAY * MS_PER_DAY + MS_PER_DAY / 2;
	new_chat(fx, true, s.chat);
	take(fx, &fx->agents[0], s.chat);
	struct pgfx_race race = {.conninfo = pgserver_conninfo(fx->db.server), .threads = 2,
				 .rounds = SNAP_ROUNDS, .turn = snap_turn, .before = snap_stage,
				 .ctx = &s, .who = "thread"};
	pgfx_race(&race);
	if (s.wrong)
		fail_msg("%d of %d snapshots were not one moment, first: %s", s.wrong, s.taken,
			 s.said);
	/* the race did race: snapshots were taken while replies went in */
	assert_true(s.mid > 0);
	print_message("%d snapshots, %d of them while replies were written\n", s.taken, s.mid);
}

int main(void)
{
	const struct CMUnitTest offers[] = {
		cmocka_unit_test(test_the_most_free_is_offered_and_accept_makes_the_holder),
		cmocka_unit_test(test_a_pass_goes_to_the_next_and_nobody_free_waits),
		cmocka_unit_test(test_an_unanswered_offer_times_out_to_the_next),
		cmocka_unit_test(test_never_to_an_away_or_full_agent),
		cmocka_unit_test(test_an_offer_of_a_chat_taken_meanwhile_ends),
		cmocka_unit_test(test_a_round_notes_at_most_OFFER_ROUND_MAX),
		cmocka_unit_test(test_rounds_at_once_offer_a_chat_once_within_room),
		cmocka_unit_test(test_a_round_never_fills_a_place_another_round_is_filling),
		cmocka_unit_test(test_one_winner_between_an_accept_and_takeovers),
	};
	const struct CMUnitTest dashboard[] = {
		cmocka_unit_test(test_an_empty_dashboard_lists_every_agent),
		cmocka_unit_test(test_the_figures_follow_the_work),
		cmocka_unit_test(test_the_snapshot_is_one_moment),
	};
	int failed = cmocka_run_group_tests_name("offers", offers, setup, teardown);
	return failed + cmocka_run_group_tests_name("dashboard", dashboard, setup, teardown);
}
