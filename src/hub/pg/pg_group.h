/*
 * pg_group.h — group commit of single ingests on PostgreSQL: ingests
 * asked at once on several connections share one transaction and one
 * COMMIT (see pg_group.c).
 */
#ifndef HANDOFF_HUB_PG_GROUP_H
#define HANDOFF_HUB_PG_GROUP_H

#include "pg.h"

/* Ingests one group runs at most. */
#define PG_GROUP_MAX 64

struct pg_group;

/* A group for the threads of one hub; NULL when out of memory. Free it
 * once no thread is in pg_group_ingest. */
struct pg_group *pg_group_new(void);
void pg_group_free(struct pg_group *g);

/* How many ingests wait for a group to take them (a test's window onto
 * the queue: it holds a group and waits for the next one to fill). */
size_t pg_group_waiting(struct pg_group *g);

/* pg_ingest's meaning, answered exactly as pg_ingest answers it alone,
 * on conn (this thread's own connection). The ingest may be committed
 * with others that came meanwhile, in a transaction run on the
 * connection of whichever thread leads their group; when that
 * transaction fails, each of them fails with API_INTERNAL, which a
 * client may retry (external_message_id keeps a retry from storing a
 * message twice). Blocks until the ingest is answered. */
bool pg_group_ingest(struct pg_group *g, PGconn *conn, const struct agent *me,
		     const struct ingest *in, struct chat *chat, struct message *message,
		     bool *created, struct api_error *err);

#endif
