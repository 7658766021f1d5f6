/*
 * test_wsurl.c — the event stream's address from the server URL.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "wsurl.h"

static void test_http_with_port_and_prefix(void **state)
{
	struct wsurl u;
	struct errbuf err;

	(void)state;
	assert_true(wsurl_parse("http://hub.example:8470/handoff/", &u, &err));
	assert_false(u.tls);
	assert_string_equal(u.address, "hub.example");
	assert_int_equal(u.port, 8470);
	assert_string_equal(u.host_header, "hub.example:8470");
	assert_string_equal(u.prefix, "/handoff");
	char *p = wsurl_events_path(&u, 42);
	assert_string_equal(p, "/handoff/v1/events?since=42");
	free(p);
	p = wsurl_events_path(&u, -1);
	assert_string_equal(p, "/handoff/v1/events");
	free(p);
	wsurl_free(&u);
}

static void test_https_default_port(void **state)
{
	struct wsurl u;

	(void)state;
	assert_true(wsurl_parse("https://hub.example", &u, NULL));
	assert_true(u.tls);
	assert_int_equal(u.port, 443);
	assert_string_equal(u.host_header, "hub.example");
	assert_string_equal(u.prefix, "");
	char *p = wsurl_events_path(&u, 0);
	assert_string_equal(p, "/v1/events?since=0");
	free(p);
	wsurl_free(&u);
	assert_true(wsurl_parse("http://10.0.0.7", &u, NULL));
	assert_int_equal(u.port, 80);
	wsurl_free(&u);
}

static void test_ipv6_brackets(void **state)
{
	struct wsurl u;

	(void)state;
	assert_true(wsurl_parse("http://[::1]:9000", &u, NULL));
	assert_string_equal(u.address, "::1");
	assert_string_equal(u.host_header, "[::1]:9000");
	assert_int_equal(u.port, 9000);
	wsurl_free(&u);
}

static void test_refused_urls(void **state)
{
	struct wsurl u;
	struct errbuf err;

	(void)state;
	assert_false(wsurl_parse("ws://hub:1", &u, &err));
	assert_null(u.address);
	assert_false(wsurl_parse("http://user:pw@hub", &u, &err));
	assert_false(wsurl_parse("http://hub:99999", &u, &err));
	assert_false(wsurl_parse("http://hub/a?b", &u, &err));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_with_port_and_prefix),
		cmocka_unit_test(test_https_default_port),
		cmocka_unit_test(test_ipv6_brackets),
		cmocka_unit_test(test_refused_urls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
