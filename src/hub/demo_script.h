/*
 * demo_script.h — what the demo workspace says: its people, channels and the
 * support conversations they have (see demo_sim.h). Data only; the simulation
 * that plays it is demo_sim.c.
 *
 * Texts may contain "{first}" (the customer's first name) and "{agent}" (the
 * colleague's first name); demo_sim.c fills them in.
 */
#ifndef HANDOFF_HUB_DEMO_SCRIPT_H
#define HANDOFF_HUB_DEMO_SCRIPT_H

#include <stddef.h>

#include "enums.h"

#define DEMO_YOU_NAME  "You"
#define DEMO_BOT_NAME  "Aria (bot)"
#define DEMO_COLLEAGUES 2

/* The simulated colleagues: plain agents, so the person (a supervisor) can
 * force a takeover from them but they can never take a chat from the person. */
extern const char *const demo_colleague_names[DEMO_COLLEAGUES];

struct demo_customer {
	const char *name;
	const char *email;   /* given on the website; NULL: none */
	const char *phone;   /* their WhatsApp id */
	const char *handle;  /* their Instagram id */
};

struct demo_channel {
	enum channel_type type;
	const char *name;
	int weight;          /* share of new chats, in percent */
};

/* One kind of support request and the lines it is played with. */
struct demo_topic {
	const char *title;          /* what the colleague names the chat */
	const char *opening;        /* the customer's first message */
	const char *bot_answer;
	const char *thanks_bot;     /* the customer is happy with the bot */
	const char *greeting;       /* a colleague's first reply after taking over */
	const char *fix;            /* the colleague has sorted it out */
	const char *details;        /* the customer's first answer to an agent */
	const char *thanks_agent;   /* and the second */
	const char *feedback;       /* the colleague's rating of the bot's work */
	const char *suggested;      /* what the bot should have said */
};

/* The first screenful, played at start on an empty database. */
enum demo_seed_state {
	SEED_NEW,      /* the customer wrote; the bot has not answered yet */
	SEED_BOT,      /* the bot answered */
	SEED_WAITING,  /* the customer asked for a person */
	SEED_HELD,     /* a colleague took over and greeted the customer */
	SEED_SOLVED,   /* a colleague solved, rated and handed it back */
};

struct demo_seed_chat {
	int customer, topic, channel;  /* indexes into the tables below */
	enum demo_seed_state state;
	int colleague;                 /* SEED_HELD and SEED_SOLVED */
	const char *opening;           /* NULL: the topic's */
};

extern const struct demo_customer demo_customers[];
extern const size_t demo_customer_count;
extern const struct demo_channel demo_channels[];
extern const size_t demo_channel_count;
extern const struct demo_topic demo_topics[];
extern const size_t demo_topic_count;
extern const struct demo_seed_chat demo_seed_chats[];
extern const size_t demo_seed_chat_count;

/* Ways of asking for a person, the bot's goodbyes, and what customers say
 * to an agent once their topic's lines are used up. */
extern const char *const demo_escalations[];
extern const size_t demo_escalation_count;
extern const char *const demo_bot_goodbyes[];
extern const size_t demo_bot_goodbye_count;
extern const char *const demo_small_talk[];
extern const size_t demo_small_talk_count;

#endif
