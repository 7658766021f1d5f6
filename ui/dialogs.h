/*
 * dialogs.h — the console's modal dialogs, each a struct dialog_class
 * (console.h): Esc always backs out, Enter confirms.
 *
 *   help      every action with its key, from the same tables the keys use
 *   prompt    one line of text: the search, a new title
 *   rate      a score 1..5 (a digit), optional feedback and suggested answer
 *             (Tab moves between the fields)
 *   status    o open, p pending, s solved, c closed
 *   assign    a list of agents (j/k, Enter), fetched when it opens
 *   quit      "replies are still sending: quit anyway?" (y/n)
 */
#ifndef HANDOFF_UI_DIALOGS_H
#define HANDOFF_UI_DIALOGS_H

#include <stddef.h>

#include "console.h"

enum prompt_kind { PROMPT_SEARCH, PROMPT_RETITLE };

struct dialog *dialog_help_new(void);
struct dialog *dialog_prompt_new(enum prompt_kind kind, const char *chat_id, const char *initial);
struct dialog *dialog_rate_new(const char *chat_id);
struct dialog *dialog_status_new(const char *chat_id);
struct dialog *dialog_assign_new(struct console *c, const char *chat_id);
struct dialog *dialog_quit_new(size_t unsent);

#endif
