/*
 * test_demo.c — the demo workspace, observed only through the database:
 * it fills up with chats in every state, its accounts are made once, the
 * person's replies get answers, and a seed replays the same conversations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>
#include <uv.h>

#include "db.h"
#include "demo_sim.h"

#define FAST        1e6                /* ticks 1 ms apart */
#define DEADLINE_NS (8ULL * 1000000000) /* per wait; the whole file takes ~1 s */

struct env {
	char dir[64];
	char db_path[128];
	char token_path[128];
	uv_loop_t loop;
	struct db *db;
	struct demo *demo;
};

static void env_open(struct env *e)
{
	struct errbuf err;

	memset(e, 0, sizeof *e);
	snprintf(e->dir, sizeof e->dir, "/tmp/test_demo.XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	snprintf(e->db_path, sizeof e->db_path, "%s/hub.db", e->dir);
	snprintf(e->token_path, sizeof e->token_path, "%s/hub.db.demo-token", e->dir);
	assert_int_equal(uv_loop_init(&e->loop), 0);
	e->db = db_open(e->db_path, &err);
	assert_non_null(e->db);
}

static void demo_up(struct env *e, uint64_t seed)
{
	struct errbuf err = {""};

	e->demo = demo_start(&e->loop, e->db, seed, e->token_path, &err);
	if (!e->demo)
		fail_msg("demo_start: %s", err.msg);
	demo_set_speed(e->demo, FAST);
}

/* Stop, and let the loop run the close callbacks until it is empty. */
static void demo_down(struct env *e)
{
	demo_stop(e->demo);
	e->demo = NULL;
	assert_int_equal(uv_run(&e->loop, UV_RUN_DEFAULT), 0);
}

static void env_close(struct env *e)
{
	char path[200];

	if (e->demo)
		demo_down(e);
	assert_int_equal(uv_loop_close(&e->loop), 0);
	db_close(e->db);
	unlink(e->token_path);
	unlink(e->db_path);
	snprintf(path, sizeof path, "%s-wal", e->db_path);
	unlink(path);
	snprintf(path, sizeof path, "%s-shm", e->db_path);
	unlink(path);
	rmdir(e->dir);
}

/* Run the loop until cond(e, arg) holds; fails after DEADLINE_NS. */
static void run_until(struct env *e, bool (*cond)(struct env *, const void *), const void *arg)
{
	uint64_t deadline = uv_hrtime() + DEADLINE_NS;

	while (!cond(e, arg)) {
		if (uv_hrtime() > deadline)
			fail_msg("condition not reached before the deadline");
		uv_run(&e->loop, UV_RUN_ONCE);
	}
}

static bool events_reach(struct env *e, const void *arg)
{
	return db_events_head(e->db) >= *(const int64_t *)arg;
}

/* The person's account, from the token file the demo wrote. */
static void sign_in(struct env *e, struct agent *me)
{
	char token[256] = "";
	FILE *f = fopen(e->token_path, "r");

	assert_non_null(f);
	assert_non_null(fgets(token, sizeof token, f));
	fclose(f);
	token[strcspn(token, "\n")] = '\0';
	assert_true(db_authenticate(e->db, token, me));
}

static int64_t count_chats(struct env *e, const struct agent *me, struct chat_query *q)
{
	struct chat_page page;
	struct api_error err;

	q->limit = 1;
	assert_true(db_chats_list(e->db, me, q, &page, &err));
	int64_t total = page.total;
	chat_page_free(&page);
	return total;
}

struct census {
	int64_t all, waiting, held, channels;
};

static void take_census(struct env *e, struct census *c)
{
	static const enum channel_type channels[] = {CHANNEL_WIDGET, CHANNEL_WHATSAPP,
						     CHANNEL_INSTAGRAM};
	struct agent me;
	struct chat_query q;

	sign_in(e, &me);
	chat_query_init(&q);
	c->all = count_chats(e, &me, &q);
	chat_query_init(&q);
	q.waiting = true;
	c->waiting = count_chats(e, &me, &q);
	chat_query_init(&q);
	q.mode = CHAT_MODE_AGENT;
	c->held = count_chats(e, &me, &q);
	c->channels = 0;
	for (size_t i = 0; i < sizeof channels / sizeof channels[0]; i++) {
		chat_query_init(&q);
		q.channel = channels[i];
		c->channels += count_chats(e, &me, &q) > 0;
	}
	agent_free(&me);
}

static bool workspace_busy(struct env *e, const void *arg)
{
	struct census c;

	(void)arg;
	take_census(e, &c);
	return c.all >= 20 && c.waiting >= 1 && c.held >= 1 && c.channels >= 2;
}

static size_t count_agents(struct env *e)
{
	struct agent *list;
	struct api_error err;
	size_t n;

	assert_true(db_agents_list(e->db, &list, &n, &err));
	for (size_t i = 0; i < n; i++)
		agent_free(&list[i]);
	free(list);
	return n;
}

/* ---- the message texts of the event log, in order ----------------------- */

struct transcript {
	char **lines;
	size_t n;
	char bot_ids[4][40]; /* distinct authors of bot messages */
	size_t nbots;
};

static void note_bot(struct transcript *t, const char *id)
{
	for (size_t i = 0; i < t->nbots; i++)
		if (strcmp(t->bot_ids[i], id) == 0)
			return;
	assert_true(t->nbots < 4);
	snprintf(t->bot_ids[t->nbots++], sizeof t->bot_ids[0], "%s", id);
}

/* "role|author|text" for each message event. */
static void on_event(void *ctx, const struct db_event *ev)
{
	struct transcript *t = ctx;
	cJSON *j = cJSON_ParseWithLength(ev->json, ev->len);
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "message");

	assert_non_null(j);
	if (m) {
		const char *role = cJSON_GetStringValue(cJSON_GetObjectItem(m, "role"));
		const cJSON *author = cJSON_GetObjectItem(m, "author");
		const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(author, "name"));
		const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(author, "id"));
		const char *text = cJSON_GetStringValue(cJSON_GetObjectItem(m, "text"));
		size_t len = strlen(role) + strlen(name) + strlen(text) + 3;
		char *line = malloc(len);

		assert_non_null(line);
		snprintf(line, len, "%s|%s|%s", role, name, text);
		t->lines = realloc(t->lines, (t->n + 1) * sizeof *t->lines);
		assert_non_null(t->lines);
		t->lines[t->n++] = line;
		if (strcmp(role, "bot") == 0 && id)
			note_bot(t, id);
	}
	cJSON_Delete(j);
}

static void read_transcript(struct env *e, int limit, struct transcript *t)
{
	memset(t, 0, sizeof *t);
	assert_int_equal(db_events_after(e->db, 0, limit, NULL, on_event, t), limit);
}

static void transcript_free(struct transcript *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->lines[i]);
	free(t->lines);
}

/* The seed-`seed` workspace's first `events` events, on a fresh database. */
static void record(uint64_t seed, int64_t events, struct transcript *t)
{
	struct env e;

	env_open(&e);
	demo_up(&e, seed);
	run_until(&e, events_reach, &events);
	read_transcript(&e, (int)events, t);
	env_close(&e);
}

/* ---- tests -------------------------------------------------------------- */

static void test_workspace_fills_up(void **state)
{
	struct env e;
	struct census c;
	struct stat st;
	struct agent me;

	(void)state;
	env_open(&e);
	demo_up(&e, 42);
	run_until(&e, workspace_busy, NULL);
	take_census(&e, &c);
	assert_true(c.all >= 20);
	assert_true(c.channels >= 2);
	assert_true(c.waiting >= 1);
	assert_true(c.held >= 1);

	assert_int_equal(stat(e.token_path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	sign_in(&e, &me);
	assert_string_equal(me.name, "You");
	assert_int_equal(me.role, ACCOUNT_SUPERVISOR);
	agent_free(&me);
	env_close(&e);
}

/* A second start on the same database makes no new accounts: the same
 * "You", colleagues and bot carry on. */
static void test_restart_reuses_accounts(void **state)
{
	struct env e;
	struct transcript t;

	(void)state;
	env_open(&e);
	demo_up(&e, 5);
	int64_t head = db_events_head(e.db) + 40;
	run_until(&e, events_reach, &head);
	demo_down(&e);
	size_t agents = count_agents(&e);
	assert_int_equal(agents, 3); /* You, Ana Souza, Ben Okafor */

	demo_up(&e, 6);
	head = db_events_head(e.db) + 150;
	run_until(&e, events_reach, &head);
	assert_int_equal(count_agents(&e), agents);
	read_transcript(&e, (int)head, &t);
	assert_int_equal(t.nbots, 1);
	transcript_free(&t);
	env_close(&e);
}

static void test_same_seed_same_workspace(void **state)
{
	struct transcript a, b, c;

	(void)state;
	record(7, 300, &a);
	record(7, 300, &b);
	record(8, 300, &c);
	assert_true(a.n > 100);
	assert_int_equal(a.n, b.n);
	for (size_t i = 0; i < a.n; i++)
		assert_string_equal(a.lines[i], b.lines[i]);
	bool differs = a.n != c.n;
	for (size_t i = 0; !differs && i < a.n; i++)
		differs = strcmp(a.lines[i], c.lines[i]) != 0;
	assert_true(differs);
	transcript_free(&a);
	transcript_free(&b);
	transcript_free(&c);
}

struct answered {
	const char *chat_id;
	int64_t after;   /* message_count after the person's reply */
};

static bool customer_answered(struct env *e, const void *arg)
{
	const struct answered *a = arg;
	struct chat c;
	struct api_error err;

	assert_true(db_chat_get(e->db, a->chat_id, &c, &err));
	bool done = c.message_count > a->after && c.latest.role == MSG_ROLE_USER;
	chat_free(&c);
	return done;
}

/* The person takes a waiting chat and replies; the customer answers. */
static void test_customer_answers_the_person(void **state)
{
	struct env e;
	struct agent me;
	struct chat_query q;
	struct chat_page page;
	struct chat c;
	struct message m;
	struct api_error err;
	bool created;

	(void)state;
	env_open(&e);
	demo_up(&e, 11);
	sign_in(&e, &me);
	chat_query_init(&q);
	q.waiting = true;
	assert_true(db_chats_list(e.db, &me, &q, &page, &err));
	assert_true(page.count >= 1);
	struct answered a = {page.chats[0].id, 0};
	assert_true(db_takeover(e.db, &me, a.chat_id, false, &c, &err));
	chat_free(&c);
	assert_true(db_reply(e.db, &me, a.chat_id, "Hi, I'm on it. Can you share the order number?",
			     "r1", false, &m, &created, &err));
	a.after = m.seq;
	message_free(&m);

	run_until(&e, customer_answered, &a);
	assert_true(db_chat_get(e.db, a.chat_id, &c, &err));
	assert_int_equal(c.mode, CHAT_MODE_AGENT);
	assert_string_equal(c.responder.id, me.id);
	chat_free(&c);
	chat_page_free(&page);
	agent_free(&me);
	env_close(&e);
}

/* A chat a bridge brought in, taken and answered by the person: its
 * customer is on the platform, so the demo neither answers for them nor
 * has a colleague wrap it up, however long it runs. */
static void test_bridged_chat_is_left_alone(void **state)
{
	struct env e;
	struct agent me, bridge;
	struct chat c;
	struct message m;
	struct api_error err;
	struct errbuf eb;
	bool created;
	struct ingest in = {
		.external_id = "conv_1", .source_platform = "botpress",
		.channel_type = CHANNEL_WIDGET, .owner_external_id = "user_1",
		.owner_name = "Maya Lindqvist", .role = MSG_ROLE_USER,
		.text = "Can I talk to a human, please?", .escalate = true,
	};

	(void)state;
	env_open(&e);
	demo_up(&e, 5);
	sign_in(&e, &me);
	assert_true(db_account_ensure(e.db, "Botpress bridge", ACCOUNT_INGEST, &bridge, &eb));
	assert_true(db_ingest(e.db, &bridge, &in, &c, &m, &created, &err));
	uuid_str id;
	snprintf(id, sizeof id, "%s", c.id);
	chat_free(&c);
	message_free(&m);
	assert_true(db_takeover(e.db, &me, id, false, &c, &err));
	chat_free(&c);
	/* A few ticks, each of which looks at the held chats, before the
	 * reply: a reply the demo saw come is one it would answer. */
	int64_t later = db_events_head(e.db) + 20;
	run_until(&e, events_reach, &later);
	assert_true(db_reply(e.db, &me, id, "Hi Maya, I'm here.", "r1", false, &m, &created, &err));
	int64_t count = m.seq;
	message_free(&m);

	/* Long enough for the person's customers to answer many times over
	 * (test_customer_answers_the_person: a few ticks). */
	later = db_events_head(e.db) + 300;
	run_until(&e, events_reach, &later);
	assert_true(db_chat_get(e.db, id, &c, &err));
	assert_int_equal(c.message_count, count);
	assert_string_equal(c.responder.id, me.id);
	chat_free(&c);
	agent_free(&bridge);
	agent_free(&me);
	env_close(&e);
}

/* A token file from another database is an error, not a second account. */
static void test_foreign_token_file(void **state)
{
	struct env e;
	struct errbuf err = {""};
	FILE *f;

	(void)state;
	env_open(&e);
	f = fopen(e.token_path, "w");
	assert_non_null(f);
	fputs("hot_0000000000000000000000000000000000000000000000000000000000000000\n", f);
	fclose(f);
	assert_null(demo_start(&e.loop, e.db, 1, e.token_path, &err));
	assert_non_null(strstr(err.msg, "does not know"));
	assert_int_equal(count_agents(&e), 0);
	env_close(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_workspace_fills_up),
		cmocka_unit_test(test_restart_reuses_accounts),
		cmocka_unit_test(test_same_seed_same_workspace),
		cmocka_unit_test(test_customer_answers_the_person),
		cmocka_unit_test(test_bridged_chat_is_left_alone),
		cmocka_unit_test(test_foreign_token_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
