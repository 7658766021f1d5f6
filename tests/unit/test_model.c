/*
 * test_model.c — the rules of the protocol's objects that every program
 * shares (model.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "model.h"

static void test_client_msg_id_is_1_to_64_of_a_safe_alphabet(void **state)
{
	char max[66];

	(void)state;
	assert_true(client_msg_id_valid("a"));
	assert_true(client_msg_id_valid("Az09_-"));
	assert_false(client_msg_id_valid(""));
	assert_false(client_msg_id_valid("a b"));
	assert_false(client_msg_id_valid("é"));
	memset(max, 'x', 64);
	max[64] = '\0';
	assert_true(client_msg_id_valid(max));
	max[64] = 'x';
	max[65] = '\0';
	assert_false(client_msg_id_valid(max));
}

static void test_waiting_means_escalated_and_still_with_the_bot(void **state)
{
	struct chat c = {.escalated = true, .mode = CHAT_MODE_AI};

	(void)state;
	assert_true(chat_is_waiting(&c));
	c.mode = CHAT_MODE_AGENT;
	assert_false(chat_is_waiting(&c));
	c.mode = CHAT_MODE_AI;
	c.escalated = false;
	assert_false(chat_is_waiting(&c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_msg_id_is_1_to_64_of_a_safe_alphabet),
		cmocka_unit_test(test_waiting_means_escalated_and_still_with_the_bot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
