/*
 * views.h — the parts of the screen, each drawing itself from the store
 * and the console's state into its rectangle of the layout:
 *
 *   view_bars.c     header (tabs, counts, connection, agent), status
 *                   line, function bar
 *   view_list.c     the chat list of the current tab
 *   view_thread.c   the open thread and the composer under it
 *   view_details.c  the customer details: a side pane or an overlay
 */
#ifndef HANDOFF_UI_VIEWS_H
#define HANDOFF_UI_VIEWS_H

#include "console.h"

void header_draw(struct console *c);
void status_draw(struct console *c);
void fbar_draw(struct console *c);

void list_draw(struct console *c);
/* Move the selection by `delta` rows (clamped); true when it moved. */
bool list_move(struct console *c, long delta);
/* The selection to the last row, and it stays on the last row while
 * pages and chats come in below, until the next move. */
void list_end(struct console *c);
/* Chats a screenful of the list holds (for paging; at least 1). */
long list_page_rows(const struct console *c);
/* Select the row at screen line y (a mouse click); true when there is one. */
bool list_click(struct console *c, int y);
/* Keep the selection valid after the list changed: the same chat if it is
 * still listed, else the row where it was; the first row until the agent
 * moved it or the tab's first page came. */
void list_follow(struct console *c, size_t old_index);
/* A tab (or search) shown afresh: from its top, the selection on its
 * first row. */
void list_reset(struct console *c);

void thread_view_draw(struct console *c);
/* Scroll the thread by `rows` (positive: up, into history); the top loads
 * older messages from the hub as it comes into view. */
void thread_view_scroll(struct console *c, int rows);
void thread_view_to_bottom(struct console *c);
void thread_view_to_top(struct console *c);
/* The open chat as the store now holds it: a line in the thread when its
 * ticket status changed. `reset` after opening another chat. */
void thread_view_ticket_seen(struct console *c, const struct chat *ch, bool reset);
/* Rows of the thread pane (for paging). */
int thread_view_page_rows(const struct console *c);

/* The customer details of the chat looked at (the open thread's, else
 * the selected one): show them (with the keys) or hide them. */
void details_toggle(struct console *c);
void details_hide(struct console *c);
/* The keys back to the list or thread; an overlay closes. */
void details_leave(struct console *c);
/* Move the selection among the earlier chats by `delta` (clamped). */
void details_move(struct console *c, long delta);
/* Open the selected earlier chat in the thread. */
void details_open_selected(struct console *c);
/* Rows the earlier chats get (for paging; at least 1). */
long details_page_rows(const struct console *c);
/* Ask for the details again when the chat looked at is another
 * customer's; called before each frame. */
void details_follow(struct console *c);
void details_draw(struct console *c);
/* Forget what they hold (the console is ending). */
void details_free(struct console *c);

/* Where the cursor goes (in the composer when it is open, else hidden). */
void composer_place_cursor(struct console *c);
/* Rows the composer takes at the bottom of the thread pane. */
int composer_rows(const struct console *c);

#endif
