/*
 * bench_hub_wal.c — the write-ahead log under sustained ingest: a real
 * handoffd takes N customer messages of 3,000 characters into one chat,
 * one POST after another, and the WAL file is measured after each.
 *
 *   bench_hub_wal [MESSAGES]     default 2500
 *
 * Prints a Markdown table: the WAL's peak and final size, the database
 * file's size before shutdown, the ingest rate, and how long SIGTERM took
 * to stop the hub (closing copies what is left in the WAL).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"

#define TEXT_CHARS 3000

static int messages = 2500;

static long long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

static double mb(long long bytes)
{
	return (double)bytes / 1e6;
}

static void bench_sustained_ingest(void **state)
{
	struct hub hub;
	char bot[HUB_TOKEN_MAX], wal[160], *text = malloc(TEXT_CHARS + 1);
	long long peak = 0;

	(void)state;
	assert_non_null(text);
	memset(text, 'x', TEXT_CHARS);
	text[TEXT_CHARS] = '\0';
	hub_init(&hub);
	hub_token(&hub, "Widget bridge", "ingest", bot);
	/* The hub's capacity is measured, not its rate limits. */
	hub_start(&hub, NULL);
	snprintf(wal, sizeof wal, "%s-wal", hub.db);

	long long t0 = now_ms();
	for (int i = 0; i < messages; i++) {
		ingest(&hub, bot, "bench-wal", "user", text, false, NULL);
		long long size = file_size(wal);
		peak = size > peak ? size : peak;
	}
	long long took = now_ms() - t0;
	long long wal_end = file_size(wal), db_end = file_size(hub.db);

	long long t1 = now_ms();
	hub_stop(&hub);
	long long stop = now_ms() - t1;

	printf("\n| messages | WAL peak MB | WAL at end MB | db before stop MB | ingest /s "
	       "| SIGTERM → exit ms | db after stop MB |\n");
	printf("|---:|---:|---:|---:|---:|---:|---:|\n");
	printf("| %d | %.1f | %.1f | %.1f | %.0f | %lld | %.1f |\n", messages, mb(peak),
	       mb(wal_end), mb(db_end), messages * 1000.0 / (double)(took ? took : 1), stop,
	       mb(file_size(hub.db)));
	hub_cleanup(&hub);
	free(text);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		messages = atoi(argv[1]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bench_sustained_ingest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
