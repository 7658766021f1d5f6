/*
 * handler_util.c — what every handler needs: typed query parameters, the
 * request body, and answers built from model objects.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "storage.h"
#include "handlers.h"
#include "jsonfield.h"

const char *request_param(const struct request *req, const char *name)
{
	for (size_t i = 0; i < req->nparams; i++)
		if (strcmp(req->params[i].name, name) == 0)
			return req->params[i].value;
	return NULL;
}

bool request_param_int(const struct request *req, const char *name, int64_t min, int64_t max,
		       int64_t *out, struct api_error *err)
{
	const char *v = request_param(req, name);
	char *end;

	if (!v)
		return true;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	/* Digits only: strtoll alone would take " 5", "+5" and "5abc". */
	if (!*v || strspn(v, "0123456789-") != strlen(v) || *end || errno || n < min || n > max)
		return api_error_set(err, API_INVALID_QUERY, "%s: must be a whole number from %lld to %lld",
				     name, (long long)min, (long long)max);
	*out = n;
	return true;
}

bool request_param_enum(const struct request *req, const char *name, const struct enum_table *t,
			int *out, struct api_error *err)
{
	const char *v = request_param(req, name);

	if (!v)
		return true;
	if (!enum_parse(t, v, out))
		return api_error_set(err, API_INVALID_QUERY, "%s: unknown %s", name, t->what);
	return true;
}

bool source_platform_valid(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= SOURCE_PLATFORM_MAX_CHARS &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

const cJSON *request_body(const struct request *req, struct api_error *err)
{
	if (!cJSON_IsObject(req->body)) {
		api_error_set(err, API_INVALID_PAYLOAD, "the body must be a JSON object");
		return NULL;
	}
	return req->body;
}

bool invalid_payload(struct api_error *err, const struct errbuf *why)
{
	return api_error_set(err, API_INVALID_PAYLOAD, "%s", why->msg);
}

bool respond_json(struct response *res, int status, cJSON *body, struct api_error *err)
{
	if (!body)
		return api_error_set(err, API_INTERNAL, "out of memory");
	res->status = status;
	res->body = body;
	return true;
}

bool respond_chat(struct response *res, struct chat *chat, struct api_error *err)
{
	cJSON *j = chat_to_json(chat);

	chat_free(chat);
	return respond_json(res, 200, j, err);
}

cJSON *encode_chat(const void *item)
{
	return chat_to_json(item);
}

cJSON *encode_message(const void *item)
{
	return message_to_json(item);
}

cJSON *encode_agent(const void *item)
{
	return agent_to_json(item);
}

bool respond_list(struct response *res, const char *name, const void *items, size_t count,
		  size_t item_size, item_encoder *encode, cJSON *meta, struct api_error *err)
{
	cJSON *body = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(body, name);
	bool ok = list != NULL;

	for (size_t i = 0; ok && i < count; i++) {
		cJSON *item = encode((const char *)items + i * item_size);
		ok = item && cJSON_AddItemToArray(list, item);
	}
	if (meta)
		ok = ok ? json_add_child(body, "meta", meta) : (cJSON_Delete(meta), false);
	if (!ok) {
		cJSON_Delete(body);
		body = NULL;
	}
	return respond_json(res, 200, body, err);
}

bool ingest_may_read(const struct request *req, struct api_error *err)
{
	if (req->caller->role != ACCOUNT_INGEST ||
	    req->st->ops->ingest_may_see(req->st, req->caller->id, req->ids[0]))
		return true;
	return api_error_set(err, API_RESOURCE_NOT_FOUND, "no chat with id %s", req->ids[0]);
}
