/*
 * handlers_canned.c — canned replies (v1.1): list, add, remove. Any agent
 * keeps personal ones; only supervisors manage the team's shared ones.
 * Ingest accounts never reach these (routes.c: agents only).
 */
#include <stdlib.h>

#include "canned.h"
#include "storage.h"
#include "handlers.h"
#include "jsonfield.h"

static cJSON *encode_canned(const void *item)
{
	return canned_to_json(item);
}

bool handle_canned_list(const struct request *req, struct response *res, struct api_error *err)
{
	struct canned *list = NULL;
	size_t n = 0;

	if (!req->st->ops->canned_list(req->st, req->caller, &list, &n, err))
		return false;
	bool ok = respond_list(res, "replies", list, n, sizeof *list, encode_canned, NULL, err);
	for (size_t i = 0; i < n; i++)
		canned_free(&list[i]);
	free(list);
	return ok;
}

/* Answer with the one reply, and free it. */
static bool respond_canned(struct response *res, int status, struct canned *r,
			   struct api_error *err)
{
	cJSON *j = canned_to_json(r);

	canned_free(r);
	return respond_json(res, status, j, err);
}

bool handle_canned_add(const struct request *req, struct response *res, struct api_error *err)
{
	const cJSON *body = request_body(req, err);
	char *name = NULL, *text = NULL;
	bool shared = false;
	struct errbuf why;
	struct canned r;

	if (!body)
		return false;
	if (!jf_string_range(body, "name", JF_REQUIRED, 1, CANNED_NAME_MAX_CHARS, &name, &why) ||
	    !canned_name_valid(name, &why) ||
	    !jf_string_range(body, "text", JF_REQUIRED, 1, CANNED_TEXT_MAX_CHARS, &text, &why) ||
	    !jf_bool(body, "shared", JF_OPTIONAL, &shared, &why)) {
		free(name);
		free(text);
		return invalid_payload(err, &why);
	}
	bool ok = true;
	if (shared && req->caller->role != ACCOUNT_SUPERVISOR)
		ok = api_error_set(err, API_FORBIDDEN, "only a supervisor may add a shared reply");
	ok = ok && req->st->ops->canned_add(req->st, req->caller, name, text, shared, &r, err);
	free(name);
	free(text);
	return ok && respond_canned(res, 201, &r, err);
}

bool handle_canned_remove(const struct request *req, struct response *res, struct api_error *err)
{
	struct canned r;

	return req->st->ops->canned_remove(req->st, req->caller, req->ids[0], &r, err) &&
	       respond_canned(res, 200, &r, err);
}
