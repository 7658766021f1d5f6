/*
 * fuzz_api_decode.c — the API client's answer decoders (api_decode.c) on
 * hostile bodies: the first byte picks what the call expects (health, me,
 * agents, a chat page, a chat, a message page, a message, stats, canned
 * replies, an owner, search results, the team dashboard). Every chat, message, agent, canned
 * reply and search result decoded must encode to text the protocol's
 * decoders accept again, unchanged; a search result's pieces must join to
 * its snippet.
 */
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"
#include "canned.h"
#include "searchres.h"
#include "codec.h"
#include "fuzz.h"
#include "jsonfield.h"

static void check_chat(const struct chat *c)
{
	struct errbuf err;
	struct chat again = {0};
	char *once = chat_to_string(c);
	FUZZ_CHECK(once != NULL);
	cJSON *j = json_parse_text(once, strlen(once), &err);
	FUZZ_CHECK(j != NULL && chat_from_json(j, &again, &err));
	char *twice = chat_to_string(&again);
	FUZZ_CHECK(twice != NULL && strcmp(once, twice) == 0);
	cJSON_Delete(j);
	chat_free(&again);
	free(once);
	free(twice);
}

static void check_message(const struct message *m)
{
	struct errbuf err;
	struct message again = {0};
	char *once = message_to_string(m);
	FUZZ_CHECK(once != NULL);
	cJSON *j = json_parse_text(once, strlen(once), &err);
	FUZZ_CHECK(j != NULL && message_from_json(j, &again, &err));
	char *twice = message_to_string(&again);
	FUZZ_CHECK(twice != NULL && strcmp(once, twice) == 0);
	cJSON_Delete(j);
	message_free(&again);
	free(once);
	free(twice);
}

static void check_agent(const struct agent *a)
{
	struct errbuf err;
	struct agent again = {0};
	cJSON *j = agent_to_json(a);
	FUZZ_CHECK(j != NULL);
	FUZZ_CHECK(agent_from_json(j, &again, &err));
	cJSON *k = agent_to_json(&again);
	FUZZ_CHECK(k != NULL && cJSON_Compare(j, k, true));
	cJSON_Delete(j);
	cJSON_Delete(k);
	agent_free(&again);
}

static void check_canned(const struct canned *r)
{
	struct errbuf err;
	struct canned again = {0};
	cJSON *j = canned_to_json(r);
	FUZZ_CHECK(j != NULL);
	FUZZ_CHECK(canned_from_json(j, &again, &err));
	cJSON *k = canned_to_json(&again);
	FUZZ_CHECK(k != NULL && cJSON_Compare(j, k, true));
	cJSON_Delete(j);
	cJSON_Delete(k);
	canned_free(&again);
}

/* The pieces a hit is drawn from, joined, are its snippet exactly. */
struct joined {
	char *s;
	size_t len;
};

static void join_piece(void *ctx, const char *s, size_t len, bool matched)
{
	struct joined *j = ctx;

	(void)matched;
	memcpy(j->s + j->len, s, len);
	j->len += len;
}

static void check_search(const struct search_result *r)
{
	struct errbuf err;
	struct search_result again = {0};
	size_t n = strlen(r->snippet);
	struct joined pieces = {malloc(n + 1), 0};

	FUZZ_CHECK(pieces.s != NULL);
	search_result_pieces(r, join_piece, &pieces);
	FUZZ_CHECK(pieces.len == n && memcmp(pieces.s, r->snippet, n) == 0);
	free(pieces.s);
	cJSON *j = search_result_to_json(r);
	FUZZ_CHECK(j != NULL);
	FUZZ_CHECK(search_result_from_json(j, &again, &err));
	cJSON *k = search_result_to_json(&again);
	FUZZ_CHECK(k != NULL && cJSON_Compare(j, k, true));
	cJSON_Delete(j);
	cJSON_Delete(k);
	search_result_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api_result r = {0};
	struct errbuf err;

	if (size < 1)
		return 0;
	/* The low five bits name the decoder (room to grow), the top one 201. */
	enum api_payload what = (enum api_payload)(data[0] & 0x1f);
	long status = data[0] & 0x80 ? 201 : 200;
	if (what > API_P_DASHBOARD)
		return 0;
	if (!api_decode(what, status, (const char *)data + 1, size - 1, &r, &err))
		return 0;
	if (r.agent)
		check_agent(r.agent);
	for (size_t i = 0; r.agents && i < r.agents->n; i++)
		check_agent(&r.agents->agents[i]);
	if (r.chat)
		check_chat(r.chat);
	for (size_t i = 0; r.chats && i < r.chats->n; i++)
		check_chat(&r.chats->chats[i]);
	if (r.message)
		check_message(r.message);
	for (size_t i = 0; r.messages && i < r.messages->n; i++)
		check_message(&r.messages->messages[i]);
	if (r.canned_one)
		check_canned(r.canned_one);
	for (size_t i = 0; r.canned && i < r.canned->n; i++)
		check_canned(&r.canned->replies[i]);
	for (size_t i = 0; r.owner && i < r.owner->n; i++)
		check_chat(&r.owner->chats[i]);
	for (size_t i = 0; r.search && i < r.search->n; i++)
		check_search(&r.search->results[i]);
	api_result_free(&r);
	return 0;
}
