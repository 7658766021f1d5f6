/*
 * bridge_state.h — the bridge's own small SQLite file: what lets it stop
 * anywhere (kill -9 included) and resume without losing or repeating work.
 *
 *   kv      the poll cursor, the last hub event seq applied
 *   convs   platform conversation <-> hub chat, the handoff state last
 *           known on the platform, the title/rating/status last sent,
 *           the chat's newest message already turned into jobs
 *   msgs    platform message -> hub message (ingested once)
 *   outq    the durable outbound queue: platform calls still owed, in
 *           order within a conversation
 *
 * Calls are synchronous and small (an indexed row each), on the loop.
 * WAL with synchronous=NORMAL: a commit survives the process being killed.
 */
#ifndef HANDOFF_BRIDGE_STATE_H
#define HANDOFF_BRIDGE_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "errbuf.h"

struct bstate;

struct bstate *bstate_open(const char *path, struct errbuf *err);
void bstate_close(struct bstate *s);

/* Group the writes in between into one transaction (nesting not allowed). */
bool bstate_begin(struct bstate *s);
bool bstate_commit(struct bstate *s);
/* Undo the writes since bstate_begin (a step of them failed). */
void bstate_rollback(struct bstate *s);

/* Small named values; *out is a new string or NULL when unset. */
bool bstate_kv_get(struct bstate *s, const char *key, char **out);
bool bstate_kv_set(struct bstate *s, const char *key, const char *value);

/* Conversations. A conversation may be known before its chat (an
 * escalation seen first): chat_id "" then. */
bool bstate_conv_chat(struct bstate *s, const char *conv_id, char chat_id[37]);
bool bstate_chat_conv(struct bstate *s, const char *chat_id, char **conv_id);
bool bstate_conv_set_chat(struct bstate *s, const char *conv_id, const char *chat_id);
/* The handoff state on the platform as last known: "requested", "human"
 * or "" (the bot); *out is a new string, "" when unknown. */
bool bstate_conv_handoff(struct bstate *s, const char *conv_id, char **out);
bool bstate_conv_set_handoff(struct bstate *s, const char *conv_id, const char *value);
/* "requested" entries whose conversation is not in `keep` become "": the
 * platform dropped the request by itself. */
bool bstate_conv_requested_prune(struct bstate *s, char *const *keep, size_t nkeep);
bool bstate_conv_meta(struct bstate *s, const char *chat_id, char **out);
bool bstate_conv_set_meta(struct bstate *s, const char *chat_id, const char *meta);
/* The seq (the chat's own, from 1) of the chat's newest message whose
 * event was turned into jobs; 0 when none. Setting never lowers it. */
int64_t bstate_conv_msg_seq(struct bstate *s, const char *chat_id);
bool bstate_conv_set_msg_seq(struct bstate *s, const char *chat_id, int64_t seq);
/* Every chat with a conversation, as new strings in a new array (the
 * caller frees both, also when false is returned). */
bool bstate_conv_chats(struct bstate *s, char ***chat_ids, size_t *n);

/* Messages ingested: platform id -> hub id. */
bool bstate_msg_known(struct bstate *s, const char *platform_id);
bool bstate_msg_add(struct bstate *s, const char *platform_id, const char *hub_id);

/* The outbound queue: a conversation's jobs run one at a time, oldest
 * first; different conversations' jobs run side by side. */
struct bjob {
	int64_t id;
	char *kind;          /* "post", "holder", "meta", "stop" */
	char *chat_id, *conv_id;
	char *payload;       /* JSON */
	int attempts;
	int64_t next_at;     /* ms since the epoch */
};

bool bstate_job_push(struct bstate *s, const char *kind, const char *chat_id, const char *conv_id,
		     const char *payload);
/* Up to `max` jobs that may run at `now`: each the oldest of its
 * conversation, due, oldest first (free each with bjob_free). *next_at:
 * when the first such job that is not yet due will be, 0 for none. */
size_t bstate_job_heads(struct bstate *s, int64_t now, struct bjob *out, size_t max,
			int64_t *next_at);
bool bstate_job_done(struct bstate *s, int64_t id);
bool bstate_job_later(struct bstate *s, int64_t id, int attempts, int64_t next_at);
/* Forget a chat's jobs of `kind`, how many into *dropped. One in flight
 * runs to its end; its done or later then finds no row. */
bool bstate_job_drop(struct bstate *s, const char *kind, const char *chat_id, int *dropped);
int64_t bstate_job_count(struct bstate *s);
void bjob_free(struct bjob *j);

#endif
