/*
 * handoffd.c — handoffd: the hub's command line.
 *
 *   handoffd [--listen HOST:PORT] [--db PATH] [--demo] [--seed N] [limits] [targets]
 *   handoffd agent add NAME [--email E] [--role agent|supervisor|ingest] [--db PATH]
 *   handoffd grant|revoke INGEST (--account ACCOUNT | --platform LABEL) [--db PATH]
 *   handoffd migrate [--db PATH|postgresql://…|postgres:CONNINFO]
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <uv.h>

#include "backend.h"
#include "storage.h"
#include "demo_sim.h"
#include "handlers.h"
#include "server.h"
#include "log.h"

#define DEFAULT_LISTEN "127.0.0.1:8470"
#define DEFAULT_DB "./handoff.db"

#define STR_(x) #x
#define STR(x) STR_(x)

/* The descriptor limit is raised to at most this: lws sizes its tables by
 * it, and more connections than this are not what one hub is for. */
#define FD_LIMIT_WANTED 65536

static const char usage_text[] =
	"usage: handoffd [--listen HOST:PORT] [--db PATH|URI] [--demo] [--seed N] [limits]\n"
	"       handoffd agent add NAME [--email E] [--role agent|supervisor|ingest] [--db PATH|URI]\n"
	"       handoffd grant|revoke INGEST (--account ACCOUNT | --platform LABEL) [--db PATH|URI]\n"
	"       handoffd migrate [--db PATH|postgresql://...|postgres:CONNINFO]\n"
	"\n"
	"  migrate             bring the database's schema up to this handoffd's and\n"
	"                      exit (the hub also does this when it starts)\n"
	"\n"
	"  --listen HOST:PORT  where to serve Handoff API v1 (default " DEFAULT_LISTEN ";\n"
	"                      port 0 picks a free port)\n"
	"  --db PATH           the SQLite database (default " DEFAULT_DB "), or a PostgreSQL\n"
	"                      one: postgresql://... or postgres:CONNINFO\n"
	"  --demo              run a simulated workspace: customers, a bot, escalations\n"
	"  --seed N            make the demo repeatable\n"
	"  --verbose           also log each request and event stream (debug lines)\n"
	"\n"
	"limits (0 in a rate turns it off):\n"
	"  --rate R,B          requests per second and burst per agent account\n"
	"                      (default 20,100)\n"
	"  --ingest-rate R,B   the same per ingest account (default 5000,50000)\n"
	"  --auth-rate R,B     wrong tokens per second and burst per client address\n"
	"                      (default 0.2,30)\n"
	"  --request-timeout S         a request must arrive whole within S seconds\n"
	"                              (default " STR(SERVER_DEFAULT_REQUEST_TIMEOUT_S) ")\n"
	"  --max-connections N         connections in all (default "
	STR(SERVER_DEFAULT_MAX_CONNECTIONS) ")\n"
	"  --max-connections-per-address N   from one address (default "
	STR(SERVER_DEFAULT_MAX_PER_ADDRESS) ")\n"
	"  --max-body-memory MIB       request bodies being received, in all (default 16)\n"
	"  --event-retention N         events kept for clients to resume from (default "
	STR(EVENTS_RETAINED) ")\n"
	"\n"
	"wait-time targets (0, the default, sets none; consoles show the time left):\n"
	"  --first-response-target S   a waiting chat's escalation to its takeover or\n"
	"                              first agent reply, in seconds\n"
	"  --next-response-target S    a held chat's oldest unanswered customer message\n"
	"                              to the agent's reply, in seconds\n"
	"\n"
	"agents (v1.1):\n"
	"  --default-capacity N        chats an agent holds at once unless a supervisor\n"
	"                              set theirs (default " STR(DEFAULT_CAPACITY) ")\n"
	"  --auto-assign               offer each waiting chat to the online agent with\n"
	"                              the most free capacity\n"
	"  --offer-seconds N           how long an offer waits for accept or pass\n"
	"                              (default " STR(SERVER_DEFAULT_OFFER_SECONDS) ")\n"
	"  --help, --version\n";

/* Bad usage: say what is wrong, show the usage, exit status 2. */
__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "handoffd: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", usage_text);
	return 2;
}

/* "host:port" with a port of 0..65535; the host may be "[::1]". */
static bool parse_listen(const char *s, char *host, size_t hostlen, int *port)
{
	const char *colon = strrchr(s, ':');
	char *end;

	if (!colon || colon == s || (size_t)(colon - s) >= hostlen)
		return false;
	errno = 0;
	long p = strtol(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || p < 0 || p > 65535)
		return false;
	const char *h = s;
	size_t n = (size_t)(colon - s);
	if (h[0] == '[' && h[n - 1] == ']') {
		h++;
		n -= 2;
	}
	memcpy(host, h, n);
	host[n] = '\0';
	*port = (int)p;
	return true;
}

struct hub {
	uv_loop_t *loop;
	struct server *server;
	struct demo *demo;
	uv_signal_t sigterm, sigint;
};

static void on_stop_signal(uv_signal_t *handle, int signum)
{
	struct hub *hub = handle->data;

	log_info("signal %d: stopping", signum);
	if (hub->demo) {
		demo_stop(hub->demo);
		hub->demo = NULL;
	}
	server_stop(hub->server);
	uv_close((uv_handle_t *)&hub->sigterm, NULL);
	uv_close((uv_handle_t *)&hub->sigint, NULL);
}

/* Every connection is a descriptor: take what the hard limit allows
 * (a soft limit of 1024 is common), up to FD_LIMIT_WANTED. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	rlim_t want = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > FD_LIMIT_WANTED
			      ? FD_LIMIT_WANTED : rl.rlim_max;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		rl.rlim_cur = want;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			log_warn("cannot raise the descriptor limit to %llu: %s",
				 (unsigned long long)want, strerror(errno));
	}
}

/* A whole number in [min, max] for option `name`. */
static bool parse_uint_option(const char *name, const char *s, unsigned min, unsigned max,
			      unsigned *out)
{
	char *end;

	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || !*s || *s == '-' || v < min || v > max) {
		usage_error("%s wants a number from %u to %u, not \"%s\"", name, min, max, s);
		return false;
	}
	*out = (unsigned)v;
	return true;
}

/* The target's back end opened, or NULL once the reason is on stderr: also
 * for a back end that does not serve yet. The target is shown without a
 * password. *found (may be NULL) gets the schema version found. */
static struct storage *open_storage(const char *target, const struct storage_settings *set,
				    int *found)
{
	const struct backend *b = backend_for(target);
	char shown[1024];
	struct errbuf err;
	int was;

	b->display(target, shown, sizeof shown);
	if (!b->open) {
		fprintf(stderr,
			"handoffd: %s: this handoffd can only migrate a %s database "
			"(handoffd migrate), not serve from it or change its accounts; "
			"use a SQLite file (--db PATH)\n",
			shown, b->name);
		return NULL;
	}
	struct storage *st = b->open(target, set, found ? found : &was, &err);
	if (!st)
		fprintf(stderr, "handoffd: %s: %s\n", shown, err.msg);
	return st;
}

/* What `agent add` and `grant` open with: nothing of theirs reads these. */
static const struct storage_settings cli_settings = {EVENTS_RETAINED, DEFAULT_CAPACITY, NULL};

static int serve(const char *listen, const char *db_path, bool demo, uint64_t seed,
		 unsigned retained, unsigned capacity, const struct server_limits *limits)
{
	char host[256];
	int port;
	struct errbuf err;
	struct hub hub = {0};

	if (!parse_listen(listen, host, sizeof host, &port))
		return usage_error("--listen wants HOST:PORT, not \"%s\"", listen);

	const struct storage_settings set = {retained, capacity, uv_default_loop()};
	int found;
	struct storage *st = open_storage(db_path, &set, &found);
	if (!st)
		return 1;
	struct db *db = storage_sqlite_db(st);
	if (demo && !db) {
		fprintf(stderr, "handoffd: --demo runs on a SQLite file (--db PATH)\n");
		st->ops->close(st);
		return 1;
	}
	char about[2048];
	backend_describe(backend_for(db_path), db_path, found, st->ops->schema_version, about,
			 sizeof about);
	log_info("%s", about);
	/* A client that vanishes mid-write must not kill the hub. */
	signal(SIGPIPE, SIG_IGN);
	raise_fd_limit();

	hub.loop = uv_default_loop();
	hub.server = server_start(hub.loop, st, host, port, limits, &err);
	if (!hub.server) {
		fprintf(stderr, "handoffd: cannot listen on %s: %s\n", listen, err.msg);
		st->ops->close(st);
		return 1;
	}
	char token_path[4096];
	if (demo) {
		snprintf(token_path, sizeof token_path, "%s.demo-token", db_path);
		hub.demo = demo_start(hub.loop, db, seed, token_path, &err);
		if (!hub.demo) {
			fprintf(stderr, "handoffd: demo: %s\n", err.msg);
			server_stop(hub.server);
			uv_run(hub.loop, UV_RUN_DEFAULT);
			server_free(hub.server);
			st->ops->close(st);
			return 1;
		}
	}
	uv_signal_init(hub.loop, &hub.sigterm);
	uv_signal_init(hub.loop, &hub.sigint);
	hub.sigterm.data = hub.sigint.data = &hub;
	uv_signal_start(&hub.sigterm, on_stop_signal, SIGTERM);
	uv_signal_start(&hub.sigint, on_stop_signal, SIGINT);

	/* Tests and scripts read this line to learn the port when it was 0. */
	char shown[1024];
	backend_for(db_path)->display(db_path, shown, sizeof shown);
	log_info("listening on %s:%d (db %s)", host, server_port(hub.server), shown);
	if (demo)
		log_info("demo running (seed %" PRIu64 "); open a console with: "
			 "handoff --server http://%s:%d --token-file %s",
			 seed, host, server_port(hub.server), token_path);
	uv_run(hub.loop, UV_RUN_DEFAULT);

	server_free(hub.server);
	st->ops->close(st);
	uv_loop_close(hub.loop);
	log_info("stopped");
	return 0;
}

/* handoffd agent add NAME [--email E] [--role R] [--db PATH] */
static int agent_add(int argc, char **argv)
{
	static const struct option opts[] = {
		{"email", required_argument, NULL, 'e'},
		{"role", required_argument, NULL, 'r'},
		{"db", required_argument, NULL, 'd'},
		{NULL, 0, NULL, 0},
	};
	const char *email = NULL, *db_path = DEFAULT_DB;
	int role = ACCOUNT_AGENT, c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			email = optarg;
			break;
		case 'r':
			if (!enum_parse(&account_role_table, optarg, &role))
				return usage_error("--role must be agent, supervisor or ingest, not \"%s\"",
						   optarg);
			break;
		case 'd':
			db_path = optarg;
			break;
		default:
			return usage_error("bad option for agent add");
		}
	}
	if (optind != argc - 1)
		return usage_error("agent add takes exactly one NAME");

	struct errbuf err;
	struct storage *st = open_storage(db_path, &cli_settings, NULL);
	if (!st)
		return 1;
	char token[TOKEN_STRLEN + 1];
	struct agent a;
	bool ok = st->ops->account_add(st, argv[optind], email, role, token, &a, &err);
	st->ops->close(st);
	if (!ok) {
		fprintf(stderr, "handoffd: agent add: %s\n", err.msg);
		return 1;
	}
	/* The token alone on stdout, so `$(handoffd agent add …)` captures it;
	 * it is shown this once and stored only as a hash. */
	printf("%s\n", token);
	fprintf(stderr, "added %s %s (%s); the token above is shown only once\n",
		account_role_name(a.role), a.name, a.id);
	agent_free(&a);
	return 0;
}

/* handoffd grant|revoke INGEST (--account ACCOUNT | --platform LABEL) [--db PATH]:
 * let an ingest account read the chats of another source (see db_grant). */
static int grant(int argc, char **argv)
{
	bool revoke = strcmp(argv[0], "revoke") == 0;
	static const struct option opts[] = {
		{"account", required_argument, NULL, 'a'},
		{"platform", required_argument, NULL, 'p'},
		{"db", required_argument, NULL, 'd'},
		{NULL, 0, NULL, 0},
	};
	const char *cmd = argv[0], *db_path = DEFAULT_DB, *source = NULL;
	enum grant_kind kind = GRANT_ACCOUNT;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd') {
			db_path = optarg;
			continue;
		}
		if ((c != 'a' && c != 'p') || source)
			return usage_error("%s takes one --account or one --platform", cmd);
		kind = c == 'a' ? GRANT_ACCOUNT : GRANT_PLATFORM;
		source = optarg;
	}
	if (optind != argc - 1 || !source)
		return usage_error("%s takes an INGEST account and one --account or --platform", cmd);
	if (kind == GRANT_PLATFORM && !source_platform_valid(source))
		return usage_error("--platform wants a source.platform label (1 to 32 of a-z 0-9 . _ -)");

	struct errbuf err;
	bool changed = false;
	struct storage *st = open_storage(db_path, &cli_settings, NULL);
	if (!st)
		return 1;
	bool ok = st->ops->grant(st, argv[optind], kind, source, revoke, &changed, &err);
	st->ops->close(st);
	if (!ok) {
		fprintf(stderr, "handoffd: %s: %s\n", cmd, err.msg);
		return 1;
	}
	fprintf(stderr, "%s%s\n", revoke ? "revoked" : "granted", changed ? "" : " (no change)");
	return 0;
}

/* handoffd agent add ... (the one agent command so far) */
static int agent(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return agent_add(argc - 1, argv + 1);
	return usage_error("unknown agent command \"%s\"", argc >= 2 ? argv[1] : "");
}

/* handoffd migrate [--db TARGET]: the back end's open applies the missing
 * steps; this says what it found, so an upgrade can migrate before the
 * hubs start (and a PostgreSQL database before any hub serves it). */
static int migrate(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{NULL, 0, NULL, 0},
	};
	const char *db_path = DEFAULT_DB;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'd')
			return usage_error("bad option for migrate");
		db_path = optarg;
	}
	if (optind != argc)
		return usage_error("migrate takes only --db PATH or a PostgreSQL target");

	const struct backend *b = backend_for(db_path);
	char about[2048];
	struct errbuf err;
	int found, version;

	if (!b->migrate(db_path, &found, &version, &err)) {
		b->display(db_path, about, sizeof about);
		fprintf(stderr, "handoffd: %s: %s\n", about, err.msg);
		return 1;
	}
	backend_describe(b, db_path, found, version, about, sizeof about);
	printf("handoffd: %s\n", about);
	return 0;
}

/* The subcommands; each is run with argv[0] its own name. */
static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{"agent", agent},
	{"grant", grant},
	{"revoke", grant},
	{"migrate", migrate},
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"listen", required_argument, NULL, 'l'},
		{"db", required_argument, NULL, 'd'},
		{"demo", no_argument, NULL, 'D'},
		{"seed", required_argument, NULL, 's'},
		{"verbose", no_argument, NULL, 'v'},
		{"rate", required_argument, NULL, 'r'},
		{"ingest-rate", required_argument, NULL, 'i'},
		{"auth-rate", required_argument, NULL, 'a'},
		{"request-timeout", required_argument, NULL, 'T'},
		{"max-connections", required_argument, NULL, 'C'},
		{"max-connections-per-address", required_argument, NULL, 'A'},
		{"max-body-memory", required_argument, NULL, 'M'},
		{"event-retention", required_argument, NULL, 'E'},
		{"first-response-target", required_argument, NULL, 'F'},
		{"next-response-target", required_argument, NULL, 'N'},
		{"default-capacity", required_argument, NULL, 'c'},
		{"auto-assign", no_argument, NULL, 'x'},
		{"offer-seconds", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *listen = DEFAULT_LISTEN, *db_path = DEFAULT_DB;
	bool demo = false, seeded = false;
	uint64_t seed = 0;
	struct server_limits limits = SERVER_LIMITS_DEFAULT;
	unsigned mib, secs, retained = EVENTS_RETAINED, capacity = DEFAULT_CAPACITY;
	char *end;
	int c;

	/* The database holds customer conversations and token hashes: whatever
	 * the hub creates (database, WAL, demo token) is for its owner only. */
	umask(077);
	for (size_t i = 0; argc >= 2 && i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			listen = optarg;
			break;
		case 'd':
			db_path = optarg;
			break;
		case 'D':
			demo = true;
			break;
		case 's':
			errno = 0;
			seed = strtoull(optarg, &end, 10);
			if (errno || *end || !*optarg)
				return usage_error("--seed wants a number, not \"%s\"", optarg);
			seeded = true;
			break;
		case 'v':
			log_set_level(LOG_DEBUG);
			break;
		case 'r':
		case 'i':
		case 'a':
			if (!rate_parse(optarg, c == 'r'   ? &limits.rates.agent
						: c == 'i' ? &limits.rates.ingest
							   : &limits.rates.auth_fail))
				return usage_error("a rate is RATE,BURST (\"20,100\"; 0 for none), "
						   "not \"%s\"", optarg);
			break;
		case 'T':
			if (!parse_uint_option("--request-timeout", optarg, 1, 3600,
					       &limits.request_timeout_s))
				return 2;
			break;
		case 'C':
			if (!parse_uint_option("--max-connections", optarg, 1, 1000000,
					       &limits.max_connections))
				return 2;
			break;
		case 'A':
			if (!parse_uint_option("--max-connections-per-address", optarg, 1, 1000000,
					       &limits.max_per_address))
				return 2;
			break;
		case 'M':
			if (!parse_uint_option("--max-body-memory", optarg, 1, 65536, &mib))
				return 2;
			limits.max_body_memory = (size_t)mib * 1024 * 1024;
			break;
		case 'E':
			if (!parse_uint_option("--event-retention", optarg, 1, 100000000, &retained))
				return 2;
			break;
		case 'F':
		case 'N':
			if (!parse_uint_option(c == 'F' ? "--first-response-target"
							: "--next-response-target",
					       optarg, 0, WAIT_TARGET_MAX_S, &secs))
				return 2;
			*(c == 'F' ? &limits.targets.first_response_s
				   : &limits.targets.next_response_s) = secs;
			break;
		case 'c':
			if (!parse_uint_option("--default-capacity", optarg, 0, CAPACITY_MAX,
					       &capacity))
				return 2;
			break;
		case 'x':
			limits.auto_assign = true;
			break;
		case 'o':
			if (!parse_uint_option("--offer-seconds", optarg, 1, OFFER_SECONDS_MAX,
					       &limits.offer_seconds))
				return 2;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case 'V':
			puts("handoffd " PACKAGE_VERSION);
			return 0;
		default:
			return usage_error("unknown option");
		}
	}
	if (optind != argc)
		return usage_error("unexpected argument \"%s\"", argv[optind]);
	if (seeded && !demo)
		return usage_error("--seed only makes sense with --demo");
	if (demo && !seeded)
		seed = (uint64_t)uv_hrtime();
	return serve(listen, db_path, demo, seed, retained, capacity, &limits);
}
