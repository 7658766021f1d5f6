/*
 * chats_poll.c — the chats platform's poll (platform_chats.c has the
 * rest): every page of GET /api/v1/chats/details each round (tickets
 * change without a message, and no filter finds them), then GET
 * /api/v1/chat-messages?chatId= of each chat whose latest message moved
 * since the last round. A round tells which chats moved, which ask for a
 * human and which were removed, however the pages shift under it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chats_op.h"

#define PATH_LEN 1024
/* A list that never ends (a server ignoring pageNumber) is not walked forever. */
#define WALK_MAX_PAGES 100000

static bool copy(char *dst, size_t n, const char *v)
{
	return v && (size_t)snprintf(dst, n, "%s", v) < n;
}

static int row_cmp(const void *a, const void *b)
{
	return strcmp(((const struct row *)a)->id, ((const struct row *)b)->id);
}

static const struct row *seen_find(const struct pf_client *c, const char *id)
{
	struct row key;

	snprintf(key.id, sizeof key.id, "%s", id);
	return c->nseen ? bsearch(&key, c->seen, c->nseen, sizeof *c->seen, row_cmp) : NULL;
}

/* A chat of the list -> a row; false for one that is not usable. */
static bool row_of(const struct pf_client *c, const cJSON *j, struct row *out)
{
	const char *ticket = pf_str(j, "ticketStatus"), *responder = pf_str(j, "responderId");

	memset(out, 0, sizeof *out);
	if (!copy(out->id, sizeof out->id, pf_str(j, "id")))
		return false;
	copy(out->last, sizeof out->last, pf_str(j, "lastMessageCreatedAt"));
	copy(out->owner, sizeof out->owner, pf_str(j, "ownerId"));
	out->removed = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "isRemoved"));
	/* An open or pending ticket silences the bot: a human is wanted,
	 * unless one holds the chat already. The ticket tells one
	 * escalation from the next. */
	out->wanting = !out->removed && ticket &&
		       (strcmp(ticket, "open") == 0 || strcmp(ticket, "pending") == 0) &&
		       !(responder && strcmp(responder, c->human_id) == 0);
	if (out->wanting && !copy(out->mark, sizeof out->mark, pf_str(j, "ticketId")))
		snprintf(out->mark, sizeof out->mark, "ticket");
	return true;
}

static bool push_row(struct op *o, const cJSON *j)
{
	struct row *v = pf_grow(o->rows, &o->cap_rows, o->nrows, sizeof *v);

	if (!v)
		return false;
	o->rows = v;
	if (row_of(o->op.c, j, &o->rows[o->nrows]))
		o->nrows++;
	return true;
}

static bool push_found(struct op *o, const char *id, const char *conv, const char *user,
		       const char *text, enum pf_author author, const char *at)
{
	struct found *v = pf_grow(o->found, &o->cap_found, o->nfound, sizeof *v);

	if (!v)
		return false;
	o->found = v;
	struct found *f = &o->found[o->nfound];
	memset(f, 0, sizeof *f);
	f->seq = o->nfound;
	copy(f->at, sizeof f->at, at);
	if (!pf_message_set(&f->m, id, conv, user, text, author))
		return false;
	o->nfound++;
	return true;
}

/* The walk is over: which chats moved, which ask for a human, which were
 * removed. A chat listed twice (an order that shifts pages while they are
 * walked) counts once. */
static bool after_walk(struct op *o)
{
	struct pf_client *c = o->op.c;
	char removed_id[ID_LEN + 16];
	size_t n = 0;

	if (o->nrows)
		qsort(o->rows, o->nrows, sizeof *o->rows, row_cmp);
	for (size_t i = 0; i < o->nrows; i++)
		if (!n || strcmp(o->rows[n - 1].id, o->rows[i].id) != 0)
			o->rows[n++] = o->rows[i];
	o->nrows = n;
	for (size_t i = 0; i < o->nrows; i++) {
		struct row *row = &o->rows[i];
		const struct row *prev = seen_find(c, row->id);
		/* Before the first round since start, the cursor says what was
		 * carried already: the chats with a message at or after it. */
		bool recent = o->cursor && row->last[0] && strcmp(row->last, o->cursor) >= 0;
		if (row->removed) {
			/* Once: the hub learns it, and nothing more comes in. */
			if (prev ? !prev->removed : !c->have_seen && recent) {
				snprintf(removed_id, sizeof removed_id, "removed.%s", row->id);
				if (!push_found(o, removed_id, row->id, "", c->removed_text,
						AUTHOR_BOT, row->last))
					return false;
			}
			continue;
		}
		if (row->wanting &&
		    !pf_result_add_wanting(&o->op.r, &o->cap_wanting, row->id, row->mark))
			return false;
		if (!row->last[0])
			continue;
		if (prev) {
			row->fetch = strcmp(prev->last, row->last) != 0;
			copy(row->since, sizeof row->since, prev->last);
		} else {
			row->fetch = !c->have_seen ? !o->cursor || recent : true;
			if (!c->have_seen && o->cursor)
				copy(row->since, sizeof row->since, o->cursor);
		}
	}
	o->op.r.wanting_complete = true;
	return true;
}

static void fetch_next(struct op *o);

static int found_cmp(const void *a, const void *b)
{
	const struct found *x = a, *y = b;
	int d = strcmp(x->at, y->at);
	return d ? d : x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void changes_done(struct op *o)
{
	struct pf_client *c = o->op.c;

	if (o->nfound)
		qsort(o->found, o->nfound, sizeof *o->found, found_cmp);
	if (o->nfound && !(o->op.r.msgs = calloc(o->nfound, sizeof *o->op.r.msgs))) {
		chats_fail(o, "out of memory");
		return;
	}
	for (size_t i = 0; i < o->nfound; i++)
		o->op.r.msgs[i] = o->found[i].m;
	o->op.r.nmsgs = o->nfound;
	o->nfound = 0;
	/* Everything before the first page was served is read: a message made
	 * later is newer than anything that page showed. */
	const char *cur = o->cursor && strcmp(o->cursor, o->page1_max) > 0 ? o->cursor
										: o->page1_max;
	if (cur[0] && !(o->op.r.cursor = strdup(cur))) {
		chats_fail(o, "out of memory");
		return;
	}
	free(c->seen);
	c->seen = o->rows;
	c->nseen = o->nrows;
	c->have_seen = true;
	o->rows = NULL;
	o->nrows = 0;
	chats_finish(o);
}

void chats_list_page(struct op *o)
{
	char path[PATH_LEN];

	snprintf(path, sizeof path, "/api/v1/chats/details?pageNumber=%ld&pageSize=%ld", o->page,
		 o->op.c->page_size);
	chats_call(o, "GET", path, NULL);
}

static void fetch_next(struct op *o)
{
	char path[PATH_LEN];

	while (o->next_fetch < o->nrows && !o->rows[o->next_fetch].fetch)
		o->next_fetch++;
	if (o->next_fetch == o->nrows) {
		changes_done(o);
		return;
	}
	snprintf(path, sizeof path, "/api/v1/chat-messages?chatId=");
	pf_urlencode(path, sizeof path, o->rows[o->next_fetch].id);
	snprintf(path + strlen(path), sizeof path - strlen(path), "&pagination%%5Blimit%%5D=%ld",
		 o->op.c->messages_limit);
	chats_call(o, "GET", path, NULL);
}

/* One chat's latest messages, oldest first: the new ones are kept. */
static bool take_messages(struct op *o, const cJSON *list)
{
	const struct row *row = &o->rows[o->next_fetch];
	const cJSON *m;

	cJSON_ArrayForEach(m, list) {
		const char *id = pf_str(m, "id"), *role = pf_str(m, "role");
		const char *text = pf_str(m, "content"), *at = pf_str(m, "createdAt");
		if (!id || !at || (row->since[0] && strcmp(at, row->since) < 0))
			continue;
		/* An operator message is a human's through the API: the
		 * bridge's own replies. */
		enum pf_author author = !role ? AUTHOR_BOT
				      : strcmp(role, "user") == 0 ? AUTHOR_CUSTOMER
				      : strcmp(role, "operator") == 0 ? AUTHOR_BRIDGE : AUTHOR_BOT;
		if (!push_found(o, id, row->id, row->owner, text && *text ? text : "[empty message]",
				author, at))
			return false;
	}
	return true;
}

void chats_poll_answer(struct op *o, const struct pf_answer *a)
{
	if (o->op.step == 0) {
		const cJSON *j;
		int n = 0;
		if (!cJSON_IsArray(a->json)) {
			chats_fail(o, "the list is not an array");
			return;
		}
		cJSON_ArrayForEach(j, a->json) {
			const char *last = pf_str(j, "lastMessageCreatedAt");
			if (!push_row(o, j)) {
				chats_fail(o, "out of memory");
				return;
			}
			if (o->page == 1 && last && strcmp(last, o->page1_max) > 0)
				copy(o->page1_max, sizeof o->page1_max, last);
			n++;
		}
		if (n >= o->op.c->page_size && o->page < WALK_MAX_PAGES) {
			o->page++;
			chats_list_page(o);
			return;
		}
		if (n >= o->op.c->page_size) {
			chats_fail(o, "the chat list does not end");
			return;
		}
		if (!after_walk(o)) {
			chats_fail(o, "out of memory");
			return;
		}
		o->op.step = 1;
		fetch_next(o);
		return;
	}
	if (a && !take_messages(o, a->json)) {
		chats_fail(o, "out of memory");
		return;
	}
	o->next_fetch++;
	fetch_next(o);
}
