/*
 * test_codec_agents.c — agents' status on the wire (v1.1): a /v1/agents
 * item's status, capacity and held, which come together or not at all;
 * the "agent" frame, which must carry a status; and the "offer" frame.
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
#include "fixtures.h"

#define AGENT_HEAD "{\"id\":\"" FIX_AGENT_ID "\",\"name\":\"Ana\",\"email\":null,\"role\":\"agent\""

static bool agent_parse(const char *text, struct agent *a, struct errbuf *err)
{
	cJSON *j = cJSON_Parse(text);
	bool ok = agent_from_json(j, a, err);
	cJSON_Delete(j);
	return ok;
}

static void test_agent_load(void **state)
{
	const char *full = AGENT_HEAD ",\"active_chats\":2,\"status\":\"away\",\"capacity\":3,"
				      "\"held\":2}";
	const char *v1 = AGENT_HEAD ",\"active_chats\":2}";
	static const char *const bad[] = {
		AGENT_HEAD ",\"status\":\"busy\",\"capacity\":3,\"held\":0}",
		AGENT_HEAD ",\"status\":\"online\",\"held\":0}",
		AGENT_HEAD ",\"status\":\"online\",\"capacity\":1001,\"held\":0}",
		AGENT_HEAD ",\"status\":\"online\",\"capacity\":3}",
	};
	struct errbuf err = {{0}};
	struct agent a;
	(void)state;

	assert_true(agent_parse(full, &a, &err));
	assert_int_equal(a.status, AGENT_AWAY);
	assert_int_equal(a.capacity, 3);
	assert_int_equal(a.active_chats, 2);
	/* What the hub writes is what the client reads. */
	cJSON *j = agent_to_json(&a);
	char *again = cJSON_PrintUnformatted(j);
	assert_string_equal(again, full);
	free(again);
	cJSON_Delete(j);
	agent_free(&a);

	/* A v1 hub (and /v1/me) says none of it, and nothing is written back. */
	assert_true(agent_parse(v1, &a, &err));
	assert_int_equal(a.status, AGENT_STATUS_NONE);
	j = agent_to_json(&a);
	assert_null(cJSON_GetObjectItem(j, "status"));
	assert_null(cJSON_GetObjectItem(j, "held"));
	cJSON_Delete(j);
	agent_free(&a);

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		assert_false(agent_parse(bad[i], &a, &err));
}

static void test_agent_and_offer_frames(void **state)
{
	const char *agent = "{\"type\":\"agent\",\"agent\":" AGENT_HEAD
			    ",\"active_chats\":0,\"status\":\"online\",\"capacity\":5,\"held\":0}}";
	const char *no_status = "{\"type\":\"agent\",\"agent\":" AGENT_HEAD "}}";
	const char *offer = "{\"type\":\"offer\",\"chat_id\":\"" FIX_CHAT_ID "\",\"seconds\":30}";
	static const char *const bad_offers[] = {
		"{\"type\":\"offer\",\"chat_id\":\"" FIX_CHAT_ID "\"}",
		"{\"type\":\"offer\",\"chat_id\":\"" FIX_CHAT_ID "\",\"seconds\":-1}",
		"{\"type\":\"offer\",\"chat_id\":\"nope\",\"seconds\":30}",
	};
	struct errbuf err = {{0}};
	struct event e;
	(void)state;

	assert_true(event_parse(agent, strlen(agent), &e, &err));
	assert_int_equal(e.type, EVENT_AGENT);
	assert_int_equal(e.agent->status, AGENT_ONLINE);
	assert_int_equal(e.agent->capacity, 5);
	assert_int_equal(e.seq, 0);
	char *again = event_to_string(&e);
	assert_string_equal(again, agent);
	free(again);
	event_free(&e);
	assert_false(event_parse(no_status, strlen(no_status), &e, &err));

	assert_true(event_parse(offer, strlen(offer), &e, &err));
	assert_int_equal(e.type, EVENT_OFFER);
	assert_string_equal(e.offer.chat_id, FIX_CHAT_ID);
	assert_int_equal(e.offer.seconds, 30);
	again = event_to_string(&e);
	assert_string_equal(again, offer);
	free(again);
	event_free(&e);
	for (size_t i = 0; i < sizeof bad_offers / sizeof *bad_offers; i++)
		assert_false(event_parse(bad_offers[i], strlen(bad_offers[i]), &e, &err));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agent_load),
		cmocka_unit_test(test_agent_and_offer_frames),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
