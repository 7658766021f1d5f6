/*
 * test_hub_ingest_scope.c — an ingest account's event stream carries the
 * chats it created and the sources an operator granted it (handoffd grant),
 * in replay and live; never another bridge's customers, never notes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "harness.h"

extern char **environ;

static struct hub hub;
static char ana[HUB_TOKEN_MAX], zen[HUB_TOKEN_MAX], bp[HUB_TOKEN_MAX], wa[HUB_TOKEN_MAX];
static char zen_id[37], bp_id[37];

static const struct account accounts[] = {
	{"Ana", "agent", ana},
	{"Zendesk bridge", "ingest", zen},
	{"Botpress bridge", "ingest", bp},
	{"WhatsApp bridge", "ingest", wa},
	{NULL},
};

static int setup(void **state)
{
	hub_up(&hub, accounts);
	hub_account_id(&hub, zen, zen_id);
	hub_account_id(&hub, bp, bp_id);
	*state = &hub;
	return 0;
}

/* One message into the chat `external_id` of `token`, from platform. */
static void feed(const char *token, const char *external_id, const char *platform, char chat[37])
{
	char body[512];
	snprintf(body, sizeof body,
		 "{\"external_id\":\"%s\",\"role\":\"user\",\"text\":\"hello\","
		 "\"source\":{\"platform\":\"%s\"}}",
		 external_id, platform);
	struct reply r = http(&hub, "POST", "/v1/ingest/messages", token, body);
	cJSON *j = cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "chat"), "id");
	assert_true(r.status == 201 || r.status == 200);
	if (chat)
		snprintf(chat, 37, "%s", j->valuestring);
	reply_free(&r);
}

/* handoffd grant|revoke INGEST --account|--platform SOURCE on the hub's db
 * while it runs; its exit status. */
static int grant_status(const char *verb, const char *ingest, const char *option,
			const char *source)
{
	const char *handoffd = getenv("HANDOFFD") ? getenv("HANDOFFD") : "./handoffd";
	char *argv[] = {(char *)handoffd, (char *)verb, (char *)ingest, (char *)option,
			(char *)source, "--db", hub.db, NULL};
	pid_t pid;
	int status;
	assert_int_equal(posix_spawn(&pid, handoffd, NULL, NULL, argv, environ), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void grant(const char *verb, const char *ingest, const char *option, const char *source)
{
	assert_int_equal(grant_status(verb, ingest, option, source), 0);
}

/* The chat id of the next event on w (the hello skipped). */
static void next_event_chat(struct ws *w, char chat[37])
{
	for (;;) {
		cJSON *ev = ws_next(w, 5000);
		assert_non_null(ev);
		cJSON *c = cJSON_GetObjectItem(cJSON_GetObjectItem(ev, "chat"), "id");
		if (c) {
			snprintf(chat, 37, "%s", c->valuestring);
			cJSON_Delete(ev);
			return;
		}
		cJSON_Delete(ev);
	}
}

/* Replay from 0 on a fresh stream of `token` until the chat `last` shows
 * up; true if the chat `other` came by on the way. */
static bool replay_shows(const char *token, const char *other, const char *last)
{
	struct ws w;
	char chat[37];
	bool seen = false;

	assert_true(ws_connect(&w, &hub, token, "since=0", NULL));
	do {
		next_event_chat(&w, chat);
		seen |= strcmp(chat, other) == 0;
	} while (strcmp(chat, last) != 0);
	ws_close(&w);
	return seen;
}

/* On the live stream w: does an ingest into `other` by other_token reach
 * it? The owner's own ingest right after is the fence: events come in
 * order, so whatever arrives first tells. */
static bool live_shows(struct ws *w, const char *other_token, const char *other_ext,
		       const char *own_token, const char *own_ext)
{
	char other[37], own[37], chat[37];

	feed(other_token, other_ext, "x", other);
	feed(own_token, own_ext, "x", own);
	next_event_chat(w, chat);
	if (strcmp(chat, own) == 0)
		return false;
	assert_string_equal(chat, other);
	do
		next_event_chat(w, chat);
	while (strcmp(chat, own) != 0);
	return true;
}

static void test_each_bridge_sees_its_own_chats(void **state)
{
	(void)state;
	char zchat[37], bchat[37];
	struct ws wz, wb;

	feed(zen, "scope-z1", "zendesk", zchat);
	feed(bp, "scope-b1", "botpress", bchat);
	assert_false(replay_shows(zen, bchat, zchat));
	assert_false(replay_shows(bp, zchat, bchat));

	assert_true(ws_connect(&wz, &hub, zen, NULL, NULL));
	assert_true(ws_connect(&wb, &hub, bp, NULL, NULL));
	assert_false(live_shows(&wz, bp, "scope-b1", zen, "scope-z1"));
	assert_false(live_shows(&wb, zen, "scope-z1", bp, "scope-b1"));
	ws_close(&wz);
	ws_close(&wb);

	/* An agent still sees both. */
	assert_true(replay_shows(ana, zchat, bchat));
}

static void test_a_grant_opens_another_source_and_a_revoke_closes_it(void **state)
{
	(void)state;
	char zchat[37], bchat[37], wchat[37];
	struct ws w;

	feed(zen, "grant-z1", "zendesk", zchat);
	feed(wa, "grant-w1", "whatsapp", wchat);
	feed(bp, "grant-b1", "botpress", bchat);

	grant("grant", "Botpress bridge", "--account", zen_id);
	assert_true(replay_shows(bp, zchat, bchat));
	assert_false(replay_shows(bp, wchat, bchat));
	assert_true(ws_connect(&w, &hub, bp, NULL, NULL));
	assert_true(live_shows(&w, zen, "grant-z1", bp, "grant-b1"));
	assert_false(live_shows(&w, wa, "grant-w1", bp, "grant-b1"));

	/* A platform label grants the chats that came in under it. */
	grant("grant", bp_id, "--platform", "whatsapp");
	assert_true(live_shows(&w, wa, "grant-w1", bp, "grant-b1"));

	grant("revoke", "Botpress bridge", "--account", "Zendesk bridge");
	assert_false(live_shows(&w, zen, "grant-z1", bp, "grant-b1"));
	ws_close(&w);
	feed(bp, "grant-b1", "botpress", NULL);
	assert_false(replay_shows(bp, zchat, bchat));
}

static void test_notes_never_reach_a_bridge(void **state)
{
	(void)state;
	char chat[37], path[160], seen[64];
	struct ws w;

	feed(zen, "note-z1", "zendesk", chat);
	assert_true(ws_connect(&w, &hub, zen, NULL, NULL));
	snprintf(path, sizeof path, "/v1/chats/%s/messages", chat);
	struct reply r = http(&hub, "POST", path, ana,
			      "{\"text\":\"VIP\",\"client_msg_id\":\"n1\",\"internal\":true}");
	expect_status(&r, 201);
	reply_free(&r);
	feed(zen, "note-z1", "zendesk", NULL);
	cJSON *ev;
	do {
		ev = ws_next(&w, 5000);
		assert_non_null(ev);
		cJSON *m = cJSON_GetObjectItem(ev, "message");
		assert_true(!m || strcmp(cJSON_GetObjectItem(m, "role")->valuestring, "note") != 0);
		snprintf(seen, sizeof seen, "%s", m ? cJSON_GetObjectItem(m, "text")->valuestring : "");
		cJSON_Delete(ev);
	} while (strcmp(seen, "hello") != 0);
	ws_close(&w);
}

static void test_grants_name_ingest_accounts_only(void **state)
{
	(void)state;
	/* Only an ingest account is granted, and only one's chats. */
	assert_int_equal(grant_status("grant", "Ana", "--platform", "whatsapp"), 1);
	assert_int_equal(grant_status("grant", "Zendesk bridge", "--account", "Ana"), 1);
	assert_int_equal(grant_status("grant", "Nobody", "--platform", "whatsapp"), 1);
	assert_int_equal(grant_status("grant", "Zendesk bridge", "--platform", "Not A Label"), 2);
	assert_int_equal(grant_status("grant", "Zendesk bridge", "--bogus", "x"), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_bridge_sees_its_own_chats),
		cmocka_unit_test(test_a_grant_opens_another_source_and_a_revoke_closes_it),
		cmocka_unit_test(test_notes_never_reach_a_bridge),
		cmocka_unit_test(test_grants_name_ingest_accounts_only),
	};
	return cmocka_run_group_tests(tests, setup, hub_teardown);
}
