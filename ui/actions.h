/*
 * actions.h — what the agent can do, as a table (tmux's cmd_entry idea),
 * and the key bindings that point into it.
 *
 * The help screen, the function bar and the config file's
 * `bind = KEY ACTION` lines all read these tables, so a key shown is a key
 * that works. The default keys are a contract (doc/handoff.1): rebinding
 * adds or moves keys, the defaults stay documented.
 */
#ifndef HANDOFF_UI_ACTIONS_H
#define HANDOFF_UI_ACTIONS_H

#include <stddef.h>

#include "errbuf.h"
#include "settings.h"

struct console;

typedef void action_fn(struct console *c);

struct action {
	const char *name;    /* as in bind lines: "takeover" */
	const char *label;   /* on the function bar ("Take"), or NULL */
	const char *help;    /* one line on the help screen */
	action_fn *run;
};

extern const struct action actions[];
extern const size_t nactions;

const struct action *action_find(const char *name);

#define KEYMAP_MAX 128

struct keymap {
	struct {
		int key;
		const struct action *action;
	} b[KEYMAP_MAX];
	size_t n;
};

/* The default bindings, then the config's `bind = KEY ACTION` lines in
 * order (ACTION "none" unbinds the key); a bad line is an error naming
 * the config file's line. */
bool keymap_init(struct keymap *km, const struct config *cfg, struct errbuf *err);

/* The action bound to `key`, or NULL. */
const struct action *keymap_lookup(const struct keymap *km, int key);

/* The first key bound to `a` (-1 when none): what help and the function
 * bar show. */
int keymap_key_of(const struct keymap *km, const struct action *a);

#endif
