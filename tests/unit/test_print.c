/*
 * test_print.c — the scripting commands' output is terminal-safe: JSON with
 * C1, DEL and bidi controls escaped (and still the same text once parsed),
 * human lines through textsafe.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "print.h"

static void test_json_escapes_what_cjson_leaves(void **state)
{
	(void)state;
	const char *text = "a\x1b[2Jb\x7f" "c\xc2\x9b" "d\xe2\x80\xae" "e\xef\xbb\xbf" "f\xc3\xa9";
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "text", text);
	char *raw = cJSON_PrintUnformatted(j);
	char *safe = json_terminal_safe(raw);
	assert_string_equal(safe, "{\"text\":\"a\\u001b[2Jb\\u007fc\\u009bd\\u202ee\\ufefff\xc3\xa9\"}");
	cJSON *back = cJSON_Parse(safe);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(back, "text")->valuestring, text);
	cJSON_Delete(back);
	free(safe);
	free(raw);
	cJSON_Delete(j);
}

static void test_message_line_is_neutralised(void **state)
{
	(void)state;
	struct message m = {.seq = 3, .created_at = 0, .role = MSG_ROLE_USER,
			    .author = {.name = "Eve\x1b]0;x\x07"}, .text = "hi\nthere\x1b[31m"};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	print_msg(f, &m);
	fclose(f);
	assert_null(memchr(buf, 0x1b, len));
	assert_null(memchr(buf, 0x07, len));
	assert_non_null(strstr(buf, "Eve^[]0;x^G"));
	assert_non_null(strstr(buf, "hi\n    there^[[31m\n")); /* continuation indented */
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_escapes_what_cjson_leaves),
		cmocka_unit_test(test_message_line_is_neutralised),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
