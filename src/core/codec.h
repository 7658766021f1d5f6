/*
 * codec.h — the protocol's objects to and from JSON (cJSON).
 *
 * Decoders validate everything the protocol promises — types, required
 * fields, enum values, ids, timestamps, UTF-8, lengths — and either fill
 * *out completely or leave it untouched and explain why in `err` (the
 * message names the field path: "chat.owner.name: must be a string").
 * Encoders return a new cJSON tree (caller deletes) or NULL when out of
 * memory; what they produce is exactly what the decoders accept.
 */
#ifndef HANDOFF_CODEC_H
#define HANDOFF_CODEC_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "errbuf.h"
#include "model.h"

bool chat_from_json(const cJSON *j, struct chat *out, struct errbuf *err);
cJSON *chat_to_json(const struct chat *c);

/* A chat's `owner` object, alone (GET /v1/owners/{id} adds fields to it;
 * those are the caller's to read). */
bool owner_from_json(const cJSON *j, struct owner *out, struct errbuf *err);

bool message_from_json(const cJSON *j, struct message *out, struct errbuf *err);
cJSON *message_to_json(const struct message *m);

/* `active_chats` is written only when >= 0 (as in /v1/agents, not /v1/me). */
bool agent_from_json(const cJSON *j, struct agent *out, struct errbuf *err);
cJSON *agent_to_json(const struct agent *a);

/* The hub's wait-time targets as hello (v1.1) and GET /v1/dashboard carry
 * them: parent's "targets" member, absent from older hubs, which set none
 * (*t untouched then). */
bool targets_from_json(const cJSON *parent, struct wait_targets *t, struct errbuf *err);
cJSON *targets_to_json(const struct wait_targets *t);

/* One frame of the event stream: chat.*, message.created, hello or resync. */
bool event_from_json(const cJSON *j, struct event *out, struct errbuf *err);
cJSON *event_to_json(const struct event *e);

/* Parse and decode one event frame straight from the wire. */
bool event_parse(const char *text, size_t len, struct event *out, struct errbuf *err);

/* Encode to a compact, newly allocated string (NULL when out of memory). */
char *chat_to_string(const struct chat *c);
char *message_to_string(const struct message *m);
char *event_to_string(const struct event *e);

#endif
