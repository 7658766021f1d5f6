/*
 * dialog_stats.c — the stats screen: the last 30 UTC days as bar charts,
 * one series under the other so every chart gets the full width at 80
 * columns (a day is a bar and a gap). Series: the hub's conversations,
 * each bridge's own platform count, escalations, takeovers and the average
 * rating (out of 5). Bars are ▁▂▃▄▅▆▇█ eighths, or _ = # when the
 * environment's locale is not UTF-8. Fetched when it opens and on refresh.
 *
 *   Conversations  ▁ ▃ █ ...
 *   max 12         ...
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialog_box.h"
#include "dialogs.h"
#include "timeutil.h"

#define STATS_DAYS 30
#define LABEL_COLS 15
#define MAX_SERIES 8

struct stats_screen;

/* The call in flight; outlives the screen when closed meanwhile. */
struct stats_call {
	struct stats_screen *s;
};

struct stats_screen {
	struct dialog d;
	struct console *c;
	struct stats_call *call;   /* NULL when no answer is awaited */
	struct api_stats *stats;   /* the last answer, or NULL */
	char refreshed[16];        /* HH:MM (UTC) of the last answer */
};

/* One chart: a value per day (-1: nothing to show that day). */
struct series {
	char name[48];
	double v[STATS_DAYS];
	double max;                /* the top of the chart; 0 for an automatic one */
	bool rating;               /* values with two decimals */
};

static void series_max(struct series *s)
{
	if (s->max > 0)
		return;
	for (int i = 0; i < STATS_DAYS; i++)
		if (s->v[i] > s->max)
			s->max = s->v[i];
}

static void day_values(const struct api_stats *st, struct series *s, const char *name,
		       size_t offset)
{
	snprintf(s->name, sizeof s->name, "%s", name);
	for (int i = 0; i < STATS_DAYS; i++)
		s->v[i] = (size_t)i < st->n
				  ? (double)*(const int64_t *)((const char *)&st->days[i] + offset)
				  : -1;
}

/* The platform's own count on the answer's days (-1 where unreported). */
static void platform_values(const struct api_stats *st, const struct api_stats_platform *p,
			    struct series *s)
{
	snprintf(s->name, sizeof s->name, "%s", p->platform);
	for (int i = 0; i < STATS_DAYS; i++) {
		s->v[i] = -1;
		for (size_t k = 0; (size_t)i < st->n && k < p->n; k++)
			if (!strcmp(p->days[k].date, st->days[i].date))
				s->v[i] = (double)p->days[k].conversations;
	}
}

/* The series of the answer, in the order drawn: the hub's conversations,
 * the platforms' own next to them, then escalations, takeovers, rating.
 * Platforms beyond MAX_SERIES are left out. Returns how many. */
static int build_series(const struct api_stats *st, struct series *out)
{
	int n = 0;

	memset(out, 0, MAX_SERIES * sizeof *out);
	day_values(st, &out[n++], "Conversations", offsetof(struct api_stats_day, conversations));
	for (size_t p = 0; p < st->nplatforms && n < MAX_SERIES - 3; p++)
		platform_values(st, &st->platforms[p], &out[n++]);
	day_values(st, &out[n++], "Escalations", offsetof(struct api_stats_day, escalations));
	day_values(st, &out[n++], "Takeovers", offsetof(struct api_stats_day, taken_over));
	struct series *r = &out[n++];
	snprintf(r->name, sizeof r->name, "Avg rating");
	r->max = 5;
	r->rating = true;
	for (int i = 0; i < STATS_DAYS; i++)
		r->v[i] = (size_t)i < st->n && st->days[i].ratings ? st->days[i].avg_rating : -1;
	for (int i = 0; i < n; i++)
		series_max(&out[i]);
	return n;
}

/* The bar cell of row `r` (0 the bottom) of a chart `h` rows high. */
static const char *bar_cell(bool utf8, double v, double max, int r, int h)
{
	static const char *const eighths[] = {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
	static const char *const ascii[] = {" ", "_", "_", "_", "=", "=", "=", "=", "#"};

	if (v <= 0 || max <= 0)
		return " ";
	int filled = (int)(v / max * h * 8 + 0.5);
	if (filled < 1)
		filled = 1; /* a day with any count shows */
	int part = filled - r * 8;
	part = part < 0 ? 0 : part > 8 ? 8 : part;
	return utf8 ? eighths[part] : ascii[part];
}

static void draw_series(struct console *c, const struct box *b, int row, int h, int days,
			const struct series *s)
{
	char line[1024], label[LABEL_COLS + 1];

	for (int r = 0; r < h; r++) {
		if (r == 0)
			snprintf(label, sizeof label, "%-*.*s", LABEL_COLS - 1, LABEL_COLS - 1, s->name);
		else if (r == 1 && s->rating)
			snprintf(label, sizeof label, "%-*s", LABEL_COLS - 1, "of 5");
		else if (r == 1)
			snprintf(label, sizeof label, "max %-*.0f", LABEL_COLS - 5, s->max);
		else
			snprintf(label, sizeof label, "%-*s", LABEL_COLS - 1, "");
		size_t len = (size_t)snprintf(line, sizeof line, "%s ", label);
		for (int i = STATS_DAYS - days; i < STATS_DAYS && len + 8 < sizeof line; i++)
			len += (size_t)snprintf(line + len, sizeof line - len, "%s ",
						bar_cell(c->utf8, s->v[i], s->max, h - 1 - r, h));
		box_line(c, b, row + r, line, c->attrs[EL_DIALOG]);
	}
}

/* Day-of-month under every fifth bar, counted from the newest. */
static void draw_axis(struct console *c, const struct box *b, int row, int days,
		      const struct api_stats *st)
{
	char line[256];
	int len = snprintf(line, sizeof line, "%-*s", LABEL_COLS, "UTC day");

	for (int i = STATS_DAYS - days; i < STATS_DAYS && len + 3 < (int)sizeof line; i++) {
		const char *date = (size_t)i < st->n ? st->days[i].date : "";
		if ((STATS_DAYS - 1 - i) % 5 == 0 && strlen(date) == 10)
			len += snprintf(line + len, sizeof line - len, "%.2s", date + 8);
		else
			len += snprintf(line + len, sizeof line - len, "  ");
	}
	box_line(c, b, row, line, c->attrs[EL_DIALOG]);
}

static void stats_draw(struct console *c, struct dialog *d)
{
	struct stats_screen *s = (struct stats_screen *)d;
	struct series series[MAX_SERIES];
	char title[96], status[128];

	snprintf(title, sizeof title, " Daily stats — the last %d days ", STATS_DAYS);
	struct box b = box_draw(c, c->rows, c->cols, title);
	int inner = b.h - 2;
	int days = (b.w - 4 - LABEL_COLS) / 2;
	days = days > STATS_DAYS ? STATS_DAYS : days < 1 ? 1 : days;

	if (!s->stats) {
		box_line(c, &b, 1, s->call ? "Asking the hub for the daily counts..."
					   : "No counts (see the status line)",
			 c->attrs[EL_DIALOG]);
		box_keys(c, &b, inner, KC_STATS);
		return;
	}
	int n = build_series(s->stats, series);
	/* Rows: the charts, the axis, the status, the keys. */
	int h = n ? (inner - 3) / n : 0;
	h = h > 4 ? 4 : h;
	int row = 1;
	for (int i = 0; h > 0 && i < n; i++, row += h)
		draw_series(c, &b, row, h, days, &series[i]);
	draw_axis(c, &b, row++, days, s->stats);
	snprintf(status, sizeof status, "%s .. %s UTC%s%s", s->stats->n ? s->stats->days[0].date : "",
		 s->stats->n ? s->stats->days[s->stats->n - 1].date : "",
		 s->call ? " · refreshing..." : " · as of ", s->call ? "" : s->refreshed);
	box_line(c, &b, row, status, c->attrs[EL_DIALOG]);
	box_keys(c, &b, inner, KC_STATS);
}

static void on_stats(void *ctx, const struct api_result *r)
{
	struct stats_call *call = ctx;
	struct stats_screen *s = call->s;

	free(call);
	if (!s)
		return;
	s->call = NULL;
	if (r->err != API_ERR_NONE) {
		console_say(s->c, true, "Cannot read the daily counts: %s", r->text);
	} else {
		int64_t now = ts_now();
		struct api_stats *mine = calloc(1, sizeof *mine);
		if (mine) {
			/* Take the answer's arrays; the result frees an empty shell. */
			*mine = *r->stats;
			memset(r->stats, 0, sizeof *r->stats);
			api_stats_free(s->stats);
			s->stats = mine;
		}
		snprintf(s->refreshed, sizeof s->refreshed, "%02d:%02d",
			 (int)(now / 3600000 % 24), (int)(now / 60000 % 60));
	}
	console_dirty(s->c, DIRTY_DIALOG);
}

static bool stats_fetch(struct stats_screen *s)
{
	char from[11], to[11];
	struct errbuf err;
	int64_t today = ts_now() / 86400000;

	if (s->call)
		return true;
	if (!(s->call = malloc(sizeof *s->call)))
		return false;
	s->call->s = s;
	date_format(today - (STATS_DAYS - 1), from);
	date_format(today, to);
	if (!session_stats(s->c->session, from, to, on_stats, s->call, &err)) {
		console_say(s->c, true, "Cannot read the daily counts: %s", err.msg);
		free(s->call);
		s->call = NULL;
		return false;
	}
	return true;
}

static void stats_refresh(struct console *c)
{
	stats_fetch((struct stats_screen *)c->dialog);
	console_dirty(c, DIRTY_DIALOG);
}

static void stats_close(struct console *c) { console_dialog(c, NULL); }

const struct action stats_actions[] = {
	{"refresh", "Refresh", "Read the counts again", stats_refresh},
	{"close", "Close", "Close the stats", stats_close},
};
const size_t nstats_actions = sizeof stats_actions / sizeof *stats_actions;

static void stats_free(struct dialog *d)
{
	struct stats_screen *s = (struct stats_screen *)d;

	if (s->call)
		s->call->s = NULL;
	api_stats_free(s->stats);
	free(s);
}

static const struct dialog_class stats_class = {"stats", KC_STATS, stats_draw, NULL, stats_free};

struct dialog *dialog_stats_new(struct console *c)
{
	struct stats_screen *s = calloc(1, sizeof *s);

	if (!s)
		return NULL;
	s->d.cls = &stats_class;
	s->c = c;
	if (!stats_fetch(s)) {
		free(s);
		return NULL;
	}
	return &s->d;
}
