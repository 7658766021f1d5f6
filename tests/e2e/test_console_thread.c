/*
 * test_console_thread.c — what the thread and the list say about a chat,
 * and the replies the hub does not have yet: in tmux, against a real
 * handoffd, as an agent sees them.
 *
 * One hub for the program (console_fixture.h); each test makes its own
 * customer (named after the test, so its rows are found by name), starts
 * its own console for Ana and quits it, so no test depends on the one
 * before.
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

static struct tmux tm;   /* the console of the test running */

/* A customer called `name` writes (escalating); her chat's id to `id`. */
static void customer(const char *name, const char *text, char id[37])
{
	char body[512];

	snprintf(body, sizeof body,
		 "{\"external_id\":\"%s\",\"owner\":{\"external_id\":\"%s\",\"name\":\"%s\"},"
		 "\"role\":\"user\",\"text\":\"%s\",\"escalate\":true}",
		 name, name, name, text);
	struct reply r = http(&hub, "POST", "/v1/ingest/messages", bot, body);
	cJSON *chat = cJSON_GetObjectItemCaseSensitive(expect_status(&r, 201), "chat");
	cJSON *cid = cJSON_GetObjectItemCaseSensitive(chat, "id");
	assert_true(cJSON_IsString(cid));
	snprintf(id, 37, "%s", cid->valuestring);
	reply_free(&r);
}

/* The All tab, latest first: the chat changed last is the first row,
 * selected; open it. */
static void open_latest(struct tmux *t, const char *name)
{
	tmux_send_keys(t, "3", NULL);
	tmux_wait_for(t, name, WAIT);
	/* Chats of the waiting page may have been listed (and one selected)
	 * before the All page came: go to the top. */
	tmux_send_keys(t, "Home", "Enter", NULL);
}

/* The screen row where the thread pane (right of the rule) shows `text`,
 * or -1. */
static int thread_row(const char *screen, const char *text)
{
	int row = 0;

	for (const char *l = screen; *l; row++) {
		const char *end = strchr(l, '\n'), *rule = strstr(l, "│");
		if (!end)
			end = l + strlen(l);
		const char *at = rule && rule < end ? strstr(rule, text) : NULL;
		if (at && at < end)
			return row;
		l = *end ? end + 1 : end;
	}
	return -1;
}

/* ---- who holds a chat, in words ------------------------------------------ */

static void test_assign_names_the_new_holder(void **state)
{
	char chat[37], body[80];
	struct tmux *t = &tm;

	(void)state;
	customer("Alma Assign", "Can someone help?", chat);
	hub_act(&hub, ana, chat, "takeover", "{}");
	snprintf(body, sizeof body, "{\"agent_id\":\"%s\"}", ben_id);
	hub_act(&hub, ana, chat, "assign", body);

	console_start(t, &(struct console_opts){.name = "assign"});
	open_latest(t, "Alma Assign");
	/* Ana assigned it: the notice says who holds it now, and that she
	 * did it, in her own person. */
	tmux_wait_for(t, "You reassigned the chat to Ben", WAIT);
	tmux_wait_for(t, "You joined", WAIT);
	assert_null(strstr(tmux_screen(t, NULL, 0), "now holds"));

	/* Sue gives it back to Ana while she looks: her thread and her
	 * status line say so. */
	snprintf(body, sizeof body, "{\"agent_id\":\"%s\"}", ana_id);
	hub_act(&hub, sue, chat, "assign", body);
	tmux_wait_for(t, "Sue reassigned the chat to you", WAIT);
	tmux_wait_for(t, "Sue assigned you the chat with Alma Assign", WAIT);
	console_quit(t);
}

static bool stopped_row(const char *screen, void *ctx)
{
	const char *row = line_with(screen, (const char *)ctx);
	const char *end = row ? strchr(row, '\n') : NULL;
	if (!row || !end)
		return false;
	/* "  Stella Stop  api  stopped": nobody answers, not the bot. */
	const char *stopped = strstr(row, "api  stopped");
	const char *bot_word = strstr(row, " bot");
	return stopped && stopped < end && !(bot_word && bot_word < end);
}

static void test_stopped_chat_shows_stopped(void **state)
{
	char chat[37];
	struct tmux *t = &tm;

	(void)state;
	customer("Stella Stop", "Please stop messaging me", chat);
	hub_act(&hub, ana, chat, "stop", "{}");

	console_start(t, &(struct console_opts){.name = "stop"});
	tmux_send_keys(t, "3", NULL);
	tmux_wait_until(t, stopped_row, "Stella Stop", WAIT);
	tmux_send_keys(t, "Home", "Enter", NULL);
	tmux_wait_for(t, "Stella Stop · api · stopped", WAIT);
	tmux_wait_for(t, "Ana stopped the conversation", WAIT);
	assert_null(strstr(tmux_screen(t, NULL, 0), "the bot answers"));
	console_quit(t);
}

/* A chat a bridge brought in says from which platform, in the list and in
 * the thread's head; one fed by hand shows its channel alone. */
static void test_bridged_chat_names_its_platform(void **state)
{
	struct tmux *t = &tm;
	struct reply r;

	(void)state;
	r = http(&hub, "POST", "/v1/ingest/messages", bot,
		 "{\"external_id\":\"bp-conv-1\",\"channel\":{\"type\":\"whatsapp\","
		 "\"name\":\"WhatsApp\"},\"owner\":{\"name\":\"Bruno Bridge\"},"
		 "\"source\":{\"platform\":\"botpress\"},\"role\":\"user\","
		 "\"text\":\"from the platform\"}");
	expect_status(&r, 201);
	reply_free(&r);

	console_start(t, &(struct console_opts){.name = "origin"});
	tmux_send_keys(t, "3", NULL);
	tmux_wait_for(t, "Bruno Bridge  whatsapp via botpress", WAIT);
	tmux_send_keys(t, "Home", "Enter", NULL);
	tmux_wait_for(t, "Bruno Bridge · whatsapp via botpress · the bot answers", WAIT);
	console_quit(t);
}

static void test_status_change_leaves_a_line(void **state)
{
	char chat[37], path[96];
	struct tmux *t = &tm;

	(void)state;
	customer("Stan Status", "Is my refund done?", chat);
	console_start(t, &(struct console_opts){.name = "status"});
	open_latest(t, "Stan Status");
	tmux_wait_for(t, "Is my refund done?", WAIT);

	/* A colleague sets the status: the thread says so, under the last
	 * message, and the customer's next message comes under that line. */
	snprintf(path, sizeof path, "/v1/chats/%s", chat);
	struct reply r = http(&hub, "PATCH", path, ben, "{\"ticket_status\":\"solved\"}");
	expect_status(&r, 200);
	reply_free(&r);
	tmux_wait_for(t, "ticket status set to solved —", WAIT);
	ingest(&hub, bot, "Stan Status", "user", "Thanks, all good", false, NULL);
	tmux_wait_for(t, "Thanks, all good", WAIT);
	const char *screen = tmux_screen(t, NULL, 0);
	int question = thread_row(screen, "Is my refund done?");
	int line = thread_row(screen, "ticket status set to solved");
	int thanks = thread_row(screen, "Thanks, all good");
	assert_true(question >= 0 && question < line && line < thanks);
	console_quit(t);
}

/* ---- replies the hub does not have ---------------------------------------- */

static void test_failed_reply_can_be_dropped(void **state)
{
	char chat[37];
	struct tmux *t = &tm;

	(void)state;
	customer("Fred Fail", "My order is late", chat);
	hub_act(&hub, ana, chat, "takeover", "{}");

	console_start(t, &(struct console_opts){.name = "drop"});
	open_latest(t, "Fred Fail");
	tmux_wait_for(t, "held by Ana", WAIT);
	tmux_send_keys(t, "r", NULL);
	tmux_wait_for(t, "Reply to Fred Fail", WAIT);
	tmux_type(t, "This one never arrives");
	/* Sue takes the chat while Ana types: the hub refuses the reply. */
	hub_act(&hub, sue, chat, "takeover", "{\"force\":true}");
	tmux_wait_for(t, "held by Sue", WAIT);
	tmux_send_keys(t, "Enter", NULL);
	tmux_wait_for(t, "chat is held by agent Sue", WAIT);

	tmux_send_keys(t, "x", NULL);
	tmux_wait_for(t, "Failed reply dropped", WAIT);
	tmux_wait_gone(t, "This one never arrives", WAIT);
	console_quit(t);

	/* Gone from the outbox's journal too: the next start does not bring
	 * it back. */
	console_start(t, &(struct console_opts){.name = "drop"});
	open_latest(t, "Fred Fail");
	tmux_wait_for(t, "held by Sue", WAIT);
	tmux_wait_for(t, "Sue took over the chat from you", WAIT);
	assert_null(strstr(tmux_screen(t, NULL, 0), "This one never arrives"));
	console_quit(t);
}

/* The seconds a reply row says it waits ("...; retrying in N s — "), or
 * -1 when no row says so. */
static int retry_seconds(const char *screen)
{
	const char *at = strstr(screen, "; retrying in ");
	return at ? atoi(at + strlen("; retrying in ")) : -1;
}

/* The reply's own row counts down below *from: read from one screen, as
 * the retry replaces the count with "sending…" for a moment when it
 * fires. */
static bool counts_down_on_its_row(const char *screen, void *ctx)
{
	int *from = ctx, n = retry_seconds(screen);
	const char *row = line_with(screen, "; retrying in ");
	if (n < 0 || n >= *from || !row)
		return false;
	size_t len = strcspn(row, "\n");
	const char *text = strstr(row, "Back in a moment");
	return text && (size_t)(text - row) < len;
}

static bool waits_two_seconds_or_more(const char *screen, void *ctx)
{
	(void)ctx;
	return retry_seconds(screen) >= 2;
}

static void test_reply_retrying_while_the_hub_is_down(void **state)
{
	char chat[37], port[32];
	struct tmux *t = &tm;

	(void)state;
	customer("Rita Retry", "Hello?", chat);
	hub_act(&hub, ana, chat, "takeover", "{}");

	console_start(t, &(struct console_opts){.name = "retry"});
	open_latest(t, "Rita Retry");
	tmux_wait_for(t, "held by Ana", WAIT);
	hub_kill(&hub);
	tmux_wait_for(t, "reconnecting in", WAIT);

	tmux_send_keys(t, "r", NULL);
	tmux_wait_for(t, "Reply to Rita Retry", WAIT);
	tmux_type(t, "Back in a moment");
	tmux_send_keys(t, "Enter", NULL);
	/* Not "sending…": it waits, and says for how long, second by second. */
	tmux_wait_until(t, waits_two_seconds_or_more, NULL, WAIT);
	int from = retry_seconds(tmux_screen(t, NULL, 0));
	assert_true(from >= 2);
	tmux_wait_until(t, counts_down_on_its_row, &from, WAIT);

	/* The hub comes back on its port: the reply goes, once. */
	snprintf(port, sizeof port, "127.0.0.1:%d", hub.port);
	hub_start(&hub, "--listen", port, NULL);
	tmux_wait_for(t, "Reply sent", 2 * WAIT);
	tmux_wait_gone(t, "retrying in", WAIT);
	tmux_wait_for(t, "Back in a moment", WAIT);
	console_quit(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_assign_names_the_new_holder),
		cmocka_unit_test(test_stopped_chat_shows_stopped),
		cmocka_unit_test(test_bridged_chat_names_its_platform),
		cmocka_unit_test(test_status_change_leaves_a_line),
		cmocka_unit_test(test_failed_reply_can_be_dropped),
		cmocka_unit_test(test_reply_retrying_while_the_hub_is_down),
	};
	return cmocka_run_group_tests(tests, console_fixture_setup, console_fixture_teardown);
}
