/*
 * test_search.c — full-text search as people use it: `handoff search TEXT`
 * in a terminal shows each hit with its customer, title and the matching
 * part of the text, the matched words in bold; piped, the same lines as
 * plain text; --json one result per line; a word nobody wrote finds
 * nothing and says so; customer text cannot reach the terminal as escapes.
 *
 * In the console, C-f: the words, Enter, the hits with the matched words
 * [marked] and in the theme's match colour; Enter on one opens its chat
 * at that message, even 120 messages back (older than the first page),
 * marked "<< found"; a word nobody wrote says so at once; Esc goes back,
 * and "/" still filters the list.
 *
 * One hub for the program (console_fixture.h); each test writes its own
 * distinctive words.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "console_fixture.h"

/* A customer called `name` writes `text` (a JSON string's contents). */
static void customer_writes(const char *name, const char *text)
{
	char body[1024];

	snprintf(body, sizeof body,
		 "{\"external_id\":\"%s\",\"owner\":{\"external_id\":\"%s\",\"name\":\"%s\"},"
		 "\"role\":\"user\",\"text\":\"%s\"}",
		 name, name, name, text);
	struct reply r = http(&hub, "POST", "/v1/ingest/messages", bot, body);
	expect_status(&r, 201);
	reply_free(&r);
}

static struct tmux tm;

/* `handoff search ARGS...` as Ana with its output piped (not a terminal);
 * its exit status, and what it printed into out[len]. */
static int search_piped(char *out, size_t len, const char *args)
{
	char url[64], file[160], cmd[512];

	hub_url(&hub, "", url, sizeof url);
	hub_token_file(&hub, "ana", ana, file, sizeof file);
	snprintf(cmd, sizeof cmd, "'%s' --server '%s' --token-file '%s' search %s 2>&1",
		 getenv("HANDOFF_BIN"), url, file, args);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t n = fread(out, 1, len - 1, p);
	out[n] = '\0';
	int status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* In a terminal: the customer, the snippet, and the matched word (by stem:
 * "refund" finds "REFUNDED") in bold, nothing else in bold. */
static void test_cli_terminal_bold(void **state)
{
	char out[8192];

	(void)state;
	customer_writes("Tobias Terminal", "Hello. My marmalade parcel was REFUNDED twice, why?");
	assert_int_equal(console_cli("ana", ana, false, out, sizeof out,
				     (const char *const[]){"search", "marmalade refund", NULL}),
			 0);
	const char *line = line_with(out, "Tobias Terminal");
	assert_non_null(line);
	assert_non_null(strstr(line, "My marmalade parcel was REFUNDED twice, why?"));
	assert_non_null(strstr(line, "user"));

	assert_int_equal(console_cli("ana", ana, true, out, sizeof out,
				     (const char *const[]){"search", "marmalade refund", NULL}),
			 0);
	assert_non_null(strstr(out, "\033[1mmarmalade\033["));
	assert_non_null(strstr(out, "\033[1mREFUNDED\033["));
	assert_null(strstr(out, "\033[1mparcel"));
}

/* Piped: the same line, no escape at all; a control character the
 * customer sent is shown visibly, never passed on. */
static void test_cli_piped_plain(void **state)
{
	char out[8192];

	(void)state;
	customer_writes("Petra Pipe", "the quokka \\u001b[31mescaped\\u0007 here");
	assert_int_equal(search_piped(out, sizeof out, "quokka"), 0);
	const char *line = line_with(out, "Petra Pipe");
	assert_non_null(line);
	assert_non_null(strstr(line, "the quokka ^[[31mescaped^G here"));
	assert_null(strchr(out, '\033'));
	assert_null(strchr(out, '\a'));
}

/* --json: one object per line, with the matches to highlight. */
static void test_cli_json(void **state)
{
	char out[8192];

	(void)state;
	customer_writes("Jana Json", "a wombat ate my wombat");
	customer_writes("Jonas Json", "another wombat story");
	assert_int_equal(search_piped(out, sizeof out, "wombat --json --limit 1"), 0);
	cJSON *j = cJSON_Parse(out);
	assert_non_null(j);
	assert_string_equal(cJSON_GetObjectItem(j, "snippet")->valuestring,
			    "another wombat story");
	const cJSON *m = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "matches"), 0);
	assert_int_equal(cJSON_GetArrayItem(m, 0)->valueint, 8);
	assert_int_equal(cJSON_GetArrayItem(m, 1)->valueint, 6);
	cJSON_Delete(j);
	/* --limit 1: one line only. */
	assert_int_equal(strchr(out, '\n') - out + 1, (long)strlen(out));

	assert_int_equal(search_piped(out, sizeof out, "wombat --limit 0"), 2);
}

/* A word nobody wrote: exit 0, nothing on stdout, and it says so. */
static void test_cli_no_hit(void **state)
{
	char out[8192];

	(void)state;
	assert_int_equal(search_piped(out, sizeof out, "qwertzuiopasdf"), 0);
	assert_non_null(strstr(out, "no message matches"));
	assert_int_equal(search_piped(out, sizeof out, "qwertzuiopasdf --json"), 0);
	assert_string_equal(out, "");
}

/* C-f, the words, Enter: the dialog up with its answer. */
static void find(const char *words)
{
	tmux_send_keys(&tm, "C-f", NULL);
	tmux_wait_for(&tm, " Search messages ", WAIT);
	tmux_type(&tm, words);
	tmux_send_keys(&tm, "Enter", NULL);
	tmux_wait_gone(&tm, "Searching...", WAIT);
}

static void test_console_opens_an_old_message(void **state)
{
	char text[64];

	(void)state;
	customer_writes("Olga Older", "my zeppelin order never came");
	for (int i = 1; i <= 120; i++) {
		snprintf(text, sizeof text, "filler line %d", i);
		customer_writes("Olga Older", text);
	}
	console_start(&tm, &(struct console_opts){.name = "find-old", .cols = 80, .rows = 24});
	find("zeppelin");
	tmux_wait_for(&tm, "my [zeppelin] order never came", WAIT);
	assert_non_null(line_with(tmux_screen(&tm, NULL, 0), "Olga Older"));
	tmux_wait_for(&tm, "1 message, newest first", WAIT);

	/* Enter on the hit: its chat, scrolled 120 messages up to it. */
	tmux_send_keys(&tm, "Enter", NULL);
	tmux_wait_gone(&tm, " Search messages ", WAIT);
	tmux_wait_for(&tm, "<< found", WAIT);
	const char *screen = tmux_screen(&tm, NULL, 0);
	assert_non_null(strstr(screen, "my zeppelin order never came"));
	assert_null(strstr(screen, "filler line 120"));
	console_quit(&tm);
}

static void test_console_no_hit_and_escape(void **state)
{
	(void)state;
	customer_writes("Nina Nohit", "a perfectly ordinary question");
	console_start(&tm, &(struct console_opts){.name = "find-none"});
	find("qwertzuiopasdf");
	tmux_wait_for(&tm, "No message holds \"qwertzuiopasdf\"", WAIT);
	tmux_send_keys(&tm, "Escape", NULL);
	tmux_wait_gone(&tm, " Search messages ", WAIT);

	/* The list's own search still filters the chats. */
	console_find(&tm, "Nina Nohit");
	tmux_wait_for(&tm, "Nina Nohit", WAIT);
	console_quit(&tm);
}

/* The match is drawn in the theme's match attribute (default: black on
 * yellow, bold), not only between brackets. */
static void test_console_match_attribute(void **state)
{
	char ansi[16384];

	(void)state;
	customer_writes("Hugo Highlight", "the xylophone arrived broken");
	console_start(&tm, &(struct console_opts){.name = "find-attr"});
	find("xylophone");
	tmux_wait_for(&tm, "the [xylophone] arrived", WAIT);
	tmux_screen_ansi(&tm, ansi, sizeof ansi);
	const char *at = strstr(ansi, "[xylophone]"); /* the hit's, not the field's */
	assert_non_null(at);
	/* The escape just before the word sets yellow's background (43). */
	const char *esc = at;
	while (esc > ansi && *esc != '\033')
		esc--;
	assert_non_null(strstr(esc, "43"));
	assert_true(strstr(esc, "43") < at);
	tmux_send_keys(&tm, "Escape", NULL);
	tmux_wait_gone(&tm, " Search messages ", WAIT);
	console_quit(&tm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cli_terminal_bold),
		cmocka_unit_test(test_cli_piped_plain),
		cmocka_unit_test(test_cli_json),
		cmocka_unit_test(test_cli_no_hit),
		cmocka_unit_test(test_console_opens_an_old_message),
		cmocka_unit_test(test_console_no_hit_and_escape),
		cmocka_unit_test(test_console_match_attribute),
	};
	return cmocka_run_group_tests(tests, console_fixture_setup, console_fixture_teardown);
}
