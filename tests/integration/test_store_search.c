/*
 * test_store_search.c — the client store's search view finds what the hub's
 * GET /v1/chats?q= finds, in the same order, on a real handoffd: the console
 * filters live with the store's copy of the rule, so the two must never
 * disagree. Tricky queries: ASCII and non-ASCII case, LIKE's wildcards %
 * and _ (literal here), quotes, backslashes, the empty query, no match.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "codec.h"
#include "harness.h"
#include "store.h"

static struct hub hub;
static char ana[HUB_TOKEN_MAX], bot[HUB_TOKEN_MAX];

static const struct account accounts[] = {
	{"Ana", "agent", ana},
	{"Widget bridge", "ingest", bot},
	{NULL},
};

/* The chats: what is searched (title, owner name, latest message) and
 * what is not (an earlier message). */
static const struct {
	const char *conversation, *owner, *title;
	const char *texts[2]; /* in order; the second, when there is one, is the latest */
} chats[] = {
	{"s-order", "Maria G.", "Refund for ORDER 1182", {"Where is my parcel?"}},
	{"s-elodie", "Élodie Refundsson", NULL, {"Bonjour"}},
	{"s-loud", "Maria G.", NULL, {"can I get a rEfUnD?"}},
	{"s-percent", "Maria G.", "100% sure_thing", {"ok"}},
	{"s-wild", "Maria G.", "axb and 100 sure", {"a-b"}},
	{"s-quotes", "Ünal O'Brien", "It's \"quoted\"", {"back\\slash"}},
	{"s-earlier", "Maria G.", NULL, {"refund please", "thanks"}},
	{"s-upper", "ÉLODIE Martin", NULL, {"ÜBER straße"}},
};

static const char *const queries[] = {
	"REFUND", "refund", "rEfUnD", "élodie", "Élodie", "ÉLODIE", "ü", "Ü", "STRASSE", "straße",
	"0% s", "%", "100%", "_", "a_b", "sure_", "'", "o'brien", "\"quoted\"", "\\", "back\\s",
	"", " ", "1182", "no such words anywhere",
};

/* The first message of `owner` in a new conversation `conv`; the chat's id. */
static void say(const char *conv, const char *owner, const char *text, char id[37])
{
	cJSON *b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "external_id", conv);
	cJSON *o = cJSON_AddObjectToObject(b, "owner");
	cJSON_AddStringToObject(o, "external_id", conv);
	cJSON_AddStringToObject(o, "name", owner);
	cJSON_AddStringToObject(b, "role", "user");
	cJSON_AddStringToObject(b, "text", text);
	char *body = cJSON_PrintUnformatted(b);
	cJSON_Delete(b);
	struct reply r = http(&hub, "POST", "/v1/ingest/messages", bot, body);
	cJSON *chat = cJSON_GetObjectItemCaseSensitive(expect_status(&r, 201), "chat");
	snprintf(id, 37, "%s", cJSON_GetObjectItemCaseSensitive(chat, "id")->valuestring);
	reply_free(&r);
	free(body);
}

static void retitle(const char *id, const char *title)
{
	char path[96];
	cJSON *b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "title", title);
	char *body = cJSON_PrintUnformatted(b);
	cJSON_Delete(b);
	snprintf(path, sizeof path, "/v1/chats/%s", id);
	struct reply r = http(&hub, "PATCH", path, ana, body);
	expect_status(&r, 200);
	reply_free(&r);
	free(body);
}

static int setup(void **state)
{
	hub_up(&hub, accounts);
	for (size_t i = 0; i < sizeof chats / sizeof chats[0]; i++) {
		char id[37];
		for (size_t k = 0; k < 2 && chats[i].texts[k]; k++) {
			if (k == 0) {
				say(chats[i].conversation, chats[i].owner, chats[i].texts[k], id);
				continue;
			}
			ingest(&hub, bot, chats[i].conversation, "user", chats[i].texts[k], false,
			       NULL);
		}
		if (chats[i].title)
			retitle(id, chats[i].title);
	}
	*state = &hub;
	return 0;
}

/* GET /v1/chats?<query> as Ana: the chats' JSON (owned by r). */
static cJSON *list(struct reply *r, const char *query)
{
	char path[512];
	snprintf(path, sizeof path, "/v1/chats?sort=recent&limit=200%s", query);
	*r = http(&hub, "GET", path, ana, NULL);
	cJSON *chats_json = cJSON_GetObjectItemCaseSensitive(expect_status(r, 200), "chats");
	assert_true(cJSON_IsArray(chats_json));
	return chats_json;
}

/* The hub's answer to q, as ids top to bottom joined by spaces. */
static void hub_search(const char *q, char *out, size_t len)
{
	struct reply r;
	char query[256];
	char *escaped = curl_easy_escape(NULL, q, 0);
	size_t used = 0;
	cJSON *c;

	snprintf(query, sizeof query, "&q=%s", escaped);
	curl_free(escaped);
	out[0] = '\0';
	cJSON *found = list(&r, query);
	cJSON_ArrayForEach(c, found) {
		const char *id = cJSON_GetObjectItemCaseSensitive(c, "id")->valuestring;
		used += (size_t)snprintf(out + used, len - used, "%s ", id);
		assert_true(used < len);
	}
	reply_free(&r);
}

/* The store's search view for q, the same way. */
static void store_search_ids(struct store *s, const char *q, char *out, size_t len)
{
	size_t used = 0;

	assert_true(store_set_search(s, q, NULL));
	const struct view *v = store_view(s, VIEW_SEARCH);
	out[0] = '\0';
	for (size_t i = 0; i < view_count(v); i++) {
		used += (size_t)snprintf(out + used, len - used, "%s ", view_at(v, i)->id);
		assert_true(used < len);
	}
}

static void test_store_search_finds_what_the_hub_finds(void **state)
{
	struct store *s = store_new();
	struct reply r;
	cJSON *c;
	int matched_some = 0, matched_none = 0;

	(void)state;
	assert_non_null(s);
	/* The store holds every chat, as the console's lists bring them. */
	cJSON *all = list(&r, "");
	cJSON_ArrayForEach(c, all) {
		struct chat chat;
		struct errbuf err;
		if (!chat_from_json(c, &chat, &err))
			fail_msg("chat_from_json: %s", err.msg);
		assert_int_equal(store_put_chat(s, &chat, NULL), STORE_CHANGED);
		chat_free(&chat);
	}
	reply_free(&r);
	assert_int_equal(store_chat_count(s), sizeof chats / sizeof chats[0]);

	for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
		char want[2048], got[2048];
		hub_search(queries[i], want, sizeof want);
		store_search_ids(s, queries[i], got, sizeof got);
		if (strcmp(want, got) != 0)
			fail_msg("q=\"%s\": the hub finds [%s], the store [%s]", queries[i], want, got);
		if (want[0])
			matched_some++;
		else
			matched_none++;
	}
	/* The queries tell the rules apart only if some find chats and some
	 * find none. */
	assert_true(matched_some >= 10);
	assert_true(matched_none >= 5);
	store_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_search_finds_what_the_hub_finds),
	};
	return cmocka_run_group_tests(tests, setup, hub_teardown);
}
