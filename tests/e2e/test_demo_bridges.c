/*
 * test_demo_bridges.c — `handoff --demo` as a person first meets it: in
 * tmux, the list fills with chats the simulated platforms' bridges bring
 * in, beside the hub's own, each row naming its platform; a bridged chat
 * taken over and answered in the console shows the takeover and the reply
 * on the simulated platform; q, or a hang-up, leaves no process and no
 * directory behind.
 *
 * The demo makes its directory under $TMPDIR, which the test points at a
 * directory of its own: what is in there is the demo's, and every process
 * the demo starts inherits TMPDIR, which is how the test finds them.
 */
#define _GNU_SOURCE /* mkdtemp */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim_client.h"
#include "tmux.h"

/* Long enough for the demo's start and a bridge's first poll rounds on a
 * busy machine under the sanitizers. */
#define WAIT_MS 20000
#define REPLY "Hello from the demo test, an agent here."

/* The platforms whose chats the demo brings in through bridges, as the
 * list names them. */
static const char *const PLATFORMS[] = {"botpress", "threads", "chats", "conversations"};

static char tmpdir[64];    /* the demo's $TMPDIR */
static struct tmux tm;

/* The demo's own directory inside tmpdir (handoff-demo-XXXXXX), into out;
 * false when there is none. */
static bool demo_dir(char *out, size_t len)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	bool found = false;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strncmp(e->d_name, "handoff-demo-", 13) == 0) {
			snprintf(out, len, "%s/%s", tmpdir, e->d_name);
			found = true;
		}
	closedir(d);
	return found;
}

/* The processes whose environment holds our TMPDIR: the demo's. */
static int demo_processes(void)
{
	char want[96], path[300], env[16384];
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	snprintf(want, sizeof want, "TMPDIR=%s", tmpdir);
	assert_non_null(d);
	while ((e = readdir(d))) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/environ", e->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ssize_t got = read(fd, env, sizeof env - 1);
		close(fd);
		for (ssize_t i = 0; i < got; i += (ssize_t)strlen(env + i) + 1) {
			env[got] = '\0';
			if (strcmp(env + i, want) == 0) {
				n++;
				break;
			}
		}
	}
	closedir(d);
	return n;
}

/* The botpress simulator of the demo, from its bridge's settings. */
static void botpress_sim(struct simc *s)
{
	char dir[320], path[360], line[256];
	FILE *f;

	memset(s, 0, sizeof *s);
	assert_true(demo_dir(dir, sizeof dir));
	snprintf(path, sizeof path, "%s/botpress.conf", dir);
	assert_non_null(f = fopen(path, "re"));
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "platform_url = http://127.0.0.1:%d", &s->port) == 1)
			break;
	fclose(f);
	assert_true(s->port > 0);
	snprintf(s->base, sizeof s->base, "http://127.0.0.1:%d", s->port);
}

/* The demo's Botpress conversations that hold the console's reply,
 * posted through the API; *human: whether one of them is held by a human
 * (the handoff tag the bridge sets on takeover). */
static int replies_on_botpress(struct simc *s, bool *human)
{
	cJSON *demo = simc_ctl(s, "GET", "/_sim/demo", "%s", "");
	const cJSON *id, *m;
	int n = 0;

	*human = false;
	cJSON_ArrayForEach(id, cJSON_GetObjectItemCaseSensitive(demo, "conversations")) {
		char path[160];
		int here = 0;
		snprintf(path, sizeof path, "/_sim/conversations/%s", id->valuestring);
		cJSON *c = simc_ctl(s, "GET", path, "%s", "");
		cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(c, "messages")) {
			const cJSON *o = cJSON_GetObjectItemCaseSensitive(m, "origin");
			const cJSON *p = cJSON_GetObjectItemCaseSensitive(m, "payload");
			const cJSON *t = cJSON_GetObjectItemCaseSensitive(p, "text");
			here += cJSON_IsString(o) && strcmp(o->valuestring, "api") == 0 &&
				cJSON_IsString(t) && strcmp(t->valuestring, REPLY) == 0;
		}
		const cJSON *conv = cJSON_GetObjectItemCaseSensitive(c, "conversation");
		const cJSON *tags = cJSON_GetObjectItemCaseSensitive(conv, "tags");
		const cJSON *h = cJSON_GetObjectItemCaseSensitive(tags, "handoff");
		if (here && cJSON_IsString(h) && strcmp(h->valuestring, "human") == 0)
			*human = true;
		n += here;
		cJSON_Delete(c);
	}
	cJSON_Delete(demo);
	return n;
}

/* The thread pane (right of the list's rule) shows a Botpress chat. */
static bool thread_is_botpress(const char *screen, void *ctx)
{
	(void)ctx;
	for (const char *l = screen; *l;) {
		const char *end = strchr(l, '\n'), *rule = strstr(l, "│");
		if (!end)
			end = l + strlen(l);
		const char *at = rule && rule < end ? strstr(rule, "via botpress") : NULL;
		if (at && at < end)
			return true;
		l = *end ? end + 1 : end;
	}
	return false;
}

/* The customer's name on a list row that names Botpress, into name. */
static void botpress_customer(const char *screen, char *name, size_t len)
{
	const char *at = strstr(screen, "via botpress");

	assert_non_null(at);
	while (at > screen && at[-1] != '\n')
		at--;
	at += 2; /* the row's mark column */
	snprintf(name, len, "%.*s", (int)(strstr(at, "  ") - at), at);
}

/* Open a Botpress chat: search the customer of a Botpress row, then open
 * the results one by one until the thread says Botpress (another
 * platform's customer may have the same name). */
static void open_botpress_chat(void)
{
	char name[64];

	botpress_customer(tmux_screen(&tm, NULL, 0), name, sizeof name);
	tmux_send_keys(&tm, "/", NULL);
	tmux_wait_for(&tm, "Customer, title or last message", WAIT_MS);
	tmux_type(&tm, name);
	tmux_send_keys(&tm, "Enter", "Home", "Enter", NULL);
	for (int tries = 0; tries < 6; tries++) {
		if (tmux_try_wait_until(&tm, thread_is_botpress, NULL, 2000))
			return;
		tmux_send_keys(&tm, "Escape", "Down", "Enter", NULL);
	}
	fail_msg("no Botpress chat of %s opened:\n%s", name, tm.screen);
}

/* `handoff --demo` with our TMPDIR, on the All tab (newest first) once
 * the console is live. */
static void start_demo(const char *handoff)
{
	char env_tmp[96];

	snprintf(env_tmp, sizeof env_tmp, "TMPDIR=%s", tmpdir);
	const char *env[] = {env_tmp, NULL};
	const char *argv[] = {handoff, "--demo", NULL};
	tmux_start(&tm, 160, 50, env, argv);
	tmux_wait_for(&tm, "live", WAIT_MS);
	tmux_send_keys(&tm, "3", NULL);
}

static void test_demo_brings_every_platform_through_its_bridge(void **state)
{
	struct simc sim;
	bool human = false;
	int n = 0;

	(void)state;
	/* Each platform's customers come in turn. */
	start_demo(getenv("HANDOFF_BIN"));
	for (size_t i = 0; i < sizeof PLATFORMS / sizeof PLATFORMS[0]; i++) {
		char via[64];
		snprintf(via, sizeof via, "via %s", PLATFORMS[i]);
		tmux_wait_for(&tm, via, WAIT_MS);
	}
	/* The hub's own demo chats are there too (no platform named). */
	tmux_wait_for(&tm, "Ana Souza", WAIT_MS);

	open_botpress_chat();
	tmux_send_keys(&tm, "t", NULL);
	tmux_wait_for(&tm, "You hold this chat now", WAIT_MS);
	tmux_send_keys(&tm, "r", NULL);
	tmux_wait_for(&tm, "Reply to", WAIT_MS);
	tmux_type(&tm, REPLY);
	tmux_send_keys(&tm, "Enter", NULL);
	tmux_wait_for(&tm, "Reply sent", WAIT_MS);

	/* On the platform: the reply once, in a conversation a human holds. */
	botpress_sim(&sim);
	for (long long end = simc_now_ms() + WAIT_MS; simc_now_ms() < end;) {
		if ((n = replies_on_botpress(&sim, &human)) > 0 && human)
			break;
		poll(NULL, 0, 50);
	}
	assert_int_equal(n, 1);
	assert_true(human);
	assert_true(demo_processes() >= 1 + 4 * 2);

	/* q: the console, the hub, the simulators and the bridges end, and
	 * the directory goes. */
	tmux_send_keys(&tm, "q", NULL);
	assert_int_equal(tmux_wait_dead(&tm, WAIT_MS), 0);
	assert_int_equal(demo_processes(), 0);
	char dir[320];
	assert_false(demo_dir(dir, sizeof dir));
}

/* The terminal goes away (the tmux session is killed: a hang-up) while the
 * bridges run: nothing of the demo stays behind either. */
static void test_demo_hangup_leaves_nothing(void **state)
{
	char dir[320];

	(void)state;
	start_demo(getenv("HANDOFF_BIN"));
	tmux_wait_for(&tm, "via botpress", WAIT_MS);
	assert_true(demo_processes() >= 1 + 4 * 2);

	tmux_kill(&tm);
	for (long long end = simc_now_ms() + WAIT_MS; simc_now_ms() < end;) {
		if (demo_processes() == 0 && !demo_dir(dir, sizeof dir))
			break;
		poll(NULL, 0, 50);
	}
	assert_int_equal(demo_processes(), 0);
	assert_false(demo_dir(dir, sizeof dir));
}

/* Copy the program at `from` into dir, executable. */
static void copy_program(const char *from, const char *dir, const char *name)
{
	char to[400], buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	ssize_t n;

	snprintf(to, sizeof to, "%s/%s", dir, name);
	assert_true(in >= 0);
	assert_true((out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700)) >= 0);
	while ((n = read(in, buf, sizeof buf)) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	close(in);
	close(out);
}

/* handoff and handoffd as installed, without the simulators or a bridge
 * beside them: the hub's own chats, and one line naming what is missing. */
static void test_demo_without_simulators_says_so(void **state)
{
	char bin[96], handoff[128], handoffd[400];
	const char *built = getenv("HANDOFF_BIN");

	(void)state;
	snprintf(bin, sizeof bin, "%s/bin", tmpdir);
	assert_int_equal(mkdir(bin, 0700), 0);
	snprintf(handoffd, sizeof handoffd, "%.*s/handoffd", (int)(strrchr(built, '/') - built),
		 built);
	copy_program(built, bin, "handoff");
	copy_program(handoffd, bin, "handoffd");
	snprintf(handoff, sizeof handoff, "%s/handoff", bin);
	start_demo(handoff);
	tmux_wait_for(&tm, "Ana Souza", WAIT_MS);
	tmux_send_keys(&tm, "q", NULL);
	assert_int_equal(tmux_wait_dead(&tm, WAIT_MS), 0);
	/* Printed before the console took the screen, there again after. */
	tmux_wait_for(&tm, "no chats from botpress, threads, chats, conversations:", WAIT_MS);
	assert_int_equal(demo_processes(), 0);
	char dir[320];
	assert_false(demo_dir(dir, sizeof dir));
	unlink(handoff);
	snprintf(handoffd, sizeof handoffd, "%s/handoffd", bin);
	unlink(handoffd);
	rmdir(bin);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/handoff-demo-test-XXXXXX");
	if (!mkdtemp(tmpdir) || !getenv("HANDOFF_BIN"))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tmux_kill(&tm);
	rmdir(tmpdir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_demo_brings_every_platform_through_its_bridge,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_demo_hangup_leaves_nothing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_demo_without_simulators_says_so, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
