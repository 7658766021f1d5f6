/*
 * handlers_ingest.c — POST /v1/ingest/messages: customer and bot messages
 * in; POST /v1/ingest/batch: up to INGEST_BATCH_MAX_ITEMS of the same in
 * one request and one transaction.
 */
#include <stdio.h>
#include <stdlib.h>

#include "codec.h"
#include "handlers.h"
#include "storage.h"
#include "jsonfield.h"

/* Everything the body owns, freed in one place whatever failed. */
struct ingest_body {
	char *external_id, *channel_name, *owner_external_id, *owner_name, *owner_email, *owner_phone,
	     *text;
	char *external_message_id, *source_platform;
};

static void ingest_body_free(struct ingest_body *b)
{
	free(b->external_id);
	free(b->external_message_id);
	free(b->source_platform);
	free(b->channel_name);
	free(b->owner_external_id);
	free(b->owner_name);
	free(b->owner_email);
	free(b->owner_phone);
	free(b->text);
}

/* external_message_id: 1..200 printable ASCII characters, no space. Platforms
 * spell their ids in ASCII (UUIDs, numbers, "wamid.…", Slack's "123.456");
 * refusing the rest keeps "the same id" a byte comparison and the id safe
 * in logs. */
static bool external_message_id_valid(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (s[n] < '!' || s[n] > '~')
			return false;
	return n >= 1 && n <= EXTERNAL_MESSAGE_ID_MAX_CHARS;
}

/* source: {"platform": "<label>"}, the shape the chat object shows. */
static bool parse_source(const cJSON *source, struct ingest_body *b, struct errbuf *why)
{
	bool ok = jf_string(source, "platform", JF_OPTIONAL, SOURCE_PLATFORM_MAX_CHARS,
			    &b->source_platform, why);
	if (ok && b->source_platform && !source_platform_valid(b->source_platform))
		ok = errbuf_set(why, "platform: must be 1 to 32 of a-z 0-9 . _ -");
	if (!ok)
		errbuf_prefix(why, "source");
	return ok;
}

static bool parse_ingest(const cJSON *body, struct ingest *in, struct ingest_body *b,
			 struct errbuf *why)
{
	const cJSON *channel = NULL, *owner = NULL, *source = NULL;
	int channel_type = CHANNEL_API, role = MSG_ROLE_USER;

	in->chat_id[0] = '\0';
	bool ok = jf_uuid(body, "chat_id", JF_OPTIONAL, in->chat_id, why) &&
		  jf_string_range(body, "external_id", JF_OPTIONAL, 1, EXTERNAL_ID_MAX_CHARS,
				  &b->external_id, why) &&
		  jf_object(body, "channel", JF_OPTIONAL, &channel, why) &&
		  jf_object(body, "owner", JF_OPTIONAL, &owner, why) &&
		  jf_enum(body, "role", JF_REQUIRED, &msg_role_table, &role, why) &&
		  jf_string_range(body, "text", JF_REQUIRED, 1, MESSAGE_TEXT_MAX_CHARS, &b->text,
				  why) &&
		  jf_bool(body, "escalate", JF_OPTIONAL, &in->escalate, why) &&
		  jf_string(body, "external_message_id", JF_OPTIONAL, EXTERNAL_MESSAGE_ID_MAX_CHARS,
			    &b->external_message_id, why) &&
		  jf_object(body, "source", JF_OPTIONAL, &source, why);
	if (ok && b->external_message_id && !external_message_id_valid(b->external_message_id))
		ok = errbuf_set(why, "external_message_id: must be 1 to 200 printable ASCII"
				     " characters without spaces");
	if (ok && source)
		ok = parse_source(source, b, why);
	if (ok && channel) {
		ok = jf_enum(channel, "type", JF_OPTIONAL, &channel_type_table, &channel_type, why) &&
		     jf_string_range(channel, "name", JF_OPTIONAL, 1, NAME_MAX_CHARS,
				     &b->channel_name, why);
		if (!ok)
			errbuf_prefix(why, "channel");
	}
	if (ok && owner) {
		ok = jf_string_range(owner, "external_id", JF_OPTIONAL, 1, EXTERNAL_ID_MAX_CHARS,
				     &b->owner_external_id, why) &&
		     jf_string_range(owner, "name", JF_OPTIONAL, 1, NAME_MAX_CHARS, &b->owner_name,
				     why) &&
		     jf_string(owner, "email", JF_OPTIONAL, EMAIL_MAX_CHARS, &b->owner_email, why) &&
		     jf_string_range(owner, "phone", JF_OPTIONAL, 1, PHONE_MAX_CHARS,
				     &b->owner_phone, why);
		if (!ok)
			errbuf_prefix(why, "owner");
	}
	if (ok && role != MSG_ROLE_USER && role != MSG_ROLE_BOT)
		ok = errbuf_set(why, "role: must be user or bot");
	in->channel_type = channel_type;
	in->role = role;
	in->external_id = b->external_id;
	in->external_message_id = b->external_message_id;
	in->source_platform = b->source_platform;
	in->channel_name = b->channel_name;
	in->owner_external_id = b->owner_external_id;
	in->owner_name = b->owner_name;
	in->owner_email = b->owner_email;
	in->owner_phone = b->owner_phone;
	in->text = b->text;
	return ok;
}

/* {"chat": ..., "message": ...}, the answer of one ingested message. */
static cJSON *ingested_json(const struct chat *chat, const struct message *msg)
{
	cJSON *answer = cJSON_CreateObject();

	if (answer && !(json_add_child(answer, "chat", chat_to_json(chat)) &&
			json_add_child(answer, "message", message_to_json(msg)))) {
		cJSON_Delete(answer);
		answer = NULL;
	}
	return answer;
}

bool handle_ingest(const struct request *req, struct response *res, struct api_error *err)
{
	const cJSON *body = request_body(req, err);
	struct ingest_body owned = {0};
	struct ingest in = {0};
	struct errbuf why;
	struct chat chat;
	struct message msg;
	bool created;

	if (!body)
		return false;
	if (!parse_ingest(body, &in, &owned, &why)) {
		ingest_body_free(&owned);
		return invalid_payload(err, &why);
	}
	bool ok = req->st->ops->ingest(req->st, req->caller, &in, &chat, &msg, &created, err);
	ingest_body_free(&owned);
	if (!ok)
		return false;

	cJSON *answer = ingested_json(&chat, &msg);
	chat_free(&chat);
	message_free(&msg);
	/* 201 for a new message; 200 for a retry that found the first one. */
	return respond_json(res, created ? 201 : 200, answer, err);
}

/* {"results": [...]}: per item, in order, its status as a single ingest
 * would answer it, with that answer (201/200) or its error object. */
static cJSON *batch_json(const struct ingest_result *r, size_t n)
{
	cJSON *answer = cJSON_CreateObject();
	cJSON *list = answer ? cJSON_AddArrayToObject(answer, "results") : NULL;
	bool ok = list != NULL;

	for (size_t i = 0; ok && i < n; i++) {
		bool in = r[i].error.type == API_OK;
		cJSON *one = in ? ingested_json(&r[i].chat, &r[i].message)
				: api_error_to_json(&r[i].error);
		int status = in ? (r[i].created ? 201 : 200) : api_error_status(r[i].error.type);
		ok = one && cJSON_AddNumberToObject(one, "status", status) &&
		     cJSON_AddItemToArray(list, one);
		if (!ok)
			cJSON_Delete(one);
	}
	if (!ok) {
		cJSON_Delete(answer);
		answer = NULL;
	}
	return answer;
}

bool handle_ingest_batch(const struct request *req, struct response *res, struct api_error *err)
{
	const cJSON *body = request_body(req, err), *items;
	struct errbuf why;

	if (!body)
		return false;
	items = cJSON_GetObjectItemCaseSensitive(body, "items");
	if (!cJSON_IsArray(items))
		return api_error_set(err, API_INVALID_PAYLOAD, "items: must be an array");
	size_t n = (size_t)cJSON_GetArraySize(items);
	if (n < 1)
		return api_error_set(err, API_INVALID_PAYLOAD, "items: must not be empty");
	if (n > INGEST_BATCH_MAX_ITEMS)
		return api_error_set(err, API_PAYLOAD_TOO_LARGE, "items: at most %d in a batch",
				     INGEST_BATCH_MAX_ITEMS);

	struct ingest_body *owned = calloc(n, sizeof *owned);
	struct ingest *in = calloc(n, sizeof *in);
	struct ingest_result *out = calloc(n, sizeof *out);
	bool ok = owned && in && out;
	size_t parsed = 0;
	const cJSON *item;

	if (!ok)
		api_error_set(err, API_INTERNAL, "out of memory");
	cJSON_ArrayForEach(item, items) {
		if (!ok)
			break;
		char at[32];
		snprintf(at, sizeof at, "items[%zu]", parsed);
		if (!cJSON_IsObject(item))
			ok = errbuf_set(&why, "must be an object");
		else
			ok = parse_ingest(item, &in[parsed], &owned[parsed], &why);
		parsed++;
		if (!ok) {
			errbuf_prefix(&why, at);
			invalid_payload(err, &why);
		}
	}
	/* The request was counted once when it was admitted; its items are. */
	if (ok && req->charge)
		req->charge(req, (unsigned)n - 1);
	ok = ok && req->st->ops->ingest_batch(req->st, req->caller, in, n, out, err);
	cJSON *answer = ok ? batch_json(out, n) : NULL;
	for (size_t i = 0; ok && i < n; i++)
		ingest_result_free(&out[i]);
	for (size_t i = 0; i < parsed; i++)
		ingest_body_free(&owned[i]);
	free(owned);
	free(in);
	free(out);
	return ok && respond_json(res, 200, answer, err);
}
