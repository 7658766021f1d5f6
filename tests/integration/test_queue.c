/*
 * test_queue.c — `handoff reply --queue` with the hub down: the command
 * answers at once with the reply's client_msg_id, and the next console to
 * start (a session on the same state directory) adopts the journal and
 * delivers the reply to the hub exactly once.
 *
 * Waits run the loop one turn at a time until a condition holds or a
 * deadline passes; nothing sleeps.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <poll.h>
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
static char ana[HUB_TOKEN_MAX], bot[HUB_TOKEN_MAX];
static char ana_file[160], state_home[160], state_dir[192];

static const struct account accounts[] = {
	{"Ana", "agent", ana},
	{"Widget bridge", "ingest", bot},
	{NULL},
};

static int setup(void **state)
{
	if (!getenv("HANDOFF_BIN"))
		fail_msg("HANDOFF_BIN is not set (make check sets it)");
	hub_up(&hub, accounts);
	hub_token_file(&hub, "ana", ana, ana_file, sizeof ana_file);
	snprintf(state_home, sizeof state_home, "%s/state", hub.dir);
	snprintf(state_dir, sizeof state_dir, "%s/handoff", state_home);
	*state = &hub;
	return 0;
}

/* Run handoff with `args` (NULL-terminated), its state in state_home;
 * stdout into out[outlen]; returns the exit status. Fails after 20 s. */
static int run_handoff(const char *const *args, char *out, size_t outlen)
{
	const char *argv[16];
	int n = 0, fd[2], st;
	size_t len = 0;

	argv[n++] = getenv("HANDOFF_BIN");
	for (; *args && n < 15; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	assert_int_equal(pipe(fd), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		unsetenv("HANDOFF_SERVER");
		unsetenv("HANDOFF_TOKEN");
		setenv("XDG_CONFIG_HOME", hub.dir, 1);
		setenv("XDG_STATE_HOME", state_home, 1);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fd[1]);
	long long deadline = now_ms() + 20000;
	for (;;) {
		struct pollfd p = {.fd = fd[0], .events = POLLIN};
		if (now_ms() > deadline) {
			kill(pid, SIGKILL);
			fail_msg("handoff still running after 20 s");
		}
		if (poll(&p, 1, 100) <= 0)
			continue;
		ssize_t got = read(fd[0], out + len, outlen - 1 - len);
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	out[len] = '\0';
	close(fd[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* ---- a console on the state directory ------------------------------------- */

struct client {
	uv_loop_t loop;
	struct session *s;
	struct config cfg;
	char server[64];
	int lives;
	bool sent;   /* the reply expect_id names was reported sent */
};

static void on_state(void *ctx, const struct stream_status *st)
{
	struct client *c = ctx;

	c->lives += st->state == STREAM_LIVE;
}

static void on_notice(void *ctx, bool error, const char *text)
{
	(void)ctx;
	(void)error;
	(void)text;
}

static const char *expect_id; /* the client_msg_id a condition looks for */

static void on_reply(void *ctx, const struct session_reply *r)
{
	struct client *c = ctx;

	if (r->state == SESSION_REPLY_SENT && expect_id && strcmp(r->client_msg_id, expect_id) == 0)
		c->sent = true;
}

static const struct session_callbacks callbacks = {
	.on_state = on_state, .on_notice = on_notice, .on_reply = on_reply};

static void client_open(struct client *c)
{
	struct errbuf err;

	memset(c, 0, sizeof *c);
	assert_int_equal(uv_loop_init(&c->loop), 0);
	snprintf(c->server, sizeof c->server, "http://127.0.0.1:%d", hub.port);
	c->cfg.server = c->server;
	c->cfg.token = ana;
	c->s = session_new(&c->loop, &c->cfg, state_dir, &callbacks, c, &err);
	if (!c->s)
		fail_msg("session_new: %s", err.msg);
	session_start(c->s);
}

static void client_close(struct client *c)
{
	session_free(c->s);
	uv_run(&c->loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&c->loop), 0);
}

static bool queued_reply_sent(struct client *c)
{
	return c->sent;
}

static bool went_live(struct client *c)
{
	return c->lives > 0;
}

static void wait_until(struct client *c, bool (*cond)(struct client *), const char *what)
{
	long long deadline = now_ms() + WAIT_MS;

	while (!cond(c)) {
		if (now_ms() > deadline)
			fail_msg("timed out waiting for %s", what);
		uv_run(&c->loop, UV_RUN_ONCE);
	}
}

/* Messages of `chat` with this text, and whether one carries `cmid`. */
static int count_text(const char *chat, const char *text, const char *cmid, bool *has_cmid)
{
	char path[128];
	int n = 0;
	cJSON *m;

	snprintf(path, sizeof path, "/v1/chats/%s/messages?limit=100", chat);
	struct reply r = http(&hub, "GET", path, ana, NULL);
	cJSON *j = expect_status(&r, 200);
	*has_cmid = false;
	cJSON_ArrayForEach(m, cJSON_GetObjectItem(j, "messages")) {
		const char *t = cJSON_GetStringValue(cJSON_GetObjectItem(m, "text"));
		const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(m, "client_msg_id"));
		if (t && !strcmp(t, text)) {
			n++;
			*has_cmid |= id && !strcmp(id, cmid);
		}
	}
	reply_free(&r);
	return n;
}

/* Outbox journals left in the state directory. */
static int journals(void)
{
	DIR *d = opendir(state_dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		n += !strncmp(e->d_name, "outbox-", 7);
	closedir(d);
	return n;
}

/* ---- tests ------------------------------------------------------------------- */

static void test_queued_reply_is_sent_once_by_the_next_console(void **state)
{
	static const char text[] = "Sorry for the wait, your refund is on its way";
	char chat[37], out[512], server[64], cmid[65];

	(void)state;
	ingest(&hub, bot, "queue-1", "user", "where is my refund?", true, chat);
	hub_act(&hub, ana, chat, "takeover", "{}");

	/* The hub is down: --queue answers at once, with the id. */
	snprintf(server, sizeof server, "http://127.0.0.1:%d", hub.port);
	hub_stop(&hub);
	const char *args[] = {"--server", server, "--token-file", ana_file,
			      "reply",    "--queue", chat,         text, NULL};
	long long t0 = now_ms();
	int status = run_handoff(args, out, sizeof out);
	long long took = now_ms() - t0;
	if (status != 0)
		fail_msg("reply --queue exited %d: %s", status, out);
	if (took > 2000)
		fail_msg("reply --queue took %lld ms with the hub down", took);
	assert_int_equal(sscanf(out, "reply queued as %64s", cmid), 1);
	assert_int_equal(journals(), 1);

	/* The hub comes back; the next console adopts the journal and sends. */
	hub_start(&hub, NULL);
	struct client c;
	client_open(&c);
	expect_id = cmid;
	wait_until(&c, queued_reply_sent, "the queued reply to be sent");
	client_close(&c);
	assert_int_equal(journals(), 0);

	/* A console started after that has nothing left to send. */
	client_open(&c);
	wait_until(&c, went_live, "the stream to go live");
	assert_int_equal(session_unsent(c.s), 0);
	client_close(&c);

	bool has_cmid;
	assert_int_equal(count_text(chat, text, cmid, &has_cmid), 1);
	assert_true(has_cmid);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queued_reply_is_sent_once_by_the_next_console),
	};
	return cmocka_run_group_tests(tests, setup, hub_teardown);
}
