/*
 * th_store.h — the simulated chatbot's threads, in memory, with the JSON
 * shapes of the chatbot threads API ("Chatbot Thread", its messages and
 * its chat user; doc/simulators.md lists the field names).
 *
 * A message is a question/answer pair, as on the platform: the customer's
 * text is the question, the AI's (or the agent's, or a system notice) the
 * answer. A NORMAL_MESSAGE is a question the AI answered (its answer is
 * null until it does), a USER_MESSAGE a question while an agent holds the
 * thread, an AGENT_MESSAGE an agent's answer, a SYSTEM_MESSAGE a notice
 * with its systemMessageType.
 *
 * Threads are kept in the order they started; the list walks them
 * backwards from the thread before `lastThreadId`, so threads started
 * during a walk land in front of it and the walk sees every older thread
 * exactly once.
 */
#ifndef HANDOFF_SIM_TH_STORE_H
#define HANDOFF_SIM_TH_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define TH_ID_LEN 48

/* The list's default and largest page (the `limit` query). */
#define TH_PAGE_SIZE 20
#define TH_PAGE_MAX 100

enum th_mode { TH_MODE_AI, TH_MODE_AGENT };

enum th_msg_type { TH_NORMAL_MESSAGE, TH_USER_MESSAGE, TH_AGENT_MESSAGE, TH_SYSTEM_MESSAGE };

/* The doc's systemMessageType values; TH_SYS_NONE is null. */
enum th_sys_type {
	TH_SYS_NONE = -1,
	TH_SYS_CONVERSATION_ESCALATED,
	TH_SYS_EXCEEDED_USAGE_LIMITS,
	TH_SYS_EMAIL_VERIFIED,
	TH_SYS_ENTERED_WRONG_OTP,
	TH_SYS_PROVIDED_EMAIL,
	TH_SYS_PERSONA_SELECTED,
	TH_SYS_PROBLEMS_WITH_UPSTREAM_PROVIDER,
	TH_SYS_COUNT
};

enum th_reaction { TH_NEUTRAL, TH_POSITIVE, TH_NEGATIVE, TH_REACTION_COUNT };

/* Who made a message, for the control interface's read-back: the
 * simulated customer, AI or platform, or a caller of the API (the bridge:
 * its agent replies, counted to assert exactly once). */
enum th_origin { TH_ORIGIN_CUSTOMER, TH_ORIGIN_AI, TH_ORIGIN_SYSTEM, TH_ORIGIN_API };

/* Names of the enums, as the API spells them; lookups return -1 when none. */
extern const char *const TH_MODE_NAMES[];
extern const char *const TH_MSG_TYPE_NAMES[];
extern const char *const TH_SYS_TYPE_NAMES[];
extern const char *const TH_REACTION_NAMES[];
extern const char *const TH_ORIGIN_NAMES[];
int th_enum_find(const char *const *names, int n, const char *s);

struct th_user {
	char id[TH_ID_LEN];
	char *name, *email, *phone;     /* may be NULL */
	bool verified;
	int64_t created_ms, updated_ms;
};

struct th_thread;

struct th_msg {
	char id[TH_ID_LEN];
	struct th_thread *thread;
	enum th_msg_type type;
	enum th_sys_type sys_type;
	char *question, *answer;        /* NULL: null */
	int64_t question_ms, answer_ms;
	enum th_reaction reaction;
	cJSON *sources;                 /* array of strings (never NULL) */
	bool escalated;
	char *icon_url, *agent_name;    /* may be NULL */
	bool ai;                        /* the AI answered: gptModel is set */
	enum th_origin origin;
};

struct th_vec {
	void **v;
	size_t n, cap;
};

struct th_thread {
	char id[TH_ID_LEN];
	size_t index;                   /* in the store's threads */
	int64_t started_ms, updated_ms, ended_ms;   /* ended: TS_NONE while open */
	enum th_mode mode;
	bool escalated;
	char *webhook_url, *webhook_token;          /* may be NULL */
	struct th_vec msgs;             /* oldest first */
	long read_count;                /* totalMessagesRead */
	struct th_user *user;           /* NULL when the thread has none */
};

struct th_store {
	char chatbot_id[TH_ID_LEN];
	const char *gpt_model;
	struct th_vec threads, users, msgs;
	uint32_t salt;                  /* makes ids differ from one run to the next */
	size_t page_size;
};

bool th_store_init(struct th_store *s, const char *chatbot_id);
void th_store_free(struct th_store *s);

/* Creators (strings copied; NULL ones stay null). NULL: out of memory. */
struct th_user *th_user_new(struct th_store *s, const char *name, const char *email,
			    const char *phone);
struct th_thread *th_thread_new(struct th_store *s, enum th_mode mode, struct th_user *u,
				const char *webhook_url, const char *webhook_token);
/* A message of type `type` with the given question and answer (either
 * may be NULL), stamped now. */
struct th_msg *th_msg_new(struct th_store *s, struct th_thread *t, enum th_msg_type type,
			  const char *question, const char *answer, enum th_origin origin);
/* Give a message its answer (stamped now). False: out of memory. */
bool th_msg_answer(struct th_msg *m, const char *answer);

/* Replace a string field (NULL or "" clears it when `empty_is_null`). */
bool th_set_str(char **field, const char *value, bool empty_is_null);

struct th_thread *th_thread_find(struct th_store *s, const char *id);
struct th_msg *th_msg_find(struct th_store *s, const char *id);

/* The latest NORMAL_MESSAGE of the thread whose answer is still null. */
struct th_msg *th_pending_question(struct th_thread *t);

/* The API's objects. The thread: with its messages unless skip_messages
 * (then no "messages" key), with its chatUser when include_user (else
 * "chatUser": null). */
cJSON *th_user_json(const struct th_user *u);
cJSON *th_msg_json(const struct th_store *s, const struct th_msg *m);
cJSON *th_thread_json(const struct th_store *s, const struct th_thread *t, bool skip_messages,
		      bool include_user);

/* One page of threads, most recently started first: those started before
 * `last` (NULL: from the newest), at most `limit`. */
cJSON *th_thread_page(const struct th_store *s, const struct th_thread *last, size_t limit);

#endif
