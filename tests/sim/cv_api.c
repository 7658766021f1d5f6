/*
 * cv_api.c — /webapi/v2/conversations... of the simulator, table-driven:
 * one row per method and path, a handler per row.
 *
 * Every request needs the "API-KEY" header (403, code 7001 otherwise);
 * AGENT-EMAIL, USER-EMAIL and OWN-USER-ID are optional, and AGENT-EMAIL
 * says an agent (not the user) acts: it is required to post an agent's
 * chat, and it makes a rating the agent's. A body, when there is one, must
 * be a JSON object sent as application/json (403, code 7002 otherwise).
 */
#define _GNU_SOURCE /* strcasestr */
#include "cv_api.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cv_error.h"
#include "jsonfield.h"
#include "sim_query.h"
#include "timeutil.h"

#define MAX_PARAMS 2
#define BASE "/webapi/v2/conversations"
/* The longest range the daily count answers, in days. */
#define DAILY_MAX_DAYS 366

struct call {
	struct cv_sim *sim;
	struct cv_store *s;
	const struct sim_req *req;
	struct sim_resp *resp;
	char *params[MAX_PARAMS];   /* the path's {} segments, decoded */
	cJSON *body;                /* the request body (object) or NULL */
	struct cv_conv *conv;       /* params[0], for the rows that name one */
};

struct route {
	const char *method;
	const char *pattern;        /* "{}" stands for one path segment */
	void (*fn)(struct call *c);
};

/* ---- answers ------------------------------------------------------------ */

static void ok_json(struct call *c, cJSON *o)
{
	c->resp->status = 200;
	c->resp->body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
}

/* The doc's "OK / No content". */
static void ok_empty(struct call *c)
{
	c->resp->status = 200;
	c->resp->body = strdup("");
}

static void bad(struct call *c, const char *why)
{
	cv_error(c->resp, CV_ERR_PARAM, why, 0);
}

/* ---- query -------------------------------------------------------------- */

/* An optional number parameter; false (answered) when malformed. */
static bool q_number(struct call *c, const char *name, bool *has, double *out)
{
	bool badq;
	char *v = sim_query_get(c->req->query, name, &badq), *end;
	char why[96];

	*has = false;
	if (v && v[0]) {
		*out = strtod(v, &end);
		*has = !*end && isfinite(*out);
	}
	if (badq || (v && v[0] && !*has)) {
		snprintf(why, sizeof why, "%s: a number is required", name);
		bad(c, why);
		free(v);
		return false;
	}
	free(v);
	return true;
}

static bool q_int(struct call *c, const char *name, long def, long min, long max, long *out)
{
	bool has;
	double d;
	char why[96];

	if (!q_number(c, name, &has, &d))
		return false;
	/* Range first: casting an out-of-range double is undefined. */
	*out = has && d >= (double)min && d <= (double)max ? (long)d : def;
	if (has && (d < (double)min || d > (double)max || d != (double)*out)) {
		snprintf(why, sizeof why, "%s: a whole number in %ld..%ld is required", name, min,
			 max);
		bad(c, why);
		return false;
	}
	return true;
}

/* Every value of a list parameter, given repeated or comma separated, as a
 * JSON array of strings; NULL (answered) when one does not decode. */
static cJSON *q_list(struct call *c, const char *name)
{
	cJSON *a = cJSON_CreateArray();
	bool badq = false;
	char *v;

	for (int n = 0; a && (v = sim_query_nth(c->req->query, name, n, &badq)) != NULL; n++) {
		char *save = NULL;
		for (char *t = strtok_r(v, ",", &save); t; t = strtok_r(NULL, ",", &save))
			cJSON_AddItemToArray(a, cJSON_CreateString(t));
		free(v);
	}
	if (badq) {
		cJSON_Delete(a);
		bad(c, "a list parameter does not decode");
		return NULL;
	}
	return a;
}

static bool in_list(const cJSON *list, const char *s)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, list)
		if (strcmp(it->valuestring, s) == 0)
			return true;
	return false;
}

/* ---- body --------------------------------------------------------------- */

/* An optional string field; false (answered) when of another type. */
static bool b_string(struct call *c, const cJSON *o, const char *name, const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	char why[96];

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return true;
	if (!cJSON_IsString(v)) {
		snprintf(why, sizeof why, "%s: a string is required", name);
		bad(c, why);
		return false;
	}
	*out = v->valuestring;
	return true;
}

/* An optional array of strings; false (answered) when of another type. */
static bool b_strings(struct call *c, const cJSON *o, const char *name, const cJSON **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name), *it;
	char why[96];

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return true;
	snprintf(why, sizeof why, "%s: an array of strings is required", name);
	if (!cJSON_IsArray(v)) {
		bad(c, why);
		return false;
	}
	cJSON_ArrayForEach(it, v)
		if (!cJSON_IsString(it)) {
			bad(c, why);
			return false;
		}
	*out = v;
	return true;
}

/* ---- conversation info: the update's fields ------------------------------ */

struct info {
	const char *state;          /* CV_STATES' pointer */
	const char *assignee, *category, *title;
	bool set_category;
};

/* Read state, assignee, title and the category (categoryId, or with
 * `plural` categoryIds: the first, [] clears) from `o`; false (answered)
 * when one is malformed or none is given. */
static bool info_parse(struct call *c, const cJSON *o, bool plural, struct info *in)
{
	const char *state;
	const cJSON *cats;

	memset(in, 0, sizeof *in);
	if (!b_string(c, o, "state", &state) || !b_string(c, o, "assignee", &in->assignee) ||
	    !b_string(c, o, "title", &in->title))
		return false;
	if (plural) {
		if (!b_strings(c, o, "categoryIds", &cats))
			return false;
		in->set_category = cats != NULL;
		in->category = cats && cJSON_GetArraySize(cats) ? cats->child->valuestring : "";
	} else {
		if (!b_string(c, o, "categoryId", &in->category))
			return false;
		in->set_category = in->category != NULL ||
				   cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, "categoryId"));
	}
	if (state && !(in->state = cv_state_lookup(state))) {
		bad(c, "state: one of no, waiting, in_progress, resolved is required");
		return false;
	}
	if (!in->state && !in->assignee && !in->title && !in->set_category) {
		bad(c, "nothing to update: give state, assignee, a category or title");
		return false;
	}
	return true;
}

static bool info_apply(struct cv_conv *v, const struct info *in)
{
	if (in->state)
		v->state = in->state;
	return (!in->assignee || cv_set_str(&v->assignee, in->assignee)) &&
	       (!in->title || cv_set_str(&v->title, in->title)) &&
	       (!in->set_category || cv_set_str(&v->category_id, in->category));
}

/* ---- the list ------------------------------------------------------------ */

struct filter {
	cJSON *user_ids;
	char *llm_app_id, *category_id, *search;
	bool has[4];
	double range[4];   /* startedAt, endAt, firstChatStartedAt, firstChatEndAt */
	bool active_only;
};

static const char *const RANGE_PARAMS[4] = {
	"startedAt", "endAt", "firstChatStartedAt", "firstChatEndAt",
};

static int64_t first_chat_ms(const struct cv_conv *v)
{
	return v->chats.n ? ((const struct cv_chat *)v->chats.v[0])->ts : v->created_ms;
}

static bool mentions(const struct cv_conv *v, const char *term)
{
	if (strcasestr(v->title, term))
		return true;
	for (size_t i = 0; i < v->chats.n; i++)
		if (strcasestr(((const struct cv_chat *)v->chats.v[i])->message, term))
			return true;
	return false;
}

static bool filter_match(const struct filter *f, const struct cv_conv *v)
{
	double last = (double)v->last_chat_ms, first = (double)first_chat_ms(v);

	return (cJSON_GetArraySize(f->user_ids) == 0 || in_list(f->user_ids, v->user_id)) &&
	       (!f->llm_app_id || strcmp(f->llm_app_id, v->llm_app_id) == 0) &&
	       (!f->category_id || strcmp(f->category_id, v->category_id) == 0) &&
	       (!f->has[0] || last >= f->range[0]) && (!f->has[1] || last <= f->range[1]) &&
	       (!f->has[2] || first >= f->range[2]) && (!f->has[3] || first <= f->range[3]) &&
	       (!f->active_only || !v->is_end) && (!f->search || mentions(v, f->search));
}

static int by_last_chat_desc(const void *a, const void *b)
{
	const struct cv_conv *x = *(struct cv_conv *const *)a, *y = *(struct cv_conv *const *)b;

	if (x->last_chat_ms != y->last_chat_ms)
		return x->last_chat_ms < y->last_chat_ms ? 1 : -1;
	return x->seq < y->seq ? 1 : -1;
}

static int by_last_chat_asc(const void *a, const void *b)
{
	return by_last_chat_desc(b, a);
}

/* Parse the filters and take the snapshot a new walk serves; NULL
 * (answered) on a malformed parameter. */
static struct cv_snapshot *walk_start(struct call *c)
{
	struct filter f = {0};
	struct cv_snapshot *sn = NULL;
	char *order = NULL, *active = NULL;
	bool ok = (f.user_ids = q_list(c, "userIds")) != NULL;

	for (int i = 0; ok && i < 4; i++)
		ok = q_number(c, RANGE_PARAMS[i], &f.has[i], &f.range[i]);
	if (ok) {
		f.llm_app_id = sim_query_get(c->req->query, "llmAppId", NULL);
		f.category_id = sim_query_get(c->req->query, "categoryId", NULL);
		f.search = sim_query_get(c->req->query, "searchTerm", NULL);
		order = sim_query_get(c->req->query, "order", NULL);
		active = sim_query_get(c->req->query, "activeOnly", NULL);
		if (order && strcmp(order, "LAST_CHAT_TIME_DESC") != 0 &&
		    strcmp(order, "LAST_CHAT_TIME_ASC") != 0) {
			bad(c, "order: LAST_CHAT_TIME_DESC or LAST_CHAT_TIME_ASC is required");
			ok = false;
		} else if (active && strcmp(active, "true") != 0 && strcmp(active, "false") != 0) {
			bad(c, "activeOnly: true or false is required");
			ok = false;
		}
		f.active_only = active && strcmp(active, "true") == 0;
	}
	struct cv_conv **v = ok ? malloc((c->s->convs.n + 1) * sizeof *v) : NULL;
	size_t n = 0;
	for (size_t i = 0; v && i < c->s->convs.n; i++)
		if (filter_match(&f, c->s->convs.v[i]))
			v[n++] = c->s->convs.v[i];
	if (v) {
		qsort(v, n, sizeof *v,
		      order && strcmp(order, "LAST_CHAT_TIME_ASC") == 0 ? by_last_chat_asc
								      : by_last_chat_desc);
		sn = cv_snapshot_take(c->s, v, n);
	} else if (ok) {
		cv_error(c->resp, CV_ERR_API, NULL, 0);
	}
	cJSON_Delete(f.user_ids);
	free(f.llm_app_id);
	free(f.category_id);
	free(f.search);
	free(order);
	free(active);
	return sn;
}

/* A cursor: the snapshot, the position in it, and the run's salt, in hex. */
static void cursor_encode(const struct cv_store *s, uint32_t snap, size_t pos, char out[25])
{
	snprintf(out, 25, "%08x%08x%08x", (unsigned)snap, (unsigned)pos,
		 (unsigned)(s->salt ^ 0x5ca1ab1eu));
}

static bool cursor_decode(const struct cv_store *s, const char *t, uint32_t *snap, size_t *pos)
{
	unsigned a, b, salt;
	int used = 0;

	if (strlen(t) != 24 || sscanf(t, "%8x%8x%8x%n", &a, &b, &salt, &used) != 3 ||
	    used != 24 || salt != (s->salt ^ 0x5ca1ab1eu))
		return false;
	*snap = a;
	*pos = b;
	return true;
}

static void convs_list(struct call *c)
{
	bool badq;
	long page_size;
	char *cursor = sim_query_get(c->req->query, "cursor", &badq);
	cJSON *vars = NULL;
	struct cv_snapshot *sn = NULL;
	size_t pos = 0;
	uint32_t snap;

	if (badq || !q_int(c, "pageSize", CV_PAGE_SIZE, 1, CV_PAGE_SIZE_MAX, &page_size) ||
	    !(vars = q_list(c, "variables"))) {
		if (badq)
			bad(c, "cursor: does not decode");
		goto out;
	}
	if (cursor && cursor[0]) {
		/* The walk's filters and order are the first page's. */
		if (!cursor_decode(c->s, cursor, &snap, &pos) ||
		    !(sn = cv_snapshot_find(c->s, snap)) || pos > sn->n) {
			bad(c, "cursor: not a cursor of this list, or expired");
			goto out;
		}
	} else if (!(sn = walk_start(c))) {
		goto out;
	}
	cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "conversations");
	size_t end = pos + (size_t)page_size < sn->n ? pos + (size_t)page_size : sn->n;
	for (size_t i = pos; i < end; i++)
		cJSON_AddItemToArray(arr, cv_conv_json(c->s, sn->convs[i], vars));
	if (end < sn->n) {
		char t[25];
		cursor_encode(c->s, sn->id, end, t);
		cJSON_AddStringToObject(o, "cursor", t);
	} else {
		cJSON_AddNullToObject(o, "cursor");
	}
	ok_json(c, o);
out:
	cJSON_Delete(vars);
	free(cursor);
}

/* ---- one conversation ---------------------------------------------------- */

static void conv_get(struct call *c)
{
	cJSON *vars = q_list(c, "variables");

	if (vars)
		ok_json(c, cv_conv_json(c->s, c->conv, vars));
	cJSON_Delete(vars);
}

static void conv_update(struct call *c)
{
	struct info in;

	if (!info_parse(c, c->body, false, &in))
		return;
	if (!info_apply(c->conv, &in))
		cv_error(c->resp, CV_ERR_API, NULL, 0);
	else
		ok_json(c, cv_conv_json(c->s, c->conv, NULL));
}

static void conv_title(struct call *c)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(c->body, "title");

	if (!cJSON_IsString(t)) {
		bad(c, "title: a string is required");
		return;
	}
	if (!cv_set_str(&c->conv->title, t->valuestring))
		cv_error(c->resp, CV_ERR_API, NULL, 0);
	else
		ok_json(c, cv_conv_json(c->s, c->conv, NULL));
}

static void conv_stop(struct call *c)
{
	c->conv->is_end = true;
	ok_empty(c);
}

static void bulk_update(struct call *c)
{
	static const char *const FILTERS[] = {"userIds", "llmAppIds", "categoryIds",
					      "conversationIds"};
	const cJSON *lists[4], *infoj = cJSON_GetObjectItemCaseSensitive(c->body,
									   "conversationInfo");
	struct info in;
	bool any = false;

	for (int i = 0; i < 4; i++) {
		if (!b_strings(c, c->body, FILTERS[i], &lists[i]))
			return;
		any = any || cJSON_GetArraySize(lists[i]) > 0;
	}
	if (!cJSON_IsObject(infoj)) {
		bad(c, "conversationInfo: an object is required");
		return;
	}
	if (!info_parse(c, infoj, true, &in))
		return;
	if (!any) {
		bad(c, "give at least one of userIds, llmAppIds, categoryIds, conversationIds");
		return;
	}
	for (size_t i = 0; i < c->s->convs.n; i++) {
		struct cv_conv *v = c->s->convs.v[i];
		const char *fields[4] = {v->user_id, v->llm_app_id, v->category_id, v->id};
		bool match = true;
		for (int k = 0; k < 4 && match; k++)
			match = cJSON_GetArraySize(lists[k]) == 0 || in_list(lists[k], fields[k]);
		if (match && !info_apply(v, &in)) {
			cv_error(c->resp, CV_ERR_API, NULL, 0);
			return;
		}
	}
	ok_empty(c);
}

/* ---- chats --------------------------------------------------------------- */

static void chats_page(struct call *c)
{
	long page;
	size_t size = c->sim->chat_page_size, n = c->conv->chats.n;

	if (!q_int(c, "pageNo", 1, 1, 1000000000L, &page))
		return;
	cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "chats");
	size_t from = ((size_t)page - 1) * size;
	for (size_t i = from; i < n && i < from + size; i++)
		cJSON_AddItemToArray(arr, cv_chat_json(c->conv->chats.v[i]));
	cJSON_AddNumberToObject(o, "pageNo", (double)page);
	cJSON_AddBoolToObject(o, "hasNext", from + size < n);
	ok_json(c, o);
}

static struct cv_chat *chat_or_404(struct call *c)
{
	struct cv_chat *ch = cv_chat_find(c->conv, c->params[1]);

	if (!ch)
		cv_error(c->resp, CV_ERR_NOT_FOUND, "No chat with this id in this conversation.",
			 0);
	return ch;
}

static void chat_get(struct call *c)
{
	struct cv_chat *ch = chat_or_404(c);

	if (ch)
		ok_json(c, cv_chat_json(ch));
}

/* Not in the doc: how an agent's reply gets in (doc/simulators.md). */
static void chat_post(struct call *c)
{
	const char *agent = sim_req_header(c->req, "AGENT-EMAIL");
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(c->body, "message");
	struct cv_chat *ch;

	if (!agent) {
		bad(c, "AGENT-EMAIL: the agent who writes is required");
	} else if (!cJSON_IsString(m) || !m->valuestring[0]) {
		bad(c, "message: a non-empty string is required");
	} else if (c->conv->is_end) {
		bad(c, "The conversation has ended.");
	} else if (!(ch = cv_chat_add(c->s, c->conv, CV_SENDER_AGENT, m->valuestring, agent, 0))) {
		cv_error(c->resp, CV_ERR_API, NULL, 0);
	} else {
		ok_json(c, cv_chat_json(ch));
	}
}

static void chat_feedback(struct call *c)
{
	struct cv_chat *ch = chat_or_404(c);
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(c->body, "rating"), *sel;
	const char *suggested;

	if (!ch || !b_strings(c, c->body, "feedbackSelection", &sel) ||
	    !b_string(c, c->body, "suggestedAnswer", &suggested))
		return;
	if (!cJSON_IsBool(r) && !cJSON_IsNull(r)) {
		bad(c, "rating: true (good), false (bad) or null is required");
		return;
	}
	if (ch->sender != CV_SENDER_BOT) {
		bad(c, "Only the bot's chats can be rated.");
		return;
	}
	/* An agent's rating when an agent acts, else the user's. */
	int *slot = sim_req_header(c->req, "AGENT-EMAIL") ? &ch->agent_rating : &ch->rating;
	*slot = cJSON_IsNull(r) ? -1 : cJSON_IsTrue(r);
	/* The selection and the suggested answer change only when given. */
	if (sel) {
		cJSON_Delete(ch->feedback_selection);
		ch->feedback_selection = cJSON_Duplicate(sel, 1);
	}
	if (suggested && !cv_set_str(&ch->suggested_answer, suggested))
		cv_error(c->resp, CV_ERR_API, NULL, 0);
	else
		ok_json(c, cv_chat_json(ch));
}

/* ---- daily count ----------------------------------------------------------- */

static bool q_date(struct call *c, const char *name, int64_t *day)
{
	char *v = sim_query_get(c->req->query, name, NULL), why[96];
	bool ok = v && date_parse(v, day, NULL);

	free(v);
	if (!ok) {
		snprintf(why, sizeof why, "%s: a date in YYYY-MM-DD format is required", name);
		bad(c, why);
	}
	return ok;
}

/* Conversations per day of their creation (UTC), every day of the range
 * given, zeros included. */
static void daily_count(struct call *c)
{
	int64_t from, to;

	if (!q_date(c, "startDate", &from) || !q_date(c, "endDate", &to))
		return;
	if (to < from || to - from >= DAILY_MAX_DAYS) {
		bad(c, "endDate: on or after startDate, at most 366 days later");
		return;
	}
	size_t ndays = (size_t)(to - from + 1);
	long *counts = calloc(ndays, sizeof *counts);
	if (!counts) {
		cv_error(c->resp, CV_ERR_API, NULL, 0);
		return;
	}
	for (size_t i = 0; i < c->s->convs.n; i++) {
		const struct cv_conv *v = c->s->convs.v[i];
		int64_t day = v->created_ms / 86400000;
		if (day >= from && day <= to)
			counts[day - from]++;
	}
	cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "dailyCounts");
	for (size_t i = 0; i < ndays; i++) {
		char d[11];
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "date", date_format(from + (int64_t)i, d));
		cJSON_AddNumberToObject(e, "count", (double)counts[i]);
		cJSON_AddItemToArray(arr, e);
	}
	free(counts);
	ok_json(c, o);
}

/* ---- routing --------------------------------------------------------------- */

static const struct route ROUTES[] = {
	{"GET", BASE, convs_list},
	{"GET", BASE "/daily_count", daily_count},
	{"POST", BASE "/bulk_update", bulk_update},
	{"GET", BASE "/{}", conv_get},
	{"PUT", BASE "/{}", conv_update},
	{"PATCH", BASE "/{}", conv_update},
	{"PUT", BASE "/{}/title", conv_title},
	{"POST", BASE "/{}/stop", conv_stop},
	{"GET", BASE "/{}/chats", chats_page},
	{"POST", BASE "/{}/chats", chat_post},
	{"GET", BASE "/{}/chats/{}", chat_get},
	{"POST", BASE "/{}/chats/{}/feedback", chat_feedback},
};
#define NROUTES (sizeof ROUTES / sizeof ROUTES[0])

static void free_params(struct call *c)
{
	for (int i = 0; i < MAX_PARAMS; i++) {
		free(c->params[i]);
		c->params[i] = NULL;
	}
}

/* Match `path` against `pattern`, capturing the {} segments. */
static bool match(const char *pattern, const char *path, struct call *c)
{
	int np = 0;

	while (*pattern && *path) {
		if (strncmp(pattern, "{}", 2) == 0) {
			size_t len = strcspn(path, "/");
			if (len == 0 || np == MAX_PARAMS ||
			    !(c->params[np] = sim_url_decode(path, len)))
				break;
			np++;
			pattern += 2;
			path += len;
		} else if (*pattern++ != *path++) {
			break;
		}
	}
	if (*pattern == '\0' && *path == '\0')
		return true;
	free_params(c);
	return false;
}

static bool authorized(struct cv_sim *sim, const struct sim_req *req, struct sim_resp *resp)
{
	const char *key = sim_req_header(req, "API-KEY");
	const char *agent = sim_req_header(req, "AGENT-EMAIL");

	if (!key || strcmp(key, sim->api_key) != 0) {
		cv_error(resp, CV_ERR_API_KEY, NULL, 0);
		return false;
	}
	if (agent && (!strchr(agent, '@') || strlen(agent) > 254)) {
		cv_error(resp, CV_ERR_PARAM, "AGENT-EMAIL: an email address is required", 0);
		return false;
	}
	return true;
}

/* Parse a body, when there is one; false when answered with an error. */
static bool parse_body(struct call *c)
{
	const char *ct = sim_req_header(c->req, "Content-Type");

	if (c->req->too_large) {
		cv_error(c->resp, CV_ERR_TOO_LARGE, NULL, 0);
		return false;
	}
	if (c->req->body_len == 0) {
		c->body = cJSON_CreateObject();
		return true;
	}
	if (!ct || strncasecmp(ct, "application/json", 16) != 0 ||
	    !cJSON_IsObject(c->body = json_parse_text(c->req->body, c->req->body_len, NULL))) {
		cv_error(c->resp, CV_ERR_JSON, NULL, 0);
		return false;
	}
	return true;
}

void cv_api_handle(struct cv_sim *sim, const struct sim_req *req, struct sim_resp *resp)
{
	struct call c = {.sim = sim, .s = &sim->store, .req = req, .resp = resp};
	bool path_known = false;

	if (!authorized(sim, req, resp))
		return;
	for (size_t i = 0; i < NROUTES; i++) {
		if (!match(ROUTES[i].pattern, req->path, &c))
			continue;
		if (strcmp(ROUTES[i].method, req->method) != 0) {
			path_known = true;
			free_params(&c);
			continue;
		}
		if (c.params[0] && !(c.conv = cv_conv_find(c.s, c.params[0])))
			cv_error(resp, CV_ERR_NOT_FOUND, "No conversation with this id.", 0);
		else if (parse_body(&c))
			ROUTES[i].fn(&c);
		free_params(&c);
		cJSON_Delete(c.body);
		return;
	}
	if (path_known)
		cv_error_method(resp, req->method, req->path);
	else
		cv_error(resp, CV_ERR_NOT_FOUND, "No such endpoint.", 0);
}

bool cv_api_is_next_page(const struct sim_req *req, char **conversation_id)
{
	char *v;

	*conversation_id = NULL;
	if (strcmp(req->method, "GET") != 0)
		return false;
	if (strcmp(req->path, BASE) == 0) {
		v = sim_query_get(req->query, "cursor", NULL);
		bool next = v && v[0];
		free(v);
		return next;
	}
	size_t blen = strlen(BASE "/");
	const char *tail = strncmp(req->path, BASE "/", blen) == 0 ? strchr(req->path + blen, '/')
								   : NULL;
	if (!tail || strcmp(tail, "/chats") != 0)
		return false;
	v = sim_query_get(req->query, "pageNo", NULL);
	bool next = v && atol(v) > 1;
	free(v);
	if (next)
		*conversation_id = strndup(req->path + blen, (size_t)(tail - req->path - blen));
	return next;
}
