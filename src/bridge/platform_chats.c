/*
 * platform_chats.c — a workspace's chats with responders and tickets as a
 * bridge platform (platform.h): the API key in `authorization` on every
 * request, JSON bodies, lists as bare arrays paged by pageNumber (from 1)
 * and pageSize (a shorter page is the last), errors as {"message"}.
 * doc/bridges.md has the mapping and every choice made where the API
 * documentation is silent.
 *
 *   changes    GET /api/v1/chats/details, every page (each round: tickets
 *              change without a message, and no filter finds them), then
 *              GET /api/v1/chat-messages?chatId= of each chat whose latest
 *              message moved
 *   describe   GET /api/v1/chats/{id}/details
 *   post       POST /api/v1/chat-messages, Idempotency-Key: the hub message id
 *   set_holder PATCH /api/v1/chats/{id} responderSuperIdentityId (human, or
 *              the bot with the ticket closed)
 *   set_meta   PATCH /api/v1/chats/{id} title, ticketStatus
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge_config.h"
#include "pf_http.h"
#include "pf_op.h"
#include "platform.h"

#define PATH_LEN 1024
#define ID_LEN 64           /* the doc's ids are UUIDs (36) */
#define TS_LEN 40
/* A list that never ends (a server ignoring pageNumber) is not walked forever. */
#define WALK_MAX_PAGES 100000

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

static const struct bridge_key chats_keys[] = {
	{"token_file", NULL, true},
	{"bot_responder", NULL, false},
	{"human_responder", NULL, false},
	{"human_responder_id", NULL, false},
	{"page_size", "100", false},
	{"messages_limit", "250", false},
	{"removed_text", "The chat was removed on the platform.", false},
	{"idempotency_header", "Idempotency-Key", false},
	{NULL, NULL, false},
};

/* The doc's channel types are the hub's. */
static const char *const channel_types[] = {"widget", "waha", "whatsapp", "instagram", "api"};

/* The hub's ticket statuses -> the platform's (which has no "solved"). */
static const struct {
	const char *hub, *platform;
} statuses[] = {
	{"open", "open"},
	{"pending", "pending"},
	{"solved", "closed"},
	{"closed", "closed"},
};

static void step(void *op);
static void on_answer(void *ctx, const struct pf_answer *a);
static void on_reaper(uv_timer_t *t);

/* ---- helpers ---------------------------------------------------------------- */

static const char *str_of(const cJSON *j, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool copy(char *dst, size_t n, const char *v)
{
	return v && (size_t)snprintf(dst, n, "%s", v) < n;
}

static void op_free(void *op)
{
	struct op *o = op;

	pf_result_free(&o->op.r);
	for (size_t i = 0; i < o->nfound; i++)
		pf_message_free(&o->found[i].m);
	free(o->found);
	free(o->rows);
	free(o->cursor);
	free(o->conv_id);
	free(o->customer_id);
	free(o->hub_msg_id);
	free(o->text);
	free(o->title);
	free(o->status);
	free(o);
}

static void finish(struct op *o)
{
	if (o->ph) {
		o->ph->done = true;
		if (!o->op.c->closing)
			uv_timer_start(o->op.c->reaper, on_reaper, 0, 0);
	}
	pf_op_finish(&o->op);
}

static const char *const op_names[] = {
	[OP_CHECK] = "list chats", [OP_CHANGES] = "poll", [OP_DESCRIBE] = "read chat",
	[OP_POST] = "post message", [OP_HOLDER] = "set responder", [OP_META] = "update chat",
};

/* Something other than the platform's answer went wrong: try again later. */
static void fail(struct op *o, const char *why)
{
	o->op.r.status = PF_RETRY;
	snprintf(o->op.r.text, sizeof o->op.r.text, "%s: %.200s", op_names[o->op.kind], why);
	finish(o);
}

/* The platform's sentence for a failed answer, with what to check. */
static void failed(struct op *o, const struct pf_answer *a)
{
	char why[400];
	const char *msg = a->json ? str_of(a->json, "message") : NULL;
	const char *hint = a->status == 401 ? " (check token_file)"
			 : a->status == 404 && msg && strstr(msg, "responder")
			     ? " (check bot_responder and human_responder)" : "";

	snprintf(why, sizeof why, "%s%s", msg ? msg : "no error body", hint);
	pf_http_failed(a, op_names[o->op.kind], why, &o->op.r);
	finish(o);
}

static void call_on(struct op *o, struct pf_http *h, const char *method, const char *path,
		    cJSON *body)
{
	struct errbuf why;

	if (!pf_http_call(h, method, path, body, on_answer, o, &why))
		fail(o, why.msg);
}

static void call(struct op *o, const char *method, const char *path, cJSON *body)
{
	call_on(o, o->op.c->http, method, path, body);
}

static struct op *op_new(struct pf_client *c, enum op_kind kind, pf_done_fn *done, void *ctx,
			 struct errbuf *err)
{
	return pf_op_new(sizeof(struct op), c, (int)kind, done, ctx, op_free, err);
}

static bool start(struct op *o, struct errbuf *err)
{
	return pf_op_start(o, step, err);
}

/* "/api/v1/chats/<id><tail>" */
static void chat_path(char *out, size_t n, const char *id, const char *tail)
{
	snprintf(out, n, "/api/v1/chats/");
	pf_urlencode(out, n, id);
	strncat(out, tail, n - strlen(out) - 1);
}

/* ---- changes: the walk ------------------------------------------------------------ */

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
	const char *ticket = str_of(j, "ticketStatus"), *responder = str_of(j, "responderId");

	memset(out, 0, sizeof *out);
	if (!copy(out->id, sizeof out->id, str_of(j, "id")))
		return false;
	copy(out->last, sizeof out->last, str_of(j, "lastMessageCreatedAt"));
	copy(out->owner, sizeof out->owner, str_of(j, "ownerId"));
	out->removed = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "isRemoved"));
	/* An open or pending ticket silences the bot: a human is wanted,
	 * unless one holds the chat already. The ticket tells one
	 * escalation from the next. */
	out->wanting = !out->removed && ticket &&
		       (strcmp(ticket, "open") == 0 || strcmp(ticket, "pending") == 0) &&
		       !(responder && strcmp(responder, c->human_id) == 0);
	if (out->wanting && !copy(out->mark, sizeof out->mark, str_of(j, "ticketId")))
		snprintf(out->mark, sizeof out->mark, "ticket");
	return true;
}

static bool push_row(struct op *o, const cJSON *j)
{
	if (o->nrows == o->cap_rows) {
		size_t cap = o->cap_rows ? o->cap_rows * 2 : 64;
		struct row *v = realloc(o->rows, cap * sizeof *v);
		if (!v)
			return false;
		o->rows = v;
		o->cap_rows = cap;
	}
	if (row_of(o->op.c, j, &o->rows[o->nrows]))
		o->nrows++;
	return true;
}

static bool push_found(struct op *o, const char *id, const char *conv, const char *user,
		       const char *text, enum pf_author author, const char *at)
{
	if (o->nfound == o->cap_found) {
		size_t cap = o->cap_found ? o->cap_found * 2 : 32;
		struct found *v = realloc(o->found, cap * sizeof *v);
		if (!v)
			return false;
		o->found = v;
		o->cap_found = cap;
	}
	struct found *f = &o->found[o->nfound];
	memset(f, 0, sizeof *f);
	f->m.author = author;
	f->seq = o->nfound;
	copy(f->at, sizeof f->at, at);
	if (!(f->m.id = strdup(id)) || !(f->m.conv_id = strdup(conv)) ||
	    !(f->m.user_id = strdup(user)) || !(f->m.text = strdup(text))) {
		pf_message_free(&f->m);
		return false;
	}
	o->nfound++;
	return true;
}

static bool push_wanting(struct op *o, const struct row *row)
{
	struct pf_result *r = &o->op.r;

	if (r->nwanting == o->cap_wanting) {
		size_t n = o->cap_wanting ? o->cap_wanting * 2 : 8;
		struct pf_wanting *v = realloc(r->wanting, n * sizeof *v);
		if (!v)
			return false;
		r->wanting = v;
		o->cap_wanting = n;
	}
	struct pf_wanting *w = &r->wanting[r->nwanting];
	if (!(w->conv_id = strdup(row->id)) || !(w->mark = strdup(row->mark))) {
		free(w->conv_id);
		return false;
	}
	r->nwanting++;
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
		if (row->wanting && !push_wanting(o, row))
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
		fail(o, "out of memory");
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
		fail(o, "out of memory");
		return;
	}
	free(c->seen);
	c->seen = o->rows;
	c->nseen = o->nrows;
	c->have_seen = true;
	o->rows = NULL;
	o->nrows = 0;
	finish(o);
}

static void list_page(struct op *o)
{
	char path[PATH_LEN];

	snprintf(path, sizeof path, "/api/v1/chats/details?pageNumber=%ld&pageSize=%ld", o->page,
		 o->op.c->page_size);
	call(o, "GET", path, NULL);
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
	call(o, "GET", path, NULL);
}

/* One chat's latest messages, oldest first: the new ones are kept. */
static bool take_messages(struct op *o, const cJSON *list)
{
	const struct row *row = &o->rows[o->next_fetch];
	const cJSON *m;

	cJSON_ArrayForEach(m, list) {
		const char *id = str_of(m, "id"), *role = str_of(m, "role");
		const char *text = str_of(m, "content"), *at = str_of(m, "createdAt");
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

static void on_changes(struct op *o, const struct pf_answer *a)
{
	if (o->op.step == 0) {
		const cJSON *j;
		int n = 0;
		if (!cJSON_IsArray(a->json)) {
			fail(o, "the list is not an array");
			return;
		}
		cJSON_ArrayForEach(j, a->json) {
			const char *last = str_of(j, "lastMessageCreatedAt");
			if (!push_row(o, j)) {
				fail(o, "out of memory");
				return;
			}
			if (o->page == 1 && last && strcmp(last, o->page1_max) > 0)
				copy(o->page1_max, sizeof o->page1_max, last);
			n++;
		}
		if (n >= o->op.c->page_size && o->page < WALK_MAX_PAGES) {
			o->page++;
			list_page(o);
			return;
		}
		if (n >= o->op.c->page_size) {
			fail(o, "the chat list does not end");
			return;
		}
		if (!after_walk(o)) {
			fail(o, "out of memory");
			return;
		}
		o->op.step = 1;
		fetch_next(o);
		return;
	}
	if (a && !take_messages(o, a->json)) {
		fail(o, "out of memory");
		return;
	}
	o->next_fetch++;
	fetch_next(o);
}

/* ---- the other operations ----------------------------------------------------------- */

static void on_describe(struct op *o, const struct pf_answer *a)
{
	const char *type = str_of(a->json, "channelType"), *name = str_of(a->json, "channelName");
	const char *owner = str_of(a->json, "ownerName");
	const char *hub_type = "api";

	for (size_t i = 0; type && i < sizeof channel_types / sizeof *channel_types; i++)
		if (strcmp(type, channel_types[i]) == 0)
			hub_type = channel_types[i];
	o->op.r.channel_type = strdup(hub_type);
	o->op.r.channel_name = name && *name ? strdup(name) : NULL;
	if (o->customer_id && owner && *owner)
		o->op.r.customer_name = strdup(owner);
	finish(o);
}

static void patch(struct op *o, cJSON *b)
{
	char path[PATH_LEN];

	chat_path(path, sizeof path, o->conv_id, "");
	call(o, "PATCH", path, b);
}

/* Hand back: the bot again, and the ticket closed (an open or pending one
 * keeps the bot silent; closing a chat without a ticket is invalid). */
static void holder_patch(struct op *o, const cJSON *chat)
{
	const char *ticket = str_of(chat, "ticketStatus");
	cJSON *b = cJSON_CreateObject();

	o->op.step = 1;
	if (!b || !cJSON_AddStringToObject(b, "responderSuperIdentityId",
					   o->holder == PF_HOLDER_HUMAN ? o->op.c->human_responder
									 : o->op.c->bot_responder) ||
	    (o->holder == PF_HOLDER_BOT && ticket && strcmp(ticket, "closed") != 0 &&
	     !cJSON_AddStringToObject(b, "ticketStatus", "closed"))) {
		cJSON_Delete(b);
		fail(o, "out of memory");
		return;
	}
	patch(o, b);
}

/* What of the hub's title and ticket status the platform does not show
 * yet. An open or pending ticket silences the bot, so one is opened or
 * reopened only while the human responder holds the chat: elsewhere it
 * would be an escalation the agent never made (after a hand back, say).
 * A chat without a ticket gets one with "open" (the only status that
 * opens one); "pending" then takes a second PATCH (step 2). */
static void meta_patch(struct op *o, const cJSON *chat)
{
	const char *title = str_of(chat, "title"), *ticket = str_of(chat, "ticketStatus");
	const char *responder = str_of(chat, "responderId");
	bool human = responder && strcmp(responder, o->op.c->human_id) == 0;
	const char *want = o->status;
	cJSON *b = cJSON_CreateObject();
	bool ok = b != NULL;

	o->op.step = 1;
	if (want && ticket && strcmp(want, ticket) == 0)
		want = NULL;
	if (want && strcmp(want, "closed") != 0 && !human)
		want = NULL;
	if (want && !ticket && strcmp(want, "closed") == 0)
		want = NULL;
	if (want && !ticket && strcmp(want, "open") != 0) {
		o->op.step = 2; /* "pending" once "open" made the ticket */
		want = "open";
	}
	if (ok && want)
		ok = cJSON_AddStringToObject(b, "ticketStatus", want) != NULL;
	bool same_title = o->title ? title && strcmp(o->title, title) == 0 : !title;
	if (ok && !same_title)
		ok = o->title ? cJSON_AddStringToObject(b, "title", o->title) != NULL
			      : cJSON_AddNullToObject(b, "title") != NULL;
	if (!ok) {
		cJSON_Delete(b);
		fail(o, "out of memory");
		return;
	}
	if (!cJSON_GetArraySize(b)) { /* nothing to change: an empty PATCH is invalid */
		cJSON_Delete(b);
		finish(o);
		return;
	}
	patch(o, b);
}

static void on_meta(struct op *o, const struct pf_answer *a)
{
	cJSON *b;

	if (o->op.step == 0) {
		meta_patch(o, a->json);
		return;
	}
	if (o->op.step == 2) {
		o->op.step = 3;
		if (!(b = cJSON_CreateObject()) ||
		    !cJSON_AddStringToObject(b, "ticketStatus", o->status)) {
			cJSON_Delete(b);
			fail(o, "out of memory");
			return;
		}
		patch(o, b);
		return;
	}
	finish(o);
}

static void on_check(struct op *o, const struct pf_answer *a)
{
	int n = cJSON_GetArraySize(a->json);
	char line[200];

	snprintf(line, sizeof line, "workspace: %d chat%s on the first page%s", n,
		 n == 1 ? "" : "s", n >= o->op.c->page_size ? " (more pages)" : "");
	o->op.r.summary = strdup(line);
	finish(o);
}

static void on_answer(void *ctx, const struct pf_answer *a)
{
	struct op *o = ctx;

	if (a->error || a->status < 200 || a->status >= 300) {
		/* A chat gone between the list and its messages is read next
		 * round, if it is still there. */
		if (o->op.kind == OP_CHANGES && o->op.step == 1 && a->status == 404) {
			on_changes(o, NULL);
			return;
		}
		failed(o, a);
		return;
	}
	if (!a->json) {
		fail(o, "the answer is not JSON");
		return;
	}
	switch (o->op.kind) {
	case OP_CHECK:
		on_check(o, a);
		return;
	case OP_CHANGES:
		on_changes(o, a);
		return;
	case OP_DESCRIBE:
		on_describe(o, a);
		return;
	case OP_HOLDER:
		if (o->op.step == 0)
			holder_patch(o, a->json);
		else
			finish(o);
		return;
	case OP_META:
		on_meta(o, a);
		return;
	case OP_POST:
		finish(o);
		return;
	}
}

/* The first request of each operation. */
static void step(void *op)
{
	struct op *o = op;
	char path[PATH_LEN];
	cJSON *b;

	switch (o->op.kind) {
	case OP_CHECK:
	case OP_CHANGES:
		o->page = 1;
		list_page(o);
		return;
	case OP_DESCRIBE:
	case OP_META:
		chat_path(path, sizeof path, o->conv_id, "/details");
		call(o, "GET", path, NULL);
		return;
	case OP_HOLDER:
		if (o->holder == PF_HOLDER_HUMAN) {
			holder_patch(o, NULL);
			return;
		}
		chat_path(path, sizeof path, o->conv_id, "/details");
		call(o, "GET", path, NULL);
		return;
	case OP_POST:
		if (!(b = cJSON_CreateObject()) ||
		    !cJSON_AddStringToObject(b, "chatId", o->conv_id) ||
		    !cJSON_AddStringToObject(b, "content", o->text) ||
		    !cJSON_AddStringToObject(b, "role", "operator")) {
			cJSON_Delete(b);
			fail(o, "out of memory");
			return;
		}
		call_on(o, o->ph->http, "POST", "/api/v1/chat-messages", b);
		return;
	}
}

/* ---- the table's functions ------------------------------------------------------ */

/* Posts' clients whose answer came: freed here, outside their callbacks. */
static void on_reaper(uv_timer_t *t)
{
	struct pf_client *c = t->data;

	for (struct post_http **p = &c->posts; *p;) {
		struct post_http *ph = *p;
		if (!ph->done) {
			p = &ph->next;
			continue;
		}
		*p = ph->next;
		pf_http_free(ph->http);
		free(ph);
	}
}

static bool number_key(const struct bridge_config *cfg, const char *name, long max, long *out,
		       struct errbuf *err)
{
	char *end;

	*out = strtol(bridge_config_get(cfg, name), &end, 10);
	if (*end || *out < 1 || *out > max)
		return errbuf_set(err, "%s: a number from 1 to %ld", name, max);
	return true;
}

static void free_handle(uv_handle_t *h)
{
	free(h);
}

static void chats_close(struct pf_client *c);

static struct pf_client *chats_open(uv_loop_t *loop, const struct bridge_config *cfg,
				    struct errbuf *err)
{
	struct pf_client *c = calloc(1, sizeof *c);

	if (!c || !(c->reaper = malloc(sizeof *c->reaper))) {
		free(c);
		errbuf_set(err, "out of memory");
		return NULL;
	}
	c->loop = loop;
	c->cfg = cfg;
	uv_timer_init(loop, c->reaper);
	c->reaper->data = c;
	c->bot_responder = bridge_config_get(cfg, "bot_responder");
	c->human_responder = bridge_config_get(cfg, "human_responder");
	c->human_id = bridge_config_get(cfg, "human_responder_id");
	c->removed_text = bridge_config_get(cfg, "removed_text");
	if (!number_key(cfg, "page_size", 100, &c->page_size, err) ||
	    !number_key(cfg, "messages_limit", 1000, &c->messages_limit, err) ||
	    !(c->http = pf_http_new(loop, cfg->platform_url, bridge_config_get(cfg, "token_file"),
				    NULL, cfg->request_timeout_ms, err))) {
		chats_close(c);
		return NULL;
	}
	return c;
}

static void chats_close(struct pf_client *c)
{
	if (!c)
		return;
	c->closing = true;
	pf_http_free(c->http);
	while (c->posts) {
		struct post_http *ph = c->posts;
		pf_http_free(ph->http); /* its callback runs now, "cancelled" */
		c->posts = ph->next;
		free(ph);
	}
	uv_close((uv_handle_t *)c->reaper, free_handle);
	free(c->seen);
	free(c);
}

static bool chats_check(struct pf_client *c, pf_done_fn *done, void *ctx, struct errbuf *err)
{
	return start(op_new(c, OP_CHECK, done, ctx, err), err);
}

static bool chats_changes(struct pf_client *c, const char *cursor, pf_done_fn *done, void *ctx,
			  struct errbuf *err)
{
	struct op *o = op_new(c, OP_CHANGES, done, ctx, err);

	if (o && !pf_dup_into(&o->cursor, cursor))
		o->op.r.status = PF_REFUSED;
	return start(o, err);
}

static bool chats_describe(struct pf_client *c, const char *conv_id, const char *customer_id,
			   pf_done_fn *done, void *ctx, struct errbuf *err)
{
	struct op *o = op_new(c, OP_DESCRIBE, done, ctx, err);

	if (o && (!pf_dup_into(&o->conv_id, conv_id) || !pf_dup_into(&o->customer_id, customer_id)))
		o->op.r.status = PF_REFUSED;
	return start(o, err);
}

/* The hub message id goes in the idempotency_header: the same reply again
 * answers the first message instead of posting a second. The agent's name
 * has no place on the platform (an operator message has no author). */
static bool chats_post(struct pf_client *c, const char *conv_id, const char *agent_id,
		       const char *agent_name, const char *hub_msg_id, const char *text,
		       pf_done_fn *done, void *ctx, struct errbuf *err)
{
	const char *name = bridge_config_get(c->cfg, "idempotency_header");
	char key[ID_LEN + 80];
	struct op *o;
	struct post_http *ph;

	(void)agent_id;
	(void)agent_name;
	if ((size_t)snprintf(key, sizeof key, "%s: %s", name, hub_msg_id) >= sizeof key ||
	    strpbrk(key, "\r\n"))
		return errbuf_set(err, "idempotency_header and the hub message id make no header");
	const char *headers[] = {key, NULL};
	if (!(o = op_new(c, OP_POST, done, ctx, err)))
		return false;
	if (!(ph = calloc(1, sizeof *ph))) {
		op_free(o);
		return errbuf_set(err, "out of memory");
	}
	ph->http = pf_http_new(c->loop, c->cfg->platform_url, bridge_config_get(c->cfg, "token_file"),
			       headers, c->cfg->request_timeout_ms, err);
	if (!ph->http) {
		free(ph);
		op_free(o);
		return false;
	}
	ph->next = c->posts;
	c->posts = ph;
	o->ph = ph;
	if (!pf_dup_into(&o->conv_id, conv_id) || !pf_dup_into(&o->hub_msg_id, hub_msg_id) ||
	    !pf_dup_into(&o->text, text))
		o->op.r.status = PF_REFUSED;
	if (o->op.r.status != PF_OK) {
		ph->done = true;
		uv_timer_start(c->reaper, on_reaper, 0, 0);
	}
	return start(o, err);
}

static bool chats_set_holder(struct pf_client *c, const char *conv_id, enum pf_holder h,
			     pf_done_fn *done, void *ctx, struct errbuf *err)
{
	struct op *o = op_new(c, OP_HOLDER, done, ctx, err);

	if (o) {
		o->holder = h;
		if (!pf_dup_into(&o->conv_id, conv_id))
			o->op.r.status = PF_REFUSED;
	}
	return start(o, err);
}

static bool chats_set_meta(struct pf_client *c, const char *conv_id, const struct pf_meta *m,
			   pf_done_fn *done, void *ctx, struct errbuf *err)
{
	struct op *o = op_new(c, OP_META, done, ctx, err);
	const char *status = NULL;

	for (size_t i = 0; m->status && i < sizeof statuses / sizeof *statuses; i++)
		if (strcmp(m->status, statuses[i].hub) == 0)
			status = statuses[i].platform;
	if (o && (!pf_dup_into(&o->conv_id, conv_id) || !pf_dup_into(&o->title, m->title) ||
		  !pf_dup_into(&o->status, status)))
		o->op.r.status = PF_REFUSED;
	return start(o, err);
}

/* The platform pushes nothing (doc/bridges.md): a delivery is not one of its. */
static bool chats_parse_webhook(struct pf_client *c, const char *body, size_t len,
				struct pf_result *out, struct errbuf *err)
{
	(void)c, (void)body, (void)len, (void)out;
	return errbuf_set(err, "the chats platform sends no webhooks");
}

const struct bridge_platform platform_chats = {
	.name = "chats",
	.keys = chats_keys,
	.webhook_signature_header = "x-chats-signature",
	.open = chats_open,
	.close = chats_close,
	.check = chats_check,
	.changes = chats_changes,
	.describe = chats_describe,
	.post = chats_post,
	.set_holder = chats_set_holder,
	.set_meta = chats_set_meta,
	.parse_webhook = chats_parse_webhook,
};
