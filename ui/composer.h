/*
 * composer.h — typing a reply or an internal note under the open thread.
 *
 * Enter sends (into the outbox: safe on disk before it goes), Alt-Enter
 * starts a new line, Esc closes it and keeps the draft (r reopens it), and
 * the shell's editing keys work: arrows, Home/End, Ctrl-A/E/K/U/W,
 * Backspace, Delete.
 */
#ifndef HANDOFF_UI_COMPOSER_H
#define HANDOFF_UI_COMPOSER_H

#include <stdbool.h>

#include "console.h"

/* A key while the composer is open; false when it is not the composer's
 * (then the key bindings get it: PgUp still scrolls the thread). */
bool composer_key(struct console *c, int key);

#endif
