/*
 * test_settings.c — precedence, the token file rules, the config file, URLs,
 * the redacted description, the state directory. Every test runs in its own
 * temporary HOME, passed in through an injected environment.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "settings.h"

#define SECRET "s3cr3t-t0ken-value"

struct fixture {
	char home[64];
	char home_env[80];
	const char *env[8];
	size_t nenv;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	if (f == NULL)
		return -1;
	strcpy(f->home, "/tmp/handoff-test-XXXXXX");
	if (mkdtemp(f->home) == NULL)
		return -1;
	snprintf(f->home_env, sizeof f->home_env, "HOME=%s", f->home);
	f->env[f->nenv++] = f->home_env;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->home);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* Add "NAME=value" (a string literal or one that outlives the test). */
static void env_add(struct fixture *f, const char *entry)
{
	f->env[f->nenv++] = entry;
	f->env[f->nenv] = NULL;
}

/* Write `text` to HOME/rel, creating the parent directories. */
static void write_file(struct fixture *f, const char *rel, const char *text, mode_t mode,
		       char *path, size_t pathlen)
{
	char cmd[256];
	FILE *fp;

	snprintf(path, pathlen, "%s/%s", f->home, rel);
	snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\"", path);
	assert_int_equal(system(cmd), 0);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	assert_int_equal(chmod(path, mode), 0);
}

static void write_config(struct fixture *f, const char *text)
{
	char path[128];

	write_file(f, ".config/handoff/config", text, 0644, path, sizeof path);
}

static void test_defaults_without_files(void **state)
{
	struct fixture *f = *state;
	struct config_args cli = {0};
	struct config c;
	struct errbuf err = {""};

	assert_true(config_load(&c, &cli, f->env, &err));
	assert_string_equal(c.server, CONFIG_DEFAULT_SERVER);
	assert_string_equal(c.theme, CONFIG_DEFAULT_THEME);
	assert_null(c.token);
	assert_null(c.token_file);
	assert_false(c.file_found);
	assert_int_equal(c.server_from, CONFIG_FROM_DEFAULT);
	config_free(&c);
}

static void test_precedence(void **state)
{
	struct fixture *f = *state;
	struct config_args cli = {0};
	struct config c;
	struct errbuf err = {""};

	write_config(f, "# comment\n\nserver = http://file.example:1/\ntheme = dark\n");
	assert_true(config_load(&c, &cli, f->env, &err));
	assert_string_equal(c.server, "http://file.example:1");
	assert_int_equal(c.server_from, CONFIG_FROM_FILE);
	assert_string_equal(c.theme, "dark");
	config_free(&c);

	env_add(f, "HANDOFF_SERVER=https://env.example");
	assert_true(config_load(&c, &cli, f->env, &err));
	assert_string_equal(c.server, "https://env.example");
	assert_int_equal(c.server_from, CONFIG_FROM_ENV);
	config_free(&c);

	cli.server = "http://cli.example/";
	cli.theme = "light";
	assert_true(config_load(&c, &cli, f->env, &err));
	assert_string_equal(c.server, "http://cli.example");
	assert_int_equal(c.server_from, CONFIG_FROM_CLI);
	assert_string_equal(c.theme, "light");
	config_free(&c);
}

static void test_xdg_config_home(void **state)
{
	struct fixture *f = *state;
	struct config_args cli = {0};
	struct config c;
	struct errbuf err = {""};
	char path[128], env[160];

	write_file(f, "xdg/handoff/config", "theme = xdg\n", 0600, path, sizeof path);
	snprintf(env, sizeof env, "XDG_CONFIG_HOME=%s/xdg", f->home);
	env_add(f, env);
	assert_true(config_load(&c, &cli, f->env, &err));
	assert_string_equal(c.theme, "xdg");
	assert_string_equal(c.file, path);
	config_free(&c);
}

static void test_token_file_0600_first_line_trimmed(void **state)
{
	struct fixture *f = *state;
	struct config_args cli = {0};
	struct config c;
	struct errbuf err = {""};
	char path[128];

	write_file(f, "tok", "  " SECRET " \r\nsecond line\n", 0600, path, sizeof path);
	cli.token_file = path;
	assert_true(config_load(&c, &cli, f->env, &err));
	assert_string_equal(c.token, SECRET);
	assert_string_equal(c.token_file, path);
	assert_int_equal(c.token_from, CONFIG_FROM_CLI);
	config_free(&c);

	cli.token_file = "~/tok";	/* not expanded by a shell in --token-file=~/tok */
	assert_true(config_load(&c, &cli, f->env, &err));
	assert_string_equal(c.token_file, path);
	config_free(&c);
}

/* `needle` is a format whose two %s are the token file's path. */
static void expect_token_error(struct fixture *f, const char *text, mode_t mode,
			       const char *needle)
{
	struct config_args cli = {0};
	struct config c;
	struct errbuf err = {""};
	char path[128], want[256];

	write_file(f, "tok", text, mode, path, sizeof path);
	cli.token_file = path;
	assert_false(config_load(&c, &cli, f->env, &err));
	assert_null(c.token);
	assert_null(c.server);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral" /* needle: a literal of each caller */
	snprintf(want, sizeof want, needle, path, path);
#pragma GCC diagnostic pop
	if (strstr(err.msg, want) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", err.msg, want);
	assert_null(strstr(err.msg, SECRET));
}

static void test_token_file_open_to_others_refused(void **state)
{
	expect_token_error(*state, SECRET "\n", 0644,
			   "token file %s is readable by others (mode 0644): chmod 600 %s");
	expect_token_error(*state, SECRET "\n", 0640,
			   "token file %s is readable by group (mode 0640): chmod 600 %s");
	expect_token_error(*state, SECRET "\n", 0602,
			   "token file %s is writable by others (mode 0602): chmod 600 %s");
}

static void test_token_file_empty_or_bad_refused(void **state)
{
	expect_token_error(*state, " \n" SECRET "\n", 0600, "token file %s is empty");
	expect_token_error(*state, "", 0400, "token file %s is empty");
	expect_token_error(*state, "two words\n", 0600, "token file %s: the first line is not a token");
}

static void test_token_file_missing_or_not_regular(void **state)
{
	struct fixture *f = *state;
	struct config_args cli = {0};
	struct config c;
	struct errbuf err = {""};
	char path[128];

	snprintf(path, sizeof path, "%s/nope", f->home);
	cli.token_file = path;
	assert_false(config_load(&c, &cli, f->env, &err));
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "No such file"));

	cli.token_file = f->home;
	assert_false(config_load(&c, &cli, f->env, &err));
	assert_non_null(strstr(err.msg, "is not a regular file"));
}

static void test_token_sources(void **state)
{
	struct fixture *f = *state;
	struct config_args cli = {0};
	struct config c;
	struct errbuf err = {""};
	char dflt[128], rel[128], clipath[128];

	/* The default location, when nothing names one. */
	write_file(f, ".config/handoff/token", "default-token\n", 0600, dflt, sizeof dflt);
	assert_true(config_load(&c, &cli, f->env, &err));
	assert_string_equal(c.token, "default-token");
	assert_string_equal(c.token_file, dflt);
	config_free(&c);

	/* A relative token_file in the config file is next to the file. */
	write_file(f, ".config/handoff/other", "file-token\n", 0600, rel, sizeof rel);
	write_config(f, "token_file = other\n");
	assert_true(config_load(&c, &cli, f->env, &err));
	assert_string_equal(c.token, "file-token");
	assert_string_equal(c.token_file, rel);
	assert_int_equal(c.token_from, CONFIG_FROM_FILE);
	config_free(&c);

	/* HANDOFF_TOKEN beats the file... */
	env_add(f, "HANDOFF_TOKEN=" SECRET);
	assert_true(config_load(&c, &cli, f->env, &err));
	assert_string_equal(c.token, SECRET);
	assert_null(c.token_file);
	assert_int_equal(c.token_from, CONFIG_FROM_ENV);
	config_free(&c);

	/* ...and --token-file beats HANDOFF_TOKEN. */
	write_file(f, "cli-tok", "cli-token\n", 0600, clipath, sizeof clipath);
	cli.token_file = clipath;
	assert_true(config_load(&c, &cli, f->env, &err));
	assert_string_equal(c.token, "cli-token");
	config_free(&c);
}

static void test_env_token_with_newline_refused_unquoted(void **state)
{
	struct fixture *f = *state;
	struct config_args cli = {0};
	struct config c;
	struct errbuf err = {""};

	env_add(f, "HANDOFF_TOKEN=" SECRET "\nX-Evil: 1");
	assert_false(config_load(&c, &cli, f->env, &err));
	assert_non_null(strstr(err.msg, "HANDOFF_TOKEN"));
	assert_null(strstr(err.msg, SECRET));
}

static void expect_file_error(struct fixture *f, const char *text, const char *needle)
{
	struct config_args cli = {0};
	struct config c;
	struct errbuf err = {""};
	char want[256];

	write_config(f, text);
	assert_false(config_load(&c, &cli, f->env, &err));
	snprintf(want, sizeof want, "%s/.config/handoff/config:%s", f->home, needle);
	if (strcmp(err.msg, want) != 0)
		fail_msg("got \"%s\", want \"%s\"", err.msg, want);
}

static void test_config_file_errors_name_line(void **state)
{
	expect_file_error(*state, "# ok\nserver = http://a\nsevrer = http://b\n",
			  "3: unknown key \"sevrer\"");
	expect_file_error(*state, "\n\ntheme dark\n", "3: expected key = value");
	expect_file_error(*state, "theme =\n", "1: theme has no value");
	expect_file_error(*state, "theme = ../../etc\n",
			  "1: theme must be 1 to 32 letters, digits, '-' or '_'");
	expect_file_error(*state, "server = ftp://x\n",
			  "1: server must start with http:// or https://");
	expect_file_error(*state, "token = " SECRET "\n",
			  "1: the token does not go in the config file; use token_file");
}

static void test_bind_lines_kept(void **state)
{
	struct fixture *f = *state;
	struct config_args cli = {0};
	struct config c;
	struct errbuf err = {""};

	write_config(f, "bind = ctrl-r reply\n# x\nbind=q quit\n");
	assert_true(config_load(&c, &cli, f->env, &err));
	assert_int_equal(c.nbinds, 2);
	assert_string_equal(c.binds[0].spec, "ctrl-r reply");
	assert_int_equal(c.binds[0].line, 1);
	assert_string_equal(c.binds[1].spec, "q quit");
	assert_int_equal(c.binds[1].line, 3);
	config_free(&c);
}

static void test_bell_and_title_switches(void **state)
{
	struct fixture *f = *state;
	struct config_args cli = {0};
	struct config c;
	struct errbuf err = {""};

	write_config(f, "# nothing\n");
	assert_true(config_load(&c, &cli, f->env, &err));
	assert_true(c.bell);  /* both on by default */
	assert_true(c.title);
	config_free(&c);
	write_config(f, "bell = off\ntitle = no\n");
	assert_true(config_load(&c, &cli, f->env, &err));
	assert_false(c.bell);
	assert_false(c.title);
	config_free(&c);
	expect_file_error(f, "bell = loud\n", "1: bell must be on or off, not \"loud\"");
}

/* away_after is minutes, or seconds with an "s"; kept in seconds. */
static void test_away_after_minutes_or_seconds(void **state)
{
	struct fixture *f = *state;
	struct config_args cli = {0};
	struct config c;
	struct errbuf err = {""};

	write_config(f, "away_after = 10\n");
	assert_true(config_load(&c, &cli, f->env, &err));
	assert_int_equal(c.away_after_s, 600);
	config_free(&c);
	write_config(f, "away_after = 90s\n");
	assert_true(config_load(&c, &cli, f->env, &err));
	assert_int_equal(c.away_after_s, 90);
	config_free(&c);
	expect_file_error(f, "away_after = 1441\n",
			  "1: away_after wants minutes from 0 to 1440 (or seconds: 90s), not \"1441\"");
	expect_file_error(f, "away_after = 90x\n",
			  "1: away_after wants minutes from 0 to 1440 (or seconds: 90s), not \"90x\"");
	expect_file_error(f, "away_after = s\n",
			  "1: away_after wants minutes from 0 to 1440 (or seconds: 90s), not \"s\"");
}

static const struct {
	const char *url, *want;	/* want NULL: refused */
} urls[] = {
	{"http://127.0.0.1:8470", "http://127.0.0.1:8470"},
	{"https://hub.example.com/", "https://hub.example.com"},
	{"https://hub.example.com/handoff//", "https://hub.example.com/handoff"},
	{"http://[::1]:8470", "http://[::1]:8470"},
	{"http://localhost", "http://localhost"},
	{"ftp://hub", NULL},
	{"hub.example.com", NULL},
	{"HTTP://hub", NULL},
	{"http://", NULL},
	{"http:///path", NULL},
	{"http://hub:", NULL},
	{"http://hub:0", NULL},
	{"http://hub:65536", NULL},
	{"http://hub:80x", NULL},
	{"http://user:pw@hub", NULL},
	{"http://hub/a b", NULL},
	{"http://hub/?q=1", NULL},
	{"http://hub#frag", NULL},
	{"http://hub\n", NULL},
	{"http://[::1", NULL},
	{"http://hub_name", NULL},
};

static void test_server_url_validation(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof urls / sizeof *urls; i++) {
		struct errbuf err = {""};
		char *got = config_check_server(urls[i].url, &err);

		if (urls[i].want == NULL && got != NULL)
			fail_msg("accepted \"%s\"", urls[i].url);
		if (urls[i].want != NULL && (got == NULL || strcmp(got, urls[i].want) != 0))
			fail_msg("\"%s\" gave \"%s\" (%s)", urls[i].url, got ? got : "NULL", err.msg);
		if (got == NULL)
			assert_true(err.msg[0] != '\0');
		free(got);
	}
}

static void test_bad_env_server_names_source(void **state)
{
	struct fixture *f = *state;
	struct config_args cli = {0};
	struct config c;
	struct errbuf err = {""};

	env_add(f, "HANDOFF_SERVER=localhost:8470");
	assert_false(config_load(&c, &cli, f->env, &err));
	assert_string_equal(err.msg, "HANDOFF_SERVER: server must start with http:// or https://");
}

static void test_description_never_has_token(void **state)
{
	struct fixture *f = *state;
	struct config_args cli = {0};
	struct config c;
	struct errbuf err = {""};
	char path[128], out[1024];

	write_file(f, ".config/handoff/token", SECRET "\n", 0600, path, sizeof path);
	assert_true(config_load(&c, &cli, f->env, &err));
	assert_string_equal(c.token, SECRET);
	config_describe(&c, out, sizeof out);
	assert_null(strstr(out, SECRET));
	assert_non_null(strstr(out, "token: (from file ~/.config/handoff/token)\n"));
	assert_non_null(strstr(out, "server: http://127.0.0.1:8470 (default)\n"));
	assert_non_null(strstr(out, "config file: ~/.config/handoff/config (not found)\n"));
	config_free(&c);

	env_add(f, "HANDOFF_TOKEN=" SECRET);
	cli.insecure = true;
	assert_true(config_load(&c, &cli, f->env, &err));
	config_describe(&c, out, sizeof out);
	assert_null(strstr(out, SECRET));
	assert_non_null(strstr(out, "token: (from HANDOFF_TOKEN)\n"));
	assert_non_null(strstr(out, "--insecure"));
	config_free(&c);
}

static void test_state_dir_created_private(void **state)
{
	struct fixture *f = *state;
	struct errbuf err = {""};
	char dir[256], want[256], env[160];
	struct stat st;

	assert_true(config_state_dir(dir, sizeof dir, f->env, &err));
	snprintf(want, sizeof want, "%s/.local/state/handoff", f->home);
	assert_string_equal(dir, want);
	assert_int_equal(stat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);

	/* Present but loosened: tightened again. */
	assert_int_equal(chmod(dir, 0755), 0);
	assert_true(config_state_dir(dir, sizeof dir, f->env, &err));
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);

	snprintf(env, sizeof env, "XDG_STATE_HOME=%s/st/deep", f->home);
	env_add(f, env);
	assert_true(config_state_dir(dir, sizeof dir, f->env, &err));
	snprintf(want, sizeof want, "%s/st/deep/handoff", f->home);
	assert_string_equal(dir, want);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
}

static void test_state_dir_without_home(void **state)
{
	const char *env[] = {NULL};
	struct errbuf err = {""};
	char dir[256];

	(void)state;
	assert_false(config_state_dir(dir, sizeof dir, env, &err));
	assert_string_equal(err.msg, "neither XDG_STATE_HOME nor HOME is set");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_defaults_without_files),
		T(test_precedence),
		T(test_xdg_config_home),
		T(test_token_file_0600_first_line_trimmed),
		T(test_token_file_open_to_others_refused),
		T(test_token_file_empty_or_bad_refused),
		T(test_token_file_missing_or_not_regular),
		T(test_token_sources),
		T(test_env_token_with_newline_refused_unquoted),
		T(test_config_file_errors_name_line),
		T(test_bind_lines_kept),
		T(test_bell_and_title_switches),
		T(test_away_after_minutes_or_seconds),
		T(test_server_url_validation),
		T(test_bad_env_server_names_source),
		T(test_description_never_has_token),
		T(test_state_dir_created_private),
		T(test_state_dir_without_home),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
