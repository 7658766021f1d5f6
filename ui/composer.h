/*
 * composer.h — typing a reply or an internal note under the open thread.
 *
 * Its keys are the composer context's (actions.h): by default Enter sends
 * (into the outbox: safe on disk before it goes), Alt-Enter starts a new
 * line, Esc closes it and keeps the draft (r reopens it), C-r (or "/" as
 * the first thing typed) opens the canned reply picker (dialog_canned.c);
 * then the edit context's keys (arrows, Home/End, Ctrl-A/E/K/U/W,
 * Backspace, Delete).
 */
#ifndef HANDOFF_UI_COMPOSER_H
#define HANDOFF_UI_COMPOSER_H

#include <stdbool.h>
#include <stddef.h>

#include "console.h"

/* A key while the composer is open and no composer key: an editing key or
 * a character typed; false when it is neither (then the main bindings get
 * it: PgUp still scrolls the thread). */
bool composer_key(struct console *c, int key);

/* "Enter sends, M-Enter new line, Esc closes and keeps the draft", with
 * the keys in effect: the status line when the composer opens. */
void composer_keys_said(const struct console *c, char *out, size_t len);

/* "3980 characters left": the countdown the composer shows. */
void composer_left(const struct console *c, char *out, size_t len);

#endif
