/*
 * storage_pg.c — the PostgreSQL back end as a storage table (storage.h):
 * each entry hands the call to its pg_* function on the handle's
 * connection, with the settings SQLite keeps in its struct db.
 *
 * One handle is one connection, used by one thread at a time; the hub's
 * requests will each run on a worker thread with a connection of its own
 * (`threaded`), so that a slow query holds a worker, never the loop.
 */
#include <stdlib.h>

#include "pg.h"
#include "storage.h"
#include "storage_pg.h"

struct storage_pg {
	struct storage base; /* first: a struct storage * is one of these */
	struct pg *pg;
	struct storage_settings set;
};

static struct storage_pg *pg_of(struct storage *st)
{
	return (struct storage_pg *)st;
}

static PGconn *conn_of(struct storage *st)
{
	return pg_conn(pg_of(st)->pg);
}

static void p_close(struct storage *st)
{
	pg_close(pg_of(st)->pg);
	free(st);
}

static bool p_account_add(struct storage *st, const char *name, const char *email,
			  enum account_role role, char token[TOKEN_STRLEN + 1], struct agent *out,
			  struct errbuf *err)
{
	return pg_account_add(conn_of(st), name, email, role, token, out, err);
}

static bool p_authenticate(struct storage *st, const char *token, struct agent *out)
{
	return pg_authenticate(conn_of(st), token, out);
}

static bool p_agents_list(struct storage *st, struct agent **out, size_t *n,
			  struct api_error *err)
{
	return pg_agents_list(conn_of(st), pg_of(st)->set.default_capacity, out, n, err);
}

static bool p_agent_get(struct storage *st, const char *id, struct agent *out,
			struct api_error *err)
{
	return pg_agent_get(conn_of(st), pg_of(st)->set.default_capacity, id, out, err);
}

static bool p_agent_set_capacity(struct storage *st, const char *id, int64_t capacity,
				 struct agent *out, struct api_error *err)
{
	return pg_agent_set_capacity(conn_of(st), id, capacity, out, err);
}

static bool p_chat_get(struct storage *st, const char *chat_id, struct chat *out,
		       struct api_error *err)
{
	return pg_chat_get(conn_of(st), chat_id, out, err);
}

static bool p_takeover(struct storage *st, const struct agent *me, const char *chat_id,
		       bool force, struct chat *out, struct api_error *err)
{
	return pg_takeover_chat(conn_of(st), me, chat_id, force, out, err);
}

static bool p_handback(struct storage *st, const struct agent *me, const char *chat_id,
		       struct chat *out, struct api_error *err)
{
	return pg_handback(conn_of(st), me, chat_id, out, err);
}

static bool p_ingest(struct storage *st, const struct agent *me, const struct ingest *in,
		     struct chat *chat, struct message *message, bool *created,
		     struct api_error *err)
{
	return pg_ingest(conn_of(st), me, in, chat, message, created, err);
}

static const struct storage_ops pg_ops = {
	.backend = "postgresql",
	.schema_version = PG_SCHEMA_VERSION,
	.threaded = true,
	.close = p_close,
	.account_add = p_account_add,
	.authenticate = p_authenticate,
	.agents_list = p_agents_list,
	.agent_get = p_agent_get,
	.agent_set_capacity = p_agent_set_capacity,
	.chat_get = p_chat_get,
	.takeover = p_takeover,
	.handback = p_handback,
	.ingest = p_ingest,
};

struct storage *storage_pg_open(const char *target, const struct storage_settings *set,
				int *found, struct errbuf *err)
{
	struct storage_pg *s = calloc(1, sizeof *s);

	if (!s) {
		errbuf_set(err, "out of memory");
		return NULL;
	}
	s->pg = pg_open(pg_target_conninfo(target), err);
	if (!s->pg) {
		free(s);
		return NULL;
	}
	*found = pg_schema_found(s->pg);
	s->set = *set;
	s->base.ops = &pg_ops;
	return &s->base;
}
