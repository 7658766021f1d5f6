/*
 * cv_store.h — the simulated conversations platform's data, in memory:
 * conversations and their chats, with the JSON shapes of the Conversations
 * API ("Get List Conversations": the Conversation and Chat objects).
 *
 * Times are milliseconds since the epoch, as numbers, as the doc's
 * createdAt, lastChatTime and timestamp are. The list is ordered by last
 * chat time, which moves whenever a conversation gets a chat; so a cursor
 * is a snapshot of the ordered, filtered list taken at the first page, and
 * a walk serves each conversation of that snapshot exactly once (with its
 * data as it is now), whatever changes meanwhile. Chats only ever append,
 * so their page numbers stay put.
 */
#ifndef HANDOFF_SIM_CV_STORE_H
#define HANDOFF_SIM_CV_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define CV_ID_LEN 40

/* The doc's defaults: conversations 50 a page (at most 50), chats 100. */
#define CV_PAGE_SIZE 50
#define CV_PAGE_SIZE_MAX 50
#define CV_CHAT_PAGE_SIZE 100
/* "The chats provided in conversation are the most recent 20." */
#define CV_RECENT_CHATS 20
/* Cursors kept; an older one is refused (the walk must start again). */
#define CV_SNAPSHOTS 64

/* Who wrote a chat: the doc's sender, and who it was for the read-back. */
enum cv_sender { CV_SENDER_USER, CV_SENDER_BOT, CV_SENDER_AGENT };

struct cv_vec {
	void **v;
	size_t n, cap;
};

struct cv_chat {
	char id[CV_ID_LEN];
	enum cv_sender sender;
	char *message;
	int64_t ts;
	char *agent_email;          /* an AGENT chat's author, else NULL */
	struct cv_conv *conv;
	/* Feedback: rating by the user (no AGENT-EMAIL) or by an agent;
	 * -1 none, 0 bad, 1 good. */
	int rating, agent_rating;
	cJSON *feedback_selection;  /* the last feedback's, or NULL */
	char *suggested_answer;
};

struct cv_conv {
	char id[CV_ID_LEN];
	uint64_t seq;
	char *title;
	char user_id[CV_ID_LEN];
	char *first_name, *last_name;
	char *llm_app_id;
	int64_t created_ms, last_chat_ms;
	bool is_end;                /* stopped */
	const char *state;          /* one of CV_STATES */
	char *assignee;             /* an agent's email, "" when none */
	char *category_id;          /* "" when none */
	char *memo;
	cJSON *variables;           /* object */
	struct cv_vec chats;        /* oldest first */
};

/* The doc's state enum, as the simulator defines it (doc/simulators.md):
 * "no" the bot has it, "waiting" escalated, "in_progress" an agent holds
 * it, "resolved" the agent is done. NULL ends the table. */
extern const char *const CV_STATES[];

struct cv_snapshot {
	uint32_t id;
	struct cv_conv **convs;     /* in walk order */
	size_t n;
};

struct cv_store {
	struct cv_vec convs;        /* creation order */
	uint64_t seq;
	uint32_t salt;
	char llm_app_id[CV_ID_LEN], llm_app_name[64];
	struct cv_snapshot snaps[CV_SNAPSHOTS];
	uint32_t next_snap;
	unsigned long chats;
};

bool cv_store_init(struct cv_store *s);
void cv_store_free(struct cv_store *s);

/* A new conversation of a new user, created at created_ms (0: now). NULL:
 * out of memory. */
struct cv_conv *cv_conv_new(struct cv_store *s, const char *first_name, const char *last_name,
			    int64_t created_ms);
/* Append a chat (at ts, 0: now); lastChatTime follows. */
struct cv_chat *cv_chat_add(struct cv_store *s, struct cv_conv *c, enum cv_sender who,
			    const char *message, const char *agent_email, int64_t ts);

struct cv_conv *cv_conv_find(struct cv_store *s, const char *id);
struct cv_chat *cv_chat_find(struct cv_conv *c, const char *id);

/* A state of CV_STATES by name (the table's own pointer), or NULL. */
const char *cv_state_lookup(const char *name);
/* Replace a string field (never NULL afterwards); false: out of memory. */
bool cv_set_str(char **field, const char *value);

/* The API's objects; a conversation carries its latest CV_RECENT_CHATS
 * chats and, of its variables, those named in `vars` (NULL: none). */
cJSON *cv_chat_json(const struct cv_chat *ch);
cJSON *cv_conv_json(const struct cv_store *s, const struct cv_conv *c, const cJSON *vars);

/* Snapshots for cursors: take one of `convs` (taken over), find one by id. */
struct cv_snapshot *cv_snapshot_take(struct cv_store *s, struct cv_conv **convs, size_t n);
struct cv_snapshot *cv_snapshot_find(struct cv_store *s, uint32_t id);

#endif
