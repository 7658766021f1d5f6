/*
 * test_viewspec.c — the saved views' filter text (hostile input included),
 * what it lets through, the store views it filters, and saving views back
 * into a config file that keeps its other lines and its mode.
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
#include <unistd.h>

#include "settings.h"
#include "store.h"
#include "store_fixture.h"
#include "viewspec.h"

static void parses_to(const char *text, const char *canonical)
{
	struct view_spec v;
	struct errbuf err;
	char out[VIEW_SPEC_LEN];

	if (!view_spec_parse(text, &v, &err))
		fail_msg("\"%s\" refused: %s", text, err.msg);
	view_spec_format(&v, out, sizeof out);
	assert_string_equal(out, canonical);
	/* The canonical text parses to the same spec. */
	struct view_spec again;
	assert_true(view_spec_parse(out, &again, &err));
	assert_memory_equal(&v, &again, sizeof v);
}

static void refused(const char *text, const char *why)
{
	struct view_spec v;
	struct errbuf err;

	err.msg[0] = '\0';
	if (view_spec_parse(text, &v, &err))
		fail_msg("\"%s\" was accepted", text);
	assert_non_null(strstr(err.msg, why));
	/* Nothing half-parsed is left. */
	assert_true(view_spec_empty(&v));
}

static void test_parse(void **state)
{
	(void)state;
	parses_to("", "");
	parses_to("   \t ", "");
	parses_to("status=open", "status=open");
	parses_to("holder=me  channel=whatsapp\tstatus=pending escalated=yes source=telegram",
		  "status=pending channel=whatsapp source=telegram holder=me escalated=yes");
	parses_to("holder=nobody escalated=no", "holder=nobody escalated=no");
	parses_to("holder=" FX_OTHER, "holder=" FX_OTHER);
	parses_to("source=a.b_c-9", "source=a.b_c-9");
}

static void test_parse_hostile(void **state)
{
	char longword[200];

	(void)state;
	refused("status", "expected field=value");
	refused("status=", "status: \"\" is not");
	refused("status=Open", "is not open, pending");
	refused("status=open status=closed", "status is given twice");
	refused("color=red", "unknown field \"color\"");
	refused("=open", "unknown field \"\"");
	refused("channel=sms", "channel");
	refused("source=Telegram", "source");
	refused("source=a/b", "source");
	refused("source=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "source"); /* 33 characters */
	refused("holder=ME", "holder");
	refused("holder=00000000-0000-4000-8000-00000000000", "holder"); /* short id */
	refused("escalated=true", "yes or no");
	refused("status=open\nholder=me", "status"); /* a newline is no separator */
	refused("status=open;holder=me", "status");
	refused("holder=me=me", "holder");
	refused("status=op\xc3\xa9n", "status");
	refused("status=\x1b[31mopen", "status");
	memset(longword, 'a', sizeof longword - 1);
	longword[sizeof longword - 1] = '\0';
	refused(longword, "too long");
	memcpy(longword, "source=", 7);
	refused(longword, "too long");
	refused("x=\x01\x02", "unknown field \"x\"");
}

static void test_names(void **state)
{
	(void)state;
	assert_true(view_name_valid("open-wa_2"));
	assert_true(view_name_valid("abcdefghijklmnopqrstuvwx")); /* 24 */
	assert_false(view_name_valid("abcdefghijklmnopqrstuvwxy"));
	assert_false(view_name_valid(""));
	assert_false(view_name_valid("a b"));
	assert_false(view_name_valid("a=b"));
	assert_false(view_name_valid("caf\xc3\xa9"));
}

static void test_matches(void **state)
{
	struct chat c;
	struct view_spec v;
	struct errbuf err;

	(void)state;
	fx_chat(&c, 1, FX_T0);
	c.channel.type = CHANNEL_WHATSAPP;
	c.ticket = (struct ticket){.present = true, .status = TICKET_OPEN};
	c.source = (struct source){.present = true, .platform = "telegram"};
	fx_hold(&c, FX_ME);

	assert_true(view_spec_parse("status=open channel=whatsapp holder=me source=telegram", &v,
				    &err));
	assert_true(view_spec_matches(&v, FX_ME, &c));
	assert_false(view_spec_matches(&v, FX_OTHER, &c)); /* someone else signed in */
	assert_false(view_spec_matches(&v, "", &c));
	c.channel.type = CHANNEL_WIDGET;
	assert_false(view_spec_matches(&v, FX_ME, &c)); /* every field must hold */
	c.channel.type = CHANNEL_WHATSAPP;
	c.source.platform = NULL;
	assert_false(view_spec_matches(&v, FX_ME, &c));

	assert_true(view_spec_parse("status=open", &v, &err));
	c.ticket.present = false; /* no ticket: no status (as the hub's NULL) */
	assert_false(view_spec_matches(&v, FX_ME, &c));

	assert_true(view_spec_parse("holder=nobody escalated=no", &v, &err));
	assert_false(view_spec_matches(&v, FX_ME, &c));
	fx_chat(&c, 2, FX_T0);
	assert_true(view_spec_matches(&v, FX_ME, &c));
	fx_escalate(&c, FX_T0);
	assert_false(view_spec_matches(&v, FX_ME, &c));

	assert_true(view_spec_parse("holder=" FX_OTHER, &v, &err));
	fx_hold(&c, FX_OTHER);
	assert_true(view_spec_matches(&v, FX_ME, &c));
}

/* A filtered store view follows its chats as they change, and holder=me
 * follows who is signed in. */
static void test_store_filter(void **state)
{
	struct store *s = store_new();
	struct view_spec v;
	struct errbuf err;
	struct chat c;

	(void)state;
	assert_null(store_filter(s, VIEW_ALL));
	assert_false(store_set_filter(s, VIEW_ALL, &v, &err));
	assert_true(view_spec_parse("channel=whatsapp holder=me", &v, &err));
	for (unsigned n = 1; n <= 3; n++) {
		fx_chat(&c, n, FX_T0 + n);
		c.channel.type = n == 2 ? CHANNEL_WIDGET : CHANNEL_WHATSAPP;
		fx_hold(&c, FX_ME);
		assert_int_equal(store_put_chat(s, &c, &err), STORE_CHANGED);
	}
	assert_int_equal(view_count(store_view(s, VIEW_SAVED + 1)), 0); /* no filter yet */
	assert_true(store_set_filter(s, VIEW_SAVED + 1, &v, &err));
	assert_int_equal(view_count(store_view(s, VIEW_SAVED + 1)), 0); /* nobody is me */
	assert_true(store_set_me(s, FX_ME));
	assert_int_equal(view_count(store_view(s, VIEW_SAVED + 1)), 2);
	assert_string_equal(view_at(store_view(s, VIEW_SAVED + 1), 0)->id, c.id); /* recent */
	/* A chat that comes to match joins; one that stops matching leaves. */
	fx_chat(&c, 4, FX_T0 + 9);
	c.channel.type = CHANNEL_WHATSAPP;
	fx_hold(&c, FX_ME);
	store_put_chat(s, &c, &err);
	assert_int_equal(view_count(store_view(s, VIEW_SAVED + 1)), 3);
	c.responder.type = RESPONDER_BOT;
	c.version++;
	store_put_chat(s, &c, &err);
	assert_int_equal(view_count(store_view(s, VIEW_SAVED + 1)), 2);
	/* Other filtered views are untouched; clearing empties. */
	assert_int_equal(view_count(store_view(s, VIEW_FILTER)), 0);
	assert_true(store_set_filter(s, VIEW_SAVED + 1, NULL, &err));
	assert_null(store_filter(s, VIEW_SAVED + 1));
	assert_int_equal(view_count(store_view(s, VIEW_SAVED + 1)), 0);
	store_free(s);
}

/* Filtered views keep their nodes apart from the chats' entries: set
 * before or after the chats came, across chunks of entries, and again
 * after the store was cleared. */
static void put_many(struct store *s, unsigned from, unsigned to)
{
	struct errbuf err;
	struct chat c;

	for (unsigned n = from; n < to; n++) {
		fx_chat(&c, n, FX_T0 + n);
		c.escalated = n % 2 == 0;
		assert_int_equal(store_put_chat(s, &c, &err), STORE_CHANGED);
	}
}

static void test_store_filter_grows(void **state)
{
	struct store *s = store_new();
	struct view_spec v;
	struct errbuf err;

	(void)state;
	assert_true(view_spec_parse("escalated=yes", &v, &err));
	assert_true(store_set_filter(s, VIEW_FILTER, &v, &err)); /* before any chat */
	put_many(s, 0, 600);
	assert_int_equal(view_count(store_view(s, VIEW_FILTER)), 300);
	assert_true(store_set_filter(s, VIEW_SAVED + 4, &v, &err)); /* after */
	put_many(s, 600, 1100);
	assert_int_equal(view_count(store_view(s, VIEW_FILTER)), 550);
	assert_int_equal(view_count(store_view(s, VIEW_SAVED + 4)), 550);
	assert_int_equal(view_count(store_view(s, VIEW_ALL)), 1100);
	store_clear(s);
	assert_int_equal(view_count(store_view(s, VIEW_FILTER)), 0);
	put_many(s, 0, 300);
	assert_int_equal(view_count(store_view(s, VIEW_SAVED + 4)), 150);
	store_free(s);
}

/* ---- the config file ------------------------------------------------------ */

static char *slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static void test_save_view(void **state)
{
	char dir[] = "/tmp/handoff-test-XXXXXX", path[96], cmd[128];
	struct view_spec v;
	struct errbuf err;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/sub/config", dir);
	/* A new file, in a new directory: 0600. */
	assert_true(view_spec_parse("holder=me status=open", &v, &err));
	assert_true(config_save_view(path, "mine-open", &v, &err));
	assert_string_equal(slurp(path), "view mine-open = status=open holder=me\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	/* Other lines, comments and blank lines stay; a view of the same name
	 * is replaced in place; the mode is kept. */
	write_file(path,
		   "# mine\nserver = http://127.0.0.1:1\n\nview  wa\t= channel=whatsapp\n"
		   "bind = main x quit\nview wa-bot = channel=waha",
		   0640);
	assert_true(view_spec_parse("channel=whatsapp escalated=yes", &v, &err));
	assert_true(config_save_view(path, "wa", &v, &err));
	assert_string_equal(slurp(path),
			    "# mine\nserver = http://127.0.0.1:1\n\nview wa = channel=whatsapp "
			    "escalated=yes\nbind = main x quit\nview wa-bot = channel=waha");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	/* A new one goes at the end, after a last line without a newline. */
	assert_true(config_save_view(path, "new", &v, &err));
	assert_non_null(strstr(slurp(path), "view wa-bot = channel=waha\nview new = channel="));
	/* Deleting takes only that view's line. */
	assert_true(config_save_view(path, "wa", NULL, &err));
	assert_null(strstr(slurp(path), "view wa ="));
	assert_non_null(strstr(slurp(path), "view wa-bot = channel=waha\n"));
	assert_non_null(strstr(slurp(path), "bind = main x quit\n"));
	/* A bad name never reaches the file. */
	assert_false(config_save_view(path, "a\nserver = http://evil", &v, &err));
	assert_null(strstr(slurp(path), "evil"));

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* The config file's view lines load, in order; errors name the line. */
static void test_load_views(void **state)
{
	char dir[] = "/tmp/handoff-test-XXXXXX", path[96], home[96], cmd[128];
	struct config c;
	struct errbuf err;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(home, sizeof home, "HOME=%s", dir);
	const char *env[] = {home, NULL};
	snprintf(path, sizeof path, "%s/.config", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/.config/handoff", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/.config/handoff/config", dir);

	write_file(path, "view a = status=open\nview b = holder=nobody\nview a = status=closed\n",
		   0600);
	assert_true(config_load(&c, &(struct config_args){0}, env, &err));
	assert_int_equal(c.nviews, 2);
	assert_string_equal(c.views[0].name, "a");
	assert_int_equal(c.views[0].spec.status, TICKET_CLOSED); /* the later line wins */
	assert_string_equal(c.views[1].name, "b");
	config_free(&c);

	write_file(path, "view a = status=open\nview b = status=nope\n", 0600);
	assert_false(config_load(&c, &(struct config_args){0}, env, &err));
	assert_non_null(strstr(err.msg, "config:2"));
	write_file(path, "view a b = status=open\n", 0600);
	assert_false(config_load(&c, &(struct config_args){0}, env, &err));
	assert_non_null(strstr(err.msg, "name"));
	write_file(path, "view 1 = escalated=yes\nview 2 = escalated=yes\nview 3 = escalated=yes\n"
			 "view 4 = escalated=yes\nview 5 = escalated=yes\nview 6 = escalated=yes\n",
		   0600);
	assert_false(config_load(&c, &(struct config_args){0}, env, &err));
	assert_non_null(strstr(err.msg, "at most 5 views"));

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),       cmocka_unit_test(test_parse_hostile),
		cmocka_unit_test(test_names),       cmocka_unit_test(test_matches),
		cmocka_unit_test(test_store_filter), cmocka_unit_test(test_store_filter_grows),
		cmocka_unit_test(test_save_view),
		cmocka_unit_test(test_load_views),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
