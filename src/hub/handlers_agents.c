/*
 * handlers_agents.c — agents' capacity and auto-assignment's answers (v1.1):
 * PATCH /v1/agents/{id}, POST /v1/chats/{id}/accept and /pass. The rules
 * live in db_agents.c; status is the server's (route.h's hooks).
 */
#include "codec.h"
#include "handlers.h"
#include "storage.h"
#include "jsonfield.h"

bool handle_agent_patch(const struct request *req, struct response *res, struct api_error *err)
{
	const cJSON *body = request_body(req, err);
	int64_t capacity = 0;
	struct errbuf why;
	struct agent a;

	if (!body)
		return false;
	if (!jf_int(body, "capacity", JF_REQUIRED, 0, CAPACITY_MAX, &capacity, &why))
		return invalid_payload(err, &why);
	if (!req->st->ops->agent_set_capacity(req->st, req->ids[0], capacity, &a, err))
		return false;
	a.status = req->agent_status(req->tell_ctx, a.id);
	req->agent_changed(req->tell_ctx, a.id);
	cJSON *j = agent_to_json(&a);
	agent_free(&a);
	return respond_json(res, 200, j, err);
}

bool handle_offer_accept(const struct request *req, struct response *res, struct api_error *err)
{
	struct chat c;

	return req->st->ops->offer_accept(req->st, req->caller, req->ids[0], &c, err) &&
	       respond_chat(res, &c, err);
}

bool handle_offer_pass(const struct request *req, struct response *res, struct api_error *err)
{
	struct chat c;

	if (!req->st->ops->offer_pass(req->st, req->caller, req->ids[0], err))
		return false;
	/* The next agent's turn. */
	req->agent_changed(req->tell_ctx, NULL);
	return req->st->ops->chat_get(req->st, req->ids[0], &c, err) && respond_chat(res, &c, err);
}
