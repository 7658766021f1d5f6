/*
 * test_outbox.c — the outbox: durability, order, retries, the journal on
 * disk, adoption between processes, refusals.
 *
 * Deterministic: a fake clock, a fake sender that records what it was
 * given, no sleeps. A "crash" is a forked child that works on the outbox
 * and then SIGKILLs itself, so nothing but what reached the disk survives.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "outbox.h"

#define CHAT1 "11111111-1111-4111-8111-111111111111"
#define CHAT2 "22222222-2222-4222-8222-222222222222"
#define T0 INT64_C(1790000000000)
#define MAX_CALLS 64

typedef char msg_id[CLIENT_MSG_ID_MAX_CHARS + 1];

struct call {
	msg_id id;
	char chat[UUID_STRLEN + 1];
	char text[64];
};

struct fixture {
	char dir[64];
	int64_t now;
	struct outbox *ob;
	struct call calls[MAX_CALLS];
	size_t ncalls;
	bool auto_ack;		/* the sender reports "sent" from inside send */
	size_t changes;
	enum outbox_state last_state;
	long compact_bytes;
	const char *held_text;	/* the integrator holds entries with this text */
};

static void fake_send(void *ctx, const struct outbox_entry *e)
{
	struct fixture *f = ctx;

	if (f->ncalls < MAX_CALLS) {
		struct call *c = &f->calls[f->ncalls];

		snprintf(c->id, sizeof c->id, "%s", e->client_msg_id);
		snprintf(c->chat, sizeof c->chat, "%s", e->chat_id);
		snprintf(c->text, sizeof c->text, "%s", e->text);
	}
	f->ncalls++;
	if (f->auto_ack)
		outbox_sent(f->ob, e->client_msg_id, NULL, NULL);
}

static void fake_changed(void *ctx, const struct outbox_entry *e)
{
	struct fixture *f = ctx;

	f->changes++;
	f->last_state = e->state;
}

static bool fake_held(void *ctx, const struct outbox_entry *e)
{
	const struct fixture *f = ctx;

	return f->held_text && strcmp(e->text, f->held_text) == 0;
}

static int64_t fake_clock(void *ctx)
{
	return ((struct fixture *)ctx)->now;
}

static struct outbox *open_ob(struct fixture *f)
{
	struct outbox_options o = {
		.dir = f->dir, .send = fake_send, .send_ctx = f,
		.changed = fake_changed, .changed_ctx = f,
		.clock = fake_clock, .clock_ctx = f,
		.held = fake_held, .held_ctx = f,
		.compact_bytes = f->compact_bytes,
	};
	struct errbuf err = {{0}};

	f->ob = outbox_open(&o, &err);
	if (f->ob == NULL)
		fail_msg("outbox_open: %s", err.msg);
	return f->ob;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	if (f == NULL)
		return -1;
	strcpy(f->dir, "/tmp/handoff-test-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	f->now = T0;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	outbox_close(f->ob);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void add_ok(struct fixture *f, const char *chat, const char *text, msg_id id)
{
	struct errbuf err = {{0}};

	if (!outbox_add(f->ob, chat, text, false, id, &err))
		fail_msg("outbox_add: %s", err.msg);
}

/* Paths in the state directory matching `pattern` (e.g. "outbox-*.jsonl"). */
static size_t count_files(struct fixture *f, const char *pattern, char *first, size_t firstlen)
{
	char pat[128];
	glob_t g;
	size_t n;

	snprintf(pat, sizeof pat, "%s/%s", f->dir, pattern);
	if (glob(pat, 0, NULL, &g) != 0)
		return 0;
	n = g.gl_pathc;
	if (first != NULL && n > 0)
		snprintf(first, firstlen, "%s", g.gl_pathv[0]);
	globfree(&g);
	return n;
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static size_t count_lines(const char *path)
{
	FILE *fp = fopen(path, "r");
	size_t n = 0;
	int c;

	assert_non_null(fp);
	while ((c = fgetc(fp)) != EOF)
		n += c == '\n';
	fclose(fp);
	return n;
}

/* ---- crashes ---------------------------------------------------------- */

/* Work done in a child that then dies by SIGKILL; it writes the ids it
 * wants the parent to know into `ids`. Returns false on any failure. */
typedef bool (*child_fn)(struct fixture *f, msg_id *ids);

/* Run fn in a child process that is killed right after; collect its ids. */
static void crash_after(struct fixture *f, child_fn fn, msg_id *ids, size_t nids)
{
	int pfd[2];
	pid_t pid;
	int status;

	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		msg_id mine[8] = {{0}};

		close(pfd[0]);
		open_ob(f);
		if (!fn(f, mine))
			_exit(1);
		if (write(pfd[1], mine, sizeof mine) != (ssize_t)sizeof mine)
			_exit(1);
		raise(SIGKILL);
		_exit(1);
	}
	close(pfd[1]);
	{
		msg_id got[8];

		assert_int_equal(read(pfd[0], got, sizeof got), (ssize_t)sizeof got);
		memcpy(ids, got, nids * sizeof *ids);
	}
	close(pfd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
}

static bool child_add_two(struct fixture *f, msg_id *ids)
{
	return outbox_add(f->ob, CHAT1, "first", false, ids[0], NULL) &&
	       outbox_add(f->ob, CHAT1, "second", true, ids[1], NULL);
}

/* ---- tests ------------------------------------------------------------ */

/* outbox_add returns only when the entry is on disk: a process killed
 * right after it still has the reply, with the same id. */
static void test_add_persists_before_return(void **state)
{
	struct fixture *f = *state;
	const struct outbox_entry *e;
	msg_id ids[2];

	crash_after(f, child_add_two, ids, 2);
	open_ob(f);
	assert_int_equal(outbox_count(f->ob), 2);
	e = outbox_entry_at(f->ob, 0);
	assert_string_equal(e->client_msg_id, ids[0]);
	assert_true(client_msg_id_valid(e->client_msg_id));
	assert_string_equal(e->chat_id, CHAT1);
	assert_string_equal(e->text, "first");
	assert_false(e->internal);
	assert_int_equal(e->state, OUTBOX_PENDING);
	assert_int_equal(e->created_at, T0);
	e = outbox_entry_at(f->ob, 1);
	assert_string_equal(e->client_msg_id, ids[1]);
	assert_true(e->internal);
	/* The outbox starts offline: nothing was sent yet. */
	assert_int_equal(f->ncalls, 0);
}

/* After a crash, pending replies go again, in order, with their ids. */
static void test_crash_resends_same_ids(void **state)
{
	struct fixture *f = *state;
	msg_id ids[2];

	crash_after(f, child_add_two, ids, 2);
	open_ob(f);
	outbox_set_online(f->ob, true);
	/* One chat: the second waits for the first. */
	assert_int_equal(f->ncalls, 1);
	assert_string_equal(f->calls[0].id, ids[0]);
	assert_true(outbox_sent(f->ob, ids[0], NULL, NULL));
	assert_int_equal(f->ncalls, 2);
	assert_string_equal(f->calls[1].id, ids[1]);
}

static bool child_send_one_of_two(struct fixture *f, msg_id *ids)
{
	struct message ack = {.id = "33333333-3333-4333-8333-333333333333"};

	outbox_set_online(f->ob, true);
	return outbox_add(f->ob, CHAT1, "gets there", false, ids[0], NULL) &&
	       outbox_add(f->ob, CHAT2, "does not", false, ids[1], NULL) &&
	       outbox_sent(f->ob, ids[0], &ack, NULL) &&
	       strcmp(outbox_find(f->ob, ids[0])->message_id, ack.id) == 0;
}

/* A sent reply leaves the journal; the other one stays. */
static void test_sent_removes_from_journal(void **state)
{
	struct fixture *f = *state;
	msg_id ids[2];

	crash_after(f, child_send_one_of_two, ids, 2);
	open_ob(f);
	assert_int_equal(outbox_count(f->ob), 1);
	assert_null(outbox_find(f->ob, ids[0]));
	assert_non_null(outbox_find(f->ob, ids[1]));
}

static bool child_fail_one(struct fixture *f, msg_id *ids)
{
	outbox_set_online(f->ob, true);
	return outbox_add(f->ob, CHAT1, "refused", false, ids[0], NULL) &&
	       outbox_failed(f->ob, ids[0], "Ana holds this chat", NULL) &&
	       outbox_find(f->ob, ids[0])->state == OUTBOX_FAILED;
}

/* A permanent refusal is kept on disk with its reason, is not resent by
 * itself, and goes again with the same id when the agent retries. */
static void test_failed_persisted_and_retried(void **state)
{
	struct fixture *f = *state;
	const struct outbox_entry *e;
	struct errbuf err = {{0}};
	char line[128];
	msg_id ids[1];

	crash_after(f, child_fail_one, ids, 1);
	open_ob(f);
	e = outbox_find(f->ob, ids[0]);
	assert_non_null(e);
	assert_int_equal(e->state, OUTBOX_FAILED);
	assert_string_equal(e->reason, "Ana holds this chat");
	outbox_describe(e, f->now, line, sizeof line);
	assert_string_equal(line, "failed: Ana holds this chat");
	outbox_set_online(f->ob, true);
	assert_int_equal(f->ncalls, 0);

	/* Reasons are cut to the limit and must be readable text. */
	{
		char longr[OUTBOX_REASON_MAX_CHARS + 50];
		msg_id other;

		memset(longr, 'x', sizeof longr - 1);
		longr[sizeof longr - 1] = '\0';
		add_ok(f, CHAT2, "other", other);
		assert_true(outbox_failed(f->ob, other, longr, &err));
		assert_int_equal(strlen(outbox_find(f->ob, other)->reason),
				 OUTBOX_REASON_MAX_CHARS);
		assert_true(outbox_retry(f->ob, other, &err));
		assert_true(outbox_failed(f->ob, other, "bad \xff", &err));
		assert_string_equal(outbox_find(f->ob, other)->reason, "(unreadable reason)");
		f->ncalls = 0;
	}
	assert_true(outbox_retry(f->ob, ids[0], &err));
	assert_int_equal(f->ncalls, 1);
	assert_string_equal(f->calls[0].id, ids[0]);
	assert_int_equal(e->state, OUTBOX_PENDING);
	assert_null(e->reason);
	/* Retrying what has not failed is refused. */
	assert_false(outbox_retry(f->ob, ids[0], &err));
	assert_non_null(strstr(err.msg, "has not failed"));
}

static bool child_discard(struct fixture *f, msg_id *ids)
{
	outbox_set_online(f->ob, true);
	return outbox_add(f->ob, CHAT1, "dropped", false, ids[0], NULL) &&
	       !outbox_discard(f->ob, ids[0], NULL) && /* in flight: refused */
	       outbox_failed(f->ob, ids[0], "no", NULL) &&
	       outbox_discard(f->ob, ids[0], NULL) &&
	       outbox_find(f->ob, ids[0]) == NULL &&
	       outbox_add(f->ob, CHAT1, "kept", false, ids[1], NULL);
}

/* A discarded reply is gone from disk; one typed after it is not. */
static void test_discard_persisted(void **state)
{
	struct fixture *f = *state;
	msg_id ids[2];

	crash_after(f, child_discard, ids, 2);
	open_ob(f);
	assert_int_equal(outbox_count(f->ob), 1);
	assert_string_equal(outbox_entry_at(f->ob, 0)->client_msg_id, ids[1]);
}

/* A transient failure waits for the backoff, then the same id goes again;
 * a late or doubled report changes nothing. */
static void test_transient_failure_backs_off(void **state)
{
	struct fixture *f = *state;
	const struct outbox_entry *e;
	struct errbuf err = {{0}};
	char line[128];
	msg_id id;
	int64_t due;

	open_ob(f);
	outbox_set_online(f->ob, true);
	add_ok(f, CHAT1, "hello", id);
	assert_int_equal(f->ncalls, 1);
	e = outbox_find(f->ob, id);
	assert_true(e->in_flight);
	assert_int_equal(outbox_next_due(f->ob), INT64_MAX);
	outbox_describe(e, T0, line, sizeof line);
	assert_string_equal(line, "sending…");

	assert_true(outbox_retry_later(f->ob, id, "hub unreachable", -1, &err));
	assert_int_equal(e->state, OUTBOX_PENDING);
	assert_false(e->in_flight);
	assert_string_equal(e->reason, "hub unreachable");
	due = outbox_next_due(f->ob);
	assert_in_range(due, T0 + 250, T0 + 500);
	outbox_describe(e, T0, line, sizeof line);
	assert_string_equal(line, "hub unreachable; retrying in 1 s");
	/* Not due yet: nothing goes. */
	outbox_tick(f->ob);
	assert_int_equal(f->ncalls, 1);
	/* A second report for an entry no longer in flight is refused. */
	assert_false(outbox_sent(f->ob, id, NULL, &err));
	assert_int_equal(e->state, OUTBOX_PENDING);

	f->now = due;
	outbox_tick(f->ob);
	assert_int_equal(f->ncalls, 2);
	assert_string_equal(f->calls[1].id, id);
	assert_int_equal(e->attempts, 2);

	/* The second delay doubles: 0.5..1 s; a longer Retry-After wins. */
	assert_true(outbox_retry_later(f->ob, id, "busy", 10000, &err));
	assert_int_equal(outbox_next_due(f->ob), f->now + 10000);
	f->now += 9999;
	outbox_tick(f->ob);
	assert_int_equal(f->ncalls, 2);
	f->now += 1;
	outbox_tick(f->ob);
	assert_int_equal(f->ncalls, 3);
	assert_string_equal(f->calls[2].id, id);
	assert_true(outbox_sent(f->ob, id, NULL, &err));
	assert_int_equal(e->state, OUTBOX_SENT);
	assert_int_equal(f->last_state, OUTBOX_SENT);
	assert_true(outbox_forget(f->ob, id, &err));
	assert_int_equal(outbox_count(f->ob), 0);
}

/* One reply per chat in flight, oldest first; other chats do not wait,
 * and a chat whose head is backing off keeps its younger replies back. */
static void test_per_chat_fifo(void **state)
{
	struct fixture *f = *state;
	msg_id a1, a2, b1;

	open_ob(f);
	outbox_set_online(f->ob, true);
	add_ok(f, CHAT1, "a1", a1);
	add_ok(f, CHAT1, "a2", a2);
	add_ok(f, CHAT2, "b1", b1);
	assert_int_equal(f->ncalls, 2);
	assert_string_equal(f->calls[0].id, a1);
	assert_string_equal(f->calls[1].id, b1);
	/* a2 is due by its clock but waits for a1: nothing for a timer to do
	 * (a timer armed for it would fire over and over while a1 is out). */
	assert_int_equal(outbox_next_due(f->ob), INT64_MAX);

	assert_true(outbox_retry_later(f->ob, a1, "502", -1, NULL));
	f->now += 1000;
	outbox_tick(f->ob);
	assert_int_equal(f->ncalls, 3);
	assert_string_equal(f->calls[2].id, a1);	/* a1 again, not a2 */

	assert_true(outbox_sent(f->ob, a1, NULL, NULL));
	assert_int_equal(f->ncalls, 4);
	assert_string_equal(f->calls[3].id, a2);
}

/* An entry the integrator holds (a reply typed after a takeover still on
 * its way) is not sent, holds its chat's younger entries back like an
 * entry in flight, and is not due; outbox_tick after the release sends
 * it. Other chats go on. */
static void test_held_entry_waits_for_the_integrator(void **state)
{
	struct fixture *f = *state;
	msg_id a1, a2, a3, b1;

	open_ob(f);
	outbox_set_online(f->ob, true);
	f->held_text = "a2";
	add_ok(f, CHAT1, "a1", a1);
	add_ok(f, CHAT1, "a2", a2);
	add_ok(f, CHAT1, "a3", a3);
	add_ok(f, CHAT2, "b1", b1);
	assert_int_equal(f->ncalls, 2);
	assert_true(outbox_sent(f->ob, a1, NULL, NULL));
	assert_true(outbox_sent(f->ob, b1, NULL, NULL));
	assert_int_equal(f->ncalls, 2);	/* a2 held, a3 behind it */
	assert_int_equal(outbox_next_due(f->ob), INT64_MAX);

	f->held_text = NULL;
	outbox_tick(f->ob);
	assert_int_equal(f->ncalls, 3);
	assert_string_equal(f->calls[2].id, a2);
	assert_true(outbox_sent(f->ob, a2, NULL, NULL));
	assert_int_equal(f->ncalls, 4);
	assert_string_equal(f->calls[3].id, a3);
}

/* Offline nothing goes; online everything goes, in the order typed. A
 * sender that answers from inside send() drains the whole queue. */
static void test_offline_then_online_in_order(void **state)
{
	struct fixture *f = *state;
	const char *texts[] = {"one", "two", "three", "four"};
	const char *chats[] = {CHAT1, CHAT2, CHAT1, CHAT1};
	msg_id ids[4];

	open_ob(f);
	for (int i = 0; i < 4; i++)
		add_ok(f, chats[i], texts[i], ids[i]);
	assert_int_equal(f->ncalls, 0);
	assert_int_equal(outbox_next_due(f->ob), INT64_MAX);
	f->auto_ack = true;
	outbox_set_online(f->ob, true);
	assert_int_equal(f->ncalls, 4);
	for (int i = 0; i < 4; i++) {
		assert_string_equal(f->calls[i].text, texts[i]);
		assert_int_equal(outbox_find(f->ob, ids[i])->state, OUTBOX_SENT);
	}
	/* Going offline and back sends nothing twice. */
	outbox_set_online(f->ob, false);
	outbox_set_online(f->ob, true);
	assert_int_equal(f->ncalls, 4);
}

/* Coming back online skips the backoff wait. */
static void test_online_skips_backoff(void **state)
{
	struct fixture *f = *state;
	msg_id id;

	open_ob(f);
	outbox_set_online(f->ob, true);
	add_ok(f, CHAT1, "x", id);
	assert_true(outbox_retry_later(f->ob, id, "hub unreachable", 60000, NULL));
	outbox_set_online(f->ob, false);
	assert_int_equal(outbox_next_due(f->ob), INT64_MAX);
	outbox_set_online(f->ob, true);
	assert_int_equal(f->ncalls, 2);
	assert_string_equal(f->calls[1].id, id);
}

/* A record torn by a crash (no newline) is ignored; the ones before it
 * are intact and nothing is counted as bad. */
static void test_torn_tail_ignored(void **state)
{
	struct fixture *f = *state;
	char path[256];
	struct stat st;
	msg_id ids[2];

	crash_after(f, child_add_two, ids, 2);
	assert_int_equal(count_files(f, "outbox-*.jsonl", path, sizeof path), 1);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(truncate(path, st.st_size - 10), 0);
	open_ob(f);
	assert_int_equal(outbox_count(f->ob), 1);
	assert_string_equal(outbox_entry_at(f->ob, 0)->client_msg_id, ids[0]);
	assert_int_equal(outbox_bad_lines(f->ob), 0);
	assert_int_equal(count_files(f, "*.bad", NULL, 0), 0);
}

#define ADD_LINE(id, chat, text) \
	"{\"op\":\"add\",\"id\":\"" id "\",\"chat_id\":\"" chat "\",\"text\":\"" text \
	"\",\"internal\":false,\"created_at\":\"2026-11-23T10:00:00.000Z\"}\n"

/* Bad lines are skipped and counted, the good ones kept, and the journal
 * that held them is kept aside for a human rather than deleted. */
static void test_corrupt_lines_skipped(void **state)
{
	struct fixture *f = *state;
	char path[256];

	snprintf(path, sizeof path, "%s/outbox-dead.jsonl", f->dir);
	write_file(path, ADD_LINE("good-1", CHAT1, "kept")
		   "{not json\n"
		   ADD_LINE("bad-chat", "not-a-uuid", "x")
		   ADD_LINE("bad-utf8", CHAT1, "\xff")
		   "{\"op\":\"sent\",\"id\":\"nobody\"}\n"
		   "{\"op\":\"explode\",\"id\":\"good-1\"}\n"
		   ADD_LINE("has space", CHAT1, "bad id")
		   "[1,2]\n"
		   "\n"
		   ADD_LINE("good-2", CHAT2, "kept too"));
	open_ob(f);
	assert_int_equal(outbox_count(f->ob), 2);
	assert_string_equal(outbox_entry_at(f->ob, 0)->client_msg_id, "good-1");
	assert_string_equal(outbox_entry_at(f->ob, 1)->text, "kept too");
	assert_int_equal(outbox_bad_lines(f->ob), 7);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(count_files(f, "outbox-dead.jsonl.bad", NULL, 0), 1);
}

static bool child_mixed(struct fixture *f, msg_id *ids)
{
	outbox_set_online(f->ob, true);
	return outbox_add(f->ob, CHAT1, "sent", false, ids[0], NULL) &&
	       outbox_add(f->ob, CHAT2, "failed", false, ids[1], NULL) &&
	       outbox_add(f->ob, CHAT1, "pending", false, ids[2], NULL) &&
	       outbox_sent(f->ob, ids[0], NULL, NULL) &&
	       outbox_failed(f->ob, ids[1], "gone", NULL);
}

/* Opening rewrites what survived into one short journal and removes the
 * old one: add + failed for the refused reply, add for the pending one. */
static void test_compaction(void **state)
{
	struct fixture *f = *state;
	char before[256], after[256];
	msg_id ids[3];

	crash_after(f, child_mixed, ids, 3);
	assert_int_equal(count_files(f, "outbox-*.jsonl", before, sizeof before), 1);
	assert_int_equal(count_lines(before), 5);
	open_ob(f);
	assert_int_equal(count_files(f, "outbox-*.jsonl", after, sizeof after), 1);
	assert_string_not_equal(before, after);
	assert_int_equal(count_lines(after), 3);
	assert_int_equal(count_files(f, "*.tmp", NULL, 0), 0);
	assert_int_equal(outbox_count(f->ob), 2);
	assert_int_equal(outbox_find(f->ob, ids[1])->state, OUTBOX_FAILED);
	assert_string_equal(outbox_find(f->ob, ids[1])->reason, "gone");
	assert_int_equal(outbox_find(f->ob, ids[2])->state, OUTBOX_PENDING);
	/* And the compacted journal reads back the same. */
	outbox_close(f->ob);
	open_ob(f);
	assert_int_equal(outbox_count(f->ob), 2);
	assert_int_equal(outbox_find(f->ob, ids[1])->state, OUTBOX_FAILED);
}

/* A long-running outbox rewrites its own journal as it grows, keeping the
 * replies still pending and dropping what was sent. */
static void test_compaction_while_running(void **state)
{
	struct fixture *f = *state;
	char path[256], text[201];
	struct stat st;
	msg_id waiting, id;

	memset(text, 'r', 200);
	text[200] = '\0';
	f->compact_bytes = 2000;
	open_ob(f);
	outbox_set_online(f->ob, true);
	add_ok(f, CHAT2, "still waiting", waiting);
	for (int i = 0; i < 40; i++) {
		add_ok(f, CHAT1, text, id);
		assert_true(outbox_sent(f->ob, id, NULL, NULL));
		assert_true(outbox_forget(f->ob, id, NULL));
	}
	/* 40 rounds wrote ~16 kB; what is on disk stays near the threshold. */
	assert_int_equal(count_files(f, "outbox-*", path, sizeof path), 1);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size < 2000 + 600);
	assert_true(st.st_size > 0);
	outbox_close(f->ob);
	open_ob(f);
	assert_int_equal(outbox_count(f->ob), 1);
	assert_non_null(outbox_find(f->ob, waiting));
}

/* A journal whose lock is free (its process died) is adopted and removed;
 * one another process holds is left alone until that process lets go. */
static void test_adoption_respects_locks(void **state)
{
	struct fixture *f = *state;
	char dead[256], live[256];
	int fd;

	snprintf(dead, sizeof dead, "%s/outbox-dead.jsonl", f->dir);
	snprintf(live, sizeof live, "%s/outbox-live.jsonl", f->dir);
	write_file(dead, ADD_LINE("from-dead", CHAT1, "orphan"));
	write_file(live, ADD_LINE("from-live", CHAT2, "busy"));
	/* flock belongs to the open file description: this fd conflicts with
	 * the outbox's own open() of the file, in this very process. */
	fd = open(live, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);

	open_ob(f);
	assert_int_equal(outbox_count(f->ob), 1);
	assert_non_null(outbox_find(f->ob, "from-dead"));
	assert_int_equal(access(dead, F_OK), -1);
	assert_int_equal(access(live, F_OK), 0);

	/* Two live outboxes in one directory keep to their own journals. */
	{
		struct outbox *first = f->ob;

		open_ob(f);
		assert_int_equal(outbox_count(f->ob), 0);
		outbox_close(f->ob);
		f->ob = first;
	}
	outbox_close(f->ob);
	close(fd);
	open_ob(f);
	assert_int_equal(outbox_count(f->ob), 2);
	assert_non_null(outbox_find(f->ob, "from-live"));
	assert_int_equal(access(live, F_OK), -1);
}

/* A temporary file a compaction left behind is removed; a locked one (a
 * compaction under way elsewhere) is not. */
static void test_stale_tmp_removed(void **state)
{
	struct fixture *f = *state;
	char stale[256], busy[256];
	int fd;

	snprintf(stale, sizeof stale, "%s/outbox-x.jsonl.tmp", f->dir);
	snprintf(busy, sizeof busy, "%s/outbox-y.jsonl.tmp", f->dir);
	write_file(stale, ADD_LINE("in-tmp", CHAT1, "x"));
	write_file(busy, "");
	fd = open(busy, O_RDONLY);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	open_ob(f);
	assert_int_equal(outbox_count(f->ob), 0);
	assert_int_equal(access(stale, F_OK), -1);
	assert_int_equal(access(busy, F_OK), 0);
	close(fd);
}

/* The directory is made 0700 and journals are 0600 whatever the umask. */
static void test_file_modes(void **state)
{
	struct fixture *f = *state;
	char path[256];
	struct stat st;
	mode_t old;
	msg_id id;

	assert_int_equal(chmod(f->dir, 0755), 0);
	old = umask(0);
	open_ob(f);
	umask(old);
	add_ok(f, CHAT1, "private", id);
	assert_int_equal(stat(f->dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(count_files(f, "outbox-*.jsonl", path, sizeof path), 1);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
}

/* Closing with nothing left to send removes the journal; closing with
 * something pending keeps it for the next start. */
static void test_close_keeps_only_what_matters(void **state)
{
	struct fixture *f = *state;
	msg_id id;

	open_ob(f);
	f->auto_ack = true;
	outbox_set_online(f->ob, true);
	add_ok(f, CHAT1, "done", id);
	outbox_close(f->ob);
	f->ob = NULL;
	assert_int_equal(count_files(f, "outbox-*", NULL, 0), 0);

	f->auto_ack = false;
	open_ob(f);
	add_ok(f, CHAT1, "later", id);
	outbox_close(f->ob);
	open_ob(f);
	assert_non_null(outbox_find(f->ob, id));
}

/* Text the hub would refuse is refused here, and nothing is queued. */
static void test_refuses_bad_text(void **state)
{
	struct fixture *f = *state;
	struct errbuf err = {{0}};
	char *big = malloc(2 * REPLY_MAX_CHARS + 2);
	msg_id id;

	open_ob(f);
	outbox_set_online(f->ob, true);
	assert_false(outbox_add(f->ob, CHAT1, "", false, id, &err));
	assert_string_equal(err.msg, "the reply is empty");
	assert_false(outbox_add(f->ob, CHAT1, "caf\xc3", false, id, &err));
	assert_string_equal(err.msg, "the reply is not valid UTF-8 text");
	assert_false(outbox_add(f->ob, "chat-1", "hi", false, id, &err));

	memset(big, 'a', REPLY_MAX_CHARS + 1);
	big[REPLY_MAX_CHARS + 1] = '\0';
	assert_false(outbox_add(f->ob, CHAT1, big, false, id, &err));
	assert_string_equal(err.msg, "the reply is 4001 characters long; at most 4000 fit");
	assert_int_equal(outbox_count(f->ob), 0);
	assert_int_equal(f->ncalls, 0);

	/* 4000 two-byte characters are 4000 characters, not 8000. */
	for (int i = 0; i < REPLY_MAX_CHARS; i++)
		memcpy(big + 2 * i, "\xc3\xa9", 2);
	big[2 * REPLY_MAX_CHARS] = '\0';
	add_ok(f, CHAT1, big, id);
	assert_int_equal(f->ncalls, 1);
	free(big);
}

/* A state directory that is not there is an error, not a crash. */
static void test_open_missing_dir(void **state)
{
	struct fixture *f = *state;
	struct outbox_options o = {.dir = "/nonexistent/handoff", .send = fake_send};
	struct errbuf err = {{0}};

	assert_null(outbox_open(&o, &err));
	assert_string_equal(err.msg, "outbox: /nonexistent/handoff is not a directory");
	o.send = NULL;
	o.dir = f->dir;
	assert_null(outbox_open(&o, &err));
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_add_persists_before_return),
		T(test_crash_resends_same_ids),
		T(test_sent_removes_from_journal),
		T(test_failed_persisted_and_retried),
		T(test_discard_persisted),
		T(test_transient_failure_backs_off),
		T(test_per_chat_fifo),
		T(test_held_entry_waits_for_the_integrator),
		T(test_offline_then_online_in_order),
		T(test_online_skips_backoff),
		T(test_torn_tail_ignored),
		T(test_corrupt_lines_skipped),
		T(test_compaction),
		T(test_compaction_while_running),
		T(test_adoption_respects_locks),
		T(test_stale_tmp_removed),
		T(test_file_modes),
		T(test_close_keeps_only_what_matters),
		T(test_refuses_bad_text),
		T(test_open_missing_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
