/*
 * db_checkpoint.c — WAL checkpoints on a thread of their own.
 *
 * With synchronous=NORMAL a commit writes the WAL without an fsync; the
 * fsyncs all happen when the WAL is copied back into the database (a
 * checkpoint). SQLite's automatic checkpoint runs inside the commit that
 * crosses 1,000 pages, on the caller's thread: the hub's event loop then
 * stood still for the fsync, and every event published meanwhile waited
 * (the p99 of the console's event-to-screen latency was that wait). Here
 * the main connection's commits only count WAL pages; past
 * CHECKPOINT_PAGES they wake this thread, which checkpoints PASSIVE on its
 * own connection: it copies what no reader still needs, never blocks the
 * writer, and takes the fsyncs off the loop.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "hub/db_internal.h"
#include "log.h"

/* SQLite's own default threshold. */
#define CHECKPOINT_PAGES 1000

struct checkpointer {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool wanted, stop;
	sqlite3 *conn;
	atomic_ulong done;
};

static void *checkpoint_loop(void *arg)
{
	struct checkpointer *cp = arg;

	pthread_mutex_lock(&cp->mu);
	for (;;) {
		while (!cp->wanted && !cp->stop)
			pthread_cond_wait(&cp->cv, &cp->mu);
		if (cp->stop)
			break;
		cp->wanted = false;
		pthread_mutex_unlock(&cp->mu);
		int rc = sqlite3_wal_checkpoint_v2(cp->conn, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
						   NULL);
		if (rc != SQLITE_OK && rc != SQLITE_BUSY)
			log_warn("database: checkpoint: %s", sqlite3_errmsg(cp->conn));
		atomic_fetch_add(&cp->done, 1);
		pthread_mutex_lock(&cp->mu);
	}
	pthread_mutex_unlock(&cp->mu);
	return NULL;
}

/* Called by SQLite after each commit on the main connection. */
static int on_wal_commit(void *ctx, sqlite3 *conn, const char *name, int pages)
{
	struct checkpointer *cp = ctx;

	(void)conn;
	(void)name;
	if (pages >= CHECKPOINT_PAGES) {
		pthread_mutex_lock(&cp->mu);
		cp->wanted = true;
		pthread_cond_signal(&cp->cv);
		pthread_mutex_unlock(&cp->mu);
	}
	return SQLITE_OK;
}

bool db_checkpointer_start(struct db *db, const char *path, struct errbuf *err)
{
	struct checkpointer *cp = calloc(1, sizeof *cp);

	if (!cp)
		return errbuf_set(err, "database: out of memory");
	if (sqlite3_open_v2(path, &cp->conn, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		errbuf_set(err, "database %s: checkpoint connection: %s", path,
			   cp->conn ? sqlite3_errmsg(cp->conn) : "out of memory");
		sqlite3_close(cp->conn);
		free(cp);
		return false;
	}
	sqlite3_busy_timeout(cp->conn, 5000);
	pthread_mutex_init(&cp->mu, NULL);
	pthread_cond_init(&cp->cv, NULL);
	if (pthread_create(&cp->thread, NULL, checkpoint_loop, cp) != 0) {
		sqlite3_close(cp->conn);
		free(cp);
		return errbuf_set(err, "database: cannot start the checkpoint thread");
	}
	/* Replaces SQLite's automatic checkpoint on this connection. */
	sqlite3_wal_hook(db->conn, on_wal_commit, cp);
	db->checkpointer = cp;
	return true;
}

void db_checkpointer_stop(struct db *db)
{
	struct checkpointer *cp = db->checkpointer;

	if (!cp)
		return;
	sqlite3_wal_hook(db->conn, NULL, NULL);
	pthread_mutex_lock(&cp->mu);
	cp->stop = true;
	pthread_cond_signal(&cp->cv);
	pthread_mutex_unlock(&cp->mu);
	pthread_join(cp->thread, NULL);
	sqlite3_close(cp->conn);
	pthread_mutex_destroy(&cp->mu);
	pthread_cond_destroy(&cp->cv);
	free(cp);
	db->checkpointer = NULL;
}

unsigned long db_checkpoints_done(const struct db *db)
{
	return db->checkpointer ? atomic_load(&db->checkpointer->done) : 0;
}
