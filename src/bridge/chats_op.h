/*
 * chats_op.h — the chats platform's client and operation, shared by its
 * calls and writes (platform_chats.c) and its poll, the page walk of the
 * chat list (chats_poll.c). Nothing else includes it.
 */
#ifndef HANDOFF_BRIDGE_CHATS_OP_H
#define HANDOFF_BRIDGE_CHATS_OP_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>
#include <uv.h>

#include "pf_http.h"
#include "pf_op.h"
#include "platform.h"

#define ID_LEN 64           /* the doc's ids are UUIDs (36) */
#define TS_LEN 40

/* One chat of the list as the poller needs it; also what the last round
 * saw, to tell which chats moved. */
struct row {
	char id[ID_LEN];
	char last[TS_LEN];          /* lastMessageCreatedAt, "" when none */
	char owner[ID_LEN];         /* ownerId: the customer */
	char mark[ID_LEN];          /* ticketId while the chat asks for a human */
	char since[TS_LEN];         /* messages from here on are new ("": all) */
	bool removed, wanting, fetch;
};

/* A post's own HTTP client (its Idempotency-Key is a header): freed on the
 * next loop turn after its answer, never inside its own callback. */
struct post_http {
	struct pf_http *http;
	bool done;
	struct post_http *next;
};

struct pf_client {
	uv_loop_t *loop;
	const struct bridge_config *cfg;
	struct pf_http *http;
	const char *bot_responder, *human_responder, *human_id, *removed_text;
	long page_size, messages_limit;
	struct row *seen;           /* the last round's chats, sorted by id */
	size_t nseen;
	bool have_seen;
	struct post_http *posts;
	uv_timer_t *reaper;
	bool closing;
};

enum op_kind { OP_CHECK, OP_CHANGES, OP_DESCRIBE, OP_POST, OP_HOLDER, OP_META };

/* A message found by a poll round, with what orders it. */
struct found {
	struct pf_message m;
	char at[TS_LEN];
	size_t seq;
};

struct op {
	struct pf_op op;            /* first: the shared part (pf_op.h) */
	struct post_http *ph;       /* post: its client */
	char *conv_id, *customer_id, *hub_msg_id, *text;
	enum pf_holder holder;
	char *title, *status;       /* meta: the hub's, status as the platform says it */
	/* changes: */
	char *cursor;
	char page1_max[TS_LEN];
	long page;
	struct row *rows;
	size_t nrows, cap_rows, next_fetch;
	struct found *found;
	size_t nfound, cap_found, cap_wanting;
};

/* platform_chats.c: a request of the operation, its answer to
 * on_answer; a failure that is not the platform's answer (try again);
 * the end of the operation. */
void chats_call(struct op *o, const char *method, const char *path, cJSON *body);
void chats_fail(struct op *o, const char *why);
void chats_finish(struct op *o);

/* chats_poll.c: page o->page of the chat list (check and changes). */
void chats_list_page(struct op *o);
/* A changes answer: a page of the list, or (step 1) one chat's messages;
 * NULL when that chat is gone since the list showed it. */
void chats_poll_answer(struct op *o, const struct pf_answer *a);

#endif
