/*
 * harness.h — integration tests against a real handoffd.
 *
 * hub_start() runs the built handoffd ($HANDOFFD) on 127.0.0.1 with port 0,
 * no request rate limits (a test sets its own) and a database in a fresh
 * temporary directory, and learns the port from
 * its "listening on" log line (waiting with a deadline, never sleeping).
 * HTTP goes through libcurl; the event stream through a minimal WebSocket
 * reader, so the hub is tested from outside, as any client would use it.
 */
#ifndef HANDOFF_TEST_HARNESS_H
#define HANDOFF_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

struct hub {
	pid_t pid;
	int port;
	int log_fd;          /* the hub's stderr */
	char dir[64];        /* temporary directory holding the database and log */
	char db[512];        /* the --db target: a file in dir, or on PostgreSQL a database */
	char pg_name[64];    /* on PostgreSQL, that database's name */
};

/* Do the hubs run on PostgreSQL: with_pg runs this program (HANDOFF_TEST_PG
 * names its server), and each hub_init makes a fresh database there. A
 * case about SQLite's file skips itself when true. */
bool hub_on_pg(void);

/* Create the temporary directory (and nothing else). */
void hub_init(struct hub *h);

/* A second (third…) hub on the database of `first` (hub_init'ed, started
 * or not): a temporary directory and log of its own, the same --db target,
 * so on PostgreSQL the two are replicas sharing one event log; the
 * accounts are `first`'s. Cleaned up by hub_cleanup like any hub; the
 * database is `first`'s to keep. On SQLite both would open one file. */
void hub_init_replica(struct hub *h, const struct hub *first);

/* `handoffd agent add NAME --role ROLE` on the hub's database; returns the
 * token (static buffer per call slot: copy it). */
char *hub_add_account(struct hub *h, const char *name, const char *role);

/* Run handoffd with the arguments (NULL-terminated), not as a hub that
 * stays up: what it writes to stdout and stderr, in order, to out[outlen];
 * returns its exit status (-1 when a signal ended it). */
int handoffd_run(char *out, size_t outlen, ...);

/* Room for a token (hub_add_account's are shorter). */
#define HUB_TOKEN_MAX 128

/* hub_add_account, the token copied into token[HUB_TOKEN_MAX]. */
void hub_token(struct hub *h, const char *name, const char *role, char *token);

/* An account a test program wants on its hub. */
struct account {
	const char *name;
	const char *role;   /* agent, supervisor or ingest */
	char *token;        /* HUB_TOKEN_MAX bytes, filled by hub_up */
};

/* A test program's hub, the way most start it: curl_global_init, hub_init,
 * the accounts (a list ending with {NULL}), hub_start without arguments. */
void hub_up(struct hub *h, const struct account *accounts);

/* hub_up without the start, for a program that starts its hub with
 * options of its own (hub_start(h, "--first-response-target", ...)). */
void hub_accounts(struct hub *h, const struct account *accounts);

/* hub_up for a hub of its own on a copy of the database of `people` (a
 * hub_init'ed one with accounts added, never started): the same accounts
 * and tokens, without running handoffd once per account again. */
void hub_up_from(struct hub *h, const struct hub *people);

/* The cmocka teardown that goes with hub_up and hub_up_from: *state is the hub (the group
 * setup sets it), cleaned up, then curl_global_cleanup. */
int hub_teardown(void **state);

/* "http://127.0.0.1:PORT" followed by path ("" for the bare server). */
void hub_url(const struct hub *h, const char *path, char *out, size_t len);

/* Write token to <dir>/<name>.token with mode 0600, as a person would keep
 * it for `handoff --token-file`; the file's path to path[len]. */
void hub_token_file(const struct hub *h, const char *name, const char *token, char *path,
		    size_t len);

/* The account id of token (GET /v1/me) to out[37]. */
void hub_account_id(struct hub *h, const char *token, char out[37]);

/* Start handoffd (extra arguments NULL-terminated); fails the test if it does
 * not listen within 10 s. */
void hub_start(struct hub *h, ...);

/* The hub's log so far (<dir>/hub.log, which a thread of the harness
 * fills from its stderr); free it. */
char *hub_log(const struct hub *h);

/* The log once it holds `needle`, or fail after 10 s. */
char *hub_log_wait(const struct hub *h, const char *needle);

/* A raw TCP connection to the hub, from the loopback address `source`
 * ("127.0.0.2": Linux answers on all of 127/8) or any (NULL). */
int hub_connect(const struct hub *h, const char *source);

/* True when the hub closes `fd` within timeout_ms (what it sends before
 * is read and dropped). */
bool hub_hung_up(int fd, int timeout_ms);

/* SIGTERM and wait (deadline); `hub_kill` sends SIGKILL instead. */
void hub_stop(struct hub *h);
void hub_kill(struct hub *h);

/* Stop if running and remove the temporary directory. */
void hub_cleanup(struct hub *h);

struct reply {
	long status;
	cJSON *json;          /* parsed body, or NULL */
	char *body;
	char *content_type;
};

void reply_free(struct reply *r);

/* One HTTP request; body may be NULL; token may be NULL (no Authorization).
 * content_type NULL means application/json when there is a body. */
struct reply http(struct hub *h, const char *method, const char *path, const char *token,
		  const char *body);
struct reply http_raw(struct hub *h, const char *method, const char *path, const char *token,
		      const char *body, size_t body_len, const char *content_type);

/* A libcurl write callback that appends what arrives to the heap string
 * *(char **)out (NULL to begin with; free it), for a test's own handles. */
size_t http_keep_body(char *p, size_t size, size_t n, void *out);

/* n requests at once, request i as tokens[i] (curl multi: every request
 * is on the wire before any answer is read), to race them in the hub;
 * replies[i] is what request i got (status 0: no answer). */
void http_all_at_once(struct hub *h, const char *method, const char *path, const char *body,
		      int n, const char *const tokens[], struct reply replies[]);

/* http_all_at_once with request i its own: method on paths[i] of hubs[i]
 * with bodies[i] (NULL: none) as tokens[i]; to race one request through
 * several replicas, or many requests at once. */
void http_each_at_once(int n, struct hub *const hubs[], const char *method,
		       const char *const paths[], const char *const bodies[],
		       const char *const tokens[], struct reply replies[]);

/* POST /v1/chats/{chat}/{action} as token (takeover, assign, stop...),
 * expecting 200. */
void hub_act(struct hub *h, const char *token, const char *chat, const char *action,
	     const char *body);

/* The error type of an error reply ("Conflict"), or "" when not an error body. */
const char *error_type(const struct reply *r);
const char *error_description(const struct reply *r);

/* Shortcuts that assert the status and return the parsed JSON (owned by r). */
cJSON *expect_status(struct reply *r, long status);

/* Ingest one message (role "user" or "bot"); returns the chat id in out[37]. */
void ingest(struct hub *h, const char *ingest_token, const char *external_id, const char *role,
	    const char *text, bool escalate, char out_chat_id[37]);

/* ---- WebSocket event stream ---------------------------------------------- */

struct ws {
	int fd;
	unsigned char *buf;
	size_t len, cap;
};

/* Connect to /v1/events (query may be NULL, e.g. "since=5"); returns false
 * when the upgrade is refused (then *status holds the HTTP status). */
bool ws_connect(struct ws *w, struct hub *h, const char *token, const char *query, int *status);

/* The same with a receive buffer of `rcvbuf` bytes (0: the system's), to
 * play a client on a slow link. */
bool ws_connect_rcvbuf(struct ws *w, struct hub *h, const char *token, const char *query,
		       int *status, int rcvbuf);

/* Next text frame as parsed JSON, or NULL when none arrives within
 * timeout_ms or the connection closed. */
cJSON *ws_next(struct ws *w, int timeout_ms);

/* The status code of the server's close frame (1005 when it has none),
 * skipping the frames before it; 0 when the connection ended without a
 * close frame, -1 when nothing ended within timeout_ms. */
int ws_close_code(struct ws *w, int timeout_ms);

/* True when the server closed the connection within timeout_ms. */
bool ws_closed(struct ws *w, int timeout_ms);

void ws_close(struct ws *w);

/* Send `text` as one masked text frame, as a client does. */
void ws_send_text(struct ws *w, const char *text);

/* A console's stream on h as `token`'s agent: hello, then what a console
 * says after it (the chat it views, none, and that it is not away, which
 * is also how it asks for agent frames, v1.1); returns once the hub has
 * answered with the agent's own frame, so the hub counts it online. */
void ws_open_console(struct ws *w, struct hub *h, const char *token);

/* Say on a console's stream that its agent is away, or back (v1.1). */
void ws_say_away(struct ws *w, bool away);

/* Milliseconds on a monotonic clock, for deadlines. */
long long now_ms(void);

#endif
