/*
 * console_fixture.h — what every console e2e test starts from: a real hub
 * with its people (Ana and Ben, agents; Sue, supervisor; the widget
 * bridge), Ana's token file, and consoles in tmux (tmux.h) against it.
 *
 * A program takes it once for all its tests (cmocka_run_group_tests with
 * console_fixture_setup/teardown), or a fresh hub per test so that no test
 * depends on another: console_people_setup/teardown for the group, then
 * console_fixture_fresh/teardown around each test.
 */
#ifndef HANDOFF_TEST_CONSOLE_FIXTURE_H
#define HANDOFF_TEST_CONSOLE_FIXTURE_H

#include "harness.h"
#include "tmux.h"

/* How long any one screen may take to show what a test waits for. */
#define WAIT 10000

extern struct hub hub;
extern char ana[HUB_TOKEN_MAX], ben[HUB_TOKEN_MAX], sue[HUB_TOKEN_MAX], bot[HUB_TOKEN_MAX];
extern char ana_id[37], ben_id[37];
extern char ana_file[160]; /* Ana's token file */

/* The hub and its people, their ids and Ana's token file; *state = &hub.
 * Fails the test when HANDOFF_BIN is not set. */
int console_fixture_setup(void **state);

/* The people once for a program whose tests each take a fresh hub (their
 * accounts in a database that each fresh hub copies), and its end. */
int console_people_setup(void **state);
int console_people_teardown(void **state);

/* A fresh hub of the people's (an empty one but for them), their ids and
 * Ana's token file; *state = &hub. */
int console_fixture_fresh(void **state);

/* Kill the consoles still running (a failed test leaves its own), then
 * stop and remove the hub. */
int console_fixture_teardown(void **state);

/* A console to start; zero fields take the defaults. */
struct console_opts {
	const char *name;        /* its state (state-NAME) and config (config-NAME) dirs */
	int cols, rows;          /* 120x30 */
	const char *config;      /* the config file's text, or NULL for none */
	const char *token_file;  /* ana_file */
	const char *env;         /* one more VAR=value, or NULL */
};

/* Start the console in t and wait until it is live. */
void console_start(struct tmux *t, const struct console_opts *o);

/* Quit it with q, expecting exit status 0. */
void console_quit(struct tmux *t);

/* Find the chat titled `title` with the search field: "4 Search 1". */
void console_find(struct tmux *t, const char *title);

/* `handoff ARGS...` (NULL-terminated, up to 6) as the person `who` whose
 * token is `token`, in a 200x10 terminal of its own, as they would type
 * it; its exit status, and its screen into out[len] (with its colours and
 * attributes as escapes when `ansi`). */
int console_cli(const char *who, const char *token, bool ansi, char *out, size_t len,
		const char *const *args);

/* The line of `screen` holding `text`, or NULL. */
const char *line_with(const char *screen, const char *text);

#endif
