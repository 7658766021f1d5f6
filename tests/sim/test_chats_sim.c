/*
 * test_chats_sim.c — the chats simulator, run as a process on a loopback
 * port and driven over HTTP as the bridge will drive it: the doc's
 * authorization header and error sentences, its chat fields, page /
 * pageSize walks while chats change, responders and tickets through
 * escalation, takeover and hand back, soft removal, blocked owners, the
 * agent's replies exactly once, and the fault switches.
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

#include "ch_client.h"

static int setup(void **state)
{
	return simc_setup(state, "CHATS_SIM");
}

static bool is_null_at(const cJSON *o, const char *a)
{
	return cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, a));
}

/* Start a chat as a customer; its id into out. */
static void start_chat(struct simc *s, const char *text, char out[64])
{
	cJSON *j = simc_ctl(s, "POST", "/_sim/chats", "{\"text\":\"%s\"}", text);
	snprintf(out, 64, "%s", simc_str_at(j, "chatId", NULL));
	cJSON_Delete(j);
}

/* A responder's super identity id ("bot", "squad", "human") into out. */
static void responder_id(struct simc *s, const char *name, char out[64])
{
	cJSON *j = simc_ctl(s, "GET", "/_sim/directory", "%s", "");
	snprintf(out, 64, "%s",
		 simc_str_at(cJSON_GetObjectItemCaseSensitive(j, "responders"), name, "superIdentityId"));
	cJSON_Delete(j);
}

/* The control interface's view of a chat (caller frees). */
static cJSON *sim_chat(struct simc *s, const char *chat)
{
	char path[128];

	snprintf(path, sizeof path, "/_sim/chats/%s", chat);
	return simc_ctl(s, "GET", path, "%s", "");
}

/* How many messages of a chat came through the API with this content. */
static int api_messages(struct simc *s, const char *chat, const char *content)
{
	cJSON *j = sim_chat(s, chat);
	const cJSON *m;
	int n = 0;

	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(j, "messages"))
		if (strcmp(simc_str_at(m, "origin", NULL), "api") == 0 &&
		    strcmp(simc_str_at(m, "content", NULL), content) == 0)
			n++;
	cJSON_Delete(j);
	return n;
}

static bool bot_may_speak(struct simc *s, const char *chat)
{
	cJSON *j = sim_chat(s, chat);
	bool may = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "botMaySpeak"));
	cJSON_Delete(j);
	return may;
}

/* The bot tries to speak: the control answer's status (200, or 409). */
static long bot_says(struct simc *s, const char *chat, const char *text)
{
	static const char *const json[] = {"Content-Type: application/json", NULL};
	char path[128], body[256];

	snprintf(path, sizeof path, "/_sim/chats/%s/bot", chat);
	snprintf(body, sizeof body, "{\"text\":\"%s\"}", text);
	struct simc_reply r = simc_raw(s, "POST", path, json, body);
	long status = r.status;
	if (status == 409)
		assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r.json, "silent")));
	simc_reply_free(&r);
	return status;
}

static void expect_error(struct simc_reply *r, long status, const char *message)
{
	assert_int_equal(r->status, status);
	assert_string_equal(chsim_error_message(r), message);
	simc_reply_free(r);
}

/* GET a chat with details (caller frees the reply). */
static struct simc_reply details(struct simc *s, const char *chat)
{
	char path[128];

	snprintf(path, sizeof path, "/api/v1/chats/%s/details", chat);
	struct simc_reply r = chsim_api(s, "GET", path, NULL);
	assert_int_equal(r.status, 200);
	return r;
}

static struct simc_reply patch(struct simc *s, const char *chat, const char *body)
{
	char path[128];

	snprintf(path, sizeof path, "/api/v1/chats/%s", chat);
	return chsim_api(s, "PATCH", path, body);
}

static void test_auth_and_errors(void **state)
{
	struct simc *s = *state;
	const char *no_auth[] = {"Content-Type: application/json", NULL};
	const char *bad_key[] = {"authorization: nope", NULL};
	const char *bearer[] = {"authorization: Bearer " CHSIM_API_KEY, NULL};
	const char *text_body[] = {"authorization: " CHSIM_API_KEY, "Content-Type: text/plain",
				   NULL};
	const char *nobody = "00000000-0000-4000-8000-000000000000";
	char path[128], chat[64], body[256];
	struct simc_reply r;

	start_chat(s, "hello", chat);
	r = simc_raw(s, "GET", "/api/v1/chats", no_auth, NULL);
	expect_error(&r, 401, "Unauthorized.");
	r = simc_raw(s, "GET", "/api/v1/chats/details", bad_key, NULL);
	expect_error(&r, 401, "Unauthorized.");
	/* The key alone or as a Bearer token. */
	r = simc_raw(s, "GET", "/api/v1/chats", bearer, NULL);
	assert_int_equal(r.status, 200);
	assert_true(cJSON_IsArray(r.json));
	simc_reply_free(&r);

	snprintf(path, sizeof path, "/api/v1/chats/%s", nobody);
	r = chsim_api(s, "GET", path, NULL);
	expect_error(&r, 404, "Chat not found.");
	r = chsim_api(s, "DELETE", path, NULL);
	expect_error(&r, 404, "Chat not found.");
	r = chsim_api(s, "PATCH", path, "{\"title\":\"x\"}");
	expect_error(&r, 404, "The chat was not found.");
	snprintf(path, sizeof path, "/api/v1/chats/%s/details", nobody);
	r = chsim_api(s, "GET", path, NULL);
	expect_error(&r, 404, "Chat not found.");

	r = chsim_api(s, "POST", "/api/v1/chats", "{\"channelId\":\"not-a-uuid\"}");
	expect_error(&r, 400, "Invalid data provided.");
	r = chsim_api(s, "POST", "/api/v1/chats", "{not json");
	expect_error(&r, 400, "Invalid data provided.");
	r = simc_raw(s, "POST", "/api/v1/chats", text_body, "{}");
	expect_error(&r, 415, "Unsupported media type.");
	cJSON *j = sim_chat(s, chat);
	snprintf(body, sizeof body, "{\"channelId\":\"%s\",\"ownerSuperIdentityId\":\"%s\"}", nobody,
		 simc_str_at(cJSON_GetObjectItemCaseSensitive(j, "chat"), "ownerId", NULL));
	cJSON_Delete(j);
	r = chsim_api(s, "POST", "/api/v1/chats", body);
	expect_error(&r, 404, "Channel or responder not found.");
	snprintf(body, sizeof body, "{\"responderSuperIdentityId\":\"%s\"}", nobody);
	r = patch(s, chat, body);
	expect_error(&r, 404, "Channel or responder not found.");
	r = patch(s, chat, "{}");
	expect_error(&r, 400, "Invalid data provided.");

	r = chsim_api(s, "GET", "/api/v1/chats?pageSize=101", NULL);
	expect_error(&r, 400, "Invalid data provided.");
	r = chsim_api(s, "GET", "/api/v1/chats?pageNumber=0", NULL);
	expect_error(&r, 400, "Invalid data provided.");
	r = chsim_api(s, "GET", "/api/v1/chats?channelTypes=telegram", NULL);
	expect_error(&r, 400, "Invalid data provided.");
	r = chsim_api(s, "GET", "/api/v1/chats?lastChatMessageCreatedAtStart=yesterday", NULL);
	expect_error(&r, 400, "Invalid data provided.");
	r = chsim_api(s, "GET", "/api/v1/nothing", NULL);
	expect_error(&r, 404, "Route not found.");
	r = chsim_api(s, "PUT", "/api/v1/chats", NULL);
	expect_error(&r, 405, "Method not allowed.");
}

static void test_chat_fields(void **state)
{
	struct simc *s = *state;
	static const char *const FIELDS[] = {
		"channelId", "channelName", "channelType", "createdAt", "id", "isOwnerBlocked",
		"isRemoved", "lastMessageContent", "lastMessageCreatedAt", "lastMessageRole",
		"ownerEmail", "ownerId", "ownerIdentifier", "ownerName",
		"penultimateMessageContent", "penultimateMessageCreatedAt",
		"penultimateMessageRole", "responderEntity", "responderId", "responderName",
		"responderPicture", "responderVersionId", "responderVersionNumber", "ticketId",
		"ticketStatus", "title", "workspaceId",
	};
	char chat[64], bot[64], path[128];
	struct simc_reply r;

	cJSON *j = simc_ctl(s, "POST", "/_sim/chats",
			    "{\"text\":\"where is my order?\",\"name\":\"Ann\","
			    "\"channelType\":\"instagram\"}");
	snprintf(chat, sizeof chat, "%s", simc_str_at(j, "chatId", NULL));
	cJSON_Delete(j);
	assert_int_equal(bot_says(s, chat, "Let me look."), 200);
	responder_id(s, "bot", bot);

	r = details(s, chat);
	assert_int_equal(cJSON_GetArraySize(r.json), (int)(sizeof FIELDS / sizeof FIELDS[0]));
	for (size_t i = 0; i < sizeof FIELDS / sizeof FIELDS[0]; i++)
		assert_non_null(cJSON_GetObjectItemCaseSensitive(r.json, FIELDS[i]));
	assert_string_equal(simc_str_at(r.json, "id", NULL), chat);
	assert_string_equal(simc_str_at(r.json, "channelType", NULL), "instagram");
	assert_string_equal(simc_str_at(r.json, "lastMessageContent", NULL), "Let me look.");
	assert_string_equal(simc_str_at(r.json, "lastMessageRole", NULL), "assistant");
	assert_string_equal(simc_str_at(r.json, "penultimateMessageContent", NULL),
			    "where is my order?");
	assert_string_equal(simc_str_at(r.json, "penultimateMessageRole", NULL), "user");
	assert_string_equal(simc_str_at(r.json, "ownerName", NULL), "Ann");
	assert_true(is_null_at(r.json, "ownerEmail"));
	assert_string_equal(simc_str_at(r.json, "responderEntity", NULL), "agents");
	assert_string_equal(simc_str_at(r.json, "responderName", NULL), "Sim Bot");
	assert_true(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(r.json,
								    "responderVersionNumber")));
	assert_true(is_null_at(r.json, "ticketId"));
	assert_true(is_null_at(r.json, "ticketStatus"));
	assert_true(is_null_at(r.json, "title"));
	assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r.json, "isRemoved")));
	simc_reply_free(&r);

	/* The plain row names owner and responder by super identity. */
	snprintf(path, sizeof path, "/api/v1/chats/%s", chat);
	r = chsim_api(s, "GET", path, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(simc_str_at(r.json, "responderSuperIdentityId", NULL), bot);
	assert_non_null(simc_str_at(r.json, "ownerSuperIdentityId", NULL));
	assert_non_null(simc_str_at(r.json, "workspaceId", NULL));
	simc_reply_free(&r);
}

static void test_create_chat_through_the_api(void **state)
{
	struct simc *s = *state;
	char chat[64], squad[64], owner[64], whatsapp[64], body[512];
	struct simc_reply r;

	start_chat(s, "first visit", chat);
	responder_id(s, "squad", squad);
	cJSON *dir = simc_ctl(s, "GET", "/_sim/directory", "%s", "");
	snprintf(whatsapp, sizeof whatsapp, "%s",
		 simc_str_at(cJSON_GetObjectItemCaseSensitive(dir, "channels"), "whatsapp", NULL));
	cJSON_Delete(dir);
	r = chsim_api(s, "GET", "/api/v1/chats", NULL);
	snprintf(owner, sizeof owner, "%s", simc_str_at(r.json->child, "ownerSuperIdentityId", NULL));
	simc_reply_free(&r);

	/* An owner that is no super identity of the workspace: invalid. */
	snprintf(body, sizeof body,
		 "{\"channelId\":\"%s\",\"ownerSuperIdentityId\":"
		 "\"00000000-0000-4000-8000-000000000000\"}", whatsapp);
	r = chsim_api(s, "POST", "/api/v1/chats", body);
	expect_error(&r, 400, "Invalid data provided.");

	/* The same customer opens a second chat, answered by the squad. */
	snprintf(body, sizeof body,
		 "{\"channelId\":\"%s\",\"ownerSuperIdentityId\":\"%s\","
		 "\"responderSuperIdentityId\":\"%s\",\"title\":\"Follow-up\"}",
		 whatsapp, owner, squad);
	r = chsim_api(s, "POST", "/api/v1/chats", body);
	assert_int_equal(r.status, 201);
	assert_string_equal(simc_str_at(r.json, "responderSuperIdentityId", NULL), squad);
	assert_string_equal(simc_str_at(r.json, "ownerSuperIdentityId", NULL), owner);
	assert_string_equal(simc_str_at(r.json, "title", NULL), "Follow-up");
	snprintf(chat, sizeof chat, "%s", simc_str_at(r.json, "id", NULL));
	simc_reply_free(&r);
	r = details(s, chat);
	assert_string_equal(simc_str_at(r.json, "channelType", NULL), "whatsapp");
	assert_string_equal(simc_str_at(r.json, "responderEntity", NULL), "squads");
	assert_true(is_null_at(r.json, "lastMessageContent"));
	simc_reply_free(&r);
	/* A squad is AI: the bot answers for it. */
	assert_int_equal(bot_says(s, chat, "Hi from the squad"), 200);
}

/* Walk a list of `size` a page to its first short page; every id goes
 * into ids[]. Returns the number of pages. */
static int walk(struct simc *s, const char *path, int size, char ids[][64], int *n, int max)
{
	char url[512];
	int pages = 0, got;

	*n = 0;
	do {
		snprintf(url, sizeof url, "%s%spageNumber=%d", path, strchr(path, '?') ? "&" : "?",
			 pages + 1);
		struct simc_reply r = chsim_api(s, "GET", url, NULL);
		assert_int_equal(r.status, 200);
		assert_true(cJSON_IsArray(r.json));
		got = cJSON_GetArraySize(r.json);
		assert_true(got <= size);
		const cJSON *it;
		cJSON_ArrayForEach(it, r.json) {
			assert_true(*n < max);
			snprintf(ids[(*n)++], 64, "%s", simc_str_at(it, "id", NULL));
		}
		simc_reply_free(&r);
		pages++;
	} while (got == size);
	return pages;
}

static int count_distinct(char ids[][64], int n)
{
	int d = 0;

	for (int i = 0; i < n; i++) {
		int k = 0;
		while (k < i && strcmp(ids[k], ids[i]) != 0)
			k++;
		d += k == i;
	}
	return d;
}

static void test_pagination_walks_every_item_once(void **state)
{
	struct simc *s = *state;
	static char ids[200][64];
	char first[64], last[64];
	int n;

	start_chat(s, "the oldest", first);
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/seed", "{\"chats\":43}"));
	start_chat(s, "the newest", last);

	/* 45 chats, the doc's 10 a page: four full pages, then 5. */
	assert_int_equal(walk(s, "/api/v1/chats", 10, ids, &n, 200), 5);
	assert_int_equal(n, 45);
	assert_int_equal(count_distinct(ids, n), 45);
	assert_string_equal(ids[0], first);      /* oldest first */
	assert_string_equal(ids[44], last);

	/* pageSize, the details list, and the 100 maximum. */
	assert_int_equal(walk(s, "/api/v1/chats/details?pageSize=20", 20, ids, &n, 200), 3);
	assert_int_equal(count_distinct(ids, n), 45);
	assert_int_equal(walk(s, "/api/v1/chats?pageSize=100", 100, ids, &n, 200), 1);
	assert_int_equal(n, 45);

	/* Filters: the seed spreads chats over the five channel types. */
	walk(s, "/api/v1/chats?channelTypes=waha&channelTypes=api&pageSize=100", 100, ids, &n,
	     200);
	assert_int_equal(n, 17);
	cJSON *dir = simc_ctl(s, "GET", "/_sim/directory", "%s", "");
	char path[256];
	snprintf(path, sizeof path, "/api/v1/chats?channelIds=%s&pageSize=100",
		 simc_str_at(cJSON_GetObjectItemCaseSensitive(dir, "channels"), "whatsapp", NULL));
	cJSON_Delete(dir);
	walk(s, path, 100, ids, &n, 200);
	assert_int_equal(n, 9);
	walk(s, "/api/v1/chats?lastChatMessageCreatedAtStart=2999-01-01T00:00:00.000Z", 10, ids, &n,
	     200);
	assert_int_equal(n, 0);
	walk(s, "/api/v1/chats?lastChatMessageCreatedAtEnd=2999-01-01T00:00:00.000Z&pageSize=100",
	     100, ids, &n, 200);
	assert_int_equal(n, 45);
}

static void test_pages_changing_while_walked(void **state)
{
	struct simc *s = *state;
	static char ids[200][64];
	int n;

	cJSON_Delete(simc_ctl(s, "POST", "/_sim/seed", "{\"chats\":30}"));
	/* Oldest first: three chats start before each of the next two page
	 * fetches, and land at the end of the walk: every chat once. */
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/faults", "{\"pageChange\":2,\"pageInsert\":3}"));
	walk(s, "/api/v1/chats", 10, ids, &n, 200);
	assert_int_equal(n, 36);
	assert_int_equal(count_distinct(ids, n), 36);
	cJSON *f = simc_ctl(s, "GET", "/_sim/faults", "%s", "");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(f, "pageChange")->valueint, 0);
	cJSON_Delete(f);

	/* Newest first the same change shifts every later page: the walk
	 * reads chats again (never skips one), which a bridge must absorb. */
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/config", "{\"order\":\"newest\"}"));
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/faults", "{\"pageChange\":2,\"pageInsert\":3}"));
	walk(s, "/api/v1/chats", 10, ids, &n, 200);
	assert_int_equal(n, 36 + 6);
	assert_int_equal(count_distinct(ids, n), 36);
}

static void test_escalation_takeover_and_hand_back(void **state)
{
	struct simc *s = *state;
	char chat[64], human[64], bot[64], body[512];
	struct simc_reply r;

	start_chat(s, "my parcel is lost", chat);
	responder_id(s, "human", human);
	responder_id(s, "bot", bot);
	assert_int_equal(bot_says(s, chat, "Checking."), 200);

	/* The bot escalates: a ticket opens, the bot goes quiet. */
	char path[128];
	snprintf(path, sizeof path, "/_sim/chats/%s/escalate", chat);
	cJSON_Delete(simc_ctl(s, "POST", path, "{\"text\":\"A person will help you.\"}"));
	r = details(s, chat);
	assert_string_equal(simc_str_at(r.json, "ticketStatus", NULL), "open");
	assert_non_null(simc_str_at(r.json, "ticketId", NULL));
	assert_string_equal(simc_str_at(r.json, "lastMessageContent", NULL), "A person will help you.");
	simc_reply_free(&r);
	assert_false(bot_may_speak(s, chat));
	assert_int_equal(bot_says(s, chat, "still me"), 409);

	/* Takeover: the responder becomes the human agent. */
	snprintf(body, sizeof body, "{\"responderSuperIdentityId\":\"%s\"}", human);
	r = patch(s, chat, body);
	assert_int_equal(r.status, 200);
	assert_string_equal(simc_str_at(r.json, "responderSuperIdentityId", NULL), human);
	simc_reply_free(&r);
	r = details(s, chat);
	assert_string_equal(simc_str_at(r.json, "responderName", NULL), "Human Agent");
	simc_reply_free(&r);
	r = patch(s, chat, "{\"ticketStatus\":\"pending\"}");
	assert_int_equal(r.status, 200);
	simc_reply_free(&r);
	assert_int_equal(bot_says(s, chat, "still me"), 409);

	/* The agent's reply, exactly once under a retried post. */
	snprintf(body, sizeof body, "{\"chatId\":\"%s\",\"content\":\"Hello, I am Sam.\"}", chat);
	r = chsim_api_key(s, "POST", "/api/v1/chat-messages", body, "hub-msg-1");
	assert_int_equal(r.status, 201);
	assert_string_equal(simc_str_at(r.json, "role", NULL), "operator");
	char first[64];
	snprintf(first, sizeof first, "%s", simc_str_at(r.json, "id", NULL));
	simc_reply_free(&r);
	r = chsim_api_key(s, "POST", "/api/v1/chat-messages", body, "hub-msg-1");
	assert_int_equal(r.status, 200);
	assert_string_equal(simc_str_at(r.json, "id", NULL), first);
	simc_reply_free(&r);
	assert_int_equal(api_messages(s, chat, "Hello, I am Sam."), 1);
	r = details(s, chat);
	assert_string_equal(simc_str_at(r.json, "lastMessageRole", NULL), "operator");
	assert_string_equal(simc_str_at(r.json, "penultimateMessageContent", NULL),
			    "A person will help you.");
	simc_reply_free(&r);

	/* No responder at all keeps the bot quiet too. */
	r = patch(s, chat, "{\"responderSuperIdentityId\":null}");
	assert_int_equal(r.status, 200);
	assert_true(is_null_at(r.json, "responderSuperIdentityId"));
	simc_reply_free(&r);
	assert_false(bot_may_speak(s, chat));

	/* Hand back with the ticket still pending: the bot waits... */
	snprintf(body, sizeof body, "{\"responderSuperIdentityId\":\"%s\"}", bot);
	r = patch(s, chat, body);
	simc_reply_free(&r);
	assert_false(bot_may_speak(s, chat));
	/* ...and speaks once the ticket is closed. */
	r = patch(s, chat, "{\"ticketStatus\":\"closed\"}");
	assert_int_equal(r.status, 200);
	simc_reply_free(&r);
	assert_true(bot_may_speak(s, chat));
	assert_int_equal(bot_says(s, chat, "I am back."), 200);

	/* A takeover without an escalation: the human responder alone keeps
	 * the bot quiet. */
	start_chat(s, "just browsing", chat);
	snprintf(body, sizeof body, "{\"responderSuperIdentityId\":\"%s\"}", human);
	r = patch(s, chat, body);
	assert_int_equal(r.status, 200);
	simc_reply_free(&r);
	r = details(s, chat);
	assert_true(is_null_at(r.json, "ticketStatus"));
	simc_reply_free(&r);
	assert_false(bot_may_speak(s, chat));
	assert_int_equal(bot_says(s, chat, "may I help?"), 409);
}

static void test_ticket_and_title_both_ways(void **state)
{
	struct simc *s = *state;
	char chat[64], path[128];
	struct simc_reply r;

	start_chat(s, "invoice question", chat);
	/* Without a ticket, only "open" makes sense. */
	r = patch(s, chat, "{\"ticketStatus\":\"pending\"}");
	expect_error(&r, 400, "Invalid data provided.");
	r = patch(s, chat, "{\"ticketStatus\":\"done\"}");
	expect_error(&r, 400, "Invalid data provided.");
	r = patch(s, chat, "{\"ticketStatus\":\"open\",\"title\":\"Invoice 42\"}");
	assert_int_equal(r.status, 200);
	assert_string_equal(simc_str_at(r.json, "title", NULL), "Invoice 42");
	simc_reply_free(&r);

	/* The platform's side sees the bridge's change... */
	cJSON *j = sim_chat(s, chat);
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(j, "chat");
	assert_string_equal(simc_str_at(c, "ticketStatus", NULL), "open");
	assert_string_equal(simc_str_at(c, "title", NULL), "Invoice 42");
	cJSON_Delete(j);

	/* ...and the bridge sees the platform's. */
	snprintf(path, sizeof path, "/_sim/chats/%s/platform", chat);
	cJSON_Delete(simc_ctl(s, "POST", path,
			       "{\"title\":\"Invoice 42 (paid)\",\"ticketStatus\":\"closed\"}"));
	r = details(s, chat);
	assert_string_equal(simc_str_at(r.json, "title", NULL), "Invoice 42 (paid)");
	assert_string_equal(simc_str_at(r.json, "ticketStatus", NULL), "closed");
	simc_reply_free(&r);
	r = patch(s, chat, "{\"title\":null}");
	assert_true(is_null_at(r.json, "title"));
	simc_reply_free(&r);
}

static void test_soft_removal_and_blocked_owner(void **state)
{
	struct simc *s = *state;
	static const char *const json[] = {"Content-Type: application/json", NULL};
	static char ids[20][64];
	char chat[64], other[64], path[128], body[256];
	struct simc_reply r;
	int n;

	start_chat(s, "spam spam", chat);
	start_chat(s, "a real question", other);

	/* Blocked on the platform: the owner's messages are refused and the
	 * bot is silent. */
	snprintf(path, sizeof path, "/_sim/chats/%s/platform", other);
	cJSON_Delete(simc_ctl(s, "POST", path, "{\"blocked\":true}"));
	r = details(s, other);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r.json, "isOwnerBlocked")));
	simc_reply_free(&r);
	snprintf(path, sizeof path, "/_sim/chats/%s/customer", other);
	r = simc_raw(s, "POST", path, json, "{\"text\":\"hello?\"}");
	assert_int_equal(r.status, 409);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r.json, "blocked")));
	simc_reply_free(&r);
	assert_int_equal(bot_says(s, other, "hi"), 409);

	/* Soft removal: still readable and listed, marked removed. */
	snprintf(path, sizeof path, "/api/v1/chats/%s", chat);
	r = chsim_api(s, "DELETE", path, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(simc_str_at(r.json, "message", NULL), "The chat was removed.");
	simc_reply_free(&r);
	r = chsim_api(s, "GET", path, NULL);
	assert_int_equal(r.status, 200);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r.json, "isRemoved")));
	simc_reply_free(&r);
	walk(s, "/api/v1/chats/details", 10, ids, &n, 20);
	assert_int_equal(n, 2);
	snprintf(path, sizeof path, "/_sim/chats/%s/customer", chat);
	r = simc_raw(s, "POST", path, json, "{\"text\":\"more spam\"}");
	assert_int_equal(r.status, 409);
	simc_reply_free(&r);
	assert_int_equal(bot_says(s, chat, "hi"), 409);
	snprintf(body, sizeof body, "{\"chatId\":\"%s\",\"content\":\"bye\"}", chat);
	r = chsim_api(s, "POST", "/api/v1/chat-messages", body);
	expect_error(&r, 400, "Invalid data provided.");
}

static void test_message_list(void **state)
{
	struct simc *s = *state;
	char chat[64], path[256];
	struct simc_reply r;

	start_chat(s, "one", chat);
	bot_says(s, chat, "two");
	snprintf(path, sizeof path, "/_sim/chats/%s/customer", chat);
	cJSON_Delete(simc_ctl(s, "POST", path, "{\"text\":\"three\"}"));

	snprintf(path, sizeof path, "/api/v1/chat-messages?chatId=%s", chat);
	r = chsim_api(s, "GET", path, NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(cJSON_GetArraySize(r.json), 3);
	assert_string_equal(simc_str_at(cJSON_GetArrayItem(r.json, 0), "content", NULL), "one");
	assert_string_equal(simc_str_at(cJSON_GetArrayItem(r.json, 1), "role", NULL), "assistant");
	assert_string_equal(simc_str_at(cJSON_GetArrayItem(r.json, 2), "chatId", NULL), chat);
	simc_reply_free(&r);

	/* pagination[limit]: the latest ones, still oldest first. */
	snprintf(path, sizeof path, "/api/v1/chat-messages?chatId=%s&pagination%%5Blimit%%5D=2",
		 chat);
	r = chsim_api(s, "GET", path, NULL);
	assert_int_equal(cJSON_GetArraySize(r.json), 2);
	assert_string_equal(simc_str_at(cJSON_GetArrayItem(r.json, 0), "content", NULL), "two");
	simc_reply_free(&r);

	r = chsim_api(s, "GET", "/api/v1/chat-messages", NULL);
	expect_error(&r, 400, "Invalid data provided.");
	r = chsim_api(s, "GET",
		      "/api/v1/chat-messages?chatId=00000000-0000-4000-8000-000000000000", NULL);
	expect_error(&r, 404, "Chat not found.");
}

static void test_faults_429_and_5xx(void **state)
{
	struct simc *s = *state;
	char chat[64], body[256];
	struct simc_reply r;

	start_chat(s, "hi", chat);
	snprintf(body, sizeof body, "{\"chatId\":\"%s\",\"content\":\"refused\"}", chat);
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/faults",
			       "{\"rateLimited\":2,\"retryAfter\":7,\"serverError\":1,"
			       "\"errorStatus\":503}"));
	for (int i = 0; i < 2; i++) {
		r = chsim_api(s, "POST", "/api/v1/chat-messages", body);
		assert_int_equal(r.retry_after, 7);
		expect_error(&r, 429, "Too many requests.");
	}
	r = chsim_api(s, "POST", "/api/v1/chat-messages", body);
	expect_error(&r, 503, "Internal server error.");
	/* The refused requests did nothing. */
	assert_int_equal(api_messages(s, chat, "refused"), 0);
	r = chsim_api(s, "POST", "/api/v1/chat-messages", body);
	assert_int_equal(r.status, 201);
	assert_int_equal(r.retry_after, -1);
	simc_reply_free(&r);
	assert_int_equal(api_messages(s, chat, "refused"), 1);

	/* The control interface is never faulted. */
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/faults", "{\"serverError\":5}"));
	cJSON *f = simc_ctl(s, "GET", "/_sim/faults", "%s", "");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(f, "serverError")->valueint, 5);
	cJSON_Delete(f);
}

static void test_fault_drop_after_the_work(void **state)
{
	struct simc *s = *state;
	char chat[64], body[256];
	struct simc_reply r;

	start_chat(s, "hello", chat);
	snprintf(body, sizeof body, "{\"chatId\":\"%s\",\"content\":\"reply once\"}", chat);
	cJSON_Delete(simc_ctl(s, "POST", "/_sim/faults", "{\"drop\":1}"));
	r = chsim_api_key(s, "POST", "/api/v1/chat-messages", body, "hub-42");
	assert_int_equal(r.status, 0);
	assert_int_equal(r.curl_code, CURLE_GOT_NOTHING);
	simc_reply_free(&r);
	/* The work was done; the retry with the same key finds it. */
	r = chsim_api_key(s, "POST", "/api/v1/chat-messages", body, "hub-42");
	assert_int_equal(r.status, 200);
	simc_reply_free(&r);
	assert_int_equal(api_messages(s, chat, "reply once"), 1);
}

/* The API's list, for the slow fault. */
static struct simc_reply list_chats(struct simc *s)
{
	return chsim_api(s, "GET", "/api/v1/chats", NULL);
}

static void test_fault_slow(void **state)
{
	simc_expect_slow_once(*state, list_chats);
}

static void test_bot_auto_answers_and_escalates(void **state)
{
	struct simc *s = *state;
	char chat[64], path[128];

	cJSON_Delete(simc_ctl(s, "POST", "/_sim/config", "{\"botAuto\":true}"));
	start_chat(s, "where is my order?", chat);
	snprintf(path, sizeof path, "/_sim/chats/%s/customer", chat);
	cJSON_Delete(simc_ctl(s, "POST", path, "{\"text\":\"I want a human\"}"));
	cJSON_Delete(simc_ctl(s, "POST", path, "{\"text\":\"hello?\"}"));
	cJSON *j = sim_chat(s, chat);
	/* customer, bot, customer, the bot's handoff line, customer; then
	 * silence, with a ticket open. */
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "messages")), 5);
	assert_string_equal(simc_str_at(cJSON_GetObjectItemCaseSensitive(j, "chat"), "ticketStatus",
				   NULL), "open");
	assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "botMaySpeak")));
	cJSON_Delete(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_auth_and_errors, setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_chat_fields, setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_create_chat_through_the_api, setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_pagination_walks_every_item_once, setup,
						simc_teardown),
		cmocka_unit_test_setup_teardown(test_pages_changing_while_walked, setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_escalation_takeover_and_hand_back, setup,
						simc_teardown),
		cmocka_unit_test_setup_teardown(test_ticket_and_title_both_ways, setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_soft_removal_and_blocked_owner, setup,
						simc_teardown),
		cmocka_unit_test_setup_teardown(test_message_list, setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_faults_429_and_5xx, setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_fault_drop_after_the_work, setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_fault_slow, setup, simc_teardown),
		cmocka_unit_test_setup_teardown(test_bot_auto_answers_and_escalates, setup,
						simc_teardown),
	};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
