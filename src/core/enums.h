/*
 * enums.h — the protocol's closed vocabularies and their wire spellings.
 *
 * Each enum has one table of names (enums.c); conversion both ways goes
 * through it, so adding a value is one line in one place.
 */
#ifndef HANDOFF_ENUMS_H
#define HANDOFF_ENUMS_H

#include <stdbool.h>

enum chat_mode { CHAT_MODE_AI, CHAT_MODE_AGENT };

enum msg_role { MSG_ROLE_USER, MSG_ROLE_BOT, MSG_ROLE_AGENT, MSG_ROLE_SYSTEM, MSG_ROLE_NOTE };

enum system_type {
	SYSTEM_TYPE_NONE, /* JSON null: not a system message */
	SYSTEM_TYPE_CONVERSATION_ESCALATED,
	SYSTEM_TYPE_AGENT_JOINED,
	SYSTEM_TYPE_AGENT_LEFT,
	SYSTEM_TYPE_CHAT_REASSIGNED,
	SYSTEM_TYPE_CONVERSATION_STOPPED,
};

enum ticket_status { TICKET_OPEN, TICKET_PENDING, TICKET_SOLVED, TICKET_CLOSED };

enum channel_type { CHANNEL_WIDGET, CHANNEL_WAHA, CHANNEL_WHATSAPP, CHANNEL_INSTAGRAM, CHANNEL_API };

enum responder_type { RESPONDER_BOT, RESPONDER_AGENT, RESPONDER_NONE };

enum chat_state { CHAT_STATE_RUNNING, CHAT_STATE_STOPPED };

enum account_role { ACCOUNT_AGENT, ACCOUNT_SUPERVISOR, ACCOUNT_INGEST };

enum event_type {
	EVENT_CHAT_CREATED,
	EVENT_CHAT_UPDATED,
	EVENT_MESSAGE_CREATED,
	EVENT_HELLO,
	EVENT_RESYNC,
	EVENT_CHAT_READ, /* v1.1: the agent's own read mark moved; not in the log */
	EVENT_PRESENCE,          /* v1.1: no seq, never logged */
	EVENT_AGENT,             /* v1.1: an agent's status or capacity changed; not logged */
	EVENT_OFFER,             /* v1.1: a chat offered to this agent (auto-assignment) */
};

/* An agent's availability (v1.1, /v1/agents and the "agent" frame). NONE:
 * not told (/v1/me, hello), spelled nowhere. */
enum agent_status { AGENT_STATUS_NONE, AGENT_ONLINE, AGENT_AWAY, AGENT_OFFLINE };

/* A vocabulary: its wire names, indexed by enum value. */
struct enum_table {
	const char *what;          /* for errors: "mode", "role", … */
	const char *const *names;
	int count;
};

extern const struct enum_table chat_mode_table, msg_role_table, system_type_table,
	ticket_status_table, channel_type_table, responder_type_table, chat_state_table,
	account_role_table, event_type_table, agent_status_table;

/* The wire name of `value`, or NULL when out of range. */
const char *enum_name(const struct enum_table *t, int value);

/* Look `name` up; stores the value and returns true, or returns false. */
bool enum_parse(const struct enum_table *t, const char *name, int *value);

/* Convenience spellings used all over the code. */
#define chat_mode_name(v)      enum_name(&chat_mode_table, (v))
#define msg_role_name(v)       enum_name(&msg_role_table, (v))
#define system_type_name(v)    enum_name(&system_type_table, (v))
#define ticket_status_name(v)  enum_name(&ticket_status_table, (v))
#define channel_type_name(v)   enum_name(&channel_type_table, (v))
#define responder_type_name(v) enum_name(&responder_type_table, (v))
#define chat_state_name(v)     enum_name(&chat_state_table, (v))
#define account_role_name(v)   enum_name(&account_role_table, (v))
#define event_type_name(v)     enum_name(&event_type_table, (v))
#define agent_status_name(v)   enum_name(&agent_status_table, (v))

#endif
