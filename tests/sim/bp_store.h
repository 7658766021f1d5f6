/*
 * bp_store.h — the simulated Botpress bot's data, in memory: users,
 * conversations, messages, events and states, with the JSON shapes of the
 * Botpress Cloud API ("The User object", "The Conversation object", ...).
 *
 * Every record gets a global sequence number when created; lists walk it
 * backwards (most recent first, as the API orders them) and a nextToken is
 * an opaque encoding of the last sequence number served, so a walk sees each
 * record that existed when it started exactly once, whatever is added
 * meanwhile (new records land in front of the walk, as on the real API).
 */
#ifndef HANDOFF_SIM_BP_STORE_H
#define HANDOFF_SIM_BP_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define BP_ID_LEN 40

/* The default page size of the API's list endpoints. */
#define BP_PAGE_SIZE 20

/* The conversation tag that carries the handoff state (see
 * doc/simulators.md): "requested" once the bot escalated, "human" while an
 * agent holds the conversation; empty or absent: the bot has it. */
#define BP_HANDOFF_TAG "handoff"

struct bp_vec {
	void **v;
	size_t n, cap;
};

/* First member of every record, so the list code can read any of them. */
struct bp_rec {
	char id[BP_ID_LEN];
	uint64_t seq;
	int64_t created_ms, updated_ms;
	cJSON *tags;            /* object of string values (never NULL) */
};

struct bp_user {
	struct bp_rec r;
	char *name, *picture_url;   /* may be NULL */
};

struct bp_conv {
	struct bp_rec r;
	char *channel, *integration;
	struct bp_vec msgs;         /* its messages, oldest first */
	char customer_id[BP_ID_LEN]; /* the simulated customer ("" for API-made) */
};

/* Who put a message there, for the control interface's read-back. */
enum bp_origin { BP_ORIGIN_CUSTOMER, BP_ORIGIN_BOT, BP_ORIGIN_API };

struct bp_msg {
	struct bp_rec r;
	char *type;
	cJSON *payload;
	const char *direction;      /* "incoming" or "outgoing" */
	char user_id[BP_ID_LEN];
	struct bp_conv *conv;
	enum bp_origin origin;
};

struct bp_event {
	struct bp_rec r;
	char *type;
	cJSON *payload;
};

struct bp_state {
	struct bp_rec r;
	char *type, *owner_id, *name;   /* the path's {type}/{id}/{name} */
	cJSON *payload;
};

struct bp_store;
/* Told of every new event (the webhook sender listens here). */
typedef void (*bp_event_hook)(void *ctx, const struct bp_event *ev);

struct bp_store {
	char bot_id[BP_ID_LEN];
	struct bp_vec users, convs, msgs, events, states;
	uint64_t seq;
	uint32_t salt;              /* makes ids differ from one run to the next */
	size_t page_size;
	bp_event_hook on_event;
	void *hook_ctx;
};

bool bp_store_init(struct bp_store *s, const char *bot_id);
void bp_store_free(struct bp_store *s);

/* Creators; tags may be NULL (no tags) and are copied. NULL: out of memory. */
struct bp_user *bp_user_new(struct bp_store *s, const char *name, const char *picture_url,
			    const cJSON *tags);
struct bp_conv *bp_conv_new(struct bp_store *s, const char *channel, const char *integration,
			    const cJSON *tags);
/* Also records the "message_created" event. */
struct bp_msg *bp_msg_new(struct bp_store *s, struct bp_conv *c, const char *user_id,
			  const char *type, const cJSON *payload, const cJSON *tags,
			  enum bp_origin origin);
/* A text message ({"text": ...}), as the customer and the bot send. */
struct bp_msg *bp_msg_text(struct bp_store *s, struct bp_conv *c, const char *user_id,
			   const char *text, enum bp_origin origin);

/* Lookups by id (NULL: none). */
struct bp_user *bp_user_find(struct bp_store *s, const char *id);
struct bp_conv *bp_conv_find(struct bp_store *s, const char *id);
struct bp_msg *bp_msg_find(struct bp_store *s, const char *id);
struct bp_event *bp_event_find(struct bp_store *s, const char *id);

/* The state at {type}/{id}/{name}, created (empty payload) when `create`. */
struct bp_state *bp_state_get(struct bp_store *s, const char *type, const char *owner_id,
			      const char *name, bool create);

/* Record an event with this payload (taken over) and tell the hook. */
struct bp_event *bp_event_emit(struct bp_store *s, const char *type, cJSON *payload);
/* "conversation_updated" with the conversation, after its tags changed. */
void bp_conv_touched(struct bp_store *s, struct bp_conv *c);

/* Tags: true when `t` is an object of strings. */
bool bp_tags_valid(const cJSON *t);
/* Set each key of `src` in `dst`; an empty value unsets the key. */
bool bp_tags_merge(cJSON *dst, const cJSON *src);
/* True when every key of `want` has that value in `have`. */
bool bp_tags_match(const cJSON *have, const cJSON *want);
/* The handoff tag's value, "" when unset. */
const char *bp_conv_handoff(const struct bp_conv *c);

/* The API's JSON objects. */
cJSON *bp_user_json(const struct bp_user *u);
cJSON *bp_conv_json(const struct bp_conv *c);
cJSON *bp_msg_json(const struct bp_msg *m);
cJSON *bp_event_json(const struct bp_event *e);
cJSON *bp_state_json(const struct bp_store *s, const struct bp_state *st);

/* One page of a list answer: {"<key>": [...], "meta": {"nextToken"?}}.
 * `v` holds records in creation order; `match` (may be NULL) filters them.
 * token is the nextToken query value or NULL; a token that is not one of
 * ours sets *bad_token and returns NULL. */
typedef bool (*bp_match_fn)(const void *rec, const void *arg);
typedef cJSON *(*bp_json_fn)(const void *rec);
cJSON *bp_list_page(const struct bp_store *s, const struct bp_vec *v, const char *key,
		    const char *token, bp_match_fn match, const void *arg, bp_json_fn to_json,
		    bool *bad_token);

#endif
