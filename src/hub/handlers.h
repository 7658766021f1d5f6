/*
 * handlers.h — the hub's API handlers, one per route (see routes.c), and the
 * small helpers they share for reading parameters and writing answers.
 */
#ifndef HANDOFF_HUB_HANDLERS_H
#define HANDOFF_HUB_HANDLERS_H

#include "route.h"

route_fn handle_health, handle_me, handle_agents_list, handle_stats_daily;
route_fn handle_chats_list, handle_chat_get, handle_chat_patch, handle_chat_read;
route_fn handle_owner_get;
route_fn handle_ingest_stats;
route_fn handle_messages_list, handle_message_post;
route_fn handle_takeover, handle_handback, handle_assign, handle_rating, handle_stop;
route_fn handle_ingest;
route_fn handle_ingest_batch;
route_fn handle_canned_list, handle_canned_add, handle_canned_remove;
route_fn handle_search;
route_fn handle_agent_patch, handle_offer_accept, handle_offer_pass;
route_fn handle_dashboard;

/* Every account that may hold chats (db_agents_list), each with its status
 * now as the hub's streams tell it (v1.1): what GET /v1/agents and the
 * dashboard's snapshot show. */
bool agents_with_status(const struct request *req, struct agent **out, size_t *n,
			struct api_error *err);

/* The value of query parameter `name`, or NULL. */
const char *request_param(const struct request *req, const char *name);

/* Integer parameter in [min, max]; absent leaves *out unchanged. */
bool request_param_int(const struct request *req, const char *name, int64_t min, int64_t max,
		       int64_t *out, struct api_error *err);

/* Enum parameter; absent leaves *out unchanged. */
bool request_param_enum(const struct request *req, const char *name, const struct enum_table *t,
			int *out, struct api_error *err);

/* A source platform label (v1.1): 1..32 of [a-z0-9._-], so it is one exact
 * spelling per platform, safe in logs, URLs and a list column. */
bool source_platform_valid(const char *s);

/* Reads of a chat by an ingest account (v1.1) are of the chats in its
 * scope only (db_ingest_may_see); any other is ResourceNotFound, as if it
 * did not exist. True for agents and supervisors. */
bool ingest_may_read(const struct request *req, struct api_error *err);

/* The JSON object body, or an InvalidPayload error when there is none. */
const cJSON *request_body(const struct request *req, struct api_error *err);

/* Turn a field validation failure (jsonfield) into InvalidPayload. */
bool invalid_payload(struct api_error *err, const struct errbuf *why);

/* Answers: the object as JSON with `status`; false (Internal) when out of memory. */
bool respond_json(struct response *res, int status, cJSON *body, struct api_error *err);
bool respond_chat(struct response *res, struct chat *chat, struct api_error *err);

/* An encoder of one list item (chat_to_json and friends, through a void *). */
typedef cJSON *item_encoder(const void *item);
item_encoder encode_chat, encode_message, encode_agent;

/* Answer 200 with {"<name>": [encode(items[i])…]} plus `meta` (may be NULL;
 * taken over either way): the shape of every list the API returns. */
bool respond_list(struct response *res, const char *name, const void *items, size_t count,
		  size_t item_size, item_encoder *encode, cJSON *meta, struct api_error *err);

#endif
