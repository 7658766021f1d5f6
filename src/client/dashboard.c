/*
 * dashboard.c — the team dashboard's figures from one snapshot and the
 * events after it (see dashboard.h).
 *
 * An event is first reduced to what the dashboard reads of it (struct
 * dash_ev), so one path applies both the events that arrive live and
 * those kept while the snapshot was on its way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "dashboard.h"
#include "jsonfield.h"
#include "timeutil.h"

#define MS_PER_MIN 60000LL
#define MS_PER_DAY 86400000LL
#define MS_PER_S   1000LL

/* A chat waiting or held. */
struct dchat {
	uuid_str id;
	bool waiting;
	int64_t escalated_at, since;  /* TS_NONE: none */
	uuid_str holder;              /* "" none */
};

struct drow {
	struct agent agent;
	/* replies in minute minute[i], for the minutes whose number is i
	 * modulo DASHBOARD_MINUTES */
	int64_t count[DASHBOARD_MINUTES], minute[DASHBOARD_MINUTES];
	int64_t *first_ms;            /* today's first responses */
	size_t nfirst, capfirst;
};

/* What the dashboard reads of an event. */
struct dash_ev {
	int64_t seq;
	enum event_type type;
	struct dchat chat;
	bool active;                  /* the chat is waiting or held after it */
	int64_t chat_created_at;
	bool has_msg;
	enum msg_role role;
	enum system_type system_type;
	uuid_str author;
	int64_t msg_at;
};

struct dashboard {
	bool loaded;
	int64_t seq;                  /* events up to this are in */
	int64_t day;                  /* the UTC day today's counts are of */
	struct wait_targets targets;
	int64_t conversations, escalations, taken_over, replies;
	struct dchat *chats;          /* sorted by id */
	size_t nchats, capchats;
	struct drow *rows;
	size_t nrows;
	struct dash_ev *pending;      /* events kept while loading */
	size_t npending, cappending;
};

/* Grow *p (of *cap items of `size`) to hold n + 1; false when out of memory. */
static bool grow(void **p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return true;
	size_t c = *cap ? *cap * 2 : 16;
	void *q = realloc(*p, c * size);
	if (!q)
		return false;
	*p = q;
	*cap = c;
	return true;
}

struct dashboard *dashboard_new(void)
{
	return calloc(1, sizeof(struct dashboard));
}

static void free_figures(struct dashboard *d)
{
	for (size_t i = 0; i < d->nrows; i++) {
		agent_free(&d->rows[i].agent);
		free(d->rows[i].first_ms);
	}
	free(d->rows);
	free(d->chats);
	d->rows = NULL;
	d->chats = NULL;
	d->nrows = d->nchats = d->capchats = 0;
}

void dashboard_free(struct dashboard *d)
{
	if (!d)
		return;
	free_figures(d);
	free(d->pending);
	free(d);
}

void dashboard_reset(struct dashboard *d)
{
	free_figures(d);
	d->loaded = false;
	d->npending = 0;
}

bool dashboard_loaded(const struct dashboard *d)
{
	return d->loaded;
}

/* ---- the chats ----------------------------------------------------------- */

/* The index of chat `id`, or where it would go (*found false). */
static size_t chat_find(const struct dashboard *d, const char *id, bool *found)
{
	size_t lo = 0, hi = d->nchats;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(d->chats[mid].id, id);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

/* Put `c` in (active) or take it out; false when out of memory. */
static bool chat_set(struct dashboard *d, const struct dchat *c, bool active)
{
	bool found;
	size_t i = chat_find(d, c->id, &found);

	if (found && active) {
		d->chats[i] = *c;
	} else if (found) {
		memmove(&d->chats[i], &d->chats[i + 1], (d->nchats - i - 1) * sizeof *d->chats);
		d->nchats--;
	} else if (active) {
		if (!grow((void **)&d->chats, &d->capchats, d->nchats, sizeof *d->chats))
			return false;
		memmove(&d->chats[i + 1], &d->chats[i], (d->nchats - i) * sizeof *d->chats);
		d->chats[i] = *c;
		d->nchats++;
	}
	return true;
}

/* ---- the agents ---------------------------------------------------------- */

static struct drow *row_of(struct dashboard *d, const char *agent_id)
{
	for (size_t i = 0; agent_id[0] && i < d->nrows; i++)
		if (strcmp(d->rows[i].agent.id, agent_id) == 0)
			return &d->rows[i];
	return NULL;
}

static void add_replies(struct drow *r, int64_t minute, int64_t n)
{
	size_t slot = (size_t)(minute % DASHBOARD_MINUTES);

	if (r->minute[slot] > minute)
		return; /* older than what the bucket holds: out of the hour */
	if (r->minute[slot] < minute) {
		r->minute[slot] = minute;
		r->count[slot] = 0;
	}
	r->count[slot] += n;
}

static bool add_first(struct drow *r, int64_t ms)
{
	if (!grow((void **)&r->first_ms, &r->capfirst, r->nfirst, sizeof *r->first_ms))
		return false;
	r->first_ms[r->nfirst++] = ms;
	return true;
}

/* A new day: today's counts and first responses start from zero. */
static void new_day(struct dashboard *d, int64_t day)
{
	d->day = day;
	d->conversations = d->escalations = d->taken_over = d->replies = 0;
	for (size_t i = 0; i < d->nrows; i++)
		d->rows[i].nfirst = 0;
}

bool dashboard_tick(struct dashboard *d, int64_t now)
{
	if (!d->loaded || now / MS_PER_DAY <= d->day)
		return false;
	new_day(d, now / MS_PER_DAY);
	return true;
}

/* ---- events -------------------------------------------------------------- */

static void reduce(const struct event *e, struct dash_ev *out)
{
	const struct chat *c = e->chat;
	const struct message *m = e->message;

	memset(out, 0, sizeof *out);
	out->seq = e->seq;
	out->type = e->type;
	snprintf(out->chat.id, sizeof out->chat.id, "%s", c->id);
	out->chat.waiting = chat_is_waiting(c);
	out->chat.escalated_at = c->escalated ? c->escalated_at : TS_NONE;
	out->chat.since = c->awaiting_reply_since;
	if (c->mode == CHAT_MODE_AGENT && c->responder.type == RESPONDER_AGENT)
		snprintf(out->chat.holder, sizeof out->chat.holder, "%s", c->responder.id);
	out->active = out->chat.waiting || c->mode == CHAT_MODE_AGENT;
	out->chat_created_at = c->created_at;
	if (m && e->type == EVENT_MESSAGE_CREATED) {
		out->has_msg = true;
		out->role = m->role;
		out->system_type = m->system_type;
		snprintf(out->author, sizeof out->author, "%s", m->author.id);
		out->msg_at = m->created_at;
	}
}

/* Whether time `at` is today; a later day starts one. */
static bool today(struct dashboard *d, int64_t at)
{
	if (at / MS_PER_DAY > d->day)
		new_day(d, at / MS_PER_DAY);
	return at / MS_PER_DAY == d->day;
}

static void apply_message(struct dashboard *d, const struct dash_ev *e, const struct dchat *before)
{
	struct drow *r = row_of(d, e->author);
	bool now = today(d, e->msg_at);

	if (e->role == MSG_ROLE_AGENT) {
		d->replies += now;
		if (r)
			add_replies(r, e->msg_at / MS_PER_MIN, 1);
	} else if (e->system_type == SYSTEM_TYPE_CONVERSATION_ESCALATED) {
		d->escalations += now;
	} else if (e->system_type == SYSTEM_TYPE_AGENT_JOINED) {
		d->taken_over += now;
		/* A takeover of a chat that was waiting is a first response. */
		if (now && r && before && before->waiting && before->escalated_at != TS_NONE)
			add_first(r, e->msg_at - before->escalated_at);
	}
}

static void apply_ev(struct dashboard *d, const struct dash_ev *e)
{
	bool found;
	struct dchat before;
	size_t i = chat_find(d, e->chat.id, &found);

	if (e->seq <= d->seq)
		return;
	d->seq = e->seq;
	if (found)
		before = d->chats[i];
	if (e->type == EVENT_CHAT_CREATED && today(d, e->chat_created_at))
		d->conversations++;
	if (e->has_msg)
		apply_message(d, e, found ? &before : NULL);
	chat_set(d, &e->chat, e->active);
}

/* An agent frame (v1.1) replaces the agent a row shows: its status and
 * capacity. Frames have no seq, so they are taken as they come; one that
 * comes while the snapshot loads is left out, as the snapshot carries the
 * status of its own time. An agent the snapshot did not know stays out
 * until the next snapshot: accounts are made rarely. */
static bool apply_agent(struct dashboard *d, const struct agent *a)
{
	struct drow *r = d->loaded ? row_of(d, a->id) : NULL;
	struct agent copy;

	if (!r || !agent_copy(&copy, a))
		return false;
	agent_free(&r->agent);
	r->agent = copy;
	return true;
}

bool dashboard_apply(struct dashboard *d, const struct event *e)
{
	struct dash_ev ev;

	if (e->type == EVENT_AGENT && e->agent)
		return apply_agent(d, e->agent);
	if (!e->chat || (e->type != EVENT_CHAT_CREATED && e->type != EVENT_CHAT_UPDATED &&
			 e->type != EVENT_MESSAGE_CREATED))
		return false;
	reduce(e, &ev);
	if (!d->loaded) {
		if (grow((void **)&d->pending, &d->cappending, d->npending, sizeof *d->pending))
			d->pending[d->npending++] = ev;
		return false;
	}
	if (ev.seq <= d->seq)
		return false;
	apply_ev(d, &ev);
	return true;
}

void dashboard_load(struct dashboard *d, struct dashboard *snap)
{
	free_figures(d);
	d->loaded = true;
	d->seq = snap->seq;
	d->day = snap->day;
	d->targets = snap->targets;
	d->conversations = snap->conversations;
	d->escalations = snap->escalations;
	d->taken_over = snap->taken_over;
	d->replies = snap->replies;
	d->chats = snap->chats;
	d->nchats = snap->nchats;
	d->capchats = snap->capchats;
	d->rows = snap->rows;
	d->nrows = snap->nrows;
	snap->chats = NULL;
	snap->rows = NULL;
	snap->nchats = snap->nrows = 0;
	dashboard_free(snap);
	for (size_t i = 0; i < d->npending; i++)
		apply_ev(d, &d->pending[i]);
	d->npending = 0;
}

/* ---- the snapshot -------------------------------------------------------- */

/* A whole number 0..2^53 that is not an object member (an array's). */
static bool whole(const cJSON *v, int64_t *out)
{
	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 9007199254740992.0 ||
	    v->valuedouble != (double)(int64_t)v->valuedouble)
		return false;
	*out = (int64_t)v->valuedouble;
	return true;
}

static bool decode_chat(const cJSON *j, struct dashboard *d, struct errbuf *err)
{
	struct dchat c = {0};

	if (!cJSON_IsObject(j))
		return errbuf_set(err, "must be an object");
	if (!(jf_uuid(j, "id", JF_REQUIRED, c.id, err) &&
	      jf_bool(j, "waiting", JF_REQUIRED, &c.waiting, err) &&
	      jf_timestamp(j, "escalated_at", JF_NULLABLE, &c.escalated_at, err) &&
	      jf_timestamp(j, "awaiting_reply_since", JF_NULLABLE, &c.since, err) &&
	      jf_uuid(j, "holder", JF_NULLABLE, c.holder, err)))
		return false;
	return chat_set(d, &c, true) || errbuf_set(err, "out of memory");
}

/* An agent row: the agent, its replies per minute up to `minute`, its
 * first responses today. */
static bool decode_row(const cJSON *j, int64_t minute, struct drow *r, struct errbuf *err)
{
	const cJSON *per = cJSON_GetObjectItemCaseSensitive(j, "replies_by_minute");
	const cJSON *first = cJSON_GetObjectItemCaseSensitive(j, "first_responses_ms");
	const cJSON *v;
	int64_t n;
	int k = 0;

	if (!agent_from_json(j, &r->agent, err))
		return false;
	if (!cJSON_IsArray(per) || cJSON_GetArraySize(per) != DASHBOARD_MINUTES)
		return errbuf_set(err, "replies_by_minute: must be %d counts", DASHBOARD_MINUTES);
	cJSON_ArrayForEach(v, per) {
		if (!whole(v, &n))
			return errbuf_set(err, "replies_by_minute: must be whole counts");
		add_replies(r, minute - (DASHBOARD_MINUTES - 1) + k++, n);
	}
	if (!cJSON_IsArray(first))
		return errbuf_set(err, "first_responses_ms: must be an array");
	cJSON_ArrayForEach(v, first)
		if (!whole(v, &n) || !add_first(r, n))
			return errbuf_set(err, "first_responses_ms: must be whole numbers of ms");
	return true;
}

static bool decode_today(const cJSON *j, struct dashboard *d, struct errbuf *err)
{
	const cJSON *t = NULL;
	char *date = NULL;

	if (!jf_object(j, "today", JF_REQUIRED, &t, err) ||
	    !jf_string(t, "date", JF_REQUIRED, 10, &date, err))
		return false;
	bool ok = date_parse(date, &d->day, err) &&
		  jf_int(t, "conversations", JF_REQUIRED, 0, INT64_MAX, &d->conversations, err) &&
		  jf_int(t, "escalations", JF_REQUIRED, 0, INT64_MAX, &d->escalations, err) &&
		  jf_int(t, "taken_over", JF_REQUIRED, 0, INT64_MAX, &d->taken_over, err) &&
		  jf_int(t, "replies", JF_REQUIRED, 0, INT64_MAX, &d->replies, err);
	free(date);
	if (!ok)
		errbuf_prefix(err, "today");
	return ok;
}

static bool decode_lists(const cJSON *j, int64_t minute, struct dashboard *d, struct errbuf *err)
{
	const cJSON *chats = cJSON_GetObjectItemCaseSensitive(j, "chats");
	const cJSON *agents = cJSON_GetObjectItemCaseSensitive(j, "agents");
	const cJSON *v;
	size_t i = 0;
	char where[48];

	if (!cJSON_IsArray(chats))
		return errbuf_set(err, "chats: must be an array");
	cJSON_ArrayForEach(v, chats) {
		if (!decode_chat(v, d, err)) {
			snprintf(where, sizeof where, "chats[%zu]", i);
			errbuf_prefix(err, where);
			return false;
		}
		i++;
	}
	if (!cJSON_IsArray(agents))
		return errbuf_set(err, "agents: must be an array");
	size_t n = (size_t)cJSON_GetArraySize(agents);
	if (n && !(d->rows = calloc(n, sizeof *d->rows)))
		return errbuf_set(err, "out of memory");
	cJSON_ArrayForEach(v, agents) {
		/* counted before it is filled, so a half-decoded row is freed */
		if (!decode_row(v, minute, &d->rows[d->nrows++], err)) {
			snprintf(where, sizeof where, "agents[%zu]", d->nrows - 1);
			errbuf_prefix(err, where);
			return false;
		}
	}
	return true;
}

struct dashboard *dashboard_from_json(const cJSON *j, struct errbuf *err)
{
	struct dashboard *d = dashboard_new();
	int64_t now;

	if (!d) {
		errbuf_set(err, "out of memory");
		return NULL;
	}
	if (!(jf_timestamp(j, "now", JF_REQUIRED, &now, err) &&
	      jf_int(j, "seq", JF_REQUIRED, 0, INT64_MAX, &d->seq, err) &&
	      targets_from_json(j, &d->targets, err) && decode_today(j, d, err) &&
	      decode_lists(j, now / MS_PER_MIN, d, err))) {
		dashboard_free(d);
		return NULL;
	}
	d->loaded = true;
	return d;
}

/* ---- figures ------------------------------------------------------------- */

static bool breached(int64_t since, int64_t target_s, int64_t now)
{
	return target_s > 0 && since != TS_NONE && now - since >= target_s * MS_PER_S;
}

void dashboard_figures(const struct dashboard *d, int64_t now, struct dashboard_figures *out)
{
	memset(out, 0, sizeof *out);
	out->longest_wait_ms = -1;
	out->targets = d->targets;
	out->nagents = d->nrows;
	date_format(d->day, out->date);
	out->conversations = d->conversations;
	out->escalations = d->escalations;
	out->taken_over = d->taken_over;
	out->replies = d->replies;
	for (size_t i = 0; i < d->nchats; i++) {
		const struct dchat *c = &d->chats[i];
		if (c->waiting) {
			out->waiting++;
			out->breached_first += breached(c->since, d->targets.first_response_s, now);
			int64_t w = c->escalated_at != TS_NONE ? now - c->escalated_at : 0;
			if (w > out->longest_wait_ms)
				out->longest_wait_ms = w < 0 ? 0 : w;
		} else {
			out->held++;
			out->breached_next += breached(c->since, d->targets.next_response_s, now);
		}
	}
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int64_t median(const int64_t *v, size_t n)
{
	int64_t *s = n ? malloc(n * sizeof *s) : NULL;

	if (!s)
		return -1;
	memcpy(s, v, n * sizeof *s);
	qsort(s, n, sizeof *s, cmp_i64);
	int64_t m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
	return m;
}

void dashboard_agent(const struct dashboard *d, size_t i, int64_t now,
		     struct dashboard_agent *out)
{
	const struct drow *r = &d->rows[i];
	int64_t minute = now / MS_PER_MIN;

	memset(out, 0, sizeof *out);
	out->agent = &r->agent;
	for (size_t k = 0; k < d->nchats; k++) {
		const struct dchat *c = &d->chats[k];
		if (!c->waiting && strcmp(c->holder, r->agent.id) == 0) {
			out->held++;
			out->breached += breached(c->since, d->targets.next_response_s, now);
		}
	}
	for (int k = 0; k < DASHBOARD_MINUTES; k++)
		if (r->minute[k] > minute - DASHBOARD_MINUTES && r->minute[k] <= minute)
			out->replies_hour += r->count[k];
	out->first_responses = r->nfirst;
	out->median_first_ms = median(r->first_ms, r->nfirst);
}

static void sooner(int64_t *at, int64_t t, int64_t now)
{
	if (t > now && t < *at)
		*at = t;
}

int64_t dashboard_changes_at(const struct dashboard *d, int64_t now)
{
	int64_t at = INT64_MAX, minute = now / MS_PER_MIN;

	if (!d->loaded)
		return at;
	sooner(&at, (now / MS_PER_DAY + 1) * MS_PER_DAY, now);
	for (size_t i = 0; i < d->nchats; i++) {
		const struct dchat *c = &d->chats[i];
		int64_t target = c->waiting ? d->targets.first_response_s : d->targets.next_response_s;
		if (c->waiting && c->escalated_at != TS_NONE)
			/* the wait's next whole second */
			sooner(&at, now + MS_PER_S - (now - c->escalated_at) % MS_PER_S, now);
		if (target > 0 && c->since != TS_NONE)
			sooner(&at, c->since + target * MS_PER_S, now);
	}
	/* A minute with replies leaves the hour at its end plus the hour. */
	for (size_t i = 0; i < d->nrows; i++)
		for (int k = 0; k < DASHBOARD_MINUTES; k++)
			if (d->rows[i].count[k] && d->rows[i].minute[k] > minute - DASHBOARD_MINUTES)
				sooner(&at, (d->rows[i].minute[k] + DASHBOARD_MINUTES) * MS_PER_MIN,
				       now);
	return at;
}
