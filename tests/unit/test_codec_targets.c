/*
 * test_codec_targets.c — the v1.1 wait-time members on the wire: hello's
 * "targets" and a chat's "awaiting_reply_since", both read from a hub
 * that sends them and absent (none, null) from a v1 hub.
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

#define HELLO_HEAD "{\"type\":\"hello\",\"head\":7,\"me\":{\"id\":\"" FIX_AGENT_ID \
		   "\",\"name\":\"Ana\",\"email\":null,\"role\":\"agent\"}"

static void test_hello_targets(void **state)
{
	const char *with = HELLO_HEAD ",\"targets\":{\"first_response_s\":60,\"next_response_s\":300}}";
	const char *v1 = HELLO_HEAD "}";
	const char *bad = HELLO_HEAD ",\"targets\":{\"first_response_s\":-1}}";
	struct errbuf err = {{0}};
	struct event e;
	(void)state;

	assert_true(event_parse(with, strlen(with), &e, &err));
	assert_int_equal(e.targets.first_response_s, 60);
	assert_int_equal(e.targets.next_response_s, 300);
	/* What the hub writes is what the client reads. */
	char *again = event_to_string(&e);
	assert_non_null(strstr(again, "\"targets\":{\"first_response_s\":60,\"next_response_s\":300}"));
	free(again);
	event_free(&e);

	assert_true(event_parse(v1, strlen(v1), &e, &err));
	assert_int_equal(e.targets.first_response_s, 0);
	assert_int_equal(e.targets.next_response_s, 0);
	event_free(&e);

	assert_false(event_parse(bad, strlen(bad), &e, &err));
	assert_non_null(strstr(err.msg, "targets"));
}

static void test_chat_clock(void **state)
{
	/* A v1 hub's chat: the member is simply not there. */
	const char *v1 = "{\"seq\":1,\"type\":\"chat.updated\",\"at\":\"2026-11-23T10:01:02.123Z\","
			 "\"chat\":" FIX_CHAT_MINIMAL_JSON "}";
	const char *full = "{\"seq\":1,\"type\":\"chat.updated\",\"at\":\"2026-11-23T10:01:02.123Z\","
			   "\"chat\":" FIX_CHAT_JSON "}";
	struct errbuf err = {{0}};
	struct event e;
	char text[4096];
	(void)state;

	assert_true(event_parse(full, strlen(full), &e, &err));
	assert_int_equal(e.chat->awaiting_reply_since, e.chat->latest.at);
	event_free(&e);

	/* Cut ",\"awaiting_reply_since\":null" out of the minimal chat. */
	snprintf(text, sizeof text, "%s", v1);
	char *cut = strstr(text, ",\"awaiting_reply_since\":null");
	assert_non_null(cut);
	memmove(cut, cut + strlen(",\"awaiting_reply_since\":null"),
		strlen(cut + strlen(",\"awaiting_reply_since\":null")) + 1);
	assert_true(event_parse(text, strlen(text), &e, &err));
	assert_true(e.chat->awaiting_reply_since == TS_NONE);
	event_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hello_targets),
		cmocka_unit_test(test_chat_clock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
