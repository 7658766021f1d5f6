/*
 * platform.h — what a bridge needs of a bot platform, as a table of
 * operations (tmux's cmd_entry style): one `struct bridge_platform` per
 * platform, each in its own platform_<name>.c, listed in platforms.c.
 * Adding a platform is a file and a table row; nothing else in the bridge
 * knows a platform's paths, fields or headers.
 *
 * Every operation is asynchronous on the bridge's libuv loop: it returns
 * false (with a reason) when it cannot start, else calls `done` exactly
 * once, later, with a struct pf_result. The result says whether to go on
 * (PF_OK), to try the same thing again later (PF_RETRY: no answer, 5xx,
 * 429 with the platform's Retry-After), or to give up on it (PF_REFUSED:
 * the platform said no, in words). Payloads belong to the result and are
 * freed after the callback unless the callback took them (set to NULL).
 */
#ifndef HANDOFF_BRIDGE_PLATFORM_H
#define HANDOFF_BRIDGE_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "errbuf.h"

struct bridge_config;
struct pf_client;

enum pf_status { PF_OK, PF_RETRY, PF_REFUSED };

/* Who wrote a platform message. */
enum pf_author {
	AUTHOR_CUSTOMER,  /* -> hub role "user" */
	AUTHOR_BOT,       /* -> hub role "bot" */
	AUTHOR_BRIDGE,    /* an agent's reply this bridge posted: never ingested */
};

struct pf_message {
	char *id;
	char *conv_id;
	char *user_id;        /* the platform's author id */
	char *text;           /* never empty (a placeholder for non-text) */
	enum pf_author author;
};

/* A conversation that asks for a human (the platform's escalation). `mark`
 * tells one escalation from the next (it becomes the external message id
 * of the notice the bridge ingests when no message carries it). */
struct pf_wanting {
	char *conv_id;
	char *mark;
};

/* One UTC day's count (days since 1970-01-01). */
struct pf_day {
	int64_t day;
	int64_t conversations;
};

struct pf_result {
	enum pf_status status;
	uint64_t retry_after_ms;   /* PF_RETRY: the platform's wait; 0: caller's backoff */
	char text[ERRBUF_LEN];     /* not PF_OK: why, in words (no secrets) */

	/* changes, parse_webhook: */
	struct pf_message *msgs;   /* oldest first */
	size_t nmsgs;
	struct pf_wanting *wanting;
	size_t nwanting;
	bool wanting_complete;     /* `wanting` lists every such conversation */
	char *cursor;              /* changes: where the next call starts */

	/* describe: */
	char *channel_type;        /* a hub channel type: "widget", "api"... */
	char *channel_name;
	char *customer_name;       /* NULL when unknown */

	/* check: one line on what the platform shows this account; answer:
	 * who answers, in words (the agent and the client it serves). */
	char *summary;

	/* answer: the bot's reply, NULL while the platform keeps it silent;
	 * whether the bot asked for a human with it. */
	char *reply;
	bool escalate;

	/* daily_counts: the platform's conversations per UTC day. */
	struct pf_day *days;
	size_t ndays;
};

typedef void pf_done_fn(void *ctx, struct pf_result *r);

/* The conversation's holder on the platform: the bot, or a human (an
 * agent took over; the platform's bot must stay silent). */
enum pf_holder { PF_HOLDER_BOT, PF_HOLDER_HUMAN };

/* What the hub keeps about a chat that a platform may hold too. */
struct pf_meta {
	const char *title;         /* NULL: none */
	int rating;                /* 0: none, else 1..5 */
	const char *status;        /* ticket status, NULL: none */
	const char *feedback;      /* the rating's words, NULL: none */
	const char *suggested_answer; /* what the bot should have said, NULL: none */
};

/* A platform setting in the config file, beside the bridge's own. */
struct bridge_key {
	const char *name;
	const char *def;           /* NULL: required */
	bool secret_file;          /* a path to a 0600 file; the value is its first line */
};

struct bridge_platform {
	const char *name;          /* the config's `platform`, and source.platform on the hub */
	const struct bridge_key *keys; /* ends with a zeroed entry */
	const char *webhook_signature_header; /* lowercase, e.g. "x-bp-signature" */
	/* Optional: checks the header's value against the webhook secret in
	 * constant time, for a platform that does not sign with HMAC-SHA256
	 * (NULL: hex HMAC-SHA256 of the body, the bridge's default). */
	bool (*webhook_verify)(const char *secret, const char *body, size_t len,
			       const char *header_value);

	struct pf_client *(*open)(uv_loop_t *loop, const struct bridge_config *cfg,
				  struct errbuf *err);
	/* Cancels what is in flight (callbacks run with PF_RETRY "cancelled"). */
	void (*close)(struct pf_client *c);

	/* Credentials and account: `summary` says what is visible. */
	bool (*check)(struct pf_client *c, pf_done_fn *done, void *ctx, struct errbuf *err);
	/* Messages created after `cursor` (NULL: all there are), oldest first,
	 * the conversations asking for a human, and the next cursor. */
	bool (*changes)(struct pf_client *c, const char *cursor, pf_done_fn *done, void *ctx,
			struct errbuf *err);
	/* The channel of a conversation, and its customer's name when
	 * `customer_id` is given: what the hub needs to open a chat. */
	bool (*describe)(struct pf_client *c, const char *conv_id, const char *customer_id,
			 pf_done_fn *done, void *ctx, struct errbuf *err);
	/* Post an agent's reply as that agent; the same `hub_msg_id` again
	 * never makes a second message. */
	bool (*post)(struct pf_client *c, const char *conv_id, const char *agent_id,
		     const char *agent_name, const char *hub_msg_id, const char *text,
		     pf_done_fn *done, void *ctx, struct errbuf *err);
	bool (*set_holder)(struct pf_client *c, const char *conv_id, enum pf_holder h,
			   pf_done_fn *done, void *ctx, struct errbuf *err);
	bool (*set_meta)(struct pf_client *c, const char *conv_id, const struct pf_meta *m,
			 pf_done_fn *done, void *ctx, struct errbuf *err);
	/* A pushed delivery, its signature already checked: its messages and
	 * escalations into `out` (zeroed by the caller); false with a reason
	 * when the body is not one the platform sends. */
	bool (*parse_webhook)(struct pf_client *c, const char *body, size_t len,
			      struct pf_result *out, struct errbuf *err);
	/* Optional (NULL: the platform has no such call, and a stop in the
	 * hub hands the conversation back to the bot with set_holder): end
	 * the conversation on the platform; repeating it is harmless. */
	bool (*stop)(struct pf_client *c, const char *conv_id, pf_done_fn *done, void *ctx,
		     struct errbuf *err);
	/* Optional (NULL: a chat store, whose own bot answers its customers):
	 * the platform is the bot's brain, and answers the customers of the
	 * chats the hub grants the bridge (bridge_answer.c). The customer's
	 * message `text` (hub message `msg_id`) in conversation `conv_id` (the
	 * hub chat's id) in; the `reply`, `escalate` and `summary` out. The
	 * same `msg_id` again asks nothing twice and gets the first reply. A
	 * platform with `answer` may leave changes, describe, post and
	 * set_meta NULL: it creates no chats and carries no agent's reply. */
	bool (*answer)(struct pf_client *c, const char *conv_id, const char *msg_id,
		       const char *text, const char *customer_name, pf_done_fn *done, void *ctx,
		       struct errbuf *err);
	/* Optional (NULL: the platform keeps no count of its own): its
	 * conversations per UTC day from_day..to_day, into `days`. The bridge
	 * reports them to the hub now and then (bridge_stats.c). */
	bool (*daily_counts)(struct pf_client *c, int64_t from_day, int64_t to_day,
			     pf_done_fn *done, void *ctx, struct errbuf *err);
};

/* The platform called `name`, NULL when there is none. */
const struct bridge_platform *platform_find(const char *name);

/* "botpress, ..." for error messages. */
const char *platform_names(void);

void pf_result_free(struct pf_result *r);
void pf_message_free(struct pf_message *m);

#endif
