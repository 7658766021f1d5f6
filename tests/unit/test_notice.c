/*
 * test_notice.c — the thread's notices in the agent's words: who holds a
 * chat after a reassignment (the hub's sentence, in the second person
 * where it names the reader), who answers a chat nobody holds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "notice.h"

#define ANA "11111111-1111-4111-8111-111111111111"
#define BEN "22222222-2222-4222-8222-222222222222"
#define SUE "33333333-3333-4333-8333-333333333333"

static const struct notice_me ana = {ANA, "Ana Souza"};
static const struct notice_me ben = {BEN, "Ben"};

/* A system message of `type` by (id, name) saying `text`. */
static struct message notice(enum system_type type, const char *id, const char *name,
			     const char *text)
{
	struct message m;

	memset(&m, 0, sizeof m);
	m.role = MSG_ROLE_SYSTEM;
	m.system_type = type;
	strcpy(m.author.id, id);
	m.author.name = (char *)name;
	m.text = (char *)text;
	return m;
}

static const char *said(const struct message *m, const struct notice_me *me)
{
	static char out[512];
	notice_system(m, me, out, sizeof out);
	return out;
}

static void a_reassignment_names_the_new_holder(void **state)
{
	struct message m = notice(SYSTEM_TYPE_CHAT_REASSIGNED, ANA, "Ana Souza",
				  "Ana Souza assigned the chat to Ben");

	(void)state;
	assert_string_equal(said(&m, &ana), "You assigned the chat to Ben");
	assert_string_equal(said(&m, &ben), "Ana Souza assigned the chat to you");
	/* A third agent, or before the hello: the hub's sentence. */
	assert_string_equal(said(&m, NULL), "Ana Souza assigned the chat to Ben");
}

static void a_forced_takeover_names_whom_it_was_taken_from(void **state)
{
	struct message m = notice(SYSTEM_TYPE_CHAT_REASSIGNED, SUE, "Sue",
				  "Sue took over the chat from Ana Souza");

	(void)state;
	assert_string_equal(said(&m, &ana), "Sue took over the chat from you");
	assert_string_equal(said(&m, &ben), "Sue took over the chat from Ana Souza");
}

static void only_whole_names_become_you(void **state)
{
	/* "Ben" is the end of "Lisa Ben", not the name after "to". */
	struct message m = notice(SYSTEM_TYPE_CHAT_REASSIGNED, SUE, "Sue",
				  "Sue reassigned the chat to Lisa Ben");
	/* An actor whose name is not where the sentence starts stays as is. */
	struct message odd = notice(SYSTEM_TYPE_CHAT_REASSIGNED, ANA, "Ana Souza",
				    "Ana Souzas assigned the chat to Ben");

	(void)state;
	assert_string_equal(said(&m, &ben), "Sue reassigned the chat to Lisa Ben");
	assert_string_equal(said(&odd, &ana), "Ana Souzas assigned the chat to Ben");
}

static void joins_and_leaves_in_the_readers_person(void **state)
{
	struct message joined = notice(SYSTEM_TYPE_AGENT_JOINED, ANA, "Ana Souza",
				       "Ana Souza joined the conversation");
	struct message left = notice(SYSTEM_TYPE_AGENT_LEFT, ANA, "Ana Souza",
				     "Ana Souza left; the bot is back");
	struct message stopped = notice(SYSTEM_TYPE_CONVERSATION_STOPPED, BEN, "Ben",
					"Ben stopped the conversation");
	struct message escalated = notice(SYSTEM_TYPE_CONVERSATION_ESCALATED, "", "system",
					  "The customer asked for a human");

	(void)state;
	assert_string_equal(said(&joined, &ana), "You joined");
	assert_string_equal(said(&joined, &ben), "Ana Souza joined");
	assert_string_equal(said(&left, &ben), "Ana Souza handed it back to the bot");
	assert_string_equal(said(&stopped, &ana), "Ben stopped the conversation");
	assert_string_equal(said(&escalated, &ana), "escalated to a human");
}

static void a_stopped_chat_is_answered_by_nobody(void **state)
{
	struct chat c;

	(void)state;
	memset(&c, 0, sizeof c);
	c.responder.type = RESPONDER_BOT;
	assert_string_equal(notice_unheld(&c), "bot");
	c.state = CHAT_STATE_STOPPED;
	c.responder.type = RESPONDER_NONE;
	assert_string_equal(notice_unheld(&c), "stopped");
	c.state = CHAT_STATE_RUNNING;
	assert_string_equal(notice_unheld(&c), "nobody");
}

static void the_origin_names_the_platform_a_bridge_brought_it_from(void **state)
{
	struct chat c;
	char out[96];

	(void)state;
	memset(&c, 0, sizeof c);
	c.channel.type = CHANNEL_WHATSAPP;
	notice_origin(&c, out, sizeof out);
	assert_string_equal(out, "whatsapp");
	c.source.present = true;
	c.source.platform = "botpress";
	notice_origin(&c, out, sizeof out);
	assert_string_equal(out, "whatsapp via botpress");
	c.source.platform = NULL; /* an ingest account that named no platform */
	notice_origin(&c, out, sizeof out);
	assert_string_equal(out, "whatsapp");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_reassignment_names_the_new_holder),
		cmocka_unit_test(a_forced_takeover_names_whom_it_was_taken_from),
		cmocka_unit_test(only_whole_names_become_you),
		cmocka_unit_test(joins_and_leaves_in_the_readers_person),
		cmocka_unit_test(a_stopped_chat_is_answered_by_nobody),
		cmocka_unit_test(the_origin_names_the_platform_a_bridge_brought_it_from),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
