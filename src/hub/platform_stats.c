/*
 * platform_stats.c — grouping the platforms' reported days (see
 * platform_stats.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform_stats.h"

bool platform_stats_add(struct platform_stats **list, size_t *n, const char *platform,
			const char *account, int64_t day, int64_t conversations)
{
	struct platform_stats *g = *n ? &(*list)[*n - 1] : NULL;

	if (!g || strcmp(g->account_id, account) != 0 || strcmp(g->platform, platform) != 0) {
		struct platform_stats *grown = realloc(*list, (*n + 1) * sizeof *grown);
		if (!grown)
			return false;
		*list = grown;
		g = &grown[(*n)++];
		memset(g, 0, sizeof *g);
		snprintf(g->platform, sizeof g->platform, "%s", platform);
		snprintf(g->account_id, sizeof g->account_id, "%s", account);
	}
	struct platform_day *d = realloc(g->days, (g->n + 1) * sizeof *d);
	if (!d)
		return false;
	g->days = d;
	g->days[g->n++] = (struct platform_day){day, conversations};
	return true;
}
