/*
 * model.h — the protocol's objects as C structs, shared by hub and client.
 *
 * Conventions:
 *   - strings are owned, heap-allocated, NUL-terminated, valid UTF-8; NULL
 *     stands for JSON null (or "absent") where the protocol allows it;
 *   - ids are fixed buffers; an empty id ("") stands for JSON null;
 *   - timestamps are milliseconds since the epoch; TS_NONE stands for null;
 *   - *_free() releases what a struct owns, not the struct itself, and
 *     leaves it zeroed, so freeing twice is harmless.
 */
#ifndef HANDOFF_MODEL_H
#define HANDOFF_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enums.h"
#include "timeutil.h"
#include "uuid.h"

/* Limits, in characters (code points). The protocol fixes the first four;
 * the rest are ours, chosen generously and written down in doc/protocol.md. */
#define TITLE_MAX_CHARS         200
#define PREVIEW_MAX_CHARS       120
#define REPLY_MAX_CHARS         4000
#define CLIENT_MSG_ID_MAX_CHARS 64
#define NAME_MAX_CHARS          200
#define EMAIL_MAX_CHARS         254
#define EXTERNAL_ID_MAX_CHARS   200
/* v1.1: an owner's phone as the platform spells it (E.164 is 16). */
#define PHONE_MAX_CHARS         64
#define FEEDBACK_MAX_CHARS      4000
/* v1.1: a platform's message id (printable ASCII) and a bridge's platform
 * label ([a-z0-9._-]), both checked by the hub on ingest. */
#define EXTERNAL_MESSAGE_ID_MAX_CHARS 200
#define SOURCE_PLATFORM_MAX_CHARS     32
/* v1.1: items in one POST /v1/ingest/batch (the 64 KiB body cap holds too). */
#define INGEST_BATCH_MAX_ITEMS        100
/* Customer and bot text arrives through ingest, whose body is capped at
 * 64 KiB; a message can never be longer than that. */
#define MESSAGE_TEXT_MAX_CHARS  65536

typedef char uuid_str[UUID_STRLEN + 1];

struct channel {
	uuid_str id;
	char *name;
	enum channel_type type;
};

struct owner {
	uuid_str id;
	char *external_id; /* nullable */
	char *name;
	char *email;       /* nullable */
};

/* latest_message / previous_message of a chat. */
struct preview {
	bool present;      /* false: JSON null */
	char *text;        /* "preview" on the wire, <= PREVIEW_MAX_CHARS */
	int64_t at;
	enum msg_role role;
};

struct responder {
	enum responder_type type;
	uuid_str id;       /* "" for null */
	char *name;        /* nullable */
};

struct ticket {
	bool present;
	uuid_str id;
	enum ticket_status status;
};

struct rating {
	bool present;
	int score;               /* 1..5 */
	char *feedback;          /* nullable */
	char *suggested_answer;  /* nullable */
	uuid_str by;
	int64_t at;
};

/* Where a chat comes from (v1.1): the ingest account that created it and
 * the platform that account said it feeds from. */
struct source {
	bool present;            /* false: null (chats created before v1.1) */
	char *platform;          /* nullable */
	uuid_str account_id;
	char *account_name;
};

struct chat {
	uuid_str id;
	char *title;             /* nullable */
	struct channel channel;
	struct owner owner;
	int64_t created_at, updated_at;
	struct preview latest, previous;
	struct responder responder;
	enum chat_mode mode;
	bool escalated;
	int64_t escalated_at;    /* TS_NONE when never escalated */
	struct ticket ticket;
	enum chat_state state;
	struct rating rating;
	int64_t message_count;
	int64_t version;
	struct source source;
	/* v1.1, for the agent who asked (lists and gets, never events): their
	 * messages not read, 0..UNREAD_MAX, where UNREAD_MAX means "that many
	 * or more"; -1 when the answer had none. */
	int64_t unread;
	/* v1.1: when the clock against the hub's wait-time targets started
	 * (doc/protocol.md): the escalation while the chat waits, the oldest
	 * unanswered customer message while an agent holds it; TS_NONE when
	 * nobody is owed an answer. */
	int64_t awaiting_reply_since;
};

/* The hub counts unread messages up to this and no further, so the count
 * costs a bounded walk whatever the thread's length. */
#define UNREAD_MAX 99

struct author {
	uuid_str id;             /* "" for null (customers, bots without an account) */
	char *name;
};

struct message {
	uuid_str id;
	uuid_str chat_id;
	int64_t seq;
	int64_t created_at;
	enum msg_role role;
	enum system_type system_type;
	struct author author;
	char *text;
	char *client_msg_id;     /* nullable */
	char *external_message_id; /* nullable; v1.1, ingested messages only */
};

/* An account as /v1/me and /v1/agents show it. */
struct agent {
	uuid_str id;
	char *name;
	char *email;             /* nullable */
	enum account_role role;
	int64_t active_chats;    /* -1 when absent (as in /v1/me) */
	/* v1.1, /v1/agents and the "agent" frame only: availability and the most
	 * chats held at once; with a status, active_chats is also sent as "held". */
	enum agent_status status; /* AGENT_STATUS_NONE when absent */
	int64_t capacity;
};

/* Auto-assignment (v1.1): a chat offered to this agent for `seconds` more;
 * 0 when the offer is over (accepted, passed, expired or taken). */
struct chat_offer {
	uuid_str chat_id;
	int64_t seconds;
};

/* Capacity a supervisor may set (PATCH /v1/agents/{id}). */
#define CAPACITY_MAX 1000
/* An offer lasts 1..OFFER_SECONDS_MAX seconds (handoffd --offer-seconds). */
#define OFFER_SECONDS_MAX 3600

/* A presence frame names at most this many agents per list (v1.1). */
#define PRESENCE_LIST_MAX 8

struct presence_person {
	uuid_str id;
	char *name;
};

/* Who has a chat open and who types in it, as the hub last said. */
struct chat_presence {
	uuid_str chat_id;
	struct presence_person viewing[PRESENCE_LIST_MAX], typing[PRESENCE_LIST_MAX];
	size_t nviewing, ntyping;
};

/* The hub's wait-time targets (v1.1, in hello), in seconds; 0: none. */
#define WAIT_TARGET_MAX_S 86400
struct wait_targets {
	int64_t first_response_s; /* escalation to a takeover or an agent's reply */
	int64_t next_response_s;  /* a held chat's unanswered message to the reply */
};

/* One frame of the event stream. */
struct event {
	enum event_type type;
	int64_t seq;             /* chat.* and message.*: the global seq */
	int64_t at;
	struct chat *chat;       /* chat.* and message.created */
	struct message *message; /* message.created */
	int64_t head;            /* hello: latest seq on the hub */
	uuid_str chat_id;        /* chat.read: the chat whose read mark moved */
	int64_t read_seq;        /* chat.read: the mark, the last seq read */
	int64_t unread;          /* chat.read: what is left unread after it */
	struct agent *me;        /* hello */
	struct chat_presence *presence; /* presence */
	struct agent *agent;     /* agent (v1.1) */
	struct chat_offer offer; /* offer (v1.1) */
	struct wait_targets targets; /* hello (v1.1; zero from older hubs) */
};

/* A chat is waiting when a human was asked for and none has taken it yet. */
bool chat_is_waiting(const struct chat *c);

/* A valid client_msg_id: 1..64 of [A-Za-z0-9_-], so it is safe in logs,
 * URLs and journal lines. The hub refuses others; the outbox never makes
 * or adopts one. */
bool client_msg_id_valid(const char *s);

/* The owner's strings (not the struct). */
void owner_free(struct owner *o);
void chat_free(struct chat *c);
void message_free(struct message *m);
void agent_free(struct agent *a);
/* A list of n agents (heap, each owning its strings) that should hold one:
 * when it does, that one goes to *out and true; else every entry is freed
 * and false. The list itself is freed either way. */
bool agents_take_single(struct agent *list, size_t n, struct agent *out);
void event_free(struct event *e);
void chat_presence_free(struct chat_presence *p);

/* Deep copies; return false only when out of memory (dst is then zeroed). */
bool chat_copy(struct chat *dst, const struct chat *src);
bool message_copy(struct message *dst, const struct message *src);
bool agent_copy(struct agent *dst, const struct agent *src);
bool chat_presence_copy(struct chat_presence *dst, const struct chat_presence *src);

#endif
