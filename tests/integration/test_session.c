/*
 * test_session.c — the console's data side against a real handoffd: the
 * lists load after the hello and follow events, a thread scrolls back to
 * its first message, two agents race for one chat, one agent's actions and
 * replies on a chat reach the hub in the order given, and replies are
 * delivered exactly once while both the hub and the client are killed in
 * the middle of a storm of them.
 *
 * Waits run the loop one turn at a time until a condition holds or a
 * deadline passes; nothing sleeps.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <uv.h>

#include "harness.h"
#include "session.h"

#define WAIT_MS 15000

static struct hub hub;
static char ana[HUB_TOKEN_MAX], ben[HUB_TOKEN_MAX], bot[HUB_TOKEN_MAX];
static char server[64];

struct client {
	uv_loop_t loop;
	struct session *s;
	struct config cfg;
	char state_dir[160];
	enum stream_state state;
	int lives;             /* times the stream went live */
	int notices;
	char last_notice[256];
	int done;              /* actions finished */
	struct api_result result; /* the last action's outcome (no payload kept) */
};

static void on_state(void *ctx, const struct stream_status *st)
{
	struct client *c = ctx;

	c->state = st->state;
	c->lives += st->state == STREAM_LIVE;
}

static void on_notice(void *ctx, bool error, const char *text)
{
	struct client *c = ctx;

	(void)error;
	c->notices++;
	snprintf(c->last_notice, sizeof c->last_notice, "%s", text);
}

static const struct session_callbacks callbacks = {.on_state = on_state, .on_notice = on_notice};

/* A console signed in with `token`, keeping its outbox in state-NAME, on
 * `loop` (NULL: its own). */
static void client_open_on(struct client *c, uv_loop_t *loop, const char *token, const char *name)
{
	struct errbuf err;

	memset(c, 0, sizeof *c);
	if (!loop) {
		assert_int_equal(uv_loop_init(&c->loop), 0);
		loop = &c->loop;
	}
	c->cfg.server = server;
	c->cfg.token = (char *)token;
	snprintf(c->state_dir, sizeof c->state_dir, "%s/state-%s", hub.dir, name);
	mkdir(c->state_dir, 0700);
	c->s = session_new(loop, &c->cfg, c->state_dir, &callbacks, c, &err);
	if (!c->s)
		fail_msg("session_new: %s", err.msg);
}

static void client_open(struct client *c, const char *token, const char *name)
{
	client_open_on(c, NULL, token, name);
}

static void client_close(struct client *c)
{
	session_free(c->s);
	uv_run(&c->loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&c->loop), 0);
}

/* Run the loop until cond(c) or the deadline. */
static void wait_until(struct client *c, bool (*cond)(struct client *), const char *what)
{
	long long deadline = now_ms() + WAIT_MS;

	while (!cond(c)) {
		if (now_ms() > deadline)
			fail_msg("timed out waiting for %s (last notice: %s)", what, c->last_notice);
		uv_run(&c->loop, UV_RUN_ONCE);
	}
}

static const struct account accounts[] = {
	{"Ana", "agent", ana},
	{"Ben", "agent", ben},
	{"Widget bridge", "ingest", bot},
	{NULL},
};

static int setup(void **state)
{
	hub_up(&hub, accounts);
	hub_url(&hub, "", server, sizeof server);
	*state = &hub;
	return 0;
}

/* ---- lists and events ------------------------------------------------------ */

static const char *expect_chat; /* the chat a condition looks for */

static bool all_has_three(struct client *c)
{
	struct store *st = session_store(c->s);
	return view_count(store_view(st, VIEW_ALL)) >= 3 &&
	       view_count(store_view(st, VIEW_WAITING)) >= 1 && session_me(c->s);
}

static bool expected_chat_on_top(struct client *c)
{
	const struct chat *top = view_at(store_view(session_store(c->s), VIEW_ALL), 0);
	return top && strcmp(top->id, expect_chat) == 0 && top->latest.present &&
	       strcmp(top->latest.text, "any news?") == 0;
}

static void test_lists_load_after_hello_and_follow_events(void **state)
{
	char quiet[37], urgent[37], other[37];
	struct client c;

	(void)state;
	ingest(&hub, bot, "se-quiet", "user", "just browsing", false, quiet);
	ingest(&hub, bot, "se-urgent", "user", "my order never came", true, urgent);
	ingest(&hub, bot, "se-other", "user", "hello", false, other);

	client_open(&c, ana, "lists");
	session_start(c.s);
	wait_until(&c, all_has_three, "the first pages");
	assert_string_equal(session_me(c.s)->name, "Ana");
	const struct view *waiting = store_view(session_store(c.s), VIEW_WAITING);
	assert_int_equal(view_count(waiting), 1);
	assert_string_equal(view_at(waiting, 0)->id, urgent);
	assert_int_equal(c.state, STREAM_LIVE);

	/* A live message moves the quiet chat to the top of ALL. */
	expect_chat = quiet;
	ingest(&hub, bot, "se-quiet", "user", "any news?", false, NULL);
	wait_until(&c, expected_chat_on_top, "the live message");
	client_close(&c);
}

/* ---- the thread: scrollback to the first message --------------------------- */

static const char *thread_chat;

static bool thread_has_newest(struct client *c)
{
	const struct thread *t = store_thread(session_store(c->s), thread_chat);
	return t && thread_count(t) >= SESSION_THREAD_PAGE;
}

static bool thread_idle(struct client *c)
{
	/* session_thread_older refuses while a page is on its way. */
	const struct thread *t = store_thread(session_store(c->s), thread_chat);
	return t && (thread_has_beginning(t) || session_thread_older(c->s));
}

static void test_thread_scrolls_back_to_the_first_message(void **state)
{
	enum { N = 130 };
	char chat[37], text[32];
	struct client c;

	(void)state;
	for (int i = 1; i <= N; i++) {
		snprintf(text, sizeof text, "line %d", i);
		ingest(&hub, bot, "se-long", "user", text, false, i == 1 ? chat : NULL);
	}
	client_open(&c, ana, "thread");
	session_start(c.s);
	wait_until(&c, all_has_three, "the first pages");
	struct errbuf err;
	assert_true(session_open_thread(c.s, chat, &err));
	thread_chat = chat;
	wait_until(&c, thread_has_newest, "the newest messages");
	const struct thread *t = store_thread(session_store(c.s), chat);
	assert_int_equal(thread_count(t), SESSION_THREAD_PAGE);
	assert_false(thread_has_beginning(t));

	/* Keep asking for older pages, as scrolling up does. */
	while (!thread_has_beginning(store_thread(session_store(c.s), chat)))
		wait_until(&c, thread_idle, "an older page");
	t = store_thread(session_store(c.s), chat);
	assert_int_equal(thread_count(t), N);
	for (int i = 0; i < N; i++) {
		snprintf(text, sizeof text, "line %d", i + 1);
		assert_int_equal(thread_at(t, (size_t)i)->seq, i + 1);
		assert_string_equal(thread_at(t, (size_t)i)->text, text);
	}
	assert_false(session_thread_older(c.s));
	client_close(&c);
}

/* ---- two agents, one chat ---------------------------------------------------- */

static void on_done(void *ctx, const struct api_result *r)
{
	struct client *c = ctx;

	c->done++;
	c->result.err = r->err;
	c->result.http_status = r->http_status;
	snprintf(c->result.text, sizeof c->result.text, "%s", r->text);
}

static bool both_done(struct client *c)
{
	return c->done == 1 && c[1].done == 1;
}

static bool both_live(struct client *c)
{
	return c[0].lives && c[1].lives;
}

static void test_two_agents_race_for_one_chat(void **state)
{
	struct client c[2];
	char chat[37];
	struct errbuf err;

	(void)state;
	ingest(&hub, bot, "se-race", "user", "a human please", true, chat);
	/* Both consoles on one loop: both requests are out before either
	 * answer is read, so the hub decides between them. */
	client_open(&c[0], ana, "race-ana");
	client_open_on(&c[1], &c[0].loop, ben, "race-ben");
	session_start(c[0].s);
	session_start(c[1].s);
	wait_until(c, both_live, "both consoles live");

	assert_true(session_takeover(c[0].s, chat, false, on_done, &c[0], &err));
	assert_true(session_takeover(c[1].s, chat, false, on_done, &c[1], &err));
	wait_until(c, both_done, "both takeovers");
	int winner = c[0].result.err == API_ERR_NONE ? 0 : 1, loser = 1 - winner;
	assert_int_equal(c[winner].result.err, API_ERR_NONE);
	assert_int_equal(c[loser].result.err, API_ERR_SERVER);
	assert_int_equal(c[loser].result.http_status, 409);
	assert_non_null(strstr(c[loser].result.text, winner == 0 ? "Ana" : "Ben"));
	/* The winner's store shows it at once: the chat is in MINE. */
	const struct chat *held = store_chat(session_store(c[winner].s), chat);
	assert_non_null(held);
	assert_int_equal(held->mode, CHAT_MODE_AGENT);

	session_free(c[1].s);
	client_close(&c[0]);
}

/* ---- one agent, one chat: in the order given -------------------------------- */


/* Takeover, a reply, handback, over and over, all given at once: without
 * ordering they go out together on several connections and the hub may
 * get a handback before its takeover (409), or a reply while the bot
 * holds the chat (409). */
#define ROUNDS 8

struct ordered {
	int done[2 * ROUNDS];    /* the actions, in the order they finished */
	int ndone;
	bool ok[2 * ROUNDS];
	char why[400];           /* the first failure */
};

static struct ordered ordered;

static void on_ordered_done(void *ctx, const struct api_result *r)
{
	int i = (int)(intptr_t)ctx;

	ordered.ok[i] = r->err == API_ERR_NONE;
	if (!ordered.ok[i] && !ordered.why[0])
		snprintf(ordered.why, sizeof ordered.why, "action %d: %s", i, r->text);
	ordered.done[ordered.ndone++] = i;
}

/* Every action answered, and every reply sent or refused. */
static bool ordered_all_done(struct client *c)
{
	return session_unsent(c->s) == 0 && ordered.ndone == 2 * ROUNDS;
}

static void test_actions_and_replies_on_one_chat_keep_their_order(void **state)
{
	char chat[37], path[160], text[32];
	struct client c;
	struct errbuf err;

	(void)state;
	memset(&ordered, 0, sizeof ordered);
	ingest(&hub, bot, "se-order", "user", "a human please", true, chat);
	client_open(&c, ana, "order");
	session_start(c.s);
	wait_until(&c, all_has_three, "the first pages");

	for (int i = 0; i < ROUNDS; i++) {
		snprintf(text, sizeof text, "round %d", i);
		assert_true(session_takeover(c.s, chat, false, on_ordered_done,
					     (void *)(intptr_t)(2 * i), &err));
		assert_true(session_reply(c.s, chat, text, false, NULL, &err));
		assert_true(session_handback(c.s, chat, on_ordered_done,
					     (void *)(intptr_t)(2 * i + 1), &err));
	}
	wait_until(&c, ordered_all_done, "every action and reply");
	if (ordered.why[0])
		fail_msg("%s", ordered.why);
	for (int i = 0; i < 2 * ROUNDS; i++)
		assert_int_equal(ordered.done[i], i);
	/* Sent replies are forgotten; a refused one would stay, with its reason. */
	size_t pos = 0;
	struct session_reply unsent;
	if (session_replies_next(c.s, chat, &pos, &unsent))
		fail_msg("reply \"%s\" was not sent: %s", unsent.text, unsent.words);
	client_close(&c);

	/* The hub's thread, in seq order: after the customer's message and
	 * the escalation, joined, the round's reply, left, for every round. */
	snprintf(path, sizeof path, "/v1/chats/%s/messages?limit=100", chat);
	struct reply r = http(&hub, "GET", path, ana, NULL);
	cJSON *msgs = cJSON_GetObjectItem(expect_status(&r, 200), "messages");
	assert_int_equal(cJSON_GetArraySize(msgs), 2 + 3 * ROUNDS);
	for (int i = 0; i < ROUNDS; i++) {
		cJSON *joined = cJSON_GetArrayItem(msgs, 2 + 3 * i);
		cJSON *reply = cJSON_GetArrayItem(msgs, 3 + 3 * i);
		cJSON *left = cJSON_GetArrayItem(msgs, 4 + 3 * i);
		snprintf(text, sizeof text, "round %d", i);
		assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(joined, "system_type")),
				    "AGENT_JOINED");
		assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(reply, "text")), text);
		assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(left, "system_type")),
				    "AGENT_LEFT");
	}
	reply_free(&r);
	/* and the last word was the handback */
	snprintf(path, sizeof path, "/v1/chats/%s", chat);
	r = http(&hub, "GET", path, ana, NULL);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(expect_status(&r, 200), "mode")),
			    "AI");
	reply_free(&r);
}

/* ---- exactly once, through kills of the hub and of the client -------------- */

#define STORM 120

/* The storming console, in a child process: it types one reply per loop
 * turn and, each time one is safely in the outbox (session_reply returned
 * true), writes its number down the pipe. It runs until it is killed. */
static void storm_child(const char *chat, int report_fd)
{
	struct client c;
	struct errbuf err;

	client_open(&c, ana, "storm");
	session_start(c.s);
	for (int i = 0; i < STORM; i++) {
		char text[32];
		snprintf(text, sizeof text, "storm %d", i);
		if (!session_reply(c.s, chat, text, false, NULL, &err))
			_exit(3);
		if (write(report_fd, &i, sizeof i) != sizeof i)
			_exit(4);
		uv_run(&c.loop, UV_RUN_NOWAIT);
	}
	for (;;)
		uv_run(&c.loop, UV_RUN_ONCE);
}

/* Read one reported number from the child; fail after the deadline. */
static int read_report(int fd)
{
	int i;
	ssize_t n = read(fd, &i, sizeof i);

	if (n != sizeof i)
		fail_msg("the storming console stopped reporting");
	return i;
}

static bool outbox_drained(struct client *c)
{
	return c->lives && session_unsent(c->s) == 0;
}

/* Every "storm N" text in the chat, counted (walking every page). */
static void count_storm_texts(const char *chat, int counts[STORM], int *foreign)
{
	char path[160];
	int64_t before = 0;

	memset(counts, 0, STORM * sizeof *counts);
	*foreign = 0;
	for (;;) {
		if (before)
			snprintf(path, sizeof path, "/v1/chats/%s/messages?limit=100&before_seq=%lld",
				 chat, (long long)before);
		else
			snprintf(path, sizeof path, "/v1/chats/%s/messages?limit=100", chat);
		struct reply r = http(&hub, "GET", path, ana, NULL);
		cJSON *j = expect_status(&r, 200);
		cJSON *msgs = cJSON_GetObjectItem(j, "messages"), *m;
		cJSON_ArrayForEach(m, msgs) {
			const char *text = cJSON_GetStringValue(cJSON_GetObjectItem(m, "text"));
			int n;
			if (text && sscanf(text, "storm %d", &n) == 1) {
				if (n >= 0 && n < STORM)
					counts[n]++;
				else
					(*foreign)++;
			}
		}
		bool more = cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "meta"),
							      "has_more_before"));
		cJSON *first = cJSON_GetArrayItem(msgs, 0);
		before = first ? (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(first, "seq")) : 0;
		reply_free(&r);
		if (!more || !before)
			break;
	}
}

static void test_replies_exactly_once_through_kills(void **state)
{
	char chat[37], port[32];
	int pipefd[2], persisted = -1, i;

	(void)state;
	ingest(&hub, bot, "se-storm", "user", "are you there?", true, chat);
	hub_act(&hub, ana, chat, "takeover", "{}");

	assert_int_equal(pipe(pipefd), 0);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(pipefd[0]);
		storm_child(chat, pipefd[1]);
	}
	close(pipefd[1]);

	/* A third of the way in, the hub dies and comes back on its port;
	 * two thirds in, the console itself is killed. */
	while (persisted < STORM / 3)
		persisted = read_report(pipefd[0]);
	hub_kill(&hub);
	snprintf(port, sizeof port, "127.0.0.1:%d", hub.port);
	hub_start(&hub, "--listen", port, NULL);
	while (persisted < 2 * STORM / 3)
		persisted = read_report(pipefd[0]);
	kill(child, SIGKILL);
	assert_int_equal(waitpid(child, NULL, 0), child);
	/* What it reported before it died was in its outbox too. */
	while (read(pipefd[0], &i, sizeof i) == sizeof i)
		persisted = i;
	close(pipefd[0]);

	/* A new console on the same state directory adopts what the dead one
	 * left and sends it. */
	struct client c;
	client_open(&c, ana, "storm");
	session_start(c.s);
	wait_until(&c, outbox_drained, "the adopted replies to be sent");
	client_close(&c);

	/* Every reply that was safely typed is there exactly once; the rest
	 * (typed but not yet reported when the console died) at most once. */
	int counts[STORM], foreign;
	count_storm_texts(chat, counts, &foreign);
	assert_int_equal(foreign, 0);
	for (int k = 0; k < STORM; k++) {
		if (k <= persisted && counts[k] != 1)
			fail_msg("reply %d (typed before the kill) is there %d times", k, counts[k]);
		if (counts[k] > 1)
			fail_msg("reply %d is there %d times", k, counts[k]);
	}
}

/* ---- a refused reply: retried, dropped ------------------------------------ */

static const char *refused_chat;

/* The chat's first reply not yet with the hub, into `r`; false when none. */
static bool first_reply(struct client *c, struct session_reply *r)
{
	size_t pos = 0;
	return session_replies_next(c->s, refused_chat, &pos, r);
}

static bool reply_refused(struct client *c)
{
	struct session_reply r;
	return first_reply(c, &r) && r.state == SESSION_REPLY_FAILED;
}

static bool reply_on_its_way(struct client *c)
{
	struct session_reply r;
	return first_reply(c, &r) && r.state != SESSION_REPLY_FAILED;
}

static void test_refused_reply_is_retried_and_dropped(void **state)
{
	char chat[37], id[CLIENT_MSG_ID_MAX_CHARS + 1];
	struct session_reply r;
	struct client c;
	struct errbuf err;

	(void)state;
	ingest(&hub, bot, "se-refused", "user", "anyone?", false, chat);
	refused_chat = chat;
	client_open(&c, ana, "refused");
	session_start(c.s);
	/* Ana does not hold the chat: the hub refuses, the hub's words stay. */
	assert_true(session_reply(c.s, chat, "not mine to answer", false, id, &err));
	wait_until(&c, reply_refused, "the refusal");
	assert_true(first_reply(&c, &r));
	assert_string_equal(r.client_msg_id, id);
	assert_string_equal(r.text, "not mine to answer");
	assert_string_equal(r.words, "failed: take over the chat before replying");
	assert_int_equal(session_unsent(c.s), 0);

	/* Retried, it goes again (and is refused again). */
	assert_int_equal(session_retry(c.s, chat), 1);
	assert_true(reply_on_its_way(&c));
	wait_until(&c, reply_refused, "the second refusal");

	/* Dropped, it is gone, also for the next console on this state. */
	assert_true(session_drop(c.s, id, &err));
	assert_false(first_reply(&c, &r));
	assert_false(session_drop(c.s, id, &err));
	client_close(&c);
	client_open(&c, ana, "refused");
	assert_false(first_reply(&c, &r));
	client_close(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lists_load_after_hello_and_follow_events),
		cmocka_unit_test(test_thread_scrolls_back_to_the_first_message),
		cmocka_unit_test(test_two_agents_race_for_one_chat),
		cmocka_unit_test(test_actions_and_replies_on_one_chat_keep_their_order),
		cmocka_unit_test(test_refused_reply_is_retried_and_dropped),
		cmocka_unit_test(test_replies_exactly_once_through_kills),
	};
	return cmocka_run_group_tests(tests, setup, hub_teardown);
}
