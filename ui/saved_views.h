/*
 * saved_views.h — the chat list's filter and the saved views: the filter
 * prompt applies a view spec (src/client/viewspec.h) as the Filter tab,
 * a view is saved under a name to the config file and becomes a tab
 * (keys 5..9) with a live count, as the queues have.
 *
 * Each is a session view with its own filter: its first page comes from
 * the hub's GET /v1/chats with the spec's filters, events keep it live, and
 * further pages load as the queues' do (view_list.c).
 */
#ifndef HANDOFF_UI_SAVED_VIEWS_H
#define HANDOFF_UI_SAVED_VIEWS_H

#include "console.h"

/* The config file's views become tabs (before the session starts). */
void saved_views_start(struct console *c);

/* Whether tab t is shown: a queue, a saved view that exists, the Filter
 * tab while a filter is set. */
bool saved_views_tab_shown(const struct console *c, enum tab t);

/* The filter of the current tab, NULL for the queues and the search. */
const struct view_spec *saved_views_current(const struct console *c);

/* The filter prompt's Enter: apply `text` (empty: no filter); false, with
 * the reason on the status line, when it is not a view spec. */
bool saved_views_filter(struct console *c, const char *text);

/* The name prompt's Enter: save the current tab's filter as view `name`
 * (replacing one of that name) and show its tab; false, with the reason
 * on the status line, when that cannot be done. */
bool saved_views_save(struct console *c, const char *name);

/* The main context's actions (the table is actions.c's). */
void act_filter(struct console *c);
void act_save_view(struct console *c);
void act_delete_view(struct console *c);
void act_tab_view1(struct console *c);
void act_tab_view2(struct console *c);
void act_tab_view3(struct console *c);
void act_tab_view4(struct console *c);
void act_tab_view5(struct console *c);

#endif
