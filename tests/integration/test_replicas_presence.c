/*
 * test_replicas_presence.c — presence and agents' status shared by hubs
 * on one PostgreSQL database, seen from outside: an agent whose console is
 * on hub A is online, then away, to a supervisor on hub B (its `agent`
 * frames and GET /v1/agents); who views and types on A appears in B's
 * presence frames; a chat escalated through one hub is offered to an
 * agent whose only console is on another, the offer frame reaches that
 * console, and the accept through its hub makes them the holder; going
 * away there withdraws it; a hub started later learns all that from A's
 * snapshot, cut into parts to fit NOTIFY; notes that are not right (sent
 * with psql, as any client of the database could) are ignored and logged
 * once; a hub stopped cleanly takes its agent offline elsewhere at once;
 * and when A is killed (SIGKILL, no goodbye) its agent goes offline on B
 * within the bound (doc/deploy.md).
 *
 * Three hubs: A and B run auto-assignment, C does not, so an offer to an
 * agent whose only console is on C can come only from a round on A or B
 * that learnt from C that the agent is online, and reach the console only
 * through C. Every wait is on a condition with a deadline.
 *
 * Only on PostgreSQL (tests/pg/test_replicas_presence.pg): without
 * HANDOFF_TEST_PG the program exits 77 (skipped).
 */
#include <config.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

enum { A, B, C, HUBS };

/* The bound doc/deploy.md gives for a killed hub's agents, with room for
 * a loaded machine. */
#define OFFLINE_BOUND_MS 8000
#define DEADLINE_MS 10000

static struct hub hubs[HUBS];
static char ana[HUB_TOKEN_MAX], ben[HUB_TOKEN_MAX], dee[HUB_TOKEN_MAX], sue[HUB_TOKEN_MAX],
	bot[HUB_TOKEN_MAX];
static char ana_id[37], dee_id[37];

static const struct account accounts[] = {
	{"Ana", "agent", ana}, {"Ben", "agent", ben},     {"Dee", "agent", dee},
	{"Sue", "supervisor", sue}, {"Bridge", "ingest", bot}, {NULL},
};

static int setup(void **state)
{
	(void)state;
	hub_accounts(&hubs[A], accounts);
	hub_start(&hubs[A], "--auto-assign", "--offer-seconds", "60", "--default-capacity", "10",
		  NULL);
	hub_init_replica(&hubs[B], &hubs[A]);
	hub_start(&hubs[B], "--auto-assign", "--offer-seconds", "60", "--default-capacity", "10",
		  NULL);
	hub_init_replica(&hubs[C], &hubs[A]);
	hub_start(&hubs[C], "--default-capacity", "10", NULL);
	hub_account_id(&hubs[A], ana, ana_id);
	hub_account_id(&hubs[A], dee, dee_id);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < HUBS; i++)
		hub_cleanup(&hubs[i]);
	curl_global_cleanup();
	return 0;
}

static const char *string(const cJSON *j, const char *name)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(j, name);
	return cJSON_IsString(s) ? s->valuestring : "";
}

/* Read w until a frame `match` takes, before the deadline (fails after);
 * returns when it came (now_ms). */
static long long wait_for(struct ws *w, bool (*match)(const cJSON *f, const void *arg),
		     const void *arg, long long deadline)
{
	for (;;) {
		int left = (int)(deadline - now_ms());
		assert_true(left > 0);
		cJSON *f = ws_next(w, left);
		assert_non_null(f);
		bool done = match(f, arg);
		cJSON_Delete(f);
		if (done)
			return now_ms();
	}
}

struct status_want {
	const char *id, *status;
};

static bool agent_is(const cJSON *f, const void *arg)
{
	const struct status_want *want = arg;
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(f, "agent");

	return strcmp(string(f, "type"), "agent") == 0 && strcmp(string(a, "id"), want->id) == 0 &&
	       strcmp(string(a, "status"), want->status) == 0;
}

/* Agent `id`'s status as GET /v1/agents through h lists it. */
static void expect_listed(struct hub *h, const char *id, const char *status)
{
	struct reply r = http(h, "GET", "/v1/agents", sue, NULL);
	const cJSON *a;
	const char *found = NULL;

	cJSON_ArrayForEach(a, cJSON_GetObjectItem(expect_status(&r, 200), "agents")) {
		if (strcmp(string(a, "id"), id) == 0)
			found = string(a, "status");
	}
	assert_non_null(found);
	assert_string_equal(found, status);
	reply_free(&r);
}

/* The `agent` frame on w saying agent id is `status`, before the
 * deadline; then GET /v1/agents through h says so too (the frame goes out
 * once the hub counts it). Returns when the frame came. */
static long long expect_agent(struct ws *w, struct hub *h, const char *id, const char *status,
			      long long deadline)
{
	struct status_want want = {id, status};
	long long came = wait_for(w, agent_is, &want, deadline);

	expect_listed(h, id, status);
	return came;
}

struct presence_want {
	const char *chat, *list, *name;
	bool listed;
};

static bool presence_is(const cJSON *f, const void *arg)
{
	const struct presence_want *want = arg;
	const cJSON *a;
	bool listed = false;

	if (strcmp(string(f, "type"), "presence") != 0 || strcmp(string(f, "chat_id"), want->chat))
		return false;
	cJSON_ArrayForEach(a, cJSON_GetObjectItem(f, want->list)) {
		listed |= strcmp(string(a, "name"), want->name) == 0;
	}
	return listed == want->listed;
}

/* A presence frame of `chat` on w whose `list` has `name` (or not). */
static long long expect_presence(struct ws *w, const char *chat, const char *list,
				 const char *name, bool listed)
{
	struct presence_want want = {chat, list, name, listed};

	return wait_for(w, presence_is, &want, now_ms() + DEADLINE_MS);
}

static void say(struct ws *w, const char *type, const char *chat)
{
	char msg[128];

	snprintf(msg, sizeof msg, "{\"type\":\"%s\",\"chat_id\":\"%.36s\"}", type, chat);
	ws_send_text(w, msg);
}

/* A stream that asks for presence and nothing more (no away message, so
 * no agent frames): what it reads next is the snapshot of who is where. */
static void open_presence(struct ws *w, struct hub *h, const char *token)
{
	assert_true(ws_connect(w, h, token, NULL, NULL));
	cJSON *hello = ws_next(w, DEADLINE_MS);
	assert_non_null(hello);
	assert_string_equal(string(hello, "type"), "hello");
	cJSON_Delete(hello);
	ws_send_text(w, "{\"type\":\"viewing\",\"chat_id\":null}");
}

struct offer_want {
	const char *chat;
	bool open; /* seconds > 0, else 0: the offer ended */
};

static bool offer_is(const cJSON *f, const void *arg)
{
	const struct offer_want *want = arg;
	const cJSON *seconds = cJSON_GetObjectItem(f, "seconds");

	return strcmp(string(f, "type"), "offer") == 0 &&
	       strcmp(string(f, "chat_id"), want->chat) == 0 && cJSON_IsNumber(seconds) &&
	       (seconds->valuedouble > 0) == want->open;
}

static void expect_offer(struct ws *w, const char *chat, bool open)
{
	struct offer_want want = {chat, open};

	wait_for(w, offer_is, &want, now_ms() + DEADLINE_MS);
}

static long accept_through(struct hub *h, const char *token, const char *chat)
{
	char path[128];

	snprintf(path, sizeof path, "/v1/chats/%s/accept", chat);
	struct reply r = http(h, "POST", path, token, NULL);
	long status = r.status;
	reply_free(&r);
	return status;
}

/* ---- the cases ------------------------------------------------------------ */

/* Ana's console on A, Sue's on B: B says Ana is online, then away, then
 * offline once her console is closed; the time from her word on A to the
 * frame on B is printed. */
static void test_status_crosses_hubs(void **state)
{
	(void)state;
	struct ws sup, a;

	ws_open_console(&sup, &hubs[B], sue);
	expect_listed(&hubs[B], ana_id, "offline");
	ws_open_console(&a, &hubs[A], ana);
	expect_agent(&sup, &hubs[B], ana_id, "online", now_ms() + DEADLINE_MS);
	long long said = now_ms();
	ws_say_away(&a, true);
	long long away = expect_agent(&sup, &hubs[B], ana_id, "away", now_ms() + DEADLINE_MS) - said;
	said = now_ms();
	ws_say_away(&a, false);
	long long back = expect_agent(&sup, &hubs[B], ana_id, "online", now_ms() + DEADLINE_MS) -
			 said;
	said = now_ms();
	ws_close(&a);
	long long gone = expect_agent(&sup, &hubs[B], ana_id, "offline", now_ms() + DEADLINE_MS) -
			 said;
	print_message("from a word on A to the agent frame on B: away %lld ms, back %lld ms, "
		      "offline %lld ms\n", away, back, gone);
	ws_close(&sup);
}

/* Ana views and types on A: Ben's console on B lists her, and stops when
 * she moves on and when her console closes; a console opened on B later
 * learns at once what A's hold. */
static void test_presence_crosses_hubs(void **state)
{
	(void)state;
	struct ws a, b, late;
	char chat[37], other[37];
	long long said;

	ingest(&hubs[A], bot, "rp-view-1", "user", "hello", false, chat);
	ingest(&hubs[A], bot, "rp-view-2", "user", "hi", false, other);
	ws_open_console(&b, &hubs[B], ben);
	ws_open_console(&a, &hubs[A], ana);
	said = now_ms();
	say(&a, "viewing", chat);
	print_message("viewing on A in a presence frame on B after %lld ms\n",
		      expect_presence(&b, chat, "viewing", "Ana", true) - said);
	say(&a, "typing", chat);
	expect_presence(&b, chat, "typing", "Ana", true);

	open_presence(&late, &hubs[B], dee);
	expect_presence(&late, chat, "viewing", "Ana", true);
	ws_close(&late);

	say(&a, "viewing", other);
	expect_presence(&b, other, "viewing", "Ana", true);
	ws_close(&a);
	expect_presence(&b, other, "viewing", "Ana", false);
	ws_close(&b);
}

/* Dee's only console is on C, which runs no rounds: a chat escalated
 * through B is offered to her by a round on A or B, the frame reaches her
 * console on C, and her accept through C makes her the holder. A second
 * chat offered to her is withdrawn when she goes away on C. */
static void test_offer_reaches_an_agent_on_another_hub(void **state)
{
	(void)state;
	struct ws d;
	char chat[37], second[37], path[96];

	/* No wait for A and B to learn she is online: that runs a round. */
	ws_open_console(&d, &hubs[C], dee);
	ingest(&hubs[B], bot, "rp-offer-1", "user", "help", true, chat);
	expect_offer(&d, chat, true);
	assert_int_equal(accept_through(&hubs[C], dee, chat), 200);
	snprintf(path, sizeof path, "/v1/chats/%s", chat);
	struct reply r = http(&hubs[C], "GET", path, sue, NULL);
	const cJSON *resp = cJSON_GetObjectItem(expect_status(&r, 200), "responder");
	assert_string_equal(string(resp, "name"), "Dee");
	reply_free(&r);

	ingest(&hubs[B], bot, "rp-offer-2", "user", "more help", true, second);
	expect_offer(&d, second, true);
	ws_say_away(&d, true);
	expect_offer(&d, second, false);
	ws_close(&d);
}

/* With both hubs running rounds: a chat escalated through B is offered
 * to Ben, whose only console is on A, and his accept through A wins. */
static void test_offer_across_two_auto_assigning_hubs(void **state)
{
	(void)state;
	struct ws b;
	char chat[37];

	ws_open_console(&b, &hubs[A], ben);
	ingest(&hubs[B], bot, "rp-offer-3", "user", "help", true, chat);
	expect_offer(&b, chat, true);
	assert_int_equal(accept_through(&hubs[A], ben, chat), 200);
	ws_close(&b);
}

/* Presence frames on w until every chat of chats[n] listed Ana viewing
 * (deadline: fails after). */
static void expect_ana_viewing_each(struct ws *w, char (*chats)[37], int n)
{
	bool *seen = calloc((size_t)n, sizeof *seen);
	long long deadline = now_ms() + DEADLINE_MS;
	int left = n;

	assert_non_null(seen);
	while (left > 0) {
		assert_true(now_ms() < deadline);
		cJSON *f = ws_next(w, (int)(deadline - now_ms()));
		assert_non_null(f);
		for (int i = 0; i < n; i++) {
			struct presence_want want = {chats[i], "viewing", "Ana", true};
			if (!seen[i] && presence_is(f, &want)) {
				seen[i] = true;
				left--;
			}
		}
		cJSON_Delete(f);
	}
	free(seen);
}

/* A hub started after A's consoles said where they are learns it from
 * A's snapshot, which is cut into parts: 60 streams' views do not fit one
 * NOTIFY. A console opening on the new hub then lists Ana in every chat. */
static void test_a_hub_started_later_learns_a_split_snapshot(void **state)
{
	(void)state;
	enum { STREAMS = 60 };
	static char chats[STREAMS][37];
	struct ws a[STREAMS], watch, late;
	struct hub d;

	for (int i = 0; i < STREAMS; i++) {
		char ext[32];
		snprintf(ext, sizeof ext, "rp-split-%d", i);
		ingest(&hubs[A], bot, ext, "user", "hello", false, chats[i]);
	}
	ws_open_console(&watch, &hubs[A], ben);
	for (int i = 0; i < STREAMS; i++) {
		assert_true(ws_connect(&a[i], &hubs[A], ana, NULL, NULL));
		cJSON_Delete(ws_next(&a[i], DEADLINE_MS)); /* the hello */
		say(&a[i], "viewing", chats[i]);
	}
	expect_ana_viewing_each(&watch, chats, STREAMS);
	ws_close(&watch);

	hub_init_replica(&d, &hubs[A]);
	hub_start(&d, NULL);
	open_presence(&late, &d, ben);
	expect_ana_viewing_each(&late, chats, STREAMS);
	ws_close(&late);
	for (int i = 0; i < STREAMS; i++)
		ws_close(&a[i]);
	hub_cleanup(&d);
}

/* NOTIFY `payload` on the hubs' channel of h's database, as a client of
 * the database that is no hub would (psql). */
static void notify(const struct hub *h, const char *payload)
{
	const char *conninfo = h->db + strlen("postgres:");
	char *sql = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&sql, &len);
	int status;

	/* dollar quoting: no payload here holds "$n$" */
	fprintf(f, "SELECT pg_notify('handoff_presence', $n$%s$n$)", payload);
	fclose(f);
	pid_t pid = fork();
	if (pid == 0) {
		execl(PG_BINDIR "/psql", "psql", "-X", "-q", "-o", "/dev/null", "-d", conninfo, "-c",
		      sql, (char *)NULL);
		_exit(127);
	}
	free(sql);
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static size_t count(const char *text, const char *needle)
{
	size_t n = 0;

	for (const char *p = text; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* Template t into out[len], "@H", "@A" and "@N" made with[0], [1], [2]. */
static void fill(char *out, size_t len, const char *t, const char *const with[3])
{
	size_t n = 0;

	for (; *t && n + 1 < len; t++) {
		const char *at = t[0] == '@' ? strchr("HAN", t[1]) : NULL;
		if (at && t[1]) {
			n += (size_t)snprintf(out + n, len - n, "%s", with[at - "HAN"]);
			t++;
		} else {
			out[n++] = *t;
		}
	}
	out[n < len ? n : len - 1] = '\0';
}

/* Notes that are not right: not JSON, not an object, no hub, a kind no
 * hub sends, members of the wrong type or past their limits. B ignores
 * each, logs the first only, and goes on hearing A. */
static void test_bad_notes_are_ignored_and_logged_once(void **state)
{
	(void)state;
	const char *forged = "0b5e8a4c-1d2f-4e6a-9b7c-3d2e1f0a9b8c";
	char note[7000], name[600];
	struct ws sup, a;

	memset(name, 'x', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	const char *bad[] = {
		"not json",
		"[1,2,3]",
		"{\"kind\":\"status\"}",
		"{\"hub\":\"nope\",\"kind\":\"hello\"}",
		"{\"hub\":\"@H\",\"kind\":\"teleport\"}",
		"{\"hub\":\"@H\",\"kind\":\"status\",\"agent\":\"Ana\",\"status\":\"online\"}",
		"{\"hub\":\"@H\",\"kind\":\"status\",\"agent\":\"@A\",\"status\":\"bored\"}",
		"{\"hub\":\"@H\",\"kind\":\"view\",\"key\":-1,\"agent\":\"@A\",\"name\":\"X\","
		"\"viewing\":null,\"typing\":null}",
		"{\"hub\":\"@H\",\"kind\":\"view\",\"key\":1,\"agent\":\"@A\",\"name\":\"@N\","
		"\"viewing\":null,\"typing\":null}",
		"{\"hub\":\"@H\",\"kind\":\"offer\",\"agent\":\"@A\",\"chat_id\":7,\"seconds\":1e300}",
		"{\"hub\":\"@H\",\"kind\":\"snapshot\",\"gen\":1,\"last\":true,\"agents\":{},"
		"\"views\":[]}",
	};

	ws_open_console(&sup, &hubs[B], sue);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		fill(note, sizeof note, bad[i], (const char *[]){forged, ana_id, name});
		notify(&hubs[B], note);
	}
	/* Deeply nested, as long as a NOTIFY takes. */
	memset(note, '[', sizeof note - 1);
	note[sizeof note - 1] = '\0';
	notify(&hubs[B], note);

	/* B still hears A: NOTIFYs come in commit order, so the bad ones
	 * were read before Ana comes online. */
	ws_open_console(&a, &hubs[A], ana);
	expect_agent(&sup, &hubs[B], ana_id, "online", now_ms() + DEADLINE_MS);
	char *log = hub_log(&hubs[B]);
	assert_int_equal(count(log, "a note from another hub was ignored"), 1);
	free(log);
	ws_close(&a);
	expect_agent(&sup, &hubs[B], ana_id, "offline", now_ms() + DEADLINE_MS);
	ws_close(&sup);
}

/* A hub stopped cleanly says so: its agent goes offline on B at once,
 * well before the bound a killed hub's silence takes. */
static void test_a_stopped_hubs_agents_go_offline_at_once(void **state)
{
	(void)state;
	struct hub e;
	struct ws sup, a;

	hub_init_replica(&e, &hubs[A]);
	hub_start(&e, NULL);
	ws_open_console(&sup, &hubs[B], sue);
	ws_open_console(&a, &e, ana);
	expect_agent(&sup, &hubs[B], ana_id, "online", now_ms() + DEADLINE_MS);
	long long stopped = now_ms();
	hub_stop(&e);
	print_message("a stopped hub's agent offline on another after %lld ms\n",
		      expect_agent(&sup, &hubs[B], ana_id, "offline", now_ms() + 2000) - stopped);
	ws_close(&a);
	ws_close(&sup);
	hub_cleanup(&e);
}

/* A is killed with Ana's console on it: B says she is offline within the
 * bound, as it learns only from A's silence. */
static void test_a_killed_hubs_agents_go_offline(void **state)
{
	(void)state;
	struct ws sup, a;

	ws_open_console(&sup, &hubs[B], sue);
	ws_open_console(&a, &hubs[A], ana);
	expect_agent(&sup, &hubs[B], ana_id, "online", now_ms() + DEADLINE_MS);
	hub_kill(&hubs[A]);
	long long killed = now_ms();
	expect_agent(&sup, &hubs[B], ana_id, "offline", killed + OFFLINE_BOUND_MS + 2000);
	print_message("a killed hub's agent offline on another after %lld ms\n",
		      now_ms() - killed);
	ws_close(&a);
	ws_close(&sup);
}

int main(void)
{
	if (!hub_on_pg())
		return 77;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_crosses_hubs),
		cmocka_unit_test(test_presence_crosses_hubs),
		cmocka_unit_test(test_offer_reaches_an_agent_on_another_hub),
		cmocka_unit_test(test_offer_across_two_auto_assigning_hubs),
		cmocka_unit_test(test_a_hub_started_later_learns_a_split_snapshot),
		cmocka_unit_test(test_bad_notes_are_ignored_and_logged_once),
		cmocka_unit_test(test_a_stopped_hubs_agents_go_offline_at_once),
		/* last: it kills A */
		cmocka_unit_test(test_a_killed_hubs_agents_go_offline),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
