/*
 * handlers_actions.c — what an agent does to a chat: take over, hand back,
 * assign, rate, stop. The rules live in db_*(); these read the request.
 */
#include <stdlib.h>

#include "handlers.h"
#include "storage.h"
#include "jsonfield.h"

bool handle_takeover(const struct request *req, struct response *res, struct api_error *err)
{
	bool force = false;
	struct errbuf why;
	struct chat c;

	/* The body is optional here: no body means no force. */
	if (req->body && !jf_bool(req->body, "force", JF_OPTIONAL, &force, &why))
		return invalid_payload(err, &why);
	if (force && req->caller->role != ACCOUNT_SUPERVISOR)
		return api_error_set(err, API_FORBIDDEN, "only a supervisor may force a takeover");
	return req->st->ops->takeover(req->st, req->caller, req->ids[0], force, &c, err) &&
	       respond_chat(res, &c, err);
}

bool handle_handback(const struct request *req, struct response *res, struct api_error *err)
{
	struct chat c;

	return req->st->ops->handback(req->st, req->caller, req->ids[0], &c, err) &&
	       respond_chat(res, &c, err);
}

bool handle_stop(const struct request *req, struct response *res, struct api_error *err)
{
	struct chat c;

	return req->st->ops->stop(req->st, req->caller, req->ids[0], &c, err) &&
	       respond_chat(res, &c, err);
}

bool handle_assign(const struct request *req, struct response *res, struct api_error *err)
{
	const cJSON *body = request_body(req, err);
	uuid_str agent_id;
	struct errbuf why;
	struct chat c;

	if (!body)
		return false;
	if (!jf_uuid(body, "agent_id", JF_REQUIRED, agent_id, &why))
		return invalid_payload(err, &why);
	return req->st->ops->assign(req->st, req->caller, req->ids[0], agent_id, &c, err) &&
	       respond_chat(res, &c, err);
}

bool handle_rating(const struct request *req, struct response *res, struct api_error *err)
{
	const cJSON *body = request_body(req, err);
	char *feedback = NULL, *suggested = NULL;
	int64_t score = 0;
	struct errbuf why;
	struct chat c;

	if (!body)
		return false;
	if (!jf_int(body, "score", JF_REQUIRED, 1, 5, &score, &why) ||
	    !jf_string(body, "feedback", JF_OPTIONAL, FEEDBACK_MAX_CHARS, &feedback, &why) ||
	    !jf_string(body, "suggested_answer", JF_OPTIONAL, FEEDBACK_MAX_CHARS, &suggested,
		       &why)) {
		free(feedback);
		return invalid_payload(err, &why);
	}
	bool ok = req->st->ops->rate(req->st, req->caller, req->ids[0], (int)score, feedback,
				     suggested, &c, err);
	free(feedback);
	free(suggested);
	return ok && respond_chat(res, &c, err);
}
