/*
 * actions.h — what the agent can do, as tables (tmux's cmd_entry idea),
 * one per key context, and the key bindings that point into them.
 *
 * Every key the console answers comes from these tables: the list and the
 * thread ("main"), the composer, the editing keys of every text field
 * ("edit"), and each dialog. The help screen, the function bar and the
 * config file's `bind` lines all read them, so a key shown is a key that
 * works. The default keys are a contract (doc/handoff.1): rebinding adds or
 * moves keys, the defaults stay documented.
 */
#ifndef HANDOFF_UI_ACTIONS_H
#define HANDOFF_UI_ACTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "errbuf.h"
#include "settings.h"

struct console;
struct chat;

/* Dialog actions find their dialog as c->dialog, editing actions their
 * text field as c->field (editkeys.h). */
typedef void action_fn(struct console *c);

struct action {
	const char *name;    /* as in bind lines: "takeover" */
	const char *label;   /* on the function bar ("Take"), or NULL */
	const char *help;    /* one line on the help screen */
	action_fn *run;
};

/* The contexts keys are looked up in. A dialog names its own; the
 * composer's keys go to the composer, then to the edit context, then
 * (for keys that type nothing) to main. */
enum key_context {
	KC_MAIN,        /* the list and the thread */
	KC_COMPOSER,
	KC_EDIT,        /* every text field: composer, prompts, rating */
	KC_PROMPT,      /* search, title */
	KC_RATE,
	KC_STATUS,
	KC_ASSIGN,
	KC_CONFIRM,     /* y/n questions: quit, hand back, stop */
	KC_HELP,
	KC_CANNED,      /* the canned reply picker */
	KC_STATS,       /* the stats screen */
	KC_FIND,        /* the message search */
	KC_DASHBOARD,   /* the team dashboard */
	KC_COUNT
};

struct key_context_def {
	const char *name;             /* in bind lines: "composer" */
	const char *title;            /* the help screen's heading */
	const char *note;             /* a line under it (what is not a key), or NULL */
	const struct action *actions;
	const size_t *nactions;
	/* Function bars: action names in the order shown, the last one kept
	 * at every width; [1] is the thread pane's (main only). */
	const char *const *bar[2];
};

extern const struct key_context_def key_contexts[KC_COUNT];

/* The tables, each next to the code it runs. */
extern const struct action actions[], composer_actions[], edit_actions[], prompt_actions[],
	rate_actions[], status_actions[], assign_actions[], confirm_actions[], help_actions[],
	canned_actions[], stats_actions[], find_actions[], dashboard_actions[];
extern const size_t nactions, ncomposer_actions, nedit_actions, nprompt_actions, nrate_actions,
	nstatus_actions, nassign_actions, nconfirm_actions, nhelp_actions, ncanned_actions,
	nstats_actions, nfind_actions, ndashboard_actions;

/* The action `name` of context kc, or NULL. */
const struct action *action_find(enum key_context kc, const char *name);

#define KEYMAP_MAX 128

struct keymap {
	struct {
		int key;
		const struct action *action;
	} b[KEYMAP_MAX];
	size_t n;
};

/* Each context's default bindings, then the config's bind lines in order:
 * `bind = KEY ACTION` (main) or `bind = CONTEXT KEY ACTION`; ACTION
 * "none" unbinds the key. A bad line is an error naming the config file's
 * line, and a default naming no action is an error too (never skipped). */
bool keymap_init(struct keymap km[KC_COUNT], const struct config *cfg, struct errbuf *err);

/* The action bound to `key`, or NULL. */
const struct action *keymap_lookup(const struct keymap *km, int key);

/* The first key bound to `a` (-1 when none): what the function bar shows. */
int keymap_key_of(const struct keymap *km, const struct action *a);

/* Every key bound to `a`, as names separated by spaces ("" when none). */
void keymap_keys_of(const struct keymap *km, const struct action *a, char *out, size_t len);

/* The name of the first key of context kc's action `name` ("t"), or
 * "(unbound)": for messages that name a key, which must name the one in
 * effect. Returns out. */
const char *keymap_name(const struct keymap km[KC_COUNT], enum key_context kc, const char *name,
			char *out, size_t len);

/* Whether the signed-in agent holds `ch`. */
bool chat_is_mine(const struct console *c, const struct chat *ch);

#endif
