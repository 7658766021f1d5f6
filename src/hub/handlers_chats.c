/*
 * handlers_chats.c — GET /v1/chats, GET and PATCH /v1/chats/{id}.
 */
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "handlers.h"
#include "storage.h"
#include "jsonfield.h"

/* responder=me|none|bot|<agent uuid> */
static bool parse_responder(const char *v, struct chat_query *q, struct api_error *err)
{
	if (!v)
		return true;
	if (strcmp(v, "me") == 0)
		q->responder = RESPONDER_IS_ME;
	else if (strcmp(v, "none") == 0)
		q->responder = RESPONDER_IS_NONE;
	else if (strcmp(v, "bot") == 0)
		q->responder = RESPONDER_IS_BOT;
	else if (uuid_valid(v)) {
		q->responder = RESPONDER_IS_AGENT;
		memcpy(q->responder_id, v, UUID_STRLEN + 1);
	} else
		return api_error_set(err, API_INVALID_QUERY,
				     "responder: must be me, none, bot or an agent id");
	return true;
}

/* "true" / "false" only: a query string is not a place for guessing. */
static bool parse_bool_param(const struct request *req, const char *name, int *out,
			     struct api_error *err)
{
	const char *v = request_param(req, name);

	if (!v)
		return true;
	if (strcmp(v, "true") == 0)
		*out = 1;
	else if (strcmp(v, "false") == 0)
		*out = 0;
	else
		return api_error_set(err, API_INVALID_QUERY, "%s: must be true or false", name);
	return true;
}

static const char *const sort_names[] = {"recent", "waiting"};
static const struct enum_table sort_table = {"sort", sort_names, 2};

static bool parse_chat_query(const struct request *req, struct chat_query *q, struct api_error *err)
{
	int waiting = -1, sort = SORT_RECENT;
	int64_t limit = q->limit;

	if (!request_param_enum(req, "mode", &chat_mode_table, &q->mode, err) ||
	    !parse_bool_param(req, "escalated", &q->escalated, err) ||
	    !parse_bool_param(req, "waiting", &waiting, err) ||
	    !parse_responder(request_param(req, "responder"), q, err) ||
	    !request_param_enum(req, "status", &ticket_status_table, &q->status, err) ||
	    !request_param_enum(req, "channel", &channel_type_table, &q->channel, err) ||
	    !request_param_enum(req, "sort", &sort_table, &sort, err) ||
	    !request_param_int(req, "limit", 1, 200, &limit, err))
		return false;
	/* The spec defines only waiting=true; false would mean "not waiting",
	 * which no queue needs, so it is refused rather than half-supported. */
	if (waiting == 0)
		return api_error_set(err, API_INVALID_QUERY, "waiting: only true is supported");
	q->waiting = waiting == 1;
	q->sort = sort;
	q->limit = (int)limit;
	q->source = request_param(req, "source");
	if (q->source && !source_platform_valid(q->source))
		return api_error_set(err, API_INVALID_QUERY,
				     "source: must be 1 to 32 of a-z 0-9 . _ -");
	q->q = request_param(req, "q");
	q->cursor = request_param(req, "cursor");
	if (q->q && !*q->q)
		q->q = NULL;
	return true;
}

bool handle_chats_list(const struct request *req, struct response *res, struct api_error *err)
{
	struct chat_query q;
	struct chat_page page = {0};

	chat_query_init(&q);
	if (!parse_chat_query(req, &q, err) ||
	    !req->st->ops->chats_list(req->st, req->caller, &q, &page, err))
		return false;

	cJSON *meta = cJSON_CreateObject();
	if (meta && !(json_add_string_or_null(meta, "next_cursor", page.next_cursor) &&
		      json_add_int(meta, "total", page.total) &&
		      cJSON_AddBoolToObject(meta, "total_capped", page.total_capped))) {
		cJSON_Delete(meta);
		meta = NULL;
	}
	bool ok = meta && respond_list(res, "chats", page.chats, page.count, sizeof *page.chats,
				       encode_chat, meta, err);
	chat_page_free(&page);
	return ok || api_error_set(err, API_INTERNAL, "out of memory");
}

bool handle_chat_get(const struct request *req, struct response *res, struct api_error *err)
{
	struct chat c;

	if (!ingest_may_read(req, err) || !req->st->ops->chat_get(req->st, req->ids[0], &c, err))
		return false;
	if (!req->st->ops->chat_unread(req->st, req->caller, &c, err)) {
		chat_free(&c);
		return false;
	}
	return respond_chat(res, &c, err);
}

/* POST /v1/chats/{id}/read {"seq": N}: the caller's read mark. The answer
 * is the chat.read event; when the mark moved, the caller's open streams
 * get it too, so their other consoles clear the chat's count. */
bool handle_chat_read(const struct request *req, struct response *res, struct api_error *err)
{
	const cJSON *body = request_body(req, err);
	struct errbuf why;
	struct event ev;
	int64_t seq = 0;
	bool moved;

	if (!body)
		return false;
	if (!jf_int(body, "seq", JF_REQUIRED, 1, INT64_MAX, &seq, &why))
		return invalid_payload(err, &why);
	if (!req->st->ops->chat_read(req->st, req->caller, req->ids[0], seq, &ev, &moved, err))
		return false;
	cJSON *j = event_to_json(&ev);
	if (!j)
		return api_error_set(err, API_INTERNAL, "out of memory");
	if (moved && req->tell) {
		char *text = cJSON_PrintUnformatted(j);
		if (text)
			req->tell(req->tell_ctx, req->caller->id, text, strlen(text));
		free(text);
	}
	return respond_json(res, 200, j, err);
}

bool handle_chat_patch(const struct request *req, struct response *res, struct api_error *err)
{
	const cJSON *body = request_body(req, err);
	struct errbuf why;
	char *title = NULL;
	int status = -1;
	struct chat c;

	if (!body)
		return false;
	if (!jf_string_range(body, "title", JF_OPTIONAL, 1, TITLE_MAX_CHARS, &title, &why) ||
	    !jf_enum(body, "ticket_status", JF_OPTIONAL, &ticket_status_table, &status, &why)) {
		free(title);
		return invalid_payload(err, &why);
	}
	if (!title && status < 0)
		return api_error_set(err, API_INVALID_PAYLOAD,
				     "nothing to change: give title or ticket_status");
	bool ok = req->st->ops->chat_patch(req->st, req->caller, req->ids[0], title, status, &c, err);
	free(title);
	return ok && respond_chat(res, &c, err);
}
