/*
 * enums.c — wire names of the protocol's enums (see enums.h).
 */
#include <string.h>

#include "enums.h"

#define TABLE(var, label, ...)                                                   \
	static const char *const var##_names[] = {__VA_ARGS__};                  \
	const struct enum_table var = {label, var##_names,                       \
				       (int)(sizeof var##_names / sizeof var##_names[0])}

TABLE(chat_mode_table, "mode", "AI", "AGENT");
TABLE(msg_role_table, "role", "user", "bot", "agent", "system", "note");
/* index 0 is SYSTEM_TYPE_NONE, spelled as JSON null, so it has no name. */
TABLE(system_type_table, "system_type", NULL, "CONVERSATION_ESCALATED", "AGENT_JOINED",
      "AGENT_LEFT", "CHAT_REASSIGNED", "CONVERSATION_STOPPED");
TABLE(ticket_status_table, "status", "open", "pending", "solved", "closed");
TABLE(channel_type_table, "channel type", "widget", "waha", "whatsapp", "instagram", "api");
TABLE(responder_type_table, "responder type", "bot", "agent", "none");
TABLE(chat_state_table, "state", "running", "stopped");
TABLE(account_role_table, "role", "agent", "supervisor", "ingest");
TABLE(event_type_table, "event type", "chat.created", "chat.updated", "message.created",
      "hello", "resync", "chat.read", "presence", "agent", "offer");
/* index 0 is AGENT_STATUS_NONE: the status is not given, so it has no name. */
TABLE(agent_status_table, "status", NULL, "online", "away", "offline");

const char *enum_name(const struct enum_table *t, int value)
{
	if (value < 0 || value >= t->count)
		return NULL;
	return t->names[value];
}

bool enum_parse(const struct enum_table *t, const char *name, int *value)
{
	if (!name)
		return false;
	for (int i = 0; i < t->count; i++) {
		if (t->names[i] && strcmp(t->names[i], name) == 0) {
			*value = i;
			return true;
		}
	}
	return false;
}
