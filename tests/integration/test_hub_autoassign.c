/*
 * test_hub_autoassign.c — auto-assignment (handoffd --auto-assign): a
 * waiting chat is offered to the online agent with the most free
 * capacity, ties to the one longest without a new chat, never to an away
 * or full one; accept makes them the holder, a pass or a timeout offers
 * it to the next, and a chat nobody can take waits until someone can.
 * Of an accept racing colleagues' takeovers exactly one wins. Each test
 * has a hub of its own, so no chat of another test is offered.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define RACERS 8

static struct hub hub;
static char ana[HUB_TOKEN_MAX], ben[HUB_TOKEN_MAX], cy[HUB_TOKEN_MAX], sue[HUB_TOKEN_MAX],
	bot[HUB_TOKEN_MAX];

static int setup(void **state)
{
	(void)state;
	/* libcurl's own start is not thread-safe: once, before any request. */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	curl_global_cleanup();
	return 0;
}

/* A hub with offers of `seconds`. */
static void hub_with_offers(const char *seconds)
{
	hub_init(&hub);
	hub_token(&hub, "Ana", "agent", ana);
	hub_token(&hub, "Ben", "agent", ben);
	hub_token(&hub, "Cy", "agent", cy);
	hub_token(&hub, "Sue", "supervisor", sue);
	hub_token(&hub, "Bridge", "ingest", bot);
	hub_start(&hub, "--auto-assign", "--offer-seconds", seconds, "--default-capacity", "10",
		  NULL);
}

static int hub_short(void **state)
{
	hub_with_offers("2");
	*state = &hub;
	return 0;
}

static int hub_long(void **state)
{
	hub_with_offers("60");
	*state = &hub;
	return 0;
}

static int hub_down(void **state)
{
	(void)state;
	hub_cleanup(&hub);
	return 0;
}

static void open_console(struct ws *w, const char *token)
{
	ws_open_console(w, &hub, token);
}

/* The next offer frame about `chat` on w: its seconds. */
static int64_t next_offer(struct ws *w, const char *chat)
{
	long long deadline = now_ms() + 8000;

	for (;;) {
		int left = (int)(deadline - now_ms());
		assert_true(left > 0);
		cJSON *f = ws_next(w, left);
		assert_non_null(f);
		if (strcmp(cJSON_GetObjectItem(f, "type")->valuestring, "offer") == 0 &&
		    strcmp(cJSON_GetObjectItem(f, "chat_id")->valuestring, chat) == 0) {
			int64_t s = (int64_t)cJSON_GetObjectItem(f, "seconds")->valuedouble;
			assert_null(cJSON_GetObjectItem(f, "seq"));
			cJSON_Delete(f);
			return s;
		}
		cJSON_Delete(f);
	}
}

static void expect_offered(struct ws *w, const char *chat)
{
	assert_true(next_offer(w, chat) > 0);
}

static long answer(const char *token, const char *chat, const char *what)
{
	char path[128];

	snprintf(path, sizeof path, "/v1/chats/%s/%s", chat, what);
	struct reply r = http(&hub, "POST", path, token, NULL);
	long status = r.status;
	reply_free(&r);
	return status;
}

/* The chat's holder's name, "" when nobody holds it. */
static void holder(const char *chat, char *name, size_t len)
{
	char path[96];

	snprintf(path, sizeof path, "/v1/chats/%s", chat);
	struct reply r = http(&hub, "GET", path, sue, NULL);
	const cJSON *resp = cJSON_GetObjectItem(expect_status(&r, 200), "responder");
	const cJSON *n = cJSON_GetObjectItem(resp, "name");
	snprintf(name, len, "%s", cJSON_IsString(n) ? n->valuestring : "");
	reply_free(&r);
}

static void test_offer_goes_to_the_most_free_and_accept_makes_the_holder(void **state)
{
	(void)state;
	struct ws a, b;
	char first[37], second[37], ben_chat[37], ana_chat[37], who[64];

	/* Ben holds a chat; Ana was given one more lately but holds none:
	 * she has more room, which comes before who waited longest. */
	ingest(&hub, bot, "aa-ben", "user", "one", true, ben_chat);
	ingest(&hub, bot, "aa-ana", "user", "two", true, ana_chat);
	hub_act(&hub, ben, ben_chat, "takeover", NULL);
	hub_act(&hub, ana, ana_chat, "takeover", NULL);
	hub_act(&hub, ana, ana_chat, "handback", NULL);

	open_console(&a, ana);
	open_console(&b, ben);
	ingest(&hub, bot, "aa-1", "user", "help me", true, first);
	expect_offered(&a, first);
	/* Accepting makes her the holder, with the join notice a takeover has. */
	assert_int_equal(answer(ana, first, "accept"), 200);
	holder(first, who, sizeof who);
	assert_string_equal(who, "Ana");
	/* Accepting again, or what was never offered, is a conflict. */
	assert_int_equal(answer(ana, first, "accept"), 409);
	assert_int_equal(answer(ben, first, "accept"), 409);

	/* Now both hold one and Ana got hers last: a tie goes to Ben. */
	ingest(&hub, bot, "aa-2", "user", "me too", true, second);
	expect_offered(&b, second);
	assert_int_equal(answer(ana, second, "accept"), 409);
	assert_int_equal(answer(ben, second, "accept"), 200);
	ws_close(&a);
	ws_close(&b);
}

static void test_a_pass_goes_to_the_next_and_nobody_free_waits(void **state)
{
	(void)state;
	struct ws a, b, c;
	char chat[37], who[64];

	open_console(&a, ana);
	open_console(&b, ben);
	ingest(&hub, bot, "ap-1", "user", "anyone?", true, chat);
	/* A tie between two never given a chat: by id, either. */
	struct ws *first = NULL, *then = NULL;
	const char *first_token, *then_token;
	long long deadline = now_ms() + 8000;
	while (!first) {
		assert_true(now_ms() < deadline);
		cJSON *f = ws_next(&a, 100);
		if (f && strcmp(cJSON_GetObjectItem(f, "type")->valuestring, "offer") == 0) {
			first = &a, first_token = ana, then = &b, then_token = ben;
		} else if (!f && (f = ws_next(&b, 100)) &&
			   strcmp(cJSON_GetObjectItem(f, "type")->valuestring, "offer") == 0) {
			first = &b, first_token = ben, then = &a, then_token = ana;
		}
		cJSON_Delete(f);
	}
	assert_int_equal(answer(first_token, chat, "pass"), 200);
	expect_offered(then, chat);
	/* A pass of what is not yours is a conflict. */
	assert_int_equal(answer(first_token, chat, "pass"), 409);
	assert_int_equal(answer(then_token, chat, "pass"), 200);

	/* Both passed: it waits, held by nobody, until someone can take it. */
	holder(chat, who, sizeof who);
	assert_string_equal(who, "");
	open_console(&c, cy);
	expect_offered(&c, chat);
	assert_int_equal(answer(cy, chat, "accept"), 200);
	ws_close(&a);
	ws_close(&b);
	ws_close(&c);
}

static void test_an_unanswered_offer_times_out_to_the_next(void **state)
{
	(void)state;
	struct ws a, b;
	char chat[37];

	open_console(&a, ana);
	ingest(&hub, bot, "at-1", "user", "hello?", true, chat);
	assert_int_equal(next_offer(&a, chat), 2);
	open_console(&b, ben);
	/* Two seconds later Ana's offer ends and Ben's begins. */
	assert_int_equal(next_offer(&a, chat), 0);
	expect_offered(&b, chat);
	assert_int_equal(answer(ana, chat, "accept"), 409);
	assert_int_equal(answer(ben, chat, "accept"), 200);
	ws_close(&a);
	ws_close(&b);
}

static void test_never_to_an_away_or_full_agent(void **state)
{
	(void)state;
	struct ws a, b;
	char chat[37], other[37], path[96], ben_id[37];

	/* Ana away, Ben full: nobody is offered the chat. */
	open_console(&a, ana);
	ws_send_text(&a, "{\"type\":\"away\",\"away\":true}");
	hub_account_id(&hub, ben, ben_id);
	snprintf(path, sizeof path, "/v1/agents/%s", ben_id);
	struct reply r = http(&hub, "PATCH", path, sue, "{\"capacity\":0}");
	expect_status(&r, 200);
	reply_free(&r);
	open_console(&b, ben);
	ingest(&hub, bot, "aw-1", "user", "hello", true, chat);

	/* Ben gets room: the waiting chat is his (Ana is still away). */
	r = http(&hub, "PATCH", path, sue, "{\"capacity\":1}");
	expect_status(&r, 200);
	reply_free(&r);
	expect_offered(&b, chat);
	/* His one place is taken by the offer: the next chat waits for Ana,
	 * who gets it as soon as she is back. */
	ingest(&hub, bot, "aw-2", "user", "me too", true, other);
	ws_send_text(&a, "{\"type\":\"away\",\"away\":false}");
	expect_offered(&a, other);
	/* Going away withdraws an open offer. */
	ws_send_text(&a, "{\"type\":\"away\",\"away\":true}");
	assert_int_equal(next_offer(&a, other), 0);
	assert_int_equal(answer(ana, other, "accept"), 409);
	ws_close(&a);
	ws_close(&b);
}

struct racers {
	const char *path;
	int n;
	const char *const *tokens;
	struct reply replies[RACERS];
};

static void *race(void *arg)
{
	struct racers *r = arg;

	http_all_at_once(&hub, "POST", r->path, "", r->n, r->tokens, r->replies);
	return NULL;
}

static void test_one_winner_between_an_accept_and_takeovers(void **state)
{
	(void)state;
	char racer[RACERS][HUB_TOKEN_MAX];
	const char *anas[RACERS], *others[RACERS];
	struct ws a, watch;

	for (int i = 0; i < RACERS; i++) {
		char name[32];
		snprintf(name, sizeof name, "Racer %d", i);
		hub_token(&hub, name, "agent", racer[i]);
		others[i] = racer[i];
		anas[i] = ana;
	}
	open_console(&a, ana);
	open_console(&watch, sue);
	ws_send_text(&watch, "{\"type\":\"away\",\"away\":true}"); /* never offered */
	for (int round = 0; round < 4; round++) {
		char chat[37], ext[32], accept[96], takeover[96];
		snprintf(ext, sizeof ext, "race-%d", round);
		ingest(&hub, bot, ext, "user", "quick!", true, chat);
		expect_offered(&a, chat);

		snprintf(accept, sizeof accept, "/v1/chats/%s/accept", chat);
		snprintf(takeover, sizeof takeover, "/v1/chats/%s/takeover", chat);
		struct racers acc = {accept, RACERS, anas, {{0}}};
		struct racers tak = {takeover, RACERS, others, {{0}}};
		pthread_t t1, t2;
		assert_int_equal(pthread_create(&t1, NULL, race, &acc), 0);
		assert_int_equal(pthread_create(&t2, NULL, race, &tak), 0);
		pthread_join(t1, NULL);
		pthread_join(t2, NULL);
		int won = 0;
		for (int i = 0; i < RACERS; i++) {
			won += (acc.replies[i].status == 200) + (tak.replies[i].status == 200);
			assert_true(acc.replies[i].status == 200 || acc.replies[i].status == 409);
			assert_true(tak.replies[i].status == 200 || tak.replies[i].status == 409);
			reply_free(&acc.replies[i]);
			reply_free(&tak.replies[i]);
		}
		assert_int_equal(won, 1);

		/* One join notice in the thread, and one on the stream up to the
		 * chat's last version. */
		char path[128];
		snprintf(path, sizeof path, "/v1/chats/%s", chat);
		struct reply r = http(&hub, "GET", path, sue, NULL);
		int version = (int)cJSON_GetObjectItem(expect_status(&r, 200), "version")->valuedouble;
		reply_free(&r);
		int joined = 0;
		for (int seen = 0; seen < version;) {
			cJSON *f = ws_next(&watch, 5000);
			assert_non_null(f);
			const cJSON *c = cJSON_GetObjectItem(f, "chat");
			if (c && strcmp(cJSON_GetObjectItem(c, "id")->valuestring, chat) == 0) {
				seen = (int)cJSON_GetObjectItem(c, "version")->valuedouble;
				const cJSON *m = cJSON_GetObjectItem(f, "message");
				const cJSON *st = m ? cJSON_GetObjectItem(m, "system_type") : NULL;
				joined += cJSON_IsString(st) &&
					  strcmp(st->valuestring, "AGENT_JOINED") == 0;
			}
			cJSON_Delete(f);
		}
		assert_int_equal(joined, 1);
		snprintf(path, sizeof path, "/v1/chats/%s/messages", chat);
		r = http(&hub, "GET", path, sue, NULL);
		expect_status(&r, 200);
		int notices = 0;
		for (const char *p = r.body; (p = strstr(p, "AGENT_JOINED")); p++)
			notices++;
		assert_int_equal(notices, 1);
		reply_free(&r);
	}
	ws_close(&a);
	ws_close(&watch);
}

/* Two hubs on one database, each with a console of Ana's, and chats coming
 * in through both: each hub's rounds run after its own commits, over the
 * same waiting chats. Each chat is offered once, by one hub, whichever
 * round tries first; on PostgreSQL the hubs share presence, so the offer
 * reaches both her consoles, each once (on SQLite the one of the hub that
 * made it). */
static void test_two_hubs_offer_each_chat_once(void **state)
{
	(void)state;
	enum { CHATS = 8 };
	struct hub other = hub; /* the same directory and database */
	struct ws w[2];
	char chats[CHATS][37];
	int offers[2][CHATS] = {{0}}, offered = 0;

	hub_start(&other, "--auto-assign", "--offer-seconds", "60", "--default-capacity", "10",
		  NULL);
	ws_open_console(&w[0], &hub, ana);
	ws_open_console(&w[1], &other, ana);
	for (int i = 0; i < CHATS; i++) {
		char ext[32];
		snprintf(ext, sizeof ext, "two-hubs-%d", i);
		ingest(i % 2 ? &other : &hub, bot, ext, "user", "hello", true, chats[i]);
	}
	/* Read both consoles until every chat was offered and accepted, then
	 * until each says Ana is away: any second offer of a chat would have
	 * come before that. */
	bool away[2] = {false, false};
	long long deadline = now_ms() + 15000;
	while (!away[0] || !away[1]) {
		assert_true(now_ms() < deadline);
		for (int k = 0; k < 2; k++) {
			cJSON *f = ws_next(&w[k], 50);
			const char *type = f ? cJSON_GetObjectItem(f, "type")->valuestring : "";
			if (strcmp(type, "offer") == 0 &&
			    cJSON_GetObjectItem(f, "seconds")->valuedouble > 0) {
				const char *id = cJSON_GetObjectItem(f, "chat_id")->valuestring;
				for (int i = 0; i < CHATS; i++) {
					if (strcmp(chats[i], id) == 0 && offers[k][i]++ == 0 &&
					    offers[!k][i] == 0) {
						assert_int_equal(answer(ana, id, "accept"), 200);
						if (++offered == CHATS) {
							ws_say_away(&w[0], true);
							ws_say_away(&w[1], true);
						}
					}
				}
			} else if (strcmp(type, "agent") == 0 && offered == CHATS) {
				const cJSON *a = cJSON_GetObjectItem(f, "agent");
				away[k] |= strcmp(cJSON_GetObjectItem(a, "status")->valuestring,
						  "away") == 0;
			}
			cJSON_Delete(f);
		}
	}
	for (int i = 0; i < CHATS; i++) {
		assert_in_range(offers[0][i], 0, 1);
		assert_in_range(offers[1][i], 0, 1);
		assert_int_equal(offers[0][i] + offers[1][i], hub_on_pg() ? 2 : 1);
	}
	ws_close(&w[0]);
	ws_close(&w[1]);
	hub_stop(&other);
}

static void test_without_auto_assign_nothing_is_offered(void **state)
{
	(void)state;
	char chat[37];

	/* The hub of this test runs without --auto-assign (hub_plain). */
	ingest(&hub, bot, "plain-1", "user", "hi", true, chat);
	assert_int_equal(answer(ana, chat, "accept"), 409);
	assert_int_equal(answer(ana, chat, "pass"), 409);
}

static int hub_plain(void **state)
{
	hub_init(&hub);
	hub_token(&hub, "Ana", "agent", ana);
	hub_token(&hub, "Bridge", "ingest", bot);
	hub_start(&hub, NULL);
	*state = &hub;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_offer_goes_to_the_most_free_and_accept_makes_the_holder, hub_long,
			hub_down),
		cmocka_unit_test_setup_teardown(test_a_pass_goes_to_the_next_and_nobody_free_waits,
						hub_long, hub_down),
		cmocka_unit_test_setup_teardown(test_an_unanswered_offer_times_out_to_the_next,
						hub_short, hub_down),
		cmocka_unit_test_setup_teardown(test_never_to_an_away_or_full_agent, hub_long,
						hub_down),
		cmocka_unit_test_setup_teardown(test_one_winner_between_an_accept_and_takeovers,
						hub_long, hub_down),
		cmocka_unit_test_setup_teardown(test_two_hubs_offer_each_chat_once, hub_long,
						hub_down),
		cmocka_unit_test_setup_teardown(test_without_auto_assign_nothing_is_offered,
						hub_plain, hub_down),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
