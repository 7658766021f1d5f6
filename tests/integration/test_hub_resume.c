/*
 * test_hub_resume.c — a reader of the event stream cut at random points
 * while events are being written, resuming each time with ?since= the
 * last seq it handled, ends with every seq exactly once and in order.
 *
 * test_hub_events.c resumes once, after writes made while away; this is
 * the same promise under fire: a thread ingests without pause while the
 * reader is cut 50 times, after a random number of events (none: right
 * after the upgrade or the hello), sometimes holding half a frame, mostly
 * with events still on their way (the hub sees a reset, not a goodbye).
 * The cuts come from a seeded generator (HANDOFF_SEED to replay a run).
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
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

#define WRITES 2000      /* ingested messages: a little more events */
#define CHATS 20         /* spread over this many chats */
#define DISCONNECTS 50
#define MAX_RUN 40       /* events read at most between two cuts */

static struct hub hub;
static char ana[HUB_TOKEN_MAX], bot[HUB_TOKEN_MAX];

static const struct account accounts[] = {
	{"Ana", "agent", ana},
	{"Bridge", "ingest", bot},
	{NULL},
};

static int setup(void **state)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	hub_init(&hub);
	for (const struct account *a = accounts; a->name; a++)
		hub_token(&hub, a->name, a->role, a->token);
	/* The writer must not be slowed by its own account's limit. */
	hub_start(&hub, NULL);
	*state = &hub;
	return 0;
}

/* xorshift64*: the same cuts for the same seed on every machine. */
static uint64_t rng;

static unsigned next_rand(unsigned below)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (unsigned)((rng * 0x2545F4914F6CDD1DULL) >> 33) % below;
}

/* The writer: its own curl handle, no cmocka call off the main thread. */
static atomic_bool writing;
static atomic_int write_errors;

static void *writer(void *arg)
{
	char url[128], body[256], auth[HUB_TOKEN_MAX + 32];
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	char *answer = NULL;

	(void)arg;
	hub_url(&hub, "/v1/ingest/messages", url, sizeof url);
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", bot);
	h = curl_slist_append(h, auth);
	h = curl_slist_append(h, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 20000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, http_keep_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
	for (int i = 0; i < WRITES; i++) {
		long status = 0;
		snprintf(body, sizeof body,
			 "{\"external_id\":\"resume-%d\",\"channel\":{\"type\":\"widget\"},"
			 "\"role\":\"user\",\"text\":\"message %d\"}",
			 i % CHATS, i);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		if (curl_easy_perform(c) != CURLE_OK ||
		    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK ||
		    status != 201)
			atomic_fetch_add(&write_errors, 1);
		free(answer);
		answer = NULL;
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	atomic_store(&writing, false);
	return NULL;
}

static long long number(const cJSON *j, const char *name)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(j, name);
	if (!cJSON_IsNumber(n))
		fail_msg("event without %s", name);
	return (long long)n->valuedouble;
}

/* What the reader saw, over all its connections. */
struct tally {
	long long last;     /* the last seq handled: what ?since= asks from */
	long long events, lost, doubled;
};

/* One event into the tally: the next seq is last + 1, nothing else. */
static void handle(struct tally *t, const cJSON *e)
{
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(e, "type");
	if (cJSON_IsString(type) && strcmp(type->valuestring, "resync") == 0)
		fail_msg("resync after %lld: the hub did not replay", t->last);
	long long seq = number(e, "seq");
	if (seq <= t->last) {
		t->doubled++;
		return;
	}
	t->lost += seq - t->last - 1;
	t->last = seq;
	t->events++;
}

/* Connect from t->last; the hello's head. */
static long long resume(struct ws *w, const struct tally *t)
{
	char query[32];

	snprintf(query, sizeof query, "since=%lld", t->last);
	assert_true(ws_connect(w, &hub, ana, query, NULL));
	cJSON *hello = ws_next(w, 10000);
	assert_non_null(hello);
	long long head = number(hello, "head");
	cJSON_Delete(hello);
	return head;
}

/* The next frame, waiting as long as the writer writes (10 s at most). */
static cJSON *next_while_writing(struct ws *w)
{
	long long deadline = now_ms() + 10000;
	cJSON *e;

	while (!(e = ws_next(w, 200)) && atomic_load(&writing) && now_ms() < deadline)
		;
	return e;
}

static void test_random_cuts_lose_nothing_double_nothing(void **state)
{
	(void)state;
	const char *seed = getenv("HANDOFF_SEED");
	uint64_t s = seed ? strtoull(seed, NULL, 0) : 14;
	rng = s ? s : 1;

	struct tally t = {0};
	struct ws w;
	long long start = now_ms();
	/* Where the stream stood before any write. */
	t.last = resume(&w, &t);
	ws_close(&w);
	const long long first = t.last;

	pthread_t th;
	atomic_store(&writing, true);
	assert_int_equal(pthread_create(&th, NULL, writer, NULL), 0);

	int cuts = 0, cuts_while_writing = 0;
	while (cuts < DISCONNECTS) {
		unsigned run = next_rand(MAX_RUN + 1);
		char query[32];
		snprintf(query, sizeof query, "since=%lld", t.last);
		assert_true(ws_connect(&w, &hub, ana, query, NULL));
		/* run 0: cut before even reading the hello */
		for (unsigned i = 0; i <= run && run > 0; i++) {
			cJSON *e = next_while_writing(&w);
			if (!e)
				break; /* the writer is done and all is read */
			if (i > 0)
				handle(&t, e);
			cJSON_Delete(e);
		}
		/* Half the time, take a few raw bytes more: the cut then falls
		 * inside a frame the reader has begun. */
		if (next_rand(2)) {
			char scrap[64];
			ssize_t n = recv(w.fd, scrap, 1 + next_rand(sizeof scrap), MSG_DONTWAIT);
			(void)n; /* nothing there yet is a cut too */
		}
		cuts_while_writing += atomic_load(&writing);
		ws_close(&w);
		cuts++;
	}
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(atomic_load(&write_errors), 0);

	/* The writer is done: one last resume reads to the head. */
	long long head = resume(&w, &t);
	while (t.last < head) {
		cJSON *e = ws_next(&w, 10000);
		if (!e)
			fail_msg("stream stopped at %lld of %lld", t.last, head);
		handle(&t, e);
		cJSON_Delete(e);
	}
	assert_null(ws_next(&w, 200)); /* and nothing after the head */
	ws_close(&w);

	print_message("resume: seed %llu, %d cuts (%d while writing), %lld events "
		      "(seq %lld..%lld), %lld lost, %lld doubled, %lld ms\n",
		      (unsigned long long)s, cuts, cuts_while_writing, t.events, first + 1, head,
		      t.lost, t.doubled, now_ms() - start);
	assert_true(head - first > WRITES);
	assert_int_equal(t.events, head - first);
	assert_int_equal(t.lost, 0);
	assert_int_equal(t.doubled, 0);
	/* Most cuts must fall while events are written, or this proves little. */
	assert_true(cuts_while_writing >= DISCONNECTS / 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_cuts_lose_nothing_double_nothing),
	};
	return cmocka_run_group_tests(tests, setup, hub_teardown);
}
