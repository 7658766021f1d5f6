/*
 * sim_client.h — run any simulator from a cmocka test and talk to it: its
 * API (with any headers), its control interface, and a webhook receiver to
 * catch what it pushes. Failures fail the test. A platform's own helpers
 * (its headers, its error bodies) are in its own file, e.g. bp_client.h.
 */
#ifndef HANDOFF_SIM_CLIENT_H
#define HANDOFF_SIM_CLIENT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

struct simc {
	const char *env;        /* the variable that named its binary */
	pid_t pid;
	int port;
	char base[64];          /* "http://127.0.0.1:PORT" */
};

/* Start the simulator whose path is in environment variable `env` (make
 * check sets it), with extra arguments (NULL-terminated), and wait, with a
 * deadline, for the port it prints. */
void simc_start(struct simc *s, const char *env, ...);

/* SIGTERM; asserts it exits 0 within the deadline. */
void simc_stop(struct simc *s);

/* A cmocka group's state: a simulator started from `env` (simc_start),
 * and the teardown that stops and frees it. */
int simc_setup(void **state, const char *env);
int simc_teardown(void **state);

struct simc_reply {
	long status;            /* 0: no answer (curl_code says why) */
	int curl_code;
	cJSON *json;
	char *body;
	int retry_after;        /* the Retry-After header, -1 when none */
	long long elapsed_ms;
};

void simc_reply_free(struct simc_reply *r);

/* A request with exactly these headers (NULL-terminated list of "Name:
 * value"; NULL: none). body NULL: no body. */
struct simc_reply simc_raw(struct simc *s, const char *method, const char *path,
			    const char *const *headers, const char *body);

/* A control request that must answer 200; returns its JSON (caller frees). */
__attribute__((format(printf, 4, 5)))
cJSON *simc_ctl(struct simc *s, const char *method, const char *path, const char *fmt, ...);

/* A control POST of a JSON body that may be refused (409 while the bot is
 * silent, say): its status. */
__attribute__((format(printf, 3, 4)))
long simc_ctl_status(struct simc *s, const char *path, const char *fmt, ...);

/* o[a] (o[a][b] when b is given), NULL when missing; as a string, NULL
 * when not one. */
const cJSON *simc_at(const cJSON *o, const char *a, const char *b);
const char *simc_str_at(const cJSON *o, const char *a, const char *b);

/* The "slow" fault switch (delayMs 400, once): the next API request, made
 * by `call`, answers 200 after the delay, the one after it at once. */
void simc_expect_slow_once(struct simc *s, struct simc_reply (*call)(struct simc *s));

/* The simulator's count of webhooks delivered (GET /_sim/stats,
 * webhooks.sent), asked until it reaches n or timeout_ms passes; its last
 * value. The simulator counts a delivery once the receiver's answer is in,
 * which can come just after the receiver has the body (hookrx_wait). */
int simc_webhooks_sent(struct simc *s, int n, int timeout_ms);

/* URL-encode into a new string (the nextToken). */
char *simc_urlencode(const char *s);

/* A webhook receiver on 127.0.0.1: records each POST's body and the value
 * of its signature header, answers 200. */
struct hookrx {
	const char *header;     /* the signature header's name */
	int fd, port;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char *bodies[256];
	char *signatures[256];
	int n;
	bool stop;
};

void hookrx_listen(struct hookrx *h, const char *header);
void hookrx_stop(struct hookrx *h);
/* Wait (deadline timeout_ms) until at least n deliveries arrived. */
bool hookrx_wait(struct hookrx *h, int n, int timeout_ms);

long long simc_now_ms(void);

#endif
