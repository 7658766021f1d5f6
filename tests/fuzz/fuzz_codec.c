/*
 * fuzz_codec.c — the protocol's decoders (codec.h) on hostile JSON: the
 * first byte picks chat, message, agent or an event frame off the wire.
 * Whatever decodes must encode to text that decodes again, and encode the
 * second time to exactly the same text.
 */
#include <string.h>

#include "codec.h"
#include "fuzz.h"
#include "jsonfield.h"

/* decode(encode(x)) == x, compared by its encoding. */
#define ROUND_TRIP(type, from_json, to_string, free_fn)                              \
	static void round_trip_##type(const char *text, size_t len)                  \
	{                                                                            \
		struct errbuf err;                                                   \
		cJSON *j = json_parse_text(text, len, &err);                         \
		struct type x = {0}, y = {0};                                        \
		if (!j)                                                              \
			return;                                                      \
		bool ok = from_json(j, &x, &err);                                    \
		cJSON_Delete(j);                                                     \
		if (!ok)                                                             \
			return;                                                      \
		char *once = to_string(&x);                                          \
		FUZZ_CHECK(once != NULL);                                            \
		j = json_parse_text(once, strlen(once), &err);                       \
		FUZZ_CHECK(j != NULL);                                               \
		FUZZ_CHECK(from_json(j, &y, &err));                                  \
		cJSON_Delete(j);                                                     \
		char *twice = to_string(&y);                                         \
		FUZZ_CHECK(twice != NULL && strcmp(once, twice) == 0);               \
		free(once);                                                          \
		free(twice);                                                         \
		free_fn(&x);                                                         \
		free_fn(&y);                                                         \
	}

ROUND_TRIP(chat, chat_from_json, chat_to_string, chat_free)
ROUND_TRIP(message, message_from_json, message_to_string, message_free)

static char *agent_to_string(const struct agent *a)
{
	cJSON *j = agent_to_json(a);
	char *s = j ? cJSON_PrintUnformatted(j) : NULL;
	cJSON_Delete(j);
	return s;
}
ROUND_TRIP(agent, agent_from_json, agent_to_string, agent_free)

/* An event frame as the stream reads it: straight from the wire text. */
static void round_trip_event(const char *text, size_t len)
{
	struct errbuf err;
	struct event x = {0}, y = {0};

	if (!event_parse(text, len, &x, &err))
		return;
	char *once = event_to_string(&x);
	FUZZ_CHECK(once != NULL);
	FUZZ_CHECK(event_parse(once, strlen(once), &y, &err));
	char *twice = event_to_string(&y);
	FUZZ_CHECK(twice != NULL && strcmp(once, twice) == 0);
	free(once);
	free(twice);
	event_free(&x);
	event_free(&y);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	switch (data[0] % 4) {
	case 0:
		round_trip_chat(text, len);
		break;
	case 1:
		round_trip_message(text, len);
		break;
	case 2:
		round_trip_agent(text, len);
		break;
	default:
		round_trip_event(text, len);
		break;
	}
	return 0;
}
