/*
 * saved_views.c — the filter, and views saved to the config file (see
 * saved_views.h).
 */
#include <stdio.h>
#include <string.h>

#include "actions.h"
#include "dialogs.h"
#include "saved_views.h"
#include "views.h"

/* Give saved view slot i the filter of c->saved[i] (none past nsaved). */
static void load_slot(struct console *c, size_t i)
{
	struct errbuf err;

	if (!session_filter(c->session, (enum view_kind)(VIEW_SAVED + i),
			    i < c->nsaved ? &c->saved[i].spec : NULL, &err))
		console_say(c, true, "%s", err.msg);
}

void saved_views_start(struct console *c)
{
	c->nsaved = c->cfg->nviews;
	memcpy(c->saved, c->cfg->views, c->nsaved * sizeof *c->saved);
	for (size_t i = 0; i < c->nsaved; i++)
		load_slot(c, i);
}

bool saved_views_tab_shown(const struct console *c, enum tab t)
{
	if (t == TAB_FILTER)
		return store_filter(c->store, VIEW_FILTER) != NULL;
	return t < TAB_VIEW || (size_t)(t - TAB_VIEW) < c->nsaved;
}

const struct view_spec *saved_views_current(const struct console *c)
{
	return c->tab >= TAB_VIEW ? store_filter(c->store, tab_view(c->tab)) : NULL;
}

bool saved_views_filter(struct console *c, const char *text)
{
	struct view_spec spec;
	struct errbuf err;

	if (!view_spec_parse(text, &spec, &err)) {
		console_say(c, true, "%s", err.msg);
		return false;
	}
	bool none = view_spec_empty(&spec);
	if (!session_filter(c->session, VIEW_FILTER, none ? NULL : &spec, &err)) {
		console_say(c, true, "%s", err.msg);
		return false;
	}
	tab_show(c, none ? TAB_ALL : TAB_FILTER);
	return true;
}

bool saved_views_save(struct console *c, const char *name)
{
	const struct view_spec *spec = saved_views_current(c);
	struct errbuf err;
	size_t i = 0;

	if (!spec)
		return false;
	if (!c->cfg->file) {
		console_say(c, true, "No config file to save to (HOME is not set)");
		return false;
	}
	while (i < c->nsaved && strcmp(c->saved[i].name, name) != 0)
		i++;
	if (i == VIEW_SAVED_MAX) {
		console_say(c, true, "At most %d views; delete one first", VIEW_SAVED_MAX);
		return false;
	}
	struct config_view v = {.spec = *spec};
	snprintf(v.name, sizeof v.name, "%s", name);
	if (!config_save_view(c->cfg->file, name, spec, &err)) {
		console_say(c, true, "%s", err.msg);
		return false;
	}
	c->saved[i] = v;
	if (i == c->nsaved)
		c->nsaved++;
	load_slot(c, i);
	/* The filter became the view: one tab for it, not two. */
	session_filter(c->session, VIEW_FILTER, NULL, NULL);
	tab_show(c, (enum tab)(TAB_VIEW + i));
	console_say(c, false, "View %s saved as tab %zu", name, (size_t)TAB_VIEW + i + 1);
	return true;
}

/* ---- actions --------------------------------------------------------------- */

void act_filter(struct console *c)
{
	char text[VIEW_SPEC_LEN] = "";
	const struct view_spec *spec = saved_views_current(c);

	if (spec)
		view_spec_format(spec, text, sizeof text);
	console_dialog(c, dialog_prompt_new(PROMPT_FILTER, "", text));
}

void act_save_view(struct console *c)
{
	char key[32];

	if (!saved_views_current(c)) {
		console_say(c, true, "Filter the list first (%s), then save it as a view",
			    keymap_name(c->keys, KC_MAIN, "filter", key, sizeof key));
		return;
	}
	console_dialog(c, dialog_prompt_new(PROMPT_VIEW_NAME, "",
					    c->tab == TAB_FILTER ? "" : c->saved[c->tab - TAB_VIEW].name));
}

/* The confirm dialog hands on a chat id; the view to delete is the tab. */
static void delete_view(struct console *c, const char *unused)
{
	size_t i = (size_t)(c->tab - TAB_VIEW);
	struct errbuf err;

	(void)unused;
	if (c->tab < TAB_VIEW || i >= c->nsaved)
		return;
	if (!config_save_view(c->cfg->file, c->saved[i].name, NULL, &err)) {
		console_say(c, true, "%s", err.msg);
		return;
	}
	console_say(c, false, "View %s deleted", c->saved[i].name);
	/* The views after it move a tab to the left. */
	memmove(&c->saved[i], &c->saved[i + 1], (c->nsaved - i - 1) * sizeof *c->saved);
	c->nsaved--;
	for (size_t k = i; k <= c->nsaved; k++)
		load_slot(c, k);
	tab_show(c, TAB_ALL);
}

void act_delete_view(struct console *c)
{
	char q[160];

	if (c->tab < TAB_VIEW || c->tab == TAB_FILTER) {
		console_say(c, true, "Go to a saved view's tab (5-9) to delete it");
		return;
	}
	if (!c->cfg->file) {
		console_say(c, true, "No config file (HOME is not set)");
		return;
	}
	snprintf(q, sizeof q, "Delete the view %s? It leaves the config file.",
		 c->saved[c->tab - TAB_VIEW].name);
	console_dialog(c, dialog_confirm_new(q, delete_view, ""));
}

/* Keys 5..9: the saved view of that tab, if there is one. */
static void tab_view_n(struct console *c, size_t i)
{
	char filter[32], save[32];

	if (i >= c->nsaved) {
		console_say(c, true, "No view %zu: filter the list (%s), then save it (%s)",
			    (size_t)TAB_VIEW + i + 1,
			    keymap_name(c->keys, KC_MAIN, "filter", filter, sizeof filter),
			    keymap_name(c->keys, KC_MAIN, "save-view", save, sizeof save));
		return;
	}
	tab_show(c, (enum tab)(TAB_VIEW + i));
}

void act_tab_view1(struct console *c) { tab_view_n(c, 0); }
void act_tab_view2(struct console *c) { tab_view_n(c, 1); }
void act_tab_view3(struct console *c) { tab_view_n(c, 2); }
void act_tab_view4(struct console *c) { tab_view_n(c, 3); }
void act_tab_view5(struct console *c) { tab_view_n(c, 4); }
