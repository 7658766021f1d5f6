/*
 * test_dashboard.c — the team dashboard as a supervisor uses it: Sue opens
 * it (d) in an 80x24 console and leaves it open while others work; a
 * customer escalates, the wait passes the hub's 2-second first-response
 * target, Ana takes the chat over and replies, and each figure on Sue's
 * screen changes without her reopening anything. An agent may open it
 * too (read-only), and `handoff dashboard` prints the same figures.
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

static struct tmux tm;
static char sue_file[160];
static struct tmux ana_tm; /* Ana's own console, beside Sue's */

static int setup(void **state)
{
	if (!getenv("HANDOFF_BIN"))
		fail_msg("HANDOFF_BIN is not set (make check sets it)");
	curl_global_init(CURL_GLOBAL_DEFAULT);
	hub_init(&hub);
	hub_token(&hub, "Ana", "agent", ana);
	hub_token(&hub, "Ben", "agent", ben);
	hub_token(&hub, "Sue", "supervisor", sue);
	hub_token(&hub, "Widget bridge", "ingest", bot);
	hub_start(&hub, "--first-response-target", "2", "--next-response-target", "600",
		  (char *)NULL);
	hub_account_id(&hub, ana, ana_id);
	hub_token_file(&hub, "ana", ana, ana_file, sizeof ana_file);
	hub_token_file(&hub, "sue", sue, sue_file, sizeof sue_file);
	*state = &hub;
	return 0;
}

/* An agent's row: status, held of capacity, late, replies in the hour,
 * first responses. */
struct row {
	const char *name, *status;
	int held, late, replies, firsts;
};

/* The row of agent ctx->name reads the figures ctx holds. */
static bool row_reads(const char *screen, void *ctx)
{
	const struct row *want = ctx;
	char key[64], median[16], status[16];
	struct row got;
	int capacity;

	snprintf(key, sizeof key, "│ %s ", want->name);
	const char *line = line_with(screen, key);
	if (!line)
		return false;
	line = strstr(line, key) + strlen(key);
	return sscanf(line, "%15s %d/%d %d %d %15s %d", status, &got.held, &capacity, &got.late,
		      &got.replies, median, &got.firsts) == 7 &&
	       strcmp(status, want->status) == 0 && capacity == 3 && got.held == want->held &&
	       got.late == want->late && got.replies == want->replies &&
	       got.firsts == want->firsts;
}

static void wait_row_at(const char *name, const char *status, int held, int late,
			int replies, int firsts, int line)
{
	struct row want = {name, status, held, late, replies, firsts};

	tmux_wait_until_at(&tm, row_reads, &want, WAIT, name, __FILE__, line);
}
#define wait_row(name, status, held, late, replies, firsts) \
	wait_row_at((name), (status), (held), (late), (replies), (firsts), __LINE__)

static void reply_as_ana(const char *chat, const char *client_msg_id)
{
	char path[96], body[128];

	snprintf(path, sizeof path, "/v1/chats/%s/messages", chat);
	snprintf(body, sizeof body, "{\"text\":\"On it.\",\"client_msg_id\":\"%s\"}",
		 client_msg_id);
	struct reply r = http(&hub, "POST", path, ana, body);
	expect_status(&r, 201);
	reply_free(&r);
}

static void test_supervisor_watches_it_change(void **state)
{
	char id[37];
	(void)state;

	console_start(&tm, &(struct console_opts){.name = "sue", .cols = 80, .rows = 24,
						   .token_file = sue_file});
	/* Her own chats under it (none): no age in the list ticks, so only
	 * the dashboard's own clock can move its waits. */
	tmux_send_keys(&tm, "2", NULL);
	tmux_wait_for(&tm, "2 Mine 0", WAIT);
	tmux_send_keys(&tm, "d", NULL);
	tmux_wait_for(&tm, "Team dashboard", WAIT);
	tmux_wait_for(&tm, "Waiting now 0 · longest wait -", WAIT);
	tmux_wait_for(&tm, "Breaches: 0 waiting past 0:02 · 0 held past 10:00", WAIT);
	/* Every agent has a row, busy or not. */
	wait_row("Ana", "offline", 0, 0, 0, 0);
	wait_row("Ben", "offline", 0, 0, 0, 0);

	/* A customer asks for a human: she waits, the wait counts up with
	 * the clock and passes the target, with no event in between. */
	ingest(&hub, bot, "maria", "user", "Where is my parcel?", true, id);
	tmux_wait_for(&tm, "Waiting now 1 · longest wait 0:0", WAIT);
	tmux_wait_for(&tm, "1 escalated", WAIT);
	tmux_wait_for(&tm, "BREACHED: 1 waiting past 0:02", WAIT);

	/* Ana takes it: nobody waits, Ana holds one, her first response. */
	hub_act(&hub, ana, id, "takeover", NULL);
	tmux_wait_for(&tm, "Waiting now 0 · longest wait - · held by agents 1", WAIT);
	tmux_wait_for(&tm, "Breaches: 0 waiting", WAIT);
	tmux_wait_for(&tm, "1 taken over", WAIT);
	wait_row("Ana", "offline", 1, 0, 0, 1);

	/* Her replies count in the hour and today. */
	reply_as_ana(id, "d1");
	reply_as_ana(id, "d2");
	wait_row("Ana", "offline", 1, 0, 2, 1);
	tmux_wait_for(&tm, "2 replies", WAIT);
	wait_row("Ben", "offline", 0, 0, 0, 0);

	/* Ana opens her console, steps away and leaves: her status follows
	 * on Sue's open dashboard, from the hub's agent frames. */
	console_start(&ana_tm, &(struct console_opts){.name = "ana", .cols = 80, .rows = 24});
	wait_row("Ana", "online", 1, 0, 2, 1);
	tmux_send_keys(&ana_tm, "A", NULL);
	wait_row("Ana", "away", 1, 0, 2, 1);
	console_quit(&ana_tm);
	wait_row("Ana", "offline", 1, 0, 2, 1);

	/* Closed, the list is back. */
	tmux_send_keys(&tm, "Escape", NULL);
	tmux_wait_gone(&tm, "Team dashboard", WAIT);
	console_quit(&tm);
}

/* An agent sees the same figures; nothing on it acts on a chat. */
static void test_agent_may_look(void **state)
{
	(void)state;
	console_start(&tm, &(struct console_opts){.name = "ana", .cols = 80, .rows = 24});
	tmux_send_keys(&tm, "d", NULL);
	tmux_wait_for(&tm, "Team dashboard", WAIT);
	wait_row("Ana", "online", 1, 0, 2, 1);
	tmux_send_keys(&tm, "q", NULL);
	tmux_wait_gone(&tm, "Team dashboard", WAIT);
	console_quit(&tm);
}

/* `handoff dashboard` prints the same figures, as a table and as JSON. */
static void test_cli_prints_the_same(void **state)
{
	char out[8192];
	int held, late, replies, firsts;
	char median[16];

	(void)state;
	assert_int_equal(console_cli("sue", sue, false, out, sizeof out,
				     (const char *const[]){"dashboard", NULL}),
			 0);
	assert_non_null(strstr(out, "waiting 0, longest wait -, held 1"));
	assert_non_null(strstr(out, "1 takeovers, 2 replies"));
	const char *line = line_with(out, "Ana ");
	assert_non_null(line);
	assert_int_equal(sscanf(line + 4, "%d %d %d %15s %d", &held, &late, &replies, median,
				&firsts),
			 5);
	assert_int_equal(held, 1);
	assert_int_equal(replies, 2);
	assert_int_equal(firsts, 1);

	assert_int_equal(console_cli("sue", sue, false, out, sizeof out,
				     (const char *const[]){"--json", "dashboard", NULL}),
			 0);
	assert_non_null(strstr(out, "\"waiting\":0"));
	assert_non_null(strstr(out, "\"name\":\"Ana\""));
	assert_non_null(strstr(out, "\"replies_last_hour\":2"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_supervisor_watches_it_change),
		cmocka_unit_test(test_agent_may_look),
		cmocka_unit_test(test_cli_prints_the_same),
	};
	return cmocka_run_group_tests(tests, setup, console_fixture_teardown);
}
