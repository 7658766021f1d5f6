/*
 * test_enums.c — wire names of the protocol's enums, both ways.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "enums.h"

static const struct enum_table *const all_tables[] = {
	&chat_mode_table, &msg_role_table, &system_type_table, &ticket_status_table,
	&channel_type_table, &responder_type_table, &chat_state_table, &account_role_table,
	&event_type_table,
};

static void test_every_name_round_trips(void **state)
{
	(void)state;
	for (size_t t = 0; t < sizeof all_tables / sizeof all_tables[0]; t++) {
		const struct enum_table *tab = all_tables[t];
		for (int v = 0; v < tab->count; v++) {
			const char *name = enum_name(tab, v);
			if (!name) {
				/* only system_type's "none" is spelled null */
				assert_ptr_equal(tab, &system_type_table);
				assert_int_equal(v, SYSTEM_TYPE_NONE);
				continue;
			}
			int back = -1;
			assert_true(enum_parse(tab, name, &back));
			assert_int_equal(back, v);
		}
	}
}

static void test_spellings_match_the_protocol(void **state)
{
	(void)state;
	assert_string_equal(chat_mode_name(CHAT_MODE_AGENT), "AGENT");
	assert_string_equal(msg_role_name(MSG_ROLE_NOTE), "note");
	assert_string_equal(system_type_name(SYSTEM_TYPE_CHAT_REASSIGNED), "CHAT_REASSIGNED");
	assert_string_equal(ticket_status_name(TICKET_SOLVED), "solved");
	assert_string_equal(channel_type_name(CHANNEL_WAHA), "waha");
	assert_string_equal(responder_type_name(RESPONDER_NONE), "none");
	assert_string_equal(chat_state_name(CHAT_STATE_STOPPED), "stopped");
	assert_string_equal(account_role_name(ACCOUNT_INGEST), "ingest");
	assert_string_equal(event_type_name(EVENT_MESSAGE_CREATED), "message.created");
}

static void test_unknown_and_out_of_range(void **state)
{
	(void)state;
	int v = 42;
	assert_false(enum_parse(&chat_mode_table, "ai", &v)); /* case matters */
	assert_false(enum_parse(&msg_role_table, "", &v));
	assert_false(enum_parse(&msg_role_table, NULL, &v));
	assert_false(enum_parse(&system_type_table, "NONE", &v));
	assert_int_equal(v, 42);
	assert_null(enum_name(&chat_mode_table, -1));
	assert_null(enum_name(&chat_mode_table, 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_name_round_trips),
		cmocka_unit_test(test_spellings_match_the_protocol),
		cmocka_unit_test(test_unknown_and_out_of_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
