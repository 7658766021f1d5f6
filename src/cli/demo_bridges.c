/*
 * demo_bridges.c — the demo's simulated platforms and their bridges (see
 * demo_bridges.h).
 *
 * Every file of a platform is named after it in the demo's directory:
 * NAME.conf (the bridge's settings), NAME.secret (the simulator's API key,
 * as the platform would issue it), NAME.token (the bridge's hub token),
 * NAME-state.db, and the logs NAME-sim.log and NAME-bridge.log. Secrets
 * and settings are 0600, as handoff-bridge requires of its secret files.
 */
#define _GNU_SOURCE /* dprintf */
#include "demo_bridges.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#define START_TIMEOUT_MS 10000
#define TOKEN_MAX        128
#define LOOKUP_MAX       3

/* A config line whose value the simulator makes up at start (ids new each
 * run): read from its control interface at `path` after it listens. */
struct demo_lookup {
	const char *key;         /* the bridge setting */
	const char *json;        /* where the answer has it, "a.b.c" */
};

struct demo_platform {
	const char *name;        /* the bridge's `platform`, and the files' names */
	const char *account;     /* the bridge's ingest account on the hub */
	const char *sim;         /* the simulator, in tests/sim of a build tree */
	const char *sim_env;     /* the variable `make check` names it by */
	bool sim_demo;           /* the simulator plays customers (--demo) */
	const char *secret;      /* the simulator's default API key */
	const char *conf;        /* the bridge's own settings for it */
	const char *lookup_path; /* a control path for `lookups`, or NULL */
	struct demo_lookup lookups[LOOKUP_MAX];
	const char *grant;       /* a source label the bridge may read, or NULL */
	bool optional;           /* left out silently when its bridge refuses it */
};

static const struct demo_platform PLATFORMS[] = {
	{.name = "botpress", .account = "Botpress bridge", .sim = "botpress_sim",
	 .sim_env = "BOTPRESS_SIM", .sim_demo = true, .secret = "sim-token",
	 .conf = "bot_id = bot-sim\n"},
	{.name = "threads", .account = "Threads bridge", .sim = "threads_sim",
	 .sim_env = "THREADS_SIM", .sim_demo = true, .secret = "sim-token",
	 .conf = "chatbot_id = sim-chatbot\n"},
	{.name = "chats", .account = "Chats bridge", .sim = "chats_sim",
	 .sim_env = "CHATS_SIM", .sim_demo = true, .secret = "sim-key", .conf = "",
	 .lookup_path = "/_sim/directory",
	 .lookups = {{"bot_responder", "responders.bot.superIdentityId"},
		     {"human_responder", "responders.human.superIdentityId"},
		     {"human_responder_id", "responders.human.id"}}},
	{.name = "conversations", .account = "Conversations bridge",
	 .sim = "conversations_sim", .sim_env = "CONVERSATIONS_SIM", .sim_demo = true,
	 .secret = "sim-api-key", .conf = "agent_email = agent@example.com\n"},
	/* The AI agent brings no chats of its own: it answers the Botpress
	 * chats beside the platform's bot. Only where this handoff-bridge
	 * knows the platform. */
	{.name = "agents", .account = "AI agents bridge", .sim = "agents_sim",
	 .sim_env = "AGENTS_SIM", .sim_demo = false, .secret = "sim-key",
	 .conf = "agent_id = agent-sim\n", .grant = "botpress", .optional = true},
};
#define NPLATFORMS (sizeof PLATFORMS / sizeof PLATFORMS[0])

enum run_state { RUN_SKIPPED, RUN_MISSING, RUN_READY, RUN_STARTED, RUN_LIVE };

struct demo_platform_run {
	enum run_state state;
	char sim[PATH_MAX], bridge[PATH_MAX];
	char token[TOKEN_MAX];
	pid_t sim_pid, bridge_pid;
};

static void add_missing(struct demo_bridges *b, const struct demo_platform *pf,
			struct demo_platform_run *r)
{
	size_t n = strlen(b->missing);

	if (pf->optional) {
		r->state = RUN_SKIPPED;
		return;
	}
	r->state = RUN_MISSING;
	snprintf(b->missing + n, sizeof b->missing - n, "%s%s", n ? ", " : "", pf->name);
}

bool demo_bridges_prepare(struct demo_bridges *b, struct demo_procs *p)
{
	char bridge[PATH_MAX];
	bool have_bridge = demo_find("handoff-bridge", ".", "HANDOFF_BRIDGE", true, bridge,
				     sizeof bridge);

	b->missing[0] = '\0';
	if (!(b->runs = calloc(NPLATFORMS, sizeof *b->runs)))
		return false;
	for (size_t i = 0; i < NPLATFORMS; i++) {
		const struct demo_platform *pf = &PLATFORMS[i];
		struct demo_platform_run *r = &b->runs[i];
		char *add[] = {(char *)b->hubd, "agent", "add", (char *)pf->account, "--role",
			       "ingest", "--db", (char *)b->db, NULL};
		char *grant[] = {(char *)b->hubd, "grant", (char *)pf->account, "--platform",
				 (char *)pf->grant, "--db", (char *)b->db, NULL};
		char none[8];

		snprintf(r->bridge, sizeof r->bridge, "%s", bridge);
		if (!have_bridge ||
		    !demo_find(pf->sim, "tests/sim", pf->sim_env, false, r->sim, sizeof r->sim) ||
		    demo_run(p, add, "hub.log", r->token, sizeof r->token) != 0 || !r->token[0] ||
		    (pf->grant && demo_run(p, grant, "hub.log", none, sizeof none) != 0)) {
			add_missing(b, pf, r);
			continue;
		}
		r->state = RUN_READY;
	}
	return true;
}

static bool write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	bool ok = fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text);

	if (fd >= 0)
		close(fd);
	return ok;
}

static size_t collect(char *data, size_t size, size_t n, void *ctx)
{
	char **buf = ctx;
	size_t have = *buf ? strlen(*buf) : 0, more = size * n;
	char *grown = realloc(*buf, have + more + 1);

	if (!grown)
		return 0;
	memcpy(grown + have, data, more);
	grown[have + more] = '\0';
	*buf = grown;
	return more;
}

static const cJSON *at_path(const cJSON *j, const char *path)
{
	char buf[128];

	snprintf(buf, sizeof buf, "%s", path);
	for (char *save, *k = strtok_r(buf, ".", &save); k && j; k = strtok_r(NULL, ".", &save))
		j = cJSON_GetObjectItemCaseSensitive(j, k);
	return j;
}

/* The row's lookups as config lines into out; false when the simulator
 * did not tell. */
static bool look_up(const struct demo_platform *pf, int port, char *out, size_t len)
{
	char url[128], *body = NULL;
	size_t n = 0;
	bool ok;
	CURL *c;

	out[0] = '\0';
	if (!pf->lookup_path)
		return true;
	if (!(c = curl_easy_init()))
		return false;
	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, pf->lookup_path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)START_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
	ok = curl_easy_perform(c) == CURLE_OK && body;
	curl_easy_cleanup(c);
	cJSON *j = ok ? cJSON_Parse(body) : NULL;
	free(body);
	for (size_t i = 0; ok && i < LOOKUP_MAX && pf->lookups[i].key; i++) {
		const cJSON *v = at_path(j, pf->lookups[i].json);
		ok = cJSON_IsString(v) && n < len;
		if (ok)
			n += (size_t)snprintf(out + n, len - n, "%s = %s\n", pf->lookups[i].key,
					      v->valuestring);
	}
	cJSON_Delete(j);
	return ok && n < len;
}

/* The simulator, the bridge's files, the bridge; false when any of them
 * fails. What started of it is stopped again by leave_out. */
static bool start_one(struct demo_bridges *b, struct demo_procs *p,
		      const struct demo_platform *pf, struct demo_platform_run *r)
{
	char log[96], line[32], path[PATH_MAX], conf[2048], looked[512], file[96];
	char *sim_argv[] = {r->sim, "--port", "0", pf->sim_demo ? "--demo" : NULL, NULL};
	int out, port;

	snprintf(log, sizeof log, "%s-sim.log", pf->name);
	if ((r->sim_pid = demo_spawn(p, sim_argv, log, &out)) < 0 ||
	    !demo_read_line(out, demo_now_ms() + START_TIMEOUT_MS, line, sizeof line) ||
	    (port = atoi(line)) <= 0 || !look_up(pf, port, looked, sizeof looked))
		return false;

	snprintf(file, sizeof file, "%s.secret", pf->name);
	demo_path(p, file, path, sizeof path);
	snprintf(conf, sizeof conf, "%s\n", pf->secret);
	if (!write_file(path, conf))
		return false;
	snprintf(file, sizeof file, "%s.token", pf->name);
	demo_path(p, file, path, sizeof path);
	snprintf(conf, sizeof conf, "%s\n", r->token);
	if (!write_file(path, conf))
		return false;
	snprintf(conf, sizeof conf,
		 "# handoff --demo: the %s simulator's bridge\n"
		 "platform = %s\n"
		 "platform_url = http://127.0.0.1:%d\n"
		 "token_file = %s.secret\n"
		 "hub_url = http://127.0.0.1:%d\n"
		 "ingest_token_file = %s.token\n"
		 "state_db = %s-state.db\n"
		 /* A demo wants its chats at once, and a quick quit. */
		 "poll_min_ms = 500\n"
		 "poll_max_ms = 2000\n"
		 "drain_timeout_ms = 2000\n"
		 "%s%s",
		 pf->name, pf->name, port, pf->name, b->hub_port, pf->name, pf->name, pf->conf,
		 looked);
	snprintf(file, sizeof file, "%s.conf", pf->name);
	demo_path(p, file, path, sizeof path);
	if (!write_file(path, conf))
		return false;

	char *bridge_argv[] = {r->bridge, "--config", path, NULL};
	snprintf(log, sizeof log, "%s-bridge.log", pf->name);
	r->bridge_pid = demo_spawn(p, bridge_argv, log, NULL);
	return r->bridge_pid > 0;
}

/* A platform that did not start: stop what of it runs (the keeper reaps
 * it with the rest). */
static void leave_out(struct demo_bridges *b, const struct demo_platform *pf,
		      struct demo_platform_run *r)
{
	if (r->bridge_pid > 0)
		kill(r->bridge_pid, SIGTERM);
	if (r->sim_pid > 0)
		kill(r->sim_pid, SIGTERM);
	add_missing(b, pf, r);
}

void demo_bridges_start(struct demo_bridges *b, struct demo_procs *p)
{
	long long deadline;

	/* Start them all, then wait for them all: they connect in parallel. */
	for (size_t i = 0; i < NPLATFORMS; i++) {
		struct demo_platform_run *r = &b->runs[i];
		if (r->state != RUN_READY)
			continue;
		if (start_one(b, p, &PLATFORMS[i], r))
			r->state = RUN_STARTED;
		else
			leave_out(b, &PLATFORMS[i], r);
	}
	deadline = demo_now_ms() + START_TIMEOUT_MS;
	for (size_t i = 0; i < NPLATFORMS; i++) {
		struct demo_platform_run *r = &b->runs[i];
		char log[96];
		if (r->state != RUN_STARTED)
			continue;
		snprintf(log, sizeof log, "%s-bridge.log", PLATFORMS[i].name);
		if (demo_wait_log(p, log, "hub: connected", r->bridge_pid, deadline, NULL, 0)) {
			r->state = RUN_LIVE;
		} else {
			leave_out(b, &PLATFORMS[i], r);
		}
	}
}

void demo_bridges_notice(const struct demo_bridges *b, char *out, size_t len)
{
	if (!b->missing[0])
		out[0] = '\0';
	else
		snprintf(out, len,
			 "handoff --demo: no chats from %s: a simulator or handoff-bridge is "
			 "missing or did not start (the simulators are built in a source tree: "
			 "make demo); the hub's own demo chats are there",
			 b->missing);
}

void demo_bridges_free(struct demo_bridges *b)
{
	free(b->runs);
	b->runs = NULL;
}
