/*
 * conversations_poll.c — the conversations platform's poll
 * (platform_conversations.c has the rest): the list from the cursor less
 * the overlap, cursor page by cursor page, each conversation with its
 * latest 20 chats; a conversation with more new chats than that is walked
 * through its chat pages. What a round found is handed over oldest first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conversations_op.h"

/* A chat -> a found message; the bridge's own (sender AGENT) are marked so. */
static bool take_chat(struct op *o, const cJSON *ch, const char *conv_id, const char *user_id)
{
	const char *id = pf_str(ch, "id"), *sender = pf_str(ch, "sender");
	const char *text = pf_str(ch, "message");
	int64_t ts = pf_int(ch, "timestamp", 0);

	if (!id || !sender || ts < o->since)
		return true;
	struct found *v = pf_grow(o->found, &o->cap_found, o->nfound, sizeof *v);
	if (!v)
		return false;
	o->found = v;
	struct found *f = &o->found[o->nfound];
	enum pf_author author = strcmp(sender, "USER") == 0    ? AUTHOR_CUSTOMER
			      : strcmp(sender, "AGENT") == 0 ? AUTHOR_BRIDGE
							     : AUTHOR_BOT;
	f->ts = ts;
	f->seq = o->nfound;
	if (!pf_message_set(&f->m, id, conv_id, user_id, text && *text ? text : "[empty message]",
			    author))
		return false;
	o->nfound++;
	return true;
}

/* One escalation from the next: the conversation as it was then. */
static bool push_wanting(struct op *o, const cJSON *conv)
{
	char mark[64];

	snprintf(mark, sizeof mark, "%lld.%lld", (long long)pf_int(conv, "lastChatTime", 0),
		 (long long)pf_int(conv, "chatCount", 0));
	return pf_result_add_wanting(&o->op.r, &o->cap_wanting, pf_str(conv, "id"), mark);
}

static bool push_walk(struct op *o, const char *conv_id, const char *user_id)
{
	struct walk *v = pf_grow(o->walks, &o->cap_walks, o->nwalks, sizeof *v);

	if (!v)
		return false;
	o->walks = v;
	struct walk *w = &o->walks[o->nwalks];
	w->conv_id = strdup(conv_id);
	w->user_id = strdup(user_id ? user_id : "");
	if (!w->conv_id || !w->user_id) {
		free(w->conv_id);
		free(w->user_id);
		return false;
	}
	o->nwalks++;
	return true;
}

/* One conversation of the list: its new chats, or a walk when the latest
 * 20 do not reach back to where the last poll was. */
static bool take_conversation(struct op *o, const cJSON *conv)
{
	const char *id = pf_str(conv, "id"), *state = pf_str(conv, "state");
	const char *user = pf_str(cJSON_GetObjectItemCaseSensitive(conv, "user"), "userId");
	const cJSON *chats = cJSON_GetObjectItemCaseSensitive(conv, "chats"), *ch;
	int n = cJSON_GetArraySize(chats);

	if (!id)
		return true;
	if (state && strcmp(state, o->op.c->st_waiting) == 0 && !push_wanting(o, conv))
		return false;
	if (pf_int(conv, "chatCount", 0) > n &&
	    (o->since < 0 || (n && pf_int(cJSON_GetArrayItem(chats, 0), "timestamp", 0) >= o->since)))
		return push_walk(o, id, user);
	cJSON_ArrayForEach(ch, chats)
		if (!take_chat(o, ch, id, user))
			return false;
	return true;
}

static int by_time(const void *a, const void *b)
{
	const struct found *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void changes_done(struct op *o)
{
	if (o->nfound)
		qsort(o->found, o->nfound, sizeof *o->found, by_time);
	if (o->nfound && !(o->op.r.msgs = calloc(o->nfound, sizeof *o->op.r.msgs))) {
		pf_op_fail(&o->op, PF_RETRY, "poll: out of memory");
		return;
	}
	for (size_t i = 0; i < o->nfound; i++)
		o->op.r.msgs[i] = o->found[i].m;
	o->op.r.nmsgs = o->nfound;
	o->nfound = 0;
	pf_op_finish(&o->op);
}


/* The next conversation to walk, or the end of the round. */
static void next_walk(struct op *o)
{
	if (o->walk_at == o->nwalks) {
		changes_done(o);
		return;
	}
	o->op.step = 1;
	cv_chats_page(o, o->walks[o->walk_at].conv_id, 1);
}

void cv_poll_answer(struct op *o, const struct pf_answer *a)
{
	char path[PATH_LEN];

	if (o->op.step == 0) { /* a page of the list */
		const cJSON *conv, *list = cJSON_GetObjectItemCaseSensitive(a->json, "conversations");
		const char *next = pf_str(a->json, "cursor");
		/* The cursor: the newest last chat time when the walk began (the
		 * first page is the list as it was then, newest first); any chat
		 * after it is at least that recent, so the next round finds it. */
		if (o->first_page && cJSON_GetArraySize(list) > 0) {
			char t[24];
			snprintf(t, sizeof t, "%lld",
				 (long long)pf_int(cJSON_GetArrayItem(list, 0), "lastChatTime", 0));
			free(o->op.r.cursor);
			o->op.r.cursor = strdup(t);
		}
		o->first_page = false;
		cJSON_ArrayForEach(conv, list)
			if (!take_conversation(o, conv)) {
				pf_op_fail(&o->op, PF_RETRY, "poll: out of memory");
				return;
			}
		if (next) {
			snprintf(path, sizeof path, "%s?pageSize=" PAGE_SIZE "&cursor=", o->op.c->base);
			pf_urlencode(path, sizeof path, next);
			cv_call(o, "GET", path, NULL);
			return;
		}
		next_walk(o);
		return;
	}
	/* A page of one conversation's chats, oldest first. */
	const struct walk *w = &o->walks[o->walk_at];
	const cJSON *ch;
	cJSON_ArrayForEach(ch, cJSON_GetObjectItemCaseSensitive(a->json, "chats"))
		if (!take_chat(o, ch, w->conv_id, w->user_id)) {
			pf_op_fail(&o->op, PF_RETRY, "poll: out of memory");
			return;
		}
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a->json, "hasNext"))) {
		cv_chats_page(o, w->conv_id, o->page_no + 1);
		return;
	}
	o->walk_at++;
	next_walk(o);
}
