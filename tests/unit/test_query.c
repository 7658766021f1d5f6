/*
 * test_query.c — the pure parts of the hub's HTTP layer: query strings,
 * route matching and header values.
 *
 * libwebsockets decodes %xx and turns '+' into a space, and splits the
 * query at '&' and ';' before we see it; these tests start from its
 * fragments, as the server does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "query.h"
#include "server_head.h"
#include "server_route.h"

#define ID "3f1c2a4e-9b7d-4c1e-8a2f-1d3e5f7a9b0c"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- query strings ------------------------------------------------------ */

static void test_query_pairs_in_order(void **state)
{
	const char *frags[] = {"mode=AI", "q=x y", "limit=", "waiting"};
	struct query q;
	struct api_error err;

	(void)state;
	assert_true(query_parse(frags, N(frags), &q, &err));
	assert_int_equal(q.n, 4);
	assert_string_equal(q.params[0].name, "mode");
	assert_string_equal(q.params[0].value, "AI");
	assert_string_equal(q.params[1].value, "x y");
	/* An empty value, and a bare name, both read as "". */
	assert_string_equal(q.params[2].name, "limit");
	assert_string_equal(q.params[2].value, "");
	assert_string_equal(q.params[3].name, "waiting");
	assert_string_equal(q.params[3].value, "");
	query_free(&q);
	assert_null(q.params);
}

static void test_query_value_keeps_later_equals(void **state)
{
	const char *frags[] = {"cursor=abc==", "q=a=b"};
	struct query q;
	struct api_error err;

	(void)state;
	assert_true(query_parse(frags, N(frags), &q, &err));
	assert_string_equal(q.params[0].value, "abc==");
	assert_string_equal(q.params[1].value, "a=b");
	query_free(&q);
}

static void test_query_skips_empty_fragments(void **state)
{
	/* "?a=1&&b=2&" */
	const char *frags[] = {"a=1", "", "b=2", ""};
	struct query q;
	struct api_error err;

	(void)state;
	assert_true(query_parse(frags, N(frags), &q, &err));
	assert_int_equal(q.n, 2);
	assert_string_equal(q.params[1].name, "b");
	query_free(&q);
	assert_true(query_parse(NULL, 0, &q, &err));
	assert_int_equal(q.n, 0);
}

static void test_query_utf8(void **state)
{
	const char *good[] = {"q=Jos\xc3\xa9"};
	const char *bad_value[] = {"a=1", "q=\xff"};
	const char *bad_name[] = {"\xc3=1"};
	const char *surrogate[] = {"q=\xed\xa0\x80"};
	struct query q;
	struct api_error err;

	(void)state;
	assert_true(query_parse(good, N(good), &q, &err));
	assert_string_equal(q.params[0].value, "Jos\xc3\xa9");
	query_free(&q);
	assert_false(query_parse(bad_value, N(bad_value), &q, &err));
	assert_int_equal(err.type, API_INVALID_QUERY);
	assert_int_equal(q.n, 0);
	assert_null(q.params);
	assert_false(query_parse(bad_name, N(bad_name), &q, &err));
	assert_int_equal(err.type, API_INVALID_QUERY);
	assert_false(query_parse(surrogate, N(surrogate), &q, &err));
}

static void test_query_duplicates_refused(void **state)
{
	const char *frags[] = {"limit=5", "mode=AI", "limit=6"};
	const char *empty_twice[] = {"q=", "q"};
	struct query q;
	struct api_error err;

	(void)state;
	assert_false(query_parse(frags, N(frags), &q, &err));
	assert_int_equal(err.type, API_INVALID_QUERY);
	assert_non_null(strstr(err.description, "limit"));
	assert_false(query_parse(empty_twice, N(empty_twice), &q, &err));
}

static void test_query_nameless_refused(void **state)
{
	const char *frags[] = {"=x"};
	struct query q;
	struct api_error err;

	(void)state;
	assert_false(query_parse(frags, N(frags), &q, &err));
	assert_int_equal(err.type, API_INVALID_QUERY);
}

static void test_query_accepted_names(void **state)
{
	static const char *const accepted[] = {"mode", "limit", NULL};
	static const char *const none[] = {NULL};
	const char *ok[] = {"limit=5", "mode=AI"};
	const char *unknown[] = {"mode=AI", "sort=x"};
	struct query q;
	struct api_error err;

	(void)state;
	assert_true(query_parse(ok, N(ok), &q, &err));
	assert_true(query_check_accepted(&q, accepted, &err));
	assert_false(query_check_accepted(&q, none, &err));
	query_free(&q);
	assert_true(query_parse(unknown, N(unknown), &q, &err));
	assert_false(query_check_accepted(&q, accepted, &err));
	assert_int_equal(err.type, API_INVALID_QUERY);
	assert_string_equal(err.description, "unknown query parameter sort");
	query_free(&q);
}

static void test_query_long_name_cut_in_description(void **state)
{
	static const char *const none[] = {NULL};
	char frag[300];
	const char *frags[] = {frag};
	struct query q;
	struct api_error err;

	(void)state;
	/* 100 two-byte characters: the description shows whole ones only. */
	for (int i = 0; i < 100; i++)
		memcpy(frag + 2 * i, "\xc3\xa9", 2);
	strcpy(frag + 200, "=1");
	assert_true(query_parse(frags, 1, &q, &err));
	assert_false(query_check_accepted(&q, none, &err));
	assert_true(strlen(err.description) < strlen("unknown query parameter ") + 2 * 40 + 1);
	assert_int_equal((strlen(err.description) - strlen("unknown query parameter ")) % 2, 0);
	query_free(&q);
}

/* ---- routes ------------------------------------------------------------- */

static bool no_handler(const struct request *req, struct response *res, struct api_error *err)
{
	(void)req;
	(void)res;
	(void)err;
	return false;
}

static const char *const no_params[] = {NULL};
static const struct route routes[] = {
	{HTTP_GET, "/v1/health", ROLES_PUBLIC, no_handler, no_params, false},
	{HTTP_GET, "/v1/chats", ROLES_AGENTS, no_handler, no_params, false},
	{HTTP_GET, "/v1/chats/{id}", ROLES_AGENTS, no_handler, no_params, false},
	{HTTP_PATCH, "/v1/chats/{id}", ROLES_AGENTS, no_handler, no_params, false},
	{HTTP_POST, "/v1/chats/{id}/messages", ROLES_AGENTS, no_handler, no_params, false},
	{HTTP_GET, "/v1/chats/{id}/messages", ROLES_AGENTS, no_handler, no_params, false},
};

static void test_route_exact(void **state)
{
	struct route_match m;
	struct api_error err;

	(void)state;
	assert_true(route_find(routes, N(routes), HTTP_GET, "/v1/chats", &m, &err));
	assert_ptr_equal(m.route, &routes[1]);
	assert_int_equal(m.nids, 0);
	assert_true(route_find(routes, N(routes), HTTP_GET, "/v1/health", &m, &err));
	assert_ptr_equal(m.route, &routes[0]);
}

static void test_route_ids(void **state)
{
	struct route_match m;
	struct api_error err;

	(void)state;
	assert_true(route_find(routes, N(routes), HTTP_PATCH, "/v1/chats/" ID, &m, &err));
	assert_ptr_equal(m.route, &routes[3]);
	assert_int_equal(m.nids, 1);
	assert_string_equal(m.ids[0], ID);
	assert_true(route_check_ids(&m, &err));
	assert_true(route_find(routes, N(routes), HTTP_POST, "/v1/chats/" ID "/messages", &m, &err));
	assert_ptr_equal(m.route, &routes[4]);
	assert_string_equal(m.ids[0], ID);
}

static void test_route_not_found(void **state)
{
	static const char *const paths[] = {
		"/", "", "/v1", "/v1/chat", "/v1/chats/", "/v1/chats/" ID "/", "/v2/chats",
		"/v1/chats/" ID "/messages/x", "/v1/health/x", "/v1/chats//messages", "/V1/health",
	};
	struct route_match m;
	struct api_error err;

	(void)state;
	for (size_t i = 0; i < N(paths); i++) {
		assert_false(route_find(routes, N(routes), HTTP_GET, paths[i], &m, &err));
		assert_int_equal(err.type, API_RESOURCE_NOT_FOUND);
		assert_null(m.route);
	}
}

static void test_route_method_not_found(void **state)
{
	struct route_match m;
	struct api_error err;

	(void)state;
	assert_false(route_find(routes, N(routes), HTTP_DELETE, "/v1/chats/" ID, &m, &err));
	assert_int_equal(err.type, API_METHOD_NOT_FOUND);
	assert_int_equal(m.allowed, (1u << HTTP_GET) | (1u << HTTP_PATCH));
	assert_false(route_find(routes, N(routes), HTTP_POST, "/v1/health", &m, &err));
	assert_int_equal(err.type, API_METHOD_NOT_FOUND);
	assert_false(route_find(routes, N(routes), HTTP_OTHER, "/v1/chats", &m, &err));
	assert_int_equal(err.type, API_METHOD_NOT_FOUND);
}

static void test_route_bad_ids(void **state)
{
	static const char *const paths[] = {
		"/v1/chats/123",
		"/v1/chats/3F1C2A4E-9B7D-4C1E-8A2F-1D3E5F7A9B0C",  /* uppercase */
		"/v1/chats/3f1c2a4e-9b7d-1c1e-8a2f-1d3e5f7a9b0c",  /* version 1 */
		"/v1/chats/" ID "0",                               /* one too many */
		"/v1/chats/" ID "-and-a-long-tail-that-goes-on",   /* a UUID prefix */
		"/v1/chats/{id}",
	};
	struct route_match m;
	struct api_error err;

	(void)state;
	for (size_t i = 0; i < N(paths); i++) {
		/* The path matches (a bad id is a 400, not a 404)… */
		assert_true(route_find(routes, N(routes), HTTP_GET, paths[i], &m, &err));
		/* …and the id check refuses it. */
		assert_false(route_check_ids(&m, &err));
		assert_int_equal(err.type, API_INVALID_QUERY);
	}
}

/* ---- header values ------------------------------------------------------ */

static void test_bearer(void **state)
{
	char tok[16];

	(void)state;
	assert_true(head_bearer_token("Bearer abc", tok, sizeof tok));
	assert_string_equal(tok, "abc");
	assert_true(head_bearer_token("  bearer\tabc  ", tok, sizeof tok));
	assert_string_equal(tok, "abc");
	assert_false(head_bearer_token("", tok, sizeof tok));
	assert_false(head_bearer_token("Bearer", tok, sizeof tok));
	assert_false(head_bearer_token("Bearer   ", tok, sizeof tok));
	assert_false(head_bearer_token("Bearerabc", tok, sizeof tok));
	assert_false(head_bearer_token("Basic abc", tok, sizeof tok));
	assert_false(head_bearer_token("Bearer a b", tok, sizeof tok));
	assert_false(head_bearer_token("Bearer 0123456789abcdef", tok, sizeof tok)); /* too long */
}

static void test_content_type(void **state)
{
	(void)state;
	assert_true(head_content_type_is_json("application/json"));
	assert_true(head_content_type_is_json("Application/JSON"));
	assert_true(head_content_type_is_json("application/json; charset=utf-8"));
	assert_true(head_content_type_is_json("application/json;charset=UTF-8"));
	assert_true(head_content_type_is_json("application/json; charset=\"utf-8\""));
	assert_true(head_content_type_is_json("application/json; foo=bar"));
	assert_false(head_content_type_is_json(""));
	assert_false(head_content_type_is_json("text/plain"));
	assert_false(head_content_type_is_json("application/jsonx"));
	assert_false(head_content_type_is_json("application/json-patch+json"));
	assert_false(head_content_type_is_json("application/x-www-form-urlencoded"));
	assert_false(head_content_type_is_json("application/json; charset=latin1"));
	assert_false(head_content_type_is_json("application/json; charset=utf-16"));
}

static void test_parse_uint(void **state)
{
	int64_t v;

	(void)state;
	assert_true(head_parse_uint("0", &v));
	assert_int_equal(v, 0);
	assert_true(head_parse_uint("0042", &v));
	assert_int_equal(v, 42);
	assert_true(head_parse_uint("9223372036854775807", &v));
	assert_int_equal(v, INT64_MAX);
	assert_false(head_parse_uint("9223372036854775808", &v));
	assert_false(head_parse_uint("", &v));
	assert_false(head_parse_uint("-1", &v));
	assert_false(head_parse_uint("+1", &v));
	assert_false(head_parse_uint(" 1", &v));
	assert_false(head_parse_uint("1.0", &v));
	assert_false(head_parse_uint("1e3", &v));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_pairs_in_order),
		cmocka_unit_test(test_query_value_keeps_later_equals),
		cmocka_unit_test(test_query_skips_empty_fragments),
		cmocka_unit_test(test_query_utf8),
		cmocka_unit_test(test_query_duplicates_refused),
		cmocka_unit_test(test_query_nameless_refused),
		cmocka_unit_test(test_query_accepted_names),
		cmocka_unit_test(test_query_long_name_cut_in_description),
		cmocka_unit_test(test_route_exact),
		cmocka_unit_test(test_route_ids),
		cmocka_unit_test(test_route_not_found),
		cmocka_unit_test(test_route_method_not_found),
		cmocka_unit_test(test_route_bad_ids),
		cmocka_unit_test(test_bearer),
		cmocka_unit_test(test_content_type),
		cmocka_unit_test(test_parse_uint),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
