/*
 * handlers_search.c — GET /v1/search: the messages matching a text (v1.1).
 */
#include <stdlib.h>

#include "handlers.h"
#include "storage.h"
#include "jsonfield.h"

/* {"chat_id", "message_id", "seq", "created_at", "role", "snippet",
 *  "snippet_start", "matches": [[start, length], …]} */
static cJSON *encode_hit(const void *item)
{
	const struct search_hit *h = item;
	cJSON *o = cJSON_CreateObject(), *m = cJSON_CreateArray();
	bool ok = m != NULL;

	for (size_t i = 0; ok && i < h->nmatches; i++) {
		cJSON *pair = cJSON_CreateArray();
		ok = pair && cJSON_AddItemToArray(m, pair) &&
		     cJSON_AddItemToArray(pair, cJSON_CreateNumber(h->matches[i].start)) &&
		     cJSON_AddItemToArray(pair, cJSON_CreateNumber(h->matches[i].len));
	}
	if (!ok || !o) {
		cJSON_Delete(m);
		m = NULL;
	}
	/* json_add_child takes m over, also when it fails. */
	ok = json_add_child(o, "matches", m) && json_add_uuid_or_null(o, "chat_id", h->chat_id) &&
	     json_add_uuid_or_null(o, "message_id", h->message_id) &&
	     json_add_int(o, "seq", h->seq) && json_add_timestamp(o, "created_at", h->created_at) &&
	     cJSON_AddStringToObject(o, "role", msg_role_name(h->role)) &&
	     cJSON_AddStringToObject(o, "snippet", h->snippet) &&
	     json_add_int(o, "snippet_start", h->snippet_start);
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

bool handle_search(const struct request *req, struct response *res, struct api_error *err)
{
	const char *q = request_param(req, "q");
	int64_t limit = 20;
	struct search_page page = {0};

	if (!request_param_int(req, "limit", 1, 100, &limit, err))
		return false;
	if (!q || !*q)
		return api_error_set(err, API_INVALID_QUERY, "q: is required");
	/* The route is for agents and supervisors, who read notes. */
	if (!req->st->ops->search(req->st, q, true, (int)limit, &page, err))
		return false;
	bool ok = respond_list(res, "results", page.hits, page.count, sizeof *page.hits,
			       encode_hit, NULL, err);
	search_page_free(&page);
	return ok || api_error_set(err, API_INTERNAL, "out of memory");
}
