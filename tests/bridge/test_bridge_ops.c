/*
 * test_bridge_ops.c — running handoff-bridge: --check names what is wrong
 * (a refused key, an unknown bot id, an unreachable platform, a refused
 * hub token) and shows what it sees when all is right; the config file's
 * errors name file:line; a secret file others can read is refused; SIGTERM
 * stops it with exit 0; no secret reaches the log.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bridge_proc.h"

static struct world w;

static int setup(void **state)
{
	(void)state;
	world_init(&w, "");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	world_free(&w);
	return 0;
}

/* The test config with `key`'s line replaced by `line`. */
static void config_with(const char *key, const char *line, char *path, size_t n)
{
	char buf[4096], out[4096] = "";
	FILE *f = fopen(w.config, "re");
	assert_non_null(f);
	size_t len = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[len] = '\0';
	for (char *save, *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		bool hit = strncmp(l, key, strlen(key)) == 0 && l[strlen(key)] == ' ';
		strcat(out, hit ? line : l);
		strcat(out, "\n");
	}
	snprintf(path, n, "%s/variant.conf", w.hub.dir);
	f = fopen(path, "we");
	assert_non_null(f);
	fputs(out, f);
	fclose(f);
}

static void test_check_all_right(void **state)
{
	char out[2048];

	(void)state;
	assert_int_equal(bridge_check_run(w.config, out, sizeof out), 0);
	assert_non_null(strstr(out, "bot " BPSIM_BOT ": 0 conversations on the first page"));
	assert_non_null(strstr(out, "account \"Botpress bridge\" (ingest"));
	assert_null(strstr(out, BPSIM_TOKEN));
	assert_null(strstr(out, w.ingest));
}

static void test_check_wrong_key(void **state)
{
	char out[2048], path[256], file[256];

	(void)state;
	snprintf(file, sizeof file, "%s/wrong.token", w.hub.dir);
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_int_equal(write(fd, "not-the-key\n", 12), 12);
	close(fd);
	config_with("token_file", "token_file = wrong.token", path, sizeof path);
	assert_int_equal(bridge_check_run(path, out, sizeof out), 1);
	assert_non_null(strstr(out, "HTTP 401: Unauthorized"));
	assert_non_null(strstr(out, "check token_file"));
	assert_null(strstr(out, "not-the-key"));
}

static void test_check_unknown_bot(void **state)
{
	char out[2048], path[256];

	(void)state;
	config_with("bot_id", "bot_id = bot-nobody", path, sizeof path);
	assert_int_equal(bridge_check_run(path, out, sizeof out), 1);
	assert_non_null(strstr(out, "HTTP 403: Forbidden"));
	assert_non_null(strstr(out, "check bot_id"));
}

static void test_check_unreachable_platform(void **state)
{
	char out[2048], path[256];

	(void)state;
	config_with("platform_url", "platform_url = http://127.0.0.1:1", path, sizeof path);
	assert_int_equal(bridge_check_run(path, out, sizeof out), 1);
	assert_non_null(strstr(out, "platform: botpress at http://127.0.0.1:1: FAILED: "
				    "list conversations: no answer"));
}

static void test_check_wrong_hub_token(void **state)
{
	char out[2048], path[256], file[256];

	(void)state;
	snprintf(file, sizeof file, "%s/agent.token", w.hub.dir);
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_int_equal(write(fd, w.ana, strlen(w.ana)), (ssize_t)strlen(w.ana));
	close(fd);
	config_with("ingest_token_file", "ingest_token_file = agent.token", path, sizeof path);
	assert_int_equal(bridge_check_run(path, out, sizeof out), 1);
	assert_non_null(strstr(out, "the bridge needs an ingest account"));
}

static void test_config_errors(void **state)
{
	char out[2048], path[256], file[256];

	(void)state;
	config_with("bot_id", "bot_idd = x", path, sizeof path);
	assert_int_equal(bridge_check_run(path, out, sizeof out), 2);
	snprintf(file, sizeof file, "%s/loose.token", w.hub.dir);
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(write(fd, "sim-token\n", 10), 10);
	close(fd);
	chmod(file, 0644);
	config_with("token_file", "token_file = loose.token", path, sizeof path);
	assert_int_equal(bridge_check_run(path, out, sizeof out), 2);
}

/* An idle bridge stops on SIGTERM with exit 0 (no leak: the sanitizers
 * would change the status); no secret in its log. The drain of work in
 * flight is in test_bridge_outbound. */
static void test_sigterm_stops(void **state)
{
	(void)state;
	bridge_start(&w);
	bridge_stop(&w);
	assert_int_equal(bridge_log_count(&w, "draining"), 1);
	assert_int_equal(bridge_log_count(&w, "stopped"), 1);
	assert_int_equal(bridge_log_count(&w, BPSIM_TOKEN), 0);
	assert_int_equal(bridge_log_count(&w, w.ingest), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_check_all_right, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_wrong_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_unknown_bot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_unreachable_platform, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_wrong_hub_token, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sigterm_stops, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
