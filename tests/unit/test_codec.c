/*
 * test_codec.c — chats, messages, agents and events to and from JSON.
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
#include "jsonfield.h"

static cJSON *parse(const char *text)
{
	struct errbuf err = {{0}};
	cJSON *j = json_parse_text(text, strlen(text), &err);
	if (!j)
		fail_msg("fixture does not parse: %s", err.msg);
	return j;
}

static void test_full_chat_decodes_every_field(void **state)
{
	(void)state;
	struct chat c;
	struct errbuf err = {{0}};
	cJSON *j = parse(FIX_CHAT_JSON);

	assert_true(chat_from_json(j, &c, &err));
	assert_string_equal(c.id, FIX_CHAT_ID);
	assert_string_equal(c.title, "Refund for order 1182");
	assert_string_equal(c.channel.id, FIX_CHANNEL_ID);
	assert_string_equal(c.channel.name, "Website");
	assert_int_equal(c.channel.type, CHANNEL_WIDGET);
	assert_string_equal(c.owner.external_id, "cust-1");
	assert_string_equal(c.owner.name, "Maria G.");
	assert_string_equal(c.owner.email, "maria@example.com");
	assert_true(c.latest.present);
	assert_string_equal(c.latest.text, "Still waiting \xe2\x80\x94 any news?");
	assert_int_equal(c.latest.role, MSG_ROLE_USER);
	assert_true(c.previous.present);
	assert_int_equal(c.previous.role, MSG_ROLE_AGENT);
	assert_int_equal(c.responder.type, RESPONDER_AGENT);
	assert_string_equal(c.responder.id, FIX_AGENT_ID);
	assert_string_equal(c.responder.name, "Ana");
	assert_int_equal(c.mode, CHAT_MODE_AGENT);
	assert_true(c.escalated);
	assert_int_equal(c.escalated_at, 1795428010000LL);
	assert_true(c.ticket.present);
	assert_int_equal(c.ticket.status, TICKET_PENDING);
	assert_int_equal(c.state, CHAT_STATE_RUNNING);
	assert_true(c.rating.present);
	assert_int_equal(c.rating.score, 4);
	assert_string_equal(c.rating.feedback, "quick");
	assert_null(c.rating.suggested_answer);
	assert_int_equal(c.message_count, 12);
	assert_int_equal(c.version, 7);
	assert_int_equal(c.updated_at, 1795428062123LL);
	assert_true(c.source.present);
	assert_string_equal(c.source.platform, "botpress");
	assert_string_equal(c.source.account_id, FIX_BRIDGE_ID);
	assert_string_equal(c.source.account_name, "Botpress bridge");
	assert_false(chat_is_waiting(&c));
	chat_free(&c);
	cJSON_Delete(j);
}

static void test_minimal_chat_has_nulls(void **state)
{
	(void)state;
	struct chat c;
	struct errbuf err = {{0}};
	cJSON *j = parse(FIX_CHAT_MINIMAL_JSON);

	assert_true(chat_from_json(j, &c, &err));
	assert_null(c.title);
	assert_null(c.owner.external_id);
	assert_null(c.owner.email);
	assert_false(c.latest.present);
	assert_false(c.previous.present);
	assert_int_equal(c.responder.type, RESPONDER_BOT);
	assert_string_equal(c.responder.id, "");
	assert_null(c.responder.name);
	assert_int_equal(c.escalated_at, TS_NONE);
	assert_false(c.ticket.present);
	assert_false(c.rating.present);
	assert_false(c.source.present);
	chat_free(&c);
	cJSON_Delete(j);
}

/* A v1 hub sends neither a chat's source nor a message's
 * external_message_id: both decode as null, and encode as null. */
static void test_v1_objects_without_the_v1_1_fields_decode(void **state)
{
	(void)state;
	struct chat c;
	struct message m;
	struct errbuf err = {{0}};
	cJSON *j = parse(FIX_CHAT_JSON);

	cJSON_DeleteItemFromObjectCaseSensitive(j, "source");
	assert_true(chat_from_json(j, &c, &err));
	assert_false(c.source.present);
	assert_null(c.source.platform);
	cJSON *back = chat_to_json(&c);
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(back, "source")));
	cJSON_Delete(back);
	chat_free(&c);
	cJSON_Delete(j);

	j = parse(FIX_MESSAGE_JSON);
	cJSON_DeleteItemFromObjectCaseSensitive(j, "external_message_id");
	assert_true(message_from_json(j, &m, &err));
	assert_null(m.external_message_id);
	back = message_to_json(&m);
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(back, "external_message_id")));
	cJSON_Delete(back);
	message_free(&m);
	cJSON_Delete(j);
}

/* A source without a platform label (an ingest account that gave none). */
static void test_source_platform_may_be_null(void **state)
{
	(void)state;
	struct chat c;
	struct errbuf err = {{0}};
	cJSON *j = parse(FIX_CHAT_JSON);

	cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "source"),
					       "platform", cJSON_CreateNull());
	assert_true(chat_from_json(j, &c, &err));
	assert_true(c.source.present);
	assert_null(c.source.platform);
	assert_string_equal(c.source.account_name, "Botpress bridge");
	chat_free(&c);
	cJSON_Delete(j);
}

/* encode(decode(x)) decodes to the same thing and encodes to the same text. */
static void round_trip_chat(const char *fixture)
{
	struct chat a, b;
	struct errbuf err = {{0}};
	cJSON *j = parse(fixture);

	assert_true(chat_from_json(j, &a, &err));
	char *first = chat_to_string(&a);
	assert_non_null(first);
	cJSON *j2 = parse(first);
	assert_true(chat_from_json(j2, &b, &err));
	char *second = chat_to_string(&b);
	assert_string_equal(first, second);
	/* and nothing was lost on the way: the re-encoded tree equals the input */
	assert_true(cJSON_Compare(j, j2, 1));
	free(first);
	free(second);
	chat_free(&a);
	chat_free(&b);
	cJSON_Delete(j);
	cJSON_Delete(j2);
}

static void test_chat_round_trips(void **state)
{
	(void)state;
	round_trip_chat(FIX_CHAT_JSON);
	round_trip_chat(FIX_CHAT_MINIMAL_JSON);
}

static void test_chat_copy_is_deep(void **state)
{
	(void)state;
	struct chat a, b;
	cJSON *j = parse(FIX_CHAT_JSON);

	assert_true(chat_from_json(j, &a, NULL));
	assert_true(chat_copy(&b, &a));
	assert_ptr_not_equal(a.title, b.title);
	chat_free(&a); /* b must survive its source */
	assert_string_equal(b.title, "Refund for order 1182");
	assert_string_equal(b.rating.feedback, "quick");
	assert_string_equal(b.source.platform, "botpress");
	assert_string_equal(b.source.account_name, "Botpress bridge");
	chat_free(&b);
	chat_free(&b); /* freeing twice is harmless */
	cJSON_Delete(j);
}

static void test_agent_copy_is_deep(void **state)
{
	(void)state;
	struct agent a = {.role = ACCOUNT_AGENT, .active_chats = 3}, b;

	snprintf(a.id, sizeof a.id, "%s", "6432ccf5-3af2-4697-b5c4-ced3bc9ba19f");
	a.name = strdup("Ana Souza");
	a.email = NULL;
	assert_true(agent_copy(&b, &a));
	assert_ptr_not_equal(a.name, b.name);
	agent_free(&a);
	assert_string_equal(b.name, "Ana Souza");
	assert_null(b.email);
	assert_string_equal(b.id, "6432ccf5-3af2-4697-b5c4-ced3bc9ba19f");
	assert_int_equal(b.active_chats, 3);
	agent_free(&b);
}

/* One way to break a valid chat, and the words the error must contain. */
struct breakage {
	const char *path;   /* dotted member path */
	const char *value;  /* JSON to put there; NULL deletes the member */
	const char *expect; /* substring of the error */
};

static const struct breakage chat_breakages[] = {
	{"id", NULL, "id: is missing"},
	{"id", "\"3F1C2A4E-9B7D-4C1E-8A2F-1D3E5F7A9B0C\"", "id: must be a lowercase UUID v4"},
	{"id", "42", "id: must be a lowercase UUID v4"},
	{"title", "\"\"", "title: must not be empty"},
	{"title", "7", "title: must be a string"},
	{"channel", NULL, "channel: is missing"},
	{"channel", "[]", "channel: must be an object"},
	{"channel.type", "\"telegram\"", "channel: type: unknown channel type"},
	{"owner.name", "null", "owner: name: must not be null"},
	{"owner.email", NULL, "owner: email: is missing"},
	{"created_at", "\"2026-11-23 10:00:00\"", "created_at"},
	{"updated_at", "\"2026-11-23T10:00:00Z\"", "updated_at"},
	{"latest_message.role", "\"customer\"", "latest_message: role: unknown role"},
	{"latest_message.at", NULL, "latest_message: at: is missing"},
	{"responder.type", "\"human\"", "responder: type: unknown responder type"},
	{"responder.id", "null", "responder: id: an agent responder needs an id"},
	{"mode", "\"ai\"", "mode: unknown mode"},
	{"escalated", "\"yes\"", "escalated: must be true or false"},
	{"escalated", "1", "escalated: must be true or false"},
	{"ticket.status", "\"done\"", "ticket: status: unknown status"},
	{"state", "\"paused\"", "state: unknown state"},
	{"rating.score", "6", "rating: score: must be between 1 and 5"},
	{"rating.score", "4.5", "rating: score: must be a whole number"},
	{"rating.by", "\"nobody\"", "rating: by: must be a lowercase UUID v4"},
	{"message_count", "-1", "message_count: must be between 0"},
	{"version", "0", "version: must be between 1"},
	{"version", "1e300", "version: must be a whole number"},
	{"version", "\"7\"", "version: must be a number"},
	{"source", "\"botpress\"", "source: must be an object"},
	{"source.platform", "\"\"", "source: platform: must not be empty"},
	{"source.platform", NULL, "source: platform: is missing"},
	{"source.account", NULL, "source: account: is missing"},
	{"source.account.id", "\"bridge\"", "source: account: id: must be a lowercase UUID v4"},
	{"source.account.name", "null", "source: account: name: must not be null"},
};

/* Walk `path` in `root` and replace (or delete) the last member. */
static void apply_breakage(cJSON *root, const struct breakage *b)
{
	char path[64];
	snprintf(path, sizeof path, "%s", b->path);
	cJSON *parent = root;
	char *name = path, *dot;
	while ((dot = strchr(name, '.'))) {
		*dot = '\0';
		parent = cJSON_GetObjectItemCaseSensitive(parent, name);
		assert_non_null(parent);
		name = dot + 1;
	}
	if (!b->value) {
		cJSON_DeleteItemFromObjectCaseSensitive(parent, name);
		return;
	}
	cJSON *v = cJSON_Parse(b->value);
	assert_non_null(v);
	assert_true(cJSON_ReplaceItemInObjectCaseSensitive(parent, name, v));
}

static void test_broken_chats_are_refused_with_a_reason(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof chat_breakages / sizeof chat_breakages[0]; i++) {
		const struct breakage *b = &chat_breakages[i];
		cJSON *j = parse(FIX_CHAT_JSON);
		apply_breakage(j, b);

		struct chat c;
		memset(&c, 0xAB, sizeof c); /* must stay untouched on failure */
		struct chat before = c;
		struct errbuf err = {{0}};
		if (chat_from_json(j, &c, &err))
			fail_msg("breakage %s=%s was accepted", b->path, b->value ? b->value : "(deleted)");
		if (!strstr(err.msg, b->expect))
			fail_msg("breakage %s: error \"%s\" lacks \"%s\"", b->path, err.msg, b->expect);
		assert_memory_equal(&c, &before, sizeof c);
		cJSON_Delete(j);
	}
}

static void test_title_limit_counts_characters_not_bytes(void **state)
{
	(void)state;
	/* 200 three-byte characters (600 bytes) is a legal title; 201 is not. */
	char title[201 * 3 + 3];
	struct errbuf err = {{0}};
	struct chat c;

	for (int n = 200; n <= 201; n++) {
		char *p = title;
		*p++ = '"';
		for (int i = 0; i < n; i++) {
			memcpy(p, "\xe6\x97\xa5", 3); /* 日 */
			p += 3;
		}
		*p++ = '"';
		*p = '\0';
		cJSON *j = parse(FIX_CHAT_JSON);
		cJSON_ReplaceItemInObjectCaseSensitive(j, "title", cJSON_Parse(title));
		bool ok = chat_from_json(j, &c, &err);
		if (n == 200) {
			assert_true(ok);
			chat_free(&c);
		} else {
			assert_false(ok);
			assert_non_null(strstr(err.msg, "title: must be at most 200 characters"));
		}
		cJSON_Delete(j);
	}
}

static void test_preview_longer_than_120_is_refused(void **state)
{
	(void)state;
	char preview[130];
	struct errbuf err = {{0}};
	struct chat c;

	memset(preview, 'x', sizeof preview);
	preview[121] = '\0';
	cJSON *j = parse(FIX_CHAT_JSON);
	cJSON *latest = cJSON_GetObjectItemCaseSensitive(j, "latest_message");
	cJSON_ReplaceItemInObjectCaseSensitive(latest, "preview", cJSON_CreateString(preview));
	assert_false(chat_from_json(j, &c, &err));
	assert_non_null(strstr(err.msg, "latest_message: preview: must be at most 120"));
	cJSON_Delete(j);
}

static void test_message_decodes_and_keeps_text_verbatim(void **state)
{
	(void)state;
	struct message m;
	struct errbuf err = {{0}};
	cJSON *j = parse(FIX_MESSAGE_JSON);

	assert_true(message_from_json(j, &m, &err));
	assert_string_equal(m.id, FIX_MSG_ID);
	assert_string_equal(m.chat_id, FIX_CHAT_ID);
	assert_int_equal(m.seq, 5);
	assert_int_equal(m.role, MSG_ROLE_USER);
	assert_int_equal(m.system_type, SYSTEM_TYPE_NONE);
	assert_string_equal(m.author.id, "");
	assert_string_equal(m.author.name, "Maria G.");
	/* control characters are kept: neutralising is the display's job */
	assert_string_equal(m.text, "Hello\n\x1b[31mred");
	assert_null(m.client_msg_id);
	assert_string_equal(m.external_message_id, "wamid.HBgL+/x=");

	char *s = message_to_string(&m);
	cJSON *j2 = parse(s);
	assert_true(cJSON_Compare(j, j2, 1));
	free(s);
	cJSON_Delete(j2);
	message_free(&m);
	cJSON_Delete(j);
}

static void test_system_type_must_match_role(void **state)
{
	(void)state;
	struct message m;
	struct errbuf err = {{0}};

	cJSON *j = parse(FIX_MESSAGE_JSON);
	cJSON_ReplaceItemInObjectCaseSensitive(j, "system_type", cJSON_CreateString("AGENT_JOINED"));
	assert_false(message_from_json(j, &m, &err));
	assert_non_null(strstr(err.msg, "system_type"));

	cJSON_ReplaceItemInObjectCaseSensitive(j, "role", cJSON_CreateString("system"));
	assert_true(message_from_json(j, &m, &err));
	assert_int_equal(m.system_type, SYSTEM_TYPE_AGENT_JOINED);
	message_free(&m);

	cJSON_ReplaceItemInObjectCaseSensitive(j, "system_type", cJSON_CreateString("AGENT_DANCED"));
	assert_false(message_from_json(j, &m, &err));
	assert_non_null(strstr(err.msg, "system_type: unknown system_type"));
	cJSON_Delete(j);
}

static void test_message_seq_and_client_msg_id_limits(void **state)
{
	(void)state;
	struct message m;
	struct errbuf err = {{0}};
	cJSON *j = parse(FIX_MESSAGE_JSON);

	cJSON_ReplaceItemInObjectCaseSensitive(j, "seq", cJSON_CreateNumber(0));
	assert_false(message_from_json(j, &m, &err));
	assert_non_null(strstr(err.msg, "seq"));

	cJSON_ReplaceItemInObjectCaseSensitive(j, "seq", cJSON_CreateNumber(5));
	char long_id[70];
	memset(long_id, 'a', 65);
	long_id[65] = '\0';
	cJSON_ReplaceItemInObjectCaseSensitive(j, "client_msg_id", cJSON_CreateString(long_id));
	assert_false(message_from_json(j, &m, &err));
	assert_non_null(strstr(err.msg, "client_msg_id: must be at most 64"));

	cJSON_ReplaceItemInObjectCaseSensitive(j, "client_msg_id", cJSON_CreateNull());
	char long_ext[EXTERNAL_MESSAGE_ID_MAX_CHARS + 2];
	memset(long_ext, 'x', EXTERNAL_MESSAGE_ID_MAX_CHARS + 1);
	long_ext[EXTERNAL_MESSAGE_ID_MAX_CHARS + 1] = '\0';
	cJSON_ReplaceItemInObjectCaseSensitive(j, "external_message_id", cJSON_CreateString(long_ext));
	assert_false(message_from_json(j, &m, &err));
	assert_non_null(strstr(err.msg, "external_message_id: must be at most 200"));
	cJSON_ReplaceItemInObjectCaseSensitive(j, "external_message_id", cJSON_CreateString(""));
	assert_false(message_from_json(j, &m, &err));
	assert_non_null(strstr(err.msg, "external_message_id: must not be empty"));
	cJSON_Delete(j);
}

static void test_agent_with_and_without_active_chats(void **state)
{
	(void)state;
	struct agent a;
	struct errbuf err = {{0}};
	const char *me = "{\"id\":\"" FIX_AGENT_ID "\",\"name\":\"Ana\",\"email\":null,\"role\":\"supervisor\"}";
	cJSON *j = parse(me);

	assert_true(agent_from_json(j, &a, &err));
	assert_int_equal(a.role, ACCOUNT_SUPERVISOR);
	assert_int_equal(a.active_chats, -1);
	cJSON *back = agent_to_json(&a);
	assert_null(cJSON_GetObjectItemCaseSensitive(back, "active_chats"));
	cJSON_Delete(back);
	agent_free(&a);

	cJSON_AddNumberToObject(j, "active_chats", 3);
	assert_true(agent_from_json(j, &a, &err));
	assert_int_equal(a.active_chats, 3);
	agent_free(&a);

	cJSON_ReplaceItemInObjectCaseSensitive(j, "role", cJSON_CreateString("admin"));
	assert_false(agent_from_json(j, &a, &err));
	assert_string_equal(err.msg, "role: unknown role");
	cJSON_Delete(j);
}

static void test_events_of_every_type(void **state)
{
	(void)state;
	struct event e;
	struct errbuf err = {{0}};
	const char *hello = "{\"type\":\"hello\",\"head\":1042,\"me\":{\"id\":\"" FIX_AGENT_ID
			    "\",\"name\":\"Ana\",\"email\":null,\"role\":\"agent\"}}";
	const char *created = "{\"seq\":1043,\"type\":\"message.created\",\"at\":\"2026-11-23T10:01:02.123Z\","
			      "\"chat\":" FIX_CHAT_JSON ",\"message\":" FIX_MESSAGE_JSON "}";
	const char *updated = "{\"seq\":1044,\"type\":\"chat.updated\",\"at\":\"2026-11-23T10:01:02.123Z\","
			      "\"chat\":" FIX_CHAT_MINIMAL_JSON "}";

	assert_true(event_parse(hello, strlen(hello), &e, &err));
	assert_int_equal(e.type, EVENT_HELLO);
	assert_int_equal(e.head, 1042);
	assert_string_equal(e.me->name, "Ana");
	event_free(&e);

	assert_true(event_parse("{\"type\":\"resync\"}", 17, &e, &err));
	assert_int_equal(e.type, EVENT_RESYNC);
	event_free(&e);

	assert_true(event_parse(created, strlen(created), &e, &err));
	assert_int_equal(e.type, EVENT_MESSAGE_CREATED);
	assert_int_equal(e.seq, 1043);
	assert_int_equal(e.message->seq, 5);
	assert_int_equal(e.chat->version, 7);
	char *again = event_to_string(&e);
	cJSON *a = parse(created), *b = parse(again);
	assert_true(cJSON_Compare(a, b, 1));
	cJSON_Delete(a);
	cJSON_Delete(b);
	free(again);
	event_free(&e);

	assert_true(event_parse(updated, strlen(updated), &e, &err));
	assert_int_equal(e.type, EVENT_CHAT_UPDATED);
	assert_null(e.message);
	event_free(&e);
}

static void test_bad_events_are_refused(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		const char *expect;
	} cases[] = {
		{"{\"type\":\"chat.deleted\",\"seq\":1}", "type: unknown event type"},
		{"{\"type\":\"hello\"}", "head: is missing"},
		{"{\"type\":\"hello\",\"head\":1,\"me\":7}", "me: must be an object"},
		{"{\"type\":\"chat.updated\",\"seq\":1,\"at\":\"2026-11-23T10:01:02.123Z\"}",
		 "chat: is missing"},
		{"{\"type\":\"message.created\",\"seq\":3,\"at\":\"2026-11-23T10:01:02.123Z\",\"chat\":"
		 FIX_CHAT_JSON "}", "message: is missing"},
		{"[1,2]", "event: must be an object"},
		{"{\"type\":\"resync\"} x", "extra data"},
		{"{\"type\":\"res", "not valid JSON"},
		{"{\"type\":\"resync\",\"x\":\"\xff\"}", "not valid UTF-8"},
		{"{\"type\":\"resync\",\"x\":\"\xc0\xaf\"}", "not valid UTF-8"},
		{"{\"type\":\"resync\",\"x\":\"a\\u0000b\"}", "NUL"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct event e = {0};
		struct errbuf err = {{0}};
		if (event_parse(cases[i].text, strlen(cases[i].text), &e, &err))
			fail_msg("accepted: %s", cases[i].text);
		if (!strstr(err.msg, cases[i].expect))
			fail_msg("\"%s\": error \"%s\" lacks \"%s\"", cases[i].text, err.msg, cases[i].expect);
		assert_null(e.chat);
	}
}

static void test_message_of_another_chat_is_refused(void **state)
{
	(void)state;
	struct event e;
	struct errbuf err = {{0}};
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "type", "message.created");
	cJSON_AddNumberToObject(j, "seq", 9);
	cJSON_AddStringToObject(j, "at", "2026-11-23T10:01:02.123Z");
	cJSON *chat = parse(FIX_CHAT_JSON);
	cJSON_ReplaceItemInObjectCaseSensitive(chat, "id", cJSON_CreateString(FIX_TICKET_ID));
	cJSON_AddItemToObject(j, "chat", chat);
	cJSON_AddItemToObject(j, "message", parse(FIX_MESSAGE_JSON));

	assert_false(event_from_json(j, &e, &err));
	assert_non_null(strstr(err.msg, "does not match"));
	cJSON_Delete(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_chat_decodes_every_field),
		cmocka_unit_test(test_minimal_chat_has_nulls),
		cmocka_unit_test(test_chat_round_trips),
		cmocka_unit_test(test_v1_objects_without_the_v1_1_fields_decode),
		cmocka_unit_test(test_source_platform_may_be_null),
		cmocka_unit_test(test_chat_copy_is_deep),
		cmocka_unit_test(test_agent_copy_is_deep),
		cmocka_unit_test(test_broken_chats_are_refused_with_a_reason),
		cmocka_unit_test(test_title_limit_counts_characters_not_bytes),
		cmocka_unit_test(test_preview_longer_than_120_is_refused),
		cmocka_unit_test(test_message_decodes_and_keeps_text_verbatim),
		cmocka_unit_test(test_system_type_must_match_role),
		cmocka_unit_test(test_message_seq_and_client_msg_id_limits),
		cmocka_unit_test(test_agent_with_and_without_active_chats),
		cmocka_unit_test(test_events_of_every_type),
		cmocka_unit_test(test_bad_events_are_refused),
		cmocka_unit_test(test_message_of_another_chat_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
