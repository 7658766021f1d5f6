/*
 * bench_store.c — the client store with N chats: what applying one event
 * costs, and how many bytes a chat takes.
 *
 *   bench_store [N ...]        default: 10000 100000; prints Markdown tables
 *
 * Chats are realistic in size (title ~40 characters, owner name ~15, email,
 * external id, two previews ~80); a tenth wait, a tenth are held by agents.
 * The events are built beforehand: each is a chat.updated or
 * message.created with a new latest message (moving the chat to the top of
 * the recent views), and one in twenty is a takeover (WAITING -> MINE).
 * Memory is glibc's count of bytes in use (mallinfo2: uordblks + hblkhd,
 * malloc's own overhead included) before and after filling the store.
 * Budget: <= 1 KiB per chat held. Build without sanitizers: they
 * replace malloc and the memory column then reads "n/a".
 */
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store.h"

#define EVENTS 100000
#define T0     INT64_C(1795000000000)

#define ME "aaaaaaaa-bbbb-4ccc-8ddd-000000000001"

static const char *const agents[] = {ME, "aaaaaaaa-bbbb-4ccc-8ddd-000000000002",
				     "aaaaaaaa-bbbb-4ccc-8ddd-000000000003"};

static uint64_t rng = 88172645463325252ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

/* Chat i with its own strings (the store copies them: these are freed by
 * the caller with chat_free). */
static void make_chat(struct chat *c, unsigned i, int64_t at)
{
	char buf[128];

	memset(c, 0, sizeof *c);
	snprintf(c->id, sizeof c->id, "%08x-0000-4000-8000-%012x", (unsigned)rnd(), i);
	snprintf(buf, sizeof buf, "Order %06u: parcel delayed, refund asked", i);
	c->title = strdup(buf);
	snprintf(c->channel.id, sizeof c->channel.id, "0a1b2c3d-4e5f-4a6b-9c8d-7e6f5a4b3c2%u", i % 3);
	c->channel.name = strdup(i % 3 ? "WhatsApp" : "Website");
	c->channel.type = i % 3 ? CHANNEL_WHATSAPP : CHANNEL_WIDGET;
	snprintf(c->owner.id, sizeof c->owner.id, "11111111-2222-4333-8444-%012u", i);
	snprintf(buf, sizeof buf, "cust-%08u", i);
	c->owner.external_id = strdup(buf);
	snprintf(buf, sizeof buf, "Maria G. %06u", i);
	c->owner.name = strdup(buf);
	snprintf(buf, sizeof buf, "maria.%06u@example.com", i);
	c->owner.email = strdup(buf);
	c->created_at = T0 - 86400000 + i;
	c->updated_at = at;
	snprintf(buf, sizeof buf, "Hello, my parcel %06u has not arrived yet and the tracking page says nothing.", i);
	c->latest = (struct preview){true, strdup(buf), at, MSG_ROLE_USER};
	c->previous = (struct preview){true, strdup("Thanks for waiting! I am checking the status of your order right now."),
				       at - 1000, MSG_ROLE_BOT};
	c->responder.type = RESPONDER_BOT;
	c->responder.name = strdup("Support bot");
	c->mode = CHAT_MODE_AI;
	c->escalated_at = TS_NONE;
	c->message_count = 2;
	c->version = 1;
	if (i % 10 == 0) {
		c->escalated = true;
		c->escalated_at = at;
	} else if (i % 10 == 5) {
		c->escalated = true;
		c->escalated_at = at - 5000;
		c->mode = CHAT_MODE_AGENT;
		c->responder.type = RESPONDER_AGENT;
		memcpy(c->responder.id, agents[i % 3], sizeof c->responder.id);
		free(c->responder.name);
		c->responder.name = strdup("Ana Souza");
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void bench(unsigned n)
{
	struct chat *chats = calloc(n, sizeof *chats);
	struct event *events = calloc(EVENTS, sizeof *events);
	struct message *msgs = calloc(EVENTS, sizeof *msgs);
	double *ns = calloc(EVENTS, sizeof *ns);

	if (!chats || !events || !msgs || !ns) {
		fprintf(stderr, "bench_store: out of memory\n");
		exit(1);
	}
	for (unsigned i = 0; i < n; i++)
		make_chat(&chats[i], i, T0 + i);

	size_t before = heap_in_use();
	double t = now_ns();
	struct store *s = store_new();
	store_set_me(s, ME);
	for (unsigned i = 0; i < n; i++)
		store_put_chat(s, &chats[i], NULL);
	double fill_ms = (now_ns() - t) / 1e6;
	size_t after = heap_in_use();

	/* The events: a later copy of a random chat. */
	for (unsigned k = 0; k < EVENTS; k++) {
		struct chat *c = &chats[rnd() % n];
		int64_t at = T0 + n + k;
		struct event *e = &events[k];

		c->version++;
		c->message_count++;
		c->latest.at = at;
		c->updated_at = at;
		if (k % 20 == 0 && c->mode == CHAT_MODE_AI) { /* a takeover by me */
			c->mode = CHAT_MODE_AGENT;
			c->responder.type = RESPONDER_AGENT;
			memcpy(c->responder.id, ME, sizeof c->responder.id);
		}
		e->seq = k + 1;
		e->type = k % 2 ? EVENT_MESSAGE_CREATED : EVENT_CHAT_UPDATED;
		e->chat = malloc(sizeof *e->chat);
		if (!e->chat || !chat_copy(e->chat, c))
			exit(1);
		if (e->type == EVENT_MESSAGE_CREATED) {
			struct message *m = &msgs[k];
			memcpy(m->chat_id, c->id, sizeof m->chat_id);
			m->seq = c->message_count;
			m->text = "ok";
			e->message = m;
		}
	}
	size_t changed = 0;
	for (unsigned k = 0; k < EVENTS; k++) {
		double t0 = now_ns();
		changed += store_apply_event(s, &events[k], NULL) == STORE_CHANGED;
		ns[k] = now_ns() - t0;
	}
	double total = 0;
	for (unsigned k = 0; k < EVENTS; k++)
		total += ns[k];
	qsort(ns, EVENTS, sizeof *ns, cmp_double);

	char mem[64];
	if (after > before)
		snprintf(mem, sizeof mem, "%.0f", (double)(after - before) / n);
	else
		snprintf(mem, sizeof mem, "n/a");
	printf("| %u | %.1f | %.2f | %.2f | %.2f | %.2f | %s | %zu/%d |\n", n, fill_ms,
	       total / EVENTS / 1000, ns[EVENTS / 2] / 1000, ns[EVENTS * 99 / 100] / 1000,
	       ns[EVENTS - 1] / 1000, mem, changed, EVENTS);
	fflush(stdout);

	store_free(s);
	for (unsigned k = 0; k < EVENTS; k++) {
		events[k].message = NULL; /* msgs[] are the bench's, not the event's */
		event_free(&events[k]);
	}
	for (unsigned i = 0; i < n; i++)
		chat_free(&chats[i]);
	free(chats);
	free(events);
	free(msgs);
	free(ns);
}

int main(int argc, char **argv)
{
	printf("| chats | fill ms | apply mean µs | p50 µs | p99 µs | max µs | bytes/chat | changed |\n");
	printf("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	if (argc < 2) {
		bench(10000);
		bench(100000);
	}
	for (int i = 1; i < argc; i++)
		bench((unsigned)strtoul(argv[i], NULL, 10));
	return 0;
}
