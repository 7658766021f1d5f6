/*
 * ch_store.h — the simulated chats workspace, in memory: its channels, its
 * responders (agents and squads, by super identity), the external users
 * who own chats, the chats with their ticket, and their messages; with the
 * JSON shapes of the Chats API (doc/simulators.md).
 *
 * Every id is a UUID v4 string, as the doc says. The record's index is in
 * its first eight hex digits and its kind in the next four, the rest is a
 * per-run salt: lookups are O(1), which keeps a 10,000 chat backfill cheap,
 * and the ids still look like the platform's.
 */
#ifndef HANDOFF_SIM_CH_STORE_H
#define HANDOFF_SIM_CH_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "sim_vec.h"

#define CH_ID_LEN 37            /* a UUID and its NUL */

/* The doc's page size default and maximum (pageSize). */
#define CH_PAGE_SIZE 10
#define CH_PAGE_SIZE_MAX 100

/* The channel types of the doc, in its order. */
enum ch_channel_type { CH_WIDGET, CH_WAHA, CH_WHATSAPP, CH_INSTAGRAM, CH_API, CH_NCHANNELS };
extern const char *const CH_CHANNEL_TYPES[CH_NCHANNELS];

/* The responders the simulator has (doc/simulators.md): the bot (an AI
 * agent), a squad of AI agents, and the agent the bridge assigns on
 * takeover (a human: the AI does not answer for it). */
enum ch_ident { CH_BOT, CH_SQUAD, CH_HUMAN, CH_NIDENTS };

struct ch_identity {
	char super_id[CH_ID_LEN];       /* superIdentityId */
	char id[CH_ID_LEN];             /* the agent's or squad's own id */
	const char *entity;             /* "agents" or "squads" */
	const char *name;
	const char *picture;
	char version_id[CH_ID_LEN];
	int version_number;
	bool ai;                        /* the simulated AI answers for it */
};

struct ch_channel {
	char id[CH_ID_LEN];
	enum ch_channel_type type;
	char name[32];
};

struct ch_owner {
	char id[CH_ID_LEN];             /* ownerId: the external user */
	char super_id[CH_ID_LEN];       /* ownerSuperIdentityId */
	char *name, *identifier;
	bool blocked;
};

/* Who put a message there, for the control interface's read-back. */
enum ch_origin { CH_ORIGIN_CUSTOMER, CH_ORIGIN_BOT, CH_ORIGIN_API };

/* Message roles (lastMessageRole, penultimateMessageRole). */
#define CH_ROLE_USER "user"             /* the chat's owner */
#define CH_ROLE_ASSISTANT "assistant"   /* the AI responder */
#define CH_ROLE_OPERATOR "operator"     /* a human, through the API */

struct ch_chat;

struct ch_msg {
	char id[CH_ID_LEN];
	struct ch_chat *chat;
	const char *role;
	char *content;
	int64_t created_ms;
	enum ch_origin origin;
	char *idempotency_key;          /* NULL when posted without one */
};

/* Ticket statuses (ticketStatus); NULL: the chat has no ticket. */
extern const char *const CH_TICKET_STATUSES[];
const char *ch_ticket_status(const char *s);  /* the table's entry, or NULL */

struct ch_chat {
	char id[CH_ID_LEN];
	int64_t created_ms, updated_ms;
	struct ch_channel *channel;
	struct ch_owner *owner;
	struct ch_identity *responder;  /* NULL: none assigned */
	char *title;                    /* NULL: none */
	bool removed;                   /* soft removed (isRemoved) */
	char ticket_id[CH_ID_LEN];      /* "" when none */
	const char *ticket_status;      /* NULL when no ticket */
	struct sim_vec msgs;            /* oldest first */
};

struct ch_store {
	char workspace_id[CH_ID_LEN];
	uint64_t salt;
	struct ch_identity idents[CH_NIDENTS];
	struct ch_channel channels[CH_NCHANNELS];
	struct sim_vec owners, chats, msgs;
	unsigned tickets;
};

bool ch_store_init(struct ch_store *s);
void ch_store_free(struct ch_store *s);

/* Creators; NULL when out of memory. */
struct ch_owner *ch_owner_new(struct ch_store *s, const char *name);
struct ch_chat *ch_chat_new(struct ch_store *s, struct ch_channel *ch, struct ch_owner *o,
			    struct ch_identity *responder, const char *title);
struct ch_msg *ch_msg_new(struct ch_store *s, struct ch_chat *c, const char *role,
			  const char *content, enum ch_origin origin, const char *idempotency_key);

/* Lookups (NULL: none). */
struct ch_chat *ch_chat_find(struct ch_store *s, const char *id);
struct ch_channel *ch_channel_find(struct ch_store *s, const char *id);
struct ch_channel *ch_channel_of_type(struct ch_store *s, const char *type);
struct ch_owner *ch_owner_by_super_id(struct ch_store *s, const char *super_id);
struct ch_identity *ch_identity_find(struct ch_store *s, const char *super_id);
/* The chat's message posted with this Idempotency-Key, or NULL. */
struct ch_msg *ch_msg_by_key(struct ch_chat *c, const char *key);

/* Link a new ticket (status "open") to the chat. */
void ch_ticket_open(struct ch_store *s, struct ch_chat *c);
/* Replace a string field (NULL clears it); false when out of memory. */
bool ch_set_str(char **field, const char *value);

/* The API's JSON: the chat row of the plain endpoints, the chat with
 * details (previews, owner, responder, ticket), a message. */
cJSON *ch_chat_json(const struct ch_store *s, const struct ch_chat *c);
cJSON *ch_chat_details_json(const struct ch_store *s, const struct ch_chat *c);
cJSON *ch_msg_json(const struct ch_msg *m);
cJSON *ch_identity_json(const struct ch_identity *id);

#endif
