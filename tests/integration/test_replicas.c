/*
 * test_replicas.c — several hubs on one PostgreSQL database, as replicas
 * behind a load balancer would run, seen from outside as their users see
 * them: a takeover raced through three hubs has one winner; a console
 * whose hub is killed (SIGKILL, while bridges write through it and through
 * another) resumes on the other with ?since= and misses nothing, sees
 * nothing twice, and saw the other's writes live before; replies retried on another hub are stored once and
 * reach every hub's streams once; an ingest retried on two hubs at once is
 * stored once.
 *
 * Only on PostgreSQL (tests/pg/test_replicas.pg): SQLite's hubs share no
 * event log, so without HANDOFF_TEST_PG the program exits 77 (skipped).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

#define HUBS 3

static struct hub hubs[HUBS];
static struct hub *hubp[HUBS] = {&hubs[0], &hubs[1], &hubs[2]};
static char agent[HUBS][HUB_TOKEN_MAX], sue[HUB_TOKEN_MAX], bot[HUB_TOKEN_MAX];
static const char *const agent_name[HUBS] = {"Ana", "Ben", "Cy"};

static const struct account accounts[] = {
	{"Ana", "agent", agent[0]},
	{"Ben", "agent", agent[1]},
	{"Cy", "agent", agent[2]},
	{"Sue", "supervisor", sue},
	{"Bridge", "ingest", bot},
	{NULL},
};

static int setup(void **state)
{
	(void)state;
	hub_accounts(&hubs[0], accounts);
	hub_start(&hubs[0], NULL);
	for (int i = 1; i < HUBS; i++) {
		hub_init_replica(&hubs[i], &hubs[0]);
		hub_start(&hubs[i], NULL);
	}
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

/* ---- what a reader of the stream saw ------------------------------------ */

static long long number(const cJSON *j, const char *name)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(j, name);
	if (!cJSON_IsNumber(n))
		fail_msg("no number %s", name);
	return (long long)n->valuedouble;
}

static const char *string(const cJSON *j, const char *name)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(j, name);
	return cJSON_IsString(s) ? s->valuestring : "";
}

/* Every event of a stream, over all its connections: the next one must be
 * last + 1, nothing else. */
struct tally {
	long long last;
	long long events, lost, doubled;
};

/* Take one frame into t; false for a frame without a seq (presence). */
static bool tally_event(struct tally *t, const cJSON *e)
{
	if (strcmp(string(e, "type"), "resync") == 0)
		fail_msg("resync after %lld: the hub did not replay", t->last);
	if (!cJSON_GetObjectItemCaseSensitive(e, "seq"))
		return false;
	long long seq = number(e, "seq");
	if (seq <= t->last) {
		t->doubled++;
		return false;
	}
	t->lost += seq - t->last - 1;
	t->last = seq;
	t->events++;
	return true;
}

/* A stream on h as token from `since` (< 0: none); the hello's head. */
static long long stream_open(struct ws *w, struct hub *h, const char *token, long long since)
{
	char query[40];

	snprintf(query, sizeof query, "since=%lld", since);
	assert_true(ws_connect(w, h, token, since >= 0 ? query : NULL, NULL));
	cJSON *hello = ws_next(w, 10000);
	assert_non_null(hello);
	assert_string_equal(string(hello, "type"), "hello");
	long long head = number(hello, "head");
	cJSON_Delete(hello);
	return head;
}

/* The head of the shared log as hub h announces it. */
static long long head_of(struct hub *h)
{
	struct ws w;
	long long head = stream_open(&w, h, sue, -1);
	ws_close(&w);
	return head;
}

/* The id of a message answer: the message itself (a reply) or {message}
 * (an ingest). */
static const char *message_id(const struct reply *r)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(r->json, "message");
	return string(m ? m : r->json, "id");
}

/* A page of chat's messages (all of them: fewer than 100), through h. */
static struct reply messages_of(struct hub *h, const char *chat)
{
	char path[128];

	snprintf(path, sizeof path, "/v1/chats/%s/messages?limit=100", chat);
	struct reply r = http(h, "GET", path, sue, NULL);
	expect_status(&r, 200);
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(r.json, "meta");
	assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(meta, "has_more_before")));
	return r;
}

/* The thread's seqs are 1..N, no gap, no repeat; N. */
static int assert_thread_seqs(const struct reply *r)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(r->json, "messages");
	int n = 0;
	const cJSON *m;

	cJSON_ArrayForEach(m, list) {
		if (number(m, "seq") != n + 1)
			fail_msg("message %d of the thread has seq %lld", n + 1, number(m, "seq"));
		n++;
	}
	return n;
}

/* How many messages of the page have text `text`. */
static int copies_of(const struct reply *r, const char *text)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(r->json, "messages");
	const cJSON *m;
	int n = 0;

	cJSON_ArrayForEach(m, list)
		n += strcmp(string(m, "text"), text) == 0;
	return n;
}

/* ---- 1. takeover raced through three hubs -------------------------------- */

#define TAKEOVER_ROUNDS 30

static void test_takeover_race_across_hubs(void **state)
{
	int wins[HUBS] = {0};
	const char *tokens[HUBS] = {agent[0], agent[1], agent[2]};

	(void)state;
	for (int round = 0; round < TAKEOVER_ROUNDS; round++) {
		char chat[37], ext[32], path[128];
		const char *paths[HUBS], *bodies[HUBS] = {NULL};
		struct reply r[HUBS];

		snprintf(ext, sizeof ext, "replica-race-%d", round);
		ingest(hubp[round % HUBS], bot, ext, "user", "anyone there?", true, chat);
		snprintf(path, sizeof path, "/v1/chats/%s/takeover", chat);
		for (int i = 0; i < HUBS; i++)
			paths[i] = path;
		/* agent i through hub i, all on the wire before any answer */
		http_each_at_once(HUBS, hubp, "POST", paths, bodies, tokens, r);

		int winner = -1, lost = 0;
		for (int i = 0; i < HUBS; i++) {
			if (r[i].status == 200) {
				if (winner >= 0)
					fail_msg("round %d: %s and %s both took the chat", round,
						 agent_name[winner], agent_name[i]);
				winner = i;
			}
		}
		if (winner < 0)
			fail_msg("round %d: nobody took the chat (%ld %ld %ld)", round, r[0].status,
				 r[1].status, r[2].status);
		char held[64];
		snprintf(held, sizeof held, "held by agent %s", agent_name[winner]);
		for (int i = 0; i < HUBS; i++) {
			if (i == winner)
				continue;
			if (r[i].status != 409 || !strstr(error_description(&r[i]), held))
				fail_msg("round %d: %s's takeover through hub %d: %ld %s (want 409 "
					 "\"%s\")",
					 round, agent_name[i], i, r[i].status, r[i].body, held);
			lost++;
		}
		assert_int_equal(lost, HUBS - 1);
		wins[winner]++;
		for (int i = 0; i < HUBS; i++)
			reply_free(&r[i]);

		/* one AGENT_JOINED in the thread, read through another hub */
		struct reply m = messages_of(hubp[(round + 1) % HUBS], chat);
		const cJSON *list = cJSON_GetObjectItemCaseSensitive(m.json, "messages"), *msg;
		int joined = 0;
		cJSON_ArrayForEach(msg, list)
			joined += strcmp(string(msg, "system_type"), "AGENT_JOINED") == 0;
		assert_int_equal(joined, 1);
		assert_thread_seqs(&m);
		reply_free(&m);
	}
	print_message("takeover race: %d rounds, wins by hub %d/%d/%d\n", TAKEOVER_ROUNDS,
		      wins[0], wins[1], wins[2]);
}

/* ---- 2. a stream resumed on another replica after kill -9 ---------------- */

#define KILL_WRITES 250      /* ingested through hub B (and at most as many through A) */
#define KILL_CHATS 8
#define SEEN_BEFORE_KILL 120 /* B's writes read on hub A before it is killed */
#define MISSED_WHILE_AWAY 20 /* events written between the kill and the resume */

static pthread_t writer_thread, writer_a_thread;
static bool writer_started, writer_a_started;

static atomic_bool writing;
static atomic_int write_errors;
static long long answered_us[KILL_WRITES]; /* writer's: when hub B answered write i */
static long long framed_us[KILL_WRITES];   /* reader's: when write i's frame came on A */
static int seen_b[KILL_WRITES];            /* reader's: write i's frames, A and B */
static bool stored_a[KILL_WRITES];         /* A's writer: hub A answered write i 201 */
static int seen_a[KILL_WRITES];            /* reader's: A's write i's frames */
static int b_on_a;                         /* reader's: B's writes seen on A */

static long long now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A bridge ingesting on hub h, its own curl handle, no cmocka call off the
 * main thread: write i is "kill message i" in B's chats, or "a-side
 * message i" in chats of its own when on_a (A is killed under it: the
 * first failure ends it). */
static void ingest_many(struct hub *h, bool on_a)
{
	char url[128], body[256], auth[HUB_TOKEN_MAX + 32];
	CURL *c = curl_easy_init();
	struct curl_slist *hdrs = NULL;
	char *answer = NULL;

	hub_url(h, "/v1/ingest/messages", url, sizeof url);
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", bot);
	hdrs = curl_slist_append(hdrs, auth);
	hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 20000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, http_keep_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
	for (int i = 0; i < KILL_WRITES; i++) {
		long status = 0;
		snprintf(body, sizeof body,
			 "{\"external_id\":\"replica-kill-%s%d\",\"channel\":{\"type\":\"widget\"},"
			 "\"role\":\"user\",\"text\":\"%s message %d\"}",
			 on_a ? "a-" : "", i % KILL_CHATS, on_a ? "a-side" : "kill", i);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		bool ok = curl_easy_perform(c) == CURLE_OK &&
			  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK &&
			  status == 201;
		free(answer);
		answer = NULL;
		if (on_a) {
			if (!ok)
				break;
			stored_a[i] = true;
			continue;
		}
		if (!ok)
			atomic_fetch_add(&write_errors, 1);
		answered_us[i] = now_us();
	}
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
}

static void *writer(void *arg)
{
	ingest_many(arg, false);
	atomic_store(&writing, false);
	return NULL;
}

static void *writer_a(void *arg)
{
	ingest_many(arg, true);
	return NULL;
}

/* Tally e; when it is one of the writers' messages, count it, and note
 * when B's came on A. */
static void take(struct tally *t, const cJSON *e, bool on_a)
{
	if (!tally_event(t, e) || strcmp(string(e, "type"), "message.created") != 0)
		return;
	int i;
	const char *text = string(cJSON_GetObjectItemCaseSensitive(e, "message"), "text");
	if (sscanf(text, "kill message %d", &i) == 1 && i >= 0 && i < KILL_WRITES) {
		seen_b[i]++;
		if (on_a) {
			framed_us[i] = now_us();
			b_on_a++;
		}
	} else if (sscanf(text, "a-side message %d", &i) == 1 && i >= 0 && i < KILL_WRITES) {
		seen_a[i]++;
	}
}

static int by_value(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

static void test_stream_resumes_on_another_replica_after_kill(void **state)
{
	struct hub *a = &hubs[0], *b = &hubs[1];
	struct tally t = {0};
	struct ws w;

	(void)state;
	long long start = now_ms();
	/* A console's stream on A, from a fresh start: all it gets is live. */
	t.last = stream_open(&w, a, agent[0], -1);
	const long long first = t.last;

	atomic_store(&writing, true);
	assert_int_equal(pthread_create(&writer_thread, NULL, writer, b), 0);
	writer_started = true;
	/* and one on A, so the kill may fall inside its transactions */
	assert_int_equal(pthread_create(&writer_a_thread, NULL, writer_a, a), 0);
	writer_a_started = true;

	while (b_on_a < SEEN_BEFORE_KILL) {
		cJSON *e = ws_next(&w, 10000);
		if (!e)
			fail_msg("hub A's stream stopped after %lld events", t.events);
		take(&t, e, true);
		cJSON_Delete(e);
	}
	assert_true(atomic_load(&writing)); /* or the kill proves little */
	/* A watcher on B, to see the log move on while the console is away. */
	struct ws watch;
	stream_open(&watch, b, sue, -1);
	hub_kill(a);
	/* What had reached the socket before the kill is the client's too. */
	for (cJSON *e; (e = ws_next(&w, 2000)); cJSON_Delete(e))
		take(&t, e, true);
	ws_close(&w);
	const long long on_a = t.events, last_on_a = t.last;

	/* Writes go on through B while the console is disconnected, so its
	 * resume must replay them from the log, not just go live. */
	for (long long seen = 0; seen < last_on_a + MISSED_WHILE_AWAY;) {
		cJSON *e = ws_next(&watch, 10000);
		if (!e)
			fail_msg("the log did not move past %lld after the kill", seen);
		if (cJSON_GetObjectItemCaseSensitive(e, "seq"))
			seen = number(e, "seq");
		cJSON_Delete(e);
	}
	ws_close(&watch);

	/* The console reconnects, the balancer sending it to B. */
	stream_open(&w, b, agent[0], t.last);
	long long head = -1, deadline = now_ms() + 20000;
	for (;;) {
		if (head < 0 && !atomic_load(&writing)) {
			assert_int_equal(pthread_join(writer_thread, NULL), 0);
			writer_started = false;
			head = head_of(b);
		}
		if (head >= 0 && t.last >= head)
			break;
		cJSON *e = ws_next(&w, 200);
		if (!e && now_ms() > deadline)
			fail_msg("hub B's stream stopped at %lld (head %lld)", t.last, head);
		if (e)
			take(&t, e, false);
		cJSON_Delete(e);
	}
	assert_null(ws_next(&w, 200)); /* nothing after the head */
	ws_close(&w);
	assert_int_equal(atomic_load(&write_errors), 0);
	assert_int_equal(pthread_join(writer_a_thread, NULL), 0);
	writer_a_started = false;

	/* Every write B answered came once; so did every one A answered
	 * before it died (one it died answering may be there, once). */
	int a_stored = 0, a_unanswered = 0;
	for (int i = 0; i < KILL_WRITES; i++) {
		if (seen_b[i] != 1)
			fail_msg("B's write %d came %d times", i, seen_b[i]);
		if (stored_a[i] && seen_a[i] != 1)
			fail_msg("A's write %d, answered 201, came %d times", i, seen_a[i]);
		if (!stored_a[i] && seen_a[i] > 1)
			fail_msg("A's write %d came %d times", i, seen_a[i]);
		a_stored += stored_a[i];
		a_unanswered += !stored_a[i] && seen_a[i];
	}
	assert_true(a_stored > 0);

	/* How soon an event written through B was on A's stream. */
	long long lat[KILL_WRITES];
	int n = 0;
	for (int i = 0; i < KILL_WRITES; i++)
		if (framed_us[i])
			lat[n++] = framed_us[i] - answered_us[i];
	assert_true(n >= SEEN_BEFORE_KILL);
	qsort(lat, (size_t)n, sizeof *lat, by_value);
	print_message("kill -9: %lld events on A (seq %lld..%lld), then %lld on B to %lld "
		      "(%d or more written while away); %lld lost, %lld doubled; %lld ms in all\n",
		      on_a, first + 1, last_on_a, t.events - on_a, head, MISSED_WHILE_AWAY, t.lost,
		      t.doubled, now_ms() - start);
	print_message("A's writer: %d answered before the kill, %d stored unanswered\n", a_stored,
		      a_unanswered);
	print_message("B's writes live on A, ms from B's answer to A's frame: median %.2f, "
		      "p95 %.2f, max %.2f, min %.2f (n=%d)\n",
		      lat[n / 2] / 1000.0, lat[n * 95 / 100] / 1000.0, lat[n - 1] / 1000.0,
		      lat[0] / 1000.0, n);
	assert_true(head - first >= KILL_WRITES);
	assert_int_equal(t.lost, 0);
	assert_int_equal(t.doubled, 0);
	assert_int_equal(t.events, head - first);
	/* the fan-out is NOTIFY's, not a poll: half a second is generous */
	assert_true(lat[n / 2] < 500000);
}

/* After the kill case, passed or not: the writer is done and A is back
 * on the same database for the cases after it. */
static int after_kill(void **state)
{
	(void)state;
	if (writer_started)
		pthread_join(writer_thread, NULL);
	if (writer_a_started)
		pthread_join(writer_a_thread, NULL);
	writer_started = writer_a_started = false;
	if (hubs[0].pid <= 0)
		hub_start(&hubs[0], NULL);
	return 0;
}

/* ---- 3. replies retried on other replicas -------------------------------- */

#define STORM_CHATS 6
#define STORM_WAVES 15

static void test_reply_storm_across_replicas(void **state)
{
	char chats[STORM_CHATS][37];
	char ids[STORM_CHATS][STORM_WAVES][37];
	struct ws streams[HUBS];
	struct tally tallies[HUBS];
	int seen[HUBS][STORM_CHATS][STORM_WAVES];

	(void)state;
	memset(seen, 0, sizeof seen);
	/* Chat c is held by agent c % 3, taken over through hub c % 3. */
	for (int c = 0; c < STORM_CHATS; c++) {
		char ext[32];
		snprintf(ext, sizeof ext, "replica-storm-%d", c);
		ingest(hubp[c % HUBS], bot, ext, "user", "hello?", true, chats[c]);
		hub_act(hubp[c % HUBS], agent[c % HUBS], chats[c], "takeover", NULL);
	}
	/* A supervisor's stream on every hub, opened before the storm. */
	for (int i = 0; i < HUBS; i++) {
		memset(&tallies[i], 0, sizeof tallies[i]);
		tallies[i].last = stream_open(&streams[i], hubp[i], sue, -1);
	}
	const long long first = tallies[0].last;
	for (int i = 1; i < HUBS; i++)
		assert_int_equal(tallies[i].last, first); /* every hub at the same head */

	long long start = now_ms();
	for (int wave = 0; wave < STORM_WAVES; wave++) {
		/* Every chat's reply of this wave sent twice at once, through two
		 * hubs (a client that timed out and retried on another replica
		 * while the first was still on its way)... */
		enum { N = 2 * STORM_CHATS };
		struct hub *to[N];
		const char *paths[N], *bodies[N], *tokens[N];
		char path[STORM_CHATS][128], body[STORM_CHATS][160];
		const char *paths_of_chats[STORM_CHATS], *bodies_of_chats[STORM_CHATS];
		struct reply r[N], late[STORM_CHATS];

		for (int c = 0; c < STORM_CHATS; c++) {
			snprintf(path[c], sizeof path[c], "/v1/chats/%.36s/messages", chats[c]);
			snprintf(body[c], sizeof body[c],
				 "{\"text\":\"reply %d-%d\",\"client_msg_id\":\"storm-%d-%d\"}", c,
				 wave, c, wave);
			paths_of_chats[c] = path[c];
			bodies_of_chats[c] = body[c];
			for (int k = 0; k < 2; k++) {
				to[2 * c + k] = hubp[(c + wave + k) % HUBS];
				paths[2 * c + k] = path[c];
				bodies[2 * c + k] = body[c];
				tokens[2 * c + k] = agent[c % HUBS];
			}
		}
		http_each_at_once(N, to, "POST", paths, bodies, tokens, r);
		/* ...and once more through the third hub after both answered. */
		struct hub *third[STORM_CHATS];
		const char *late_tokens[STORM_CHATS];
		for (int c = 0; c < STORM_CHATS; c++) {
			third[c] = hubp[(c + wave + 2) % HUBS];
			late_tokens[c] = agent[c % HUBS];
		}
		http_each_at_once(STORM_CHATS, third, "POST", paths_of_chats, bodies_of_chats,
				  late_tokens, late);
		for (int c = 0; c < STORM_CHATS; c++) {
			struct reply *p = &r[2 * c], *q = &r[2 * c + 1];
			if (!((p->status == 201 && q->status == 200) ||
			      (p->status == 200 && q->status == 201)))
				fail_msg("reply %d-%d through two hubs: %ld and %ld (want one 201, one "
					 "200): %s %s",
					 c, wave, p->status, q->status, p->body, q->body);
			assert_int_equal(late[c].status, 200);
			assert_true(strlen(message_id(p)) == 36);
			assert_string_equal(message_id(p), message_id(q));
			assert_string_equal(message_id(p), message_id(&late[c]));
			snprintf(ids[c][wave], sizeof ids[c][wave], "%s", message_id(p));
			reply_free(p);
			reply_free(q);
			reply_free(&late[c]);
		}
	}
	long long storm_ms = now_ms() - start;

	/* Every reply stored once, the thread numbered 1..N. */
	for (int c = 0; c < STORM_CHATS; c++) {
		struct reply m = messages_of(hubp[(c + 1) % HUBS], chats[c]);
		for (int wave = 0; wave < STORM_WAVES; wave++) {
			char text[32];
			snprintf(text, sizeof text, "reply %d-%d", c, wave);
			assert_int_equal(copies_of(&m, text), 1);
		}
		assert_true(assert_thread_seqs(&m) >= STORM_WAVES + 2);
		reply_free(&m);
	}

	/* Every stream, on every hub, saw every reply once, and every event
	 * between once, in order. */
	long long head = head_of(hubp[0]);
	for (int i = 0; i < HUBS; i++) {
		while (tallies[i].last < head) {
			cJSON *e = ws_next(&streams[i], 10000);
			if (!e)
				fail_msg("hub %d's stream stopped at %lld of %lld", i, tallies[i].last,
					 head);
			if (tally_event(&tallies[i], e) &&
			    strcmp(string(e, "type"), "message.created") == 0) {
				const char *id =
					string(cJSON_GetObjectItemCaseSensitive(e, "message"), "id");
				for (int c = 0; c < STORM_CHATS; c++)
					for (int wave = 0; wave < STORM_WAVES; wave++)
						seen[i][c][wave] += strcmp(ids[c][wave], id) == 0;
			}
			cJSON_Delete(e);
		}
		ws_close(&streams[i]);
		assert_int_equal(tallies[i].lost, 0);
		assert_int_equal(tallies[i].doubled, 0);
		assert_int_equal(tallies[i].events, head - first);
		for (int c = 0; c < STORM_CHATS; c++)
			for (int wave = 0; wave < STORM_WAVES; wave++)
				if (seen[i][c][wave] != 1)
					fail_msg("hub %d's stream had reply %d-%d %d times", i, c, wave,
						 seen[i][c][wave]);
	}
	print_message("reply storm: %d replies, each sent 3 times through 3 hubs, in %lld ms; "
		      "%lld events on each of %d streams\n",
		      STORM_CHATS * STORM_WAVES, storm_ms, head - first, HUBS);
}

/* ---- 4. one ingest sent to two hubs at once ------------------------------ */

#define INGEST_ROUNDS 20

static void test_ingest_idempotent_across_hubs(void **state)
{
	(void)state;
	for (int round = 0; round < INGEST_ROUNDS; round++) {
		/* first a new conversation (its chat made by the race too), then a
		 * second message in it */
		for (int step = 0; step < 2; step++) {
			char body[256], text[48];
			struct hub *to[2] = {hubp[round % HUBS], hubp[(round + 1) % HUBS]};
			const char *paths[2] = {"/v1/ingest/messages", "/v1/ingest/messages"};
			const char *bodies[2] = {body, body}, *tokens[2] = {bot, bot};
			struct reply r[2];

			snprintf(text, sizeof text, "ingest %d-%d", round, step);
			snprintf(body, sizeof body,
				 "{\"external_id\":\"replica-ingest-%d\",\"external_message_id\":"
				 "\"m-%d-%d\",\"channel\":{\"type\":\"widget\"},\"role\":\"user\","
				 "\"text\":\"%s\"}",
				 round, round, step, text);
			http_each_at_once(2, to, "POST", paths, bodies, tokens, r);
			if (!((r[0].status == 201 && r[1].status == 200) ||
			      (r[0].status == 200 && r[1].status == 201)))
				fail_msg("ingest %d-%d through two hubs: %ld and %ld (want one 201, "
					 "one 200): %s %s",
					 round, step, r[0].status, r[1].status, r[0].body, r[1].body);
			assert_string_equal(message_id(&r[0]), message_id(&r[1]));
			const char *chat0 = string(cJSON_GetObjectItemCaseSensitive(r[0].json, "chat"),
						   "id");
			const char *chat1 = string(cJSON_GetObjectItemCaseSensitive(r[1].json, "chat"),
						   "id");
			assert_string_equal(chat0, chat1);

			struct reply m = messages_of(hubp[(round + 2) % HUBS], chat0);
			assert_int_equal(copies_of(&m, text), 1);
			assert_int_equal(assert_thread_seqs(&m), step + 1);
			reply_free(&m);
			reply_free(&r[0]);
			reply_free(&r[1]);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_takeover_race_across_hubs),
		cmocka_unit_test_teardown(test_stream_resumes_on_another_replica_after_kill,
					  after_kill),
		cmocka_unit_test(test_reply_storm_across_replicas),
		cmocka_unit_test(test_ingest_idempotent_across_hubs),
	};

	if (!hub_on_pg()) {
		printf("test_replicas: hubs share an event log only on PostgreSQL "
		       "(run tests/pg/test_replicas.pg); skipped\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
