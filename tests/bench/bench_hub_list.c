/*
 * bench_hub_list.c — queue-page latency of a real handoffd holding N chats
 * (default 100,000), over HTTP with keep-alive, as a console sees it.
 *
 *   bench_hub_list [N [chats|search]]   prints a Markdown table: p50 / p99 in ms
 *   tests/integration/with_pg -- tests/bench/bench_hub_list [N [chats|search]]
 *                                       the same, SQLite and PostgreSQL side by side
 *
 * The database is filled through the hub's own state layer (the same calls
 * as ingest; bench_fill.c), then a handoffd is started on it by the test
 * harness. Every filter, its usual combinations and the hard searches are
 * timed on their first page and on a deep one. Budget: p99 <= 5 ms for
 * every row. "chats" times only the /v1/chats rows, "search" only the
 * /v1/search ones.
 *
 * Under with_pg (HANDOFF_TEST_PG set) a second hub runs on PostgreSQL, on
 * a database holding the SQLite one's rows, copied (copy_to_pg), and each
 * cell is timed on one hub and then on the other, so a moment of noise on
 * the machine falls on both columns alike.
 *
 * BENCH_DB=PATH keeps the database: filled there when PATH does not exist
 * (Agent 0's token in PATH.token), reused as it is when it does, so a
 * quiet rerun needs no new fill. The N given must be the one it was filled
 * with. The PostgreSQL database is copied from it on every run (the
 * server with_pg starts is private and gone after the run).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "bench_fill.h"
#include "harness.h"
#include "db.h"
#include "pg.h"

#define WARMUP 20
#define ROUNDS 400
#define DEEP   10 /* the deep page: page 10 of 50 chats, rows 451..500 */
#define CELL_MS 4000
#define MIN_ROUNDS 100

/* Every filter and its usual combinations, then the searches (the worst
 * case first: no hit). A path ending in "responder=" gets Agent 1's id. */
static const struct {
	const char *label, *path;
} rows[] = {
	{"all, sort=recent", "/v1/chats?sort=recent"},
	{"all, sort=waiting", "/v1/chats?sort=waiting"},
	{"waiting=true, sort=waiting", "/v1/chats?waiting=true&sort=waiting"},
	{"waiting=true, sort=recent", "/v1/chats?waiting=true"},
	{"escalated=true", "/v1/chats?escalated=true"},
	{"escalated=false", "/v1/chats?escalated=false"},
	{"escalated=false, sort=waiting", "/v1/chats?escalated=false&sort=waiting"},
	{"mode=AGENT", "/v1/chats?mode=AGENT"},
	{"mode=AI", "/v1/chats?mode=AI"},
	{"responder=me", "/v1/chats?responder=me"},
	{"responder=<agent>", "/v1/chats?responder="},
	{"responder=none", "/v1/chats?responder=none"},
	{"responder=none, sort=waiting", "/v1/chats?responder=none&sort=waiting"},
	{"responder=bot", "/v1/chats?responder=bot"},
	{"status=open", "/v1/chats?status=open"},
	{"status=open, sort=waiting", "/v1/chats?status=open&sort=waiting"},
	{"channel=widget", "/v1/chats?channel=widget"},
	{"channel=widget, sort=waiting", "/v1/chats?channel=widget&sort=waiting"},
	{"source=botpress (none match)", "/v1/chats?source=botpress"},
	{"waiting=true&channel=widget", "/v1/chats?waiting=true&channel=widget&sort=waiting"},
	{"responder=me&status=open", "/v1/chats?responder=me&status=open"},
	{"responder=none&escalated=false", "/v1/chats?responder=none&escalated=false"},
	{"status=open&channel=widget", "/v1/chats?status=open&channel=widget"},
	{"mode=AGENT&channel=widget", "/v1/chats?mode=AGENT&channel=widget"},
	{"q, no hit", "/v1/chats?q=qwertzuiop"},
	{"q, 2 letters, no hit", "/v1/chats?q=qz"},
	{"q, rare word (Zanzibar)", "/v1/chats?q=zanzibar"},
	{"q, one owner (Customer 4242)", "/v1/chats?q=Customer%204242"},
	{"q, common owner name (Customer)", "/v1/chats?q=Customer"},
	{"q, common word (order)", "/v1/chats?q=order"},
	{"q=order&responder=none", "/v1/chats?q=order&responder=none"},
	{"search, no hit", "/v1/search?q=qwertzuiop"},
	{"search, rare word (zanzibar)", "/v1/search?q=zanzibar"},
	{"search, common word (order)", "/v1/search?q=order"},
	{"search, two words (refunded payment)", "/v1/search?q=refunded%20payment"},
	/* the worst case: both common, never in the same message */
	{"search, two words never together (order refunded)", "/v1/search?q=order%20refunded"},
};

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double now_ms_f(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* GET path once; its status, and its body in *body (free it); -1 when
 * no answer came (told on stderr). */
static long get(CURL *c, int port, const char *path, char **body)
{
	char url[1024];
	long status = 0;
	CURLcode rc;

	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	*body = NULL;
	curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
	if ((rc = curl_easy_perform(c)) != CURLE_OK) {
		fprintf(stderr, "GET %s: %s\n", url, curl_easy_strerror(rc));
		return -1;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	return status;
}

/* p50 and p99 of GET path, ROUNDS times after WARMUP on one connection,
 * or fewer when they take longer than CELL_MS, but never fewer than
 * MIN_ROUNDS (*n: how many). The cap keeps a run of a slow back end within
 * minutes; its cells say how many requests they hold. 0 when measured,
 * 404 when the hub has no such route (an older hub: no search), -1 when a
 * request got no answer: the row is marked, the run goes on. */
static int measure(CURL *c, int port, const char *path, double *p50, double *p99, int *n)
{
	static double ms[ROUNDS];
	double start = 0;

	*n = 0;
	for (int i = 0; i < WARMUP + ROUNDS; i++) {
		char *body;
		double t0 = now_ms_f();
		long status = get(c, port, path, &body);
		double dt = now_ms_f() - t0;
		if (status < 0 || (status == 404 && i == 0)) {
			free(body);
			return (int)status;
		}
		if (status != 200)
			fail_msg("GET %s: %ld %s", path, status, body ? body : "");
		free(body);
		if (i == WARMUP)
			start = t0;
		if (i >= WARMUP)
			ms[(*n)++] = dt;
		if (*n >= MIN_ROUNDS && now_ms_f() - start > CELL_MS)
			break;
	}
	qsort(ms, (size_t)*n, sizeof ms[0], by_value);
	*p50 = ms[*n / 2];
	*p99 = ms[*n * 99 / 100];
	return 0;
}

/* path with the cursor of its page DEEP (NULL when the list is shorter). */
static char *deep_page(CURL *c, int port, const char *path)
{
	char *cursor = NULL;
	size_t len = strlen(path) + 512;
	char *url = malloc(len);

	for (int page = 1; page < DEEP; page++) {
		char *body;
		snprintf(url, len, "%s&limit=50%s%s", path, cursor ? "&cursor=" : "",
			 cursor ? cursor : "");
		if (get(c, port, url, &body) != 200)
			fail_msg("GET %s: %s", url, body ? body : "");
		cJSON *j = cJSON_Parse(body);
		const cJSON *next = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "meta"), "next_cursor");
		free(cursor);
		cursor = cJSON_IsString(next) ? strdup(next->valuestring) : NULL;
		cJSON_Delete(j);
		free(body);
		if (!cursor) {
			free(url);
			return NULL;
		}
	}
	snprintf(url, len, "%s&limit=50&cursor=%s", path, cursor);
	free(cursor);
	return url;
}

/* Agent 1's id, for responder=<agent>. */
static void agent_id(CURL *c, int port, char out[40])
{
	char *body;
	const cJSON *a;

	if (get(c, port, "/v1/agents", &body) != 200)
		fail_msg("GET /v1/agents: %s", body ? body : "");
	cJSON *j = cJSON_Parse(body);
	out[0] = '\0';
	cJSON_ArrayForEach(a, cJSON_GetObjectItem(j, "agents")) {
		if (strcmp(cJSON_GetObjectItem(a, "name")->valuestring, "Agent 1") == 0)
			snprintf(out, 40, "%s", cJSON_GetObjectItem(a, "id")->valuestring);
	}
	cJSON_Delete(j);
	free(body);
}

static int chats = 100000;
static const char *only; /* "chats", "search" or NULL: every row */

static long long file_bytes(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

/* Fill h's database, or the one BENCH_DB names when it is not there yet;
 * Agent 0's token in token. */
static void fill(struct hub *h, char token[TOKEN_STRLEN + 1])
{
	const char *keep = getenv("BENCH_DB");
	char tokpath[256];
	FILE *f;

	if (keep) {
		snprintf(h->db, sizeof h->db, "%s", keep);
		snprintf(tokpath, sizeof tokpath, "%s.token", keep);
		if ((f = fopen(tokpath, "r"))) {
			bool got = fgets(token, TOKEN_STRLEN + 1, f) != NULL;
			fclose(f);
			if (!got)
				fail_msg("%s: no token", tokpath);
			fprintf(stderr, "reusing %s (%lld bytes)\n", keep, file_bytes(keep));
			return;
		}
	}
	double t0 = now_ms_f();
	bench_fill(h->db, chats, token);
	bench_fill_threads(h->db, chats);
	fprintf(stderr, "filled %d chats in %.1f s; database %lld bytes, WAL %lld bytes\n",
		chats, (now_ms_f() - t0) / 1e3, file_bytes(h->db),
		file_bytes(strcat(strcpy(tokpath, h->db), "-wal")));
	if (keep) {
		snprintf(tokpath, sizeof tokpath, "%s.token", keep);
		if (!(f = fopen(tokpath, "w")) || fputs(token, f) < 0 || fclose(f) != 0)
			fail_msg("cannot write %s", tokpath);
	}
}

/* How many messages the database holds (the table's header line). */
static long long messages_in(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long n = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT count(*) FROM messages", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return n;
}

/* ---- the same rows on PostgreSQL ------------------------------------------ */

/* The tables bench_fill writes, parents before children. */
static const char *const copied[] = {"accounts", "channels", "owners", "chats", "messages",
				     "events", "chat_reads"};

static void pg_check(PGconn *c, PGresult *r, ExecStatusType want, const char *what)
{
	if (PQresultStatus(r) != want)
		fail_msg("%s: %s", what, PQerrorMessage(c));
	PQclear(r);
}

/* COPY's data, sent a buffer at a time. */
struct copy_out {
	PGconn *pg;
	size_t len;
	char buf[1 << 16];
};

static void copy_flush(struct copy_out *o)
{
	if (o->len && PQputCopyData(o->pg, o->buf, (int)o->len) != 1)
		fail_msg("COPY: %s", PQerrorMessage(o->pg));
	o->len = 0;
}

static void copy_put(struct copy_out *o, const char *s, size_t n)
{
	if (o->len + n > sizeof o->buf)
		copy_flush(o);
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

/* Column col's value as COPY's text format spells it (\N for NULL). */
static void copy_value(struct copy_out *o, sqlite3_stmt *st, int col)
{
	const char *v = (const char *)sqlite3_column_text(st, col);

	if (!v) {
		copy_put(o, "\\N", 2);
		return;
	}
	for (; *v; v++) {
		const char *esc = *v == '\\' ? "\\\\" : *v == '\n' ? "\\n" : *v == '\r' ? "\\r"
				: *v == '\t' ? "\\t" : NULL;
		copy_put(o, esc ? esc : v, esc ? 2 : 1);
	}
}

/* Table t's rows from lite into pg by COPY, in the columns both have (the
 * PostgreSQL schema computes its generated ones itself); its row count. */
static long copy_table(sqlite3 *lite, PGconn *pg, const char *t)
{
	const char *p[] = {t};
	static struct copy_out o;
	sqlite3_stmt *st;
	char cols[2048] = "", sql[2400];
	long n = 0;

	/* SQLite's columns, those PostgreSQL's table has too */
	snprintf(sql, sizeof sql, "SELECT name FROM pragma_table_info('%s')", t);
	if (sqlite3_prepare_v2(lite, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", t, sqlite3_errmsg(lite));
	PGresult *r = PQexecParams(pg,
				   "SELECT column_name FROM information_schema.columns"
				   " WHERE table_schema = current_schema() AND table_name = $1"
				   " AND is_generated = 'NEVER'",
				   1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", t, PQerrorMessage(pg));
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		for (int i = 0; i < PQntuples(r); i++) {
			size_t len = strlen(cols);
			if (strcmp(PQgetvalue(r, i, 0), name) == 0)
				snprintf(cols + len, sizeof cols - len, "%s%s", len ? ", " : "", name);
		}
	}
	PQclear(r);
	sqlite3_finalize(st);
	if (!cols[0])
		return 0; /* a table this SQLite schema does not have */

	snprintf(sql, sizeof sql, "SELECT %s FROM %s", cols, t);
	if (sqlite3_prepare_v2(lite, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", t, sqlite3_errmsg(lite));
	snprintf(sql, sizeof sql, "COPY %s (%s) FROM STDIN", t, cols);
	pg_check(pg, PQexec(pg, sql), PGRES_COPY_IN, t);
	o.pg = pg;
	o.len = 0;
	for (; sqlite3_step(st) == SQLITE_ROW; n++) {
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			if (i)
				copy_put(&o, "\t", 1);
			copy_value(&o, st, i);
		}
		copy_put(&o, "\n", 1);
	}
	sqlite3_finalize(st);
	copy_flush(&o);
	if (PQputCopyEnd(pg, NULL) != 1)
		fail_msg("%s: %s", t, PQerrorMessage(pg));
	pg_check(pg, PQgetResult(pg), PGRES_COMMAND_OK, t);
	while ((r = PQgetResult(pg)))
		PQclear(r);
	return n;
}

/* The indexes to build again after the copy, shared by the builders. */
struct rebuild {
	const char *conninfo;
	PGresult *defs; /* column 0: CREATE INDEX … */
	atomic_int next;
};

/* One builder: a connection of its own, the next index not yet taken. */
static void *rebuild_indexes(void *arg)
{
	struct rebuild *rb = arg;
	PGconn *c = PQconnectdb(rb->conninfo);
	int i;

	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("pg: %s", PQerrorMessage(c));
	pg_check(c, PQexec(c, "SET maintenance_work_mem = '256MB'"), PGRES_COMMAND_OK, "SET");
	while ((i = atomic_fetch_add(&rb->next, 1)) < PQntuples(rb->defs))
		pg_check(c, PQexec(c, PQgetvalue(rb->defs, i, 0)), PGRES_COMMAND_OK, "CREATE INDEX");
	PQfinish(c);
	return NULL;
}

/* The PostgreSQL hub's database (target, "postgres:CONNINFO"), empty, made
 * to hold the rows of the SQLite one at path: its schema migrated by the
 * back end's own pg_open, then every table copied with COPY, ids, tokens
 * and seqs and all, so both hubs serve the same chats to the same token.
 * Filling it through the back end's calls instead, each a transaction of a
 * dozen round trips, would take many times the SQLite fill. Like any bulk
 * load, the copy runs without the foreign keys' per-row checks
 * (session_replication_role: the rows are a consistent database's) and
 * without the indexes that are no constraint's (the trigram, search and
 * list ones), which are then built from their own definitions, by as many
 * connections at once as the machine has CPUs: building them is most of
 * the time. Then VACUUM and ANALYZE, as autovacuum leaves a settled
 * database: the planner's statistics and the visibility map. */
static void copy_to_pg(const char *path, const char *target)
{
	struct errbuf e;
	sqlite3 *lite;
	double t0 = now_ms_f();
	long n = 0;
	struct rebuild rb = {.conninfo = target + strlen("postgres:")};
	pthread_t builders[8];
	int nb = (int)sysconf(_SC_NPROCESSORS_ONLN);

	struct pg *pg = pg_open(rb.conninfo, &e);
	if (!pg)
		fail_msg("pg: %s", e.msg);
	PGconn *c = pg_conn(pg);
	if (sqlite3_open_v2(path, &lite, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		fail_msg("%s: %s", path, sqlite3_errmsg(lite));
	pg_check(c, PQexec(c, "BEGIN; SET LOCAL session_replication_role = replica"),
		 PGRES_COMMAND_OK, "BEGIN");
	rb.defs = PQexec(c, "SELECT indexdef, format('DROP INDEX %I', indexname) FROM pg_indexes i"
			    " WHERE schemaname = current_schema() AND NOT EXISTS"
			    " (SELECT 1 FROM pg_constraint WHERE conname = i.indexname)"
			    /* the slow GIN ones first, so the others fill the wait */
			    " ORDER BY indexdef LIKE '% USING gin %' DESC");
	if (PQresultStatus(rb.defs) != PGRES_TUPLES_OK)
		fail_msg("indexes: %s", PQerrorMessage(c));
	for (int i = 0; i < PQntuples(rb.defs); i++)
		pg_check(c, PQexec(c, PQgetvalue(rb.defs, i, 1)), PGRES_COMMAND_OK, "DROP INDEX");
	for (size_t i = 0; i < sizeof copied / sizeof copied[0]; i++)
		n += copy_table(lite, c, copied[i]);
	pg_check(c, PQexec(c, "UPDATE event_seq SET seq = (SELECT max(seq) FROM events)"),
		 PGRES_COMMAND_OK, "event_seq");
	pg_check(c, PQexec(c, "COMMIT"), PGRES_COMMAND_OK, "COMMIT");
	double copied_ms = now_ms_f() - t0;

	nb = nb < 1 ? 1 : nb > 8 ? 8 : nb;
	for (int i = 0; i < nb; i++)
		assert_int_equal(pthread_create(&builders[i], NULL, rebuild_indexes, &rb), 0);
	for (int i = 0; i < nb; i++)
		pthread_join(builders[i], NULL);
	PQclear(rb.defs);
	double indexed_ms = now_ms_f() - t0 - copied_ms;
	/* the tables the pages read row by row; the others' statistics */
	pg_check(c, PQexec(c, "VACUUM ANALYZE chats, messages, chat_reads"), PGRES_COMMAND_OK,
		 "VACUUM ANALYZE");
	pg_check(c, PQexec(c, "ANALYZE"), PGRES_COMMAND_OK, "ANALYZE");
	fprintf(stderr,
		"copied %ld rows to PostgreSQL in %.1f s, indexes %.1f s (%d connections),"
		" VACUUM ANALYZE %.1f s\n",
		n, copied_ms / 1e3, indexed_ms / 1e3, nb,
		(now_ms_f() - t0 - copied_ms - indexed_ms) / 1e3);
	sqlite3_close(lite);
	pg_close(pg);
}

/* ---- the table ------------------------------------------------------------- */

/* A hub measured, and its client. */
struct target {
	const char *name;
	struct hub h;
	CURL *c;
	struct curl_slist *hdrs;
};

/* A cell: "p50 / p99" of path on t, "p50 / p99 (n)" when the time cap
 * left n requests, "-" when it has no such route, "no answer" when a
 * request failed; whether its p99 met the budget. */
static bool cell(struct target *t, const char *path, char *out, size_t len)
{
	double p50 = 0, p99 = 0;
	int n;

	int rc = measure(t->c, t->h.port, path, &p50, &p99, &n);
	if (rc) {
		snprintf(out, len, rc < 0 ? "no answer" : "-");
		return rc > 0;
	}
	if (n < ROUNDS)
		snprintf(out, len, "%.2f / %.2f (%d)", p50, p99, n);
	else
		snprintf(out, len, "%.2f / %.2f", p50, p99);
	return p99 <= 5.0;
}

static void bench(void **state)
{
	(void)state;
	struct target t[2] = {{.name = "SQLite"}, {.name = "PostgreSQL"}};
	char token[TOKEN_STRLEN + 1], auth[128], agent[40];
	const char *on_pg = getenv("HANDOFF_TEST_PG");
	char *conninfo = on_pg ? strdup(on_pg) : NULL;
	int n = conninfo ? 2 : 1;

	/* The harness puts every hub on PostgreSQL while HANDOFF_TEST_PG is
	 * set: the first hub is SQLite's. */
	unsetenv("HANDOFF_TEST_PG");
	hub_init(&t[0].h);
	fill(&t[0].h, token);
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
	for (int i = 0; i < n; i++) {
		if (i == 1) {
			setenv("HANDOFF_TEST_PG", conninfo, 1);
			hub_init(&t[1].h);
			copy_to_pg(t[0].h.db, t[1].h.db);
		}
		/* The hub's capacity is measured, not its rate limits. */
		hub_start(&t[i].h, NULL);
		t[i].c = curl_easy_init();
		t[i].hdrs = curl_slist_append(NULL, auth);
		curl_easy_setopt(t[i].c, CURLOPT_HTTPHEADER, t[i].hdrs);
		curl_easy_setopt(t[i].c, CURLOPT_WRITEFUNCTION, http_keep_body);
		curl_easy_setopt(t[i].c, CURLOPT_TIMEOUT, 60L); /* a stuck page fails its cell */
	}
	/* the same id on both: the PostgreSQL rows are copies */
	agent_id(t[0].c, t[0].h.port, agent);

	printf("\n%d chats, %lld messages, %d requests per cell after %d warm-up (or as many"
	       " as %.0f s allow, %d at least: \"(n)\"), one keep-alive connection;"
	       " deep page = page %d of 50; cells p50 / p99 ms\n",
	       chats, messages_in(t[0].h.db), ROUNDS, WARMUP, CELL_MS / 1e3, MIN_ROUNDS, DEEP);
	if (conninfo)
		printf("PostgreSQL %s; each cell timed on SQLite, then on PostgreSQL\n",
		       getenv("HANDOFF_PG_DURABLE") ? "durable (fsync, synchronous commits)"
						    : "as the tests run it (no fsync)");
	printf("\n| page |");
	for (int i = 0; i < n; i++)
		printf(" %s first |", t[i].name);
	for (int i = 0; i < n; i++)
		printf(" %s deep |", t[i].name);
	printf(" p99 ≤ 5 ms |\n|---|");
	for (int i = 0; i < 2 * n + 1; i++)
		printf("---|");
	printf("\n");
	for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
		char path[512], first[2][64], deep[2][64];
		bool met[2] = {true, true};
		size_t len = strlen(rows[r].path);
		bool by_agent = len > 10 && strcmp(rows[r].path + len - 10, "responder=") == 0;
		bool search = strncmp(rows[r].path, "/v1/search", 10) == 0;
		if (only && strcmp(only, search ? "search" : "chats") != 0)
			continue;
		snprintf(path, sizeof path, "%s%s", rows[r].path, by_agent ? agent : "");
		for (int i = 0; i < n; i++) {
			met[i] = cell(&t[i], path, first[i], sizeof first[i]);
			/* each back end's own cursor: it encodes that hub's walk */
			char *url = search ? NULL : deep_page(t[i].c, t[i].h.port, path);
			snprintf(deep[i], sizeof deep[i], "-");
			if (url)
				met[i] = cell(&t[i], url, deep[i], sizeof deep[i]) && met[i];
			free(url);
		}
		printf("| %s |", rows[r].label);
		for (int i = 0; i < n; i++)
			printf(" %s |", first[i]);
		for (int i = 0; i < n; i++)
			printf(" %s |", deep[i]);
		for (int i = 0; i < n; i++)
			printf("%s%s", i ? " / " : " ", met[i] ? "met" : "MISSED");
		printf(" |\n");
		fflush(stdout);
	}

	for (int i = 0; i < n; i++) {
		curl_slist_free_all(t[i].hdrs);
		curl_easy_cleanup(t[i].c);
		hub_cleanup(&t[i].h);
	}
	free(conninfo);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		chats = atoi(argv[1]);
	if (argc > 2)
		only = argv[2];
	const struct CMUnitTest tests[] = {cmocka_unit_test(bench)};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
