/*
 * sim_client.h — run the Botpress simulator from a cmocka test and talk to
 * it: its API (with the right headers, or any), its control interface, and
 * a webhook receiver to catch what it pushes. Failures fail the test.
 *
 * The simulator binary is $BOTPRESS_SIM (make check sets it).
 */
#ifndef HANDOFF_SIM_CLIENT_H
#define HANDOFF_SIM_CLIENT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#define BPSIM_TOKEN "sim-token"
#define BPSIM_BOT "bot-sim"

struct bpsim {
	pid_t pid;
	int port;
	char base[64];          /* "http://127.0.0.1:PORT" */
};

/* Start the simulator (extra arguments NULL-terminated) and wait, with a
 * deadline, for the port it prints. */
void bpsim_start(struct bpsim *s, ...);

/* SIGTERM; asserts it exits 0 within the deadline. */
void bpsim_stop(struct bpsim *s);

struct bpsim_reply {
	long status;            /* 0: no answer (curl_code says why) */
	int curl_code;
	cJSON *json;
	char *body;
	int retry_after;        /* the Retry-After header, -1 when none */
	long long elapsed_ms;
};

void bpsim_reply_free(struct bpsim_reply *r);

/* A request with exactly these headers (NULL-terminated list of "Name:
 * value"; NULL: none). body NULL: no body. */
struct bpsim_reply bpsim_raw(struct bpsim *s, const char *method, const char *path,
			     const char *const *headers, const char *body);

/* An API request with the token, x-bot-id and Content-Type. */
struct bpsim_reply bpsim_api(struct bpsim *s, const char *method, const char *path,
			     const char *body);

/* A control request that must answer 200; returns its JSON (caller frees). */
__attribute__((format(printf, 4, 5)))
cJSON *bpsim_ctl(struct bpsim *s, const char *method, const char *path, const char *fmt, ...);

/* The error "type" of an API error body, "" when none. */
const char *bpsim_error_type(const struct bpsim_reply *r);

/* URL-encode into a new string (the nextToken). */
char *bpsim_urlencode(const char *s);

/* A webhook receiver on 127.0.0.1: records each POST's body and its
 * x-bp-signature header, answers 200. */
struct hookrx {
	int fd, port;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char *bodies[256];
	char *signatures[256];
	int n;
	bool stop;
};

void hookrx_start(struct hookrx *h);
void hookrx_stop(struct hookrx *h);
/* Wait (deadline timeout_ms) until at least n deliveries arrived. */
bool hookrx_wait(struct hookrx *h, int n, int timeout_ms);

long long bpsim_now_ms(void);

#endif
