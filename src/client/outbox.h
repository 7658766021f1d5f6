/*
 * outbox.h — replies the agent typed, kept on disk until the hub has them.
 *
 * A reply (or internal note) gets a client_msg_id when it is typed, is
 * written to a journal and fsynced before outbox_add returns, and is sent
 * until the hub acknowledges it: after a lost connection, after a 5xx, after
 * the console itself was killed. The hub answers a repeated client_msg_id
 * with the first message and stores nothing, so resending is always safe
 * and each reply appears exactly once.
 *
 * The outbox does no networking and has no event loop of its own:
 *
 *   - it hands an entry to a *sender* (function pointer + context), which
 *     starts the request and later reports the outcome with outbox_sent,
 *     outbox_failed (a refusal that repeating cannot fix) or
 *     outbox_retry_later (unreachable, 5xx, 429). The sender may report
 *     from inside the call, or from any later loop turn;
 *   - time comes from a clock function (ts_now unless the options give one),
 *     and retries happen when the integrator calls outbox_tick, e.g. from a
 *     uv timer armed for outbox_next_due(). Tests drive both by hand.
 *
 * Order. The hub stores messages in arrival order, so two replies of one
 * chat in flight together could swap. The outbox therefore sends one entry
 * per chat at a time, oldest first: a PENDING entry (in flight or waiting
 * for its retry) holds back the younger entries of its chat. Different
 * chats do not wait for each other. A FAILED entry holds nothing back: it
 * is out of the queue until the agent retries it. The integrator may hold
 * an entry back too (options.held): the session holds a reply typed after
 * an action on its chat (a takeover) until the action is done, so the
 * reply cannot overtake it.
 *
 * States: PENDING (in_flight while the sender has it; `reason` is the last
 * transient failure, NULL before any) → SENT (gone from disk; kept in
 * memory until outbox_forget so the UI can show it) or FAILED (reason kept
 * on disk too, so a refused reply is never silently lost; outbox_retry
 * makes it PENDING again, outbox_discard drops it).
 *
 * On disk (see outbox_journal.c): each process appends to its own journal
 * `outbox-<uuid>.jsonl` in the state directory (0700; files 0600), locked
 * with flock(2) while the process lives. outbox_open adopts the journals of
 * processes that are gone (their lock is free), merges them, writes one
 * compacted journal and removes the adopted ones; a journal another live
 * process holds (a console and a `handoff reply` script at once) is left
 * alone. A long-running process compacts its own journal the same way
 * when it has grown (options.compact_bytes). A torn last line (kill -9 mid-write) is ignored; a line that does
 * not decode is skipped with a warning, and the journal that held it is
 * kept as `<name>.bad` for a human instead of being deleted.
 */
#ifndef HANDOFF_OUTBOX_H
#define HANDOFF_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backoff.h"
#include "errbuf.h"
#include "model.h"

enum outbox_state { OUTBOX_PENDING, OUTBOX_SENT, OUTBOX_FAILED };

/* Longest `reason` kept, in characters; longer ones are cut. */
#define OUTBOX_REASON_MAX_CHARS 500

/* One reply. Read-only to callers; valid until outbox_forget,
 * outbox_discard or outbox_close removes it. */
struct outbox_entry {
	char client_msg_id[CLIENT_MSG_ID_MAX_CHARS + 1]; /* a UUID v4 */
	uuid_str chat_id;
	char *text;
	bool internal;              /* a note rather than a reply */
	enum outbox_state state;
	char *reason;               /* FAILED: why; PENDING: last transient failure or NULL */
	int64_t created_at;         /* ms since the epoch, when typed */
	unsigned attempts;          /* sends started by this process */
	bool in_flight;             /* the sender has it now */
	int64_t next_try_at;        /* PENDING: not sent before this (ms) */
	uuid_str message_id;        /* SENT: the hub's message id, "" if unknown */
	struct backoff backoff;     /* this entry's retry schedule */
};

/* Start sending `e` (copy what the request needs: the entry may change
 * before the answer comes). Report the outcome exactly once. */
typedef void (*outbox_send_fn)(void *ctx, const struct outbox_entry *e);
/* `e` changed state, went in flight, or got a new reason. */
typedef void (*outbox_change_fn)(void *ctx, const struct outbox_entry *e);
/* Now, in ms since the epoch. */
typedef int64_t (*outbox_clock_fn)(void *ctx);
/* Whether the integrator holds entry `e` back for now (something of its
 * own on e's chat must reach the hub first). */
typedef bool (*outbox_held_fn)(void *ctx, const struct outbox_entry *e);

struct outbox_options {
	const char *dir;            /* the state directory (config_state_dir) */
	outbox_send_fn send;        /* required */
	void *send_ctx;
	outbox_change_fn changed;   /* may be NULL */
	void *changed_ctx;
	outbox_clock_fn clock;      /* NULL: ts_now */
	void *clock_ctx;
	/* NULL: nothing is held. A held entry, and the younger ones of its
	 * chat, wait as behind an older reply and are not due; call
	 * outbox_tick once it is free. */
	outbox_held_fn held;
	void *held_ctx;
	/* A running process rewrites its journal with only the live entries
	 * when it grows past this (and past twice its last compacted size);
	 * 0: 1 MiB. */
	long compact_bytes;
};

struct outbox;

/* Open the outbox in opt->dir: adopt the journals of dead processes, load
 * them (PENDING and FAILED entries, oldest first), and write this process's
 * journal. The outbox starts offline: nothing is sent before
 * outbox_set_online(ob, true). NULL with `err` set on failure. */
struct outbox *outbox_open(const struct outbox_options *opt, struct errbuf *err);

/* Release the journal lock and free everything. PENDING and FAILED entries
 * stay on disk for the next outbox_open; an empty journal is removed.
 * The sender must not report on entries after this. NULL is fine. */
void outbox_close(struct outbox *ob);

/* Queue a reply (or a note when `internal`) to chat `chat_id`. The text
 * must be 1..REPLY_MAX_CHARS characters of valid UTF-8, as the hub demands.
 * The entry is on disk (fsynced) when this returns true; its id goes to
 * out_id[CLIENT_MSG_ID_MAX_CHARS + 1] if that is not NULL. When online, it
 * is handed to the sender before returning (unless an older reply of the
 * same chat is still pending, or options.held holds it), after the change
 * function was told of the new entry. */
bool outbox_add(struct outbox *ob, const char *chat_id, const char *text, bool internal,
		char *out_id, struct errbuf *err);

/* The stream connection came back (true) or was lost (false). Coming
 * online sends what is pending at once, skipping any backoff wait, in the
 * order typed. Entries in flight stay in flight: their sender reports. */
void outbox_set_online(struct outbox *ob, bool online);

/* Send whatever is due now. Call when the timer armed for
 * outbox_next_due() fires; calling it early or often is harmless. */
void outbox_tick(struct outbox *ob);

/* When outbox_tick has something to do next (ms since the epoch), or
 * INT64_MAX when nothing waits for time (offline, all in flight, none
 * pending). May change after any outbox call and in every change
 * notification: re-arm the timer then. */
int64_t outbox_next_due(const struct outbox *ob);

/* Outcomes, from the sender. Each returns false (with `err`) when
 * `client_msg_id` is not an entry in flight, so a late or doubled report
 * changes nothing.
 *
 * outbox_sent: the hub has it (201, or 200 for a repeat); `ack` is the
 * message it answered with, or NULL. The entry leaves the disk. */
bool outbox_sent(struct outbox *ob, const char *client_msg_id, const struct message *ack,
		 struct errbuf *err);
/* outbox_failed: refused for good (400, 403, 404, 409 "chat is held by
 * Ana"): FAILED with `reason`, a sentence for the agent, kept on disk. */
bool outbox_failed(struct outbox *ob, const char *client_msg_id, const char *reason,
		   struct errbuf *err);
/* outbox_retry_later: a transient failure (hub unreachable, 5xx, 429; also
 * 401, since a bad token is not the reply's fault and fixing it should not
 * cost the agent their replies).
 * The entry waits for its jittered backoff (0.5 s doubling to 30 s), or for
 * `retry_after_ms` if that is longer (a 429's Retry-After; < 0 for none),
 * then goes again with the same client_msg_id. */
bool outbox_retry_later(struct outbox *ob, const char *client_msg_id, const char *reason,
			int64_t retry_after_ms, struct errbuf *err);

/* The agent's retry key: a FAILED entry becomes PENDING again (in its
 * original place in the order), with a fresh backoff. */
bool outbox_retry(struct outbox *ob, const char *client_msg_id, struct errbuf *err);

/* Drop an entry that is not in flight (FAILED, or PENDING and waiting),
 * from memory and disk. A PENDING entry that was sent before may have
 * reached the hub already (the answer may have been lost): discarding
 * stops the retries, it cannot unsend. */
bool outbox_discard(struct outbox *ob, const char *client_msg_id, struct errbuf *err);

/* Drop a SENT entry from memory once the UI no longer shows it. */
bool outbox_forget(struct outbox *ob, const char *client_msg_id, struct errbuf *err);

/* The entries, in the order typed (adopted ones by created_at). */
size_t outbox_count(const struct outbox *ob);
const struct outbox_entry *outbox_entry_at(const struct outbox *ob, size_t i);
const struct outbox_entry *outbox_find(const struct outbox *ob, const char *client_msg_id);

/* Lines of the journals read at open that could not be decoded (torn last
 * lines do not count: they are the expected trace of a crash). */
size_t outbox_bad_lines(const struct outbox *ob);

/* A short status for the UI: "sending…", "hub unreachable; retrying in 4 s",
 * "failed: Ana holds this chat", "sent". Returns what snprintf returns. */
int outbox_describe(const struct outbox_entry *e, int64_t now_ms, char *out, size_t outlen);

#endif
