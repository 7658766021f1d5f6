/*
 * bench_list_steps.c — the work of one GET /v1/chats?q= page in SQLite
 * virtual-machine steps: a count that does not depend on what else runs on
 * the machine, where bench_hub_list's milliseconds do.
 *
 *   BENCH_DB=PATH bench_list_steps [ROW]   PATH: a database bench_hub_list kept
 *
 * For each hard q (and a few-candidate one) it lists the first page and the
 * deep one (page 10 of 50 chats, as bench_hub_list) through db_chats_list,
 * as Agent 0 (PATH.token), and prints the VM steps of every statement the
 * request ran, FTS5's own statements included, with meta.total and
 * meta.total_capped. With ROW (1..) it lists that row's first page only,
 * twice: the second time as a running hub would, its statements prepared
 * and cached by the first, through measured_page, so that
 *
 *   valgrind --tool=callgrind --toggle-collect=measured_page bench_list_steps ROW
 *
 * counts the instructions of that one request.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"

#define DEEP 10

static const struct {
	const char *label, *q;
	bool nobody; /* responder=none */
} cases[] = {
	{"q=Customer", "Customer", false},
	{"q=order", "order", false},
	{"q=order&responder=none", "order", true},
	{"q=Customer 4242 (one owner)", "Customer 4242", false},
	{"q=zanzibar (rare word)", "zanzibar", false},
};

static int64_t steps;

/* Every statement that finishes adds its steps, and its counter restarts. */
static int count_steps(unsigned type, void *ctx, void *p, void *x)
{
	(void)type, (void)ctx, (void)x;
	steps += sqlite3_stmt_status(p, SQLITE_STMTSTATUS_VM_STEP, 1);
	return 0;
}

static void die(const char *what, const char *why)
{
	fprintf(stderr, "bench_list_steps: %s: %s\n", what, why);
	exit(1);
}

/* One page: its VM steps, and its next cursor (owned) into *cursor. */
static int64_t page(struct db *db, const struct agent *me, struct chat_query *q, char **cursor,
		    struct chat_page *p)
{
	struct api_error err;

	steps = 0;
	if (!db_chats_list(db, me, q, p, &err))
		die("list", err.description);
	int64_t n = steps;
	*cursor = p->next_cursor;
	p->next_cursor = NULL;
	return n;
}

/* A page of its own, for callgrind's --toggle-collect. */
__attribute__((noinline)) static int64_t measured_page(struct db *db, const struct agent *me,
						       struct chat_query *q, char **cursor,
						       struct chat_page *p)
{
	return page(db, me, q, cursor, p);
}

int main(int argc, char **argv)
{
	const char *path = getenv("BENCH_DB");
	char tokpath[512], token[TOKEN_STRLEN + 2] = "";
	struct errbuf err = {{0}};
	struct agent me;
	FILE *f;

	if (!path)
		die("BENCH_DB", "not set");
	snprintf(tokpath, sizeof tokpath, "%s.token", path);
	if (!(f = fopen(tokpath, "r")) || !fgets(token, sizeof token, f))
		die(tokpath, "no token");
	fclose(f);
	token[strcspn(token, "\n")] = '\0';
	struct db *db = db_open(path, &err);
	if (!db)
		die(path, err.msg);
	if (!db_authenticate(db, token, &me))
		die(tokpath, "not a token of this database");
	sqlite3_trace_v2(db->conn, SQLITE_TRACE_PROFILE, count_steps, NULL);

	size_t row = argc > 1 ? (size_t)atoi(argv[1]) : 0;
	printf("| request | first page: VM steps | total | capped | page %d: VM steps | total |"
	       " capped |\n|---|---|---|---|---|---|---|\n", DEEP);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (row && row != i + 1)
			continue;
		struct chat_query q;
		struct chat_page first = {0}, deep = {0};
		char *cursor = NULL;
		chat_query_init(&q);
		q.q = cases[i].q;
		if (cases[i].nobody)
			q.responder = RESPONDER_IS_NONE;
		int64_t s1 = page(db, &me, &q, &cursor, &first), sd = 0;
		if (row) {
			free(cursor);
			chat_page_free(&first);
			s1 = measured_page(db, &me, &q, &cursor, &first);
		}
		int n = 1;
		for (; cursor && !row && n < DEEP; n++) {
			chat_page_free(&deep);
			q.cursor = cursor;
			sd = page(db, &me, &q, &cursor, &deep);
			free((char *)q.cursor);
		}
		free(cursor);
		printf("| %s | %" PRId64 " | %" PRId64 " | %s |", cases[i].label, s1, first.total,
		       first.total_capped ? "true" : "false");
		if (n == DEEP)
			printf(" %" PRId64 " | %" PRId64 " | %s |\n", sd, deep.total,
			       deep.total_capped ? "true" : "false");
		else
			printf(" - | - | - |\n");
		chat_page_free(&first);
		chat_page_free(&deep);
	}
	agent_free(&me);
	db_close(db);
	return 0;
}
