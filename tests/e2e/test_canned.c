/*
 * test_canned.c — canned replies as people use them: a supervisor adds a
 * shared one with `handoff replies add`, and an agent in the console types
 * "/" in an empty composer, filters, picks it, finds it filled in with the
 * customer's name and her own, edits it and sends it; the hub's thread
 * holds exactly what she sent. Esc leaves the composer as it was. And
 * `handoff replies` as each role uses it.
 *
 * One hub for the program (console_fixture.h); each test has its own
 * customer, console and replies.
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

static struct tmux tm;

/* A customer called `name` writes (escalating); her chat's id to `id`. */
static void customer(const char *name, char id[37])
{
	char body[512];

	snprintf(body, sizeof body,
		 "{\"external_id\":\"%s\",\"owner\":{\"external_id\":\"%s\",\"name\":\"%s\"},"
		 "\"role\":\"user\",\"text\":\"Where is my order?\",\"escalate\":true}",
		 name, name, name);
	struct reply r = http(&hub, "POST", "/v1/ingest/messages", bot, body);
	cJSON *chat = cJSON_GetObjectItemCaseSensitive(expect_status(&r, 201), "chat");
	snprintf(id, 37, "%s", cJSON_GetObjectItemCaseSensitive(chat, "id")->valuestring);
	reply_free(&r);
}

static int cli(const char *who, const char *token, char *out, size_t len, const char *const *args)
{
	return console_cli(who, token, false, out, len, args);
}

/* `handoff replies add NAME TEXT --shared` as Sue: "added", exit 0. */
static void sue_adds(const char *name, const char *text)
{
	char out[2048];

	assert_int_equal(cli("sue", sue, out, sizeof out,
			     (const char *const[]){"replies", "add", name, text, "--shared", NULL}),
			 0);
	assert_non_null(strstr(out, "added"));
}

/* Ana's console (cols x rows; 0: the default) on the chat of `name`,
 * taken over, composer open. */
static void ana_replies_to(const char *name, int cols, int rows)
{
	char reply_to[96];

	console_start(&tm, &(struct console_opts){.name = name, .cols = cols, .rows = rows});
	tmux_send_keys(&tm, "3", NULL);
	tmux_wait_for(&tm, name, WAIT);
	tmux_send_keys(&tm, "Home", "Enter", NULL);
	tmux_wait_for(&tm, "Where is my order?", WAIT);
	tmux_send_keys(&tm, "t", NULL);
	tmux_wait_for(&tm, "You joined", WAIT);
	tmux_send_keys(&tm, "r", NULL);
	snprintf(reply_to, sizeof reply_to, "Reply to %s", name);
	tmux_wait_for(&tm, reply_to, WAIT);
}

/* The text of the chat's last message on the hub. */
static char *last_text(const char *chat)
{
	char path[96];

	snprintf(path, sizeof path, "/v1/chats/%s/messages", chat);
	struct reply r = http(&hub, "GET", path, ana, NULL);
	cJSON *list = cJSON_GetObjectItem(expect_status(&r, 200), "messages");
	cJSON *last = cJSON_GetArrayItem(list, cJSON_GetArraySize(list) - 1);
	char *text = strdup(cJSON_GetObjectItem(last, "text")->valuestring);
	reply_free(&r);
	return text;
}

static void test_pick_edit_and_send(void **state)
{
	char chat[37];

	(void)state;
	customer("Carla Canned", chat);
	sue_adds("greeting", "Hi {customer}, {agent} here. I am checking it now.");
	sue_adds("refund", "Your refund is on its way.");
	ana_replies_to("Carla Canned", 0, 0);

	/* "/" as the first thing typed opens the picker with both. */
	tmux_send_keys(&tm, "/", NULL);
	tmux_wait_for(&tm, " Canned replies ", WAIT);
	tmux_wait_for(&tm, "2 of 2", WAIT);
	/* Letters of the name in order narrow it to one. */
	tmux_type(&tm, "grt");
	tmux_wait_for(&tm, "1 of 2", WAIT);
	const char *screen = tmux_screen(&tm, NULL, 0);
	assert_null(strstr(screen, "refund is on"));
	/* One box: narrowing leaves no frame of a bigger one behind. */
	const char *corner = strstr(screen, "┘");
	assert_non_null(corner);
	assert_null(strstr(corner + 1, "┘"));
	tmux_send_keys(&tm, "Enter", NULL);
	tmux_wait_gone(&tm, " Canned replies ", WAIT);
	tmux_wait_for(&tm, "Hi Carla Canned, Ana here. I am checking it now.", WAIT);

	/* It stays editable: a word off the end, another typed. */
	tmux_send_keys(&tm, "C-w", NULL);
	tmux_type(&tm, "today!");
	tmux_wait_for(&tm, "Hi Carla Canned, Ana here. I am checking it today!", WAIT);
	tmux_send_keys(&tm, "Enter", NULL);
	tmux_wait_for(&tm, "Reply sent", WAIT);
	tmux_wait_gone(&tm, "sending…", WAIT);

	char *text = last_text(chat);
	assert_string_equal(text, "Hi Carla Canned, Ana here. I am checking it today!");
	free(text);
	console_quit(&tm);
}

static void test_escape_leaves_the_composer(void **state)
{
	char chat[37];

	(void)state;
	customer("Esme Escape", chat);
	sue_adds("thanks", "Thank you, {customer}!");
	/* At 80x24, as over SSH: the picker fits. */
	ana_replies_to("Esme Escape", 80, 24);

	/* Cancelled from an empty composer: still empty, no "/" typed. */
	tmux_send_keys(&tm, "/", NULL);
	tmux_wait_for(&tm, " Canned replies ", WAIT);
	tmux_type(&tm, "thk");
	tmux_wait_for(&tm, "Thank you, {customer}!", WAIT);
	tmux_send_keys(&tm, "Escape", NULL);
	tmux_wait_gone(&tm, " Canned replies ", WAIT);
	tmux_wait_gone(&tm, "Thank you", WAIT);

	/* A "/" after text is a slash; C-r opens the picker anywhere, and
	 * Esc leaves the draft as typed. */
	tmux_type(&tm, "and/or ");
	tmux_wait_for(&tm, "and/or", WAIT);
	assert_null(strstr(tmux_screen(&tm, NULL, 0), " Canned replies "));
	tmux_send_keys(&tm, "C-r", NULL);
	tmux_wait_for(&tm, " Canned replies ", WAIT);
	tmux_send_keys(&tm, "Escape", NULL);
	tmux_wait_gone(&tm, " Canned replies ", WAIT);
	tmux_send_keys(&tm, "Enter", NULL);
	tmux_wait_for(&tm, "Reply sent", WAIT);

	char *text = last_text(chat);
	assert_string_equal(text, "and/or ");
	free(text);
	console_quit(&tm);
}

/* Whether the line of `screen` that holds `key` also holds `word`. */
static bool line_has(const char *screen, const char *key, const char *word)
{
	const char *line = line_with(screen, key);
	const char *end = line ? strchr(line, '\n') : NULL;
	const char *at = line ? strstr(line, word) : NULL;

	return at && (!end || at < end);
}

/* The CLI as each role uses it: an agent keeps a personal reply only she
 * lists, may not add a shared one, and removes hers by name. */
static void test_cli_personal_and_shared(void **state)
{
	char out[2048];

	(void)state;
	sue_adds("hours", "We answer from 9 to 5.");
	assert_int_equal(cli("ana", ana, out, sizeof out,
			     (const char *const[]){"replies", "add", "mine", "Ana's own, {customer}",
						   NULL}),
			 0);
	assert_int_equal(cli("ana", ana, out, sizeof out,
			     (const char *const[]){"replies", "list", NULL}),
			 0);
	assert_true(line_has(out, "hours", "shared"));
	assert_true(line_has(out, "mine", "personal"));
	assert_true(line_has(out, "mine", "Ana's own, {customer}"));

	/* Ben sees the team's reply, not Ana's. */
	assert_int_equal(cli("ben", ben, out, sizeof out,
			     (const char *const[]){"replies", "list", NULL}),
			 0);
	assert_non_null(line_with(out, "hours"));
	assert_null(line_with(out, "mine"));

	/* Shared replies are the supervisors': exit 1 with the hub's reason. */
	assert_int_equal(cli("ana", ana, out, sizeof out,
			     (const char *const[]){"replies", "add", "team", "x", "--shared",
						   NULL}),
			 1);
	assert_non_null(strstr(out, "only a supervisor may add a shared reply"));
	assert_int_equal(cli("ana", ana, out, sizeof out,
			     (const char *const[]){"replies", "rm", "hours", NULL}),
			 1);

	assert_int_equal(cli("ana", ana, out, sizeof out,
			     (const char *const[]){"replies", "rm", "mine", NULL}),
			 0);
	assert_non_null(strstr(out, "removed"));
	assert_int_equal(cli("ana", ana, out, sizeof out,
			     (const char *const[]){"replies", "list", NULL}),
			 0);
	assert_null(line_with(out, "mine"));
	assert_non_null(line_with(out, "hours"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pick_edit_and_send),
		cmocka_unit_test(test_escape_leaves_the_composer),
		cmocka_unit_test(test_cli_personal_and_shared),
	};
	return cmocka_run_group_tests(tests, console_fixture_setup, console_fixture_teardown);
}
