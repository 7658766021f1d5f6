/*
 * dialog_dashboard.c — the team dashboard (`d`): who waits and how long,
 * breaches of the hub's targets, today's counts, and a row per agent.
 * Read-only, for supervisors and agents alike: it shows the team, and
 * changes nothing.
 *
 *   Waiting now 3 · longest wait 4:07 · held by agents 5
 *   BREACHED: 1 waiting past 1:00 · 0 held past 5:00
 *   Today (UTC): 12 chats · 4 escalated · 3 taken over · 40 replies
 *
 *   Agent              Status  Held/cap  Late  Replies/h  Median 1st  Firsts
 *   Ana                online       2/3     1         14        0:42       5
 *
 * The figures come from the session's dashboard (src/client/dashboard.h):
 * one snapshot when it opens, then each event of the stream, so nothing
 * polls. What time alone changes (the longest wait, a clock crossing its
 * target, replies leaving the hour, midnight) is drawn by the console's
 * clock at the time dashboard_changes_at gives, at most once a second.
 *
 * The agent table is a column table: a column more is a row in `columns`
 * and a cell function. Status and capacity follow the hub's agent frames.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dashboard.h"
#include "dialog_box.h"
#include "dialogs.h"
#include "draw.h"
#include "timeutil.h"

#define FIXED_ROWS 5 /* three lines of figures, a blank, the table's head */

struct dash_screen {
	struct dialog d;
	struct console *c;
	size_t top;                 /* the first agent row shown */
	size_t rows_shown;          /* agent rows the last draw had room for */
};

/* ---- the agent table ----------------------------------------------------- */

typedef void cell_fn(const struct dashboard_agent *a, char *out, size_t len);

struct column {
	const char *head;
	int width;                  /* 0: the name, which takes what is left */
	cell_fn *cell;
};

/* online / away / offline as the hub sees the agent's consoles; "-" from a
 * hub without agents' status. */
static void cell_status(const struct dashboard_agent *a, char *out, size_t len)
{
	snprintf(out, len, "%s",
		 a->agent->status == AGENT_STATUS_NONE ? "-" : agent_status_name(a->agent->status));
}

/* Held, and beside it the agent's capacity when the hub has one: "2/3". */
static void cell_held(const struct dashboard_agent *a, char *out, size_t len)
{
	if (a->agent->status != AGENT_STATUS_NONE)
		snprintf(out, len, "%lld/%lld", (long long)a->held, (long long)a->agent->capacity);
	else
		snprintf(out, len, "%lld", (long long)a->held);
}

static void cell_late(const struct dashboard_agent *a, char *out, size_t len)
{
	snprintf(out, len, "%lld", (long long)a->breached);
}

static void cell_replies(const struct dashboard_agent *a, char *out, size_t len)
{
	snprintf(out, len, "%lld", (long long)a->replies_hour);
}

static void cell_median(const struct dashboard_agent *a, char *out, size_t len)
{
	if (a->median_first_ms < 0)
		snprintf(out, len, "-");
	else
		clock_format(a->median_first_ms / 1000, out, len);
}

static void cell_firsts(const struct dashboard_agent *a, char *out, size_t len)
{
	snprintf(out, len, "%zu", a->first_responses);
}

static const struct column columns[] = {
	{"Agent", 0, NULL},
	{"Status", 9, cell_status},
	{"Held/cap", 10, cell_held},
	{"Late", 6, cell_late},
	{"Replies/h", 11, cell_replies},
	{"Median 1st", 12, cell_median},
	{"Firsts", 8, cell_firsts},
};
#define NCOLUMNS (sizeof columns / sizeof *columns)

/* The name column's width at `inner` columns (numbers right-aligned
 * after it). */
static int name_width(int inner)
{
	int w = inner;

	for (size_t i = 1; i < NCOLUMNS; i++)
		w -= columns[i].width;
	return w < 8 ? 8 : w;
}

static void draw_head(struct console *c, const struct box *b, int row)
{
	int inner = b->w - 4, x = b->x + 2 + name_width(inner);
	attr_t a = c->attrs[EL_DIALOG] | A_BOLD;

	draw_str(b->y + row, b->x + 2, name_width(inner), columns[0].head, a);
	for (size_t i = 1; i < NCOLUMNS; i++) {
		int w = (int)strlen(columns[i].head);
		draw_str(b->y + row, x + columns[i].width - w, w, columns[i].head, a);
		x += columns[i].width;
	}
}

static void draw_agent(struct console *c, const struct box *b, int row,
		       const struct dashboard_agent *ag)
{
	int inner = b->w - 4, x = b->x + 2 + name_width(inner);
	attr_t a = c->attrs[EL_DIALOG];
	char cell[32];

	draw_untrusted(b->y + row, b->x + 2, name_width(inner) - 1, ag->agent->name, a);
	for (size_t i = 1; i < NCOLUMNS; i++) {
		columns[i].cell(ag, cell, sizeof cell);
		int w = (int)strlen(cell);
		draw_str(b->y + row, x + columns[i].width - w, w, cell,
			 columns[i].cell == cell_late && ag->breached ? c->attrs[EL_BREACH] : a);
		x += columns[i].width;
	}
}

/* ---- the figures --------------------------------------------------------- */

static void draw_figures(struct console *c, const struct box *b, const struct dashboard_figures *f)
{
	char line[256], wait[32] = "-";
	attr_t a = c->attrs[EL_DIALOG];

	if (f->longest_wait_ms >= 0)
		clock_format(f->longest_wait_ms / 1000, wait, sizeof wait);
	snprintf(line, sizeof line, "Waiting now %lld · longest wait %s · held by agents %lld",
		 (long long)f->waiting, wait, (long long)f->held);
	box_line(c, b, 1, line, f->waiting ? c->attrs[EL_WAITING] : a);

	if (!f->targets.first_response_s && !f->targets.next_response_s) {
		snprintf(line, sizeof line, "No wait-time targets set on the hub");
	} else {
		/* The word reads without colour; a target not set is left out. */
		char first[32], next[32];
		int n = snprintf(line, sizeof line, "%s",
				 f->breached_first || f->breached_next ? "BREACHED:" : "Breaches:");
		if (f->targets.first_response_s)
			n += snprintf(line + n, sizeof line - (size_t)n, " %lld waiting past %s",
				      (long long)f->breached_first,
				      clock_format(f->targets.first_response_s, first, sizeof first));
		if (f->targets.next_response_s)
			snprintf(line + n, sizeof line - (size_t)n, "%s %lld held past %s",
				 f->targets.first_response_s ? " ·" : "", (long long)f->breached_next,
				 clock_format(f->targets.next_response_s, next, sizeof next));
	}
	box_line(c, b, 2, line, f->breached_first || f->breached_next ? c->attrs[EL_BREACH] : a);

	snprintf(line, sizeof line,
		 "Today (UTC): %lld chat%s · %lld escalated · %lld taken over · %lld repl%s",
		 (long long)f->conversations, f->conversations == 1 ? "" : "s",
		 (long long)f->escalations, (long long)f->taken_over, (long long)f->replies,
		 f->replies == 1 ? "y" : "ies");
	box_line(c, b, 3, line, a);
}

static void dash_draw(struct console *c, struct dialog *d)
{
	struct dash_screen *s = (struct dash_screen *)d;
	struct dashboard *dash = session_dashboard(c->session);
	struct box b = box_draw(c, c->rows, c->cols, " Team dashboard — live ");
	int inner = b.h - 2;
	int64_t now = ts_now();
	struct dashboard_figures f;

	c->dialog_changes_at = 0;
	if (!dash || !dashboard_loaded(dash)) {
		box_line(c, &b, 1, session_dashboard_loading(c->session)
					   ? "Asking the hub for the team's figures..."
					   : "No figures (see the status line); r asks again",
			 c->attrs[EL_DIALOG]);
		box_keys(c, &b, inner, KC_DASHBOARD);
		return;
	}
	dashboard_tick(dash, now);
	dashboard_figures(dash, now, &f);
	draw_figures(c, &b, &f);
	draw_head(c, &b, FIXED_ROWS);

	/* The agents between the head and the keys, from `top`. */
	int room = inner - 1 - FIXED_ROWS;
	s->rows_shown = room > 0 ? (size_t)room : 0;
	if (s->top + s->rows_shown > f.nagents)
		s->top = f.nagents > s->rows_shown ? f.nagents - s->rows_shown : 0;
	for (size_t i = 0; i < s->rows_shown && s->top + i < f.nagents; i++) {
		struct dashboard_agent ag;
		dashboard_agent(dash, s->top + i, now, &ag);
		draw_agent(c, &b, FIXED_ROWS + 1 + (int)i, &ag);
	}
	if (!f.nagents)
		box_line(c, &b, FIXED_ROWS + 1, "No agents on this hub", c->attrs[EL_DIALOG]);
	box_keys(c, &b, inner, KC_DASHBOARD);

	int64_t at = dashboard_changes_at(dash, now);
	c->dialog_changes_at = at == INT64_MAX ? 0 : at;
}

/* ---- keys and life ------------------------------------------------------- */

static void on_change(void *ctx)
{
	struct dash_screen *s = ctx;

	console_dirty(s->c, DIRTY_DIALOG);
}

static void dash_move(struct console *c, long delta)
{
	struct dash_screen *s = (struct dash_screen *)c->dialog;

	if (delta < 0 && s->top < (size_t)-delta)
		s->top = 0;
	else
		s->top += (size_t)delta; /* the draw keeps the last page in view */
	console_dirty(c, DIRTY_DIALOG);
}

static void dash_down(struct console *c) { dash_move(c, 1); }
static void dash_up(struct console *c) { dash_move(c, -1); }

static void dash_refresh(struct console *c)
{
	struct errbuf err;

	if (!session_dashboard_refresh(c->session, &err))
		console_say(c, true, "Cannot read the team's figures: %s", err.msg);
	console_dirty(c, DIRTY_DIALOG);
}

static void dash_close(struct console *c) { console_dialog(c, NULL); }

const struct action dashboard_actions[] = {
	{"down", "Down", "The next agent", dash_down},
	{"up", "Up", "The agent above", dash_up},
	{"refresh", "Refresh", "Read the figures again (they follow the hub live anyway)",
	 dash_refresh},
	{"close", "Close", "Close the dashboard", dash_close},
};
const size_t ndashboard_actions = sizeof dashboard_actions / sizeof *dashboard_actions;

static void dash_free(struct dialog *d)
{
	struct dash_screen *s = (struct dash_screen *)d;

	session_dashboard_close(s->c->session);
	free(s);
}

static const struct dialog_class dash_class = {"dashboard", KC_DASHBOARD, dash_draw, NULL,
					       dash_free};

struct dialog *dialog_dashboard_new(struct console *c)
{
	struct dash_screen *s = calloc(1, sizeof *s);
	struct errbuf err;

	if (!s)
		return NULL;
	s->d.cls = &dash_class;
	s->c = c;
	if (!session_dashboard_open(c->session, on_change, s, &err)) {
		console_say(c, true, "Cannot read the team's figures: %s", err.msg);
		free(s);
		return NULL;
	}
	return &s->d;
}
