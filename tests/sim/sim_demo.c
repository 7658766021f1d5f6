/*
 * sim_demo.c — the demo's customers (see sim_demo.h).
 *
 * One repeating timer drives the script: each tick opens the next
 * customer's conversation when its time has come and has every customer
 * whose turn is due write their next line. Times are drawn from a PRNG
 * seeded by the platform's name, so each platform starts with another
 * customer and the simulators do not all speak at the same instant.
 */
#define _GNU_SOURCE /* strcasestr */
#include "sim_demo.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define TICK_MS        500
#define FIRST_OPEN_MS  200     /* the first customer comes at once */
#define OPEN_MIN_MS    8000    /* then one every 8-16 s */
#define OPEN_MAX_MS    16000
#define LINE_MIN_MS    4000    /* a customer's next line after 4-9 s */
#define LINE_MAX_MS    9000
#define MAX_OPENED     24      /* then the demo has enough to work with */
#define ID_MAX         128
#define MAX_LINES      5

/* A customer's visit: the lines they write, one per turn. A line asking
 * for a human (sim_asks_for_human) is where the bot escalates; what comes
 * after it is written to nobody until an agent takes the conversation. */
struct scene {
	const char *lines[MAX_LINES + 1];
};

static const struct scene SCENES[] = {
	{{"Hi! My order 4411 has not arrived yet.", "It was due on Monday.",
	  "Can I talk to a human, please?", "Still here, waiting for someone.", NULL}},
	{{"How do I change the delivery address of an order?",
	  "Found it in the settings, thanks!", NULL}},
	{{"I was charged twice for the same subscription.",
	  "That does not answer my question. I want a human.",
	  "Hello? Is anyone there?", NULL}},
	{{"Do you ship to Portugal?", "And how long does it take?", "Perfect, thank you.", NULL}},
	{{"The app logs me out every few minutes.", "I already reinstalled it twice.",
	  "Please let me speak to a human.", NULL}},
	{{"Can I pay by bank transfer?", "Great, bye!", NULL}},
	{{"My discount code SPRING10 says it expired.", "The email said it runs until Sunday.",
	  "I would like a human to look at this.", NULL}},
	{{"What are your opening hours on holidays?", "Thanks, that helps.", NULL}},
};
#define NSCENES (sizeof SCENES / sizeof SCENES[0])

static const char *const NAMES[] = {
	"Maya Lindqvist", "Tomás Rivera", "Aiko Tanaka",  "Priya Raman",
	"Jonas Weber",    "Fatima Idrissi", "Liam O'Brien", "Sofia Greco",
	"Kwame Mensah",   "Elena Petrova", "Noah Schmidt", "Amara Obi",
	"Lucas Moreau",   "Hana Kim",      "Mateo Silva",  "Zoe Clarke",
};
#define NNAMES (sizeof NAMES / sizeof NAMES[0])

struct visit {
	char id[ID_MAX];
	const struct scene *scene;
	int next;          /* the line to write next; past the end: done */
	uint64_t due;      /* loop time (ms) of the next line */
};

struct sim_demo {
	struct sim *sim;
	uv_timer_t timer;
	uint64_t rng;
	unsigned offset;   /* where this platform starts in SCENES and NAMES */
	unsigned opened;
	uint64_t next_open; /* loop time (ms) of the next customer; 0: now */
	struct visit visits[MAX_OPENED];
};

bool sim_asks_for_human(const char *text)
{
	return strcasestr(text, "human") || strcasestr(text, "agent");
}

static uint64_t next_random(struct sim_demo *d)
{
	/* xorshift64: plenty for spreading a demo's timings. */
	d->rng ^= d->rng << 13;
	d->rng ^= d->rng >> 7;
	d->rng ^= d->rng << 17;
	return d->rng;
}

static uint64_t between(struct sim_demo *d, uint64_t lo, uint64_t hi)
{
	return lo + next_random(d) % (hi - lo + 1);
}

static void open_next(struct sim_demo *d, uint64_t now)
{
	unsigned k = d->offset + d->opened;
	struct visit *v = &d->visits[d->opened];

	v->scene = &SCENES[k % NSCENES];
	if (!d->sim->plat->demo_open(d->sim->state, NAMES[k % NNAMES], v->scene->lines[0], v->id,
				     sizeof v->id))
		return; /* out of memory: try again next time */
	v->next = 1;
	v->due = now + between(d, LINE_MIN_MS, LINE_MAX_MS);
	d->opened++;
	d->next_open = now + between(d, OPEN_MIN_MS, OPEN_MAX_MS);
}

/* The visit's customer writes their next line, if the conversation is
 * still there (the platform may have removed it). */
static void play_line(struct sim_demo *d, struct visit *v, uint64_t now)
{
	void *item = d->sim->plat->find(d->sim->state, v->id);

	if (item)
		d->sim->plat->demo_say(d->sim->state, item, v->scene->lines[v->next]);
	v->next = item ? v->next + 1 : MAX_LINES;
	v->due = now + between(d, LINE_MIN_MS, LINE_MAX_MS);
}

static void on_tick(uv_timer_t *t)
{
	struct sim_demo *d = t->data;
	uint64_t now = uv_now(t->loop);

	if (d->opened < MAX_OPENED && now >= d->next_open)
		open_next(d, now);
	for (unsigned i = 0; i < d->opened; i++) {
		struct visit *v = &d->visits[i];
		if (v->next < MAX_LINES && v->scene->lines[v->next] && now >= v->due)
			play_line(d, v, now);
	}
}

struct sim_demo *sim_demo_start(struct sim *sim)
{
	struct sim_demo *d = calloc(1, sizeof *d);
	uint64_t h = 1469598103934665603ULL;

	if (!d)
		return NULL;
	/* FNV-1a of the name: a different customer first on each platform. */
	for (const char *p = sim->plat->name; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	d->sim = sim;
	d->rng = h | 1;
	d->offset = (unsigned)(h % NNAMES);
	uv_timer_init(&sim->loop, &d->timer);
	d->timer.data = d;
	uv_timer_start(&d->timer, on_tick, FIRST_OPEN_MS, TICK_MS);
	return d;
}

static void on_closed(uv_handle_t *h)
{
	free(h->data);
}

void sim_demo_stop(struct sim_demo *d)
{
	if (d)
		uv_close((uv_handle_t *)&d->timer, on_closed);
}

cJSON *sim_demo_json(const struct sim_demo *d)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *ids = cJSON_AddArrayToObject(o, "conversations");

	for (unsigned i = 0; d && i < d->opened; i++)
		cJSON_AddItemToArray(ids, cJSON_CreateString(d->visits[i].id));
	return o;
}
