/*
 * test_hub_auth_matrix.c — every route of the hub × every role × every
 * kind of credential gets the status the route table promises: 401 for no
 * token, a wrong one or a valid one in a malformed header; 403 for a role
 * the route does not admit; anything but 401/403 (and 404/405/5xx) for a
 * role it does. A public route answers whatever comes.
 *
 * The routes are read from the hub's own table (src/hub/routes.c, its
 * path compiled in), so a route added there is in the matrix without
 * touching this file. /v1/events, the server's own route, is added here.
 * Each cell is a raw request on its own connection, so nothing curl adds
 * or normalises stands between the header written and the hub.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#ifndef ROUTES_C
#error "ROUTES_C (the path of src/hub/routes.c) must be defined"
#endif

enum role { AGENT, SUPERVISOR, INGEST, NROLES };
static const char *const role_names[NROLES] = {"agent", "supervisor", "ingest"};

static struct hub hub;
static char tokens[NROLES][HUB_TOKEN_MAX];
static char chat[37], owner[37]; /* the test's chat and its customer */
/* A canned reply of each role that has them: its own, which its valid
 * DELETE may remove (an id it cannot see would be 404). */
static char reply_ids[NROLES][37];

struct route_row {
	char method[8];
	char path[128];
	unsigned roles; /* bit per enum role; 0: public */
};

#define MAX_ROUTES 64
static struct route_row routes[MAX_ROUTES];
static size_t nroutes;

/* The roles a roles expression of routes.c names ("ROLES_AGENTS",
 * "ROLE_BIT(ACCOUNT_INGEST)", "A | B"). */
static unsigned roles_of(const char *expr)
{
	unsigned roles = 0;

	if (strstr(expr, "ROLES_ANY"))
		roles |= 1u << AGENT | 1u << SUPERVISOR | 1u << INGEST;
	if (strstr(expr, "ROLES_AGENTS"))
		roles |= 1u << AGENT | 1u << SUPERVISOR;
	if (strstr(expr, "ACCOUNT_AGENT"))
		roles |= 1u << AGENT;
	if (strstr(expr, "ACCOUNT_SUPERVISOR"))
		roles |= 1u << SUPERVISOR;
	if (strstr(expr, "ACCOUNT_INGEST"))
		roles |= 1u << INGEST;
	if (!roles && !strstr(expr, "ROLES_PUBLIC"))
		fail_msg("routes.c: roles I cannot read: %s", expr);
	return roles;
}

/* Each `{HTTP_X, "/path", ROLES, handler, params},` row of the table. */
static void read_route_table(void)
{
	char line[512], method[8], path[128], roles[128];
	FILE *f = fopen(ROUTES_C, "r");

	assert_non_null(f);
	while (fgets(line, sizeof line, f)) {
		if (sscanf(line, " {HTTP_%7[A-Z], \"%127[^\"]\", %127[^,],", method, path, roles) != 3)
			continue;
		assert_true(nroutes < MAX_ROUTES);
		struct route_row *r = &routes[nroutes++];
		snprintf(r->method, sizeof r->method, "%s", method);
		snprintf(r->path, sizeof r->path, "%s", path);
		r->roles = roles_of(roles);
	}
	fclose(f);
	/* A table this file can no longer read must fail, not pass empty. */
	assert_true(nroutes >= 15);
	routes[nroutes++] = (struct route_row){"GET", "/v1/events",
					       1u << AGENT | 1u << SUPERVISOR | 1u << INGEST};
}

static int setup(void **state)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	hub_init(&hub);
	for (int i = 0; i < NROLES; i++)
		hub_token(&hub, role_names[i], role_names[i], tokens[i]);
	/* No rate limit: 401s by the hundred must not turn into 429s. */
	hub_start(&hub, "--auth-rate", "0", NULL);
	ingest(&hub, tokens[INGEST], "matrix-1", "user", "hello", true, chat);
	for (int role = 0; role < NROLES; role++) {
		if (role == INGEST) {
			snprintf(reply_ids[role], sizeof reply_ids[role], "%s", chat);
			continue;
		}
		struct reply r = http(&hub, "POST", "/v1/replies", tokens[role],
				      "{\"name\":\"matrix\",\"text\":\"x\"}");
		cJSON *id = cJSON_GetObjectItem(expect_status(&r, 201), "id");
		snprintf(reply_ids[role], sizeof reply_ids[role], "%s", id->valuestring);
		reply_free(&r);
	}
	char path[64];
	snprintf(path, sizeof path, "/v1/chats/%s", chat);
	struct reply r = http(&hub, "GET", path, tokens[AGENT], NULL);
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(expect_status(&r, 200), "owner");
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
	assert_true(cJSON_IsString(id));
	snprintf(owner, sizeof owner, "%s", id->valuestring);
	reply_free(&r);
	read_route_table();
	*state = &hub;
	return 0;
}

/* The kinds of credential a request carries. */
enum cred { NONE, WRONG, NO_SCHEME, BASIC, BEARER_NO_SPACE, TWO_WORDS, VALID, NCREDS };
static const char *const cred_names[NCREDS] = {
	"none", "wrong token", "token without scheme", "Basic scheme", "Bearer glued",
	"token plus a word", "valid",
};

/* The Authorization header line (with its CRLF) for `cred` made from
 * the valid token `token`; "" for none. */
static void auth_line(enum cred cred, const char *token, char *out, size_t len)
{
	char wrong[HUB_TOKEN_MAX];

	switch (cred) {
	case NONE:
		out[0] = '\0';
		break;
	case WRONG:
		/* the same shape, its last character changed */
		snprintf(wrong, sizeof wrong, "%s", token);
		wrong[strlen(wrong) - 1] = wrong[strlen(wrong) - 1] == 'a' ? 'b' : 'a';
		snprintf(out, len, "Authorization: Bearer %s\r\n", wrong);
		break;
	case NO_SCHEME:
		snprintf(out, len, "Authorization: %s\r\n", token);
		break;
	case BASIC:
		snprintf(out, len, "Authorization: Basic %s\r\n", token);
		break;
	case BEARER_NO_SPACE:
		snprintf(out, len, "Authorization: Bearer%s\r\n", token);
		break;
	case TWO_WORDS:
		snprintf(out, len, "Authorization: Bearer %s extra\r\n", token);
		break;
	default:
		snprintf(out, len, "Authorization: Bearer %s\r\n", token);
		break;
	}
}

/* The path with each {id} replaced by the test's chat, its customer under
 * /v1/owners, or for a canned reply's route the reply of `role`. */
static void concrete_path(const char *pattern, int role, char *out, size_t len)
{
	const char *id = strncmp(pattern, "/v1/replies/", 12) == 0 ? reply_ids[role]
			 : strncmp(pattern, "/v1/owners/", 11) == 0 ? owner
								    : chat;
	size_t o = 0;

	for (const char *p = pattern; *p && o + 40 < len;) {
		if (strncmp(p, "{id}", 4) == 0) {
			o += (size_t)snprintf(out + o, len - o, "%s", id);
			p += 4;
		} else {
			out[o++] = *p++;
		}
	}
	out[o] = '\0';
}

/* The status line's code for one raw request, on a connection of its own. */
static int status_of(const struct route_row *r, int role, const char *auth)
{
	char path[256], req[1024];
	const bool ws = strcmp(r->path, "/v1/events") == 0;
	const bool body = strcmp(r->method, "POST") == 0 || strcmp(r->method, "PATCH") == 0;

	concrete_path(r->path, role, path, sizeof path);
	int n = snprintf(req, sizeof req,
			 "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%s%s\r\n%s", r->method, path, auth,
			 ws ? "Upgrade: websocket\r\nConnection: Upgrade\r\n"
			      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
			      "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: handoff.v1\r\n"
			    : "Connection: close\r\n",
			 body ? "Content-Type: application/json\r\nContent-Length: 2\r\n" : "",
			 body ? "{}" : "");
	assert_true(n > 0 && (size_t)n < sizeof req);

	int fd = hub_connect(&hub, NULL);
	assert_int_equal(write(fd, req, (size_t)n), n);
	char buf[64];
	size_t got = 0;
	long long deadline = now_ms() + 10000;
	while (got < 12 && now_ms() < deadline) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, (int)(deadline - now_ms())) <= 0)
			break;
		ssize_t k = read(fd, buf + got, sizeof buf - 1 - got);
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	close(fd);
	buf[got] = '\0';
	int code = 0;
	if (sscanf(buf, "HTTP/1.%*c %d", &code) != 1)
		fail_msg("%s %s (%s): no HTTP answer", r->method, path, auth);
	return code;
}

static void test_every_route_role_and_credential(void **state)
{
	(void)state;
	char auth[512];
	int cells = 0;
	long long start = now_ms();

	for (size_t i = 0; i < nroutes; i++) {
		const struct route_row *r = &routes[i];
		for (int role = 0; role < NROLES; role++) {
			for (int cred = 0; cred < NCREDS; cred++) {
				auth_line((enum cred)cred, tokens[role], auth, sizeof auth);
				int got = status_of(r, role, auth);
				bool may = r->roles == 0 || (r->roles & 1u << role);
				bool answered = got != 401 && got != 403 && got != 404 &&
						got != 405 && got != 429 && got < 500;
				bool ok = r->roles == 0   ? answered
					  : cred != VALID ? got == 401
					  : may           ? answered
							  : got == 403;
				if (!ok)
					fail_msg("%s %s as %s with %s: %d", r->method, r->path,
						 role_names[role], cred_names[cred], got);
				cells++;
			}
		}
	}
	print_message("auth matrix: %zu routes x %d roles x %d credentials = %d cells, "
		      "%lld ms\n", nroutes, NROLES, NCREDS, cells, now_ms() - start);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_route_role_and_credential),
	};
	return cmocka_run_group_tests(tests, setup, hub_teardown);
}
