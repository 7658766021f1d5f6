/*
 * platform_conversations.c — a Conversations API (conversations of an LLM
 * app, each with its chats, a state, an assignee, a title and per-chat
 * ratings) as a bridge platform (platform.h). The key goes in its own
 * header (`API-KEY`), the acting agent in `AGENT-EMAIL`; times are ms since
 * the epoch; errors are {"type", "code", "message"}. doc/bridges.md has
 * the mapping and every choice made where the documentation is silent
 * (paths, the state values, the agent's write call), each a setting.
 * This file has the calls and writes; conversations_poll.c the poll,
 * conversations_op.h what the two share.
 *
 *   changes    GET {base}?startedAt=<cursor - overlap> (cursor pages), the
 *              latest 20 chats of each conversation, and GET
 *              {base}/{id}/chats?pageNo=N (100 a page, oldest first) for a
 *              conversation with more new chats than that (conversations_poll.c)
 *   describe   GET {base}/{id}
 *   post       GET {base}/{id} (the chat count before it), then POST
 *              {base}/{id}{reply_path}; no idempotency key, so the count
 *              is journalled first and an attempt that may have landed is
 *              looked for before it is made again
 *   set_holder PATCH {base}/{id} {state, assignee}
 *   set_meta   PATCH {base}/{id} {title}; POST
 *              {base}/{id}/chats/{chatId}/feedback on the latest bot chat
 *   stop       PATCH {base}/{id} {state: resolved}, POST {base}/{id}/stop
 *   daily_counts GET {base}{daily_count_path}?startDate=&endDate=, the
 *              answer's dailyCounts [{date, count}]
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge_config.h"
#include "bridge_state.h"
#include "conversations_op.h"
#include "log.h"
#include "timeutil.h"

#define JOURNAL_PREFIX "conversations.post."

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
	{"daily_count_path", "/daily_count", false},
	{"api_key_header", "API-KEY", false},
	{"agent_email_header", "AGENT-EMAIL", false},
	{NULL, NULL, false},
};

static void on_answer(void *ctx, const struct pf_answer *a);

/* ---- helpers ---------------------------------------------------------------- */

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

void cv_call(struct op *o, const char *method, const char *path, cJSON *body)
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

void cv_chats_page(struct op *o, const char *conv_id, long page_no)
{
	char path[PATH_LEN], tail[64];

	snprintf(tail, sizeof tail, "/chats?pageNo=%ld", page_no);
	conv_path(path, sizeof path, o->op.c, conv_id, tail);
	o->page_no = page_no;
	cv_call(o, "GET", path, NULL);
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
		const char *sender = pf_str(ch, "sender"), *text = pf_str(ch, "message");
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
		int64_t count = pf_int(a->json, "chatCount", -1);
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
		int64_t count = pf_int(a->json, "chatCount", -1);
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
		cv_chats_page(o, o->conv_id, 1);
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
			cv_chats_page(o, o->conv_id, o->page_no + 1);
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
	cv_call(o, "POST", path, b);
}

/* The newest bot chat among these (oldest first) into o->last_bot. */
static void note_bot(struct op *o, const cJSON *chats)
{
	const cJSON *ch;

	cJSON_ArrayForEach(ch, chats) {
		const char *sender = pf_str(ch, "sender"), *id = pf_str(ch, "id");
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
		cv_call(o, "GET", path, NULL);
		return;
	case 1: /* the latest 20; older ones only when none of these is the bot's */
		note_bot(o, chats);
		if (o->last_bot || pf_int(a->json, "chatCount", 0) <= cJSON_GetArraySize(chats))
			break;
		o->op.step = 2;
		cv_chats_page(o, o->conv_id, 1);
		return;
	case 2:
		note_bot(o, chats);
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a->json, "hasNext"))) {
			cv_chats_page(o, o->conv_id, o->page_no + 1);
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
	[OP_STOP] = "stop conversation", [OP_DAILY] = "daily count",
};

/* The platform's words for a failed answer, with what to check. */
static void failed(struct op *o, const struct pf_answer *a)
{
	char why[400], code[40] = "";
	const char *msg = a->json ? pf_str(a->json, "message") : NULL;
	const char *err = a->json ? pf_str(a->json, "error") : NULL; /* a 405's shape */
	int64_t n = a->json ? pf_int(a->json, "code", 0) : 0;

	if (n)
		snprintf(code, sizeof code, " (code %lld)", (long long)n);
	snprintf(why, sizeof why, "%s%s%s", msg ? msg : err ? err : "no error body", code,
		 n == 7001 ? " (check token_file)" : "");
	pf_op_failed(&o->op, a, op_names[o->op.kind], why);
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

/* dailyCounts: [{"date": "YYYY-MM-DD", "count": n}]; an entry that is not
 * one refuses the whole answer rather than report a wrong day. */
static void on_daily(struct op *o, const struct pf_answer *a)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(a->json, "dailyCounts"), *e;
	int n = cJSON_GetArraySize(list);

	if (!cJSON_IsArray(list) || n > 366 ||
	    !(o->op.r.days = calloc(n ? (size_t)n : 1, sizeof *o->op.r.days))) {
		pf_op_failf(&o->op, PF_RETRY, "daily count: no dailyCounts list");
		return;
	}
	cJSON_ArrayForEach(e, list) {
		struct pf_day *d = &o->op.r.days[o->op.r.ndays];
		const cJSON *count = cJSON_GetObjectItemCaseSensitive(e, "count");
		const char *date = pf_str(e, "date");
		if (!date || !date_parse(date, &d->day, NULL) || !cJSON_IsNumber(count) ||
		    count->valuedouble < 0 || count->valuedouble > INT32_MAX ||
		    count->valuedouble != (double)(int64_t)count->valuedouble) {
			pf_op_failf(&o->op, PF_REFUSED, "daily count: an entry is not a date and count");
			return;
		}
		d->conversations = (int64_t)count->valuedouble;
		o->op.r.ndays++;
	}
	finish(o);
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
		pf_op_failf(&o->op, PF_RETRY, "%s: the answer is not JSON", op_names[o->op.kind]);
		return;
	}
	switch (o->op.kind) {
	case OP_CHECK: {
		const cJSON *list = cJSON_GetObjectItemCaseSensitive(a->json, "conversations");
		snprintf(line, sizeof line, "%d conversation%s on the first page%s",
			 cJSON_GetArraySize(list), cJSON_GetArraySize(list) == 1 ? "" : "s",
			 pf_str(a->json, "cursor") ? " (more pages)" : "");
		o->op.r.summary = strdup(line);
		finish(o);
		return;
	}
	case OP_CHANGES:
		cv_poll_answer(o, a);
		return;
	case OP_DESCRIBE: {
		const cJSON *user = cJSON_GetObjectItemCaseSensitive(a->json, "user");
		const char *first = pf_str(user, "firstName"), *last = pf_str(user, "lastName");
		const char *app = pf_str(cJSON_GetObjectItemCaseSensitive(a->json, "llmApp"), "name");
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
	case OP_DAILY:
		on_daily(o, a);
		return;
	case OP_STOP:
		if (o->op.step == 0) {
			o->op.step = 1;
			conv_path(path, sizeof path, o->op.c, o->conv_id, "/stop");
			cv_call(o, "POST", path, NULL);
			return;
		}
		finish(o);
		return;
	}
}

/* ---- the table's functions ------------------------------------------------------------ */

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
	c->daily_path = bridge_config_get(cfg, "daily_count_path");
	c->update_method = bridge_config_get(cfg, "update_method");
	c->agent_email = bridge_config_get(cfg, "agent_email");
	c->st_waiting = bridge_config_get(cfg, "state_waiting");
	c->st_human = bridge_config_get(cfg, "state_human");
	c->st_bot = bridge_config_get(cfg, "state_bot");
	c->st_done = bridge_config_get(cfg, "state_done");
	if (!bridge_config_get_long(cfg, "rating_good_min", 1, LONG_MAX, &c->good_min, err) ||
	    !bridge_config_get_long(cfg, "poll_overlap_ms", 0, LONG_MAX, &c->overlap_ms, err))
		goto fail;
	if (!strchr(c->agent_email, '@') ||
	    !pf_header_line(agent, sizeof agent, bridge_config_get(cfg, "agent_email_header"),
			 c->agent_email)) {
		errbuf_set(err, "agent_email is not an email address");
		goto fail;
	}
	if (!pf_header_line(key, sizeof key, bridge_config_get(cfg, "api_key_header"),
			 bridge_config_get(cfg, "token_file"))) {
		errbuf_set(err, "token_file does not hold an API key");
		goto fail;
	}
	const char *headers[] = {key, agent, NULL};
	if ((c->http = pf_http_open(loop, cfg, NULL, headers, err)))
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
	cv_call(o, "GET", path, NULL);
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
	cv_call(o, "GET", path, NULL);
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
	cv_call(o, "GET", path, NULL);
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
	cv_call(o, "GET", path, NULL);
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
	cv_call(o, o->op.c->update_method, path, b);
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
	cv_call(o, "GET", path, NULL);
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

static bool cv_daily_counts(struct pf_client *c, int64_t from_day, int64_t to_day,
			    pf_done_fn *done, void *ctx, struct errbuf *err)
{
	struct op *o = op_new(c, OP_DAILY, NULL, done, ctx, err);
	char path[PATH_LEN], from[11], to[11];

	if (!o)
		return false;
	snprintf(path, sizeof path, "%s%s?startDate=%s&endDate=%s", c->base, c->daily_path,
		 date_format(from_day, from), date_format(to_day, to));
	cv_call(o, "GET", path, NULL);
	return true;
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
	.daily_counts = cv_daily_counts,
};
