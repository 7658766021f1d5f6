/*
 * db_checkpoint.c — keeping the write-ahead log short, off the event loop.
 *
 * Every commit appends pages to the WAL (handoff.db-wal); only a checkpoint
 * copies them into the database file, and only a commit that finds
 * everything copied starts the WAL again from the top. Left alone, the WAL
 * holds everything ever written (2,500 messages of 3,000 characters made a
 * 166 MB WAL beside a 128 KiB database, and closing copies all of it: 85 s
 * for an 11 GB one).
 *
 * SQLite's automatic checkpoint would run inside the commit that crosses
 * 1,000 pages, fsyncs included, on the hub's loop: every event published
 * meanwhile waited. Instead the main connection's commits only report the
 * WAL's length (on_wal_commit), and a thread with a connection of its own
 * does the copying:
 *
 *   - Past CHECKPOINT_PAGES, and at every CHECKPOINT_PAGES more, a commit
 *     wakes the thread for a PASSIVE checkpoint: it copies what no reader
 *     still needs and never blocks the writer; close to the RESTART mark
 *     below, every commit wakes it. When the writer pauses after one, the
 *     next commit restarts the WAL, and journal_size_limit cuts the file
 *     back to WAL_KEEP_BYTES there.
 *   - A writer that never pauses (sustained ingest) has always appended
 *     more by the time a PASSIVE checkpoint ends, so the WAL never
 *     restarts; and a RESTART checkpoint, which needs the write lock,
 *     starves behind it. So the commit that takes the WAL past
 *     WAL_RESTART_PAGES asks the thread for a RESTART checkpoint and
 *     waits for it (the loop stands still for the copy of what PASSIVE had
 *     not reached yet and the syncs). The next commit writes the WAL from
 *     its start again, so the file never holds more than
 *     WAL_RESTART_PAGES and one transaction.
 *   - RESTART, not TRUNCATE: cutting the file to nothing and growing it
 *     again doubled the wait (7 to 9 ms every 67 single ingests against 3
 *     to 5 ms, doc/performance.md), and the file is kept at the size it
 *     reaches anyway (WAL_KEEP_BYTES).
 *   - Only another process can make RESTART fail: a reader holding an old
 *     snapshot (a backup) pins the WAL. The wait is then cut at
 *     RESTART_BUSY_MS, and the WAL may grow another WAL_RESTART_PAGES
 *     before the loop waits again; the first restart after the reader
 *     leaves cuts the file back to WAL_KEEP_BYTES.
 *
 * The thread's connection reads the schema once when it opens. A
 * connection that never ran a statement has not opened the WAL, and on
 * SQLite 3.40 sqlite3_wal_checkpoint_v2 on it returns SQLITE_OK, reports
 * nLog = -1 and copies nothing: for a long time that was every checkpoint
 * here. Each checkpoint's counts are checked, and one that could not copy
 * is logged as a warning.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "db_internal.h"
#include "log.h"
#include "timeutil.h"

/* Wake the thread past this many WAL pages (SQLite's own default). */
#define CHECKPOINT_PAGES 1000
/* Past this many the writer has outrun PASSIVE: RESTART, and wait. The
 * wait does not grow with the mark (the copy of what the last PASSIVE had
 * not reached, and the syncs: 2 to 4 ms at 8,000 pages or 16,000 with the
 * lead below), so a higher mark makes it rarer: once every 550 single
 * ingests at 16,000, every 270 at 8,000. At 1,000 ingests a second that
 * took the answers' p99 from 6.9-7.6 ms to 4.9-5.2 ms; the price is a WAL
 * file of up to 64 MB (doc/performance.md). */
#define WAL_RESTART_PAGES (16 * CHECKPOINT_PAGES)
/* Over the last this many pages before that mark, a commit wakes the
 * thread every time, so the RESTART finds almost everything copied: at
 * 1,000 ingests a second the loop's wait fell from a median of 6.7 to
 * 7.6 ms (woken every CHECKPOINT_PAGES, the RESTART copied up to 1,000
 * pages) to 2.9 to 3.3 ms. Waking at every commit all the way did as well
 * but re-copied the hot pages for the whole cycle: the hub used 8.8 to
 * 10.9 s of CPU for 10 s of that ingest, against 7.5 to 8.2 s with the
 * lead and 6.7 to 7.4 s without (doc/performance.md). */
#define RESTART_LEAD_PAGES CHECKPOINT_PAGES
/* How long RESTART waits for the write lock and for readers. While the
 * loop waits for it, the hub itself neither reads nor writes: only another
 * process (a backup, `handoffd agent add`) can be in the way. */
#define RESTART_BUSY_MS 250
/* journal_size_limit: what a restarted WAL file keeps. Just above what
 * WAL_RESTART_PAGES pages of 4 KiB and one transaction take (65.5 MB), so
 * the file is not cut and regrown every cycle, and only a WAL that a
 * reader pinned past it is cut back. */
#define WAL_KEEP_BYTES (65 << 20)

struct checkpointer {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t wake;         /* to the thread: work, or stop */
	pthread_cond_t restart_done; /* from the thread: a RESTART ended */
	bool wanted, restart, stop;
	unsigned long restarts;
	bool restarted;           /* the last RESTART copied the whole WAL */
	int restart_at;           /* WAL pages that make a commit wait for one */
	/* WAL pages at which a commit next wakes the thread (next_wake; the
	 * loop's own, so read without the lock). */
	int wake_at;
	bool warned;              /* a failure was logged; the next only after a success */
	sqlite3 *conn;
};

/* One checkpoint in `mode`; true when it ran. *log gets the WAL's length
 * in pages, *copied how many of them are now in the database file. */
static bool checkpoint(struct checkpointer *cp, int mode, int *log, int *copied)
{
	int rc = sqlite3_wal_checkpoint_v2(cp->conn, NULL, mode, log, copied);

	if (rc == SQLITE_OK && *log >= 0) {
		cp->warned = false;
		return true;
	}
	/* A PASSIVE checkpoint that meets the hub's own writer gives up and
	 * is asked again after the next commits: routine, not a warning. */
	if (rc == SQLITE_BUSY && mode == SQLITE_CHECKPOINT_PASSIVE) {
		log_debug("database: checkpoint PASSIVE: busy, left for the next commit");
		return false;
	}
	if (!cp->warned) {
		if (rc == SQLITE_OK)
			log_warn("database: checkpoint: the WAL is not open on the checkpoint "
				 "connection; nothing was copied");
		else
			log_warn("database: checkpoint: %s", sqlite3_errmsg(cp->conn));
		cp->warned = true;
	}
	return false;
}

static void *checkpoint_loop(void *arg)
{
	struct checkpointer *cp = arg;
	int log = -1, copied = -1;

	pthread_mutex_lock(&cp->mu);
	for (;;) {
		while (!cp->wanted && !cp->stop)
			pthread_cond_wait(&cp->wake, &cp->mu);
		if (cp->stop)
			break;
		bool restart = cp->restart;
		cp->wanted = cp->restart = false;
		pthread_mutex_unlock(&cp->mu);
		bool ok = checkpoint(cp,
				     restart ? SQLITE_CHECKPOINT_RESTART : SQLITE_CHECKPOINT_PASSIVE,
				     &log, &copied);
		if (ok)
			log_debug("database: checkpoint %s: %d of %d WAL pages copied",
				  restart ? "RESTART" : "PASSIVE", copied, log);
		pthread_mutex_lock(&cp->mu);
		if (restart) {
			cp->restarted = ok;
			cp->restarts++;
			pthread_cond_broadcast(&cp->restart_done);
		}
	}
	pthread_mutex_unlock(&cp->mu);
	return NULL;
}

/* Where the commit that just woke the thread at `pages` sets the next
 * wake: every CHECKPOINT_PAGES of growth, not at every commit (back to
 * back, the PASSIVE runs copied the same hot pages again and again), but
 * at every commit over the last RESTART_LEAD_PAGES before the restart
 * mark, so the RESTART the loop waits for has little left to copy. */
static int next_wake(const struct checkpointer *cp, int pages)
{
	int lead = cp->restart_at - RESTART_LEAD_PAGES;

	if (pages >= lead)
		return pages + 1;
	return pages + CHECKPOINT_PAGES < lead ? pages + CHECKPOINT_PAGES : lead;
}

/* Called by SQLite on the loop after each commit of the main connection,
 * locks released, with the WAL's length in pages. */
static int on_wal_commit(void *ctx, sqlite3 *conn, const char *name, int pages)
{
	struct checkpointer *cp = ctx;

	(void)conn;
	(void)name;
	if (pages < CHECKPOINT_PAGES) {
		cp->wake_at = CHECKPOINT_PAGES;
		return SQLITE_OK;
	}
	if (pages < cp->wake_at && pages < cp->restart_at)
		return SQLITE_OK;
	pthread_mutex_lock(&cp->mu);
	if (pages >= cp->wake_at) {
		cp->wanted = true;
		pthread_cond_signal(&cp->wake);
		cp->wake_at = next_wake(cp, pages);
	}
	if (pages >= cp->restart_at) {
		int64_t t0 = ts_now();
		unsigned long seen = cp->restarts;
		cp->wanted = cp->restart = true;
		pthread_cond_signal(&cp->wake);
		while (cp->restarts == seen)
			pthread_cond_wait(&cp->restart_done, &cp->mu);
		log_debug("database: the WAL reached %d pages; writes waited %lld ms for a "
			  "RESTART checkpoint (%s)", pages, (long long)(ts_now() - t0),
			  cp->restarted ? "done" : "failed");
		/* Another process's reader kept it: let the WAL grow another
		 * step before the loop waits again, rather than at every commit. */
		cp->restart_at = cp->restarted ? WAL_RESTART_PAGES : pages + WAL_RESTART_PAGES;
	}
	pthread_mutex_unlock(&cp->mu);
	return SQLITE_OK;
}

static bool conn_exec(sqlite3 *conn, const char *sql, const char *path, struct errbuf *err)
{
	char *msg = NULL;

	if (sqlite3_exec(conn, sql, NULL, NULL, &msg) == SQLITE_OK)
		return true;
	errbuf_set(err, "database %s: checkpoint set-up: %s", path,
		   msg ? msg : sqlite3_errmsg(conn));
	sqlite3_free(msg);
	return false;
}

bool db_checkpointer_start(struct db *db, const char *path, struct errbuf *err)
{
	struct checkpointer *cp = calloc(1, sizeof *cp);
	char limit[64];

	if (!cp)
		return errbuf_set(err, "database: out of memory");
	snprintf(limit, sizeof limit, "PRAGMA journal_size_limit = %d;", WAL_KEEP_BYTES);
	if (sqlite3_open_v2(path, &cp->conn, DB_OPEN_FLAGS, NULL) != SQLITE_OK) {
		errbuf_set(err, "database %s: checkpoint connection: %s", path,
			   cp->conn ? sqlite3_errmsg(cp->conn) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(cp->conn, RESTART_BUSY_MS);
	cp->restart_at = WAL_RESTART_PAGES;
	cp->wake_at = CHECKPOINT_PAGES;
	/* Opens the WAL on this connection (see the top). */
	if (!conn_exec(cp->conn, "SELECT count(*) FROM sqlite_schema;", path, err) ||
	    !conn_exec(db->conn, limit, path, err))
		goto fail;
	pthread_mutex_init(&cp->mu, NULL);
	pthread_cond_init(&cp->wake, NULL);
	pthread_cond_init(&cp->restart_done, NULL);
	if (pthread_create(&cp->thread, NULL, checkpoint_loop, cp) != 0) {
		pthread_mutex_destroy(&cp->mu);
		pthread_cond_destroy(&cp->wake);
		pthread_cond_destroy(&cp->restart_done);
		errbuf_set(err, "database: cannot start the checkpoint thread");
		goto fail;
	}
	/* Replaces SQLite's automatic checkpoint on this connection. */
	sqlite3_wal_hook(db->conn, on_wal_commit, cp);
	db->checkpointer = cp;
	return true;
fail:
	sqlite3_close(cp->conn);
	free(cp);
	return false;
}

void db_checkpointer_stop(struct db *db)
{
	struct checkpointer *cp = db->checkpointer;

	if (!cp)
		return;
	sqlite3_wal_hook(db->conn, NULL, NULL);
	pthread_mutex_lock(&cp->mu);
	cp->stop = true;
	pthread_cond_signal(&cp->wake);
	pthread_mutex_unlock(&cp->mu);
	pthread_join(cp->thread, NULL);
	sqlite3_close(cp->conn);
	pthread_mutex_destroy(&cp->mu);
	pthread_cond_destroy(&cp->wake);
	pthread_cond_destroy(&cp->restart_done);
	free(cp);
	db->checkpointer = NULL;
}
