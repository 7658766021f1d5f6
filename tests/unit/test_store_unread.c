/*
 * test_store_unread.c — the store's unread counts: a chat keeps the count
 * its list gave while events (which carry none) replace it, messages by
 * others add one each up to UNREAD_MAX, the agent's own do not, chat.read
 * sets it, and each view counts its chats with unread messages.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "store_fixture.h"

/* message.created of message `seq` by `author` ("" a customer) in chat c,
 * as the stream brings it: the chat one version on, no unread. */
static enum store_result message_by(struct store *s, struct chat *c, int64_t seq,
				    const char *author)
{
	struct message m;
	struct errbuf err;

	fx_message(&m, c->id, seq);
	snprintf(m.author.id, sizeof m.author.id, "%s", author);
	c->version++;
	c->message_count = seq;
	c->unread = -1;
	struct event e = {.type = EVENT_MESSAGE_CREATED, .seq = seq, .chat = c, .message = &m};
	return store_apply_event(s, &e, &err);
}

static void test_counts_follow_messages_and_reads(void **state)
{
	struct store *s = store_new();
	struct errbuf err;
	struct chat c;

	(void)state;
	store_set_me(s, FX_ME);
	fx_chat(&c, 1, FX_T0);
	c.unread = 2; /* as the list said */
	assert_int_equal(store_put_chat(s, &c, &err), STORE_CHANGED);
	assert_int_equal(view_unread(store_view(s, VIEW_ALL)), 1);

	assert_int_equal(message_by(s, &c, 2, ""), STORE_CHANGED);
	assert_int_equal(store_chat(s, c.id)->unread, 3);
	assert_int_equal(message_by(s, &c, 3, FX_ME), STORE_CHANGED);
	assert_int_equal(store_chat(s, c.id)->unread, 3); /* my own reply */
	assert_int_equal(message_by(s, &c, 4, FX_OTHER), STORE_CHANGED);
	assert_int_equal(store_chat(s, c.id)->unread, 4);

	/* A chat.updated keeps the count. */
	c.version++;
	c.unread = -1;
	struct event up = {.type = EVENT_CHAT_UPDATED, .seq = 10, .chat = &c};
	assert_int_equal(store_apply_event(s, &up, &err), STORE_CHANGED);
	assert_int_equal(store_chat(s, c.id)->unread, 4);

	/* Read on another terminal. */
	struct event read = {.type = EVENT_CHAT_READ, .read_seq = 4, .unread = 0};
	memcpy(read.chat_id, c.id, sizeof read.chat_id);
	assert_int_equal(store_apply_event(s, &read, &err), STORE_CHANGED);
	assert_int_equal(store_chat(s, c.id)->unread, 0);
	assert_int_equal(view_unread(store_view(s, VIEW_ALL)), 0);
	assert_int_equal(store_apply_event(s, &read, &err), STORE_UNCHANGED);
	store_free(s);
}

static void test_count_stops_where_the_hub_does(void **state)
{
	struct store *s = store_new();
	struct errbuf err;
	struct chat c;

	(void)state;
	store_set_me(s, FX_ME);
	fx_chat(&c, 1, FX_T0);
	c.unread = UNREAD_MAX;
	assert_int_equal(store_put_chat(s, &c, &err), STORE_CHANGED);
	assert_int_equal(message_by(s, &c, 2, ""), STORE_CHANGED);
	assert_int_equal(store_chat(s, c.id)->unread, UNREAD_MAX);
	store_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_follow_messages_and_reads),
		cmocka_unit_test(test_count_stops_where_the_hub_does),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
