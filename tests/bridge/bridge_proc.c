/*
 * bridge_proc.c — hub + simulator + handoff-bridge for the bridge's tests
 * (bridge_proc.h).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ag_client.h"
#include "bridge_proc.h"

static const char *bridge_path(void)
{
	const char *p = getenv("HANDOFF_BRIDGE");
	return p ? p : "./handoff-bridge";
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

const struct world_platform world_botpress = {
	.name = "botpress",
	.account = "Botpress bridge",
	.sim_env = "BOTPRESS_SIM",
	.secret = BPSIM_TOKEN,
	.conf = "bot_id = " BPSIM_BOT "\n",
};

const struct world_platform world_threads = {
	.name = "threads",
	.account = "Threads bridge",
	.sim_env = "THREADS_SIM",
	.secret = THSIM_TOKEN,
	.conf = "chatbot_id = " THSIM_CHATBOT "\n",
};

/* The chats simulator's responders: their ids are new each run. */
static void chats_responders(struct world *w)
{
	cJSON *d = simc_ctl(&w->sim, "GET", "/_sim/directory", "%s", "");
	FILE *f = fopen(w->config, "ae");

	assert_non_null(f);
	fprintf(f, "bot_responder = %s\nhuman_responder = %s\nhuman_responder_id = %s\n",
		jstr(d, "responders.bot.superIdentityId"), jstr(d, "responders.human.superIdentityId"),
		jstr(d, "responders.human.id"));
	fclose(f);
	cJSON_Delete(d);
}

const struct world_platform world_chats = {
	.name = "chats",
	.account = "Chats bridge",
	.sim_env = "CHATS_SIM",
	.secret = CHSIM_API_KEY,
	.conf = "",
	.configure = chats_responders,
};

const struct world_platform world_conversations = {
	.name = "conversations",
	.account = "Conversations bridge",
	.sim_env = "CONVERSATIONS_SIM",
	.secret = CVSIM_API_KEY,
	.conf = "agent_email = " CVSIM_AGENT "\n",
};

const struct world_platform world_agents = {
	.name = "agents",
	.account = "AI agent bridge",
	.sim_env = "AGENTS_SIM",
	.secret = AGSIM_KEY,
	.conf = "agent_id = " AGSIM_AGENT "\n",
};

void world_init(struct world *w, const char *extra)
{
	world_init_for(w, &world_botpress, extra);
}

void world_init_for(struct world *w, const struct world_platform *p, const char *extra)
{
	char path[256], conf[2048];

	memset(w, 0, sizeof *w);
	w->bridge = -1;
	hub_init(&w->hub);
	snprintf(w->ana, sizeof w->ana, "%s", hub_add_account(&w->hub, "Ana", "agent"));
	snprintf(w->ingest, sizeof w->ingest, "%s",
		 hub_add_account(&w->hub, p->account, "ingest"));
	hub_start(&w->hub, NULL);
	simc_start(&w->sim, p->sim_env, NULL);

	snprintf(path, sizeof path, "%s/ingest.token", w->hub.dir);
	write_file(path, w->ingest, 0600);
	snprintf(path, sizeof path, "%s/platform.token", w->hub.dir);
	snprintf(conf, sizeof conf, "%s\n", p->secret);
	write_file(path, conf, 0600);
	snprintf(path, sizeof path, "%s/webhook.secret", w->hub.dir);
	write_file(path, WEBHOOK_SECRET "\n", 0600);
	snprintf(conf, sizeof conf,
		 "# written by the bridge's tests\n"
		 "platform = %s\n"
		 "platform_url = %s\n"
		 "%s"
		 "token_file = platform.token\n"
		 "hub_url = http://127.0.0.1:%d\n"
		 "ingest_token_file = ingest.token\n"
		 "state_db = bridge-state.db\n"
		 "drain_timeout_ms = 5000\n"
		 "%s\n",
		 p->name, w->sim.base, p->conf, w->hub.port, extra ? extra : "");
	snprintf(w->config, sizeof w->config, "%s/bridge.conf", w->hub.dir);
	write_file(w->config, conf, 0644);
	snprintf(w->log, sizeof w->log, "%s/bridge.log", w->hub.dir);
	if (p->configure)
		p->configure(w);
}

int free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t n = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &n), 0);
	close(fd);
	return ntohs(a.sin_port);
}

void world_free(struct world *w)
{
	if (w->bridge > 0)
		bridge_stop(w);
	simc_stop(&w->sim);
	hub_cleanup(&w->hub);
}

static char *read_log(const struct world *w)
{
	FILE *f = fopen(w->log, "re");
	char *s = NULL;
	size_t n = 0;

	if (!f)
		return strdup("");
	if (getdelim(&s, &n, '\0', f) < 0) {
		free(s);
		s = strdup("");
	}
	fclose(f);
	return s;
}

int bridge_log_count_both(const struct world *w, const char *text, const char *also)
{
	char *log = read_log(w);
	int n = 0;

	for (char *line = strtok(log, "\n"); line; line = strtok(NULL, "\n"))
		n += strstr(line, text) && (!also || strstr(line, also));
	free(log);
	return n;
}

int bridge_log_count(const struct world *w, const char *text)
{
	return bridge_log_count_both(w, text, NULL);
}

static void dump_log(const struct world *w)
{
	char *log = read_log(w);
	fprintf(stderr, "---- bridge.log ----\n%s---- end ----\n", log);
	free(log);
}

void bridge_wait_log(const struct world *w, const char *text, int n)
{
	long long deadline = now_ms() + WAIT_MS;

	while (bridge_log_count(w, text) < n) {
		if (now_ms() > deadline) {
			dump_log(w);
			fail_msg("the bridge did not log \"%s\" %d times", text, n);
		}
		poll(NULL, 0, 10);
	}
}

void wait_for(struct world *w, bool (*pred)(struct world *, const void *), const void *arg,
	      const char *what)
{
	long long deadline = now_ms() + WAIT_MS;

	while (!pred(w, arg)) {
		if (now_ms() > deadline) {
			dump_log(w);
			fail_msg("timed out waiting for %s", what);
		}
		poll(NULL, 0, 10);
	}
}

void bridge_start(struct world *w)
{
	int connected = bridge_log_count(w, "hub: connected");
	int listening = bridge_log_count(w, "webhook: listening on 127.0.0.1:");

	w->bridge = fork();
	assert_true(w->bridge >= 0);
	if (w->bridge == 0) {
		/* A test that crashes takes its bridge along. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		int fd = open(w->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		dup2(fd, 2);
		execl(bridge_path(), bridge_path(), "--config", w->config, "--verbose", (char *)NULL);
		_exit(127);
	}
	bridge_wait_log(w, "hub: connected", connected + 1);
	if (bridge_log_count(w, "webhook: listening on") > listening) {
		char *log = read_log(w), *at = log, *last = NULL;
		while ((at = strstr(at, "webhook: listening on 127.0.0.1:")))
			last = at++;
		w->webhook_port = atoi(last + strlen("webhook: listening on 127.0.0.1:"));
		free(log);
		assert_true(w->webhook_port > 0);
		cJSON_Delete(simc_ctl(&w->sim, "POST", "/_sim/webhook",
				       "{\"url\":\"http://127.0.0.1:%d/\",\"secret\":\"%s\"}",
				       w->webhook_port, WEBHOOK_SECRET));
	}
}

static int reap(struct world *w, int sig)
{
	int status = -1;
	long long deadline = now_ms() + WAIT_MS;

	kill(w->bridge, sig);
	while (waitpid(w->bridge, &status, WNOHANG) == 0) {
		if (now_ms() > deadline) {
			kill(w->bridge, SIGKILL);
			waitpid(w->bridge, &status, 0);
			w->bridge = -1;
			dump_log(w);
			fail_msg("handoff-bridge did not stop");
		}
		poll(NULL, 0, 10);
	}
	w->bridge = -1;
	return status;
}

void bridge_stop(struct world *w)
{
	int status = reap(w, SIGTERM);

	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		dump_log(w);
		fail_msg("handoff-bridge did not exit 0 on SIGTERM (status %d)", status);
	}
}

void bridge_kill(struct world *w)
{
	reap(w, SIGKILL);
}

int bridge_check_run(const char *config, char *out, size_t outlen)
{
	int fds[2], status;
	size_t n = 0;
	ssize_t r;

	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], 1);
		execl(bridge_path(), bridge_path(), "--config", config, "--check", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	while (n + 1 < outlen && (r = read(fds[0], out + n, outlen - 1 - n)) > 0)
		n += (size_t)r;
	out[n] = '\0';
	close(fds[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

const cJSON *jat(const cJSON *j, const char *path)
{
	char buf[128];
	const cJSON *cur = j;

	snprintf(buf, sizeof buf, "%s", path);
	for (char *save, *p = strtok_r(buf, ".", &save); p && cur; p = strtok_r(NULL, ".", &save))
		cur = cJSON_GetObjectItemCaseSensitive(cur, p);
	return cur;
}

const char *jstr(const cJSON *j, const char *path)
{
	const cJSON *v = jat(j, path);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

cJSON *hub_call(struct world *w, const char *method, const char *body, long status,
		const char *fmt, ...)
{
	char path[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof path, fmt, ap);
	va_end(ap);
	struct reply r = http(&w->hub, method, path, w->ana, body);
	if (r.status != status)
		fail_msg("%s %s: HTTP %ld %s", method, path, r.status, r.body ? r.body : "");
	cJSON *j = r.json;
	r.json = NULL;
	reply_free(&r);
	return j;
}

cJSON *hub_chats(struct world *w, const char *query)
{
	return hub_call(w, "GET", NULL, 200, "/v1/chats?limit=200%s%s", query ? "&" : "",
			query ? query : "");
}

bool hub_chat_by_preview(struct world *w, const char *text, char out_id[37])
{
	cJSON *j = hub_chats(w, NULL);
	const cJSON *c;
	bool found = false;

	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(j, "chats")) {
		const char *p = jstr(c, "latest_message.preview");
		const char *q = jstr(c, "previous_message.preview");
		if ((p && strcmp(p, text) == 0) || (q && strcmp(q, text) == 0)) {
			snprintf(out_id, 37, "%s", jstr(c, "id"));
			found = true;
		}
	}
	cJSON_Delete(j);
	return found;
}

bool hub_chat_waiting(struct world *w, const void *chat_id)
{
	cJSON *j = hub_chats(w, "waiting=true");
	const cJSON *c;
	bool found = false;

	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(j, "chats"))
		found = found || strcmp(jstr(c, "id"), chat_id) == 0;
	cJSON_Delete(j);
	return found;
}

bool hub_has_chat(struct world *w, const void *text)
{
	char id[37];
	return hub_chat_by_preview(w, text, id);
}

cJSON *sim_conversation(struct world *w, const char *conv_id)
{
	char path[160];
	snprintf(path, sizeof path, "/_sim/conversations/%s", conv_id);
	return simc_ctl(&w->sim, "GET", path, "%s", "");
}

int sim_api_count(struct world *w, const char *route, const char *conv_id, const char *list)
{
	char path[160];
	const cJSON *m;
	int n = 0;

	snprintf(path, sizeof path, "/_sim/%s/%s", route, conv_id);
	cJSON *j = simc_ctl(&w->sim, "GET", path, "%s", "");
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(j, list)) {
		const char *o = jstr(m, "origin");
		n += o && strcmp(o, "api") == 0;
	}
	cJSON_Delete(j);
	return n;
}

void sim_api_texts(struct world *w, const char *conv_id, char *out, size_t len)
{
	cJSON *j = sim_conversation(w, conv_id);
	const cJSON *m;
	size_t o = 0;

	out[0] = '\0';
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(j, "messages")) {
		const char *origin = jstr(m, "origin"), *text = jstr(m, "payload.text");
		if (origin && strcmp(origin, "api") == 0 && o < len)
			o += (size_t)snprintf(out + o, len - o, "%s%s", o ? "|" : "",
					      text ? text : "");
	}
	cJSON_Delete(j);
}

int sim_api_messages(struct world *w, const char *conv_id)
{
	return sim_api_count(w, "conversations", conv_id, "messages");
}

long sim_say(struct world *w, const char *route, const char *conv_id, const char *actor,
	     const char *text)
{
	char path[160];

	snprintf(path, sizeof path, "/_sim/%s/%s/%s", route, conv_id, actor);
	return simc_ctl_status(&w->sim, path, "{\"text\":\"%s\"}", text);
}

char *sim_handoff(struct world *w, const char *conv_id)
{
	cJSON *j = sim_conversation(w, conv_id);
	const char *v = jstr(j, "conversation.tags.handoff");
	char *s = strdup(v ? v : "");
	cJSON_Delete(j);
	return s;
}

void hub_action(struct world *w, const char *chat_id, const char *action)
{
	cJSON_Delete(hub_call(w, "POST", NULL, 200, "/v1/chats/%s/%s", chat_id, action));
}

void hub_reply(struct world *w, const char *chat_id, const char *text, char out[37])
{
	char body[512];
	static int n;

	snprintf(body, sizeof body, "{\"text\":\"%s\",\"client_msg_id\":\"test-%d-%d\"}", text,
		 (int)getpid(), ++n);
	cJSON *j = hub_call(w, "POST", body, 201, "/v1/chats/%s/messages", chat_id);
	snprintf(out, 37, "%s", jstr(j, "id"));
	cJSON_Delete(j);
}
