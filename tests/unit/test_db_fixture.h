/*
 * test_db_fixture.h — a fresh database in a temporary directory, with four
 * accounts and an event recorder, for the test_db*.c programs.
 *
 * Include after cmocka.h. Everything is static inline so each program uses
 * what it needs without unused-function warnings.
 */
#ifndef HANDOFF_TEST_DB_FIXTURE_H
#define HANDOFF_TEST_DB_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "db_internal.h"

#define FX_MAX_EVENTS 4096

struct recorded {
	int64_t seq;
	bool note;
	bool in_txn; /* was a transaction open when the listener ran? */
	struct event ev;
};

struct fx {
	char dir[64], path[128];
	struct db *db;
	struct agent ana, ben, cleo, bot; /* agent, supervisor, agent, ingest */
	char ana_token[TOKEN_STRLEN + 1];
	struct recorded events[FX_MAX_EVENTS];
	size_t nevents;
};

static inline void fx_record(void *ctx, const struct db_event *e)
{
	struct fx *fx = ctx;
	struct errbuf err;

	if (fx->nevents == FX_MAX_EVENTS)
		fail_msg("too many events");
	struct recorded *r = &fx->events[fx->nevents++];
	r->seq = e->seq;
	r->note = e->note;
	r->in_txn = !sqlite3_get_autocommit(fx->db->conn);
	if (!event_parse(e->json, e->len, &r->ev, &err))
		fail_msg("event does not decode: %s", err.msg);
}

static inline void fx_forget_events(struct fx *fx)
{
	for (size_t i = 0; i < fx->nevents; i++)
		event_free(&fx->events[i].ev);
	fx->nevents = 0;
}

static inline void fx_account(struct fx *fx, const char *name, enum account_role role,
			      struct agent *out, char *token)
{
	char t[TOKEN_STRLEN + 1];
	struct errbuf err = {{0}};

	if (!db_account_add(fx->db, name, NULL, role, token ? token : t, out, &err))
		fail_msg("account_add: %s", err.msg);
}

static inline void fx_open(struct fx *fx)
{
	struct errbuf err = {{0}};

	fx->db = db_open(fx->path, &err);
	if (!fx->db)
		fail_msg("db_open: %s", err.msg);
	db_set_event_listener(fx->db, fx_record, fx);
}

static inline int fx_setup(void **state)
{
	struct fx *fx = calloc(1, sizeof *fx);

	snprintf(fx->dir, sizeof fx->dir, "/tmp/handoff-db-XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	snprintf(fx->path, sizeof fx->path, "%s/hub.db", fx->dir);
	fx_open(fx);
	fx_account(fx, "Ana", ACCOUNT_AGENT, &fx->ana, fx->ana_token);
	fx_account(fx, "Ben", ACCOUNT_SUPERVISOR, &fx->ben, NULL);
	fx_account(fx, "Cleo", ACCOUNT_AGENT, &fx->cleo, NULL);
	fx_account(fx, "Widget bot", ACCOUNT_INGEST, &fx->bot, NULL);
	*state = fx;
	return 0;
}

static inline int fx_teardown(void **state)
{
	struct fx *fx = *state;
	char p[160];

	db_close(fx->db);
	fx_forget_events(fx);
	agent_free(&fx->ana);
	agent_free(&fx->ben);
	agent_free(&fx->cleo);
	agent_free(&fx->bot);
	static const char *const suffixes[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s%s", fx->path, suffixes[i]);
		unlink(p);
	}
	rmdir(fx->dir);
	free(fx);
	return 0;
}

/* Ingest one message (role user or bot) into chat_id ("" for a new chat)
 * or the chat of external_id; the chat after it goes to *out (may be NULL). */
static inline void fx_ingest_ex(struct fx *fx, const char *chat_id, const char *external_id,
				enum msg_role role, const char *text, bool escalate,
				struct chat *out, struct message *msg)
{
	struct ingest in = {
		.external_id = external_id, .channel_type = CHANNEL_WIDGET,
		.channel_name = "Website", .owner_name = "Maria G.", .role = role, .text = text,
		.escalate = escalate,
	};
	struct api_error err = {0};
	struct chat c;
	struct message m;

	snprintf(in.chat_id, sizeof in.chat_id, "%s", chat_id ? chat_id : "");
	if (!db_ingest(fx->db, &fx->bot, &in, &c, &m, NULL, &err))
		fail_msg("ingest: %s", err.description);
	if (out)
		*out = c;
	else
		chat_free(&c);
	if (msg)
		*msg = m;
	else
		message_free(&m);
}

/* A new chat with one customer message; its id into id. */
static inline void fx_new_chat(struct fx *fx, const char *text, bool escalate, uuid_str id)
{
	struct chat c;

	fx_ingest_ex(fx, NULL, NULL, MSG_ROLE_USER, text, escalate, &c, NULL);
	memcpy(id, c.id, sizeof(uuid_str));
	chat_free(&c);
}

/* The chat as the db has it now. */
static inline void fx_get(struct fx *fx, const char *id, struct chat *out)
{
	struct api_error err = {0};

	if (!db_chat_get(fx->db, id, out, &err))
		fail_msg("chat_get: %s", err.description);
}

/* Expect an operation to have failed with `type` (and, if given, exactly
 * this description). */
static inline void fx_expect_error(bool ok, const struct api_error *err,
				   enum api_error_type type, const char *description)
{
	assert_false(ok);
	assert_int_equal(err->type, type);
	if (description)
		assert_string_equal(err->description, description);
}

#endif
