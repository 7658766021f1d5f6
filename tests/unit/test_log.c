/*
 * test_log.c — log lines: levels, and one message is one line whatever
 * text it carries (a request path, an account name, a library's line).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "log.h"

/* What log_msg wrote to a fresh file, without the timestamp. */
static void logged(char *out, size_t len, void (*write)(void))
{
	FILE *f = tmpfile();
	assert_non_null(f);
	log_set_file(f);
	write();
	log_set_file(NULL);
	rewind(f);
	size_t n = fread(out, 1, len - 1, f);
	out[n] = '\0';
	fclose(f);
	char *space = strchr(out, ' ');
	assert_non_null(space);
	memmove(out, space + 1, strlen(space + 1) + 1);
}

static void write_hostile(void)
{
	log_msg(LOG_WARN, "http: GET %s by %s", "/v1/x\n2026-01-01T00:00:00.000Z INFO forged",
		"Eve\x1b[31m\x7f");
}

static void test_control_characters_cannot_forge_lines(void **state)
{
	(void)state;
	char out[512];
	logged(out, sizeof out, write_hostile);
	assert_string_equal(out, "WARN http: GET /v1/x?2026-01-01T00:00:00.000Z INFO forged "
				 "by Eve?[31m?\n");
}

static void write_library_line(void)
{
	log_msg(LOG_ERROR, "lws: %s", "cannot bind\n");
}

static void test_a_trailing_newline_is_dropped(void **state)
{
	(void)state;
	char out[512];
	logged(out, sizeof out, write_library_line);
	assert_string_equal(out, "ERROR lws: cannot bind\n");
}

static void test_levels(void **state)
{
	(void)state;
	log_set_level(LOG_INFO);
	assert_false(log_enabled(LOG_DEBUG));
	assert_true(log_enabled(LOG_INFO));
	assert_true(log_enabled(LOG_ERROR));
	log_set_level(LOG_DEBUG);
	assert_true(log_enabled(LOG_DEBUG));
	log_set_level(LOG_INFO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_control_characters_cannot_forge_lines),
		cmocka_unit_test(test_a_trailing_newline_is_dropped),
		cmocka_unit_test(test_levels),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
