/*
 * platform_stats.h — the platforms' reported days grouped by account, as
 * both back ends' stats_platforms build them (db_stats_platforms.c,
 * pg_stats.c) from rows ordered by platform, then account, then day.
 */
#ifndef HANDOFF_HUB_PLATFORM_STATS_H
#define HANDOFF_HUB_PLATFORM_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h" /* struct platform_stats; db_platform_stats_free frees a list */

/* Append one row to the last group of *list (*n groups), or open a new
 * group when the row's platform or account is not the last one's. False
 * when out of memory; the list is then as it was, still to be freed. */
bool platform_stats_add(struct platform_stats **list, size_t *n, const char *platform,
			const char *account, int64_t day, int64_t conversations);

#endif
