/*
 * test_ingest_batch.c — POST /v1/ingest/batch against a real handoffd:
 * items taken in order with the events of single ingests, idempotency
 * within and across batches, a refused item refusing only itself and an
 * invalid one the whole batch, the size bound, and the rate limit counting
 * items.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define WAIT_MS 5000

static struct hub hub;
static char ana[HUB_TOKEN_MAX], bridge[HUB_TOKEN_MAX];

static const struct account accounts[] = {
	{"Ana", "agent", ana},
	{"Botpress bridge", "ingest", bridge},
	{NULL},
};

static int setup(void **state)
{
	hub_up(&hub, accounts);
	*state = &hub;
	return 0;
}

/* j[a], or j[a][b] when b is given; NULL when missing. */
static const cJSON *get(const cJSON *j, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, a);
	return b ? cJSON_GetObjectItemCaseSensitive(v, b) : v;
}

static const char *str(const cJSON *j, const char *a, const char *b)
{
	const cJSON *v = get(j, a, b);
	if (!cJSON_IsString(v))
		fail_msg("%s.%s is not a string", a, b ? b : "");
	return v->valuestring;
}

static long long num(const cJSON *j, const char *a, const char *b)
{
	const cJSON *v = get(j, a, b);
	if (!cJSON_IsNumber(v))
		fail_msg("%s.%s is not a number", a, b ? b : "");
	return (long long)v->valuedouble;
}

/* One item: conversation `conv`, platform message `msg`, `role`. */
static cJSON *item(const char *conv, const char *msg, const char *role, const char *text)
{
	cJSON *b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "external_id", conv);
	if (msg)
		cJSON_AddStringToObject(b, "external_message_id", msg);
	cJSON_AddStringToObject(b, "role", role);
	cJSON_AddStringToObject(b, "text", text);
	return b;
}

/* POST {"items": items} (consumed) to `h` as `token`, expecting `status`. */
static struct reply post_to(struct hub *h, const char *token, cJSON *items, long status)
{
	cJSON *b = cJSON_CreateObject();
	cJSON_AddItemToObject(b, "items", items);
	char *body = cJSON_PrintUnformatted(b);
	cJSON_Delete(b);
	struct reply r = http(h, "POST", "/v1/ingest/batch", token, body);
	free(body);
	expect_status(&r, status);
	return r;
}

static struct reply post_batch(const char *token, cJSON *items, long status)
{
	return post_to(&hub, token, items, status);
}

static long long chats_total(void)
{
	struct reply r = http(&hub, "GET", "/v1/chats?limit=1", ana, NULL);
	long long n = num(expect_status(&r, 200), "meta", "total");
	reply_free(&r);
	return n;
}

static cJSON *items_of(int n, ...)
{
	cJSON *a = cJSON_CreateArray();
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(a, va_arg(ap, cJSON *));
	va_end(ap);
	return a;
}

static const cJSON *result(const struct reply *r, int i)
{
	const cJSON *list = get(r->json, "results", NULL);
	assert_true(cJSON_IsArray(list));
	return cJSON_GetArrayItem(list, i);
}

static int nresults(const struct reply *r)
{
	return cJSON_GetArraySize(get(r->json, "results", NULL));
}

/* The chat as an agent reads it; caller deletes. */
static cJSON *chat_get(const char *id)
{
	char path[128];
	snprintf(path, sizeof path, "/v1/chats/%s", id);
	struct reply r = http(&hub, "GET", path, ana, NULL);
	cJSON *j = expect_status(&r, 200);
	r.json = NULL;
	reply_free(&r);
	return j;
}

static cJSON *next_event(struct ws *w, const char *type)
{
	cJSON *e = ws_next(w, WAIT_MS);
	assert_non_null(e);
	assert_string_equal(str(e, "type", NULL), type);
	return e;
}

/* Items go in in order, in one answer, with the events single ingests
 * have, in the same order; a second item of a new conversation finds the
 * chat the first opened. */
static void test_order_and_events(void **state)
{
	struct ws w;
	(void)state;

	assert_true(ws_connect(&w, &hub, ana, NULL, NULL));
	cJSON_Delete(next_event(&w, "hello"));
	struct reply r = post_batch(bridge,
				    items_of(3, item("conv-a", "a1", "user", "a first"),
					     item("conv-a", "a2", "bot", "a second"),
					     item("conv-b", "b1", "user", "b first")),
				    200);
	assert_int_equal(nresults(&r), 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(num(result(&r, i), "status", NULL), 201);
	const char *a = str(result(&r, 0), "chat", "id"), *b = str(result(&r, 2), "chat", "id");
	assert_string_equal(str(result(&r, 1), "chat", "id"), a);
	assert_string_not_equal(a, b);
	assert_true(num(result(&r, 0), "message", "seq") < num(result(&r, 1), "message", "seq"));

	const char *want[][2] = {{"chat.created", NULL}, {"message.created", "a first"},
				 {"message.created", "a second"}, {"chat.created", NULL},
				 {"message.created", "b first"}};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		cJSON *e = next_event(&w, want[i][0]);
		if (want[i][1])
			assert_string_equal(str(e, "message", "text"), want[i][1]);
		cJSON_Delete(e);
	}
	/* The second item's chat (the first's, not read again) is the chat
	 * as it is after it. */
	cJSON *c = chat_get(a);
	assert_int_equal(num(c, "message_count", NULL), 2);
	assert_int_equal(num(result(&r, 1), "chat", "message_count"), 2);
	assert_int_equal(num(result(&r, 1), "chat", "version"), num(c, "version", NULL));
	cJSON_Delete(c);
	ws_close(&w);
	reply_free(&r);
}

/* The same platform message twice in one batch, then the batch again:
 * one message, the first one's id every time, no event for a repeat. */
static void test_idempotent(void **state)
{
	struct ws w;
	(void)state;

	struct reply r = post_batch(bridge,
				    items_of(2, item("conv-i", "i1", "user", "hello"),
					     item("conv-i", "i1", "user", "hello")),
				    200);
	assert_int_equal(num(result(&r, 0), "status", NULL), 201);
	assert_int_equal(num(result(&r, 1), "status", NULL), 200);
	char first[37], chat[37];
	snprintf(first, sizeof first, "%s", str(result(&r, 0), "message", "id"));
	snprintf(chat, sizeof chat, "%s", str(result(&r, 0), "chat", "id"));
	assert_string_equal(str(result(&r, 1), "message", "id"), first);
	reply_free(&r);

	assert_true(ws_connect(&w, &hub, ana, NULL, NULL));
	cJSON_Delete(next_event(&w, "hello"));
	r = post_batch(bridge,
		       items_of(2, item("conv-i", "i1", "user", "hello"),
				item("conv-i", "i2", "user", "again")),
		       200);
	assert_int_equal(num(result(&r, 0), "status", NULL), 200);
	assert_string_equal(str(result(&r, 0), "message", "id"), first);
	assert_int_equal(num(result(&r, 1), "status", NULL), 201);
	reply_free(&r);
	/* The only event is the new message's. */
	cJSON *e = next_event(&w, "message.created");
	assert_string_equal(str(e, "message", "text"), "again");
	cJSON_Delete(e);
	cJSON *c = chat_get(chat);
	assert_int_equal(num(c, "message_count", NULL), 2);
	cJSON_Delete(c);
	ws_close(&w);
}

/* A stopped chat refuses its item, and only it; an invalid item refuses
 * the batch, and nothing of it is stored. */
static void test_refusals(void **state)
{
	(void)state;
	struct reply r = post_batch(bridge, items_of(1, item("conv-s", "s1", "user", "hi")), 200);
	char stopped[37];
	snprintf(stopped, sizeof stopped, "%s", str(result(&r, 0), "chat", "id"));
	reply_free(&r);
	hub_act(&hub, ana, stopped, "stop", NULL);

	r = post_batch(bridge,
		       items_of(2, item("conv-s", "s2", "user", "too late"),
				item("conv-t", "t1", "user", "fine")),
		       200);
	assert_int_equal(num(result(&r, 0), "status", NULL), 409);
	assert_string_equal(str(result(&r, 0), "error", "type"), "Conflict");
	assert_null(get(result(&r, 0), "message", NULL));
	assert_int_equal(num(result(&r, 1), "status", NULL), 201);
	char fine[37];
	snprintf(fine, sizeof fine, "%s", str(result(&r, 1), "chat", "id"));
	reply_free(&r);

	r = post_batch(bridge,
		       items_of(2, item("conv-t", "t2", "user", "would go in"),
				item("conv-t", "t3", "agent", "not a role here")),
		       400);
	assert_non_null(strstr(error_description(&r), "items[1]"));
	reply_free(&r);
	cJSON *c = chat_get(fine);
	assert_int_equal(num(c, "message_count", NULL), 1);
	cJSON_Delete(c);
}

/* 1 to 100 items; only ingest accounts. */
static void test_limits(void **state)
{
	(void)state;
	long long before = chats_total();
	cJSON *many = cJSON_CreateArray();
	for (int i = 0; i < 101; i++) {
		char id[32];
		snprintf(id, sizeof id, "m%d", i);
		cJSON_AddItemToArray(many, item("conv-many", id, "user", "x"));
	}
	struct reply r = post_batch(bridge, many, 413);
	assert_non_null(strstr(error_description(&r), "at most 100"));
	reply_free(&r);
	r = post_batch(bridge, cJSON_CreateArray(), 400);
	reply_free(&r);
	r = http(&hub, "POST", "/v1/ingest/batch", bridge, "{\"items\":{}}");
	expect_status(&r, 400);
	reply_free(&r);
	r = post_batch(ana, items_of(1, item("conv-x", "x1", "user", "x")), 403);
	reply_free(&r);
	/* None of them went in. */
	assert_int_equal(chats_total(), before);
}

/* A batch counts as its items: with a burst of 5, a batch of 5 empties
 * the bucket and the next request waits. */
static void test_rate_counts_items(void **state)
{
	struct hub limited;
	char token[HUB_TOKEN_MAX];
	(void)state;

	hub_init(&limited);
	hub_token(&limited, "Botpress bridge", "ingest", token);
	hub_start(&limited, "--ingest-rate", "0.2,5", NULL);
	struct reply r = post_to(&limited, token,
				 items_of(5, item("conv-r", "r1", "user", "1"),
					  item("conv-r", "r2", "user", "2"),
					  item("conv-r", "r3", "user", "3"),
					  item("conv-r", "r4", "user", "4"),
					  item("conv-r", "r5", "user", "5")),
				 200);
	reply_free(&r);
	r = post_to(&limited, token, items_of(1, item("conv-r", "r6", "user", "6")), 429);
	reply_free(&r);
	hub_stop(&limited);
	hub_cleanup(&limited);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_events),
		cmocka_unit_test(test_idempotent),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_rate_counts_items),
	};
	return cmocka_run_group_tests(tests, setup, hub_teardown);
}
