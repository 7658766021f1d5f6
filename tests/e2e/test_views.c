/*
 * test_views.c — filters and saved views, as an agent uses them: filter
 * the list by status, channel, source and holder at once, save the filter
 * as a view (tab 5, with its count), watch the count follow a chat that
 * comes to match, find the view again after a restart (the config file),
 * and delete it.
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

#define SPEC "status=open channel=whatsapp source=telegram holder=me"

static struct tmux tm;

/* A customer writes on `channel` through `platform`; if `status` is set,
 * Ana takes the chat over (when `ana_holds`) and sets its ticket status. */
static void chat(const char *text, const char *channel, const char *platform, bool ana_holds,
		 const char *status)
{
	char body[512], id[37], path[96];

	snprintf(body, sizeof body,
		 "{\"external_id\":\"%s\",\"channel\":{\"type\":\"%s\",\"name\":\"%s\"},"
		 "\"owner\":{\"external_id\":\"%s\",\"name\":\"%s\"},\"source\":{\"platform\":"
		 "\"%s\"},\"role\":\"user\",\"text\":\"%s\",\"escalate\":true}",
		 text, channel, channel, text, text, platform, text);
	struct reply r = http(&hub, "POST", "/v1/ingest/messages", bot, body);
	cJSON *c = cJSON_GetObjectItemCaseSensitive(expect_status(&r, 201), "chat");
	snprintf(id, sizeof id, "%s", cJSON_GetObjectItemCaseSensitive(c, "id")->valuestring);
	reply_free(&r);
	if (ana_holds)
		hub_act(&hub, ana, id, "takeover", NULL);
	if (status) {
		snprintf(path, sizeof path, "/v1/chats/%s", id);
		snprintf(body, sizeof body, "{\"ticket_status\":\"%s\"}", status);
		r = http(&hub, "PATCH", path, ana, body);
		expect_status(&r, 200);
		reply_free(&r);
	}
}

static char *config_text(void)
{
	static char buf[4096];
	char path[256];

	snprintf(path, sizeof path, "%s/config-views/handoff/config", hub.dir);
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
	buf[n] = '\0';
	if (f)
		fclose(f);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 077, 0); /* it is the agent's own */
	return buf;
}

static void test_filter_save_restart_delete(void **state)
{
	char screen[16384];
	const struct console_opts views = {.name = "views"};

	(void)state;
	chat("alpha-match", "whatsapp", "telegram", true, "open");
	chat("beta-pending", "whatsapp", "telegram", true, "pending");
	chat("gamma-widget", "widget", "telegram", true, "open");
	chat("delta-nobody", "whatsapp", "telegram", false, "open");
	chat("epsilon-botpress", "whatsapp", "botpress", true, "open");

	console_start(&tm, &views);
	tmux_send_keys(&tm, "3", NULL);
	tmux_wait_for(&tm, "epsilon-botpress", WAIT);

	/* A combined filter: only the chat that passes every field shows. */
	tmux_send_keys(&tm, "f", NULL);
	tmux_wait_for(&tm, "all must hold", WAIT);
	tmux_type(&tm, "holder=me channel=whatsapp status=open source=telegram");
	tmux_send_keys(&tm, "Enter", NULL);
	tmux_wait_for(&tm, "Filter 1 ", WAIT);
	tmux_wait_for(&tm, " 1 chat: status=open channel=whatsapp", WAIT);
	tmux_screen(&tm, screen, sizeof screen);
	assert_non_null(strstr(screen, "alpha-match"));
	assert_null(strstr(screen, "beta-pending"));
	assert_null(strstr(screen, "gamma-widget"));
	assert_null(strstr(screen, "delta-nobody"));
	assert_null(strstr(screen, "epsilon-botpress"));
	/* A wrong word is refused and said; the prompt stays to fix it. */
	tmux_send_keys(&tm, "f", NULL);
	tmux_wait_for(&tm, "all must hold", WAIT);
	tmux_type(&tm, "status=shut");
	tmux_send_keys(&tm, "Enter", NULL);
	tmux_wait_for(&tm, "status: \"shut\" is not open", WAIT);
	tmux_send_keys(&tm, "Escape", NULL);
	tmux_wait_gone(&tm, "all must hold", WAIT);

	/* Saved as a view: tab 5, with its count, in the config file. */
	tmux_send_keys(&tm, "V", NULL);
	tmux_wait_for(&tm, "A name:", WAIT);
	tmux_type(&tm, "wa-open");
	tmux_send_keys(&tm, "Enter", NULL);
	tmux_wait_for(&tm, " 5 wa-open 1", WAIT);
	tmux_wait_for(&tm, " 1 chat: status=open channel=whatsapp", WAIT);
	tmux_wait_gone(&tm, "Filter 1 ", WAIT); /* the filter became the view */
	assert_non_null(strstr(config_text(), "view wa-open = " SPEC "\n"));

	/* A chat that comes to match counts at once, whichever tab is shown. */
	tmux_send_keys(&tm, "1", NULL);
	tmux_wait_gone(&tm, "1 chat: ", WAIT);
	chat("zeta-new", "whatsapp", "telegram", true, "open");
	tmux_wait_for(&tm, " 5 wa-open 2", WAIT);
	tmux_send_keys(&tm, "5", NULL);
	tmux_wait_for(&tm, "zeta-new", WAIT);
	console_quit(&tm);

	/* After a restart the view is a tab again, its chats from the hub;
	 * at 80x24 too, the queues, the view and the connection on one line. */
	console_start(&tm, &(struct console_opts){.name = "views", .cols = 80, .rows = 24});
	/* With the unread counts the header is full: the view goes by key and
	 * count until it is the tab shown, which keeps its name. */
	tmux_wait_for(&tm, " 5 2 ", WAIT);
	tmux_send_keys(&tm, "5", NULL);
	tmux_wait_for(&tm, " 5 wa-open 2", WAIT);
	tmux_wait_for(&tm, "alpha-match", WAIT);
	tmux_wait_for(&tm, "zeta-new", WAIT);
	tmux_wait_for(&tm, " 2 chats: " SPEC, WAIT);

	/* Deleted: the tab goes, and its line leaves the config file. */
	tmux_send_keys(&tm, "D", NULL);
	tmux_wait_for(&tm, "Delete the view wa-open?", WAIT);
	tmux_send_keys(&tm, "y", NULL);
	tmux_wait_gone(&tm, "wa-open 2", WAIT);
	assert_null(strstr(config_text(), "wa-open"));
	console_quit(&tm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter_save_restart_delete),
	};
	return cmocka_run_group_tests(tests, console_fixture_setup, console_fixture_teardown);
}
