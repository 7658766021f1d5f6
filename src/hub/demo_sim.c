/*
 * demo_sim.c — the simulated workspace behind `handoffd --demo` (see demo_sim.h).
 *
 * One timer drives everything. Each time it fires (a tick, every 1–3.5 s)
 * the demo first looks at the chats agents hold, to notice what the person
 * did (took a chat, replied), then does at most one thing: open a new chat,
 * or play the next line of the chat whose turn is most overdue. Delays are
 * counted in ticks, not milliseconds, and every choice comes from a PRNG
 * seeded with the seed, so a seed plays the same workspace however fast the
 * machine or the timers are.
 *
 * Every change goes through db.h exactly like real traffic. A call the
 * database refuses (the person took the chat first, stopped it, …) is
 * normal: the demo leaves that chat to whoever has it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "demo_sim.h"
#include "demo_script.h"
#include "log.h"

#define TICK_MIN_MS        1000
#define TICK_MAX_MS        3500
#define MAX_LIVE           40   /* chats the demo plays at once */
#define ESCALATE_PERCENT   33
#define MAX_ANSWERS        8    /* then the customer has gone quiet */
#define HELD_SCAN_LIMIT    200
#define TEXT_MAX           1024
#define NEVER              INT64_MAX

/* What a chat does when its turn comes. */
enum step {
	STEP_BOT_ANSWER,       /* the bot answers the opening */
	STEP_CUSTOMER_DECIDES, /* thank the bot, or ask for a person */
	STEP_BOT_GOODBYE,
	STEP_PICKUP,           /* waiting: a colleague takes it */
	STEP_COLLEAGUE_SAYS,
	STEP_CUSTOMER_ANSWERS, /* to whichever agent wrote last */
	STEP_WRAP_TICKET,      /* the colleague titles it and sets the ticket */
	STEP_WRAP_RATE,
	STEP_WRAP_END,         /* hand back or stop */
	STEP_IDLE,             /* someone else's turn (the person's) */
};

struct sim_chat {
	uuid_str id;
	int customer;    /* index in demo_customers; -1: found in the database */
	int topic;       /* index in demo_topics; -1 likewise */
	int colleague;   /* who holds it; -1: none of them */
	enum step step;
	int64_t due;     /* tick of its next step, NEVER while idle */
	int said;        /* the colleague's lines so far */
	int answers;     /* the customer's answers to agents so far */
	int64_t seen;    /* message_count when an answer was last scheduled */
	bool held;       /* seen in AGENT mode by this tick's look */
};

struct demo {
	struct db *db;
	uv_timer_t timer;
	uint64_t rng;
	double speed;
	uint64_t delay_ms;   /* of the pending tick, before speed */
	int64_t tick, next_chat_tick;
	struct agent bot;    /* the ingest account the bot speaks as */
	struct agent colleagues[DEMO_COLLEAGUES];
	struct sim_chat *chats;
	size_t nchats, cap;
};

/* ---- randomness: splitmix64, so a seed means the same run everywhere ----- */

static uint64_t next_random(struct demo *d)
{
	uint64_t z = (d->rng += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* lo..hi inclusive. */
static int pick(struct demo *d, int lo, int hi)
{
	return lo + (int)(next_random(d) % (uint64_t)(hi - lo + 1));
}

static bool chance(struct demo *d, int percent)
{
	return pick(d, 0, 99) < percent;
}

static const char *pick_line(struct demo *d, const char *const *lines, size_t n)
{
	return lines[pick(d, 0, (int)n - 1)];
}

/* ---- the table of chats being played ------------------------------------- */

static struct sim_chat *find_chat(struct demo *d, const char *id)
{
	for (size_t i = 0; i < d->nchats; i++)
		if (strcmp(d->chats[i].id, id) == 0)
			return &d->chats[i];
	return NULL;
}

static struct sim_chat *add_chat(struct demo *d, const char *id)
{
	if (d->nchats == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct sim_chat *grown = realloc(d->chats, cap * sizeof *grown);
		if (!grown) {
			log_warn("demo: out of memory");
			return NULL;
		}
		d->chats = grown;
		d->cap = cap;
	}
	struct sim_chat *e = &d->chats[d->nchats++];
	memset(e, 0, sizeof *e);
	memcpy(e->id, id, sizeof e->id);
	e->customer = e->topic = e->colleague = -1;
	e->step = STEP_IDLE;
	e->due = NEVER;
	return e;
}

/* The demo is done with this chat. Moves the last entry into its place. */
static void drop_chat(struct demo *d, struct sim_chat *e)
{
	*e = d->chats[--d->nchats];
}

/* Always true, so a step can chain it after the db call it depends on. */
static bool next_step(struct demo *d, struct sim_chat *e, enum step step, int in_ticks)
{
	e->step = step;
	e->due = d->tick + in_ticks;
	return true;
}

static void go_idle(struct sim_chat *e)
{
	e->step = STEP_IDLE;
	e->due = NEVER;
}

static bool customer_is_live(struct demo *d, int customer)
{
	for (size_t i = 0; i < d->nchats; i++)
		if (d->chats[i].customer == customer)
			return true;
	return false;
}

static int colleague_of(struct demo *d, const char *agent_id)
{
	for (int k = 0; k < DEMO_COLLEAGUES; k++)
		if (agent_id[0] && strcmp(d->colleagues[k].id, agent_id) == 0)
			return k;
	return -1;
}

/* ---- saying things ------------------------------------------------------- */

/* The first word of a name. */
static void first_name(const char *name, char *out, size_t n)
{
	size_t len = strcspn(name, " ");

	if (len >= n)
		len = n - 1;
	memcpy(out, name, len);
	out[len] = '\0';
}

/* `tmpl` with {first} and {agent} filled in for this chat. */
static void fill_in(struct demo *d, const struct sim_chat *e, const char *tmpl, char *out,
		    size_t n)
{
	char first[64] = "there", agent[64] = "";
	size_t len = 0;

	if (e->customer >= 0)
		first_name(demo_customers[e->customer].name, first, sizeof first);
	if (e->colleague >= 0)
		first_name(d->colleagues[e->colleague].name, agent, sizeof agent);
	while (*tmpl && len + 1 < n) {
		const char *value = NULL;
		if (strncmp(tmpl, "{first}", 7) == 0)
			value = first;
		else if (strncmp(tmpl, "{agent}", 7) == 0)
			value = agent;
		if (!value) {
			out[len++] = *tmpl++;
			continue;
		}
		/* Whole names only: a cut name would read as a typo. */
		size_t vlen = strlen(value);
		if (len + vlen + 1 <= n) {
			memcpy(out + len, value, vlen);
			len += vlen;
		}
		tmpl += 7;
	}
	out[len] = '\0';
}

/* Refusals are part of the game (the person was faster); anything else is
 * worth a warning. */
static void refused(const char *what, const struct sim_chat *e, const struct api_error *err)
{
	bool normal = err->type == API_CONFLICT || err->type == API_RESOURCE_NOT_FOUND;

	log_msg(normal ? LOG_DEBUG : LOG_WARN, "demo: %s on chat %s: %s", what, e ? e->id : "-",
		err->description);
}

/* A customer (role user) or bot line into an existing chat. */
static bool ingest_line(struct demo *d, struct sim_chat *e, enum msg_role role, const char *tmpl,
			bool escalate)
{
	char text[TEXT_MAX];
	struct ingest in = {.role = role, .text = text, .escalate = escalate};
	struct chat c;
	struct message m;
	struct api_error err;

	fill_in(d, e, tmpl, text, sizeof text);
	memcpy(in.chat_id, e->id, sizeof in.chat_id);
	if (!db_ingest(d->db, &d->bot, &in, &c, &m, NULL, &err)) {
		refused(role == MSG_ROLE_BOT ? "bot message" : "customer message", e, &err);
		return false;
	}
	chat_free(&c);
	message_free(&m);
	return true;
}

static bool colleague_says(struct demo *d, struct sim_chat *e, const char *tmpl)
{
	char text[TEXT_MAX];
	struct message m;
	struct api_error err;
	bool created;

	fill_in(d, e, tmpl, text, sizeof text);
	if (!db_reply(d->db, &d->colleagues[e->colleague], e->id, text, NULL, false, &m, &created,
		      &err)) {
		refused("colleague reply", e, &err);
		return false;
	}
	message_free(&m);
	return true;
}

/* A new chat opened by `customer` on `channel`; it is then played from the
 * bot's answer on. */
static struct sim_chat *open_chat(struct demo *d, int customer, int topic, int channel,
				  const char *opening)
{
	const struct demo_customer *who = &demo_customers[customer];
	const struct demo_channel *via = &demo_channels[channel];
	struct ingest in = {
		.channel_type = via->type, .channel_name = via->name, .owner_name = who->name,
		.role = MSG_ROLE_USER, .text = opening,
	};
	struct chat c;
	struct message m;
	struct api_error err;

	/* Each platform knows the customer by its own id. */
	switch (via->type) {
	case CHANNEL_WHATSAPP:
		in.owner_external_id = who->phone;
		break;
	case CHANNEL_INSTAGRAM:
		in.owner_external_id = who->handle;
		break;
	default:
		in.owner_external_id = who->email;
		in.owner_email = who->email;
		break;
	}
	if (!db_ingest(d->db, &d->bot, &in, &c, &m, NULL, &err)) {
		refused("new chat", NULL, &err);
		return NULL;
	}
	struct sim_chat *e = add_chat(d, c.id);
	chat_free(&c);
	message_free(&m);
	if (!e)
		return NULL;
	e->customer = customer;
	e->topic = topic;
	next_step(d, e, STEP_BOT_ANSWER, pick(d, 1, 2));
	return e;
}

/* The end of a chat action: the chat it returns is not needed, a refusal
 * is logged. */
static bool acted(bool ok, const char *what, const struct sim_chat *e, struct chat *c,
		  const struct api_error *err)
{
	if (!ok) {
		refused(what, e, err);
		return false;
	}
	chat_free(c);
	return true;
}

static bool take_over(struct demo *d, struct sim_chat *e, int colleague)
{
	struct chat c;
	struct api_error err;

	if (!acted(db_takeover(d->db, &d->colleagues[colleague], e->id, false, &c, &err),
		   "takeover", e, &c, &err))
		return false;
	e->colleague = colleague;
	e->said = 0;
	return true;
}

static bool set_ticket(struct demo *d, struct sim_chat *e, const char *title,
		       enum ticket_status status)
{
	struct chat c;
	struct api_error err;

	return acted(db_chat_patch(d->db, &d->colleagues[e->colleague], e->id, title, (int)status,
				   &c, &err),
		     "ticket", e, &c, &err);
}

/* The colleague rates how the bot did; a low score says what it should have
 * said, when the script knows. */
static bool rate_bot(struct demo *d, struct sim_chat *e, int score)
{
	const struct demo_topic *t = e->topic >= 0 ? &demo_topics[e->topic] : NULL;
	struct chat c;
	struct api_error err;

	return acted(db_rate(d->db, &d->colleagues[e->colleague], e->id, score,
			     t && score < 5 ? t->feedback : NULL,
			     t && score <= 3 ? t->suggested : NULL, &c, &err),
		     "rating", e, &c, &err);
}

static bool give_back(struct demo *d, struct sim_chat *e, bool stop)
{
	const struct agent *me = &d->colleagues[e->colleague];
	struct chat c;
	struct api_error err;

	if (stop)
		return acted(db_stop(d->db, me, e->id, &c, &err), "stop", e, &c, &err);
	return acted(db_handback(d->db, me, e->id, &c, &err), "handback", e, &c, &err);
}

/* What the customer says to an agent: the topic's lines, then small talk. */
static const char *customer_answer(struct demo *d, const struct sim_chat *e)
{
	if (e->topic >= 0 && e->answers == 0)
		return demo_topics[e->topic].details;
	if (e->topic >= 0 && e->answers == 1)
		return demo_topics[e->topic].thanks_agent;
	return pick_line(d, demo_small_talk, demo_small_talk_count);
}

/* ---- the steps ----------------------------------------------------------- */

static bool new_chat(struct demo *d)
{
	int channel = 0, roll = pick(d, 0, 99);
	int start = pick(d, 0, (int)demo_customer_count - 1);
	int topic = pick(d, 0, (int)demo_topic_count - 1);
	int customer = start;

	while (roll >= demo_channels[channel].weight && channel + 1 < (int)demo_channel_count)
		roll -= demo_channels[channel++].weight;
	/* Someone not already chatting, if there is anyone. */
	for (size_t i = 0; i < demo_customer_count; i++) {
		customer = (start + (int)i) % (int)demo_customer_count;
		if (!customer_is_live(d, customer))
			break;
	}
	return open_chat(d, customer, topic, channel, demo_topics[topic].opening) != NULL;
}

static bool customer_decides(struct demo *d, struct sim_chat *e)
{
	if (!chance(d, ESCALATE_PERCENT))
		return ingest_line(d, e, MSG_ROLE_USER, demo_topics[e->topic].thanks_bot, false) &&
		       next_step(d, e, STEP_BOT_GOODBYE, pick(d, 1, 2));
	/* Half are taken soon; the rest wait minutes, for the person. */
	return ingest_line(d, e, MSG_ROLE_USER,
			   pick_line(d, demo_escalations, demo_escalation_count), true) &&
	       next_step(d, e, STEP_PICKUP, chance(d, 50) ? pick(d, 4, 10) : pick(d, 60, 120));
}

static bool colleague_speaks(struct demo *d, struct sim_chat *e)
{
	const struct demo_topic *t = &demo_topics[e->topic];

	if (!colleague_says(d, e, e->said == 0 ? t->greeting : t->fix))
		return false;
	/* While they look into it, some mark the ticket pending. */
	if (e->said++ == 0 && chance(d, 30))
		set_ticket(d, e, NULL, TICKET_PENDING);
	return next_step(d, e, STEP_CUSTOMER_ANSWERS, pick(d, 2, 8));
}

static bool customer_answers(struct demo *d, struct sim_chat *e)
{
	if (!ingest_line(d, e, MSG_ROLE_USER, customer_answer(d, e), false))
		return false;
	e->answers++;
	if (e->colleague < 0) {
		go_idle(e); /* the person writes next */
		return true;
	}
	/* Sorting it out takes the colleague a while. Chats found in the
	 * database have no script: they are wrapped up. */
	if (e->said >= 2 || e->topic < 0)
		return next_step(d, e, STEP_WRAP_TICKET, pick(d, 3, 6));
	return next_step(d, e, STEP_COLLEAGUE_SAYS, pick(d, 10, 25));
}

/* Play the chat's step; false when the database refused it, and the chat
 * is then left to whoever has it. A finished chat leaves the table. */
static bool play_step(struct demo *d, struct sim_chat *e)
{
	const struct demo_topic *t = e->topic >= 0 ? &demo_topics[e->topic] : NULL;

	switch (e->step) {
	case STEP_BOT_ANSWER:
		return ingest_line(d, e, MSG_ROLE_BOT, t->bot_answer, false) &&
		       next_step(d, e, STEP_CUSTOMER_DECIDES, pick(d, 2, 4));
	case STEP_CUSTOMER_DECIDES:
		return customer_decides(d, e);
	case STEP_BOT_GOODBYE:
		ingest_line(d, e, MSG_ROLE_BOT,
			    pick_line(d, demo_bot_goodbyes, demo_bot_goodbye_count), false);
		drop_chat(d, e);
		return true;
	case STEP_PICKUP:
		return take_over(d, e, pick(d, 0, DEMO_COLLEAGUES - 1)) &&
		       next_step(d, e, t ? STEP_COLLEAGUE_SAYS : STEP_WRAP_TICKET, pick(d, 2, 4));
	case STEP_COLLEAGUE_SAYS:
		return colleague_speaks(d, e);
	case STEP_CUSTOMER_ANSWERS:
		return customer_answers(d, e);
	case STEP_WRAP_TICKET:
		return set_ticket(d, e, t ? t->title : NULL,
				  chance(d, 80) ? TICKET_SOLVED : TICKET_PENDING) &&
		       next_step(d, e, STEP_WRAP_RATE, pick(d, 3, 6));
	case STEP_WRAP_RATE:
		if (chance(d, 70))
			rate_bot(d, e, pick(d, 2, 5));
		return next_step(d, e, STEP_WRAP_END, pick(d, 3, 6));
	case STEP_WRAP_END:
		give_back(d, e, chance(d, 30));
		drop_chat(d, e);
		return true;
	case STEP_IDLE:
		break;
	}
	return true;
}

/* ---- watching what agents (the person) do -------------------------------- */

/* A chat a bridge brought in has its customer and bot on their platform:
 * the demo plays neither, nor does a colleague pick it up. */
static bool bridged(const struct demo *d, const struct chat *c)
{
	return c->source.present && strcmp(c->source.account_id, d->bot.id) != 0;
}

/* A chat an agent holds: adopt it if it is new to us, notice when the person
 * took it, and have the customer answer the person's replies. */
static void notice_held(struct demo *d, const struct chat *c)
{
	if (bridged(d, c))
		return;
	int k = c->responder.type == RESPONDER_AGENT ? colleague_of(d, c->responder.id) : -1;
	struct sim_chat *e = find_chat(d, c->id);

	if (!e) {
		/* Left over from an earlier run. Only replies from now on get an
		 * answer; a colleague's chat is wrapped up. */
		if (!(e = add_chat(d, c->id)))
			return;
		e->seen = c->message_count;
		e->colleague = k;
		if (k >= 0)
			next_step(d, e, STEP_WRAP_TICKET, pick(d, 2, 6));
	}
	e->held = true;
	if (k >= 0) {
		/* A colleague's line was refused: they wrap up instead. */
		if (e->step == STEP_IDLE)
			next_step(d, e, STEP_WRAP_TICKET, pick(d, 1, 3));
		return;
	}
	/* The person has it: the colleague's script, if any, is over. */
	e->colleague = -1;
	if (e->step != STEP_IDLE && e->step != STEP_CUSTOMER_ANSWERS)
		go_idle(e);
	if (e->step == STEP_IDLE && c->latest.present && c->latest.role == MSG_ROLE_AGENT &&
	    c->message_count != e->seen && e->answers < MAX_ANSWERS) {
		e->seen = c->message_count;
		next_step(d, e, STEP_CUSTOMER_ANSWERS, pick(d, 1, 3));
	}
}

static void watch_held_chats(struct demo *d)
{
	struct chat_query q;
	struct chat_page page;
	struct api_error err;

	chat_query_init(&q);
	q.mode = CHAT_MODE_AGENT;
	q.limit = HELD_SCAN_LIMIT;
	if (!db_chats_list(d->db, &d->colleagues[0], &q, &page, &err)) {
		refused("listing held chats", NULL, &err);
		return;
	}
	for (size_t i = 0; i < d->nchats; i++)
		d->chats[i].held = false;
	for (size_t i = 0; i < page.count; i++)
		notice_held(d, &page.chats[i]);
	chat_page_free(&page);
	/* Idle chats nobody holds any more (handed back, stopped) are over. */
	for (size_t i = d->nchats; i-- > 0;)
		if (d->chats[i].step == STEP_IDLE && !d->chats[i].held)
			drop_chat(d, &d->chats[i]);
}

/* The chat whose step is most overdue; ties go to the older entry. */
static struct sim_chat *most_overdue(struct demo *d)
{
	struct sim_chat *best = NULL;

	for (size_t i = 0; i < d->nchats; i++) {
		struct sim_chat *e = &d->chats[i];
		if (e->due <= d->tick && (!best || e->due < best->due))
			best = e;
	}
	return best;
}

/* ---- the timer ----------------------------------------------------------- */

static void on_tick(uv_timer_t *timer);

/* At least 1 ms: a 0 ms timer re-armed from its own callback runs again in
 * the same loop turn, and the loop would never get to anything else. */
static void arm_timer(struct demo *d)
{
	uint64_t ms = (uint64_t)((double)d->delay_ms / d->speed);

	uv_timer_start(&d->timer, on_tick, ms ? ms : 1, 0);
}

static void on_tick(uv_timer_t *timer)
{
	struct demo *d = timer->data;
	struct sim_chat *e;
	bool opened = false;

	d->tick++;
	watch_held_chats(d);
	if (d->tick >= d->next_chat_tick) {
		d->next_chat_tick = d->tick + pick(d, 6, 10);
		opened = d->nchats < MAX_LIVE && new_chat(d);
	}
	if (!opened && (e = most_overdue(d)) && !play_step(d, e))
		go_idle(e);
	d->delay_ms = (uint64_t)pick(d, TICK_MIN_MS, TICK_MAX_MS);
	arm_timer(d);
}

/* ---- the first screenful ------------------------------------------------- */

/* Play a chat of the first screenful up to its state; false when the
 * database refused a step. */
static bool seed_steps(struct demo *d, struct sim_chat *e, const struct demo_seed_chat *s)
{
	const struct demo_topic *t = &demo_topics[s->topic];

	if (s->state == SEED_NEW)
		return true;
	if (!ingest_line(d, e, MSG_ROLE_BOT, t->bot_answer, false))
		return false;
	next_step(d, e, STEP_CUSTOMER_DECIDES, pick(d, 1, 3));
	if (s->state == SEED_BOT)
		return true;
	if (!ingest_line(d, e, MSG_ROLE_USER,
			 pick_line(d, demo_escalations, demo_escalation_count), true))
		return false;
	/* Long enough for the person to find and take them first. */
	next_step(d, e, STEP_PICKUP, pick(d, 20, 40));
	if (s->state == SEED_WAITING)
		return true;
	if (!take_over(d, e, s->colleague) || !colleague_says(d, e, t->greeting))
		return false;
	e->said = 1;
	next_step(d, e, STEP_CUSTOMER_ANSWERS, pick(d, 1, 3));
	if (s->state == SEED_HELD)
		return true;
	return ingest_line(d, e, MSG_ROLE_USER, t->details, false) &&
	       colleague_says(d, e, t->fix) &&
	       ingest_line(d, e, MSG_ROLE_USER, t->thanks_agent, false) &&
	       set_ticket(d, e, t->title, TICKET_SOLVED) && rate_bot(d, e, pick(d, 3, 5)) &&
	       give_back(d, e, false);
}

static void seed_chat(struct demo *d, const struct demo_seed_chat *s)
{
	struct sim_chat *e = open_chat(d, s->customer, s->topic, s->channel,
				       s->opening ? s->opening : demo_topics[s->topic].opening);

	if (!e)
		return;
	if (!seed_steps(d, e, s))
		go_idle(e);
	else if (s->state == SEED_SOLVED)
		drop_chat(d, e);
}

/* A database that already has chats keeps them; its waiting chats join the
 * queue the colleagues pick from. */
static void adopt_waiting_chats(struct demo *d)
{
	struct chat_query q;
	struct chat_page page;
	struct api_error err;

	chat_query_init(&q);
	q.waiting = true;
	q.sort = SORT_WAITING;
	q.limit = MAX_LIVE;
	if (!db_chats_list(d->db, &d->colleagues[0], &q, &page, &err)) {
		refused("listing waiting chats", NULL, &err);
		return;
	}
	for (size_t i = 0; i < page.count; i++) {
		struct sim_chat *e = bridged(d, &page.chats[i]) ? NULL : add_chat(d, page.chats[i].id);
		if (e)
			next_step(d, e, STEP_PICKUP, pick(d, 10, 40));
	}
	chat_page_free(&page);
}

/* ---- accounts ------------------------------------------------------------ */

/* The accounts the simulation acts as — two colleagues and the bot — are
 * made once per database and found again by name; nobody signs in as them. */
static bool find_actors(struct demo *d, struct errbuf *err)
{
	for (int k = 0; k < DEMO_COLLEAGUES; k++)
		if (!db_account_ensure(d->db, demo_colleague_names[k], ACCOUNT_AGENT,
				       &d->colleagues[k], err))
			return false;
	return db_account_ensure(d->db, DEMO_BOT_NAME, ACCOUNT_INGEST, &d->bot, err);
}

/* The token file exists: it must open this database. */
static bool check_token_file(struct demo *d, const char *path, struct errbuf *err)
{
	char token[256];
	struct agent you;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errbuf_set(err, "%s: %s", path, strerror(errno));
	ssize_t got = read(fd, token, sizeof token - 1);
	close(fd);
	if (got < 0)
		return errbuf_set(err, "%s: %s", path, strerror(errno));
	token[got] = '\0';
	token[strcspn(token, " \t\r\n")] = '\0';
	if (!db_authenticate(d->db, token, &you))
		return errbuf_set(err,
				  "%s holds a token this database does not know; remove the file "
				  "to make a new account",
				  path);
	agent_free(&you);
	return true;
}

static bool write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		s += w;
		n -= (size_t)w;
	}
	return true;
}

/* The person's own account, "You", a supervisor so that every key of the
 * console works. The file is created first (O_EXCL) so that two starts never
 * make two accounts for one file. */
static bool ensure_you(struct demo *d, const char *path, struct errbuf *err)
{
	char token[TOKEN_STRLEN + 2];
	struct agent you;
	int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);

	if (fd < 0 && errno == EEXIST)
		return check_token_file(d, path, err);
	if (fd < 0)
		return errbuf_set(err, "%s: %s", path, strerror(errno));
	bool ok = db_account_add(d->db, DEMO_YOU_NAME, NULL, ACCOUNT_SUPERVISOR, token, &you, err);
	if (ok) {
		log_info("demo: made the supervisor account \"%s\" (%s); its token is in %s",
			 you.name, you.id, path);
		agent_free(&you);
		strcat(token, "\n");
		if (!write_all(fd, token, strlen(token)))
			ok = errbuf_set(err, "%s: %s", path, strerror(errno));
	}
	if (close(fd) != 0 && ok)
		ok = errbuf_set(err, "%s: %s", path, strerror(errno));
	memset(token, 0, sizeof token);
	if (!ok)
		unlink(path);
	return ok;
}

/* ---- start and stop ------------------------------------------------------ */

static void demo_free(struct demo *d)
{
	for (int k = 0; k < DEMO_COLLEAGUES; k++)
		agent_free(&d->colleagues[k]);
	agent_free(&d->bot);
	free(d->chats);
	free(d);
}

struct demo *demo_start(uv_loop_t *loop, struct db *db, uint64_t seed, const char *token_path,
			struct errbuf *err)
{
	struct demo *d = calloc(1, sizeof *d);

	if (!d) {
		errbuf_set(err, "out of memory");
		return NULL;
	}
	d->db = db;
	d->rng = seed;
	d->speed = 1;
	if (!ensure_you(d, token_path, err) || !find_actors(d, err)) {
		demo_free(d);
		return NULL;
	}
	if (db_events_head(db) == 0) {
		for (size_t i = 0; i < demo_seed_chat_count; i++)
			seed_chat(d, &demo_seed_chats[i]);
	} else {
		adopt_waiting_chats(d);
	}
	d->next_chat_tick = pick(d, 3, 6);
	uv_timer_init(loop, &d->timer);
	d->timer.data = d;
	d->delay_ms = (uint64_t)pick(d, TICK_MIN_MS, TICK_MAX_MS);
	arm_timer(d);
	return d;
}

void demo_set_speed(struct demo *d, double factor)
{
	d->speed = factor > 0 ? factor : 1;
	if (uv_is_active((uv_handle_t *)&d->timer))
		arm_timer(d);
}

static void on_closed(uv_handle_t *handle)
{
	demo_free(handle->data);
}

/* The memory goes when the loop runs the close callback, which the loop
 * does on its next turn; it then has nothing of ours left and can return. */
void demo_stop(struct demo *d)
{
	if (!d)
		return;
	uv_timer_stop(&d->timer);
	uv_close((uv_handle_t *)&d->timer, on_closed);
}
