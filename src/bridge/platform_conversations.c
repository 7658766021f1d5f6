/*
 * platform_conversations.c — a Conversations API (conversations of an LLM
 * app, each with its chats, a state, an assignee, a title and per-chat
 * ratings) as a bridge platform (platform.h). The key goes in its own
 * header (`API-KEY`), the acting agent in `AGENT-EMAIL`; times are ms since
 * the epoch; errors are {"type", "code", "message"}. doc/bridges.md has
 * the mapping and every choice made where the documentation is silent
 * (paths, the state values, the agent's write call), each a setting.
 *
 *   changes    GET {base}?startedAt=<cursor - overlap> (cursor pages), the
 *              latest 20 chats of each conversation, and GET
 *              {base}/{id}/chats?pageNo=N (100 a page, oldest first) for a
 *              conversation with more new chats than that
 *   describe   GET {base}/{id}
 *   post       GET {base}/{id} (the chat count before it), then POST
 *              {base}/{id}{reply_path}; no idempotency key, so the count
 *              is journalled first and an attempt that may have landed is
 *              looked for before it is made again
 *   set_holder PATCH {base}/{id} {state, assignee}
 *   set_meta   PATCH {base}/{id} {title}; POST
 *              {base}/{id}/chats/{chatId}/feedback on the latest bot chat
 *   stop       PATCH {base}/{id} {state: resolved}, POST {base}/{id}/stop
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge_config.h"
#include "bridge_state.h"
#include "log.h"
#include "pf_http.h"
#include "pf_op.h"
#include "platform.h"

#define PATH_LEN 4096
#define PAGE_SIZE "50"             /* the list's largest page */
#define JOURNAL_PREFIX "conversations.post."

struct pf_client {
	struct pf_http *http;
	const char *base, *reply_path, *update_method, *agent_email;
	const char *st_waiting, *st_human, *st_bot, *st_done;
	long good_min;                 /* a hub score from here up is "good" */
	long overlap_ms;               /* how far back each poll looks again */
	char *state_db;
	struct bstate *journal;        /* the posts in doubt, opened at the first post */
};

enum op_kind { OP_CHECK, OP_CHANGES, OP_DESCRIBE, OP_POST, OP_UPDATE, OP_META, OP_STOP };

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

static const struct bridge_key conversations_keys[] = {
	{"token_file", NULL, true},
	{"agent_email", NULL, false},
	{"conversations_path", "/webapi/v2/conversations", false},
	{"reply_path", "/chats", false},
	{"update_method", "PATCH", false},
	{"state_waiting", "waiting", false},
	{"state_human", "in_progress", false},
	{"state_bot", "no", false},
	{"state_done", "resolved", false},
	{"rating_good_min", "4", false},
	{"poll_overlap_ms", "5000", false},
	{"api_key_header", "API-KEY", false},
	{"agent_email_header", "AGENT-EMAIL", false},
	{NULL, NULL, false},
};

static void on_answer(void *ctx, const struct pf_answer *a);

/* ---- helpers ---------------------------------------------------------------- */

static const char *str_of(const cJSON *j, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int64_t num_of(const cJSON *j, const char *name, int64_t def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);
	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : def;
}

static void op_free(void *op)
{
	struct op *o = op;

	pf_result_free(&o->op.r);
	for (size_t i = 0; i < o->nfound; i++)
		pf_message_free(&o->found[i].m);
	free(o->found);
	for (size_t i = 0; i < o->nwalks; i++) {
		free(o->walks[i].conv_id);
		free(o->walks[i].user_id);
	}
	free(o->walks);
	free(o->conv_id);
	free(o->hub_msg_id);
	free(o->text);
	free(o->feedback);
	free(o->suggested);
	free(o->last_bot);
	free(o);
}

static void finish(struct op *o)
{
	pf_op_finish(&o->op);
}

static void call(struct op *o, const char *method, const char *path, cJSON *body)
{
	pf_op_call(&o->op, o->op.c->http, method, path, body, on_answer);
}

/* "{base}/{id}{tail}", the id percent-encoded. */
static void conv_path(char *out, size_t n, const struct pf_client *c, const char *id,
		      const char *tail)
{
	snprintf(out, n, "%s/", c->base);
	pf_urlencode(out, n, id);
	strncat(out, tail, n - strlen(out) - 1);
}

static struct op *op_new(struct pf_client *c, enum op_kind kind, const char *conv_id,
			 pf_done_fn *done, void *ctx, struct errbuf *err)
{
	struct op *o = pf_op_new(sizeof(struct op), c, (int)kind, done, ctx, op_free, err);

	if (!o)
		return NULL;
	if (!pf_dup_into(&o->conv_id, conv_id)) {
		op_free(o);
		errbuf_set(err, "out of memory");
		return NULL;
	}
	o->since = -1;
	return o;
}

/* ---- changes ----------------------------------------------------------------- */

/* A chat -> a found message; the bridge's own (sender AGENT) are marked so. */
static bool take_chat(struct op *o, const cJSON *ch, const char *conv_id, const char *user_id)
{
	const char *id = str_of(ch, "id"), *sender = str_of(ch, "sender");
	const char *text = str_of(ch, "message");
	int64_t ts = num_of(ch, "timestamp", 0);

	if (!id || !sender || ts < o->since)
		return true;
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
	f->ts = ts;
	f->seq = o->nfound;
	f->m.author = strcmp(sender, "USER") == 0    ? AUTHOR_CUSTOMER
		    : strcmp(sender, "AGENT") == 0 ? AUTHOR_BRIDGE
						   : AUTHOR_BOT;
	if (!(f->m.id = strdup(id)) || !(f->m.conv_id = strdup(conv_id)) ||
	    !(f->m.user_id = strdup(user_id ? user_id : "")) ||
	    !(f->m.text = strdup(text && *text ? text : "[empty message]"))) {
		pf_message_free(&f->m);
		return false;
	}
	o->nfound++;
	return true;
}

static bool push_wanting(struct op *o, const cJSON *conv)
{
	const char *id = str_of(conv, "id");
	char mark[64];

	if (o->op.r.nwanting == o->cap_wanting) {
		size_t n = o->cap_wanting ? o->cap_wanting * 2 : 8;
		struct pf_wanting *v = realloc(o->op.r.wanting, n * sizeof *v);
		if (!v)
			return false;
		o->op.r.wanting = v;
		o->cap_wanting = n;
	}
	/* One escalation from the next: the conversation as it was then. */
	snprintf(mark, sizeof mark, "%lld.%lld", (long long)num_of(conv, "lastChatTime", 0),
		 (long long)num_of(conv, "chatCount", 0));
	struct pf_wanting *w = &o->op.r.wanting[o->op.r.nwanting];
	if (!(w->conv_id = strdup(id)) || !(w->mark = strdup(mark))) {
		free(w->conv_id);
		free(w->mark);
		return false;
	}
	o->op.r.nwanting++;
	return true;
}

static bool push_walk(struct op *o, const char *conv_id, const char *user_id)
{
	if (o->nwalks == o->cap_walks) {
		size_t n = o->cap_walks ? o->cap_walks * 2 : 8;
		struct walk *v = realloc(o->walks, n * sizeof *v);
		if (!v)
			return false;
		o->walks = v;
		o->cap_walks = n;
	}
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
	const char *id = str_of(conv, "id"), *state = str_of(conv, "state");
	const char *user = str_of(cJSON_GetObjectItemCaseSensitive(conv, "user"), "userId");
	const cJSON *chats = cJSON_GetObjectItemCaseSensitive(conv, "chats"), *ch;
	int n = cJSON_GetArraySize(chats);

	if (!id)
		return true;
	if (state && strcmp(state, o->op.c->st_waiting) == 0 && !push_wanting(o, conv))
		return false;
	if (num_of(conv, "chatCount", 0) > n &&
	    (o->since < 0 || (n && num_of(cJSON_GetArrayItem(chats, 0), "timestamp", 0) >= o->since)))
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
	finish(o);
}

static void chats_page(struct op *o, const char *conv_id, long page_no)
{
	char path[PATH_LEN], tail[64];

	snprintf(tail, sizeof tail, "/chats?pageNo=%ld", page_no);
	conv_path(path, sizeof path, o->op.c, conv_id, tail);
	o->page_no = page_no;
	call(o, "GET", path, NULL);
}

/* The next conversation to walk, or the end of the round. */
static void next_walk(struct op *o)
{
	if (o->walk_at == o->nwalks) {
		changes_done(o);
		return;
	}
	o->op.step = 1;
	chats_page(o, o->walks[o->walk_at].conv_id, 1);
}

static void on_changes(struct op *o, const struct pf_answer *a)
{
	char path[PATH_LEN];

	if (o->op.step == 0) { /* a page of the list */
		const cJSON *conv, *list = cJSON_GetObjectItemCaseSensitive(a->json, "conversations");
		const char *next = str_of(a->json, "cursor");
		/* The cursor: the newest last chat time when the walk began (the
		 * first page is the list as it was then, newest first); any chat
		 * after it is at least that recent, so the next round finds it. */
		if (o->first_page && cJSON_GetArraySize(list) > 0) {
			char t[24];
			snprintf(t, sizeof t, "%lld",
				 (long long)num_of(cJSON_GetArrayItem(list, 0), "lastChatTime", 0));
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
			call(o, "GET", path, NULL);
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
		chats_page(o, w->conv_id, o->page_no + 1);
		return;
	}
	o->walk_at++;
	next_walk(o);
}

/* ---- post: exactly once without an idempotency key -------------------------------- */

/* The journal: per conversation, the post that may be in doubt — "<hub
 * message id> <chat count before it>". The queue posts a conversation's
 * replies one after another, so only its latest can be. */
static bool journal_open(struct pf_client *c, struct errbuf *err)
{
	return c->journal || (c->journal = bstate_open(c->state_db, err)) != NULL;
}

static bool journal_key(const char *conv_id, char *key, size_t n)
{
	return (size_t)snprintf(key, n, JOURNAL_PREFIX "%s", conv_id) < n;
}

static void post_send(struct op *o)
{
	char path[PATH_LEN];
	cJSON *b = cJSON_CreateObject();
	struct errbuf why;

	if (!b || !cJSON_AddStringToObject(b, "message", o->text)) {
		cJSON_Delete(b);
		pf_op_fail(&o->op, PF_RETRY, "post message: out of memory");
		return;
	}
	o->op.step = 3;
	conv_path(path, sizeof path, o->op.c, o->conv_id, o->op.c->reply_path);
	if (!pf_http_call_once(o->op.c->http, "POST", path, b, on_answer, o, &why))
		pf_op_fail(&o->op, PF_RETRY, why.msg);
}

/* Is the reply among these chats, at or after the baseline? */
static bool reply_among(struct op *o, const cJSON *chats, size_t first_index)
{
	const cJSON *ch;
	size_t i = first_index;

	cJSON_ArrayForEach(ch, chats) {
		const char *sender = str_of(ch, "sender"), *text = str_of(ch, "message");
		if ((int64_t)i++ >= o->baseline && sender && strcmp(sender, "AGENT") == 0 && text &&
		    strcmp(text, o->text) == 0)
			return true;
	}
	return false;
}

static void on_post(struct op *o, const struct pf_answer *a)
{
	const cJSON *chats = cJSON_GetObjectItemCaseSensitive(a->json, "chats");
	char key[300], val[80];

	switch (o->op.step) {
	case 0: { /* the conversation now: its chat count is the baseline */
		int64_t count = num_of(a->json, "chatCount", -1);
		if (count < 0) {
			pf_op_fail(&o->op, PF_RETRY, "post message: the conversation has no chatCount");
			return;
		}
		snprintf(val, sizeof val, "%s %lld", o->hub_msg_id, (long long)count);
		if (!journal_key(o->conv_id, key, sizeof key) ||
		    !bstate_kv_set(o->op.c->journal, key, val)) {
			pf_op_fail(&o->op, PF_RETRY, "post message: cannot journal the attempt");
			return;
		}
		post_send(o);
		return;
	}
	case 1: { /* an attempt may have landed: its latest chats */
		int64_t count = num_of(a->json, "chatCount", -1);
		int n = cJSON_GetArraySize(chats);
		if (count >= 0 && count - n <= o->baseline) {
			if (reply_among(o, chats, (size_t)(count - n))) {
				log_info("conversations: reply %s was posted already", o->hub_msg_id);
				finish(o);
			} else {
				post_send(o);
			}
			return;
		}
		/* More chats came since than the latest 20 show: walk them. */
		o->op.step = 2;
		o->chat_index = 0;
		chats_page(o, o->conv_id, 1);
		return;
	}
	case 2: /* a page of the walk */
		if (reply_among(o, chats, o->chat_index)) {
			log_info("conversations: reply %s was posted already", o->hub_msg_id);
			finish(o);
			return;
		}
		o->chat_index += (size_t)cJSON_GetArraySize(chats);
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a->json, "hasNext")))
			chats_page(o, o->conv_id, o->page_no + 1);
		else
			post_send(o);
		return;
	default: /* posted */
		finish(o);
	}
}

/* ---- set_meta and stop: a PATCH, then a feedback or a stop ------------------------------ */

static void meta_feedback(struct op *o, const char *chat_id)
{
	char path[PATH_LEN], tail[400];
	cJSON *b = cJSON_CreateObject(), *sel;

	snprintf(tail, sizeof tail, "/chats/");
	pf_urlencode(tail, sizeof tail, chat_id);
	strncat(tail, "/feedback", sizeof tail - strlen(tail) - 1);
	conv_path(path, sizeof path, o->op.c, o->conv_id, tail);
	/* A new rating replaces the old one with its words: none clears them. */
	if (!b || !cJSON_AddBoolToObject(b, "rating", o->rating >= o->op.c->good_min) ||
	    !(sel = cJSON_AddArrayToObject(b, "feedbackSelection")) ||
	    (o->feedback && !cJSON_AddItemToArray(sel, cJSON_CreateString(o->feedback))) ||
	    !cJSON_AddStringToObject(b, "suggestedAnswer", o->suggested ? o->suggested : "")) {
		cJSON_Delete(b);
		pf_op_fail(&o->op, PF_RETRY, "rate chat: out of memory");
		return;
	}
	o->op.step = 4;
	call(o, "POST", path, b);
}

/* The newest bot chat among these (oldest first) into o->last_bot. */
static void note_bot(struct op *o, const cJSON *chats)
{
	const cJSON *ch;

	cJSON_ArrayForEach(ch, chats) {
		const char *sender = str_of(ch, "sender"), *id = str_of(ch, "id");
		if (sender && id && strcmp(sender, "BOT") == 0) {
			free(o->last_bot);
			o->last_bot = strdup(id);
		}
	}
}

static void on_meta(struct op *o, const struct pf_answer *a)
{
	const cJSON *chats = cJSON_GetObjectItemCaseSensitive(a->json, "chats");
	char path[PATH_LEN];

	switch (o->op.step) {
	case 0: /* the PATCH is done; a rating names a bot chat */
		if (!o->rating) {
			finish(o);
			return;
		}
		o->op.step = 1;
		conv_path(path, sizeof path, o->op.c, o->conv_id, "");
		call(o, "GET", path, NULL);
		return;
	case 1: /* the latest 20; older ones only when none of these is the bot's */
		note_bot(o, chats);
		if (o->last_bot || num_of(a->json, "chatCount", 0) <= cJSON_GetArraySize(chats))
			break;
		o->op.step = 2;
		chats_page(o, o->conv_id, 1);
		return;
	case 2:
		note_bot(o, chats);
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a->json, "hasNext"))) {
			chats_page(o, o->conv_id, o->page_no + 1);
			return;
		}
		break;
	default: /* rated */
		finish(o);
		return;
	}
	if (!o->last_bot) {
		pf_op_fail(&o->op, PF_REFUSED, "rate chat: the conversation has no bot chat to rate");
		return;
	}
	meta_feedback(o, o->last_bot);
}

/* ---- answers ------------------------------------------------------------------------ */

static const char *const op_names[] = {
	[OP_CHECK] = "list conversations", [OP_CHANGES] = "poll",
	[OP_DESCRIBE] = "read conversation", [OP_POST] = "post message",
	[OP_UPDATE] = "update conversation", [OP_META] = "update conversation",
	[OP_STOP] = "stop conversation",
};

/* The platform's words for a failed answer, with what to check. */
static void failed(struct op *o, const struct pf_answer *a)
{
	char why[400], code[40] = "";
	const char *msg = a->json ? str_of(a->json, "message") : NULL;
	const char *err = a->json ? str_of(a->json, "error") : NULL; /* a 405's shape */
	int64_t n = a->json ? num_of(a->json, "code", 0) : 0;

	if (n)
		snprintf(code, sizeof code, " (code %lld)", (long long)n);
	snprintf(why, sizeof why, "%s%s%s", msg ? msg : err ? err : "no error body", code,
		 n == 7001 ? " (check token_file)" : "");
	pf_http_failed(a, op_names[o->op.kind], why, &o->op.r);
	finish(o);
}

/* Whether this step reads the answer's body: writes may answer "OK / No
 * content", as the doc says. */
static bool reads(const struct op *o)
{
	switch (o->op.kind) {
	case OP_POST:
		return o->op.step < 3;
	case OP_META:
		return o->op.step == 1 || o->op.step == 2;
	case OP_UPDATE:
	case OP_STOP:
		return false;
	default:
		return true;
	}
}

static void on_answer(void *ctx, const struct pf_answer *a)
{
	struct op *o = ctx;
	char line[300], path[PATH_LEN];

	if (a->error || a->status < 200 || a->status >= 300) {
		failed(o, a);
		return;
	}
	if (!a->json && reads(o)) {
		snprintf(line, sizeof line, "%s: the answer is not JSON", op_names[o->op.kind]);
		pf_op_fail(&o->op, PF_RETRY, line);
		return;
	}
	switch (o->op.kind) {
	case OP_CHECK: {
		const cJSON *list = cJSON_GetObjectItemCaseSensitive(a->json, "conversations");
		snprintf(line, sizeof line, "%d conversation%s on the first page%s",
			 cJSON_GetArraySize(list), cJSON_GetArraySize(list) == 1 ? "" : "s",
			 str_of(a->json, "cursor") ? " (more pages)" : "");
		o->op.r.summary = strdup(line);
		finish(o);
		return;
	}
	case OP_CHANGES:
		on_changes(o, a);
		return;
	case OP_DESCRIBE: {
		const cJSON *user = cJSON_GetObjectItemCaseSensitive(a->json, "user");
		const char *first = str_of(user, "firstName"), *last = str_of(user, "lastName");
		const char *app = str_of(cJSON_GetObjectItemCaseSensitive(a->json, "llmApp"), "name");
		snprintf(line, sizeof line, "%s%s%s", first ? first : "",
			 first && *first && last && *last ? " " : "", last ? last : "");
		o->op.r.channel_type = strdup("api");
		o->op.r.channel_name = app && *app ? strdup(app) : NULL;
		o->op.r.customer_name = line[0] ? strdup(line) : NULL;
		finish(o);
		return;
	}
	case OP_POST:
		on_post(o, a);
		return;
	case OP_META:
		on_meta(o, a);
		return;
	case OP_UPDATE:
		finish(o);
		return;
	case OP_STOP:
		if (o->op.step == 0) {
			o->op.step = 1;
			conv_path(path, sizeof path, o->op.c, o->conv_id, "/stop");
			call(o, "POST", path, NULL);
			return;
		}
		finish(o);
		return;
	}
}

/* ---- the table's functions ------------------------------------------------------------ */

static bool number_key(const struct bridge_config *cfg, const char *name, long min, long *out,
		       struct errbuf *err)
{
	const char *v = bridge_config_get(cfg, name);
	char *end;

	*out = strtol(v, &end, 10);
	return (*v && !*end && *out >= min) ||
	       errbuf_set(err, "%s: a whole number from %ld up is required", name, min);
}

static bool header_line(char *out, size_t n, const char *name, const char *value)
{
	return (size_t)snprintf(out, n, "%s: %s", name, value) < n && !strpbrk(value, "\r\n") &&
	       !strpbrk(name, "\r\n: ");
}

static void cv_close(struct pf_client *c)
{
	if (!c)
		return;
	pf_http_free(c->http);
	bstate_close(c->journal);
	free(c->state_db);
	free(c);
}

static struct pf_client *cv_open(uv_loop_t *loop, const struct bridge_config *cfg,
				 struct errbuf *err)
{
	struct pf_client *c = calloc(1, sizeof *c);
	char key[600], agent[400];

	if (!c || !(c->state_db = strdup(cfg->state_db))) {
		free(c);
		errbuf_set(err, "out of memory");
		return NULL;
	}
	c->base = bridge_config_get(cfg, "conversations_path");
	c->reply_path = bridge_config_get(cfg, "reply_path");
	c->update_method = bridge_config_get(cfg, "update_method");
	c->agent_email = bridge_config_get(cfg, "agent_email");
	c->st_waiting = bridge_config_get(cfg, "state_waiting");
	c->st_human = bridge_config_get(cfg, "state_human");
	c->st_bot = bridge_config_get(cfg, "state_bot");
	c->st_done = bridge_config_get(cfg, "state_done");
	if (!number_key(cfg, "rating_good_min", 1, &c->good_min, err) ||
	    !number_key(cfg, "poll_overlap_ms", 0, &c->overlap_ms, err))
		goto fail;
	if (!strchr(c->agent_email, '@') ||
	    !header_line(agent, sizeof agent, bridge_config_get(cfg, "agent_email_header"),
			 c->agent_email)) {
		errbuf_set(err, "agent_email is not an email address");
		goto fail;
	}
	if (!header_line(key, sizeof key, bridge_config_get(cfg, "api_key_header"),
			 bridge_config_get(cfg, "token_file"))) {
		errbuf_set(err, "token_file does not hold an API key");
		goto fail;
	}
	const char *headers[] = {key, agent, NULL};
	if ((c->http = pf_http_new(loop, cfg->platform_url, NULL, headers, cfg->request_timeout_ms,
				   err)))
		return c;
fail:
	cv_close(c);
	return NULL;
}

static bool cv_check(struct pf_client *c, pf_done_fn *done, void *ctx, struct errbuf *err)
{
	struct op *o = op_new(c, OP_CHECK, NULL, done, ctx, err);
	char path[PATH_LEN];

	if (!o)
		return false;
	snprintf(path, sizeof path, "%s?pageSize=" PAGE_SIZE, c->base);
	call(o, "GET", path, NULL);
	return true;
}

static bool cv_changes(struct pf_client *c, const char *cursor, pf_done_fn *done, void *ctx,
		       struct errbuf *err)
{
	struct op *o = op_new(c, OP_CHANGES, NULL, done, ctx, err);
	char path[PATH_LEN];

	if (!o)
		return false;
	snprintf(path, sizeof path, "%s?pageSize=" PAGE_SIZE, c->base);
	if (cursor) {
		int64_t at = strtoll(cursor, NULL, 10);
		o->since = at > c->overlap_ms ? at - c->overlap_ms : 0;
		snprintf(path + strlen(path), sizeof path - strlen(path), "&startedAt=%lld",
			 (long long)o->since);
		/* Nothing new: the cursor stays. */
		if (!(o->op.r.cursor = strdup(cursor))) {
			op_free(o);
			return errbuf_set(err, "out of memory");
		}
	}
	o->first_page = true;
	call(o, "GET", path, NULL);
	return true;
}

static bool cv_describe(struct pf_client *c, const char *conv_id, const char *customer_id,
			pf_done_fn *done, void *ctx, struct errbuf *err)
{
	struct op *o = op_new(c, OP_DESCRIBE, conv_id, done, ctx, err);
	char path[PATH_LEN];

	(void)customer_id; /* the conversation carries its user */
	if (!o)
		return false;
	conv_path(path, sizeof path, c, conv_id, "");
	call(o, "GET", path, NULL);
	return true;
}

static bool cv_post(struct pf_client *c, const char *conv_id, const char *agent_id,
		    const char *agent_name, const char *hub_msg_id, const char *text,
		    pf_done_fn *done, void *ctx, struct errbuf *err)
{
	struct op *o = op_new(c, OP_POST, conv_id, done, ctx, err);
	char path[PATH_LEN], key[300], *was = NULL;

	(void)agent_id; /* one platform agent, agent_email, writes for all */
	(void)agent_name;
	if (!o)
		return false;
	if (!(o->hub_msg_id = strdup(hub_msg_id)) || !(o->text = strdup(text)) ||
	    !journal_open(c, err) || !journal_key(conv_id, key, sizeof key) ||
	    !bstate_kv_get(c->journal, key, &was)) {
		op_free(o);
		return errbuf_set(err, "post message: cannot read the journal");
	}
	/* The same reply journalled: an attempt may have landed. */
	const char *space = was ? strchr(was, ' ') : NULL;
	if (space && (size_t)(space - was) == strlen(hub_msg_id) &&
	    strncmp(was, hub_msg_id, strlen(hub_msg_id)) == 0) {
		o->baseline = strtoll(space + 1, NULL, 10);
		o->op.step = 1;
	}
	free(was);
	conv_path(path, sizeof path, c, conv_id, "");
	call(o, "GET", path, NULL);
	return true;
}

/* {update_method} {base}/{id} with `b`, then what the kind does next. */
static bool update(struct op *o, cJSON *b, struct errbuf *err)
{
	char path[PATH_LEN];

	if (!o || !b) {
		if (o)
			op_free(o);
		cJSON_Delete(b);
		return errbuf_set(err, "out of memory");
	}
	conv_path(path, sizeof path, o->op.c, o->conv_id, "");
	call(o, o->op.c->update_method, path, b);
	return true;
}

static bool cv_set_holder(struct pf_client *c, const char *conv_id, enum pf_holder h,
			  pf_done_fn *done, void *ctx, struct errbuf *err)
{
	cJSON *b = cJSON_CreateObject();
	bool human = h == PF_HOLDER_HUMAN;

	if (b && (!cJSON_AddStringToObject(b, "state", human ? c->st_human : c->st_bot) ||
		  !cJSON_AddStringToObject(b, "assignee", human ? c->agent_email : ""))) {
		cJSON_Delete(b);
		b = NULL;
	}
	return update(op_new(c, OP_UPDATE, conv_id, done, ctx, err), b, err);
}

static bool cv_set_meta(struct pf_client *c, const char *conv_id, const struct pf_meta *m,
			pf_done_fn *done, void *ctx, struct errbuf *err)
{
	struct op *o = op_new(c, OP_META, conv_id, done, ctx, err);
	char path[PATH_LEN];

	if (!o)
		return false;
	o->rating = m->rating >= 1 && m->rating <= 5 ? m->rating : 0;
	if ((m->feedback && !(o->feedback = strdup(m->feedback))) ||
	    (m->suggested_answer && !(o->suggested = strdup(m->suggested_answer)))) {
		op_free(o);
		return errbuf_set(err, "out of memory");
	}
	/* A title the hub does not have leaves the platform's own alone. */
	if (m->title) {
		cJSON *b = cJSON_CreateObject();
		if (b && !cJSON_AddStringToObject(b, "title", m->title)) {
			cJSON_Delete(b);
			b = NULL;
		}
		return update(o, b, err);
	}
	/* No title: read the conversation (step 1 looks for the bot chat to
	 * rate; step 0 has nothing more to do, but answers later, as every
	 * operation must). */
	o->op.step = o->rating ? 1 : 0;
	conv_path(path, sizeof path, c, conv_id, "");
	call(o, "GET", path, NULL);
	return true;
}

static bool cv_stop(struct pf_client *c, const char *conv_id, pf_done_fn *done, void *ctx,
		    struct errbuf *err)
{
	cJSON *b = cJSON_CreateObject();

	if (b && !cJSON_AddStringToObject(b, "state", c->st_done)) {
		cJSON_Delete(b);
		b = NULL;
	}
	return update(op_new(c, OP_STOP, conv_id, done, ctx, err), b, err);
}

const struct bridge_platform platform_conversations = {
	.name = "conversations",
	.keys = conversations_keys,
	.webhook_signature_header = NULL, /* the platform pushes nothing */
	.open = cv_open,
	.close = cv_close,
	.check = cv_check,
	.changes = cv_changes,
	.describe = cv_describe,
	.post = cv_post,
	.set_holder = cv_set_holder,
	.set_meta = cv_set_meta,
	.parse_webhook = NULL,
	.stop = cv_stop,
};
