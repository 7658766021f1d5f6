/*
 * screen.c — curses set-up, themes as attributes, and the frame.
 */
#include <stdlib.h>
#include <string.h>

#include "screen.h"
#include "termkeys.h"
#include "trace.h"
#include "views.h"

static SCREEN *screen; /* non-NULL while curses runs */

/* Theme attribute bits to curses ones. */
static attr_t curses_attrs(unsigned bits)
{
	attr_t a = A_NORMAL;

	if (bits & THEME_BOLD)
		a |= A_BOLD;
	if (bits & THEME_DIM)
		a |= A_DIM;
	if (bits & THEME_UNDERLINE)
		a |= A_UNDERLINE;
	if (bits & THEME_REVERSE)
		a |= A_REVERSE;
	if (bits & THEME_ITALIC)
		a |= A_ITALIC;
	return a;
}

static void apply_theme(struct console *c, const struct theme *t, bool colour)
{
	for (int e = 0; e < EL_COUNT; e++) {
		const struct theme_attr *ta = &t->el[e];
		c->attrs[e] = curses_attrs(ta->attrs);
		if (!colour)
			continue;
		short pair = (short)(e + 1);
		init_pair(pair, theme_color_fit(ta->fg, COLORS), theme_color_fit(ta->bg, COLORS));
		c->attrs[e] |= COLOR_PAIR(pair);
	}
}

bool screen_start(struct console *c, const char *theme_name, struct errbuf *err)
{
	struct theme theme;
	const char *no_color = getenv("NO_COLOR");

	if (!theme_load(&theme, theme_name, err))
		return false;
	/* Esc must answer at once, not after ncurses' default second spent
	 * waiting for the rest of an escape sequence. */
	trace_init();
	set_escdelay(25);
	if (!(screen = newterm(NULL, stdout, stdin)))
		return errbuf_set(err, "cannot use this terminal (TERM=%s)",
				  getenv("TERM") ? getenv("TERM") : "unset");
	raw();        /* Ctrl-C, Ctrl-Z reach us as keys: q quits, safely */
	noecho();
	nonl();       /* Enter is '\r' */
	keypad(stdscr, TRUE);
	termkeys_define();
	nodelay(stdscr, TRUE);
	curs_set(0);
	mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	mouseinterval(0);
	bool colour = has_colors() && !(no_color && *no_color) && strcmp(theme_name, "mono") != 0;
	if (colour) {
		start_color();
		use_default_colors();
		if (COLOR_PAIRS <= EL_COUNT)
			colour = false;
	}
	if (!colour && !theme_load(&theme, "mono", err))
		return false;
	apply_theme(c, &theme, colour);
	screen_resize(c);
	return true;
}

void screen_end(void)
{
	if (!screen)
		return;
	endwin();
	delscreen(screen);
	screen = NULL;
}

void screen_resize(struct console *c)
{
	getmaxyx(stdscr, c->rows, c->cols);
	layout_compute(&c->layout, c->rows, c->cols, c->focus);
	if (c->details.shown)
		layout_details(&c->layout, c->cols);
	c->resized = true;
	c->dirty = DIRTY_ALL;
}

unsigned screen_frame(struct console *c)
{
	const uint64_t gap = SCREEN_FRAME_GAP_MS * 1000000ull;

	details_follow(c);
	if (!c->dirty)
		return 0;
	uint64_t since = uv_hrtime() - c->frame_ns;
	if (c->frame_ns && since < gap)
		return (unsigned)((gap - since + 999999) / 1000000);
	if (c->resized) {
		/* The one clear: after a resize the old picture is wrong anyway. */
		clear();
		c->resized = false;
	}
	unsigned d = c->dirty;
	c->dirty = 0;
	if (d & DIRTY_HEADER)
		header_draw(c);
	if (d & DIRTY_LIST)
		list_draw(c);
	if (d & DIRTY_THREAD)
		thread_view_draw(c);
	if (d & DIRTY_STATUS)
		status_draw(c);
	if (d & DIRTY_FBAR)
		fbar_draw(c);
	/* Over the panes when it is an overlay, beside the thread else. */
	if (d & (DIRTY_DETAILS | DIRTY_LIST | DIRTY_THREAD))
		details_draw(c);
	/* A dialog sits on top of whatever was redrawn under it. */
	if (c->dialog && (d & (DIRTY_DIALOG | DIRTY_DETAILS | DIRTY_LIST | DIRTY_THREAD)))
		c->dialog->cls->draw(c, c->dialog);
	composer_place_cursor(c);
	wnoutrefresh(stdscr);
	doupdate();
	c->frame_ns = uv_hrtime();
	if (trace_on()) {
		const struct thread *t = store_thread(c->store, console_open(c));
		trace_frame(view_count(store_view(c->store, tab_view(c->tab))),
			    t ? thread_newest_loaded(t) : 0, session_loading(c->session),
			    (int64_t)c->thread_in_ns);
		c->thread_in_ns = 0;
	}
	return 0;
}
