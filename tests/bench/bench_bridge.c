/*
 * bench_bridge.c — a real handoffd, a real handoff-bridge and the Botpress
 * simulator on loopback; what an agent waits for:
 *
 *   webhook lag   a customer's first message on the platform -> its
 *                 message.created on the hub's event stream, pushed;
 *   polling lag   the same with polling only (fixed interval POLL_MS);
 *   reply lag     an agent's reply accepted by the hub -> the simulator
 *                 pushes the message the bridge created (a webhook
 *                 receiver in this program);
 *   backfill      N conversations of 2 messages waiting on the platform
 *                 when the bridge starts -> all N chats in the hub.
 *
 *   bench_bridge [SAMPLES [BACKFILL]]     defaults 200 1000
 *
 * Prints a Markdown table (doc/performance.md, "Bridges"). Goals: webhook
 * p99 <= 50 ms, polling <= interval + 100 ms, backfill >= 1,000
 * conversations/s.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge_proc.h"

#define POLL_MS 200

static int samples = 200, backfill = 1000;

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

static void row(const char *what, long long *v, int n, const char *goal)
{
	qsort(v, (size_t)n, sizeof *v, cmp_ll);
	printf("| %s | %d | %lld | %lld | %lld | %s |\n", what, n, v[n / 2], v[n * 99 / 100],
	       v[n - 1], goal);
}

/* The time from a new conversation on the platform to its customer
 * message on the hub's event stream. */
static void lag(struct world *w, const char *what, const char *goal)
{
	struct ws ws;
	int status;
	long long *v = calloc((size_t)samples, sizeof *v);

	assert_true(ws_connect(&ws, &w->hub, w->ana, NULL, &status));
	cJSON_Delete(ws_next(&ws, 5000)); /* hello */
	for (int i = 0; i < samples; i++) {
		char text[64];
		snprintf(text, sizeof text, "lag sample %d", i);
		long long t0 = now_ms();
		cJSON_Delete(simc_ctl(&w->sim, "POST", "/_sim/conversations", "{\"text\":\"%s\"}", text));
		for (;;) {
			cJSON *e = ws_next(&ws, 10000);
			assert_non_null(e);
			const char *t = jstr(e, "message.text");
			bool hit = t && strcmp(t, text) == 0;
			cJSON_Delete(e);
			if (hit)
				break;
		}
		v[i] = now_ms() - t0;
		/* Apart, as customers are: the next one is not already queued. */
		poll(NULL, 0, 5 + i % 7);
	}
	ws_close(&ws);
	row(what, v, samples, goal);
	free(v);
}

static void bench_webhook(void)
{
	struct world w;
	world_init(&w, "poll_min_ms = 600000\npoll_max_ms = 600000\n"
		       "webhook_listen = 127.0.0.1:0\nwebhook_secret_file = webhook.secret\n");
	bridge_start(&w);
	lag(&w, "platform → hub, webhook (ms)", "p99 ≤ 50");
	world_free(&w);
}

static void bench_polling(void)
{
	struct world w;
	char conf[128], goal[64];
	snprintf(conf, sizeof conf, "poll_min_ms = %d\npoll_max_ms = %d\n", POLL_MS, POLL_MS);
	snprintf(goal, sizeof goal, "max ≤ %d", POLL_MS + 100);
	world_init(&w, conf);
	bridge_start(&w);
	lag(&w, "platform → hub, polling every 200 ms (ms)", goal);
	world_free(&w);
}

static bool has_chat(struct world *w, const void *text)
{
	char id[37];
	return hub_chat_by_preview(w, text, id);
}

/* Deliveries received so far that carry `needle`. */
static bool hook_has(struct hookrx *h, const char *needle)
{
	bool found = false;
	pthread_mutex_lock(&h->mu);
	for (int i = 0; i < h->n && !found; i++)
		found = h->bodies[i] && strstr(h->bodies[i], needle);
	pthread_mutex_unlock(&h->mu);
	return found;
}

static void bench_reply(void)
{
	struct world w;
	struct hookrx h;
	char chat[37], msg[37], path[128];
	int n = samples > 100 ? 100 : samples; /* the receiver keeps 256 deliveries */
	long long *v = calloc((size_t)n, sizeof *v);

	world_init(&w, "poll_min_ms = 50\npoll_max_ms = 50\n");
	bridge_start(&w);
	hookrx_listen(&h, BPSIM_SIGNATURE_HEADER);
	cJSON *j = simc_ctl(&w.sim, "POST", "/_sim/conversations", "{\"text\":\"need a human\"}");
	char *conv = strdup(jstr(j, "conversationId"));
	cJSON_Delete(j);
	wait_for(&w, has_chat, "need a human", "the chat");
	assert_true(hub_chat_by_preview(&w, "need a human", chat));
	hub_action(&w, chat, "takeover");
	snprintf(path, sizeof path, "/_sim/webhook");
	cJSON_Delete(simc_ctl(&w.sim, "POST", path, "{\"url\":\"http://127.0.0.1:%d/\",\"secret\":\"x\"}",
			       h.port));
	for (int i = 0; i < n; i++) {
		long long t0 = now_ms();
		hub_reply(&w, chat, "a reply", msg);
		while (!hook_has(&h, msg)) {
			assert_true(now_ms() - t0 < 10000);
			hookrx_wait(&h, h.n + 1, 50);
		}
		v[i] = now_ms() - t0;
	}
	row("agent reply → platform (ms)", v, n, "—");
	hookrx_stop(&h);
	world_free(&w);
	free(conv);
	free(v);
}

/* The hub's chat count (meta.total of a one-chat page: the wait itself
 * should cost the hub little). */
static bool all_in(struct world *w, const void *arg)
{
	struct reply r = http(&w->hub, "GET", "/v1/chats?limit=1", w->ana, NULL);
	const cJSON *total = jat(r.json, "meta.total");
	bool in = r.status == 200 && total && (int)total->valuedouble >= *(const int *)arg;
	reply_free(&r);
	return in;
}

static void bench_backfill(void)
{
	struct world w;

	world_init(&w, "poll_min_ms = 50\npoll_max_ms = 200\n");
	cJSON_Delete(simc_ctl(&w.sim, "POST", "/_sim/seed", "{\"conversations\":%d,\"messages\":2}",
			       backfill));
	long long t0 = now_ms();
	bridge_start(&w);
	long long deadline = t0 + 600000;
	while (!all_in(&w, &backfill)) {
		assert_true(now_ms() < deadline);
		poll(NULL, 0, 50);
	}
	long long ms = now_ms() - t0;
	printf("| backfill: %d conversations × 2 messages | %lld ms | %.0f conversations/s | goal ≥ 1,000/s |\n",
	       backfill, ms, backfill * 1000.0 / (double)(ms ? ms : 1));
	world_free(&w);
}

static void run(void **state)
{
	(void)state;
	printf("| measure | samples | p50 | p99 | max | goal |\n|---|---|---|---|---|---|\n");
	bench_webhook();
	bench_polling();
	bench_reply();
	printf("\n");
	bench_backfill();
}

int main(int argc, char **argv)
{
	if (argc > 1)
		samples = atoi(argv[1]);
	if (argc > 2)
		backfill = atoi(argv[2]);
	if (samples < 10 || backfill < 1) {
		fprintf(stderr, "usage: bench_bridge [SAMPLES>=10 [BACKFILL]]\n");
		return 2;
	}
	const struct CMUnitTest tests[] = {cmocka_unit_test(run)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
