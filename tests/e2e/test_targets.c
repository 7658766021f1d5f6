/*
 * test_targets.c — wait-time targets in the console: against a hub with a
 * 3-second first-response target, a chat that escalates counts down on
 * its row ("0:01 left"), then shows "BREACHED" in the breach colour, and
 * a takeover and a reply clear it. Without colour (NO_COLOR) the marker is
 * still there, in reverse video. Ana's console is 80 columns wide.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console_fixture.h"

static struct tmux tm, mono;

/* The fixture's people on a hub whose first-response target is 3 s. */
static int setup(void **state)
{
	if (!getenv("HANDOFF_BIN"))
		fail_msg("HANDOFF_BIN is not set (make check sets it)");
	curl_global_init(CURL_GLOBAL_DEFAULT);
	hub_init(&hub);
	hub_token(&hub, "Ana", "agent", ana);
	hub_token(&hub, "Widget bridge", "ingest", bot);
	hub_start(&hub, "--first-response-target", "3", (char *)NULL);
	hub_account_id(&hub, ana, ana_id);
	hub_token_file(&hub, "ana", ana, ana_file, sizeof ana_file);
	*state = &hub;
	return 0;
}

/* Maria's row (her name's line) holds ctx. */
static bool maria_row_has(const char *screen, void *ctx)
{
	const char *line = line_with(screen, "Maria");
	const char *eol = line ? strchr(line, '\n') : NULL;
	const char *hit = line ? strstr(line, ctx) : NULL;

	return hit && (!eol || hit < eol);
}

/* Maria's row shows no clock against the target any more. */
static bool maria_row_answered(const char *screen, void *ctx)
{
	(void)ctx;
	return line_with(screen, "Maria") && !maria_row_has(screen, "BREACHED") &&
	       !maria_row_has(screen, " left");
}

/* The SGR parameters in force where `text` starts on an ANSI capture:
 * those of the escapes right before it, joined with ';'. */
static void sgr_before(const char *ansi, const char *text, char *out, size_t len)
{
	const char *at = strstr(ansi, text);
	size_t n = 0;

	assert_non_null(at);
	out[0] = '\0';
	/* Walk back over the escapes that end right at `at`. */
	const char *p = at;
	while (p > ansi && p[-1] == 'm') {
		const char *esc = p - 1;
		while (esc > ansi && esc[0] != '\x1b')
			esc--;
		if (esc[0] != '\x1b' || esc[1] != '[')
			break;
		n += (size_t)snprintf(out + n, len - n, ";%.*s", (int)(p - 1 - (esc + 2)), esc + 2);
		if (n >= len)
			break;
		p = esc;
	}
}

/* Whether underline (SGR 4) is in force where `text` starts on an ANSI
 * capture, following the SGRs from the start of its line (tmux emits
 * only changes, and resets at each line). */
static bool underlined_at(const char *ansi, const char *text)
{
	const char *at = strstr(ansi, text), *p = at;
	bool on = false;

	assert_non_null(at);
	while (p > ansi && p[-1] != '\n')
		p--;
	while (p < at) {
		if (p[0] != '\x1b' || p[1] != '[') {
			p++;
			continue;
		}
		p += 2;
		/* Each parameter: 4 sets it, 0 (or none) and 24 clear it. */
		for (;;) {
			char *end;
			long v = strtol(p, &end, 10);
			if (end == p || v == 0 || v == 24)
				on = false;
			else if (v == 4)
				on = true;
			p = end;
			if (*p != ';')
				break;
			p++;
		}
		if (*p)
			p++; /* the final letter */
	}
	return on;
}

static void test_countdown_breach_and_answer(void **state)
{
	char sgr[256], id[37];
	(void)state;

	console_start(&tm, &(struct console_opts){.name = "ana", .cols = 80, .rows = 24});
	console_start(&mono, &(struct console_opts){.name = "mono", .cols = 80, .rows = 24,
						     .env = "NO_COLOR=1"});
	/* All chats: the row stays once Ana holds it. */
	tmux_send_keys(&tm, "3", NULL);
	tmux_wait_for(&tm, "3 All", WAIT);

	ingest(&hub, bot, "maria", "user", "Where is my parcel?", true, id);
	tmux_wait_until(&tm, maria_row_has, " left", WAIT);
	/* It counts down with the clock, then the target is breached. */
	tmux_wait_until(&tm, maria_row_has, "0:01 left", WAIT);
	tmux_wait_until(&tm, maria_row_has, "BREACHED", WAIT);
	/* In the breach colour: the built-in theme's red background. */
	sgr_before(tmux_screen_ansi(&tm, NULL, 0), "BREACHED", sgr, sizeof sgr);
	if (!strstr(sgr, "41"))
		fail_msg("BREACHED is not on red: SGR \"%s\"", sgr);

	/* Without colour the word is there, and underlined as nothing else
	 * on its row is, selected or not. */
	tmux_wait_until(&mono, maria_row_has, "BREACHED", WAIT);
	const char *ansi = tmux_screen_ansi(&mono, NULL, 0);
	assert_true(underlined_at(ansi, "BREACHED"));
	assert_false(underlined_at(ansi, "Maria"));

	/* Taken over and answered, Maria is owed nothing. */
	hub_act(&hub, ana, id, "takeover", NULL);
	char path[96];
	snprintf(path, sizeof path, "/v1/chats/%s/messages", id);
	struct reply r = http(&hub, "POST", path, ana,
			      "{\"text\":\"On it, Maria.\",\"client_msg_id\":\"t1\"}");
	expect_status(&r, 201);
	reply_free(&r);
	tmux_wait_until(&tm, maria_row_answered, NULL, WAIT);
	console_quit(&mono);
	console_quit(&tm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_countdown_breach_and_answer),
	};
	return cmocka_run_group_tests(tests, setup, console_fixture_teardown);
}
