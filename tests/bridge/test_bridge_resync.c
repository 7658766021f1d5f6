/*
 * test_bridge_resync.c — what agents did while the bridge was away reaches
 * the platform even when the hub no longer keeps those events: the hub
 * keeps 10 events here (--event-retention), the bridge is stopped, Ana
 * takes the chat over, replies twice and retitles it, other traffic pushes
 * the hub's log far past the bridge's seq, and the bridge is started
 * again. The hub answers its since= with a resync; the bridge reads its
 * chats back and the platform gets the two replies, once each and in
 * order, the human holder and the title.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge_proc.h"

#define CONFIG "poll_min_ms = 600000\npoll_max_ms = 600000\nwebhook_listen = 127.0.0.1:0\n" \
	       "webhook_secret_file = webhook.secret\n"

static struct world w;
static char conv[64], chat[37];

static bool has_chat(struct world *wp, const void *text)
{
	return hub_chat_by_preview(wp, text, chat);
}

static bool api_count_is(struct world *wp, const void *n)
{
	return sim_api_messages(wp, conv) == *(const int *)n;
}

static bool tag_is(struct world *wp, const void *arg)
{
	const char *const *kv = arg;
	char path[96];
	snprintf(path, sizeof path, "conversation.tags.%s", kv[0]);
	cJSON *j = sim_conversation(wp, conv);
	const char *v = jstr(j, path);
	bool ok = strcmp(v ? v : "", kv[1]) == 0;
	cJSON_Delete(j);
	return ok;
}

/* A hub that keeps 10 events, a bridge, a conversation with its chat. */
static int setup(void **state)
{
	char listen[32];

	(void)state;
	world_init(&w, CONFIG);
	snprintf(listen, sizeof listen, "127.0.0.1:%d", w.hub.port);
	hub_stop(&w.hub);
	hub_start(&w.hub, "--listen", listen, "--event-retention", "10", NULL);
	bridge_start(&w);
	cJSON *j = simc_ctl(&w.sim, "POST", "/_sim/conversations",
			     "{\"text\":\"Where is my parcel?\",\"name\":\"Maria G.\"}");
	snprintf(conv, sizeof conv, "%s", jstr(j, "conversationId"));
	cJSON_Delete(j);
	wait_for(&w, has_chat, "Where is my parcel?", "the chat in the hub");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	world_free(&w);
	return 0;
}

/* With the bridge stopped: Ana takes the chat over and replies twice,
 * with a note (which stays in the hub) between the replies. */
static void act_while_away(const char *first, const char *second)
{
	char id[37], path[128];

	bridge_stop(&w);
	hub_action(&w, chat, "takeover");
	hub_reply(&w, chat, first, id);
	snprintf(path, sizeof path, "/v1/chats/%s/messages", chat);
	struct reply r = http(&w.hub, "POST", path, w.ana,
			      "{\"text\":\"internal: VIP customer\",\"client_msg_id\":\"note-1\","
			      "\"internal\":true}");
	assert_int_equal(r.status, 201);
	reply_free(&r);
	hub_reply(&w, chat, second, id);
}

/* Other customers' traffic: the hub drops the events the bridge would
 * have resumed from. */
static void push_past_retention(const char *prefix)
{
	char ext[32], other[37];

	for (int i = 0; i < 30; i++) {
		snprintf(ext, sizeof ext, "%s-%d", prefix, i);
		ingest(&w.hub, w.ingest, ext, "user", "someone else", false, other);
	}
}

static void test_work_done_while_away_survives_a_resync(void **state)
{
	static const char *const human[] = {"handoff", "human"};
	static const char *const title[] = {"handoffTitle", "Lost parcel"};
	char id[37], path[128], texts[256];
	int two = 2;

	(void)state;
	act_while_away("Hello Maria, I am Ana", "Your parcel is in Lyon");
	snprintf(path, sizeof path, "/v1/chats/%s", chat);
	struct reply r = http(&w.hub, "PATCH", path, w.ana, "{\"title\":\"Lost parcel\"}");
	assert_int_equal(r.status, 200);
	reply_free(&r);
	push_past_retention("other");

	int resyncs = bridge_log_count(&w, "resync done");
	bridge_start(&w);
	wait_for(&w, api_count_is, &two, "the replies made while the bridge was away");
	wait_for(&w, tag_is, human, "handoff=human on the platform");
	wait_for(&w, tag_is, title, "the title on the platform");
	bridge_wait_log(&w, "resync done", resyncs + 1);
	sim_api_texts(&w, conv, texts, sizeof texts);
	assert_string_equal(texts, "Hello Maria, I am Ana|Your parcel is in Lyon");

	/* A reply after the resync goes the usual way, and nothing is sent
	 * twice across another restart. */
	int three = 3;
	hub_reply(&w, chat, "Anything else?", id);
	wait_for(&w, api_count_is, &three, "the reply after the resync");
	bridge_stop(&w);
	int starts = bridge_log_count(&w, "0 platform calls queued");
	bridge_start(&w);
	assert_int_equal(bridge_log_count(&w, "0 platform calls queued"), starts + 1);
	assert_int_equal(bridge_log_count(&w, "resync done"), resyncs + 1);
	sim_api_texts(&w, conv, texts, sizeof texts);
	assert_string_equal(texts, "Hello Maria, I am Ana|Your parcel is in Lyon|Anything else?");
}

/* The bridge is killed during its catch-up (the walk, or the platform
 * calls it queued, which the platform answers slowly): the next start
 * still sends each reply once. */
static void test_kill_during_resync_sends_once(void **state)
{
	char texts[256];
	int two = 2;

	(void)state;
	act_while_away("first while away", "second while away");
	push_past_retention("noise");
	cJSON_Delete(simc_ctl(&w.sim, "POST", "/_sim/faults", "{\"slow\":100,\"delayMs\":400}"));
	int resyncs = bridge_log_count(&w, "are no longer kept");
	bridge_start(&w);
	bridge_wait_log(&w, "are no longer kept", resyncs + 1);
	bridge_kill(&w);
	cJSON_Delete(simc_ctl(&w.sim, "POST", "/_sim/faults", "{\"reset\":true}"));
	/* Walked again or not (the kill may come after the walk was
	 * recorded), what the walk queued goes out once. */
	bridge_start(&w);
	wait_for(&w, api_count_is, &two, "the replies after the second walk");
	int queued = bridge_log_count(&w, "0 platform calls queued");
	bridge_stop(&w);
	bridge_start(&w);
	assert_int_equal(bridge_log_count(&w, "0 platform calls queued"), queued + 1);
	sim_api_texts(&w, conv, texts, sizeof texts);
	assert_string_equal(texts, "first while away|second while away");
}

/* More replies than one page of the hub's messages, notes among them,
 * so pages come back short: every reply still arrives, once, in order. */
static void test_many_replies_over_pages(void **state)
{
	char id[37], path[128], body[128], want[4096], texts[4096];
	size_t o = 0;
	int n = 130;

	(void)state;
	act_while_away("reply 0", "reply 1");
	snprintf(path, sizeof path, "/v1/chats/%s/messages", chat);
	o += (size_t)snprintf(want, sizeof want, "reply 0|reply 1");
	for (int i = 2; i < n; i++) {
		char text[32];
		snprintf(text, sizeof text, "reply %d", i);
		hub_reply(&w, chat, text, id);
		o += (size_t)snprintf(want + o, sizeof want - o, "|%s", text);
		if (i % 10 == 0) {
			snprintf(body, sizeof body,
				 "{\"text\":\"note %d\",\"client_msg_id\":\"n-%d\",\"internal\":true}",
				 i, i);
			struct reply r = http(&w.hub, "POST", path, w.ana, body);
			assert_int_equal(r.status, 201);
			reply_free(&r);
		}
	}
	push_past_retention("crowd");
	bridge_start(&w);
	wait_for(&w, api_count_is, &n, "every reply made while the bridge was away");
	sim_api_texts(&w, conv, texts, sizeof texts);
	assert_string_equal(texts, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_work_done_while_away_survives_a_resync, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_kill_during_resync_sends_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_replies_over_pages, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
