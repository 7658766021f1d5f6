/*
 * bridge_state.h — the bridge's own small SQLite file: what lets it stop
 * anywhere (kill -9 included) and resume without losing or repeating work.
 *
 *   kv      the poll cursor, the last hub event seq applied
 *   convs   platform conversation <-> hub chat, the handoff state last
 *           known on the platform, the title/rating/status last sent
 *   msgs    platform message -> hub message (ingested once)
 *   outq    the durable outbound queue: platform calls still owed
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

/* Messages ingested: platform id -> hub id. */
bool bstate_msg_known(struct bstate *s, const char *platform_id);
bool bstate_msg_add(struct bstate *s, const char *platform_id, const char *hub_id);

/* The outbound queue, oldest first. */
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
/* The oldest job into *j (free with bjob_free); false when none. */
bool bstate_job_head(struct bstate *s, struct bjob *j);
bool bstate_job_done(struct bstate *s, int64_t id);
bool bstate_job_later(struct bstate *s, int64_t id, int attempts, int64_t next_at);
/* Forget a chat's jobs of `kind`, how many into *dropped. One in flight
 * runs to its end; its done or later then finds no row. */
bool bstate_job_drop(struct bstate *s, const char *kind, const char *chat_id, int *dropped);
int64_t bstate_job_count(struct bstate *s);
void bjob_free(struct bjob *j);

#endif
