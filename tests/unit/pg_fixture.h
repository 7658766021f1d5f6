/*
 * pg_fixture.h — what the PostgreSQL back end's unit tests share: the
 * program's own server (pgserver.c) and a connection to its database, the
 * small queries every test makes, and a runner for threads that race one
 * another on connections of their own.
 *
 * Include it after <cmocka.h>: the helpers fail the test (fail_msg) when
 * the database answers with an error, so they are for the main thread
 * only. Threads never assert (cmocka's failures jump within the main
 * thread): the race runner gives each one an error buffer and checks them
 * all once the threads are joined.
 */
#ifndef HANDOFF_TEST_PG_FIXTURE_H
#define HANDOFF_TEST_PG_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>

#include "pg.h"
#include "pgserver.h"

/* The group's state: the server, and with `connect` a struct pg opened on
 * its database "handoff" (so migrated) and that pg's connection. A test
 * program's own state struct puts it first, so that pgfx_teardown frees
 * that struct whatever else it holds. */
struct pgfx {
	struct pgserver *server;
	struct pg *pg;
	PGconn *c;
};

/* cmocka group setup's half: a zeroed state of `size` bytes (a struct
 * starting with struct pgfx) in *state, the server started and, with
 * `connect`, the connection open. NULL on failure, said on stderr; *state
 * is set even then, as cmocka runs the teardown after a failing setup. */
void *pgfx_new(void **state, size_t size, bool connect);

/* cmocka group teardown: closes, stops the server, frees the state. */
int pgfx_teardown(void **state);

/* sql with its parameters (as text) on c; its result, which the caller
 * clears. Fails the test unless the command succeeded. */
PGresult *pgfx_sql(PGconn *c, const char *text, int n, const char *const *params);

/* The same, for a command whose result does not matter. */
void pgfx_run(PGconn *c, const char *text, int n, const char *const *params);

/* The one integer a query returns (one row, or the test fails). */
long long pgfx_number(PGconn *c, const char *text, int n, const char *const *params);

/* An account of `role` called `name` (borrowed: a->name points to it,
 * never freed) into *a, inserted as a hub would have it, in the order of
 * the calls (created_at), with a token_hash nobody can present. */
void pgfx_account(PGconn *c, struct agent *a, const char *name, enum account_role role);

/* A new uuid into id. */
void pgfx_new_id(uuid_str id);

/* A new channel ("widget") and owner ("Customer"), for the chats a test
 * makes; their ids into channel and owner. */
void pgfx_channel_and_owner(PGconn *c, uuid_str channel, uuid_str owner);

/* One event of `chat` in one transaction, as a hub writes it: the seq
 * taken, the row written, then rolled back instead of committed when
 * asked (the worst moment). Its frame is {"seq":N}; with `even_notes`
 * the events of even seqs are notes. false, said in err, on an error. */
bool pgfx_append_event(PGconn *c, const char *chat, bool rollback, bool even_notes,
		       struct errbuf *err);

/* The whole event log is 1..N, N its returned length: no hole, no
 * duplicate, the counter at N. */
long long pgfx_assert_log_gap_free(PGconn *c);

/* Milliseconds on the monotonic clock, for deadlines. */
long long pgfx_now_ms(void);

/* ---- threads racing ------------------------------------------------------ */

#define PGFX_MAX_THREADS 16

/* `threads` threads, each on a connection of its own (pg_open, as a hub
 * opens it), take a turn in each of `rounds` rounds; a round starts for
 * all at once (a go barrier) and ends when all are done (a done barrier),
 * so that each round is a race of its own. */
struct pgfx_race {
	const char *conninfo;
	int threads, rounds;
	/* One thread's turn: false (said in err) ends the thread's part, its
	 * connection closed; it still passes every barrier, or the others
	 * would wait for it for ever. */
	bool (*turn)(PGconn *c, int thread, int round, void *ctx, struct errbuf *err);
	/* In the main thread, before a round's start and after its end (each
	 * may be NULL): to set the stage, or look at what the round did. */
	void (*before)(int round, void *ctx);
	void (*after)(int round, void *ctx);
	void *ctx;
	const char *who; /* a thread's name in a failure: "racer 3: …" */
};

/* Run the race, join the threads, and fail the test with the first
 * thread's error, if any. */
void pgfx_race(const struct pgfx_race *race);

#endif
