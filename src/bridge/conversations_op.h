/*
 * conversations_op.h — the conversations platform's client and operation,
 * shared by its calls and writes (platform_conversations.c) and its poll,
 * the walk of the list and of long conversations (conversations_poll.c).
 * Nothing else includes it.
 */
#ifndef HANDOFF_BRIDGE_CONVERSATIONS_OP_H
#define HANDOFF_BRIDGE_CONVERSATIONS_OP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "pf_http.h"
#include "pf_op.h"
#include "platform.h"

#define PATH_LEN 4096
#define PAGE_SIZE "50"             /* the list's largest page */

struct pf_client {
	struct pf_http *http;
	const char *base, *reply_path, *daily_path, *update_method, *agent_email;
	const char *st_waiting, *st_human, *st_bot, *st_done;
	long good_min;                 /* a hub score from here up is "good" */
	long overlap_ms;               /* how far back each poll looks again */
	char *state_db;
	struct bstate *journal;        /* the posts in doubt, opened at the first post */
};

enum op_kind { OP_CHECK, OP_CHANGES, OP_DESCRIBE, OP_POST, OP_UPDATE, OP_META, OP_STOP,
	       OP_DAILY };

/* A chat found by a poll, with what orders it. */
struct found {
	int64_t ts;
	size_t seq;
	struct pf_message m;
};

/* A conversation whose new chats go beyond its latest 20. */
struct walk {
	char *conv_id, *user_id;
};

struct op {
	struct pf_op op;               /* first: the shared part (pf_op.h) */
	char *conv_id, *hub_msg_id, *text;
	/* set_meta's rating */
	int rating;
	char *feedback, *suggested;
	/* changes */
	int64_t since;                 /* -1: everything */
	bool first_page;
	struct found *found;
	size_t nfound, cap_found, cap_wanting;
	struct walk *walks;
	size_t nwalks, cap_walks, walk_at;
	/* chat pages: the page asked, the index of its first chat */
	long page_no;
	size_t chat_index;
	int64_t baseline;              /* post: the chat count before it */
	char *last_bot;                /* set_meta: the newest bot chat seen */
};

/* platform_conversations.c: a request of the operation, its answer to
 * on_answer; and GET {base}/{id}/chats?pageNo=N (100 a page, oldest
 * first), the page asked kept in o->page_no. */
void cv_call(struct op *o, const char *method, const char *path, cJSON *body);
void cv_chats_page(struct op *o, const char *conv_id, long page_no);

/* conversations_poll.c: a changes answer, a page of the list (step 0) or
 * of one conversation's chats (step 1). */
void cv_poll_answer(struct op *o, const struct pf_answer *a);

#endif
