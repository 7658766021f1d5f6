/*
 * outbox.c — the outbox's states, its send queue and its retries.
 * The disk side is outbox_journal.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "outbox.h"
#include "outbox_journal.h"
#include "utf8.h"

struct outbox {
	struct entry_vec entries;	/* in the order typed */
	struct journal journal;
	outbox_send_fn send;
	void *send_ctx;
	outbox_change_fn changed;
	void *changed_ctx;
	outbox_clock_fn clock;
	void *clock_ctx;
	outbox_held_fn held;
	void *held_ctx;
	bool online;
	bool pumping, repump;		/* the sender may report from inside send */
	uint64_t seed;
};

/* ---- entries ------------------------------------------------------------ */

struct outbox_entry *outbox_entry_new(const char *id, const char *chat_id, const char *text,
				      bool internal, int64_t created_at)
{
	struct outbox_entry *e = calloc(1, sizeof *e);

	if (e == NULL || (e->text = strdup(text)) == NULL) {
		free(e);
		return NULL;
	}
	snprintf(e->client_msg_id, sizeof e->client_msg_id, "%s", id);
	snprintf(e->chat_id, sizeof e->chat_id, "%s", chat_id);
	e->internal = internal;
	e->state = OUTBOX_PENDING;
	e->created_at = created_at;
	return e;
}

void outbox_entry_free(struct outbox_entry *e)
{
	if (e == NULL)
		return;
	free(e->text);
	free(e->reason);
	free(e);
}

bool entry_vec_push(struct entry_vec *vec, struct outbox_entry *e)
{
	if (vec->n == vec->cap) {
		size_t cap = vec->cap ? vec->cap * 2 : 16;
		struct outbox_entry **v = realloc(vec->v, cap * sizeof *v);

		if (v == NULL)
			return false;
		vec->v = v;
		vec->cap = cap;
	}
	vec->v[vec->n++] = e;
	return true;
}

long entry_vec_find(const struct entry_vec *vec, const char *id)
{
	for (size_t i = 0; i < vec->n; i++)
		if (vec->v[i] != NULL && strcmp(vec->v[i]->client_msg_id, id) == 0)
			return (long)i;
	return -1;
}

void entry_vec_remove(struct entry_vec *vec, size_t i)
{
	outbox_entry_free(vec->v[i]);
	memmove(vec->v + i, vec->v + i + 1, (vec->n - i - 1) * sizeof *vec->v);
	vec->n--;
}

void entry_vec_free(struct entry_vec *vec)
{
	for (size_t i = 0; i < vec->n; i++)
		outbox_entry_free(vec->v[i]);
	free(vec->v);
	memset(vec, 0, sizeof *vec);
}

/* ---- helpers ------------------------------------------------------------ */

static int64_t now(const struct outbox *ob)
{
	return ob->clock ? ob->clock(ob->clock_ctx) : ts_now();
}

static bool held(const struct outbox *ob, const struct outbox_entry *e)
{
	return ob->held != NULL && ob->held(ob->held_ctx, e);
}

static void notify(struct outbox *ob, const struct outbox_entry *e)
{
	if (ob->changed != NULL)
		ob->changed(ob->changed_ctx, e);
}

/* Replace e->reason with a copy of `reason` cut to the limit (NULL clears).
 * Out of memory leaves no reason rather than failing the state change. */
static void set_reason(struct outbox_entry *e, const char *reason)
{
	char *copy = NULL;

	if (reason != NULL) {
		if (!utf8_valid(reason, strlen(reason)))
			reason = "(unreadable reason)";
		copy = strndup(reason, utf8_prefix_bytes(reason, OUTBOX_REASON_MAX_CHARS));
	}
	/* Copy first: `reason` may be e->reason itself. */
	free(e->reason);
	e->reason = copy;
}

static void init_backoff(struct outbox *ob, struct outbox_entry *e)
{
	/* Spread retries of many entries and many consoles apart. */
	ob->seed = ob->seed * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
	backoff_init(&e->backoff, BACKOFF_BASE_S, BACKOFF_CAP_S, ob->seed);
}

static struct outbox_entry *find(struct outbox *ob, const char *id)
{
	long i = entry_vec_find(&ob->entries, id);

	return i < 0 ? NULL : ob->entries.v[i];
}

static struct outbox_entry *find_in_flight(struct outbox *ob, const char *id, struct errbuf *err)
{
	struct outbox_entry *e = find(ob, id);

	if (e == NULL || e->state != OUTBOX_PENDING || !e->in_flight) {
		errbuf_set(err, "no reply %s is being sent", id);
		return NULL;
	}
	return e;
}

/* Whether chat `id` is among the first n of `blocked`. */
static bool chat_blocked(char (*blocked)[UUID_STRLEN + 1], size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(blocked[i], id) == 0)
			return true;
	return false;
}

/* One pass over the queue: send each entry that is due and is the oldest
 * PENDING one of its chat. Returns false when the list changed under us
 * (the sender reported synchronously and the caller should look again). */
static bool pump_pass(struct outbox *ob)
{
	size_t n = ob->entries.n, nblocked = 0;
	char (*blocked)[UUID_STRLEN + 1] = calloc(n ? n : 1, sizeof *blocked);
	int64_t t = now(ob);

	ob->repump = false;
	if (blocked == NULL) {
		log_error("outbox: out of memory; sending later");
		return true;
	}
	for (size_t i = 0; i < ob->entries.n && i < n; i++) {
		struct outbox_entry *e = ob->entries.v[i];

		if (e->state != OUTBOX_PENDING)
			continue;
		if (chat_blocked(blocked, nblocked, e->chat_id))
			continue;
		snprintf(blocked[nblocked++], sizeof *blocked, "%s", e->chat_id);
		if (e->in_flight || e->next_try_at > t || held(ob, e))
			continue;
		e->in_flight = true;
		e->attempts++;
		notify(ob, e);
		ob->send(ob->send_ctx, e);
		/* Answered at once (or changed from a callback): this chat
		 * may be free now, and entries may have come or gone. */
		if (ob->repump)
			break;
	}
	free(blocked);
	return !ob->repump;
}

/* Send what can be sent. Re-entrant: a sender that reports from inside
 * send() lands here again; that call only asks the outer loop for another
 * pass, so the stack stays flat however many replies are queued. */
static void pump(struct outbox *ob)
{
	if (ob->pumping) {
		ob->repump = true;
		return;
	}
	ob->pumping = true;
	while (ob->online && !pump_pass(ob))
		;
	ob->pumping = false;
}

/* ---- public ------------------------------------------------------------- */

struct outbox *outbox_open(const struct outbox_options *opt, struct errbuf *err)
{
	struct outbox *ob;

	if (opt == NULL || opt->dir == NULL || opt->send == NULL) {
		errbuf_set(err, "outbox: a directory and a sender are required");
		return NULL;
	}
	ob = calloc(1, sizeof *ob);
	if (ob == NULL) {
		errbuf_set(err, "out of memory");
		return NULL;
	}
	ob->send = opt->send;
	ob->send_ctx = opt->send_ctx;
	ob->changed = opt->changed;
	ob->changed_ctx = opt->changed_ctx;
	ob->clock = opt->clock;
	ob->clock_ctx = opt->clock_ctx;
	ob->held = opt->held;
	ob->held_ctx = opt->held_ctx;
	ob->seed = (uint64_t)ts_now() ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)ob;
	if (!journal_open(&ob->journal, opt->dir, &ob->entries, (off_t)opt->compact_bytes, err)) {
		errbuf_prefix(err, "outbox");
		free(ob);
		return NULL;
	}
	for (size_t i = 0; i < ob->entries.n; i++)
		init_backoff(ob, ob->entries.v[i]);
	return ob;
}

void outbox_close(struct outbox *ob)
{
	bool keep = false;

	if (ob == NULL)
		return;
	for (size_t i = 0; i < ob->entries.n; i++)
		keep |= ob->entries.v[i]->state != OUTBOX_SENT;
	journal_close(&ob->journal, !keep);
	entry_vec_free(&ob->entries);
	free(ob);
}

bool outbox_add(struct outbox *ob, const char *chat_id, const char *text, bool internal,
		char *out_id, struct errbuf *err)
{
	char id[UUID_STRLEN + 1];
	struct outbox_entry *e;
	size_t len, chars;

	if (!uuid_valid(chat_id))
		return errbuf_set(err, "not a chat id: the reply was not queued");
	len = strlen(text);
	if (!utf8_valid(text, len))
		return errbuf_set(err, "the reply is not valid UTF-8 text");
	chars = utf8_count(text, len);
	if (chars == 0)
		return errbuf_set(err, "the reply is empty");
	if (chars > REPLY_MAX_CHARS)
		return errbuf_set(err, "the reply is %zu characters long; at most %d fit", chars,
				  REPLY_MAX_CHARS);
	/* A UUID fits the client_msg_id alphabet and is unique without
	 * coordination between processes. */
	if (!uuid_generate(id, err))
		return false;
	e = outbox_entry_new(id, chat_id, text, internal, now(ob));
	if (e == NULL)
		return errbuf_set(err, "out of memory");
	init_backoff(ob, e);
	if (!entry_vec_push(&ob->entries, e)) {
		outbox_entry_free(e);
		return errbuf_set(err, "out of memory");
	}
	if (!journal_append_add(&ob->journal, e, err)) {
		ob->entries.n--;
		outbox_entry_free(e);
		return false;
	}
	if (out_id != NULL)
		memcpy(out_id, id, sizeof id);
	notify(ob, e);
	pump(ob);
	return true;
}

void outbox_set_online(struct outbox *ob, bool online)
{
	bool was = ob->online;

	ob->online = online;
	if (!online || was)
		return;
	/* The connection is back: whatever waited for a backoff goes now. */
	for (size_t i = 0; i < ob->entries.n; i++) {
		struct outbox_entry *e = ob->entries.v[i];

		if (e->state == OUTBOX_PENDING && !e->in_flight) {
			e->next_try_at = 0;
			backoff_reset(&e->backoff);
		}
	}
	pump(ob);
}

void outbox_tick(struct outbox *ob)
{
	pump(ob);
}

/* Whether entry i waits behind an older PENDING reply of its chat (then
 * its time is not what matters: a timer armed for it would fire, find it
 * blocked, and fire again at once, for as long as the older one is out). */
static bool waits_for_older(const struct outbox *ob, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (ob->entries.v[k]->state == OUTBOX_PENDING &&
		    strcmp(ob->entries.v[k]->chat_id, ob->entries.v[i]->chat_id) == 0)
			return true;
	return false;
}

int64_t outbox_next_due(const struct outbox *ob)
{
	int64_t due = INT64_MAX;

	if (!ob->online)
		return due;
	for (size_t i = 0; i < ob->entries.n; i++) {
		const struct outbox_entry *e = ob->entries.v[i];

		if (e->state != OUTBOX_PENDING || e->in_flight || e->next_try_at >= due ||
		    waits_for_older(ob, i) || held(ob, e))
			continue;
		due = e->next_try_at;
	}
	return due;
}

bool outbox_sent(struct outbox *ob, const char *client_msg_id, const struct message *ack,
		 struct errbuf *err)
{
	struct outbox_entry *e = find_in_flight(ob, client_msg_id, err);
	struct errbuf jerr;

	if (e == NULL)
		return false;
	/* If this record is lost the reply is sent again after a restart,
	 * and the hub answers 200 with the first message: no harm. */
	if (!journal_append(&ob->journal, JOP_SENT, e->client_msg_id, NULL, &jerr))
		log_warn("outbox: %s", jerr.msg);
	e->in_flight = false;
	e->state = OUTBOX_SENT;
	journal_maybe_compact(&ob->journal, &ob->entries);
	set_reason(e, NULL);
	if (ack != NULL)
		snprintf(e->message_id, sizeof e->message_id, "%s", ack->id);
	notify(ob, e);
	pump(ob);
	return true;
}

bool outbox_failed(struct outbox *ob, const char *client_msg_id, const char *reason,
		   struct errbuf *err)
{
	struct outbox_entry *e = find_in_flight(ob, client_msg_id, err);
	struct errbuf jerr;

	if (e == NULL)
		return false;
	e->in_flight = false;
	e->state = OUTBOX_FAILED;
	set_reason(e, reason ? reason : "refused by the hub");
	/* If this record is lost the reply is tried once more after a
	 * restart and refused again: still not lost. */
	if (!journal_append(&ob->journal, JOP_FAILED, e->client_msg_id, e->reason, &jerr))
		log_warn("outbox: %s", jerr.msg);
	notify(ob, e);
	pump(ob);
	return true;
}

bool outbox_retry_later(struct outbox *ob, const char *client_msg_id, const char *reason,
			int64_t retry_after_ms, struct errbuf *err)
{
	struct outbox_entry *e = find_in_flight(ob, client_msg_id, err);
	int64_t delay;

	if (e == NULL)
		return false;
	/* Retry-After says "not before"; the backoff still counts, so a hub
	 * that keeps saying 0 does not get a tight loop. */
	delay = (int64_t)backoff_next_ms(&e->backoff);
	if (retry_after_ms > delay)
		delay = retry_after_ms;
	e->in_flight = false;
	e->next_try_at = now(ob) + delay;
	set_reason(e, reason);
	notify(ob, e);
	pump(ob);
	return true;
}

bool outbox_retry(struct outbox *ob, const char *client_msg_id, struct errbuf *err)
{
	struct outbox_entry *e = find(ob, client_msg_id);

	if (e == NULL || e->state != OUTBOX_FAILED)
		return errbuf_set(err, "reply %s has not failed", client_msg_id);
	if (!journal_append(&ob->journal, JOP_RETRY, e->client_msg_id, NULL, err))
		return false;
	e->state = OUTBOX_PENDING;
	e->next_try_at = 0;
	backoff_reset(&e->backoff);
	set_reason(e, NULL);
	notify(ob, e);
	pump(ob);
	return true;
}

bool outbox_discard(struct outbox *ob, const char *client_msg_id, struct errbuf *err)
{
	long i = entry_vec_find(&ob->entries, client_msg_id);
	struct outbox_entry *e = i < 0 ? NULL : ob->entries.v[i];

	if (e == NULL || e->state == OUTBOX_SENT)
		return errbuf_set(err, "no unsent reply %s", client_msg_id);
	if (e->in_flight)
		return errbuf_set(err, "the reply is being sent; wait for the answer");
	if (!journal_append(&ob->journal, JOP_DISCARD, e->client_msg_id, NULL, err))
		return false;
	entry_vec_remove(&ob->entries, (size_t)i);
	journal_maybe_compact(&ob->journal, &ob->entries);
	if (ob->pumping)
		ob->repump = true;
	/* A discarded head of its chat no longer holds the next one back. */
	pump(ob);
	return true;
}

bool outbox_forget(struct outbox *ob, const char *client_msg_id, struct errbuf *err)
{
	long i = entry_vec_find(&ob->entries, client_msg_id);

	if (i < 0 || ob->entries.v[i]->state != OUTBOX_SENT)
		return errbuf_set(err, "no sent reply %s", client_msg_id);
	entry_vec_remove(&ob->entries, (size_t)i);
	if (ob->pumping)
		ob->repump = true;	/* the indices of a pass just moved */
	return true;
}

size_t outbox_count(const struct outbox *ob)
{
	return ob->entries.n;
}

const struct outbox_entry *outbox_entry_at(const struct outbox *ob, size_t i)
{
	return i < ob->entries.n ? ob->entries.v[i] : NULL;
}

const struct outbox_entry *outbox_find(const struct outbox *ob, const char *client_msg_id)
{
	long i = entry_vec_find(&ob->entries, client_msg_id);

	return i < 0 ? NULL : ob->entries.v[i];
}

size_t outbox_bad_lines(const struct outbox *ob)
{
	return ob->journal.bad_lines;
}

int outbox_describe(const struct outbox_entry *e, int64_t now_ms, char *out, size_t outlen)
{
	int64_t wait_s;

	switch (e->state) {
	case OUTBOX_SENT:
		return snprintf(out, outlen, "sent");
	case OUTBOX_FAILED:
		return snprintf(out, outlen, "failed: %s", e->reason ? e->reason : "refused");
	case OUTBOX_PENDING:
		break;
	}
	if (e->in_flight || e->reason == NULL)
		return snprintf(out, outlen, "sending…");
	wait_s = e->next_try_at > now_ms ? (e->next_try_at - now_ms + 999) / 1000 : 0;
	if (wait_s == 0)
		return snprintf(out, outlen, "%s; retrying now", e->reason);
	return snprintf(out, outlen, "%s; retrying in %lld s", e->reason, (long long)wait_s);
}
