/*
 * pgserver.h — a private PostgreSQL server for a test program.
 *
 * pgserver_start() makes a temporary directory, runs initdb in it (trust
 * authentication, superuser "handoff", UTF8, no locale) and starts
 * `postgres` listening only on a Unix socket in that directory (no TCP
 * port, so programs run at once never collide), with fsync off; returns once
 * it accepts connections, with a database "handoff" created.
 *
 * initdb and postgres refuse to run as root: as root (CI), they run as the
 * `postgres` system user (Debian's postgresql package creates it), owner
 * of the directory.
 *
 * The server is the test program's child, and the kernel sends it SIGQUIT
 * (PostgreSQL's immediate shutdown) when the thread that started it ends
 * (PR_SET_PDEATHSIG): a test that crashes or is killed leaves no server
 * running, only its directory under /tmp. So call pgserver_start from the
 * thread that lives longest, the main one (cmocka's group setup).
 */
#ifndef HANDOFF_TEST_PGSERVER_H
#define HANDOFF_TEST_PGSERVER_H

#include <stdbool.h>
#include <stddef.h>

struct pgserver;

/* NULL on failure, after saying why on stderr (with initdb's or the
 * server's log). */
struct pgserver *pgserver_start(void);

/* The libpq conninfo of the database "handoff": "host=DIR dbname=handoff
 * user=handoff". */
const char *pgserver_conninfo(const struct pgserver *s);

/* Create an empty database `name` ([a-z0-9_], for tests that need a fresh
 * one) and write its conninfo to out[len]; false (said on stderr) when it
 * cannot. */
bool pgserver_create_db(const struct pgserver *s, const char *name, char *out, size_t len);

/* Stop the server at once (SIGQUIT, what `pg_ctl stop -m immediate`
 * sends), wait for it, and remove the directory. */
void pgserver_stop(struct pgserver *s);

#endif
