/*
 * dialogs.h — the console's modal dialogs, each a struct dialog_class
 * (console.h) with its own key context (actions.h); by default Esc backs
 * out and Enter confirms.
 *
 *   help      every key of every context, from the tables (help.c)
 *   prompt    one line of text: the search, a new title (the old one
 *             selected: typing replaces it), the list's filter (with the
 *             fields it takes), a saved view's name
 *   rate      a score 1..5 (a digit), optional feedback and suggested answer
 *             (Tab moves between the fields)
 *   status    o open, p pending, s solved, c closed
 *   assign    a list of agents (j/k, Enter), fetched when it opens
 *   canned    the canned reply picker: a filter field and the replies
 *             matching it, best first (Up/Down, Enter inserts into the
 *             composer), fetched when it opens (dialog_canned.c)
 *   stats     the daily counts of the last 30 days as bar charts, fetched
 *             when it opens and on refresh (dialog_stats.c)
 *   dashboard the team's figures, live: one snapshot, then the events
 *             (dialog_dashboard.c)
 *   find      the message search: a field for words, Enter lists the
 *             newest messages holding them (Up/Down), Enter on the list
 *             opens the chat at that message (dialog_find.c)
 *   confirm   a y/n question: quit while replies are sending, hand back a
 *             colleague's chat, force a takeover, stop a conversation
 */
#ifndef HANDOFF_UI_DIALOGS_H
#define HANDOFF_UI_DIALOGS_H

#include <stddef.h>

#include "console.h"

enum prompt_kind { PROMPT_SEARCH, PROMPT_RETITLE, PROMPT_FILTER, PROMPT_VIEW_NAME };

struct dialog *dialog_help_new(void);
struct dialog *dialog_prompt_new(enum prompt_kind kind, const char *chat_id, const char *initial);
struct dialog *dialog_rate_new(const char *chat_id);
struct dialog *dialog_status_new(const char *chat_id);
struct dialog *dialog_assign_new(struct console *c, const char *chat_id);
struct dialog *dialog_quit_new(size_t unsent);
struct dialog *dialog_canned_new(struct console *c);
struct dialog *dialog_stats_new(struct console *c);
struct dialog *dialog_find_new(struct console *c);
struct dialog *dialog_dashboard_new(struct console *c);

/* What "yes" does, on the chat the question was about. */
typedef void confirm_fn(struct console *c, const char *chat_id);
struct dialog *dialog_confirm_new(const char *question, confirm_fn *yes, const char *chat_id);

#endif
