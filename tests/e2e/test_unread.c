/*
 * test_unread.c — unread counts and notifications, in tmux against a real
 * handoffd, as an agent sees them: two consoles of the same agent (two
 * terminals) show the same counts and both clear when one reads; a
 * customer writing in a chat the agent holds brings a notice, the bell
 * and the window title; the config file switches the bell, or those
 * notices, off.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console_fixture.h"

static struct tmux one, two;

/* A customer called `name` writes `text` (her chat is the one of that
 * external id); the chat's id to `id` (may be NULL). */
static void customer(const char *name, const char *text, char *id)
{
	char body[512];

	snprintf(body, sizeof body,
		 "{\"external_id\":\"%s\",\"owner\":{\"external_id\":\"%s\",\"name\":\"%s\"},"
		 "\"role\":\"user\",\"text\":\"%s\"}",
		 name, name, name, text);
	struct reply r = http(&hub, "POST", "/v1/ingest/messages", bot, body);
	cJSON *chat = cJSON_GetObjectItemCaseSensitive(expect_status(&r, 201), "chat");
	if (id)
		snprintf(id, 37, "%s", cJSON_GetObjectItemCaseSensitive(chat, "id")->valuestring);
	reply_free(&r);
}

/* A format of t's pane from tmux (display-message -p), into out. */
static void pane_format(struct tmux *t, const char *format, char *out, size_t len)
{
	char cmd[256];

	snprintf(cmd, sizeof cmd, "env -u TMUX tmux -L %s display-message -p -t %s '%s'",
		 tmux_socket(), t->session, format);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	if (!fgets(out, (int)len, p))
		out[0] = '\0';
	out[strcspn(out, "\n")] = '\0';
	pclose(p);
}

/* The list row of customer `name` and what it must (or must not) say. */
struct row_check {
	const char *name, *text;
	bool has;
};

static bool row_says(const char *screen, void *ctx)
{
	const struct row_check *rc = ctx;
	const char *l = line_with(screen, rc->name);

	if (!l)
		return false;
	const char *end = strchr(l, '\n'), *at = strstr(l, rc->text);
	bool has = at && (!end || at < end);
	return has == rc->has;
}

/* Did the terminal ring (tmux flags the window of a detached session)? */
static bool rang(const char *screen, void *ctx)
{
	char flag[16];

	(void)screen;
	pane_format(ctx, "#{window_bell_flag}", flag, sizeof flag);
	return strcmp(flag, "1") == 0;
}

static void test_counts_follow_the_agent(void **state)
{
	struct row_check three = {"Una Unread", "3 new", true};
	struct row_check none = {"Una Unread", " new", false};
	char chat[37];

	(void)state;
	console_start(&one, &(struct console_opts){.name = "one"});
	console_start(&two, &(struct console_opts){.name = "two"});
	tmux_send_keys(&one, "3", NULL);
	tmux_send_keys(&two, "3", NULL);
	customer("Una Unread", "Hello?", chat);
	customer("Una Unread", "Anyone there?", NULL);
	customer("Una Unread", "My parcel is late", NULL);
	/* Both terminals count them, in the row and in the tab. */
	tmux_wait_until(&one, row_says, &three, WAIT);
	tmux_wait_until(&two, row_says, &three, WAIT);
	tmux_wait_for(&one, "3 All 1 (1 new)", WAIT);
	tmux_wait_for(&two, "3 All 1 (1 new)", WAIT);

	/* Reading it in one clears it in both. */
	tmux_send_keys(&one, "Home", "Enter", NULL);
	tmux_wait_for(&one, "My parcel is late", WAIT);
	tmux_wait_until(&one, row_says, &none, WAIT);
	tmux_wait_until(&two, row_says, &none, WAIT);
	tmux_wait_gone(&two, "(1 new)", WAIT);
	console_quit(&one);
	console_quit(&two);
}

static void test_customer_answer_notifies(void **state)
{
	char chat[37], title[256];

	(void)state;
	customer("Nora Notify", "I need help", chat);
	hub_act(&hub, ana, chat, "takeover", "{}");
	console_start(&one, &(struct console_opts){.name = "ring"});
	customer("Nora Notify", "Still waiting", NULL);
	tmux_wait_for(&one, "Nora Notify wrote in your chat", WAIT);
	tmux_wait_until(&one, rang, &one, WAIT);
	pane_format(&one, "#{pane_title}", title, sizeof title);
	assert_non_null(strstr(title, "handoff: "));
	assert_non_null(strstr(title, "a customer wrote to you"));
	console_quit(&one);
}

static void test_bell_switched_off(void **state)
{
	char chat[37], title[256];

	(void)state;
	customer("Quinn Quiet", "Hello", chat);
	hub_act(&hub, ana, chat, "takeover", "{}");
	console_start(&one, &(struct console_opts){.name = "quiet", .config = "bell = off\n"});
	customer("Quinn Quiet", "Are you there?", NULL);
	tmux_wait_for(&one, "Quinn Quiet wrote in your chat", WAIT);
	/* The title comes after the bell would have: once it is there, a
	 * bell would have been seen. */
	pane_format(&one, "#{pane_title}", title, sizeof title);
	assert_non_null(strstr(title, "a customer wrote to you"));
	assert_false(rang(NULL, &one));
	console_quit(&one);
}

/* notify_answer = off: the answer still counts as unread, and says
 * nothing else. */
static void test_answers_switched_off(void **state)
{
	struct row_check one_new = {"Sid Silent", "1 new", true};
	struct row_check two_new = {"Sid Silent", "2 new", true};
	char chat[37], title[256];

	(void)state;
	customer("Sid Silent", "Hello", chat);
	hub_act(&hub, ana, chat, "takeover", "{}");
	console_start(&one, &(struct console_opts){.name = "silent",
						   .config = "notify_answer = off\n"});
	tmux_send_keys(&one, "2", NULL);
	tmux_wait_until(&one, row_says, &one_new, WAIT);
	customer("Sid Silent", "Hello again", NULL);
	tmux_wait_until(&one, row_says, &two_new, WAIT);
	assert_null(strstr(tmux_screen(&one, NULL, 0), "wrote in your chat"));
	assert_false(rang(NULL, &one));
	pane_format(&one, "#{pane_title}", title, sizeof title);
	assert_null(strstr(title, "a customer wrote to you"));
	console_quit(&one);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_follow_the_agent),
		cmocka_unit_test(test_customer_answer_notifies),
		cmocka_unit_test(test_bell_switched_off),
		cmocka_unit_test(test_answers_switched_off),
	};
	return cmocka_run_group_tests(tests, console_fixture_setup, console_fixture_teardown);
}
