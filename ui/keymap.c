/*
 * keymap.c — the default key bindings of every context, the function bars,
 * and the config's bind lines (see actions.h). The defaults are the
 * contract of doc/handoff.1.
 */
#include <stdio.h>
#include <string.h>

#include "actions.h"
#include "keys.h"

struct binding {
	const char *key, *action;
};

#define N(a) (sizeof a / sizeof *a)

static const struct binding main_keys[] = {
	{"j", "down"},          {"Down", "down"},
	{"k", "up"},            {"Up", "up"},
	{"Enter", "open"},      {"Tab", "switch-pane"},
	{"/", "search"},
	{"1", "tab-waiting"},   {"2", "tab-mine"},
	{"3", "tab-all"},       {"4", "tab-search"},
	{"t", "takeover"},      {"b", "handback"},
	{"F", "force-takeover"}, {"S", "stop"},
	{"r", "reply"},         {"n", "note"},
	{"R", "rate"},          {"T", "retitle"},
	{"s", "status"},        {"a", "assign"},
	{"e", "retry"},         {"x", "drop"},
	{"i", "details"},
	{"PgUp", "page-up"},    {"PgDn", "page-down"},
	{"Home", "top"},        {"End", "bottom"},
	{"?", "help"},          {"F1", "help"},
	{"q", "quit"},          {"C-c", "quit"},
	{"Esc", "back"},
	{"C-l", "redraw"},
	{"5", "tab-view-1"},    {"6", "tab-view-2"},
	{"7", "tab-view-3"},    {"8", "tab-view-4"},
	{"9", "tab-view-5"},
	{"f", "filter"},        {"V", "save-view"},
	{"D", "delete-view"},
	{"c", "stats"},
	{"C-f", "find-messages"},
	{"A", "away"},          {"O", "accept-offer"},
	{"P", "pass-offer"},     {"d", "dashboard"},
};

static const struct binding composer_keys[] = {
	{"Enter", "send"}, {"M-Enter", "newline"}, {"Esc", "close"},
	{"C-r", "canned"}, {"/", "canned-at-start"},
};

static const struct binding edit_keys[] = {
	{"Left", "left"},       {"Right", "right"},
	{"Home", "home"},       {"C-a", "home"},
	{"End", "end"},         {"C-e", "end"},
	{"Backspace", "backspace"}, {"C-h", "backspace"},
	{"Delete", "delete"},
	{"C-k", "kill-to-end"}, {"C-u", "kill-to-start"}, {"C-w", "kill-word"},
	{"Up", "line-up"},      {"Down", "line-down"},
};

static const struct binding prompt_keys[] = {
	{"Enter", "confirm"}, {"Esc", "cancel"},
};

static const struct binding rate_keys[] = {
	{"Tab", "next-field"}, {"S-Tab", "previous-field"},
	{"Enter", "confirm"},  {"Esc", "cancel"},
};

static const struct binding status_keys[] = {
	{"o", "open"}, {"p", "pending"}, {"s", "solved"}, {"c", "closed"}, {"Esc", "cancel"},
};

static const struct binding assign_keys[] = {
	{"j", "down"}, {"Down", "down"}, {"k", "up"}, {"Up", "up"},
	{"Enter", "confirm"}, {"Esc", "cancel"},
};

static const struct binding confirm_keys[] = {
	{"y", "yes"}, {"Y", "yes"}, {"n", "no"}, {"N", "no"}, {"Esc", "no"},
};

static const struct binding help_keys[] = {
	{"j", "down"}, {"Down", "down"}, {"k", "up"}, {"Up", "up"},
	{"PgDn", "page-down"}, {"Space", "page-down"}, {"PgUp", "page-up"},
	{"Esc", "close"}, {"q", "close"}, {"?", "close"}, {"Enter", "close"},
};

/* Up/Down only: every character types into the filter. */
static const struct binding canned_keys[] = {
	{"Down", "down"}, {"C-n", "down"}, {"Up", "up"}, {"C-p", "up"},
	{"Enter", "confirm"}, {"Esc", "cancel"},
};

static const struct binding stats_keys[] = {
	{"r", "refresh"}, {"F5", "refresh"}, {"Esc", "close"}, {"q", "close"},
};

/* Up/Down only: every character types into the words. */
static const struct binding find_keys[] = {
	{"Down", "down"}, {"C-n", "down"}, {"Up", "up"}, {"C-p", "up"},
	{"Enter", "confirm"}, {"Esc", "cancel"},
};

static const struct binding dashboard_keys[] = {
	{"j", "down"}, {"Down", "down"}, {"k", "up"}, {"Up", "up"},
	{"r", "refresh"}, {"F5", "refresh"}, {"Esc", "close"}, {"q", "close"},
};

static const struct {
	const struct binding *b;
	size_t n;
} defaults[KC_COUNT] = {
	[KC_MAIN] = {main_keys, N(main_keys)},
	[KC_COMPOSER] = {composer_keys, N(composer_keys)},
	[KC_EDIT] = {edit_keys, N(edit_keys)},
	[KC_PROMPT] = {prompt_keys, N(prompt_keys)},
	[KC_RATE] = {rate_keys, N(rate_keys)},
	[KC_STATUS] = {status_keys, N(status_keys)},
	[KC_ASSIGN] = {assign_keys, N(assign_keys)},
	[KC_CONFIRM] = {confirm_keys, N(confirm_keys)},
	[KC_HELP] = {help_keys, N(help_keys)},
	[KC_CANNED] = {canned_keys, N(canned_keys)},
	[KC_STATS] = {stats_keys, N(stats_keys)},
	[KC_FIND] = {find_keys, N(find_keys)},
	[KC_DASHBOARD] = {dashboard_keys, N(dashboard_keys)},
};

/* The function bars: most relevant first, so a narrow screen keeps those;
 * the last entry (how to leave) is kept at every width. */
static const char *const list_bar[] = {
	"help", "open", "takeover", "reply", "search", "filter", "assign", "status", "handback",
	"quit", NULL,
};
static const char *const thread_bar[] = {
	"help", "reply", "note", "takeover", "handback", "switch-pane", "retitle", "rate",
	"status", "back", NULL,
};
static const char *const composer_bar[] = {"send", "newline", "canned", "close", NULL};
static const char *const prompt_bar[] = {"confirm", "cancel", NULL};
static const char *const rate_bar[] = {"next-field", "confirm", "cancel", NULL};
static const char *const status_bar[] = {"open", "pending", "solved", "closed", "cancel", NULL};
static const char *const assign_bar[] = {"down", "up", "confirm", "cancel", NULL};
static const char *const confirm_bar[] = {"yes", "no", NULL};
static const char *const help_bar[] = {"down", "up", "close", NULL};
static const char *const canned_bar[] = {"confirm", "down", "up", "cancel", NULL};
static const char *const stats_bar[] = {"refresh", "close", NULL};
static const char *const find_bar[] = {"confirm", "down", "up", "cancel", NULL};
static const char *const dashboard_bar[] = {"down", "up", "refresh", "close", NULL};

const struct key_context_def key_contexts[KC_COUNT] = {
	[KC_MAIN] = {"main", "The list and the thread",
		     "List marks: ! a customer waits for a human (escalated, nobody holds it), "
		     "* you hold the chat, > another agent holds it.",
		     actions, &nactions, {list_bar, thread_bar}},
	[KC_COMPOSER] = {"composer", "Writing a reply or a note",
			 "Keys that type nothing here (PgUp, PgDn...) still work on the thread.",
			 composer_actions, &ncomposer_actions, {composer_bar, NULL}},
	[KC_EDIT] = {"edit", "Editing any text field",
		     "Any other character is typed; typing over a selected old text replaces it.",
		     edit_actions, &nedit_actions, {NULL, NULL}},
	[KC_PROMPT] = {"prompt", "Search and title prompts", NULL, prompt_actions, &nprompt_actions,
		       {prompt_bar, NULL}},
	[KC_RATE] = {"rate", "Rating a conversation", "A digit 1-5 sets the score.", rate_actions,
		     &nrate_actions, {rate_bar, NULL}},
	[KC_STATUS] = {"status", "Ticket status", NULL, status_actions, &nstatus_actions,
		       {status_bar, NULL}},
	[KC_ASSIGN] = {"assign", "Assigning to an agent", NULL, assign_actions, &nassign_actions,
		       {assign_bar, NULL}},
	[KC_CONFIRM] = {"confirm", "Questions (quit, hand back, stop)", NULL, confirm_actions,
			&nconfirm_actions, {confirm_bar, NULL}},
	[KC_HELP] = {"help", "This help", NULL, help_actions, &nhelp_actions, {help_bar, NULL}},
	[KC_CANNED] = {"canned", "Picking a canned reply",
		       "Type to filter (letters of the name in order, or words of the text).",
		       canned_actions, &ncanned_actions, {canned_bar, NULL}},
	[KC_STATS] = {"stats", "The stats screen",
		      "Days are UTC; a platform's row shows the count its bridge reported (blank: "
		      "none reported).",
		      stats_actions, &nstats_actions, {stats_bar, NULL}},
	[KC_FIND] = {"find", "Searching the messages of every chat",
		     "Type words; a word finds its forms (refund: refunded). Matches show "
		     "[between brackets].",
		     find_actions, &nfind_actions, {find_bar, NULL}},
	[KC_DASHBOARD] = {"dashboard", "The team dashboard",
			  "Live from the hub's events. Late: held chats past the next-response "
			  "target; Median 1st: escalation to takeover, today (UTC).",
			  dashboard_actions, &ndashboard_actions, {dashboard_bar, NULL}},
};

const struct action *action_find(enum key_context kc, const char *name)
{
	const struct key_context_def *d = &key_contexts[kc];

	for (size_t i = 0; i < *d->nactions; i++)
		if (strcmp(d->actions[i].name, name) == 0)
			return &d->actions[i];
	return NULL;
}

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

static int context_named(const char *name)
{
	for (int i = 0; i < KC_COUNT; i++)
		if (strcmp(key_contexts[i].name, name) == 0)
			return i;
	return -1;
}

/* Bind `key` to `name` in context kc; false with why. */
static bool bind_one(struct keymap *km, enum key_context kc, const char *key, const char *name,
		     char *why, size_t whylen)
{
	int k = key_parse(key);
	if (k < 0) {
		snprintf(why, whylen, "\"%s\" is not a key (j, R, Enter, C-a, M-Enter, PgUp, F1...)",
			 key);
		return false;
	}
	const struct action *a = NULL;
	if (strcmp(name, "none") != 0 && !(a = action_find(kc, name))) {
		snprintf(why, whylen, "no action \"%s\" in %s (see the help screen, ?)", name,
			 key_contexts[kc].name);
		return false;
	}
	if (!keymap_set(&km[kc], k, a)) {
		snprintf(why, whylen, "too many key bindings");
		return false;
	}
	return true;
}

/* "KEY ACTION" or "CONTEXT KEY ACTION" of one bind line. A key name is
 * never a context name (those are words), so the count of words decides. */
static bool apply_bind(struct keymap km[KC_COUNT], const char *spec, char *why, size_t whylen)
{
	char w[3][64], extra[2];
	int n = sscanf(spec, "%63s %63s %63s %1s", w[0], w[1], w[2], extra);

	if (n == 2)
		return bind_one(km, KC_MAIN, w[0], w[1], why, whylen);
	if (n == 3) {
		int kc = context_named(w[0]);
		if (kc < 0) {
			snprintf(why, whylen, "no key context \"%s\" (main, composer, edit, prompt, "
				 "rate, status, assign, confirm, help, canned, find)", w[0]);
			return false;
		}
		return bind_one(km, (enum key_context)kc, w[1], w[2], why, whylen);
	}
	snprintf(why, whylen, "expected \"bind = [CONTEXT] KEY ACTION\"");
	return false;
}

bool keymap_init(struct keymap km[KC_COUNT], const struct config *cfg, struct errbuf *err)
{
	char why[200];

	for (int kc = 0; kc < KC_COUNT; kc++) {
		km[kc].n = 0;
		for (size_t i = 0; i < defaults[kc].n; i++)
			if (!bind_one(km, (enum key_context)kc, defaults[kc].b[i].key,
				      defaults[kc].b[i].action, why, sizeof why))
				return errbuf_set(err, "built-in key %s: %s", defaults[kc].b[i].key,
						  why);
	}
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

void keymap_keys_of(const struct keymap *km, const struct action *a, char *out, size_t len)
{
	size_t k = 0;
	char name[32];

	out[0] = '\0';
	for (size_t i = 0; i < km->n && k + 1 < len; i++) {
		if (km->b[i].action != a)
			continue;
		key_format(km->b[i].key, name, sizeof name);
		int w = snprintf(out + k, len - k, "%s%s", k ? " " : "", name);
		if (w < 0 || (size_t)w >= len - k) {
			out[k] = '\0';
			break;
		}
		k += (size_t)w;
	}
}

const char *keymap_name(const struct keymap km[KC_COUNT], enum key_context kc, const char *name,
			char *out, size_t len)
{
	const struct action *a = action_find(kc, name);
	int k = a ? keymap_key_of(&km[kc], a) : -1;

	if (k < 0)
		snprintf(out, len, "(unbound)");
	else
		key_format(k, out, len);
	return out;
}
