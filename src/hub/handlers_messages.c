/*
 * handlers_messages.c — GET and POST /v1/chats/{id}/messages.
 */
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "handlers.h"
#include "storage.h"
#include "jsonfield.h"

/* Notes never leave the hub through an ingest account: the page keeps
 * the others, in order (their seqs then have gaps, as the stream has). */
static void drop_notes(struct message_page *p)
{
	size_t kept = 0;

	for (size_t i = 0; i < p->count; i++) {
		if (p->messages[i].role == MSG_ROLE_NOTE)
			message_free(&p->messages[i]);
		else
			p->messages[kept++] = p->messages[i];
	}
	p->count = kept;
}

bool handle_messages_list(const struct request *req, struct response *res, struct api_error *err)
{
	int64_t before = 0, after = -1, limit = 50;
	struct message_page page = {0};

	if (!request_param_int(req, "before_seq", 1, INT64_MAX, &before, err) ||
	    !request_param_int(req, "after_seq", 0, INT64_MAX, &after, err) ||
	    !request_param_int(req, "limit", 1, 100, &limit, err))
		return false;
	if (before && after >= 0)
		return api_error_set(err, API_INVALID_QUERY,
				     "before_seq and after_seq cannot be combined");
	if (!ingest_may_read(req, err) ||
	    !req->st->ops->messages_list(req->st, req->ids[0], before, after, (int)limit, &page,
					 err))
		return false;
	if (req->caller->role == ACCOUNT_INGEST)
		drop_notes(&page);

	cJSON *meta = cJSON_CreateObject();
	if (meta && !cJSON_AddBoolToObject(meta, "has_more_before", page.has_more_before)) {
		cJSON_Delete(meta);
		meta = NULL;
	}
	bool ok = meta && respond_list(res, "messages", page.messages, page.count,
				       sizeof *page.messages, encode_message, meta, err);
	message_page_free(&page);
	return ok || api_error_set(err, API_INTERNAL, "out of memory");
}

bool handle_message_post(const struct request *req, struct response *res, struct api_error *err)
{
	const cJSON *body = request_body(req, err);
	char *text = NULL, *client_msg_id = NULL;
	bool internal = false, created = false;
	struct errbuf why;
	struct message m;

	if (!body)
		return false;
	bool ok = jf_string_range(body, "text", JF_REQUIRED, 1, REPLY_MAX_CHARS, &text, &why) &&
		  jf_string(body, "client_msg_id", JF_REQUIRED, CLIENT_MSG_ID_MAX_CHARS,
			    &client_msg_id, &why) &&
		  jf_bool(body, "internal", JF_OPTIONAL, &internal, &why);
	if (ok && !client_msg_id_valid(client_msg_id))
		ok = errbuf_set(&why, "client_msg_id: must be 1 to 64 of A-Z a-z 0-9 _ -");
	if (!ok) {
		free(text);
		free(client_msg_id);
		return invalid_payload(err, &why);
	}
	ok = req->st->ops->reply(req->st, req->caller, req->ids[0], text, client_msg_id, internal,
				 &m, &created, err);
	free(text);
	free(client_msg_id);
	if (!ok)
		return false;
	cJSON *j = message_to_json(&m);
	message_free(&m);
	/* 201 for a new message; 200 for a retry that found the first one. */
	return respond_json(res, created ? 201 : 200, j, err);
}
