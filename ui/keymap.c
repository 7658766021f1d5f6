/*
 * keymap.c — the default key bindings and the config's bind lines (see
 * actions.h). The defaults are the contract of issue 5 and doc/handoff.1.
 */
#include <stdio.h>
#include <string.h>

#include "actions.h"
#include "keys.h"

static const struct {
	const char *key;
	const char *action;
} defaults[] = {
	{"j", "down"},          {"Down", "down"},
	{"k", "up"},            {"Up", "up"},
	{"Enter", "open"},      {"Tab", "switch-pane"},
	{"/", "search"},
	{"1", "tab-waiting"},   {"2", "tab-mine"},
	{"3", "tab-all"},       {"4", "tab-search"},
	{"t", "takeover"},      {"b", "handback"},
	{"r", "reply"},         {"n", "note"},
	{"R", "rate"},          {"T", "retitle"},
	{"s", "status"},        {"a", "assign"},
	{"e", "retry"},         {"x", "drop"},
	{"PgUp", "page-up"},    {"PgDn", "page-down"},
	{"Home", "top"},        {"End", "bottom"},
	{"?", "help"},          {"F1", "help"},
	{"q", "quit"},          {"C-c", "quit"},
	{"Esc", "back"},
	{"C-l", "redraw"},
};

/* Bind `key` to `a` (NULL: unbind), replacing what it had. */
static bool keymap_set(struct keymap *km, int key, const struct action *a)
{
	for (size_t i = 0; i < km->n; i++) {
		if (km->b[i].key != key)
			continue;
		if (a) {
			km->b[i].action = a;
		} else {
			memmove(&km->b[i], &km->b[i + 1], (km->n - i - 1) * sizeof km->b[0]);
			km->n--;
		}
		return true;
	}
	if (!a)
		return true;
	if (km->n == KEYMAP_MAX)
		return false;
	km->b[km->n].key = key;
	km->b[km->n].action = a;
	km->n++;
	return true;
}

/* "KEY ACTION" of one bind line. */
static bool apply_bind(struct keymap *km, const char *spec, char *why, size_t whylen)
{
	char key[32], name[64], extra[2];
	int n = sscanf(spec, "%31s %63s %1s", key, name, extra);

	if (n != 2) {
		snprintf(why, whylen, "expected \"bind = KEY ACTION\"");
		return false;
	}
	int k = key_parse(key);
	if (k < 0) {
		snprintf(why, whylen, "\"%s\" is not a key (j, R, Enter, C-a, M-Enter, PgUp, F1...)",
			 key);
		return false;
	}
	const struct action *a = NULL;
	if (strcmp(name, "none") != 0 && !(a = action_find(name))) {
		snprintf(why, whylen, "no action \"%s\" (see the help screen, ?)", name);
		return false;
	}
	if (!keymap_set(km, k, a)) {
		snprintf(why, whylen, "too many key bindings");
		return false;
	}
	return true;
}

bool keymap_init(struct keymap *km, const struct config *cfg, struct errbuf *err)
{
	char why[160];

	km->n = 0;
	for (size_t i = 0; i < sizeof defaults / sizeof *defaults; i++)
		keymap_set(km, key_parse(defaults[i].key), action_find(defaults[i].action));
	for (size_t i = 0; cfg && i < cfg->nbinds; i++)
		if (!apply_bind(km, cfg->binds[i].spec, why, sizeof why))
			return errbuf_set(err, "%s:%u: %s", cfg->file ? cfg->file : "config",
					  cfg->binds[i].line, why);
	return true;
}

const struct action *keymap_lookup(const struct keymap *km, int key)
{
	for (size_t i = 0; i < km->n; i++)
		if (km->b[i].key == key)
			return km->b[i].action;
	return NULL;
}

int keymap_key_of(const struct keymap *km, const struct action *a)
{
	for (size_t i = 0; i < km->n; i++)
		if (km->b[i].action == a)
			return km->b[i].key;
	return -1;
}
