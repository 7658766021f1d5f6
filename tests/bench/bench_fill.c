/*
 * bench_fill.c — fill a hub database for the benchmarks (see bench_fill.h).
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
	}
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

void bench_fill_threads(const char *path, int n)
{
	struct errbuf e;
	struct api_error err;
	char token[TOKEN_STRLEN + 1];
	struct agent bot, agent;
	struct db *db = db_open(path, &e);

	if (!db || !db_account_add(db, "Bench threads", NULL, ACCOUNT_INGEST, token, &bot, &e) ||
	    !db_account_add(db, "Bench notes", NULL, ACCOUNT_AGENT, token, &agent, &e))
		fail_msg("db: %s", e.msg);
	for (int i = 0; i < n; i++) {
		char ext[32], rare[64];
		snprintf(ext, sizeof ext, "bench-%d", i);
		snprintf(rare, sizeof rare, "I bought it in Zanzibar, receipt %d", i);
		for (int k = 0; k < i % 7; k++) {
			struct ingest in = {
				.external_id = ext,
				/* bots stay silent in the chats agents hold */
				.role = k % 2 && i % 10 != 5 ? MSG_ROLE_BOT : MSG_ROLE_USER,
				.text = i % 10000 == 1234 && k == 0 ? rare : replies[(i + k) % 7],
			};
			struct chat c;
			struct message m;
			if (!db_ingest(db, &bot, &in, &c, &m, NULL, &err))
				fail_msg("ingest: %s", err.description);
			if (k == 0 && i % 50 == 7) {
				struct message note;
				bool created;
				if (!db_reply(db, &agent, c.id, "Customer is a reseller, check the VAT id",
					      NULL, true, &note, &created, &err))
					fail_msg("note: %s", err.description);
				message_free(&note);
			}
			chat_free(&c);
			message_free(&m);
		}
	}
	agent_free(&agent);
	agent_free(&bot);
	db_close(db);
}
