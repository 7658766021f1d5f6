/*
 * cmd_stats.c — `stats [--from DATE] [--to DATE]`: the hub's daily counts
 * (GET /v1/stats/daily) as a table, one UTC day a line, with the average
 * rating and, in a column each, the counts the bridges' platforms reported
 * themselves. --json: one object per day.
 */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "print.h"
#include "timeutil.h"

#define DEFAULT_DAYS 30

/* The platform's count for `date`, or -1 when it reported none. */
static int64_t platform_count(const struct api_stats_platform *p, const char *date)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->days[i].date, date))
			return p->days[i].conversations;
	return -1;
}

static cJSON *day_json(const struct api_stats *s, const struct api_stats_day *d)
{
	cJSON *j = cJSON_CreateObject();
	cJSON *list = j ? cJSON_AddArrayToObject(j, "platforms") : NULL;
	bool ok = list && cJSON_AddStringToObject(j, "date", d->date) &&
		  cJSON_AddNumberToObject(j, "conversations", (double)d->conversations) &&
		  cJSON_AddNumberToObject(j, "escalations", (double)d->escalations) &&
		  cJSON_AddNumberToObject(j, "taken_over", (double)d->taken_over) &&
		  (d->ratings ? cJSON_AddNumberToObject(j, "avg_rating", d->avg_rating)
			      : cJSON_AddNullToObject(j, "avg_rating")) &&
		  cJSON_AddNumberToObject(j, "ratings", (double)d->ratings);
	for (size_t i = 0; ok && i < s->nplatforms; i++) {
		int64_t n = platform_count(&s->platforms[i], d->date);
		cJSON *p = cJSON_CreateObject();
		ok = p && cJSON_AddItemToArray(list, p) &&
		     cJSON_AddStringToObject(p, "platform", s->platforms[i].platform) &&
		     cJSON_AddStringToObject(p, "account", s->platforms[i].account) &&
		     (n >= 0 ? cJSON_AddNumberToObject(p, "conversations", (double)n)
			     : cJSON_AddNullToObject(p, "conversations"));
	}
	if (!ok) {
		cJSON_Delete(j);
		j = NULL;
	}
	return j;
}

static void print_table(FILE *f, const struct api_stats *s)
{
	fprintf(f, "%-10s %13s %11s %10s %7s %7s", "DATE", "CONVERSATIONS", "ESCALATIONS",
		"TAKEN_OVER", "RATING", "RATINGS");
	/* One column per reporting account, headed by its platform label. */
	for (size_t i = 0; i < s->nplatforms; i++)
		fprintf(f, " %13s", s->platforms[i].platform);
	fputc('\n', f);
	for (size_t k = 0; k < s->n; k++) {
		const struct api_stats_day *d = &s->days[k];
		fprintf(f, "%-10s %13lld %11lld %10lld", d->date, (long long)d->conversations,
			(long long)d->escalations, (long long)d->taken_over);
		if (d->ratings)
			fprintf(f, " %7.2f %7lld", d->avg_rating, (long long)d->ratings);
		else
			fprintf(f, " %7s %7d", "-", 0);
		for (size_t i = 0; i < s->nplatforms; i++) {
			int64_t n = platform_count(&s->platforms[i], d->date);
			if (n >= 0)
				fprintf(f, " %13lld", (long long)n);
			else
				fprintf(f, " %13s", "-");
		}
		fputc('\n', f);
	}
}

int cmd_stats(struct cli *cli, const struct cli_args *a)
{
	const char *from = cli_opt(a, "from"), *to = cli_opt(a, "to");
	char from_buf[11], to_buf[11];
	struct cli_wait w = {0};
	struct errbuf err;
	int64_t to_day = ts_now() / 86400000;

	/* Without dates, the last 30 days up to today (UTC), as the console shows. */
	if (to && !date_parse(to, &to_day, &err))
		return cli_usage_error(cli, "stats", "--to: %s", err.msg);
	if (!to)
		to = date_format(to_day, to_buf);
	if (!from)
		from = date_format(to_day - (DEFAULT_DAYS - 1), from_buf);
	if (!api_stats_daily(cli->api, from, to, cli_on_done, &w, &err))
		return cli_start_failed(cli, "stats", &err);
	int status = cli_wait(cli, "stats", &w);
	if (status != EXIT_OK)
		return status;
	if (cli->json) {
		for (size_t k = 0; k < w.r.stats->n; k++)
			print_json(cli->out, day_json(w.r.stats, &w.r.stats->days[k]));
	} else {
		print_table(cli->out, w.r.stats);
	}
	api_result_free(&w.r);
	return status;
}
