/*
 * bridge_proc.h — the bridge's integration tests: a real handoffd
 * (harness.h), the Botpress simulator (bp_client.h) and a real
 * handoff-bridge ($HANDOFF_BRIDGE) configured in the hub's temporary
 * directory, its log in bridge.log there. Waits poll a condition with a
 * deadline; a wait that times out fails the test and prints the log.
 */
#ifndef HANDOFF_TEST_BRIDGE_PROC_H
#define HANDOFF_TEST_BRIDGE_PROC_H

#include <stdbool.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "harness.h"
#include "bp_client.h"
#include "ch_client.h"
#include "cv_client.h"
#include "th_client.h"

#define WAIT_MS 10000
#define WEBHOOK_SECRET "hook-secret-1"

struct world {
	struct hub hub;
	struct simc sim;
	char ana[128];             /* an agent's token */
	char ingest[128];          /* the bridge's token */
	pid_t bridge;              /* -1: not running */
	int webhook_port;          /* 0: none */
	char config[200], log[200];
};

/* A platform as the tests set it up: its simulator and the bridge's
 * config lines for it. */
struct world_platform {
	const char *name;          /* the config's `platform`, e.g. "botpress" */
	const char *account;       /* the bridge's ingest account, "Botpress bridge" */
	const char *sim_env;       /* the simulator binary's variable, "BOTPRESS_SIM" */
	const char *secret;        /* the platform credential, into token_file */
	const char *conf;          /* its own lines (bot_id = ...), after platform_url */
	/* Optional: lines only the running simulator knows (ids it made),
	 * appended to w->config. */
	void (*configure)(struct world *w);
};

extern const struct world_platform world_botpress, world_threads, world_chats,
	world_conversations, world_agents;

/* Hub, the platform's simulator and the bridge's config; `extra` lines go
 * into the config as they are (poll intervals, webhook_listen...). The
 * bridge is not started. */
void world_init_for(struct world *w, const struct world_platform *p, const char *extra);

/* The same for Botpress, the platform most tests use. */
void world_init(struct world *w, const char *extra);
void world_free(struct world *w);

/* Start the bridge and wait until its event stream is live (and its
 * webhook listens, when configured: then the simulator is told to push
 * there). */
void bridge_start(struct world *w);
/* SIGTERM; asserts it drains and exits 0 within the deadline. */
void bridge_stop(struct world *w);
/* SIGKILL, no goodbye. */
void bridge_kill(struct world *w);

/* Lines of the bridge's log (since it was first started) that contain
 * `text`. */
int bridge_log_count(const struct world *w, const char *text);
/* Lines that contain both `text` and `also`. */
int bridge_log_count_both(const struct world *w, const char *text, const char *also);
/* Wait until the log holds `n` lines with `text`. */
void bridge_wait_log(const struct world *w, const char *text, int n);

/* Run `handoff-bridge --check` with `config`; its stdout into out. */
int bridge_check_run(const char *config, char *out, size_t outlen);

/* A loopback port free now, for a listener whose URL goes in the config
 * before it starts. */
int free_port(void);

/* Wait until pred(w, arg) is true; fails the test with `what` otherwise. */
void wait_for(struct world *w, bool (*pred)(struct world *, const void *), const void *arg,
	      const char *what);

/* A request to the hub as the agent, to the path printf makes of fmt;
 * `body` NULL for none. Asserts the answer's `status`; returns its JSON
 * (caller deletes; NULL when it has none). */
__attribute__((format(printf, 5, 6)))
cJSON *hub_call(struct world *w, const char *method, const char *body, long status,
		const char *fmt, ...);

/* The hub's chats as an agent sees them (GET /v1/chats?limit=200). */
cJSON *hub_chats(struct world *w, const char *query);
/* The member at "a.b.c", NULL when missing. */
const cJSON *jat(const cJSON *j, const char *path);
const char *jstr(const cJSON *j, const char *path);

/* The hub chat of a platform conversation (its owner / external id is the
 * customer, so find it by the conversation's customer message text). */
bool hub_chat_by_preview(struct world *w, const char *text, char out_id[37]);

/* Whether the hub lists the chat `chat_id` (a char *) as waiting for a
 * human: a wait_for predicate. */
bool hub_chat_waiting(struct world *w, const void *chat_id);
/* Whether the hub has a chat whose latest or previous message is `text`
 * (a char *): a wait_for predicate. */
bool hub_has_chat(struct world *w, const void *text);

/* Messages in GET /_sim/<route>/<conv_id>'s array `list` that the bridge
 * posted (origin "api"). */
int sim_api_count(struct world *w, const char *route, const char *conv_id, const char *list);
/* POST /_sim/<route>/<conv_id>/<actor> {"text": text}: 200, or 409 when
 * the platform's bot may not speak (a human holds the conversation) or
 * the conversation ended. */
long sim_say(struct world *w, const char *route, const char *conv_id, const char *actor,
	     const char *text);

/* The simulator's read-back of one conversation (caller deletes). */
cJSON *sim_conversation(struct world *w, const char *conv_id);
/* Messages the bridge posted there (origin "api"): sim_api_count. */
int sim_api_messages(struct world *w, const char *conv_id);
/* The texts of the messages the bridge posted there, in the platform's
 * order, joined by '|' into out. */
void sim_api_texts(struct world *w, const char *conv_id, char *out, size_t len);
/* The conversation's handoff tag ("" when unset). */
char *sim_handoff(struct world *w, const char *conv_id);

/* A hub agent action on a chat: "takeover", "handback", "stop"; asserts
 * 200. */
void hub_action(struct world *w, const char *chat_id, const char *action);
/* An agent reply; returns the hub message id in out[37]. */
void hub_reply(struct world *w, const char *chat_id, const char *text, char out[37]);

#endif
