/*
 * bench_fill.c — fill a hub database for the benchmarks (see bench_fill.h).
 *
 * Every write is the hub's own call (db_ingest, db_takeover, …), so the
 * rows, events, counts and FTS5 entries are what the hub writes. Only the
 * commits differ: up to FILL_BATCH calls share one transaction
 * (db_bulk_begin), which makes the fill several times faster. So that a
 * transaction does not fold several versions of one chat into one (FTS5
 * merges the entries a transaction writes for the same row), the threads
 * are filled in rounds: one message to each chat of a group per commit, as
 * chats interleave in a real day.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "bench_fill.h"
#include "db.h"

#define FILL_BATCH 1000

static void batch_open(struct db *db)
{
	struct api_error err;

	if (!db_bulk_begin(db, &err))
		fail_msg("db: %s", err.description);
}

static void batch_commit(struct db *db)
{
	struct api_error err;

	if (!db_bulk_end(db, &err))
		fail_msg("db: %s", err.description);
}

static const char *const texts[] = {
	"Hi, my parcel still has not arrived, order 51877",
	"Can I change the delivery address?",
	"The discount code WINTER20 says it is invalid",
	"I was charged twice for the same order",
	"How do I reset my password?",
};

void bench_fill(const char *path, int n, char *agent_token)
{
	struct errbuf e;
	struct api_error err;
	char token[TOKEN_STRLEN + 1];
	struct agent bot, agents[3];
	struct db *db = db_open(path, &e);

	if (!db || !db_account_add(db, "Bench bridge", NULL, ACCOUNT_INGEST, token, &bot, &e))
		fail_msg("db: %s", e.msg);
	for (int i = 0; i < 3; i++) {
		char name[16];
		snprintf(name, sizeof name, "Agent %d", i);
		if (!db_account_add(db, name, NULL, ACCOUNT_AGENT, i ? token : agent_token, &agents[i], &e))
			fail_msg("db: %s", e.msg);
	}
	batch_open(db);
	for (int i = 0; i < n; i++) {
		char ext[32], owner[32];
		snprintf(ext, sizeof ext, "bench-%d", i);
		snprintf(owner, sizeof owner, "Customer %d", i);
		struct ingest in = {
			.external_id = ext, .channel_type = (enum channel_type)(i % 3),
			.owner_name = owner, .role = MSG_ROLE_USER,
			.text = texts[i % 5], .escalate = i % 10 == 0 || i % 10 == 5,
		};
		struct chat c;
		struct message m;
		uuid_str id;
		if (!db_ingest(db, &bot, &in, &c, &m, NULL, &err))
			fail_msg("ingest: %s", err.description);
		memcpy(id, c.id, sizeof id);
		chat_free(&c);
		message_free(&m);
		if (i % 10 == 5) {
			if (!db_takeover(db, &agents[i % 3], id, false, &c, &err))
				fail_msg("takeover: %s", err.description);
			chat_free(&c);
		}
		if (i % 5 == 1) {
			if (!db_chat_patch(db, &agents[0], id, NULL, TICKET_OPEN, &c, &err))
				fail_msg("patch: %s", err.description);
			chat_free(&c);
		}
		if ((i + 1) % FILL_BATCH == 0) {
			batch_commit(db);
			batch_open(db);
		}
	}
	batch_commit(db);
	for (int i = 0; i < 3; i++)
		agent_free(&agents[i]);
	agent_free(&bot);
	db_close(db);
}

/* Follow-ups: the customer, the bot and now and then an agent's note. */
static const char *const replies[] = {
	"Thanks, I will check the tracking page again tomorrow",
	"Your order is on its way and should arrive within two days",
	"I still cannot log in after the reset email",
	"Could you send me the invoice as a PDF please",
	"The courier left a note but nobody rang the bell",
	"We have refunded the second payment to your card",
	"Is there a store near Lisbon where I can return it",
};

/* Chat i's message k (from 0) and, after the first, now and then a note. */
static void thread_message(struct db *db, struct agent *bot, struct agent *agent, int i, int k)
{
	struct api_error err;
	char ext[32], rare[64];
	struct chat c;
	struct message m;

	snprintf(ext, sizeof ext, "bench-%d", i);
	snprintf(rare, sizeof rare, "I bought it in Zanzibar, receipt %d", i);
	struct ingest in = {
		.external_id = ext,
		/* bots stay silent in the chats agents hold */
		.role = k % 2 && i % 10 != 5 ? MSG_ROLE_BOT : MSG_ROLE_USER,
		.text = i % 10000 == 1234 && k == 0 ? rare : replies[(i + k) % 7],
	};
	if (!db_ingest(db, bot, &in, &c, &m, NULL, &err))
		fail_msg("ingest: %s", err.description);
	if (k == 0 && i % 50 == 7) {
		struct message note;
		bool created;
		if (!db_reply(db, agent, c.id, "Customer is a reseller, check the VAT id", NULL, true,
			      &note, &created, &err))
			fail_msg("note: %s", err.description);
		message_free(&note);
	}
	chat_free(&c);
	message_free(&m);
}

void bench_fill_threads(const char *path, int n)
{
	struct errbuf e;
	char token[TOKEN_STRLEN + 1];
	struct agent bot, agent;
	struct db *db = db_open(path, &e);

	if (!db || !db_account_add(db, "Bench threads", NULL, ACCOUNT_INGEST, token, &bot, &e) ||
	    !db_account_add(db, "Bench notes", NULL, ACCOUNT_AGENT, token, &agent, &e))
		fail_msg("db: %s", e.msg);
	/* FILL_BATCH chats at a time, one round of messages per commit: each
	 * chat once per transaction, and the groups' threads follow each other,
	 * so the newest chats hold every kind of preview. */
	for (int g = 0; g < n; g += FILL_BATCH) {
		for (int k = 0; k < 6; k++) {
			batch_open(db);
			for (int i = g; i < n && i < g + FILL_BATCH; i++) {
				if (k < i % 7)
					thread_message(db, &bot, &agent, i, k);
			}
			batch_commit(db);
		}
	}
	agent_free(&agent);
	agent_free(&bot);
	db_close(db);
}
