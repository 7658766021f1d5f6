/*
 * handlers_owners.c — GET /v1/owners/{id}: a customer's details and their
 * chats (protocol v1.1), for agents and supervisors.
 */
#include "codec.h"
#include "storage.h"
#include "handlers.h"
#include "jsonfield.h"

/* The owner as chats show it, plus the phone, which only this answer
 * carries. */
static cJSON *owner_json(const struct owner_details *d)
{
	cJSON *o = cJSON_CreateObject();

	if (o && cJSON_AddStringToObject(o, "id", d->owner.id) &&
	    json_add_string_or_null(o, "external_id", d->owner.external_id) &&
	    cJSON_AddStringToObject(o, "name", d->owner.name ? d->owner.name : "") &&
	    json_add_string_or_null(o, "email", d->owner.email) &&
	    json_add_string_or_null(o, "phone", d->phone))
		return o;
	cJSON_Delete(o);
	return NULL;
}

bool handle_owner_get(const struct request *req, struct response *res, struct api_error *err)
{
	struct owner_details d;

	if (!req->st->ops->owner_get(req->st, req->ids[0], &d, err))
		return false;
	cJSON *body = cJSON_CreateObject(), *chats = NULL;
	bool ok = body && json_add_child(body, "owner", owner_json(&d)) &&
		  (chats = cJSON_AddArrayToObject(body, "chats"));
	for (size_t i = 0; ok && i < d.n; i++) {
		cJSON *c = chat_to_json(&d.chats[i]);
		ok = c && cJSON_AddItemToArray(chats, c);
	}
	owner_details_free(&d);
	if (!ok) {
		cJSON_Delete(body);
		body = NULL;
	}
	return respond_json(res, 200, body, err);
}
