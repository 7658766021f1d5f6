/*
 * console_fixture.c — the hub, its people and consoles every console e2e
 * test starts from (see console_fixture.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "console_fixture.h"

struct hub hub;
char ana[HUB_TOKEN_MAX], ben[HUB_TOKEN_MAX], sue[HUB_TOKEN_MAX], bot[HUB_TOKEN_MAX];
char ana_id[37], ben_id[37];
char ana_file[160];

static const struct account accounts[] = {
	{"Ana", "agent", ana},
	{"Ben", "agent", ben},
	{"Sue", "supervisor", sue},
	{"Widget bridge", "ingest", bot},
	{NULL},
};

/* The consoles running, so that teardown ends those a failed test left. */
#define MAX_CONSOLES 4
static struct tmux *running[MAX_CONSOLES];

/* The people's database that every fresh hub copies. */
static struct hub people;

static void need_handoff_bin(void)
{
	if (!getenv("HANDOFF_BIN"))
		fail_msg("HANDOFF_BIN is not set (make check sets it)");
}

/* What a started hub is not ready without: the ids, Ana's token file. */
static int ready(void **state)
{
	hub_account_id(&hub, ana, ana_id);
	hub_account_id(&hub, ben, ben_id);
	hub_token_file(&hub, "ana", ana, ana_file, sizeof ana_file);
	*state = &hub;
	return 0;
}

int console_fixture_setup(void **state)
{
	need_handoff_bin();
	hub_up(&hub, accounts);
	return ready(state);
}

int console_people_setup(void **state)
{
	(void)state;
	need_handoff_bin();
	hub_init(&people);
	for (const struct account *a = accounts; a->name; a++)
		hub_token(&people, a->name, a->role, a->token);
	return 0;
}

int console_people_teardown(void **state)
{
	(void)state;
	hub_cleanup(&people);
	return 0;
}

int console_fixture_fresh(void **state)
{
	hub_up_from(&hub, &people);
	return ready(state);
}

static void forget(struct tmux *t)
{
	for (int i = 0; i < MAX_CONSOLES; i++)
		if (running[i] == t)
			running[i] = NULL;
}

int console_fixture_teardown(void **state)
{
	for (int i = 0; i < MAX_CONSOLES; i++)
		if (running[i]) {
			tmux_kill(running[i]);
			running[i] = NULL;
		}
	return hub_teardown(state);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, 0600), 0);
}

void console_start(struct tmux *t, const struct console_opts *o)
{
	char url[64], state_env[200], config_env[200], dir[200];
	const char *name = o->name ? o->name : "main";

	hub_url(&hub, "", url, sizeof url);
	snprintf(state_env, sizeof state_env, "XDG_STATE_HOME=%s/state-%s", hub.dir, name);
	snprintf(config_env, sizeof config_env, "XDG_CONFIG_HOME=%s/config-%s", hub.dir, name);
	if (o->config) {
		snprintf(dir, sizeof dir, "%s/config-%s", hub.dir, name);
		mkdir(dir, 0700);
		snprintf(dir, sizeof dir, "%s/config-%s/handoff", hub.dir, name);
		mkdir(dir, 0700);
		snprintf(dir, sizeof dir, "%s/config-%s/handoff/config", hub.dir, name);
		write_file(dir, o->config);
	}
	const char *env[] = {state_env, config_env, o->env, NULL};
	const char *argv[] = {getenv("HANDOFF_BIN"), "--server", url, "--token-file",
			      o->token_file ? o->token_file : ana_file, NULL};
	int slot = 0;
	while (slot < MAX_CONSOLES && running[slot])
		slot++;
	assert_true(slot < MAX_CONSOLES);
	tmux_start(t, o->cols ? o->cols : 120, o->rows ? o->rows : 30, env, argv);
	running[slot] = t;
	tmux_wait_for(t, "live", WAIT);
}

void console_quit(struct tmux *t)
{
	tmux_send_keys(t, "q", NULL);
	assert_int_equal(tmux_wait_dead(t, WAIT), 0);
	tmux_kill(t);
	forget(t);
}

void console_find(struct tmux *t, const char *title)
{
	tmux_send_keys(t, "/", NULL);
	/* The dialog's own line: " Search " is in the header's tabs too. */
	tmux_wait_for(t, "Customer, title or last message", WAIT);
	/* Empty the field whatever it holds (only the search test counts on
	 * typing replacing the old query). */
	tmux_send_keys(t, "End", "C-u", NULL);
	tmux_type(t, title);
	tmux_send_keys(t, "Enter", NULL);
	tmux_wait_for(t, "4 Search 1", WAIT);
}

int console_cli(const char *who, const char *token, bool ansi, char *out, size_t len,
		const char *const *args)
{
	char url[64], file[160];
	struct tmux t = {0};
	const char *argv[12] = {getenv("HANDOFF_BIN"), "--server", url, "--token-file", file};
	size_t n = 5;

	hub_url(&hub, "", url, sizeof url);
	hub_token_file(&hub, who, token, file, sizeof file);
	for (; *args && n + 1 < sizeof argv / sizeof *argv; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	tmux_start(&t, 200, 10, NULL, argv);
	int status = tmux_wait_dead(&t, WAIT);
	if (ansi)
		tmux_screen_ansi(&t, out, len);
	else
		tmux_screen(&t, out, len);
	tmux_kill(&t);
	return status;
}

const char *line_with(const char *screen, const char *text)
{
	const char *at = strstr(screen, text);
	if (!at)
		return NULL;
	while (at > screen && at[-1] != '\n')
		at--;
	return at;
}
