/*
 * pane.c — the list and the thread as panes (see pane.h).
 */
#include "pane.h"
#include "views.h"

static void list_step(struct console *c, int dir) { list_move(c, dir); }
static void list_page(struct console *c, int dir) { list_move(c, dir * list_page_rows(c)); }

/* Home to the first row; End to the last, and it follows the end as more
 * pages come. */
static void list_edge(struct console *c, int dir)
{
	if (dir > 0)
		list_end(c);
	else
		list_move(c, -(long)view_count(store_view(c->store, tab_view(c->tab))));
}

/* The thread counts rows up from the bottom: down is a negative scroll. */
static void thread_pane_step(struct console *c, int dir) { thread_view_scroll(c, -dir); }

/* A page less one row, so the last line read stays in view. */
static void thread_pane_page(struct console *c, int dir)
{
	thread_view_scroll(c, -dir * (thread_view_page_rows(c) - 1));
}

static void thread_pane_edge(struct console *c, int dir)
{
	if (dir > 0)
		thread_view_to_bottom(c);
	else
		thread_view_to_top(c);
}

/* The customer details move their selection among the earlier chats. */
static void details_step(struct console *c, int dir) { details_move(c, dir); }
static void details_page(struct console *c, int dir) { details_move(c, dir * details_page_rows(c)); }
static void details_edge(struct console *c, int dir) { details_move(c, dir * (long)c->details.n); }

static const struct pane_class list_pane = {"list", list_step, list_page, list_edge};
static const struct pane_class thread_pane = {"thread", thread_pane_step, thread_pane_page, thread_pane_edge};

static const struct pane_class details_pane = {"details", details_step, details_page,
						      details_edge};

const struct pane_class *pane_focused(const struct console *c)
{
	if (c->details.shown && c->details.focused)
		return &details_pane;
	return console_open(c)[0] && c->focus == PANE_THREAD ? &thread_pane : &list_pane;
}
