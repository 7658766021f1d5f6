/*
 * ag_store.h — the simulated workspace's data, in memory: its clients, its
 * AI agents, and each agent's conversations with their messages and their
 * state (who answers: the agent, or a human).
 *
 * The doc describes the client's fields in words, not names; the names
 * chosen here, and everything about agents and conversations the doc only
 * names, are listed in doc/simulators.md.
 *
 * Conversations live in one vector in creation order; a list walks it
 * backwards (most recent first) and its cursor holds the position reached,
 * so a walk sees each conversation that existed when it began exactly
 * once, whatever is created meanwhile (new ones land in front of the walk).
 */
#ifndef HANDOFF_SIM_AG_STORE_H
#define HANDOFF_SIM_AG_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* Longest id, caller-chosen conversation and message ids included. */
#define AG_ID_MAX 128

/* The default page size of the conversation list. */
#define AG_PAGE_SIZE 20

struct ag_vec {
	void **v;
	size_t n, cap;
};

/* A workspace client, as Get Client answers it (without orgUsers, which
 * are computed: the other clients of its org). */
struct ag_client {
	char id[AG_ID_MAX + 1];
	char *org_id, *owner_uid;
	cJSON *json;
};

struct ag_agent {
	char id[AG_ID_MAX + 1];
	char *name, *client_id, *prompt, *welcome;
	int64_t created_ms, updated_ms;
	bool deleted;
};

/* Who answers a conversation. The agent speaks only in AG_STATE_AI. */
enum ag_state {
	AG_STATE_AI,         /* "ai": the agent answers */
	AG_STATE_ESCALATED,  /* "escalated": the agent asked for a human */
	AG_STATE_HUMAN,      /* "human": a human holds the conversation */
};

/* Who put a message there, for the control interface's read-back. */
enum ag_origin {
	AG_ORIGIN_CUSTOMER,  /* a customer on the platform's own channel (control) */
	AG_ORIGIN_API,       /* the user message of a Chat Interact call (the bridge) */
	AG_ORIGIN_AI,        /* the agent's answer */
	AG_ORIGIN_BOT,       /* the agent made to speak by the control interface */
};

struct ag_msg {
	char id[AG_ID_MAX + 1];         /* ours */
	char client_msg_id[AG_ID_MAX + 1]; /* the caller's messageId, "" when none */
	const char *role;               /* "user" or "assistant" */
	char *text;
	int64_t created_ms;
	enum ag_origin origin;
	struct ag_msg *reply;           /* a user message's answer (NULL: none) */
	bool escalated;                 /* this message made the agent escalate */
};

struct ag_conv {
	char id[AG_ID_MAX + 1];
	struct ag_agent *agent;
	int64_t created_ms, updated_ms;
	enum ag_state state;
	unsigned state_version;         /* +1 on each change of state */
	struct ag_vec msgs;             /* oldest first */
	cJSON *user;                    /* the user object last given (or {}) */
	cJSON *changes;                 /* every state change, for the read-back */
	unsigned long interact_calls;   /* Chat Interact calls, replays included */
	unsigned long interact_silent;  /* ... that came while the agent was silent */
};

struct ag_store;
/* Told of every new message and state change (the webhook listens). */
typedef void (*ag_event_hook)(void *ctx, const char *type, const struct ag_conv *c,
			      const struct ag_msg *m);

struct ag_store {
	char workspace_id[AG_ID_MAX + 1];
	struct ag_vec clients, agents, convs;
	uint64_t msg_seq, event_seq;
	uint32_t salt;                  /* makes ids and cursors differ per run */
	size_t page_size;
	ag_event_hook on_event;
	void *hook_ctx;
};

void ag_store_init(struct ag_store *s, const char *workspace_id);
void ag_store_free(struct ag_store *s);

/* A client from its fields (copied; "id" names it, NULL id: one is made). */
struct ag_client *ag_client_new(struct ag_store *s, const cJSON *fields);
struct ag_client *ag_client_find(struct ag_store *s, const char *id);
/* Get Client's answer: the client with orgUsers. */
cJSON *ag_client_json(const struct ag_store *s, const struct ag_client *c);

/* id NULL: one is made. NULL: out of memory. */
struct ag_agent *ag_agent_new(struct ag_store *s, const char *id, const char *name,
			      const char *client_id);
/* A live (not deleted) agent, or NULL. */
struct ag_agent *ag_agent_find(struct ag_store *s, const char *id);
cJSON *ag_agent_json(const struct ag_agent *a);
/* Replace *field with a copy of v; false when out of memory. */
bool ag_set_str(char **field, const char *v);

struct ag_conv *ag_conv_new(struct ag_store *s, struct ag_agent *a, const char *id);
/* The agent's conversation with this id (a NULL agent: any live agent's). */
struct ag_conv *ag_conv_find(struct ag_store *s, const struct ag_agent *a, const char *id);
/* Set the state; records the change and tells the hook. False when it was
 * already that state (nothing changes). */
bool ag_conv_set_state(struct ag_store *s, struct ag_conv *c, enum ag_state st,
		       const char *by);
/* A conversation summary (no messages) or the whole of it. */
cJSON *ag_conv_json(const struct ag_conv *c, bool with_messages);

struct ag_msg *ag_msg_new(struct ag_store *s, struct ag_conv *c, enum ag_origin origin,
			  const char *text, const char *client_msg_id);
/* The user message of this conversation with the caller's messageId. */
struct ag_msg *ag_msg_by_client_id(const struct ag_conv *c, const char *client_msg_id);
cJSON *ag_msg_json(const struct ag_msg *m);

/* The state's name in the API, and back (false: not one of them). */
const char *ag_state_name(enum ag_state st);
bool ag_state_parse(const char *name, enum ag_state *out);

/* One page of agent a's conversations, most recent first, filtered by
 * state when `state` is not NULL: {"conversations": [...], "nextCursor":
 * "..." or null}. A cursor that is not one of ours: NULL and *bad set. */
cJSON *ag_conv_page(const struct ag_store *s, const struct ag_agent *a, const char *cursor,
		    size_t limit, const enum ag_state *state, bool *bad);

#endif
