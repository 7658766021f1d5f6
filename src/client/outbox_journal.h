/*
 * outbox_journal.h — the outbox on disk (internal to outbox*.c).
 *
 * A journal is a file of JSON lines, one record each, appended and fsynced
 * one at a time:
 *
 *   {"op":"add","id":ID,"chat_id":UUID,"text":T,"internal":B,"created_at":TS}
 *   {"op":"failed","id":ID,"reason":R}
 *   {"op":"retry","id":ID}          FAILED back to PENDING
 *   {"op":"sent","id":ID}           gone: the hub has it
 *   {"op":"discard","id":ID}        gone: the agent dropped it
 *
 * JSON never holds a raw newline, so a line is a record; a write torn by a
 * crash can only damage the last line, which has no newline and is ignored.
 */
#ifndef HANDOFF_OUTBOX_JOURNAL_H
#define HANDOFF_OUTBOX_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "errbuf.h"
#include "outbox.h"

/* Journals are read whole; one larger than this is left alone (it cannot
 * be ours: 64 MiB is thousands of the longest replies). */
#define JOURNAL_MAX_BYTES (64u << 20)

/* A growable array of entries, owned. */
struct entry_vec {
	struct outbox_entry **v;
	size_t n, cap;
};

/* Append; false when out of memory (e is not taken then). */
bool entry_vec_push(struct entry_vec *vec, struct outbox_entry *e);
/* Index of the entry with this id, or -1. */
long entry_vec_find(const struct entry_vec *vec, const char *id);
/* Remove v[i] (freeing it), keeping the order of the rest. */
void entry_vec_remove(struct entry_vec *vec, size_t i);
/* Free every entry and the array. */
void entry_vec_free(struct entry_vec *vec);

/* A new PENDING entry with copies of the strings; NULL when out of memory. */
struct outbox_entry *outbox_entry_new(const char *id, const char *chat_id, const char *text,
				      bool internal, int64_t created_at);
void outbox_entry_free(struct outbox_entry *e);

enum journal_op { JOP_ADD, JOP_FAILED, JOP_RETRY, JOP_SENT, JOP_DISCARD };

struct journal {
	int fd;			/* open, flock'ed exclusively; -1 when closed */
	char *dir;
	char *path;		/* .../outbox-<uuid>.jsonl */
	off_t size;		/* bytes of whole records written */
	size_t bad_lines;	/* undecodable lines met while adopting */
	off_t compact_at;	/* journal_maybe_compact rewrites beyond this size */
	off_t compact_min;	/* ... but never below it */
};

/* Default for outbox_options.compact_bytes. */
#define JOURNAL_COMPACT_BYTES ((off_t)1 << 20)

/* Adopt every journal in `dir` whose lock is free, replay them into `live`
 * (PENDING and FAILED entries, oldest first, no duplicate ids), write them
 * to a new journal of our own, then remove the adopted files (or rename
 * them to .bad when they held undecodable lines). Stale temporary files are
 * removed. On failure nothing on disk has been removed. `compact_min` is
 * the size below which journal_maybe_compact never rewrites (0: default). */
bool journal_open(struct journal *j, const char *dir, struct entry_vec *live, off_t compact_min,
		  struct errbuf *err);

/* When the journal has grown past its threshold, write the entries of
 * `live` that are not SENT to a new journal (as journal_open does) and
 * remove the old one; the threshold becomes twice the new size (at least
 * compact_min), so a long queue is not rewritten at every record. A failure
 * leaves the old journal in use and is only logged: nothing is lost. */
void journal_maybe_compact(struct journal *j, const struct entry_vec *live);

/* Append one record and fsync it. A failed write is cut back off, so the
 * next record still starts on a line of its own. */
bool journal_append_add(struct journal *j, const struct outbox_entry *e, struct errbuf *err);
bool journal_append(struct journal *j, enum journal_op op, const char *id, const char *reason,
		    struct errbuf *err);

/* Close (releasing the lock); with `remove`, delete the file first. */
void journal_close(struct journal *j, bool remove);

#endif
